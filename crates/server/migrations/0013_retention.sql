-- Retention: the periodic purge deletes quiet throttle counters and old
-- windows in bounded batches, found through these indexes instead of a
-- scan of the whole table. (Audit events are found by audit_events_at,
-- sent emails by outbox_unsent.)
CREATE INDEX throttle_last_failure ON throttle (last_failure_at);
CREATE INDEX rate_windows_start ON rate_windows (window_start);

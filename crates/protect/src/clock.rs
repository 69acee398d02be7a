//! Time as the portal sees it, and how it is shown.
//!
//! The portal refuses signed requests whose time is more than 300 s from its
//! own, so the device signs with its clock corrected by the offset the
//! portal reported at enrollment: a phone whose clock is off still works.

use std::time::{SystemTime, UNIX_EPOCH};

/// The device's clock, Unix seconds.
pub fn device_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// The portal's time: the device's clock corrected by `offset_secs`. The
/// offset comes from the portal; a nonsense one saturates rather than
/// overflowing.
pub fn portal_now(offset_secs: i64) -> i64 {
    device_now().saturating_add(offset_secs)
}

/// The enrollment warning for an offset (server minus device) beyond 30 s.
pub fn skew_warning(offset_secs: i64) -> Option<String> {
    if offset_secs.unsigned_abs() <= 30 {
        return None;
    }
    // The portal's clock is ahead: this device is behind, i.e. slow.
    let direction = if offset_secs > 0 { "slow" } else { "fast" };
    let secs = offset_secs.unsigned_abs();
    let amount = if secs < 90 {
        format!("{secs} seconds")
    } else if secs < 90 * 60 {
        format!("{} minutes", (secs + 30) / 60)
    } else {
        format!("{} hours", (secs + 1800) / 3600)
    };
    Some(format!(
        "Your clock is about {amount} {direction}. Requests are signed with the portal's time, \
         but codes and times shown here may be off: set the clock right."
    ))
}

/// Unix seconds as `2026-11-30 10:41:07 UTC`.
pub fn utc(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rest = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02} UTC",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

/// Proleptic Gregorian date of a day count since 1970-01-01, by the
/// era-of-400-years method (no date crate for one line of output).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warns_beyond_thirty_seconds_with_the_direction() {
        let table = [
            (0, None),
            (30, None),
            (-30, None),
            (45, Some("about 45 seconds slow")),
            (-45, Some("about 45 seconds fast")),
            (300, Some("about 5 minutes slow")),
            (-330, Some("about 6 minutes fast")),
            (-7200, Some("about 2 hours fast")),
        ];
        for (offset, want) in table {
            let got = skew_warning(offset);
            match want {
                None => assert_eq!(got, None, "{offset}"),
                Some(w) => assert!(
                    got.as_deref().is_some_and(|g| g.contains(w)),
                    "{offset}: {got:?}"
                ),
            }
        }
    }

    #[test]
    fn utc_dates() {
        assert_eq!(utc(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(utc(951_782_400), "2000-02-29 00:00:00 UTC");
        assert_eq!(utc(1_796_035_267), "2026-11-30 10:41:07 UTC");
        assert_eq!(utc(-1), "1969-12-31 23:59:59 UTC");
    }
}

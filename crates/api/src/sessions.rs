//! Bodies of the routes of one's own sessions: the browsers signed in to
//! the account, and ending them. A session's `id` here is a public handle,
//! never its cookie value: knowing it lets nobody use the session.

use serde::{Deserialize, Serialize};

/// `GET /api/v1/sessions`: one signed-in session of the user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionInfo {
    /// Names the session in `DELETE /api/v1/sessions/{id}`; it is not the
    /// session's cookie and cannot be turned into one.
    pub id: String,
    /// The browser and system in words, e.g. "Chrome on Linux".
    pub browser: String,
    /// The address the session signed in from.
    pub ip: String,
    /// Unix seconds.
    pub started_at: i64,
    /// The last request (recorded to the minute), Unix seconds.
    pub last_seen_at: i64,
    /// The session making this request ("this browser").
    pub current: bool,
}

/// `POST /api/v1/sessions/end-others`: how many other sessions ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EndedSessions {
    pub ended: u32,
}

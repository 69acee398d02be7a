//! Flat shapes for reading the tagged enums. Serde's derived reader for an
//! internally tagged enum buffers the whole object first, which costs the
//! SPA many kilobytes of wasm per enum; reading a flat struct and then
//! picking the variant gives the same result for a fraction of the code.

use serde::Deserialize;

use crate::{FactorKind, LoginResponse, Me, MfaStatus, TotpState};

fn unknown(tag: &str, value: &str) -> String {
    format!("unknown {tag} `{value}`")
}

fn missing(field: &str) -> String {
    format!("missing field `{field}`")
}

/// The login answer as flat fields; [`LoginResponse`]'s `TryFrom` is the one
/// place that turns them into a variant (the SPA's `JSON.parse` reader
/// fills this too).
#[derive(Deserialize)]
pub struct LoginResponseWire {
    pub next: String,
    pub user: Option<Me>,
    pub factors: Option<Vec<FactorKind>>,
    pub mandatory: Option<bool>,
    pub days_left: Option<u32>,
    pub message: Option<String>,
}

impl TryFrom<LoginResponseWire> for LoginResponse {
    type Error = String;

    fn try_from(w: LoginResponseWire) -> Result<Self, String> {
        Ok(match w.next.as_str() {
            "done" => LoginResponse::Done {
                user: w.user.ok_or_else(|| missing("user"))?,
            },
            "mfa" => LoginResponse::Mfa {
                factors: w.factors.ok_or_else(|| missing("factors"))?,
            },
            "enroll" => LoginResponse::Enroll {
                mandatory: w.mandatory.ok_or_else(|| missing("mandatory"))?,
                days_left: w.days_left,
            },
            "locked" => LoginResponse::Locked {
                message: w.message.ok_or_else(|| missing("message"))?,
            },
            other => return Err(unknown("next", other)),
        })
    }
}

#[derive(Deserialize)]
pub(crate) struct MfaStatusWire {
    status: String,
    days_left: Option<u32>,
}

impl TryFrom<MfaStatusWire> for MfaStatus {
    type Error = String;

    fn try_from(w: MfaStatusWire) -> Result<Self, String> {
        Ok(match w.status.as_str() {
            "active" => MfaStatus::Active,
            "enrollment_period" => MfaStatus::EnrollmentPeriod {
                days_left: w.days_left.ok_or_else(|| missing("days_left"))?,
            },
            "enrollment_expired" => MfaStatus::EnrollmentExpired,
            "set_up_not_required" => MfaStatus::SetUpNotRequired,
            "required_no_period" => MfaStatus::RequiredNoPeriod,
            "none" => MfaStatus::None,
            other => return Err(unknown("status", other)),
        })
    }
}

#[derive(Deserialize)]
pub(crate) struct TotpStateWire {
    state: String,
    since: Option<i64>,
    #[serde(default)]
    on_device: bool,
}

impl TryFrom<TotpStateWire> for TotpState {
    type Error = String;

    fn try_from(w: TotpStateWire) -> Result<Self, String> {
        Ok(match w.state.as_str() {
            "not_set_up" => TotpState::NotSetUp,
            "pending" => TotpState::Pending,
            "active" => TotpState::Active {
                since: w.since.ok_or_else(|| missing("since"))?,
                on_device: w.on_device,
            },
            other => return Err(unknown("state", other)),
        })
    }
}

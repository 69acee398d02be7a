//! What the parts of `/admin/users/:id` share: the user as loaded and
//! where the page is with a change.

use leptos::prelude::*;
use portcullis_api::UserDetail;

use super::user_actions::UserAction;

/// Where the page is with a change.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    Idle,
    /// Waiting for the admin's yes.
    Confirm(UserAction),
    /// Running (or waiting for a fresh code, then running again).
    Running(UserAction),
}

/// Where a change's confirmation shows: beside what it changes (a factor's
/// removal under the factors, ending sessions under the sessions), the
/// account's changes under the name and its Actions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfirmPlace {
    Top,
    Factors,
    Sessions,
}

impl Step {
    /// Where this step's confirmation shows (`None` when idle).
    pub fn place(&self) -> Option<ConfirmPlace> {
        let action = match self {
            Step::Idle => return None,
            Step::Confirm(a) | Step::Running(a) => a,
        };
        Some(match action {
            UserAction::RemoveFactor { .. } => ConfirmPlace::Factors,
            UserAction::EndSessions { .. } => ConfirmPlace::Sessions,
            _ => ConfirmPlace::Top,
        })
    }
}

/// What the page's parts share.
#[derive(Clone, Copy)]
pub struct UserView {
    pub detail: RwSignal<Option<UserDetail>>,
    pub step: RwSignal<Step>,
}

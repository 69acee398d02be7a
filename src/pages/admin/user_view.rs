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

/// What the page's parts share.
#[derive(Clone, Copy)]
pub struct UserView {
    pub detail: RwSignal<Option<UserDetail>>,
    pub step: RwSignal<Step>,
}

//! The state that "Sign-in methods" (`methods.rs`) shares with its rows
//! (`protect.rs`, `security_keys.rs`) and its chooser (`methods_add.rs`):
//! a module of its own below all of them, so that none imports another in
//! a circle.

use leptos::prelude::*;
use portcullis_api::protect::{ProtectDevice, ProtectEnrollment};
use portcullis_api::webauthn::KeyInfo;

use super::sessions::FactorsChanged;
use crate::api::{protect as protect_calls, webauthn as key_calls, ApiError};
use crate::state::Toasts;

/// What the panel under the list shows.
#[derive(Debug, Clone, PartialEq)]
pub enum Adding {
    Closed,
    /// The chooser of kinds.
    Choosing,
    /// Naming a new key, then the browser's ceremony.
    Key {
        passkey: bool,
    },
    /// The one-time Protect link, for a first phone or a new one.
    Protect(ProtectEnrollment),
}

/// The section's shared state, handed to every row and the panel.
#[derive(Clone, Copy)]
pub struct Methods {
    pub keys: RwSignal<Option<Result<Vec<KeyInfo>, ApiError>>>,
    pub device: RwSignal<Option<Result<Option<ProtectDevice>, ApiError>>>,
    pub adding: RwSignal<Adding>,
    /// The last problem, shown above the list until the next action.
    pub problem: RwSignal<Option<String>>,
    /// The page's "factors changed" flag (read when the section is made:
    /// the actions run outside its reactive owner).
    changed: Option<FactorsChanged>,
    toasts: Toasts,
}

impl Methods {
    /// Nothing loaded yet, the panel closed.
    pub fn new(changed: Option<FactorsChanged>, toasts: Toasts) -> Methods {
        Methods {
            keys: RwSignal::new(None),
            device: RwSignal::new(None),
            adding: RwSignal::new(Adding::Closed),
            problem: RwSignal::new(None),
            changed,
            toasts,
        }
    }

    pub fn reload_keys(self) {
        leptos::task::spawn_local(async move {
            let _ = self.keys.try_set(Some(key_calls::keys().await));
        });
    }

    pub fn reload_device(self) {
        leptos::task::spawn_local(async move {
            let _ = self.device.try_set(Some(protect_calls::device().await));
        });
    }

    /// A new action starts: the last one's words go.
    pub fn starting(self) {
        let _ = self.problem.try_set(None);
        self.toasts.clear();
    }

    /// A change worked: said in a toast.
    pub fn done(self, words: String) {
        let _ = self.problem.try_set(None);
        self.toasts.show(words);
    }

    pub fn failed(self, words: String) {
        let _ = self.problem.try_set(Some(words));
    }

    /// A method was added or removed: the sessions section offers to sign
    /// out the others.
    pub fn factors_changed(self) {
        if let Some(FactorsChanged(c)) = self.changed {
            let _ = c.try_set(true);
        }
    }

    /// Whether the user has a Protect phone (as far as known).
    pub fn has_phone(self) -> bool {
        self.device.with(|d| matches!(d, Some(Ok(Some(_)))))
    }
}

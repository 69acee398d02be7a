//! Who is signed in, shared with every view through context.

use leptos::prelude::*;
use portcullis_api::Me;

use crate::api;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionState {
    /// Asking the server (first load, when a session may exist).
    Checking,
    SignedOut,
    SignedIn(Me),
}

#[derive(Clone, Copy)]
pub struct Session {
    state: RwSignal<SessionState>,
    /// The toast on show (`state/toast.rs`). Kept here rather than in a
    /// context of its own: one more context costs the first download.
    pub(super) toast: RwSignal<Option<String>>,
    /// Why the last login may not go on (enrollment period over,
    /// suspended): the server's words, which `/login/mfa` shows as the
    /// locked-out card. Held here rather than in the history entry's state:
    /// that costs the first download more, and a link cannot set either.
    locked: RwSignal<Option<String>>,
}

impl Session {
    pub fn state(&self) -> SessionState {
        self.state.get()
    }

    pub fn user(&self) -> Option<Me> {
        match self.state.get() {
            SessionState::SignedIn(me) => Some(me),
            _ => None,
        }
    }

    pub fn signed_in(&self, me: Me) {
        hint::set(true);
        self.locked.set(None);
        self.state.set(SessionState::SignedIn(me));
    }

    pub fn signed_out(&self) {
        hint::set(false);
        self.locked.set(None);
        self.state.set(SessionState::SignedOut);
    }

    /// Signed out, and the account may not sign in now (`message`: why).
    pub fn locked_out(&self, message: String) {
        self.signed_out();
        self.locked.set(Some(message));
    }

    /// The words of the last login's refusal, if it was locked out.
    pub fn locked_message(&self) -> Option<String> {
        self.locked.get_untracked()
    }
}

/// Creates the session context and, if this browser may hold a session,
/// asks the server about it. Any later answer that says the session has
/// ended (on a signed-in page) signs out here, once for the whole app; the
/// guard of the page then sends the user to log in and back.
pub fn provide_session() -> Session {
    let may_be_signed_in = hint::get();
    let session = Session {
        state: RwSignal::new(if may_be_signed_in {
            SessionState::Checking
        } else {
            SessionState::SignedOut
        }),
        toast: RwSignal::new(None),
        locked: RwSignal::new(None),
    };
    provide_context(session);
    api::on_session_ended(move || {
        if matches!(
            session.state.try_get_untracked(),
            Some(SessionState::SignedIn(_))
        ) {
            session.signed_out();
        }
    });
    if may_be_signed_in {
        leptos::task::spawn_local(async move {
            // Any failure here (server down) shows the login page, whose
            // submit then reports the problem in words.
            match api::me().await {
                Ok(Some(me)) => session.signed_in(me),
                _ => session.signed_out(),
            }
        });
    }
    session
}

/// The session; a missing provider is a bug, not a silent signed-out user.
pub fn use_session() -> Session {
    expect_context::<Session>()
}

/// A hint kept in the browser that a session may exist: without it the app
/// does not ask `/me` on start. The session cookie is `HttpOnly` (scripts
/// cannot see it), and a probe that answers 401 logs an error in the
/// console of every signed-out visitor. The hint holds no secret: it only
/// saves a request, and a stale one costs one 401 and is then cleared.
mod hint {
    const KEY: &str = "portcullis.signed-in";

    fn storage() -> Option<web_sys::Storage> {
        web_sys::window()?.local_storage().ok().flatten()
    }

    pub fn get() -> bool {
        storage()
            .and_then(|s| s.get_item(KEY).ok().flatten())
            .is_some()
    }

    pub fn set(signed_in: bool) {
        if let Some(s) = storage() {
            let _ = if signed_in {
                s.set_item(KEY, "1")
            } else {
                s.remove_item(KEY)
            };
        }
    }
}

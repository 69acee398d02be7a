//! Who is signed in, shared with every view through context.

use leptos::prelude::*;
use portcullis_api::Me;

use crate::api;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionState {
    /// Asking the server (first load).
    Checking,
    SignedOut,
    SignedIn(Me),
}

#[derive(Clone, Copy)]
pub struct Session {
    state: RwSignal<SessionState>,
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
        self.state.set(SessionState::SignedIn(me));
    }

    pub fn signed_out(&self) {
        self.state.set(SessionState::SignedOut);
    }
}

/// Creates the session context and asks the server whether a session exists.
pub fn provide_session() -> Session {
    let session = Session {
        state: RwSignal::new(SessionState::Checking),
    };
    provide_context(session);
    leptos::task::spawn_local(async move {
        // Any failure here (server down) shows the login page, whose submit
        // then reports the problem in words.
        match api::me().await {
            Ok(Some(me)) => session.signed_in(me),
            _ => session.signed_out(),
        }
    });
    session
}

pub fn use_session() -> Session {
    use_context::<Session>().unwrap_or_else(|| Session {
        state: RwSignal::new(SessionState::SignedOut),
    })
}

//! What several screens share, as contexts: who is signed in, and the title
//! of the screen (announced to screen readers).

mod session;
mod title;
mod toast;

pub use session::{provide_session, use_session, Session, SessionState};
pub use title::{provide_title, PageTitle, TitleAnnouncer};
pub use toast::{use_toasts, ToastRegion, Toasts};

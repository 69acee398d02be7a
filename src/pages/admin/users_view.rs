//! What the parts of `/admin/users` share (the list, its filters, its
//! table and the bulk panel): the view the URL names, the users picked,
//! and how a change of view is shown.

use leptos::prelude::*;
use leptos_router::NavigateOptions;

use crate::paths::UsersQuery;

/// A user picked in the table: the id for the bulk action, the name for
/// the sentences that say whom it is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Picked {
    pub id: String,
    pub name: String,
}

/// What the screen's parts share.
#[derive(Clone, Copy)]
pub struct UsersView {
    /// The view the URL names.
    pub query: Memo<UsersQuery>,
    /// The users picked for a bulk action (kept across pages).
    pub picked: RwSignal<Vec<Picked>>,
    /// The bulk action is for every user the filter matches, not the picked.
    pub whole_filter: RwSignal<bool>,
    /// Bumped to load the page again (after a bulk action).
    pub reload: RwSignal<u32>,
}

/// Shows another view: a new history entry, so Back returns to this one.
/// `navigate` is the router's, taken while the component was set up
/// (event handlers run outside it).
pub fn show(navigate: &impl Fn(&str, NavigateOptions), to: &UsersQuery) {
    navigate(
        &to.url(),
        NavigateOptions {
            // the controls stay where they are; only the table changes
            scroll: false,
            ..Default::default()
        },
    );
}

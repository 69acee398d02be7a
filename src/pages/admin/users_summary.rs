//! The tiles above the users list: how many users are in each MFA status,
//! and how many accounts are invited or suspended. Each tile is a link to
//! the list of exactly those users (in the list's current order), so the
//! tiles are the quickest filters; the one the list shows is marked
//! current. The counts are the whole organisation's, loaded again after a
//! bulk action.

use leptos::prelude::*;
use portcullis_api::{AccountFilter, StatusFilter, UserFilter, UserSummary};

use super::status_look::{account_icon, filter_icon};
use super::users_view::UsersView;
use crate::api;
use crate::components::{Icon, IconKind};
use crate::text::status_filter_label;

/// One tile: everyone, a status, or an account state.
#[derive(Debug, Clone, Copy)]
enum Tile {
    All,
    Status(StatusFilter),
    Account(AccountFilter),
}

impl Tile {
    /// The filter the tile's list has (and nothing else).
    fn filter(self) -> UserFilter {
        match self {
            Tile::All => UserFilter::default(),
            Tile::Status(s) => UserFilter {
                status: Some(s),
                ..UserFilter::default()
            },
            Tile::Account(a) => UserFilter {
                account: Some(a),
                ..UserFilter::default()
            },
        }
    }

    fn label(self) -> &'static str {
        match self {
            Tile::All => "All users",
            Tile::Status(s) => status_filter_label(s),
            Tile::Account(AccountFilter::Invited) => "Invited",
            Tile::Account(AccountFilter::Suspended) => "Suspended",
        }
    }

    fn count(self, s: &UserSummary) -> u32 {
        match self {
            Tile::All => s.total,
            Tile::Status(f) => s.of_status(f),
            Tile::Account(a) => s.of_account(a),
        }
    }

    fn look(self) -> Option<(IconKind, &'static str)> {
        match self {
            Tile::All => None,
            Tile::Status(s) => Some(filter_icon(s)),
            Tile::Account(a) => Some(account_icon(a)),
        }
    }
}

/// Everyone first; then the statuses, the most urgent first (the order of
/// the status sort); then the account states.
fn tiles() -> Vec<Tile> {
    std::iter::once(Tile::All)
        .chain(StatusFilter::ALL.into_iter().map(Tile::Status))
        .chain(AccountFilter::ALL.into_iter().map(Tile::Account))
        .collect()
}

#[component]
pub fn SummaryTiles() -> impl IntoView {
    let view = expect_context::<UsersView>();
    let summary = RwSignal::new(None::<UserSummary>);
    Effect::new(move |_| {
        view.reload.track();
        leptos::task::spawn_local(async move {
            // Without counts the list still works: the tiles stay away.
            if let Ok(s) = api::admin::users_summary().await {
                let _ = summary.try_set(Some(s));
            }
        });
    });
    move || {
        summary.get().map(|s| {
            let items = tiles()
                .into_iter()
                .map(|tile| {
                    let href = move || view.query.with(|q| q.with_filter(tile.filter()).url());
                    let current = move || {
                        view.query
                            .with(|q| q.filter() == tile.filter())
                            .then_some("true")
                    };
                    let (icon, tone) = match tile.look() {
                        Some((icon, tone)) => (Some(icon), tone),
                        None => (None, ""),
                    };
                    view! {
                        <li>
                            <a class=format!("tile {tone}") href=href aria-current=current>
                                <span class="tile-count">{tile.count(&s)}</span>
                                " "
                                <span class="tile-label">
                                    {icon.map(|kind| view! {
                                        <span class="status-icon"><Icon kind=kind/></span>
                                    })}
                                    {tile.label()}
                                </span>
                            </a>
                        </li>
                    }
                })
                .collect_view();
            view! {
                <nav class="summary" aria-label="Users by status">
                    <ul class="tiles">{items}</ul>
                </nav>
            }
        })
    }
}

//! A user's page keeps every change to the account in one place: the
//! "Actions" button, which opens a list of them (a disclosure, not an ARIA
//! menu: Tab moves through it, Escape closes it and gives the focus back to
//! the button). Choosing one closes the list and opens its confirmation
//! just below, where the page asks the details (the enrollment period, how
//! long a code works) and says what will happen.

use leptos::ev::KeyboardEvent;
use leptos::html;
use leptos::prelude::*;
use portcullis_api::MfaStatus;

use super::user_actions::UserAction;
use super::user_view::{Step, UserView};
use crate::components::{Icon, IconKind};

/// The actions that fit the user as they are now, with their words.
fn offered(view: UserView, default_days: u32) -> Vec<(&'static str, UserAction)> {
    let Some(u) = view.detail.with(|d| d.as_ref().map(|d| d.user.clone())) else {
        return Vec::new();
    };
    let has_factor = !u.factors.is_empty();
    let days = Some(default_days);
    let mut list = Vec::new();
    list.push(if u.mfa_required {
        (
            "Change the enrollment period…",
            UserAction::Require { days },
        )
    } else {
        ("Require MFA…", UserAction::Require { days })
    });
    list.push(("Reset MFA…", UserAction::Reset { days }));
    // Administrators always need MFA.
    if u.mfa_required && !u.role.is_admin() {
        list.push(("Stop requiring MFA…", UserAction::Unrequire));
    }
    // (past the deadline, Reset MFA gives a new period instead)
    if u.mfa_required && !has_factor && u.mfa != MfaStatus::EnrollmentExpired {
        list.push(("Send the MFA email again…", UserAction::Remind));
    }
    if u.invited {
        list.push(("Send the invitation again…", UserAction::ResendInvitation));
    }
    // An account with a password and no factor: a setup link is how an
    // administrator's first factor comes, and a help to anyone else.
    if !u.invited && !has_factor {
        list.push(("Make a setup link…", UserAction::SetupLink));
    }
    // A code stands in for a lost factor: for an account that has one.
    if !u.invited && !u.suspended && has_factor {
        list.push((
            "Make a temporary access code…",
            UserAction::TemporaryAccess {
                hours: 1,
                one_time: true,
            },
        ));
    }
    if !u.invited && !u.suspended {
        list.push(("Send a password reset link…", UserAction::SendPasswordReset));
    }
    list.push(("Unlock password and factors…", UserAction::Unlock));
    list.push(if u.suspended {
        ("Reactivate…", UserAction::Reactivate)
    } else {
        ("Suspend…", UserAction::Suspend)
    });
    list
}

#[component]
pub fn ActionsMenu(
    /// The organisation's default enrollment period (the days a Require or
    /// Reset starts with).
    default_days: RwSignal<u32>,
) -> impl IntoView {
    let view = expect_context::<UserView>();
    let (open, set_open) = signal(false);
    let button = NodeRef::<html::Button>::new();
    let idle = move || matches!(view.step.get(), Step::Idle);
    let close = move || {
        set_open.set(false);
        if let Some(b) = button.get_untracked() {
            let _ = b.focus();
        }
    };
    let on_key = move |ev: KeyboardEvent| {
        if ev.key() == "Escape" && open.get_untracked() {
            ev.prevent_default();
            close();
        }
    };
    let items = move || {
        offered(view, default_days.get())
            .into_iter()
            .map(|(words, action)| {
                view! {
                    <li>
                        <button type="button" class="menu-item"
                            on:click=move |_| {
                                set_open.set(false);
                                view.step.set(Step::Confirm(action.clone()));
                            }
                        >
                            {words}
                        </button>
                    </li>
                }
            })
            .collect_view()
    };
    view! {
        <div class="actions-menu" on:keydown=on_key>
            <button
                type="button"
                class="button secondary"
                node_ref=button
                aria-expanded=move || open.get().to_string()
                aria-controls="user-actions-list"
                disabled=move || !idle()
                on:click=move |_| set_open.update(|o| *o = !*o)
            >
                "Actions"
                <Icon kind=IconKind::ChevronDown/>
            </button>
            <ul id="user-actions-list" class="menu-list" hidden=move || !open.get()>
                {items}
            </ul>
        </div>
    }
}

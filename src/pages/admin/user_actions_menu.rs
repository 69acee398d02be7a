//! A user's page keeps every change to the account in one place: the
//! shared "Actions" button, which opens a list of them. Choosing one closes
//! the list and opens its confirmation just below, where the page asks the
//! details (the enrollment period, how long a code works) and says what
//! will happen.

use leptos::prelude::*;
use portcullis_api::MfaStatus;

use super::user_actions::UserAction;
use super::user_view::{Step, UserView};
use crate::components::ActionsMenu;

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

/// The shared Actions button (`components::ActionsMenu`) with the actions
/// that fit the user now; pressed only while no change is being confirmed.
#[component]
pub fn UserActionsMenu(
    /// The organisation's default enrollment period (the days a Require or
    /// Reset starts with).
    default_days: RwSignal<u32>,
    /// The user's name, for the button's name ("Actions for …").
    name: String,
) -> impl IntoView {
    let view = expect_context::<UserView>();
    let busy = Signal::derive(move || !matches!(view.step.get(), Step::Idle));
    let items = move || {
        offered(view, default_days.get())
            .into_iter()
            .map(|(words, action)| {
                view! {
                    <button type="button" class="menu-item"
                        on:click=move |_| view.step.set(Step::Confirm(action.clone()))
                    >
                        {words}
                    </button>
                }
            })
            .collect_view()
    };
    view! {
        <ActionsMenu label=format!("Actions for {name}") disabled=busy list_id="user-actions-list">
            {items}
        </ActionsMenu>
    }
}

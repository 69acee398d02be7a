//! The fresh second factor that some changes need when the last one is
//! older than ten minutes (an administrator's changes to someone's MFA; a
//! user's changes to their own factors and sessions): a code form, a
//! security key and a push for those who have one, shown in place, after
//! which the action carries on by itself.

use leptos::prelude::*;
use portcullis_api::FactorKind;

use crate::api;
use crate::components::{on_code_submit, CodeField, PushProof};
use crate::webauthn;

/// Where a screen keeps an action that waits for a fresh proof: whether
/// the proof form is open, and the action to run again once proven. Each
/// place that can ask (a confirmation, a form) has its own, so the proof
/// is asked inside the dialog that asked for it.
#[derive(Clone, Copy)]
pub struct ProofNeeded {
    pub open: RwSignal<bool>,
    retry: StoredValue<Option<Callback<()>>, LocalStorage>,
}

impl Default for ProofNeeded {
    fn default() -> Self {
        Self::new()
    }
}

impl ProofNeeded {
    pub fn new() -> Self {
        Self {
            open: RwSignal::new(false),
            retry: StoredValue::new_local(None),
        }
    }

    /// Whether `e` asks for a fresh second factor; if so, opens the form
    /// and keeps `again` to run once proven.
    pub fn asks(self, e: &api::ApiError, again: Callback<()>) -> bool {
        if e.code() != Some(portcullis_api::ErrorCode::ReauthenticationRequired) {
            return false;
        }
        self.retry.set_value(Some(again));
        self.open.set(true);
        true
    }

    /// Runs the kept action (the form's `then`).
    pub fn run_again(self) {
        if let Some(again) = self.retry.get_value() {
            again.run(());
        }
    }

    /// Drops the kept action (the form's `cancel`).
    pub fn forget(self) {
        self.retry.set_value(None);
    }
}

/// Shown while `open`: asks for a current code, proves it, closes, then
/// calls `then` (which runs the action again); Cancel closes and calls
/// `cancel` (which drops the action). The form is a lazily loaded part:
/// most screens that hold one never open it.
#[component]
pub fn FreshProof(
    /// The code field's element id (unique on the screen).
    id: &'static str,
    /// Whether the form shows; the screen opens it on a
    /// `reauthentication_required` answer.
    open: RwSignal<bool>,
    /// What the verify button says, e.g. "Verify and remove".
    verb: &'static str,
    /// Runs once the code was accepted.
    then: Callback<()>,
    /// Runs when the admin gives up instead.
    cancel: Callback<()>,
    /// Only a security key or passkey will do (an app that accepts
    /// phishing-resistant factors alone): no code, no push.
    #[prop(optional)]
    keys_only: bool,
) -> impl IntoView {
    move || {
        open.get().then(|| {
            leptos::prelude::Suspend::new(async move {
                fresh_proof_form(id, open, verb, then, cancel, keys_only).await
            })
        })
    }
}

lazy_part!(fresh_proof_form(
    id: &'static str,
    open: RwSignal<bool>,
    verb: &'static str,
    then: Callback<()>,
    cancel: Callback<()>,
    keys_only: bool,
) => view! { <ProofForm id open verb then cancel keys_only/> });

/// The form itself, once open.
#[component]
fn ProofForm(
    id: &'static str,
    open: RwSignal<bool>,
    verb: &'static str,
    then: Callback<()>,
    cancel: Callback<()>,
    keys_only: bool,
) -> impl IntoView {
    let code = RwSignal::new(String::new());
    let (problem, set_problem) = signal(None::<String>);
    let busy = RwSignal::new(false);
    // Which factors the user has: the form offers those. Until known (or
    // if unknown) it offers the code. Asked only now that the form is
    // open: a screen holds several of these, most never opened.
    let factors =
        LocalResource::new(|| async { api::mfa().await.map(|o| o.factors).unwrap_or_default() });
    let has = move |kind: FactorKind| {
        (!keys_only || kind == FactorKind::Webauthn)
            && factors.get().is_some_and(|f| f.contains(&kind))
    };
    // The code is offered unless another kind is all the user has (or all
    // that is accepted).
    let code_offered = move || {
        !keys_only
            && (has(FactorKind::Totp) || !(has(FactorKind::Webauthn) || has(FactorKind::Push)))
    };
    let proven = move || {
        let _ = code.try_set(String::new());
        let _ = open.try_set(false);
        then.run(());
    };
    let use_key = move |_| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        let _ = set_problem.try_set(None);
        leptos::task::spawn_local(async move {
            let answer = webauthn::verify_again().await;
            let _ = busy.try_set(false);
            match answer {
                Ok(()) => proven(),
                Err(p) => {
                    let _ = set_problem.try_set(Some(p.sentence()));
                }
            }
        });
    };
    let on_submit = on_code_submit(
        code,
        set_problem,
        move || busy.get_untracked(),
        move |c| {
            busy.set(true);
            leptos::task::spawn_local(async move {
                let answer = api::verify_mfa(&c).await;
                let _ = busy.try_set(false);
                match answer {
                    Ok(()) => proven(),
                    Err(e) => {
                        let _ = set_problem.try_set(Some(e.user_message()));
                    }
                }
            });
        },
    );
    view! {
                <form class="fresh-code" on:submit=on_submit>
                    <p>"This change needs a fresh confirmation that it’s you."</p>
                    {move || if code_offered() {
                        view! {
                            <CodeField
                                id=id
                                label="Code from your authenticator app"
                                value=code
                                error=problem
                                autofocus=true
                            />
                        }
                        .into_any()
                    } else {
                        view! { <p class="form-error" role="alert">{move || problem.get()}</p> }.into_any()
                    }}
                    <Show when=move || has(FactorKind::Push)>
                        <PushProof proven=Callback::new(move |()| proven())/>
                    </Show>
                    <div class="actions">
                        <Show when=code_offered>
                            <button type="submit" class="button primary" aria-busy=move || busy.get().to_string()>
                                {verb}
                            </button>
                        </Show>
                        <Show when=move || has(FactorKind::Webauthn)>
                            <button type="button" class="button secondary" aria-busy=move || busy.get().to_string()
                                on:click=use_key>
                                "Use a security key"
                            </button>
                        </Show>
                        <button type="button" class="button secondary" on:click=move |_| {
                            open.set(false);
                            cancel.run(());
                        }>
                            "Cancel"
                        </button>
                    </div>
                </form>
    }
}

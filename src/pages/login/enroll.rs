//! `/enroll`: set up the authenticator app — why, QR code and key, first
//! code, done — or, instead, register a security key or passkey, or set up
//! Protect push. Used during login (password-only session) and from the
//! portal (after a reset, or by choice).

use leptos::html;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};
use portcullis_api::{ErrorCode, LoginResponse, MfaOverview, MfaStatus, TotpEnrollment, TotpState};

use super::enroll_protect::ProtectChoice;
use crate::api::{self, ApiError};
use crate::components::{copy_to_clipboard, on_code_submit, CodeField, QrCode};
use crate::pages::portal::recovery_codes::OfferCodes;
use crate::paths::{safe_next, Page};
use crate::state::{use_session, PageTitle};
use crate::text::{days, group_key, status_sentence};
use crate::webauthn;

/// The steps of the flow; the view is a match on this.
#[derive(Debug, Clone, PartialEq)]
enum Step {
    Loading,
    Intro(MfaOverview),
    AlreadySetUp,
    Scan(TotpEnrollment),
    Complete,
    /// A security key was registered instead of the app.
    KeyComplete,
    /// A passkey was.
    PasskeyComplete,
    /// Protect push was, by a signed-in user (a login goes on to the push).
    PushComplete,
    /// No session at all (or it expired): start from the login page.
    NeedLogin,
    Failed(ApiError),
}

impl Step {
    fn title(&self) -> &'static str {
        match self {
            Step::Loading => "Set up multi-factor authentication",
            Step::Intro(_) => "Set up multi-factor authentication",
            Step::AlreadySetUp => "Authenticator app already set up",
            Step::Scan(_) => "Add Portcullis to your authenticator app",
            Step::Complete | Step::KeyComplete | Step::PasskeyComplete | Step::PushComplete => {
                "MFA setup is complete"
            }
            Step::NeedLogin => "Log in first",
            Step::Failed(_) => "Something went wrong",
        }
    }
}

#[component]
pub fn EnrollPage() -> impl IntoView {
    let session = use_session();
    let query = use_query_map();
    let navigate = use_navigate();
    let (step, set_step) = signal(Step::Loading);
    let next = move || safe_next(query.get_untracked().get("next").as_deref());

    leptos::task::spawn_local(async move {
        let s = match api::mfa().await {
            // (A helpdesk's code opened this login to replace a lost factor.)
            Ok(o) if matches!(o.totp, TotpState::Active { .. }) && !o.temporary_access => {
                Step::AlreadySetUp
            }
            Ok(o) => Step::Intro(o),
            Err(e) if e.is_unauthenticated() => Step::NeedLogin,
            Err(e) => Step::Failed(e),
        };
        set_step.set(s);
    });

    // Each new step moves focus to its heading, so screen readers read it.
    let heading = NodeRef::<html::H1>::new();
    Effect::new(move |prev: Option<()>| {
        step.track();
        if prev.is_some() {
            if let Some(h) = heading.get() {
                let _ = h.focus();
            }
        }
    });

    let start = Action::new_local(move |_: &()| async move {
        match api::totp_enroll().await {
            Ok(e) => set_step.set(Step::Scan(e)),
            Err(e) if e.is_unauthenticated() => set_step.set(Step::NeedLogin),
            Err(e) => set_step.set(Step::Failed(e)),
        }
    });

    let nav_later = navigate.clone();
    let later = Action::new_local(move |_: &()| {
        let navigate = nav_later.clone();
        async move {
            // Always ask the server: the page's idea of who is signed in
            // may be stale.
            match api::skip_enrollment().await {
                Ok(LoginResponse::Done { user }) => {
                    session.signed_in(user);
                    navigate(&next(), Default::default());
                }
                Ok(_) => set_step.set(Step::NeedLogin),
                Err(e) if e.is_unauthenticated() => {
                    session.signed_out();
                    set_step.set(Step::NeedLogin)
                }
                // fully signed in already (came from the portal): just go back
                Err(ApiError::Server {
                    code: ErrorCode::NotAllowedNow,
                    ..
                }) if session.user().is_some() => navigate(&next(), Default::default()),
                Err(e) => set_step.set(Step::Failed(e)),
            }
        }
    });

    // The key's ceremony; a failure stays on the intro, whose button tries
    // again, beside the app.
    let (key_problem, set_key_problem) = signal(None::<String>);
    let add_key = Action::new_local(move |passkey: &bool| {
        let passkey = *passkey;
        async move {
            match webauthn::register(None, passkey).await {
                Ok(LoginResponse::Done { user }) => {
                    session.signed_in(user);
                    set_step.set(if passkey {
                        Step::PasskeyComplete
                    } else {
                        Step::KeyComplete
                    });
                }
                Ok(_) => set_step.set(Step::NeedLogin),
                Err(p) if p.is_unauthenticated() => set_step.set(Step::NeedLogin),
                Err(p) => set_key_problem.set(Some(p.sentence())),
            }
        }
    });

    // Protect enrolled: a login proves the new phone with a push (the MFA
    // prompt starts with it); a signed-in user is done.
    let nav_push = navigate.clone();
    let push_enrolled = Callback::new(move |()| {
        if session.user().is_some() {
            set_step.set(Step::PushComplete);
        } else {
            nav_push(&Page::LoginMfa.with_next(&next()), Default::default());
        }
    });

    let finish = move |_| navigate(&next(), Default::default());

    view! {
        <PageTitle text=Page::Enroll.title()/>
        <section class="card enroll" aria-labelledby="enroll-title">
            <h1 id="enroll-title" tabindex="-1" node_ref=heading>{move || step.get().title()}</h1>
            {move || match step.get() {
                Step::Loading => view! { <p class="loading" role="status">"Loading…"</p> }.into_any(),
                Step::Intro(o) => view! {
                    {intro(o, start, later)}
                    <KeyChoice add=add_key problem=key_problem set_problem=set_key_problem/>
                    <ProtectChoice on_enrolled=push_enrolled/>
                }
                .into_any(),
                Step::AlreadySetUp => view! {
                    <p>"Your account already has an authenticator app. To move to another app, reset it on the Security page."</p>
                    <A href=Page::Security.path()>"Go to Security"</A>
                }
                .into_any(),
                Step::Scan(e) => view! { <Scan enrollment=e on_done=move || set_step.set(Step::Complete)/> }.into_any(),
                Step::Complete => view! {
                    <p class="success" role="status">
                        "From now on you log in with your password and a code from your authenticator app."
                    </p>
                    <OfferCodes/>
                    <button type="button" class="button primary" on:click=finish.clone()>"Continue"</button>
                }
                .into_any(),
                Step::KeyComplete => view! {
                    <p class="success" role="status">
                        "From now on you log in with your password and your security key. "
                        "You can name it, or add another, on the Security page."
                    </p>
                    <OfferCodes/>
                    <button type="button" class="button primary" on:click=finish.clone()>"Continue"</button>
                }
                .into_any(),
                Step::PasskeyComplete => view! {
                    <p class="success" role="status">
                        "From now on you can sign in with your passkey alone: choose “Sign in with a passkey” "
                        "on the login page. With your password, the passkey is your second factor."
                    </p>
                    <OfferCodes/>
                    <button type="button" class="button primary" on:click=finish.clone()>"Continue"</button>
                }
                .into_any(),
                Step::PushComplete => view! {
                    <p class="success" role="status">
                        "From now on you approve logins on your phone with Protect, after your password."
                    </p>
                    <OfferCodes/>
                    <button type="button" class="button primary" on:click=finish.clone()>"Continue"</button>
                }
                .into_any(),
                Step::NeedLogin => view! {
                    <p role="alert">"Your login has expired or has not started. Log in to set up MFA."</p>
                    <A href=Page::Login.path()>"Log in"</A>
                }
                .into_any(),
                Step::Failed(e) => view! { <p class="form-error" role="alert">{e.user_message()}</p> }.into_any(),
            }}
        </section>
    }
}

fn intro(o: MfaOverview, start: Action<(), ()>, later: Action<(), ()>) -> impl IntoView {
    let days_left = match o.status {
        MfaStatus::EnrollmentPeriod { days_left } => Some(days_left),
        _ => None,
    };
    let status = if o.temporary_access {
        "Your helpdesk’s code let you in to set up a new way to sign in. A new authenticator app \
         replaces the one you lost; a security key or passkey is added to what you have."
            .to_string()
    } else {
        status_sentence(o.status).to_string()
    };
    view! {
        <p class="status-line">{status}</p>
        <p>
            "A password alone can be guessed or stolen. With multi-factor authentication, logging in also "
            "takes a code from your phone, so a stolen password is not enough to get into your account."
        </p>
        <p>
            "You need an authenticator app on your phone. Any standard app works: Google Authenticator, "
            "Microsoft Authenticator, Authy, Duo Mobile, 1Password, or the Portcullis Protect app."
        </p>
        <div class="actions">
            <button
                type="button"
                class="button primary"
                on:click=move |_| {
                    if !start.pending().get_untracked() {
                        start.dispatch(());
                    }
                }
                aria-busy=move || start.pending().get().to_string()
            >
                "Continue"
            </button>
            {days_left.map(|n| view! {
                <button
                    type="button"
                    class="button secondary"
                    on:click=move |_| {
                        later.dispatch(());
                    }
                >
                    {format!("Remind me later — {} left", days(n))}
                </button>
            })}
        </div>
    }
}

/// The other choice of the intro: a security key or passkey instead of the app.
#[component]
fn KeyChoice(
    add: Action<bool, ()>,
    problem: ReadSignal<Option<String>>,
    set_problem: WriteSignal<Option<String>>,
) -> impl IntoView {
    let choose = move |passkey: bool| {
        if !add.pending().get_untracked() {
            set_problem.set(None);
            add.dispatch(passkey);
        }
    };
    let waiting = move || add.pending().get();
    view! {
        <h2 id="enroll-key-title">"Or use a security key or passkey"</h2>
        <div class="factor" role="group" aria-labelledby="enroll-key-title">
            <p>
                "A security key (USB or NFC) works instead of the app, after your password. "
                "A passkey, on this device or your phone, can also sign you in without a password, "
                "with your fingerprint, face or screen lock."
            </p>
            <p class="form-error" role="alert" aria-live="assertive">{move || problem.get()}</p>
            <div class="actions">
                <button type="button" class="button secondary" aria-busy=move || waiting().to_string()
                    on:click=move |_| choose(false)>
                    "Use a security key"
                </button>
                <button type="button" class="button secondary" aria-busy=move || waiting().to_string()
                    on:click=move |_| choose(true)>
                    "Create a passkey"
                </button>
            </div>
            <p class="status-line" role="status" aria-live="polite">
                {move || waiting().then_some("Waiting for your key or passkey…")}
            </p>
        </div>
    }
}

/// The QR code, the key, and the first code.
#[component]
fn Scan(
    /// The secret and its URI, from the server.
    enrollment: TotpEnrollment,
    /// Called once the first code is accepted.
    on_done: impl Fn() + Copy + 'static,
) -> impl IntoView {
    let session = use_session();
    let code = RwSignal::new(String::new());
    let (problem, set_problem) = signal(None::<String>);
    let (refused, set_refused) = signal(None::<String>);
    let copied = RwSignal::new(String::new());
    let key = enrollment.secret.clone();

    let confirm = Action::new_local(move |c: &String| {
        let c = c.clone();
        async move {
            match api::totp_confirm(&c).await {
                Ok(LoginResponse::Done { user }) => {
                    session.signed_in(user);
                    on_done();
                }
                Ok(_) => set_refused.set(Some(
                    "Unexpected answer from the server. Please try again.".into(),
                )),
                Err(e) => {
                    code.set(String::new());
                    set_refused.set(Some(e.user_message()));
                }
            }
        }
    });

    let on_submit = on_code_submit(
        code,
        set_problem,
        move || confirm.pending().get_untracked(),
        move |c| {
            set_refused.set(None);
            confirm.dispatch(c);
        },
    );

    let copy = move |_| copy_to_clipboard(key.clone(), "Key", copied);

    view! {
        <ol class="steps">
            <li>
                <h2>"Scan this QR code with your authenticator app"</h2>
                <QrCode
                    data=enrollment.uri.clone()
                    alt="QR code for adding Portcullis to an authenticator app. The same key is written out below."
                />
                <p>"Can’t scan it? Add an account by hand with this key (time-based, 6 digits, every 30 seconds):"</p>
                <p class="key-row">
                    // Said before the key rather than as its `aria-label`:
                    // a `code` element cannot carry a name.
                    <span class="visually-hidden">"Secret key:"</span>
                    <code class="key">{group_key(&enrollment.secret)}</code>
                    <button type="button" class="button secondary" on:click=copy>"Copy key"</button>
                </p>
                <p class="hint" role="status" aria-live="polite">{move || copied.get()}</p>
                <p class="hint">"Account: " {enrollment.account.clone()} " · Issuer: " {enrollment.issuer.clone()}</p>
            </li>
            <li>
                <h2>"Enter the code the app shows"</h2>
                <form on:submit=on_submit novalidate>
                    <CodeField id="enroll-code" label="Code from the app" value=code error=problem/>
                    <p class="form-error" role="alert" aria-live="assertive">{move || refused.get()}</p>
                    <button type="submit" class="button primary" aria-busy=move || confirm.pending().get().to_string()>
                        {move || if confirm.pending().get() { "Checking…" } else { "Verify and finish" }}
                    </button>
                </form>
            </li>
        </ol>
    }
}

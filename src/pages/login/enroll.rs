//! `/enroll`: the enrollment wizard. A chooser of equal cards (authenticator
//! app, security key, passkey, Protect push: those the organisation
//! allows), then the chosen method's steps with a step indicator and Back,
//! then the recovery codes (a required step, when the user has none). Each
//! step is in the URL (`?step=`, see `enroll_steps.rs`), so the browser's
//! Back returns to the previous step. `?replace=app` (after Reset
//! Authenticator App) goes straight to a new app, in words about replacing.
//! Used during login (a password-only session) and from the portal.

use leptos::html;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;
use portcullis_api::{ErrorCode, LoginResponse, MfaOverview, MfaStatus, TotpEnrollment, TotpState};

use super::enroll_codes::{CodesStep, Made};
use super::enroll_protect::PhoneStep;
use super::enroll_steps::{back_from, first_step, position, steps, url, Context, Method, Step};
use crate::api::{self, ApiError};
use crate::components::{copy_to_clipboard, on_code_submit, CodeField, Icon, IconKind, QrCode};
use crate::paths::{safe_next, Page};
use crate::state::{use_session, PageTitle};
use crate::text::{days, group_key, status_sentence};
use crate::webauthn::{self, KeyKind};

/// What the page knows from the server.
#[derive(Debug, Clone, PartialEq)]
enum Known {
    Loading,
    Ready(MfaOverview),
    /// No session at all (or it expired): start from the login page.
    NeedLogin,
    Failed(ApiError),
}

/// The methods the chooser offers: those the organisation allows (all,
/// from a server that does not say), less an app the user already has
/// (unless a helpdesk's code let them in to replace a lost one).
fn offered(o: &MfaOverview) -> Vec<Method> {
    let app_set_up = matches!(o.totp, TotpState::Active { .. }) && !o.temporary_access;
    Method::ALL
        .into_iter()
        .filter(|m| o.allowed.is_empty() || o.allowed.contains(&m.kind()))
        .filter(|m| !(*m == Method::App && app_set_up))
        .collect()
}

/// The heading of a step.
fn heading_of(step: Step, replace: bool) -> &'static str {
    match step {
        Step::AppScan | Step::AppCode if replace => "Replace your authenticator app",
        Step::Choose => "Set up multi-factor authentication",
        Step::AppScan => "Add Portcullis to your authenticator app",
        Step::AppCode => "Enter the code the app shows",
        Step::Key(Method::Passkey) => "Create a passkey",
        Step::Key(_) => "Register your security key",
        Step::Phone => "Set up Protect push",
        Step::Codes => "Save your recovery codes",
        Step::Done => "MFA setup is complete",
    }
}

#[component]
pub fn EnrollPage() -> impl IntoView {
    let session = use_session();
    let query = use_query_map();
    let navigate = use_navigate();
    let known = RwSignal::new(Known::Loading);
    let param = move |k: &str| query.with(|q| q.get(k));
    // A replacement of the app has no chooser: it starts at the scan.
    let step = Memo::new(move |_| match Step::parse(param("step").as_deref()) {
        Step::Choose if param("replace").as_deref() == Some("app") => Step::AppScan,
        s => s,
    });
    let context = Memo::new(move |_| Context {
        replace_app: param("replace").as_deref() == Some("app"),
        next: safe_next(param("next").as_deref()),
        method: param("method").as_deref().and_then(Method::parse),
    });
    // The method chosen (in this page, else as the URL says), and whether
    // it has been set up in this page: the steps before that are then
    // behind the user.
    let chosen = RwSignal::new(None::<Method>);
    let set_up = RwSignal::new(false);
    let enrollment = RwSignal::new(None::<TotpEnrollment>);
    // Recovery codes are the last step when the user had none; made once
    // (coming back to the step shows the same ones).
    let needs_codes = RwSignal::new(false);
    let codes = RwSignal::new(None::<Made>);

    leptos::task::spawn_local(async move {
        let k = match api::mfa().await {
            Ok(o) => {
                let _ = needs_codes.try_set(o.recovery_codes_left == 0);
                Known::Ready(o)
            }
            Err(e) if e.is_unauthenticated() => Known::NeedLogin,
            Err(e) => Known::Failed(e),
        };
        let _ = known.try_set(k);
    });

    let method = move || {
        step.get()
            .method()
            .or(chosen.get())
            .or(context.get().method)
    };
    let flow = move || {
        method()
            .map(|m| steps(m, needs_codes.get() || step.get() == Step::Codes))
            .unwrap_or_default()
    };

    // Moves to `to`: a new history entry (Back returns here), or in place
    // of this one (a step that is behind the user for good).
    let nav = navigate.clone();
    let go = move |to: Step, replace: bool| {
        let m = to.method().or_else(|| untrack(method));
        if let Some(m) = to.method() {
            chosen.set(Some(m));
        }
        nav(
            &url(to, m, &context.get_untracked()),
            NavigateOptions {
                replace,
                ..Default::default()
            },
        );
    };
    let go = StoredValue::new_local(go);
    let go_to = move |to: Step, replace: bool| go.with_value(|g| g(to, replace));
    // The method is set up: on to the codes, or done.
    let finished = move || {
        set_up.set(true);
        go_to(
            if needs_codes.get_untracked() {
                Step::Codes
            } else {
                Step::Done
            },
            true,
        );
    };

    // The app's key is made as its first step opens (again after a reload:
    // a restarted enrollment replaces the earlier key).
    let starting = RwSignal::new(false);
    Effect::new(move |_| {
        let app_set_up = match known.get() {
            Known::Ready(o) => matches!(o.totp, TotpState::Active { .. }) && !o.temporary_access,
            _ => return,
        };
        let s = step.get();
        // Back over a method that is set up: forward again.
        if set_up.get_untracked() && s.method().is_some() {
            finished();
            return;
        }
        if s == Step::AppCode && !app_set_up && enrollment.get_untracked().is_none() {
            go_to(Step::AppScan, true);
            return;
        }
        // (An app set up already: the step says so, and makes no key.)
        if s == Step::AppScan
            && !app_set_up
            && enrollment.get_untracked().is_none()
            && !starting.get_untracked()
        {
            starting.set(true);
            leptos::task::spawn_local(async move {
                let answer = api::totp_enroll().await;
                let _ = starting.try_set(false);
                match answer {
                    Ok(e) => {
                        let _ = enrollment.try_set(Some(e));
                    }
                    Err(e) if e.is_unauthenticated() => {
                        let _ = known.try_set(Known::NeedLogin);
                    }
                    Err(e) => {
                        let _ = known.try_set(Known::Failed(e));
                    }
                }
            });
        }
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

    let nav_later = navigate.clone();
    let later = Action::new_local(move |_: &()| {
        let navigate = nav_later.clone();
        async move {
            let next = context.get_untracked().next;
            // Always ask the server: the page's idea of who is signed in
            // may be stale.
            match api::skip_enrollment().await {
                Ok(LoginResponse::Done { user }) => {
                    session.signed_in(user);
                    navigate(&next, Default::default());
                }
                Ok(_) => known.set(Known::NeedLogin),
                Err(e) if e.is_unauthenticated() => {
                    session.signed_out();
                    known.set(Known::NeedLogin)
                }
                // fully signed in already (came from the portal): just go back
                Err(ApiError::Server {
                    code: ErrorCode::NotAllowedNow,
                    ..
                }) if session.user().is_some() => navigate(&next, Default::default()),
                Err(e) => known.set(Known::Failed(e)),
            }
        }
    });

    // Protect enrolled: a login proves the new phone with a push (the MFA
    // prompt starts with it), then comes back for the codes; a signed-in
    // user goes straight on.
    let nav_push = navigate.clone();
    let phone_enrolled = Callback::new(move |()| {
        if session.user().is_some() {
            finished();
        } else {
            let after = if needs_codes.get_untracked() {
                Step::Codes
            } else {
                Step::Done
            };
            let back_here = url(after, Some(Method::Phone), &context.get_untracked());
            nav_push(&Page::LoginMfa.with_next(&back_here), Default::default());
        }
    });

    let nav_done = navigate.clone();
    let leave =
        Callback::new(move |()| nav_done(&context.get_untracked().next, Default::default()));

    let title = move || match known.get() {
        Known::NeedLogin => "Log in first",
        Known::Failed(_) => "Something went wrong",
        _ => heading_of(step.get(), context.get().replace_app),
    };

    view! {
        // The document's title follows the step (and says it when it changes).
        {move || view! { <PageTitle text=title()/> }}
        <section class="card enroll" aria-labelledby="enroll-title">
            {move || {
                let s = step.get();
                let here = position(&flow(), s);
                let back = back_from(&flow(), s, !context.get().replace_app);
                view! {
                    {back.map(|to| view! {
                        <button type="button" class="button secondary inline back-button"
                            on:click=move |_| go_to(to, false)>
                            <Icon kind=IconKind::Back/>
                            " Back"
                        </button>
                    })}
                    {here.map(|(at, of)| view! { <Progress steps=flow() at=at of=of/> })}
                }
            }}
            <h1 id="enroll-title" tabindex="-1" node_ref=heading>{title}</h1>
            {move || match known.get() {
                Known::Loading => view! { <p class="loading" role="status">"Loading…"</p> }.into_any(),
                Known::NeedLogin => view! {
                    <p role="alert">"Your login has expired or has not started. Log in to set up MFA."</p>
                    <A href=Page::Login.path()>"Log in"</A>
                }
                .into_any(),
                Known::Failed(e) => view! { <p class="form-error" role="alert">{e.user_message()}</p> }.into_any(),
                Known::Ready(o) => match step.get() {
                    Step::Choose => view! {
                        <Chooser overview=o context=context.get_untracked() later=later/>
                    }
                    .into_any(),
                    Step::AppScan | Step::AppCode
                        if matches!(o.totp, TotpState::Active { .. }) && !o.temporary_access && !set_up.get() =>
                    {
                        view! {
                            <p>"Your account already has an authenticator app. To move to another app, reset it on the Security page."</p>
                            <A href=Page::Security.path()>"Go to Security"</A>
                        }
                        .into_any()
                    }
                    Step::AppScan => match enrollment.get() {
                        None => view! { <p class="loading" role="status">"Making your key…"</p> }.into_any(),
                        Some(e) => view! {
                            <Scan enrollment=e replace=context.get_untracked().replace_app
                                on_next=Callback::new(move |()| go_to(Step::AppCode, false))/>
                        }
                        .into_any(),
                    },
                    Step::AppCode => view! {
                        <FirstCode on_done=Callback::new(move |()| finished())/>
                    }
                    .into_any(),
                    Step::Key(m) => view! {
                        <KeyStep passkey=m == Method::Passkey on_done=Callback::new(move |()| finished())/>
                    }
                    .into_any(),
                    Step::Phone => view! { <PhoneStep on_enrolled=phone_enrolled/> }.into_any(),
                    Step::Codes => view! { <CodesStep made=codes on_done=leave/> }.into_any(),
                    Step::Done => view! {
                        <p class="success" role="status">{done_words(method())}</p>
                        <button type="button" class="button primary" on:click=move |_| leave.run(())>"Continue"</button>
                    }
                    .into_any(),
                },
            }}
        </section>
    }
}

/// What the last screen says, by the method set up.
fn done_words(method: Option<Method>) -> &'static str {
    match method {
        Some(Method::App) => {
            "From now on you log in with your password and a code from your authenticator app."
        }
        Some(Method::Key) => {
            "From now on you log in with your password and your security key. You can name it, \
             or add another, on the Security page."
        }
        Some(Method::Passkey) => {
            "From now on you can sign in with your passkey alone: choose “Sign in with a passkey” \
             on the login page. With your password, the passkey is your second factor."
        }
        Some(Method::Phone) => {
            "From now on you approve logins on your phone with Protect, after your password."
        }
        None => "Your new sign-in method is set up.",
    }
}

/// "Step 2 of 3", and the steps by name with the current one marked.
#[component]
fn Progress(steps: Vec<Step>, at: usize, of: usize) -> impl IntoView {
    view! {
        <div class="wizard-progress">
            <p class="step-count">{format!("Step {at} of {of}")}</p>
            <ol class="wizard-steps" aria-label="Steps">
                {steps
                    .into_iter()
                    .enumerate()
                    .map(|(i, s)| {
                        let current = i + 1 == at;
                        let class = if i + 1 < at { "past" } else if current { "current" } else { "" };
                        view! {
                            <li class=class aria-current=current.then_some("step")>{s.label()}</li>
                        }
                    })
                    .collect_view()}
            </ol>
        </div>
    }
}

/// The method cards, and "Remind me later" while the period lasts.
#[component]
fn Chooser(overview: MfaOverview, context: Context, later: Action<(), ()>) -> impl IntoView {
    let days_left = match overview.status {
        MfaStatus::EnrollmentPeriod { days_left } => Some(days_left),
        _ => None,
    };
    let status = if overview.temporary_access {
        "Your helpdesk’s code let you in to set up a new way to sign in. A new authenticator app \
         replaces the one you lost; a security key or passkey is added to what you have."
            .to_string()
    } else {
        status_sentence(overview.status).to_string()
    };
    let methods = offered(&overview);
    let app_set_up =
        matches!(overview.totp, TotpState::Active { .. }) && !overview.temporary_access;
    view! {
        <p class="status-line">{status}</p>
        <p>
            "A password alone can be guessed or stolen. With a second way to prove it’s you, "
            "a stolen password is not enough to get into your account. Choose one:"
        </p>
        <ul class="method-cards" aria-label="Sign-in methods">
            {methods
                .into_iter()
                .map(|m| {
                    let href = url(first_step(m), Some(m), &context);
                    view! {
                        <li>
                            <a class="method-card" href=href>
                                <Icon kind=method_icon(m)/>
                                <span class="method-name">{m.label()}</span>
                                <span class="method-pitch">{m.pitch()}</span>
                            </a>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
        {app_set_up.then(|| view! {
            <p class="hint">"Your authenticator app is already set up. To move to another app, reset it on the Security page."</p>
        })}
        {days_left.map(|n| view! {
            <div class="actions">
                <button type="button" class="button secondary" aria-busy=move || later.pending().get().to_string()
                    on:click=move |_| {
                        if !later.pending().get_untracked() {
                            later.dispatch(());
                        }
                    }>
                    {format!("Remind me later — {} left", days(n))}
                </button>
            </div>
        })}
    }
}

/// A method's icon on its card.
fn method_icon(m: Method) -> IconKind {
    match m {
        Method::Passkey => IconKind::Passkey,
        m => IconKind::of_factor(m.kind()),
    }
}

/// The QR code and the key; on a phone, a link that opens the app itself.
#[component]
fn Scan(
    /// The secret and its URI, from the server.
    enrollment: TotpEnrollment,
    /// Replacing a reset app: say so.
    replace: bool,
    on_next: Callback<()>,
) -> impl IntoView {
    let copied = RwSignal::new(String::new());
    let key = enrollment.secret.clone();
    let copy = move |_| copy_to_clipboard(key.clone(), "Key", copied);
    view! {
        {replace.then(|| view! {
            <p>
                "Your old authenticator app no longer works for Portcullis. Add Portcullis to the "
                "app on your new phone (or the same app again), then enter the code it shows."
            </p>
        })}
        <h2>"Scan this QR code with your authenticator app"</h2>
        <div class="scan">
            <QrCode
                data=enrollment.uri.clone()
                alt="QR code for adding Portcullis to an authenticator app. The same key is written out below."
            />
            // Shown on phones only (style/main.css): the app is on this
            // device, and a camera cannot scan its own screen.
            <p class="open-in-app">
                <a class="button secondary inline" href=enrollment.uri.clone()>"Open in authenticator app"</a>
            </p>
        </div>
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
        <button type="button" class="button primary" on:click=move |_| on_next.run(())>"Next"</button>
    }
}

/// The app's first code: it sets the app up.
#[component]
fn FirstCode(on_done: Callback<()>) -> impl IntoView {
    let session = use_session();
    let code = RwSignal::new(String::new());
    let (problem, set_problem) = signal(None::<String>);
    let (refused, set_refused) = signal(None::<String>);

    let confirm = Action::new_local(move |c: &String| {
        let c = c.clone();
        async move {
            match api::totp_confirm(&c).await {
                Ok(LoginResponse::Done { user }) => {
                    session.signed_in(user);
                    on_done.run(());
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
    view! {
        <p>"Open your authenticator app and enter the 6-digit code it shows for Portcullis."</p>
        <form on:submit=on_submit novalidate>
            // (No autofocus: each step's heading takes the focus, and the
            // field is the next stop after it.)
            <CodeField id="enroll-code" label="Code from the app" value=code error=problem/>
            <p class="form-error" role="alert" aria-live="assertive">{move || refused.get()}</p>
            <button type="submit" class="button primary" aria-busy=move || confirm.pending().get().to_string()>
                {move || if confirm.pending().get() { "Checking…" } else { "Verify and finish" }}
            </button>
        </form>
    }
}

/// A security key or a passkey: the browser's ceremony, from a button.
#[component]
fn KeyStep(passkey: bool, on_done: Callback<()>) -> impl IntoView {
    let session = use_session();
    let kind = if passkey {
        KeyKind::Passkey
    } else {
        KeyKind::SecurityKey
    };
    let (problem, set_problem) = signal(None::<String>);
    let (expired, set_expired) = signal(false);
    let add = Action::new_local(move |_: &()| async move {
        match webauthn::register(None, passkey).await {
            Ok(LoginResponse::Done { user }) => {
                session.signed_in(user);
                on_done.run(());
            }
            Ok(_) => set_expired.set(true),
            Err(p) if p.is_unauthenticated() => set_expired.set(true),
            Err(p) => set_problem.set(Some(p.sentence_for(kind))),
        }
    });
    let waiting = move || add.pending().get();
    let (explain, button, wait) = if passkey {
        (
            "Select the button, then follow your browser’s prompt: it saves a passkey on this \
             device, your phone or your password manager, unlocked with your fingerprint, face \
             or screen lock.",
            "Create a passkey",
            "Waiting for your passkey…",
        )
    } else {
        (
            "Select the button, then insert your security key (or hold it to your phone) and \
             touch it when it blinks.",
            "Use a security key",
            "Waiting for your key…",
        )
    };
    view! {
        <p>{explain}</p>
        <p class="form-error" role="alert" aria-live="assertive">{move || problem.get()}</p>
        <Show when=move || expired.get()>
            <p role="alert">"Your login has expired. " <A href=Page::Login.path()>"Log in again"</A></p>
        </Show>
        <button type="button" class="button primary" aria-busy=move || waiting().to_string()
            on:click=move |_| {
                if !add.pending().get_untracked() {
                    set_problem.set(None);
                    add.dispatch(());
                }
            }>
            {button}
        </button>
        <p class="status-line" role="status" aria-live="polite">{move || waiting().then_some(wait)}</p>
    }
}

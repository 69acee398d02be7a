//! `/login/mfa`: the second factor. The user's factors come from
//! `GET /mfa` (so a reload knows them too): the prompt starts with the
//! kind used last (else a key), and offers the others, and a recovery code
//! when the user has some, as a list of the other ways to verify. It names
//! the account being verified, with "Not you?" (which ends the half-done
//! login). Where the organisation allows it, "Don't ask again on this
//! browser" goes with whichever factor is proven, above its button. A
//! throttled code counts its wait down live. An account that may not sign
//! in at all gets the calm locked-out card (`locked.rs`) instead.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};
use portcullis_api::input::parse_recovery_code;
use portcullis_api::{ErrorCode, FactorKind, LoginResponse};

use super::countdown::{Countdown, WaitNotice};
use super::locked::LockedCard;
use super::push::PushPanel;
use crate::api::{self, account, ApiError};
use crate::components::{CodeField, Icon, IconKind};
use crate::paths::{safe_next, Page};
use crate::state::{use_session, PageTitle};
use crate::text::normalize_code;
use crate::webauthn::{self, KeyKind, Problem};

/// The factor shown (one panel at a time).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shown {
    Code,
    Key,
    Push,
    Recovery,
    /// A temporary access code from the helpdesk, for a lost factor.
    Helpdesk,
}

/// What the prompt can offer, from `GET /mfa`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct Offer {
    code: bool,
    key: bool,
    push: bool,
    recovery: bool,
    /// Days "Don't ask again on this browser" lasts; `None`: not offered.
    trust_days: Option<u32>,
    /// Pushes are paused until then (one was reported as not the user's).
    push_muted_until: Option<i64>,
}

/// Where the code entry stands.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Outcome {
    Idle,
    /// The code is not six digits.
    Invalid(&'static str),
    /// The server refused it (wrong, reused, unreachable).
    Refused(ApiError),
    /// Too many attempts: the wait counts down beside the form.
    Throttled,
    /// This way in is suspended after too many failures (the server's
    /// words); the other ways stay listed.
    Suspended(String),
    /// The half-finished login is gone (expired or never started).
    Expired,
}

#[component]
pub fn LoginMfaPage() -> impl IntoView {
    // The password step sends an account that may not sign in here, with
    // the server's words in the session's context.
    match use_session().locked_message() {
        Some(message) => view! { <LockedCard message=message/> }.into_any(),
        None => view! { <Prompt/> }.into_any(),
    }
}

/// The account being verified, and "Not you?": the half-done login ends on
/// the server, and the login form starts again, empty.
#[component]
fn AccountLine(email: String) -> impl IntoView {
    let session = use_session();
    let navigate = use_navigate();
    let leaving = RwSignal::new(false);
    let not_you = move |_| {
        if leaving.get_untracked() {
            return;
        }
        leaving.set(true);
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            // Ended or not, the login starts again: a session left over
            // expires, and the next password login ends it anyway.
            let _ = api::logout().await;
            session.signed_out();
            navigate(Page::Login.path(), Default::default());
        });
    };
    view! {
        <p class="account-line">
            <span>"Signing in as " <strong>{email}</strong></span>
            <button type="button" class="link-button" aria-busy=move || leaving.get().to_string()
                on:click=not_you>
                "Not you?"
            </button>
        </p>
    }
}

/// "Don't ask again on this browser", where the organisation offers it.
#[component]
fn TrustChoice(trust: RwSignal<bool>, days: Signal<Option<u32>>) -> impl IntoView {
    move || {
        days.get().map(|days| {
            view! {
                <div class="field checkbox">
                    <input id="trust-browser" type="checkbox"
                        prop:checked=move || trust.get()
                        on:change=move |ev| trust.set(event_target_checked(&ev))/>
                    <label for="trust-browser">
                        {format!("Don’t ask again on this browser for {}", crate::text::days(days))}
                    </label>
                </div>
            }
        })
    }
}

#[component]
fn Prompt() -> impl IntoView {
    // `None` until the factors are known; a failed request shows the
    // code, whose own request then says what is wrong.
    let (shown, set_shown) = signal(None::<Shown>);
    let (offer, set_offer) = signal(Offer::default());
    let trust = RwSignal::new(false);
    let (email, set_email) = signal(None::<String>);
    let trust_days = Signal::derive(move || offer.get().trust_days);
    leptos::task::spawn_local(async move {
        let overview = api::mfa().await.ok();
        let _ = set_email.try_set(overview.as_ref().and_then(|o| o.email.clone()));
        let factors = overview
            .as_ref()
            .map(|o| o.factors.clone())
            .unwrap_or_default();
        let o = Offer {
            code: factors.contains(&FactorKind::Totp),
            key: factors.contains(&FactorKind::Webauthn),
            push: factors.contains(&FactorKind::Push),
            recovery: overview.as_ref().is_some_and(|o| o.recovery_codes_left > 0),
            trust_days: overview.as_ref().and_then(|o| o.trust_days),
            push_muted_until: overview.as_ref().and_then(|o| o.push_muted_until),
        };
        let _ = set_offer.try_set(o);
        // The kind used last; else push, then a key, then the code. While
        // pushes are paused, push only when there is nothing else (its
        // panel then says why it cannot send).
        let push_first = o.push && (o.push_muted_until.is_none() || !(o.code || o.key));
        let first = match overview.and_then(|o| o.last_used) {
            Some(FactorKind::Totp) if o.code => Shown::Code,
            Some(FactorKind::Webauthn) if o.key => Shown::Key,
            Some(FactorKind::Push) if push_first => Shown::Push,
            _ if push_first => Shown::Push,
            _ if o.key => Shown::Key,
            _ => Shown::Code,
        };
        let _ = set_shown.try_set(Some(first));
    });
    // The other ways in, below the panel shown: a list, each with its icon.
    let offered = move |to: Shown| {
        let o = offer.get();
        shown.get() != Some(to)
            && match to {
                Shown::Code => o.code,
                Shown::Key => o.key,
                Shown::Push => o.push,
                Shown::Recovery => o.recovery,
                // Nobody knows before trying whether one was made.
                Shown::Helpdesk => true,
            }
    };
    let switch = move |to: Shown, icon: IconKind, text: &'static str| {
        view! {
            <Show when=move || offered(to)>
                <li>
                    <button type="button" class="way" on:click=move |_| set_shown.set(Some(to))>
                        <Icon kind=icon/>
                        <span>{text}</span>
                    </button>
                </li>
            </Show>
        }
    };
    view! {
        <PageTitle text=Page::LoginMfa.title()/>
        <section class="card narrow" aria-labelledby="mfa-title">
            <h1 id="mfa-title">"Verify it’s you"</h1>
            {move || email.get().map(|e| view! { <AccountLine email=e/> })}
            {move || offer.get().push_muted_until.filter(|_| shown.get() != Some(Shown::Push)).map(|until| view! {
                <p class="status-line" role="status">
                    {format!(
                        "Pushes to your phone are paused until {}: one was reported on it as not yours. Use another factor.",
                        crate::when::local_date_time(until)
                    )}
                </p>
            })}
            {move || match shown.get() {
                None => view! { <p class="loading" role="status">"Loading…"</p> }.into_any(),
                Some(Shown::Code) => view! { <CodePanel trust=trust days=trust_days kind=Shown::Code/> }.into_any(),
                Some(Shown::Key) => view! { <KeyPanel trust=trust days=trust_days/> }.into_any(),
                Some(Shown::Push) => view! { <PushPanel/> }.into_any(),
                Some(Shown::Recovery) => view! { <CodePanel trust=trust days=trust_days kind=Shown::Recovery/> }.into_any(),
                Some(Shown::Helpdesk) => view! { <CodePanel trust=trust days=trust_days kind=Shown::Helpdesk/> }.into_any(),
            }}
            <Show when=move || shown.get().is_some()>
                <h2 id="other-ways">"Other ways to verify"</h2>
                <ul class="ways" aria-labelledby="other-ways">
                    {switch(Shown::Push, IconKind::of_factor(FactorKind::Push), "Send a push to my phone instead")}
                    {switch(Shown::Key, IconKind::of_factor(FactorKind::Webauthn), "Use a security key instead")}
                    {switch(Shown::Code, IconKind::of_factor(FactorKind::Totp), "Use your authenticator app instead")}
                    {switch(Shown::Recovery, IconKind::of_factor(FactorKind::RecoveryCode), "Use a recovery code")}
                    {switch(Shown::Helpdesk, IconKind::Passkey, "Use a code from your helpdesk")}
                </ul>
            </Show>
        </section>
    }
}

/// Signs in with one of the user's security keys. A failure keeps the
/// button, which tries again; the other factor stays one click away.
#[component]
fn KeyPanel(trust: RwSignal<bool>, days: Signal<Option<u32>>) -> impl IntoView {
    let session = use_session();
    let query = use_query_map();
    let navigate = use_navigate();
    let (problem, set_problem) = signal(None::<String>);
    let (expired, set_expired) = signal(false);
    let wait = Countdown::new();
    let sign_in = Action::new_local(move |_: &()| {
        let navigate = navigate.clone();
        async move {
            match webauthn::sign_in(trust.get_untracked()).await {
                Ok(LoginResponse::Done { user }) => {
                    session.signed_in(user);
                    let next = safe_next(query.get_untracked().get("next").as_deref());
                    navigate(&next, Default::default());
                }
                Ok(_) => set_expired.set(true),
                Err(p) if p.is_unauthenticated() => set_expired.set(true),
                Err(Problem::Server(e)) if e.retry_after().is_some() => {
                    wait.start(e.retry_after().unwrap_or(1));
                }
                // The user's keys may be security keys or passkeys.
                Err(p) => set_problem.set(Some(p.sentence_for(KeyKind::Either))),
            }
        }
    });
    let banner = move || {
        if expired.get() {
            Some("Your login has expired. Log in again.".to_string())
        } else {
            problem.get()
        }
    };
    view! {
        <div class="factor-panel" role="group" aria-labelledby="factor-key">
            <h2 id="factor-key">"Security key or passkey"</h2>
            <p>"Select the button, then insert or touch your security key, or follow your browser’s prompt for your passkey."</p>
            <p class="form-error" role="alert" aria-live="assertive">{banner}</p>
            <WaitNotice countdown=wait/>
            <Show when=move || expired.get()>
                <p>
                    <A href=Page::Login.path()>"Log in again"</A>
                </p>
            </Show>
            <TrustChoice trust=trust days=days/>
            <button
                type="button"
                class="button primary"
                aria-busy=move || sign_in.pending().get().to_string()
                disabled=move || wait.waiting()
                on:click=move |_| {
                    if !sign_in.pending().get_untracked() && !wait.waiting() {
                        set_problem.set(None);
                        sign_in.dispatch(());
                    }
                }
            >
                {move || if sign_in.pending().get() { "Waiting for your key…" } else { "Use a security key" }}
            </button>
        </div>
    }
}

/// The code from the authenticator app (`kind` [`Shown::Code`]), one of
/// the recovery codes, or the helpdesk's temporary access code (which
/// leads on to setting up a new factor).
#[component]
fn CodePanel(trust: RwSignal<bool>, days: Signal<Option<u32>>, kind: Shown) -> impl IntoView {
    // Recovery and helpdesk codes share their form: 12 letters and digits.
    let long_code = kind != Shown::Code;
    let session = use_session();
    let query = use_query_map();
    let navigate = use_navigate();
    let code = RwSignal::new(String::new());
    let (outcome, set_outcome) = signal(Outcome::Idle);
    let wait = Countdown::new();

    let verify = Action::new_local(move |code_text: &String| {
        let code_text = code_text.clone();
        let navigate = navigate.clone();
        async move {
            let answer = match kind {
                Shown::Recovery => {
                    account::login_recovery_code(&code_text, trust.get_untracked()).await
                }
                Shown::Helpdesk => account::login_temporary_access(&code_text).await,
                _ => account::login_totp(&code_text, trust.get_untracked()).await,
            };
            let next = safe_next(query.get_untracked().get("next").as_deref());
            match answer {
                Ok(LoginResponse::Done { user }) => {
                    session.signed_in(user);
                    navigate(&next, Default::default());
                }
                Ok(LoginResponse::Enroll { .. }) if kind == Shown::Helpdesk => {
                    navigate(&Page::Enroll.with_next(&next), Default::default());
                }
                Ok(_) => set_outcome.set(Outcome::Expired),
                Err(e) if e.is_unauthenticated() => set_outcome.set(Outcome::Expired),
                Err(e) => {
                    code.set(String::new());
                    if let Some(secs) = e.retry_after() {
                        wait.start(secs);
                        set_outcome.set(Outcome::Throttled);
                    } else if let ApiError::Server {
                        code: ErrorCode::Suspended,
                        message,
                        ..
                    } = e
                    {
                        set_outcome.set(Outcome::Suspended(message));
                    } else {
                        set_outcome.set(Outcome::Refused(e));
                    }
                }
            }
        }
    });

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if verify.pending().get_untracked() || wait.waiting() {
            return;
        }
        let typed = code.get_untracked();
        let checked = if long_code {
            parse_recovery_code(&typed).map_err(|_| {
                if kind == Shown::Helpdesk {
                    "Enter the code from your helpdesk: 12 letters and digits, like ABCD-EFGH-JKMN."
                } else {
                    "Enter a recovery code: 12 letters and digits, like ABCD-EFGH-JKMN."
                }
            })
        } else {
            normalize_code(&typed)
        };
        match checked {
            Ok(c) => {
                set_outcome.set(Outcome::Idle);
                verify.dispatch(c);
            }
            Err(msg) => set_outcome.set(Outcome::Invalid(msg)),
        }
    };

    let field_error = Signal::derive(move || match outcome.get() {
        Outcome::Invalid(m) => Some(m.to_string()),
        _ => None,
    });
    let banner = move || match outcome.get() {
        Outcome::Refused(e) => Some(e.user_message()),
        Outcome::Expired => Some("Your login has expired. Log in again.".to_string()),
        _ => None,
    };
    let expired = move || outcome.get() == Outcome::Expired;

    let (title, hint) = match kind {
        Shown::Recovery => (
            "Recovery code",
            "Enter one of the recovery codes you saved. Each works once.",
        ),
        Shown::Helpdesk => (
            "Code from your helpdesk",
            "Lost your phone or key? Your administrator or helpdesk can give you a temporary \
             access code. Enter it, then set up a new way to sign in.",
        ),
        _ => (
            "Authenticator app",
            "Open your authenticator app and enter the 6-digit code shown for Portcullis.",
        ),
    };
    let field = if long_code {
        view! { <RecoveryField value=code error=field_error label=title/> }.into_any()
    } else {
        view! {
            <CodeField
                id="mfa-code"
                label="Authentication code"
                value=code
                error=field_error
                autofocus=true
            />
        }
        .into_any()
    };
    view! {
            // A group, so that its name reaches assistive technology (a
            // plain `div` may not carry one).
            <div class="factor-panel" role="group" aria-labelledby="factor-totp">
                <h2 id="factor-totp">{title}</h2>
                <p>{hint}</p>
                <form on:submit=on_submit novalidate>
                    {field}
                    <p class="form-error" role="alert" aria-live="assertive">{banner}</p>
                    <WaitNotice countdown=wait/>
                    {move || match outcome.get() {
                        Outcome::Suspended(words) => Some(view! {
                            <div class="alert warning" role="alert">
                                <Icon kind=IconKind::Locked/>
                                <p>{words}</p>
                            </div>
                        }),
                        _ => None,
                    }}
                    <Show when=expired>
                        <p>
                            <A href=Page::Login.path()>"Log in again"</A>
                        </p>
                    </Show>
                    {(kind != Shown::Helpdesk).then(|| view! { <TrustChoice trust=trust days=days/> })}
                    <button
                        type="submit"
                        class="button primary"
                        aria-busy=move || verify.pending().get().to_string()
                        disabled=move || wait.waiting()
                    >
                        {move || if verify.pending().get() { "Verifying…" } else { "Verify" }}
                    </button>
                </form>
            </div>
    }
}

/// The recovery code's field: letters and digits, any case, dashes or not.
#[component]
fn RecoveryField(
    value: RwSignal<String>,
    error: Signal<Option<String>>,
    label: &'static str,
) -> impl IntoView {
    let input = NodeRef::<leptos::html::Input>::new();
    Effect::new(move |_| {
        if let Some(el) = input.get() {
            let _ = el.focus();
        }
    });
    view! {
        <div class="field">
            <label for="recovery-code">{label}</label>
            <input
                node_ref=input
                id="recovery-code"
                class="code-input long"
                type="text"
                autocomplete="off"
                autocapitalize="characters"
                maxlength="32"
                spellcheck="false"
                bind:value=value
                aria-invalid=move || error.get().is_some().to_string()
                aria-describedby="recovery-code-error"
            />
            <p id="recovery-code-error" class="field-error">{move || error.get()}</p>
        </div>
    }
}

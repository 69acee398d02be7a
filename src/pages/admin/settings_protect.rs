//! `/admin/mfa`, the Protect push part: the push limit (against push
//! bombing), the biometric policy, and Merge / Separate of Protect and the
//! authenticator app (billing administrators). Each form asks for the
//! page's confirmation, shown at its end, with a sentence saying what
//! changes.

use leptos::prelude::*;
use portcullis_api::{BiometricPolicy, MfaSettings, MfaSettingsChange, ProtectMode};

use super::settings_confirm::{save_id, SaveBar, SectionConfirm};
use crate::text::{check_push_max, users_count};
use crate::when::local_date_time;

fn policy_words(p: BiometricPolicy) -> &'static str {
    match p {
        BiometricPolicy::Never => "Never required",
        BiometricPolicy::IfEnabled => "Required if enabled on the device",
        BiometricPolicy::Always => "Always required",
    }
}

/// The sentence confirming a new biometric policy.
fn policy_sentence(p: BiometricPolicy) -> String {
    match p {
        BiometricPolicy::Never => {
            "Accept every push approved with the right number, with or without the user's \
             fingerprint, face or PIN?"
                .to_string()
        }
        BiometricPolicy::IfEnabled => {
            "Require a fingerprint, face or PIN on devices that can check one? Devices that \
             cannot still approve without."
                .to_string()
        }
        BiometricPolicy::Always => {
            "Always require a fingerprint, face or PIN? Devices that cannot check one will no \
             longer approve pushes."
                .to_string()
        }
    }
}

#[component]
pub fn ProtectSettings(
    settings: RwSignal<Option<MfaSettings>>,
    /// No other change waits for its confirmation.
    #[prop(into)]
    idle: Signal<bool>,
    /// Asks the page's confirmation for a change (the section that asks,
    /// the change, its sentence).
    ask: Callback<(&'static str, MfaSettingsChange, String)>,
) -> impl IntoView {
    let limit_on = RwSignal::new(true);
    let limit_max = RwSignal::new(String::new());
    let limit_problem = RwSignal::new(None::<String>);
    let policy = RwSignal::new(BiometricPolicy::Never);
    Effect::new(move |_| {
        if let Some(s) = settings.get() {
            limit_on.set(s.push_limit_enabled);
            limit_max.set(s.push_max_concurrent.to_string());
            policy.set(s.push_biometric);
        }
    });
    let current = move || settings.get();
    let may_merge = move || current().is_some_and(|s| s.may_change_allowed_factors);
    let mode = move || current().map_or(ProtectMode::Separate, |s| s.protect_mode);

    let on_limit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if !limit_on.get_untracked() {
            limit_problem.set(None);
            ask.run((
                "push-limit",
                MfaSettingsChange {
                    push_limit_enabled: Some(false),
                    ..Default::default()
                },
                "Stop limiting pushes? Anyone with a user's password could then send push \
                 after push to their phone, hoping for a tap."
                    .to_string(),
            ));
            return;
        }
        match check_push_max(&limit_max.get_untracked()) {
            Ok(n) => {
                limit_problem.set(None);
                let sentence = if n == 1 {
                    "Allow one push at a time per user and portal: another is refused until \
                     it is answered or expires?"
                        .to_string()
                } else {
                    format!(
                        "Allow up to {n} pushes waiting at once per user and portal: more are \
                         refused until one is answered or expires?"
                    )
                };
                ask.run((
                    "push-limit",
                    MfaSettingsChange {
                        push_limit_enabled: Some(true),
                        push_max_concurrent: Some(n),
                        ..Default::default()
                    },
                    sentence,
                ));
            }
            Err(m) => limit_problem.set(Some(m.to_string())),
        }
    };
    let on_policy = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let p = policy.get_untracked();
        ask.run((
            "biometric",
            MfaSettingsChange {
                push_biometric: Some(p),
                ..Default::default()
            },
            policy_sentence(p),
        ));
    };
    let on_mode = move |_| {
        let (to, sentence) = match mode() {
            ProtectMode::Separate => (
                ProtectMode::Unified,
                "Merge Protect and the authenticator app? From now on one QR code sets up a \
                 phone for push and codes at once. Apps set up before keep working until their \
                 users reset them; users see a notice once."
                    .to_string(),
            ),
            ProtectMode::Unified => (
                ProtectMode::Separate,
                "Separate Protect and the authenticator app? From now on users set up push and \
                 codes apart, with any authenticator app. Phones set up for both keep working."
                    .to_string(),
            ),
        };
        ask.run((
            "mode",
            MfaSettingsChange {
                protect_mode: Some(to),
                ..Default::default()
            },
            sentence,
        ));
    };
    let mode_words = move || {
        current().map(|s| match (s.protect_mode, s.protect_merged_at) {
            (ProtectMode::Unified, Some(t)) => format!(
                "Merged since {}: one QR code sets up a phone for push and as the \
                 authenticator app.",
                local_date_time(t)
            ),
            (ProtectMode::Unified, None) => {
                "Merged: one QR code sets up a phone for push and as the authenticator app."
                    .to_string()
            }
            (ProtectMode::Separate, _) => {
                "Separate: users set up push and the authenticator app apart; the app may be \
                 any authenticator app."
                    .to_string()
            }
        })
    };
    let push_only = move || {
        current().map(|s| {
            format!(
                "{} with Protect push as their only factor.",
                users_count(s.users_with_push_only as u32)
            )
        })
    };
    let radio = move |p: BiometricPolicy, id: &'static str| {
        view! {
            <label class="choice" for=id>
                <input type="radio" name="push-biometric" id=id
                    prop:checked=move || policy.get() == p
                    on:change=move |_| policy.set(p)
                />
                {policy_words(p)}
            </label>
        }
    };

    view! {
        <div class="settings-group" role="group" aria-labelledby="protect-title">
            <h2 id="protect-title">"Protect push"</h2>
            <p class="hint">{push_only}</p>

            <form novalidate on:submit=on_limit aria-labelledby="push-limit-title">
                <h3 id="push-limit-title">"Push limit"</h3>
                <p>
                    "Stops a stranger with a password from flooding a phone with pushes until "
                    "its owner taps approve. Blocked attempts are recorded."
                </p>
                <label class="choice">
                    <input type="checkbox" prop:checked=move || limit_on.get()
                        disabled=move || !idle.get()
                        on:change=move |_| limit_on.update(|on| *on = !*on)
                    />
                    "Limit pushes waiting for an answer"
                </label>
                <div class="field days">
                    <label for="push-max">"Pushes waiting at once, per user and portal (1–10)"</label>
                    <input id="push-max" type="text" inputmode="numeric" autocomplete="off"
                        bind:value=limit_max
                        disabled=move || !idle.get() || !limit_on.get()
                        aria-invalid=move || limit_problem.get().is_some().to_string()
                        aria-describedby="push-max-error"
                    />
                    <p id="push-max-error" class="field-error">{move || limit_problem.get()}</p>
                </div>
                <SaveBar section="push-limit" disabled=Signal::derive(move || !idle.get())/>
            </form>
            <SectionConfirm section="push-limit" nested=true/>

            <form novalidate on:submit=on_policy aria-labelledby="biometric-title">
                <h3 id="biometric-title">"Biometric verification"</h3>
                <fieldset disabled=move || !idle.get()>
                    <legend>"Fingerprint, face or PIN on the device before approving"</legend>
                    {radio(BiometricPolicy::Never, "biometric-never")}
                    {radio(BiometricPolicy::IfEnabled, "biometric-if-enabled")}
                    {radio(BiometricPolicy::Always, "biometric-always")}
                </fieldset>
                <SaveBar section="biometric" disabled=Signal::derive(move || !idle.get())/>
            </form>
            <SectionConfirm section="biometric" nested=true/>

            <div role="group" aria-labelledby="mode-title">
                <h3 id="mode-title">"Protect and the authenticator app"</h3>
                <p id="mode-now">{mode_words}</p>
                {move || (!may_merge()).then(|| view! {
                    <p class="hint" id="mode-why">
                        "Only a billing administrator can merge or separate them."
                    </p>
                })}
                <button type="button" id=save_id("mode") class="button secondary inline"
                    disabled=move || !idle.get() || !may_merge()
                    aria-describedby=move || if may_merge() { "mode-now" } else { "mode-why" }
                    on:click=on_mode
                >
                    {move || match mode() {
                        ProtectMode::Separate => "Merge…",
                        ProtectMode::Unified => "Separate…",
                    }}
                </button>
                <SectionConfirm section="mode" nested=true/>
            </div>
        </div>
    }
}

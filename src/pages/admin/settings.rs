//! `/admin/mfa`: the organisation's MFA settings, in sections. Each is
//! saved on its own by the Save button at its end, after a confirmation
//! shown right there that says what will change; a toast says it is done.
//! Which factor kinds users may set up is for billing administrators, and
//! the page says so to the others.

use leptos::prelude::*;
use portcullis_api::{
    AllowedFactors, ErrorCode, FactorKind, MfaSettings, MfaSettingsChange, NewUserPeriod,
};

use super::focus::focus_on;
use super::scim_tokens::ScimTokens;
use super::settings_branding::BrandingSection;
use super::settings_confirm::{save_id, Pending, SaveBar, SectionConfirm, SettingsConfirm};
use super::settings_protect::ProtectSettings;
use crate::api::{self, ApiError};
use crate::paths::Page;
use crate::state::{use_toasts, PageTitle};
use crate::text::{check_period_days, check_trust_days, days, users_count};
use crate::when::local_date_time;

#[derive(Debug, Clone)]
enum Loaded {
    Waiting,
    Done,
    Failed(ApiError),
}

fn allowed_words(a: AllowedFactors) -> String {
    let kinds: Vec<&str> = a.kinds().into_iter().map(FactorKind::kinds_label).collect();
    if kinds.is_empty() {
        "nothing".to_string()
    } else {
        kinds.join(", ")
    }
}

#[component]
pub fn SettingsPage() -> impl IntoView {
    let settings = RwSignal::new(None::<MfaSettings>);
    let loaded = RwSignal::new(Loaded::Waiting);
    leptos::task::spawn_local(async move {
        let answer = api::admin::settings().await;
        let _ = loaded.try_set(match answer {
            Ok(s) => {
                let _ = settings.try_set(Some(s));
                Loaded::Done
            }
            Err(e) => Loaded::Failed(e),
        });
    });
    view! {
        <PageTitle text=Page::AdminMfa.title()/>
        {move || match loaded.get() {
            Loaded::Waiting => view! { <p class="loading" role="status">"Loading…"</p> }.into_any(),
            Loaded::Failed(e) => view! {
                <section class="card">
                    <h1>"MFA settings"</h1>
                    <p class="form-error" role="alert">{e.user_message()}</p>
                </section>
            }
            .into_any(),
            Loaded::Done => view! { <SettingsForms settings=settings/> }.into_any(),
        }}
    }
}

#[component]
fn SettingsForms(settings: RwSignal<Option<MfaSettings>>) -> impl IntoView {
    let current = move || settings.get();
    let pending = RwSignal::new(None::<Pending>);
    let busy = RwSignal::new(false);
    let need_code = RwSignal::new(false);
    let failure = RwSignal::new(None::<String>);
    let toasts = use_toasts();

    // the fields, filled from the settings as they are
    let default_period = RwSignal::new(String::new());
    let default_problem = RwSignal::new(None::<String>);
    let require_new = RwSignal::new(false);
    let new_with_period = RwSignal::new(true);
    let new_period = RwSignal::new(String::new());
    let new_problem = RwSignal::new(None::<String>);
    let allowed = RwSignal::new(FactorKind::settable().collect::<Vec<_>>());
    let trust_on = RwSignal::new(false);
    let trust_days = RwSignal::new(String::new());
    let trust_problem = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        if let Some(s) = settings.get() {
            trust_on.set(s.trusted_browser_days.is_some());
            trust_days.set(s.trusted_browser_days.unwrap_or(30).to_string());
            default_period.set(s.default_period_days.to_string());
            require_new.set(s.require_new_users);
            new_with_period.set(s.new_user_period_days.is_some());
            new_period.set(
                s.new_user_period_days
                    .unwrap_or(s.default_period_days)
                    .to_string(),
            );
            allowed.set(s.allowed_factors.kinds());
        }
    });

    let ask = move |section: &'static str, change: MfaSettingsChange, sentence: String| {
        failure.set(None);
        toasts.clear();
        pending.set(Some(Pending {
            section,
            change,
            sentence,
        }));
    };
    let on_default = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match check_period_days(&default_period.get_untracked()) {
            Ok(n) => {
                default_problem.set(None);
                ask(
                    "default",
                    MfaSettingsChange {
                        default_period_days: Some(n),
                        ..Default::default()
                    },
                    format!(
                        "Offer {} as the enrollment period when MFA is required?",
                        days(n)
                    ),
                );
            }
            Err(m) => default_problem.set(Some(m.to_string())),
        }
    };
    let on_new_users = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let period = if new_with_period.get_untracked() {
            match check_period_days(&new_period.get_untracked()) {
                Ok(n) => Some(n),
                Err(m) => {
                    new_problem.set(Some(m.to_string()));
                    return;
                }
            }
        } else {
            None
        };
        new_problem.set(None);
        let on = require_new.get_untracked();
        let sentence = match (on, period) {
            (false, _) => {
                "Stop requiring MFA for new users? Users created before keep their requirement."
                    .to_string()
            }
            (true, Some(n)) => format!(
                "Require MFA for every new user, with {} to set it up?",
                days(n)
            ),
            (true, None) => {
                "Require MFA for every new user, to be set up at their first login?".to_string()
            }
        };
        ask(
            "new-users",
            MfaSettingsChange {
                require_new_users: Some(on),
                new_user_period: on.then_some(NewUserPeriod { days: period }),
                ..Default::default()
            },
            sentence,
        );
    };
    let on_allowed = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let a = allowed.with_untracked(|kinds| AllowedFactors::of_kinds(kinds));
        let was = settings.with_untracked(|s| {
            s.as_ref().map(|s| {
                (
                    s.allowed_factors.allows(FactorKind::Push),
                    s.users_with_push_only,
                )
            })
        });
        let mut sentence = format!(
            "Let users set up only: {}? Keys and apps already set up keep working.",
            allowed_words(a)
        );
        if let Some((true, only)) = was.filter(|_| !a.allows(FactorKind::Push)) {
            sentence.push_str(&format!(
                " Protect push stops at once: no more pushes are sent, and {} with push as \
                 their only factor will have to set up another at their next login.",
                users_count(only as u32)
            ));
        }
        ask(
            "kinds",
            MfaSettingsChange {
                allowed_factors: Some(a),
                ..Default::default()
            },
            sentence,
        );
    };

    let on_trust = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if !trust_on.get_untracked() {
            trust_problem.set(None);
            ask(
                "trust",
                MfaSettingsChange {
                    trusted_browser_days: Some(None),
                    ..Default::default()
                },
                "Stop trusting browsers? Every login asks for the second factor again, and \
                 every browser trusted so far is forgotten."
                    .to_string(),
            );
            return;
        }
        match check_trust_days(&trust_days.get_untracked()) {
            Ok(n) => {
                trust_problem.set(None);
                ask(
                    "trust",
                    MfaSettingsChange {
                        trusted_browser_days: Some(Some(n)),
                        ..Default::default()
                    },
                    format!(
                        "Let users choose “Don’t ask again on this browser” at login, for {}? \
                         The password is still asked every time; administrators are always \
                         asked for their second factor.",
                        days(n)
                    ),
                );
            }
            Err(m) => trust_problem.set(Some(m.to_string())),
        }
    };

    let run = move || {
        let Some(p) = pending.get_untracked() else {
            return;
        };
        busy.set(true);
        failure.set(None);
        leptos::task::spawn_local(async move {
            let answer = api::admin::change_settings(&p.change).await;
            let _ = busy.try_set(false);
            match answer {
                Ok(s) => {
                    let _ = settings.try_set(Some(s));
                    let _ = pending.try_set(None);
                    toasts.show("Saved. The change is recorded in the event log.");
                    focus_on(save_id(p.section));
                }
                Err(e) if e.code() == Some(ErrorCode::ReauthenticationRequired) => {
                    let _ = need_code.try_set(true);
                }
                Err(e) => {
                    let _ = failure.try_set(Some(e.user_message()));
                }
            }
        });
    };
    let cancel = move || {
        if let Some(p) = pending.get_untracked() {
            focus_on(save_id(p.section));
        }
        pending.set(None);
        need_code.set(false);
        failure.set(None);
        // the fields show the settings as they are again
        settings.update(|_| {});
    };
    let idle = move || pending.with(Option::is_none);
    provide_context(SettingsConfirm {
        pending,
        busy,
        need_code,
        failure,
        run: Callback::new(move |()| run()),
        cancel: Callback::new(move |()| cancel()),
    });

    let may_change_kinds = move || current().is_some_and(|s| s.may_change_allowed_factors);
    let set_up = move |kind: FactorKind| {
        current().map(|s| format!(" ({} set up)", users_count(s.users_with(kind) as u32)))
    };
    let toggle = move |kind: FactorKind| {
        allowed.update(|kinds| {
            if kinds.contains(&kind) {
                kinds.retain(|k| *k != kind);
            } else {
                // Kept in the product's order, as the sentence lists them.
                *kinds = FactorKind::settable()
                    .filter(|k| *k == kind || kinds.contains(k))
                    .collect();
            }
        })
    };
    let last_change = move || {
        current().and_then(|s| {
            s.updated_at.map(|t| {
                format!(
                    "Last changed {}{}.",
                    local_date_time(t),
                    s.updated_by_email
                        .map(|e| format!(" by {e}"))
                        .unwrap_or_default()
                )
            })
        })
    };

    view! {
        <section class="card settings" aria-labelledby="settings-title">
            <h1 id="settings-title">"MFA settings"</h1>
            <p class="hint">{last_change}</p>

            <form novalidate on:submit=on_default aria-labelledby="default-title">
                <h2 id="default-title">"Default enrollment period"</h2>
                <p>"Offered when an administrator requires MFA or resets it."</p>
                <div class="field days">
                    <label for="default-days">"Days to set up MFA (1–365)"</label>
                    <input id="default-days" type="text" inputmode="numeric" autocomplete="off"
                        bind:value=default_period
                        disabled=move || !idle()
                        aria-invalid=move || default_problem.get().is_some().to_string()
                        aria-describedby="default-days-error"
                    />
                    <p id="default-days-error" class="field-error">{move || default_problem.get()}</p>
                </div>
                <SaveBar section="default" disabled=Signal::derive(move || !idle())/>
            </form>
            <SectionConfirm section="default"/>

            <form novalidate on:submit=on_new_users aria-labelledby="new-users-title">
                <h2 id="new-users-title">"New users"</h2>
                <label class="choice">
                    <input type="checkbox" prop:checked=move || require_new.get()
                        disabled=move || !idle()
                        on:change=move |_| require_new.update(|on| *on = !*on)
                    />
                    "Require MFA for every new user"
                </label>
                <fieldset disabled=move || !idle() || !require_new.get()>
                    <legend>"Their enrollment period"</legend>
                    <label class="choice">
                        <input type="radio" name="new-period"
                            prop:checked=move || new_with_period.get()
                            on:change=move |_| new_with_period.set(true)
                        />
                        "A number of days"
                    </label>
                    <div class="field days">
                        <label for="new-days">"Days to set up MFA (1–365)"</label>
                        <input id="new-days" type="text" inputmode="numeric" autocomplete="off"
                            bind:value=new_period
                            disabled=move || !new_with_period.get()
                            aria-invalid=move || new_problem.get().is_some().to_string()
                            aria-describedby="new-days-error"
                        />
                        <p id="new-days-error" class="field-error">{move || new_problem.get()}</p>
                    </div>
                    <label class="choice">
                        <input type="radio" name="new-period"
                            prop:checked=move || !new_with_period.get()
                            on:change=move |_| new_with_period.set(false)
                        />
                        "None: at their first login"
                    </label>
                </fieldset>
                <SaveBar section="new-users" disabled=Signal::derive(move || !idle())/>
            </form>
            <SectionConfirm section="new-users"/>

            <form novalidate on:submit=on_trust aria-labelledby="trust-title">
                <h2 id="trust-title">"Trusted browsers"</h2>
                <p>
                    "Users may skip the second factor on a browser they choose to trust, for a "
                    "number of days. Off by default."
                </p>
                <label class="choice">
                    <input type="checkbox" prop:checked=move || trust_on.get()
                        disabled=move || !idle()
                        on:change=move |_| trust_on.update(|on| *on = !*on)
                    />
                    "Offer “Don’t ask again on this browser”"
                </label>
                <div class="field days">
                    <label for="trust-days">"Days a browser stays trusted (1–90)"</label>
                    <input id="trust-days" type="text" inputmode="numeric" autocomplete="off"
                        bind:value=trust_days
                        disabled=move || !idle() || !trust_on.get()
                        aria-invalid=move || trust_problem.get().is_some().to_string()
                        aria-describedby="trust-days-error"
                    />
                    <p id="trust-days-error" class="field-error">{move || trust_problem.get()}</p>
                </div>
                <SaveBar section="trust" disabled=Signal::derive(move || !idle())/>
            </form>
            <SectionConfirm section="trust"/>

            <form novalidate on:submit=on_allowed aria-labelledby="kinds-title">
                <h2 id="kinds-title">"Factors users may set up"</h2>
                <p>
                    "Switching a kind off stops new setups of it; keys and apps already set up "
                    "keep working. Switching Protect push off also stops pushes at login."
                </p>
                {move || (!may_change_kinds()).then(|| view! {
                    <p class="hint" id="kinds-why">
                        "Only a billing administrator can change which factors users may set up."
                    </p>
                })}
                <fieldset disabled=move || !idle() || !may_change_kinds()
                    aria-describedby=move || (!may_change_kinds()).then_some("kinds-why")
                >
                    <legend>"Allowed factors"</legend>
                    {FactorKind::settable()
                        .map(|kind| view! {
                            <label class="choice">
                                <input type="checkbox"
                                    prop:checked=move || allowed.with(|a| a.contains(&kind))
                                    on:change=move |_| toggle(kind)
                                />
                                {kind.kinds_label()}
                                <span class="hint">{move || set_up(kind)}</span>
                            </label>
                        })
                        .collect_view()}
                </fieldset>
                <SaveBar section="kinds" disabled=Signal::derive(move || !idle() || !may_change_kinds())/>
            </form>
            <SectionConfirm section="kinds"/>

            <ProtectSettings settings=settings idle=Signal::derive(idle)
                ask=Callback::new(move |(section, change, sentence)| ask(section, change, sentence))
            />
            <BrandingSection/>
            <ScimTokens/>
        </section>
    }
}

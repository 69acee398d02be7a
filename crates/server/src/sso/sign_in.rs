//! A sign-in to an app, between `authorize` and the code: the portal's
//! page `/sso/{id}` asks what comes next, and this answers from the
//! request, the app and the browser's session. A session that meets the
//! app's policy is reused (single sign-on); one that does not is stepped up
//! (only the missing factor is asked); no session means the portal's login,
//! for this app. Then consent, when the app is not the organisation's own
//! and asks for more than the user agreed to; then the code.

use portcullis_api::{AppPolicy, SsoStep};

use super::authorize::{error_to_app, with_params};
use super::{claims, policy, scopes, sites, CODE_SECS};
use crate::app::AppState;
use crate::audit::{self, Event, EventKind};
use crate::auth::caller::Authed;
use crate::auth::client::Client;
use crate::error::Internal;
use crate::rules::app_need::request_hash;
use crate::rules::resource::Resource;
use crate::secret::new_token;
use crate::store;

/// The words when a request is unknown or over.
pub const REQUEST_ENDED: &str =
    "This sign-in request has ended: it was used already, or it waited \
     more than 30 minutes. Go back to the app and sign in again.";

/// The keyed hash a code is kept as.
pub fn code_hash(state: &AppState, code: &str) -> String {
    state.secrets.keyed_hash("sso-code", code)
}

/// A request with its app, while both exist.
struct Pending {
    hash: String,
    request: store::sso::Request,
    app: store::apps::App,
}

async fn pending(state: &AppState, id: &str) -> Result<Option<Pending>, Internal> {
    let hash = request_hash(state, id);
    let Some(request) = store::sso::find_request(&state.db, &hash, state.now()).await? else {
        return Ok(None);
    };
    let Some(app) = store::apps::find(&state.db, &request.app_id).await? else {
        return Ok(None);
    };
    Ok(Some(Pending { hash, request, app }))
}

fn prompt_has(request: &store::sso::Request, value: &str) -> bool {
    request
        .prompt
        .as_deref()
        .is_some_and(|p| p.split(' ').any(|v| v == value))
}

/// Records a refusal and ends the request.
async fn refuse(
    state: &AppState,
    p: &Pending,
    authed: &Authed,
    client: &Client,
    words: &str,
) -> Result<(), Internal> {
    let resource = Resource::App {
        id: p.app.id.clone(),
        name: p.app.name.clone(),
    };
    let mut tx = state.db.begin().await?;
    store::sso::take_request(&mut *tx, &p.hash).await?;
    audit::record(
        &mut *tx,
        state.now(),
        Event::by_user(EventKind::SsoRefused, &authed.user.id, client, words)
            .for_resource(&resource),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// What the sign-in request `id` needs next, for the browser's session;
/// `None` when the request is unknown or over ([`REQUEST_ENDED`]).
pub async fn next(
    state: &AppState,
    id: &str,
    authed: Option<&Authed>,
    client: &Client,
) -> Result<Option<SsoStep>, Internal> {
    let Some(p) = pending(state, id).await? else {
        return Ok(None);
    };
    let r = &p.request;
    let now = state.now();
    let back = |error: &str, words: &str| SsoStep::Redirect {
        url: error_to_app(state, &r.redirect_uri, r.state.as_deref(), error, words),
    };
    let login = || SsoStep::Login {
        app: p.app.name.clone(),
        login_hint: r.login_hint.clone(),
    };
    let none = prompt_has(r, "none");
    let Some(authed) = authed.filter(|a| a.session.signed_in) else {
        return Ok(Some(if none {
            back("login_required", "the user is not signed in")
        } else {
            login()
        }));
    };
    // A login the app asked to happen afresh, or within max_age: one
    // passed after the request was made is fresh enough.
    let proof = &authed.session.proof;
    let too_old = r.max_age.is_some_and(|m| now - proof.password_at > m);
    let must_login = prompt_has(r, "login") && proof.password_at < r.created_at;
    if too_old || must_login {
        return Ok(Some(if none {
            back("login_required", "a fresh sign-in is needed")
        } else {
            login()
        }));
    }
    if !store::apps::is_assigned(&state.db, &p.app.id, &authed.user.id).await? {
        let words = format!("{} is not assigned to this user", p.app.name);
        refuse(state, &p, authed, client, &words).await?;
        return Ok(Some(SsoStep::Refused {
            message: format!(
                "You do not have access to {}. Ask your administrator to assign it to you.",
                p.app.name
            ),
        }));
    }
    let app_policy = if p.app.kind == store::apps::SITE {
        let Some(needs) = sites::policy_of(&p.app) else {
            let words = format!("{} is closed to everyone", p.app.name);
            refuse(state, &p, authed, client, &words).await?;
            return Ok(Some(SsoStep::Refused {
                message: format!("{} is closed to everyone.", p.app.name),
            }));
        };
        needs
    } else {
        AppPolicy::parse(&p.app.policy).unwrap_or(AppPolicy::SecondFactor)
    };
    if !policy::satisfied(app_policy, proof) {
        if none {
            return Ok(Some(back(
                "interaction_required",
                "a second factor is needed",
            )));
        }
        let mine = crate::rules::factors::login_factors(&state.db, &authed.user.id).await?;
        let factors = policy::step_up_factors(app_policy, &mine);
        if factors.is_empty() {
            let needs = match app_policy {
                AppPolicy::PhishingResistant => "a security key or passkey",
                _ => "a second factor",
            };
            let words = format!("{} needs {needs}, and the user has none", p.app.name);
            refuse(state, &p, authed, client, &words).await?;
            return Ok(Some(SsoStep::Refused {
                message: format!(
                    "{} needs {needs}. Set one up on your Security page, then open {} again.",
                    p.app.name, p.app.name
                ),
            }));
        }
        return Ok(Some(SsoStep::StepUp {
            app: p.app.name.clone(),
            factors,
        }));
    }
    if !p.app.first_party {
        let granted = store::sso::consent(&state.db, &authed.user.id, &p.app.id).await?;
        let covered = granted
            .as_deref()
            .is_some_and(|g| scopes::covers(g, &r.scope));
        if !covered || prompt_has(r, "consent") {
            return Ok(Some(if none {
                back("consent_required", "the user has not agreed to share this")
            } else {
                SsoStep::Consent {
                    app: p.app.name.clone(),
                    shares: scopes::shares(&r.scope),
                }
            }));
        }
    }
    issue_code(state, &p, authed, client).await
}

/// The user's answer on the consent screen; `None` as for [`next`].
pub async fn consent(
    state: &AppState,
    id: &str,
    authed: &Authed,
    allow: bool,
    client: &Client,
) -> Result<Option<SsoStep>, Internal> {
    let Some(p) = pending(state, id).await? else {
        return Ok(None);
    };
    if !allow {
        let words = format!(
            "the user did not agree to share their details with {}",
            p.app.name
        );
        refuse(state, &p, authed, client, &words).await?;
        let r = &p.request;
        return Ok(Some(SsoStep::Redirect {
            url: error_to_app(
                state,
                &r.redirect_uri,
                r.state.as_deref(),
                "access_denied",
                "the user did not agree",
            ),
        }));
    }
    let now = state.now();
    let before = store::sso::consent(&state.db, &authed.user.id, &p.app.id).await?;
    let scope = scopes::union(before.as_deref().unwrap_or(""), &p.request.scope);
    let mut tx = state.db.begin().await?;
    store::sso::put_consent(&mut *tx, &authed.user.id, &p.app.id, &scope, now).await?;
    // answered: a prompt=consent is not asked again for this request
    store::sso::clear_prompt(&mut *tx, &p.hash).await?;
    tx.commit().await?;
    next(state, id, Some(authed), client).await
}

/// The code, back to the app; the request ends (a second answer finds it
/// gone).
async fn issue_code(
    state: &AppState,
    p: &Pending,
    authed: &Authed,
    client: &Client,
) -> Result<Option<SsoStep>, Internal> {
    let now = state.now();
    let code = new_token();
    let proof = &authed.session.proof;
    let r = &p.request;
    let resource = Resource::App {
        id: p.app.id.clone(),
        name: p.app.name.clone(),
    };
    let mut tx = state.db.begin().await?;
    if !store::sso::take_request(&mut *tx, &p.hash).await? {
        return Ok(None);
    }
    if p.app.kind == store::apps::SITE {
        // A site behind forward-auth: the portal session is the proof (the
        // proxy asks about it on every request); back to the address.
        let words = format!(
            "signed in to {} ({})",
            p.app.name,
            policy::amr(proof).join(" ")
        );
        audit::record(
            &mut *tx,
            now,
            Event::by_user(EventKind::SsoSignIn, &authed.user.id, client, &words)
                .for_resource(&resource),
        )
        .await?;
        tx.commit().await?;
        return Ok(Some(SsoStep::Redirect {
            url: r.redirect_uri.clone(),
        }));
    }
    store::sso::insert_code(
        &mut *tx,
        &store::sso::Code {
            code_hash: code_hash(state, &code),
            grant: store::sso::Grant {
                app_id: p.app.id.clone(),
                user_id: authed.user.id.clone(),
                scope: r.scope.clone(),
                nonce: r.nonce.clone(),
                auth_time: proof.password_at,
                amr: policy::amr(proof).join(" "),
                acr: policy::acr(proof).to_string(),
            },
            redirect_uri: r.redirect_uri.clone(),
            code_challenge: r.code_challenge.clone(),
            expires_at: now + CODE_SECS,
            used_at: None,
            family_id: None,
        },
    )
    .await?;
    let words = format!(
        "signed in to {} ({})",
        p.app.name,
        policy::amr(proof).join(" ")
    );
    audit::record(
        &mut *tx,
        now,
        Event::by_user(EventKind::SsoSignIn, &authed.user.id, client, &words)
            .for_resource(&resource),
    )
    .await?;
    tx.commit().await?;
    let iss = claims::issuer(state);
    let mut params = vec![("code", code.as_str())];
    if let Some(s) = r.state.as_deref() {
        params.push(("state", s));
    }
    params.push(("iss", &iss));
    Ok(Some(SsoStep::Redirect {
        url: with_params(&r.redirect_uri, &params),
    }))
}

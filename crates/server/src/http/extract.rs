//! Extractors: what a handler gets from a request before it calls the
//! domain — the JSON body (with readable rejections), the client, the
//! session cookie, and the session checked for the access a route needs.

use std::convert::Infallible;
use std::marker::PhantomData;
use std::net::SocketAddr;

use axum::extract::rejection::JsonRejection;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::header;
use axum::http::request::Parts;
use axum::Json;
use serde::de::value::MapAccessDeserializer;
use serde::de::{DeserializeOwned, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};

use super::cookie;
use super::error::HttpError;
use crate::app::AppState;
use crate::auth::client::{self, Client};
use crate::auth::{self, Access, Authed};

/// `Json` whose rejections are our JSON errors with a readable message.
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = HttpError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<Object<T>>::from_request(req, state).await {
            Ok(Json(Object(v))) => Ok(ApiJson(v)),
            Err(rejection) => Err(json_rejection(rejection)),
        }
    }
}

/// `T` read from a JSON object only. Serde's derived structs also read an
/// array of the field values (`["a@b.example", "pw"]`), which the API's
/// document calls invalid: every request body is an object.
pub(super) struct Object<T>(pub(super) T);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Object<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct OnlyMaps<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for OnlyMaps<T> {
            type Value = T;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
                T::deserialize(MapAccessDeserializer::new(map))
            }
        }
        d.deserialize_map(OnlyMaps(PhantomData)).map(Object)
    }
}

pub(super) fn json_rejection(rejection: JsonRejection) -> HttpError {
    let status = rejection.status();
    match rejection {
        JsonRejection::JsonDataError(e) => {
            // serde's own text names the field and position, e.g.
            // "missing field `password` at line 1 column 20".
            let text = e.body_text();
            let detail = text.split_once(": ").map(|(_, d)| d).unwrap_or(&text);
            HttpError::validation(format!(
                "The request has a missing or invalid field: {detail}."
            ))
        }
        JsonRejection::JsonSyntaxError(_) => {
            HttpError::bad_request("The request body is not valid JSON.")
        }
        _ => HttpError::from_status(status),
    }
}

/// The client: its address (through trusted proxies only) and user agent.
pub struct ClientInfo(pub Client);

impl FromRequestParts<AppState> for ClientInfo {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Infallible> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(a)| a.ip());
        let ip = peer.map(|peer| {
            let forwarded = parts
                .headers
                .get_all("x-forwarded-for")
                .iter()
                .filter_map(|v| v.to_str().ok());
            client::client_ip(peer, forwarded, &state.settings.trusted_proxies)
        });
        let user_agent = parts
            .headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        Ok(ClientInfo(Client::new(ip, user_agent)))
    }
}

/// The session cookie's value, if the request has one.
pub struct SessionCookie(pub Option<String>);

impl FromRequestParts<AppState> for SessionCookie {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Infallible> {
        Ok(SessionCookie(cookie::value(
            &parts.headers,
            &state.settings,
        )))
    }
}

async fn authed(parts: &Parts, state: &AppState, access: Access) -> Result<Authed, HttpError> {
    let cookie = cookie::value(&parts.headers, &state.settings);
    Ok(auth::authenticate(state, cookie.as_deref(), access).await?)
}

/// Any live session: signed in, or a login in progress (the MFA prompt and
/// enrollment endpoints take these).
pub struct AnySession(pub Authed);

impl FromRequestParts<AppState> for AnySession {
    type Rejection = HttpError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, HttpError> {
        authed(parts, state, Access::AnySession)
            .await
            .map(AnySession)
    }
}

/// A signed-in session, or 401.
pub struct SignedIn(pub Authed);

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = HttpError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, HttpError> {
        authed(parts, state, Access::SignedIn).await.map(SignedIn)
    }
}

/// A signed-in administrator whose session passed a second factor, or
/// 401/403.
pub struct Admin(pub Authed);

impl FromRequestParts<AppState> for Admin {
    type Rejection = HttpError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, HttpError> {
        authed(parts, state, Access::Admin).await.map(Admin)
    }
}

/// A signed-in session if the request has one (a login in progress or no
/// session at all: `None`).
pub struct MaybeSignedIn(pub Option<Authed>);

impl FromRequestParts<AppState> for MaybeSignedIn {
    type Rejection = HttpError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, HttpError> {
        match authed(parts, state, Access::SignedIn).await {
            Ok(a) => Ok(MaybeSignedIn(Some(a))),
            Err(e) if e.status == axum::http::StatusCode::UNAUTHORIZED => Ok(MaybeSignedIn(None)),
            Err(e) => Err(e),
        }
    }
}

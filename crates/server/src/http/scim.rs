//! `/scim/v2`: SCIM 2.0 for identity providers. Outside the portal's API
//! (no session, no CSRF: a bearer token instead), with SCIM's media type
//! and error bodies on every answer, its own body limit (a group with many
//! members is large), and its own discovery documents instead of OpenAPI.

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, Query, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::app::AppState;
use crate::scim::error::ScimError;
use crate::scim::patch::Operation;
use crate::scim::schema::{self, ResourceKind, ERROR_URN, PATCH_URN};
use crate::scim::tokens::Directory;
use crate::scim::{self as domain, groups, tokens, users, ListQuery};

const MEDIA_TYPE: &str = "application/scim+json";
/// The largest body: a group of a few thousand members.
const BODY_LIMIT: usize = 1024 * 1024;

fn scim_json(status: StatusCode, body: &Value) -> Response {
    let mut r = (status, body.to_string()).into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(MEDIA_TYPE));
    r
}

impl IntoResponse for ScimError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut body = json!({
            "schemas": [ERROR_URN],
            "status": self.status.to_string(),
            "detail": self.detail,
        });
        if let Some(t) = self.scim_type {
            body["scimType"] = json!(t);
        }
        let mut r = scim_json(status, &body);
        if status == StatusCode::UNAUTHORIZED {
            r.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"portcullis-scim\""),
            );
        }
        r
    }
}

type ScimResult = Result<Response, ScimError>;

/// Every route needs a directory's token.
async fn bearer(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let token = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim);
    match tokens::authenticate(&state, token).await {
        Ok(directory) => {
            req.extensions_mut().insert(directory);
            next.run(req).await
        }
        Err(e) => e.into_response(),
    }
}

/// The body as JSON (SCIM's media type or plain JSON).
fn body(headers: &HeaderMap, bytes: &Bytes) -> Result<Value, ScimError> {
    let media = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let essence = media.split(';').next().unwrap_or("").trim();
    if !essence.is_empty()
        && !essence.eq_ignore_ascii_case(MEDIA_TYPE)
        && !essence.eq_ignore_ascii_case("application/json")
    {
        return Err(ScimError {
            status: 415,
            scim_type: None,
            detail: format!("Send {MEDIA_TYPE} (or application/json)."),
        });
    }
    serde_json::from_slice(bytes).map_err(|e| {
        ScimError::bad_request("invalidSyntax", format!("The body is not valid JSON: {e}."))
    })
}

fn base(state: &AppState) -> String {
    domain::base(&state.settings.public_origin)
}

#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct ListParams {
    filter: Option<String>,
    start_index: Option<i64>,
    count: Option<i64>,
    attributes: Option<String>,
    excluded_attributes: Option<String>,
}

impl From<ListParams> for ListQuery {
    fn from(p: ListParams) -> Self {
        ListQuery {
            filter: p.filter,
            start_index: p.start_index,
            count: p.count,
            attributes: p.attributes,
            excluded_attributes: p.excluded_attributes,
        }
    }
}

/// A SearchRequest body (a POST to `.search`).
fn search_query(v: &Value) -> ListQuery {
    let s = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
    let list = |k: &str| match v.get(k) {
        Some(Value::Array(a)) => Some(
            a.iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(","),
        ),
        Some(Value::String(s)) => Some(s.clone()),
        _ => None,
    };
    ListQuery {
        filter: s("filter"),
        start_index: v.get("startIndex").and_then(Value::as_i64),
        count: v.get("count").and_then(Value::as_i64),
        attributes: list("attributes"),
        excluded_attributes: list("excludedAttributes"),
    }
}

async fn list_of(state: &AppState, kind: ResourceKind, q: &ListQuery) -> ScimResult {
    let (items, total, offset) = match kind {
        ResourceKind::User => users::list(state, q).await?,
        ResourceKind::Group => groups::list(state, q).await?,
    };
    Ok(scim_json(
        StatusCode::OK,
        &domain::list_response(items, total, offset),
    ))
}

async fn list_users(State(state): State<AppState>, Query(p): Query<ListParams>) -> ScimResult {
    list_of(&state, ResourceKind::User, &p.into()).await
}

async fn list_groups(State(state): State<AppState>, Query(p): Query<ListParams>) -> ScimResult {
    list_of(&state, ResourceKind::Group, &p.into()).await
}

async fn search_users(
    State(state): State<AppState>,
    headers: HeaderMap,
    bytes: Bytes,
) -> ScimResult {
    list_of(
        &state,
        ResourceKind::User,
        &search_query(&body(&headers, &bytes)?),
    )
    .await
}

async fn search_groups(
    State(state): State<AppState>,
    headers: HeaderMap,
    bytes: Bytes,
) -> ScimResult {
    list_of(
        &state,
        ResourceKind::Group,
        &search_query(&body(&headers, &bytes)?),
    )
    .await
}

/// `POST /.search`: users, then groups, one page over both.
async fn search_all(State(state): State<AppState>, headers: HeaderMap, bytes: Bytes) -> ScimResult {
    let q = search_query(&body(&headers, &bytes)?);
    if q.filter.is_some() {
        return Err(ScimError::bad_request(
            "invalidFilter",
            "A search of every resource type takes no filter: search /Users or /Groups.".into(),
        ));
    }
    let (offset, count) = q.page();
    // Users first, then groups: the page starts in the users at `offset`
    // and goes on into the groups.
    let users_part = ListQuery {
        start_index: Some(offset + 1),
        count: Some(count),
        ..q.clone()
    };
    let (mut items, users_total, _) = users::list(&state, &users_part).await?;
    let room = count - i64::try_from(items.len()).unwrap_or(count);
    let groups_part = ListQuery {
        start_index: Some((offset - users_total).max(0) + 1),
        count: Some(room.max(0)),
        ..q.clone()
    };
    let (more, groups_total, _) = groups::list(&state, &groups_part).await?;
    if room > 0 {
        items.extend(more);
    }
    Ok(scim_json(
        StatusCode::OK,
        &domain::list_response(items, users_total + groups_total, offset),
    ))
}

fn created(doc: Value) -> Response {
    let location = doc["meta"]["location"].as_str().unwrap_or("").to_string();
    let mut r = scim_json(StatusCode::CREATED, &doc);
    if let Ok(v) = HeaderValue::from_str(&location) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    r
}

async fn create_user(
    State(state): State<AppState>,
    Extension(dir): Extension<Directory>,
    headers: HeaderMap,
    bytes: Bytes,
) -> ScimResult {
    Ok(created(
        users::create(&state, &body(&headers, &bytes)?, &dir).await?,
    ))
}

async fn create_group(
    State(state): State<AppState>,
    Extension(dir): Extension<Directory>,
    headers: HeaderMap,
    bytes: Bytes,
) -> ScimResult {
    Ok(created(
        groups::create(&state, &body(&headers, &bytes)?, &dir.name).await?,
    ))
}

async fn get_user(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(p): Query<ListParams>,
) -> ScimResult {
    let q: ListQuery = p.into();
    Ok(scim_json(
        StatusCode::OK,
        &q.projection().apply(users::get(&state, &id).await?),
    ))
}

async fn get_group(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(p): Query<ListParams>,
) -> ScimResult {
    let q: ListQuery = p.into();
    Ok(scim_json(
        StatusCode::OK,
        &q.projection().apply(groups::get(&state, &id).await?),
    ))
}

async fn replace_user(
    State(state): State<AppState>,
    Extension(dir): Extension<Directory>,
    Path(id): Path<String>,
    headers: HeaderMap,
    bytes: Bytes,
) -> ScimResult {
    let doc = users::replace(&state, &id, &body(&headers, &bytes)?, &dir.name).await?;
    Ok(scim_json(StatusCode::OK, &doc))
}

async fn replace_group(
    State(state): State<AppState>,
    Extension(dir): Extension<Directory>,
    Path(id): Path<String>,
    headers: HeaderMap,
    bytes: Bytes,
) -> ScimResult {
    let doc = groups::replace(&state, &id, &body(&headers, &bytes)?, &dir.name).await?;
    Ok(scim_json(StatusCode::OK, &doc))
}

/// A PatchOp body's operations.
fn operations(v: &Value) -> Result<Vec<Operation>, ScimError> {
    let ok_schema = v["schemas"]
        .as_array()
        .is_some_and(|s| s.iter().any(|u| u.as_str() == Some(PATCH_URN)));
    if !ok_schema {
        return Err(ScimError::bad_request(
            "invalidSyntax",
            format!("A PATCH body names the schema {PATCH_URN}."),
        ));
    }
    let ops = v
        .get("Operations")
        .or_else(|| v.get("operations"))
        .cloned()
        .unwrap_or(Value::Null);
    serde_json::from_value(ops).map_err(|e| {
        ScimError::bad_request(
            "invalidSyntax",
            format!("Operations must be a list of operations: {e}."),
        )
    })
}

async fn patch_user(
    State(state): State<AppState>,
    Extension(dir): Extension<Directory>,
    Path(id): Path<String>,
    headers: HeaderMap,
    bytes: Bytes,
) -> ScimResult {
    let ops = operations(&body(&headers, &bytes)?)?;
    let doc = users::patch(&state, &id, &ops, &dir.name).await?;
    Ok(scim_json(StatusCode::OK, &doc))
}

async fn patch_group(
    State(state): State<AppState>,
    Extension(dir): Extension<Directory>,
    Path(id): Path<String>,
    headers: HeaderMap,
    bytes: Bytes,
) -> ScimResult {
    let ops = operations(&body(&headers, &bytes)?)?;
    let doc = groups::patch(&state, &id, &ops, &dir.name).await?;
    Ok(scim_json(StatusCode::OK, &doc))
}

async fn delete_user(
    State(state): State<AppState>,
    Extension(dir): Extension<Directory>,
    Path(id): Path<String>,
) -> ScimResult {
    users::delete(&state, &id, &dir.name).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn delete_group(
    State(state): State<AppState>,
    Extension(dir): Extension<Directory>,
    Path(id): Path<String>,
) -> ScimResult {
    groups::delete(&state, &id, &dir.name).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn service_provider_config(State(state): State<AppState>) -> Response {
    scim_json(
        StatusCode::OK,
        &schema::service_provider_config(&base(&state)),
    )
}

const KINDS: [ResourceKind; 2] = [ResourceKind::User, ResourceKind::Group];

async fn resource_types(State(state): State<AppState>) -> Response {
    let b = base(&state);
    let all = KINDS
        .iter()
        .map(|k| schema::resource_type(*k, &b))
        .collect();
    scim_json(StatusCode::OK, &schema::list(all))
}

async fn resource_type(State(state): State<AppState>, Path(id): Path<String>) -> ScimResult {
    let k = KINDS
        .into_iter()
        .find(|k| k.name() == id)
        .ok_or_else(|| ScimError::not_found("resource type"))?;
    Ok(scim_json(
        StatusCode::OK,
        &schema::resource_type(k, &base(&state)),
    ))
}

async fn schemas(State(state): State<AppState>) -> Response {
    let b = base(&state);
    let all = KINDS.iter().map(|k| schema::schema(*k, &b)).collect();
    scim_json(StatusCode::OK, &schema::list(all))
}

async fn one_schema(State(state): State<AppState>, Path(id): Path<String>) -> ScimResult {
    let k = KINDS
        .into_iter()
        .find(|k| k.schema_urn() == id)
        .ok_or_else(|| ScimError::not_found("schema"))?;
    Ok(scim_json(StatusCode::OK, &schema::schema(k, &base(&state))))
}

async fn not_found() -> ScimError {
    ScimError {
        status: 404,
        scim_type: None,
        detail: "There is no such SCIM endpoint: see /scim/v2/ResourceTypes.".into(),
    }
}

/// The SCIM routes, each behind a directory's bearer token.
pub fn router(state: AppState) -> Router {
    let v2 = Router::new()
        .route("/ServiceProviderConfig", get(service_provider_config))
        .route("/ResourceTypes", get(resource_types))
        .route("/ResourceTypes/{id}", get(resource_type))
        .route("/Schemas", get(schemas))
        .route("/Schemas/{id}", get(one_schema))
        .route("/Users", get(list_users).post(create_user))
        .route("/Users/.search", post(search_users))
        .route(
            "/Users/{id}",
            get(get_user)
                .put(replace_user)
                .patch(patch_user)
                .delete(delete_user),
        )
        .route("/Groups", get(list_groups).post(create_group))
        .route("/Groups/.search", post(search_groups))
        .route(
            "/Groups/{id}",
            get(get_group)
                .put(replace_group)
                .patch(patch_group)
                .delete(delete_group),
        )
        .route("/.search", post(search_all))
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(state.clone(), bearer))
        .layer(DefaultBodyLimit::max(BODY_LIMIT));
    Router::new().nest("/scim/v2", v2).with_state(state)
}

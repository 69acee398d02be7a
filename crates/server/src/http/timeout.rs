//! A bound on how long an API request may take: a request that has no
//! answer after [`REQUEST_SECS`] (a stuck database, a lock held too long)
//! gets a 503 in words instead of holding its connection open forever.
//! The long-polls are left out: they wait on purpose, and bound their own
//! wait (`?wait=`, at most `mfa::push::MAX_WAIT_SECS`).

use std::time::Duration;

use axum::extract::{MatchedPath, Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use portcullis_api::ErrorCode;

use super::error::HttpError;

/// How long an API request may take.
pub const REQUEST_SECS: u64 = 30;

/// The routes that wait on purpose, as registered: the browser's wait for
/// a push answer (at login, and for a fresh proof) and the device's wait
/// for a push to answer.
pub const LONG_POLLS: [&str; 3] = [
    "/api/v1/login/push/{id}/wait",
    "/api/v1/mfa/verify/push/{id}/wait",
    "/api/device/v1/pending",
];

/// The bound of every route the router matched, but the long-polls.
pub const fn limit() -> Duration {
    Duration::from_secs(REQUEST_SECS)
}

/// Whether a request to the route registered as `route` is bounded.
pub fn bounded(route: Option<&str>) -> bool {
    !route.is_some_and(|r| LONG_POLLS.contains(&r))
}

/// The middleware: runs the request, unless it takes longer than `limit`
/// (a long-poll may). Its state is the limit, so tests can use a short one.
pub async fn guard(State(limit): State<Duration>, req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(MatchedPath::as_str);
    if !bounded(route) {
        return next.run(req).await;
    }
    let what = format!("{} {}", req.method(), route.unwrap_or("(no route)"));
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(answer) => answer,
        Err(_) => {
            tracing::warn!(request = %what, secs = limit.as_secs(), "request timed out");
            too_slow(limit).into_response()
        }
    }
}

/// The answer of a request that took too long.
fn too_slow(limit: Duration) -> HttpError {
    let mut e = HttpError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        ErrorCode::Unavailable,
        format!(
            "The server did not finish this request within {} seconds. Try again in a moment.",
            limit.as_secs()
        ),
    );
    e.retry_after = Some(1);
    e
}

/// Documents the timeout's 503 on every bounded operation of the API
/// document (an operation that says what its 503 means already keeps it).
pub fn document(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::header::HeaderBuilder;
    use utoipa::openapi::schema::{ObjectBuilder, Type};
    use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
    let seconds = ObjectBuilder::new()
        .schema_type(Type::Integer)
        .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
            utoipa::openapi::KnownFormat::Int64,
        )))
        .minimum(Some(0));
    let response = ResponseBuilder::new()
        .description(format!(
            "The request took longer than {REQUEST_SECS} seconds (`unavailable`); try again"
        ))
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("ErrorBody")))
                .build(),
        )
        .header(
            "Retry-After",
            HeaderBuilder::new()
                .schema(seconds)
                .description(Some("Seconds to wait"))
                .build(),
        )
        .build();
    for (path, item) in doc.paths.paths.iter_mut() {
        if !bounded(Some(path)) {
            continue;
        }
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.options,
            &mut item.head,
            &mut item.patch,
            &mut item.trace,
        ];
        for op in operations.into_iter().flatten() {
            op.responses
                .responses
                .entry("503".to_string())
                .or_insert_with(|| response.clone().into());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::routing::get;
    use axum::Router;
    use tower::ServiceExt;

    /// A handler that never answers.
    async fn stuck() -> &'static str {
        std::future::pending::<()>().await;
        "never"
    }

    /// Routes at a long-poll's path and at another, both stuck, behind the
    /// guard with a bound of `limit`, as `http::api` layers it.
    fn app(limit: Duration) -> Router {
        Router::new()
            .route(LONG_POLLS[0], get(stuck))
            .route("/elsewhere", get(stuck))
            .layer(axum::middleware::from_fn_with_state(limit, guard))
    }

    fn request(path: &str) -> Request {
        Request::builder()
            .uri(path)
            .body(Body::empty())
            .unwrap_or_default()
    }

    #[test]
    fn the_long_polls_alone_are_unbounded() {
        for route in LONG_POLLS {
            assert!(!bounded(Some(route)), "{route}");
        }
        assert!(bounded(Some("/api/v1/me")));
        assert!(bounded(Some("/api/{*rest}")));
        assert!(bounded(None));
        assert_eq!(limit(), Duration::from_secs(30));
    }

    #[tokio::test]
    async fn a_request_that_takes_too_long_is_answered_in_words() {
        let answer = app(Duration::from_millis(20))
            .oneshot(request("/elsewhere"))
            .await
            .unwrap_or_else(|e| match e {});
        assert_eq!(answer.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(
            answer.headers().get("retry-after").map(|v| v.as_bytes()),
            Some(b"1".as_slice())
        );
        let body = axum::body::to_bytes(answer.into_body(), 4096)
            .await
            .unwrap_or_default();
        let body: portcullis_api::ErrorBody =
            serde_json::from_slice(&body).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(body.code, ErrorCode::Unavailable);
        assert!(body.message.contains("Try again"), "{}", body.message);
    }

    #[tokio::test]
    async fn a_long_poll_is_not_cut_short() {
        // Its route is stuck too, but the guard does not answer for it:
        // after ten times the bound there is still no answer.
        let limit = Duration::from_millis(20);
        let waiting = tokio::time::timeout(
            limit * 10,
            app(limit).oneshot(request("/api/v1/login/push/p1/wait")),
        )
        .await;
        assert!(waiting.is_err(), "the long-poll was answered");
    }
}

//! A typed client of the API over `portcullis_api` types: what a browser
//! sends (cookies kept, the CSRF header on every request), with answers
//! read into the same types the SPA reads.
#![allow(dead_code)] // shared helpers; not every test uses every one

use portcullis_api::{
    AdminUser, CodeRequest, EnrollmentPeriodRequest, ErrorBody, ErrorCode, LoginRequest,
    LoginResponse, Me, MfaOverview, TotpEnrollment, UserPage, CSRF_HEADER, CSRF_VALUE,
};
use reqwest::header::{HeaderMap, HeaderValue};
use serde::de::DeserializeOwned;
use serde::Serialize;

/// An answer: its status, headers, and the body read as `T` (2xx) or as
/// the error body.
#[derive(Debug)]
pub struct Answer<T> {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Result<T, ErrorBody>,
}

impl<T: std::fmt::Debug> Answer<T> {
    /// The body of a successful answer; panics with the error otherwise.
    #[track_caller]
    pub fn ok(self) -> T {
        match self.body {
            Ok(v) => v,
            Err(e) => panic!("expected success, got {}: {e:?}", self.status),
        }
    }

    /// The error of a failed answer; panics on success.
    #[track_caller]
    pub fn err(self) -> ErrorBody {
        match self.body {
            Ok(v) => panic!("expected an error, got {}: {v:?}", self.status),
            Err(e) => e,
        }
    }

    /// (status, error code) of a failed answer.
    #[track_caller]
    pub fn fail(self) -> (u16, ErrorCode) {
        let status = self.status;
        (status, self.err().code)
    }

    /// Asserts a 422 `validation_failed` whose message, in words, contains
    /// `words`; `what` names the request in the failure.
    #[track_caller]
    pub fn invalid_in_words(self, words: &str, what: &str) {
        let status = self.status;
        let err = self.err();
        assert_eq!(
            (status, err.code),
            (422, ErrorCode::ValidationFailed),
            "{what}"
        );
        assert!(!err.message.is_empty(), "{what}");
        assert!(err.message.contains(words), "{what}: {}", err.message);
    }

    /// The session cookie this answer set, if any.
    pub fn session_cookie(&self) -> Option<String> {
        session_cookie(&self.headers)
    }
}

pub fn session_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.contains("portcullis_session=") && !v.contains("Max-Age=0"))
        .map(str::to_string)
}

/// A browser-like client of one server.
#[derive(Clone)]
pub struct Api {
    pub base: String,
    pub http: reqwest::Client,
}

impl Api {
    pub fn new(base: &str) -> Api {
        let mut h = HeaderMap::new();
        h.insert(CSRF_HEADER, HeaderValue::from_static(CSRF_VALUE));
        Api {
            base: base.to_string(),
            http: reqwest::Client::builder()
                .cookie_store(true)
                .default_headers(h)
                .build()
                .expect("client"),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn read<T: DeserializeOwned>(resp: reqwest::Response) -> Answer<T> {
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let text = resp.text().await.expect("body");
        let body = if (200..300).contains(&status) {
            let text = if text.is_empty() { "null" } else { &text };
            Ok(serde_json::from_str(text)
                .unwrap_or_else(|e| panic!("{status}: unreadable body ({e}): {text}")))
        } else {
            Err(serde_json::from_str(&text)
                .unwrap_or_else(|e| panic!("{status}: not an error body ({e}): {text}")))
        };
        Answer {
            status,
            headers,
            body,
        }
    }

    pub async fn get<T: DeserializeOwned>(&self, path: &str) -> Answer<T> {
        Self::read(self.http.get(self.url(path)).send().await.expect("request")).await
    }

    pub async fn post<T: DeserializeOwned>(&self, path: &str, body: &impl Serialize) -> Answer<T> {
        Self::read(
            self.http
                .post(self.url(path))
                .json(body)
                .send()
                .await
                .expect("request"),
        )
        .await
    }

    /// A POST without a body.
    pub async fn post_empty<T: DeserializeOwned>(&self, path: &str) -> Answer<T> {
        Self::read(
            self.http
                .post(self.url(path))
                .send()
                .await
                .expect("request"),
        )
        .await
    }

    pub async fn login(&self, email: &str, password: &str) -> Answer<LoginResponse> {
        let req = LoginRequest {
            email: email.into(),
            password: password.into(),
            sso: None,
        };
        self.post("/api/v1/login", &req).await
    }

    pub async fn logout(&self) -> Answer<()> {
        self.post_empty("/api/v1/logout").await
    }

    pub async fn me(&self) -> Answer<Me> {
        self.get("/api/v1/me").await
    }

    pub async fn mfa(&self) -> Answer<MfaOverview> {
        self.get("/api/v1/mfa").await
    }

    pub async fn login_totp(&self, code: &str) -> Answer<LoginResponse> {
        self.post("/api/v1/login/totp", &code_req(code)).await
    }

    pub async fn skip_enrollment(&self) -> Answer<LoginResponse> {
        self.post_empty("/api/v1/login/skip-enrollment").await
    }

    pub async fn verify(&self, code: &str) -> Answer<()> {
        self.post("/api/v1/mfa/verify", &code_req(code)).await
    }

    pub async fn totp_enroll(&self) -> Answer<TotpEnrollment> {
        self.post_empty("/api/v1/totp/enroll").await
    }

    pub async fn totp_confirm(&self, code: &str) -> Answer<LoginResponse> {
        self.post("/api/v1/totp/confirm", &code_req(code)).await
    }

    pub async fn totp_reset(&self, code: &str) -> Answer<MfaOverview> {
        self.post("/api/v1/totp/reset", &code_req(code)).await
    }

    pub async fn admin_users(&self, query: &str) -> Answer<UserPage> {
        self.get(&format!("/api/v1/admin/users{query}")).await
    }

    /// `period_days`: `Some(n)` days, `None` for "no period".
    pub async fn require_mfa(&self, user_id: &str, period_days: Option<u32>) -> Answer<AdminUser> {
        let req = EnrollmentPeriodRequest { period_days };
        self.post(&format!("/api/v1/admin/users/{user_id}/require-mfa"), &req)
            .await
    }

    pub async fn reset_mfa(&self, user_id: &str, period_days: Option<u32>) -> Answer<AdminUser> {
        let req = EnrollmentPeriodRequest { period_days };
        self.post(&format!("/api/v1/admin/users/{user_id}/reset-mfa"), &req)
            .await
    }

    pub async fn add_user(
        &self,
        email: &str,
        name: &str,
        role: portcullis_api::Role,
    ) -> Answer<AdminUser> {
        let req = portcullis_api::NewUser {
            email: email.into(),
            display_name: name.into(),
            role,
        };
        self.post("/api/v1/admin/users", &req).await
    }

    pub async fn resend_invitation(&self, user_id: &str) -> Answer<AdminUser> {
        self.post_empty(&format!("/api/v1/admin/users/{user_id}/invitation"))
            .await
    }

    pub async fn setup_link(&self, user_id: &str) -> Answer<portcullis_api::SetupLink> {
        self.post_empty(&format!("/api/v1/admin/users/{user_id}/setup-link"))
            .await
    }

    pub async fn welcome_peek(&self, token: &str) -> Answer<portcullis_api::WelcomeInfo> {
        let req = portcullis_api::WelcomeToken {
            token: token.into(),
        };
        self.post("/api/v1/welcome/peek", &req).await
    }

    pub async fn welcome(&self, token: &str, password: &str) -> Answer<LoginResponse> {
        let req = portcullis_api::WelcomeRequest {
            token: token.into(),
            password: password.into(),
        };
        self.post("/api/v1/welcome", &req).await
    }

    pub async fn edit_user(
        &self,
        user_id: &str,
        change: &portcullis_api::UserChange,
    ) -> Answer<AdminUser> {
        Self::read(
            self.http
                .patch(self.url(&format!("/api/v1/admin/users/{user_id}")))
                .json(change)
                .send()
                .await
                .expect("request"),
        )
        .await
    }

    pub async fn delete_user(&self, user_id: &str, confirm_email: &str) -> Answer<()> {
        Self::read(
            self.http
                .delete(self.url(&format!("/api/v1/admin/users/{user_id}")))
                .json(&portcullis_api::UserDeletion {
                    confirm_email: confirm_email.into(),
                })
                .send()
                .await
                .expect("request"),
        )
        .await
    }

    pub async fn unrequire_mfa(&self, user_id: &str) -> Answer<AdminUser> {
        self.post_empty(&format!("/api/v1/admin/users/{user_id}/unrequire-mfa"))
            .await
    }

    pub async fn unlock(&self, user_id: &str) -> Answer<AdminUser> {
        self.post_empty(&format!("/api/v1/admin/users/{user_id}/unlock"))
            .await
    }
}

fn code_req(code: &str) -> CodeRequest {
    CodeRequest { code: code.into() }
}

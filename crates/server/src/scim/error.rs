//! SCIM's errors: a status, maybe a `scimType`, and a
//! detail in words.

use crate::error::Internal;

#[derive(Debug)]
pub struct ScimError {
    pub status: u16,
    pub scim_type: Option<&'static str>,
    pub detail: String,
}

impl ScimError {
    pub fn bad_request(scim_type: &'static str, detail: String) -> Self {
        ScimError {
            status: 400,
            scim_type: Some(scim_type),
            detail,
        }
    }

    pub fn not_found(what: &str) -> Self {
        ScimError {
            status: 404,
            scim_type: None,
            detail: format!("There is no {what} with this id."),
        }
    }

    pub fn conflict(detail: String) -> Self {
        ScimError {
            status: 409,
            scim_type: Some("uniqueness"),
            detail,
        }
    }

    pub fn forbidden(detail: &str) -> Self {
        ScimError {
            status: 403,
            scim_type: None,
            detail: detail.to_string(),
        }
    }

    pub fn unauthorized() -> Self {
        ScimError {
            status: 401,
            scim_type: None,
            detail: "A valid bearer token is needed (Authorization: Bearer …); an administrator \
                     makes one on the MFA settings page."
                .into(),
        }
    }

    pub fn internal() -> Self {
        ScimError {
            status: 500,
            scim_type: None,
            detail: "Something went wrong on the server. Please try again.".into(),
        }
    }
}

impl From<Internal> for ScimError {
    fn from(e: Internal) -> Self {
        tracing::error!(cause = %e.cause(), "internal error (SCIM)");
        ScimError::internal()
    }
}

impl From<sqlx::Error> for ScimError {
    fn from(e: sqlx::Error) -> Self {
        Internal::from(e).into()
    }
}

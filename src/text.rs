//! Words shown to users, and checks of what they type, as plain functions.

use portcullis_api::{LoginRequest, Role};

pub fn role_label(role: Role) -> &'static str {
    match role {
        Role::User => "User",
        Role::Admin => "Administrator",
        Role::BillingAdmin => "Billing administrator",
    }
}

/// What is wrong with the login form, field by field.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct LoginProblems {
    pub email: Option<String>,
    pub password: Option<String>,
}

/// Checks the login form before sending it; the server checks again.
pub fn check_login(email: &str, password: &str) -> Result<LoginRequest, LoginProblems> {
    let email = email.trim();
    let mut p = LoginProblems::default();
    if email.is_empty() {
        p.email = Some("Enter your email address.".into());
    } else if !looks_like_email(email) {
        p.email = Some("Enter an email address like name@example.com.".into());
    }
    if password.is_empty() {
        p.password = Some("Enter your password.".into());
    }
    if p == LoginProblems::default() {
        Ok(LoginRequest {
            email: email.to_string(),
            password: password.to_string(),
        })
    } else {
        Err(p)
    }
}

fn looks_like_email(s: &str) -> bool {
    match s.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !s.chars().any(char::is_whitespace)
        }
        None => false,
    }
}

//! The factor registry: one place that answers "which confirmed second
//! factors does this user have". It reads the `confirmed_factors` view, to
//! which each kind of factor adds its table; the MFA status, the login
//! answer, the admin list and the reminder job all ask here (or join the
//! view), so a new factor counts everywhere once it is in the view.

use portcullis_api::FactorKind;

use super::Exec;

/// The kinds of confirmed factors `user_id` has, each once, in a fixed order.
pub async fn confirmed_kinds<'c>(
    db: impl Exec<'c>,
    user_id: &str,
) -> sqlx::Result<Vec<FactorKind>> {
    let kinds: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT kind FROM confirmed_factors WHERE user_id = $1 ORDER BY kind",
    )
    .bind(user_id)
    .fetch_all(db)
    .await?;
    Ok(kinds.iter().filter_map(|k| parse_kind(k)).collect())
}

fn parse_kind(kind: &str) -> Option<FactorKind> {
    match kind {
        "totp" => Some(FactorKind::Totp),
        "push" => Some(FactorKind::Push),
        "webauthn" => Some(FactorKind::Webauthn),
        "recovery_code" => Some(FactorKind::RecoveryCode),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_read_back() {
        for k in [
            FactorKind::Totp,
            FactorKind::Push,
            FactorKind::Webauthn,
            FactorKind::RecoveryCode,
        ] {
            let text = serde_json::to_value(k)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default();
            assert_eq!(parse_kind(&text), Some(k));
        }
        assert_eq!(parse_kind("carrier_pigeon"), None);
    }
}

//! The new-factor checklist of `docs/architecture.md`, enforced where it
//! can be: every kind of factor has its label, its operations module, its
//! store file, its rows in the `confirmed_factors` view (when it is a
//! factor of its own), its way into a session, and its section on the
//! Security page. The `match` below is exhaustive, so a new `FactorKind`
//! does not compile until its parts are named here, and they must exist.

use std::path::PathBuf;

use portcullis_api::FactorKind;
use portcullis_server::auth::session::Method;

/// Where a kind's parts live: (operations module, store file, Security
/// page section), relative to the repository.
fn parts(kind: FactorKind) -> [&'static str; 3] {
    match kind {
        FactorKind::Totp => [
            "crates/server/src/mfa/totp_factor.rs",
            "crates/server/src/store/totp.rs",
            "src/pages/portal/security.rs",
        ],
        FactorKind::Webauthn => [
            "crates/server/src/mfa/webauthn_factor.rs",
            "crates/server/src/store/webauthn.rs",
            "src/pages/portal/security_keys.rs",
        ],
        FactorKind::Push => [
            "crates/server/src/mfa/push/factor.rs",
            "crates/server/src/store/protect.rs",
            "src/pages/portal/protect.rs",
        ],
        FactorKind::RecoveryCode => [
            "crates/server/src/mfa/recovery_codes.rs",
            "crates/server/src/store/recovery_codes.rs",
            "src/pages/portal/recovery_codes.rs",
        ],
    }
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(repo().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// The `confirmed_factors` view as the last migration that made it says.
fn confirmed_factors_view() -> String {
    let dir = repo().join("crates/server/migrations");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "sql"))
        .collect();
    files.sort();
    let mut view = None;
    for file in files {
        let sql = std::fs::read_to_string(&file).unwrap();
        if let Some(at) = sql.find("CREATE VIEW confirmed_factors") {
            let rest = &sql[at..];
            view = Some(rest[..rest.find(';').unwrap_or(rest.len())].to_string());
        }
    }
    view.expect("a migration creates the confirmed_factors view")
}

#[test]
fn every_factor_kind_has_its_parts() {
    let view = confirmed_factors_view();
    for kind in FactorKind::ALL {
        assert!(!kind.label().is_empty(), "{kind:?} has no label");
        let [module, store, section] = parts(kind);
        for file in [module, store, section] {
            assert!(repo().join(file).is_file(), "{kind:?}: {file} is missing");
        }
        // The Security page's section says which factor it is.
        let words = kind.label().to_lowercase();
        assert!(
            read(section).to_lowercase().contains(&words),
            "{section} does not name {words:?}"
        );
        // A factor of its own is counted wherever factors are (status,
        // login, admin list, reminders): through the view.
        let named = view.contains(&format!("'{}' AS kind", kind.wire()));
        assert_eq!(named, kind.is_factor(), "{kind:?} in confirmed_factors");
        // A login it proves is recorded on the session.
        assert_eq!(Method::of(kind).kind(), Some(kind));
    }
}

//! What lives where, read from the sources, so a new route or a shortcut
//! elsewhere fails here. The login is one area: every `/api/v1/login…`
//! route is declared in `http/login.rs`, and only `login/finish.rs` makes
//! a login's session (factor modules prove, they never sign anyone in).
//! Removing a factor is one path: only `mfa/removal.rs` deletes a factor,
//! for the user, an administrator and the resets alike.

use std::path::{Path, PathBuf};

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The server's source files (relative path, text) that contain `needle`.
fn containing(needle: &str) -> Vec<String> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    let mut found: Vec<String> = files
        .into_iter()
        .filter(|f| std::fs::read_to_string(f).unwrap().contains(needle))
        .map(|f| {
            f.strip_prefix(&src)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/")
        })
        .collect();
    found.sort();
    found
}

#[test]
fn every_login_route_is_declared_in_the_login_router() {
    assert_eq!(
        containing("path = \"/api/v1/login"),
        ["http/login.rs"],
        "a /login route declared outside http/login.rs"
    );
}

#[test]
fn only_the_login_area_makes_a_logins_session() {
    for call in ["session::start(", "session::complete("] {
        assert_eq!(
            containing(call),
            ["login/finish.rs"],
            "{call} outside login/finish.rs: a login's session is made there only"
        );
    }
}

#[test]
fn only_the_removal_path_deletes_a_factor() {
    assert_eq!(
        containing("store::totp::delete("),
        ["mfa/removal.rs"],
        "an authenticator app deleted outside the removal path"
    );
    assert_eq!(
        containing("store::webauthn::delete"),
        ["mfa/removal.rs"],
        "a security key deleted outside the removal path"
    );
    // A device enrolled in place of the old one replaces it; that is no
    // removal (the user keeps a device), and it is the only other place.
    assert_eq!(
        containing("store::protect::delete_device_of("),
        ["mfa/push/factor.rs", "mfa/removal.rs"],
        "a Protect device deleted outside the removal path"
    );
    // The key on a device goes only with the device, in the removal path.
    assert_eq!(
        containing("remove_key_with_device("),
        ["mfa/push/unified.rs", "mfa/removal.rs"]
    );
}

#[test]
fn the_resets_take_the_removal_path() {
    // Reset MFA (single and bulk) and Reset Authenticator App remove
    // through it, as a `Remover::Reset`.
    assert_eq!(
        containing("Remover::Reset {"),
        [
            "admin/requirement.rs",
            "mfa/removal.rs",
            "mfa/totp_factor.rs"
        ]
    );
    assert_eq!(containing("removal::remove_all("), ["admin/requirement.rs"]);
}

//! The login is one area: every `/api/v1/login…` route is declared in
//! `http/login.rs`, and only `login/finish.rs` makes a login's session
//! (factor modules prove, they never sign anyone in). Read from the
//! sources, so a new route or a shortcut elsewhere fails here.

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

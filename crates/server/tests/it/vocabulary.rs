//! One vocabulary across the repository: "enroll"/"enrollment" in URLs,
//! JSON, code and text, and no citations of documents the repository does
//! not contain.

use std::path::{Path, PathBuf};

/// Files to check: the repository's sources, scripts and docs.
fn files(root: &Path) -> Vec<PathBuf> {
    const SKIP_DIRS: [&str; 6] = [
        "target",
        "node_modules",
        ".git",
        "dist",
        "test-results",
        "legacy",
    ];
    const EXTS: [&str; 10] = [
        "rs", "ts", "mjs", "md", "html", "css", "toml", "sql", "json", "sh",
    ];
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().to_string();
            if path.is_dir() {
                if !SKIP_DIRS.contains(&name.as_str()) {
                    stack.push(path);
                }
            } else {
                let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
                let script = path.parent().is_some_and(|p| p.ends_with("scripts"));
                if EXTS.contains(&ext) || script {
                    out.push(path);
                }
            }
        }
    }
    out
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The British spelling: "enrol" not followed by another "l".
fn british(line: &str) -> bool {
    let lower = line.to_lowercase();
    lower
        .match_indices("enrol")
        .any(|(i, m)| !lower[i + m.len()..].starts_with('l'))
}

#[test]
fn one_spelling_enroll_everywhere() {
    let mut found = Vec::new();
    for file in files(&repo_root()) {
        let name = file.to_string_lossy();
        // this file names the spelling it forbids
        if name.ends_with("tests/it/vocabulary.rs") {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        for (n, line) in text.lines().enumerate() {
            if british(line) {
                found.push(format!("{name}:{}: {}", n + 1, line.trim()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "write enroll/enrollment:\n{}",
        found.join("\n")
    );
}

#[test]
fn no_citations_of_documents_outside_the_repository() {
    let mut found = Vec::new();
    for file in files(&repo_root().join("crates"))
        .into_iter()
        .chain(files(&repo_root().join("src")))
    {
        let name = file.to_string_lossy().to_string();
        if name.ends_with("tests/it/vocabulary.rs") {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        for (n, line) in text.lines().enumerate() {
            if line.contains("SPEC") || line.contains('§') || line.contains("../shared") {
                found.push(format!("{name}:{}: {}", n + 1, line.trim()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "cite nothing outside the repository:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_rule_itself() {
    assert!(british("Enrolment period"));
    assert!(british("/totp/enrol"));
    assert!(!british("enroll, enrolled, enrollment"));
}

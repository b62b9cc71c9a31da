//! Helpers shared by the xtask integration tests that read `../shared` (WP Engine's published documents).

use std::path::PathBuf;

/// `../shared/<rel>` beside the workspace, read at run time (never copied into the project).
///
/// When it is absent the test is skipped with a note on stderr (returns `None`), except in CI
/// (`CI=true`), where a missing `../shared` must not let a test pass silently: it panics.
pub fn shared(rel: &str) -> Option<PathBuf> {
    let path = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/")).join(rel);
    if path.exists() {
        return Some(path);
    }
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!(
            "CI=true but {} is missing: CI must check out ../shared beside the workspace",
            path.display()
        );
    }
    eprintln!(
        "note: skipped, {} is absent (with CI=true this fails)",
        path.display()
    );
    None
}

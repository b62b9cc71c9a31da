//! What the xtask test binaries share: finding the team's `../shared`
//! material, which lives beside the workspace and not in it.

use std::path::{Path, PathBuf};

/// `relative` under `../shared` (beside the workspace root), when it exists.
///
/// When it does not, the test cannot prove anything: on CI (`CI=true`) this
/// fails the test, saying what is missing; elsewhere it prints why the test
/// is skipped and returns `None`, and the caller returns.
pub fn shared_file(relative: &str) -> Option<PathBuf> {
    let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared");
    locate(&shared, relative, on_ci())
}

/// Whether the tests run on CI (`CI` is `true` or `1`, as CI services set it).
fn on_ci() -> bool {
    std::env::var("CI").is_ok_and(|value| value.eq_ignore_ascii_case("true") || value == "1")
}

/// `relative` under `shared` if it exists; else a failure on CI, a skip elsewhere.
pub fn locate(shared: &Path, relative: &str, on_ci: bool) -> Option<PathBuf> {
    let path = shared.join(relative);
    if path.exists() {
        return Some(path);
    }
    let reason = format!(
        "{} is absent: this test reads the team's ../shared directory beside the workspace",
        path.display()
    );
    assert!(!on_ci, "CI=true and {reason}");
    eprintln!("skipped: {reason} (on CI, with CI=true, this fails)");
    None
}

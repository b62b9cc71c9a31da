//! What the xtask test binaries share: running `xtask`, scratch
//! directories, fixtures, and finding the team's `../shared` material, which
//! lives beside the workspace and not in it. Each binary uses part of it.
#![allow(dead_code)]

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{json, Value};

/// `xtask/tests/fixtures`.
pub fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// A fresh scratch directory under the system temp dir, named after the
/// test binary, the process and `name`.
pub fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "xtask-{}-{}-{name}",
        env!("CARGO_CRATE_NAME"),
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

/// What one run of the `xtask` binary gave.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Standard output as JSON (for `--json` reports).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("report is JSON ({e}): {}{}", self.stdout, self.stderr))
    }
}

/// Runs the `xtask` binary with `args`.
pub fn xtask<I, S>(args: I) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let out = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .output()
        .expect("xtask runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

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

/// The deviations that record our conventions (no Authorization parameter, one error schema,
/// 4XX/5XX ranges, no `default`), taken from our deviations file at 1.10.0, in `dir`.
pub fn convention_deviations(dir: &Path) -> PathBuf {
    let all = read_json(&fixtures().join("curated-1.10.0.deviations.json"));
    let conventions: Vec<Value> = all["deviations"]
        .as_array()
        .expect("deviations")
        .iter()
        .filter(|d| {
            [
                "authorization-header-parameter-removed",
                "one-error-schema",
                "error-status-ranges-added",
                "default-responses-removed",
            ]
            .contains(&d["id"].as_str().unwrap_or_default())
        })
        .cloned()
        .collect();
    assert_eq!(conventions.len(), 4);
    let path = dir.join("conventions.deviations.json");
    write_json(&path, &json!({ "deviations": conventions }));
    path
}

pub fn read_json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).expect("read")).expect("JSON")
}

pub fn write_json(path: &Path, v: &Value) {
    let mut text = serde_json::to_string_pretty(v).expect("serialise");
    text.push('\n');
    std::fs::write(path, text).expect("write");
}

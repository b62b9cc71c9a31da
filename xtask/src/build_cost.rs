//! `cargo xtask build-cost`: what a library user pays to build `wpe-api`.
//!
//! Two new binary crates are written side by side: one whose `main.rs` is the
//! README's first example, depending on `wpe-api` by path, and one that does the
//! same work (list installs, purge the first one's page cache, report the API's
//! error) on reqwest + serde by hand. Each is built in a fresh target directory,
//! one after the other, in the same run: a clean debug build, an incremental
//! rebuild after `main.rs` changes, and a clean release build. Both lock files
//! start from the workspace's `Cargo.lock`, so both apps get the versions the
//! workspace is tested with.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use serde::Deserialize;

/// The hand-written equivalent of the README's first example, on reqwest + serde.
pub const REQWEST_MAIN: &str = r#"use serde::Deserialize;

#[derive(Debug, Deserialize)]
struct Installs {
    results: Vec<Install>,
}

#[derive(Debug, Deserialize)]
struct Install {
    id: String,
    name: String,
    environment: Option<String>,
    status: Option<String>,
}

#[derive(Debug, Deserialize)]
struct ApiError {
    message: String,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let user = std::env::var("WPE_API_USER")?;
    let password = std::env::var("WPE_API_PASSWORD")?;
    let base = std::env::var("WPE_API_URL")
        .unwrap_or_else(|_| "https://api.wpengineapi.com/v1".to_owned());
    let http = reqwest::Client::new();

    let installs: Installs = http
        .get(format!("{base}/installs"))
        .query(&[("limit", 50)])
        .basic_auth(&user, Some(&password))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    for install in &installs.results {
        println!("{} ({:?}) {:?}", install.name, install.environment, install.status);
    }

    if let Some(install) = installs.results.first() {
        let answer = http
            .post(format!("{base}/installs/{}/purge_cache", install.id))
            .basic_auth(&user, Some(&password))
            .json(&serde_json::json!({ "type": "page" }))
            .send()
            .await;
        match answer {
            Ok(answer) if !answer.status().is_success() => {
                let status = answer.status();
                match answer.json::<ApiError>().await {
                    Ok(body) => eprintln!("purge refused ({status}): {}", body.message),
                    Err(_) => eprintln!("purge failed: {status}"),
                }
            }
            Ok(_) => {}
            Err(err) => eprintln!("purge failed: {err}"),
        }
    }
    Ok(())
}
"#;

/// What to measure.
#[derive(Debug, Clone)]
pub struct Options {
    /// The `wpe-api` crate to build (its `README.md` gives the first example).
    pub wpe_api: PathBuf,
    /// The lock file both apps start from.
    pub lock: PathBuf,
    /// Where the two apps and their target directories are written.
    pub work_dir: PathBuf,
    /// How many times to build both apps.
    pub runs: usize,
    /// Also build both in release mode and compare the binaries' sizes.
    pub release: bool,
    /// How many of the `wpe-api` app's slowest units to list.
    pub slowest: usize,
    /// `wpe-api` features to build instead of its defaults (e.g. `rustls-aws-lc`,
    /// reqwest's own TLS provider, as the reqwest app has).
    pub features: Option<Vec<String>>,
}

/// One app's figures in one run.
#[derive(Debug, Clone, Default)]
pub struct AppCost {
    /// Clean debug build.
    pub clean: Duration,
    /// Debug rebuild after `main.rs` changed.
    pub incremental: Duration,
    /// Clean release build, when measured.
    pub release: Option<Duration>,
    /// Size of the release binary in bytes, when measured.
    pub release_bytes: Option<u64>,
    /// Units of the clean debug build, slowest first.
    pub units: Vec<Unit>,
}

/// One unit of a build, as `cargo build --timings` reports it.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Unit {
    /// Crate name.
    pub name: String,
    /// Crate version.
    pub version: String,
    /// What was built: empty for a library, or e.g. ` build script`, ` bin "x"`.
    #[serde(default)]
    pub target: String,
    /// `todo` for compiling, `run-custom-build` for running a build script.
    #[serde(default)]
    pub mode: String,
    /// The features it was built with.
    #[serde(default)]
    pub features: Vec<String>,
    /// Seconds from the unit's start to its end.
    pub duration: f64,
}

impl Unit {
    /// `syn 3.0.10`, `wpe-api 0.1.0 build script (run)`.
    pub fn label(&self) -> String {
        let mut label = format!("{} {}{}", self.name, self.version, self.target);
        if self.mode == "run-custom-build" && !self.target.contains("(run)") {
            label.push_str(" (run)");
        }
        label
    }
}

/// Reads the units out of the HTML report `cargo build --timings` writes.
pub fn parse_timings(html: &str) -> Result<Vec<Unit>, String> {
    let start = html
        .find("UNIT_DATA = ")
        .ok_or("no UNIT_DATA in the timings report (has cargo changed its format?)")?
        + "UNIT_DATA = ".len();
    let mut stream = serde_json::Deserializer::from_str(&html[start..]).into_iter::<Vec<Unit>>();
    let mut units = stream
        .next()
        .ok_or("UNIT_DATA is empty")?
        .map_err(|e| format!("cannot read UNIT_DATA: {e}"))?;
    units.sort_by(|a, b| b.duration.total_cmp(&a.duration));
    Ok(units)
}

/// The README's first ```` ```rust ```` block (attributes such as `no_run` allowed).
pub fn first_rust_example(readme: &str) -> Option<String> {
    let mut lines = readme.lines();
    while let Some(line) = lines.next() {
        let Some(info) = line.trim_start().strip_prefix("```") else {
            continue;
        };
        let body: Vec<&str> = lines.by_ref().take_while(|l| l.trim() != "```").collect();
        // A non-Rust block is skipped whole, so its closing fence is not taken for an opening one.
        if info.split(',').next().map(str::trim) == Some("rust") {
            return Some(body.join("\n") + "\n");
        }
    }
    None
}

/// Measures both apps `opts.runs` times; prints progress to stderr.
pub fn run(opts: &Options) -> Result<Vec<(AppCost, AppCost)>, String> {
    let readme_path = opts.wpe_api.join("README.md");
    let readme = std::fs::read_to_string(&readme_path)
        .map_err(|e| format!("cannot read {}: {e}", readme_path.display()))?;
    let example = first_rust_example(&readme)
        .ok_or_else(|| format!("{} has no ```rust block", readme_path.display()))?;
    let lock = std::fs::read(&opts.lock)
        .map_err(|e| format!("cannot read {}: {e}", opts.lock.display()))?;
    let wpe_api = std::fs::canonicalize(&opts.wpe_api)
        .map_err(|e| format!("cannot find {}: {e}", opts.wpe_api.display()))?;

    let wpe_app = opts.work_dir.join("wpe-app");
    let reqwest_app = opts.work_dir.join("reqwest-app");
    write_app(
        &wpe_app,
        &format!(
            "wpe-api = {{ path = {:?}{} }}\n\
             tokio = {{ version = \"1\", features = [\"macros\", \"rt-multi-thread\"] }}\n",
            wpe_api.display().to_string(),
            match &opts.features {
                Some(features) => format!(", default-features = false, features = {features:?}"),
                None => String::new(),
            }
        ),
        &example,
        &lock,
    )?;
    write_app(
        &reqwest_app,
        "reqwest = { version = \"0.13\", features = [\"json\", \"query\"] }\n\
         serde = { version = \"1\", features = [\"derive\"] }\n\
         serde_json = \"1\"\n\
         tokio = { version = \"1\", features = [\"macros\", \"rt-multi-thread\"] }\n",
        REQWEST_MAIN,
        &lock,
    )?;

    let mut results = Vec::new();
    for run in 1..=opts.runs {
        let mut wpe = AppCost::default();
        let mut raw = AppCost::default();
        for (name, app, cost) in [
            ("wpe-api app", &wpe_app, &mut wpe),
            ("reqwest app", &reqwest_app, &mut raw),
        ] {
            eprintln!("run {run}: {name}: clean debug build");
            let target = app.join("target");
            remove(&target)?;
            cost.clean = cargo(app, &["build", "--timings"])?;
            let html = std::fs::read_to_string(target.join("cargo-timings/cargo-timing.html"))
                .map_err(|e| format!("no timings report for {name}: {e}"))?;
            cost.units = parse_timings(&html)?;
        }
        for (name, app, cost) in [
            ("wpe-api app", &wpe_app, &mut wpe),
            ("reqwest app", &reqwest_app, &mut raw),
        ] {
            eprintln!("run {run}: {name}: incremental debug build after main.rs changed");
            let main = app.join("src/main.rs");
            let mut text = std::fs::read_to_string(&main).map_err(|e| e.to_string())?;
            writeln!(text, "// edit {run}").expect("write to a String");
            std::fs::write(&main, text).map_err(|e| e.to_string())?;
            cost.incremental = cargo(app, &["build"])?;
        }
        if opts.release {
            for (name, app, cost) in [
                ("wpe-api app", &wpe_app, &mut wpe),
                ("reqwest app", &reqwest_app, &mut raw),
            ] {
                eprintln!("run {run}: {name}: clean release build");
                let target = app.join("target");
                remove(&target.join("release"))?;
                cost.release = Some(cargo(app, &["build", "--release"])?);
                let bin = target.join("release").join(app_name(app));
                let meta = std::fs::metadata(&bin)
                    .map_err(|e| format!("no release binary at {}: {e}", bin.display()))?;
                cost.release_bytes = Some(meta.len());
            }
        }
        results.push((wpe, raw));
    }
    Ok(results)
}

fn app_name(dir: &Path) -> String {
    dir.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn write_app(dir: &Path, dependencies: &str, main: &str, lock: &[u8]) -> Result<(), String> {
    let name = app_name(dir);
    std::fs::create_dir_all(dir.join("src"))
        .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let manifest = format!(
        "[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\npublish = false\n\n\
         [dependencies]\n{dependencies}\n\
         # Not part of the wpe-api workspace.\n[workspace]\n"
    );
    let write = |path: PathBuf, bytes: &[u8]| {
        std::fs::write(&path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))
    };
    write(dir.join("Cargo.toml"), manifest.as_bytes())?;
    write(dir.join("src/main.rs"), main.as_bytes())?;
    write(dir.join("Cargo.lock"), lock)?;
    Ok(())
}

fn remove(dir: &Path) -> Result<(), String> {
    match std::fs::remove_dir_all(dir) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(format!("cannot remove {}: {e}", dir.display())),
    }
}

/// Runs cargo in `app` with its own target directory and nothing inherited that
/// would change what is built (a wrapper, flags, another target directory).
fn cargo(app: &Path, args: &[&str]) -> Result<Duration, String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.args(args)
        .arg("--quiet")
        .current_dir(app)
        .env("CARGO_TARGET_DIR", app.join("target"))
        .env("CARGO_TERM_COLOR", "never");
    for var in [
        "RUSTC_WRAPPER",
        "RUSTC_WORKSPACE_WRAPPER",
        "RUSTFLAGS",
        "CARGO_ENCODED_RUSTFLAGS",
        "CARGO_BUILD_RUSTFLAGS",
        "CARGO_INCREMENTAL",
        "CARGO_PROFILE_DEV_DEBUG",
    ] {
        cmd.env_remove(var);
    }
    let started = Instant::now();
    let status = cmd
        .status()
        .map_err(|e| format!("cannot run cargo in {}: {e}", app.display()))?;
    let took = started.elapsed();
    if !status.success() {
        return Err(format!(
            "cargo {} failed in {} ({status})",
            args.join(" "),
            app.display()
        ));
    }
    Ok(took)
}

/// The report: each run's figures and ratios, then the slowest units of the last run.
pub fn render(results: &[(AppCost, AppCost)], slowest: usize) -> String {
    let mut out = String::new();
    let secs = |d: Duration| format!("{:.1} s", d.as_secs_f64());
    let ratio = |a: f64, b: f64| {
        if b > 0.0 {
            format!("{:.2}x", a / b)
        } else {
            "-".to_owned()
        }
    };
    let _ = writeln!(
        out,
        "{:<5} {:<22} {:>12} {:>12} {:>7}",
        "run", "", "wpe-api app", "reqwest app", "ratio"
    );
    for (i, (wpe, raw)) in results.iter().enumerate() {
        let mut rows = vec![
            (
                "clean build (debug)",
                secs(wpe.clean),
                secs(raw.clean),
                ratio(wpe.clean.as_secs_f64(), raw.clean.as_secs_f64()),
            ),
            (
                "incremental (debug)",
                secs(wpe.incremental),
                secs(raw.incremental),
                ratio(wpe.incremental.as_secs_f64(), raw.incremental.as_secs_f64()),
            ),
        ];
        if let (Some(a), Some(b)) = (wpe.release, raw.release) {
            rows.push((
                "clean build (release)",
                secs(a),
                secs(b),
                ratio(a.as_secs_f64(), b.as_secs_f64()),
            ));
        }
        if let (Some(a), Some(b)) = (wpe.release_bytes, raw.release_bytes) {
            let mib = |n: u64| format!("{:.1} MiB", n as f64 / (1024.0 * 1024.0));
            rows.push(("release binary", mib(a), mib(b), ratio(a as f64, b as f64)));
        }
        for (label, a, b, r) in rows {
            let _ = writeln!(out, "{:<5} {label:<22} {a:>12} {b:>12} {r:>7}", i + 1);
        }
    }
    if let Some((wpe, raw)) = results.last() {
        let _ = writeln!(
            out,
            "\nslowest units of the wpe-api app's clean debug build (last run; {} units, the reqwest app's {}):",
            wpe.units.len(),
            raw.units.len()
        );
        // A unit is the same in both apps when its crate, version, target and
        // features are: a crate built twice (for the build script's host and
        // for the app) counts twice.
        let key = |u: &Unit| {
            let mut features = u.features.clone();
            features.sort();
            (
                u.name.clone(),
                u.version.clone(),
                u.target.clone(),
                features,
            )
        };
        let theirs: std::collections::HashSet<_> = raw.units.iter().map(key).collect();
        let only_ours: Vec<&Unit> = wpe
            .units
            .iter()
            .filter(|u| !theirs.contains(&key(u)))
            .collect();
        let _ = writeln!(
            out,
            "  compile time of all units: {:.1} s (the reqwest app's: {:.1} s); {} units only in the wpe-api app: {:.1} s",
            wpe.units.iter().map(|u| u.duration).sum::<f64>(),
            raw.units.iter().map(|u| u.duration).sum::<f64>(),
            only_ours.len(),
            only_ours.iter().map(|u| u.duration).sum::<f64>(),
        );
        for unit in wpe.units.iter().take(slowest) {
            let shared = theirs.contains(&key(unit));
            let _ = writeln!(
                out,
                "  {:>6.1} s  {}{}",
                unit.duration,
                unit.label(),
                if shared {
                    ""
                } else {
                    "  [only in the wpe-api app]"
                }
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_units_from_a_timings_report_slowest_first() {
        let html = r#"<script>
const UNIT_DATA = [
  {"i": 0, "name": "itoa", "version": "1.0.19", "mode": "todo", "target": "", "features": [],
   "start": 0.1, "duration": 0.32, "unblocked_units": [1], "sections": []},
  {"i": 1, "name": "app", "version": "0.1.0", "mode": "run-custom-build", "target": " build script",
   "start": 0.5, "duration": 1.5}
];
const CONCURRENCY_DATA = [];
</script>"#;
        let units = parse_timings(html).unwrap();
        assert_eq!(units.len(), 2);
        assert_eq!(units[0].label(), "app 0.1.0 build script (run)");
        assert_eq!(units[1].label(), "itoa 1.0.19");
        assert!(parse_timings("<html></html>")
            .unwrap_err()
            .contains("UNIT_DATA"));
    }

    #[test]
    fn takes_the_first_rust_block_not_a_toml_one() {
        let readme = "# x\n\n```toml\n[dependencies]\n```\n\ntext\n\n```rust,no_run\nfn main() {}\n```\n\n```rust\nfn other() {}\n```\n";
        assert_eq!(
            first_rust_example(readme).as_deref(),
            Some("fn main() {}\n")
        );
        assert_eq!(first_rust_example("```sh\nls\n```\n"), None);
    }

    #[test]
    fn the_workspace_readme_has_an_example_that_uses_the_client() {
        let readme =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md")).unwrap();
        let example = first_rust_example(&readme).unwrap();
        assert!(example.contains("fn main"), "{example}");
        assert!(example.contains("wpe_api::Client"), "{example}");
    }
}

//! What `sync-spec --import` writes, built by the real `wpe-api` crate: a
//! scratch copy of the workspace (its `Cargo.toml` and lock, `spec/`, the
//! whole `wpe-api/` with its `build.rs`, `build/` and `src/`) gets the
//! imported spec, and cargo builds it there. Nothing about the build is
//! copied into this test; what `wpe-api`'s build accepts is what passes.
//!
//! - 1.21.2 -> 1.23.0, into our spec without the six operations 1.23.0
//!   added (their schemas stay, so the import meets same-named schemas of
//!   ours): the whole crate builds (client, stand-in, unit tests), and its
//!   tests fail only where a person must act, each failure naming what to
//!   write: the texts the import marks, and the stand-in handlers of the new
//!   operations where `src/fake/` has none.
//! - 1.10.0 -> 1.21.2, into today's spec cut back to 1.10.0's operations
//!   (made here from `spec/openapi.json`, so it cannot go stale): the whole
//!   crate with its stand-in and dispatch table type-checks (`cargo check
//!   --features fake,dispatch`); the only errors allowed are today's
//!   hand-written code naming the types of operations 1.21.2 lacks.
//! - 1.6.15 -> 1.10.0 (into an empty spec): `wpe-api`'s build script
//!   (progenitor, the adaptations, the open enums and secrets, the
//!   operation table, the stand-in's handler table) accepts the import, and
//!   what it generated compiles: any error left is in today's hand-written
//!   layers, which name the types and operations of our current spec (a
//!   waiter of site transfers cannot build against 1.10.0).
//!
//! The scratch builds share `target/import-build/`, so dependencies are
//! compiled once; the first run takes a few minutes on two cores.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{convention_deviations, read_json, write_json};
use serde_json::{json, Value};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .canonicalize()
        .expect("workspace root")
}

/// `sync-spec --import` of `upstream` into `spec` (in place); the JSON report.
fn import(spec: &Path, upstream: &Path, deviations: &Path) -> Value {
    let lock = spec.with_file_name("upstream.lock.json");
    let run = common::xtask([
        "sync-spec".as_ref(),
        "--from-file".as_ref(),
        upstream.as_os_str(),
        "--spec".as_ref(),
        spec.as_os_str(),
        "--deviations".as_ref(),
        deviations.as_os_str(),
        "--lock".as_ref(),
        lock.as_os_str(),
        "--import".as_ref(),
        "--json".as_ref(),
    ]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    run.json()
}

/// Copies `from` into `to`, symlinks as symlinks; `target` and `.git` left out.
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("dir");
    for entry in std::fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("entry");
        let name = entry.file_name();
        if name == "target" || name == ".git" {
            continue;
        }
        let (src, dst) = (entry.path(), to.join(&name));
        let kind = entry.file_type().expect("file type");
        if kind.is_symlink() {
            let link = std::fs::read_link(&src).expect("read link");
            let _ = std::fs::remove_file(&dst);
            std::os::unix::fs::symlink(link, &dst).expect("symlink");
        } else if kind.is_dir() {
            copy_tree(&src, &dst);
        } else {
            std::fs::copy(&src, &dst).expect("copy");
        }
    }
}

/// A scratch copy of the workspace with `spec` as `spec/openapi.json`: the
/// root manifest (members narrowed to `wpe-api`, the one crate built), the
/// lock, the README and licences the crate links to, `spec/` and `wpe-api/`.
fn scratch_workspace(name: &str, spec: &Path) -> PathBuf {
    let root = root();
    let ws = common::scratch(&format!("ws-{name}"));
    for file in ["Cargo.lock", "README.md", "LICENSE-MIT", "LICENSE-APACHE"] {
        std::fs::copy(root.join(file), ws.join(file)).expect("copy");
    }
    let manifest = std::fs::read_to_string(root.join("Cargo.toml")).expect("manifest");
    let members = manifest
        .lines()
        .find(|line| line.starts_with("members = "))
        .expect("a members line");
    let manifest = manifest.replace(members, r#"members = ["wpe-api"]"#);
    std::fs::write(ws.join("Cargo.toml"), manifest).expect("manifest");
    copy_tree(&root.join("spec"), &ws.join("spec"));
    copy_tree(&root.join("wpe-api"), &ws.join("wpe-api"));
    std::fs::copy(spec, ws.join("spec/openapi.json")).expect("spec");
    ws
}

/// Runs cargo in the scratch workspace, offline, with the shared target dir.
fn cargo(ws: &Path, args: &[&str]) -> std::process::Output {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target"))
        .join("import-build");
    let started = std::time::Instant::now();
    let out = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
        .args(args)
        .arg("--offline")
        .current_dir(ws)
        .env("CARGO_TARGET_DIR", target)
        .env_remove("RUSTFLAGS")
        .output()
        .expect("cargo runs");
    eprintln!(
        "cargo {} in {}: {:.1} s",
        args.join(" "),
        ws.display(),
        started.elapsed().as_secs_f64()
    );
    out
}

/// The compiler's messages of a `--message-format=json` build: whether the
/// build script of `wpe-api` ran, and every error as (file, message).
fn messages(stdout: &[u8]) -> (bool, Vec<(String, String)>) {
    let mut ran = false;
    let mut errors = Vec::new();
    for line in String::from_utf8_lossy(stdout).lines() {
        let Ok(message) = serde_json::from_str::<Value>(line) else {
            continue;
        };
        let target = message["target"]["name"].as_str().unwrap_or_default();
        match message["reason"].as_str() {
            Some("build-script-executed")
                if message["package_id"]
                    .as_str()
                    .is_some_and(|id| id.contains("wpe-api")) =>
            {
                ran = true
            }
            Some("compiler-message") if message["message"]["level"] == "error" => {
                let file = message["message"]["spans"][0]["file_name"]
                    .as_str()
                    .unwrap_or("-")
                    .to_owned();
                let text = message["message"]["message"].as_str().unwrap_or_default();
                errors.push((file, format!("{target}: {text}")));
            }
            _ => {}
        }
    }
    (ran, errors)
}

/// Builds the real `wpe-api` (client only) from an older release's import:
/// its build script must accept the spec, and no error may be in what it
/// generated (files under `OUT_DIR`), only in the hand-written layers.
fn build_script_accepts(name: &str, spec: &Path) {
    let ws = scratch_workspace(name, spec);
    let out = cargo(&ws, &["check", "-p", "wpe-api", "--message-format=json"]);
    let (ran, errors) = messages(&out.stdout);
    assert!(
        ran,
        "wpe-api's build script refused the import of {name}:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let generated: Vec<&(String, String)> = errors
        .iter()
        .filter(|(file, _)| file.contains("/out/"))
        .collect();
    assert!(
        generated.is_empty(),
        "the code wpe-api's build generated from the import of {name} does not compile: {generated:#?}"
    );
    let hand_written: std::collections::BTreeSet<&str> =
        errors.iter().map(|(file, _)| file.as_str()).collect();
    eprintln!(
        "{name}: build script accepted; {} error(s) left, in today's hand-written files {hand_written:?}",
        errors.len()
    );
    for (file, message) in &errors {
        eprintln!("  {file}: {message}");
    }
    for (file, _) in &errors {
        assert!(
            file.starts_with("wpe-api/src/"),
            "{name}: an error outside wpe-api's hand-written sources: {errors:#?}"
        );
        // The macros the generated code invokes report their errors where
        // they are defined: those files count as generated here.
        assert!(
            !["paginate.rs", "secret.rs"]
                .iter()
                .any(|macros| file.ends_with(macros)),
            "{name}: what the build generated does not compile with the macros it invokes: {errors:#?}"
        );
    }
}

/// `(method, path)` of every operation of a Swagger document.
fn endpoints(doc: &Value) -> std::collections::BTreeSet<(String, String)> {
    let mut out = std::collections::BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in item.as_object().expect("path item").keys() {
            out.insert((method.to_ascii_lowercase(), path.clone()));
        }
    }
    out
}

#[test]
fn import_of_1_23_0_builds_the_whole_crate_and_its_tests_name_what_is_left() {
    let (Some(v1_21), Some(upstream)) = (
        common::shared_file("upstream/wpe-swagger-1.21.2.skeleton.json"),
        common::shared_file("upstream/wpe-swagger-1.23.0.skeleton.json"),
    ) else {
        return;
    };
    // Our spec as it would be at 1.21.2: without the operations 1.23.0 added
    // (their schemas stay, so the import meets same-named schemas of ours).
    let new_in_1_23 = &endpoints(&read_json(&upstream)) - &endpoints(&read_json(&v1_21));
    assert_eq!(new_in_1_23.len(), 6, "{new_in_1_23:?}");
    let mut ours = read_json(&root().join("spec/openapi.json"));
    let paths = ours["paths"].as_object_mut().expect("paths");
    for (method, path) in &new_in_1_23 {
        if let Some(item) = paths.get_mut(path).and_then(Value::as_object_mut) {
            item.remove(method);
        }
    }
    paths.retain(|_, item| item.as_object().is_some_and(|m| !m.is_empty()));
    let dir = common::scratch("import-1.23.0");
    let spec = dir.join("openapi.json");
    write_json(&spec, &ours);
    let report = import(&spec, &upstream, &root().join("spec/deviations.json"));
    let added: Vec<String> = report["import"]["operations"]
        .as_array()
        .expect("operations")
        .iter()
        .map(|op| op["operation_id"].as_str().expect("id").to_owned())
        .collect();
    assert_eq!(added.len(), 6, "{report:#}");
    assert!(
        report["import"]["markers"].as_u64().expect("markers") > 0,
        "an import marks the texts to write"
    );

    let ws = scratch_workspace("1.23.0", &spec);
    let out = cargo(
        &ws,
        &[
            "test",
            "-p",
            "wpe-api",
            "--features",
            "fake",
            "--lib",
            "--no-fail-fast",
        ],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("could not compile") && !stderr.contains("failed to run custom build"),
        "the crate does not build from the import:\n{stderr}"
    );
    let failed: Vec<&str> = stdout
        .lines()
        .filter_map(|line| line.strip_prefix("test ")?.strip_suffix(" ... FAILED"))
        .collect();
    let handlers = "fake::router::tests::every_operation_has_a_handler";
    let placeholders = "operations::tests::the_spec_has_no_import_placeholders_left";
    assert!(failed.contains(&placeholders), "{stdout}");
    assert!(
        failed
            .iter()
            .all(|test| [handlers, placeholders].contains(test)),
        "only the person's to-do fails, not {failed:?}:\n{stdout}"
    );
    assert!(stdout.contains("`TODO(import)` placeholder(s)"), "{stdout}");
    // Each handler the test asks for is one of the new operations', by name.
    for line in stdout
        .lines()
        .filter(|l| l.contains(": write `pub(crate) fn"))
    {
        let id = line.split(':').next().unwrap_or_default();
        assert!(added.iter().any(|a| a == id), "{line}");
    }
    assert_eq!(
        failed.contains(&handlers),
        stdout.contains(": write `pub(crate) fn"),
        "{stdout}"
    );
}

/// Every `$ref` target under `v` (`#/components/...`), and all they reach in `doc`.
fn reachable(doc: &Value, v: &Value, seen: &mut std::collections::BTreeSet<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                match (k.as_str(), x.as_str()) {
                    ("$ref", Some(r)) => {
                        if seen.insert(r.to_owned()) {
                            if let Some(target) = r.strip_prefix('#').and_then(|p| doc.pointer(p)) {
                                reachable(doc, target, seen);
                            }
                        }
                    }
                    _ => reachable(doc, x, seen),
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|x| reachable(doc, x, seen)),
        _ => {}
    }
}

/// `ours` cut back to the operations of `upstream` (by method and path, or operationId), its
/// components pruned to those the remaining operations reach: our spec as it would be at that
/// release, made from today's, so it cannot go stale.
fn cut_back(ours: &Value, upstream: &Value) -> Value {
    let keep = endpoints(upstream);
    let ids: std::collections::BTreeSet<&str> = upstream["paths"]
        .as_object()
        .expect("paths")
        .values()
        .flat_map(|item| item.as_object().into_iter().flatten())
        .filter_map(|(_, op)| op["operationId"].as_str())
        .collect();
    let mut cut = ours.clone();
    let paths = cut["paths"].as_object_mut().expect("paths");
    for (path, item) in paths.iter_mut() {
        let item = item.as_object_mut().expect("path item");
        item.retain(|method, op| {
            keep.contains(&(method.clone(), path.clone()))
                || op["operationId"]
                    .as_str()
                    .is_some_and(|id| ids.contains(id))
        });
    }
    paths.retain(|_, item| item.as_object().is_some_and(|m| !m.is_empty()));
    let mut seen = std::collections::BTreeSet::new();
    let roots: Value = cut
        .as_object()
        .expect("document")
        .iter()
        .filter(|(k, _)| *k != "components")
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect::<serde_json::Map<_, _>>()
        .into();
    reachable(&cut, &roots, &mut seen);
    for (kind, list) in cut["components"].as_object_mut().expect("components") {
        if kind == "securitySchemes" {
            continue;
        }
        if let Some(list) = list.as_object_mut() {
            list.retain(|name, _| seen.contains(&format!("#/components/{kind}/{name}")));
        }
    }
    cut
}

/// The name a "cannot find `Name` in `types`" error is about, if it is one.
fn missing_type(message: &str) -> Option<&str> {
    if !message.contains("cannot find") || !message.contains("`types`") {
        return None;
    }
    message.split('`').nth(1)
}

#[test]
fn import_of_1_21_2_into_our_spec_cut_back_to_1_10_0_compiles_the_whole_crate() {
    let (Some(v1_10), Some(upstream)) = (
        common::shared_file("upstream/wpe-swagger-1.10.0.json"),
        common::shared_file("upstream/wpe-swagger-1.21.2.skeleton.json"),
    ) else {
        return;
    };
    let current = read_json(&root().join("spec/openapi.json"));
    let cut = cut_back(&current, &read_json(&v1_10));
    assert_eq!(
        endpoints(&cut).len(),
        50,
        "1.10.0 has 50 operations, and ours has each"
    );
    let dir = common::scratch("import-1.21.2");
    let spec = dir.join("openapi.json");
    write_json(&spec, &cut);
    let report = import(&spec, &upstream, &root().join("spec/deviations.json"));
    assert_eq!(
        report["import"]["operations"]
            .as_array()
            .expect("operations")
            .len(),
        18,
        "{report:#}"
    );
    let imported = read_json(&spec);

    // What today's hand-written code may not find: the types of the operations 1.21.2 lacks.
    let later = {
        let mut only_later = std::collections::BTreeSet::new();
        let cut_to_1_21 = cut_back(&current, &read_json(&upstream));
        let mut seen = std::collections::BTreeSet::new();
        reachable(&cut_to_1_21, &cut_to_1_21["paths"], &mut seen);
        for name in current["components"]["schemas"]
            .as_object()
            .expect("schemas")
            .keys()
        {
            if !seen.contains(&format!("#/components/schemas/{name}")) {
                only_later.insert(name.clone());
            }
        }
        only_later
    };

    let ws = scratch_workspace("1.10.0-to-1.21.2", &spec);
    let out = cargo(
        &ws,
        &[
            "check",
            "-p",
            "wpe-api",
            "--features",
            "fake,dispatch",
            "--message-format=json",
        ],
    );
    let (ran, errors) = messages(&out.stdout);
    assert!(
        ran,
        "wpe-api's build script refused the import:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let wrong: Vec<&(String, String)> = errors
        .iter()
        .filter(|(_, message)| {
            !missing_type(message).is_some_and(|name| {
                later.contains(name) && imported["components"]["schemas"].get(name).is_none()
            })
        })
        .collect();
    eprintln!(
        "{} error(s), all naming types of operations after 1.21.2 ({later:?}):",
        errors.len()
    );
    for (file, message) in &errors {
        eprintln!("  {file}: {message}");
    }
    assert!(
        wrong.is_empty(),
        "the crate's hand-written code does not compile against the import (only the types of later operations may be missing): {wrong:#?}"
    );
}

#[test]
fn import_of_1_6_15_then_1_10_0_into_an_empty_spec_is_accepted_by_the_build() {
    let (Some(v1_6), Some(v1_10)) = (
        common::shared_file("upstream/older/wpe-swagger-1.6.15.json"),
        common::shared_file("upstream/wpe-swagger-1.10.0.json"),
    ) else {
        return;
    };
    let dir = common::scratch("import-1.10.0");
    let spec = dir.join("openapi.json");
    write_json(
        &spec,
        &json!({"openapi": "3.0.3", "info": {"title": "WP Engine Customer API (imported)", "version": "0"}, "paths": {}}),
    );
    let devs = convention_deviations(&dir);
    import(&spec, &v1_6, &devs);
    import(&spec, &v1_10, &devs);
    build_script_accepts("1.6.15-to-1.10.0", &spec);
}

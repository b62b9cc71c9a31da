//! `wpe --demo` keeps its stand-in between commands: the `wpe` binary run
//! as a newcomer runs it, command after command, each test with a state
//! file of its own (`WPE_DEMO_STATE`). Where time has to pass for the
//! stand-in, `WPE_DEMO_SKIP` moves its clock on; nothing sleeps.

use std::fs;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

/// A folder for one test's demo state, and `wpe --demo` commands using it.
struct Demo {
    dir: tempfile::TempDir,
}

impl Demo {
    fn new() -> Demo {
        Demo {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn state(&self) -> PathBuf {
        self.dir.path().join("demo-state.json")
    }

    /// `wpe --demo ARGS`, with no credentials and this test's state file.
    fn wpe(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_wpe"));
        command
            .env_remove("WPE_API_URL")
            .env_remove("WPE_API_USER")
            .env_remove("WPE_API_PASSWORD")
            .env_remove("WPE_DEMO_SKIP")
            .env("WPE_DEMO_STATE", self.state())
            .arg("--demo")
            .args(args);
        command
    }

    /// Runs `wpe --demo ARGS` and returns its exit code, stdout and stderr.
    fn run(&self, args: &[&str]) -> (i32, String, String) {
        finished(self.wpe(args).output().unwrap())
    }

    /// Runs `wpe --demo --json ARGS`, which must succeed, and parses its answer.
    fn json(&self, args: &[&str]) -> Value {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        let (code, stdout, stderr) = self.run(&all);
        assert_eq!(code, 0, "wpe --demo {args:?}: {stderr}");
        serde_json::from_str(&stdout).unwrap_or_else(|err| panic!("{err}: {stdout}"))
    }
}

fn finished(output: std::process::Output) -> (i32, String, String) {
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

const CREATE: &[&str] = &[
    "backups",
    "create",
    "torquemag",
    "--description",
    "before deploy",
    "--notification-emails",
    "ops@example.com",
];

fn backup_ids(demo: &Demo) -> Vec<String> {
    demo.json(&["backups", "list", "torquemag"])
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["id"].as_str().unwrap().to_owned())
        .collect()
}

fn entries(state: &Path) -> usize {
    let file: Value = serde_json::from_slice(&fs::read(state).unwrap()).unwrap();
    file["journal"]["entries"].as_array().unwrap().len()
}

#[test]
fn a_backup_made_by_one_command_is_waited_for_and_archived_by_the_next() {
    let demo = Demo::new();
    let created = demo.json(CREATE);
    assert_eq!(created["status"], "requested");
    let id = created["id"].as_str().unwrap();

    // Five seconds later, for the stand-in, the backup is complete.
    let shown = demo.json_skipping("5", &["backups", "show", "torquemag", id]);
    assert_eq!(shown["status"], "completed", "{shown}");
    let waited = demo.json(&["backups", "wait", "torquemag", id]);
    assert_eq!(waited["id"], id);
    assert_eq!(waited["status"], "completed");

    // No archive yet: said at once, naming the command that requests one.
    let (code, _, stderr) = demo.run(&["backups", "wait-archive", "torquemag", id]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("no archive of backup"), "{stderr}");
    assert!(
        stderr.contains("wpe backups create-archive torquemag"),
        "{stderr}"
    );

    let (code, _, stderr) = demo.run(&[
        "backups",
        "create-archive",
        "torquemag",
        "--backup-id",
        id,
        "--notification-emails",
        "ops@example.com",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let archive = demo.json_skipping("5", &["backups", "wait-archive", "torquemag", id]);
    assert_eq!(archive["state"], "completed", "{archive}");
    assert_eq!(archive["backup"]["id"], id);
    assert!(archive["download_uri"].as_str().is_some(), "{archive}");

    // --since: only an archive requested since then ends the wait.
    let (code, _, stderr) = demo.run(&[
        "backups",
        "wait-archive",
        "torquemag",
        id,
        "--since",
        "2999-01-01T00:00:00Z",
    ]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("since 2999-01-01"), "{stderr}");
}

impl Demo {
    /// [`Demo::json`] with the stand-in's clock moved on by `seconds` first.
    fn json_skipping(&self, seconds: &str, args: &[&str]) -> Value {
        let output = self
            .wpe(&["--json"])
            .args(args)
            .env("WPE_DEMO_SKIP", seconds)
            .output()
            .unwrap();
        let (code, stdout, stderr) = finished(output);
        assert_eq!(code, 0, "wpe --demo {args:?}: {stderr}");
        serde_json::from_str(&stdout).unwrap_or_else(|err| panic!("{err}: {stdout}"))
    }
}

#[test]
fn two_demo_commands_at_once_both_land() {
    let demo = Demo::new();
    let quiet = |mut command: Command| {
        command
            .arg("--json")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        command.spawn().unwrap()
    };
    let first = quiet(demo.wpe(CREATE));
    let second = quiet(demo.wpe(CREATE));
    let made: Vec<String> = [first, second]
        .into_iter()
        .map(|child| {
            let (code, stdout, stderr) = finished(child.wait_with_output().unwrap());
            assert_eq!(code, 0, "{stderr}");
            let created: Value = serde_json::from_str(&stdout).unwrap();
            created["id"].as_str().unwrap().to_owned()
        })
        .collect();
    assert_ne!(made[0], made[1]);
    let listed = backup_ids(&demo);
    for id in &made {
        assert!(listed.contains(id), "{id} is not in {listed:?}");
    }
    assert_eq!(entries(&demo.state()), 2);
}

#[test]
fn a_command_that_finds_the_state_in_use_says_it_waits() {
    let demo = Demo::new();
    let lock = fs::File::create(demo.dir.path().join("demo-state.json.lock")).unwrap();
    lock.lock().unwrap();
    let mut child = demo
        .wpe(&["--json"])
        .args(CREATE)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut said = String::new();
    stderr.read_line(&mut said).unwrap();
    assert!(
        said.contains("waiting for another `wpe --demo` command"),
        "{said}"
    );
    assert!(
        !demo.state().exists(),
        "it wrote while another held the lock"
    );
    lock.unlock().unwrap();
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(entries(&demo.state()), 1);
}

#[test]
fn a_damaged_state_file_is_refused_and_left_as_it_is() {
    let demo = Demo::new();
    for (text, says) in [
        ("{\"format\": 1, \"journal\": ", "is not JSON"),
        ("{\"format\": 99}", "is of format 99"),
        ("{\"something\": \"else\"}", "has no format"),
        ("{\"format\": 1, \"skipped\": {\"secs\": 0, \"nanos\": 0}, \"journal\": {\"start_wall\": \"2026-01-01T00:00:00Z\", \"entries\": [{\"at\": {\"secs\": 0, \"nanos\": 0}, \"user\": \"demo-api-user\", \"method\": \"POST\", \"path\": \"/v1/installs/00000000-0000-4000-8000-000000000000/backups\", \"body\": \"{}\", \"status\": 202}]}}", "does not replay"),
    ] {
        fs::write(demo.state(), text).unwrap();
        let (code, stdout, stderr) = demo.run(&["installs", "list"]);
        assert_eq!(code, 1, "{text}: {stderr}");
        assert!(stdout.is_empty(), "{stdout}");
        assert!(stderr.contains(says), "{text}: {stderr}");
        assert!(stderr.contains("`wpe --demo reset` starts the demo afresh"), "{stderr}");
        assert_eq!(fs::read_to_string(demo.state()).unwrap(), text);
    }
    // reset clears a damaged file too.
    let (code, stdout, _) = demo.run(&["reset"]);
    assert_eq!(code, 0);
    assert!(stdout.contains("Forgot the demo state"), "{stdout}");
    assert_eq!(
        demo.json(&["installs", "list"]).as_array().unwrap().len(),
        9
    );
}

#[test]
fn reset_forgets_what_earlier_demo_commands_did() {
    let demo = Demo::new();
    let (code, stdout, stderr) = demo.run(&["reset"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("There was no demo state"), "{stdout}");

    let seeded = backup_ids(&demo);
    let id = demo.json(CREATE)["id"].as_str().unwrap().to_owned();
    assert!(backup_ids(&demo).contains(&id));
    let (code, stdout, stderr) = demo.run(&["reset"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("Forgot the demo state"), "{stdout}");
    assert!(!demo.state().exists());
    assert_eq!(backup_ids(&demo), seeded);

    // Without --demo there is nothing to reset.
    let output = Command::new(env!("CARGO_BIN_EXE_wpe"))
        .env("WPE_DEMO_STATE", demo.state())
        .arg("reset")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn the_state_is_kept_in_the_cache_directory_by_default() {
    let demo = Demo::new();
    let cache = demo.dir.path().join("cache");
    let output = demo
        .wpe(&["--json"])
        .args(CREATE)
        .env_remove("WPE_DEMO_STATE")
        .env("XDG_CACHE_HOME", &cache)
        .env("HOME", demo.dir.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(entries(&cache.join("wpe").join("demo-state.json")), 1);
}

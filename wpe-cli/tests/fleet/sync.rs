//! `wpe fleet sync` against the stand-in over HTTP, each test with a mirror
//! of its own in a temporary folder, read back with SQLite (the views the
//! other `wpe fleet` commands read) and as raw bytes.

use std::future::Future;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::sync::Arc;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};
use serde_json::{json, Value};
use tempfile::TempDir;
use uuid::Uuid;
use wpe_api::clock::VirtualClock;
use wpe_api::fake::{
    FakeConfig, FaultKind, Faults, Seed, DEMO_PASSWORD, DEMO_USER, PARTIAL_PASSWORD, PARTIAL_USER,
};

use crate::common::{fresh_demo_state, json_of, run, Run, Stand};

/// A folder for a test's mirrors, removed when the test ends.
fn folder() -> TempDir {
    tempfile::tempdir().unwrap()
}

/// `wpe fleet --db DB sync --json ARGS` as the demo user.
fn sync(stand: &Stand, db: &Path, args: &[&str]) -> Run {
    run(stand
        .wpe()
        .arg("fleet")
        .arg("--db")
        .arg(db)
        .args(["sync", "--json"])
        .args(args))
}

/// The summary of a sync that must succeed.
fn synced(stand: &Stand, db: &Path, args: &[&str]) -> Value {
    let run = sync(stand, db, args);
    assert_eq!(run.code, 0, "stderr: {}", run.stderr);
    json_of(&run.stdout)
}

/// `(added, changed, removed, unchanged, rows_written)` of a summary.
fn counts(summary: &Value) -> [u64; 5] {
    ["added", "changed", "removed", "unchanged", "rows_written"].map(|field| {
        summary[field]
            .as_u64()
            .unwrap_or_else(|| panic!("{field}: {summary}"))
    })
}

/// The mirror, opened read-only.
fn open(db: &Path) -> Connection {
    Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap()
}

/// The one number `sql` answers.
fn number(db: &Path, sql: &str) -> i64 {
    open(db).query_row(sql, [], |row| row.get(0)).unwrap()
}

/// The one text `sql` answers.
fn text(db: &Path, sql: &str) -> String {
    open(db).query_row(sql, [], |row| row.get(0)).unwrap()
}

/// Every row of `snapshots` and `records`, every column, in order: two
/// dumps are equal when the mirror holds the same rows.
fn dump(db: &Path) -> Vec<String> {
    let conn = open(db);
    let mut lines = Vec::new();
    for table in ["snapshots", "records"] {
        let mut statement = conn
            .prepare(&format!("SELECT * FROM {table} ORDER BY id"))
            .unwrap();
        let columns = statement.column_count();
        let rows = statement
            .query_map([], |row| {
                (0..columns)
                    .map(|i| row.get::<_, rusqlite::types::Value>(i))
                    .collect::<Result<Vec<_>, _>>()
            })
            .unwrap();
        for row in rows {
            lines.push(format!("{table}: {:?}", row.unwrap()));
        }
    }
    lines
}

/// A stand-in with the demo seed whose clock stands still until the test
/// moves it (`server.advance`).
fn still_stand() -> Stand {
    Stand::with_config(FakeConfig {
        clock: Arc::new(VirtualClock::manual()),
        ..FakeConfig::with_seed(Seed::Demo)
    })
}

/// Every kind the demo seed has is recorded, as many as the seed has (the
/// five newest backups of an install that has more); offload settings,
/// which no install of the seed has, are no record. A second sync with
/// nothing changed writes no row and finds every record unchanged.
#[test]
fn a_sync_of_the_demo_seed_records_every_kind_and_a_second_one_writes_nothing() {
    let stand = still_stand();
    let torquemag = stand.install_id("torquemag");
    let install: Uuid = torquemag.parse().unwrap();
    // Six backups a minute apart: the oldest is not among the five kept.
    let mut backups = Vec::new();
    for n in 0..6 {
        let backup = stand
            .block_on(
                stand
                    .client()
                    .create_backup()
                    .install_id(install)
                    .body_map(|b| {
                        b.description(format!("backup {n}"))
                            .notification_emails(vec!["ops@example.com".into()])
                    })
                    .send(),
            )
            .unwrap()
            .into_inner();
        backups.push(backup.id.to_string());
        stand.server.advance(Duration::from_secs(60));
    }
    let offload = stand.block_on(
        stand
            .client()
            .get_offload_settings()
            .install_id(install)
            .send(),
    );
    assert_eq!(
        offload.unwrap_err().status().map(|s| s.as_u16()),
        Some(404),
        "the seed has no offload settings"
    );

    let dir = folder();
    let db = dir.path().join("fleet.sqlite");
    let first = sync(&stand, &db, &[]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    // Standard error holds nothing but warnings: the SFTP users of the
    // Autoscale account, which no credentials may read.
    for line in first.stderr.lines() {
        assert!(
            line.starts_with("wpe: warning: could not read the SFTP users of install clientblog"),
            "{line}"
        );
    }
    let first = json_of(&first.stdout);
    assert_eq!(first["snapshot"], 1);
    assert_eq!(first["mirror"], db.display().to_string());
    assert!(first["requests"].as_u64().unwrap() > 0, "{first}");
    assert!(first["elapsed_seconds"].is_number(), "{first}");

    let count = |view: &str| number(&db, &format!("SELECT count(*) FROM {view}"));
    let per_view = [
        ("accounts", 3),
        // Three on the agency, two on the client's account, one on the sandbox.
        ("account_users", 6),
        ("sites", 4),
        ("installs", 9),
        ("domains", 5),
        ("certificates", 2),
        // One completed backup on six installs; five of the six new ones on torquemag.
        ("backups", 6 + 5),
        ("ssh_keys", 1),
        ("sftp_users", 1),
        ("cache_exclusions", 9),
        ("offload_settings", 0),
        ("usage_summaries", 3),
    ];
    for (view, expected) in per_view {
        assert_eq!(count(view), expected, "{view}");
    }
    let total: i64 = per_view.iter().map(|(_, n)| n).sum();
    assert_eq!(counts(&first), [total as u64, 0, 0, 0, total as u64]);
    let kept: Vec<String> = {
        let conn = open(&db);
        let mut statement = conn
            .prepare("SELECT id FROM backups WHERE install_id = ?1 ORDER BY id")
            .unwrap();
        let rows = statement.query_map([&torquemag], |row| row.get(0)).unwrap();
        rows.collect::<Result<_, _>>().unwrap()
    };
    let mut newest = backups[1..].to_vec();
    newest.sort();
    assert_eq!(kept, newest, "the five newest backups");
    // A site's installs are records of their own, not part of its body.
    assert_eq!(
        count("sites WHERE json_extract(body, '$.installs') IS NOT NULL"),
        0
    );
    // Last month's usage, as `wpe report usage` reads it.
    let usage: Value =
        serde_json::from_str(&text(&db, "SELECT body FROM usage_summaries LIMIT 1")).unwrap();
    for field in ["month", "from", "to", "summary", "insights", "limits"] {
        assert!(usage.get(field).is_some(), "{field}: {usage}");
    }
    assert_eq!(
        number(
            &db,
            "SELECT count(*) FROM usage_summaries WHERE month = json_extract(body, '$.month')"
        ),
        3
    );

    let second = synced(&stand, &db, &[]);
    assert_eq!(second["snapshot"], 2);
    assert_eq!(counts(&second), [0, 0, 0, total as u64, 0]);
    assert_eq!(count("records"), total, "no row added");
}

/// A PHP version changed between two syncs is one new version of one
/// install: one row added, one closed.
#[test]
fn a_changed_php_version_is_one_row_written_and_one_closed() {
    let stand = Stand::demo();
    let dir = folder();
    let db = dir.path().join("fleet.sqlite");
    synced(&stand, &db, &[]);
    let rows = number(&db, "SELECT count(*) FROM records");
    let torquemag = stand.install_id("torquemag");

    stand
        .server
        .set_php_version(torquemag.parse().unwrap(), "8.3");
    let second = synced(&stand, &db, &[]);
    assert_eq!(counts(&second)[..3], [0, 1, 0]);
    assert_eq!(second["rows_written"], 1);
    assert_eq!(number(&db, "SELECT count(*) FROM records"), rows + 1);
    assert_eq!(
        number(
            &db,
            "SELECT count(*) FROM records WHERE disappeared IS NOT NULL"
        ),
        1
    );
    let closed = text(
        &db,
        "SELECT key FROM records WHERE disappeared = 2 AND kind = 'install'",
    );
    assert_eq!(closed, torquemag);
    assert_eq!(
        text(
            &db,
            &format!("SELECT php_version FROM installs WHERE id = '{torquemag}'")
        ),
        "8.3"
    );
}

/// `--account demoagency` reads that account alone: a change in another
/// account is not seen, and nothing of the others is closed.
#[test]
fn a_sync_of_one_account_leaves_the_others_as_they_were() {
    let stand = Stand::demo();
    let dir = folder();
    let db = dir.path().join("fleet.sqlite");
    synced(&stand, &db, &[]);
    let agency = stand.account_id("demoagency");
    let others = |db: &Path| {
        dump(db)
            .into_iter()
            .filter(|line| line.starts_with("records") && !line.contains(&agency))
            .collect::<Vec<_>>()
    };
    let others_before = others(&db);
    stand
        .server
        .set_php_version(stand.install_id("torquemag").parse().unwrap(), "8.3");
    stand
        .server
        .set_php_version(stand.install_id("clientblog").parse().unwrap(), "8.3");

    let summary = synced(&stand, &db, &["--account", "demoagency"]);
    assert_eq!(counts(&summary)[..3], [0, 1, 0], "{summary}");
    assert_eq!(
        text(&db, "SELECT accounts FROM snapshots WHERE id = 2"),
        json!([agency]).to_string()
    );
    // Every row of the other accounts (and the user's SSH key) as it was.
    assert_eq!(others(&db), others_before);
    assert!(others_before.len() > 10, "{others_before:?}");
    assert_eq!(
        text(
            &db,
            "SELECT php_version FROM installs WHERE name = 'clientblog'"
        ),
        "8.2"
    );
    assert_eq!(
        number(
            &db,
            "SELECT count(*) FROM records WHERE appeared = 2 OR disappeared = 2"
        ),
        2,
        "torquemag's old version closed and its new one added"
    );
}

/// Pat's credentials may not read the SFTP users of the Autoscale
/// account's installs (a 403): the sync succeeds, names those lists, and
/// closes nothing of them. To show that, the mirror is given an SFTP user
/// of one of them as an earlier sync would have read it (while the account
/// allowed SFTP), and one of a list Pat may read that the API no longer
/// has: the first is kept, the second closed.
#[test]
fn credentials_that_cannot_read_a_list_leave_it_unread_and_close_nothing_of_it() {
    let stand = Stand::demo();
    let dir = folder();
    let db = dir.path().join("fleet.sqlite");
    let as_pat = |args: &[&str]| {
        run(stand
            .wpe()
            .env("WPE_API_USER", PARTIAL_USER)
            .env("WPE_API_PASSWORD", PARTIAL_PASSWORD)
            .arg("fleet")
            .arg("--db")
            .arg(&db)
            .args(["sync", "--json"])
            .args(args))
    };
    let first = as_pat(&[]);
    assert_eq!(first.code, 0, "{}", first.stderr);

    let client = stand.account_id("democlient");
    let clientblog = stand.install_id("clientblog");
    let agency = stand.account_id("demoagency");
    let torquemag = stand.install_id("torquemag");
    let conn = Connection::open(&db).unwrap();
    for (account, install, name) in [
        (&client, &clientblog, "clientblog-old"),
        (&agency, &torquemag, "torquemag-gone"),
    ] {
        conn.execute(
            "INSERT INTO records (kind, key, account_id, install_id, body, appeared) \
             VALUES ('sftp_user', ?1, ?2, ?3, ?4, 1)",
            rusqlite::params![
                format!("{install}/{name}"),
                account,
                install,
                json!({"name": name, "path": null}).to_string()
            ],
        )
        .unwrap();
    }
    drop(conn);

    let second = as_pat(&[]);
    assert_eq!(second.code, 0, "{}", second.stderr);
    let summary = json_of(&second.stdout);
    let unread: Vec<(String, String)> = summary["unread"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            assert!(u["reason"].as_str().unwrap().starts_with("403"), "{u}");
            assert_eq!(u["account"], "democlient", "{u}");
            (
                u["kind"].as_str().unwrap().to_owned(),
                u["install"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        unread,
        ["clientblog", "clientblogdev", "clientblogstg"]
            .map(|install| ("sftp_user".to_owned(), install.to_owned()))
    );
    for install in ["clientblog", "clientblogdev", "clientblogstg"] {
        assert!(
            second.stderr.contains(&format!(
                "wpe: warning: could not read the SFTP users of install {install} (account democlient)"
            )),
            "{}",
            second.stderr
        );
    }
    assert_eq!(summary["removed"], 1, "{summary}");
    let current = |name: &str| {
        number(
            &db,
            &format!("SELECT count(*) FROM sftp_users WHERE name = '{name}'"),
        )
    };
    assert_eq!(current("clientblog-old"), 1, "kept: its list was unread");
    assert_eq!(current("torquemag-gone"), 0, "closed: its list was read");
    let recorded: Value =
        serde_json::from_str(&text(&db, "SELECT unread FROM snapshots WHERE id = 2")).unwrap();
    assert_eq!(recorded.as_array().unwrap().len(), 3, "{recorded}");
}

/// A password sent to create an SFTP user is nowhere in the mirror's
/// file, nor in anything beside it, though the user is.
#[test]
fn the_mirror_holds_no_trace_of_a_password() {
    let stand = Stand::demo();
    let password = "Plugins-Only-2026";
    let created = run(stand
        .wpe()
        .args(["sftp-users", "create", "torquemag", "--body", "-", "--json"])
        .write_stdin(json!({"name": "developer", "password": password}).to_string()));
    assert_eq!(created.code, 0, "{}", created.stderr);
    let dir = folder();
    let db = dir.path().join("fleet.sqlite");
    let summary = synced(&stand, &db, &[]);
    assert!(!summary.to_string().contains(password));
    assert_eq!(
        number(
            &db,
            "SELECT count(*) FROM sftp_users WHERE name = 'torquemag-developer'"
        ),
        1
    );
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        assert!(
            !bytes
                .windows(password.len())
                .any(|w| w == password.as_bytes()),
            "the password is in the mirror's files"
        );
    }
}

/// How long the stand-in holds each request on its manual clock.
const LATENCY: Duration = Duration::from_millis(10);

/// How long a step of the killed-sync test may take before the test
/// fails instead of hanging (a fail-safe, not a measurement).
const FAIL_SAFE: Duration = Duration::from_secs(120);

/// `what`, or a failure after [`FAIL_SAFE`].
async fn within<T>(what: &str, step: impl Future<Output = T>) -> T {
    tokio::time::timeout(FAIL_SAFE, step)
        .await
        .unwrap_or_else(|_| panic!("no {what} within {FAIL_SAFE:?}"))
}

/// `wpe fleet --db DB sync ARGS` as a child of the stand-in's runtime, as
/// the demo user, its output piped.
fn spawn_sync(stand: &Stand, db: &Path, args: &[&str]) -> tokio::process::Child {
    let _runtime = stand.runtime.enter();
    tokio::process::Command::new(env!("CARGO_BIN_EXE_wpe"))
        .env("WPE_API_URL", stand.server.base_url())
        .env("WPE_API_USER", DEMO_USER)
        .env("WPE_API_PASSWORD", DEMO_PASSWORD)
        .env("WPE_DEMO_STATE", fresh_demo_state())
        .arg("fleet")
        .arg("--db")
        .arg(db)
        .args(["sync", "--json"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap()
}

/// The requests the stand-in holds on its manual clock, one by one.
///
/// `VirtualClock::next_sleep` hands out the clock's sleeps in order, and
/// takes its turn as soon as it is first polled: a wait dropped unfinished
/// (when the sync ends first) would leave a turn no sleep ever fills, and
/// the next wait would miss a request. So the wait in progress is kept
/// here, and the next call goes on with it.
struct Held {
    clock: VirtualClock,
    waiting: Option<std::pin::Pin<Box<dyn Future<Output = Duration> + Send>>>,
    /// How many sleeps have been handed out.
    seen: usize,
}

impl Held {
    fn new(clock: &VirtualClock) -> Held {
        Held {
            clock: clock.clone(),
            waiting: None,
            seen: 0,
        }
    }

    /// Waits until a request is held (or was, and is not yet counted).
    async fn next(&mut self) {
        let clock = self.clock.clone();
        let waiting = self
            .waiting
            .get_or_insert_with(|| Box::pin(async move { clock.next_sleep().await }));
        waiting.as_mut().await;
        self.waiting = None;
        self.seen += 1;
    }

    /// Counts the requests held (and let through) so far, so that the next
    /// [`Held::next`] is a request that arrives from now on.
    async fn catch_up(&mut self) {
        while self.seen < self.clock.sleeps().len() {
            self.next().await;
        }
    }

    /// Lets every request held so far go on to its answer.
    fn let_through(&self) {
        self.clock.advance(LATENCY);
    }

    /// Waits for `child` to end, letting through each request held meanwhile.
    async fn answering(&mut self, child: tokio::process::Child) -> Output {
        let mut ended = std::pin::pin!(child.wait_with_output());
        within("end of the sync", async {
            loop {
                tokio::select! {
                    output = &mut ended => return output.unwrap(),
                    () = self.next() => self.let_through(),
                }
            }
        })
        .await
    }
}

/// The summary of a sync that ended well.
fn summary_of(output: &Output) -> Value {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    json_of(&String::from_utf8_lossy(&output.stdout))
}

/// A sync killed (SIGKILL) while it reads leaves the mirror as the sync
/// before it wrote it, and the next sync goes through.
///
/// How the test knows the sync is reading when it is killed: the stand-in
/// holds every request for [`LATENCY`] on a manual clock, which moves only
/// when the test moves it. The clock tells the test when a request arrives
/// and is held (see [`Held`]); moving the clock lets it through. With
/// `--concurrency 1` the killed sync has one request in flight at a time,
/// so after letting twenty through, the next one the clock reports is held
/// and unanswered: the sync is waiting on it, in the middle of its reads
/// (it writes only once every read is done), when the test kills it.
#[test]
fn a_sync_killed_while_it_reads_leaves_the_mirror_as_it_was() {
    let clock = VirtualClock::manual();
    let stand = Stand::with_config(FakeConfig {
        latency: LATENCY,
        clock: Arc::new(clock.clone()),
        ..FakeConfig::with_seed(Seed::Demo)
    });
    let dir = folder();
    let db = dir.path().join("fleet.sqlite");
    let mut held = Held::new(&clock);
    let first = stand.block_on(held.answering(spawn_sync(&stand, &db, &[])));
    let first = summary_of(&first);
    let requests = first["requests"].as_u64().unwrap();
    let before = dump(&db);
    // From the mirror: a request of the test's own would be held too.
    let torquemag = text(&db, "SELECT id FROM installs WHERE name = 'torquemag'");
    stand
        .server
        .set_php_version(torquemag.parse().unwrap(), "8.3");

    // Every request of the first sync counted: the next one held is the
    // killed sync's first.
    stand.block_on(held.catch_up());
    let mut child = spawn_sync(&stand, &db, &["--concurrency", "1"]);
    let let_through = 20;
    assert!(requests > let_through + 1, "{first}");
    let status = stand.block_on(async {
        for n in 0..=let_through {
            tokio::select! {
                status = child.wait() => panic!("the sync ended early: {status:?}"),
                () = within("a request", held.next()) => {}
            }
            if n < let_through {
                held.let_through();
            }
        }
        // The one request in flight is held: the sync waits for its answer.
        child.start_kill().unwrap();
        child.wait().await.unwrap()
    });
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(status.signal(), Some(9), "{status:?}");

    assert_eq!(
        dump(&db),
        before,
        "the mirror holds the first snapshot alone"
    );
    let conn = open(&db);
    let check: String = conn
        .query_row("PRAGMA quick_check", [], |row| row.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    let php: String = conn
        .query_row(
            "SELECT php_version FROM installs WHERE name = 'torquemag'",
            [],
            |row| row.get(0),
        )
        .unwrap();
    assert_eq!(php, "8.2");
    drop(conn);

    let third = stand.block_on(held.answering(spawn_sync(&stand, &db, &[])));
    let third = summary_of(&third);
    assert_eq!(third["snapshot"], 2, "{third}");
    assert_eq!(counts(&third)[..3], [0, 1, 0], "{third}");
}

/// A list that keeps failing (a 503 at every attempt, past the client's
/// retries) stops the sync: the error names the list, and the mirror
/// keeps the snapshot before it, row for row.
#[test]
fn a_sync_that_fails_writes_nothing_and_names_the_list() {
    let dir = folder();
    let db = dir.path().join("fleet.sqlite");
    synced(&Stand::demo(), &db, &[]);
    let before = dump(&db);
    let bytes = std::fs::read(&db).unwrap();

    // The same seed (so the same IDs), behind a gateway that always fails.
    let failing = Stand::with_config(FakeConfig {
        faults: Faults::none().with_rate(FaultKind::ServiceUnavailable, 1.0),
        ..FakeConfig::with_seed(Seed::Demo)
    });
    let failed = sync(&failing, &db, &[]);
    assert_eq!(failed.code, 1, "{}", failed.stderr);
    assert_eq!(failed.stdout, "");
    let message = failed.stderr.trim();
    assert!(
        message.starts_with("wpe: could not read the accounts: 503")
            && message.contains("nothing was written to the mirror")
            && message.contains("run `wpe fleet sync` again later"),
        "{message}"
    );
    assert!(
        failing
            .server
            .fault_counts()
            .get(FaultKind::ServiceUnavailable)
            > 1,
        "the client retried"
    );
    assert_eq!(dump(&db), before);
    assert_eq!(std::fs::read(&db).unwrap(), bytes);
}

/// A file `wpe fleet sync` must not write to, and what it says of it.
struct Refused {
    what: &'static str,
    path: PathBuf,
    code: i32,
    says: &'static str,
}

/// A damaged mirror (pages overwritten, or cut short), a text file,
/// another program's SQLite database and a mirror of a newer `wpe` are
/// each refused with a message saying what to do: before any request
/// reaches the API, and with the file's bytes as they were.
#[test]
fn a_damaged_foreign_or_newer_file_is_refused_before_any_request() {
    let dir = folder();
    let good = dir.path().join("good.sqlite");
    synced(&Stand::demo(), &good, &[]);
    let mirror = std::fs::read(&good).unwrap();
    assert!(mirror.len() > 4 * 4096, "{}", mirror.len());
    let file = |name: &str, bytes: &[u8]| {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    };

    let mut overwritten = mirror.clone();
    overwritten[4096..8192].fill(0x5a);
    let other = dir.path().join("other.sqlite");
    Connection::open(&other)
        .unwrap()
        .execute_batch("CREATE TABLE notes (text TEXT); INSERT INTO notes VALUES ('mine');")
        .unwrap();
    let newer = file("newer.sqlite", &mirror);
    Connection::open(&newer)
        .unwrap()
        .pragma_update(None, "user_version", 99)
        .unwrap();
    let cases = [
        Refused {
            what: "pages overwritten",
            path: file("overwritten.sqlite", &overwritten),
            code: 1,
            says: "is damaged",
        },
        Refused {
            what: "cut short",
            path: file("truncated.sqlite", &mirror[..mirror.len() / 2]),
            code: 1,
            says: "is damaged",
        },
        Refused {
            what: "text",
            path: file(
                "notes.txt",
                "not a database at all, but long enough\n"
                    .repeat(10)
                    .as_bytes(),
            ),
            code: 2,
            says: "is not a mirror of `wpe fleet`",
        },
        Refused {
            what: "another program's database",
            path: other,
            code: 2,
            says: "is not a mirror of `wpe fleet`",
        },
        Refused {
            what: "newer",
            path: newer,
            code: 2,
            says: "has schema version 99, newer than this wpe's",
        },
    ];
    for case in cases {
        let bytes = std::fs::read(&case.path).unwrap();
        let stand = Stand::demo();
        let refused = sync(&stand, &case.path, &[]);
        assert_eq!(refused.code, case.code, "{}: {}", case.what, refused.stderr);
        assert!(
            refused.stderr.contains(case.says) && refused.stderr.contains("nothing was written"),
            "{}: {}",
            case.what,
            refused.stderr
        );
        assert!(
            stand.server.sent_responses().is_empty(),
            "{}: a request was sent",
            case.what
        );
        assert_eq!(
            std::fs::read(&case.path).unwrap(),
            bytes,
            "{}: the file changed",
            case.what
        );
    }
}

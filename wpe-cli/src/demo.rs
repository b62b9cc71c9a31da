//! What `wpe --demo` keeps from one command to the next: the demo stand-in's
//! journal ([`wpe_api::fake::Journal`]) in a file under the user's cache
//! directory, locked for as long as a command runs, and `wpe --demo reset`.
//!
//! Each command replays the journal into a fresh stand-in, with the wall
//! time since the first command gone by for it too (a backup started by one
//! command is complete a few seconds later in the next), and writes the
//! journal back, whole, to a temporary file renamed over the old one. An
//! exclusive lock on a file beside it (`demo-state.json.lock`) keeps two
//! commands from reading and writing it at once: the second waits, and says
//! so. A state file that cannot be read, is of another format, or does not
//! replay is left as it is, with a message naming `wpe --demo reset`.

use std::fs::{self, File, OpenOptions, TryLockError};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use clap::{ArgMatches, Command};
use serde::{Deserialize, Serialize};
use wpe_api::fake::{FakeConfig, FakeServer, Journal};

use crate::error::CliError;

/// The command that forgets the demo state.
pub const RESET: &str = "reset";
/// The environment variable naming the state file (the default is
/// `wpe/demo-state.json` under the user's cache directory).
pub const STATE_ENV: &str = "WPE_DEMO_STATE";
/// For tests: seconds by which the demo's clock moves on before a command,
/// on top of the wall time; kept, so the demo's time never goes back.
pub const SKIP_ENV: &str = "WPE_DEMO_SKIP";
/// The version of the state file's layout; a file of another is refused.
const FORMAT: u32 = 1;

/// The state file: its format, the time skipped ([`SKIP_ENV`]) so far,
/// and the stand-in's journal.
#[derive(Serialize, Deserialize)]
struct StateFile {
    format: u32,
    skipped: Duration,
    journal: Journal,
}

/// A demo stand-in resumed from the state file. Unless it was opened to
/// read only, it holds the lock until dropped, and then writes its journal
/// back.
pub struct Session {
    /// The stand-in, in the state the file records.
    pub server: FakeServer,
    path: PathBuf,
    skipped: Duration,
    /// The lock, held while the command runs; `None` when the session
    /// keeps its changes to itself (`wpe --demo mcp`).
    lock: Option<File>,
    /// The journal and skipped time as read, to write only what changed.
    read: Option<(Journal, Duration)>,
}

/// `wpe reset` (with `--demo`).
pub fn command() -> Command {
    Command::new(RESET).about(
        "With --demo: forget what earlier demo commands did, so the next one starts from the demo data",
    )
}

/// The state file: [`STATE_ENV`], else `wpe/demo-state.json` in the user's
/// cache directory.
fn state_path() -> Result<PathBuf, CliError> {
    if let Some(path) = std::env::var_os(STATE_ENV).filter(|p| !p.is_empty()) {
        return Ok(PathBuf::from(path));
    }
    dirs::cache_dir()
        .map(|dir| dir.join("wpe").join("demo-state.json"))
        .ok_or_else(|| {
            CliError::Usage(format!(
                "no cache directory to keep the demo state in: set {STATE_ENV} to a file path"
            ))
        })
}

/// Takes the lock beside `path`, saying so on standard error when another
/// command holds it.
fn lock(path: &Path) -> Result<File, CliError> {
    let failed = |err: io::Error, what: &str| {
        CliError::Failed(format!(
            "could not {what} the demo state in {}: {err}",
            path.display()
        ))
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::create_dir_all(dir).map_err(|err| failed(err, "make the folder for"))?;
    }
    let mut name = path.as_os_str().to_owned();
    name.push(".lock");
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(PathBuf::from(name))
        .map_err(|err| failed(err, "lock"))?;
    match file.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => {
            eprintln!(
                "wpe: waiting for another `wpe --demo` command to finish with {}…",
                path.display()
            );
            file.lock().map_err(|err| failed(err, "lock"))?;
        }
        Err(TryLockError::Error(err)) => return Err(failed(err, "lock")),
    }
    Ok(file)
}

/// The message for a state file that cannot be used.
fn refused(path: &Path, why: impl std::fmt::Display) -> CliError {
    CliError::Failed(format!(
        "the demo state in {} {why}; it is left as it is. `wpe --demo reset` starts the demo afresh",
        path.display()
    ))
}

/// Reads the state file: `None` when there is none.
fn read(path: &Path) -> Result<Option<StateFile>, CliError> {
    let text = match fs::read(path) {
        Ok(text) => text,
        Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(err) => return Err(refused(path, format_args!("cannot be read ({err})"))),
    };
    let value: serde_json::Value = serde_json::from_slice(&text)
        .map_err(|err| refused(path, format_args!("is not JSON ({err})")))?;
    match value.get("format").and_then(serde_json::Value::as_u64) {
        Some(n) if n == u64::from(FORMAT) => {}
        Some(n) => {
            return Err(refused(
                path,
                format_args!("is of format {n}, and this wpe reads format {FORMAT}"),
            ))
        }
        None => {
            return Err(refused(
                path,
                "is not a state file of wpe (it has no format)",
            ))
        }
    }
    serde_json::from_value(value)
        .map(Some)
        .map_err(|err| refused(path, format_args!("is damaged ({err})")))
}

/// Seconds to skip from [`SKIP_ENV`] (zero when not set).
fn skip() -> Result<Duration, CliError> {
    match std::env::var(SKIP_ENV) {
        Err(_) => Ok(Duration::ZERO),
        Ok(text) => text
            .parse::<f64>()
            .ok()
            .and_then(|secs| Duration::try_from_secs_f64(secs).ok())
            .ok_or_else(|| {
                CliError::Usage(format!("{SKIP_ENV}={text:?} is not a number of seconds"))
            }),
    }
}

impl Session {
    /// Resumes the demo stand-in from the state file. With `keep`, the lock
    /// is held until the session is dropped, which writes the journal back;
    /// without, the file is only read, and the session's changes stay its own.
    pub async fn open(keep: bool) -> Result<Session, CliError> {
        let path = state_path()?;
        let lock = lock(&path)?;
        let file = read(&path)?;
        let now = chrono::Utc::now();
        let (journal, skipped) = match &file {
            Some(file) => (file.journal.clone(), file.skipped),
            None => (
                Journal {
                    start_wall: now,
                    entries: Vec::new(),
                },
                Duration::ZERO,
            ),
        };
        let skipped = skipped + skip()?;
        let since_start = (now - journal.start_wall).to_std().unwrap_or_default() + skipped;
        let server = FakeServer::resume(FakeConfig::quick_demo(), &journal, since_start)
            .await
            .map_err(|err| refused(&path, format_args!("does not replay ({err})")))?;
        Ok(Session {
            server,
            path,
            skipped,
            lock: keep.then_some(lock),
            read: file.map(|f| (f.journal, f.skipped)),
        })
    }

    /// Writes the journal to a temporary file beside the state file and
    /// renames it over it.
    fn save(&self) -> Result<(), CliError> {
        let journal = self.server.journal();
        if self
            .read
            .as_ref()
            .is_some_and(|(read, skipped)| *read == journal && *skipped == self.skipped)
        {
            return Ok(());
        }
        let failed = |err: io::Error| {
            CliError::Failed(format!(
                "could not keep the demo state in {}: {err}",
                self.path.display()
            ))
        };
        let dir = match self.path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir,
            _ => Path::new("."),
        };
        let mut file = tempfile::NamedTempFile::new_in(dir).map_err(failed)?;
        let state = StateFile {
            format: FORMAT,
            skipped: self.skipped,
            journal,
        };
        serde_json::to_writer(&mut file, &state).map_err(|err| failed(err.into()))?;
        file.write_all(b"\n").map_err(failed)?;
        file.as_file().sync_all().map_err(failed)?;
        file.persist(&self.path).map_err(|err| failed(err.error))?;
        Ok(())
    }
}

/// Whether a session could not write its state back (see [`save_failed`]).
static SAVE_FAILED: AtomicBool = AtomicBool::new(false);

/// Whether a demo session of this process could not write its state back
/// when it ended: the command's own work may have gone well, but what it
/// changed is lost to the next command, so `wpe` exits 1 (the reason was
/// printed on standard error).
pub fn save_failed() -> bool {
    SAVE_FAILED.load(Ordering::SeqCst)
}

impl Drop for Session {
    fn drop(&mut self) {
        if self.lock.is_some() {
            if let Err(err) = self.save() {
                eprintln!("wpe: {err}");
                SAVE_FAILED.store(true, Ordering::SeqCst);
            }
        }
        // The lock goes with its file, after the state is written.
    }
}

/// `wpe --demo reset`: removes the state file, under the lock.
pub fn reset(demo: bool, _matches: &ArgMatches) -> Result<(), CliError> {
    if !demo {
        return Err(CliError::Usage(
            "`wpe reset` forgets the demo's state: run it as `wpe --demo reset`".into(),
        ));
    }
    let path = state_path()?;
    let _lock = lock(&path)?;
    let mut out = io::stdout().lock();
    match fs::remove_file(&path) {
        Ok(()) => writeln!(
            out,
            "Forgot the demo state in {}: the next `wpe --demo` command starts from the demo data.",
            path.display()
        )?,
        Err(err) if err.kind() == io::ErrorKind::NotFound => writeln!(
            out,
            "There was no demo state in {}: the next `wpe --demo` command starts from the demo data.",
            path.display()
        )?,
        Err(err) => {
            return Err(CliError::Failed(format!(
                "could not remove the demo state in {}: {err}",
                path.display()
            )))
        }
    }
    Ok(())
}

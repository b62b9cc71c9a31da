//! `cargo xtask`: workspace automation; `sync-spec` diffs WP Engine's live spec against the curated `spec/`,
//! `record-answers` records the live API's answers for `sync-spec --answers`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::{Args, Parser, Subcommand};
use sha2::{Digest, Sha256};

use xtask::report::{self, DocSummary, Lock, LockStatus, Report};
use xtask::{answers, build_cost, deviations, diff, fetch, import, model, record};

/// Workspace automation for wpe-api.
#[derive(Debug, Parser)]
#[command(name = "cargo xtask", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Fetch WP Engine's published spec, diff it against spec/openapi.json and report drift.
    ///
    /// With --answers DIR, check answers recorded from the live API against spec/openapi.json instead.
    ///
    /// Exit codes: 0 = ran (with --check: no unacknowledged drift or uncovered finding); 1 = --check
    /// found unacknowledged drift or an uncovered finding (or, with --strict, a stale deviation);
    /// 2 = could not fetch or read a document or a recording.
    SyncSpec(SyncSpecArgs),
    /// Measure what a library user pays to build wpe-api: a new app whose main.rs is the
    /// README's first example against the same program on reqwest + serde, each built in a
    /// fresh target directory in one run (clean debug, incremental, clean release, binary size).
    ///
    /// Exit codes: 0 = measured; 2 = a build failed or a file could not be read or written.
    BuildCost(BuildCostArgs),
    /// Record one answer of the API per GET operation into DIR, redacted, for
    /// `sync-spec --answers DIR`. Never sends anything but a GET.
    ///
    /// Credentials come from WPE_API_USER and WPE_API_PASSWORD (never from the command line);
    /// the API from --base-url, else WPE_API_URL, else the live API.
    ///
    /// Exit codes: 0 = every operation sent got an answer (error answers are recorded and
    /// listed); 1 = some got none (a transport failure after the client's retries);
    /// 2 = could not run: no credentials, the API answered 401, DIR cannot be written.
    RecordAnswers(RecordArgs),
}

#[derive(Debug, Args)]
struct RecordArgs {
    /// Where the recordings are written, one `<operationId>.json` each (created when missing).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// The API's base URL [default: $WPE_API_URL, else https://api.wpengineapi.com/v1].
    #[arg(long, value_name = "URL")]
    base_url: Option<String>,
    /// Use this value for a parameter instead of the first item of its list
    /// (`--id install_id=294deacc-...`); repeatable.
    #[arg(long = "id", value_name = "NAME=VALUE")]
    ids: Vec<String>,
}

#[derive(Debug, Args)]
struct BuildCostArgs {
    /// How many times to build both apps (each run builds both, one after the other).
    #[arg(long, default_value_t = 2)]
    runs: usize,
    /// Skip the release builds (and the binary sizes): about half the time.
    #[arg(long)]
    no_release: bool,
    /// The wpe-api crate to build [default: <workspace>/wpe-api].
    #[arg(long, value_name = "DIR")]
    wpe_api: Option<PathBuf>,
    /// Where the two apps are written [default: <workspace>/target/build-cost].
    #[arg(long, value_name = "DIR")]
    work_dir: Option<PathBuf>,
    /// How many of the wpe-api app's slowest units to list.
    #[arg(long, default_value_t = 10)]
    slowest: usize,
    /// Build the wpe-api app with these wpe-api features instead of its defaults, e.g.
    /// `--features rustls-aws-lc` for the reqwest app's TLS provider.
    #[arg(long, value_delimiter = ',', value_name = "LIST")]
    features: Option<Vec<String>>,
}

#[derive(Debug, Args)]
struct SyncSpecArgs {
    /// Fetch the upstream document from this URL.
    #[arg(long, default_value = fetch::DEFAULT_URL, conflicts_with = "from_file")]
    url: String,
    /// Read the upstream document from a local JSON or YAML file instead of fetching it.
    #[arg(long, value_name = "PATH")]
    from_file: Option<PathBuf>,
    /// Our curated spec [default: <workspace>/spec/openapi.json].
    #[arg(long, value_name = "PATH")]
    spec: Option<PathBuf>,
    /// Deliberate deviations [default: <workspace>/spec/deviations.json].
    #[arg(long, value_name = "PATH")]
    deviations: Option<PathBuf>,
    /// Lock file read for "changed since last sync" and written by --write-lock
    /// [default: <workspace>/spec/upstream.lock.json].
    #[arg(long, value_name = "PATH")]
    lock: Option<PathBuf>,
    /// HTTP timeout per attempt, in seconds.
    #[arg(long, default_value_t = 30, value_name = "SECS")]
    timeout_secs: u64,
    /// Wait before the second attempt of a failed fetch, in milliseconds
    /// (doubled before the third; a `Retry-After` of up to 5 s wins).
    #[arg(long, default_value_t = 250, value_name = "MS")]
    retry_delay_ms: u64,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
    /// Exit 1 when there is unacknowledged drift (stale deviations are warnings unless --strict).
    #[arg(long)]
    check: bool,
    /// With --check, also exit 1 when a deviation entry matches no difference (is stale).
    #[arg(long)]
    strict: bool,
    /// Record upstream's version, digest, operation count and date in the lock file.
    #[arg(long)]
    write_lock: bool,
    /// List every acknowledged change, not just three per deviation.
    #[arg(long, short)]
    verbose: bool,
    /// Write into our spec every operation upstream added (and the definitions it needs),
    /// converted to our conventions, plus new optional properties and enum values; leave the rest
    /// (and every description, as a TODO(import) marker) to a maintainer.
    #[arg(long)]
    import: bool,
    /// With --import: print what would be imported without writing the spec.
    #[arg(long, requires = "import")]
    dry_run: bool,
    /// Check the answers recorded in DIR (one `.json` file each: operationId, request, response)
    /// against our spec instead of comparing it with upstream.
    #[arg(long, value_name = "DIR", conflicts_with_all = ["url", "from_file", "import", "write_lock", "lock"])]
    answers: Option<PathBuf>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::SyncSpec(args) => match sync_spec(&args) {
            Ok(code) => code,
            Err(cause) => {
                eprintln!("error: {cause}");
                ExitCode::from(2)
            }
        },
        Command::BuildCost(args) => {
            let wpe_api = default_path(&args.wpe_api, "wpe-api");
            let opts = build_cost::Options {
                lock: wpe_api.join("../Cargo.lock"),
                wpe_api,
                work_dir: default_path(&args.work_dir, "target/build-cost"),
                runs: args.runs.max(1),
                release: !args.no_release,
                slowest: args.slowest,
                features: args.features,
            };
            match build_cost::run(&opts) {
                Ok(results) => {
                    print!("{}", build_cost::render(&results, opts.slowest));
                    ExitCode::SUCCESS
                }
                Err(cause) => {
                    eprintln!("error: {cause}");
                    ExitCode::from(2)
                }
            }
        }
        Command::RecordAnswers(args) => match record_answers(&args) {
            Ok(code) => code,
            Err(cause) => {
                eprintln!("error: {cause}");
                ExitCode::from(2)
            }
        },
    }
}

/// `record-answers`: credentials from the environment, then one GET per operation.
fn record_answers(args: &RecordArgs) -> Result<ExitCode, String> {
    use wpe_api::config::{DEFAULT_BASE_URL, ENV_PASSWORD, ENV_URL, ENV_USER};
    let credentials = wpe_api::Credentials::from_env().map_err(|e| {
        format!("record-answers needs the API credentials in {ENV_USER} and {ENV_PASSWORD}: {e}")
    })?;
    let base_url = match &args.base_url {
        Some(url) => url.clone(),
        None => match std::env::var(ENV_URL) {
            Ok(url) if !url.trim().is_empty() => url,
            _ => DEFAULT_BASE_URL.to_owned(),
        },
    };
    let mut ids = std::collections::BTreeMap::new();
    for pair in &args.ids {
        let Some((name, value)) = pair.split_once('=') else {
            return Err(format!("--id {pair}: expected NAME=VALUE"));
        };
        ids.insert(name.trim().to_owned(), value.trim().to_owned());
    }
    let options = record::Options {
        out: args.out.clone(),
        base_url,
        credentials,
        ids,
        today: chrono::Utc::now().date_naive(),
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))?;
    let outcome = runtime
        .block_on(record::run(&options))
        .map_err(|record::Fatal(cause)| cause)?;
    print!("{}", record::render(&outcome, &args.out));
    if let Some(stopped) = outcome.stopped {
        return Err(stopped);
    }
    Ok(if outcome.failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn default_path(given: &Option<PathBuf>, rel: &str) -> PathBuf {
    given.clone().unwrap_or_else(|| workspace_root().join(rel))
}

fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Shows a default path relative to the workspace (`spec/openapi.json`), a given one as given.
fn shown(given: &Option<PathBuf>, path: &Path, rel: &str) -> String {
    match given {
        Some(_) => path.display().to_string(),
        None => rel.to_string(),
    }
}

/// Reads the deviations file; a missing default file is a note, not an error.
fn read_deviations(
    args: &SyncSpecArgs,
    notes: &mut Vec<model::Note>,
) -> Result<Vec<deviations::Deviation>, String> {
    let dev_path = default_path(&args.deviations, "spec/deviations.json");
    let dev_shown = shown(&args.deviations, &dev_path, "spec/deviations.json");
    match std::fs::read(&dev_path) {
        Ok(bytes) => {
            let doc = model::parse_document(&bytes, false)
                .map_err(|e| format!("{dev_shown}: {}", e.0))?;
            deviations::parse(&doc).map_err(|e| format!("{dev_shown}: {e}"))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && args.deviations.is_none() => {
            notes.push(model::Note {
                side: "ours".into(),
                message: "no deviations file; every difference counts as drift".into(),
                locations: vec![dev_shown.clone()],
                occurrences: 1,
            });
            Ok(Vec::new())
        }
        Err(e) => Err(format!("cannot read {dev_shown}: {e}")),
    }
}

/// Our spec as `sync-spec` reads it (`--spec`, default `spec/openapi.json`).
struct Ours {
    /// Where it is.
    path: PathBuf,
    /// How messages name it.
    shown: String,
    /// The file as read.
    bytes: Vec<u8>,
    /// The parsed document.
    doc: serde_json::Value,
    /// The document normalised for the diff.
    api: model::Api,
}

/// Reads, parses and normalises our spec; an error names the file.
fn read_ours(args: &SyncSpecArgs) -> Result<Ours, String> {
    let path = default_path(&args.spec, "spec/openapi.json");
    let shown = shown(&args.spec, &path, "spec/openapi.json");
    let bytes = std::fs::read(&path).map_err(|e| format!("cannot read {shown}: {e}"))?;
    let yaml = matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml")
    );
    let doc = model::parse_document(&bytes, yaml).map_err(|e| format!("{shown}: {e}"))?;
    let api = model::normalise(&doc, "ours").map_err(|e| format!("{shown}: {e}"))?;
    Ok(Ours {
        path,
        shown,
        bytes,
        doc,
        api,
    })
}

/// `sync-spec --answers DIR`: recorded answers against our spec.
/// Prints a sync report: pretty JSON with `--json`, otherwise the text `render` gives.
fn print_report<R: serde::Serialize>(
    report: &R,
    json: bool,
    render: impl FnOnce(&R) -> String,
) -> Result<(), String> {
    if json {
        let text = serde_json::to_string_pretty(report)
            .map_err(|e| format!("cannot serialise the report: {e}"))?;
        println!("{text}");
    } else {
        print!("{}", render(report));
    }
    Ok(())
}

fn sync_answers(args: &SyncSpecArgs, dir: &Path) -> Result<ExitCode, String> {
    let recorded = answers::read_dir(dir)?;
    let Ours {
        shown: spec_shown,
        bytes: spec_bytes,
        doc,
        api: ours,
        ..
    } = read_ours(args)?;
    let mut dev_notes = Vec::new();
    let deviations = read_deviations(args, &mut dev_notes)?;

    let started = Instant::now();
    let (recordings, findings, mut notes) = answers::check(&doc, &recorded);
    let (failing, covered, info, stale) = answers::triage(findings, &deviations);
    notes.extend(
        dev_notes
            .into_iter()
            .map(|n| format!("{} ({})", n.message, n.locations.join("; "))),
    );
    let mut report = answers::Report {
        answers: dir.display().to_string(),
        ours: DocSummary::new(&spec_shown, &ours, sha256_hex(&spec_bytes)),
        recordings,
        findings: failing,
        covered,
        info,
        stale_deviations: stale,
        notes,
        summary: Default::default(),
    };
    answers::summarise(
        &mut report,
        started.elapsed().as_secs_f64() * 1000.0,
        args.strict,
    );
    print_report(&report, args.json, |r| {
        answers::render_text(r, args.verbose)
    })?;
    Ok(if args.check && report.summary.check_fails {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn sync_spec(args: &SyncSpecArgs) -> Result<ExitCode, String> {
    if let Some(dir) = &args.answers {
        return sync_answers(args, dir);
    }
    let fetched = match &args.from_file {
        Some(path) => fetch::from_file(path)?,
        None => fetch::from_url(
            &args.url,
            Duration::from_secs(args.timeout_secs.max(1)),
            Duration::from_millis(args.retry_delay_ms),
        )?,
    };
    let started = Instant::now();
    let upstream_doc = model::parse_document(&fetched.bytes, fetched.yaml_hint)
        .map_err(|e| format!("upstream {}: {e}", fetched.source))?;
    let upstream = model::normalise(&upstream_doc, "upstream")
        .map_err(|e| format!("upstream {}: {e}", fetched.source))?;

    let Ours {
        path: spec_path,
        shown: spec_shown,
        bytes: spec_bytes,
        doc: mut ours_doc,
        api: ours,
    } = read_ours(args)?;

    let mut notes = upstream.notes.clone();
    notes.extend(ours.notes.iter().cloned());
    let deviations = read_deviations(args, &mut notes)?;

    let changes = diff::diff(&upstream, &ours);
    let (mut drift, mut acknowledged, mut stale) = report::triage(changes, &deviations);

    // --import: convert what upstream added, then report on the result as if it were ours.
    let mut ours = ours;
    let mut spec_bytes = spec_bytes;
    let mut imported = None;
    let mut invalid = None;
    if args.import {
        let (doc, mut import_report) =
            import::import(&upstream_doc, &ours_doc, &drift, &deviations)
                .map_err(|e| format!("upstream {}: {e}", fetched.source))?;
        let mut text = serde_json::to_string_pretty(&doc)
            .map_err(|e| format!("cannot serialise the imported spec: {e}"))?;
        text.push('\n');
        if let Err(e) = serde_json::from_str::<openapiv3::OpenAPI>(&text) {
            invalid = Some(format!(
                "the imported spec does not parse as OpenAPI 3.0: {e}"
            ));
        }
        ours = model::normalise(&doc, "ours").map_err(|e| format!("imported spec: {e}"))?;
        let changes = diff::diff(&upstream, &ours);
        (drift, acknowledged, stale) = report::triage(changes, &deviations);
        import_report.decisions = drift.clone();
        import::stale_for_new_operations(&mut import_report, &stale, &deviations);
        import_report.todo = import::todo(&import_report, &doc);
        import_report.written = !args.dry_run && invalid.is_none();
        if import_report.written {
            std::fs::write(&spec_path, &text)
                .map_err(|e| format!("cannot write {spec_shown}: {e}"))?;
        }
        spec_bytes = text.into_bytes();
        ours_doc = doc;
        imported = Some(import_report);
    }
    let markers = import::count_markers(&ours_doc);
    let elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;

    let upstream_sha = sha256_hex(&fetched.bytes);
    let lock_path = default_path(&args.lock, "spec/upstream.lock.json");
    let lock_shown = shown(&args.lock, &lock_path, "spec/upstream.lock.json");
    let recorded = match std::fs::read(&lock_path) {
        Ok(bytes) => match serde_json::from_slice::<Lock>(&bytes) {
            Ok(lock) => Some(lock),
            Err(e) => {
                notes.push(model::Note {
                    side: "ours".into(),
                    message: format!("lock file is unreadable ({e}); ignored"),
                    locations: vec![lock_shown.clone()],
                    occurrences: 1,
                });
                None
            }
        },
        Err(_) => None,
    };
    let lock_status = if recorded.is_some() || args.write_lock {
        Some(LockStatus {
            path: lock_shown.clone(),
            version_changed: recorded
                .as_ref()
                .is_some_and(|l| l.version != upstream.version),
            digest_changed: recorded.as_ref().is_some_and(|l| l.sha256 != upstream_sha),
            recorded,
            written: false,
        })
    } else {
        None
    };

    let mut report = Report {
        upstream: DocSummary::new(&fetched.source, &upstream, upstream_sha.clone()),
        ours: DocSummary::new(
            &if args.import {
                format!("{spec_shown} (after --import)")
            } else {
                spec_shown.clone()
            },
            &ours,
            sha256_hex(&spec_bytes),
        ),
        lock: lock_status,
        drift,
        acknowledged,
        stale_deviations: stale,
        notes,
        import: imported,
        summary: Default::default(),
    };
    report::summarise(&mut report, elapsed_ms, args.strict, markers);

    if args.write_lock {
        let lock = Lock {
            version: upstream.version.clone(),
            sha256: upstream_sha,
            operations: upstream.operations.len(),
            date: chrono::Utc::now().format("%Y-%m-%d").to_string(),
            source: fetched.source.clone(),
        };
        let mut text = serde_json::to_string_pretty(&lock)
            .map_err(|e| format!("cannot serialise the lock: {e}"))?;
        text.push('\n');
        std::fs::write(&lock_path, text).map_err(|e| format!("cannot write {lock_shown}: {e}"))?;
        if let Some(status) = &mut report.lock {
            status.written = true;
        }
    }

    print_report(&report, args.json, |r| report::render_text(r, args.verbose))?;
    if let Some(cause) = invalid {
        return Err(format!("{cause}; {spec_shown} was not written"));
    }
    Ok(if args.check && report.summary.check_fails {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

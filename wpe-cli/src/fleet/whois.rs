//! `wpe fleet whois NAME`: which install, site and account a domain belongs
//! to, from the mirror alone (no API call, no credentials).
//!
//! `NAME` is a domain or any part of one, case-insensitive (a URL is taken
//! for its host); an install's `cname` (`x.wpengine.com`) matches too.
//! Exact matches come first, then the rest, at most [`MAX_MATCHES`]. Each
//! match says the install, its environment, site and account, whether the
//! domain is the install's primary, where it redirects, its ownership
//! status, the certificate of the install that covers the name (a wildcard
//! covers one label) with its status and expiry, and the DNS the API last
//! reported for it; and how old the snapshot that last read it is.
//!
//! The lookups are bounded: the matches come from one pass over the
//! current domains (and one over the current installs) through the index
//! of current records, at most [`MAX_MATCHES`] + 1 of each; then a few
//! indexed lookups per match.

use chrono::{DateTime, Utc};
use clap::{Arg, ArgMatches, Command};
use rusqlite::{params, Connection, OptionalExtension};
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::{json, Value};

use super::store::Snapshot;
use super::{Mirror, MirrorError};
use crate::error::CliError;
use crate::output::{self, Format, ListPrinter};

/// The command's name.
pub const NAME: &str = "whois";

/// The id of the name argument.
const WHO: &str = "name";

/// The longest name taken (a domain name is at most 253 characters).
pub const MAX_NAME: usize = 255;

/// The most matches answered.
pub const MAX_MATCHES: usize = 50;

/// How old the newest snapshot may be before a lookup that found nothing
/// suggests a sync.
const STALE_AFTER: chrono::Duration = chrono::Duration::hours(24);

/// `wpe fleet whois`.
pub fn command() -> Command {
    Command::new(NAME)
        .about("Which install, site and account a domain belongs to, from the mirror")
        .long_about(
            "Which install, site and account a domain belongs to, from the mirror alone (no \
             API call, no credentials): its environment, whether it is the primary domain, \
             where it redirects, its ownership status, the certificate that covers it (status \
             and expiry), and its DNS as the API last reported it, with the age of the \
             snapshot that read it. NAME may be any part of a domain, in any case; an \
             install's cname (x.wpengine.com) matches too. Exact matches come first. Nothing \
             found: exit 1.",
        )
        .arg(
            Arg::new(WHO)
                .value_name("NAME")
                .required(true)
                .help("A domain, part of one, or an install's cname (torquemag.io, torquemag)"),
        )
}

/// `wpe fleet whois`: the matches in `format`; none is exit 1.
pub fn run(mirror: &Mirror, matches: &ArgMatches, format: Format) -> Result<(), CliError> {
    let name = matches
        .get_one::<String>(WHO)
        .map(String::as_str)
        .unwrap_or_default();
    let found = lookup(mirror, name, Utc::now()).map_err(WhoisError::into_cli)?;
    if found.matches.is_empty() {
        return Err(CliError::Failed(found.nothing_found()));
    }
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    print(&mut out, format, &found)?;
    Ok(())
}

/// What a lookup answers (the command's JSON, and `wpe mcp`'s
/// `fleet_whois`).
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Whois {
    /// The name looked up, as it was matched (lower case, a URL's host).
    pub query: String,
    /// The matches: exact ones first, then by name.
    pub matches: Vec<Match>,
    /// Whether there were more than [`MAX_MATCHES`] matches (a longer name
    /// narrows them).
    pub more: bool,
    /// The mirror's newest snapshot, if it has one.
    pub snapshot: Option<Age>,
    /// What to do when nothing matched.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

/// One domain (or install cname) that matched.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Match {
    /// The domain's name (or the install's cname).
    pub name: String,
    /// Whether it is the name looked up, not only a part of it.
    pub exact: bool,
    /// What matched: `domain`, or `cname` (the install's own host name).
    pub via: String,
    /// The install it points at.
    pub install: Option<Named>,
    /// The install's environment (`production`, `staging`, `development`).
    pub environment: Option<String>,
    /// The install's site.
    pub site: Option<Named>,
    /// The account.
    pub account: Option<Named>,
    /// Whether it is the install's primary domain.
    pub primary: Option<bool>,
    /// The domain it redirects to, if it does.
    pub redirect_to: Option<String>,
    /// Its ownership status (`TXT_VERIFIED`, `TXT_PENDING`, ...).
    pub ownership_status: Option<String>,
    /// The install's certificate that covers the name, if one does.
    pub certificate: Option<Certificate>,
    /// Its DNS as the API last reported it (`network_details.dns_config_info`).
    pub dns: Option<Value>,
    /// The newest snapshot that read its account: how current it is.
    pub as_of: Option<Age>,
}

/// A record named for people: its ID and name.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Named {
    /// Its ID.
    pub id: String,
    /// Its name, when the mirror has the record.
    pub name: Option<String>,
}

/// A certificate that covers a name.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Certificate {
    /// Its ID.
    pub id: Value,
    /// Its common name.
    pub common_name: Option<String>,
    /// The name of the certificate that covers the domain (`*.example.com`
    /// for a wildcard).
    pub covered_by: String,
    /// Its status as the API said it.
    pub status: Option<String>,
    /// When it expires (RFC 3339).
    pub expires_time: Option<String>,
    /// Whole days until it expires (negative: expired).
    pub expires_in_days: Option<i64>,
    /// Whether it renews itself.
    pub auto_renew: Option<bool>,
}

/// A snapshot and how old it is.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Age {
    /// The snapshot's ID.
    pub snapshot: i64,
    /// When it was written (RFC 3339).
    pub finished_at: String,
    /// How long ago, in seconds.
    pub age_seconds: i64,
    /// How long ago, in words (`3 hours ago`).
    pub age: String,
}

impl Age {
    fn of(id: i64, finished_at: DateTime<Utc>, now: DateTime<Utc>) -> Age {
        Age {
            snapshot: id,
            finished_at: super::store::timestamp(finished_at),
            age_seconds: (now - finished_at).num_seconds(),
            age: crate::guard::age(finished_at, now),
        }
    }
}

/// Why a lookup was not made.
#[derive(Debug)]
pub enum WhoisError {
    /// No name (or only spaces) was given.
    Empty,
    /// The name is longer than [`MAX_NAME`] characters.
    TooLong(usize),
    /// The mirror failed.
    Mirror(MirrorError),
}

impl std::fmt::Display for WhoisError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WhoisError::Empty => f.write_str("give a domain, a part of one, or an install's cname"),
            WhoisError::TooLong(length) => write!(
                f,
                "the name is {length} characters long; a domain is at most {MAX_NAME}"
            ),
            WhoisError::Mirror(err) => write!(f, "{err}"),
        }
    }
}

impl std::error::Error for WhoisError {}

impl WhoisError {
    /// The command line's error: a name refused is a usage error (exit 2).
    pub fn into_cli(self) -> CliError {
        match self {
            WhoisError::Mirror(err) => CliError::Mirror(err),
            other => CliError::Usage(other.to_string()),
        }
    }
}

impl Whois {
    /// The message for a lookup that found nothing: says so, how old the
    /// mirror is, and suggests a sync when it has none or is old.
    pub fn nothing_found(&self) -> String {
        let what = format!(
            "no domain or install cname in the mirror matches `{}`",
            self.query
        );
        match &self.snapshot {
            None => format!("{what}: the mirror has no snapshot yet; run `wpe fleet sync`"),
            Some(age) if age.age_seconds > STALE_AFTER.num_seconds() => format!(
                "{what} (the newest snapshot, {}, is from {}): run `wpe fleet sync` to bring \
                 the mirror up to date",
                age.snapshot, age.age
            ),
            Some(age) => format!(
                "{what} (the newest snapshot, {}, is from {})",
                age.snapshot, age.age
            ),
        }
    }
}

/// The name as it is matched: trimmed, a URL's host, no trailing dot,
/// lower case.
fn normalise(name: &str) -> String {
    let name = name.trim();
    let name = name.split_once("://").map_or(name, |(_, rest)| rest);
    let name = name.split(['/', '?', '#']).next().unwrap_or_default();
    // user@host and host:port, as a URL may carry them.
    let name = name.rsplit_once('@').map_or(name, |(_, host)| host);
    let name = match name.rsplit_once(':') {
        Some((host, port)) if port.chars().all(|c| c.is_ascii_digit()) => host,
        _ => name,
    };
    name.trim_end_matches('.').to_lowercase()
}

/// Looks `name` up in `mirror` as it is now (`now` for the ages).
pub fn lookup(mirror: &Mirror, name: &str, now: DateTime<Utc>) -> Result<Whois, WhoisError> {
    let length = name.chars().count();
    if length > MAX_NAME {
        return Err(WhoisError::TooLong(length));
    }
    let query = normalise(name);
    if query.is_empty() {
        return Err(WhoisError::Empty);
    }
    let fail = |err| WhoisError::Mirror(mirror.failed("looking the name up", err));
    let conn = mirror.conn();
    let latest = mirror.latest().map_err(WhoisError::Mirror)?;
    let mut found = Vec::new();
    let mut more = false;
    for (kind, field, via) in [
        ("domain", "$.name", "domain"),
        ("install", "$.cname", "cname"),
    ] {
        let (rows, over) = candidates(conn, kind, field, &query).map_err(fail)?;
        more |= over;
        found.extend(rows.into_iter().map(|row| (via, row)));
    }
    // Exact first, then by name; domains before cnames of the same name.
    found.sort_by(|(a_via, a), (b_via, b)| {
        (!a.exact, &a.name, *a_via != "domain", &a.key).cmp(&(
            !b.exact,
            &b.name,
            *b_via != "domain",
            &b.key,
        ))
    });
    if found.len() > MAX_MATCHES {
        more = true;
        found.truncate(MAX_MATCHES);
    }
    let mut matches = Vec::with_capacity(found.len());
    for (via, row) in found {
        matches.push(resolve(conn, via, row, now).map_err(fail)?);
    }
    let snapshot = latest.map(|s: Snapshot| Age::of(s.id, s.finished_at, now));
    let mut whois = Whois {
        query,
        matches,
        more,
        snapshot,
        hint: None,
    };
    if whois.matches.is_empty() {
        whois.hint = Some(whois.nothing_found());
    }
    Ok(whois)
}

/// The current records of a kind (`?1`) whose field (`?2`, a JSON path)
/// contains the name (`?3`), exact ones first, at most `?4`: the index of
/// current records only (the one of every version holds the history too).
const CANDIDATES: &str = "SELECT key, install_id, account_id, body, lower(body ->> ?2) AS name \
       FROM records INDEXED BY records_current \
      WHERE kind = ?1 AND disappeared IS NULL AND instr(lower(body ->> ?2), ?3) > 0 \
      ORDER BY name = ?3 DESC, name, key \
      LIMIT ?4";

/// The current body of the record of a kind (`?1`) and key (`?2`).
const CURRENT: &str =
    "SELECT body FROM records WHERE kind = ?1 AND key = ?2 AND disappeared IS NULL";

/// The current certificates of an install (`?1`).
const CERTIFICATES: &str = "SELECT body FROM records \
      WHERE install_id = ?1 AND kind = 'certificate' AND disappeared IS NULL";

/// A current record whose `field` holds the name looked up.
struct Candidate {
    key: String,
    name: String,
    exact: bool,
    install_id: Option<String>,
    account_id: Option<String>,
    body: Value,
}

/// The current records of `kind` whose `field` contains `query`, exact ones
/// first, at most [`MAX_MATCHES`]; and whether there were more. One pass
/// over that kind's current records, through the index of current records.
fn candidates(
    conn: &Connection,
    kind: &str,
    field: &str,
    query: &str,
) -> rusqlite::Result<(Vec<Candidate>, bool)> {
    let mut statement = conn.prepare_cached(CANDIDATES)?;
    let limit = i64::try_from(MAX_MATCHES + 1).unwrap_or(i64::MAX);
    let rows = statement
        .query_map(params![kind, field, query, limit], |row| {
            let body: String = row.get(3)?;
            let name: String = row.get(4)?;
            Ok(Candidate {
                key: row.get(0)?,
                install_id: row.get(1)?,
                account_id: row.get(2)?,
                body: serde_json::from_str(&body).unwrap_or(Value::Null),
                exact: name == query,
                name,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let more = rows.len() > MAX_MATCHES;
    let rows = rows.into_iter().take(MAX_MATCHES).collect();
    Ok((rows, more))
}

/// The current body of the record of `kind` and `key`.
fn current(conn: &Connection, kind: &str, key: &str) -> rusqlite::Result<Option<Value>> {
    conn.prepare_cached(CURRENT)?
        .query_row(params![kind, key], |row| row.get::<_, String>(0))
        .optional()
        .map(|body| body.and_then(|b| serde_json::from_str(&b).ok()))
}

/// The text at `pointer` in `body`.
fn text(body: &Value, pointer: &str) -> Option<String> {
    body.pointer(pointer)
        .and_then(Value::as_str)
        .map(str::to_owned)
}

/// A match with its install, site, account, certificate and age.
fn resolve(
    conn: &Connection,
    via: &str,
    row: Candidate,
    now: DateTime<Utc>,
) -> rusqlite::Result<Match> {
    let install_id = match via {
        "cname" => Some(row.key.clone()),
        _ => row.install_id.clone(),
    };
    let install = match &install_id {
        Some(id) => current(conn, "install", id)?,
        None => None,
    };
    let site_id = install.as_ref().and_then(|i| text(i, "/site/id"));
    let site = match &site_id {
        Some(id) => current(conn, "site", id)?,
        None => None,
    };
    let account = match &row.account_id {
        Some(id) => current(conn, "account", id)?,
        None => None,
    };
    let named = |id: Option<String>, body: Option<&Value>| {
        id.map(|id| Named {
            id,
            name: body.and_then(|b| text(b, "/name")),
        })
    };
    let domain = (via == "domain").then_some(&row.body);
    let certificate = match (&install_id, domain) {
        (Some(id), Some(_)) => covering(conn, id, &row.name, now)?,
        _ => None,
    };
    Ok(Match {
        name: match domain {
            Some(body) => text(body, "/name").unwrap_or_else(|| row.name.clone()),
            None => text(&row.body, "/cname").unwrap_or_else(|| row.name.clone()),
        },
        exact: row.exact,
        via: via.to_owned(),
        install: named(install_id, install.as_ref()),
        environment: install.as_ref().and_then(|i| text(i, "/environment")),
        site: named(site_id, site.as_ref()),
        account: named(row.account_id.clone(), account.as_ref()),
        primary: domain
            .and_then(|d| d.get("primary"))
            .and_then(Value::as_bool),
        redirect_to: domain.and_then(redirect_target),
        ownership_status: domain.and_then(|d| text(d, "/ownership_status")),
        certificate,
        dns: domain
            .and_then(|d| d.pointer("/network_details/dns_config_info"))
            .filter(|dns| !dns.is_null())
            .cloned(),
        as_of: as_of(conn, row.account_id.as_deref(), now)?,
    })
}

/// Where a domain redirects: the live API's `redirect_to` (an object), or
/// the documented `redirects_to` (a list), by name (or ID).
fn redirect_target(domain: &Value) -> Option<String> {
    let target = domain
        .get("redirect_to")
        .filter(|t| !t.is_null())
        .or_else(|| domain.pointer("/redirects_to/0"))?;
    text(target, "/name").or_else(|| text(target, "/id"))
}

/// The newest snapshot that read `account` (every account, or a list
/// naming it).
fn as_of(
    conn: &Connection,
    account: Option<&str>,
    now: DateTime<Utc>,
) -> rusqlite::Result<Option<Age>> {
    let found: Option<(i64, String)> = conn
        .prepare_cached(
            "SELECT id, finished_at FROM snapshots \
              WHERE accounts IS NULL OR ?1 IS NULL \
                 OR EXISTS (SELECT 1 FROM json_each(accounts) WHERE value = ?1) \
              ORDER BY id DESC LIMIT 1",
        )?
        .query_row(params![account], |row| Ok((row.get(0)?, row.get(1)?)))
        .optional()?;
    Ok(found.and_then(|(id, at)| {
        DateTime::parse_from_rfc3339(&at)
            .ok()
            .map(|at| Age::of(id, at.with_timezone(&Utc), now))
    }))
}

/// Whether the certificate name `pattern` covers `name` (both lower case):
/// the same name, or a wildcard `*.rest` and `name` one label more than
/// `rest`.
pub fn covers(pattern: &str, name: &str) -> bool {
    let pattern = pattern.trim_end_matches('.').to_lowercase();
    match pattern.strip_prefix("*.") {
        Some(rest) => name
            .strip_suffix(rest)
            .and_then(|label| label.strip_suffix('.'))
            .is_some_and(|label| !label.is_empty() && !label.contains('.')),
        None => pattern == name,
    }
}

/// Whether a certificate's status says it is in use.
fn in_use(status: Option<&str>) -> bool {
    status.is_some_and(|s| {
        ["enabled", "active", "issued", "valid"]
            .iter()
            .any(|ok| s.eq_ignore_ascii_case(ok))
    })
}

/// The certificate of `install` that covers `name`: of several, one in
/// use before one that is not, then the one that expires last.
fn covering(
    conn: &Connection,
    install: &str,
    name: &str,
    now: DateTime<Utc>,
) -> rusqlite::Result<Option<Certificate>> {
    let mut statement = conn.prepare_cached(CERTIFICATES)?;
    let bodies = statement
        .query_map(params![install], |row| row.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut best: Option<Certificate> = None;
    for body in bodies {
        let Ok(cert) = serde_json::from_str::<Value>(&body) else {
            continue;
        };
        let common_name = text(&cert, "/common_name");
        let names = cert
            .get("domains")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .chain(common_name.clone());
        // The exact name before a wildcard.
        let mut covered_by: Option<String> = None;
        for candidate in names {
            if covers(&candidate, name) {
                let exact = !candidate.starts_with("*.");
                if exact || covered_by.is_none() {
                    covered_by = Some(candidate);
                }
                if exact {
                    break;
                }
            }
        }
        let Some(covered_by) = covered_by else {
            continue;
        };
        let expires_time = text(&cert, "/expires_time");
        let expires = expires_time
            .as_deref()
            .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
            .map(|t| t.with_timezone(&Utc));
        let found = Certificate {
            id: cert.get("id").cloned().unwrap_or(Value::Null),
            common_name,
            covered_by,
            status: text(&cert, "/status"),
            expires_in_days: expires.map(|t| (t - now).num_days()),
            expires_time,
            auto_renew: cert.get("auto_renew").and_then(Value::as_bool),
        };
        let rank = |c: &Certificate| {
            (
                in_use(c.status.as_deref()),
                c.expires_time
                    .as_deref()
                    .and_then(|t| DateTime::parse_from_rfc3339(t).ok()),
            )
        };
        if best.as_ref().is_none_or(|b| rank(&found) > rank(b)) {
            best = Some(found);
        }
    }
    Ok(best)
}

/// The DNS in a line: `A 141.193.213.10, 141.193.213.11; CNAME x.wpengine.com`.
fn dns_line(dns: &Value) -> Value {
    let Some(map) = dns.as_object() else {
        return dns.clone();
    };
    let parts: Vec<String> = map
        .iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(key, value)| {
            let label = match key.as_str() {
                "a_records" => "A".to_owned(),
                "aaaa_records" => "AAAA".to_owned(),
                "cname" => "CNAME".to_owned(),
                other => other.to_owned(),
            };
            let value = match value {
                Value::Array(items) => items
                    .iter()
                    .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
                    .collect::<Vec<_>>()
                    .join(", "),
                Value::String(text) => text.clone(),
                other => other.to_string(),
            };
            format!("{label} {value}")
        })
        .collect();
    if parts.is_empty() {
        Value::Null
    } else {
        Value::String(parts.join("; "))
    }
}

/// A match as flat fields, for a table, CSV or Markdown.
fn fields(found: &Match) -> Vec<(&'static str, Value)> {
    let named = |n: &Option<Named>| match n {
        Some(Named {
            name: Some(name), ..
        }) => json!(name),
        Some(Named { id, .. }) => json!(id),
        None => Value::Null,
    };
    let cert = found.certificate.as_ref();
    vec![
        ("name", json!(found.name)),
        (
            "match",
            json!(if found.exact { "exact" } else { "partial" }),
        ),
        ("via", json!(found.via)),
        ("install", named(&found.install)),
        ("environment", json!(found.environment)),
        ("site", named(&found.site)),
        ("account", named(&found.account)),
        ("primary", json!(found.primary)),
        ("redirect_to", json!(found.redirect_to)),
        ("ownership", json!(found.ownership_status)),
        ("certificate", json!(cert.and_then(|c| c.status.clone()))),
        ("covered_by", json!(cert.map(|c| c.covered_by.clone()))),
        (
            "cert_expires",
            json!(cert.and_then(|c| c.expires_time.clone())),
        ),
        ("dns", found.dns.as_ref().map_or(Value::Null, dns_line)),
        (
            "as_of",
            json!(found
                .as_of
                .as_ref()
                .map(|a| format!("snapshot {} ({})", a.snapshot, a.age))),
        ),
    ]
}

/// The columns of the terminal's table of several matches.
const TABLE_COLUMNS: usize = 11;

/// Prints `found` in `format`: one match as `field  value` lines on a
/// terminal, several as a table; JSON the whole answer; NDJSON a match per
/// line; CSV and Markdown a row per match.
pub fn print(out: &mut impl std::io::Write, format: Format, found: &Whois) -> std::io::Result<()> {
    match format {
        Format::Json => {
            let value = serde_json::to_value(found).unwrap_or(Value::Null);
            output::print_value(out, format, &value)
        }
        Format::Ndjson => {
            for found in &found.matches {
                serde_json::to_writer(&mut *out, found)?;
                writeln!(out)?;
            }
            Ok(())
        }
        Format::Table if found.matches.len() == 1 => {
            output::print_fields(out, format, &fields(&found.matches[0]))?;
            footer(out, found)
        }
        Format::Table | Format::Csv | Format::Markdown => {
            let all: Vec<&str> = fields(&found.matches[0])
                .into_iter()
                .map(|(name, _)| name)
                .collect();
            let columns = output::shown_columns(format, &all, TABLE_COLUMNS);
            let mut list = ListPrinter::with_columns(out, format, columns);
            for found in &found.matches {
                list.item(output::record(&fields(found)))?;
            }
            list.finish()?;
            if format == Format::Table {
                footer(out, found)?;
            }
            Ok(())
        }
    }
}

/// The table's last lines: more matches than shown, and the mirror's age.
fn footer(out: &mut impl std::io::Write, found: &Whois) -> std::io::Result<()> {
    if found.more {
        writeln!(
            out,
            "(more than {MAX_MATCHES} matches: a longer name narrows them)"
        )?;
    }
    if let Some(age) = &found.snapshot {
        writeln!(
            out,
            "(the mirror's newest snapshot, {}, is from {})",
            age.snapshot, age.age
        )?;
    }
    Ok(())
}

#[cfg(test)]
pub(crate) mod fixture {
    //! A small mirror written through the store, its bodies shaped as the
    //! API's (as the stand-in answers them), for the tests of the reading
    //! commands.

    use chrono::{DateTime, Utc};
    use serde_json::{json, Value};

    use crate::fleet::store::{Kind, Mirror, NewSnapshot, Record};

    /// When the fixture's snapshot was read.
    pub fn read_at() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-12-07T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    pub const AGENCY: &str = "d9872d6a-a29a-4b9b-954a-ae4211a9280f";
    pub const CLIENT: &str = "5163c5cb-5477-48aa-9533-acef00e607aa";
    pub const TORQUE_SITE: &str = "0f7377e3-14eb-4710-bbeb-a21ce4b1d1dd";
    pub const BLOG_SITE: &str = "1638fc60-9d9f-44c8-80e4-c3a8bbab89be";
    pub const TORQUEMAG: &str = "89924e65-96da-4303-9a0c-fabb92ebc62d";
    pub const TORQUEMAGSTG: &str = "118b8695-7171-4e01-a1ed-f723ef42f7ea";
    pub const CLIENTBLOG: &str = "355467da-7781-4070-9a61-5ddc5bf93f7a";

    /// A record of `account` (and `install`).
    fn record(
        kind: Kind,
        key: String,
        account: &str,
        install: Option<&str>,
        body: Value,
    ) -> Record {
        crate::fleet::store::testing::record(kind, key, Some(account), install, body)
    }

    fn install(
        id: &str,
        name: &str,
        account: &str,
        site: &str,
        env: &str,
        primary: Option<&str>,
    ) -> Record {
        record(
            Kind::Install,
            id.to_owned(),
            account,
            Some(id),
            json!({
                "account": {"id": account}, "cname": format!("{name}.wpengine.com"),
                "created_at": "2025-11-02T14:37:15Z", "environment": env, "id": id,
                "is_multisite": false, "name": name, "php_version": "8.2",
                "primary_domain": primary, "site": {"id": site}, "stable_ips": null,
                "status": "active", "wp_version": null
            }),
        )
    }

    fn domain(
        install: &str,
        account: &str,
        id: &str,
        name: &str,
        primary: bool,
        redirect: Option<&str>,
    ) -> Record {
        let redirects: Vec<Value> = redirect
            .map(|to| json!({"id": format!("{to}-id"), "name": to}))
            .into_iter()
            .collect();
        record(
            Kind::Domain,
            format!("{install}/{id}"),
            account,
            Some(install),
            json!({
                "duplicate": false, "id": id, "name": name,
                "network_details": {
                    "dns_config_info": {"a_records": ["141.193.213.10", "141.193.213.11"],
                                        "cname": "torquemag.wpengine.com"},
                    "network_info": {"ssl": {"status": "ACTIVE"}, "status": "ACTIVE"}
                },
                "network_type": "AN", "ownership_status": "TXT_VERIFIED", "primary": primary,
                "redirects_to": redirects, "secure_all_urls": true
            }),
        )
    }

    fn certificate(
        install: &str,
        account: &str,
        id: i64,
        names: &[&str],
        wildcard: bool,
        expires: &str,
    ) -> Record {
        record(
            Kind::Certificate,
            format!("{install}/{id}"),
            account,
            Some(install),
            json!({
                "account": "demoagency", "auto_renew": true, "cert_source": "LETS_ENCRYPT",
                "common_name": names[0], "domains": names, "expires_time": expires, "id": id,
                "status": "ENABLED", "wildcard": wildcard
            }),
        )
    }

    /// Every record of the fixture: two accounts, two sites, three
    /// installs, five domains, three certificates (one a wildcard).
    pub fn records() -> Vec<Record> {
        vec![
            record(
                Kind::Account,
                AGENCY.into(),
                AGENCY,
                None,
                json!({"id": AGENCY, "name": "demoagency", "nickname": "Demo Agency"}),
            ),
            record(
                Kind::Account,
                CLIENT.into(),
                CLIENT,
                None,
                json!({"id": CLIENT, "name": "democlient"}),
            ),
            record(
                Kind::Site,
                TORQUE_SITE.into(),
                AGENCY,
                None,
                json!({"account": {"id": AGENCY}, "id": TORQUE_SITE, "name": "Torque Magazine",
                          "group_name": null, "sandbox": false, "tags": []}),
            ),
            record(
                Kind::Site,
                BLOG_SITE.into(),
                CLIENT,
                None,
                json!({"account": {"id": CLIENT}, "id": BLOG_SITE, "name": "Client Blog",
                          "group_name": null, "sandbox": false, "tags": []}),
            ),
            install(
                TORQUEMAG,
                "torquemag",
                AGENCY,
                TORQUE_SITE,
                "production",
                Some("torquemag.io"),
            ),
            install(
                TORQUEMAGSTG,
                "torquemagstg",
                AGENCY,
                TORQUE_SITE,
                "staging",
                None,
            ),
            install(
                CLIENTBLOG,
                "clientblog",
                CLIENT,
                BLOG_SITE,
                "production",
                Some("blog.example.org"),
            ),
            domain(TORQUEMAG, AGENCY, "d1", "torquemag.io", true, None),
            domain(
                TORQUEMAG,
                AGENCY,
                "d2",
                "www.torquemag.io",
                false,
                Some("torquemag.io"),
            ),
            domain(TORQUEMAG, AGENCY, "d3", "shop.torquemag.io", false, None),
            domain(CLIENTBLOG, CLIENT, "d4", "blog.example.org", true, None),
            domain(
                CLIENTBLOG,
                CLIENT,
                "d5",
                "news.blog.example.org",
                false,
                None,
            ),
            certificate(
                TORQUEMAG,
                AGENCY,
                1000,
                &["torquemag.io", "www.torquemag.io"],
                false,
                "2027-02-15T14:37:15+00:00",
            ),
            certificate(
                TORQUEMAG,
                AGENCY,
                1001,
                &["*.torquemag.io"],
                true,
                "2026-12-17T12:00:00+00:00",
            ),
            certificate(
                CLIENTBLOG,
                CLIENT,
                1002,
                &["*.example.org"],
                true,
                "2026-12-01T12:00:00+00:00",
            ),
        ]
    }

    /// A mirror at `path` with one snapshot of [`records`].
    pub fn mirror(path: &std::path::Path) -> Mirror {
        let mut mirror = Mirror::open_for_sync(path).unwrap();
        mirror
            .write(&NewSnapshot {
                started_at: read_at(),
                requests: 20,
                ..crate::fleet::store::testing::snapshot(records())
            })
            .unwrap();
        drop(mirror);
        Mirror::open_read_only(path).unwrap()
    }
}

#[cfg(test)]
mod tests {
    use super::fixture::{self, *};
    use super::*;

    /// A time after the fixture's snapshot was written (its `finished_at`
    /// is the clock's when the test ran: ages are not asserted but signs).
    fn later() -> DateTime<Utc> {
        Utc::now() + chrono::Duration::hours(1)
    }

    fn looked_up(name: &str) -> Whois {
        let dir = tempfile::tempdir().unwrap();
        let mirror = fixture::mirror(&dir.path().join("m.sqlite"));
        lookup(&mirror, name, later()).unwrap()
    }

    #[test]
    fn an_exact_match_comes_before_the_partial_ones_and_resolves_to_its_install() {
        let found = looked_up("TorqueMag.io");
        let names: Vec<&str> = found.matches.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(
            names,
            ["torquemag.io", "shop.torquemag.io", "www.torquemag.io"],
            "{found:#?}"
        );
        let first = &found.matches[0];
        assert!(first.exact && !found.matches[1].exact);
        assert_eq!(first.via, "domain");
        assert_eq!(
            first.install,
            Some(Named {
                id: TORQUEMAG.into(),
                name: Some("torquemag".into())
            })
        );
        assert_eq!(first.environment.as_deref(), Some("production"));
        assert_eq!(
            first.site.as_ref().and_then(|s| s.name.as_deref()),
            Some("Torque Magazine")
        );
        assert_eq!(
            first.account.as_ref().and_then(|a| a.name.as_deref()),
            Some("demoagency")
        );
        assert_eq!(first.primary, Some(true));
        assert_eq!(first.redirect_to, None);
        assert_eq!(first.ownership_status.as_deref(), Some("TXT_VERIFIED"));
        assert_eq!(
            first.dns.as_ref().unwrap()["cname"],
            "torquemag.wpengine.com"
        );
        // The certificate naming it, not the wildcard (which does not
        // cover the bare domain anyway).
        let cert = first.certificate.as_ref().unwrap();
        assert_eq!(
            (cert.id.clone(), cert.covered_by.as_str()),
            (json!(1000), "torquemag.io")
        );
        assert!(cert.expires_in_days.unwrap() > 0);
        let www = &found.matches[2];
        assert_eq!(www.redirect_to.as_deref(), Some("torquemag.io"));
        assert_eq!(www.primary, Some(false));
        assert!(found.snapshot.is_some() && first.as_of.is_some());
        assert!(!found.more && found.hint.is_none());
    }

    #[test]
    fn a_wildcard_certificate_covers_one_label_and_no_more() {
        let shop = &looked_up("shop.torquemag.io").matches[0];
        let cert = shop.certificate.as_ref().unwrap();
        assert_eq!(cert.covered_by, "*.torquemag.io");
        assert_eq!(cert.id, json!(1001));
        // blog.example.org is under *.example.org; news.blog.example.org is
        // two labels under it: no certificate.
        let blog = looked_up("example.org");
        let by_name = |name: &str| blog.matches.iter().find(|m| m.name == name).unwrap();
        let covered = by_name("blog.example.org").certificate.as_ref().unwrap();
        assert_eq!(covered.covered_by, "*.example.org");
        assert!(covered.expires_in_days.unwrap() < 0, "expired: {covered:?}");
        assert_eq!(by_name("news.blog.example.org").certificate, None);
        assert!(covers("*.example.org", "blog.example.org"));
        assert!(!covers("*.example.org", "example.org"));
        assert!(!covers("*.example.org", "a.blog.example.org"));
        assert!(!covers("*.example.org", "blogexample.org"));
        assert!(covers("Example.ORG.", "example.org"));
    }

    #[test]
    fn an_install_cname_matches_and_names_its_install() {
        let found = looked_up("https://torquemagstg.wpengine.com/wp-admin/");
        assert_eq!(found.query, "torquemagstg.wpengine.com");
        assert_eq!(found.matches.len(), 1, "{found:#?}");
        let cname = &found.matches[0];
        assert_eq!((cname.via.as_str(), cname.exact), ("cname", true));
        assert_eq!(cname.install.as_ref().unwrap().id, TORQUEMAGSTG);
        assert_eq!(cname.environment.as_deref(), Some("staging"));
        assert_eq!(
            cname.account.as_ref().and_then(|a| a.name.as_deref()),
            Some("demoagency")
        );
        assert_eq!((cname.primary, cname.certificate.as_ref()), (None, None));
        // A part of a name matches domains and cnames alike, exact first.
        let torque = looked_up("torquemag");
        let vias: Vec<(&str, &str)> = torque
            .matches
            .iter()
            .map(|m| (m.via.as_str(), m.name.as_str()))
            .collect();
        assert!(
            vias.contains(&("cname", "torquemag.wpengine.com")),
            "{vias:?}"
        );
        assert!(vias.contains(&("domain", "www.torquemag.io")), "{vias:?}");
    }

    #[test]
    fn nothing_found_says_so_and_a_stale_mirror_suggests_a_sync() {
        let dir = tempfile::tempdir().unwrap();
        let mirror = fixture::mirror(&dir.path().join("m.sqlite"));
        let fresh = lookup(&mirror, "nowhere.example", later()).unwrap();
        assert!(fresh.matches.is_empty());
        let message = fresh.nothing_found();
        assert!(message.contains("`nowhere.example`"), "{message}");
        assert!(!message.contains("wpe fleet sync"), "{message}");
        let stale = lookup(
            &mirror,
            "nowhere.example",
            Utc::now() + chrono::Duration::days(9),
        )
        .unwrap()
        .nothing_found();
        assert!(
            stale.contains("9 days ago") && stale.contains("run `wpe fleet sync`"),
            "{stale}"
        );
    }

    #[test]
    fn a_name_too_long_or_empty_is_refused_before_any_lookup() {
        let dir = tempfile::tempdir().unwrap();
        let mirror = fixture::mirror(&dir.path().join("m.sqlite"));
        let long = "a".repeat(MAX_NAME + 1);
        assert!(matches!(
            lookup(&mirror, &long, later()),
            Err(WhoisError::TooLong(256))
        ));
        assert!(lookup(&mirror, &"a".repeat(MAX_NAME), later()).is_ok());
        assert!(matches!(
            lookup(&mirror, "  ", later()),
            Err(WhoisError::Empty)
        ));
        let err = WhoisError::TooLong(300).into_cli();
        assert_eq!(err.exit_code(), std::process::ExitCode::from(2));
        // `%` and `_` are no patterns: a name is matched as it is.
        assert!(lookup(&mirror, "%", later()).unwrap().matches.is_empty());
    }

    #[test]
    fn the_lookups_go_through_indexes() {
        let dir = tempfile::tempdir().unwrap();
        let mirror = fixture::mirror(&dir.path().join("m.sqlite"));
        let plan = |sql: &str, params: &[&str]| -> String {
            let mut statement = mirror
                .conn()
                .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
                .unwrap();
            let rows = statement
                .query_map(rusqlite::params_from_iter(params), |row| {
                    row.get::<_, String>(3)
                })
                .unwrap();
            rows.map(Result::unwrap).collect::<Vec<_>>().join("; ")
        };
        let candidates = plan(CANDIDATES, &["domain", "$.name", "x", "51"]);
        assert!(
            candidates.contains("SEARCH records USING INDEX records_current (kind=?)"),
            "{candidates}"
        );
        let one = plan(CURRENT, &["install", "x"]);
        assert!(
            one.contains("SEARCH") && one.contains("records_current"),
            "{one}"
        );
        let certs = plan(CERTIFICATES, &["x"]);
        assert!(
            certs.contains("SEARCH") && certs.contains("records_install"),
            "{certs}"
        );
    }

    #[test]
    fn every_format_prints_the_matches() {
        let found = looked_up("torquemag.io");
        for format in Format::NAMES.iter().filter_map(|n| Format::from_name(n)) {
            let mut out = Vec::new();
            print(&mut out, format, &found).unwrap();
            let text = String::from_utf8(out).unwrap();
            assert!(text.contains("www.torquemag.io"), "{format:?}: {text}");
            if format == Format::Json {
                let back: Value = serde_json::from_str(&text).unwrap();
                assert_eq!(back, serde_json::to_value(&found).unwrap());
            }
        }
        let one = looked_up("www.torquemag.io");
        let mut out = Vec::new();
        print(&mut out, Format::Table, &one).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("redirect_to   torquemag.io"), "{text}");
        assert!(
            text.contains("A 141.193.213.10, 141.193.213.11; CNAME"),
            "{text}"
        );
    }
}

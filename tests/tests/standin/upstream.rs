//! The stand-in checked against upstream: every response body it sends while
//! the whole suite runs is validated against WP Engine's own schema for that
//! operation and status, from `../shared/upstream/wpe-swagger-1.23.0.skeleton.json`
//! (read from there at run time, never copied into the project; see
//! `../shared/upstream/SOURCES.md`).
//!
//! The document is Swagger 2.0, so its schemas are translated here into JSON
//! Schema (draft 7) first: `#/definitions/X` references resolve in a
//! `definitions` map beside each operation's schema, `x-nullable: true` and a
//! `null` member of an `enum` let the value be `null`, and Swagger-only
//! keywords (`x-*`, `example`, `type: file`) are dropped. Formats (`uuid`,
//! `date-time`, `date`, `email`, `uri`) are checked.
//!
//! How a response is counted:
//!
//! - **ok**: upstream gives that status of that operation a schema and the
//!   body validates; or upstream declares the status without a schema and
//!   the body is empty (a 202 or 204 without content). A status upstream
//!   does not list for the operation is checked against the operation's
//!   `default` response when it has one, else, for an error status, against
//!   the schema upstream's other operations give that status (the
//!   "usual error schema", counted apart).
//! - **exempt**: every problem of the body is covered by [`EXEMPTIONS`],
//!   the one table of where the stand-in deliberately answers otherwise.
//! - **no upstream schema**: the body is not empty but upstream declares no
//!   schema for it (the status without one, or an error status no operation
//!   gives a schema).
//! - **invalid**: anything else, including a success status upstream does
//!   not list for the operation, a body that is not JSON, and an empty body
//!   where upstream declares one. Any invalid body fails the test, which
//!   lists each problem (operation, status, JSON pointer, message).

use std::collections::{BTreeMap, HashMap};

use jsonschema::error::ValidationErrorKind;
use jsonschema::Validator;
use serde_json::{json, Map, Value};
use wpe_api::fake::SentResponse;
use wpe_api_tests::shared_file;

/// Upstream's document, relative to `../shared`.
const UPSTREAM: &str = "upstream/wpe-swagger-1.23.0.skeleton.json";

/// One place where the stand-in deliberately answers otherwise than
/// upstream's document.
struct Exemption {
    /// The operationId.
    operation: &'static str,
    /// The status of the answer.
    status: u16,
    /// The JSON pointer of the problems it covers, a `*` segment standing
    /// for any one segment (an array index); it covers the problems at it
    /// and below it, so `""` covers the whole body. A missing required
    /// property is at the pointer the property would have.
    at: &'static str,
    /// Why the stand-in answers so.
    reason: &'static str,
}

/// Every exemption of this run, with its reason: [`DOCUMENTED_EXEMPTIONS`],
/// and [`LIVE_EXEMPTIONS`] when the stand-in answers in the live API's
/// shapes (`WPE_FAKE_SHAPES=live`). Everything not covered here must
/// validate; an exemption that covers nothing in a run fails the test, so
/// the tables cannot go stale.
static EXEMPTIONS: std::sync::LazyLock<Vec<&'static Exemption>> = std::sync::LazyLock::new(|| {
    let mut all: Vec<&Exemption> = DOCUMENTED_EXEMPTIONS.iter().collect();
    if wpe_api::fake::Shapes::from_env() == wpe_api::fake::Shapes::Live {
        all.extend(LIVE_EXEMPTIONS);
    }
    all
});

/// What the live API was recorded answering otherwise than upstream's
/// document (`wpe_api::fake::Shapes::Live`), where the document forbids it.
const LIVE_EXEMPTIONS: &[Exemption] = &[
    Exemption {
        operation: "listDomains",
        status: 200,
        at: "/results/*/secure_all_urls",
        reason: "the live API answers domains without secure_all_urls (../shared/real-responses/listDomains.json)",
    },
    Exemption {
        operation: "getDomain",
        status: 200,
        at: "/secure_all_urls",
        reason: "a domain read alone, in the live API's shape (no secure_all_urls)",
    },
    Exemption {
        operation: "createDomain",
        status: 201,
        at: "/secure_all_urls",
        reason: "a domain created, in the live API's shape (no secure_all_urls)",
    },
    Exemption {
        operation: "updateDomain",
        status: 200,
        at: "/secure_all_urls",
        reason: "a domain changed, in the live API's shape (no secure_all_urls)",
    },
];

/// Where the stand-in answers otherwise than upstream's document in either shape.
const DOCUMENTED_EXEMPTIONS: &[Exemption] = &[
    Exemption {
        operation: "listAccounts",
        status: 200,
        at: "/results/*/nickname",
        reason: "the live API answers accounts without nickname (../shared/real-responses/listAccounts.json), \
                 so the demo seed keeps one such account (demosandbox); see deviation account-nickname-optional",
    },
    Exemption {
        operation: "getAccount",
        status: 200,
        at: "/nickname",
        reason: "the same account read alone (demosandbox, without nickname as the live API answers); \
                 see deviation account-nickname-optional",
    },
    Exemption {
        operation: "createBulkDomains",
        status: 201,
        at: "",
        reason: "our spec follows WP Engine's docs envelope; see deviation bulk-domains-response-envelope",
    },
];

/// Upstream's document, translated.
struct Upstream {
    version: String,
    /// Every definition, as JSON Schema.
    definitions: Map<String, Value>,
    /// The responses of each operation, by upper-case method and path.
    responses: HashMap<(String, String), Map<String, Value>>,
    /// For each error status, the schema upstream's operations most often
    /// give it.
    usual_error: BTreeMap<String, Value>,
}

impl Upstream {
    fn load() -> Option<Self> {
        let path = shared_file(UPSTREAM)?;
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
        let doc: Value = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()));
        assert_eq!(doc["swagger"], "2.0", "{} is Swagger 2.0", path.display());
        let version = doc["info"]["version"]
            .as_str()
            .expect("info.version")
            .to_owned();
        let definitions = doc["definitions"]
            .as_object()
            .expect("definitions")
            .iter()
            .map(|(name, schema)| (name.clone(), to_json_schema(schema)))
            .collect();
        let mut responses = HashMap::new();
        let mut seen: BTreeMap<String, BTreeMap<String, (usize, Value)>> = BTreeMap::new();
        for (path, item) in doc["paths"].as_object().expect("paths") {
            for (method, operation) in item.as_object().expect("path item") {
                let Some(answers) = operation.get("responses").and_then(Value::as_object) else {
                    continue;
                };
                for (status, answer) in answers {
                    if let (true, Some(schema)) =
                        (status.starts_with(['4', '5']), answer.get("schema"))
                    {
                        let key = schema.to_string();
                        seen.entry(status.clone())
                            .or_default()
                            .entry(key)
                            .or_insert((0, schema.clone()))
                            .0 += 1;
                    }
                }
                responses.insert((method.to_uppercase(), path.clone()), answers.clone());
            }
        }
        let usual_error = seen
            .into_iter()
            .map(|(status, schemas)| {
                let (_, schema) = schemas
                    .into_values()
                    .max_by_key(|(count, _)| *count)
                    .expect("at least one schema");
                (status, to_json_schema(&schema))
            })
            .collect();
        Some(Self {
            version,
            definitions,
            responses,
            usual_error,
        })
    }
}

/// A Swagger 2.0 schema as JSON Schema (draft 7).
fn to_json_schema(schema: &Value) -> Value {
    let Some(fields) = schema.as_object() else {
        return schema.clone();
    };
    let mut out = Map::new();
    for (key, value) in fields {
        match key.as_str() {
            "properties" => {
                let properties = value
                    .as_object()
                    .expect("properties is an object")
                    .iter()
                    .map(|(name, schema)| (name.clone(), to_json_schema(schema)))
                    .collect();
                out.insert(key.clone(), Value::Object(properties));
            }
            "items" | "additionalProperties" if value.is_object() => {
                out.insert(key.clone(), to_json_schema(value));
            }
            "allOf" | "anyOf" | "oneOf" => {
                let all = value.as_array().expect("a list of schemas");
                out.insert(key.clone(), all.iter().map(to_json_schema).collect());
            }
            "type" if value == "file" => {}
            "example" | "discriminator" | "readOnly" | "xml" | "externalDocs" => {}
            _ if key.starts_with("x-") => {}
            _ => {
                out.insert(key.clone(), value.clone());
            }
        }
    }
    let null_in_enum = fields
        .get("enum")
        .and_then(Value::as_array)
        .is_some_and(|members| members.contains(&Value::Null));
    if fields.get("x-nullable") != Some(&Value::Bool(true)) && !null_in_enum {
        return Value::Object(out);
    }
    if out.contains_key("$ref") || !out.contains_key("type") {
        // `$ref` ignores its siblings in draft 7, and without a `type`
        // there is nothing to widen: allow `null` beside the whole schema.
        return json!({ "anyOf": [Value::Object(out), { "type": "null" }] });
    }
    if let Some(Value::String(kind)) = out.get("type").cloned() {
        out.insert("type".into(), json!([kind, "null"]));
    }
    if let Some(Value::Array(members)) = out.get_mut("enum") {
        if !members.contains(&Value::Null) {
            members.push(Value::Null);
        }
    }
    Value::Object(out)
}

/// What a response was checked against.
enum Against {
    /// The operation's own schema for that status.
    Own(Value),
    /// The operation's `default` response, for a status it does not list.
    Default(Value),
    /// The usual schema of an error status the operation does not list.
    UsualError(Value),
    /// Upstream declares the status without a schema.
    NoSchema,
    /// A success status upstream does not list for the operation.
    Unlisted,
    /// An error status without a schema anywhere in upstream's document.
    NoErrorSchema,
}

fn against(upstream: &Upstream, answers: &Map<String, Value>, status: u16) -> Against {
    let code = status.to_string();
    if let Some(answer) = answers.get(&code) {
        return answer.get("schema").map_or(Against::NoSchema, |schema| {
            Against::Own(to_json_schema(schema))
        });
    }
    if let Some(schema) = answers.get("default").and_then(|a| a.get("schema")) {
        return Against::Default(to_json_schema(schema));
    }
    if status < 400 {
        return Against::Unlisted;
    }
    upstream
        .usual_error
        .get(&code)
        .map_or(Against::NoErrorSchema, |schema| {
            Against::UsualError(schema.clone())
        })
}

/// One problem of one body.
struct Problem {
    operation: &'static str,
    status: u16,
    pointer: String,
    message: String,
}

/// Whether an exemption's pointer pattern covers a problem's pointer.
fn covers(pattern: &str, pointer: &str) -> bool {
    let mut parts = pointer.split('/').skip(1);
    pattern
        .split('/')
        .skip(1)
        .all(|want| parts.next().is_some_and(|got| want == "*" || want == got))
}

fn problems_of(
    validator: &Validator,
    body: &Value,
    operation: &'static str,
    status: u16,
) -> Vec<Problem> {
    validator
        .iter_errors(body)
        .map(|error| {
            let mut pointer = error.instance_path().to_string();
            if let ValidationErrorKind::Required { property } = error.kind() {
                let name = property.as_str().unwrap_or_default();
                pointer = format!("{pointer}/{}", name.replace('~', "~0").replace('/', "~1"));
            }
            Problem {
                operation,
                status,
                pointer,
                message: error.to_string(),
            }
        })
        .collect()
}

/// How one response was counted.
enum Outcome {
    /// Valid; what it was checked against.
    Ok(OkKind),
    /// Every problem is covered by these exemptions (indices in [`EXEMPTIONS`]).
    Exempt(Vec<usize>),
    /// Not empty, and upstream declares no schema for it.
    NoSchema,
    /// The problems no exemption covers.
    Invalid(Vec<Problem>),
}

#[derive(Clone, Copy)]
enum OkKind {
    Own,
    Default,
    UsualError,
    Empty,
}

/// Judges one response; `validators` caches a compiled schema per
/// operation and status.
fn judge(
    upstream: &Upstream,
    validators: &mut HashMap<(&'static str, u16), Validator>,
    response: &SentResponse,
) -> Outcome {
    let operation = response.operation_id;
    let status = response.status;
    let op = wpe_api::operations::by_operation_id(operation)
        .unwrap_or_else(|| panic!("{operation} is not in the operation table"));
    let answers = upstream
        .responses
        .get(&(op.method.to_owned(), op.path.to_owned()))
        .unwrap_or_else(|| {
            panic!(
                "upstream {} has no {} {}",
                upstream.version, op.method, op.path
            )
        });
    let invalid = |message: String| {
        Outcome::Invalid(vec![Problem {
            operation,
            status,
            pointer: String::new(),
            message,
        }])
    };
    let (kind, schema) = match against(upstream, answers, status) {
        Against::Own(schema) => (OkKind::Own, schema),
        Against::Default(schema) => (OkKind::Default, schema),
        Against::UsualError(schema) => (OkKind::UsualError, schema),
        Against::NoSchema if response.body.is_empty() => return Outcome::Ok(OkKind::Empty),
        Against::NoSchema | Against::NoErrorSchema => return Outcome::NoSchema,
        Against::Unlisted => return invalid(format!("upstream lists no {status} for {operation}")),
    };
    if response.body.is_empty() {
        return invalid("empty body; upstream declares a schema".into());
    }
    let body: Value = match serde_json::from_slice(&response.body) {
        Ok(body) => body,
        Err(e) => return invalid(format!("body is not JSON: {e}")),
    };
    let validator = validators.entry((operation, status)).or_insert_with(|| {
        let root = json!({ "definitions": upstream.definitions, "allOf": [schema] });
        jsonschema::draft7::options()
            .should_validate_formats(true)
            .build(&root)
            .unwrap_or_else(|e| panic!("upstream's schema of {operation} {status} compiles: {e}"))
    });
    let problems = problems_of(validator, &body, operation, status);
    if problems.is_empty() {
        return Outcome::Ok(kind);
    }
    let exemption = |p: &Problem| {
        EXEMPTIONS.iter().position(|e| {
            e.operation == operation && e.status == status && covers(e.at, &p.pointer)
        })
    };
    match problems
        .iter()
        .map(exemption)
        .collect::<Option<Vec<usize>>>()
    {
        Some(mut used) => {
            used.sort_unstable();
            used.dedup();
            Outcome::Exempt(used)
        }
        None => Outcome::Invalid(
            problems
                .into_iter()
                .filter(|p| exemption(p).is_none())
                .collect(),
        ),
    }
}

#[derive(Default)]
struct Tally {
    ok_own: usize,
    ok_default: usize,
    ok_usual_error: usize,
    ok_empty: usize,
    /// Bodies exempted, by exemption index.
    exempt: BTreeMap<usize, usize>,
    exempt_bodies: usize,
    /// Error statuses the operation does not list, checked against the usual schema.
    unlisted_errors: BTreeMap<(&'static str, u16), usize>,
    /// Every response, by status.
    by_status: BTreeMap<u16, usize>,
    no_schema: BTreeMap<(&'static str, u16), usize>,
    invalid: Vec<Problem>,
    invalid_bodies: usize,
}

/// Checks every response against upstream's document; panics listing every
/// invalid body.
fn check(upstream: &Upstream, sent: &[SentResponse]) {
    let mut validators = HashMap::new();
    let mut tally = Tally::default();
    for response in sent {
        *tally.by_status.entry(response.status).or_default() += 1;
        match judge(upstream, &mut validators, response) {
            Outcome::Ok(OkKind::Own) => tally.ok_own += 1,
            Outcome::Ok(OkKind::Default) => tally.ok_default += 1,
            Outcome::Ok(OkKind::UsualError) => {
                tally.ok_usual_error += 1;
                *tally
                    .unlisted_errors
                    .entry((response.operation_id, response.status))
                    .or_default() += 1;
            }
            Outcome::Ok(OkKind::Empty) => tally.ok_empty += 1,
            Outcome::Exempt(used) => {
                tally.exempt_bodies += 1;
                for index in used {
                    *tally.exempt.entry(index).or_default() += 1;
                }
            }
            Outcome::NoSchema => {
                *tally
                    .no_schema
                    .entry((response.operation_id, response.status))
                    .or_default() += 1;
            }
            Outcome::Invalid(problems) => {
                tally.invalid_bodies += 1;
                tally.invalid.extend(problems);
            }
        }
    }
    report(upstream, sent.len(), &tally);
}

fn report(upstream: &Upstream, total: usize, tally: &Tally) {
    let ok = tally.ok_own + tally.ok_default + tally.ok_usual_error + tally.ok_empty;
    let exempt = tally.exempt_bodies;
    let no_schema: usize = tally.no_schema.values().sum();
    let reasons: Vec<String> = tally
        .exempt
        .iter()
        .map(|(index, count)| {
            let e = &EXEMPTIONS[*index];
            format!("{} {} ×{count}: {}", e.operation, e.status, e.reason)
        })
        .collect();
    println!(
        "validated {total} stand-in responses against upstream {}: {ok} ok, {exempt} exempt ({}), {no_schema} with no upstream schema, {} invalid",
        upstream.version,
        reasons.join("; "),
        tally.invalid_bodies,
    );
    println!(
        "  ok: {} against the operation's own schema, {} against its default response, \
         {} against upstream's usual schema of an error status the operation does not list, \
         {} empty where upstream declares no schema",
        tally.ok_own, tally.ok_default, tally.ok_usual_error, tally.ok_empty
    );
    let statuses: Vec<String> = tally
        .by_status
        .iter()
        .map(|(status, count)| format!("{status} ×{count}"))
        .collect();
    println!("  by status: {}", statuses.join(", "));
    for ((operation, status), count) in &tally.unlisted_errors {
        println!("  not listed by upstream for the operation, checked against the usual {status} schema: {operation} {status} ×{count}");
    }
    for ((operation, status), count) in &tally.no_schema {
        println!("  no upstream schema: {operation} {status} ×{count}");
    }
    let stale: Vec<String> = EXEMPTIONS
        .iter()
        .enumerate()
        .filter(|(index, _)| !tally.exempt.contains_key(index))
        .map(|(_, e)| format!("{} {} at {:?}", e.operation, e.status, e.at))
        .collect();
    // Every distinct problem, with how many bodies have it.
    let mut distinct: BTreeMap<String, usize> = BTreeMap::new();
    for p in &tally.invalid {
        let line = format!(
            "{} {} at {:?}: {}",
            p.operation, p.status, p.pointer, p.message
        );
        *distinct.entry(line).or_default() += 1;
    }
    let problems: Vec<String> = distinct
        .into_iter()
        .map(|(line, count)| {
            if count == 1 {
                line
            } else {
                format!("{line} (×{count})")
            }
        })
        .collect();
    assert!(
        problems.is_empty(),
        "{} stand-in response bodies do not match upstream {}:\n{}",
        tally.invalid_bodies,
        upstream.version,
        problems.join("\n")
    );
    assert!(
        stale.is_empty(),
        "exemptions that covered nothing (remove them): {}",
        stale.join(", ")
    );
}

#[tokio::test]
async fn every_response_matches_upstream() {
    let Some(upstream) = Upstream::load() else {
        return;
    };
    let runs = crate::run_all_scenarios().await;
    let sent: Vec<SentResponse> = runs
        .into_iter()
        .flat_map(|(_, served)| served.responses)
        .collect();
    check(&upstream, &sent);
}

#[test]
fn nullable_and_null_enum_members_allow_null() {
    let nullable = to_json_schema(&json!({ "type": "string", "x-nullable": true }));
    assert_eq!(nullable, json!({ "type": ["string", "null"] }));
    let in_enum = to_json_schema(&json!({
        "type": "string",
        "x-nullable": true,
        "enum": ["production", null],
    }));
    assert_eq!(
        in_enum,
        json!({ "type": ["string", "null"], "enum": ["production", null] })
    );
    let reference = to_json_schema(&json!({ "$ref": "#/definitions/X", "x-nullable": true }));
    assert_eq!(
        reference,
        json!({ "anyOf": [{ "$ref": "#/definitions/X" }, { "type": "null" }] })
    );
    assert_eq!(
        to_json_schema(&json!({ "type": "string", "example": "x", "x-foo": 1 })),
        json!({ "type": "string" })
    );
}

#[test]
fn exemption_pointers_cover_what_is_below_them() {
    assert!(covers("", "/results/0/nickname"));
    assert!(covers("/results/*/nickname", "/results/3/nickname"));
    assert!(covers("/results/*", "/results/3/nickname"));
    assert!(!covers("/results/*/nickname", "/results/3/name"));
    assert!(!covers("/results/*/nickname", "/results"));
}

//! `sync-spec --answers DIR`: recorded answers, written by each test into a scratch directory,
//! checked against a small spec of the test's own; and the team's real recordings in
//! `../shared/real-responses` against our `spec/`.

use std::path::{Path, PathBuf};

use serde_json::{json, Value};

mod common;

use common::{fixtures, scratch, shared_file, write_json, xtask, Run};

/// A small OpenAPI 3 spec: a page of things, one thing, and the schemas they use
/// (`$ref`s, `allOf` + `nullable`, a closed and an open enum, the formats our spec uses).
fn spec() -> Value {
    json!({
        "openapi": "3.0.3",
        "info": {"title": "Things", "version": "1.0.0"},
        "servers": [{"url": "https://api.example.com/v1"}],
        "paths": {
            "/things": {"get": {
                "operationId": "listThings",
                "responses": {"200": {"description": "", "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/ThingsPage"}}}}}
            }},
            "/things/{thing_id}": {"get": {
                "operationId": "getThing",
                "parameters": [{"name": "thing_id", "in": "path", "required": true, "schema": {"type": "string"}}],
                "responses": {
                    "200": {"description": "", "content": {"application/json": {
                        "schema": {"$ref": "#/components/schemas/Thing"}}}},
                    "404": {"$ref": "#/components/responses/Error"}
                }
            }}
        },
        "components": {
            "responses": {"Error": {"description": "", "content": {"application/json": {
                "schema": {"type": "object", "properties": {"message": {"type": "string"}}}}}}},
            "schemas": {
                "ThingsPage": {"type": "object", "properties": {
                    "count": {"type": "integer"},
                    "next": {"type": "string", "nullable": true},
                    "results": {"type": "array", "items": {"$ref": "#/components/schemas/Thing"}}
                }},
                "Thing": {"type": "object", "required": ["id", "name", "kind"], "properties": {
                    "id": {"type": "string", "format": "uuid"},
                    "name": {"type": "string"},
                    "kind": {"$ref": "#/components/schemas/ThingKind"},
                    "state": {"$ref": "#/components/schemas/ThingState"},
                    "size": {"type": "string", "format": "int64"},
                    "created_at": {"type": "string", "format": "date-time"},
                    "owner": {"nullable": true, "allOf": [{"$ref": "#/components/schemas/Owner"}]},
                    "parent": {"$ref": "#/components/schemas/Owner"},
                    "labels": {"type": "object", "additionalProperties": {"type": "string"}}
                }},
                "ThingKind": {"type": "string", "enum": ["a", "b"]},
                "ThingState": {"type": "string", "enum": ["on", "off"], "x-wpe-open-enum": true},
                "Owner": {"type": "object", "required": ["id", "email"], "properties": {
                    "id": {"type": "string", "format": "uuid"},
                    "email": {"type": "string", "format": "email"}
                }}
            }
        }
    })
}

const UUID: &str = "123e4567-e89b-12d3-a456-426614174000";

/// A recording in the format of `../shared/real-responses`.
fn recording(
    operation_id: Option<&str>,
    method: &str,
    url: &str,
    status: u16,
    body: Value,
) -> Value {
    let mut r = json!({
        "request": {"method": method, "url": url},
        "response": {"status": status, "headers": {"content-type": "application/json"}, "body": body}
    });
    if let Some(id) = operation_id {
        r["operationId"] = json!(id);
    }
    r
}

/// A page of three things: the first as the spec wants it (a new open-enum value aside), the
/// second and third with every kind of disagreement, some shared so they group.
fn things_page() -> Value {
    json!({
        "count": 3,
        "next": null,
        "results": [
            {"id": UUID, "name": "one", "kind": "a", "state": "archived", "size": "9007199254740993",
             "created_at": "2021-07-05T11:36:14Z", "owner": null, "labels": {"x": "y"},
             "parent": {"id": UUID, "email": "p@example.com"}},
            {"id": "not-a-uuid", "name": "two", "kind": "c", "size": 42, "colour": "red",
             "owner": {}, "parent": null},
            {"id": UUID, "kind": "b", "state": "archived", "created_at": "yesterday", "colour": "blue",
             "labels": {"z": 1}}
        ]
    })
}

/// Writes the spec, the deviations and the recordings into `dir`; returns the answers dir.
fn setup(dir: &Path, deviations: Value, recordings: &[(&str, Value)]) -> PathBuf {
    write_json(&dir.join("openapi.json"), &spec());
    write_json(&dir.join("deviations.json"), &deviations);
    let answers = dir.join("answers");
    std::fs::create_dir_all(&answers).expect("answers dir");
    std::fs::write(answers.join("NOTES.md"), "not a recording: ignored\n").expect("notes");
    for (name, r) in recordings {
        write_json(&answers.join(name), r);
    }
    answers
}

fn all_recordings() -> Vec<(&'static str, Value)> {
    vec![
        (
            "listThings.json",
            recording(
                Some("listThings"),
                "GET",
                "https://api.example.com/v1/things?limit=10",
                200,
                things_page(),
            ),
        ),
        // No operationId: found by method and URL, despite the doubled slash.
        (
            "thing.json",
            recording(
                None,
                "GET",
                &format!("https://api.example.com/v1//things/{UUID}"),
                200,
                json!({"id": UUID, "name": "t", "kind": "a"}),
            ),
        ),
        (
            "gone.json",
            recording(
                Some("getThing"),
                "GET",
                &format!("https://api.example.com/v1/things/{UUID}"),
                410,
                json!({"message": "gone"}),
            ),
        ),
        (
            "widgets.json",
            recording(
                Some("listWidgets"),
                "GET",
                "https://api.example.com/v1/widgets",
                200,
                json!([]),
            ),
        ),
    ]
}

fn answers_run(dir: &Path, answers: &Path, extra: &[&str]) -> Run {
    let mut args: Vec<String> = vec![
        "sync-spec".into(),
        "--answers".into(),
        answers.display().to_string(),
        "--spec".into(),
        dir.join("openapi.json").display().to_string(),
        "--deviations".into(),
        dir.join("deviations.json").display().to_string(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    xtask(&args)
}

/// (recording, location, kind, schema, count, of) of each finding in a list of the JSON report.
fn rows(list: &Value) -> Vec<(String, String, String, String, u64, u64)> {
    let mut out: Vec<_> = list
        .as_array()
        .expect("list")
        .iter()
        .map(|f| {
            (
                f["recording"].as_str().unwrap_or_default().to_string(),
                f["location"].as_str().unwrap_or_default().to_string(),
                f["kind"].as_str().unwrap_or_default().to_string(),
                f["schema"].as_str().unwrap_or_default().to_string(),
                f["count"].as_u64().unwrap_or_default(),
                f["of"].as_u64().unwrap_or_default(),
            )
        })
        .collect();
    out.sort();
    out
}

fn row(
    file: &str,
    location: &str,
    kind: &str,
    schema: &str,
    count: u64,
    of: u64,
) -> (String, String, String, String, u64, u64) {
    (
        file.into(),
        location.into(),
        kind.into(),
        schema.into(),
        count,
        of,
    )
}

#[test]
fn every_kind_of_finding_is_reported_once_per_location_with_a_count() {
    let dir = scratch("kinds");
    let answers = setup(&dir, json!({"deviations": []}), &all_recordings());
    let run = answers_run(&dir, &answers, &["--json"]);
    assert_eq!(
        run.code, 0,
        "without --check the report is all: {}",
        run.stderr
    );
    let report = run.json();
    let l = "listThings.json";
    let r = "response.200.body.results[]";
    let expected = vec![
        row(
            "gone.json",
            "response.410",
            "answer-status-undocumented",
            "",
            1,
            1,
        ),
        row(
            l,
            &format!("{r}.colour"),
            "answer-field-added",
            "Thing.colour",
            2,
            3,
        ),
        row(
            l,
            &format!("{r}.created_at"),
            "answer-format-mismatch",
            "Thing.created_at",
            1,
            2,
        ),
        row(
            l,
            &format!("{r}.id"),
            "answer-format-mismatch",
            "Thing.id",
            1,
            3,
        ),
        row(
            l,
            &format!("{r}.kind"),
            "answer-enum-mismatch",
            "Thing.kind",
            1,
            3,
        ),
        row(
            l,
            &format!("{r}.labels{{}}"),
            "answer-type-mismatch",
            "Thing.labels{}",
            1,
            2,
        ),
        row(
            l,
            &format!("{r}.name"),
            "answer-required-absent",
            "Thing.name",
            1,
            3,
        ),
        // `owner` is `allOf: [$ref Owner]` + nullable: null passes, `{}` lacks Owner's required fields.
        row(
            l,
            &format!("{r}.owner.email"),
            "answer-required-absent",
            "Owner.email",
            1,
            2,
        ),
        row(
            l,
            &format!("{r}.owner.id"),
            "answer-required-absent",
            "Owner.id",
            1,
            2,
        ),
        // `parent` is a plain $ref: not nullable.
        row(
            l,
            &format!("{r}.parent"),
            "answer-null-not-nullable",
            "Thing.parent",
            1,
            2,
        ),
        // int64 is a string in this spec (as in ours): a JSON number is the wrong type.
        row(
            l,
            &format!("{r}.size"),
            "answer-type-mismatch",
            "Thing.size",
            1,
            2,
        ),
        row(
            "widgets.json",
            "operation",
            "answer-operation-unknown",
            "",
            1,
            1,
        ),
    ];
    assert_eq!(rows(&report["findings"]), expected);
    assert_eq!(
        rows(&report["info"]),
        vec![row(
            l,
            &format!("{r}.state"),
            "answer-open-enum-value",
            "Thing.state",
            2,
            2
        )],
        "a new value of an open enum is information, grouped over the items"
    );
    let recordings = report["recordings"].as_array().expect("recordings");
    let thing = recordings
        .iter()
        .find(|r| r["file"] == "thing.json")
        .expect("thing.json read");
    assert_eq!(thing["operation"], "getThing");
    assert_eq!(thing["path"], "/things/{thing_id}");
    assert_eq!(thing["matched_by"], "path");
    assert_eq!(thing["schema"], "Thing");
    assert_eq!(recordings.len(), 4, "NOTES.md is not a recording");
    assert_eq!(report["summary"]["findings"], 12);
    assert_eq!(report["summary"]["check_fails"], true);
}

#[test]
fn the_text_report_names_location_schema_kind_and_count() {
    let dir = scratch("text");
    let answers = setup(&dir, json!({"deviations": []}), &all_recordings());
    let run = answers_run(&dir, &answers, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let out = &run.stdout;
    for line in [
        "  listThings.json  listThings  GET /things  200 -> ThingsPage",
        "  thing.json  getThing  GET /things/{thing_id}  200 -> Thing  (matched by URL)",
        "Findings (12 not covered by a deviation), by recording:",
        "    [additive] response.200.body.results[].colour (Thing.colour)  answer-field-added: Thing has no property `colour`; the answer has string [2 of 3]",
        "    [breaking] response.200.body.results[].kind (Thing.kind)  answer-enum-mismatch: not in the enum (ThingKind) [\"a\", \"b\"]: \"c\" [1 of 3]",
        "    [breaking] response.200.body.results[].size (Thing.size)  answer-type-mismatch: the spec wants string, format int64; the answer has integer [1 of 2]",
        "    [breaking] response.200.body.results[].parent (Thing.parent)  answer-null-not-nullable: null, where the spec wants object (Owner) and has no `nullable` [1 of 2]",
        "    [breaking] response.200.body.results[].owner.id (Owner.id)  answer-required-absent: Owner requires `id`; absent [1 of 2]",
        "New values of open enums (1; information, never a failure):",
        "    [info] response.200.body.results[].state (Thing.state)  answer-open-enum-value: new value of an open enum (ThingState) [\"on\", \"off\"]: \"archived\" [2 of 2]",
        "— check FAILS",
    ] {
        assert!(out.contains(line), "missing {line:?} in:\n{out}");
    }
}

/// Entries covering every failing finding of [`all_recordings`], by various selectors.
fn covering() -> Vec<Value> {
    vec![
        json!({"id": "colour-added", "operation": "listThings", "location": "response.200.body.results[].colour",
               "kind": "answer-field-added", "evidence": "listThings.json", "reason": "Colour is cosmetic."}),
        json!({"id": "owner-fields", "schema": "Owner.*", "kind": "answer-required-absent",
               "evidence": "*.json", "reason": "Old owners are empty objects."}),
        json!({"id": "old-things", "operation": "listThings", "path": "/things",
               "kind": ["answer-required-absent", "answer-type-mismatch", "answer-format-mismatch",
                        "answer-enum-mismatch", "answer-null-not-nullable"],
               "evidence": "listThings.json", "reason": "Recorded before the schema settled."}),
        json!({"id": "gone", "kind": "answer-status-undocumented", "evidence": "gone.json", "reason": "410 is a stand-in."}),
        json!({"id": "widgets", "kind": "answer-operation-unknown", "evidence": "widgets.json", "reason": "Widgets are not ours."}),
    ]
}

#[test]
fn check_fails_on_an_uncovered_finding_and_passes_when_deviations_cover_all() {
    let dir = scratch("check");
    let answers = setup(&dir, json!({"deviations": []}), &all_recordings());
    let run = answers_run(&dir, &answers, &["--check"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);

    write_json(
        &dir.join("deviations.json"),
        &json!({"deviations": covering()}),
    );
    let run = answers_run(&dir, &answers, &["--check", "--json"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let report = run.json();
    assert_eq!(report["findings"], json!([]));
    assert_eq!(report["summary"]["covered"], 12);
    assert_eq!(
        report["summary"]["info"], 1,
        "the open-enum value stays information"
    );
    assert_eq!(report["stale_deviations"], json!([]));
    let owner = report["covered"]
        .as_array()
        .expect("covered")
        .iter()
        .find(|c| c["location"] == "response.200.body.results[].owner.id")
        .expect("owner.id covered");
    assert_eq!(owner["deviations"], json!(["owner-fields", "old-things"]));

    // Evidence selects the recording: the same entry for another file covers nothing.
    let mut devs = covering();
    devs[0]["evidence"] = json!("otherThings.json");
    write_json(&dir.join("deviations.json"), &json!({"deviations": devs}));
    let run = answers_run(&dir, &answers, &["--check"]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(
        run.stdout
            .contains("Findings (1 not covered by a deviation)"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("  colour-added: Colour is cosmetic."),
        "{}",
        run.stdout
    );
}

#[test]
fn a_stale_answer_deviation_warns_and_fails_only_with_strict() {
    let dir = scratch("stale");
    let mut devs = covering();
    devs.push(
        json!({"id": "flavour-added", "location": "**.flavour", "kind": "answer-field-added",
                     "evidence": "listThings.json", "reason": "No longer sent."}),
    );
    devs.push(json!({"id": "typo", "kind": "answer-feild-added", "evidence": "listThings.json", "reason": "Typo."}));
    let answers = setup(&dir, json!({"deviations": devs}), &all_recordings());
    let run = answers_run(&dir, &answers, &["--check"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let out = &run.stdout;
    assert!(
        out.contains("Stale answer deviations (2), covering no finding (warning; fails --check only with --strict):"),
        "{out}"
    );
    assert!(out.contains("  flavour-added: No longer sent."), "{out}");
    assert!(
        out.contains("    entry kind \"answer-feild-added\" names no known change kind"),
        "{out}"
    );
    assert!(out.contains("2 stale deviations"), "{out}");
    let strict = answers_run(&dir, &answers, &["--check", "--strict"]);
    assert_eq!(strict.code, 1, "{}", strict.stdout);
}

#[test]
fn unreadable_input_exits_2_naming_the_file_and_why() {
    let dir = scratch("bad");
    let answers = setup(&dir, json!({"deviations": []}), &all_recordings());
    std::fs::write(answers.join("broken.json"), "{\"operationId\": ").expect("write");
    let run = answers_run(&dir, &answers, &["--check"]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(run.stdout.is_empty(), "no report: {}", run.stdout);
    let err = run.stderr.trim();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("broken.json: not valid JSON"),
        "the file and the cause: {err}"
    );

    std::fs::write(
        answers.join("broken.json"),
        r#"{"operationId": "listThings", "request": {"method": "GET", "url": "/v1/things"}, "response": {"body": {}}}"#,
    )
    .expect("write");
    let run = answers_run(&dir, &answers, &[]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("broken.json: not a recorded answer: `response.status` is missing"),
        "{}",
        run.stderr
    );

    let run = answers_run(&dir, &dir.join("nowhere"), &[]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("cannot read answers directory") && run.stderr.contains("nowhere"),
        "{}",
        run.stderr
    );

    let empty = dir.join("empty");
    std::fs::create_dir_all(&empty).expect("mkdir");
    let run = answers_run(&dir, &empty, &[]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("holds no .json recording"),
        "{}",
        run.stderr
    );
}

#[test]
fn an_answer_entry_needs_evidence_and_kinds_of_one_family() {
    let dir = scratch("entries");
    let answers = setup(
        &dir,
        json!({"deviations": [{"id": "no-evidence", "kind": "answer-field-added", "reason": "r"}]}),
        &all_recordings(),
    );
    let run = answers_run(&dir, &answers, &[]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("entry no-evidence: an answer-* entry needs `evidence`"),
        "{}",
        run.stderr
    );
    write_json(
        &dir.join("deviations.json"),
        &json!({"deviations": [{"id": "mixed", "kind": ["answer-field-added", "property-added"],
                                "evidence": "x.json", "reason": "r"}]}),
    );
    let run = answers_run(&dir, &answers, &[]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("entry mixed: `kind` mixes"),
        "{}",
        run.stderr
    );
}

#[test]
fn answer_entries_take_no_part_in_the_upstream_comparison() {
    let dir = scratch("upstream");
    let devs = json!({"deviations": [
        {"id": "answer-only", "location": "**.colour", "kind": "answer-field-added",
         "evidence": "listThings.json", "reason": "Covers a recording, not upstream."},
        {"id": "documented", "operation": "*", "location": "**.nickname", "kind": "required-added",
         "evidence": ["listAccounts.json"], "reason": "Evidence on an upstream entry documents it."}
    ]});
    write_json(&dir.join("deviations.json"), &devs);
    let run = xtask([
        "sync-spec".to_string(),
        "--from-file".into(),
        fixtures().join("base.swagger.json").display().to_string(),
        "--spec".into(),
        fixtures().join("base.openapi.json").display().to_string(),
        "--deviations".into(),
        dir.join("deviations.json").display().to_string(),
        "--lock".into(),
        dir.join("lock.json").display().to_string(),
        "--json".into(),
        "--check".into(),
    ]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let report = run.json();
    let stale: Vec<&str> = report["stale_deviations"]
        .as_array()
        .expect("stale")
        .iter()
        .filter_map(|s| s["id"].as_str())
        .collect();
    assert_eq!(
        stale,
        vec!["documented"],
        "the answer entry is neither matched nor stale upstream; the upstream entry is stale as before"
    );
}

/// The team's recordings of the live API (2021) against our spec and deviations.
#[test]
fn the_real_recordings_disagree_with_our_spec_only_where_a_deviation_says_so() {
    let Some(real) = shared_file("real-responses") else {
        return;
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let run = xtask([
        "sync-spec".to_string(),
        "--answers".into(),
        real.display().to_string(),
        "--spec".into(),
        root.join("spec/openapi.json").display().to_string(),
        "--deviations".into(),
        root.join("spec/deviations.json").display().to_string(),
        "--json".into(),
        "--check".into(),
    ]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let report = run.json();
    let recordings: Vec<(String, String, String)> = report["recordings"]
        .as_array()
        .expect("recordings")
        .iter()
        .map(|r| {
            (
                r["file"].as_str().unwrap_or_default().to_string(),
                r["matched_by"].as_str().unwrap_or_default().to_string(),
                r["schema"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    let by_id = |f: &str, s: &str| (f.to_string(), "operationId".to_string(), s.to_string());
    assert_eq!(
        recordings,
        vec![
            by_id("getCurrentUser.json", "User"),
            by_id("listAccounts.json", "AccountsPage"),
            by_id("listDomains.json", "DomainsPage"),
            by_id("listInstalls.json", "InstallsPage"),
            by_id("listSites.json", "SitesPage"),
        ]
    );
    assert_eq!(report["findings"], json!([]));
    assert_eq!(report["info"], json!([]));
    assert_eq!(report["stale_deviations"], json!([]));
    assert_eq!(report["notes"], json!([]));
    // Our spec declares every field the recordings hold: domains' `redirect_to` (an
    // object, `{}` without a redirect) as a typed property (deviation
    // domain-redirect-to-live-shape against upstream).
    assert_eq!(report["covered"], json!([]));

    // Without it, as upstream's document has Domain, the recordings disagree there and
    // the check fails.
    let dir = scratch("real");
    let mut spec: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("spec/openapi.json")).expect("read our spec"),
    )
    .expect("our spec is JSON");
    spec["components"]["schemas"]["Domain"]["properties"]
        .as_object_mut()
        .expect("Domain's properties")
        .remove("redirect_to")
        .expect("Domain has redirect_to");
    write_json(&dir.join("openapi.json"), &spec);
    write_json(&dir.join("none.json"), &json!({"deviations": []}));
    let run = xtask([
        "sync-spec".to_string(),
        "--answers".into(),
        real.display().to_string(),
        "--spec".into(),
        dir.join("openapi.json").display().to_string(),
        "--deviations".into(),
        dir.join("none.json").display().to_string(),
        "--check".into(),
    ]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("    [additive] response.200.body.results[].redirect_to (Domain.redirect_to)  answer-field-added: Domain has no property `redirect_to`; the answer has object [5 of 5]"),
        "{}",
        run.stdout
    );
}

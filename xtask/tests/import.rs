//! `sync-spec --import`: conversion rules on small documents, and real upgrades across WP
//! Engine's releases (read from `../shared` at run time).

mod common;

use common::{convention_deviations, fixtures, read_json, scratch, write_json, xtask, Run};
use std::ffi::OsStr;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::{json, Value};

/// `cargo xtask sync-spec` with `spec` as ours, `upstream` read from a file, a lock in `spec`'s directory.
fn sync(spec: &Path, upstream: &Path, deviations: &Path, extra: &[&str]) -> Run {
    let lock = spec.with_file_name("upstream.lock.json");
    let mut args: Vec<&OsStr> = vec![OsStr::new("sync-spec"), OsStr::new("--from-file")];
    args.push(upstream.as_os_str());
    args.extend([OsStr::new("--spec"), spec.as_os_str()]);
    args.extend([OsStr::new("--deviations"), deviations.as_os_str()]);
    args.extend([OsStr::new("--lock"), lock.as_os_str()]);
    args.extend(extra.iter().map(OsStr::new));
    xtask(args)
}

/// An empty spec of ours.
fn empty_spec() -> Value {
    json!({"openapi": "3.0.3", "info": {"title": "ours", "version": "1"}, "paths": {}})
}

/// In `dir`: `upstream` and `ours` as files, and the convention deviations; their paths
/// (upstream, spec, deviations).
fn import_files(dir: &Path, upstream: &Value, ours: &Value) -> (PathBuf, PathBuf, PathBuf) {
    let up = dir.join("upstream.json");
    write_json(&up, upstream);
    let spec = dir.join("openapi.json");
    write_json(&spec, ours);
    (up, spec, convention_deviations(dir))
}

/// `(operation, location, kind)` of every change in a report list.
fn identities(list: &Value) -> BTreeSet<(String, String, String)> {
    list.as_array()
        .expect("a list of changes")
        .iter()
        .map(|c| {
            (
                c["operation"].as_str().unwrap_or("-").to_string(),
                c["location"].as_str().expect("location").to_string(),
                c["kind"].as_str().expect("kind").to_string(),
            )
        })
        .collect()
}

fn ids(list: &[(&str, &str, &str)]) -> BTreeSet<(String, String, String)> {
    list.iter()
        .map(|(o, l, k)| (o.to_string(), l.to_string(), k.to_string()))
        .collect()
}

/// Every operation of an OpenAPI document: (METHOD, path, operation).
fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("path item") {
            out.push((method.to_ascii_uppercase(), path.clone(), op.clone()));
        }
    }
    out
}

/// What a maintainer does with the markers: writes the text (here: a stand-in sentence).
fn resolve_markers(v: &mut Value) {
    match v {
        Value::String(s) if s.starts_with("TODO(import)") => *s = "Written by a maintainer.".into(),
        Value::Array(a) => a.iter_mut().for_each(resolve_markers),
        Value::Object(m) => m.values_mut().for_each(resolve_markers),
        _ => {}
    }
}

/// Checks the conventions every imported operation follows, and that the document is OpenAPI 3.0.
fn assert_our_conventions(doc: &Value) {
    serde_json::from_value::<openapiv3::OpenAPI>(doc.clone()).expect("OpenAPI 3.0");
    for (method, path, op) in operations(doc) {
        let at = format!("{method} {path}");
        let idempotent = matches!(method.as_str(), "GET" | "PUT" | "DELETE");
        assert_eq!(op["x-wpe-idempotent"], json!(idempotent), "{at}");
        assert!(op["operationId"].is_string(), "{at} has an operationId");
        for p in op["parameters"].as_array().into_iter().flatten() {
            assert_ne!(p["in"], "header", "{at}: no header parameter");
            assert_ne!(p["in"], "body", "{at}: bodies are requestBody");
        }
        let responses = op["responses"].as_object().expect("responses");
        assert!(!responses.contains_key("default"), "{at}: no default");
        for status in ["4XX", "5XX"] {
            assert_eq!(
                responses[status],
                json!({"$ref": "#/components/responses/Error"}),
                "{at}"
            );
        }
        for (status, r) in responses {
            if status.starts_with('4') || status.starts_with('5') {
                assert_eq!(
                    r,
                    &json!({"$ref": "#/components/responses/Error"}),
                    "{at} {status}"
                );
            }
        }
        let open = path == "/status" || path == "/swagger";
        assert_eq!(
            op.get("security") == Some(&json!([])),
            open,
            "{at} security"
        );
    }
    let text = serde_json::to_string(doc).expect("serialise");
    assert!(!text.contains("#/definitions/"), "no Swagger references");
    assert!(!text.contains("x-nullable"), "nullable, not x-nullable");
}

/// Follows a local `$ref` (`#/components/<section>/<name>`) to what it names.
fn deref<'d>(doc: &'d Value, v: &'d Value) -> &'d Value {
    match v.get("$ref").and_then(Value::as_str) {
        Some(r) => doc
            .pointer(r.strip_prefix('#').expect("a local $ref"))
            .unwrap_or_else(|| panic!("dangling $ref {r}")),
        None => v,
    }
}

/// What wpe-api's build (`wpe-api/build/table.rs`) requires of an operation, checked on every
/// operation whose id is in `only` (all of them when `None`): a summary, a tag,
/// `x-wpe-idempotent`; path and query parameters only, each described, an enum only as a named
/// schema; a request body and every 2xx JSON body as a `$ref` to a component schema; an offset
/// page whose items are a `$ref` with a string or integer key.
fn assert_wpe_api_build_accepts(doc: &Value, only: Option<&BTreeSet<String>>) {
    for (_, _, op) in operations(doc) {
        let id = op["operationId"].as_str().expect("operationId");
        if only.is_some_and(|o| !o.contains(id)) {
            continue;
        }
        assert!(op["summary"].is_string(), "{id}: a summary");
        assert!(op["tags"][0].is_string(), "{id}: a tag");
        assert!(
            op["x-wpe-idempotent"].is_boolean(),
            "{id}: x-wpe-idempotent"
        );
        for p in op["parameters"].as_array().into_iter().flatten() {
            let p = deref(doc, p);
            let name = p["name"].as_str().expect("parameter name");
            assert!(
                matches!(p["in"].as_str(), Some("path" | "query")),
                "{id}: {name} is a path or query parameter"
            );
            assert!(p["description"].is_string(), "{id}: {name} is described");
            let schema = &p["schema"];
            assert!(
                schema.get("$ref").is_some() || schema.get("enum").is_none(),
                "{id}: {name}: an inline enum needs a named schema"
            );
            let ty = deref(doc, schema)["type"].as_str();
            assert!(
                matches!(ty, Some("string" | "integer" | "boolean")),
                "{id}: {name} has type {ty:?}"
            );
        }
        if let Some(rb) = op.get("requestBody") {
            let schema = &deref(doc, rb)["content"]["application/json"]["schema"];
            assert!(
                schema["$ref"]
                    .as_str()
                    .is_some_and(|r| r.starts_with("#/components/schemas/")),
                "{id}: the request body is a $ref: {schema}"
            );
            deref(doc, schema);
        }
        for (status, r) in op["responses"].as_object().expect("responses") {
            if !status.starts_with('2') {
                continue;
            }
            if let Some(content) = deref(doc, r).get("content") {
                let schema = &content["application/json"]["schema"];
                assert!(
                    schema["$ref"]
                        .as_str()
                        .is_some_and(|r| r.starts_with("#/components/schemas/")),
                    "{id}: the {status} body is a $ref: {schema}"
                );
                deref(doc, schema);
            }
        }
        let paging = &op["x-wpe-paging"];
        if paging["style"] == "offset" {
            let items = paging["items"].as_str().expect("items");
            let key = paging["key"].as_str().expect("key");
            let page = deref(
                doc,
                &op["responses"]["200"]["content"]["application/json"]["schema"],
            );
            let item = &page["properties"][items]["items"];
            assert!(item["$ref"].is_string(), "{id}: page items are a $ref");
            let ty = &deref(doc, item)["properties"][key]["type"];
            assert!(
                ty == "string" || ty == "integer",
                "{id}: key {key} has type {ty}"
            );
        }
    }
}

/// `target fact` of every inference of an import report.
fn facts(imported: &Value) -> Vec<String> {
    imported["inferences"]
        .as_array()
        .expect("inferences")
        .iter()
        .map(|i| {
            format!(
                "{} {}",
                i["target"].as_str().expect("target"),
                i["fact"].as_str().expect("fact")
            )
        })
        .collect()
}

/// The to-do list of an import report.
fn todo(imported: &Value) -> Vec<String> {
    imported["todo"]
        .as_array()
        .expect("a to-do list")
        .iter()
        .map(|t| t.as_str().expect("text").to_string())
        .collect()
}

/// The names of the component schemas of a document.
fn schema_names(doc: &Value) -> Vec<String> {
    doc["components"]["schemas"]
        .as_object()
        .expect("schemas")
        .keys()
        .cloned()
        .collect()
}

const DESCRIBE: &str = "TODO(import): describe in our words";
const DESCRIBE_VALUE: &str = "TODO(import): describe this value in our words";

#[test]
fn new_operation_is_converted_to_our_conventions() {
    let dir = scratch("convert");
    let upstream = json!({
        "swagger": "2.0",
        "info": {"title": "t", "version": "2"},
        "parameters": {"authorization": {"name": "Authorization", "in": "header", "type": "string", "format": "uuid"}},
        "paths": {"/things/{thing_id}/parts": {"get": {
            "tags": ["Thing"],
            "description": "upstream's words",
            "operationId": "listParts",
            "parameters": [
                {"$ref": "#/parameters/authorization"},
                {"name": "thing_id", "in": "path", "required": true, "type": "string", "format": "uuid"},
                {"name": "limit", "in": "query", "type": "integer", "minimum": 0, "maximum": 100, "default": 100},
                {"name": "offset", "in": "query", "type": "integer", "minimum": 0, "default": 0}],
            "responses": {
                "200": {"description": "ok", "schema": {"type": "object", "properties": {
                    "next": {"type": "string", "x-nullable": true},
                    "results": {"type": "array", "items": {"$ref": "#/definitions/Part"}}}}},
                "404": {"description": "no", "schema": {"$ref": "#/definitions/NotFound"}},
                "429": {"$ref": "#/definitions/TooMany"},
                "default": {"description": "other", "schema": {"$ref": "#/definitions/NotFound"}}},
            "security": [{"basicAuth": []}]},
            "post": {"tags": ["Thing"], "parameters": [
                {"name": "body", "in": "body", "required": true, "schema": {"type": "object", "properties": {"name": {"type": "string"}}}}],
                "responses": {"202": {"description": "accepted"}}, "security": [{"basicAuth": []}]}}},
        "definitions": {
            "Part": {"type": "object", "required": ["id"], "properties": {
                "id": {"type": "string", "format": "uuid", "example": "x"},
                "state": {"type": "string", "enum": ["new", "old"], "description": "upstream's words"},
                "kind": {"type": "string", "enum": ["a", null]}}},
            "NotFound": {"type": "object", "properties": {"message": {"type": "string"}}},
            "TooMany": {"description": "Too many requests"}}
    });
    let (up, spec, devs) = import_files(&dir, &upstream, &empty_spec());

    let text = sync(&spec, &up, &devs, &["--import", "--dry-run"]);
    let run = sync(&spec, &up, &devs, &["--import", "--json"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let report = run.json();
    let doc = read_json(&spec);
    assert_our_conventions(&doc);

    let list = &doc["paths"]["/things/{thing_id}/parts"]["get"];
    assert_eq!(list["operationId"], "listParts");
    assert_eq!(list["tags"], json!(["Thing"]));
    assert_eq!(list["description"], "TODO(import): describe in our words");
    assert_eq!(
        list["x-wpe-paging"],
        json!({"style": "offset", "items": "results", "key": "id"})
    );
    let statuses: Vec<&str> = list["responses"]
        .as_object()
        .expect("responses")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(statuses, ["200", "404", "429", "4XX", "5XX"]);
    // The inline page is a component of its own, named after its items.
    assert_eq!(
        list["responses"]["200"]["content"]["application/json"]["schema"],
        json!({"$ref": "#/components/schemas/PartsPage"})
    );
    let body = &doc["components"]["schemas"]["PartsPage"];
    assert_eq!(body["description"], DESCRIBE);
    assert_eq!(body["properties"]["next"]["nullable"], true);
    assert_eq!(
        body["properties"]["results"]["items"],
        json!({"$ref": "#/components/schemas/Part"})
    );
    let part = &doc["components"]["schemas"]["Part"];
    assert_eq!(
        part["properties"]["id"],
        json!({"type": "string", "format": "uuid"})
    );
    assert_eq!(
        part["properties"]["state"],
        json!({"$ref": "#/components/schemas/PartState"})
    );
    assert_eq!(part["properties"]["kind"]["nullable"], true);
    assert_eq!(part["properties"]["kind"]["enum"], json!(["a"]));
    let state = &doc["components"]["schemas"]["PartState"];
    assert_eq!(state["x-wpe-open-enum"], true);
    assert_eq!(
        state["x-wpe-enum-descriptions"],
        json!({"new": DESCRIBE_VALUE, "old": DESCRIBE_VALUE})
    );
    assert_eq!(state["description"], DESCRIBE);
    assert!(doc["components"]["schemas"].get("NotFound").is_none());

    let create = &doc["paths"]["/things/{thing_id}/parts"]["post"];
    assert_eq!(create["operationId"], "postThingsParts");
    assert!(create["x-wpe-todo"]
        .as_str()
        .expect("marker")
        .starts_with("TODO(import)"));
    assert_eq!(create["requestBody"]["required"], true);
    assert_eq!(
        create["requestBody"]["content"]["application/json"]["schema"],
        json!({"$ref": "#/components/schemas/PostThingsPartsRequest"})
    );
    assert_eq!(
        doc["components"]["schemas"]["PostThingsPartsRequest"],
        json!({"type": "object", "description": DESCRIBE, "properties": {"name": {"type": "string"}}})
    );
    assert_eq!(doc["tags"], json!([{"name": "Thing"}]));
    assert_wpe_api_build_accepts(&doc, None);

    let imported = &report["import"];
    assert_eq!(imported["operations"].as_array().expect("ops").len(), 2);
    assert_eq!(imported["operations"][1]["generated_id"], true);
    let facts = facts(imported);
    for fact in [
        "listParts x-wpe-paging {style: offset, items: results, key: id}",
        "postThingsParts x-wpe-idempotent false",
        "PartState x-wpe-open-enum (state field Part.state): the server may add values; wpe-api's build generates it; describe its values",
        "PartsPage names the inline 200 body of listParts",
        "PostThingsPartsRequest names the inline request body of postThingsParts",
    ] {
        assert!(facts.iter().any(|f| f.starts_with(fact)), "{fact:?} in {facts:#?}");
    }
    assert!(
        !facts.iter().any(|f| f.contains("open_enum::")),
        "{facts:#?}"
    );
    // The generated operationId is the one decision left; the markers are counted.
    assert_eq!(
        identities(&imported["decisions"]),
        ids(&[("postThingsParts", "operationId", "operation-id-changed")])
    );
    assert_eq!(imported["schema_decisions"], json!([]));
    assert!(report["summary"]["todo_markers"].as_u64().expect("count") > 0);
    assert_eq!(report["summary"]["check_fails"], true);

    // What a person does next, in order.
    let todo = todo(imported);
    let markers = imported["markers"].as_u64().expect("markers");
    let expected = [
        "write the stand-in handler `fake::thing::list_parts` in wpe-api/src/fake/thing.rs, and a fixture/scenario test for it".to_string(),
        "write the stand-in handler `fake::thing::post_things_parts` in wpe-api/src/fake/thing.rs, and a fixture/scenario test for it".to_string(),
        "decide `x-wpe-job` for postThingsParts (what polls it), or none".to_string(),
        "decide `x-wpe-replaces` for postThingsParts (the reason, if it replaces or removes more than it sends), or none".to_string(),
        format!("replace the {markers} `TODO(import)` markers (`/paths/~1things~1{{thing_id}}~1parts/get/summary`, "),
        "decide postThingsParts POST /things/{thing_id}/parts operationId (operation-id-changed): ".to_string(),
        "confirm the inferences above".to_string(),
    ];
    assert_eq!(todo.len(), expected.len(), "{todo:#?}");
    assert!(
        todo[0].ends_with("; record in its `x-wpe-behaviours` what listParts's reference page states beyond the schema (rules, defaults, limits, asynchronous effects, roles), each with the scenario that proves it or why not modelled"),
        "{}",
        todo[0]
    );
    for (item, start) in todo.iter().zip(&expected) {
        assert!(
            item.starts_with(start.as_str()),
            "{item:?} starts with {start:?}"
        );
    }
    // Every marker by its JSON pointer (up to 20; the 1.23.0 import shows the cut).
    assert_eq!(todo[4].matches("`/").count() as u64, markers, "{}", todo[4]);
    assert!(todo[4].contains("`/components/schemas/PartState/x-wpe-enum-descriptions/new`"));

    // The text report ends its import section with the same list.
    assert!(
        text.stdout
            .contains("  To do:\n    1. write the stand-in handler `fake::thing::list_parts`"),
        "{}",
        text.stdout
    );
    assert!(
        text.stdout
            .contains("    7. confirm the inferences above\n"),
        "{}",
        text.stdout
    );
}

#[test]
fn inline_bodies_and_enum_parameters_become_named_components() {
    let dir = scratch("named");
    let page = |words: &str| {
        json!({"type": "object", "description": words, "properties": {
            "previous": {"type": "string", "x-nullable": true},
            "next": {"type": "string", "x-nullable": true},
            "count": {"type": "integer", "description": words},
            "results": {"type": "array", "items": {"$ref": "#/definitions/Thing"}}}})
    };
    let sort =
        json!({"name": "sort_order", "in": "query", "type": "string", "enum": ["asc", "desc"]});
    let upstream = json!({
        "swagger": "2.0",
        "info": {"title": "t", "version": "2"},
        "security": [{"basicAuth": []}],
        "paths": {
            "/things": {
                // The page's other user comes first: the page still names the shared body.
                "put": {"tags": ["Thing"], "operationId": "replaceThings", "parameters": [
                    {"name": "body", "in": "body", "required": true, "schema": {"type": "object",
                        "required": ["things"], "properties": {"things": {"type": "array", "items": {"$ref": "#/definitions/Thing"}}}}}],
                    "responses": {"200": {"description": "", "schema": page("upstream's words")}}},
                "get": {"tags": ["Thing"], "operationId": "listThings", "parameters": [
                    {"name": "limit", "in": "query", "type": "integer"},
                    {"name": "offset", "in": "query", "type": "integer"}],
                    "responses": {"200": {"description": "", "schema": page("other words")}}},
                "post": {"tags": ["Thing"], "operationId": "createThing", "parameters": [
                    {"name": "body", "in": "body", "required": true, "schema": {"type": "object", "properties": {"name": {"type": "string"}}}}],
                    "responses": {"202": {"description": "", "schema": {"$ref": "#/definitions/Thing"}}}}},
            "/things/{thing_id}/parts": {"get": {"tags": ["Thing Part"], "operationId": "listParts",
                "parameters": [{"name": "thing_id", "in": "path", "required": true, "type": "string"}],
                "responses": {"200": {"description": "", "schema": {"type": "object", "properties": {
                    "results": {"type": "array", "items": {"$ref": "#/definitions/Part"}}}}}}}},
            "/report": {
                "get": {"tags": ["Report"], "operationId": "getReport", "parameters": [
                    sort, {"name": "format", "in": "query", "type": "string"}],
                    "responses": {"200": {"description": "", "schema": {"type": "object", "properties": {"total": {"type": "integer"}}}}}},
                "put": {"tags": ["Report"], "operationId": "updateReport", "parameters": [sort],
                    "responses": {"204": {"description": ""}}}}},
        "definitions": {
            "Thing": {"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}, "name": {"type": "string"}}},
            "Part": {"type": "object", "properties": {"id": {"type": "string"}, "size": {"type": "integer"}}}}
    });
    let (up, spec, devs) = import_files(&dir, &upstream, &empty_spec());
    let run = sync(&spec, &up, &devs, &["--import", "--json"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let imported = run.json()["import"].clone();
    let doc = read_json(&spec);
    assert_our_conventions(&doc);
    assert_wpe_api_build_accepts(&doc, None);

    let body = |method: &str, path: &str, status: &str| {
        doc["paths"][path][method]["responses"][status]["content"]["application/json"]["schema"]
            .clone()
    };
    let request = |method: &str, path: &str| {
        doc["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"].clone()
    };
    let named = |name: &str| json!({"$ref": format!("#/components/schemas/{name}")});
    // Equal bodies share one component; a paged list's is `<Item>sPage`.
    assert_eq!(body("get", "/things", "200"), named("ThingsPage"));
    assert_eq!(body("put", "/things", "200"), named("ThingsPage"));
    assert_eq!(
        doc["paths"]["/things"]["get"]["x-wpe-paging"],
        json!({"style": "offset", "items": "results", "key": "id"})
    );
    assert_eq!(request("put", "/things"), named("ReplaceThingsRequest"));
    assert_eq!(request("post", "/things"), named("CreateThingRequest"));
    assert_eq!(body("post", "/things", "202"), named("Thing"));
    // A `results` list without paging is `<Item>sList`; anything else `<OperationId>Response`.
    assert_eq!(
        body("get", "/things/{thing_id}/parts", "200"),
        named("PartsList")
    );
    assert!(doc["paths"]["/things/{thing_id}/parts"]["get"]
        .get("x-wpe-paging")
        .is_none());
    assert_eq!(body("get", "/report", "200"), named("GetReportResponse"));
    let schemas = &doc["components"]["schemas"];
    assert_eq!(
        schemas["GetReportResponse"],
        json!({"type": "object", "description": DESCRIBE, "properties": {"total": {"type": "integer"}}})
    );
    for name in [
        "ThingsPage",
        "ReplaceThingsRequest",
        "CreateThingRequest",
        "PartsList",
    ] {
        assert_eq!(schemas[name]["description"], DESCRIBE, "{name}");
    }
    assert_eq!(
        schemas["ThingsPage"]["properties"]["results"]["items"],
        named("Thing")
    );

    // An inline enum parameter: a component `<OperationId><Param>` per operation.
    let params = &doc["paths"]["/report"]["get"]["parameters"];
    assert_eq!(params[0]["name"], "sort_order");
    assert_eq!(params[0]["description"], DESCRIBE);
    assert_eq!(params[0]["schema"], named("GetReportSortOrder"));
    assert_eq!(params[1]["schema"], json!({"type": "string"}));
    assert_eq!(
        schemas["GetReportSortOrder"],
        json!({"type": "string", "description": DESCRIBE, "enum": ["asc", "desc"]})
    );
    assert_eq!(
        doc["paths"]["/report"]["put"]["parameters"][0]["schema"],
        named("UpdateReportSortOrder")
    );
    assert!(!schemas["GetReportSortOrder"]
        .as_object()
        .expect("schema")
        .contains_key("x-wpe-open-enum"));

    let added: Vec<&str> = imported["schemas"]
        .as_array()
        .expect("schemas")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    for name in [
        "GetReportSortOrder",
        "UpdateReportSortOrder",
        "Thing",
        "Part",
        "ThingsPage",
        "ReplaceThingsRequest",
        "CreateThingRequest",
        "PartsList",
        "GetReportResponse",
    ] {
        assert!(added.contains(&name), "{name} in {added:?}");
    }
    let facts = facts(&imported);
    for fact in [
        "ThingsPage names the inline 200 body of listThings: `<Item>sPage`: a page of Thing (x-wpe-paging); shared by the 200 body of replaceThings (the same structure)",
        "ReplaceThingsRequest names the inline request body of replaceThings: `<OperationId>Request`",
        "PartsList names the inline 200 body of listParts: `<Item>sList`",
        "GetReportResponse names the inline 200 body of getReport: `<OperationId>Response`",
        "GetReportSortOrder names the enum of getReport's query parameter sort_order",
    ] {
        assert!(facts.iter().any(|f| f.starts_with(fact)), "{fact:?} in {facts:#?}");
    }
    let todo = todo(&imported);
    for (i, handler) in [
        "fake::thing::replace_things` in wpe-api/src/fake/thing.rs",
        "fake::thing::list_things`",
        "fake::thing::create_thing`",
        "fake::thing_part::list_parts` in wpe-api/src/fake/thing_part.rs",
        "fake::report::get_report`",
        "fake::report::update_report`",
    ]
    .iter()
    .enumerate()
    {
        assert!(
            todo[i].starts_with(&format!("write the stand-in handler `{handler}")),
            "{i}: {todo:#?}"
        );
    }
    assert_eq!(
        todo[6],
        "decide `x-wpe-job` for createThing (what polls it), or none"
    );
    // A PUT replaces (inferred); a POST is for a person to judge.
    assert_eq!(
        todo[7],
        "decide `x-wpe-replaces` for createThing (the reason, if it replaces or removes more than it sends), or none"
    );
    assert!(
        doc["paths"]["/things"]["put"]["x-wpe-replaces"].is_string(),
        "a PUT replaces: {}",
        doc["paths"]["/things"]["put"]
    );
    assert!(todo[8].starts_with("replace the "), "{todo:#?}");
    assert_eq!(
        todo.last().map(String::as_str),
        Some("confirm the inferences above")
    );
}

#[test]
fn same_named_schemas_reuse_ours_and_a_difference_is_a_schema_decision() {
    let dir = scratch("same-named");
    let ours = json!({"openapi": "3.0.3", "info": {"title": "ours", "version": "1"}, "paths": {},
        "components": {"schemas": {
            "Thing": {"type": "object", "description": "Ours.", "required": ["id"], "properties": {
                "id": {"type": "string", "description": "Ours."},
                "state": {"$ref": "#/components/schemas/ThingState"},
                "note": {"type": "string", "nullable": true, "description": "Ours."},
                "part": {"$ref": "#/components/schemas/Part"}}},
            "ThingState": {"type": "string", "description": "Ours.", "enum": ["on", "off"],
                "x-wpe-open-enum": true, "x-wpe-enum-descriptions": {"on": "On.", "off": "Off."}},
            "Part": {"type": "object", "description": "Ours.", "properties": {
                "id": {"type": "string"}, "size": {"type": "string"}}}}}});
    let upstream = json!({
        "swagger": "2.0",
        "info": {"title": "t", "version": "2"},
        "security": [{"basicAuth": []}],
        "paths": {
            "/things/{thing_id}": {"get": {"tags": ["Thing"], "operationId": "getThing",
                "parameters": [{"name": "thing_id", "in": "path", "required": true, "type": "string"}],
                "responses": {"200": {"description": "", "schema": {"$ref": "#/definitions/Thing"}}}}},
            "/parts/{part_id}": {"get": {"tags": ["Part"], "operationId": "getPart",
                "parameters": [{"name": "part_id", "in": "path", "required": true, "type": "string"}],
                "responses": {"200": {"description": "", "schema": {"$ref": "#/definitions/Part"}}}}},
            "/jobs/{job_id}": {"get": {"tags": ["Job"], "operationId": "getJob",
                "parameters": [{"name": "job_id", "in": "path", "required": true, "type": "string"}],
                "responses": {"200": {"description": "", "schema": {"$ref": "#/definitions/Job"}}}}},
            "/job_states": {"get": {"tags": ["Job"], "operationId": "listJobStates",
                "responses": {"200": {"description": "", "schema": {"$ref": "#/definitions/JobState"}}}}}},
        "definitions": {
            // The same as ours under our conventions: other words, x-nullable, an inline enum.
            "Thing": {"type": "object", "description": "upstream's words", "required": ["id"], "properties": {
                "id": {"type": "string", "example": "t1"},
                "state": {"type": "string", "enum": ["off", "on"]},
                "note": {"type": "string", "x-nullable": true},
                "part": {"$ref": "#/definitions/Part"}}},
            // Not the same: a format, a type and a property more.
            "Part": {"type": "object", "properties": {
                "id": {"type": "string", "format": "uuid"}, "size": {"type": "integer"}, "color": {"type": "string"}}},
            // New; its state enum wants the name of another new definition.
            "Job": {"type": "object", "properties": {"state": {"type": "string", "enum": ["queued", "done"]}}},
            "JobState": {"type": "object", "properties": {"name": {"type": "string"}}}}
    });
    let (up, spec, devs) = import_files(&dir, &upstream, &ours);
    let text = sync(&spec, &up, &devs, &["--import", "--dry-run"]);
    let run = sync(&spec, &up, &devs, &["--import", "--json"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let imported = run.json()["import"].clone();
    let doc = read_json(&spec);
    assert_our_conventions(&doc);
    assert_wpe_api_build_accepts(&doc, None);

    // Ours' Thing and Part stand for upstream's: unchanged, no copy.
    for name in ["Thing", "ThingState", "Part"] {
        assert_eq!(
            doc["components"]["schemas"][name], ours["components"]["schemas"][name],
            "{name}"
        );
    }
    assert_eq!(
        doc["paths"]["/parts/{part_id}"]["get"]["responses"]["200"]["content"]["application/json"]
            ["schema"],
        json!({"$ref": "#/components/schemas/Part"})
    );
    let names = schema_names(&doc);
    assert_eq!(
        names,
        [
            "Thing",
            "ThingState",
            "Part",
            "ErrorResponse",
            "ResourceError",
            "Job",
            "JobStateImported",
            "JobState"
        ]
    );
    let notes: Vec<&str> = imported["notes"]
        .as_array()
        .expect("notes")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(
        notes.contains(
            &"upstream definition Thing is ours' Thing (the same structure): reused ours"
        ),
        "{notes:#?}"
    );

    // Part differs: reused all the same, and a decision that says where.
    let decisions = imported["schema_decisions"].as_array().expect("list");
    assert_eq!(decisions.len(), 2, "{decisions:#?}");
    let part = &decisions[0];
    assert_eq!(part["schema"], "Part");
    assert_eq!(part["upstream"], "upstream definition Part");
    assert!(
        part["decision"]
            .as_str()
            .expect("text")
            .starts_with("ours and upstream's differ; the import used ours (3 differences)"),
        "{part}"
    );
    let where_: Vec<&str> = part["differences"]
        .as_array()
        .expect("differences")
        .iter()
        .map(|d| {
            d.as_str()
                .expect("text")
                .split(':')
                .next()
                .expect("location")
        })
        .collect();
    assert_eq!(
        where_,
        [
            "Part.color property-added",
            "Part.id format-changed",
            "Part.size type-changed"
        ]
    );
    // A name this import gave twice is never changed silently.
    let renamed = &decisions[1];
    assert_eq!(renamed["schema"], "JobStateImported");
    assert_eq!(renamed["upstream"], "the enum of upstream's Job.state");
    assert!(renamed["decision"]
        .as_str()
        .expect("text")
        .contains("this import already names another schema JobState"));
    assert_eq!(
        doc["components"]["schemas"]["Job"]["properties"]["state"],
        json!({"$ref": "#/components/schemas/JobStateImported"})
    );

    // The drift on the new operation is left as decisions, and everything is on the to-do list.
    assert_eq!(
        identities(&imported["decisions"]),
        ids(&[
            ("getPart", "response.200.body.color", "property-added"),
            ("getPart", "response.200.body.id", "format-changed"),
            ("getPart", "response.200.body.size", "type-changed"),
            ("getThing", "response.200.body.part.color", "property-added"),
            ("getThing", "response.200.body.part.id", "format-changed"),
            ("getThing", "response.200.body.part.size", "type-changed"),
        ])
    );
    let todo = todo(&imported);
    let decide: Vec<&String> = todo.iter().filter(|t| t.starts_with("decide ")).collect();
    assert_eq!(decide.len(), 8, "{todo:#?}");
    assert!(decide[6].starts_with(
        "decide schema Part (upstream definition Part): ours and upstream's differ; the import used ours (3 differences): align ours, or record the difference as a deviation (Part.color property-added: "
    ), "{todo:#?}");
    assert!(
        decide[7].starts_with("decide schema JobStateImported"),
        "{todo:#?}"
    );

    assert!(
        text.stdout.contains("  Schema decisions (2):\n    Part (upstream definition Part): ours and upstream's differ"),
        "{}",
        text.stdout
    );
    assert!(
        text.stdout.contains("\n      Part.size type-changed: "),
        "{}",
        text.stdout
    );
}

#[test]
fn new_values_of_an_open_enum_get_description_markers() {
    let dir = scratch("open-enum");
    let op = |path: &str, id: &str, schema: &str| {
        json!({"operationId": id, "tags": ["Thing"], "summary": "S.", "x-wpe-idempotent": true,
            "responses": {"200": {"description": "D.", "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{schema}")}}}}},
            "x-path": path})
    };
    let mut ours = json!({"openapi": "3.0.3", "info": {"title": "ours", "version": "1"},
        "paths": {"/things": {"get": op("/things", "getThing", "Thing")},
                  "/others": {"get": op("/others", "getOther", "Other")}},
        "components": {"schemas": {
            "Thing": {"type": "object", "properties": {"state": {"$ref": "#/components/schemas/ThingState"}}},
            "ThingState": {"type": "string", "enum": ["on", "off"], "x-wpe-open-enum": true,
                "x-wpe-enum-descriptions": {"on": "On.", "off": "Off."}},
            "Other": {"type": "object", "properties": {"mode": {"$ref": "#/components/schemas/OtherMode"}}},
            "OtherMode": {"type": "string", "enum": ["a"], "x-wpe-open-enum": true},
            "Closed": {"type": "string", "enum": ["x"]}}}});
    for path in ["/things", "/others"] {
        ours["paths"][path]["get"]
            .as_object_mut()
            .expect("op")
            .remove("x-path");
    }
    let upstream = json!({"swagger": "2.0", "info": {"title": "t", "version": "2"},
        "paths": {
            "/things": {"get": {"operationId": "getThing", "responses": {"200": {"description": "", "schema": {"$ref": "#/definitions/Thing"}}}}},
            "/others": {"get": {"operationId": "getOther", "responses": {"200": {"description": "", "schema": {"$ref": "#/definitions/Other"}}}}}},
        "definitions": {
            "Thing": {"type": "object", "properties": {"state": {"type": "string", "enum": ["on", "off", "paused"]}}},
            "Other": {"type": "object", "properties": {"mode": {"type": "string", "enum": ["a", "b"]}}}}});
    let up = dir.join("upstream.json");
    write_json(&up, &upstream);
    let spec = dir.join("openapi.json");
    write_json(&spec, &ours);
    let devs = dir.join("deviations.json");
    write_json(&devs, &json!({"deviations": []}));
    let run = sync(&spec, &up, &devs, &["--import", "--json"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let imported = run.json()["import"].clone();
    assert_eq!(
        imported["enum_values"],
        json!(["OtherMode: \"b\"", "ThingState: \"paused\""])
    );
    let doc = read_json(&spec);
    let schemas = &doc["components"]["schemas"];
    assert_eq!(
        schemas["ThingState"]["enum"],
        json!(["on", "off", "paused"])
    );
    assert_eq!(
        schemas["ThingState"]["x-wpe-enum-descriptions"],
        json!({"on": "On.", "off": "Off.", "paused": DESCRIBE_VALUE})
    );
    assert_eq!(
        schemas["OtherMode"]["x-wpe-enum-descriptions"],
        json!({"b": DESCRIBE_VALUE})
    );
    assert_eq!(imported["markers"], 2);
    assert_eq!(
        todo(&imported),
        ["replace the 2 `TODO(import)` markers (`/components/schemas/ThingState/x-wpe-enum-descriptions/paused`, `/components/schemas/OtherMode/x-wpe-enum-descriptions/b`)"]
    );
}

#[test]
fn reference_objects_and_deviation_entries_are_written_our_way_or_reported() {
    let dir = scratch("conventions");
    let mut ours = empty_spec();
    ours["components"] = json!({"schemas": {
        "AccountRef": {"type": "object", "required": ["id"],
            "properties": {"id": {"type": "string", "format": "uuid"}}},
        "SiteRef": {"type": "object", "required": ["id"],
            "properties": {"id": {"type": "string", "format": "uuid"}}}}});
    let upstream = json!({"swagger": "2.0", "info": {"title": "t", "version": "2"},
        "paths": {
            "/things": {"get": {"operationId": "listThings", "tags": ["Thing"], "parameters": [
                {"name": "day", "in": "query", "type": "string", "pattern": "^\\d{4}$"}],
                "responses": {"200": {"description": "", "schema": {"$ref": "#/definitions/Thing"}}}}}},
        "definitions": {"Thing": {"type": "object", "required": ["id", "nickname"], "properties": {
            "id": {"type": "string"},
            "nickname": {"type": "string"},
            "backup": {"type": "object", "properties": {"id": {"type": "string", "format": "uuid"}}},
            "owner": {"type": "object", "x-nullable": true, "properties": {"id": {"type": "string"}}},
            "frequency": {"type": "object", "properties": {"unit": {"type": "string"}, "value": {"type": "integer"}}},
            "label": {"type": "string"}}}}});
    let up = dir.join("upstream.json");
    write_json(&up, &upstream);
    let spec = dir.join("openapi.json");
    write_json(&spec, &ours);
    let devs = dir.join("deviations.json");
    write_json(
        &devs,
        &json!({"deviations": [
            {"id": "frequency-required", "operation": "listThings", "location": "response.200.body.frequency.{unit,value}", "kind": "required-removed", "reason": "r"},
            {"id": "nickname-optional", "operation": "*", "location": "**.nickname", "kind": "required-added", "reason": "r"},
            {"id": "day-format-only", "operation": "*", "location": "parameter.query.day", "kind": "pattern-added", "reason": "r"},
            {"id": "label-mixed", "operation": "*", "location": "**.label", "kind": "{pattern-removed,bounds-changed}", "reason": "r"},
            {"id": "elsewhere", "operation": "getOther", "location": "**.label", "kind": "required-removed", "reason": "r"}]}),
    );
    let run = sync(&spec, &up, &devs, &["--import", "--json"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let imported = run.json()["import"].clone();
    let doc = read_json(&spec);
    let schemas = &doc["components"]["schemas"];

    // Reference objects: `<Property>Ref` components, `id` required as in ours' AccountRef and
    // SiteRef; an id without the format ours' references share is reported, not guessed.
    let thing = &schemas["Thing"];
    assert_eq!(
        thing["properties"]["backup"],
        json!({"$ref": "#/components/schemas/BackupRef"})
    );
    assert_eq!(
        thing["properties"]["owner"],
        json!({"nullable": true, "allOf": [{"$ref": "#/components/schemas/OwnerRef"}]})
    );
    assert_eq!(schemas["BackupRef"]["required"], json!(["id"]));
    assert_eq!(schemas["BackupRef"]["properties"]["id"]["format"], "uuid");
    assert_eq!(schemas["OwnerRef"]["required"], json!(["id"]));
    assert!(schemas["OwnerRef"]["properties"]["id"]
        .get("format")
        .is_none());

    // Deviation entries of one rule kind, applied where they match.
    assert_eq!(thing["required"], json!(["id"]), "nickname made optional");
    assert_eq!(
        thing["properties"]["frequency"]["required"],
        json!(["unit", "value"])
    );
    let day = &doc["paths"]["/things"]["get"]["parameters"][0];
    assert_eq!(day["name"], "day");
    assert!(day["schema"].get("pattern").is_none(), "{day}");

    let notes = |key: &str| -> Vec<String> {
        imported[key]
            .as_array()
            .expect(key)
            .iter()
            .map(|n| {
                format!(
                    "{} | {} | {}",
                    n["convention"].as_str().unwrap(),
                    n["target"].as_str().unwrap(),
                    n["detail"].as_str().unwrap()
                )
            })
            .collect()
    };
    let applied = notes("conventions");
    for expected in [
        "reference-object | BackupRef | `id` required, as in ours' AccountRef, SiteRef",
        "reference-object | OwnerRef | `id` required, as in ours' AccountRef, SiteRef",
        "frequency-required | listThings response.200.body.frequency.unit | required (required-removed)",
        "frequency-required | listThings response.200.body.frequency.value | required (required-removed)",
        "nickname-optional | listThings response.200.body.nickname | optional (required-added)",
        "day-format-only | listThings parameter.query.day | pattern left out (pattern-added)",
    ] {
        assert!(applied.iter().any(|a| a == expected), "{expected} not in {applied:#?}");
    }
    assert_eq!(applied.len(), 6, "{applied:#?}");
    let unapplied = notes("conventions_unapplied");
    assert_eq!(unapplied.len(), 2, "{unapplied:#?}");
    assert!(unapplied[0].starts_with("reference-object | OwnerRef | upstream gives `id` no format, ours' AccountRef, SiteRef are uuid"), "{unapplied:#?}");
    assert!(unapplied[1].starts_with("label-mixed | listThings response.200.body.label | matches what the import wrote, but its kind"), "{unapplied:#?}");
    // Each one not applied is a to-do entry.
    let todo = todo(&imported);
    assert_eq!(
        todo.iter()
            .filter(|t| t.starts_with("apply convention "))
            .count(),
        2,
        "{todo:#?}"
    );
    assert!(facts(&imported).iter().any(|f| f.starts_with(
        "BackupRef names the reference object Thing.backup of upstream (`<Property>Ref`"
    )));
}

#[test]
fn markers_fail_check_until_a_maintainer_replaces_them() {
    let dir = scratch("markers");
    let spec = dir.join("openapi.json");
    let mut doc = read_json(&fixtures().join("base.openapi.json"));
    doc["info"]["description"] = json!("TODO(import): describe in our words");
    write_json(&spec, &doc);
    let devs = dir.join("deviations.json");
    write_json(&devs, &json!({"deviations": []}));
    let up = fixtures().join("base.swagger.json");

    let run = sync(&spec, &up, &devs, &["--check"]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("Drift: none"), "{}", run.stdout);
    assert!(
        run.stdout.contains("TODO(import) markers: 1 in ours"),
        "{}",
        run.stdout
    );

    resolve_markers(&mut doc);
    write_json(&spec, &doc);
    let run = sync(&spec, &up, &devs, &["--check"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
}

#[test]
fn import_whose_result_is_not_openapi_3_exits_2_and_writes_nothing() {
    let dir = scratch("invalid");
    let spec = dir.join("openapi.json");
    std::fs::copy(fixtures().join("base.openapi.json"), &spec).expect("copy");
    let before = std::fs::read(&spec).expect("read");
    let devs = dir.join("deviations.json");
    write_json(&devs, &json!({"deviations": []}));
    let mut up = read_json(&fixtures().join("base.swagger.json"));
    up["paths"]["/odd"] = json!({"get": {"operationId": "odd",
        "responses": {"200": {"description": "", "schema": 5}}}});
    let up_path = dir.join("upstream.json");
    write_json(&up_path, &up);

    let run = sync(&spec, &up_path, &devs, &["--import"]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains("does not parse as OpenAPI 3.0"),
        "{}",
        run.stderr
    );
    assert_eq!(std::fs::read(&spec).expect("read"), before);
}

/// Imports `upstream` into `spec` (in place), checks the conventions, then checks that
/// `--check` reports exactly the import's decisions plus its markers, and nothing once the
/// markers are written and the decisions acknowledged. Returns the import report.
fn import_and_check(spec: &Path, upstream: &Path, deviations: &Path) -> Value {
    let run = sync(spec, upstream, deviations, &["--import", "--json"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let report = run.json();
    let imported = report["import"].clone();
    assert_eq!(imported["written"], true);
    let mut doc = read_json(spec);
    assert_our_conventions(&doc);
    let added: BTreeSet<String> = imported["operations"]
        .as_array()
        .expect("operations")
        .iter()
        .map(|op| op["operation_id"].as_str().expect("id").to_string())
        .collect();
    assert_wpe_api_build_accepts(&doc, Some(&added));
    let text = serde_json::to_string(&doc).expect("serialise");
    assert!(!text.contains("Imported\""), "no …Imported schema");

    let check = sync(spec, upstream, deviations, &["--check", "--json"]);
    assert_eq!(check.code, 1, "markers fail --check: {}", check.stderr);
    let checked = check.json();
    assert_eq!(
        identities(&checked["drift"]),
        identities(&imported["decisions"]),
        "--check reports the import's decisions"
    );
    assert_eq!(checked["summary"]["todo_markers"], imported["markers"]);
    assert!(imported["markers"].as_u64().expect("count") > 0);

    // The maintainer writes the descriptions and records the decisions: --check passes.
    resolve_markers(&mut doc);
    write_json(spec, &doc);
    let mut devs = read_json(deviations);
    let list = devs["deviations"].as_array_mut().expect("deviations");
    for (i, c) in imported["decisions"]
        .as_array()
        .expect("decisions")
        .iter()
        .enumerate()
    {
        list.push(json!({"id": format!("decision-{i}"), "reason": "decided",
            "operation": c["operation"], "location": c["location"], "kind": c["kind"]}));
    }
    let decided = spec.with_file_name("decided.deviations.json");
    write_json(&decided, &devs);
    let check = sync(spec, upstream, &decided, &["--check"]);
    assert_eq!(check.code, 0, "{}{}", check.stdout, check.stderr);
    report
}

/// Imports 1.17.0 into a copy of our spec at 1.10.0; the copy is left in `dir/openapi.json`.
fn import_1_17_0(dir: &Path, upstream: &Path) -> Value {
    let spec = dir.join("openapi.json");
    std::fs::copy(fixtures().join("curated-1.10.0.openapi.json"), &spec).expect("copy");
    let devs = fixtures().join("curated-1.10.0.deviations.json");
    let report = import_and_check(&spec, upstream, &devs);
    report["import"].clone()
}

#[test]
fn import_of_1_17_0_into_our_1_10_0_spec_adds_ten_operations_and_leaves_only_decisions() {
    let Some(upstream) = common::shared_file("upstream/wpe-swagger-1.17.0.json") else {
        return;
    };
    let dir = scratch("1.17.0");
    let imported = import_1_17_0(&dir, &upstream);
    let doc = read_json(&dir.join("openapi.json"));
    assert_eq!(operations(&doc).len(), 60);
    assert_eq!(imported["operations"].as_array().expect("ops").len(), 10);

    // Compatible additions to what ours had; the rest is for a maintainer.
    let backup = &doc["components"]["schemas"]["Backup"]["properties"];
    for p in [
        "description",
        "create_time",
        "complete_time",
        "wordpress_version",
    ] {
        assert_eq!(backup[p]["nullable"], true, "Backup.{p}");
    }
    let statuses = &doc["components"]["schemas"]["BackupStatus"]["enum"];
    assert_eq!(
        statuses,
        &json!([
            "requested",
            "initiated",
            "completed",
            "aborted",
            "in_progress"
        ]),
        "a value added, none removed"
    );
    assert_eq!(
        identities(&imported["decisions"]),
        ids(&[
            ("createBackup", "response.202.body.id", "format-changed"),
            (
                "createBackup",
                "response.202.body.status",
                "enum-values-removed"
            ),
            // Ours' reference convention made the archive's BackupRef.id required; the
            // deviations of 1.10.0 do not acknowledge that yet.
            (
                "listArchives",
                "response.200.body.results[].backup.id",
                "required-removed"
            ),
            (
                "listBackups",
                "response.200.body.results[].id",
                "format-changed"
            ),
            (
                "listBackups",
                "response.200.body.results[].status",
                "enum-values-removed"
            ),
            ("showBackup", "response.200.body.id", "format-changed"),
            (
                "showBackup",
                "response.200.body.status",
                "enum-values-removed"
            ),
        ])
    );
    let list_backups = &doc["paths"]["/installs/{install_id}/backups"]["get"];
    assert_eq!(list_backups["operationId"], "listBackups");
    assert_eq!(
        list_backups["parameters"],
        json!([{"$ref": "#/components/parameters/installId"},
               {"$ref": "#/components/parameters/limit"},
               {"$ref": "#/components/parameters/offset"}])
    );
    assert_eq!(list_backups["x-wpe-paging"]["style"], "offset");
    let transfer = &doc["components"]["schemas"]["SiteTransfer"];
    assert_eq!(
        transfer["properties"]["status"],
        json!({"$ref": "#/components/schemas/SiteTransferStatus"})
    );
    // The inline bodies get the names our spec gave them by hand at 1.21.2.
    let body = |path: &str, method: &str, status: &str| {
        doc["paths"][path][method]["responses"][status]["content"]["application/json"]["schema"]
            ["$ref"]
            .clone()
    };
    assert_eq!(
        body("/installs/{install_id}/backups", "get", "200"),
        "#/components/schemas/BackupsPage"
    );
    assert_eq!(
        body("/installs/{install_id}/archives", "get", "200"),
        "#/components/schemas/ArchivesPage"
    );
    assert_eq!(
        body("/sites/{site_id}/site_transfers", "get", "200"),
        "#/components/schemas/SiteTransfersPage"
    );
    assert_eq!(
        body("/accounts/{account_id}/site_transfers", "get", "200"),
        "#/components/schemas/SiteTransfersPage"
    );
    for name in ["CreateSiteTransferRequest", "RestoreBackupRequest"] {
        assert!(doc["components"]["schemas"].get(name).is_some(), "{name}");
    }
    assert_eq!(imported["schema_decisions"], json!([]));
    // A value added to an open enum got a description marker (written since, by
    // `import_and_check`'s stand-in maintainer).
    assert_eq!(
        doc["components"]["schemas"]["BackupStatus"]["x-wpe-enum-descriptions"],
        json!({"in_progress": "Written by a maintainer."})
    );
    let todo = todo(&imported);
    for op in ["createSiteTransfer", "restoreBackup"] {
        let job = format!("decide `x-wpe-job` for {op} (what polls it), or none");
        assert!(todo.contains(&job), "{job} in {todo:#?}");
    }
}

#[test]
fn import_of_1_6_15_into_an_empty_spec_then_1_10_0_gives_50_operations() {
    let (Some(v1_6), Some(v1_10)) = (
        common::shared_file("upstream/older/wpe-swagger-1.6.15.json"),
        common::shared_file("upstream/wpe-swagger-1.10.0.json"),
    ) else {
        return;
    };
    let dir = scratch("1.6.15");
    let spec = import_older(&dir, &v1_6, &v1_10);
    let doc = read_json(&spec);
    assert_eq!(operations(&doc).len(), 50);
}

/// 1.6.15 into an empty spec, then 1.10.0 on top; returns the spec's path.
fn import_older(dir: &Path, v1_6: &Path, v1_10: &Path) -> PathBuf {
    let spec = dir.join("openapi.json");
    write_json(
        &spec,
        &json!({"openapi": "3.0.3", "info": {"title": "WP Engine Customer API (imported)", "version": "0"}, "paths": {}}),
    );
    let devs = convention_deviations(dir);
    let first = import_and_check(&spec, v1_6, &devs);
    assert_eq!(
        first["import"]["operations"].as_array().expect("ops").len(),
        39
    );
    assert_eq!(identities(&first["import"]["decisions"]), BTreeSet::new());
    assert_eq!(first["import"]["schema_decisions"], json!([]));

    let second = import_and_check(&spec, v1_10, &devs);
    let imported = &second["import"];
    assert_eq!(imported["schema_decisions"], json!([]));
    assert_eq!(imported["operations"].as_array().expect("ops").len(), 11);
    assert_eq!(
        identities(&imported["decisions"]),
        ids(&[
            ("createBackup", "response.202.body.status", "enum-added"),
            ("showBackup", "response.200.body.status", "enum-added"),
            // Added as optional: whether to require it is a decision.
            ("getAccount", "response.200.body.nickname", "required-added"),
            (
                "listAccounts",
                "response.200.body.results[].nickname",
                "required-added"
            ),
            (
                "getDomainCertificate",
                "response.200.body.certificate.order_id",
                "property-removed"
            ),
            (
                "getDomainCertificate",
                "response.200.body.certificate.parent_id",
                "property-removed"
            ),
            (
                "getDomainCertificate",
                "response.200.body.certificate.wpe_order_id",
                "property-removed"
            ),
            (
                "postAccountsUsageRefreshDiskUsage",
                "operationId",
                "operation-id-changed"
            ),
        ])
    );
    spec
}

#[test]
fn dry_run_prints_the_import_and_writes_nothing() {
    let Some(upstream) = common::shared_file("upstream/wpe-swagger-1.17.0.json") else {
        return;
    };
    let dir = scratch("dry-run");
    let spec = dir.join("openapi.json");
    std::fs::copy(fixtures().join("curated-1.10.0.openapi.json"), &spec).expect("copy");
    let before = std::fs::read(&spec).expect("read");
    let devs = fixtures().join("curated-1.10.0.deviations.json");
    let run = sync(&spec, &upstream, &devs, &["--import", "--dry-run"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    for line in [
        "Import (dry run, nothing written): 10 operations",
        "  + listBackups GET /installs/{install_id}/backups",
        "listBackups: x-wpe-paging {style: offset, items: results, key: id}",
        "Left for a maintainer: 7 decisions",
        "60 upstream / 60 ours operations",
    ] {
        assert!(run.stdout.contains(line), "{line:?} in:\n{}", run.stdout);
    }
    assert_eq!(std::fs::read(&spec).expect("read"), before);
}

/// `(method, path)` of every operation of a document.
fn endpoints(doc: &Value) -> BTreeSet<(String, String)> {
    operations(doc)
        .into_iter()
        .map(|(method, path, _)| (method, path))
        .collect()
}

#[test]
fn import_of_1_23_0_into_our_spec_names_every_body() {
    let (Some(v1_21), Some(upstream)) = (
        common::shared_file("upstream/wpe-swagger-1.21.2.skeleton.json"),
        common::shared_file("upstream/wpe-swagger-1.23.0.skeleton.json"),
    ) else {
        return;
    };
    // Our spec and deviations as they are in the workspace now, without the operations 1.23.0
    // added (none today; should a later spec have them, their schemas stay and are reused).
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let new_in_1_23: BTreeSet<(String, String)> = endpoints(&read_json(&upstream))
        .difference(&endpoints(&read_json(&v1_21)))
        .cloned()
        .collect();
    assert_eq!(new_in_1_23.len(), 6, "{new_in_1_23:?}");
    let mut ours = read_json(&root.join("spec/openapi.json"));
    let paths = ours["paths"].as_object_mut().expect("paths");
    for (method, path) in &new_in_1_23 {
        if let Some(item) = paths.get_mut(path).and_then(Value::as_object_mut) {
            item.remove(&method.to_ascii_lowercase());
        }
    }
    paths.retain(|_, item| item.as_object().is_some_and(|m| !m.is_empty()));
    let dir = scratch("1.23.0");
    let spec = dir.join("openapi.json");
    write_json(&spec, &ours);
    let devs = dir.join("deviations.json");
    std::fs::copy(root.join("spec/deviations.json"), &devs).expect("copy");

    let run = sync(&spec, &upstream, &devs, &["--import", "--json"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let imported = run.json()["import"].clone();
    let doc = read_json(&spec);
    assert_eq!(operations(&doc).len(), 74);
    assert_eq!(imported["operations"].as_array().expect("ops").len(), 6);
    // Every operation, not only the new ones, is what wpe-api's build accepts.
    assert_wpe_api_build_accepts(&doc, None);
    let schemas = &doc["components"]["schemas"];
    for name in [
        "CreateSftpUserRequest",
        "UpdateSftpUserRequest",
        "SftpUsersList",
        "CacheExclusionsPage",
        "UpdateCacheExclusionsRequest",
    ] {
        assert!(schemas.get(name).is_some(), "{name}");
    }
    let named = |name: &str| json!({"$ref": format!("#/components/schemas/{name}")});
    let cache = &doc["paths"]["/installs/{install_id}/cache_exclusions"];
    for method in ["get", "put"] {
        assert_eq!(
            cache[method]["responses"]["200"]["content"]["application/json"]["schema"],
            named("CacheExclusionsPage"),
            "{method}: the two equal bodies share one component"
        );
    }
    assert_eq!(
        cache["put"]["requestBody"]["content"]["application/json"]["schema"],
        named("UpdateCacheExclusionsRequest")
    );
    let paging = &cache["get"]["x-wpe-paging"];
    assert_eq!(paging["style"], "offset");
    assert_eq!(paging["items"], "results");
    assert!(paging["key"].is_string(), "{paging}");
    // Upstream's inline enum of CacheExclusion.type (not a parameter, not a state) may stay
    // inline; named, it has the same values.
    let kind = deref(&doc, &schemas["CacheExclusion"]["properties"]["type"]);
    assert_eq!(kind["enum"], json!(["query arg", "url path", "cookie"]));
    assert_eq!(
        doc["paths"]["/installs/{install_id}/sftp_users"]["get"]["responses"]["200"]["content"]
            ["application/json"]["schema"],
        named("SftpUsersList")
    );

    let todo = todo(&imported);
    for handler in [
        "write the stand-in handler `fake::sftp_user::create_sftp_user` in wpe-api/src/fake/sftp_user.rs, and a fixture/scenario test for it",
        "write the stand-in handler `fake::cache::update_cache_exclusions` in wpe-api/src/fake/cache.rs, and a fixture/scenario test for it",
    ] {
        assert!(
            todo.iter().any(|t| t.starts_with(handler)),
            "{handler} in {todo:#?}"
        );
    }
    let markers = imported["markers"].as_u64().expect("markers");
    let replace = todo
        .iter()
        .find(|t| t.starts_with("replace the "))
        .expect("the markers to replace");
    assert!(
        replace.starts_with(&format!("replace the {markers} `TODO(import)` markers (")),
        "{replace}"
    );
    if markers > 20 {
        assert_eq!(replace.matches("`/").count(), 20, "{replace}");
        assert!(replace.ends_with(", …)"), "{replace}");
    }
    assert_eq!(
        todo.last().map(String::as_str),
        Some("confirm the inferences above")
    );
}

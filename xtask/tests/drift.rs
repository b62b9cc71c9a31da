//! One test per drift kind: a fixture pair that is equivalent, then one hand-made change, then the exact change reported.

use std::path::PathBuf;

use serde_json::{json, Value};

mod common;
use xtask::deviations;
use xtask::diff::{diff, Change, Class, Kind};
use xtask::model::{normalise, parse_document};
use xtask::report::triage;

fn fixture(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    let bytes = std::fs::read(&path).expect("fixture readable");
    parse_document(&bytes, false).expect("fixture parses")
}

/// Diffs the Swagger 2 fixture (upstream) against the OpenAPI 3 fixture (ours), after edits to either.
fn changes_after(
    edit_upstream: impl FnOnce(&mut Value),
    edit_ours: impl FnOnce(&mut Value),
) -> Vec<Change> {
    let mut up = fixture("base.swagger.json");
    let mut ours = fixture("base.openapi.json");
    edit_upstream(&mut up);
    edit_ours(&mut ours);
    let up = normalise(&up, "upstream").expect("upstream normalises");
    let ours = normalise(&ours, "ours").expect("ours normalises");
    diff(&up, &ours)
}

fn upstream_edit(edit: impl FnOnce(&mut Value)) -> Vec<Change> {
    changes_after(edit, |_| {})
}

fn at<'v>(doc: &'v mut Value, pointer: &str) -> &'v mut Value {
    doc.pointer_mut(pointer)
        .unwrap_or_else(|| panic!("fixture has no {pointer}"))
}

/// The single change of `kind` at `location`; fails listing everything when absent or repeated.
fn only<'c>(changes: &'c [Change], location: &str, kind: Kind) -> &'c Change {
    let hits: Vec<&Change> = changes
        .iter()
        .filter(|c| c.location == location && c.kind == kind)
        .collect();
    assert_eq!(
        hits.len(),
        1,
        "expected one {kind:?} at {location}, got {changes:#?}"
    );
    hits[0]
}

const INSTALLATION: &str = "/definitions/Installation/properties";

#[test]
fn equivalent_swagger2_and_openapi3_documents_have_no_drift() {
    let changes = changes_after(|_| {}, |_| {});
    assert!(changes.is_empty(), "unexpected drift: {changes:#?}");
}

#[test]
fn our_x_wpe_operation_facts_are_not_drift() {
    let changes = changes_after(
        |_| {},
        |ours| {
            let get = at(ours, "/paths/~1installs/get");
            get["x-wpe-idempotent"] = json!(true);
            get["x-wpe-paging"] = json!({"style": "offset", "items": "results", "key": "id"});
            let post = at(ours, "/paths/~1installs/post");
            post["x-wpe-idempotent"] = json!(false);
            post["x-wpe-job"] = json!({"name": "install-activation", "poll": "getInstall"});
            post["x-wpe-rate-limit"] =
                json!({"name": "n", "scope": "install", "interval_seconds": 5});
        },
    );
    assert!(changes.is_empty(), "x-wpe-* keys made drift: {changes:#?}");
}

#[test]
fn an_operation_only_upstream_is_reported_added_and_additive() {
    let changes = upstream_edit(|up| {
        at(up, "/paths").as_object_mut().expect("paths").insert(
            "/ssh_keys".into(),
            json!({"get": {"operationId": "listSshKeys", "responses": {"200": {"description": "ok"}}}}),
        );
    });
    let c = only(&changes, "operation", Kind::OperationAdded);
    assert_eq!(c.operation.as_deref(), Some("listSshKeys"));
    assert_eq!((c.method.as_str(), c.path.as_str()), ("GET", "/ssh_keys"));
    assert_eq!(c.class, Class::Additive);
    assert_eq!(changes.len(), 1);
}

#[test]
fn an_operation_missing_upstream_is_reported_removed_and_breaking() {
    let changes = upstream_edit(|up| {
        at(up, "/paths/~1installs~1{install_id}")
            .as_object_mut()
            .expect("path item")
            .remove("delete");
    });
    let c = only(&changes, "operation", Kind::OperationRemoved);
    assert_eq!(c.operation.as_deref(), Some("deleteInstall"));
    assert_eq!(c.class, Class::Breaking);
    assert_eq!(changes.len(), 1);
}

#[test]
fn an_operation_served_at_a_new_path_is_a_move_not_an_add_and_remove() {
    // Ours needs the same operationId for the move to be recognised.
    let mut ours = fixture("base.openapi.json");
    at(
        &mut ours,
        "/paths/~1installs~1{install_id}~1purge_cache/post",
    )
    .as_object_mut()
    .expect("op")
    .insert("operationId".into(), json!("purgeCache"));
    let mut up = fixture("base.swagger.json");
    {
        let paths = at(&mut up, "/paths").as_object_mut().expect("paths");
        let item = paths
            .remove("/installs/{install_id}/purge_cache")
            .expect("item");
        paths.insert("/installs/{install_id}/cache/purge".into(), item);
    }
    at(
        &mut up,
        "/paths/~1installs~1{install_id}~1cache~1purge/post",
    )
    .as_object_mut()
    .expect("op")
    .insert("operationId".into(), json!("purgeCache"));
    let changes = diff(
        &normalise(&up, "upstream").expect("up"),
        &normalise(&ours, "ours").expect("ours"),
    );
    let c = only(&changes, "operation", Kind::OperationMoved);
    assert_eq!(c.path, "/installs/{install_id}/cache/purge");
    assert_eq!(
        c.ours,
        Some(json!("POST /installs/{install_id}/purge_cache"))
    );
    assert_eq!(c.class, Class::Breaking);
    assert!(
        !changes
            .iter()
            .any(|c| matches!(c.kind, Kind::OperationAdded | Kind::OperationRemoved)),
        "{changes:#?}"
    );
}

#[test]
fn a_missing_or_different_operation_id_is_cosmetic() {
    let changes = changes_after(
        |_| {},
        |ours| {
            at(ours, "/paths/~1installs~1{install_id}~1purge_cache/post")
                .as_object_mut()
                .expect("op")
                .insert("operationId".into(), json!("purgeCache"));
        },
    );
    let c = only(&changes, "operationId", Kind::OperationIdChanged);
    assert_eq!(c.operation.as_deref(), Some("purgeCache"));
    assert_eq!(c.upstream, None);
    assert_eq!(c.class, Class::Cosmetic);
}

#[test]
fn a_parameter_only_upstream_is_added_breaking_when_required() {
    let changes = upstream_edit(|up| {
        let params = at(up, "/paths/~1installs/get/parameters")
            .as_array_mut()
            .expect("params");
        params.push(json!({"name": "offset", "in": "query", "type": "integer"}));
        params
            .push(json!({"name": "X-Tenant", "in": "header", "type": "string", "required": true}));
    });
    let optional = only(&changes, "parameter.query.offset", Kind::ParameterAdded);
    assert_eq!(optional.class, Class::Additive);
    let required = only(&changes, "parameter.header.X-Tenant", Kind::ParameterAdded);
    assert_eq!(required.class, Class::Breaking);
    assert_eq!(changes.len(), 2);
}

#[test]
fn a_parameter_only_ours_is_removed_and_the_authorization_header_is_visible() {
    // Ours drops the bogus Authorization header, as the curated spec does.
    let changes = changes_after(
        |_| {},
        |ours| {
            at(ours, "/paths/~1installs/get/parameters")
                .as_array_mut()
                .expect("params")
                .remove(0);
        },
    );
    let c = only(
        &changes,
        "parameter.header.Authorization",
        Kind::ParameterAdded,
    );
    assert_eq!(c.operation.as_deref(), Some("listInstalls"));

    let changes = upstream_edit(|up| {
        at(up, "/paths/~1installs/get/parameters")
            .as_array_mut()
            .expect("params")
            .remove(2);
    });
    let c = only(
        &changes,
        "parameter.query.account_id",
        Kind::ParameterRemoved,
    );
    assert_eq!(c.class, Class::Breaking);
}

#[test]
fn a_parameter_that_moves_to_another_location_is_one_change() {
    let changes = upstream_edit(|up| {
        *at(up, "/paths/~1installs/get/parameters/2/in") = json!("header");
    });
    let c = only(
        &changes,
        "parameter.header.account_id",
        Kind::ParameterLocationChanged,
    );
    assert_eq!(c.upstream, Some(json!("header")));
    assert_eq!(c.ours, Some(json!("query")));
    assert_eq!(changes.len(), 1, "{changes:#?}");
}

#[test]
fn a_parameter_type_or_format_change_is_breaking() {
    let changes = upstream_edit(|up| {
        *at(up, "/parameters/limitParam/type") = json!("string");
        *at(up, "/paths/~1installs/get/parameters/2/format") = json!("email");
    });
    let t = only(&changes, "parameter.query.limit", Kind::TypeChanged);
    assert_eq!(
        (t.upstream.clone(), t.ours.clone()),
        (Some(json!("string")), Some(json!("integer")))
    );
    assert_eq!(t.class, Class::Breaking);
    let f = only(&changes, "parameter.query.account_id", Kind::FormatChanged);
    assert_eq!(f.upstream, Some(json!("email")));
    assert_eq!(f.class, Class::Breaking);
}

#[test]
fn a_parameter_becoming_required_upstream_is_breaking_and_the_reverse_additive() {
    let changes = upstream_edit(|up| {
        *at(up, "/paths/~1installs/get/parameters/2/required") = json!(true);
    });
    let c = only(&changes, "parameter.query.account_id", Kind::RequiredAdded);
    assert_eq!(c.class, Class::Breaking);

    let changes = changes_after(
        |_| {},
        |ours| *at(ours, "/paths/~1installs/get/parameters/2/required") = json!(true),
    );
    let c = only(
        &changes,
        "parameter.query.account_id",
        Kind::RequiredRemoved,
    );
    assert_eq!(c.class, Class::Additive);
}

#[test]
fn request_enums_that_narrow_are_breaking_and_ones_that_widen_additive() {
    let changes = upstream_edit(|up| {
        let p = at(up, "/paths/~1installs/get/parameters/2")
            .as_object_mut()
            .expect("param");
        p.remove("format");
        p.insert("enum".into(), json!(["a", "b"]));
    });
    // Ours has no enum at all: upstream restricts.
    assert_eq!(
        only(&changes, "parameter.query.account_id", Kind::EnumAdded).class,
        Class::Breaking
    );

    let changes = upstream_edit(|up| {
        *at(up, "/paths/~1installs~1{install_id}~1purge_cache/post/parameters/2/schema/properties/type/enum") =
            json!(["object", "page", "cdn", "all"]);
    });
    let c = only(&changes, "request.body.type", Kind::EnumValuesAdded);
    assert_eq!(c.upstream, Some(json!(["all"])));
    assert_eq!(
        c.class,
        Class::Additive,
        "the server accepting more is not breaking"
    );

    let changes = upstream_edit(|up| {
        *at(up, "/paths/~1installs~1{install_id}~1purge_cache/post/parameters/2/schema/properties/type/enum") =
            json!(["object", "page"]);
    });
    let c = only(&changes, "request.body.type", Kind::EnumValuesRemoved);
    assert_eq!(c.ours, Some(json!(["cdn"])));
    assert_eq!(
        c.class,
        Class::Breaking,
        "ours may send a value upstream refuses"
    );
}

#[test]
fn narrower_parameter_bounds_and_new_patterns_break_and_new_defaults_are_cosmetic() {
    let changes = upstream_edit(|up| {
        *at(up, "/parameters/limitParam/maximum") = json!(50);
        *at(up, "/parameters/limitParam/default") = json!(20);
        at(up, "/paths/~1installs/get/parameters/2")
            .as_object_mut()
            .expect("param")
            .insert("pattern".into(), json!("^[0-9a-f-]+$"));
    });
    let b = only(&changes, "parameter.query.limit", Kind::BoundsChanged);
    assert!(
        b.detail.contains("maximum upstream 50, ours 100"),
        "{}",
        b.detail
    );
    assert_eq!(
        b.class,
        Class::Breaking,
        "a lower maximum refuses what ours allows"
    );
    let d = only(&changes, "parameter.query.limit", Kind::DefaultChanged);
    assert_eq!(d.class, Class::Cosmetic);
    let p = only(&changes, "parameter.query.account_id", Kind::PatternAdded);
    assert_eq!(p.class, Class::Breaking);

    let changes = upstream_edit(|up| *at(up, "/parameters/limitParam/maximum") = json!(1000));
    assert_eq!(
        only(&changes, "parameter.query.limit", Kind::BoundsChanged).class,
        Class::Additive
    );
}

#[test]
fn response_properties_removed_inside_arrays_break_and_added_ones_are_additive() {
    let changes = upstream_edit(|up| {
        let props = at(up, INSTALLATION).as_object_mut().expect("props");
        props.remove("stable_ips");
        props.insert("cname".into(), json!({"type": "string"}));
    });
    let removed = only(
        &changes,
        "response.200.body.results[].stable_ips",
        Kind::PropertyRemoved,
    );
    assert_eq!(removed.operation.as_deref(), Some("listInstalls"));
    assert_eq!(removed.class, Class::Breaking);
    let added = only(
        &changes,
        "response.200.body.results[].cname",
        Kind::PropertyAdded,
    );
    assert_eq!(added.class, Class::Additive);
    // The same definition serves getInstall and createInstall: each operation reports it.
    only(&changes, "response.200.body.cname", Kind::PropertyAdded);
    only(&changes, "response.201.body.cname", Kind::PropertyAdded);
}

#[test]
fn a_response_property_type_or_format_change_is_breaking() {
    let changes = upstream_edit(|up| {
        *at(up, &format!("{INSTALLATION}/created_at/format")) = json!("date");
        *at(up, &format!("{INSTALLATION}/name/type")) = json!("integer");
    });
    let f = only(
        &changes,
        "response.200.body.created_at",
        Kind::FormatChanged,
    );
    assert_eq!(f.class, Class::Breaking);
    let t = only(&changes, "response.200.body.name", Kind::TypeChanged);
    assert_eq!(t.class, Class::Breaking);
}

#[test]
fn a_format_dropped_upstream_breaks_responses_but_not_requests() {
    let changes = upstream_edit(|up| {
        at(up, &format!("{INSTALLATION}/id"))
            .as_object_mut()
            .expect("id")
            .remove("format");
        at(
            up,
            "/paths/~1installs/post/parameters/1/schema/properties/account_id",
        )
        .as_object_mut()
        .expect("account_id")
        .remove("format");
    });
    assert_eq!(
        only(&changes, "response.200.body.id", Kind::FormatChanged).class,
        Class::Breaking
    );
    assert_eq!(
        only(&changes, "request.body.account_id", Kind::FormatChanged).class,
        Class::Cosmetic
    );
}

#[test]
fn property_required_changes_are_classified_by_direction() {
    let changes = upstream_edit(|up| {
        *at(up, "/definitions/Installation/required") = json!(["id", "name", "account", "status"]);
        *at(up, "/paths/~1installs/post/parameters/1/schema/required") = json!(["name"]);
    });
    let c = only(&changes, "response.200.body.status", Kind::RequiredAdded);
    assert_eq!(c.class, Class::Cosmetic, "ours decoding an Option copes");
    let c = only(&changes, "request.body.account_id", Kind::RequiredRemoved);
    assert_eq!(c.class, Class::Additive, "ours sends more than needed");

    let changes = upstream_edit(|up| {
        *at(up, "/definitions/Installation/required") = json!(["id", "account"]);
    });
    let c = only(
        &changes,
        "response.200.body.results[].name",
        Kind::RequiredRemoved,
    );
    assert_eq!(
        c.class,
        Class::Breaking,
        "ours insists on a field upstream may omit"
    );
}

#[test]
fn a_response_property_becoming_nullable_breaks_and_the_reverse_is_cosmetic() {
    let changes = upstream_edit(|up| {
        at(up, &format!("{INSTALLATION}/name"))
            .as_object_mut()
            .expect("name")
            .insert("x-nullable".into(), json!(true));
        at(up, &format!("{INSTALLATION}/stable_ips"))
            .as_object_mut()
            .expect("ips")
            .remove("x-nullable");
    });
    let c = only(&changes, "response.200.body.name", Kind::NullableChanged);
    assert_eq!(
        (c.upstream.clone(), c.class),
        (Some(json!(true)), Class::Breaking)
    );
    let c = only(
        &changes,
        "response.200.body.stable_ips",
        Kind::NullableChanged,
    );
    assert_eq!(
        (c.upstream.clone(), c.class),
        (Some(json!(false)), Class::Cosmetic)
    );
}

#[test]
fn dropping_null_from_an_enum_is_a_nullable_change() {
    let changes = upstream_edit(|up| {
        let env = at(up, &format!("{INSTALLATION}/environment"))
            .as_object_mut()
            .expect("env");
        env.remove("x-nullable");
        env.insert(
            "enum".into(),
            json!(["production", "staging", "development"]),
        );
    });
    let c = only(
        &changes,
        "response.200.body.environment",
        Kind::NullableChanged,
    );
    assert_eq!(c.upstream, Some(json!(false)));
    assert!(
        !changes.iter().any(|c| c.kind == Kind::EnumValuesRemoved),
        "{changes:#?}"
    );
}

#[test]
fn response_enum_values_added_break_closed_enums_and_removed_ones_do_not() {
    let changes = upstream_edit(|up| {
        *at(up, &format!("{INSTALLATION}/status/enum")) = json!(["active", "failed"]);
    });
    let added = only(
        &changes,
        "response.200.body.results[].status",
        Kind::EnumValuesAdded,
    );
    assert_eq!(added.upstream, Some(json!(["failed"])));
    assert_eq!(added.class, Class::Breaking);
    let removed = only(
        &changes,
        "response.200.body.results[].status",
        Kind::EnumValuesRemoved,
    );
    assert_eq!(removed.ours, Some(json!(["pending"])));
    assert_eq!(removed.class, Class::Cosmetic);
}

#[test]
fn new_values_for_an_enum_ours_declares_open_are_additive() {
    let changes = changes_after(
        |up| {
            *at(up, &format!("{INSTALLATION}/status/enum")) = json!(["active", "pending", "failed"])
        },
        |ours| {
            at(ours, "/components/schemas/Installation/properties/status")
                .as_object_mut()
                .expect("status")
                .insert("x-wpe-open-enum".into(), json!(true));
        },
    );
    let c = only(
        &changes,
        "response.200.body.results[].status",
        Kind::EnumValuesAdded,
    );
    assert_eq!(c.class, Class::Additive);
    assert!(c.detail.contains("open"), "{}", c.detail);
}

#[test]
fn changes_nested_in_objects_and_arrays_of_objects_have_full_locations() {
    let changes = upstream_edit(|up| {
        *at(up, &format!("{INSTALLATION}/account/properties/id/format")) = json!("int64");
        *at(
            up,
            &format!("{INSTALLATION}/domains/items/properties/primary/type"),
        ) = json!("string");
        at(up, &format!("{INSTALLATION}/domains/items/properties"))
            .as_object_mut()
            .expect("props")
            .insert("redirects_to".into(), json!({"type": "array", "items": {"type": "object", "properties": {"id": {"type": "string"}}}}));
    });
    only(
        &changes,
        "response.200.body.results[].account.id",
        Kind::FormatChanged,
    );
    only(
        &changes,
        "response.200.body.results[].domains[].primary",
        Kind::TypeChanged,
    );
    only(
        &changes,
        "response.200.body.results[].domains[].redirects_to",
        Kind::PropertyAdded,
    );
}

#[test]
fn a_new_success_status_breaks_a_new_error_status_is_additive_a_removed_one_cosmetic() {
    let changes = upstream_edit(|up| {
        let responses = at(up, "/paths/~1installs~1{install_id}/delete/responses")
            .as_object_mut()
            .expect("responses");
        responses.remove("404");
        responses.insert("202".into(), json!({"description": "Accepted"}));
        responses.insert("503".into(), json!({"description": "Unavailable"}));
    });
    assert_eq!(
        only(&changes, "response.202", Kind::StatusAdded).class,
        Class::Breaking
    );
    assert_eq!(
        only(&changes, "response.503", Kind::StatusAdded).class,
        Class::Additive
    );
    assert_eq!(
        only(&changes, "response.404", Kind::StatusRemoved).class,
        Class::Cosmetic
    );
}

#[test]
fn a_body_on_one_side_only_is_reported_and_a_removed_response_body_breaks() {
    let changes = upstream_edit(|up| {
        *at(up, "/paths/~1installs~1{install_id}/delete/responses/204") =
            json!({"description": "Deleted", "schema": {"type": "object"}});
        at(up, "/paths/~1installs~1{install_id}/get/responses/200")
            .as_object_mut()
            .expect("200")
            .remove("schema");
        at(up, "/paths/~1installs~1{install_id}/delete/parameters")
            .as_array_mut()
            .expect("params")
            .push(json!({"name": "body", "in": "body", "required": true, "schema": {"type": "object"}}));
    });
    only(&changes, "response.204.body", Kind::ResponseBodyAdded);
    assert_eq!(
        only(&changes, "response.200.body", Kind::ResponseBodyRemoved).class,
        Class::Breaking
    );
    assert_eq!(
        only(&changes, "request.body", Kind::RequestBodyAdded).class,
        Class::Breaking
    );
}

#[test]
fn a_required_request_property_added_upstream_is_breaking() {
    let changes = upstream_edit(|up| {
        let schema = at(up, "/paths/~1installs/post/parameters/1/schema");
        schema["properties"]["site_id"] = json!({"type": "string", "format": "uuid"});
        schema["required"] = json!(["name", "account_id", "site_id"]);
    });
    assert_eq!(
        only(&changes, "request.body.site_id", Kind::PropertyAdded).class,
        Class::Breaking
    );
}

#[test]
fn renamed_path_parameters_keep_the_operation_matched() {
    let changes = upstream_edit(|up| {
        let paths = at(up, "/paths").as_object_mut().expect("paths");
        let mut item = paths.remove("/installs/{install_id}").expect("item");
        item["parameters"][0]["name"] = json!("id");
        paths.insert("/installs/{id}".into(), item);
    });
    let renamed: Vec<&Change> = changes
        .iter()
        .filter(|c| c.kind == Kind::ParameterRenamed)
        .collect();
    assert_eq!(
        renamed.len(),
        2,
        "getInstall and deleteInstall: {changes:#?}"
    );
    assert!(renamed
        .iter()
        .all(|c| c.class == Class::Cosmetic && c.location == "parameter.path.id"));
    assert_eq!(changes.len(), 2, "{changes:#?}");
}

#[test]
fn deviations_acknowledge_matching_changes_and_unmatched_entries_are_stale() {
    let changes = changes_after(
        |up| {
            *at(up, &format!("{INSTALLATION}/status/enum")) = json!(["active", "pending", "failed"])
        },
        |ours| {
            for pointer in [
                "/paths/~1installs/get/parameters",
                "/paths/~1installs/post/parameters",
            ] {
                at(ours, pointer).as_array_mut().expect("params").remove(0);
            }
        },
    );
    let devs = deviations::parse(&json!({"deviations": [
        {"id": "no-auth-header", "reason": "basic auth", "operation": "*", "location": "parameter.header.Authorization", "kind": "parameter-added"},
        {"id": "stale-one", "reason": "nothing like it", "operation": "getInstall", "kind": "status-added"},
        {"id": "typo", "reason": "bad kind", "kind": "enum-value-added"}
    ]}))
    .expect("deviations parse");
    let (drift, acknowledged, stale) = triage(changes, &devs);
    assert_eq!(acknowledged.len(), 2, "listInstalls and createInstall");
    assert!(acknowledged
        .iter()
        .all(|a| a.deviations == ["no-auth-header"]));
    assert_eq!(
        drift.len(),
        3,
        "status enum value in three responses: {drift:#?}"
    );
    assert!(drift.iter().all(|c| c.kind == Kind::EnumValuesAdded));
    let stale_ids: Vec<&str> = stale.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(stale_ids, ["stale-one", "typo"]);
    assert!(
        stale[1].problems[0].contains("enum-value-added"),
        "{:?}",
        stale[1].problems
    );
}

#[test]
fn real_upstream_1_10_0_normalises_to_50_operations_despite_its_defects() {
    let Some(path) = common::shared_file("upstream/wpe-swagger-1.10.0.json") else {
        return;
    };
    let bytes = std::fs::read(&path).expect("read the upstream document");
    let doc = parse_document(&bytes, false).expect("upstream parses");
    let api = normalise(&doc, "upstream").expect("upstream normalises");
    assert_eq!(api.operations.len(), 50);
    assert_eq!(api.version.as_deref(), Some("1.10.0"));
    let messages: Vec<&str> = api.notes.iter().map(|n| n.message.as_str()).collect();
    assert!(
        messages.contains(&"operation has no operationId"),
        "{messages:?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.contains("#/definitions/TooManyRequestsOperation")),
        "{messages:?}"
    );
    // Every operation but one has the bogus Authorization header, still visible to the diff.
    let with_auth = api
        .operations
        .values()
        .filter(|o| o.parameters.values().any(|p| p.name == "Authorization"))
        .count();
    assert_eq!(with_auth, 48);
}

//! Whatever the server sends, the client returns a value or an error that
//! says what is wrong, never a panic: properties of every response type over
//! arbitrary JSON, damaged examples and truncated bodies, directly and
//! through the client over HTTP.

use proptest::prelude::*;
use serde_json::Value;
use wpe_api::operations::{self, DecodeError};
use wpe_api::types;
use wpe_api_tests::{fixture, Canned, RecordingServer};

/// Deserializes `json` into the response type of `operation` (its
/// `operationId`, or `error` for the error body) and encodes it back.
fn decode(operation: &str, json: &str) -> Result<Value, DecodeError> {
    if operation == "error" {
        return operations::decode_error_body(json.as_bytes());
    }
    operations::by_operation_id(operation)
        .unwrap_or_else(|| panic!("{operation} is not in the operation table"))
        .decode_response(json.as_bytes())
        .unwrap_or_else(|| panic!("{operation} answers without a JSON body"))
}

/// Every operation whose answer has a JSON body, from the operation table.
fn operations_with_a_body() -> Vec<&'static str> {
    operations::OPERATIONS
        .iter()
        .filter(|op| op.response.is_some())
        .map(|op| op.operation_id)
        .collect()
}

/// Keys of the real types, so random objects partly match them.
const KEYS: &[&str] = &[
    "id",
    "name",
    "status",
    "results",
    "count",
    "account",
    "environment",
    "site",
    "domains",
    "report",
    "certificates",
    "user",
    "message",
    "x",
];

/// Where the documented examples hold a value of an open enum (one the API
/// may extend), by JSON pointer.
const OPEN_ENUM_FIELDS: &[(&str, &str)] = &[
    ("createBackup", "/status"),
    ("showBackup", "/status"),
    ("listBackups", "/results/1/status"),
    ("listBackups", "/results/2/status"),
    ("listArchives", "/results/0/state"),
    ("createInstall", "/status"),
    ("createInstall", "/environment"),
    ("getInstall", "/status"),
    ("getInstall", "/environment"),
    ("updateInstall", "/environment"),
    ("listInstalls", "/results/0/status"),
    ("listInstalls", "/results/0/environment"),
    ("listSites", "/results/0/installs/0/environment"),
    ("getDomainCertificate", "/certificate/cert_source"),
    ("getDomainCertificate", "/certificate/status"),
    ("getInstallCertificates", "/certificates/0/cert_source"),
    ("getInstallCertificates", "/certificates/0/status"),
    (
        "getAccountUsageMetrics",
        "/environment_metrics/0/metrics/0/traffic_metrics_source",
    ),
    (
        "getInstallUsageMetrics",
        "/metrics/0/traffic_metrics_source",
    ),
    ("getOffloadSettings", "/largefs_settings/cloud"),
    ("getDomain", "/ownership_status"),
    ("listCacheExclusions", "/results/1/type"),
    ("updateCacheExclusions", "/results/2/type"),
    ("listDomains", "/results/1/ownership_status"),
    ("createSiteTransfer", "/status"),
    ("getSiteTransfer", "/status"),
    ("listSiteTransfers", "/results/0/status"),
    ("listAccountSiteTransfers", "/results/1/status"),
    (
        "getOffloadSettings",
        "/largefs_settings/path_settings/0/redirect_type",
    ),
    ("getSiteReportsSchedules", "/schedules/0/frequency/unit"),
];

/// Every value of every open enum this crate knows.
fn known_enum_values() -> Vec<&'static str> {
    [
        types::Environment::KNOWN,
        types::InstallStatus::KNOWN,
        types::BackupStatus::KNOWN,
        types::ArchiveState::KNOWN,
        types::CertSource::KNOWN,
        types::CertificateStatus::KNOWN,
        types::TrafficMetricsSource::KNOWN,
        types::OffloadCloud::KNOWN,
        types::OffloadRedirectType::KNOWN,
        types::ReportFrequencyUnit::KNOWN,
        types::SiteTransferStatus::KNOWN,
        types::DomainOwnershipStatus::KNOWN,
    ]
    .concat()
}

fn arbitrary_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        // Decimals as an API sends them (serde_json without its
        // `float_roundtrip` feature may read extreme ones 1 ULP off).
        (-1_000_000_000_000i64..1_000_000_000_000).prop_map(|n| Value::from(n as f64 / 1000.0)),
        "[a-z0-9:_-]{0,12}".prop_map(Value::from),
        prop::sample::select(KEYS).prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(
                prop::sample::select(KEYS).prop_map(String::from),
                inner,
                0..8
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A documented example with the value of one of its top-level fields
/// replaced by random JSON: (operation, field, damaged example).
fn damaged_fixture() -> impl Strategy<Value = (&'static str, String, Value)> {
    (
        prop::sample::select(operations_with_a_body()),
        arbitrary_json(),
        any::<prop::sample::Index>(),
    )
        .prop_filter_map("an example with fields", |(op, junk, at)| {
            let mut value = fixture(op);
            let map = value.as_object_mut()?;
            if map.is_empty() {
                return None;
            }
            let key = map.keys().nth(at.index(map.len())).cloned()?;
            map.insert(key.clone(), junk);
            Some((op, key, value))
        })
}

/// Whether a decode error's `path` is `field` or inside it.
fn is_in_field(path: &str, field: &str) -> bool {
    path.strip_prefix(field)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with(['.', '[']))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// A user who reads a response and sends it on (or stores it and reads it
    /// back) gets the same value: decoding is stable under re-encoding.
    #[test]
    fn whatever_json_decodes_encodes_back_to_json_that_decodes_to_the_same_value(
        json in arbitrary_json()
    ) {
        let text = json.to_string();
        for op in operations_with_a_body().into_iter().chain(["error"]) {
            if let Ok(encoded) = decode(op, &text) {
                let again = decode(op, &encoded.to_string())
                    .map_err(|e| TestCaseError::fail(format!("{op}: {text} re-encoded as {encoded} fails: {e}")))?;
                prop_assert_eq!(&again, &encoded, "{}: {}", op, text);
            }
        }
    }

    /// A field of the wrong type is an error naming that field; a value the
    /// type accepts there changes nothing else in the response.
    #[test]
    fn a_damaged_field_is_an_error_naming_it_or_leaves_the_other_fields_intact(
        (op, field, damaged) in damaged_fixture()
    ) {
        let intact = decode(op, &fixture(op).to_string()).unwrap();
        match decode(op, &damaged.to_string()) {
            Err(e) => prop_assert!(
                is_in_field(e.path(), &field),
                "{op}: damaging `{field}` is blamed on `{}`: {e}", e.path()
            ),
            Ok(decoded) => {
                for (key, value) in intact.as_object().unwrap() {
                    if *key != field {
                        prop_assert_eq!(
                            decoded.get(key), Some(value),
                            "{}: damaging `{}` changed `{}`", op, field, key
                        );
                    }
                }
            }
        }
    }

    /// A value WP Engine adds to an open enum (install or backup status,
    /// environment, certificate source ...) neither fails the response nor
    /// is lost: it is sent back exactly as received.
    #[test]
    fn an_unknown_open_enum_value_survives_decoding_and_encoding(
        (op, pointer) in prop::sample::select(OPEN_ENUM_FIELDS),
        unknown in "[a-z][a-z_]{0,15}|[A-Z][A-Z_]{0,23}",
    ) {
        prop_assume!(!known_enum_values().contains(&unknown.as_str()));
        let intact = decode(op, &fixture(op).to_string()).unwrap();
        let mut example = fixture(op);
        *example.pointer_mut(pointer).expect("the pointer is in the example") =
            Value::from(unknown.clone());
        let decoded = decode(op, &example.to_string())
            .map_err(|e| TestCaseError::fail(format!("{op} with {pointer} = {unknown:?}: {e}")))?;
        let mut expected = intact;
        *expected.pointer_mut(pointer).unwrap() = Value::from(unknown);
        prop_assert_eq!(decoded, expected);
    }
}

#[test]
fn every_documented_example_decodes() {
    for op in operations_with_a_body() {
        decode(op, &fixture(op).to_string()).unwrap_or_else(|e| panic!("{op}: {e}"));
    }
}

#[test]
fn every_truncation_of_every_example_is_reported_as_an_early_end_where_it_is_cut() {
    for op in operations_with_a_body() {
        let text = fixture(op).to_string();
        for cut in 0..text.len() {
            if !text.is_char_boundary(cut) {
                continue;
            }
            let err = decode(op, &text[..cut])
                .err()
                .unwrap_or_else(|| panic!("{op} cut at {cut} decoded"));
            // An early end, not a wrong value in some field, and at the cut.
            assert!(err.source_error().is_eof(), "{op} cut at {cut}: {err}");
            assert_eq!(
                (err.source_error().line(), err.source_error().column()),
                (1, text[..cut].chars().count()),
                "{op} cut at {cut}: {err}"
            );
        }
    }
}

#[tokio::test]
async fn truncated_and_junk_bodies_through_the_client_are_typed_errors() {
    let text = fixture("listInstalls").to_string();
    let server = RecordingServer::start().await;
    let client = server.client();
    for cut in (0..text.len()).step_by(37) {
        server.respond(Canned::raw(200, &text[..cut]));
        let err = client.list_installs().send().await.unwrap_err();
        assert!(
            matches!(err, wpe_api::Error::InvalidResponsePayload { .. }),
            "cut {cut}: {err:?}"
        );
    }
    for junk in [
        "true",
        "1e400",
        "\"text\"",
        "{\"results\":[{\"id\":\"not-a-uuid\"}]}",
        "[1,2,3]",
        "\u{feff}{}",
    ] {
        server.respond(Canned::raw(200, junk));
        assert!(
            client.list_installs().send().await.is_err(),
            "{junk} was accepted"
        );
    }
}

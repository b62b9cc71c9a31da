//! Whatever the server sends, the client returns a value or a typed error,
//! never a panic: arbitrary JSON and truncated bodies for every response type,
//! directly and through the client over HTTP.

use proptest::prelude::*;
use serde_json::Value;
use wpe_api::types;
use wpe_api_tests::{fixture, Canned, RecordingServer};

/// Deserializes `json` into the response type of `operation`; `Err` is fine, a panic is not.
fn decode(operation: &str, json: &str) -> Result<(), String> {
    macro_rules! try_types {
        ($($op:literal => $ty:ty,)+) => {
            match operation {
                $($op => serde_json::from_str::<$ty>(json).map(|_| ()).map_err(|e| e.to_string()),)+
                other => panic!("no response type listed for {other}"),
            }
        };
    }
    try_types! {
        "status" => types::Status,
        "swagger" => types::SwaggerDocument,
        "listAccounts" => types::AccountsPage,
        "getAccount" => types::Account,
        "getAccountsLimits" => types::AccountLimits,
        "getAccountUsageMetrics" => types::AccountUsageMetricsResponse,
        "listAccountUsers" => types::AccountUsersList,
        "createAccountUser" => types::AccountUserChanged,
        "getAccountUser" => types::AccountUser,
        "updateAccountUser" => types::AccountUserChanged,
        "getAccountUsageSummary" => types::UsageMetricsRollup,
        "getAccountUsageInsights" => types::AccountUsageInsights,
        "listSites" => types::SitesPage,
        "createSite" => types::Site,
        "getSite" => types::Site,
        "updateSite" => types::Site,
        "listInstalls" => types::InstallsPage,
        "createInstall" => types::Installation,
        "getInstall" => types::Installation,
        "updateInstall" => types::Installation,
        "getLargeFSValidationFile" => types::LargeFsValidationFile,
        "getOffloadSettings" => types::LargeFsConfig,
        "getInstallUsageMetrics" => types::InstallDailyUsageMetricsSeries,
        "listDomains" => types::DomainsPage,
        "createDomain" => types::Domain,
        "createBulkDomains" => types::BulkDomainsResult,
        "getDomain" => types::Domain,
        "updateDomain" => types::Domain,
        "checkStatus" => types::DomainReport,
        "getInstallCertificates" => types::InstallSslCertificatesResponse,
        "getDomainCertificate" => types::DomainCertificate,
        "importThirdPartySSLCertificate" => types::ThirdPartyCertificate,
        "getDomainReportStatus" => types::DomainReportStatus,
        "createBackup" => types::Backup,
        "showBackup" => types::Backup,
        "getCurrentUser" => types::User,
        "listSshKeys" => types::SshKeysPage,
        "createSshKey" => types::SshKey,
        "error" => types::ErrorResponse,
    }
}

const OPERATIONS: &[&str] = &[
    "status",
    "swagger",
    "listAccounts",
    "getAccount",
    "getAccountsLimits",
    "getAccountUsageMetrics",
    "listAccountUsers",
    "createAccountUser",
    "getAccountUser",
    "updateAccountUser",
    "getAccountUsageSummary",
    "getAccountUsageInsights",
    "listSites",
    "createSite",
    "getSite",
    "updateSite",
    "listInstalls",
    "createInstall",
    "getInstall",
    "updateInstall",
    "getLargeFSValidationFile",
    "getOffloadSettings",
    "getInstallUsageMetrics",
    "listDomains",
    "createDomain",
    "createBulkDomains",
    "getDomain",
    "updateDomain",
    "checkStatus",
    "getInstallCertificates",
    "getDomainCertificate",
    "importThirdPartySSLCertificate",
    "getDomainReportStatus",
    "createBackup",
    "showBackup",
    "getCurrentUser",
    "listSshKeys",
    "createSshKey",
];

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

fn arbitrary_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
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

/// Each fixture with random values spliced in at random keys.
fn mutated_fixture() -> impl Strategy<Value = (&'static str, String)> {
    (
        prop::sample::select(OPERATIONS),
        arbitrary_json(),
        any::<prop::sample::Index>(),
    )
        .prop_map(|(op, junk, at)| {
            let mut value = fixture(op);
            if let Value::Object(map) = &mut value {
                if !map.is_empty() {
                    let key = map.keys().nth(at.index(map.len())).cloned().unwrap();
                    map.insert(key, junk);
                }
            }
            (op, value.to_string())
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn any_json_decodes_or_errors_for_every_response_type(json in arbitrary_json()) {
        let text = json.to_string();
        for op in OPERATIONS.iter().chain(["error"].iter()) {
            let _ = decode(op, &text);
        }
    }

    #[test]
    fn a_fixture_with_a_field_replaced_decodes_or_errors((op, text) in mutated_fixture()) {
        let _ = decode(op, &text);
    }
}

#[test]
fn every_documented_example_decodes() {
    for op in OPERATIONS {
        decode(op, &fixture(op).to_string()).unwrap_or_else(|e| panic!("{op}: {e}"));
    }
}

#[test]
fn every_truncation_of_every_example_is_an_error() {
    for op in OPERATIONS {
        let text = fixture(op).to_string();
        for cut in 0..text.len() {
            if text.is_char_boundary(cut) {
                assert!(
                    decode(op, &text[..cut]).is_err(),
                    "{op} cut at {cut} decoded"
                );
            }
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
            matches!(err, wpe_api::Error::InvalidResponsePayload(..)),
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

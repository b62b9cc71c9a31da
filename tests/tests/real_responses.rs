//! Every response recorded from the live API (`../shared/real-responses/`,
//! read from there and never copied into the project) decodes through the
//! typed client over real HTTP, and nothing the client's types know is lost
//! or altered on the way.
//!
//! A recording whose operation this test does not call is a failure, so a
//! new recording cannot be skipped silently.

use serde_json::Value;
use wpe_api_tests::recordings::{live_recordings as recordings, lost_key_paths, Recording};
use wpe_api_tests::{Canned, RecordingServer};

/// Calls the operation the recording is of, as a user would, and returns
/// what the client decoded, as JSON.
async fn call(client: &wpe_api::Client, rec: &Recording) -> Result<Value, wpe_api::Error> {
    let limit = rec.query_number("limit").map(|n| n as usize);
    let offset = rec.query_number("offset");
    fn json(value: impl serde::Serialize) -> Value {
        serde_json::to_value(value).expect("decoded value serializes")
    }
    Ok(match rec.operation_id.as_str() {
        "getCurrentUser" => json(client.get_current_user().send().await?.into_inner()),
        "listAccounts" => {
            let mut call = client.list_accounts();
            if let (Some(limit), Some(offset)) = (limit, offset) {
                call = call.limit(limit).offset(offset);
            }
            json(call.send().await?.into_inner())
        }
        "listSites" => {
            let mut call = client.list_sites();
            if let (Some(limit), Some(offset)) = (limit, offset) {
                call = call.limit(limit).offset(offset);
            }
            json(call.send().await?.into_inner())
        }
        "listInstalls" => {
            let mut call = client.list_installs();
            if let (Some(limit), Some(offset)) = (limit, offset) {
                call = call.limit(limit).offset(offset);
            }
            json(call.send().await?.into_inner())
        }
        "listDomains" => {
            let mut call = client.list_domains().install_id(rec.path_id("installs"));
            if let (Some(limit), Some(offset)) = (limit, offset) {
                call = call.limit(limit).offset(offset);
            }
            json(call.send().await?.into_inner())
        }
        other => panic!(
            "{}: a recording of {other}, which this test does not call yet: add it",
            rec.file
        ),
    })
}

/// Every value in `decoded` equals the value at the same place in
/// `recorded` (timestamps compared as instants); returns the places that
/// differ. A field the recording does not have may be decoded only as
/// `null`, `[]` or `{}`: a typed value writes back every nullable field,
/// list and map it has, and cannot tell one the server left out from one it
/// sent empty.
fn lost_or_altered(decoded: &Value, recorded: &Value, at: &str, out: &mut Vec<String>) {
    let empty = |value: &Value| match value {
        Value::Null => true,
        Value::Array(items) => items.is_empty(),
        Value::Object(map) => map.is_empty(),
        _ => false,
    };
    match (decoded, recorded) {
        (Value::Null, _) => {}
        (Value::Object(ours), Value::Object(theirs)) => {
            for (key, value) in ours
                .iter()
                .filter(|(key, value)| !(empty(value) && !theirs.contains_key(*key)))
            {
                let place = format!("{at}.{key}");
                match theirs.get(key) {
                    Some(recorded) => lost_or_altered(value, recorded, &place, out),
                    None => out.push(format!("{place}: decoded {value}, not in the recording")),
                }
            }
        }
        (Value::Array(ours), Value::Array(theirs)) if ours.len() == theirs.len() => {
            for (i, (value, recorded)) in ours.iter().zip(theirs).enumerate() {
                lost_or_altered(value, recorded, &format!("{at}[{i}]"), out);
            }
        }
        (Value::String(ours), Value::String(theirs)) if ours != theirs => {
            let instant = |s: &str| chrono::DateTime::parse_from_rfc3339(s).ok();
            if instant(ours).is_none() || instant(ours) != instant(theirs) {
                out.push(format!("{at}: decoded {ours:?}, recorded {theirs:?}"));
            }
        }
        (ours, theirs) if ours != theirs => {
            out.push(format!("{at}: decoded {ours}, recorded {theirs}"))
        }
        _ => {}
    }
}

#[tokio::test]
async fn every_live_recording_decodes_through_the_client_without_loss() {
    let Some(recordings) = recordings() else {
        return;
    };
    let grown: Vec<Recording> = recordings
        .iter()
        .map(Recording::with_unknown_fields)
        .collect();
    for rec in recordings.iter().chain(&grown) {
        let server = RecordingServer::start().await;
        server.respond(
            Canned::raw(rec.status, &rec.body.to_string())
                .header("content-type", rec.content_type.clone()),
        );
        let decoded = call(&server.client(), rec)
            .await
            .unwrap_or_else(|e| panic!("{}: {} failed: {e}", rec.file, rec.operation_id));

        let sent = server.single_request();
        assert_eq!(sent.path, rec.path, "{}: request path", rec.file);
        assert_eq!(sent.query, rec.query, "{}: request query", rec.file);

        let mut diffs = Vec::new();
        lost_or_altered(&decoded, &rec.body, "$", &mut diffs);
        assert!(diffs.is_empty(), "{}: {diffs:#?}", rec.file);
        let lost = lost_key_paths(&rec.body, &decoded);
        assert!(lost.is_empty(), "{}: lost {lost:#?}", rec.file);
        if let Some(results) = rec.body.get("results").and_then(Value::as_array) {
            assert_eq!(
                decoded["results"].as_array().map(Vec::len),
                Some(results.len()),
                "{}: every recorded result decoded",
                rec.file
            );
        }
    }
    println!(
        "{} live recordings decoded, and each with unknown fields added",
        recordings.len()
    );
}

/// The table's decoder (used by the malformed-body tests and the stand-in
/// checks) agrees with the client on every recording.
#[test]
fn every_live_recording_decodes_through_the_operation_table() {
    let Some(recordings) = recordings() else {
        return;
    };
    for rec in &recordings {
        let op = wpe_api::operations::by_operation_id(&rec.operation_id)
            .unwrap_or_else(|| panic!("{}: no operation {}", rec.file, rec.operation_id));
        let body = rec.body.to_string();
        match op.decode_response(body.as_bytes()) {
            Some(Ok(_)) => {}
            Some(Err(e)) => panic!("{}: {e}", rec.file),
            None => panic!("{}: {} has no response body", rec.file, rec.operation_id),
        }
    }
}

#[test]
fn the_comparison_reports_altered_and_invented_values_and_accepts_equal_instants() {
    let recorded = serde_json::json!({"id": "a", "at": "2021-07-05T13:40:29Z", "n": 1});
    let mut diffs = Vec::new();
    lost_or_altered(
        &serde_json::json!({"id": "b", "at": "2021-07-05T13:40:29+00:00", "n": 1, "extra": true, "none": null}),
        &recorded,
        "$",
        &mut diffs,
    );
    diffs.sort();
    assert_eq!(
        diffs,
        [
            "$.extra: decoded true, not in the recording",
            r#"$.id: decoded "b", recorded "a""#,
        ]
    );
}

//! `wpe_api::operations::{call, stream}`: any operation by name, from text
//! values and a JSON body, through its typed builder, against the stand-in.

use std::sync::Arc;
use std::time::Duration;

use futures::TryStreamExt;
use serde_json::json;
use uuid::Uuid;
use wpe_api::clock::VirtualClock;
use wpe_api::fake::{FakeConfig, FakeServer, FaultKind, Faults, Seed};
use wpe_api::operations::{self, Args, ParamKind, OPERATIONS};
use wpe_api::retry::RetryPolicy;
use wpe_api::{Error, PageOptions, Paginate};

use crate::support::demo;

fn op(id: &str) -> &'static operations::Operation {
    operations::find(id).unwrap()
}

fn invalid_request(result: Result<impl std::fmt::Debug, Error>) -> String {
    match result {
        Err(Error::InvalidRequest(message)) => message,
        other => panic!("expected InvalidRequest, got {other:?}"),
    }
}

#[tokio::test]
async fn call_answers_what_the_typed_client_answers() {
    let (_server, client) = demo().await;
    let typed = client.list_installs().send().await.unwrap().into_inner();
    let page = operations::call(&client, op("list_installs"), &Args::new(), None)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(page, serde_json::to_value(&typed).unwrap());

    let torquemag = typed
        .results
        .iter()
        .find(|i| i.name == "torquemag")
        .unwrap();
    let args = Args::new().with("install_id", torquemag.id.to_string());
    let install = operations::call(&client, op("get_install"), &args, None)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(install["name"], "torquemag");
    assert_eq!(install["id"], torquemag.id.to_string());
}

#[tokio::test]
async fn stream_walks_every_page_of_a_list_in_api_order() {
    let server = FakeServer::start(FakeConfig::with_seed(Seed::Installs(250))).await;
    let client = server.client();
    let options = PageOptions::default().page_size(40);
    let names: Vec<String> =
        operations::stream(&client, op("list_installs"), &Args::new(), options)
            .unwrap()
            .map_ok(|install| install["name"].as_str().unwrap().to_owned())
            .try_collect()
            .await
            .unwrap();
    let typed: Vec<String> = client
        .list_installs()
        .stream_with(options)
        .map_ok(|install| install.name.to_string())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(names.len(), 250);
    assert_eq!(names, typed);
    assert_eq!(names[0], "i0000000");

    let not_a_list = operations::stream(&client, op("get_install"), &Args::new(), options);
    assert!(invalid_request(not_a_list.map(|_| ())).contains("not a paged list"));
}

#[tokio::test]
async fn a_value_that_does_not_parse_is_refused_naming_its_flag() {
    let (server, client) = demo().await;
    let cases = [
        ("get_install", "install_id", "torquemag", "--install-id"),
        ("list_installs", "limit", "500", "--limit"),
        ("list_installs", "limit", "ten", "--limit"),
        (
            "get_account_usage_summary",
            "first_date",
            "2024-13-01",
            "--first-date",
        ),
    ];
    for (id, name, value, flag) in cases {
        let mut args = Args::new().with(name, value);
        if id == "get_account_usage_summary" {
            args.set("account_id", Uuid::new_v4().to_string());
        }
        let message = invalid_request(operations::call(&client, op(id), &args, None).await);
        assert!(message.contains(flag), "{id} {name}={value}: {message}");
        assert!(message.contains(value), "{id} {name}={value}: {message}");
    }
    // The page size goes through `PageLimit`, as in typed code.
    let message = invalid_request(
        operations::call(
            &client,
            op("list_installs"),
            &Args::new().with("limit", "500"),
            None,
        )
        .await,
    );
    assert!(message.contains("out of range"), "{message}");
    assert!(server.served_operations().is_empty(), "nothing was sent");
}

#[tokio::test]
async fn missing_and_unknown_parameters_and_bodies_are_refused_before_sending() {
    let (server, client) = demo().await;
    let message =
        invalid_request(operations::call(&client, op("get_install"), &Args::new(), None).await);
    assert!(message.contains("--install-id"), "{message}");

    let args = Args::new().with("install", Uuid::new_v4().to_string());
    let message = invalid_request(operations::call(&client, op("get_install"), &args, None).await);
    assert!(
        message.contains("no parameter `install`") && message.contains("install_id"),
        "{message}"
    );

    let args = Args::new().with("install_id", Uuid::new_v4().to_string());
    let message =
        invalid_request(operations::call(&client, op("create_backup"), &args, None).await);
    assert!(message.contains("CreateBackupRequest"), "{message}");
    let message =
        invalid_request(operations::call(&client, op("get_install"), &args, Some(json!({}))).await);
    assert!(message.contains("takes no request body"), "{message}");
    assert!(server.served_operations().is_empty(), "nothing was sent");
}

#[tokio::test]
async fn a_body_goes_through_its_schema_type() {
    let (server, client) = demo().await;
    let install = client.list_installs().send().await.unwrap().results[0].id;
    let args = Args::new().with("install_id", install.to_string());

    let wrong = json!({"description": "x", "notification_emails": "ops@example.com"});
    let message =
        invalid_request(operations::call(&client, op("create_backup"), &args, Some(wrong)).await);
    assert!(message.contains("notification_emails"), "{message}");

    let body = json!({"description": "before deploy", "notification_emails": ["ops@example.com"]});
    let backup = operations::call(&client, op("create_backup"), &args, Some(body))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(backup["status"], "requested");
    assert_eq!(server.backups_taken()[&install], 1);

    let purge = operations::call(
        &client,
        op("purge_cache"),
        &args,
        Some(json!({"type": "page"})),
    )
    .await
    .unwrap();
    assert_eq!(purge, None, "a 202 has no body");
    assert_eq!(server.cache_purges().len(), 1);

    let unknown_type = json!({"type": "everything"});
    let message = invalid_request(
        operations::call(&client, op("purge_cache"), &args, Some(unknown_type)).await,
    );
    assert!(message.contains("type"), "{message}");
}

#[tokio::test]
async fn an_error_answer_comes_back_as_the_typed_call_returns_it() {
    let (_server, client) = demo().await;
    let args = Args::new().with("install_id", Uuid::new_v4().to_string());
    let err = operations::call(&client, op("get_install"), &args, None)
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(404));
    assert!(err.api_error().is_some());
}

#[tokio::test]
async fn a_call_goes_through_the_retry_hook() {
    let clock = VirtualClock::new();
    let server = FakeServer::start(FakeConfig {
        clock: Arc::new(clock.clone()),
        faults: Faults::none().with_rate(FaultKind::ServiceUnavailable, 1.0),
        ..FakeConfig::default()
    })
    .await;
    let client = server
        .client_builder()
        .retry_policy(
            RetryPolicy::default()
                .max_attempts(3)
                .base_delay(Duration::from_millis(5))
                .clock(clock.clone()),
        )
        .build()
        .unwrap();
    let err = operations::call(&client, op("list_installs"), &Args::new(), None)
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(err.attempts(), Some(3), "{err}");
    assert_eq!(server.fault_counts().get(FaultKind::ServiceUnavailable), 3);
}

/// Every operation, with made-up IDs and an empty body where one is
/// required, reaches its own route of the stand-in (never API Gateway's
/// answer for an unknown route) or is refused for its body alone.
#[tokio::test]
async fn every_operation_is_sent_to_its_own_route() {
    let (_server, client) = demo().await;
    for op in OPERATIONS {
        let mut args = Args::new();
        for param in op.params.iter().filter(|p| p.required) {
            let value = match param.kind {
                ParamKind::Uuid => Uuid::new_v4().to_string(),
                // A name, such as an SFTP user's.
                ParamKind::String => "madeup-name".to_owned(),
                other => panic!("{}: {} is a required {other:?}", op.id, param.name),
            };
            args.set(param.name, value);
        }
        let body = op.body.filter(|b| b.required).map(|_| json!({}));
        match operations::call(&client, op, &args, body).await {
            Ok(_) => {}
            Err(Error::InvalidRequest(message)) => {
                assert!(message.contains("request body"), "{}: {message}", op.id)
            }
            Err(err) => {
                let status = err.status().map(|s| s.as_u16());
                assert!(status.is_some(), "{}: {err}", op.id);
                let gateway = err.api_error().map(|e| e.message.as_str())
                    == Some("Missing Authentication Token");
                assert!(
                    !gateway,
                    "{}: no route for {} {}",
                    op.id, op.method, op.path
                );
            }
        }
    }
}

#[test]
fn args_collect_from_pairs() {
    let args: Args = [("install_id", "a"), ("limit", "5")].into_iter().collect();
    let pairs: Vec<(&str, &str)> = args.iter().collect();
    assert_eq!(pairs, [("install_id", "a"), ("limit", "5")]);
    assert_eq!(args.get("limit"), Some("5"));
    assert_eq!(args.get("offset"), None);
}

//! Client behaviour beyond single operations: input checks before sending,
//! configuration from the environment, secrecy of credentials, typed API
//! errors and forward compatibility with values the crate does not know.

use std::time::Duration;

use serde_json::json;
use uuid::Uuid;
use wpe_api::types::{Environment, InstallStatus};
use wpe_api::{Client, ClientInfo, ConfigError, Credentials, Error};
use wpe_api_tests::{fixture, Canned, RecordingServer, TEST_PASSWORD};

fn invalid_request_message(err: Error) -> String {
    match err {
        Error::InvalidRequest(message) => message,
        other => panic!("expected InvalidRequest, got {other:?}"),
    }
}

#[tokio::test]
async fn a_non_uuid_id_is_refused_before_sending() {
    let server = RecordingServer::start().await;
    let err = server
        .client()
        .get_install()
        .install_id("not-a-uuid")
        .send()
        .await
        .unwrap_err();
    let message = invalid_request_message(err);
    assert!(message.contains("install_id"), "{message}");
    assert!(server.requests().is_empty(), "nothing may reach the server");
}

#[tokio::test]
async fn an_install_name_breaking_the_pattern_is_refused_before_sending() {
    let server = RecordingServer::start().await;
    for bad in [
        "Torque",
        "1abc",
        "ab",
        "averyveryverylongname",
        "torque-mag",
    ] {
        let err = server
            .client()
            .create_install()
            .body_map(|body| body.name(bad).account_id(Uuid::from_u128(1)))
            .send()
            .await
            .unwrap_err();
        let message = invalid_request_message(err);
        assert!(message.contains("name"), "{bad}: {message}");
    }
    assert!(server.requests().is_empty(), "nothing may reach the server");
}

#[tokio::test]
async fn a_limit_above_100_is_refused_before_sending() {
    let server = RecordingServer::start().await;
    let client = server.client();
    let err = client.list_installs().limit(101).send().await.unwrap_err();
    assert!(invalid_request_message(err).contains("limit"));
    let err = client.list_accounts().limit(-1).send().await.unwrap_err();
    assert!(invalid_request_message(err).contains("limit"));
    let err = client
        .get_account_usage_metrics()
        .account_id(Uuid::from_u128(1))
        .limit(1001)
        .send()
        .await
        .unwrap_err();
    assert!(invalid_request_message(err).contains("limit"));
    assert!(server.requests().is_empty(), "nothing may reach the server");
    assert_eq!(
        wpe_api::types::PageLimit::new(101).unwrap_err().to_string(),
        "page limit 101 is out of range: the API accepts 0 to 100"
    );
}

#[tokio::test]
async fn unknown_enum_values_and_fields_do_not_fail_a_list() {
    let server = RecordingServer::start().await;
    let mut page = fixture("listInstalls");
    let mut odd = page["results"][0].clone();
    odd["status"] = json!("migrating");
    odd["environment"] = json!("preview");
    odd["brand_new_field"] = json!({"nested": [1, 2, 3]});
    page["results"].as_array_mut().unwrap().push(odd);
    page["results"].as_array_mut().unwrap().push(json!({"id": Uuid::from_u128(9), "name": "bare", "account": {"id": Uuid::from_u128(1)}, "environment": null}));
    server.respond(Canned::json(200, &page));
    let installs = server
        .client()
        .list_installs()
        .send()
        .await
        .unwrap()
        .into_inner()
        .results;
    assert_eq!(installs.len(), 3);
    assert_eq!(installs[0].status, Some(InstallStatus::Active));
    assert_eq!(
        installs[1].status,
        Some(InstallStatus::Other("migrating".into()))
    );
    assert_eq!(
        installs[1].environment,
        Some(Environment::Other("preview".into()))
    );
    assert_eq!(installs[2].environment, None, "null environment");
    assert_eq!(installs[2].status, None);
}

#[tokio::test]
async fn a_400_exposes_message_documentation_url_and_field_errors() {
    let server = RecordingServer::start().await;
    server.respond(Canned::json(
        400,
        &json!({
            "message": "Invalid Site: Name cannot be empty.",
            "documentation_url": "https://wpengineapi.com/reference",
            "errors": [{"resource": "Site", "field": "name", "type": "invalid_value", "code": "too_long", "message": "Name is too long (maximum is 40 characters)"}]
        }),
    ));
    let err = server
        .client()
        .create_site()
        .body_map(|body| body.name("x".repeat(41)).account_id(Uuid::from_u128(1)))
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(400));
    let body = err.api_error().expect("typed error body");
    assert_eq!(body.message, "Invalid Site: Name cannot be empty.");
    assert_eq!(
        body.documentation_url.as_deref(),
        Some("https://wpengineapi.com/reference")
    );
    let fields = err.field_errors();
    assert_eq!(fields[0].field.as_deref(), Some("name"));
    assert_eq!(fields[0].code.as_deref(), Some("too_long"));
}

#[tokio::test]
async fn every_error_status_carries_the_typed_body() {
    // 418 and 502 are not listed for getInstall: the 4XX/5XX ranges still type them.
    for status in [401u16, 403, 404, 418, 429, 500, 502, 503] {
        let server = RecordingServer::start().await;
        server.respond(Canned::json(
            status,
            &json!({"message": format!("status {status}")}),
        ));
        let err = server
            .client()
            .get_install()
            .install_id(Uuid::from_u128(3))
            .send()
            .await
            .unwrap_err();
        assert_eq!(err.status().map(|s| s.as_u16()), Some(status));
        assert_eq!(
            err.api_error().map(|b| b.message.as_str()),
            Some(format!("status {status}").as_str())
        );
    }
}

#[tokio::test]
async fn a_malformed_body_is_an_error_not_a_panic() {
    for body in [
        "",
        "{",
        "[]",
        "null",
        "<html>502 Bad Gateway</html>",
        "{\"results\": 5}",
    ] {
        let server = RecordingServer::start().await;
        server.respond(Canned::raw(200, body));
        let result = server.client().list_installs().send().await;
        assert!(
            matches!(result, Err(Error::InvalidResponsePayload { .. })),
            "{body:?} gave {result:?}"
        );
        let server = RecordingServer::start().await;
        server.respond(Canned::raw(502, body));
        let result = server.client().list_installs().send().await;
        assert!(result.is_err(), "{body:?} on a 502 must be an error");
    }
}

#[tokio::test]
async fn credentials_never_show_in_debug_display_or_errors() {
    let server = RecordingServer::start().await;
    server.respond(Canned::json(401, &json!({"message": "Bad Credentials"})));
    let client = server.client();
    let err = client.get_current_user().send().await.unwrap_err();
    let builder = Client::builder().credentials(Credentials::new("someone", TEST_PASSWORD));
    let config_err = Client::builder()
        .credentials(Credentials::new("bad:user", TEST_PASSWORD))
        .build()
        .unwrap_err();
    let encoded_fragment = "Y29ycmVjdC1ob3JzZS"; // base64 of the password's start
    for text in [
        format!("{client:?}"),
        format!("{err:?}"),
        err.to_string(),
        format!("{builder:?}"),
        format!("{:?}", Credentials::new("someone", TEST_PASSWORD)),
        format!("{config_err:?}"),
        config_err.to_string(),
    ] {
        assert!(!text.contains(TEST_PASSWORD), "password leaked: {text}");
        assert!(
            !text.contains(encoded_fragment),
            "encoded credentials leaked: {text}"
        );
        assert!(!text.contains("someone"), "user leaked: {text}");
    }
    assert_eq!(err.api_error().unwrap().message, "Bad Credentials");
}

/// All environment-variable cases in one test: the environment is process-wide.
#[tokio::test]
async fn from_env_reads_credentials_and_base_url() {
    let server = RecordingServer::start().await;
    std::env::remove_var("WPE_API_USER");
    std::env::remove_var("WPE_API_PASSWORD");
    std::env::remove_var("WPE_API_URL");
    let err = Client::from_env().unwrap_err();
    assert!(
        matches!(
            err,
            ConfigError::MissingEnv {
                var: "WPE_API_USER"
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("WPE_API_USER is not set"), "{err}");

    std::env::set_var("WPE_API_USER", "env-user");
    let err = Client::from_env().unwrap_err();
    assert!(
        err.to_string().contains("WPE_API_PASSWORD is not set"),
        "{err}"
    );

    std::env::set_var("WPE_API_PASSWORD", "");
    let err = Client::from_env().unwrap_err();
    assert!(
        matches!(
            err,
            ConfigError::InvalidEnv {
                var: "WPE_API_PASSWORD",
                ..
            }
        ),
        "{err:?}"
    );

    std::env::set_var("WPE_API_PASSWORD", "env-password");
    let client = Client::from_env().unwrap();
    assert_eq!(client.baseurl(), "https://api.wpengineapi.com/v1");

    std::env::set_var("WPE_API_URL", format!("{}/", server.base_url()));
    let client = Client::from_env().unwrap();
    assert_eq!(
        client.baseurl(),
        server.base_url(),
        "trailing slash trimmed"
    );
    server.respond(Canned::json(200, &fixture("getCurrentUser")));
    client.get_current_user().send().await.unwrap();
    let auth = server.single_request().headers["authorization"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        auth, "Basic ZW52LXVzZXI6ZW52LXBhc3N3b3Jk",
        "env-user:env-password"
    );

    std::env::set_var("WPE_API_URL", "ftp://example.com");
    let err = Client::from_env().unwrap_err();
    assert!(matches!(err, ConfigError::InvalidBaseUrl { .. }), "{err:?}");

    // Credentials in the URL are refused without being printed.
    std::env::set_var("WPE_API_URL", "https://apiuser:TopSecretPw1@example.com/v1");
    let err = Client::from_env().unwrap_err();
    assert!(matches!(err, ConfigError::InvalidBaseUrl { .. }), "{err:?}");
    for text in [err.to_string(), format!("{err:?}")] {
        assert!(text.contains("https://***@example.com/v1"), "{text}");
        assert!(
            !text.contains("apiuser") && !text.contains("TopSecretPw1"),
            "{text}"
        );
    }
    for var in ["WPE_API_USER", "WPE_API_PASSWORD", "WPE_API_URL"] {
        std::env::remove_var(var);
    }
}

#[tokio::test]
async fn a_missing_credential_is_a_config_error() {
    let err = Client::builder().build().unwrap_err();
    assert!(matches!(err, ConfigError::MissingCredentials));
    assert!(err.to_string().contains("API Access"), "{err}");
}

#[tokio::test]
async fn the_timeout_ends_a_request_the_server_never_answers() {
    // The server tells the test each request has arrived, then holds its
    // answer until the test releases it (at the end).
    let (arrived_tx, mut arrived) = tokio::sync::mpsc::unbounded_channel();
    let release = std::sync::Arc::new(tokio::sync::Notify::new());
    let held = std::sync::Arc::clone(&release);
    let app = axum::Router::new().fallback(move || {
        let arrived_tx = arrived_tx.clone();
        let held = std::sync::Arc::clone(&held);
        async move {
            let _ = arrived_tx.send(());
            held.notified().await;
            "too late"
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    let timeout = Duration::from_millis(100);
    let client = Client::builder()
        .credentials(Credentials::new("u", "p"))
        .base_url(format!("http://{addr}/v1"))
        .timeout(timeout)
        .retry_policy(wpe_api::retry::RetryPolicy::none())
        .build()
        .unwrap();
    let started = std::time::Instant::now();
    let err = client.status().send().await.unwrap_err();
    let took = started.elapsed();
    assert!(
        matches!(&err, Error::CommunicationError(e) if e.is_timeout()),
        "{err:?}"
    );
    assert!(
        arrived.try_recv().is_ok(),
        "the request reached the server, which held its answer"
    );
    assert!(
        took >= timeout && took < Duration::from_secs(5),
        "ended by the {timeout:?} timeout after {took:?}"
    );
    release.notify_waiters();
    server.abort();
}

#[tokio::test]
async fn redirects_are_not_followed_so_credentials_stay_home() {
    let server = RecordingServer::start().await;
    server.respond(Canned::empty(302).header("location", "http://127.0.0.2:9/steal"));
    let err = server.client().get_current_user().send().await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(302));
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn a_user_agent_set_on_the_builder_is_sent() {
    let server = RecordingServer::start().await;
    server.respond(Canned::json(200, &fixture("status")));
    let client = Client::builder()
        .credentials(Credentials::new("u", "p"))
        .base_url(server.base_url())
        .user_agent("deploy-bot/2.1")
        .build()
        .unwrap();
    client.status().send().await.unwrap();
    assert_eq!(
        server.single_request().headers["user-agent"],
        "deploy-bot/2.1"
    );
}

/// Every header the client sends and why; nothing unexplained goes out (no
/// `api-version`: progenitor adds one by default, WP Engine documents none).
#[tokio::test]
async fn the_headers_we_send_are_pinned() {
    let server = RecordingServer::start().await;
    server.respond(Canned::json(200, &fixture("getInstall")));
    server.respond(Canned::json(202, &fixture("createBackup")));
    let client = server.client();
    let install = Uuid::from_u128(7);
    client
        .get_install()
        .install_id(install)
        .send()
        .await
        .unwrap();
    client
        .create_backup()
        .install_id(install)
        .body_map(|b| {
            b.description("pinned")
                .notification_emails(vec!["ops@example.com".into()])
        })
        .send()
        .await
        .unwrap();
    let requests = server.requests();
    let auth = wpe_api_tests::basic_auth(wpe_api_tests::TEST_USER, TEST_PASSWORD);
    let user_agent = wpe_api::config::DEFAULT_USER_AGENT;
    let body = requests[1].body.to_string();
    let length = body.len().to_string();
    // (header, value, why it is sent)
    let get: &[(&str, &str, &str)] = &[
        ("accept", "application/json", "every answer is JSON"),
        ("authorization", &auth, "HTTP Basic, the API's only scheme"),
        ("host", "", "HTTP/1.1 requires it"),
        ("user-agent", user_agent, "names the client to WP Engine"),
    ];
    let post: Vec<(&str, &str, &str)> = get
        .iter()
        .copied()
        .chain([
            ("content-length", length.as_str(), "the body's size"),
            ("content-type", "application/json", "the body is JSON"),
        ])
        .collect();
    for (request, expected) in [(&requests[0], get), (&requests[1], &post[..])] {
        let mut sent: Vec<&str> = request.headers.keys().map(|name| name.as_str()).collect();
        sent.sort_unstable();
        let mut explained: Vec<&str> = expected.iter().map(|(name, _, _)| *name).collect();
        explained.sort_unstable();
        assert_eq!(sent, explained, "{} {}", request.method, request.path);
        for (name, value, why) in expected {
            if !value.is_empty() {
                assert_eq!(request.headers[*name], *value, "{name} ({why})");
            }
        }
    }
}

/// Upstream does not require `results`: a list answer without it is an
/// empty list (still a plain `Vec`), for a typed call and a page stream.
#[tokio::test]
async fn a_list_without_results_is_an_empty_list() {
    use futures::TryStreamExt;
    use wpe_api::Paginate;

    let server = RecordingServer::start().await;
    server.respond(Canned::json(
        200,
        &json!({"count": 0, "next": null, "previous": null}),
    ));
    server.respond(Canned::json(200, &json!({})));
    server.respond(Canned::json(200, &json!({"count": 0})));
    let client = server.client();
    let installs = client.list_installs().send().await.unwrap().into_inner();
    let no_results: &Vec<wpe_api::types::Installation> = &installs.results;
    assert!(no_results.is_empty());
    let users = client
        .list_account_users()
        .account_id(Uuid::from_u128(1))
        .send()
        .await
        .unwrap();
    assert!(users.results.is_empty());
    let streamed: Vec<_> = client.list_sites().stream().try_collect().await.unwrap();
    assert!(streamed.is_empty());
    assert_eq!(server.requests().len(), 3, "one request each");
}

/// With the `schemars` feature every type describes itself as JSON Schema:
/// what the stand-in sends validates against its type's schema, a body
/// missing a required field does not, and the hand-written types keep their
/// rules (page bounds, a password that is write-only).
#[tokio::test]
async fn the_schemars_feature_describes_what_the_api_sends() {
    use wpe_api::fake::{FakeConfig, FakeServer};
    use wpe_api::types::{InstallsPage, PageLimit, SftpPassword};

    let server = FakeServer::start(FakeConfig::default()).await;
    let installs = server.client().list_installs().send().await.unwrap();
    let sent = serde_json::to_value(installs.into_inner()).unwrap();
    assert!(!sent["results"].as_array().unwrap().is_empty());

    let schema = serde_json::to_value(schemars::schema_for!(InstallsPage)).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    if let Err(err) = validator.validate(&sent) {
        panic!("the demo's installs do not match InstallsPage's schema: {err}");
    }
    let mut nameless = sent.clone();
    nameless["results"][0]
        .as_object_mut()
        .unwrap()
        .remove("name");
    assert!(
        !validator.is_valid(&nameless),
        "an install without its required name must not validate"
    );

    let limit = serde_json::to_value(schemars::schema_for!(PageLimit)).unwrap();
    assert_eq!(
        (limit["minimum"].as_i64(), limit["maximum"].as_i64()),
        (Some(0), Some(100))
    );
    let password = serde_json::to_value(schemars::schema_for!(SftpPassword)).unwrap();
    assert_eq!(password["writeOnly"], json!(true), "{password}");
}

/// An `https` base URL speaks TLS with the default setup (rustls on ring,
/// without reqwest's own provider): the first bytes the server gets are a
/// TLS ClientHello offering HTTP/2 and HTTP/1.1, and a server that hangs up
/// during the handshake is a communication error, not a panic.
#[tokio::test]
async fn an_https_base_url_starts_a_tls_handshake_offering_h2() {
    use tokio::io::AsyncReadExt;

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut header = [0u8; 5];
        socket.read_exact(&mut header).await.unwrap();
        let mut hello = vec![0u8; usize::from(u16::from_be_bytes([header[3], header[4]]))];
        socket.read_exact(&mut hello).await.unwrap();
        (header, hello)
    });
    let client = Client::builder()
        .credentials(Credentials::new("someone", TEST_PASSWORD))
        .base_url(format!("https://localhost:{port}/v1"))
        .retry_policy(wpe_api::retry::RetryPolicy::none())
        .build()
        .unwrap();
    let err = client.get_current_user().send().await.unwrap_err();
    assert!(matches!(err, Error::CommunicationError(_)), "{err:?}");

    let (header, hello) = server.await.unwrap();
    assert_eq!(header[0], 0x16, "a TLS handshake record");
    assert_eq!(hello[0], 0x01, "a ClientHello");
    let offers = |protocol: &[u8]| {
        let mut entry = vec![u8::try_from(protocol.len()).unwrap()];
        entry.extend_from_slice(protocol);
        hello.windows(entry.len()).any(|w| w == entry.as_slice())
    };
    assert!(
        offers(b"h2") && offers(b"http/1.1"),
        "ALPN offers h2 and http/1.1"
    );
    let text = String::from_utf8_lossy(&hello);
    assert!(text.contains("localhost"), "the server name is sent (SNI)");
}

//! Accounts: a page of them with paging parameters, one account, and their nullable limits.

use serde_json::Value;

use crate::support::{assert_request, serve_fixture, ACCOUNT};

#[tokio::test]
async fn list_accounts_sends_paging_and_reads_a_page() {
    let (server, client) = serve_fixture(200, "listAccounts").await;
    let page = client
        .list_accounts()
        .limit(100)
        .offset(100u64)
        .send()
        .await
        .unwrap();
    assert_eq!(page.count, Some(225));
    assert_eq!(page.results[0].id, ACCOUNT);
    assert_eq!(page.results[0].name, "joesaccount");
    assert_eq!(page.results[0].nickname, None, "nickname is optional");
    assert!(page.next.as_deref().unwrap().ends_with("offset=200"));
    assert_request(
        &server.single_request(),
        "GET",
        "/v1/accounts",
        &[("limit", "100"), ("offset", "100")],
        Value::Null,
    );
}

#[tokio::test]
async fn get_account_reads_one_account() {
    let (server, client) = serve_fixture(200, "getAccount").await;
    let account = client
        .get_account()
        .account_id(ACCOUNT)
        .send()
        .await
        .unwrap();
    assert_eq!(account.name, "joesaccount");
    assert_request(
        &server.single_request(),
        "GET",
        &format!("/v1/accounts/{ACCOUNT}"),
        &[],
        Value::Null,
    );
}

#[tokio::test]
async fn get_accounts_limits_reads_nullable_limits() {
    let (server, client) = serve_fixture(200, "getAccountsLimits").await;
    let limits = client
        .get_accounts_limits()
        .account_id(ACCOUNT)
        .send()
        .await
        .unwrap();
    assert_eq!(limits.visitors, Some(400000));
    assert_eq!(limits.bandwidth, None);
    assert_request(
        &server.single_request(),
        "GET",
        &format!("/v1/accounts/{ACCOUNT}/limits"),
        &[],
        Value::Null,
    );
}

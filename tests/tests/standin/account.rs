//! Accounts and their limits, and that one user never sees another's accounts.

use uuid::Uuid;
use wpe_api::accounts::{NoAccountsReachable, API_ACCESS_URL};
use wpe_api::fake::{FakeConfig, FakeServer, Seed, OTHER_PASSWORD, OTHER_USER};
use wpe_api::Credentials;

use crate::support::{demo, served, status_of, Served};

pub async fn accounts_and_limits() -> Served {
    let (server, client) = demo().await;
    let page = client.list_accounts().send().await.unwrap();
    assert_eq!(page.count, Some(3));
    let names: Vec<&str> = page.results.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["demoagency", "democlient", "demosandbox"]);
    assert_eq!(page.next, None);
    assert_eq!(page.previous, None);

    let agency = &page.results[0];
    let account = client
        .get_account()
        .account_id(agency.id)
        .send()
        .await
        .unwrap();
    assert_eq!(account.name, "demoagency");
    // The live API was recorded answering accounts without their nickname.
    let nickname = match server.config().shapes {
        wpe_api::fake::Shapes::Documented => Some("Demo Agency"),
        wpe_api::fake::Shapes::Live => None,
    };
    assert_eq!(account.nickname.as_deref(), nickname);

    let limits = client
        .get_accounts_limits()
        .account_id(agency.id)
        .send()
        .await
        .unwrap();
    assert_eq!(limits.visitors, Some(400_000));
    assert!(limits.storage.is_some());
    // A limit the plan does not state is null (WP Engine's reference).
    let sandbox = &page.results[2];
    let none = client
        .get_accounts_limits()
        .account_id(sandbox.id)
        .send()
        .await
        .unwrap();
    assert_eq!(
        (none.visitors, none.storage, none.bandwidth),
        (None, None, None)
    );

    let err = client
        .get_account()
        .account_id(Uuid::from_u128(42))
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_of(&err), 404);
    assert_eq!(err.api_error().unwrap().message, "Not Found");
    served(&server)
}

pub async fn other_users_accounts_are_invisible() -> Served {
    let (server, client) = demo().await;
    let other = server.client_with(Credentials::new(OTHER_USER, OTHER_PASSWORD));
    let theirs = other.list_accounts().send().await.unwrap();
    assert_eq!(theirs.count, Some(1));
    let their_account = theirs.results[0].id;
    let their_install = other.list_installs().send().await.unwrap().results[0].clone();

    // Reading another user's things: 404, as if they did not exist.
    for err in [
        client
            .get_account()
            .account_id(their_account)
            .send()
            .await
            .unwrap_err(),
        client
            .get_accounts_limits()
            .account_id(their_account)
            .send()
            .await
            .map(|_| ())
            .unwrap_err(),
        client
            .list_account_users()
            .account_id(their_account)
            .send()
            .await
            .map(|_| ())
            .unwrap_err(),
        client
            .get_install()
            .install_id(their_install.id)
            .send()
            .await
            .map(|_| ())
            .unwrap_err(),
    ] {
        assert_eq!(status_of(&err), 404, "{err:?}");
    }
    let mine = client.list_installs().send().await.unwrap();
    assert!(mine.results.iter().all(|i| i.account.id != their_account));
    let filtered = client
        .list_sites()
        .account_id(their_account)
        .send()
        .await
        .unwrap();
    assert_eq!(filtered.count, Some(0));

    // Creating in another user's account: 403.
    let err = client
        .create_site()
        .body_map(|b| b.name("Sneaky").account_id(their_account))
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_of(&err), 403);
    let err = client
        .create_install()
        .body_map(|b| b.name("sneaky").account_id(their_account))
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_of(&err), 403);
    assert_eq!(other.list_sites().send().await.unwrap().count, Some(1));

    // A user added at run time sees only their new account.
    let account = server.add_user("newbie", "pw-newbie", "newbieco");
    let newbie = server.client_with(Credentials::new("newbie", "pw-newbie"));
    let page = newbie.list_accounts().send().await.unwrap();
    assert_eq!(page.results.len(), 1);
    assert_eq!(page.results[0].id, account);
    served(&server)
}

#[tokio::test]
async fn an_empty_seed_has_one_empty_account() {
    let server = FakeServer::start(FakeConfig::with_seed(Seed::Empty)).await;
    let client = server.client();
    let accounts = client.list_accounts().send().await.unwrap();
    assert_eq!(accounts.count, Some(1));
    assert_eq!(client.list_sites().send().await.unwrap().count, Some(0));
    assert_eq!(client.list_installs().send().await.unwrap().count, Some(0));
    assert_eq!(client.list_ssh_keys().send().await.unwrap().count, Some(0));
}

/// As on the live API, valid credentials of an account whose API access is
/// off sign in but see no account (200, empty list), and the check the main
/// job runs says to turn API access on; once it is on, the account shows.
pub async fn api_access_off_shows_no_accounts_and_says_what_to_do() -> Served {
    let server = FakeServer::start(FakeConfig::with_seed(Seed::Empty)).await;
    let account = server.add_user_without_api_access("no-access-user", "pw-no-access", "quietco");
    let client = server.client_with(Credentials::new("no-access-user", "pw-no-access"));

    let user = client.get_current_user().send().await.unwrap();
    assert_eq!(user.email, "no-access-user@example.com");
    let page = client.list_accounts().send().await.unwrap();
    assert_eq!(page.status().as_u16(), 200);
    assert_eq!(page.count, Some(0));
    assert!(page.results.is_empty());
    let advice = NoAccountsReachable::check(&page.results)
        .unwrap_err()
        .to_string();
    assert!(advice.contains(API_ACCESS_URL), "{advice}");
    assert!(advice.contains("API access"), "{advice}");
    assert!(advice.contains("credentials"), "{advice}");
    assert!(client
        .list_installs()
        .send()
        .await
        .unwrap()
        .results
        .is_empty());
    let err = client
        .get_account()
        .account_id(account)
        .send()
        .await
        .unwrap_err();
    assert_eq!(status_of(&err), 404);

    server.set_api_access(account, true);
    let page = client.list_accounts().send().await.unwrap();
    assert_eq!(page.results.len(), 1);
    assert_eq!(page.results[0].id, account);
    assert_eq!(NoAccountsReachable::check(&page.results), Ok(()));
    client
        .get_account()
        .account_id(account)
        .send()
        .await
        .unwrap();

    server.set_api_access(account, false);
    assert!(client
        .list_accounts()
        .send()
        .await
        .unwrap()
        .results
        .is_empty());
    served(&server)
}

/// WP Engine's reference: accounts come in pages of at most 100 (`limit`
/// defaults to 100, `offset` to 0); a larger `limit` is refused.
pub async fn accounts_page_by_at_most_100() -> Served {
    let (server, client) = demo().await;
    let base = server.base_url().to_owned();
    let first = client.list_accounts().limit(1).send().await.unwrap();
    assert_eq!(first.results.len(), 1);
    assert_eq!(
        first.next.as_deref(),
        Some(format!("{base}/accounts?limit=1&offset=1").as_str())
    );
    let all = client.list_accounts().limit(100).send().await.unwrap();
    assert_eq!(all.results.len(), 3);
    let (status, body) =
        crate::support::raw(&server, reqwest::Method::GET, "/accounts?limit=101", None).await;
    assert_eq!(status, 400);
    assert_eq!(crate::support::raw_fields(&body), ["limit"]);
    served(&server)
}

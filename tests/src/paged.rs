//! A list server for pagination tests: serves `/v1/installs` from a
//! configurable number of items and can misbehave on purpose (lie about
//! `count`, ignore `offset`, point `next` elsewhere, fail, shift items).

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};
use uuid::Uuid;

/// How the server behaves.
#[derive(Debug, Clone, Default)]
pub struct Behaviour {
    /// How many installs exist.
    pub items: usize,
    /// Reported instead of the real count.
    pub count_override: Option<i64>,
    /// Serve the first page whatever `offset` says.
    pub ignore_offset: bool,
    /// Put this URL in every `next`.
    pub next_override: Option<String>,
    /// Answer 500 for this offset.
    pub fail_at_offset: Option<u64>,
    /// When set, every answer after the first is held until this many
    /// requests are in flight at once, or until every page has been asked
    /// for: the event that proves a client reaches its concurrency, without
    /// delays. (A client that never reaches it hangs the walk.)
    pub hold_until_in_flight: usize,
    /// After the first request, insert this many new items at the front.
    pub insert_front_after_first: usize,
    /// Items belong to `i % accounts` (0 = no accounts filter).
    pub accounts: usize,
}

/// The account a test item belongs to, when `accounts` is set.
pub fn account_of(index: usize, accounts: usize) -> Uuid {
    Uuid::from_u128(0xacc0_0000 + (index % accounts) as u128)
}

/// The id of the test item with this index.
pub fn install_id(index: usize) -> Uuid {
    Uuid::from_u128(index as u128 + 1)
}

/// A request's query pairs and its `Host` header.
pub type SeenRequest = (HashMap<String, String>, Option<String>);

struct Shared {
    behaviour: Behaviour,
    front: Mutex<Vec<usize>>,
    requests: Mutex<Vec<SeenRequest>>,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
    base: Mutex<String>,
    /// How many of the requests that arrived are released (see `Behaviour::hold_until_in_flight`).
    released: tokio::sync::watch::Sender<usize>,
}

/// The running server; stops when dropped.
pub struct PagedServer {
    shared: Arc<Shared>,
    base_url: String,
    task: tokio::task::JoinHandle<()>,
}

impl PagedServer {
    /// Starts a server on 127.0.0.1.
    pub async fn start(behaviour: Behaviour) -> Self {
        let shared = Arc::new(Shared {
            behaviour,
            front: Mutex::new(Vec::new()),
            requests: Mutex::new(Vec::new()),
            in_flight: AtomicUsize::new(0),
            max_in_flight: AtomicUsize::new(0),
            base: Mutex::new(String::new()),
            released: tokio::sync::watch::Sender::new(0),
        });
        let app = axum::Router::new()
            .route("/v1/installs", axum::routing::get(list_installs))
            .with_state(Arc::clone(&shared));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base_url = format!("http://{}/v1", listener.local_addr().expect("addr"));
        *shared.base.lock().unwrap() = base_url.clone();
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.expect("serve");
        });
        Self {
            shared,
            base_url,
            task,
        }
    }

    /// A client for this server.
    pub fn client(&self) -> wpe_api::Client {
        wpe_api::Client::builder()
            .credentials(wpe_api::Credentials::new("pager", "pager-password"))
            .base_url(&self.base_url)
            .build()
            .expect("client")
    }

    /// The base URL.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The query of every request, with its `Host` header, in arrival order.
    pub fn requests(&self) -> Vec<SeenRequest> {
        self.shared.requests.lock().unwrap().clone()
    }

    /// The most requests that were ever being served at once.
    pub fn max_in_flight(&self) -> usize {
        self.shared.max_in_flight.load(Ordering::SeqCst)
    }
}

impl Drop for PagedServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn install(index: usize, accounts: usize) -> Value {
    let account = if accounts > 0 {
        account_of(index, accounts)
    } else {
        Uuid::from_u128(0xacc0_0000)
    };
    json!({"id": install_id(index), "name": format!("install{index}"), "account": {"id": account}, "status": "active"})
}

async fn list_installs(
    State(shared): State<Arc<Shared>>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let now = shared.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
    shared.max_in_flight.fetch_max(now, Ordering::SeqCst);
    let host = headers
        .get("host")
        .and_then(|h| h.to_str().ok())
        .map(str::to_owned);
    let (arrived, every_page_asked) = {
        let mut requests = shared.requests.lock().unwrap();
        requests.push((query.clone(), host));
        (
            requests.len(),
            every_page_asked(&shared.behaviour, &requests),
        )
    };
    let first = arrived == 1;
    let hold = shared.behaviour.hold_until_in_flight;
    if hold > 0 && !first {
        if now >= hold || every_page_asked {
            shared
                .released
                .send_modify(|released| *released = (*released).max(arrived));
        }
        let mut released = shared.released.subscribe();
        let _ = released.wait_for(|released| *released >= arrived).await;
    }
    let response = answer(&shared, &query, first);
    shared.in_flight.fetch_sub(1, Ordering::SeqCst);
    response
}

/// Whether every page of `limit` 100 has been asked for.
fn every_page_asked(behaviour: &Behaviour, requests: &[SeenRequest]) -> bool {
    let asked: std::collections::HashSet<usize> = requests
        .iter()
        .filter_map(|(query, _)| query.get("offset").and_then(|o| o.parse().ok()))
        .chain([0])
        .collect();
    (0..behaviour.items)
        .step_by(100)
        .all(|offset| asked.contains(&offset))
}

fn answer(shared: &Shared, query: &HashMap<String, String>, first: bool) -> Response {
    let b = &shared.behaviour;
    let limit: usize = query
        .get("limit")
        .and_then(|v| v.parse().ok())
        .unwrap_or(100);
    let mut offset: usize = query
        .get("offset")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    if b.fail_at_offset == Some(offset as u64) {
        return (
            StatusCode::INTERNAL_SERVER_ERROR,
            Json(json!({"message": "boom"})),
        )
            .into_response();
    }
    if b.ignore_offset {
        offset = 0;
    }
    // Items newly inserted at the front (ids after the regular ones).
    let mut front = shared.front.lock().unwrap();
    if !first && front.is_empty() && b.insert_front_after_first > 0 {
        front.extend((0..b.insert_front_after_first).map(|i| b.items + i));
    }
    let wanted_account = query.get("account_id").cloned();
    let all: Vec<usize> = front
        .iter()
        .copied()
        .chain(0..b.items)
        .filter(|i| match (&wanted_account, b.accounts) {
            (Some(id), accounts) if accounts > 0 => account_of(*i, accounts).to_string() == *id,
            _ => true,
        })
        .collect();
    drop(front);
    let page: Vec<Value> = all
        .iter()
        .skip(offset)
        .take(limit)
        .map(|i| install(*i, b.accounts))
        .collect();
    let base = shared.base.lock().unwrap().clone();
    let next = b.next_override.clone().or_else(|| {
        (offset + limit < all.len())
            .then(|| format!("{base}/installs?limit={limit}&offset={}", offset + limit))
    });
    let count = b.count_override.unwrap_or(all.len() as i64);
    Json(json!({"previous": null, "next": next, "count": count, "results": page})).into_response()
}

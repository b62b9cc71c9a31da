//! Streams over the list endpoints: every page fetched, pages after the first
//! fetched concurrently, items yielded in API order, at most once each.
//!
//! ```no_run
//! use futures::TryStreamExt;
//! use wpe_api::{Client, PageOptions, Paginate};
//!
//! # async fn run(client: &Client) -> Result<(), wpe_api::Error> {
//! // Every install of every account, 8 pages in flight.
//! let mut installs = client.list_installs().stream_with(PageOptions::default().concurrency(8));
//! while let Some(install) = installs.try_next().await? {
//!     println!("{}", install.name);
//! }
//! // Or all at once:
//! let sites = client.list_sites().collect_all().await?;
//! # Ok(()) }
//! ```
//!
//! # How a walk works, and what you can rely on
//!
//! The first page (`offset` 0) says how many items there are (`count`). The
//! stream then computes the offsets of the remaining pages itself and fetches
//! them with at most [`PageOptions::concurrency`] requests in flight, yielding
//! items in the order the API lists them. It never follows the `next` and
//! `previous` URLs of a page, so no request (and no credential) ever goes
//! anywhere but the client's base URL.
//!
//! A walk ends on the first empty or short page, when `offset` reaches the
//! `count` of the first page, or at [`PageOptions::max_pages`]. A server that
//! gives no `count` is walked one page at a time until a page is short or
//! brings nothing new. So a server that ignores `offset`, repeats pages or
//! lies about `count` cannot make a walk loop forever (an understated `count`
//! ends the walk early: `count` is trusted as an upper bound).
//!
//! Offset pagination is not a snapshot. While a walk is in progress:
//! - no item is yielded twice: items are de-duplicated by id (the set of ids
//!   seen is kept for the length of the walk: 16 bytes per item);
//! - an item that exists for the whole walk and is not moved is yielded;
//! - an item added during the walk may be missed, and so may one that an
//!   insertion or deletion shifts across a page boundary (to an earlier page
//!   already fetched, or past the `count` of the first page); an item deleted
//!   during the walk may still be yielded.
//!
//! An error ends the stream: the items before it have been yielded, the error
//! is the last item.
//!
//! # Lists the API answers with an error when they are empty
//!
//! A few lists have no empty page: the API answers an error status instead
//! (the spec's `x-wpe-paging.empty_status`; 404 for an install without SSL
//! certificates, `get_install_certificates`). Their streams read that answer
//! as the end of the list, so "no certificates" is an empty `Vec`:
//!
//! ```no_run
//! use wpe_api::{Client, Paginate};
//!
//! # async fn run(client: &Client, install: uuid::Uuid) -> Result<(), wpe_api::Error> {
//! let certificates = client
//!     .get_install_certificates()
//!     .install_id(install)
//!     .collect_all()
//!     .await?;
//! if certificates.is_empty() {
//!     println!("no SSL certificate yet");
//! }
//! # Ok(()) }
//! ```
//!
//! The API gives the same status for an install the credentials cannot
//! see, so such an install also reads as having no certificates; `.send()`
//! on the builder still returns the 404 as an error, for callers who need
//! to tell the two apart (the message of the "none" answer names the
//! install).

use std::collections::{HashSet, VecDeque};
use std::hash::Hash;

use futures::future::BoxFuture;
use futures::stream::{self, BoxStream, StreamExt};

use crate::types::{self, PageLimit};
use crate::{builder, Error};

/// A stream of items of a list endpoint; see the [module docs](self).
pub type PageStream<'a, T> = BoxStream<'a, Result<T, Error>>;

/// How a list is walked.
///
/// ```
/// let options = wpe_api::PageOptions::default().page_size(50).concurrency(8);
/// assert_eq!(options.concurrency_limit(), 8);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct PageOptions {
    page_size: PageLimit,
    concurrency: usize,
    max_pages: usize,
}

impl Default for PageOptions {
    fn default() -> Self {
        Self {
            page_size: PageLimit::DEFAULT,
            concurrency: 4,
            max_pages: 100_000,
        }
    }
}

impl PageOptions {
    /// Items per request, 1 to 100 (default 100, the API's maximum). A value
    /// outside that range is clamped into it.
    pub fn page_size(mut self, size: u16) -> Self {
        let size = size.clamp(1, PageLimit::MAX);
        self.page_size = PageLimit::new(size).unwrap_or(PageLimit::DEFAULT);
        self
    }

    /// The most requests in flight at once (default 4, at least 1).
    pub fn concurrency(mut self, requests: usize) -> Self {
        self.concurrency = requests.max(1);
        self
    }

    /// The most pages one walk fetches (default 100,000): a hard stop against
    /// a misbehaving server.
    pub fn max_pages(mut self, pages: usize) -> Self {
        self.max_pages = pages.max(1);
        self
    }

    /// The configured number of requests in flight.
    pub fn concurrency_limit(&self) -> usize {
        self.concurrency
    }
}

/// A future returned by [`OffsetPaged::fetch_page`].
pub type PageFuture<'a, T> = BoxFuture<'a, Result<Page<T>, Error>>;

/// One page as the walk needs it.
#[derive(Debug)]
pub struct Page<T> {
    /// The items, in API order.
    pub items: Vec<T>,
    /// The total the server claims, when it gives one.
    pub count: Option<u64>,
}

/// A request builder of an endpoint paginated by `limit` and `offset`.
///
/// Implemented for the builder of every operation the spec marks
/// `x-wpe-paging: {style: offset}` (see [`crate::operations`]). Whatever
/// `limit` and `offset` the builder carries are replaced page by page.
pub trait OffsetPaged<'a>: Clone + Send + Sync + 'a {
    /// What the list holds.
    type Item: Send + 'a;
    /// The identity of an item, for de-duplication.
    type Key: Hash + Eq + Send + 'a;
    /// The error status the API answers, instead of an empty page, for a
    /// list with no items (`x-wpe-paging.empty_status`, see
    /// [`Paging::Offset`](crate::operations::Paging::Offset)); `None` for
    /// lists that come back empty as lists do.
    const EMPTY_STATUS: Option<u16> = None;
    /// Fetches the page of `limit` items starting at `offset`; an answer
    /// with [`OffsetPaged::EMPTY_STATUS`] is an empty page.
    fn fetch_page(self, limit: PageLimit, offset: u64) -> PageFuture<'a, Self::Item>;
    /// The item's identity, when it has one.
    fn key(item: &Self::Item) -> Option<Self::Key>;
}

/// Whether `err` is the answer an operation gives, instead of an empty
/// page, for a list with no items (`x-wpe-paging.empty_status`).
fn is_empty_list_answer(empty_status: Option<u16>, err: &Error) -> bool {
    empty_status.is_some_and(|status| err.status().map(|s| s.as_u16()) == Some(status))
}

macro_rules! offset_paged {
    ($builder:ident => $item:ty, key $key:ty, |$it:ident| $key_expr:expr, |$page:ident| ($items:expr, $count:expr), empty on $empty:expr) => {
        impl<'a> OffsetPaged<'a> for builder::$builder<'a> {
            type Item = $item;
            type Key = $key;
            const EMPTY_STATUS: Option<u16> = $empty;
            fn fetch_page(self, limit: PageLimit, offset: u64) -> PageFuture<'a, $item> {
                Box::pin(async move {
                    // `get()`: the setter takes any integer its schema accepts, our
                    // `PageLimit` or a plain integer of a list not yet using it.
                    let $page = match self.limit(limit.get()).offset(offset).send().await {
                        Ok(page) => page.into_inner(),
                        Err(err) if is_empty_list_answer(Self::EMPTY_STATUS, &err) => {
                            return Ok(Page {
                                items: Vec::new(),
                                count: None,
                            });
                        }
                        Err(err) => return Err(err),
                    };
                    Ok(Page {
                        items: $items,
                        count: $count,
                    })
                })
            }
            fn key($it: &$item) -> Option<$key> {
                $key_expr
            }
        }
    };
}

/// Streams and collects the items of a list endpoint.
///
/// Implemented for the builder of every operation the spec marks
/// `x-wpe-paging` (see [`crate::operations`]): offset-paginated lists
/// ([`OffsetPaged`], pages fetched concurrently), lists paged by an opaque
/// token ([`TokenPaged`], fetched one page at a time, since each page names
/// the next) and lists that come whole in one response.
pub trait Paginate<'a>: Sized {
    /// What the list holds.
    type Item: Send + 'a;

    /// Every item, with [`PageOptions::default`].
    fn stream(self) -> PageStream<'a, Self::Item> {
        self.stream_with(PageOptions::default())
    }

    /// Every item, walked as `options` says.
    fn stream_with(self, options: PageOptions) -> PageStream<'a, Self::Item>;

    /// Every item in one `Vec`, or the first error.
    fn collect_all(self) -> BoxFuture<'a, Result<Vec<Self::Item>, Error>> {
        let stream = self.stream();
        Box::pin(async move {
            let mut stream = stream;
            let mut all = Vec::new();
            while let Some(item) = stream.next().await {
                all.push(item?);
            }
            Ok(all)
        })
    }
}

impl<'a, B: OffsetPaged<'a>> Paginate<'a> for B {
    type Item = B::Item;

    fn stream_with(self, options: PageOptions) -> PageStream<'a, B::Item> {
        offset_walk(self, options)
    }
}

/// The walk's state between items.
struct Walk<'a, B: OffsetPaged<'a>> {
    request: B,
    options: PageOptions,
    ready: VecDeque<B::Item>,
    seen: HashSet<B::Key>,
    phase: Phase<'a, B::Item>,
    pages: usize,
}

enum Phase<'a, T> {
    First,
    /// Pages whose offsets were computed from `count`, fetched concurrently.
    Planned {
        pages: BoxStream<'a, Result<Page<T>, Error>>,
    },
    /// One page at a time from `offset`, until a short or stale page (when
    /// the server gives no `count`).
    Tail {
        offset: u64,
    },
    Done,
}

impl<'a, B: OffsetPaged<'a>> Walk<'a, B> {
    fn limit(&self) -> u64 {
        u64::from(self.options.page_size.get())
    }

    /// Queues the page's new items; returns how many were new.
    fn take(&mut self, items: Vec<B::Item>) -> usize {
        let before = self.ready.len();
        for item in items {
            let new = match B::key(&item) {
                Some(key) => self.seen.insert(key),
                None => true,
            };
            if new {
                self.ready.push_back(item);
            }
        }
        self.ready.len() - before
    }

    async fn advance(&mut self) -> Result<(), Error> {
        let limit = self.limit();
        match std::mem::replace(&mut self.phase, Phase::Done) {
            Phase::First => {
                let page = self
                    .request
                    .clone()
                    .fetch_page(self.options.page_size, 0)
                    .await?;
                self.pages += 1;
                let full = page.items.len() as u64 >= limit;
                let count = page.count;
                self.take(page.items);
                if !full {
                    return Ok(());
                }
                self.phase = match count {
                    Some(count) if count > limit => {
                        let budget = (self.options.max_pages - self.pages) as u64;
                        let last = count.min(limit.saturating_mul(budget + 1));
                        let offsets: Vec<u64> =
                            (1..).map(|n| n * limit).take_while(|o| *o < last).collect();
                        let request = self.request.clone();
                        let size = self.options.page_size;
                        let pages = stream::iter(offsets)
                            .map(move |offset| request.clone().fetch_page(size, offset))
                            .buffered(self.options.concurrency)
                            .boxed();
                        Phase::Planned { pages }
                    }
                    Some(_) => Phase::Done,
                    None => Phase::Tail { offset: limit },
                };
            }
            Phase::Planned { mut pages } => {
                if let Some(page) = pages.next().await {
                    let page = page?;
                    self.pages += 1;
                    let full = page.items.len() as u64 >= limit;
                    self.take(page.items);
                    if full {
                        self.phase = Phase::Planned { pages };
                    }
                }
            }
            Phase::Tail { offset } => {
                if self.pages >= self.options.max_pages {
                    return Ok(());
                }
                let page = self
                    .request
                    .clone()
                    .fetch_page(self.options.page_size, offset)
                    .await?;
                self.pages += 1;
                let full = page.items.len() as u64 >= limit;
                let fresh = self.take(page.items);
                if full && fresh > 0 {
                    self.phase = Phase::Tail {
                        offset: offset + limit,
                    };
                }
            }
            Phase::Done => {}
        }
        Ok(())
    }
}

fn offset_walk<'a, B: OffsetPaged<'a>>(
    request: B,
    options: PageOptions,
) -> PageStream<'a, B::Item> {
    let walk = Walk {
        request,
        options,
        ready: VecDeque::new(),
        seen: HashSet::new(),
        phase: Phase::First,
        pages: 0,
    };
    drain(
        walk,
        |walk| walk.ready.pop_front(),
        |walk| matches!(walk.phase, Phase::Done),
        |walk| Box::pin(walk.advance()),
    )
}

/// Turns a page-fetching state machine into a stream of items.
fn drain<'a, S, T>(
    state: S,
    pop: fn(&mut S) -> Option<T>,
    done: fn(&S) -> bool,
    advance: for<'s> fn(&'s mut S) -> BoxFuture<'s, Result<(), Error>>,
) -> PageStream<'a, T>
where
    S: Send + 'a,
    T: Send + 'a,
{
    stream::unfold(Some(state), move |state| async move {
        let mut state = state?;
        loop {
            if let Some(item) = pop(&mut state) {
                return Some((Ok(item), Some(state)));
            }
            if done(&state) {
                return None;
            }
            if let Err(err) = advance(&mut state).await {
                return Some((Err(err), None));
            }
        }
    })
    .boxed()
}

/// The `Paginate` implementation of an operation whose whole list comes in one response.
macro_rules! whole_list {
    ($builder:ident => $item:ty, items $items:ident) => {
        impl<'a> Paginate<'a> for builder::$builder<'a> {
            type Item = $item;

            fn stream_with(self, _options: PageOptions) -> PageStream<'a, $item> {
                stream::once(async move { self.send().await.map(|list| list.into_inner().$items) })
                    .flat_map(|result| match result {
                        Ok(items) => stream::iter(items.into_iter().map(Ok)).left_stream(),
                        Err(err) => stream::iter(std::iter::once(Err(err))).right_stream(),
                    })
                    .boxed()
            }
        }
    };
}

/// A future returned by [`TokenPaged::fetch_page`]: the page's items and the next page's token.
pub type TokenPageFuture<'a, T> = BoxFuture<'a, Result<(Vec<T>, Option<String>), Error>>;

/// A request builder of an endpoint paged by an opaque token, each page
/// naming the next.
///
/// Implemented for the builder of every operation the spec marks
/// `x-wpe-paging: {style: token}`. Whatever else the builder carries (such as
/// its `limit`) is kept for every page.
pub trait TokenPaged<'a>: Clone + Send + Sync + 'a {
    /// What the list holds.
    type Item: Send + 'a;
    /// Fetches the page that `token` names (the first page without one);
    /// returns its items and the next page's token.
    fn fetch_page(self, token: Option<String>) -> TokenPageFuture<'a, Self::Item>;
}

/// The `TokenPaged` and `Paginate` implementations of a token-paged operation.
macro_rules! token_paged {
    ($builder:ident => $item:ty, items $items:ident, next $next:ident, param $param:ident) => {
        impl<'a> TokenPaged<'a> for builder::$builder<'a> {
            type Item = $item;
            fn fetch_page(self, token: Option<String>) -> TokenPageFuture<'a, $item> {
                Box::pin(async move {
                    let request = match token {
                        Some(token) => self.$param(token),
                        None => self,
                    };
                    let page = request.send().await?.into_inner();
                    Ok((page.$items, page.$next))
                })
            }
        }

        impl<'a> Paginate<'a> for builder::$builder<'a> {
            type Item = $item;

            /// Fetched one page at a time: each page's token names the next.
            fn stream_with(self, options: PageOptions) -> PageStream<'a, $item> {
                token_walk(self, options)
            }
        }
    };
}

/// The walk over a token-paged list.
struct TokenWalk<'a, B: TokenPaged<'a>> {
    request: B,
    max_pages: usize,
    ready: VecDeque<B::Item>,
    token: Option<String>,
    tokens_seen: HashSet<String>,
    pages: usize,
    done: bool,
}

impl<'a, B: TokenPaged<'a>> TokenWalk<'a, B> {
    async fn advance(&mut self) -> Result<(), Error> {
        let (items, next) = self.request.clone().fetch_page(self.token.take()).await?;
        self.pages += 1;
        let empty = items.is_empty();
        self.ready.extend(items);
        match next.filter(|t| !t.is_empty()) {
            // A token seen before would repeat pages: stop rather than loop.
            Some(token)
                if !empty
                    && self.pages < self.max_pages
                    && self.tokens_seen.insert(token.clone()) =>
            {
                self.token = Some(token);
            }
            _ => self.done = true,
        }
        Ok(())
    }
}

fn token_walk<'a, B: TokenPaged<'a>>(request: B, options: PageOptions) -> PageStream<'a, B::Item> {
    let walk = TokenWalk {
        request,
        max_pages: options.max_pages,
        ready: VecDeque::new(),
        token: None,
        tokens_seen: HashSet::new(),
        pages: 0,
        done: false,
    };
    drain(
        walk,
        |w| w.ready.pop_front(),
        |w| w.done,
        |w| Box::pin(w.advance()),
    )
}

// One `Paginate` implementation per operation with `x-wpe-paging`, generated
// by `build/table.rs` as calls of the macros above.
include!(concat!(env!("OUT_DIR"), "/paged.rs"));

/// Walks one list per account, several accounts at once, and merges the
/// items. Items of one account keep their order; accounts interleave.
///
/// ```no_run
/// use futures::TryStreamExt;
/// use wpe_api::{paginate::walk_accounts, Client, PageOptions};
///
/// # async fn run(client: &Client, accounts: Vec<uuid::Uuid>) -> Result<(), wpe_api::Error> {
/// let installs: Vec<_> = walk_accounts(accounts, 3, PageOptions::default(), |id| {
///     client.list_installs().account_id(id)
/// })
/// .try_collect()
/// .await?;
/// # Ok(()) }
/// ```
pub fn walk_accounts<'a, B, F>(
    account_ids: impl IntoIterator<Item = uuid::Uuid>,
    accounts_at_once: usize,
    options: PageOptions,
    list: F,
) -> PageStream<'a, B::Item>
where
    B: Paginate<'a>,
    F: Fn(uuid::Uuid) -> B + Send + 'a,
{
    let ids: Vec<uuid::Uuid> = account_ids.into_iter().collect();
    stream::iter(ids)
        .map(move |id| list(id).stream_with(options))
        .flatten_unordered(accounts_at_once.max(1))
        .boxed()
}

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
//! # Page size: `PageOptions::page_size`, else the builder's `limit`
//!
//! A walk asks for [`PageOptions::page_size`] items per request; unless
//! that is set, for the `limit` the list's builder carries (what the API
//! means by `limit`: the size of a page); else for 100, the API's maximum.
//! Either way the stream yields every item of the list from the builder's
//! `offset` on (from the start unless it sets one): for one page, call
//! `.send()`. A `limit` the API does not accept (above 100) ends the stream
//! with [`Error::InvalidRequest`] before any request is sent, as `.send()`
//! refuses it; a `limit` of 0 is read as 1.
//!
//! ```no_run
//! use wpe_api::{Client, PageOptions, Paginate};
//!
//! # async fn run(client: &Client) -> Result<(), wpe_api::Error> {
//! // Every install, 10 per request.
//! let installs = client.list_installs().limit(10).collect_all().await?;
//! // Every install, 25 per request: the options win over the builder.
//! let installs = client
//!     .list_installs()
//!     .limit(10)
//!     .stream_with(PageOptions::default().page_size(25));
//! // The first 10 installs only: one request.
//! let first = client.list_installs().limit(10).send().await?.into_inner().results;
//! # Ok(()) }
//! ```
//!
//! # How a walk works, and what you can rely on
//!
//! The first page (at the builder's `offset`, 0 unless it sets one) says
//! how many items there are (`count`).
//! The stream then asks for the pages after it, up to `count`, with at
//! most [`PageOptions::concurrency`] requests in flight (a list without
//! `count` is asked one page at a time), and yields items in the order the
//! API lists them. It never follows the `next` and `previous` URLs of a
//! page, so no request (and no credential) ever goes anywhere but the
//! client's base URL.
//!
//! The walk advances by what pages really hold, and checks them against the
//! `count` (the one the latest page reported):
//! - a page that holds fewer items than asked, while `count` says more
//!   remain, is a server capping its pages: the walk goes on from where that
//!   page ended, that many items a page (a server that caps pages at 50 is
//!   walked 50 at a time, and every item comes);
//! - the walk ends when a page reaches `count` (so an understated `count`
//!   ends the walk early: it is trusted as an upper bound) or, for a list
//!   without `count`, at the first page shorter than asked (nothing says
//!   more items exist);
//! - it ends with [`Error::PageMismatch`], rather than yielding less in
//!   silence, when a page comes back empty before `count`
//!   ([`PageMismatch::EmptyBeforeCount`]), when a page brings only items
//!   already yielded and the list has not ended (a server that ignores
//!   `offset`: [`PageMismatch::NothingNew`], after the first page and the
//!   pages in flight, not after `count / limit` requests), or when
//!   [`PageOptions::max_pages`] pages were fetched and the list has not ended
//!   ([`PageMismatch::MaxPages`]). The same failure is the same error through
//!   [`Paginate::stream`], [`Paginate::stream_with`],
//!   [`Paginate::collect_all`] and `operations::stream` (feature
//!   `dispatch`).
//!
//! So no server can make a walk loop: every page the walk takes brings an
//! item not yielded before, or ends the walk. The only other requests are
//! the pages in flight, dropped (their requests cancelled) when the walk
//! ends or when a page shows that the server caps its pages.
//!
//! Offset pagination is not a snapshot. While a walk is in progress:
//! - no item is yielded twice: items are de-duplicated by id (the set of ids
//!   seen is kept for the length of the walk: 16 bytes per item);
//! - an item that exists for the whole walk and is not moved is yielded;
//! - an item added during the walk may be missed, and so may one that an
//!   insertion or deletion shifts across a page boundary (to an earlier page
//!   already fetched, or past the `count`); an item deleted during the walk
//!   may still be yielded;
//! - a list that shrinks during the walk ends it as the server's latest
//!   `count` says; items added at its front, a page's worth or more, can end
//!   it with [`PageMismatch::NothingNew`] (walking again then helps).
//!
//! An error ends the stream: the items before it have been yielded, the error
//! is the last item.
//!
//! # Lists the API answers with an error when they are empty
//!
//! A few lists have no empty page: the API answers an error status instead
//! (the spec's `x-wpe-paging.empty_status`; 404 for an install without SSL
//! certificates, `get_install_certificates`). The same status can mean
//! something else (a 404 for an install that does not exist), so the spec
//! also names a text the "none" answer's message holds
//! (`x-wpe-paging.empty_message`, see
//! [`EmptyAnswer`]). Their streams read only
//! that answer as the end of the list, so "no certificates" is an empty
//! `Vec` and a made-up install stays an error:
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
use futures::stream::{self, BoxStream, FuturesOrdered, StreamExt};

use crate::operations::EmptyAnswer;
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
    /// `None`: the builder's `limit`, else the API's maximum.
    page_size: Option<PageLimit>,
    concurrency: usize,
    max_pages: usize,
}

impl Default for PageOptions {
    fn default() -> Self {
        Self {
            page_size: None,
            concurrency: 4,
            max_pages: 100_000,
        }
    }
}

impl PageOptions {
    /// Items per request, 1 to 100. A value outside that range is clamped
    /// into it. Unless set, a walk asks for the `limit` the list's builder
    /// carries (`client.list_installs().limit(10)`), else for 100, the API's
    /// maximum.
    pub fn page_size(mut self, size: u16) -> Self {
        let size = size.clamp(1, PageLimit::MAX);
        self.page_size = Some(PageLimit::new(size).unwrap_or(PageLimit::DEFAULT));
        self
    }

    /// The most requests in flight at once (default 4, at least 1).
    pub fn concurrency(mut self, requests: usize) -> Self {
        self.concurrency = requests.max(1);
        self
    }

    /// The most pages one walk fetches (default 100,000): a hard stop against
    /// a misbehaving server. A walk that reaches it before the list's end
    /// ends with [`PageMismatch::MaxPages`].
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
/// `x-wpe-paging: {style: offset}` (see [`crate::operations`]). The `limit`
/// the builder carries is the page size of a walk whose [`PageOptions`] set
/// none; its `offset` is where the walk starts.
pub trait OffsetPaged<'a>: Clone + Send + Sync + 'a {
    /// What the list holds.
    type Item: Send + 'a;
    /// The identity of an item, for de-duplication.
    type Key: Hash + Eq + Send + 'a;
    /// The error the API answers, instead of an empty page, for a list
    /// with no items (`x-wpe-paging.empty_status` and `empty_message`, see
    /// [`EmptyAnswer`]); `None` for lists that come back empty as lists do.
    const EMPTY: Option<EmptyAnswer> = None;
    /// Fetches the page of `limit` items starting at `offset`; the answer
    /// [`OffsetPaged::EMPTY`] describes is an empty page.
    fn fetch_page(self, limit: PageLimit, offset: u64) -> PageFuture<'a, Self::Item>;
    /// The `limit` the builder carries, when one was set; an
    /// [`Error::InvalidRequest`] when the value set was refused, as `send`
    /// would report it. (`Ok(None)` unless implemented.)
    fn page_limit(&self) -> Result<Option<PageLimit>, Error> {
        Ok(None)
    }
    /// The `offset` the builder carries, when one was set; an
    /// [`Error::InvalidRequest`] when the value set was refused.
    /// (`Ok(None)` unless implemented.)
    fn page_offset(&self) -> Result<Option<u64>, Error> {
        Ok(None)
    }
    /// The item's identity, when it has one.
    fn key(item: &Self::Item) -> Option<Self::Key>;
}

/// Whether `err` is the answer an operation gives, instead of an empty
/// page, for a list with no items (`x-wpe-paging.empty_status` and
/// `empty_message`).
fn is_empty_list_answer(empty: Option<EmptyAnswer>, err: &Error) -> bool {
    empty.is_some_and(|empty| empty.is(err))
}

/// The value a builder's `limit` or `offset` field carries, as a walk takes
/// it, whatever integer type the spec gives the parameter (a `PageLimit`, or
/// a plain integer in a spec that does not bound it); a value the setter
/// refused is the [`Error::InvalidRequest`] `send` would give.
fn carried<V, T>(field: &Result<Option<V>, String>, name: &str) -> Result<Option<T>, Error>
where
    V: Clone + TryInto<T>,
    V::Error: std::fmt::Display,
{
    match field.clone().map_err(Error::InvalidRequest)? {
        None => Ok(None),
        Some(value) => value
            .try_into()
            .map(Some)
            .map_err(|err| Error::InvalidRequest(format!("{name}: {err}"))),
    }
}

macro_rules! offset_paged {
    ($builder:ident => $item:ty, key $key:ty, |$it:ident| $key_expr:expr, |$page:ident| ($items:expr, $count:expr), empty on $empty:expr) => {
        impl<'a> OffsetPaged<'a> for builder::$builder<'a> {
            type Item = $item;
            type Key = $key;
            const EMPTY: Option<EmptyAnswer> = $empty;
            fn fetch_page(self, limit: PageLimit, offset: u64) -> PageFuture<'a, $item> {
                Box::pin(async move {
                    // `get()`: the setter takes any integer its schema accepts, our
                    // `PageLimit` or a plain integer of a list not yet using it.
                    let $page = match self.limit(limit.get()).offset(offset).send().await {
                        Ok(page) => page.into_inner(),
                        Err(err) if is_empty_list_answer(Self::EMPTY, &err) => {
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
            fn page_limit(&self) -> Result<Option<PageLimit>, Error> {
                carried(&self.limit, "limit")
            }
            fn page_offset(&self) -> Result<Option<u64>, Error> {
                carried(&self.offset, "offset")
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

/// How a list's pages and its `count` disagreed, so that a walk could not
/// yield the whole list: the error ([`Error::PageMismatch`]) a page stream
/// ends with, after the items it could yield. See the [module docs](self).
///
/// ```
/// use wpe_api::paginate::PageMismatch;
/// let err = wpe_api::Error::PageMismatch(PageMismatch::EmptyBeforeCount {
///     offset: 250,
///     count: 10_000,
///     yielded: 250,
/// });
/// assert!(err.to_string().starts_with("the list ended before its count: the page at offset 250 is empty"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PageMismatch {
    /// A page came back empty before the end the server's `count` gives.
    #[error(
        "the list ended before its count: the page at offset {offset} is empty, but the server \
         counts {count} items ({yielded} yielded); if the list shrank during the walk, walk it \
         again; if this repeats, the server's count is wrong"
    )]
    EmptyBeforeCount {
        /// Where the empty page starts.
        offset: u64,
        /// The `count` the server reported last.
        count: u64,
        /// How many items the walk yielded before the error.
        yielded: u64,
    },
    /// A page held only items the walk had yielded already, where the list
    /// had not ended (its `count` said more items remain, or, without a
    /// `count`, the page was full): the server ignores `offset` or repeats
    /// pages, and walking on would bring nothing new. (Items added at the
    /// front of the list during the walk, a page's worth or more, shift old
    /// items into later pages and end a walk the same way.)
    #[error(
        "the list's pages stopped bringing new items: the page at offset {offset} holds only \
         items already yielded, though {} ({yielded} yielded); the server ignores `offset` or \
         repeats pages, or many items were added during the walk: walk it again, and if this \
         repeats, check that the base URL reaches the API itself, not a proxy or cache that \
         drops the query string",
        match count {
            Some(count) => format!("the server counts {count} items"),
            None => "the page is full".to_owned(),
        }
    )]
    NothingNew {
        /// Where the page starts.
        offset: u64,
        /// The `count` the server reported last, if it reported one.
        count: Option<u64>,
        /// How many items the walk yielded before the error.
        yielded: u64,
    },
    /// The walk fetched [`PageOptions::max_pages`] pages, and the list had
    /// not ended.
    #[error(
        "the walk stopped after {pages} pages, the most PageOptions::max_pages allows, before \
         the list ended ({yielded} items yielded): raise max_pages to walk on"
    )]
    MaxPages {
        /// The pages fetched.
        pages: usize,
        /// How many items the walk yielded before the error.
        yielded: u64,
    },
}

/// A page of the walk, with the offset it was asked for.
type Fetched<'a, T> = BoxFuture<'a, (u64, Result<Page<T>, Error>)>;

/// The walk's state between items.
struct Walk<'a, B: OffsetPaged<'a>> {
    request: B,
    /// The `limit` of every request.
    limit: PageLimit,
    concurrency: usize,
    max_pages: usize,
    ready: VecDeque<B::Item>,
    seen: HashSet<B::Key>,
    /// Pages asked for and not yet taken, in offset order.
    in_flight: FuturesOrdered<Fetched<'a, B::Item>>,
    /// Where the next page to ask for starts.
    next: u64,
    /// How many items a page holds: the `limit` asked, or fewer once a
    /// page showed that the server caps its pages there.
    step: u64,
    /// The `count` the server reported last.
    count: Option<u64>,
    /// Pages asked for.
    requested: usize,
    /// Items queued to be yielded.
    yielded: u64,
    /// The list ended, or the walk failed (then `failure` holds the error
    /// until the items before it are yielded).
    done: bool,
    failure: Option<Error>,
}

impl<'a, B: OffsetPaged<'a>> Walk<'a, B> {
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
        let fresh = self.ready.len() - before;
        self.yielded += fresh as u64;
        fresh
    }

    /// Asks for the next pages: with a `count`, as many as `concurrency`
    /// allows below it; without one, a single page at a time.
    fn plan(&mut self) {
        let window = if self.count.is_some() {
            self.concurrency
        } else {
            1
        };
        while self.in_flight.len() < window
            && self.requested < self.max_pages
            && self.count.is_none_or(|count| self.next < count)
        {
            let (request, limit, offset) = (self.request.clone(), self.limit, self.next);
            self.in_flight.push_back(Box::pin(async move {
                (offset, request.fetch_page(limit, offset).await)
            }));
            self.requested += 1;
            self.next = self.next.saturating_add(self.step);
        }
    }

    /// Ends the walk: the pages in flight are dropped (their requests
    /// cancelled); a failure is reported after the items queued.
    fn end(&mut self, failure: Option<PageMismatch>) {
        self.done = true;
        self.in_flight = FuturesOrdered::new();
        self.failure = failure.map(Error::PageMismatch);
    }

    /// Takes the page that starts at `offset` and decides how the walk goes on.
    fn page(&mut self, offset: u64, page: Page<B::Item>) {
        let held = page.items.len() as u64;
        if page.count.is_some() {
            self.count = page.count;
        }
        let fresh = self.take(page.items);
        let end = offset.saturating_add(held);
        let more = match self.count {
            Some(count) => end < count,
            None => held >= self.step,
        };
        // A page of items all seen before is not where its offset says: it
        // ends the list only if the items yielded reach the count.
        let stale = held > 0 && fresh == 0;
        if stale && (more || self.count.is_some_and(|count| self.yielded < count)) {
            return self.end(Some(PageMismatch::NothingNew {
                offset,
                count: self.count,
                yielded: self.yielded,
            }));
        }
        if !more {
            return self.end(None);
        }
        if held == 0 {
            return self.end(Some(PageMismatch::EmptyBeforeCount {
                offset,
                count: self.count.unwrap_or_default(),
                yielded: self.yielded,
            }));
        }
        if held < self.step {
            // The server holds pages to fewer items than asked: the pages
            // asked for after this one would skip items, so the walk goes on
            // from where this page ended, `held` items at a time.
            self.in_flight = FuturesOrdered::new();
            self.step = held;
            self.next = end;
        }
    }

    async fn advance(&mut self) -> Result<(), Error> {
        if let Some(err) = self.failure.take() {
            return Err(err);
        }
        self.plan();
        match self.in_flight.next().await {
            Some((offset, Ok(page))) => {
                self.page(offset, page);
                if !self.done {
                    self.plan();
                    if self.in_flight.is_empty() {
                        // `plan` asks for a page below any `count`, so only
                        // `max_pages` stops it.
                        self.end(Some(PageMismatch::MaxPages {
                            pages: self.requested,
                            yielded: self.yielded,
                        }));
                    }
                }
                Ok(())
            }
            Some((_, Err(err))) => {
                self.end(None);
                Err(err)
            }
            None => {
                self.end(None);
                Ok(())
            }
        }
    }
}

fn offset_walk<'a, B: OffsetPaged<'a>>(
    request: B,
    options: PageOptions,
) -> PageStream<'a, B::Item> {
    let limit = match options
        .page_size
        .map(Ok)
        .or_else(|| request.page_limit().transpose())
    {
        None => PageLimit::DEFAULT,
        // A `limit` of 0 is read as 1, as `PageOptions::page_size` reads it.
        Some(Ok(limit)) => PageLimit::new(limit.get().max(1)).unwrap_or(PageLimit::DEFAULT),
        Some(Err(err)) => return stream::once(async move { Err(err) }).boxed(),
    };
    let start = match request.page_offset() {
        Ok(start) => start.unwrap_or(0),
        Err(err) => return stream::once(async move { Err(err) }).boxed(),
    };
    let walk = Walk {
        request,
        limit,
        concurrency: options.concurrency,
        max_pages: options.max_pages,
        ready: VecDeque::new(),
        seen: HashSet::new(),
        in_flight: FuturesOrdered::new(),
        next: start,
        step: u64::from(limit.get().max(1)),
        count: None,
        requested: 0,
        yielded: 0,
        done: false,
        failure: None,
    };
    drain(
        walk,
        |walk| walk.ready.pop_front(),
        |walk| walk.done && walk.failure.is_none(),
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

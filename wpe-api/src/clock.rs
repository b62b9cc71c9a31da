//! Where the client gets the time and how it waits: every wait of the retry
//! layer and the waiters goes through a [`Clock`], so tests can run them on a
//! [`VirtualClock`] and check exact waits without waiting.
//!
//! A client uses [`TokioClock`] (tokio's timer and the system's wall clock)
//! unless its [`RetryPolicy`](crate::retry::RetryPolicy::clock) says
//! otherwise; the stand-in of the API (`wpe_api::fake`) can run on the same
//! clock as the client.
//!
//! ```
//! use std::time::Duration;
//! use wpe_api::clock::VirtualClock;
//! use wpe_api::retry::RetryPolicy;
//!
//! let clock = VirtualClock::new();
//! let client = wpe_api::Client::builder()
//!     .credentials(wpe_api::Credentials::new("user", "password"))
//!     .retry_policy(RetryPolicy::default().clock(clock.clone()))
//!     .build()?;
//! // Calls made with `client` now wait on `clock`: a 429 with
//! // `Retry-After: 1` returns at once, and `clock.sleeps()` shows the 1 s wait.
//! assert!(clock.sleeps().is_empty());
//! # Ok::<(), wpe_api::ConfigError>(())
//! ```

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use tokio::sync::watch;

/// A wait in progress, as returned by [`Clock::sleep`].
pub type Sleep = Pin<Box<dyn Future<Output = ()> + Send + 'static>>;

/// A source of time and of waiting.
///
/// Implemented by [`TokioClock`] (the default) and [`VirtualClock`] (for
/// tests); implement it to run the client on another timer.
pub trait Clock: fmt::Debug + Send + Sync + 'static {
    /// Now, on a monotonic clock (for deadlines and spacing).
    fn now(&self) -> Instant;

    /// Now, on the wall clock (for `Retry-After` dates and the API's timestamps).
    fn now_utc(&self) -> DateTime<Utc>;

    /// A future that completes once `duration` has passed on this clock.
    fn sleep(&self, duration: Duration) -> Sleep;

    /// A future that completes once this clock reaches `deadline` (at once
    /// if it has).
    fn sleep_until(&self, deadline: Instant) -> Sleep {
        self.sleep(deadline.saturating_duration_since(self.now()))
    }
}

/// A shared clock is a clock (so an `Arc<dyn Clock>` can be handed on).
impl<C: Clock + ?Sized> Clock for Arc<C> {
    fn now(&self) -> Instant {
        (**self).now()
    }

    fn now_utc(&self) -> DateTime<Utc> {
        (**self).now_utc()
    }

    fn sleep(&self, duration: Duration) -> Sleep {
        (**self).sleep(duration)
    }

    fn sleep_until(&self, deadline: Instant) -> Sleep {
        (**self).sleep_until(deadline)
    }
}

/// The real clock: tokio's timer (so it follows a paused tokio runtime) and
/// the system's wall clock. A client uses it unless told otherwise.
#[derive(Debug, Clone, Copy, Default)]
pub struct TokioClock;

impl Clock for TokioClock {
    fn now(&self) -> Instant {
        tokio::time::Instant::now().into_std()
    }

    fn now_utc(&self) -> DateTime<Utc> {
        Utc::now()
    }

    fn sleep(&self, duration: Duration) -> Sleep {
        Box::pin(tokio::time::sleep(duration))
    }
}

/// A clock that moves only when something sleeps on it or [`advance`] is
/// called, and remembers every sleep asked of it.
///
/// - [`VirtualClock::new`]: every sleep returns at once and the clock jumps
///   to its end (sleeps that overlap jump to the latest end, not to their
///   sum), so a test of retries, spacing or waiters takes no wall time.
/// - [`VirtualClock::manual`]: a sleep waits until the test [`advance`]s the
///   clock past its end, so a test can look at what happens meanwhile;
///   [`VirtualClock::next_sleep`] waits until something starts sleeping.
///
/// Clones share one clock. Its wall time starts at the system's time unless
/// set with [`VirtualClock::starting_at`]. It moves at most 100 years from
/// its start (a longer sleep ends there), and its wall time stays within
/// chrono's range: no wait asked of it panics.
///
/// [`advance`]: VirtualClock::advance
///
/// ```
/// use std::time::Duration;
/// use wpe_api::clock::{Clock, VirtualClock};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let clock = VirtualClock::manual();
/// let sleeper = tokio::spawn({
///     let clock = clock.clone();
///     async move { clock.sleep(Duration::from_secs(5)).await }
/// });
/// assert_eq!(clock.next_sleep().await, Duration::from_secs(5));
/// clock.advance(Duration::from_secs(5));
/// sleeper.await.unwrap();
/// assert_eq!(clock.elapsed(), Duration::from_secs(5));
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct VirtualClock(Arc<Virtual>);

#[derive(Debug)]
struct Virtual {
    manual: bool,
    origin: Instant,
    origin_utc: Mutex<DateTime<Utc>>,
    /// Time passed since `origin`.
    elapsed: watch::Sender<Duration>,
    /// Every sleep asked for, in order.
    sleeps: watch::Sender<Vec<Duration>>,
    /// How many sleeps `next_sleep` has handed out.
    seen: Mutex<usize>,
}

impl Default for VirtualClock {
    fn default() -> Self {
        Self::new()
    }
}

impl VirtualClock {
    /// A clock on which every sleep returns at once, moving the clock to its end.
    pub fn new() -> Self {
        Self::with_mode(false)
    }

    /// A clock on which a sleep waits until [`VirtualClock::advance`] moves
    /// the clock to its end.
    pub fn manual() -> Self {
        Self::with_mode(true)
    }

    fn with_mode(manual: bool) -> Self {
        Self(Arc::new(Virtual {
            manual,
            origin: Instant::now(),
            origin_utc: Mutex::new(Utc::now()),
            elapsed: watch::Sender::new(Duration::ZERO),
            sleeps: watch::Sender::new(Vec::new()),
            seen: Mutex::new(0),
        }))
    }

    /// The same clock with its wall time set to `at` now (before it has moved).
    pub fn starting_at(self, at: DateTime<Utc>) -> Self {
        let since = chrono::Duration::from_std(self.elapsed()).unwrap_or_default();
        *lock(&self.0.origin_utc) = at
            .checked_sub_signed(since)
            .unwrap_or(DateTime::<Utc>::MIN_UTC);
        self
    }

    /// Moves the clock forward by `by`, ending the sleeps that are then over.
    ///
    /// The clock moves at most 100 years from its start: a sleep or an
    /// advance past that ends there.
    pub fn advance(&self, by: Duration) {
        self.0
            .elapsed
            .send_modify(|elapsed| *elapsed = elapsed.saturating_add(by).min(LIMIT));
    }

    /// How far the clock has moved since it was made.
    pub fn elapsed(&self) -> Duration {
        *self.0.elapsed.borrow()
    }

    /// Every sleep asked of this clock so far, in the order asked, waits of
    /// zero included.
    pub fn sleeps(&self) -> Vec<Duration> {
        self.0.sleeps.borrow().clone()
    }

    /// Waits until one more sleep than this method has returned so far has
    /// been asked of the clock, and returns its duration: the event a test
    /// waits for instead of sleeping itself.
    pub async fn next_sleep(&self) -> Duration {
        let index = {
            let mut seen = lock(&self.0.seen);
            *seen += 1;
            *seen - 1
        };
        let mut sleeps = self.0.sleeps.subscribe();
        let sleeps = sleeps
            .wait_for(|sleeps| sleeps.len() > index)
            .await
            .unwrap_or_else(|_| unreachable!("the clock holds the sender"));
        sleeps[index]
    }
}

impl Clock for VirtualClock {
    fn now(&self) -> Instant {
        // `elapsed` stays within `LIMIT`, which an `Instant` holds on every
        // platform; the fallback only keeps this free of panics.
        self.0
            .origin
            .checked_add(self.elapsed())
            .unwrap_or(self.0.origin)
    }

    fn now_utc(&self) -> DateTime<Utc> {
        let elapsed = chrono::Duration::from_std(self.elapsed()).unwrap_or_default();
        lock(&self.0.origin_utc)
            .checked_add_signed(elapsed)
            .unwrap_or(DateTime::<Utc>::MAX_UTC)
    }

    fn sleep(&self, duration: Duration) -> Sleep {
        let end = self.elapsed().saturating_add(duration).min(LIMIT);
        self.0.sleeps.send_modify(|sleeps| sleeps.push(duration));
        if !self.0.manual {
            self.0.elapsed.send_if_modified(|elapsed| {
                let later = end > *elapsed;
                if later {
                    *elapsed = end;
                }
                later
            });
            return Box::pin(std::future::ready(()));
        }
        let mut elapsed = self.0.elapsed.subscribe();
        Box::pin(async move {
            // The sender lives as long as the clock, which this future does not
            // hold: if the clock is gone, nothing can end the sleep but this.
            let _ = elapsed.wait_for(|elapsed| *elapsed >= end).await;
        })
    }
}

/// When something must be over, on a [`Clock`]'s monotonic time: an instant,
/// or never (a span too long for an `Instant` to hold). All its arithmetic
/// saturates: no span, however long, makes it panic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Deadline(Option<Instant>);

impl Deadline {
    /// `span` after `now`; never if no `Instant` is that late.
    pub(crate) fn after(now: Instant, span: Duration) -> Self {
        Self(now.checked_add(span))
    }

    /// What is left of it at `now`: zero once it has passed, `Duration::MAX`
    /// if it is never.
    pub(crate) fn remaining(self, now: Instant) -> Duration {
        self.0
            .map_or(Duration::MAX, |at| at.saturating_duration_since(now))
    }

    /// Whether a wait of `wait` begun at `now` is over by it.
    pub(crate) fn admits(self, now: Instant, wait: Duration) -> bool {
        wait <= self.remaining(now)
    }

    /// The earlier of the two.
    pub(crate) fn min(self, other: Self) -> Self {
        match (self.0, other.0) {
            (Some(a), Some(b)) => Self(Some(a.min(b))),
            (a, b) => Self(a.or(b)),
        }
    }

    /// The later of the two.
    pub(crate) fn max(self, other: Self) -> Self {
        match (self.0, other.0) {
            (Some(a), Some(b)) => Self(Some(a.max(b))),
            _ => Self(None),
        }
    }
}

/// The furthest a [`VirtualClock`] moves from its start.
const LIMIT: Duration = Duration::from_secs(100 * 365 * 24 * 60 * 60);

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlapping_sleeps_on_a_virtual_clock_end_together() {
        let clock = VirtualClock::new();
        let first = clock.sleep_until(clock.now() + Duration::from_secs(2));
        let second = clock.sleep(Duration::from_secs(1));
        futures::executor::block_on(async {
            first.await;
            second.await;
        });
        // The second sleep began after the first had moved the clock to 2 s.
        assert_eq!(clock.elapsed(), Duration::from_secs(3));
        assert_eq!(
            clock.sleeps(),
            [Duration::from_secs(2), Duration::from_secs(1)]
        );
        let _past = clock.sleep_until(clock.now() - Duration::from_secs(1));
        assert_eq!(clock.sleeps()[2], Duration::ZERO);
        assert_eq!(clock.elapsed(), Duration::from_secs(3));
    }

    #[test]
    fn virtual_wall_time_moves_with_the_clock() {
        let start = DateTime::parse_from_rfc3339("2025-07-01T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let clock = VirtualClock::new().starting_at(start);
        assert_eq!(clock.now_utc(), start);
        clock.advance(Duration::from_millis(1500));
        assert_eq!(
            clock.now_utc(),
            start + chrono::Duration::milliseconds(1500)
        );
    }

    #[test]
    fn a_deadline_too_far_for_an_instant_is_never_and_admits_any_wait() {
        let now = Instant::now();
        let never = Deadline::after(now, Duration::MAX);
        assert_eq!(never.remaining(now), Duration::MAX);
        assert!(never.admits(now, Duration::MAX));
        let soon = Deadline::after(now, Duration::from_secs(5));
        assert_eq!(never.min(soon), soon);
        assert_eq!(soon.min(never), soon);
        assert_eq!(never.max(soon), never);
        assert_eq!(soon.max(never), never);
        let sooner = Deadline::after(now, Duration::from_secs(1));
        assert_eq!(soon.max(sooner), soon);
        assert_eq!(soon.min(sooner), sooner);
        assert!(soon.admits(now, Duration::from_secs(5)));
        assert!(!soon.admits(now, Duration::from_secs(6)));
        let later = now + Duration::from_secs(9);
        assert_eq!(soon.remaining(later), Duration::ZERO);
        assert!(!soon.admits(later, Duration::from_nanos(1)));
        assert!(soon.admits(later, Duration::ZERO));
    }

    #[test]
    fn a_virtual_clock_asked_for_more_time_than_it_can_hold_stops_at_its_limit() {
        let clock = VirtualClock::new();
        futures::executor::block_on(clock.sleep(Duration::MAX));
        assert_eq!(clock.elapsed(), LIMIT);
        assert_eq!(clock.sleeps(), [Duration::MAX]);
        clock.advance(Duration::MAX);
        futures::executor::block_on(clock.sleep(Duration::from_secs(1)));
        assert_eq!(clock.elapsed(), LIMIT);
        assert!(clock.now() > clock.0.origin);
        assert!(clock.now_utc() > Utc::now());
        let late = VirtualClock::new().starting_at(DateTime::<Utc>::MAX_UTC);
        late.advance(Duration::from_secs(1));
        assert_eq!(late.now_utc(), DateTime::<Utc>::MAX_UTC);
        let early = VirtualClock::new();
        early.advance(Duration::from_secs(1));
        let early = early.starting_at(DateTime::<Utc>::MIN_UTC);
        // Its start cannot be a second before the earliest time: it is that time.
        assert_eq!(
            early.now_utc(),
            DateTime::<Utc>::MIN_UTC + chrono::Duration::seconds(1)
        );
    }

    #[tokio::test]
    async fn a_manual_sleep_ends_only_when_the_clock_is_advanced_past_it() {
        let clock = VirtualClock::manual();
        let mut sleep = clock.sleep(Duration::from_secs(10));
        assert_eq!(clock.next_sleep().await, Duration::from_secs(10));
        clock.advance(Duration::from_secs(9));
        assert!(futures::poll!(&mut sleep).is_pending());
        clock.advance(Duration::from_secs(1));
        assert!(futures::poll!(&mut sleep).is_ready());
    }
}

//! What the client does for a piece of work while it runs: [`watch`] runs a
//! future and tells an observer of each request the client hands to the
//! network and each wait for a per-install turn, as they happen.
//!
//! The question it answers is the one a caller that abandons a call has to
//! ask: *did anything go out?* A future dropped before any
//! [`Activity::Sending`] was reported sent nothing, and the API saw nothing.
//! Once one was reported, the request may have reached the API, and a write
//! may have taken effect, whether or not its answer ever arrives. `wpe mcp`
//! drops a tool call its client cancels and says which of the two happened;
//! it also relays [`Activity::WaitingForTurn`] to the client as progress.
//!
//! The observer is called on the task that runs the future, from inside the
//! client's calls: it should only record what it is told or hand it on
//! (through a channel, say), never block. Work the future hands to other
//! tasks (`tokio::spawn`) is not watched. Watches nest: an inner watch's
//! activity is reported to the outer observers too.
//!
//! ```no_run
//! use std::sync::atomic::{AtomicUsize, Ordering};
//! use std::sync::Arc;
//! use wpe_api::activity::{self, Activity};
//!
//! # async fn run(client: &wpe_api::Client) -> Result<(), wpe_api::Error> {
//! let sent = Arc::new(AtomicUsize::new(0));
//! let counter = Arc::clone(&sent);
//! let accounts = activity::watch(
//!     move |activity: &Activity| {
//!         if let Activity::Sending { .. } = activity {
//!             counter.fetch_add(1, Ordering::Relaxed);
//!         }
//!     },
//!     client.list_accounts().send(),
//! )
//! .await?;
//! println!("{} accounts in {} request(s)", accounts.results.len(), sent.load(Ordering::Relaxed));
//! # Ok(()) }
//! ```

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

/// Something the client does while a [`watch`]ed future runs.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Activity {
    /// A request is handed to the HTTP client, once per attempt: from now
    /// on the API may receive it and act on it, even if the call is dropped
    /// before its answer arrives.
    #[non_exhaustive]
    Sending {
        /// The operation, as its method on the client names it (`purge_cache`).
        operation: &'static str,
        /// Which attempt of the call this is (1 for the first; see
        /// [`crate::retry`]).
        attempt: u32,
    },
    /// A call falls under a per-install rate limit (see [`crate::retry`])
    /// and waits for its turn before sending anything. Reported once, as the
    /// wait begins.
    #[non_exhaustive]
    WaitingForTurn {
        /// The operation, as its method on the client names it.
        operation: &'static str,
        /// The limit, by its name in the spec (`object-cache-purge`).
        limit: &'static str,
        /// How long the wait is: exact when no other call of the install
        /// holds or waits for the turn, otherwise at least this long (each
        /// call ahead has yet to be answered, and the spacing counts from
        /// its answer).
        wait: Duration,
        /// How many calls of the install hold the turn or wait for it ahead
        /// of this one.
        calls_ahead: usize,
    },
}

/// The observer of the innermost watch, which hands on to the outer ones.
type Observer = Arc<dyn Fn(&Activity) + Send + Sync>;

tokio::task_local! {
    static OBSERVER: Observer;
}

/// Runs `work`, calling `observer` with each [`Activity`] of the client's
/// calls made in it, and returns `work`'s output. See the
/// [module documentation](self).
pub async fn watch<F, O>(observer: O, work: F) -> F::Output
where
    F: Future,
    O: Fn(&Activity) + Send + Sync + 'static,
{
    let observer: Observer = match OBSERVER.try_with(Arc::clone) {
        Ok(outer) => Arc::new(move |activity: &Activity| {
            observer(activity);
            outer(activity);
        }),
        Err(_) => Arc::new(observer),
    };
    OBSERVER.scope(observer, work).await
}

/// Tells the watch the current task runs in, if any, of `activity`.
pub(crate) fn report(activity: Activity) {
    let _ = OBSERVER.try_with(|observer| observer(&activity));
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[tokio::test]
    async fn nested_watches_each_see_the_activity_and_none_outside_them() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let record = |who: &'static str| {
            let seen = Arc::clone(&seen);
            move |activity: &Activity| {
                if let Activity::Sending { attempt, .. } = activity {
                    seen.lock().unwrap().push((who, *attempt));
                }
            }
        };
        let sending = |attempt| Activity::Sending {
            operation: "purge_cache",
            attempt,
        };
        report(sending(1));
        watch(record("outer"), async {
            report(sending(2));
            watch(record("inner"), async { report(sending(3)) }).await;
        })
        .await;
        assert_eq!(
            *seen.lock().unwrap(),
            [("outer", 2), ("inner", 3), ("outer", 3)]
        );
    }
}

//! Progress of long work on standard error: a spinner when standard error
//! is a terminal, and nothing at all otherwise (so pipes and CI logs stay clean).

use std::io::{self, IsTerminal};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

/// A spinner showing `message`, ticking on its own while work goes on;
/// hidden when standard error is not a terminal. Clear it with
/// [`ProgressBar::finish_and_clear`] before printing the result.
pub fn spinner(message: impl Into<String>) -> ProgressBar {
    if !io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let style = ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
        .unwrap_or_else(|_| ProgressStyle::default_spinner());
    let progress = ProgressBar::new_spinner()
        .with_style(style)
        .with_message(message.into());
    progress.enable_steady_tick(Duration::from_millis(120));
    progress
}

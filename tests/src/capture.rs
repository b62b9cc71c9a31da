//! What `tracing` records on the current thread, captured as text (events,
//! and spans when they close), for tests of what the client logs.

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

use tracing_subscriber::fmt::format::FmtSpan;

/// The text logged on this thread since [`Capture::start`].
#[derive(Clone, Default)]
pub struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Capture {
    /// Captures what is logged on this thread, up to `DEBUG`, with a line
    /// for each span that closes, until the guard is dropped.
    pub fn start() -> (Self, tracing::subscriber::DefaultGuard) {
        let capture = Capture::default();
        let writer = capture.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_span_events(FmtSpan::CLOSE)
            .with_max_level(tracing::Level::DEBUG)
            .with_ansi(false)
            .finish();
        // While one subscriber exists, tracing decides whether a callsite is
        // ever enabled by the subscriber of the thread that first reaches it:
        // another test of the binary, on a thread with none, would turn
        // wpe-api's span off for all. A second, silent subscriber kept alive
        // makes tracing ask every subscriber instead.
        static SILENT: OnceLock<tracing::Dispatch> = OnceLock::new();
        SILENT.get_or_init(|| tracing::Dispatch::new(tracing::subscriber::NoSubscriber::default()));
        (capture, tracing::subscriber::set_default(subscriber))
    }

    /// The first line logged that holds `needle` (the test fails without one).
    pub fn line(&self, needle: &str) -> String {
        let text = self.text();
        match text.lines().find(|line| line.contains(needle)) {
            Some(line) => line.to_owned(),
            None => panic!("nothing logged holds {needle:?}: {text}"),
        }
    }

    /// What was logged so far.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap_or_else(|p| p.into_inner())).into_owned()
    }
}

//! Library behind `cargo xtask sync-spec`: fetch, normalise, diff and report on WP Engine's API spec.
#![warn(missing_docs)]

pub mod deviations;
pub mod diff;
pub mod fetch;
pub mod import;
pub mod model;
pub mod report;

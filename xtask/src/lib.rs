//! Library behind `cargo xtask`: `sync-spec` (fetch, normalise, diff and report on WP Engine's API
//! spec, and check recorded answers against ours), `record-answers` (record the live API's answers,
//! redacted) and `build-cost` (what a library user pays to build `wpe-api`).
#![warn(missing_docs)]

pub mod answers;
pub mod build_cost;
pub mod deviations;
pub mod diff;
pub mod fetch;
pub mod import;
pub mod model;
pub mod record;
pub mod redact;
pub mod report;

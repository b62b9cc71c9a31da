#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

mod generated {
    #![allow(
        missing_docs,
        unreachable_patterns,
        unused_imports,
        unused_mut,
        clippy::all,
        clippy::pedantic
    )]
    include!(concat!(env!("OUT_DIR"), "/codegen.rs"));
}

pub mod accounts;
pub mod activity;
mod body;
pub mod bounded;
pub mod bulk_domains;
pub mod certificates;
pub mod clock;
pub mod config;
pub mod domains;
pub mod error;
#[cfg(feature = "fake")]
pub mod fake;
pub mod open_enum;
pub mod operations;
pub mod paginate;
mod refused;
pub mod retry;
pub mod secret;
mod transport;
pub mod wait;

pub use config::{ClientBuilder, ConfigError, Credentials};
pub use error::{Error, FailedResponse, RateLimited};
pub use generated::{builder, Client};
pub use paginate::{PageOptions, PageStream, Paginate};
pub use progenitor_client::{ClientInfo, ResponseValue};

/// Every request and response type of the API, generated from `spec/openapi.json`,
/// with the hand-written open enums, bounded page sizes and bulk-domain
/// result beside them.
pub mod types {
    pub use crate::bounded::{OutOfRange, PageLimit, UsageLimit};
    pub use crate::bulk_domains::BulkDomainsResult;
    pub use crate::generated::types::*;
    pub use crate::open_enum::*;
    pub use crate::secret::*;
}

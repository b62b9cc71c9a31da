//! The table of every API operation (method id, upstream `operationId`,
//! HTTP method, path template), generated from the spec at build time.

/// One operation of the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Operation {
    /// The client's method name, e.g. `list_installs`.
    pub id: &'static str,
    /// WP Engine's `operationId`, e.g. `listInstalls`.
    pub operation_id: &'static str,
    /// The HTTP method, upper case.
    pub method: &'static str,
    /// The path template below the base URL, e.g. `/installs/{install_id}`.
    pub path: &'static str,
}

/// Every operation of the spec, in the spec's order.
///
/// ```
/// assert_eq!(wpe_api::operations::OPERATIONS.len(), 50);
/// let purge = wpe_api::operations::find("purge_cache").unwrap();
/// assert_eq!((purge.method, purge.path), ("POST", "/installs/{install_id}/purge_cache"));
/// ```
pub const OPERATIONS: &[Operation] = include!(concat!(env!("OUT_DIR"), "/operations.rs"));

/// The operation behind a client method name (as in `OperationInfo::operation_id`).
pub fn find(id: &str) -> Option<&'static Operation> {
    OPERATIONS.iter().find(|op| op.id == id)
}

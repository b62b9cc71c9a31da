//! Every operation, over real HTTP against a recording server:
//! the documented response example deserializes into the generated type, and
//! the request the client builds has the right method, path, query and body.
//!
//! One module per resource, as the stand-in's modules are (`wpe-api/src/fake/`);
//! the shared IDs and request checks in `support`.

mod support;

mod account;
mod account_user;
mod backup;
mod cache;
mod certificates;
mod domain;
mod install;
mod offload_settings;
mod sftp_user;
mod site;
mod site_reports;
mod site_transfer;
mod ssh_key;
mod status;
mod usage;
mod user;

//! Offload (LargeFS) settings of an install and the file that proves bucket ownership.

use axum::http::StatusCode;
use serde_json::{json, Map, Value};

use super::check::Check;
use super::hashes::fnv;
use super::reply::{empty, ok, Fail, Reply};
use super::request::{inst, inst_mut, install_id, Req};
use super::state::State;
use crate::types;

/// `GET /installs/{install_id}/offload_settings/largefs_validation_file` (`getLargeFSValidationFile`).
pub(crate) fn get_large_fs_validation_file(
    state: &mut State,
    req: &Req<'_>,
) -> Result<Reply, Fail> {
    let id = install_id(state, req)?;
    let hash = fnv(&[b"largefs", id.as_bytes()]);
    ok(types::LargeFsValidationFile {
        extra: Default::default(),
        name: Some("wpe-largefs-validation.txt".to_owned()),
        content: Some(format!("{hash:016x}")),
    })
}

/// `GET /installs/{install_id}/offload_settings/files` (`getOffloadSettings`).
pub(crate) fn get_offload_settings(state: &mut State, req: &Req<'_>) -> Result<Reply, Fail> {
    let id = install_id(state, req)?;
    match &inst(state, &id).offload {
        Some(settings) => ok(json!({ "largefs_settings": settings })),
        // What the live API answers for an install that never set up LargeFS.
        None => Err(Fail::new(
            StatusCode::NOT_FOUND,
            "LargeFS settings not found",
        )),
    }
}

/// `POST /installs/{install_id}/offload_settings/files` (`updateOffloadSettings`).
pub(crate) fn update_offload_settings(state: &mut State, req: &Req<'_>) -> Result<Reply, Fail> {
    set_offload_settings(state, req, false)
}

/// `PATCH /installs/{install_id}/offload_settings/files` (`patchOffloadSettings`).
pub(crate) fn patch_offload_settings(state: &mut State, req: &Req<'_>) -> Result<Reply, Fail> {
    set_offload_settings(state, req, true)
}

fn validate_largefs(check: &mut Check<'_>, settings: &Map<String, Value>, full: bool) {
    let mut inner = Check::nested("LargeFSConfig", "largefs_settings", settings);
    let cloud = if full {
        inner.req_str("cloud")
    } else {
        inner.opt_str("cloud")
    };
    if cloud.as_deref().is_some_and(|c| c != "s3") {
        inner.error("cloud", "invalid_value", "unsupported", "cloud must be s3");
    }
    if full {
        inner.req_str("bucket");
        inner.req_str("bucket_region");
    } else {
        inner.opt_str("bucket");
        inner.opt_str("bucket_region");
    }
    match inner.present("path_settings") {
        None => {}
        Some(Value::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                let field = format!("path_settings[{i}]");
                let Value::Object(item) = item else {
                    inner.wrong_type(&field, "an object");
                    continue;
                };
                let mut rule =
                    Check::nested("LargeFSConfig", &format!("largefs_settings.{field}"), item);
                if let Some(path) = rule.req_str("path") {
                    if !path.starts_with('/') {
                        rule.error(
                            "path",
                            "invalid_value",
                            "invalid_path",
                            "path must start with /",
                        );
                    }
                }
                rule.opt_strings("excluded_paths");
                if let Some(kind) = rule.opt_str("redirect_type") {
                    if kind != "break" && kind != "permanent" {
                        rule.error(
                            "redirect_type",
                            "invalid_value",
                            "invalid_value",
                            "redirect_type must be break or permanent",
                        );
                    }
                }
                inner.errors.append(&mut rule.errors);
            }
        }
        Some(_) => inner.wrong_type("path_settings", "an array"),
    }
    check.errors.append(&mut inner.errors);
}

/// POST sets the whole configuration; PATCH changes only the settings it
/// carries, and needs a configuration to change: on an install that never
/// had one it is a 404 (as WP Engine's offload skill says; upstream documents
/// 404 for this operation without saying when).
fn set_offload_settings(state: &mut State, req: &Req<'_>, patch: bool) -> Result<Reply, Fail> {
    let id = install_id(state, req)?;
    if patch && inst(state, &id).offload.is_none() {
        return Err(Fail::new(
            StatusCode::NOT_FOUND,
            "LargeFS settings not found: configure them with POST before changing them with PATCH",
        ));
    }
    let body = req.json("LargeFSConfig")?;
    let mut check = Check::new("LargeFSConfig", &body);
    let settings = check.opt_object("largefs_settings");
    match settings {
        Some(settings) => validate_largefs(&mut check, settings, !patch),
        None if check.errors.is_empty() => check.required("largefs_settings"),
        None => {}
    }
    check.finish()?;
    let settings = settings.cloned().unwrap_or_default();
    let rec = inst_mut(state, &id);
    let merged = match (&rec.offload, patch) {
        (Some(Value::Object(old)), true) => {
            let mut merged = old.clone();
            merged.extend(settings);
            merged
        }
        _ => settings,
    };
    rec.offload = Some(Value::Object(merged));
    empty(StatusCode::ACCEPTED)
}

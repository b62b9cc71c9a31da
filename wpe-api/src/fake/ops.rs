//! Routing, authentication, validation and the 50 operations.

use std::collections::HashSet;
use std::fmt::Write as _;

use axum::body::Bytes;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use chrono::{DateTime, Datelike as _, NaiveDate, Utc};
use serde_json::{json, Map, Value};
use tokio::time::Instant;
use uuid::Uuid;

use super::state::{
    new_install, AccountUserRec, CachePurge, CertRec, DomainRec, InstallCopy, InstallRec,
    ReportRec, SiteRec, SshKeyRec, State,
};
use super::Shared;
use crate::types::{self, BackupStatus, CertSource, CertificateStatus, Environment, InstallStatus};

const DOCS: &str = "https://wpengineapi.com/reference";
const ROLES: &[&str] = &[
    "owner",
    "full",
    "full,billing",
    "partial",
    "partial,billing",
];
const A_RECORDS: &[&str] = &["141.193.213.10", "141.193.213.11"];

// ---------------------------------------------------------------- replies

/// A successful answer.
struct Reply {
    status: StatusCode,
    /// The body, already serialized.
    body: Option<String>,
}

fn ok(body: impl serde::Serialize) -> Result<Reply, Fail> {
    with_status(StatusCode::OK, body)
}

fn with_status(status: StatusCode, body: impl serde::Serialize) -> Result<Reply, Fail> {
    Ok(Reply {
        status,
        body: Some(serde_json::to_string(&body).expect("responses serialize")),
    })
}

fn empty(status: StatusCode) -> Result<Reply, Fail> {
    Ok(Reply { status, body: None })
}

/// An error answer in the API's shape.
#[derive(Debug)]
struct Fail {
    status: StatusCode,
    message: String,
    errors: Vec<Value>,
    retry_after: Option<u64>,
}

impl Fail {
    fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
            errors: Vec::new(),
            retry_after: None,
        }
    }
    fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "Not Found")
    }
    fn forbidden() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "You don't have permission to perform this action",
        )
    }
    fn unauthorized() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "Bad Credentials")
    }
    /// A 400 with one field error.
    fn field(resource: &str, field: &str, kind: &str, code: &str, message: &str) -> Self {
        let mut fail = Self::new(StatusCode::BAD_REQUEST, "Invalid Request");
        fail.errors
            .push(field_error(resource, field, kind, code, message));
        fail
    }
    fn too_many(message: String, retry_after: u64) -> Self {
        let mut fail = Self::new(StatusCode::TOO_MANY_REQUESTS, message);
        fail.retry_after = Some(retry_after);
        fail
    }
}

fn field_error(resource: &str, field: &str, kind: &str, code: &str, message: &str) -> Value {
    json!({
        "resource": resource,
        "field": field,
        "type": kind,
        "code": code,
        "message": message,
    })
}

fn render(result: Result<Reply, Fail>) -> Response {
    match result {
        Ok(Reply { status, body: None }) => status.into_response(),
        Ok(Reply {
            status,
            body: Some(body),
        }) => (status, [(header::CONTENT_TYPE, "application/json")], body).into_response(),
        Err(fail) => {
            let mut body = json!({ "message": fail.message, "documentation_url": DOCS });
            if !fail.errors.is_empty() {
                body["errors"] = Value::Array(fail.errors);
            }
            let mut response = json_response(fail.status, &body);
            if let Some(seconds) = fail.retry_after {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
            }
            response
        }
    }
}

fn json_response(status: StatusCode, body: &Value) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

// ---------------------------------------------------------------- routing

/// The operationId a method and path (segments after `/v1`) belong to.
fn route(method: &Method, segs: &[&str]) -> Option<&'static str> {
    let m = method.as_str();
    let op = match (m, segs) {
        ("GET", ["status"]) => "status",
        ("GET", ["swagger"]) => "swagger",
        ("GET", ["user"]) => "getCurrentUser",
        ("GET", ["accounts"]) => "listAccounts",
        ("GET", ["accounts", _]) => "getAccount",
        ("GET", ["accounts", _, "limits"]) => "getAccountsLimits",
        ("GET", ["accounts", _, "usage"]) => "getAccountUsageMetrics",
        ("POST", ["accounts", _, "usage", "refresh_disk_usage"]) => "refreshAccountDiskUsage",
        ("GET", ["accounts", _, "usage", "summary"]) => "getAccountUsageSummary",
        ("GET", ["accounts", _, "usage", "insights"]) => "getAccountUsageInsights",
        ("GET", ["accounts", _, "account_users"]) => "listAccountUsers",
        ("POST", ["accounts", _, "account_users"]) => "createAccountUser",
        ("GET", ["accounts", _, "account_users", _]) => "getAccountUser",
        ("PATCH", ["accounts", _, "account_users", _]) => "updateAccountUser",
        ("DELETE", ["accounts", _, "account_users", _]) => "deleteAccountUser",
        ("GET", ["sites"]) => "listSites",
        ("POST", ["sites"]) => "createSite",
        ("GET", ["sites", _]) => "getSite",
        ("PATCH", ["sites", _]) => "updateSite",
        ("DELETE", ["sites", _]) => "deleteSite",
        ("GET", ["installs"]) => "listInstalls",
        ("POST", ["installs"]) => "createInstall",
        ("GET", ["installs", _]) => "getInstall",
        ("PATCH", ["installs", _]) => "updateInstall",
        ("DELETE", ["installs", _]) => "deleteInstall",
        ("POST", ["install_copy"]) => "copyInstall",
        ("GET", ["installs", _, "offload_settings", "largefs_validation_file"]) => {
            "getLargeFSValidationFile"
        }
        ("GET", ["installs", _, "offload_settings", "files"]) => "getOffloadSettings",
        ("POST", ["installs", _, "offload_settings", "files"]) => "updateOffloadSettings",
        ("PATCH", ["installs", _, "offload_settings", "files"]) => "patchOffloadSettings",
        ("GET", ["installs", _, "usage"]) => "getInstallUsageMetrics",
        ("POST", ["installs", _, "usage", "refresh_disk_usage"]) => "refreshEnvironmentDiskUsage",
        ("GET", ["installs", _, "domains"]) => "listDomains",
        ("POST", ["installs", _, "domains"]) => "createDomain",
        ("POST", ["installs", _, "domains", "bulk"]) => "createBulkDomains",
        ("GET", ["installs", _, "domains", "check_status", _]) => "getDomainReportStatus",
        ("GET", ["installs", _, "domains", _]) => "getDomain",
        ("PATCH", ["installs", _, "domains", _]) => "updateDomain",
        ("DELETE", ["installs", _, "domains", _]) => "deleteDomain",
        ("POST", ["installs", _, "domains", _, "check_status"]) => "checkStatus",
        ("GET", ["installs", _, "ssl_certificates"]) => "getInstallCertificates",
        ("POST", ["installs", _, "ssl_certificates", "third_party"]) => {
            "importThirdPartySSLCertificate"
        }
        ("GET", ["installs", _, "domains", _, "ssl_certificate"]) => "getDomainCertificate",
        ("POST", ["installs", _, "domains", _, "ssl_certificate"]) => {
            "createDomainCertificateOrder"
        }
        ("POST", ["installs", _, "backups"]) => "createBackup",
        ("GET", ["installs", _, "backups", _]) => "showBackup",
        ("POST", ["installs", _, "purge_cache"]) => "purgeCache",
        ("GET", ["ssh_keys"]) => "listSshKeys",
        ("POST", ["ssh_keys"]) => "createSshKey",
        ("DELETE", ["ssh_keys", _]) => "deleteSshKey",
        _ => return None,
    };
    Some(op)
}

/// What a handler gets besides the state.
struct Req<'a> {
    shared: &'a Shared,
    segs: Vec<&'a str>,
    query: Vec<(String, String)>,
    body: &'a Bytes,
    /// Index of the authenticated user in `State::users`.
    user: usize,
    /// The accounts the user belongs to.
    accounts: HashSet<Uuid>,
    now: Instant,
}

impl Req<'_> {
    fn id(&self, index: usize) -> Result<Uuid, Fail> {
        self.segs
            .get(index)
            .and_then(|seg| Uuid::parse_str(seg).ok())
            .ok_or_else(Fail::not_found)
    }
    fn query(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }
    fn json(&self, resource: &'static str) -> Result<Map<String, Value>, Fail> {
        parse_object(self.body, resource)
    }
}

pub(crate) fn handle(
    shared: &Shared,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &Bytes,
) -> Response {
    let Some(rest) = uri.path().strip_prefix("/v1") else {
        return render(Err(Fail::not_found()));
    };
    let segs: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
    let Some(op) = route(method, &segs) else {
        return render(Err(Fail::not_found()));
    };
    let query = form_urlencoded::parse(uri.query().unwrap_or("").as_bytes())
        .into_owned()
        .collect();
    let mut state = shared
        .state
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let now = state.now();
    let result = match op {
        "status" => ok(json!({ "success": true, "created_on": state.wall(now).to_rfc3339() })),
        "swagger" => ok(swagger_document()),
        _ => match authenticate(&state, headers) {
            None => Err(Fail::unauthorized()),
            Some(user) => {
                let req = Req {
                    shared,
                    segs,
                    query,
                    body,
                    user,
                    accounts: state.users[user].accounts.clone(),
                    now,
                };
                dispatch(&mut state, op, &req)
            }
        },
    };
    if matches!(&result, Ok(reply) if reply.status.is_success()) {
        state.served.insert(op);
    }
    render(result)
}

fn dispatch(state: &mut State, op: &str, req: &Req<'_>) -> Result<Reply, Fail> {
    match op {
        "getCurrentUser" => get_current_user(state, req),
        "listAccounts" => list_accounts(state, req),
        "getAccount" => get_account(state, req),
        "getAccountsLimits" => get_accounts_limits(state, req),
        "getAccountUsageMetrics" => get_account_usage_metrics(state, req),
        "refreshAccountDiskUsage" => refresh_account_disk_usage(state, req),
        "getAccountUsageSummary" => get_account_usage_summary(state, req),
        "getAccountUsageInsights" => get_account_usage_insights(state, req),
        "listAccountUsers" => list_account_users(state, req),
        "createAccountUser" => create_account_user(state, req),
        "getAccountUser" => get_account_user(state, req),
        "updateAccountUser" => update_account_user(state, req),
        "deleteAccountUser" => delete_account_user(state, req),
        "listSites" => list_sites(state, req),
        "createSite" => create_site(state, req),
        "getSite" => get_site(state, req),
        "updateSite" => update_site(state, req),
        "deleteSite" => delete_site(state, req),
        "listInstalls" => list_installs(state, req),
        "createInstall" => create_install(state, req),
        "getInstall" => get_install(state, req),
        "updateInstall" => update_install(state, req),
        "deleteInstall" => delete_install(state, req),
        "copyInstall" => copy_install(state, req),
        "getLargeFSValidationFile" => get_largefs_validation_file(state, req),
        "getOffloadSettings" => get_offload_settings(state, req),
        "updateOffloadSettings" => set_offload_settings(state, req, false),
        "patchOffloadSettings" => set_offload_settings(state, req, true),
        "getInstallUsageMetrics" => get_install_usage_metrics(state, req),
        "refreshEnvironmentDiskUsage" => refresh_environment_disk_usage(state, req),
        "listDomains" => list_domains(state, req),
        "createDomain" => create_domain(state, req),
        "createBulkDomains" => create_bulk_domains(state, req),
        "getDomain" => get_domain(state, req),
        "updateDomain" => update_domain(state, req),
        "deleteDomain" => delete_domain(state, req),
        "checkStatus" => check_status(state, req),
        "getDomainReportStatus" => get_domain_report_status(state, req),
        "getInstallCertificates" => get_install_certificates(state, req),
        "getDomainCertificate" => get_domain_certificate(state, req),
        "createDomainCertificateOrder" => create_domain_certificate_order(state, req),
        "importThirdPartySSLCertificate" => import_third_party_certificate(state, req),
        "createBackup" => create_backup(state, req),
        "showBackup" => show_backup(state, req),
        "purgeCache" => purge_cache(state, req),
        "listSshKeys" => list_ssh_keys(state, req),
        "createSshKey" => create_ssh_key(state, req),
        "deleteSshKey" => delete_ssh_key(state, req),
        _ => Err(Fail::not_found()),
    }
}

fn authenticate(state: &State, headers: &HeaderMap) -> Option<usize> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (user, password) = text.split_once(':')?;
    state
        .users
        .iter()
        .position(|u| u.username == user && u.password == password)
}

fn swagger_document() -> Value {
    json!({
        "swagger": "2.0",
        "info": {
            "title": "WP Engine API (local stand-in)",
            "version": "1.10.0",
            "description": "Served by wpe_api::fake; the real document lives at the production API."
        },
        "host": "127.0.0.1",
        "basePath": "/v1",
        "schemes": ["http"],
        "paths": {}
    })
}

// ---------------------------------------------------------------- validation

fn parse_object(body: &Bytes, resource: &'static str) -> Result<Map<String, Value>, Fail> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(Fail::field(
            resource,
            "body",
            "invalid_value",
            "missing",
            "A JSON request body is required",
        ));
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(Fail::field(
            resource,
            "body",
            "invalid_value",
            "invalid_type",
            "The request body must be a JSON object",
        )),
        Err(e) => Err(Fail::field(
            resource,
            "body",
            "invalid_value",
            "invalid_json",
            &format!("The request body is not valid JSON: {e}"),
        )),
    }
}

/// Collects field errors while reading a JSON object.
struct Check<'a> {
    resource: &'static str,
    prefix: String,
    obj: &'a Map<String, Value>,
    errors: Vec<Value>,
}

impl<'a> Check<'a> {
    fn new(resource: &'static str, obj: &'a Map<String, Value>) -> Self {
        Self {
            resource,
            prefix: String::new(),
            obj,
            errors: Vec::new(),
        }
    }
    fn nested(resource: &'static str, prefix: &str, obj: &'a Map<String, Value>) -> Self {
        Self {
            resource,
            prefix: format!("{prefix}."),
            obj,
            errors: Vec::new(),
        }
    }
    fn error(&mut self, field: &str, kind: &str, code: &str, message: &str) {
        let field = format!("{}{field}", self.prefix);
        self.errors
            .push(field_error(self.resource, &field, kind, code, message));
    }
    fn required(&mut self, field: &str) {
        self.error(
            field,
            "invalid_value",
            "required",
            &format!("{field} is required"),
        );
    }
    fn wrong_type(&mut self, field: &str, expected: &str) {
        self.error(
            field,
            "invalid_value",
            "invalid_type",
            &format!("{field} must be {expected}"),
        );
    }
    fn present(&self, field: &str) -> Option<&'a Value> {
        self.obj.get(field).filter(|v| !v.is_null())
    }
    fn opt_str(&mut self, field: &str) -> Option<String> {
        match self.present(field)? {
            Value::String(s) => Some(s.clone()),
            _ => {
                self.wrong_type(field, "a string");
                None
            }
        }
    }
    fn req_str(&mut self, field: &str) -> Option<String> {
        if self.present(field).is_none() {
            self.required(field);
            return None;
        }
        let value = self.opt_str(field)?;
        if value.trim().is_empty() {
            self.error(
                field,
                "invalid_value",
                "blank",
                &format!("{field} can't be blank"),
            );
            return None;
        }
        Some(value)
    }
    fn opt_bool(&mut self, field: &str) -> Option<bool> {
        match self.present(field)? {
            Value::Bool(b) => Some(*b),
            _ => {
                self.wrong_type(field, "true or false");
                None
            }
        }
    }
    fn opt_uuid(&mut self, field: &str) -> Option<Uuid> {
        let text = self.opt_str(field)?;
        match Uuid::parse_str(&text) {
            Ok(id) => Some(id),
            Err(_) => {
                self.error(
                    field,
                    "invalid_value",
                    "invalid_uuid",
                    &format!("{field} must be a UUID"),
                );
                None
            }
        }
    }
    fn req_uuid(&mut self, field: &str) -> Option<Uuid> {
        if self.present(field).is_none() {
            self.required(field);
            return None;
        }
        self.opt_uuid(field)
    }
    fn opt_strings(&mut self, field: &str) -> Option<Vec<String>> {
        match self.present(field)? {
            Value::Array(items) if items.iter().all(Value::is_string) => Some(
                items
                    .iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect(),
            ),
            _ => {
                self.wrong_type(field, "an array of strings");
                None
            }
        }
    }
    fn opt_object(&mut self, field: &str) -> Option<&'a Map<String, Value>> {
        match self.present(field)? {
            Value::Object(map) => Some(map),
            _ => {
                self.wrong_type(field, "an object");
                None
            }
        }
    }
    fn finish(self) -> Result<(), Fail> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            let mut fail = Fail::new(StatusCode::BAD_REQUEST, "Invalid Request");
            fail.errors = self.errors;
            Err(fail)
        }
    }
}

fn valid_install_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    (3..=14).contains(&bytes.len())
        && bytes[0].is_ascii_lowercase()
        && bytes[1..]
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

fn valid_domain_name(name: &str) -> bool {
    name.len() <= 253
        && name.contains('.')
        && name.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        })
}

fn valid_email(email: &str) -> bool {
    match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !email.contains(' ')
        }
        None => false,
    }
}

fn parse_environment(check: &mut Check<'_>, field: &str) -> Option<Option<Environment>> {
    let text = match check.present(field) {
        None => return Some(None),
        Some(Value::String(s)) => s.clone(),
        Some(_) => {
            check.wrong_type(field, "a string");
            return None;
        }
    };
    let env = Environment::from(text.as_str());
    if env.is_known() {
        Some(Some(env))
    } else {
        check.error(
            field,
            "invalid_value",
            "invalid_value",
            "environment must be one of production, staging, development",
        );
        None
    }
}

// ---------------------------------------------------------------- paging

struct Page {
    limit: usize,
    offset: usize,
}

fn page_params(req: &Req<'_>, max: usize) -> Result<Page, Fail> {
    let mut fail = Fail::new(StatusCode::BAD_REQUEST, "Invalid Request");
    let limit = match req.query("limit") {
        None => max.min(100),
        Some(text) => match text.parse::<usize>() {
            Ok(n) if n <= max => n,
            _ => {
                fail.errors.push(field_error(
                    "Pagination",
                    "limit",
                    "invalid_value",
                    "out_of_range",
                    &format!("limit must be an integer from 0 to {max}"),
                ));
                0
            }
        },
    };
    let offset = match req.query("offset") {
        None => 0,
        Some(text) => text.parse::<usize>().unwrap_or_else(|_| {
            fail.errors.push(field_error(
                "Pagination",
                "offset",
                "invalid_value",
                "out_of_range",
                "offset must be a non-negative integer",
            ));
            0
        }),
    };
    if fail.errors.is_empty() {
        Ok(Page { limit, offset })
    } else {
        Err(fail)
    }
}

/// A page in the API's shape, with absolute `next`/`previous` URLs.
fn page_body(
    req: &Req<'_>,
    path: &str,
    filter: Option<(&str, String)>,
    page: &Page,
    count: usize,
    results: Vec<Box<serde_json::value::RawValue>>,
) -> PageBody {
    let url = |offset: usize| {
        let mut url = format!("{}/{path}?", req.shared.base_url);
        if let Some((name, value)) = &filter {
            let _ = write!(url, "{name}={value}&");
        }
        let _ = write!(url, "limit={}&offset={offset}", page.limit);
        url
    };
    let next =
        (page.limit > 0 && page.offset + page.limit < count).then(|| url(page.offset + page.limit));
    let previous =
        (page.limit > 0 && page.offset > 0).then(|| url(page.offset.saturating_sub(page.limit)));
    PageBody {
        previous,
        next,
        count,
        results,
    }
}

/// A page in the API's shape; its rows are serialized once, straight from
/// the generated types.
#[derive(serde::Serialize)]
struct PageBody {
    previous: Option<String>,
    next: Option<String>,
    count: usize,
    results: Vec<Box<serde_json::value::RawValue>>,
}

fn paginate<'a, T: 'a, S: serde::Serialize>(
    req: &Req<'_>,
    path: &str,
    filter: Option<(&str, String)>,
    rows: impl Iterator<Item = &'a T>,
    to_json: impl Fn(&T) -> S,
) -> Result<Reply, Fail> {
    let page = page_params(req, 100)?;
    let mut count = 0;
    let mut results = Vec::new();
    for row in rows {
        if count >= page.offset && results.len() < page.limit {
            results.push(serde_json::value::to_raw_value(&to_json(row)).expect("rows serialize"));
        }
        count += 1;
    }
    ok(page_body(req, path, filter, &page, count, results))
}

// ---------------------------------------------------------------- look-ups

fn account_id(req: &Req<'_>) -> Result<Uuid, Fail> {
    let id = req.id(1)?;
    if req.accounts.contains(&id) {
        Ok(id)
    } else {
        Err(Fail::not_found())
    }
}

fn install_id(state: &State, req: &Req<'_>) -> Result<Uuid, Fail> {
    let id = req.id(1)?;
    visible_install(state, req, id)
}

fn visible_install(state: &State, req: &Req<'_>, id: Uuid) -> Result<Uuid, Fail> {
    match state.installs.get(&id) {
        Some(install) if req.accounts.contains(&install.account_id) => Ok(id),
        _ => Err(Fail::not_found()),
    }
}

fn inst<'s>(state: &'s State, id: &Uuid) -> &'s InstallRec {
    state.installs.get(id).expect("install looked up before")
}

fn inst_mut<'s>(state: &'s mut State, id: &Uuid) -> &'s mut InstallRec {
    state
        .installs
        .get_mut(id)
        .expect("install looked up before")
}

fn domain_index(install: &InstallRec, req: &Req<'_>) -> Result<usize, Fail> {
    let id = req.id(3)?;
    install
        .domains
        .iter()
        .position(|d| d.id == id)
        .ok_or_else(Fail::not_found)
}

// ---------------------------------------------------------------- renderers

fn cname(name: &str) -> String {
    format!("{name}.wpengine.com")
}

fn install_json(rec: &InstallRec, now: Instant) -> types::Installation {
    let status = match rec.activates_at {
        Some(at) if at > now => InstallStatus::Pending,
        _ => InstallStatus::Active,
    };
    types::Installation {
        account: types::AccountRef { id: rec.account_id },
        cname: Some(cname(&rec.name)),
        created_at: Some(rec.created_at),
        defer_wordpress_upgrades_until: None,
        environment: rec.environment.clone(),
        id: rec.id,
        is_multisite: Some(rec.is_multisite),
        name: rec.name.clone(),
        php_version: Some(rec.php_version.clone()),
        primary_domain: rec
            .domains
            .iter()
            .find(|d| d.primary)
            .map(|d| d.name.clone()),
        site: rec.site_id.map(|id| types::SiteRef { id }),
        stable_ips: None,
        status: Some(status),
        wp_version: Some(rec.wp_version.clone()),
    }
}

fn site_json(state: &State, rec: &SiteRec) -> types::Site {
    types::Site {
        account: types::AccountRef { id: rec.account_id },
        created_at: Some(rec.created_at),
        group_name: rec.group_name.clone(),
        id: rec.id,
        installs: rec
            .installs
            .iter()
            .filter_map(|id| state.installs.get(id))
            .map(|i| types::SiteInstall {
                cname: Some(cname(&i.name)),
                environment: i.environment.clone(),
                id: Some(i.id),
                is_multisite: Some(i.is_multisite),
                name: Some(i.name.clone()),
                php_version: Some(i.php_version.clone()),
            })
            .collect(),
        name: rec.name.clone(),
        sandbox: Some(rec.sandbox),
        tags: rec.tags.clone(),
        transferable: Some(rec.transferable),
    }
}

fn domain_json(install: &InstallRec, rec: &DomainRec) -> types::Domain {
    let target = rec
        .redirect_to
        .and_then(|id| install.domains.iter().find(|d| d.id == id));
    types::Domain {
        duplicate: false,
        id: rec.id.to_string(),
        name: rec.name.clone(),
        network_details: Some(types::NetworkDetails {
            dns_config_info: Some(types::DnsConfigInfo {
                a_records: A_RECORDS.iter().map(|s| (*s).to_owned()).collect(),
                cname: Some(cname(&install.name)),
            }),
            network_info: Some(types::NetworkInfo {
                ssl: Some(types::DomainSslInfo {
                    status: Some(
                        if install.certs.iter().any(|c| c.domains.contains(&rec.name)) {
                            "ACTIVE"
                        } else {
                            "NONE"
                        }
                        .to_owned(),
                    ),
                }),
                status: Some("ACTIVE".to_owned()),
            }),
        }),
        network_type: Some("AN".to_owned()),
        primary: rec.primary,
        redirects_to: target
            .map(|t| types::DomainRef {
                id: Some(t.id.to_string()),
                name: Some(t.name.clone()),
            })
            .into_iter()
            .collect(),
        secure_all_urls: Some(rec.secure_all_urls),
    }
}

fn account_user_json(
    account_id: Uuid,
    users: &[AccountUserRec],
    rec: &AccountUserRec,
    state: &State,
) -> types::AccountUser {
    let owners = users.iter().filter(|u| u.roles == "owner").count();
    let partial = rec.roles.starts_with("partial");
    types::AccountUser {
        account_id,
        email: rec.email.clone(),
        first_name: rec.first_name.clone(),
        installs: partial.then(|| {
            rec.install_ids
                .iter()
                .filter_map(|id| state.installs.get(id))
                .map(|i| types::AccountUserInstall {
                    id: Some(i.id.to_string()),
                    name: Some(i.name.clone()),
                })
                .collect()
        }),
        invite_accepted: Some(rec.invite_accepted),
        last_name: rec.last_name.clone(),
        last_owner: Some(rec.roles == "owner" && owners == 1),
        mfa_enabled: Some(rec.mfa_enabled),
        phone: rec.phone.clone(),
        roles: rec.roles.clone(),
        user_id: rec.user_id,
    }
}

fn cert_json(
    state: &State,
    install: &InstallRec,
    rec: &CertRec,
    now: Instant,
) -> types::Certificate {
    let enabled = rec.issued_at.is_none_or(|at| at <= now);
    let approved = match rec.issued_at {
        None => Some(rec.ordered_time + chrono::Duration::hours(1)),
        Some(at) if at <= now => Some(state.wall(at)),
        Some(_) => None,
    };
    let account = state
        .accounts
        .get(&install.account_id)
        .map(|a| a.name.clone());
    types::Certificate {
        account,
        approved_time: approved.map(|t| t.to_rfc3339()),
        approver_email: rec.approver_email.clone(),
        auth_file: None,
        auto_renew: Some(rec.source == CertSource::LetsEncrypt),
        cancel_time: None,
        cert_source: Some(rec.source.clone()),
        common_name: rec.domains.first().cloned(),
        domains: rec.domains.clone(),
        expires_time: Some((rec.ordered_time + chrono::Duration::days(90)).to_rfc3339()),
        id: Some(rec.id),
        ordered_time: Some(rec.ordered_time.to_rfc3339()),
        serial_number: Some(rec.serial_number.clone()),
        status: Some(if enabled {
            CertificateStatus::Enabled
        } else {
            CertificateStatus::Submitted
        }),
        wildcard: Some(rec.domains.iter().any(|d| d.starts_with("*."))),
    }
}

// ---------------------------------------------------------------- user, accounts

fn get_current_user(state: &mut State, req: &Req<'_>) -> Result<Reply, Fail> {
    let user = &state.users[req.user];
    ok(types::User {
        email: user.email.clone(),
        first_name: Some(user.first_name.clone()),
        id: user.id.to_string(),
        last_name: Some(user.last_name.clone()),
        phone_number: None,
    })
}

fn account_json(rec: &super::state::AccountRec) -> Value {
    serde_json::to_value(types::Account {
        id: rec.id,
        name: rec.name.clone(),
        nickname: rec.nickname.clone(),
    })
    .expect("account serializes")
}

fn list_accounts(state: &mut State, req: &Req<'_>) -> Result<Reply, Fail> {
    let rows = state
        .accounts
        .iter()
        .filter(|a| req.accounts.contains(&a.id));
    paginate(req, "accounts", None, rows, account_json)
}

fn get_account(state: &mut State, req: &Req<'_>) -> Result<Reply, Fail> {
    let id = account_id(req)?;
    ok(account_json(
        state.accounts.get(&id).ok_or_else(Fail::not_found)?,
    ))
}

fn get_accounts_limits(state: &mut State, req: &Req<'_>) -> Result<Reply, Fail> {
    let id = account_id(req)?;
    let account = state.accounts.get(&id).ok_or_else(Fail::not_found)?;
    let (visitors, storage, bandwidth) = account.limits;
    ok(types::AccountLimits {
        visitors,
        storage,
        bandwidth,
    })
}

// ---------------------------------------------------------------- usage

const METRICS: [&str; 8] = [
    "visit_count",
    "billable_visits",
    "network_origin_bytes",
    "network_cdn_bytes",
    "network_total_bytes",
    "request_origin_count",
    "storage_file_bytes",
    "storage_database_bytes",
];

fn fnv(parts: &[&[u8]]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for byte in *part {
            hash ^= u64::from(*byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        hash ^= 0xff;
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

/// Deterministic daily figures of an install, in the order of [`METRICS`].
fn daily_figures(install: &str, date: NaiveDate) -> [u64; 8] {
    let day = date.format("%Y-%m-%d").to_string();
    let h = fnv(&[install.as_bytes(), day.as_bytes()]);
    let base = fnv(&[install.as_bytes()]);
    let visits = 100 + h % 1900;
    let origin = visits * (20_000 + (h >> 16) % 30_000);
    let cdn = origin * 3;
    let days = u64::try_from(date.num_days_from_ce()).unwrap_or(0) % 1000;
    [
        visits,
        visits * 9 / 10,
        origin,
        cdn,
        origin + cdn,
        visits * 4 + (h >> 32) % 50,
        500_000_000 + base % 1_000_000_000 + days * 1_000_000,
        50_000_000 + (base >> 20) % 100_000_000 + days * 100_000,
    ]
}

struct Period {
    first: NaiveDate,
    last: NaiveDate,
}

impl Period {
    fn days(&self) -> impl Iterator<Item = NaiveDate> + '_ {
        self.first.iter_days().take_while(move |d| *d <= self.last)
    }
}

fn period(state: &State, req: &Req<'_>) -> Result<Period, Fail> {
    let mut fail = Fail::new(StatusCode::BAD_REQUEST, "Invalid Request");
    let mut date = |name: &str| {
        req.query(name).and_then(|text| {
            NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .map_err(|_| {
                    fail.errors.push(field_error(
                        "Usage",
                        name,
                        "invalid_value",
                        "invalid_date",
                        &format!("{name} must be a date (YYYY-MM-DD)"),
                    ));
                })
                .ok()
        })
    };
    let first = date("first_date");
    let last = date("last_date");
    if !fail.errors.is_empty() {
        return Err(fail);
    }
    let last = last.unwrap_or_else(|| state.wall(req.now).date_naive());
    let first = first.unwrap_or(last - chrono::Duration::days(6));
    if first > last {
        return Err(Fail::field(
            "Usage",
            "first_date",
            "invalid_value",
            "invalid_range",
            "first_date must not be after last_date",
        ));
    }
    if (last - first).num_days() > 366 {
        return Err(Fail::field(
            "Usage",
            "first_date",
            "invalid_value",
            "invalid_range",
            "The period may span at most 366 days",
        ));
    }
    Ok(Period { first, last })
}

fn daily_json(install: &str, date: NaiveDate, storage_time: DateTime<Utc>) -> Value {
    let figures = daily_figures(install, date);
    let mut day = Map::new();
    day.insert("date".into(), json!(date.format("%Y-%m-%d").to_string()));
    for (name, value) in METRICS.iter().zip(figures) {
        day.insert((*name).into(), json!(value.to_string()));
    }
    day.insert(
        "storage_update_time".into(),
        json!(storage_time.to_rfc3339()),
    );
    day.insert("traffic_metrics_source".into(), json!("ONHOST"));
    day.insert("database_tables_count".into(), json!("42"));
    day.insert(
        "database_sql_bytes".into(),
        json!((figures[7] * 4 / 5).to_string()),
    );
    day.insert(
        "autoloaded_bytes".into(),
        json!((figures[7] / 100).to_string()),
    );
    Value::Object(day)
}

/// Sum, average and latest of each metric over installs and days.
fn rollup(installs: &[&str], period: &Period) -> Value {
    let mut sums = [0u64; 8];
    let mut latest = [0u64; 8];
    let mut days = 0u64;
    for date in period.days() {
        days += 1;
        let mut today = [0u64; 8];
        for install in installs {
            let figures = daily_figures(install, date);
            for i in 0..8 {
                today[i] += figures[i];
            }
        }
        for i in 0..8 {
            sums[i] += today[i];
        }
        latest = today;
    }
    let last = period.last.format("%Y-%m-%d").to_string();
    let mut out = Map::new();
    for (i, name) in METRICS.iter().enumerate() {
        out.insert(
            (*name).into(),
            json!({
                "sum": sums[i].to_string(),
                "average": (sums[i] / days.max(1)).to_string(),
                "latest": { "date": last, "value": latest[i].to_string() },
            }),
        );
    }
    Value::Object(out)
}

/// `(expected, last)`: when a requested refresh will be done (while it runs),
/// and when storage was last measured.
fn refresh_times(
    state: &State,
    done_at: Option<Instant>,
    now: Instant,
) -> (Option<DateTime<Utc>>, DateTime<Utc>) {
    let seeded = state.start_wall - chrono::Duration::hours(6);
    match done_at {
        Some(done) if done > now => (Some(state.wall(done)), seeded),
        Some(done) => (None, state.wall(done)),
        None => (None, seeded),
    }
}

fn get_account_usage_metrics(state: &mut State, req: &Req<'_>) -> Result<Reply, Fail> {
    let id = account_id(req)?;
    let period = period(state, req)?;
    let limit = match req.query("limit") {
        None => 100,
        Some(text) => match text.parse::<usize>() {
            Ok(n) if n <= 1000 => n,
            _ => {
                return Err(Fail::field(
                    "Usage",
                    "limit",
                    "invalid_value",
                    "out_of_range",
                    "limit must be an integer up to 1000",
                ))
            }
        },
    };
    let offset = match req.query("offset").filter(|t| !t.is_empty()) {
        None => 0,
        Some(token) => token.parse::<usize>().map_err(|_| {
            Fail::field(
                "Usage",
                "offset",
                "invalid_value",
                "invalid_token",
                "offset must be a next_page_token from a previous page",
            )
        })?,
    };
    let delay = req.shared.config.disk_usage_refresh_delay;
    let installs: Vec<&InstallRec> = state
        .installs
        .iter()
        .filter(|i| i.account_id == id)
        .collect();
    let total = installs.len();
    let mut environments = Vec::new();
    for install in installs.iter().skip(offset).take(limit) {
        let (expected, last) =
            refresh_times(state, install.refresh_requested.map(|r| r + delay), req.now);
        let metrics: Vec<Value> = period
            .days()
            .map(|d| daily_json(&install.name, d, last))
            .collect();
        environments.push(json!({
            "environment_name": install.name,
            "metrics": metrics,
            "metrics_rollup": rollup(&[install.name.as_str()], &period),
            "storage_refresh_expected_time": expected.map(|t| t.to_rfc3339()),
        }));
    }
    let account = state.accounts.get(&id).ok_or_else(Fail::not_found)?;
    let (expected, last) =
        refresh_times(state, account.refresh_requested.map(|r| r + delay), req.now);
    let next = (offset + limit < total && limit > 0).then(|| (offset + limit).to_string());
    ok(json!({
        "environment_metrics": environments,
        "total_size": total,
        "next_page_token": next,
        "all_environments_included": next.is_none() && offset == 0,
        "last_account_storage_refresh_time": last.to_rfc3339(),
        "account_storage_refresh_expected_time": expected.map(|t| t.to_rfc3339()),
    }))
}

fn refresh_account_disk_usage(state: &mut State, req: &Req<'_>) -> Result<Reply, Fail> {
    let id = account_id(req)?;
    let now = req.now;
    let account = state.accounts.get_mut(&id).ok_or_else(Fail::not_found)?;
    account.refresh_requested = Some(now);
    empty(StatusCode::OK)
}

fn get_account_usage_summary(state: &mut State, req: &Req<'_>) -> Result<Reply, Fail> {
    let id = account_id(req)?;
    let period = period(state, req)?;
    let names: Vec<&str> = state
        .installs
        .iter()
        .filter(|i| i.account_id == id)
        .map(|i| i.name.as_str())
        .collect();
    ok(rollup(&names, &period))
}

fn get_account_usage_insights(state: &mut State, req: &Req<'_>) -> Result<Reply, Fail> {
    let id = account_id(req)?;
    let period = period(state, req)?;
    // [total, production, staging, development, standard, transferable, sandbox]
    let mut sums = [[0u64; 7]; 8];
    for install in state.installs.iter().filter(|i| i.account_id == id) {
        let env_slot = match install.environment.as_ref().map(Environment::as_str) {
            Some("production") => Some(1),
            Some("staging") => Some(2),
            Some("development") => Some(3),
            _ => None,
        };
        let site = install.site_id.and_then(|s| state.sites.get(&s));
        let site_slot = match site {
            Some(s) if s.sandbox => 6,
            Some(s) if s.transferable => 5,
            _ => 4,
        };
        for date in period.days() {
            let figures = daily_figures(&install.name, date);
            for (metric, value) in figures.iter().enumerate() {
                sums[metric][0] += value;
                if let Some(slot) = env_slot {
                    sums[metric][slot] += value;
                }
                sums[metric][site_slot] += value;
            }
        }
    }
    let mut out = Map::new();
    for (metric, name) in METRICS.iter().enumerate() {
        let s = sums[metric].map(|v| v.to_string());
        out.insert(
            (*name).into(),
            json!({
                "total": s[0],
                "environment_types": { "production": s[1], "staging": s[2], "development": s[3] },
                "site_types": { "standard": s[4], "transferable": s[5], "sandbox": s[6] },
            }),
        );
    }
    ok(Value::Object(out))
}

fn get_install_usage_metrics(state: &mut State, req: &Req<'_>) -> Result<Reply, Fail> {
    let id = install_id(state, req)?;
    let period = period(state, req)?;
    let install = inst(state, &id);
    let delay = req.shared.config.disk_usage_refresh_delay;
    let (expected, last) =
        refresh_times(state, install.refresh_requested.map(|r| r + delay), req.now);
    let metrics: Vec<Value> = period
        .days()
        .map(|d| daily_json(&install.name, d, last))
        .collect();
    ok(json!({
        "install_name": install.name,
        "metrics": metrics,
        "metrics_rollup": rollup(&[install.name.as_str()], &period),
        "storage_refresh_expected_time": expected.map(|t| t.to_rfc3339()),
    }))
}

fn refresh_environment_disk_usage(state: &mut State, req: &Req<'_>) -> Result<Reply, Fail> {
    let id = install_id(state, req)?;
    inst_mut(state, &id).refresh_requested = Some(req.now);
    empty(StatusCode::OK)
}

// ---------------------------------------------------------------- account users

fn list_account_users(state: &mut State, req: &Req<'_>) -> Result<Reply, Fail> {
    let id = account_id(req)?;
    let account = state.accounts.get(&id).ok_or_else(Fail::not_found)?;
    let results: Vec<types::AccountUser> = account
        .users
        .iter()
        .map(|u| account_user_json(id, &account.users, u, state))
        .collect();
    ok(json!({ "results": results }))
}

fn validate_roles(check: &mut Check<'_>, field: &str) -> Option<String> {
    let roles = check.req_str(field)?;
    if ROLES.contains(&roles.as_str()) {
        Some(roles)
    } else {
        check.error(
            field,
            "invalid_value",
            "invalid_role",
            "roles must be one of: owner, full, full,billing, partial, partial,billing",
        );
        None
    }
}

fn validate_install_ids(
    state: &State,
    check: &mut Check<'_>,
    account_id: Uuid,
    roles: Option<&str>,
) -> Vec<Uuid> {
    let Some(ids) = check.opt_strings("install_ids") else {
        return Vec::new();
    };
    if !roles.is_some_and(|r| r.starts_with("partial")) {
        return Vec::new();
    }
    let mut out = Vec::new();
    for text in ids {
        match Uuid::parse_str(&text).ok().filter(|id| {
            state
                .installs
                .get(id)
                .is_some_and(|i| i.account_id == account_id)
        }) {
            Some(id) => out.push(id),
            None => check.error(
                "install_ids",
                "invalid_value",
                "unknown_install",
                &format!("{text} is not an install of this account"),
            ),
        }
    }
    out
}

fn create_account_user(state: &mut State, req: &Req<'_>) -> Result<Reply, Fail> {
    let id = account_id(req)?;
    let body = req.json("AccountUser")?;
    let mut check = Check::new("AccountUser", &body);
    let Some(user) = check.present("user") else {
        check.required("user");
        return Err(check.finish().err().unwrap_or_else(Fail::not_found));
    };
    let Value::Object(user) = user else {
        check.wrong_type("user", "an object");
        return Err(check.finish().err().unwrap_or_else(Fail::not_found));
    };
    let mut check = Check::nested("AccountUser", "user", user);
    let body_account = check.req_uuid("account_id");
    if body_account.is_some_and(|a| a != id) {
        check.error(
            "account_id",
            "invalid_value",
            "mismatch",
            "account_id must be the account in the path",
        );
    }
    let first_name = check.req_str("first_name");
    let last_name = check.req_str("last_name");
    let email = check.req_str("email");
    if let Some(email) = &email {
        if !valid_email(email) {
            check.error(
                "email",
                "invalid_value",
                "invalid_email",
                "email is not a valid email address",
            );
        }
    }
    let roles = validate_roles(&mut check, "roles");
    let install_ids = validate_install_ids(state, &mut check, id, roles.as_deref());
    let account = state.accounts.get(&id).ok_or_else(Fail::not_found)?;
    if let Some(email) = &email {
        if account
            .users
            .iter()
            .any(|u| u.email.eq_ignore_ascii_case(email))
        {
            check.error(
                "email",
                "value_unavailable",
                "already_taken",
                "A user with this email already belongs to the account",
            );
        }
    }
    check.finish()?;
    let user_id = state.new_id();
    let rec = AccountUserRec {
        user_id,
        first_name: first_name.unwrap_or_default(),
        last_name: last_name.unwrap_or_default(),
        email: email.unwrap_or_default(),
        phone: None,
        roles: roles.unwrap_or_default(),
        install_ids,
        invite_accepted: false,
        mfa_enabled: false,
    };
    let account = state.accounts.get_mut(&id).ok_or_else(Fail::not_found)?;
    account.users.push(rec.clone());
    let account = state.accounts.get(&id).ok_or_else(Fail::not_found)?;
    let user = account_user_json(id, &account.users, &rec, state);
    with_status(
        StatusCode::CREATED,
        types::AccountUserChanged {
            account_user: Some(user),
            message: Some("Your change was successful.".to_owned()),
        },
    )
}

fn account_user_index(state: &State, req: &Req<'_>, account: Uuid) -> Result<usize, Fail> {
    let user_id = req.id(3)?;
    state
        .accounts
        .get(&account)
        .and_then(|a| a.users.iter().position(|u| u.user_id == user_id))
        .ok_or_else(Fail::not_found)
}

fn get_account_user(state: &mut State, req: &Req<'_>) -> Result<Reply, Fail> {
    let id = account_id(req)?;
    let index = account_user_index(state, req, id)?;
    let account = state.accounts.get(&id).ok_or_else(Fail::not_found)?;
    ok(account_user_json(
        id,
        &account.users,
        &account.users[index],
        state,
    ))
}

fn is_last_owner(users: &[AccountUserRec], index: usize) -> bool {
    users[index].roles == "owner" && users.iter().filter(|u| u.roles == "owner").count() == 1
}

fn update_account_user(state: &mut State, req: &Req<'_>) -> Result<Reply, Fail> {
    let id = account_id(req)?;
    let index = account_user_index(state, req, id)?;
    let body = req.json("AccountUser")?;
    let mut check = Check::new("AccountUser", &body);
    let roles = validate_roles(&mut check, "roles");
    let install_ids = validate_install_ids(state, &mut check, id, roles.as_deref());
    let account = state.accounts.get(&id).ok_or_else(Fail::not_found)?;
    if roles.as_deref().is_some_and(|r| r != "owner") && is_last_owner(&account.users, index) {
        check.error(
            "roles",
            "invalid_value",
            "last_owner",
            "The account's last owner must stay an owner",
        );
    }
    check.finish()?;
    let account = state.accounts.get_mut(&id).ok_or_else(Fail::not_found)?;
    let rec = &mut account.users[index];
    rec.roles = roles.unwrap_or_default();
    rec.install_ids = install_ids;
    let rec = rec.clone();
    let account = state.accounts.get(&id).ok_or_else(Fail::not_found)?;
    ok(types::AccountUserChanged {
        account_user: Some(account_user_json(id, &account.users, &rec, state)),
        message: Some("Your change was successful.".to_owned()),
    })
}

fn delete_account_user(state: &mut State, req: &Req<'_>) -> Result<Reply, Fail> {
    let id = account_id(req)?;
    let index = account_user_index(state, req, id)?;
    let account = state.accounts.get_mut(&id).ok_or_else(Fail::not_found)?;
    if is_last_owner(&account.users, index) {
        return Err(Fail::field(
            "AccountUser",
            "user_id",
            "invalid_value",
            "last_owner",
            "The account's last owner cannot be removed",
        ));
    }
    account.users.remove(index);
    empty(StatusCode::NO_CONTENT)
}

// ---------------------------------------------------------------- sites

fn account_filter(req: &Req<'_>) -> Result<Option<Uuid>, Fail> {
    match req.query("account_id") {
        None => Ok(None),
        Some(text) => Uuid::parse_str(text).map(Some).map_err(|_| {
            Fail::field(
                "Pagination",
                "account_id",
                "invalid_value",
                "invalid_uuid",
                "account_id must be a UUID",
            )
        }),
    }
}

fn list_sites(state: &mut State, req: &Req<'_>) -> Result<Reply, Fail> {
    let filter = account_filter(req)?;
    let visible: Vec<Uuid> = req.accounts.iter().copied().collect();
    let rows = state
        .sites
        .iter()
        .filter(|s| visible.contains(&s.account_id) && filter.is_none_or(|f| f == s.account_id));
    let st: &State = state;
    paginate(
        req,
        "sites",
        filter.map(|f| ("account_id", f.to_string())),
        rows,
        |s| site_json(st, s),
    )
}

fn site_id(state: &State, req: &Req<'_>) -> Result<Uuid, Fail> {
    let id = req.id(1)?;
    match state.sites.get(&id) {
        Some(site) if req.accounts.contains(&site.account_id) => Ok(id),
        _ => Err(Fail::not_found()),
    }
}

fn create_site(state: &mut State, req: &Req<'_>) -> Result<Reply, Fail> {
    let body = req.json("Site")?;
    let mut check = Check::new("Site", &body);
    let name = check.req_str("name");
    if name.as_ref().is_some_and(|n| n.chars().count() > 40) {
        check.error(
            "name",
            "invalid_value",
            "too_long",
            "name is too long (maximum is 40 characters)",
        );
    }
    let account = check.req_uuid("account_id");
    check.finish()?;
    let account = account.unwrap_or_default();
    if !req.accounts.contains(&account) {
        return Err(Fail::forbidden());
    }
    let id = state.new_id();
    let rec = SiteRec {
        id,
        account_id: account,
        name: name.unwrap_or_default(),
        created_at: state.wall(req.now),
        installs: Vec::new(),
        group_name: None,
        tags: Vec::new(),
        sandbox: false,
        transferable: false,
    };
    let site = site_json(state, &rec);
    state.sites.insert(id, rec);
    with_status(StatusCode::CREATED, site)
}

fn get_site(state: &mut State, req: &Req<'_>) -> Result<Reply, Fail> {
    let id = site_id(state, req)?;
    ok(site_json(
        state,
        state.sites.get(&id).ok_or_else(Fail::not_found)?,
    ))
}

fn update_site(state: &mut State, req: &Req<'_>) -> Result<Reply, Fail> {
    let id = site_id(state, req)?;
    let body = req.json("Site")?;
    let mut check = Check::new("Site", &body);
    let name = check.opt_str("name");
    if let Some(name) = &name {
        if name.trim().is_empty() {
            check.error("name", "invalid_value", "blank", "name can't be blank");
        } else if name.chars().count() > 40 {
            check.error(
                "name",
                "invalid_value",
                "too_long",
                "name is too long (maximum is 40 characters)",
            );
        }
    }
    check.finish()?;
    let site = state.sites.get_mut(&id).ok_or_else(Fail::not_found)?;
    if let Some(name) = name {
        site.name = name;
    }
    ok(site_json(
        state,
        state.sites.get(&id).ok_or_else(Fail::not_found)?,
    ))
}

fn remove_install(state: &mut State, id: &Uuid) {
    if let Some(install) = state.installs.remove(id) {
        state.install_names.remove(&install.name);
        for domain in &install.domains {
            state.domain_names.remove(&domain.name);
        }
        if let Some(site) = install.site_id.and_then(|s| state.sites.get_mut(&s)) {
            site.installs.retain(|i| i != id);
        }
        state.backups.retain(|_, b| b.install_id != *id);
        state.reports.retain(|_, r| r.install_id != *id);
    }
}

fn delete_site(state: &mut State, req: &Req<'_>) -> Result<Reply, Fail> {
    let id = site_id(state, req)?;
    let site = state.sites.remove(&id).ok_or_else(Fail::not_found)?;
    for install in &site.installs {
        remove_install(state, install);
    }
    empty(StatusCode::NO_CONTENT)
}

// ---------------------------------------------------------------- installs

fn list_installs(state: &mut State, req: &Req<'_>) -> Result<Reply, Fail> {
    let filter = account_filter(req)?;
    let now = req.now;
    // A user has a handful of accounts: a linear check beats hashing per row.
    let visible: Vec<Uuid> = req.accounts.iter().copied().collect();
    let rows = state
        .installs
        .iter()
        .filter(|i| visible.contains(&i.account_id) && filter.is_none_or(|f| f == i.account_id));
    paginate(
        req,
        "installs",
        filter.map(|f| ("account_id", f.to_string())),
        rows,
        |i| install_json(i, now),
    )
}

/// Checks that `site` can take an install with `env`; `moving` is the install being moved.
fn check_site_slot(
    state: &State,
    check: &mut Check<'_>,
    site: Uuid,
    account: Uuid,
    env: Option<&Environment>,
    moving: Option<Uuid>,
) {
    let Some(rec) = state.sites.get(&site).filter(|s| s.account_id == account) else {
        check.error(
            "site_id",
            "invalid_value",
            "unknown_site",
            "site_id is not a site of the account",
        );
        return;
    };
    let others = rec.installs.iter().filter(|i| Some(**i) != moving);
    if others.clone().count() >= 3 {
        check.error(
            "site_id",
            "invalid_value",
            "site_full",
            "A site holds at most three installs",
        );
    }
    if let Some(env) = env {
        if others
            .filter_map(|i| state.installs.get(i))
            .any(|i| i.environment.as_ref() == Some(env))
        {
            check.error(
                "environment",
                "value_unavailable",
                "already_taken",
                &format!("The site already has a {env} install"),
            );
        }
    }
}

fn create_install(state: &mut State, req: &Req<'_>) -> Result<Reply, Fail> {
    let body = req.json("Install")?;
    let mut check = Check::new("Install", &body);
    let name = check.req_str("name");
    if let Some(name) = &name {
        if !valid_install_name(name) {
            check.error(
                "name",
                "invalid_value",
                "invalid_format",
                "name must start with a lower-case letter and hold 3 to 14 lower-case letters or digits",
            );
        } else if state.install_names.contains(name) {
            check.error(
                "name",
                "value_unavailable",
                "already_taken",
                "name has already been taken",
            );
        }
    }
    let account = check.req_uuid("account_id");
    let site = check.opt_uuid("site_id");
    let env = parse_environment(&mut check, "environment");
    if let (Some(account), Some(site), Some(env)) = (account, site, &env) {
        if req.accounts.contains(&account) {
            check_site_slot(state, &mut check, site, account, env.as_ref(), None);
        }
    }
    check.finish()?;
    let account = account.unwrap_or_default();
    if !req.accounts.contains(&account) {
        return Err(Fail::forbidden());
    }
    let id = state.new_id();
    let name = name.unwrap_or_default();
    let delay = req.shared.config.install_activation_delay;
    let rec = new_install(
        id,
        name.clone(),
        account,
        site,
        env.flatten(),
        state.wall(req.now),
        req.now + delay,
    );
    if let Some(site) = site.and_then(|s| state.sites.get_mut(&s)) {
        site.installs.push(id);
    }
    state.install_names.insert(name);
    let body = install_json(&rec, req.now);
    state.installs.insert(id, rec);
    with_status(StatusCode::CREATED, body)
}

fn get_install(state: &mut State, req: &Req<'_>) -> Result<Reply, Fail> {
    let id = install_id(state, req)?;
    ok(install_json(inst(state, &id), req.now))
}

fn update_install(state: &mut State, req: &Req<'_>) -> Result<Reply, Fail> {
    let id = install_id(state, req)?;
    let body = req.json("Install")?;
    let mut check = Check::new("Install", &body);
    let site = check.opt_uuid("site_id");
    let env_given = body.contains_key("environment");
    let env = parse_environment(&mut check, "environment");
    let current = inst(state, &id);
    let account = current.account_id;
    let new_site = site.or(current.site_id);
    let new_env = if env_given {
        env.clone().flatten()
    } else {
        current.environment.clone()
    };
    if let Some(target) = new_site {
        if env.is_some() {
            check_site_slot(
                state,
                &mut check,
                target,
                account,
                new_env.as_ref(),
                Some(id),
            );
        }
    }
    check.finish()?;
    let old_site = inst(state, &id).site_id;
    if let (Some(new), true) = (site, site != old_site) {
        if let Some(old) = old_site.and_then(|s| state.sites.get_mut(&s)) {
            old.installs.retain(|i| *i != id);
        }
        if let Some(target) = state.sites.get_mut(&new) {
            target.installs.push(id);
        }
    }
    let rec = inst_mut(state, &id);
    rec.site_id = new_site;
    rec.environment = new_env;
    ok(install_json(inst(state, &id), req.now))
}

fn delete_install(state: &mut State, req: &Req<'_>) -> Result<Reply, Fail> {
    let id = install_id(state, req)?;
    remove_install(state, &id);
    empty(StatusCode::NO_CONTENT)
}

fn copy_install(state: &mut State, req: &Req<'_>) -> Result<Reply, Fail> {
    let body = req.json("InstallCopy")?;
    let mut check = Check::new("InstallCopy", &body);
    let source = check.req_uuid("source_environment_id");
    let destination = check.req_uuid("destination_environment_id");
    let emails = check.opt_strings("notification_emails").unwrap_or_default();
    for email in &emails {
        if !valid_email(email) {
            check.error(
                "notification_emails",
                "invalid_value",
                "invalid_email",
                &format!("{email} is not a valid email address"),
            );
        }
    }
    let options = check.opt_object("custom_options");
    let (mut include_files, mut include_db, mut db_tables) = (None, None, Vec::new());
    if let Some(options) = options {
        let mut nested = Check::nested("InstallCopy", "custom_options", options);
        include_files = nested.opt_bool("include_files");
        include_db = nested.opt_bool("include_db");
        db_tables = nested.opt_strings("db_tables").unwrap_or_default();
        check.errors.append(&mut nested.errors);
    }
    if source.is_some() && source == destination {
        check.error(
            "destination_environment_id",
            "invalid_value",
            "same_install",
            "An install cannot be copied onto itself",
        );
    }
    check.finish()?;
    let (Some(source), Some(destination)) = (source, destination) else {
        return Err(Fail::not_found());
    };
    visible_install(state, req, source)?;
    visible_install(state, req, destination)?;
    state.copies.push(InstallCopy {
        source,
        destination,
        notification_emails: emails,
        include_files,
        include_db,
        db_tables,
    });
    empty(StatusCode::ACCEPTED)
}

// ---------------------------------------------------------------- offload settings

fn get_largefs_validation_file(state: &mut State, req: &Req<'_>) -> Result<Reply, Fail> {
    let id = install_id(state, req)?;
    let hash = fnv(&[b"largefs", id.as_bytes()]);
    ok(types::LargeFsValidationFile {
        name: Some("wpe-largefs-validation.txt".to_owned()),
        content: Some(format!("{hash:016x}")),
    })
}

fn get_offload_settings(state: &mut State, req: &Req<'_>) -> Result<Reply, Fail> {
    let id = install_id(state, req)?;
    match &inst(state, &id).offload {
        Some(settings) => ok(json!({ "largefs_settings": settings })),
        None => ok(json!({})),
    }
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

fn set_offload_settings(state: &mut State, req: &Req<'_>, patch: bool) -> Result<Reply, Fail> {
    let id = install_id(state, req)?;
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

// ---------------------------------------------------------------- domains

fn list_domains(state: &mut State, req: &Req<'_>) -> Result<Reply, Fail> {
    let id = install_id(state, req)?;
    let install = inst(state, &id);
    paginate(
        req,
        &format!("installs/{id}/domains"),
        None,
        install.domains.iter(),
        |d| domain_json(install, d),
    )
}

fn check_new_domain_name(state: &State, check: &mut Check<'_>, field: &str, name: &str) {
    if !valid_domain_name(name) {
        check.error(
            field,
            "invalid_value",
            "invalid_domain",
            &format!("{name} is not a valid domain name"),
        );
    } else if state.domain_names.contains_key(name) {
        check.error(
            field,
            "value_unavailable",
            "already_taken",
            &format!("{name} is already configured on an install"),
        );
    }
}

fn set_primary(install: &mut InstallRec, index: usize) {
    for (i, domain) in install.domains.iter_mut().enumerate() {
        domain.primary = i == index;
    }
}

fn create_domain(state: &mut State, req: &Req<'_>) -> Result<Reply, Fail> {
    let id = install_id(state, req)?;
    let body = req.json("Domain")?;
    let mut check = Check::new("Domain", &body);
    let name = check.req_str("name").map(|n| n.to_ascii_lowercase());
    if let Some(name) = &name {
        check_new_domain_name(state, &mut check, "name", name);
    }
    let primary = check.opt_bool("primary").unwrap_or(false);
    let redirect = check.opt_uuid("redirect_to");
    let install = inst(state, &id);
    if let Some(target) = redirect {
        match install.domains.iter().find(|d| d.id == target) {
            None => check.error(
                "redirect_to",
                "invalid_value",
                "unknown_domain",
                "redirect_to is not a domain of this install",
            ),
            Some(d) if d.redirect_to.is_some() => check.error(
                "redirect_to",
                "invalid_value",
                "redirect_chain",
                "redirect_to may not point at a domain that redirects itself",
            ),
            Some(_) => {}
        }
        if primary {
            check.error(
                "primary",
                "invalid_value",
                "redirect_primary",
                "A redirecting domain cannot be primary",
            );
        }
    }
    check.finish()?;
    let name = name.unwrap_or_default();
    let domain_id = state.new_id();
    state.domain_names.insert(name.clone(), id);
    let rec = inst_mut(state, &id);
    rec.domains.push(DomainRec {
        id: domain_id,
        name,
        primary: false,
        redirect_to: redirect,
        secure_all_urls: false,
    });
    let index = rec.domains.len() - 1;
    if primary {
        set_primary(rec, index);
    }
    let install = inst(state, &id);
    with_status(
        StatusCode::CREATED,
        domain_json(install, &install.domains[index]),
    )
}

fn create_bulk_domains(state: &mut State, req: &Req<'_>) -> Result<Reply, Fail> {
    let id = install_id(state, req)?;
    let body = req.json("Domain")?;
    let mut check = Check::new("Domain", &body);
    let items = match check.present("domains") {
        None => {
            check.required("domains");
            Vec::new()
        }
        Some(Value::Array(items)) => items.clone(),
        Some(_) => {
            check.wrong_type("domains", "an array");
            Vec::new()
        }
    };
    if check.errors.is_empty() && (items.is_empty() || items.len() > 20) {
        check.error(
            "domains",
            "invalid_value",
            if items.is_empty() {
                "too_short"
            } else {
                "too_long"
            },
            "domains must hold 1 to 20 domains",
        );
    }
    let install = inst(state, &id);
    let mut names: Vec<(String, Option<String>)> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let field = format!("domains[{i}]");
        let Value::Object(item) = item else {
            check.wrong_type(&field, "an object");
            continue;
        };
        let mut one = Check::nested("Domain", &field, item);
        let name = one.req_str("name").map(|n| n.to_ascii_lowercase());
        let redirect = one.opt_str("redirect_to").map(|n| n.to_ascii_lowercase());
        if let Some(name) = &name {
            check_new_domain_name(state, &mut one, "name", name);
            if names.iter().any(|(n, _)| n == name) {
                one.error(
                    "name",
                    "invalid_value",
                    "duplicate",
                    &format!("{name} appears twice in the request"),
                );
            }
        }
        check.errors.append(&mut one.errors);
        if let Some(name) = name {
            names.push((name, redirect));
        }
    }
    for (i, (_, redirect)) in names.iter().enumerate() {
        let Some(target) = redirect else { continue };
        let in_request = names.iter().any(|(n, r)| n == target && r.is_none());
        let on_install = install
            .domains
            .iter()
            .any(|d| &d.name == target && d.redirect_to.is_none());
        if !in_request && !on_install {
            check.error(
                &format!("domains[{i}].redirect_to"),
                "invalid_value",
                "unknown_domain",
                &format!("{target} is neither in the request nor a non-redirecting domain of the install"),
            );
        }
    }
    check.finish()?;
    let ids: Vec<Uuid> = names.iter().map(|_| state.new_id()).collect();
    for (name, _) in &names {
        state.domain_names.insert(name.clone(), id);
    }
    let rec = inst_mut(state, &id);
    let first_new = rec.domains.len();
    for ((name, _), domain_id) in names.iter().zip(&ids) {
        rec.domains.push(DomainRec {
            id: *domain_id,
            name: name.clone(),
            primary: false,
            redirect_to: None,
            secure_all_urls: false,
        });
    }
    for (offset, (_, redirect)) in names.iter().enumerate() {
        if let Some(target) = redirect {
            let target_id = rec.domains.iter().find(|d| &d.name == target).map(|d| d.id);
            rec.domains[first_new + offset].redirect_to = target_id;
        }
    }
    let install = inst(state, &id);
    let created: Vec<types::DomainOrRedirect> = install.domains[first_new..]
        .iter()
        .map(|d| {
            let target = d
                .redirect_to
                .and_then(|t| install.domains.iter().find(|x| x.id == t));
            types::DomainOrRedirect {
                duplicate: false,
                id: d.id.to_string(),
                name: d.name.clone(),
                primary: d.primary,
                redirects_to: target.map(|t| types::DomainRef {
                    id: Some(t.id.to_string()),
                    name: Some(t.name.clone()),
                }),
            }
        })
        .collect();
    with_status(StatusCode::CREATED, json!({ "domains": created }))
}

fn get_domain(state: &mut State, req: &Req<'_>) -> Result<Reply, Fail> {
    let id = install_id(state, req)?;
    let install = inst(state, &id);
    let index = domain_index(install, req)?;
    ok(domain_json(install, &install.domains[index]))
}

fn update_domain(state: &mut State, req: &Req<'_>) -> Result<Reply, Fail> {
    let id = install_id(state, req)?;
    let index = domain_index(inst(state, &id), req)?;
    let body = req.json("Domain")?;
    let mut check = Check::new("Domain", &body);
    let primary = check.opt_bool("primary");
    let secure = check.opt_bool("secure_all_urls");
    let redirect_text = check.opt_str("redirect_to");
    let install = inst(state, &id);
    let this = &install.domains[index];
    // An empty redirect_to removes the redirect.
    let redirect: Option<Option<Uuid>> = match redirect_text.as_deref() {
        None => None,
        Some("") => Some(None),
        Some(text) => match Uuid::parse_str(text)
            .ok()
            .and_then(|t| install.domains.iter().find(|d| d.id == t))
        {
            None => {
                check.error(
                    "redirect_to",
                    "invalid_value",
                    "unknown_domain",
                    "redirect_to is not a domain of this install",
                );
                None
            }
            Some(target) if target.id == this.id => {
                check.error(
                    "redirect_to",
                    "invalid_value",
                    "redirect_self",
                    "A domain cannot redirect to itself",
                );
                None
            }
            Some(target) if target.redirect_to.is_some() => {
                check.error(
                    "redirect_to",
                    "invalid_value",
                    "redirect_chain",
                    "redirect_to may not point at a domain that redirects itself",
                );
                None
            }
            Some(target) => Some(Some(target.id)),
        },
    };
    let will_redirect = redirect.unwrap_or(this.redirect_to).is_some();
    let will_be_primary = primary.unwrap_or(this.primary);
    if will_redirect && will_be_primary {
        check.error(
            "primary",
            "invalid_value",
            "redirect_primary",
            "A redirecting domain cannot be primary",
        );
    }
    if will_redirect
        && install
            .domains
            .iter()
            .any(|d| d.redirect_to == Some(this.id))
    {
        check.error(
            "redirect_to",
            "invalid_value",
            "redirect_chain",
            "Other domains redirect to this one, so it cannot redirect",
        );
    }
    check.finish()?;
    let rec = inst_mut(state, &id);
    if let Some(redirect) = redirect {
        rec.domains[index].redirect_to = redirect;
    }
    if let Some(secure) = secure {
        rec.domains[index].secure_all_urls = secure;
    }
    match primary {
        Some(true) => set_primary(rec, index),
        Some(false) => rec.domains[index].primary = false,
        None => {}
    }
    let install = inst(state, &id);
    ok(domain_json(install, &install.domains[index]))
}

fn delete_domain(state: &mut State, req: &Req<'_>) -> Result<Reply, Fail> {
    let id = install_id(state, req)?;
    let index = domain_index(inst(state, &id), req)?;
    let rec = inst_mut(state, &id);
    let domain_id = rec.domains[index].id;
    if rec.domains.iter().any(|d| d.redirect_to == Some(domain_id)) {
        return Err(Fail::field(
            "Domain",
            "domain_id",
            "invalid_value",
            "has_redirects",
            "Other domains redirect to this domain; remove those redirects first",
        ));
    }
    let removed = rec.domains.remove(index);
    state.domain_names.remove(&removed.name);
    empty(StatusCode::NO_CONTENT)
}

fn check_status(state: &mut State, req: &Req<'_>) -> Result<Reply, Fail> {
    let id = install_id(state, req)?;
    let index = domain_index(inst(state, &id), req)?;
    let interval = req.shared.config.domain_check_interval;
    let now = req.now;
    let rec = inst_mut(state, &id);
    per_install_limit(
        &mut rec.last_domain_check,
        interval,
        now,
        "Domain status checks",
    )?;
    let name = rec.domains[index].name.clone();
    let report = state.new_id();
    state.reports.insert(
        report,
        ReportRec {
            install_id: id,
            domains: vec![name],
            created: now,
        },
    );
    with_status(
        StatusCode::ACCEPTED,
        types::DomainReport { report_id: report },
    )
}

/// One call per `interval` per install: a 429 with the API's message and
/// `Retry-After` while `last` is too recent, else records `now` as the last call.
fn per_install_limit(
    last: &mut Option<Instant>,
    interval: std::time::Duration,
    now: Instant,
    what: &str,
) -> Result<(), Fail> {
    if let Some(ready) = last.map(|at| at + interval).filter(|ready| *ready > now) {
        return Err(Fail::too_many(
            format!(
                "{what} are rate-limited to one request every {} seconds for each install",
                interval.as_secs()
            ),
            ceil_secs(ready - now),
        ));
    }
    *last = Some(now);
    Ok(())
}

fn ceil_secs(duration: std::time::Duration) -> u64 {
    let secs = duration.as_secs();
    if duration.subsec_nanos() > 0 {
        secs + 1
    } else {
        secs.max(1)
    }
}

fn get_domain_report_status(state: &mut State, req: &Req<'_>) -> Result<Reply, Fail> {
    let id = install_id(state, req)?;
    let report_id = req.id(4)?;
    let report = state
        .reports
        .get(&report_id)
        .filter(|r| r.install_id == id)
        .ok_or_else(Fail::not_found)?;
    let complete = report.created + req.shared.config.domain_report_delay <= req.now;
    let install = inst(state, &id);
    let domains: Vec<Value> = report
        .domains
        .iter()
        .map(|name| {
            let mut finding = json!({ "name": name, "complete": complete });
            if complete {
                let has_cert = install.certs.iter().any(|c| c.domains.contains(name));
                finding = json!({
                    "name": name,
                    "complete": true,
                    "result": "pointed_correctly",
                    "cname": cname(&install.name),
                    "a_record": A_RECORDS[0],
                    "dns_provider": "Example DNS",
                    "dns_error": false,
                    "install_name": install.name,
                    "cluster_id": "100432",
                    "http_error": false,
                    "ns": [{ "host": "ns1.example-dns.net" }, { "host": "ns2.example-dns.net" }],
                    "mx": [{ "Host": "mx.example.net", "Pref": 10 }],
                    "txt": ["v=spf1 -all"],
                    "ip": A_RECORDS,
                    "address": A_RECORDS,
                    "ssl": {
                        "status": if has_cert { "valid" } else { "missing" },
                        "issuer": "R3",
                        "common_name": name,
                        "dns_names": [name],
                    },
                });
            }
            finding
        })
        .collect();
    ok(json!({
        "report": {
            "complete": complete,
            "id": report_id.to_string(),
            "install_name": install.name,
            "install_ip": A_RECORDS[0],
            "admin": false,
            "domains": domains,
        }
    }))
}

// ---------------------------------------------------------------- certificates

fn get_install_certificates(state: &mut State, req: &Req<'_>) -> Result<Reply, Fail> {
    let id = install_id(state, req)?;
    let page = page_params(req, 100)?;
    let install = inst(state, &id);
    let certificates: Vec<types::Certificate> = install
        .certs
        .iter()
        .skip(page.offset)
        .take(page.limit)
        .map(|c| cert_json(state, install, c, req.now))
        .collect();
    let next = if page.limit > 0 && page.offset + page.limit < install.certs.len() {
        (page.offset + page.limit).to_string()
    } else {
        String::new()
    };
    ok(types::InstallSslCertificatesResponse {
        certificates,
        next_page_token: Some(next),
    })
}

fn get_domain_certificate(state: &mut State, req: &Req<'_>) -> Result<Reply, Fail> {
    let id = install_id(state, req)?;
    let install = inst(state, &id);
    let index = domain_index(install, req)?;
    let name = &install.domains[index].name;
    let cert = install
        .certs
        .iter()
        .rev()
        .find(|c| c.domains.contains(name))
        .ok_or_else(|| Fail::new(StatusCode::NOT_FOUND, "No certificate serves this domain"))?;
    ok(types::DomainCertificate {
        cert_info: None,
        cert_name: cert.domains.first().cloned(),
        certificate: Some(cert_json(state, install, cert, req.now)),
        criteria: Some("exact match".to_owned()),
    })
}

fn create_domain_certificate_order(state: &mut State, req: &Req<'_>) -> Result<Reply, Fail> {
    let id = install_id(state, req)?;
    let index = domain_index(inst(state, &id), req)?;
    let body = req.json("CertificateOrder")?;
    let mut check = Check::new("CertificateOrder", &body);
    let email = check.req_str("email_address");
    if email.as_deref().is_some_and(|e| !valid_email(e)) {
        check.error(
            "email_address",
            "invalid_value",
            "invalid_email",
            "email_address is not a valid email address",
        );
    }
    check.req_str("given_name");
    check.req_str("family_name");
    let region = check.req_str("region_code");
    if region
        .as_deref()
        .is_some_and(|r| r.len() != 2 || !r.bytes().all(|b| b.is_ascii_uppercase()))
    {
        check.error(
            "region_code",
            "invalid_value",
            "invalid_region",
            "region_code must be an ISO 3166 country code such as US",
        );
    }
    for field in ["state", "city", "phone"] {
        check.opt_str(field);
    }
    check.finish()?;
    let cert_id = state.next_cert_id;
    state.next_cert_id += 1;
    let serial = format!("{:032x}", fnv(&[id.as_bytes(), &cert_id.to_be_bytes()]));
    let ordered = state.wall(req.now);
    let issued = req.now + req.shared.config.certificate_issue_delay;
    let rec = inst_mut(state, &id);
    let name = rec.domains[index].name.clone();
    rec.certs.push(CertRec {
        id: cert_id,
        source: CertSource::LetsEncrypt,
        domains: vec![name],
        ordered_time: ordered,
        issued_at: Some(issued),
        approver_email: email,
        serial_number: serial,
    });
    empty(StatusCode::ACCEPTED)
}

fn pem_ok(text: &str, label: &str) -> bool {
    text.contains(&format!("-----BEGIN {label}-----"))
        && text.contains(&format!("-----END {label}-----"))
}

fn import_third_party_certificate(state: &mut State, req: &Req<'_>) -> Result<Reply, Fail> {
    let id = install_id(state, req)?;
    let body = req.json("ThirdPartyCertificate")?;
    let mut check = Check::new("ThirdPartyCertificate", &body);
    let certificate = check.req_str("certificate");
    let key = check.req_str("private_key");
    if certificate
        .as_deref()
        .is_some_and(|c| !pem_ok(c, "CERTIFICATE"))
    {
        check.error(
            "certificate",
            "invalid_value",
            "invalid_pem",
            "certificate must be PEM (-----BEGIN CERTIFICATE----- … -----END CERTIFICATE-----)",
        );
    }
    if key.as_deref().is_some_and(|k| {
        !["PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY"]
            .iter()
            .any(|label| pem_ok(k, label))
    }) {
        check.error(
            "private_key",
            "invalid_value",
            "invalid_pem",
            "private_key must be a PEM private key (-----BEGIN PRIVATE KEY----- … -----END PRIVATE KEY-----)",
        );
    }
    check.finish()?;
    let cert_id = state.next_cert_id;
    state.next_cert_id += 1;
    let ordered = state.wall(req.now);
    let rec = inst_mut(state, &id);
    let domains: Vec<String> = rec
        .domains
        .iter()
        .filter(|d| d.redirect_to.is_none())
        .map(|d| d.name.clone())
        .collect();
    rec.certs.push(CertRec {
        id: cert_id,
        source: CertSource::ThirdParty,
        domains,
        ordered_time: ordered,
        issued_at: None,
        approver_email: None,
        serial_number: format!(
            "{:032x}",
            fnv(&[certificate.as_deref().unwrap_or("").as_bytes()])
        ),
    });
    ok(types::ThirdPartyCertificate {
        certificate: certificate.unwrap_or_default(),
        private_key: key.unwrap_or_default(),
    })
}

// ---------------------------------------------------------------- backups, cache

fn create_backup(state: &mut State, req: &Req<'_>) -> Result<Reply, Fail> {
    let id = install_id(state, req)?;
    let body = req.json("Backup")?;
    let mut check = Check::new("Backup", &body);
    check.req_str("description");
    match check.opt_strings("notification_emails") {
        None if check.present("notification_emails").is_none() => {
            check.required("notification_emails")
        }
        None => {}
        Some(emails) if emails.is_empty() => check.error(
            "notification_emails",
            "invalid_value",
            "too_short",
            "notification_emails must hold at least one address",
        ),
        Some(emails) => {
            for email in emails.iter().filter(|e| !valid_email(e)) {
                check.error(
                    "notification_emails",
                    "invalid_value",
                    "invalid_email",
                    &format!("{email} is not a valid email address"),
                );
            }
        }
    }
    check.finish()?;
    let backup = state.new_id();
    state.backups.insert(
        backup,
        super::state::BackupRec {
            install_id: id,
            requested: req.now,
        },
    );
    with_status(
        StatusCode::ACCEPTED,
        types::Backup {
            id: backup.to_string(),
            status: BackupStatus::Requested,
        },
    )
}

fn show_backup(state: &mut State, req: &Req<'_>) -> Result<Reply, Fail> {
    let id = install_id(state, req)?;
    let backup_id = req.id(3)?;
    let backup = state
        .backups
        .get(&backup_id)
        .filter(|b| b.install_id == id)
        .ok_or_else(Fail::not_found)?;
    let step = req.shared.config.backup_step_delay;
    let elapsed = req.now.saturating_duration_since(backup.requested);
    let status = if elapsed < step {
        BackupStatus::Requested
    } else if elapsed < step * 2 {
        BackupStatus::Initiated
    } else {
        BackupStatus::Completed
    };
    ok(types::Backup {
        id: backup_id.to_string(),
        status,
    })
}

fn purge_cache(state: &mut State, req: &Req<'_>) -> Result<Reply, Fail> {
    let id = install_id(state, req)?;
    let body = req.json("PurgeCache")?;
    let mut check = Check::new("PurgeCache", &body);
    let kind = check.req_str("type");
    let kind = kind.and_then(|k| match k.as_str() {
        "object" => Some(types::PurgeCacheType::Object),
        "page" => Some(types::PurgeCacheType::Page),
        "cdn" => Some(types::PurgeCacheType::Cdn),
        "all" => Some(types::PurgeCacheType::All),
        _ => {
            check.error(
                "type",
                "invalid_value",
                "invalid_value",
                "type must be one of object, page, cdn, all",
            );
            None
        }
    });
    check.finish()?;
    let Some(kind) = kind else {
        return Err(Fail::not_found());
    };
    let interval = req.shared.config.object_cache_purge_interval;
    let now = req.now;
    let rec = inst_mut(state, &id);
    if kind == types::PurgeCacheType::Object {
        per_install_limit(
            &mut rec.last_object_purge,
            interval,
            now,
            "Object cache purges",
        )?;
    }
    state.purges.push(CachePurge {
        install_id: id,
        kind,
    });
    empty(StatusCode::ACCEPTED)
}

// ---------------------------------------------------------------- SSH keys

/// `aa:bb:…`: the MD5 of the key blob in colon-separated hex, as `ssh-keygen -E md5 -l` shows it.
pub(crate) fn md5_fingerprint(blob: &[u8]) -> String {
    use md5::Digest as _;
    let digest = md5::Md5::digest(blob);
    digest
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(":")
}

const KEY_TYPES: &[&str] = &[
    "ssh-rsa",
    "ssh-ed25519",
    "ssh-dss",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "sk-ssh-ed25519@openssh.com",
    "sk-ecdsa-sha2-nistp256@openssh.com",
];

/// Parses an OpenSSH public key line into its fingerprint and comment.
fn parse_public_key(line: &str) -> Result<(String, String), &'static str> {
    let mut parts = line.split_whitespace();
    let kind = parts.next().ok_or("public_key is empty")?;
    if !KEY_TYPES.contains(&kind) {
        return Err("public_key must start with a key type such as ssh-ed25519 or ssh-rsa");
    }
    let encoded = parts.next().ok_or("public_key lacks the base64 key data")?;
    let blob = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .map_err(|_| "The key data of public_key is not valid base64")?;
    let len = blob
        .get(..4)
        .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize)
        .ok_or("The key data of public_key is too short")?;
    if blob.get(4..4 + len) != Some(kind.as_bytes()) || blob.len() <= 4 + len {
        return Err("The key data of public_key does not match its key type");
    }
    let comment = parts.collect::<Vec<_>>().join(" ");
    Ok((md5_fingerprint(&blob), comment))
}

fn ssh_key_json(rec: &SshKeyRec) -> types::SshKey {
    types::SshKey {
        comment: Some(rec.comment.clone()),
        created_at: Some(rec.created_at.to_rfc3339()),
        fingerprint: Some(rec.fingerprint.clone()),
        uuid: Some(rec.id),
    }
}

fn list_ssh_keys(state: &mut State, req: &Req<'_>) -> Result<Reply, Fail> {
    paginate(
        req,
        "ssh_keys",
        None,
        state.users[req.user].ssh_keys.iter(),
        ssh_key_json,
    )
}

fn create_ssh_key(state: &mut State, req: &Req<'_>) -> Result<Reply, Fail> {
    let body = req.json("SshKey")?;
    let mut check = Check::new("SshKey", &body);
    let parsed = check
        .req_str("public_key")
        .and_then(|key| match parse_public_key(&key) {
            Ok(parsed) => Some(parsed),
            Err(message) => {
                check.error("public_key", "invalid_value", "invalid_key", message);
                None
            }
        });
    if let Some((fingerprint, _)) = &parsed {
        if state.users[req.user]
            .ssh_keys
            .iter()
            .any(|k| &k.fingerprint == fingerprint)
        {
            check.error(
                "public_key",
                "value_unavailable",
                "already_taken",
                "This key has already been added",
            );
        }
    }
    check.finish()?;
    let Some((fingerprint, comment)) = parsed else {
        return Err(Fail::not_found());
    };
    let id = state.new_id();
    let rec = SshKeyRec {
        id,
        comment,
        fingerprint,
        created_at: state.wall(req.now),
    };
    let body = ssh_key_json(&rec);
    state.users[req.user].ssh_keys.insert(id, rec);
    with_status(StatusCode::CREATED, body)
}

fn delete_ssh_key(state: &mut State, req: &Req<'_>) -> Result<Reply, Fail> {
    let id = req.id(1)?;
    state.users[req.user]
        .ssh_keys
        .remove(&id)
        .ok_or_else(Fail::not_found)?;
    empty(StatusCode::NO_CONTENT)
}

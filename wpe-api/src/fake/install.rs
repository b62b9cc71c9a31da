//! Installs (WordPress environments) and install copies.

use axum::http::StatusCode;
use tokio::time::Instant;
use uuid::Uuid;

use super::check::{parse_environment, valid_install_name, Check};
use super::paging::paginate;
use super::reply::{empty, ok, with_status, Fail, Reply};
use super::request::{account_filter, inst, inst_mut, install_id, visible_install, Req};
use super::state::{new_install, InstallCopy, InstallRec, State};
use crate::types::{self, Environment, InstallStatus};

/// The CNAME of an install: `<name>.wpengine.com`.
pub(crate) fn cname(name: &str) -> String {
    format!("{name}.wpengine.com")
}

fn install_json(rec: &InstallRec, now: Instant) -> types::Installation {
    let status = match rec.activates_at {
        Some(at) if at > now => InstallStatus::Pending,
        _ => InstallStatus::Active,
    };
    types::Installation {
        extra: Default::default(),
        account: types::AccountRef {
            extra: Default::default(),
            id: rec.account_id,
        },
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
        site: rec.site_id.map(|id| types::SiteRef {
            extra: Default::default(),
            id,
        }),
        stable_ips: None,
        status: Some(status),
        wp_version: Some(rec.wp_version.clone()),
    }
}

/// `GET /installs` (`listInstalls`).
pub(crate) fn list_installs(state: &mut State, req: &Req<'_>) -> Result<Reply, Fail> {
    let filter = account_filter(req)?;
    let now = req.now;
    // A user has a handful of accounts: a linear check beats hashing per row.
    let visible: Vec<Uuid> = req.accounts().iter().copied().collect();
    let rows = state
        .installs
        .iter()
        .filter(|i| visible.contains(&i.account_id) && filter.is_none_or(|f| f == i.account_id));
    paginate(
        req,
        "installs",
        filter.map(|f| ("account_id", f.to_string())),
        rows,
        // Only a single install's fetch fills `wp_version` and
        // `defer_wordpress_upgrades_until`, as WP Engine's reference says.
        |i| types::Installation {
            wp_version: None,
            defer_wordpress_upgrades_until: None,
            ..install_json(i, now)
        },
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

/// `POST /installs` (`createInstall`).
pub(crate) fn create_install(state: &mut State, req: &Req<'_>) -> Result<Reply, Fail> {
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
        if req.accounts().contains(&account) {
            check_site_slot(state, &mut check, site, account, env.as_ref(), None);
        }
    }
    check.finish()?;
    let account = account.unwrap_or_default();
    if !req.accounts().contains(&account) {
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

/// `GET /installs/{install_id}` (`getInstall`).
pub(crate) fn get_install(state: &mut State, req: &Req<'_>) -> Result<Reply, Fail> {
    let id = install_id(state, req)?;
    ok(install_json(inst(state, &id), req.now))
}

/// `PATCH /installs/{install_id}` (`updateInstall`).
pub(crate) fn update_install(state: &mut State, req: &Req<'_>) -> Result<Reply, Fail> {
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

/// `DELETE /installs/{install_id}` (`deleteInstall`).
pub(crate) fn delete_install(state: &mut State, req: &Req<'_>) -> Result<Reply, Fail> {
    let id = install_id(state, req)?;
    state.remove_install(&id);
    empty(StatusCode::NO_CONTENT)
}

/// `POST /install_copy` (`copyInstall`).
pub(crate) fn copy_install(state: &mut State, req: &Req<'_>) -> Result<Reply, Fail> {
    let body = req.json("InstallCopy")?;
    let mut check = Check::new("InstallCopy", &body);
    let source = check.req_uuid("source_environment_id");
    let destination = check.req_uuid("destination_environment_id");
    let emails = check.opt_strings("notification_emails").unwrap_or_default();
    check.emails_valid("notification_emails", &emails);
    let options = check.opt_object("custom_options");
    let (mut include_files, mut include_db, mut db_tables) = (None, None, Vec::new());
    if let Some(options) = options {
        let mut nested = Check::nested("InstallCopy", "custom_options", options);
        include_files = nested.opt_bool("include_files");
        include_db = nested.opt_bool("include_db");
        db_tables = nested.opt_strings("db_tables").unwrap_or_default();
        check.errors.append(&mut nested.errors);
    }
    if include_db == Some(false) && !db_tables.is_empty() {
        check.error(
            "custom_options.db_tables",
            "invalid_value",
            "tables_without_database",
            "db_tables names tables of the database copy: leave it out, or set include_db to true",
        );
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
    let account = inst(state, &source).account_id;
    if inst(state, &destination).account_id != account {
        return Err(Fail::explained(
            StatusCode::BAD_REQUEST,
            "InstallCopy",
            "destination_environment_id",
            "other_account",
            format!(
                "An install is copied only onto an install of the same account: pick a destination of account {account}"
            ),
        ));
    }
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

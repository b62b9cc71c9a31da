//! The typed client against the stateful stand-in (`wpe_api::fake`) over real
//! HTTP: every operation with the state change it causes, every class of
//! error, paging, rate limits, and a check that the suite exercises every
//! operation of the spec.
//!
//! Each scenario starts its own server and returns what that server served:
//! the operations it answered with success and every response it sent. The
//! `scenarios!` list turns each into a test of its own and also feeds the two
//! checks that run them all, so neither depends on which tests ran before
//! it: `every_spec_operation_is_exercised` compares what was served with the
//! operationIds of `wpe_api::operations::OPERATIONS` (the spec's, at build
//! time), and `upstream::every_response_matches_upstream` checks every body
//! sent against WP Engine's own schema for its operation and status.
//!
//! The scenarios live in one module per resource, as the stand-in's modules
//! do (`wpe-api/src/fake/`); their helpers in `support`.

mod support;
mod upstream;

mod account;
mod account_user;
mod backup;
mod cache;
mod certificates;
mod check;
mod dispatch;
mod domain;
mod install;
mod offload_settings;
mod paging;
mod sftp_user;
mod site;
mod site_reports;
mod site_transfer;
mod ssh_key;
mod status;
mod usage;
mod user;

use std::collections::BTreeSet;
use std::future::Future;
use std::pin::Pin;

use support::Served;

type Scenario = fn() -> Pin<Box<dyn Future<Output = Served>>>;

/// `module: [scenario, ...]`: a test per scenario (`each::module::scenario`)
/// and the `SCENARIOS` table the coverage check runs.
macro_rules! scenarios {
    ($($module:ident: [$($name:ident),* $(,)?]),* $(,)?) => {
        mod each {
            $(
                mod $module {
                    $(
                        #[tokio::test]
                        async fn $name() {
                            crate::$module::$name().await;
                        }
                    )*
                }
            )*
        }
        const SCENARIOS: &[(&str, Scenario)] = &[
            $($(
                (concat!(stringify!($module), "::", stringify!($name)), || Box::pin($module::$name())),
            )*)*
        ];
    };
}

scenarios!(
    status: [status_swagger_and_current_user, unknown_routes_get_the_gateways_403],
    user: [credentials_are_checked],
    account: [
        accounts_and_limits,
        other_users_accounts_are_invisible,
        api_access_off_shows_no_accounts_and_says_what_to_do,
        accounts_page_by_at_most_100,
    ],
    account_user: [account_users_lifecycle],
    site: [sites_lifecycle],
    site_transfer: [
        transfer_moves_the_site_when_completed,
        scheduled_transfer_waits_for_its_time,
        transfers_cancel_only_before_they_start,
        transfer_refusals,
        failed_transfer_on_request,
        transfer_lists_page,
        site_transfers_need_owner_or_full_with_billing,
    ],
    install: [
        installs_lifecycle,
        install_copy_is_recorded,
        install_copy_stays_in_one_account_and_needs_the_database_for_tables,
        only_a_single_install_fetch_has_the_wordpress_version,
    ],
    offload_settings: [offload_settings, offload_settings_never_configured_are_a_404],
    usage: [
        usage_metrics_and_disk_refresh,
        usage_dates_follow_the_documented_rules,
        storage_never_measured_is_null_until_a_refresh,
    ],
    domain: [
        domains_lifecycle,
        bulk_domains,
        domain_status_reports_and_rate_limit,
        domain_txt_verification,
        domain_sharing_links,
        domain_redirects_take_ids_and_nil_drops_them,
    ],
    certificates: [
        certificates,
        third_party_import_takes_base64_pem,
        third_party_import_refuses_raw_pem_saying_to_encode_it,
        third_party_import_refuses_base64_without_pem_inside,
        no_certificates_is_a_404_and_an_empty_stream,
        a_missing_install_is_a_404_that_is_not_an_empty_list,
    ],
    backup: [
        backups_progress_over_time,
        backups_listed_in_every_status,
        restore_with_and_without_checkpoint,
        archive_completes_with_a_download,
        archive_aborts_when_told_to,
        archive_needs_a_completed_backup_of_the_install,
    ],
    cache: [cache_purges_and_rate_limit, cache_exclusions_replace_the_set],
    sftp_user: [
        sftp_users_lifecycle,
        sftp_user_rules,
        sftp_users_refused_on_autoscale_and_unseen_installs,
    ],
    ssh_key: [ssh_keys],
    site_reports: [
        reports_sections_and_templates,
        report_schedules_lifecycle,
        report_schedule_validation,
        due_schedules_generate_reports,
        report_schedule_cadence_follows_the_reference,
        report_schedules_need_an_established_domain_and_at_most_three,
    ],
    paging: [
        paging_through_250_installs,
        streams_of_the_1_21_2_lists,
        offset_lists_default_to_100_and_refuse_more,
    ],
    check: [malformed_requests],
);

/// Every operationId of the spec, from the operation table the client is built with.
fn spec_operation_ids() -> BTreeSet<&'static str> {
    wpe_api::operations::OPERATIONS
        .iter()
        .map(|op| op.operation_id)
        .collect()
}

/// Runs every scenario, each on its own server; what each served, by name.
async fn run_all_scenarios() -> Vec<(&'static str, Served)> {
    futures::future::join_all(
        SCENARIOS
            .iter()
            .map(|(name, run)| async move { (*name, run().await) }),
    )
    .await
}

#[tokio::test]
async fn every_spec_operation_is_exercised() {
    let spec = spec_operation_ids();
    let runs = run_all_scenarios().await;
    let mut covered: BTreeSet<&'static str> = BTreeSet::new();
    for (name, served) in &runs {
        println!(
            "{name}: {}",
            served
                .operations
                .iter()
                .copied()
                .collect::<Vec<_>>()
                .join(", ")
        );
        covered.extend(&served.operations);
    }
    let unknown: Vec<&str> = covered
        .iter()
        .copied()
        .filter(|op| !spec.contains(*op))
        .collect();
    assert!(
        unknown.is_empty(),
        "served operations not in the spec: {unknown:?}"
    );
    let missing: Vec<&str> = spec
        .iter()
        .copied()
        .filter(|op| !covered.contains(op))
        .collect();
    println!("covered {}/{}", spec.len() - missing.len(), spec.len());
    let todo: Vec<String> = missing
        .iter()
        .map(|id| {
            let op = wpe_api::operations::by_operation_id(id).expect("in the table");
            format!(
                "{id}: write a scenario that calls it in tests/tests/standin/{}.rs and list it in `scenarios!`",
                op.resource
            )
        })
        .collect();
    assert!(
        missing.is_empty(),
        "covered {}/{}; not exercised:\n{}",
        spec.len() - missing.len(),
        spec.len(),
        todo.join("\n")
    );
}

/// The record of documented behaviours (`x-wpe-behaviours` in the spec, in
/// the operation table as `Operation::behaviours`): every row that the
/// stand-in models names a scenario of `scenarios!`, and that scenario calls
/// the row's operation (the stand-in answered it, whatever the status);
/// every other row says why it is not modelled.
#[tokio::test]
async fn every_documented_behaviour_names_a_scenario_that_calls_it() {
    use wpe_api::operations::{Proof, Standing, OPERATIONS};

    let mut wanted: BTreeSet<&str> = BTreeSet::new();
    let (mut rows, mut modelled, mut claims) = (0, 0, 0);
    let mut problems = Vec::new();
    for op in OPERATIONS {
        for behaviour in op.behaviours {
            rows += 1;
            if matches!(behaviour.standing, Standing::Unverified { .. }) {
                claims += 1;
            }
            match behaviour.proof {
                Proof::Scenario(name) => {
                    modelled += 1;
                    if SCENARIOS.iter().any(|(known, _)| *known == name) {
                        wanted.insert(name);
                    } else {
                        problems.push(format!(
                            "{}: {:?} names the scenario {name}, which is not in `scenarios!` \
                             (tests/tests/standin/main.rs)",
                            op.operation_id, behaviour.rule
                        ));
                    }
                }
                Proof::NotModelled(why) => assert!(!why.trim().is_empty()),
            }
        }
    }
    println!(
        "{rows} rows ({claims} unverified claims): {modelled} modelled and proven, {} not modelled",
        rows - modelled
    );
    assert!(
        rows > 0,
        "the spec states no behaviours: x-wpe-behaviours is missing"
    );
    let runs = futures::future::join_all(
        SCENARIOS
            .iter()
            .filter(|(name, _)| wanted.contains(name))
            .map(|(name, run)| async move { (*name, run().await) }),
    )
    .await;
    for op in OPERATIONS {
        for behaviour in op.behaviours {
            let Proof::Scenario(name) = behaviour.proof else {
                continue;
            };
            let Some((_, served)) = runs.iter().find(|(run, _)| *run == name) else {
                continue;
            };
            if !served
                .responses
                .iter()
                .any(|r| r.operation_id == op.operation_id)
            {
                problems.push(format!(
                    "{}: {:?} names the scenario {name}, which never calls {}",
                    op.operation_id, behaviour.rule, op.operation_id
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

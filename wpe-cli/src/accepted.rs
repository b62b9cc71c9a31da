//! What `wpe` says after an operation whose work goes on once the API has
//! answered ([`Operation::runs_on`]): a job (`x-wpe-job`) and the `wait`
//! command that follows it, or accepted work (`x-wpe-accepted`) and what
//! shows its result, if anything. Said on stderr on every run, so that
//! stdout stays the answer (or nothing) whatever the format.

use std::io::{self, Write};

use serde_json::Value;
use wpe_api::operations::{by_operation_id, Accepted, Args, Operation};

use crate::{commands, jobs};

/// The note for `op`, which was just answered, or `None` when its work is
/// done with the answer. `typed` are the arguments as the user gave them
/// (names, not IDs, where names were given), `body` what was sent and
/// `answer` what came back: they fill in the command that follows the work.
pub fn note(
    op: &'static Operation,
    typed: &Args,
    body: Option<&Value>,
    answer: Option<&Value>,
) -> Option<String> {
    let mut text = format!("accepted: {}; ", op.summary.to_lowercase());
    if let (Some(job), Some(params)) = (op.job, op.job.and_then(|j| jobs::waiter_params(j.name))) {
        let last = params.len().saturating_sub(1);
        let values = params.iter().enumerate().map(|(i, name)| {
            let from_answer = |key: &str| answer.and_then(|a| a.get(key)).and_then(Value::as_str);
            typed
                .get(name)
                .or_else(|| body.and_then(|b| b.get(*name)).and_then(Value::as_str))
                .or_else(|| from_answer(name))
                // What the operation created is the last thing its wait takes.
                .or_else(|| (i == last).then(|| from_answer("id")).flatten())
                .map_or_else(|| name.to_uppercase(), quoted)
        });
        let command = command_line(op.resource, &jobs::verb(op), values);
        text.push_str(&format!(
            "WP Engine goes on with the {} job after this answer. Follow it with `{command}`.",
            job.name
        ));
    } else if op.runs_on() {
        // A 202 the spec says nothing more of: no follow-up known, resending not forbidden.
        let accepted = op.accepted.unwrap_or(Accepted {
            follow: None,
            resend: true,
        });
        match accepted.follow.and_then(by_operation_id) {
            Some(follow) => {
                let values = commands::path_params(follow).into_iter().map(|param| {
                    typed
                        .get(param.name)
                        .map_or_else(|| param.name.to_uppercase(), quoted)
                });
                let command = command_line(follow.resource, &commands::verb(follow), values);
                text.push_str(&format!(
                    "WP Engine applies it after this answer. See where it stands with `{command}`."
                ));
            }
            None => text.push_str(
                "WP Engine does the work after this answer and gives it no ID to follow.",
            ),
        }
        if !accepted.resend {
            text.push_str(" Do not send it again: WP Engine asks that it never be resent.");
        }
    } else {
        return None;
    }
    let emails: Vec<&str> = body
        .and_then(|b| b.get("notification_emails"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    if !emails.is_empty() {
        text.push_str(&format!(
            " {} will be emailed when it ends.",
            emails.join(", ")
        ));
    }
    Some(text)
}

/// Writes the note for `op` (see [`note`]) to stderr, if it has one.
pub fn tell(
    op: &'static Operation,
    typed: &Args,
    body: Option<&Value>,
    answer: Option<&Value>,
) -> io::Result<()> {
    match note(op, typed, body, answer) {
        Some(text) => writeln!(io::stderr().lock(), "wpe: {text}"),
        None => Ok(()),
    }
}

/// `wpe GROUP VERB VALUE...`: the command of `verb` in `resource`'s group,
/// with `values` (each already one shell word) after it.
fn command_line(resource: &str, verb: &str, values: impl IntoIterator<Item = String>) -> String {
    let mut command = format!("wpe {} {verb}", commands::group_name(resource));
    for value in values {
        command.push(' ');
        command.push_str(&value);
    }
    command
}

/// `value` as one shell word: quoted when it holds anything but plain characters.
fn quoted(value: &str) -> String {
    let plain = !value.is_empty()
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-@:/+=".contains(c));
    if plain {
        value.to_owned()
    } else {
        format!("'{}'", value.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wpe_api::operations::{find, OPERATIONS};

    #[test]
    fn every_operation_whose_work_goes_on_has_a_note_and_no_other_does() {
        for op in OPERATIONS {
            let text = note(op, &Args::new(), None, None);
            assert_eq!(text.is_some(), op.runs_on(), "{}", op.id);
        }
    }

    #[test]
    fn a_job_names_its_wait_command_with_the_values_at_hand() {
        let backup = find("create_backup").unwrap();
        let answer = serde_json::json!({"id": "b-1", "status": "requested"});
        let text = note(
            backup,
            &Args::new().with("install_id", "Torque Mag"),
            None,
            Some(&answer),
        )
        .unwrap();
        assert!(
            text.ends_with("Follow it with `wpe backups wait 'Torque Mag' b-1`."),
            "{text}"
        );
        let archive = find("create_archive").unwrap();
        let body = serde_json::json!({"backup_id": "b-2"});
        let text = note(archive, &Args::new(), Some(&body), None).unwrap();
        assert!(
            text.contains("`wpe backups wait-archive INSTALL_ID b-2`"),
            "{text}"
        );
    }
}

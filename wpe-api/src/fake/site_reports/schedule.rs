//! The due dates of a report schedule, and the reports it generates as they pass.

use chrono::{DateTime, Datelike, Duration, Months, NaiveDate, NaiveTime, Utc};
use uuid::Uuid;

use crate::fake::state::{Frequency, SiteReportRec, State};

/// Midnight UTC of a day.
fn midnight(day: NaiveDate) -> DateTime<Utc> {
    day.and_time(NaiveTime::MIN).and_utc()
}

/// Day `day` of the month of `first` (the first of a month), or the month's
/// last day when it is shorter.
fn day_of_month(first: NaiveDate, day: u32) -> Option<NaiveDate> {
    let next_first = first.checked_add_months(Months::new(1))?;
    let last = next_first.pred_opt()?.day();
    first.with_day(day.clamp(1, last))
}

/// The due date after `at`.
fn following(frequency: Frequency, at: DateTime<Utc>) -> Option<DateTime<Utc>> {
    match frequency {
        Frequency::Days(days) => at.checked_add_signed(Duration::days(i64::from(days))),
        Frequency::Monthly(day) => {
            let first = at
                .date_naive()
                .with_day(1)?
                .checked_add_months(Months::new(1))?;
            let date = day_of_month(first, day)?;
            Some(date.and_time(at.time()).and_utc())
        }
    }
}

/// The due date before `at` (the start of the period a report due at `at` covers).
pub(super) fn preceding(frequency: Frequency, at: DateTime<Utc>) -> Option<DateTime<Utc>> {
    match frequency {
        Frequency::Days(days) => at.checked_sub_signed(Duration::days(i64::from(days))),
        Frequency::Monthly(day) => {
            let first = at
                .date_naive()
                .with_day(1)?
                .checked_sub_months(Months::new(1))?;
            let date = day_of_month(first, day)?;
            Some(date.and_time(at.time()).and_utc())
        }
    }
}

/// The first due date of a new schedule without `next_scheduled_date`.
pub(super) fn first_due(frequency: Frequency, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let today = now.date_naive();
    match frequency {
        Frequency::Days(days) => Some(midnight(
            today.checked_add_signed(Duration::days(i64::from(days)))?,
        )),
        Frequency::Monthly(day) => {
            let this_month = midnight(day_of_month(today.with_day(1)?, day)?);
            if this_month > now {
                Some(this_month)
            } else {
                following(frequency, this_month)
            }
        }
    }
}

/// At most this many reports are generated for one schedule at a time; the
/// due dates passed beyond them are skipped.
const MAX_CATCH_UP: usize = 100;

/// Generates the reports of every schedule of `site` that is due on the
/// server's clock, and moves those schedules on to their next due date.
pub(super) fn catch_up(state: &mut State, site: Uuid, now: DateTime<Utc>) {
    let due: Vec<Uuid> = state
        .report_schedules
        .iter()
        .filter(|s| s.site_id == site && s.next <= now)
        .map(|s| s.id)
        .collect();
    for id in due {
        let Some(schedule) = state.report_schedules.get(&id).cloned() else {
            continue;
        };
        let mut at = schedule.next;
        let mut generated = 0;
        while at <= now {
            if generated < MAX_CATCH_UP {
                let report = state.new_id();
                state.site_reports.insert(
                    report,
                    SiteReportRec {
                        id: report,
                        site_id: site,
                        title: schedule.title.clone(),
                        start: preceding(schedule.frequency, at).unwrap_or(at),
                        end: at,
                        created_at: at,
                        recipients: schedule.recipients.clone(),
                    },
                );
                generated += 1;
            }
            match following(schedule.frequency, at) {
                Some(next) => at = next,
                // Past the calendar's end: the schedule stays where it is.
                None => break,
            }
        }
        if let Some(rec) = state.report_schedules.get_mut(&id) {
            rec.next = at;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn monthly_due_dates_keep_their_day_and_fall_back_to_the_month_end() {
        let f = Frequency::Monthly(31);
        let jan = at("2025-01-31T09:00:00Z");
        let feb = following(f, jan).unwrap();
        assert_eq!(feb, at("2025-02-28T09:00:00Z"));
        assert_eq!(following(f, feb).unwrap(), at("2025-03-31T09:00:00Z"));
        assert_eq!(preceding(f, at("2025-03-31T09:00:00Z")).unwrap(), feb);
        assert_eq!(
            following(Frequency::Monthly(29), at("2024-01-29T00:00:00Z")).unwrap(),
            at("2024-02-29T00:00:00Z")
        );
    }

    #[test]
    fn day_schedules_step_by_their_days() {
        let f = Frequency::Days(14);
        assert_eq!(
            following(f, at("2025-12-25T00:00:00Z")).unwrap(),
            at("2026-01-08T00:00:00Z")
        );
        assert_eq!(
            preceding(f, at("2026-01-08T00:00:00Z")).unwrap(),
            at("2025-12-25T00:00:00Z")
        );
    }

    #[test]
    fn first_due_dates_follow_the_clock() {
        let now = at("2025-05-20T10:30:00Z");
        assert_eq!(
            first_due(Frequency::Monthly(1), now).unwrap(),
            at("2025-06-01T00:00:00Z")
        );
        assert_eq!(
            first_due(Frequency::Monthly(25), now).unwrap(),
            at("2025-05-25T00:00:00Z")
        );
        assert_eq!(
            first_due(Frequency::Monthly(20), now).unwrap(),
            at("2025-06-20T00:00:00Z")
        );
        assert_eq!(
            first_due(Frequency::Days(7), now).unwrap(),
            at("2025-05-27T00:00:00Z")
        );
    }

    #[test]
    fn due_dates_at_the_end_of_the_calendar_do_not_panic() {
        let end = DateTime::<Utc>::MAX_UTC;
        assert_eq!(following(Frequency::Days(7), end), None);
        assert_eq!(following(Frequency::Monthly(31), end), None);
        assert!(first_due(Frequency::Monthly(31), end).is_none());
        assert_eq!(
            preceding(Frequency::Days(7), DateTime::<Utc>::MIN_UTC),
            None
        );
    }
}

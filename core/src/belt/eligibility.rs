//! Is a student ready for their next stripe or rank, and if not, what is
//! still missing?

use serde::Serialize;
use time::Date;

use super::{BeltSystem, Grade, Standing, StepKind};
use crate::calendar::{add_months, birthday, days_until};
use crate::ids::RankId;

/// The answer for one student.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Eligibility {
    /// The student holds the highest grade of the system.
    TopGrade,
    /// The student's rank was removed from the belt system.
    UnknownRank { rank: RankId },
    /// The next step and how the student measures up to each requirement.
    Next(Report),
}

impl Eligibility {
    pub fn is_eligible(&self) -> bool {
        matches!(self, Eligibility::Next(report) if report.is_eligible())
    }
}

/// Progress towards the next grade.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Report {
    pub to: Grade,
    pub kind: StepKind,
    /// Every requirement the academy set for this step, met or not, in a
    /// fixed order: attendance, time, age.
    pub requirements: Vec<Requirement>,
}

impl Report {
    pub fn is_eligible(&self) -> bool {
        self.requirements.iter().all(Requirement::is_met)
    }

    pub fn unmet(&self) -> impl Iterator<Item = &Requirement> {
        self.requirements.iter().filter(|r| !r.is_met())
    }
}

/// One requirement with the student's progress: "12 of 40 classes",
/// "due 3 March (41 days)", "turns 16 on 9 May".
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "requirement", rename_all = "snake_case")]
pub enum Requirement {
    Attendance {
        attended: u32,
        required: u32,
    },
    TimeInRank {
        #[cfg_attr(feature = "ts", ts(type = "string"))]
        since: Date,
        #[cfg_attr(feature = "ts", ts(type = "string"))]
        due: Date,
        days_remaining: u32,
    },
    MinimumAge {
        years: u8,
        /// `None` when the birth date is unknown, which leaves this unmet.
        #[cfg_attr(feature = "ts", ts(type = "string | null"))]
        reached_on: Option<Date>,
        days_remaining: u32,
    },
}

impl Requirement {
    pub fn is_met(&self) -> bool {
        match self {
            Requirement::Attendance { attended, required } => attended >= required,
            Requirement::TimeInRank { days_remaining, .. } => *days_remaining == 0,
            Requirement::MinimumAge {
                reached_on,
                days_remaining,
                ..
            } => reached_on.is_some() && *days_remaining == 0,
        }
    }
}

/// Eligibility for the step after `standing`, under `system`'s rules, on
/// `today`. `attended` holds the days of the student's (not voided)
/// attendances, in any order.
///
/// A stripe counts attendance and time from the last promotion; a rank
/// counts them from the day the current rank was reached, so stripes do not
/// reset the clock towards the next belt. A class on the day of a promotion
/// counts towards the grade held during it, not the new one; a class on the
/// joining day counts.
pub fn eligibility(
    system: &BeltSystem,
    standing: &Standing,
    born_on: Option<Date>,
    attended: &[Date],
    today: Date,
) -> Eligibility {
    let step = match system.next_step(&standing.grade) {
        Ok(Some(step)) => step,
        Ok(None) => return Eligibility::TopGrade,
        Err(rank) => return Eligibility::UnknownRank { rank },
    };
    let (since, promoted) = match step.kind {
        StepKind::Stripe => (standing.grade_since, standing.grade_promoted),
        StepKind::Rank => (standing.rank_since, standing.rank_promoted),
    };
    let first_counted = if promoted { since.next_day() } else { Some(since) };
    let rules = step.requirements();
    let mut requirements = Vec::with_capacity(3);
    if rules.attendances > 0 {
        let counted = attended
            .iter()
            .filter(|&&day| first_counted.is_some_and(|first| first <= day) && day <= today)
            .count();
        requirements.push(Requirement::Attendance {
            attended: u32::try_from(counted).unwrap_or(u32::MAX),
            required: rules.attendances,
        });
    }
    if rules.months > 0 {
        let due = add_months(since, rules.months);
        requirements.push(Requirement::TimeInRank {
            since,
            due,
            days_remaining: days_until(today, due),
        });
    }
    if let Some(years) = rules.min_age_years {
        let reached_on = born_on.map(|born| birthday(born, years));
        requirements.push(Requirement::MinimumAge {
            years,
            reached_on,
            days_remaining: reached_on.map_or(0, |day| days_until(today, day)),
        });
    }
    Eligibility::Next(Report {
        to: step.grade(),
        kind: step.kind,
        requirements,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::belt::tests::rank;
    use crate::belt::{Promotion, Requirements};
    use crate::ids::{PromotionId, StaffId};
    use proptest::prelude::*;
    use time::macros::{date, datetime};

    fn two_belts(requirements: Requirements) -> BeltSystem {
        BeltSystem::new(vec![
            rank("White", 0, Requirements::default()),
            rank("Blue", 0, requirements),
        ])
        .unwrap()
    }

    fn white_since(system: &BeltSystem, day: Date) -> Standing {
        Standing::from_history(&system.first_grade(), day, &[])
    }

    fn report(e: &Eligibility) -> &Report {
        match e {
            Eligibility::Next(report) => report,
            other => panic!("expected a next step, got {other:?}"),
        }
    }

    #[test]
    fn reports_every_requirement_with_what_is_missing() {
        let system = two_belts(Requirements {
            attendances: 40,
            months: 6,
            min_age_years: Some(16),
        });
        let standing = white_since(&system, date!(2026 - 06 - 01));
        let attended: Vec<Date> = (0..12)
            .map(|i| date!(2026 - 07 - 01) + time::Duration::days(i))
            .collect();
        let result = eligibility(
            &system,
            &standing,
            Some(date!(2010 - 12 - 31)),
            &attended,
            date!(2026 - 09 - 01),
        );
        let report = report(&result);
        assert!(!report.is_eligible());
        assert_eq!(
            report.requirements,
            [
                Requirement::Attendance {
                    attended: 12,
                    required: 40
                },
                Requirement::TimeInRank {
                    since: date!(2026 - 06 - 01),
                    due: date!(2026 - 12 - 01),
                    days_remaining: 91,
                },
                Requirement::MinimumAge {
                    years: 16,
                    reached_on: Some(date!(2026 - 12 - 31)),
                    days_remaining: 121,
                },
            ]
        );
        assert_eq!(report.unmet().count(), 3);
    }

    #[test]
    fn unknown_birth_date_leaves_an_age_rule_unmet() {
        let system = two_belts(Requirements {
            min_age_years: Some(18),
            ..Requirements::default()
        });
        let standing = white_since(&system, date!(2020 - 01 - 01));
        let result = eligibility(&system, &standing, None, &[], date!(2026 - 01 - 01));
        assert!(!result.is_eligible());
        let json = serde_json::to_value(&result).unwrap();
        assert_eq!(json["state"], "next");
        assert_eq!(json["requirements"][0]["requirement"], "minimum_age");
    }

    #[test]
    fn top_grade_and_removed_ranks_are_reported_as_such() {
        let system = two_belts(Requirements::default());
        let top = Standing::from_history(&Grade::new(system.ranks()[1].id, 0), date!(2020 - 01 - 01), &[]);
        assert_eq!(
            eligibility(&system, &top, None, &[], date!(2026 - 01 - 01)),
            Eligibility::TopGrade
        );
        let gone = RankId::new();
        let lost = Standing::from_history(&Grade::new(gone, 0), date!(2020 - 01 - 01), &[]);
        assert_eq!(
            eligibility(&system, &lost, None, &[], date!(2026 - 01 - 01)),
            Eligibility::UnknownRank { rank: gone }
        );
    }

    #[test]
    fn a_class_on_the_promotion_day_counts_for_the_old_grade_and_on_the_joining_day_for_the_first() {
        let system = two_belts(Requirements {
            attendances: 1,
            ..Requirements::default()
        });
        let joined = white_since(&system, date!(2026 - 03 - 10));
        let on_the_day = |standing: &Standing| {
            eligibility(
                &system,
                standing,
                None,
                &[date!(2026 - 03 - 10)],
                date!(2026 - 03 - 20),
            )
            .is_eligible()
        };
        assert!(on_the_day(&joined));
        let promoted = Standing {
            grade_promoted: true,
            rank_promoted: true,
            ..joined
        };
        assert!(!on_the_day(&promoted));
        let standing = promoted;
        let day_after = eligibility(
            &system,
            &standing,
            None,
            &[date!(2026 - 03 - 11)],
            date!(2026 - 03 - 20),
        );
        assert!(day_after.is_eligible());
    }

    fn arb_requirements() -> impl Strategy<Value = Requirements> {
        (0u32..60, 0u32..24, proptest::option::of(4u8..20)).prop_map(
            |(attendances, months, min_age_years)| Requirements {
                attendances,
                months,
                min_age_years,
            },
        )
    }

    /// Days as offsets from a fixed start, so shrinking stays readable.
    fn day(offset: u16) -> Date {
        date!(2024 - 01 - 01) + time::Duration::days(i64::from(offset))
    }

    proptest! {
        #[test]
        fn more_attendance_never_turns_eligible_into_not_yet(
            rules in arb_requirements(),
            attended in proptest::collection::vec(0u16..1000, 0..80),
            extra in proptest::collection::vec(0u16..1000, 1..20),
            born in proptest::option::of(0u16..10_000),
            today in 0u16..1200,
        ) {
            let system = two_belts(rules);
            let standing = white_since(&system, day(100));
            let born = born.map(|b| date!(1990 - 01 - 01) + time::Duration::days(i64::from(b)));
            let before: Vec<Date> = attended.iter().copied().map(day).collect();
            let mut after = before.clone();
            after.extend(extra.iter().copied().map(day));
            let was = eligibility(&system, &standing, born, &before, day(today)).is_eligible();
            let now = eligibility(&system, &standing, born, &after, day(today)).is_eligible();
            prop_assert!(!was || now);
        }

        #[test]
        fn waiting_never_turns_eligible_into_not_yet(
            rules in arb_requirements(),
            attended in proptest::collection::vec(0u16..1000, 0..80),
            born in proptest::option::of(0u16..10_000),
            today in 0u16..1200,
            wait in 0u16..800,
        ) {
            let system = two_belts(rules);
            let standing = white_since(&system, day(100));
            let born = born.map(|b| date!(1990 - 01 - 01) + time::Duration::days(i64::from(b)));
            let attended: Vec<Date> = attended.iter().copied().map(day).collect();
            let was = eligibility(&system, &standing, born, &attended, day(today)).is_eligible();
            let later = eligibility(&system, &standing, born, &attended, day(today + wait)).is_eligible();
            prop_assert!(!was || later);
        }

        #[test]
        fn each_academy_is_judged_by_its_own_rules(
            strict in arb_requirements(),
            relax_attendance in 0u32..60,
            relax_months in 0u32..24,
            attended in proptest::collection::vec(0u16..1000, 0..80),
            today in 0u16..1200,
        ) {
            // A second academy with the same rules but lower thresholds.
            let lenient = Requirements {
                attendances: strict.attendances.saturating_sub(relax_attendance),
                months: strict.months.saturating_sub(relax_months),
                min_age_years: strict.min_age_years,
            };
            let born = Some(date!(2000 - 01 - 01));
            let attended: Vec<Date> = attended.iter().copied().map(day).collect();
            let judge = |rules: Requirements| {
                let system = two_belts(rules);
                let standing = white_since(&system, day(100));
                eligibility(&system, &standing, born, &attended, day(today))
            };
            let (strict_result, lenient_result) = (judge(strict), judge(lenient));
            prop_assert!(!strict_result.is_eligible() || lenient_result.is_eligible());
            // Each report states its own academy's thresholds.
            for (result, rules) in [(&strict_result, strict), (&lenient_result, lenient)] {
                for requirement in &report(result).requirements {
                    match requirement {
                        Requirement::Attendance { required, .. } => prop_assert_eq!(*required, rules.attendances),
                        Requirement::TimeInRank { due, .. } => prop_assert_eq!(*due, add_months(day(100), rules.months)),
                        Requirement::MinimumAge { years, .. } => prop_assert_eq!(Some(*years), rules.min_age_years),
                    }
                }
            }
        }

        #[test]
        fn classes_count_from_the_joining_day_itself(
            attended in proptest::collection::vec(0u16..1000, 0..120),
            joined in 0u16..1000,
            today in 0u16..1200,
        ) {
            let system = two_belts(Requirements { attendances: 1000, months: 0, min_age_years: None });
            let standing = white_since(&system, day(joined));
            let dates: Vec<Date> = attended.iter().copied().map(day).collect();
            let result = eligibility(&system, &standing, None, &dates, day(today));
            let expected = attended.iter().filter(|&&a| a >= joined && a <= today).count();
            prop_assert_eq!(&report(&result).requirements[0], &Requirement::Attendance {
                attended: u32::try_from(expected).unwrap(),
                required: 1000,
            });
        }

        #[test]
        fn a_promotion_restarts_the_count(
            attended in proptest::collection::vec(0u16..1000, 0..120),
            promoted in 0u16..1000,
            today in 0u16..1200,
        ) {
            let system = BeltSystem::new(vec![
                rank("White", 0, Requirements::default()),
                rank("Blue", 0, Requirements::default()),
                rank("Purple", 0, Requirements { attendances: 1000, months: 12, min_age_years: None }),
            ]).unwrap();
            let white = system.first_grade();
            let blue = Grade::new(system.ranks()[1].id, 0);
            let promotion = Promotion {
                id: PromotionId::new(),
                from: white.clone(),
                to: blue,
                on: day(promoted),
                by: StaffId::new(),
                notes: crate::text::Prose::default(),
                recorded_at: datetime!(2026-01-01 0:00 UTC),
            };
            let standing = Standing::from_history(&white, day(0), &[promotion]);
            let dates: Vec<Date> = attended.iter().copied().map(day).collect();
            let result = eligibility(&system, &standing, None, &dates, day(today));
            let expected = attended.iter().filter(|&&a| a > promoted && a <= today).count();
            prop_assert_eq!(&report(&result).requirements[0], &Requirement::Attendance {
                attended: u32::try_from(expected).unwrap(),
                required: 1000,
            });
            let due = add_months(day(promoted), 12);
            prop_assert_eq!(&report(&result).requirements[1], &Requirement::TimeInRank {
                since: day(promoted),
                due,
                days_remaining: days_until(day(today), due),
            });
        }
    }
}

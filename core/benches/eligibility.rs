//! Belt eligibility for a whole academy: 10,000 students, each with a year
//! of attendance (about 150 classes) and a promotion history.

#![allow(clippy::expect_used, reason = "benchmark setup may panic")]

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use tatami_core::belt::{BeltSystem, Grade, Promotion, Rank, Requirements, Standing, eligibility};
use tatami_core::ids::{PromotionId, RankId, StaffId};
use tatami_core::text::{Color, Label, Prose};
use time::macros::{date, datetime};
use time::{Date, Duration};

const STUDENTS: usize = 10_000;

fn system() -> BeltSystem {
    let rank = |name: &str, attendances| Rank {
        id: RankId::new(),
        name: Label::parse(name).expect("valid label"),
        color: Color::rgb(0, 0, 0),
        stripes: 4,
        requirements: Requirements {
            attendances,
            months: 12,
            min_age_years: Some(16),
        },
        stripe_requirements: Requirements {
            attendances: 20,
            months: 2,
            min_age_years: None,
        },
    };
    BeltSystem::new(vec![
        rank("White", 0),
        rank("Blue", 150),
        rank("Purple", 250),
        rank("Brown", 300),
        rank("Black", 400),
    ])
    .expect("valid system")
}

/// A deterministic academy: student `i` trains every `2 + i % 4` days and
/// was promoted `i % 5` stripes up.
fn academy(system: &BeltSystem) -> Vec<(Standing, Option<Date>, Vec<Date>)> {
    let first = date!(2025 - 11 - 23);
    (0..STUDENTS)
        .map(|i| {
            let every = 2 + i64::try_from(i % 4).expect("small");
            let attended: Vec<Date> = (0..365)
                .step_by(usize::try_from(every).expect("small"))
                .map(|d| first + Duration::days(d))
                .collect();
            let rank = system.ranks()[i % 3].id;
            let start = Grade::new(rank, 0);
            let promotions: Vec<Promotion> = (0..u8::try_from(i % 5).expect("small"))
                .map(|s| Promotion {
                    id: PromotionId::new(),
                    from: Grade::new(rank, s),
                    to: Grade::new(rank, s + 1),
                    on: first + Duration::days(60 * i64::from(s + 1)),
                    by: StaffId::new(),
                    notes: Prose::default(),
                    recorded_at: datetime!(2026-01-01 0:00 UTC),
                })
                .collect();
            let standing = Standing::from_history(&start, date!(2024 - 01 - 01), &promotions);
            let born = (i % 7 != 0)
                .then(|| date!(2000 - 01 - 01) + Duration::days(i64::try_from(i).expect("small")));
            (standing, born, attended)
        })
        .collect()
}

fn whole_academy(c: &mut Criterion) {
    let system = system();
    let students = academy(&system);
    let today = date!(2026 - 11 - 23);
    let mut group = c.benchmark_group("eligibility");
    group.throughput(Throughput::Elements(STUDENTS as u64));
    group.bench_function("10k_students", |b| {
        b.iter(|| {
            students
                .iter()
                .filter(|(standing, born, attended)| {
                    eligibility(&system, standing, *born, attended, black_box(today)).is_eligible()
                })
                .count()
        });
    });
    group.finish();
}

criterion_group!(benches, whole_academy);
criterion_main!(benches);

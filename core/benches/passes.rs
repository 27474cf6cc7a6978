//! Pass verification and the check-in decision: the door's CPU work.

#![allow(clippy::expect_used, reason = "benchmark setup may panic")]

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use tatami_core::belt::Grade;
use tatami_core::checkin::{CheckInSettings, Presented, Scan, decide};
use tatami_core::ids::{RankId, StudentId, TenantId};
use tatami_core::pass::{KeyId, Pass, PassKind, PassSigner, PhonePass, StudentTag};
use tatami_core::people::Student;
use tatami_core::schedule::Session;
use tatami_core::text::PersonName;
use time::macros::{date, datetime};

fn passes(c: &mut Criterion) {
    let tenant = TenantId::new();
    let signer = PassSigner::new(tenant, KeyId(1), &[42; 32]);
    let keys = signer.trusted_keys();
    let student = StudentId::new();
    let now = datetime!(2026-11-23 18:00 UTC);
    let phone = Pass {
        student: StudentTag::of(student),
        kind: PassKind::Phone(PhonePass {
            nonce: 1,
            issued: now,
            minutes: 5,
        }),
    };
    let card = Pass {
        student: StudentTag::of(student),
        kind: PassKind::Card { version: 1 },
    };
    let phone_text = signer.sign(&phone).expect("signable");
    let card_text = signer.sign(&card).expect("signable");

    let mut group = c.benchmark_group("pass");
    group.throughput(Throughput::Elements(1));
    group.bench_function("verify_phone_pass", |b| {
        b.iter(|| keys.verify(black_box(&phone_text), now));
    });
    group.bench_function("verify_card", |b| {
        b.iter(|| keys.verify(black_box(&card_text), now));
    });
    group.bench_function("sign_phone_pass", |b| b.iter(|| signer.sign(black_box(&phone))));

    let record = Student {
        paid_until: Some(date!(2026 - 12 - 31)),
        ..Student::new(
            student,
            PersonName::parse("Ana Souza").expect("valid name"),
            date!(2025 - 01 - 10),
            Grade::new(RankId::new(), 0),
        )
    };
    let session = Session::open_mat(now.date());
    let settings = CheckInSettings::default();
    group.bench_function("verify_and_decide", |b| {
        b.iter(|| {
            let presented = Presented::Pass(keys.verify(black_box(&phone_text), now));
            decide(&Scan {
                presented: &presented,
                student: Some(&record),
                session: &session,
                prior: &[],
                settings: &settings,
                now,
            })
        });
    });
    group.finish();
}

criterion_group!(benches, passes);
criterion_main!(benches);

use super::*;
use crate::belt::Grade;
use crate::ids::{ClassId, RankId, StudentId};
use crate::pass::{KeyId, Malformed, Pass, PhonePass};
use crate::schedule::ClassRef;
use crate::text::PersonName;
use time::macros::{date, datetime};

const NOW: OffsetDateTime = datetime!(2026-11-23 17:55 +01:00);
const ISSUED: OffsetDateTime = datetime!(2026-11-23 17:54 +01:00);

fn student() -> Student {
    Student {
        paid_until: Some(date!(2026 - 12 - 31)),
        card_version: 2,
        ..Student::new(
            StudentId::new(),
            PersonName::parse("Ana Souza").unwrap(),
            date!(2025 - 01 - 10),
            Grade::new(RankId::new(), 0),
        )
    }
}

fn session(class: ClassId) -> Session {
    Session {
        key: SessionKey {
            class: ClassRef::Class(class),
            date: date!(2026 - 11 - 23),
        },
        timing: Timing::Scheduled {
            starts: datetime!(2026-11-23 18:00),
            minutes: 60,
        },
    }
}

fn verified(student: &Student, kind: PassKind) -> Presented {
    Presented::Pass(Ok(VerifiedPass {
        key_id: KeyId(1),
        pass: Pass {
            student: StudentTag::of(student.id),
            kind,
        },
    }))
}

fn phone_pass(student: &Student, nonce: u16) -> Presented {
    verified(
        student,
        PassKind::Phone(PhonePass {
            nonce,
            issued: ISSUED,
            minutes: 5,
        }),
    )
}

fn card(student: &Student, version: u16) -> Presented {
    verified(student, PassKind::Card { version })
}

/// One scan of the standard fixture with some facts changed.
struct Case {
    name: &'static str,
    presented: fn(&Student) -> Presented,
    student: fn(Student) -> Option<Student>,
    session: fn(ClassId) -> Session,
    prior: fn(&Session) -> Vec<PriorCheckIn>,
    settings: fn() -> CheckInSettings,
    now: OffsetDateTime,
    expect: Decision,
}

impl Default for Case {
    fn default() -> Self {
        Case {
            name: "",
            presented: |s| card(s, 2),
            student: Some,
            session,
            prior: |_| vec![],
            settings: CheckInSettings::default,
            now: NOW,
            expect: Decision::Admit { warnings: vec![] },
        }
    }
}

fn earlier_session() -> SessionKey {
    SessionKey {
        class: ClassRef::Class(ClassId::new()),
        date: date!(2026 - 11 - 23),
    }
}

fn refuse(reason: Refusal) -> Decision {
    Decision::Refuse { reason }
}

#[test]
fn every_rule_decides_as_documented() {
    let cases = [
        Case {
            name: "a current card in the window is admitted",
            ..Case::default()
        },
        Case {
            name: "a fresh phone pass is admitted",
            presented: |s| phone_pass(s, 1),
            ..Case::default()
        },
        Case {
            name: "an invalid pass is refused with its reason",
            presented: |_| Presented::Pass(Err(PassError::from(Malformed::Length))),
            expect: refuse(Refusal::InvalidPass {
                error: PassError::from(Malformed::Length),
            }),
            ..Case::default()
        },
        Case {
            name: "an expired pass is refused",
            presented: |_| {
                Presented::Pass(Err(PassError::Expired {
                    expired_at: datetime!(2026-11-23 17:00 +01:00),
                }))
            },
            expect: refuse(Refusal::InvalidPass {
                error: PassError::Expired {
                    expired_at: datetime!(2026-11-23 17:00 +01:00),
                },
            }),
            ..Case::default()
        },
        Case {
            name: "a genuine pass for a student not on this device",
            student: |_| None,
            expect: refuse(Refusal::UnknownStudent),
            ..Case::default()
        },
        Case {
            name: "a revoked card version",
            presented: |s| card(s, 1),
            expect: refuse(Refusal::CardRevoked {
                presented: 1,
                current: 2,
            }),
            ..Case::default()
        },
        Case {
            name: "a newer card than the roster knows is genuine",
            presented: |s| card(s, 3),
            ..Case::default()
        },
        Case {
            name: "a phone pass already used for another session",
            presented: |s| phone_pass(s, 1),
            prior: |_| {
                vec![PriorCheckIn {
                    session: earlier_session(),
                    at: datetime!(2026-11-23 17:54:30 +01:00),
                    pass: Some(PassUse {
                        issued: ISSUED,
                        nonce: 1,
                    }),
                }]
            },
            expect: refuse(Refusal::PassAlreadyUsed {
                at: datetime!(2026-11-23 17:54:30 +01:00),
            }),
            ..Case::default()
        },
        Case {
            name: "the same phone pass read twice for this session",
            presented: |s| phone_pass(s, 1),
            prior: |session| {
                vec![PriorCheckIn {
                    session: session.key,
                    at: datetime!(2026-11-23 17:54:30 +01:00),
                    pass: Some(PassUse {
                        issued: ISSUED,
                        nonce: 1,
                    }),
                }]
            },
            expect: Decision::AlreadyCheckedIn {
                at: datetime!(2026-11-23 17:54:30 +01:00),
            },
            ..Case::default()
        },
        Case {
            name: "an inactive student",
            student: |s| {
                Some(Student {
                    status: StudentStatus::Inactive,
                    ..s
                })
            },
            expect: refuse(Refusal::StudentInactive),
            ..Case::default()
        },
        Case {
            name: "a paused student is admitted with a warning by default",
            student: |s| {
                Some(Student {
                    status: StudentStatus::Paused,
                    ..s
                })
            },
            expect: Decision::Admit {
                warnings: vec![Warning::StudentPaused],
            },
            ..Case::default()
        },
        Case {
            name: "a paused student where the academy refuses them",
            student: |s| {
                Some(Student {
                    status: StudentStatus::Paused,
                    ..s
                })
            },
            settings: || CheckInSettings {
                paused_student: Enforcement::Refuse,
                ..CheckInSettings::default()
            },
            expect: refuse(Refusal::StudentPaused),
            ..Case::default()
        },
        Case {
            name: "a lapsed membership warns by default",
            student: |s| {
                Some(Student {
                    paid_until: Some(date!(2026 - 10 - 31)),
                    ..s
                })
            },
            expect: Decision::Admit {
                warnings: vec![Warning::MembershipLapsed {
                    paid_until: date!(2026 - 10 - 31),
                }],
            },
            ..Case::default()
        },
        Case {
            name: "a lapsed membership where the academy refuses",
            student: |s| {
                Some(Student {
                    paid_until: Some(date!(2026 - 10 - 31)),
                    ..s
                })
            },
            settings: || CheckInSettings {
                lapsed_membership: Enforcement::Refuse,
                ..CheckInSettings::default()
            },
            expect: refuse(Refusal::MembershipLapsed {
                paid_until: date!(2026 - 10 - 31),
            }),
            ..Case::default()
        },
        Case {
            name: "within the grace period nothing is said",
            student: |s| {
                Some(Student {
                    paid_until: Some(date!(2026 - 11 - 20)),
                    ..s
                })
            },
            ..Case::default()
        },
        Case {
            name: "already checked in to this session: idempotent",
            prior: |session| {
                vec![PriorCheckIn {
                    session: session.key,
                    at: datetime!(2026-11-23 17:40 +01:00),
                    pass: None,
                }]
            },
            expect: Decision::AlreadyCheckedIn {
                at: datetime!(2026-11-23 17:40 +01:00),
            },
            ..Case::default()
        },
        Case {
            name: "too early for the class",
            now: datetime!(2026-11-23 17:29 +01:00),
            expect: refuse(Refusal::OutsideClassWindow {
                opens: datetime!(2026-11-23 17:30),
                closes: datetime!(2026-11-23 18:30),
            }),
            ..Case::default()
        },
        Case {
            name: "too late for the class",
            now: datetime!(2026-11-23 18:31 +01:00),
            expect: refuse(Refusal::OutsideClassWindow {
                opens: datetime!(2026-11-23 17:30),
                closes: datetime!(2026-11-23 18:30),
            }),
            ..Case::default()
        },
        Case {
            name: "staff may check in late by hand",
            presented: |_| Presented::Manual,
            now: datetime!(2026-11-23 18:45 +01:00),
            ..Case::default()
        },
        Case {
            name: "open mat takes walk-ins all day",
            session: |_| Session::open_mat(date!(2026 - 11 - 23)),
            now: datetime!(2026-11-23 11:15 +01:00),
            ..Case::default()
        },
        Case {
            name: "a card used for another session moments ago",
            prior: |_| {
                vec![PriorCheckIn {
                    session: earlier_session(),
                    at: datetime!(2026-11-23 17:52 +01:00),
                    pass: None,
                }]
            },
            expect: refuse(Refusal::AntiPassback {
                retry_after: datetime!(2026-11-23 17:57 +01:00),
            }),
            ..Case::default()
        },
        Case {
            name: "back-to-back classes outside the anti-passback window",
            prior: |_| {
                vec![PriorCheckIn {
                    session: earlier_session(),
                    at: datetime!(2026-11-23 16:55 +01:00),
                    pass: None,
                }]
            },
            ..Case::default()
        },
        Case {
            name: "anti-passback turned off",
            prior: |_| {
                vec![PriorCheckIn {
                    session: earlier_session(),
                    at: datetime!(2026-11-23 17:54 +01:00),
                    pass: None,
                }]
            },
            settings: || CheckInSettings {
                anti_passback_minutes: 0,
                ..CheckInSettings::default()
            },
            ..Case::default()
        },
    ];
    for case in cases {
        let base = student();
        let presented = (case.presented)(&base);
        let student = (case.student)(base);
        let session = (case.session)(ClassId::new());
        let prior = (case.prior)(&session);
        let settings = (case.settings)();
        let decision = decide(&Scan {
            presented: &presented,
            student: student.as_ref(),
            session: &session,
            prior: &prior,
            settings: &settings,
            now: case.now,
        });
        assert_eq!(decision, case.expect, "{}", case.name);
    }
}

#[test]
fn a_pass_for_someone_else_does_not_admit_this_student() {
    let (holder, other) = (student(), student());
    let presented = card(&holder, 2);
    let session = session(ClassId::new());
    let decision = decide(&Scan {
        presented: &presented,
        student: Some(&other),
        session: &session,
        prior: &[],
        settings: &CheckInSettings::default(),
        now: NOW,
    });
    assert_eq!(decision, refuse(Refusal::UnknownStudent));
}

#[test]
fn decisions_serialize_with_stable_codes() {
    let json = serde_json::to_value(refuse(Refusal::CardRevoked {
        presented: 1,
        current: 2,
    }))
    .unwrap();
    assert_eq!(json["outcome"], "refuse");
    assert_eq!(json["reason"]["code"], "card_revoked");
    let json = serde_json::to_value(refuse(Refusal::InvalidPass {
        error: PassError::WrongTenant,
    }))
    .unwrap();
    assert_eq!(json["reason"]["error"]["code"], "wrong_tenant");
}

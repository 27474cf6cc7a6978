//! The demo academy's set-up: an adult belt system with rules, four
//! classes and their weekly schedule.

use tatami_core::belt::{BeltSystem, Rank, Requirements};
use tatami_core::ids::{ClassId, RankId, SlotId};
use tatami_core::schedule::{Class, Schedule, WeeklySlot};
use tatami_core::text::{Color, Label};
use time::{Time, Weekday};

use super::known;
use crate::error::ApiError;

pub(super) struct Timetable {
    pub belts: BeltSystem,
    pub classes: Classes,
    pub schedule: Schedule,
}

pub(super) struct Classes {
    pub fundamentals: Class,
    pub advanced: Class,
    pub kids: Class,
    pub competition: Class,
}

impl Classes {
    pub(super) fn all(&self) -> [&Class; 4] {
        [&self.fundamentals, &self.advanced, &self.kids, &self.competition]
    }
}

impl Timetable {
    pub(super) fn golden_tiger() -> Result<Self, ApiError> {
        let class = |name: &str, color: &str| {
            Ok::<_, ApiError>(Class {
                id: ClassId::new(),
                name: known(Label::parse(name))?,
                color: Color::parse(color).ok(),
            })
        };
        let classes = Classes {
            fundamentals: class("Fundamentals", "#16a34a")?,
            advanced: class("Advanced", "#dc2626")?,
            kids: class("Kids", "#f59e0b")?,
            competition: class("Competition", "#7c3aed")?,
        };
        let schedule = weekly(&classes)?;
        Ok(Self {
            belts: belts()?,
            classes,
            schedule,
        })
    }
}

fn rank(
    name: &str,
    color: Color,
    stripes: u8,
    attendances: u32,
    months: u32,
    min_age_years: Option<u8>,
) -> Result<Rank, ApiError> {
    Ok(Rank {
        id: RankId::new(),
        name: known(Label::parse(name))?,
        color,
        stripes,
        requirements: Requirements {
            attendances,
            months,
            min_age_years,
        },
        stripe_requirements: Requirements {
            attendances: 20,
            months: 2,
            min_age_years: None,
        },
    })
}

fn belts() -> Result<BeltSystem, ApiError> {
    known(BeltSystem::new(vec![
        rank("White", Color::rgb(0xf5, 0xf5, 0xf4), 4, 0, 0, None)?,
        rank("Blue", Color::rgb(0x1d, 0x4e, 0xd8), 4, 100, 12, Some(16))?,
        rank("Purple", Color::rgb(0x6d, 0x28, 0xd9), 4, 150, 18, Some(16))?,
        rank("Brown", Color::rgb(0x78, 0x35, 0x0f), 4, 150, 12, Some(18))?,
        rank("Black", Color::rgb(0x11, 0x11, 0x11), 6, 200, 12, Some(19))?,
    ]))
}

/// Kids, fundamentals and advanced every weekday evening; competition on
/// Saturday morning.
fn weekly(classes: &Classes) -> Result<Schedule, ApiError> {
    let at = |h: u8, m: u8| Time::from_hms(h, m, 0).unwrap_or(Time::MIDNIGHT);
    let mut slots = Vec::new();
    for day in [
        Weekday::Monday,
        Weekday::Tuesday,
        Weekday::Wednesday,
        Weekday::Thursday,
        Weekday::Friday,
    ] {
        slots.push((&classes.kids, day, at(17, 0), 45));
        slots.push((&classes.fundamentals, day, at(18, 30), 60));
        slots.push((&classes.advanced, day, at(19, 45), 75));
    }
    slots.push((&classes.competition, Weekday::Saturday, at(10, 0), 90));
    known(Schedule::new(
        slots
            .into_iter()
            .map(|(class, weekday, starts, minutes)| WeeklySlot {
                id: SlotId::new(),
                class: class.id,
                weekday,
                starts,
                minutes,
            })
            .collect(),
    ))
}

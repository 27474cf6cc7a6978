//! The academy as this device knows it, read from its document once per
//! change rather than per scan: keys, rules, schedule and belts.

use tatami_core::belt::BeltSystem;
use tatami_core::calendar::academy_time;
use tatami_core::doc::tenant::TenantView;
use tatami_core::pass::TrustedKeys;
use tatami_core::schedule::{ClassRef, Schedule, Session};
use time::OffsetDateTime;

use crate::error::EngineError;

#[derive(Debug, Clone)]
pub struct Academy {
    pub view: TenantView,
    pub keys: TrustedKeys,
    pub schedule: Schedule,
    /// `None` while concurrent edits leave the belt system inconsistent.
    pub belts: Option<BeltSystem>,
}

impl Academy {
    pub fn new(view: TenantView) -> Result<Self, EngineError> {
        let keys = view
            .trusted_keys()
            .map_err(|e| EngineError::Invalid(format!("the academy's keys: {e}")))?;
        let schedule = view
            .schedule()
            .map_err(|e| EngineError::Invalid(format!("the academy's schedule: {e}")))?;
        let belts = view.belt_system().ok();
        Ok(Self {
            view,
            keys,
            schedule,
            belts,
        })
    }

    /// What a session of `class` is called on screens and in exports.
    pub fn class_name(&self, class: ClassRef) -> String {
        match class {
            ClassRef::OpenMat => "Open mat".to_owned(),
            ClassRef::Class(id) => self
                .view
                .classes
                .iter()
                .find(|c| c.id == id)
                .map_or_else(|| "Class".to_owned(), |c| c.name.as_str().to_owned()),
        }
    }

    /// `utc` on the academy's wall clock.
    pub fn local(&self, utc: OffsetDateTime) -> OffsetDateTime {
        academy_time(utc, &self.view.timezone)
    }

    /// The session a check-in at `now` (academy time) belongs to: the
    /// scheduled class whose window is open and starts nearest to now, or
    /// else the day's open mat.
    pub fn current_session(&self, now: OffsetDateTime) -> Session {
        let settings = &self.view.checkin;
        let local = time::PrimitiveDateTime::new(now.date(), now.time());
        self.schedule
            .sessions_on(now.date())
            .into_iter()
            .filter(|s| s.window_contains(now, settings.opens_before_minutes, settings.closes_after_minutes))
            .min_by_key(|s| match s.timing {
                tatami_core::schedule::Timing::Scheduled { starts, .. } => (starts - local).abs(),
                tatami_core::schedule::Timing::OpenMat => time::Duration::MAX,
            })
            .unwrap_or_else(|| Session::open_mat(now.date()))
    }
}

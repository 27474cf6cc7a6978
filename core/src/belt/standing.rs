//! A student's place in the belt system, derived from their promotions.

use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

use super::Grade;
use crate::ids::{PromotionId, StaffId};
use crate::text::Prose;

/// A promotion as recorded: who moved whom from which grade to which, when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Promotion {
    pub id: PromotionId,
    pub from: Grade,
    pub to: Grade,
    /// The day it was awarded.
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub on: Date,
    pub by: StaffId,
    pub notes: Prose,
    /// When it was entered, by the recording device's clock.
    #[serde(with = "time::serde::rfc3339")]
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub recorded_at: OffsetDateTime,
}

impl Promotion {
    /// The order of promotions: by award day, then entry time, then id, so
    /// every device agrees even on promotions entered concurrently.
    pub(crate) fn order_key(&self) -> (Date, OffsetDateTime, PromotionId) {
        (self.on, self.recorded_at, self.id)
    }
}

/// The current grade, since when it is held, and since when its rank is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Standing {
    pub grade: Grade,
    /// Day of the last promotion of any kind (or of joining).
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub grade_since: Date,
    /// Day the current rank was reached, ignoring later stripes.
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub rank_since: Date,
    /// Whether `grade_since` is a promotion's day rather than the joining
    /// day: a class on a promotion's day counts for the grade before it,
    /// one on the joining day for the grade joined with.
    pub grade_promoted: bool,
    /// The same for `rank_since`.
    pub rank_promoted: bool,
}

impl Standing {
    /// The standing after `promotions` (any order) of a student who joined
    /// on `joined_on` at `start`.
    pub fn from_history(start: &Grade, joined_on: Date, promotions: &[Promotion]) -> Standing {
        let mut ordered: Vec<&Promotion> = promotions.iter().collect();
        ordered.sort_by_key(|p| p.order_key());
        let mut standing = Standing {
            grade: start.clone(),
            grade_since: joined_on,
            rank_since: joined_on,
            grade_promoted: false,
            rank_promoted: false,
        };
        for promotion in ordered {
            if promotion.to.rank != standing.grade.rank {
                standing.rank_since = promotion.on;
                standing.rank_promoted = true;
            }
            standing.grade = promotion.to.clone();
            standing.grade_since = promotion.on;
            standing.grade_promoted = true;
        }
        standing
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::RankId;
    use time::macros::{date, datetime};

    fn promotion(from: &Grade, to: &Grade, on: Date) -> Promotion {
        Promotion {
            id: PromotionId::new(),
            from: from.clone(),
            to: to.clone(),
            on,
            by: StaffId::new(),
            notes: Prose::default(),
            recorded_at: datetime!(2026-01-01 0:00 UTC),
        }
    }

    #[test]
    fn stripes_move_grade_since_but_not_rank_since() {
        let (white, blue) = (RankId::new(), RankId::new());
        let w0 = Grade::new(white, 0);
        let w1 = Grade::new(white, 1);
        let b0 = Grade::new(blue, 0);
        let b1 = Grade::new(blue, 1);
        let history = [
            promotion(&b0, &b1, date!(2026 - 09 - 01)),
            promotion(&w0, &w1, date!(2025 - 06 - 01)),
            promotion(&w1, &b0, date!(2026 - 03 - 01)),
        ];
        let standing = Standing::from_history(&w0, date!(2025 - 01 - 15), &history);
        assert_eq!(standing.grade, b1);
        assert_eq!(standing.grade_since, date!(2026 - 09 - 01));
        assert_eq!(standing.rank_since, date!(2026 - 03 - 01));
    }

    #[test]
    fn no_promotions_means_the_joining_grade_since_joining() {
        let start = Grade::new(RankId::new(), 2);
        let standing = Standing::from_history(&start, date!(2024 - 05 - 05), &[]);
        assert_eq!(standing.grade, start);
        assert_eq!(standing.rank_since, date!(2024 - 05 - 05));
    }
}

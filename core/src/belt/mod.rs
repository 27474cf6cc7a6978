//! An academy's belt system: ordered ranks, optional stripes (or degrees)
//! within each rank, and the requirements to move up.

mod eligibility;
mod standing;

pub use eligibility::{Eligibility, Report, Requirement, eligibility};
pub use standing::{Promotion, Standing};

use serde::{Deserialize, Serialize};

use crate::ids::RankId;
use crate::text::{Color, Label};

/// Where a student stands: a rank and the stripes earned within it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Grade {
    pub rank: RankId,
    pub stripes: u8,
}

impl Grade {
    pub const fn new(rank: RankId, stripes: u8) -> Self {
        Self { rank, stripes }
    }
}

/// What it takes to reach a grade. Zero means "no requirement".
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Requirements {
    /// Classes attended in the counting period.
    pub attendances: u32,
    /// Calendar months in the counting period.
    pub months: u32,
    /// Minimum age in years, if any.
    pub min_age_years: Option<u8>,
}

/// One rank (belt) of a system.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Rank {
    pub id: RankId,
    pub name: Label,
    pub color: Color,
    /// Stripes (or degrees) that can be earned within this rank; 0 for none.
    pub stripes: u8,
    /// To be promoted into this rank from the one below, counting from the
    /// day the student reached that rank.
    pub requirements: Requirements,
    /// To earn each stripe within this rank, counting from the last promotion.
    pub stripe_requirements: Requirements,
}

/// A belt system that is not usable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BeltSystemError {
    #[error("a belt system needs at least one rank")]
    Empty,
    #[error("a belt system has at most {max} ranks")]
    TooManyRanks { max: usize },
    #[error("rank {0} appears twice")]
    DuplicateRank(RankId),
    #[error("a rank has at most {max} stripes")]
    TooManyStripes { max: u8 },
}

/// The step after a grade and what it requires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step<'a> {
    pub to: &'a Rank,
    pub stripes: u8,
    pub kind: StepKind,
}

impl Step<'_> {
    pub fn grade(&self) -> Grade {
        Grade::new(self.to.id, self.stripes)
    }

    pub fn requirements(&self) -> &Requirements {
        match self.kind {
            StepKind::Stripe => &self.to.stripe_requirements,
            StepKind::Rank => &self.to.requirements,
        }
    }
}

/// Whether a step earns a stripe within a rank or a new rank.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum StepKind {
    Stripe,
    Rank,
}

/// Ranks from lowest to highest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(try_from = "Vec<Rank>", into = "Vec<Rank>")]
pub struct BeltSystem {
    ranks: Vec<Rank>,
}

impl BeltSystem {
    pub const MAX_RANKS: usize = 64;
    pub const MAX_STRIPES: u8 = 12;

    pub fn new(ranks: Vec<Rank>) -> Result<Self, BeltSystemError> {
        if ranks.is_empty() {
            return Err(BeltSystemError::Empty);
        }
        if ranks.len() > Self::MAX_RANKS {
            return Err(BeltSystemError::TooManyRanks { max: Self::MAX_RANKS });
        }
        let mut seen = std::collections::HashSet::new();
        for rank in &ranks {
            if !seen.insert(rank.id) {
                return Err(BeltSystemError::DuplicateRank(rank.id));
            }
            if rank.stripes > Self::MAX_STRIPES {
                return Err(BeltSystemError::TooManyStripes {
                    max: Self::MAX_STRIPES,
                });
            }
        }
        Ok(Self { ranks })
    }

    pub fn ranks(&self) -> &[Rank] {
        &self.ranks
    }

    pub fn rank(&self, id: RankId) -> Option<&Rank> {
        self.ranks.iter().find(|r| r.id == id)
    }

    /// The grade every new student starts at: the first rank, no stripes.
    pub fn first_grade(&self) -> Grade {
        Grade::new(self.ranks[0].id, 0)
    }

    /// The step after `from`: the next stripe while the rank has stripes
    /// left, then the next rank. `None` at the top; `Err` when the rank is
    /// no longer part of the system.
    pub fn next_step(&self, from: &Grade) -> Result<Option<Step<'_>>, RankId> {
        let position = self
            .ranks
            .iter()
            .position(|r| r.id == from.rank)
            .ok_or(from.rank)?;
        let rank = &self.ranks[position];
        if from.stripes < rank.stripes {
            return Ok(Some(Step {
                to: rank,
                stripes: from.stripes + 1,
                kind: StepKind::Stripe,
            }));
        }
        Ok(self.ranks.get(position + 1).map(|next| Step {
            to: next,
            stripes: 0,
            kind: StepKind::Rank,
        }))
    }
}

impl TryFrom<Vec<Rank>> for BeltSystem {
    type Error = BeltSystemError;

    fn try_from(ranks: Vec<Rank>) -> Result<Self, BeltSystemError> {
        Self::new(ranks)
    }
}

impl From<BeltSystem> for Vec<Rank> {
    fn from(system: BeltSystem) -> Vec<Rank> {
        system.ranks
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn rank(name: &str, stripes: u8, requirements: Requirements) -> Rank {
        Rank {
            id: RankId::new(),
            name: Label::parse(name).unwrap(),
            color: Color::parse("#ffffff").unwrap(),
            stripes,
            requirements,
            stripe_requirements: Requirements {
                attendances: 10,
                ..Requirements::default()
            },
        }
    }

    #[test]
    fn steps_go_through_stripes_then_ranks() {
        let system = BeltSystem::new(vec![
            rank("White", 2, Requirements::default()),
            rank("Blue", 0, Requirements::default()),
        ])
        .unwrap();
        let [white, blue] = [system.ranks[0].id, system.ranks[1].id];
        let mut grade = system.first_grade();
        let mut path = vec![];
        while let Some(step) = system.next_step(&grade).unwrap() {
            path.push((step.kind, step.stripes));
            grade = step.grade();
        }
        assert_eq!(
            path,
            [(StepKind::Stripe, 1), (StepKind::Stripe, 2), (StepKind::Rank, 0)]
        );
        assert_eq!(grade, Grade::new(blue, 0));
        assert!(
            system
                .next_step(&Grade::new(white, 9))
                .unwrap()
                .is_some_and(|s| s.kind == StepKind::Rank)
        );
        let gone = RankId::new();
        assert_eq!(system.next_step(&Grade::new(gone, 0)), Err(gone));
    }

    #[test]
    fn invalid_systems_are_refused() {
        assert_eq!(BeltSystem::new(vec![]), Err(BeltSystemError::Empty));
        let white = rank("White", 0, Requirements::default());
        assert_eq!(
            BeltSystem::new(vec![white.clone(), white.clone()]),
            Err(BeltSystemError::DuplicateRank(white.id))
        );
        let striped = Rank { stripes: 13, ..white };
        assert!(matches!(
            BeltSystem::new(vec![striped]),
            Err(BeltSystemError::TooManyStripes { .. })
        ));
    }
}

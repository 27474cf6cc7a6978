//! Shared by the bins and tests of the end-to-end crate.

pub mod corpus;
pub mod recording;

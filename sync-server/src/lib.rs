//! The sync server: merges every device's Automerge changes into a
//! tenant-partitioned PostgreSQL database.

#![forbid(unsafe_code)]

pub mod postgres;

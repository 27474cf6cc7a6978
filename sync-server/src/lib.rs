//! The sync server: merges every device's Automerge changes into a
//! tenant-partitioned PostgreSQL database.

#![forbid(unsafe_code)]

pub mod auth;
pub mod crypto;
pub mod db;
pub mod error;
pub mod postgres;
pub mod settings;
pub mod sync;

//! The sync server: merges every device's Automerge changes into a
//! tenant-partitioned PostgreSQL database.
//!
//! [`build`] connects and binds; [`run_with_listener`] serves.

#![forbid(unsafe_code)]

pub mod academies;
pub mod accounts;
pub mod auth;
pub mod backup;
pub mod cli;
pub mod crypto;
pub mod db;
pub mod demo;
pub mod error;
pub mod metrics;
pub mod passes;
pub mod postgres;
pub mod progress;
pub mod routes;
pub mod server_edits;
pub mod settings;
pub mod startup;
pub mod state;
pub mod sync;
pub mod telemetry;
pub mod tenancy;
pub mod testing;
pub mod tls;

pub use startup::{Application, Server, build, connect, run_with_listener};

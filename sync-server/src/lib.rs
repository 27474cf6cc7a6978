//! The sync server: merges every device's Automerge changes into a
//! tenant-partitioned PostgreSQL database. Built on `tatami-core`, so it
//! applies exactly the rules the devices apply.

#![forbid(unsafe_code)]

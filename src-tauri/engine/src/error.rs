//! What the engine tells the app when something cannot be done: a stable
//! `code` for the UI to act on and a message for people.

use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};
use tatami_core::doc::DocError;
use tatami_core::people::Role;

use crate::credentials::KeyringError;
use crate::remote::RemoteError;
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("this device is not enrolled yet")]
    NotEnrolled,
    #[error("this device is already enrolled")]
    AlreadyEnrolled,
    #[error("unlock the device with a staff PIN first")]
    Locked,
    #[error("wrong email or PIN")]
    WrongPin,
    #[error("too many wrong PINs: try again in {seconds} seconds")]
    TooManyAttempts { seconds: u64 },
    #[error("this needs the {needed} role")]
    Forbidden { needed: Role },
    #[error("no such {0} on this device")]
    NotFound(&'static str),
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Keyring(#[from] KeyringError),
    #[error(transparent)]
    Remote(#[from] RemoteError),
    #[error("a document cannot be used: {0}")]
    Document(#[from] DocError),
}

impl EngineError {
    /// Stable, for the UI to translate and act on.
    pub fn code(&self) -> &str {
        match self {
            EngineError::NotEnrolled => "not_enrolled",
            EngineError::AlreadyEnrolled => "already_enrolled",
            EngineError::Locked => "locked",
            EngineError::WrongPin => "wrong_pin",
            EngineError::TooManyAttempts { .. } => "too_many_attempts",
            EngineError::Forbidden { .. } => "forbidden",
            EngineError::NotFound(_) => "not_found",
            EngineError::Invalid(_) => "invalid",
            EngineError::Store(StoreError::Foreign { .. }) => "store_foreign",
            EngineError::Store(StoreError::Corrupt { .. }) => "store_corrupt",
            EngineError::Store(StoreError::Newer { .. }) => "store_newer",
            EngineError::Store(_) => "store_failed",
            EngineError::Keyring(_) => "keyring_unavailable",
            EngineError::Remote(RemoteError::Unreachable(_)) => "offline",
            EngineError::Remote(error) => error.code().unwrap_or("server_garbled"),
            EngineError::Document(_) => "document_invalid",
        }
    }
}

impl Serialize for EngineError {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut error = s.serialize_struct("EngineError", 2)?;
        error.serialize_field("code", self.code())?;
        error.serialize_field("message", &self.to_string())?;
        error.end()
    }
}

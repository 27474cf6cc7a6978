//! What the engine tells the app when something cannot be done: a stable
//! `code` for the UI to act on and a message for people.

use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};
use tatami_core::api::ErrorCode;
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

/// The engine's own reasons, beside the server's codes it passes on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum EngineCode {
    NotEnrolled,
    AlreadyEnrolled,
    Locked,
    WrongPin,
    TooManyAttempts,
    NotFound,
    Invalid,
    StoreForeign,
    StoreCorrupt,
    StoreNewer,
    StoreFailed,
    KeyringUnavailable,
    /// A document on this device cannot be read or changed.
    DocumentInvalid,
    /// The server cannot be reached.
    Offline,
    /// The server's answer was not what the protocol says.
    ServerGarbled,
    /// The server refused with a code this build does not know.
    ServerRefused,
    /// The server's address would send credentials in the clear (plain
    /// HTTP to another machine), or is not an address.
    InsecureServer,
}

/// Why something could not be done, stable for the screens to act on:
/// the engine's own reason or the server's, as the server sent it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(untagged)]
pub enum Code {
    Engine(EngineCode),
    Server(ErrorCode),
}

impl From<EngineCode> for Code {
    fn from(code: EngineCode) -> Self {
        Code::Engine(code)
    }
}

impl EngineError {
    pub fn code(&self) -> Code {
        use EngineCode as E;
        let code = match self {
            EngineError::NotEnrolled => E::NotEnrolled,
            EngineError::AlreadyEnrolled => E::AlreadyEnrolled,
            EngineError::Locked => E::Locked,
            EngineError::WrongPin => E::WrongPin,
            EngineError::TooManyAttempts { .. } => E::TooManyAttempts,
            // The same refusal as the server's, in the same word.
            EngineError::Forbidden { .. } => return Code::Server(ErrorCode::Forbidden),
            EngineError::NotFound(_) => E::NotFound,
            EngineError::Invalid(_) => E::Invalid,
            EngineError::Store(StoreError::Foreign { .. }) => E::StoreForeign,
            EngineError::Store(StoreError::Corrupt { .. }) => E::StoreCorrupt,
            EngineError::Store(StoreError::Newer { .. }) => E::StoreNewer,
            EngineError::Store(_) => E::StoreFailed,
            EngineError::Keyring(_) => E::KeyringUnavailable,
            EngineError::Remote(RemoteError::Unreachable(_)) => E::Offline,
            EngineError::Remote(RemoteError::Garbled(_)) => E::ServerGarbled,
            EngineError::Remote(RemoteError::BadAddress(_)) => E::InsecureServer,
            EngineError::Remote(RemoteError::Refused { code, .. }) => {
                return code.map_or(E::ServerRefused.into(), Code::Server);
            }
            EngineError::Document(_) => E::DocumentInvalid,
        };
        Code::Engine(code)
    }
}

impl Serialize for EngineError {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut error = s.serialize_struct("EngineError", 2)?;
        error.serialize_field("code", &self.code())?;
        error.serialize_field("message", &self.to_string())?;
        error.end()
    }
}

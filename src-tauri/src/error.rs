//! Every command's error, as the screens receive it: a stable `code` to act
//! on and a `message` a person understands. The codes are typed end to end:
//! the server's (`tatami_core::api::ErrorCode`), the engine's, the
//! camera's and the shell's own, so the screens' `CommandError["code"]` is
//! the union of every code there is.

use serde::Serialize;
use tatami_client::EngineError;
use tatami_client::error::{Code, EngineCode};
use tatami_scan::{CameraCode, SourceError};
use ts_rs::TS;

/// The shell's own reasons.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub(crate) enum ShellCode {
    /// Tauri refused the call before it ran (arguments that do not fit):
    /// made by the screens' generated `call()`, never here.
    #[allow(dead_code, reason = "made by the generated TypeScript")]
    BadRequest,
    /// A file could not be saved.
    ExportFailed,
    /// A frame was pushed while the door camera takes none.
    CameraOff,
    /// A command stopped unexpectedly (a bug); the message says how.
    CommandFailed,
}

/// Every code a command can fail with: the engine's (with the server's it
/// passes on), the door camera's and the shell's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(untagged)]
pub(crate) enum CommandCode {
    Engine(Code),
    Camera(CameraCode),
    Shell(ShellCode),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, thiserror::Error)]
#[error("{message}")]
pub(crate) struct CommandError {
    pub code: CommandCode,
    pub message: String,
}

impl CommandError {
    pub(crate) fn new(code: impl Into<CommandCode>, message: impl Into<String>) -> Self {
        Self {
            code: code.into(),
            message: message.into(),
        }
    }
}

impl From<Code> for CommandCode {
    fn from(code: Code) -> Self {
        Self::Engine(code)
    }
}

impl From<EngineCode> for CommandCode {
    fn from(code: EngineCode) -> Self {
        Self::Engine(code.into())
    }
}

impl From<CameraCode> for CommandCode {
    fn from(code: CameraCode) -> Self {
        Self::Camera(code)
    }
}

impl From<ShellCode> for CommandCode {
    fn from(code: ShellCode) -> Self {
        Self::Shell(code)
    }
}

impl From<EngineError> for CommandError {
    fn from(error: EngineError) -> Self {
        Self::new(error.code(), error.to_string())
    }
}

impl From<SourceError> for CommandError {
    fn from(error: SourceError) -> Self {
        Self::new(error.code(), error.to_string())
    }
}

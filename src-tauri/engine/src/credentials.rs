//! Where a device keeps its credential. On a real device that is the OS
//! keyring (Keychain, Windows Credential Manager, the Secret Service on
//! Linux, Android's keystore), never the store or a file: a copied store
//! file cannot sync as this device. [`MemoryCredentials`] stands in for it
//! in tests of the engine's own logic; the end-to-end tests use the real
//! keyring.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use tatami_core::ids::DeviceId;

/// The keyring cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("the system keyring cannot be used: {0}")]
pub struct KeyringError(String);

/// Keeps device credentials, by device.
pub trait CredentialStore: Send + Sync + 'static {
    fn save(&self, device: DeviceId, credential: &str) -> Result<(), KeyringError>;

    /// The credential of `device`; `None` when none is kept.
    fn load(&self, device: DeviceId) -> Result<Option<String>, KeyringError>;

    /// Forgets `device`'s credential; nothing kept is fine.
    fn delete(&self, device: DeviceId) -> Result<(), KeyringError>;
}

/// The OS keyring, under this app's service name.
#[derive(Debug, Clone)]
pub struct Keyring {
    service: String,
}

impl Default for Keyring {
    fn default() -> Self {
        Self {
            service: "tatami".to_owned(),
        }
    }
}

impl Keyring {
    fn entry(&self, device: DeviceId) -> Result<keyring::Entry, KeyringError> {
        keyring::Entry::new(&self.service, &format!("device:{device}"))
            .map_err(|e| KeyringError(e.to_string()))
    }
}

impl CredentialStore for Keyring {
    fn save(&self, device: DeviceId, credential: &str) -> Result<(), KeyringError> {
        self.entry(device)?
            .set_password(credential)
            .map_err(|e| KeyringError(e.to_string()))
    }

    fn load(&self, device: DeviceId) -> Result<Option<String>, KeyringError> {
        match self.entry(device)?.get_password() {
            Ok(credential) => Ok(Some(credential)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(KeyringError(e.to_string())),
        }
    }

    fn delete(&self, device: DeviceId) -> Result<(), KeyringError> {
        match self.entry(device)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(KeyringError(e.to_string())),
        }
    }
}

/// Credentials in memory, gone with the process: for tests and tools,
/// never for a device people use.
#[derive(Debug, Default)]
pub struct MemoryCredentials {
    kept: Mutex<HashMap<DeviceId, String>>,
}

impl CredentialStore for MemoryCredentials {
    fn save(&self, device: DeviceId, credential: &str) -> Result<(), KeyringError> {
        let mut kept = self.kept.lock().unwrap_or_else(PoisonError::into_inner);
        kept.insert(device, credential.to_owned());
        Ok(())
    }

    fn load(&self, device: DeviceId) -> Result<Option<String>, KeyringError> {
        let kept = self.kept.lock().unwrap_or_else(PoisonError::into_inner);
        Ok(kept.get(&device).cloned())
    }

    fn delete(&self, device: DeviceId) -> Result<(), KeyringError> {
        let mut kept = self.kept.lock().unwrap_or_else(PoisonError::into_inner);
        kept.remove(&device);
        Ok(())
    }
}

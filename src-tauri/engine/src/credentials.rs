//! The device credential lives in the OS keyring (Keychain, Windows
//! Credential Manager, the Secret Service on Linux), never in the store or
//! a file: a copied store file cannot sync as this device.

use tatami_core::ids::DeviceId;

/// The keyring cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("the system keyring cannot be used: {0}")]
pub struct KeyringError(String);

/// Where this app's device credentials are kept.
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

    pub fn save(&self, device: DeviceId, credential: &str) -> Result<(), KeyringError> {
        self.entry(device)?
            .set_password(credential)
            .map_err(|e| KeyringError(e.to_string()))
    }

    /// The credential of `device`; `None` when the keyring has none.
    pub fn load(&self, device: DeviceId) -> Result<Option<String>, KeyringError> {
        match self.entry(device)?.get_password() {
            Ok(credential) => Ok(Some(credential)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(KeyringError(e.to_string())),
        }
    }

    pub fn delete(&self, device: DeviceId) -> Result<(), KeyringError> {
        match self.entry(device)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(KeyringError(e.to_string())),
        }
    }
}

//! Enrolling this device: online once, by an admin. The server's
//! credential goes to the OS keyring; the store keeps only who and where.

use serde::Deserialize;
use serde_json::json;
use tatami_core::people::Role;

use crate::engine::{Engine, Enrolment};
use crate::error::EngineError;
use crate::store::audit;
use crate::sync::Connection;

/// What the first-run screen asks for.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct EnrolRequest {
    /// The server's address, such as `https://tatami.example.com`.
    pub server: String,
    /// The academy's slug.
    pub academy: String,
    /// An admin's sign-in.
    pub email: String,
    pub password: String,
    /// How this device appears in the academy's device list.
    pub device_name: String,
    /// `front_desk` for a kiosk, `instructor` for an instructor's laptop.
    pub role: Role,
}

impl Engine {
    /// Enrols this device and loads the academy from the server. A device
    /// whose credential was revoked or expired enrols again into the same
    /// academy, keeping everything it holds: what waits is then pushed.
    pub async fn enrol(&self, request: EnrolRequest) -> Result<Enrolment, EngineError> {
        let previous = self.enrolment();
        if let Some(current) = &previous {
            if self.status().connection != Connection::EnrolAgain {
                return Err(EngineError::AlreadyEnrolled);
            }
            if current.server != request.server || current.academy != request.academy {
                return Err(EngineError::Invalid(format!(
                    "this device holds the data of {} at {}: enrol it there again",
                    current.academy, current.server
                )));
            }
        }
        let remote = self.inner.transport.remote(&request.server, &request.academy)?;
        let enrolled = remote
            .enrol(
                &request.email,
                &request.password,
                &request.device_name,
                request.role,
            )
            .await?;
        let by = request.email;
        let enrolment = Enrolment {
            server: request.server,
            academy: request.academy,
            device: enrolled.device_id,
            role: enrolled.role,
            name: request.device_name,
        };
        let kept = enrolment.clone();
        self.blocking(move |engine| engine.keep_enrolment(&kept, &enrolled.credential, previous, &by))
            .await?;
        self.sync_now().await?;
        Ok(enrolment)
    }

    /// Keeps the credential in the keyring and the enrolment in the store,
    /// forgets the one it replaces, and audits it.
    fn keep_enrolment(
        &self,
        enrolment: &Enrolment,
        credential: &str,
        previous: Option<Enrolment>,
        by: &str,
    ) -> Result<(), EngineError> {
        self.inner.credentials.save(enrolment.device, credential)?;
        self.set_enrolment(enrolment)?;
        if let Some(previous) = &previous {
            self.inner.credentials.delete(previous.device)?;
        }
        let at = self.now();
        let detail = json!({
            "device": enrolment.device, "role": enrolment.role, "by": by,
            "replaces": previous.map(|p| p.device),
        });
        self.with_store(|store| store.write(|tx| audit::record(tx, at, None, "enrolled", &detail)))
    }
}

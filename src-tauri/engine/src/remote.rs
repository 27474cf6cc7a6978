//! The sync server, over HTTP: enrolment, push and pull, bootstrap, one
//! document's state, the long poll that says something is new, and member
//! cards (signed by the server only).

use std::time::Duration;

use reqwest::{Client, RequestBuilder, StatusCode};
use serde::de::DeserializeOwned;
use tatami_core::api::{CardIssued, Enrolled, ErrorCode, Head, NewDevice, SignIn, Tokens, WaitQuery};
use tatami_core::ids::{DocId, StudentId};
use tatami_core::people::Role;
use tatami_core::sync::{Bootstrap, DocState, SyncRequest, SyncResponse};
use time::OffsetDateTime;

/// Waits longer than the server's 25-second long poll.
const WAIT_TIMEOUT: Duration = Duration::from_secs(35);
/// Any other request.
const TIMEOUT: Duration = Duration::from_secs(30);

/// Why a request to the server did not succeed.
#[derive(Debug, thiserror::Error)]
pub enum RemoteError {
    /// The server could not be reached or the connection dropped.
    #[error("the server cannot be reached: {0}")]
    Unreachable(String),
    /// The server answered with an error of its own: `code` is `None`
    /// for a code this build does not know (a newer server's).
    #[error("{message}")]
    Refused {
        status: u16,
        code: Option<ErrorCode>,
        message: String,
    },
    /// The answer was not what the protocol says.
    #[error("the server's answer was not understood: {0}")]
    Garbled(String),
    /// The server's address is not one to send credentials to.
    #[error("{0}")]
    BadAddress(String),
}

/// One academy on one server.
#[derive(Debug, Clone)]
pub struct Remote {
    http: Client,
    base: String,
    tenant: String,
}

impl Remote {
    /// The academy `tenant` at `base`, over `http`, whose pool of
    /// connections every sync reuses.
    pub fn new(http: &Client, base: &str, tenant: &str) -> Self {
        Self {
            http: http.clone(),
            base: base.trim_end_matches('/').to_owned(),
            tenant: tenant.to_owned(),
        }
    }

    fn request(&self, method: reqwest::Method, path: &str, bearer: &str) -> RequestBuilder {
        self.http
            .request(method, format!("{}{path}", self.base))
            .header("x-tatami-tenant", &self.tenant)
            .bearer_auth(bearer)
            .timeout(TIMEOUT)
    }

    /// Signs in as an admin and enrols this device under `name` with `role`.
    pub async fn enrol(
        &self,
        email: &str,
        password: &str,
        name: &str,
        role: Role,
    ) -> Result<Enrolled, RemoteError> {
        let sign_in = SignIn {
            email: email.to_owned(),
            password: password.to_owned(),
        };
        let signed_in: Tokens = send_once(
            self.request(reqwest::Method::POST, "/v1/auth/sign-in", "")
                .json(&sign_in),
        )
        .await?;
        let device = NewDevice {
            name: name.to_owned(),
            role: role.as_str().to_owned(),
        };
        send_once(
            self.request(reqwest::Method::POST, "/v1/devices", &signed_in.access_token)
                .json(&device),
        )
        .await
    }

    /// Pushes and pulls; also returns the server's clock reading (its
    /// `Date` header), by which the device finds its own clock's error.
    pub async fn sync(
        &self,
        credential: &str,
        request: &SyncRequest,
    ) -> Result<(SyncResponse, Option<OffsetDateTime>), RemoteError> {
        send_dated(
            self.request(reqwest::Method::POST, "/v1/sync", credential)
                .json(request),
        )
        .await
    }

    pub async fn bootstrap(&self, credential: &str, after: Option<DocId>) -> Result<Bootstrap, RemoteError> {
        let mut request = self.request(reqwest::Method::GET, "/v1/bootstrap", credential);
        if let Some(after) = after {
            request = request.query(&[("after", after.to_string())]);
        }
        send(request).await
    }

    /// The server's copy of one document; `None` when it has none.
    pub async fn document(&self, credential: &str, id: DocId) -> Result<Option<DocState>, RemoteError> {
        let path = format!("/v1/documents/{id}");
        match send(self.request(reqwest::Method::GET, &path, credential)).await {
            Err(RemoteError::Refused {
                code: Some(ErrorCode::UnknownDocument),
                ..
            }) => Ok(None),
            other => other.map(Some),
        }
    }

    /// A student's member card, as the QR text the server signed.
    pub async fn card(&self, credential: &str, student: StudentId) -> Result<String, RemoteError> {
        let path = format!("/v1/students/{student}/card");
        let issued: CardIssued = send(self.request(reqwest::Method::GET, &path, credential)).await?;
        Ok(issued.card)
    }

    /// Returns the log head once it passes `cursor`, or after the server's
    /// long-poll period.
    pub async fn wait(&self, credential: &str, cursor: u64) -> Result<u64, RemoteError> {
        let head: Head = send(
            self.request(reqwest::Method::GET, "/v1/sync/wait", credential)
                .query(&WaitQuery { cursor })
                .timeout(WAIT_TIMEOUT),
        )
        .await?;
        Ok(head.head)
    }
}

/// Sends a request of the sync protocol, which is safe to repeat.
async fn send<T: DeserializeOwned>(request: RequestBuilder) -> Result<T, RemoteError> {
    send_dated(request).await.map(|(value, _)| value)
}

async fn send_dated<T: DeserializeOwned>(
    request: RequestBuilder,
) -> Result<(T, Option<OffsetDateTime>), RemoteError> {
    // A kept-alive connection the server closed (it restarted, say) fails
    // the first request on it: once more, on a fresh connection.
    let retry = request.try_clone();
    let sent = match (request.send().await, retry) {
        (Err(error), Some(retry)) if !error.is_connect() && !error.is_timeout() => retry.send().await,
        (sent, _) => sent,
    };
    answer(sent).await
}

/// Sends a request that must not be repeated blindly: enrolment creates a
/// device.
async fn send_once<T: DeserializeOwned>(request: RequestBuilder) -> Result<T, RemoteError> {
    answer(request.send().await).await.map(|(value, _)| value)
}

/// A request that did not get an answer, with every cause: "invalid peer
/// certificate: UnknownIssuer" is what tells the user why.
fn unreachable(error: &reqwest::Error) -> RemoteError {
    let error: &dyn std::error::Error = error;
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        message = format!("{message}: {cause}");
        source = cause.source();
    }
    RemoteError::Unreachable(message)
}

/// The answer's body as `T`, with the server's clock reading; or the
/// server's error.
async fn answer<T: DeserializeOwned>(
    sent: Result<reqwest::Response, reqwest::Error>,
) -> Result<(T, Option<OffsetDateTime>), RemoteError> {
    let response = sent.map_err(|e| unreachable(&e))?;
    let date = response
        .headers()
        .get(reqwest::header::DATE)
        .and_then(|value| httpdate::parse_http_date(value.to_str().ok()?).ok())
        .map(OffsetDateTime::from);
    let status = response.status();
    let body = response.bytes().await.map_err(|e| unreachable(&e))?;
    if status.is_success() {
        return serde_json::from_slice(&body)
            .map(|value| (value, date))
            .map_err(|e| RemoteError::Garbled(e.to_string()));
    }
    Err(match serde_json::from_slice::<Answered>(&body) {
        Ok(error) => RemoteError::Refused {
            status: status.as_u16(),
            code: ErrorCode::parse(&error.code),
            message: error.message,
        },
        // A proxy or a restarting server: try again later.
        Err(_) if status == StatusCode::BAD_GATEWAY || status.is_server_error() => {
            RemoteError::Unreachable(format!("the server answered {status}"))
        }
        Err(_) => RemoteError::Garbled(format!("status {status} without an error body")),
    })
}

/// The server's [`ErrorBody`](tatami_core::api::ErrorBody), its code read
/// apart: one this build does not know (a newer server's) still brings the
/// server's words.
#[derive(serde::Deserialize)]
struct Answered {
    code: String,
    message: String,
}

//! The API's errors: a status, a stable code and a message a person can
//! read. Internal causes are logged, never sent.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use tatami_core::api::{ErrorBody, ErrorCode};

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The request is refused for the reason `code` names.
    #[error("{message}")]
    Refused { code: ErrorCode, message: String },
    #[error("too many attempts: try again in {retry_after} seconds")]
    TooManyRequests { retry_after: u64 },
    #[error("internal error")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::Refused {
            code,
            message: message.into(),
        }
    }

    pub fn internal(error: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self::Internal(Box::new(error))
    }

    /// For an insert's `map_err`: a unique violation is the refusal `code`
    /// (the name or email is taken); any other database error is internal.
    pub fn taken(code: ErrorCode, message: String) -> impl FnOnce(sqlx::Error) -> Self {
        move |error| {
            if crate::db::is_unique_violation(&error) {
                Self::new(code, message)
            } else {
                error.into()
            }
        }
    }

    pub fn code(&self) -> ErrorCode {
        match self {
            Self::Refused { code, .. } => *code,
            Self::TooManyRequests { .. } => ErrorCode::TooManyRequests,
            Self::Internal(_) => ErrorCode::Internal,
        }
    }
}

/// The HTTP status each code is sent with: one per code, so a client can
/// rely on either.
pub fn status(code: ErrorCode) -> StatusCode {
    use ErrorCode as C;
    match code {
        C::InvalidBody
        | C::InvalidPath
        | C::InvalidQuery
        | C::InvalidField
        | C::NoTenant
        | C::WeakPassword
        | C::InvalidPin
        | C::NotStaff
        | C::InvalidCursor => StatusCode::BAD_REQUEST,
        C::Unauthenticated
        | C::InvalidToken
        | C::TokenExpired
        | C::InvalidCredentials
        | C::InvalidRefreshToken
        | C::RefreshTokenReused
        | C::DeviceRevoked
        | C::DeviceExpired => StatusCode::UNAUTHORIZED,
        C::WrongTenant | C::AccountDisabled | C::Forbidden => StatusCode::FORBIDDEN,
        C::UnknownTenant | C::UnknownUser | C::UnknownDevice | C::UnknownDocument | C::UnknownStudent => {
            StatusCode::NOT_FOUND
        }
        C::SlugTaken
        | C::EmailTaken
        | C::ProtocolUnsupported
        | C::CursorAhead
        | C::StudentInactive
        | C::NoSigningKey
        | C::PassTagCollision
        | C::CardVersionsExhausted => StatusCode::CONFLICT,
        C::BodyTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        C::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
        C::Internal => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let code = self.code();
        if let Self::Internal(cause) = &self {
            tracing::error!(error = %cause, "request failed");
        }
        let body = ErrorBody {
            code,
            message: self.to_string(),
        };
        let mut response = (status(code), Json(body)).into_response();
        if let Self::TooManyRequests { retry_after } = self
            && let Ok(value) = HeaderValue::from_str(&retry_after.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        response
    }
}

/// A document the server itself edits failed to read or change: a bug or
/// damaged data, never the caller's fault.
impl From<tatami_core::doc::DocError> for ApiError {
    fn from(error: tatami_core::doc::DocError) -> Self {
        Self::internal(error)
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(error: sqlx::Error) -> Self {
        Self::internal(error)
    }
}

/// A JSON body that failed to parse: malformed, truncated, the wrong shape
/// or too large. Nothing was changed.
impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        match rejection {
            JsonRejection::BytesRejection(bytes) if bytes.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                Self::new(
                    ErrorCode::BodyTooLarge,
                    "the request body is larger than this server accepts",
                )
            }
            JsonRejection::MissingJsonContentType(_) => Self::new(
                ErrorCode::InvalidBody,
                "send the body as JSON (Content-Type: application/json)",
            ),
            other => Self::new(ErrorCode::InvalidBody, other.body_text()),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::*;

    /// Every code with its status, in the enum's order.
    fn codes() -> Vec<(String, u16)> {
        ErrorCode::ALL
            .iter()
            .map(|&code| (code.as_str().to_owned(), status(code).as_u16()))
            .collect()
    }

    #[test]
    fn docs_errors_md_lists_every_code_with_its_status() {
        let docs = include_str!("../../docs/errors.md");
        let section = docs
            .split("## The server")
            .nth(1)
            .and_then(|rest| rest.split("\n## ").next())
            .unwrap();
        let documented: Vec<(String, u16)> = section
            .lines()
            .filter_map(|line| {
                let cells: Vec<&str> = line.split('|').map(str::trim).collect();
                let code = cells.get(1)?.strip_prefix('`')?.strip_suffix('`')?;
                Some((code.to_owned(), cells.get(2)?.parse().ok()?))
            })
            .collect();
        assert_eq!(documented, codes(), "docs/errors.md and ErrorCode differ");
    }

    #[test]
    fn the_openapi_document_lists_every_code() {
        let openapi: Value = serde_json::from_str(crate::routes::OPENAPI).unwrap();
        let listed: Vec<&str> = openapi["components"]["schemas"]["Error"]["properties"]["code"]["enum"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(Value::as_str)
            .collect();
        let codes: Vec<&str> = ErrorCode::ALL.iter().map(|code| code.as_str()).collect();
        assert_eq!(listed, codes, "openapi.json and ErrorCode differ");
    }
}

//! The REST API's shared vocabulary: every error code the server answers
//! with, and the small bodies both sides read and write. The server
//! builds its answers from these types and the device parses them with the
//! same ones, so neither side can speak a word the other does not know.
//! The sync messages themselves are in [`crate::sync`].

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::ids::DeviceId;
use crate::people::Role;

/// Declares [`ErrorCode`]: each variant with its text on the wire.
macro_rules! error_codes {
    ($($(#[doc = $doc:literal])* $variant:ident = $text:literal,)*) => {
        /// Why the server refused a request, as its error body's `code`:
        /// stable, for programs to act on (the `message` is for people).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "ts", derive(ts_rs::TS))]
        pub enum ErrorCode {
            $($(#[doc = $doc])* #[serde(rename = $text)] $variant,)*
        }

        impl ErrorCode {
            /// Every code, in declaration order.
            pub const ALL: &[ErrorCode] = &[$(ErrorCode::$variant,)*];

            /// The code as it is sent.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $text,)*
                }
            }

            /// The code sent as `text`; `None` for one this build does not
            /// know.
            pub fn parse(text: &str) -> Option<Self> {
                match text {
                    $($text => Some(ErrorCode::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

error_codes! {
    // The request itself.
    /// The body is not the JSON this endpoint takes.
    InvalidBody = "invalid_body",
    /// A path parameter is malformed (an id that is not a UUID).
    InvalidPath = "invalid_path",
    /// A query parameter is malformed.
    InvalidQuery = "invalid_query",
    /// A field's value is refused; the message says which and why.
    InvalidField = "invalid_field",
    /// The body is larger than the server accepts.
    BodyTooLarge = "body_too_large",
    /// Too many attempts: wait the `Retry-After` seconds.
    TooManyRequests = "too_many_requests",
    /// The server failed; nothing the caller did.
    Internal = "internal",

    // The academy.
    /// No academy named: use its host name or the tenant header.
    NoTenant = "no_tenant",
    /// No academy has that name.
    UnknownTenant = "unknown_tenant",
    /// The credential belongs to another academy than the one named.
    WrongTenant = "wrong_tenant",
    /// An academy with that name exists already.
    SlugTaken = "slug_taken",

    // Who is calling.
    /// No credential was sent.
    Unauthenticated = "unauthenticated",
    /// The credential is not valid: sign in (or enrol) again.
    InvalidToken = "invalid_token",
    /// The access token expired: refresh it.
    TokenExpired = "token_expired",
    /// The email or password is wrong.
    InvalidCredentials = "invalid_credentials",
    /// The refresh token is unknown, revoked or expired: sign in again.
    InvalidRefreshToken = "invalid_refresh_token",
    /// A refresh token was used twice: the session was ended.
    RefreshTokenReused = "refresh_token_reused",
    /// The account is disabled.
    AccountDisabled = "account_disabled",
    /// The caller's role may not do this.
    Forbidden = "forbidden",
    /// The device was revoked: enrol it again.
    DeviceRevoked = "device_revoked",
    /// The device's enrolment expired: enrol it again.
    DeviceExpired = "device_expired",

    // Accounts.
    /// The email already has an account in this academy.
    EmailTaken = "email_taken",
    /// The password is too short.
    WeakPassword = "weak_password",
    /// A PIN is 4 to 8 digits.
    InvalidPin = "invalid_pin",
    /// The account is a member's, which has no staff role.
    NotStaff = "not_staff",
    /// No such user in this academy.
    UnknownUser = "unknown_user",
    /// No such device is enrolled in this academy.
    UnknownDevice = "unknown_device",

    // Sync.
    /// The device speaks a protocol version the server does not.
    ProtocolUnsupported = "protocol_unsupported",
    /// The cursor is out of range.
    InvalidCursor = "invalid_cursor",
    /// The cursor is past the server's log (a restored backup): bootstrap
    /// again.
    CursorAhead = "cursor_ahead",
    /// The server has no such document.
    UnknownDocument = "unknown_document",

    // Students and passes.
    /// No such student in this academy.
    UnknownStudent = "unknown_student",
    /// The student is inactive: no pass or card.
    StudentInactive = "student_inactive",
    /// The academy has no key to sign passes with.
    NoSigningKey = "no_signing_key",
    /// Another student's pass tag is the same: no pass can tell them apart.
    PassTagCollision = "pass_tag_collision",
    /// The student has had every card version there is.
    CardVersionsExhausted = "card_versions_exhausted",
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The body of every error answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub code: ErrorCode,
    pub message: String,
}

/// `POST /v1/auth/sign-in`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignIn {
    pub email: String,
    pub password: String,
}

/// What sign-in and refresh hand out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tokens {
    pub access_token: String,
    pub refresh_token: String,
    /// Seconds the access token lasts.
    pub expires_in: u64,
    pub user_id: Uuid,
    /// A staff role's name, or `member`.
    pub role: String,
    /// A member's own student record.
    pub student_id: Option<Uuid>,
}

/// `POST /v1/devices`: enrol a device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewDevice {
    pub name: String,
    /// What the device may change: `front_desk` for a kiosk, `instructor`
    /// for an instructor's laptop. At most the enrolling admin's role.
    pub role: String,
}

/// A device's credential, as the server gives it at enrolment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enrolled {
    pub device_id: DeviceId,
    /// Shown once: the device keeps it in its OS keyring.
    pub credential: String,
    pub role: Role,
}

/// `GET /v1/students/{id}/card`: a printed member card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardIssued {
    /// QR alphanumeric text for the printed card.
    pub card: String,
    pub version: u16,
    pub student_name: String,
    pub academy_name: String,
}

/// `POST /v1/students/{id}/pass`: a short-lived phone pass.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhonePassIssued {
    /// QR alphanumeric text: show it as a QR code.
    pub pass: String,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
}

/// `GET /v1/sync/wait?cursor=`: the long poll's question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct WaitQuery {
    pub cursor: u64,
}

/// The long poll's answer: the academy's log head.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Head {
    pub head: u64,
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn each_code_is_its_text_on_the_wire_and_no_two_share_one() {
        let mut texts = HashSet::new();
        for &code in ErrorCode::ALL {
            let json = serde_json::to_string(&code).unwrap();
            assert_eq!(json, format!("\"{code}\""));
            assert_eq!(serde_json::from_str::<ErrorCode>(&json).unwrap(), code);
            assert_eq!(ErrorCode::parse(code.as_str()), Some(code));
            assert!(texts.insert(code.as_str()), "{code} twice");
        }
        assert!(serde_json::from_str::<ErrorCode>("\"no_such_code\"").is_err());
        assert_eq!(ErrorCode::parse("no_such_code"), None);
    }

    #[test]
    fn error_bodies_read_as_the_server_writes_them() {
        let body: ErrorBody =
            serde_json::from_str(r#"{"code":"cursor_ahead","message":"bootstrap again"}"#).unwrap();
        assert_eq!(body.code, ErrorCode::CursorAhead);
    }
}

//! Short-lived access tokens: JWTs signed with HMAC-SHA256. Only this
//! exact header is accepted, so no token can choose its own algorithm.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use uuid::Uuid;

const HEADER: &str = r#"{"alg":"HS256","typ":"JWT"}"#;

/// What an access token says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// The user.
    pub sub: Uuid,
    /// The academy.
    pub tid: Uuid,
    /// `owner`, `admin`, `instructor`, `front_desk` or `member`.
    pub role: String,
    /// For members: their student.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub student: Option<Uuid>,
    /// The session: the family of refresh tokens the sign-in started. A
    /// token is honoured only while its session lives (see
    /// `auth::authenticate_user`).
    pub sid: Uuid,
    pub iat: i64,
    pub exp: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("the access token is not valid")]
    Invalid,
    #[error("the access token has expired")]
    Expired,
}

/// Signs and checks access tokens.
#[derive(Clone)]
pub struct TokenKey(Hmac<Sha256>);

impl std::fmt::Debug for TokenKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenKey(..)")
    }
}

impl TokenKey {
    pub fn new(secret: &[u8]) -> Self {
        Self(
            <Hmac<Sha256> as KeyInit>::new_from_slice(secret)
                .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length")),
        )
    }

    pub fn sign(&self, claims: &Claims) -> String {
        let payload = serde_json::to_vec(claims).unwrap_or_default();
        let message = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(HEADER),
            URL_SAFE_NO_PAD.encode(payload)
        );
        let mut mac = self.0.clone();
        mac.update(message.as_bytes());
        let signature = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
        format!("{message}.{signature}")
    }

    /// The claims of a token this key signed, unless expired at `now`
    /// (Unix seconds).
    pub fn verify(&self, token: &str, now: i64) -> Result<Claims, TokenError> {
        let (message, signature) = token.rsplit_once('.').ok_or(TokenError::Invalid)?;
        let (header, payload) = message.split_once('.').ok_or(TokenError::Invalid)?;
        let signature = URL_SAFE_NO_PAD
            .decode(signature)
            .map_err(|_| TokenError::Invalid)?;
        let mut mac = self.0.clone();
        mac.update(message.as_bytes());
        mac.verify_slice(&signature).map_err(|_| TokenError::Invalid)?;
        if URL_SAFE_NO_PAD.decode(header).ok().as_deref() != Some(HEADER.as_bytes()) {
            return Err(TokenError::Invalid);
        }
        let payload = URL_SAFE_NO_PAD.decode(payload).map_err(|_| TokenError::Invalid)?;
        let claims: Claims = serde_json::from_slice(&payload).map_err(|_| TokenError::Invalid)?;
        if claims.exp <= now {
            return Err(TokenError::Expired);
        }
        Ok(claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn claims(exp: i64) -> Claims {
        Claims {
            sub: Uuid::now_v7(),
            tid: Uuid::now_v7(),
            role: "admin".into(),
            student: None,
            sid: Uuid::now_v7(),
            iat: 1000,
            exp,
        }
    }

    #[test]
    fn tokens_verify_until_they_expire() {
        let key = TokenKey::new(b"a secret of the server");
        let c = claims(2000);
        let token = key.sign(&c);
        assert_eq!(key.verify(&token, 1999), Ok(c));
        assert_eq!(key.verify(&token, 2000), Err(TokenError::Expired));
        assert_eq!(
            TokenKey::new(b"another secret").verify(&token, 1500),
            Err(TokenError::Invalid)
        );
    }

    #[test]
    fn an_unsigned_token_is_refused() {
        let key = TokenKey::new(b"k");
        let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims(i64::MAX)).unwrap());
        let none = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#);
        assert_eq!(
            key.verify(&format!("{none}.{payload}."), 0),
            Err(TokenError::Invalid)
        );
    }

    proptest! {
        /// Changing any character of a token makes it invalid.
        #[test]
        fn tampering_is_detected(position in any::<prop::sample::Index>(), replacement in "[A-Za-z0-9_.-]") {
            let key = TokenKey::new(b"k");
            let token = key.sign(&claims(i64::MAX));
            let at = position.index(token.len());
            prop_assume!(token[at..=at] != replacement);
            let tampered = format!("{}{}{}", &token[..at], replacement, &token[at + 1..]);
            prop_assert!(key.verify(&tampered, 0).is_err());
        }
    }
}

//! Short-lived access tokens: JWTs signed with HMAC-SHA256. Each key has an
//! id (`kid`, from a hash of its secret, which it does not reveal); a token
//! is checked with the key its header names, and only that key's exact
//! header is accepted, so no token can choose its own algorithm. Keys
//! rotate: the current one signs, previous ones still verify until the
//! tokens they signed have expired.
//!
//! Why not a JWT library: the server signs and checks one shape of token
//! with one algorithm; the 100 lines here accept nothing else (no
//! algorithm negotiation, no `none`, no key from the token), and a library
//! would bring its own cryptography backend beside the server's.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

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

/// One signing key, with its id and the exact header of its tokens.
#[derive(Clone)]
pub struct TokenKey {
    mac: Hmac<Sha256>,
    kid: String,
    header: String,
}

impl std::fmt::Debug for TokenKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TokenKey({})", self.kid)
    }
}

impl TokenKey {
    pub fn new(secret: &[u8]) -> Self {
        let digest = Sha256::new_with_prefix(b"tatami/token-key-id/v1")
            .chain_update(secret)
            .finalize();
        let kid = URL_SAFE_NO_PAD.encode(&digest[..9]);
        Self {
            mac: <Hmac<Sha256> as KeyInit>::new_from_slice(secret)
                .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length")),
            header: format!(r#"{{"alg":"HS256","typ":"JWT","kid":"{kid}"}}"#),
            kid,
        }
    }

    /// The key's id, as tokens name it.
    pub fn id(&self) -> &str {
        &self.kid
    }

    pub fn sign(&self, claims: &Claims) -> String {
        let payload = serde_json::to_vec(claims).unwrap_or_default();
        let message = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(&self.header),
            URL_SAFE_NO_PAD.encode(payload)
        );
        let mut mac = self.mac.clone();
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
        let mut mac = self.mac.clone();
        mac.update(message.as_bytes());
        mac.verify_slice(&signature).map_err(|_| TokenError::Invalid)?;
        if URL_SAFE_NO_PAD.decode(header).ok().as_deref() != Some(self.header.as_bytes()) {
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

/// The server's keys: the current one signs; it and the previous ones
/// verify, each the tokens whose header names it.
#[derive(Debug, Clone)]
pub struct TokenKeys {
    current: TokenKey,
    previous: Vec<TokenKey>,
}

impl TokenKeys {
    pub fn new(current: &[u8], previous: &[&[u8]]) -> Self {
        Self {
            current: TokenKey::new(current),
            previous: previous.iter().map(|secret| TokenKey::new(secret)).collect(),
        }
    }

    pub fn sign(&self, claims: &Claims) -> String {
        self.current.sign(claims)
    }

    pub fn verify(&self, token: &str, now: i64) -> Result<Claims, TokenError> {
        let header = token.split('.').next().ok_or(TokenError::Invalid)?;
        let header = URL_SAFE_NO_PAD.decode(header).map_err(|_| TokenError::Invalid)?;
        std::iter::once(&self.current)
            .chain(&self.previous)
            .find(|key| key.header.as_bytes() == header)
            .ok_or(TokenError::Invalid)?
            .verify(token, now)
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

    /// Rotation: tokens of the previous key still verify, each with the
    /// key its header names; a key's id says nothing of its secret.
    #[test]
    fn tokens_of_a_previous_key_verify_until_it_is_dropped() {
        let old = TokenKey::new(b"last year's secret");
        let token = old.sign(&claims(2000));
        let rotated = TokenKeys::new(b"this year's secret", &[b"last year's secret"]);
        assert_eq!(rotated.verify(&token, 1500), Ok(claims_of(&token)));
        let fresh = rotated.sign(&claims(2000));
        assert!(fresh.starts_with(&URL_SAFE_NO_PAD.encode(format!(
            r#"{{"alg":"HS256","typ":"JWT","kid":"{}"}}"#,
            TokenKey::new(b"this year's secret").id()
        ))));
        let dropped = TokenKeys::new(b"this year's secret", &[]);
        assert_eq!(dropped.verify(&token, 1500), Err(TokenError::Invalid));
        assert_eq!(dropped.verify(&fresh, 1500).map(|c| c.exp), Ok(2000));
        assert_eq!(old.id().len(), 12);
        assert!(!old.id().contains("secret"));
    }

    fn claims_of(token: &str) -> Claims {
        let payload = token.split('.').nth(1).unwrap();
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
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

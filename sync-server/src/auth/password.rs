//! Passwords are stored as Argon2id PHC strings, never as themselves.

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use zxcvbn::{Score, zxcvbn};

/// The shortest password accepted.
pub const MIN_LENGTH: usize = 10;
/// The least strength a new password needs, as zxcvbn estimates it from
/// how people really choose passwords (leaked lists, words, names, dates,
/// keyboard runs): score 3 takes about 10^10 guesses.
const MIN_SCORE: Score = Score::Three;

#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    #[error("a password needs at least {MIN_LENGTH} characters")]
    TooShort,
    #[error("this password is too easy to guess{0}: a few unrelated words make a strong one")]
    Guessable(String),
    #[error("could not hash the password: {0}")]
    Hash(String),
}

/// Hashes a new password, refusing a short or guessable one. `about` holds
/// what is known of the account (its email, name, academy), which a
/// password must not lean on.
pub fn hash(password: &str, about: &[&str]) -> Result<String, PasswordError> {
    if password.chars().count() < MIN_LENGTH {
        return Err(PasswordError::TooShort);
    }
    let estimate = zxcvbn(password, about);
    if estimate.score() < MIN_SCORE {
        let why = estimate
            .feedback()
            .and_then(zxcvbn::feedback::Feedback::warning)
            .map(|warning| format!(" ({warning})"))
            .unwrap_or_default();
        return Err(PasswordError::Guessable(why));
    }
    hash_secret(password)
}

/// A staff PIN's verifier, which devices check offline. (A PIN is short; the
/// verifier only ever reaches the academy's own enrolled devices.)
pub fn hash_pin(pin: &str) -> Result<String, PasswordError> {
    hash_secret(pin)
}

fn hash_secret(secret: &str) -> Result<String, PasswordError> {
    Argon2::default()
        .hash_password(secret.as_bytes())
        .map(|hash| hash.to_string())
        .map_err(|e| PasswordError::Hash(e.to_string()))
}

/// Whether `password` matches `stored`. A malformed stored hash never
/// matches.
pub fn verify(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored).is_ok_and(|hash| {
        Argon2::default()
            .verify_password(password.as_bytes(), &hash)
            .is_ok()
    })
}

/// Spends the time a real verification takes, so that an unknown email
/// answers no faster than a wrong password.
pub fn verify_nothing(password: &str) {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let dummy = DUMMY.get_or_init(|| hash_secret("a password nobody has").unwrap_or_default());
    let _ = verify(password, dummy);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_only_their_password() {
        let stored = hash("correct horse battery", &[]).unwrap();
        assert!(stored.starts_with("$argon2id$"));
        assert!(verify("correct horse battery", &stored));
        assert!(!verify("correct horse battery!", &stored));
        assert!(!verify("anything", "not a hash"));
        assert!(matches!(hash("short", &[]), Err(PasswordError::TooShort)));
    }

    #[test]
    fn common_and_personal_passwords_are_refused() {
        for weak in [
            "password123",
            "1234567890",
            "qwertyuiop",
            "iloveyou2024",
            "Password!!",
        ] {
            assert!(
                matches!(hash(weak, &[]), Err(PasswordError::Guessable(_))),
                "{weak}"
            );
        }
        // What accounts.rs passes: the email, its parts, the name.
        let about = [
            "ana.souza@goldentiger.example",
            "Ana Souza",
            "ana",
            "souza",
            "goldentiger",
            "example",
        ];
        assert!(matches!(
            hash("goldentiger2026", &about),
            Err(PasswordError::Guessable(_))
        ));
        for strong in [
            "correct horse battery staple",
            "plum cactus orbit lantern",
            "Tq8#vL2!pZ9w",
        ] {
            assert!(hash(strong, &about).is_ok(), "{strong}");
        }
    }
}

//! Closed sets of words: how statuses, roles and kinds appear in documents,
//! databases and JSON.

/// A word that is not one of its set.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{input}` is not a known {what}")]
pub struct UnknownWord {
    pub what: &'static str,
    pub input: String,
}

/// Implements `ALL`, `as_str`, `parse` and `Display` for a fieldless enum
/// from its list of words.
macro_rules! word_enum {
    ($name:ident, $what:literal, { $($variant:ident => $word:literal),+ $(,)? }) => {
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub const fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $word),+
                }
            }

            pub fn parse(input: &str) -> Result<Self, $crate::words::UnknownWord> {
                match input {
                    $($word => Ok($name::$variant),)+
                    _ => Err($crate::words::UnknownWord {
                        what: $what,
                        input: input.chars().take(40).collect(),
                    }),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.pad(self.as_str())
            }
        }
    };
}
pub(crate) use word_enum;

//! Validated text: every user-typed string becomes one of these at the edge.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize};

/// Why a piece of text was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    #[error("{what} is empty")]
    Empty { what: &'static str },
    #[error("{what} is longer than {max} characters")]
    TooLong { what: &'static str, max: usize },
    #[error("{what} contains a control character")]
    ControlCharacter { what: &'static str },
    #[error("{what} is not valid: {reason}")]
    Invalid {
        what: &'static str,
        reason: &'static str,
    },
}

/// Implements the shared plumbing of a validated string newtype: `parse`
/// is its only constructor, including when deserializing.
macro_rules! text_type {
    ($name:ident) => {
        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = TextError;

            fn try_from(s: String) -> Result<Self, TextError> {
                Self::parse(&s)
            }
        }

        impl From<$name> for String {
            fn from(v: $name) -> String {
                v.0
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                Self::parse(&s).map_err(serde::de::Error::custom)
            }
        }
    };
}

/// Trims, then checks emptiness, length and control characters.
fn clean(input: &str, what: &'static str, max: usize) -> Result<String, TextError> {
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Err(TextError::Empty { what });
    }
    if trimmed.chars().count() > max {
        return Err(TextError::TooLong { what, max });
    }
    if trimmed.chars().any(char::is_control) {
        return Err(TextError::ControlCharacter { what });
    }
    Ok(trimmed.to_owned())
}

/// An academy's short name, used as its subdomain: `golden-tiger`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(transparent)]
pub struct Slug(String);

impl Slug {
    const RESERVED: [&'static str; 6] = ["api", "app", "admin", "www", "sync", "static"];

    /// 3 to 63 characters of `a-z`, `0-9` and single inner hyphens: a DNS label.
    pub fn parse(input: &str) -> Result<Self, TextError> {
        const WHAT: &str = "academy slug";
        let s = input.trim();
        if s.is_empty() {
            return Err(TextError::Empty { what: WHAT });
        }
        if s.len() < 3 {
            return Err(TextError::Invalid {
                what: WHAT,
                reason: "it needs at least 3 characters",
            });
        }
        if s.len() > 63 {
            return Err(TextError::TooLong { what: WHAT, max: 63 });
        }
        if !s
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            return Err(TextError::Invalid {
                what: WHAT,
                reason: "use lowercase letters, digits and hyphens only",
            });
        }
        if s.starts_with('-') || s.ends_with('-') || s.contains("--") {
            return Err(TextError::Invalid {
                what: WHAT,
                reason: "hyphens go between letters or digits, one at a time",
            });
        }
        if Self::RESERVED.contains(&s) {
            return Err(TextError::Invalid {
                what: WHAT,
                reason: "that name is reserved",
            });
        }
        Ok(Self(s.to_owned()))
    }
}
text_type!(Slug);

/// An email address, lowercased: it identifies an account, and mailboxes
/// that differ only in case are the same person in practice. Checked for
/// shape only: whether it receives mail is for a confirmation to find out.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(transparent)]
pub struct Email(String);

impl Email {
    pub fn parse(input: &str) -> Result<Self, TextError> {
        const WHAT: &str = "email address";
        let s = clean(input, WHAT, 254)?;
        let invalid = |reason| TextError::Invalid { what: WHAT, reason };
        if s.chars().any(char::is_whitespace) {
            return Err(invalid("it contains a space"));
        }
        let (local, domain) = s.rsplit_once('@').ok_or(invalid("it has no @"))?;
        if local.is_empty() || local.len() > 64 || local.contains('@') {
            return Err(invalid("the part before @ is empty, too long or has another @"));
        }
        let labels_ok = domain.split('.').all(|label| {
            !label.is_empty()
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_alphanumeric() || c == '-')
        });
        if !domain.contains('.') || !labels_ok {
            return Err(invalid("the domain after @ is not a domain name"));
        }
        Ok(Self(format!("{local}@{domain}").to_lowercase()))
    }
}
text_type!(Email);

/// A person's name as they write it (any script), at most 120 characters.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(transparent)]
pub struct PersonName(String);

impl PersonName {
    pub fn parse(input: &str) -> Result<Self, TextError> {
        clean(input, "name", 120).map(Self)
    }

    /// Up to two initials for an avatar: "Ana María Souza" → "AS".
    pub fn initials(&self) -> String {
        let mut words = self.0.split_whitespace();
        let first = words.next().and_then(|w| w.chars().next());
        let last = words.next_back().and_then(|w| w.chars().next());
        first
            .into_iter()
            .chain(last)
            .flat_map(char::to_uppercase)
            .collect()
    }
}
text_type!(PersonName);

/// A short display label: a class name, a belt name. At most 60 characters.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(transparent)]
pub struct Label(String);

impl Label {
    pub fn parse(input: &str) -> Result<Self, TextError> {
        clean(input, "label", 60).map(Self)
    }
}
text_type!(Label);

/// Free text of several lines: notes, promotion remarks. At most 4,000
/// characters; may be empty.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(transparent)]
pub struct Prose(String);

impl Prose {
    pub fn parse(input: &str) -> Result<Self, TextError> {
        const WHAT: &str = "text";
        let s = input.trim();
        if s.chars().count() > 4000 {
            return Err(TextError::TooLong {
                what: WHAT,
                max: 4000,
            });
        }
        if s.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
            return Err(TextError::ControlCharacter { what: WHAT });
        }
        Ok(Self(s.to_owned()))
    }
}
text_type!(Prose);

/// A phone number as typed: digits with optional `+`, spaces, dots, dashes
/// and parentheses; 6 to 15 digits (E.164 allows at most 15).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(transparent)]
pub struct Phone(String);

impl Phone {
    pub fn parse(input: &str) -> Result<Self, TextError> {
        const WHAT: &str = "phone number";
        let s = clean(input, WHAT, 32)?;
        let allowed = |c: char| c.is_ascii_digit() || " +-.()".contains(c);
        let digits = s.chars().filter(char::is_ascii_digit).count();
        let plus_inside = s.chars().skip(1).any(|c| c == '+');
        if !s.chars().all(allowed) || plus_inside || !(6..=15).contains(&digits) {
            return Err(TextError::Invalid {
                what: WHAT,
                reason: "use 6 to 15 digits, optionally starting with +",
            });
        }
        Ok(Self(s))
    }
}
text_type!(Phone);

/// A colour as `#rrggbb`, stored lowercase.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(transparent)]
pub struct Color(String);

impl Color {
    pub fn parse(input: &str) -> Result<Self, TextError> {
        let s = input.trim();
        let hex = s.strip_prefix('#').unwrap_or_default();
        if hex.len() != 6 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(TextError::Invalid {
                what: "colour",
                reason: "write it as #rrggbb",
            });
        }
        Ok(Self(s.to_ascii_lowercase()))
    }

    pub fn rgb(red: u8, green: u8, blue: u8) -> Self {
        Self(format!("#{red:02x}{green:02x}{blue:02x}"))
    }
}
text_type!(Color);

/// The most a logo may weigh: every device holds the academy document.
pub const LOGO_MAX_BYTES: usize = 48 * 1024;

/// An academy's logo: a PNG, JPEG or WebP image as a `data:` URL of at most
/// [`LOGO_MAX_BYTES`], whose bytes are the type it names.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(transparent)]
pub struct Logo(String);

impl Logo {
    pub fn parse(input: &str) -> Result<Self, TextError> {
        use base64::Engine as _;
        let invalid = |reason| TextError::Invalid { what: "logo", reason };
        let (kind, data) = input
            .trim()
            .strip_prefix("data:image/")
            .and_then(|rest| rest.split_once(";base64,"))
            .ok_or(invalid("give a PNG, JPEG or WebP image"))?;
        // Checked before decoding, so a huge value costs nothing.
        if data.len() > LOGO_MAX_BYTES.div_ceil(3) * 4 {
            return Err(invalid("keep it under 48 KB"));
        }
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(data)
            .map_err(|_| invalid("its data is not base64"))?;
        let named = match kind {
            "png" => bytes.starts_with(b"\x89PNG\r\n\x1a\n"),
            "jpeg" => bytes.starts_with(&[0xff, 0xd8, 0xff]),
            "webp" => bytes.len() >= 12 && bytes.starts_with(b"RIFF") && &bytes[8..12] == b"WEBP",
            _ => return Err(invalid("give a PNG, JPEG or WebP image")),
        };
        if !named {
            return Err(invalid("its bytes are not the image type it names"));
        }
        Ok(Self(format!("data:image/{kind};base64,{data}")))
    }
}
text_type!(Logo);

/// An IANA time zone such as `Europe/Lisbon`: the academy's wall clock.
/// Only a zone in the time-zone database bundled into this build is one,
/// so every device and the server read the same hour and day from it,
/// whatever the system they run on has installed.
#[derive(Debug, Clone)]
pub struct TimeZoneName {
    name: String,
    zone: jiff::tz::TimeZone,
}

impl TimeZoneName {
    pub fn parse(input: &str) -> Result<Self, TextError> {
        const WHAT: &str = "time zone";
        let unknown = TextError::Invalid {
            what: WHAT,
            reason: "not a zone this build knows: use an IANA name such as Europe/Lisbon",
        };
        let name = clean(input, WHAT, 64)?;
        let zone = jiff::tz::TimeZoneDatabase::bundled()
            .get(&name)
            .map_err(|_| unknown)?;
        Ok(Self { name, zone })
    }

    pub fn as_str(&self) -> &str {
        &self.name
    }

    /// The zone's rules: offsets and daylight saving over time.
    pub fn zone(&self) -> &jiff::tz::TimeZone {
        &self.zone
    }
}

/// Zones are the same when their names are: the rules come from the name.
impl PartialEq for TimeZoneName {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl Eq for TimeZoneName {}

impl fmt::Display for TimeZoneName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

impl AsRef<str> for TimeZoneName {
    fn as_ref(&self) -> &str {
        &self.name
    }
}

impl Serialize for TimeZoneName {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.name)
    }
}

impl<'de> Deserialize<'de> for TimeZoneName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(feature = "ts")]
ts_as_string!(TimeZoneName);

#[cfg(test)]
mod tests {
    use super::*;

    fn data_url(kind: &str, bytes: &[u8]) -> String {
        use base64::Engine as _;
        format!(
            "data:image/{kind};base64,{}",
            base64::engine::general_purpose::STANDARD.encode(bytes)
        )
    }

    #[test]
    fn logos_are_small_images_of_the_type_they_name() {
        let png = [b"\x89PNG\r\n\x1a\n".as_slice(), &[0; 40]].concat();
        let jpeg = [[0xff, 0xd8, 0xff, 0xe0].as_slice(), &[0; 40]].concat();
        let webp = [b"RIFF\0\0\0\0WEBPVP8 ".as_slice(), &[0; 40]].concat();
        for (kind, bytes) in [("png", &png), ("jpeg", &jpeg), ("webp", &webp)] {
            assert_eq!(
                Logo::parse(&data_url(kind, bytes)).unwrap().as_str(),
                data_url(kind, bytes)
            );
        }
        let refused = |input: &str| match Logo::parse(input) {
            Err(TextError::Invalid { reason, .. }) => reason,
            other => panic!("{input:.40} gave {other:?}"),
        };
        assert_eq!(
            refused(&data_url("png", &jpeg)),
            "its bytes are not the image type it names"
        );
        assert_eq!(
            refused(&data_url("svg+xml", b"<svg/>")),
            "give a PNG, JPEG or WebP image"
        );
        assert_eq!(
            refused("https://example.com/logo.png"),
            "give a PNG, JPEG or WebP image"
        );
        assert_eq!(refused("data:image/png;base64,!!!"), "its data is not base64");
        let huge = [png.as_slice(), &vec![0; LOGO_MAX_BYTES]].concat();
        assert_eq!(refused(&data_url("png", &huge)), "keep it under 48 KB");
        let largest = [png.as_slice(), &vec![0; LOGO_MAX_BYTES - png.len()]].concat();
        assert!(Logo::parse(&data_url("png", &largest)).is_ok());
    }

    #[test]
    fn slugs_are_dns_labels() {
        assert_eq!(Slug::parse(" golden-tiger ").unwrap().as_str(), "golden-tiger");
        for bad in [
            "",
            "ab",
            "Golden",
            "-tiger",
            "tiger-",
            "gold--tiger",
            "tigre_dorado",
            "www",
        ] {
            assert!(Slug::parse(bad).is_err(), "{bad:?} must be refused");
        }
        assert!(Slug::parse(&"a".repeat(64)).is_err());
    }

    #[test]
    fn emails_are_lowercased() {
        let e = Email::parse("Ana.Souza@Example.COM").unwrap();
        assert_eq!(e.as_str(), "ana.souza@example.com");
        for bad in [
            "",
            "ana",
            "ana@",
            "@example.com",
            "ana@example",
            "a b@example.com",
            "ana@-x.com",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} must be refused");
        }
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        let n = PersonName::parse("  Ana María Souza ").unwrap();
        assert_eq!(n.as_str(), "Ana María Souza");
        assert_eq!(n.initials(), "AS");
        assert_eq!(PersonName::parse("Łukasz").unwrap().initials(), "Ł");
        assert_eq!(PersonName::parse("   "), Err(TextError::Empty { what: "name" }));
        assert!(PersonName::parse("a\u{0}b").is_err());
        assert!(PersonName::parse(&"x".repeat(121)).is_err());
    }

    #[test]
    fn prose_keeps_lines_and_refuses_other_controls() {
        assert_eq!(
            Prose::parse(" line one\nline two ").unwrap().as_str(),
            "line one\nline two"
        );
        assert_eq!(Prose::parse("").unwrap().as_str(), "");
        assert!(Prose::parse("bell\u{7}").is_err());
        assert!(Prose::parse(&"x".repeat(4001)).is_err());
    }

    #[test]
    fn phones_and_colours() {
        assert!(Phone::parse("+44 (0)20 7946-0958").is_ok());
        assert!(Phone::parse("12345").is_err());
        assert!(Phone::parse("0800+123456").is_err());
        assert_eq!(Color::parse("#FFAA00").unwrap().as_str(), "#ffaa00");
        assert!(Color::parse("ffaa00").is_err());
        assert!(Color::parse("#ffaa0").is_err());
    }

    #[test]
    fn time_zone_names_have_the_iana_shape() {
        assert!(TimeZoneName::parse("America/Sao_Paulo").is_ok());
        assert!(TimeZoneName::parse("UTC").is_ok());
        assert!(TimeZoneName::parse("Europe/Lisbon; DROP").is_err());
        assert!(TimeZoneName::parse("/etc/passwd").is_err());
        // Shaped like a zone, but no such zone: refused, never taken as UTC.
        assert!(TimeZoneName::parse("Mars/Olympus_Mons").is_err());
        assert!(serde_json::from_str::<TimeZoneName>("\"Mars/Olympus_Mons\"").is_err());
    }

    #[test]
    fn deserializing_validates() {
        assert!(serde_json::from_str::<Slug>("\"golden-tiger\"").is_ok());
        assert!(serde_json::from_str::<Slug>("\"Golden Tiger\"").is_err());
    }
}

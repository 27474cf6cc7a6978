//! Typed reading and writing of document fields, with errors that say
//! which field is wrong.

use std::collections::BTreeMap;

use automerge::transaction::Transactable;
use automerge::{AutoCommit, ObjId, ObjType, ReadDoc, ScalarValue, Value};
use time::{Date, OffsetDateTime, Time};

use super::DocError;

/// One field of a map as read: its winning value, and whether concurrent
/// writes left a conflict under the key.
#[derive(Debug, Clone)]
struct Read {
    value: Value<'static>,
    id: ObjId,
    conflict: bool,
}

/// A map object of a document, with its path for error messages. Its
/// fields are read in one pass when it is opened: Automerge answers a scan
/// of a map much faster than one look-up per field.
#[derive(Debug, Clone)]
pub(crate) struct Obj<'a, D: ReadDoc> {
    doc: &'a D,
    pub(crate) id: ObjId,
    path: String,
    fields: BTreeMap<String, Read>,
}

impl<'a, D: ReadDoc> Obj<'a, D> {
    fn open(doc: &'a D, id: ObjId, path: String) -> Self {
        let fields = doc
            .map_range(&id, ..)
            .map(|item| {
                let read = Read {
                    id: item.id(),
                    conflict: item.conflict,
                    value: item.value.into_value(),
                };
                (item.key.into_owned(), read)
            })
            .collect();
        Self {
            doc,
            id,
            path,
            fields,
        }
    }

    pub(crate) fn root(doc: &'a D) -> Self {
        Self::open(doc, automerge::ROOT, String::new())
    }

    fn at(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_owned()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    pub(crate) fn error(&self, key: &str, problem: &'static str) -> DocError {
        DocError::Schema {
            path: self.at(key),
            problem,
        }
    }

    fn child_from(&self, key: &str, value: &Value<'_>, id: ObjId) -> Result<Self, DocError> {
        match value {
            Value::Object(ObjType::Map) => Ok(Self::open(self.doc, id, self.at(key))),
            _ => Err(self.error(key, "expected a map")),
        }
    }

    /// The nested map at `key`, which must exist.
    pub(crate) fn map(&self, key: &str) -> Result<Self, DocError> {
        let read = self.fields.get(key).ok_or(self.error(key, "missing"))?;
        self.child_from(key, &read.value, read.id.clone())
    }

    /// Every concurrently written map at `key` (more than one when devices
    /// created it at the same time without seeing each other).
    pub(crate) fn all_maps(&self, key: &str) -> Result<Vec<Self>, DocError> {
        match self.fields.get(key) {
            None => Ok(Vec::new()),
            Some(read) if !read.conflict => Ok(vec![self.child_from(key, &read.value, read.id.clone())?]),
            Some(_) => self
                .doc
                .get_all(&self.id, key)?
                .into_iter()
                .map(|(value, id)| self.child_from(key, &value, id))
                .collect(),
        }
    }

    /// The keys of this map, sorted.
    pub(crate) fn keys(&self) -> impl Iterator<Item = &str> {
        self.fields.keys().map(String::as_str)
    }

    /// Each entry of a map of maps, by key.
    pub(crate) fn maps(&self) -> Result<Vec<(String, Self)>, DocError> {
        self.keys()
            .map(|key| Ok((key.to_owned(), self.map(key)?)))
            .collect()
    }

    fn scalar(&self, key: &str) -> Result<Option<&ScalarValue>, DocError> {
        match self.fields.get(key).map(|read| &read.value) {
            None => Ok(None),
            Some(Value::Scalar(s)) if matches!(**s, ScalarValue::Null) => Ok(None),
            Some(Value::Scalar(s)) => Ok(Some(s)),
            Some(Value::Object(_)) => Err(self.error(key, "expected a value, found an object")),
        }
    }

    /// An optional field of type `T`.
    pub(crate) fn opt<T: Field>(&self, key: &str) -> Result<Option<T>, DocError> {
        self.scalar(key)?
            .map(|s| T::from_scalar(s).ok_or(self.error(key, T::EXPECTED)))
            .transpose()
    }

    /// A required field of type `T`.
    pub(crate) fn req<T: Field>(&self, key: &str) -> Result<T, DocError> {
        self.opt(key)?.ok_or(self.error(key, "missing"))
    }

    /// A required whole number that must fit `T`.
    pub(crate) fn num<T: TryFrom<u64>>(&self, key: &str) -> Result<T, DocError> {
        self.opt_num(key)?.ok_or(self.error(key, "missing"))
    }

    /// An optional whole number that must fit `T`.
    pub(crate) fn opt_num<T: TryFrom<u64>>(&self, key: &str) -> Result<Option<T>, DocError> {
        self.opt::<u64>(key)?
            .map(|n| T::try_from(n).map_err(|_| self.error(key, "number out of range")))
            .transpose()
    }

    /// An optional text field parsed into a domain type.
    pub(crate) fn opt_parsed<T, E>(
        &self,
        key: &str,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Result<Option<T>, DocError> {
        self.opt::<String>(key)?
            .map(|s| parse(&s).map_err(|_| self.error(key, "not a valid value")))
            .transpose()
    }

    /// A required text field parsed into a domain type.
    pub(crate) fn parsed<T, E>(
        &self,
        key: &str,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Result<T, DocError> {
        self.opt_parsed(key, parse)?.ok_or(self.error(key, "missing"))
    }
}

/// A Rust type stored as one Automerge scalar.
pub(crate) trait Field: Sized {
    const EXPECTED: &'static str;
    fn from_scalar(value: &ScalarValue) -> Option<Self>;
    fn to_scalar(&self) -> ScalarValue;
}

impl Field for String {
    const EXPECTED: &'static str = "expected text";
    fn from_scalar(value: &ScalarValue) -> Option<Self> {
        match value {
            ScalarValue::Str(s) => Some(s.to_string()),
            _ => None,
        }
    }
    fn to_scalar(&self) -> ScalarValue {
        ScalarValue::Str(self.as_str().into())
    }
}

impl Field for u64 {
    const EXPECTED: &'static str = "expected a whole number";
    fn from_scalar(value: &ScalarValue) -> Option<Self> {
        match value {
            ScalarValue::Uint(n) => Some(*n),
            ScalarValue::Int(n) => u64::try_from(*n).ok(),
            _ => None,
        }
    }
    fn to_scalar(&self) -> ScalarValue {
        ScalarValue::Uint(*self)
    }
}

impl Field for bool {
    const EXPECTED: &'static str = "expected true or false";
    fn from_scalar(value: &ScalarValue) -> Option<Self> {
        match value {
            ScalarValue::Boolean(b) => Some(*b),
            _ => None,
        }
    }
    fn to_scalar(&self) -> ScalarValue {
        ScalarValue::Boolean(*self)
    }
}

/// Instants are Automerge timestamps: milliseconds since the Unix epoch.
impl Field for OffsetDateTime {
    const EXPECTED: &'static str = "expected a timestamp";
    fn from_scalar(value: &ScalarValue) -> Option<Self> {
        match value {
            ScalarValue::Timestamp(ms) => {
                OffsetDateTime::from_unix_timestamp_nanos(i128::from(*ms) * 1_000_000).ok()
            }
            _ => None,
        }
    }
    fn to_scalar(&self) -> ScalarValue {
        let ms = self.unix_timestamp_nanos() / 1_000_000;
        ScalarValue::Timestamp(i64::try_from(ms).unwrap_or(i64::MAX))
    }
}

/// Public keys are raw bytes.
impl Field for [u8; 32] {
    const EXPECTED: &'static str = "expected 32 bytes";
    fn from_scalar(value: &ScalarValue) -> Option<Self> {
        match value {
            ScalarValue::Bytes(bytes) => bytes.as_slice().try_into().ok(),
            _ => None,
        }
    }
    fn to_scalar(&self) -> ScalarValue {
        ScalarValue::Bytes(self.to_vec())
    }
}

/// Times of day are text, `HH:MM`.
impl Field for Time {
    const EXPECTED: &'static str = "expected a time as HH:MM";
    fn from_scalar(value: &ScalarValue) -> Option<Self> {
        match value {
            ScalarValue::Str(s) => Time::parse(s, time::macros::format_description!("[hour]:[minute]")).ok(),
            _ => None,
        }
    }
    fn to_scalar(&self) -> ScalarValue {
        ScalarValue::Str(format!("{:02}:{:02}", self.hour(), self.minute()).into())
    }
}

/// Calendar days are text, `YYYY-MM-DD`, readable in any tool.
impl Field for Date {
    const EXPECTED: &'static str = "expected a date as YYYY-MM-DD";
    fn from_scalar(value: &ScalarValue) -> Option<Self> {
        match value {
            ScalarValue::Str(s) => parse_date(s),
            _ => None,
        }
    }
    fn to_scalar(&self) -> ScalarValue {
        ScalarValue::Str(self.to_string().into())
    }
}

pub(crate) fn parse_date(s: &str) -> Option<Date> {
    Date::parse(s, time::macros::format_description!("[year]-[month]-[day]")).ok()
}

/// Writes `value` at `key` unless it is already there, so saving a whole
/// form records only the fields that changed and concurrent edits of other
/// fields merge cleanly. `None` removes the field.
pub(crate) fn set<T: Field + PartialEq>(
    doc: &mut AutoCommit,
    obj: &ObjId,
    key: &str,
    value: Option<&T>,
) -> Result<(), DocError> {
    let (present, current) = match doc.get(obj, key)? {
        Some((Value::Scalar(s), _)) => (true, T::from_scalar(&s)),
        Some(_) => (true, None),
        None => (false, None),
    };
    match value {
        Some(v) if current.as_ref() != Some(v) => doc.put(obj, key, v.to_scalar())?,
        None if present => doc.delete(obj, key)?,
        _ => {}
    }
    Ok(())
}

/// [`set`] for a value that is always present.
pub(crate) fn put<T: Field + PartialEq>(
    doc: &mut AutoCommit,
    obj: &ObjId,
    key: &str,
    value: &T,
) -> Result<(), DocError> {
    set(doc, obj, key, Some(value))
}

/// [`set`] for text made from a domain value (ids, names, words).
pub(crate) fn put_text(
    doc: &mut AutoCommit,
    obj: &ObjId,
    key: &str,
    value: &impl ToString,
) -> Result<(), DocError> {
    put(doc, obj, key, &value.to_string())
}

/// [`set`] for optional text made from a domain value.
pub(crate) fn set_text<T: ToString>(
    doc: &mut AutoCommit,
    obj: &ObjId,
    key: &str,
    value: Option<&T>,
) -> Result<(), DocError> {
    set(doc, obj, key, value.map(ToString::to_string).as_ref())
}

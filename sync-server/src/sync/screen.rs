//! A push measured before any of it is decoded (see
//! [`tatami_core::change_limits`]): a push larger than the protocol allows
//! is refused whole, a document with a change that is malformed or too
//! large is refused alone, and the rest goes to the academy's writer.

use tatami_core::change_limits::{self, ChangeLimitError, MAX_CHANGE_BYTES};
use tatami_core::sync::{DocChanges, MAX_PUSH_BYTES, MAX_PUSH_CHANGES, RefusalCode, Refused};

/// A push over the protocol's limits.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "a push holds at most {MAX_PUSH_CHANGES} changes of {MAX_PUSH_BYTES} bytes together: send it in parts"
)]
pub struct PushTooLarge;

/// What may go on to the writer, and what was refused here.
#[derive(Debug, Default)]
pub struct Screened {
    pub docs: Vec<DocChanges>,
    pub refused: Vec<Refused>,
}

/// Screens `docs`. The work is bounded by the limits, not by what the
/// changes claim: each change is inflated at most to
/// [`MAX_CHANGE_BYTES`], and a refused one counts as that large.
pub fn screen(docs: Vec<DocChanges>) -> Result<Screened, PushTooLarge> {
    let changes: usize = docs.iter().map(|d| d.changes.len()).sum();
    let sent: usize = docs.iter().flat_map(|d| &d.changes).map(|c| c.0.len()).sum();
    if changes > MAX_PUSH_CHANGES || sent > MAX_PUSH_BYTES {
        return Err(PushTooLarge);
    }
    let mut total = 0usize;
    let mut screened = Screened::default();
    for group in docs {
        let mut problem = None;
        for change in &group.changes {
            match change_limits::measure(&change.0, MAX_CHANGE_BYTES) {
                Ok(size) => total += size.bytes,
                Err(error) => {
                    total += MAX_CHANGE_BYTES;
                    problem.get_or_insert(error);
                }
            }
            if total > MAX_PUSH_BYTES {
                return Err(PushTooLarge);
            }
        }
        match problem {
            None => screened.docs.push(group),
            Some(error) => screened.refused.push(refusal(&group, &error)),
        }
    }
    Ok(screened)
}

fn refusal(group: &DocChanges, error: &ChangeLimitError) -> Refused {
    Refused {
        doc: group.doc,
        code: RefusalCode::Invalid,
        message: error.to_string(),
    }
}

#[cfg(test)]
mod tests;

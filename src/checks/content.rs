//! `content-matches`: a file's text matches the rule's pattern.

use crate::rules::Pattern;
use crate::text::line_of;

/// The line of the first match in `bytes`.
pub fn find(pattern: &Pattern, bytes: &[u8]) -> Option<(u32, Option<String>)> {
    pattern
        .find(bytes)
        .map(|found| (line_of(bytes, found.start()), None))
}

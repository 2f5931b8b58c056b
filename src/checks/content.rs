//! `content-matches`: a file's text matches the rule's pattern.

use std::borrow::Cow;
use std::ops::Range;

use crate::checks::{Outcome, guarded};
use crate::rules::{Check, Pattern};
use crate::text::{line_of, plural};

/// The line of the first match in `bytes` (of its group named `at`, where the pattern has
/// one) that no `guard` keeps from counting, and, when `quoted`, the text that matched (a
/// sign of work out of sight is named by what it is: `$KOKORO_GFILE_DIR`, a badge's address).
pub fn find(
    pattern: &Pattern,
    guard: Option<&Pattern>,
    bytes: &[u8],
    quoted: bool,
) -> Option<(u32, Option<String>)> {
    let found = match guard {
        None => pattern.find_reported(bytes).map(|found| found.range()),
        Some(guard) => unguarded(pattern, guard, bytes),
    }?;
    let text = quoted.then(|| {
        let matched = String::from_utf8_lossy(&bytes[found.clone()]);
        // In a message's code span, on one line, without its own backticks or the
        // Markdown emphasis it was written with (`a **published mirror**`).
        let line = crate::text::one_line(&matched)
            .replace('`', "'")
            .replace("**", "");
        crate::text::shorten(&line, 80).into_owned()
    });
    Some((line_of(bytes, found.start), text))
}

/// How many guarded matches are passed over: the one after them counts, guarded or not, so
/// a file cannot buy a pass with many guarded matches, and its searches stay bounded.
const GUARDED_MATCHES_READ: usize = 32;

/// And fewer in a large file: each search reads it again, and the searches of one file read
/// at most this much (a few for a file near the read cap, all 32 for a workflow).
const GUARDED_BYTES_READ: usize = 16 << 20;

/// The first match that `guard` does not keep from counting. A guarded one is blanked out on
/// its first line (the same length, so lines keep their numbers and their layout) and the
/// search runs again, so a pattern that needs text before its reported group (a privileged
/// trigger, then a checkout) finds the next one after it.
fn unguarded(pattern: &Pattern, guard: &Pattern, bytes: &[u8]) -> Option<Range<usize>> {
    // Most files have no match at all: their layout is read only once one is found.
    let mut layout = None;
    let mut text = Cow::Borrowed(bytes);
    let searches = (GUARDED_BYTES_READ / bytes.len().max(1)).clamp(1, GUARDED_MATCHES_READ);
    for _ in 0..searches {
        let found = pattern.find_reported(&text)?.range();
        let layout = layout.get_or_insert_with(|| guarded::Layout::of(bytes));
        if !layout.is_guarded(&text, found.start, guard) {
            return Some(found);
        }
        let line_end = text[found.clone()]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(found.end, |at| found.start + at);
        let blanked = found.start..line_end.max(found.start + 1).min(text.len());
        text.to_mut()[blanked].fill(b' ');
    }
    pattern.find_reported(&text).map(|found| found.range())
}

/// What a content check that did not pass looked at.
pub fn describe_miss(check: &Check, outcome: &Outcome, patterns: &str, marker: &str) -> String {
    match outcome.candidates {
        // (A file that could not be read is not named as one that does not contain it.)
        1 if outcome.matched == 0 => match outcome
            .examined
            .first()
            .filter(|_| outcome.unreadable.is_empty())
        {
            Some(file) => format!(
                "The only file matching {patterns} looked into, {file}, does not contain {marker}."
            ),
            None => format!("The only file matching {patterns} does not contain {marker}."),
        },
        candidates if outcome.matched == 0 => format!(
            "None of the {} matching {patterns} contains {marker}.",
            plural(candidates, "file")
        ),
        _ => format!(
            "{} contain {marker}; at least {} needed.",
            plural(outcome.matched, "file"),
            check.min_count
        ),
    }
}

/// What `opslint explain` says the check holds of; the pattern follows.
pub fn explains(at_least: &str, files: &str) -> String {
    format!("{at_least} matching {files} contains")
}

//! `files-present`: files matching the check's globs exist; how many are needed is the
//! check's `min-count`. No file is read.

use crate::checks::Outcome;
use crate::facts::tree::Tree;
use crate::finding::Evidence;
use crate::rules::Check;
use crate::text::plural;

/// A `files-present` check: every selected file is evidence.
pub fn outcome(entries: &[usize], tree: &Tree, kept: usize) -> Outcome {
    Outcome {
        candidates: entries.len(),
        matched: entries.len(),
        // Paths are only rendered for the evidence kept; a glob like `tests/**` can select thousands.
        evidence: entries
            .iter()
            .take(kept)
            .map(|&index| Evidence {
                path: tree.entries[index].display_path(),
                line: None,
                detail: None,
            })
            .collect(),
        ..Outcome::default()
    }
}

/// What a presence check that did not pass found.
pub fn describe_miss(check: &Check, outcome: &Outcome, patterns: &str) -> String {
    format!(
        "Found {} matching {patterns}; at least {} needed.",
        plural(outcome.candidates, "file"),
        check.min_count
    )
}

/// What `opslint explain` says the check holds of.
pub fn explains(at_least: &str, files: &str) -> String {
    format!("{at_least} matches: {files}")
}

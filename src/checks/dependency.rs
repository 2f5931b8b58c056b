//! `dependency`: a manifest declares a dependency whose name matches the rule's pattern.

use crate::checks::Outcome;
use crate::facts::collect::Facts;
use crate::rules::Pattern;

/// The first declared dependency of the manifest at `index` the pattern matches: its line
/// and name. A manifest that does not parse is unreadable, not a miss.
pub fn find(
    pattern: &Pattern,
    index: usize,
    facts: &Facts,
    outcome: &mut Outcome,
    path: impl FnOnce() -> String,
) -> Option<(u32, Option<String>)> {
    match facts.manifests.get(&index) {
        Some(Some(Ok(declared))) => declared
            .iter()
            .find(|dependency| pattern.is_match(dependency.name.as_bytes()))
            .map(|dependency| (dependency.line, Some(dependency.name.clone()))),
        Some(Some(Err(error))) => {
            let at = error
                .line
                .map(|line| format!(":{line}"))
                .unwrap_or_default();
            outcome
                .unreadable
                .push(format!("{}{at} does not parse: {}", path(), error.message));
            None
        }
        Some(None) | None => None,
    }
}

/// What `opslint explain` says the check holds of; the pattern follows.
pub fn explains(files: &str) -> String {
    format!("a manifest in {files} declares a dependency named like")
}

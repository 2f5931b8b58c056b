//! `base-image` and `workload-containers`: a fact of a parsed document — a Dockerfile's
//! base images, a Kubernetes workload's containers — matches the rule's pattern. Both are
//! usually `absent` checks (an unpinned image, a container without probes), so what they
//! found sound is kept as what a pass rests on.

use crate::checks::{Outcome, first_match_or_sound};
use crate::facts::collect::Documents;
use crate::rules::Pattern;

/// The first fact of the document at `index` the pattern matches.
pub fn find(
    documents: &Documents,
    index: usize,
    pattern: &Pattern,
    outcome: &mut Outcome,
    path: impl FnOnce() -> String,
) -> Option<(u32, Option<String>)> {
    match documents.get(&index) {
        Some(Some(facts)) => first_match_or_sound(facts, pattern, outcome, path),
        Some(None) | None => None,
    }
}

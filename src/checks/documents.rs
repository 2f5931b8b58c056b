//! `base-image` and `workload-containers`: a fact of a parsed document — a Dockerfile's
//! base images, a Kubernetes workload's containers — matches the rule's pattern. Both are
//! usually `absent` checks (an unpinned image, a container without probes), so what they
//! found sound is kept as what a pass rests on.

use crate::checks::{Outcome, first_match_or_sound};
use crate::facts::collect::Documents;
use crate::rules::Pattern;
use crate::text::plural;

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

/// What a document check that found nothing looked at: "None of the 2 files matching
/// `Dockerfile` starts from a pinned base image."
pub fn describe_miss(verb: &str, outcome: &Outcome, patterns: &str, marker: &str) -> String {
    format!(
        "None of the {} matching {patterns} {verb} {marker}.",
        plural(outcome.candidates, "file")
    )
}

/// What `opslint explain` says a `base-image` check holds of; the pattern follows.
pub fn explains_base_image(files: &str) -> String {
    format!("a Dockerfile in {files} starts from an image matching")
}

/// What `opslint explain` says a `workload-containers` check holds of; the pattern follows.
pub fn explains_workloads(files: &str) -> String {
    format!("a Kubernetes workload in {files} has a container described like")
}

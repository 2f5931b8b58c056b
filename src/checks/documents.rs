//! `base-image` and `workload-containers`: a fact of a parsed document — a Dockerfile's
//! base images, a Kubernetes workload's containers — matches the rule's pattern. Both are
//! usually `absent` checks (an unpinned image, a container without probes), so what they
//! found sound is kept as what a pass rests on. A document is parsed when its check looks
//! at it and dropped after: few rules read these, and holding every parsed manifest for the
//! scan cost a hostile repository's worth of memory.

use crate::checks::{Outcome, first_match_or_sound};
use crate::facts::Located;
use crate::rules::Pattern;
use crate::text::plural;

/// The first of the document's facts (`parse` reads them from its text, with why a part it
/// should judge could not be read) the pattern matches; a document that is not UTF-8 has
/// none. A part not read makes the document unreadable for the check: what it looks for may
/// be there.
pub fn find(
    bytes: &[u8],
    parse: fn(&str) -> (Vec<Located>, Option<String>),
    pattern: &Pattern,
    outcome: &mut Outcome,
    path: impl FnOnce() -> String,
) -> Option<(u32, Option<String>)> {
    let (facts, unread) = parse(std::str::from_utf8(bytes).ok()?);
    let Some(why) = unread else {
        return first_match_or_sound(&facts, pattern, outcome, path);
    };
    let path = path();
    outcome.unreadable.push(format!("{path}: {why}"));
    first_match_or_sound(&facts, pattern, outcome, || path)
}

/// What a document check that found nothing looked at, and the first of what it judged
/// (`Outcome::sound`, a document's first part): "None of the 2 files matching `**/*.yaml`
/// declares a container with health probes: k8s/web.yaml:9 (Deployment/web container web:
/// probes none) and 1 more."
pub fn describe_miss(verb: &str, outcome: &Outcome, patterns: &str, marker: &str) -> String {
    let none = format!(
        "None of the {} matching {patterns} {verb} {marker}",
        plural(outcome.candidates, "file")
    );
    let Some(first) = outcome.sound.first() else {
        return format!("{none}.");
    };
    let more = match outcome.sound.len() - 1 {
        0 => String::new(),
        others => format!(" and {others} more"),
    };
    format!("{none}: {first}{more}.")
}

/// What `opslint explain` says a `base-image` check holds of; the pattern follows.
pub fn explains_base_image(files: &str) -> String {
    format!("a Dockerfile in {files} starts from an image matching")
}

/// What `opslint explain` says a `workload-containers` check holds of; the pattern follows.
pub fn explains_workloads(files: &str) -> String {
    format!("a Kubernetes workload in {files} has a container described like")
}

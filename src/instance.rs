//! Instances: what a failing finding is about, one by one — each component where a
//! per-component rule fails, else each file its evidence names, else the repository as a
//! whole. Baselines, pull-request mode and code-scanning fingerprints recognise a failure
//! by its instances, so a new file or component that breaks a rule already failing
//! elsewhere is a new failure, not the old one.

use crate::components::ComponentFindings;
use crate::finding::{Evidence, Finding, Status};

/// The instance of a finding about the repository as a whole (no file to point at).
pub const REPOSITORY: &str = "";

/// The instances of `finding`, in its evidence's order, each once. A rule's evidence names
/// at most `finding::MAX_EVIDENCE` files; components are all listed.
pub fn of<'a>(finding: &'a Finding, components: &'a [ComponentFindings]) -> Vec<&'a str> {
    let failing_components = failing_components(&finding.rule, components);
    if !failing_components.is_empty() {
        return failing_components;
    }
    if !finding.located.is_empty() {
        return finding.located.iter().map(String::as_str).collect();
    }
    let mut paths: Vec<&str> = Vec::new();
    for evidence in &finding.evidence {
        if !paths.contains(&evidence.path.as_str()) {
            paths.push(&evidence.path);
        }
    }
    if paths.is_empty() {
        paths.push(REPOSITORY);
    }
    paths
}

/// The components where `rule` fails: a passing finding of a rule that one component with
/// the practice satisfies names the others too.
pub fn failing_components<'a>(rule: &str, components: &'a [ComponentFindings]) -> Vec<&'a str> {
    components
        .iter()
        .filter(|component| {
            component
                .findings
                .iter()
                .any(|judged| judged.rule == rule && judged.status == Status::Fail)
        })
        .map(|component| component.path.as_str())
        .collect()
}

/// The instances of `finding` that the `known` ones (the base's, the baseline's) do not
/// hold. A failure of the repository as a whole holds them all: when the practice was
/// missing everywhere before, a new service without it is no news; when it was missing in
/// some places and is now missing everywhere, the repository as a whole is new.
pub fn new_ones(
    finding: &Finding,
    components: &[ComponentFindings],
    known: &[&str],
) -> Vec<String> {
    if known.contains(&REPOSITORY) {
        return Vec::new();
    }
    of(finding, components)
        .into_iter()
        .filter(|instance| !known.contains(instance))
        .map(str::to_owned)
        .collect()
}

/// The line of `instance` a finding points at: the first its evidence names in that file,
/// else 1 (a file past the evidence cap, a component's folder).
pub fn line(finding: &Finding, instance: &str) -> u32 {
    finding
        .evidence
        .iter()
        .find(|evidence| evidence.path == instance)
        .and_then(|evidence| evidence.line)
        .unwrap_or(1)
}

/// The message of `finding` as one instance's annotation (code scanning's alert on a file,
/// GitLab's issue): a message that ends naming the first file's evidence ("Found … in
/// a.yml:3 (x) and 2 more files.") names, on another file's annotation, that file's evidence
/// instead, and on none counts the others, which have annotations of their own. Any other
/// message (a parse error's, a list of components) is the finding's as it is. The note follows.
pub fn message(finding: &Finding, instance: &str) -> String {
    let mut message = finding.message.clone();
    let own = finding
        .evidence
        .iter()
        .find(|evidence| evidence.path == instance);
    let several_files = finding
        .evidence
        .iter()
        .any(|evidence| evidence.path != finding.evidence[0].path);
    // An instance past the evidence cap (the 11th unpinned workflow) has no evidence of its
    // own: its annotation names its file, not the first one's.
    let beyond_cap =
        (own.is_none() && finding.located.iter().any(|path| path == instance)).then(|| Evidence {
            path: instance.to_owned(),
            line: None,
            detail: None,
        });
    if let (Some(first), Some(own), true) = (
        finding.evidence.first(),
        own.or(beyond_cap.as_ref()),
        several_files || finding.located.len() > 1,
    ) && let Some(before) = before_evidence(&message, &first.to_string())
    {
        message = format!("{before} in {own}.");
    }
    if let Some(note) = &finding.note {
        message = format!("{message} {note}");
    }
    message
}

/// What `message` says before ` in {first}` when that is how it ends, with or without a
/// count of the other files (` and 3 more files`), before its full stop.
fn before_evidence<'m>(message: &'m str, first: &str) -> Option<&'m str> {
    let at = message.rfind(&format!(" in {first}"))?;
    let mut rest = &message[at + " in ".len() + first.len()..];
    if let Some(count) = rest.strip_prefix(" and ") {
        let digits = count.len() - count.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        if digits == 0 {
            return None;
        }
        let after = &count[digits..];
        rest = after
            .strip_prefix(" more files")
            .or_else(|| after.strip_prefix(" more file"))?;
    }
    (rest == ".").then_some(&message[..at])
}

/// A stable identity for one instance across runs: the rule and the file or component, not
/// the line or the message, which move.
pub fn fingerprint(rule: &str, instance: &str) -> String {
    format!("{rule}:{instance}")
}

/// Records that `finding` newly fails in `new` and puts those first in its evidence (adding
/// them where the evidence cap left them out), so annotations land where the change is.
pub fn mark_new(finding: &mut Finding, new: Vec<String>, why: &str) {
    finding
        .evidence
        .sort_by_key(|evidence| !new.contains(&evidence.path));
    for (position, path) in new.iter().enumerate() {
        let listed = finding
            .evidence
            .iter()
            .any(|evidence| evidence.path == *path);
        if !listed && path != REPOSITORY {
            let at = position.min(finding.evidence.len());
            finding.evidence.insert(
                at,
                Evidence {
                    path: path.clone(),
                    line: None,
                    detail: None,
                },
            );
        }
    }
    let named: Vec<&str> = new
        .iter()
        .map(|path| match path.as_str() {
            REPOSITORY => "the repository as a whole",
            path => path,
        })
        .collect();
    finding.note = Some(format!("{why} {}.", crate::components::name_some(&named)));
    finding.new_instances = new;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::area::Area;
    use crate::severity::Severity;

    fn failing(paths: &[&str]) -> Finding {
        Finding {
            severity: Severity::Warning,
            evidence: paths
                .iter()
                .map(|path| Evidence {
                    path: (*path).to_owned(),
                    line: Some(1),
                    detail: None,
                })
                .collect(),
            ..Finding::example("security.base-images-pinned", Area::Security)
        }
    }

    #[test]
    fn instances_are_the_files_named_once_or_the_repository() {
        let finding = failing(&["Dockerfile", "web.Dockerfile", "Dockerfile"]);
        assert_eq!(of(&finding, &[]), ["Dockerfile", "web.Dockerfile"]);
        assert_eq!(of(&failing(&[]), &[]), [REPOSITORY]);
    }

    #[test]
    fn a_new_file_is_new_and_the_repository_as_a_whole_holds_every_instance() {
        let finding = failing(&["Dockerfile", "web.Dockerfile"]);
        assert_eq!(new_ones(&finding, &[], &["Dockerfile"]), ["web.Dockerfile"]);
        // Missing everywhere before: a new place without it is no news.
        assert!(new_ones(&finding, &[], &[REPOSITORY]).is_empty());
        // Missing in one place before, everywhere now: the repository as a whole is new.
        let whole = failing(&[]);
        assert_eq!(new_ones(&whole, &[], &["services/a"]), [REPOSITORY]);
        assert_eq!(new_ones(&whole, &[], &[]), [REPOSITORY]);
        assert!(new_ones(&whole, &[], &[REPOSITORY]).is_empty());
    }

    #[test]
    fn marking_puts_the_new_instances_first() {
        let mut finding = failing(&["a/Dockerfile", "b/Dockerfile"]);
        mark_new(
            &mut finding,
            vec!["b/Dockerfile".to_owned()],
            "Newly failing in",
        );
        assert_eq!(finding.evidence[0].path, "b/Dockerfile");
        assert_eq!(
            finding.note.as_deref(),
            Some("Newly failing in b/Dockerfile.")
        );
        let mut capped = failing(&["a"]);
        mark_new(
            &mut capped,
            vec!["z".to_owned()],
            "New since the baseline in",
        );
        assert_eq!(capped.evidence[0].path, "z");
    }
    /// An alert on each file speaks of that file, not of the first one the finding names.
    #[test]
    fn each_instance_message_names_its_own_file() {
        let mut finding = failing(&["a/Dockerfile", "b/Dockerfile", "b/Dockerfile"]);
        finding.evidence[1].detail = Some("node:22".to_owned());
        finding.message =
            "Found a base image without a digest in a/Dockerfile:1 and 1 more file.".to_owned();
        assert_eq!(
            message(&finding, "b/Dockerfile"),
            "Found a base image without a digest in b/Dockerfile:1 (node:22)."
        );
        assert_eq!(
            message(&finding, "a/Dockerfile"),
            "Found a base image without a digest in a/Dockerfile:1."
        );
        // One file, or a message that does not name the evidence: as it is, with its note.
        let mut single = failing(&["a/Dockerfile"]);
        single.message = "Found x in a/Dockerfile:1.".to_owned();
        single.note = Some("Newly failing.".to_owned());
        assert_eq!(
            message(&single, "a/Dockerfile"),
            "Found x in a/Dockerfile:1. Newly failing."
        );
        // A message of another shape is left as it is (red team: a parse error of a.yml was
        // put on b.yml; a component list and a component named `in` were garbled).
        for other in [
            "a/Dockerfile:1 does not parse: unclosed quote (2 more).",
            "Missing in 2 of 2 components: a/Dockerfile, b/Dockerfile.",
            "Found x in a/Dockerfile:1, and elsewhere.",
        ] {
            finding.message = other.to_owned();
            assert_eq!(message(&finding, "b/Dockerfile"), other);
        }
        // A file past the evidence cap (the trial's 11th of 22 unpinned workflows) is named
        // itself, without a line it was not cited at.
        let mut capped = failing(&["a.yml"]);
        capped.message = "Found x in a.yml:1 and 21 more files.".to_owned();
        capped.located = vec!["a.yml".to_owned(), "k.yml".to_owned()];
        assert_eq!(message(&capped, "k.yml"), "Found x in k.yml.");
        assert_eq!(message(&capped, "a.yml"), "Found x in a.yml:1.");
    }
}

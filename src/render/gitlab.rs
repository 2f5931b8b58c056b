//! `--format gitlab`: a GitLab Code Quality report (`artifacts:reports:codequality`), the
//! JSON array of issues GitLab shows in the merge request widget. GitLab reads `description`,
//! `check_name`, `fingerprint`, `severity`, `location.path` and `location.lines.begin`, and
//! ignores the rest of the Code Climate format, so nothing else is written.
//!
//! The widget does its own comparison: a merge request's issues are the fingerprints its
//! report has and the target branch's report lacks, and those the target branch's report has
//! and its own lacks are shown as resolved. So the report lists what fails, compared with a
//! base (`--base`) or not: every instance of every failure that the baseline does not accept
//! (`Report::listed`, as SARIF). Were it to list only what the merge request introduces,
//! every failure already on the target branch would be shown as resolved by every merge
//! request. The fingerprint is SARIF's and the baseline's `instance::fingerprint`, so
//! GitLab's difference is opslint's: the instances the merge request introduces. Unlike a
//! code-scanning alert, an issue needs no line in the diff, so a failure of the repository as
//! a whole is listed too, at the config file or README (`Report::anchor`) line 1.
//!
//! Rules judged on a window of history (`flow.small-batches`, `dora.lead-time`…) are left
//! out: the default branch's pipeline judges them, a merge request's (`--base`) measures the
//! change instead, so every merge request would seem to resolve them. The job's log and
//! summary carry them. The pull request's own rules (`flow.small-pull-request`) are listed.
//!
//! Severity: error is `major`, warning `minor`, note `info`. `critical` and `blocker` are
//! left to tools that find broken or exploitable code, whose issues share the widget with
//! opslint's: a missing practice is serious, not an outage.

use std::collections::HashSet;
use std::io::{self, BufWriter, Write};

use serde_json::{Value, json};

use super::{AlsoWritten, Format, RenderOptions, Renderer};
use crate::finding::Finding;
use crate::instance;
use crate::report::Report;
use crate::rules::{CheckKind, Rule, builtin_rules};
use crate::severity::Severity;

/// The Code Quality report.
pub const FORMAT: Format = Format {
    name: "gitlab",
    about: "a GitLab Code Quality report for the merge request widget",
    also_written: Some(AlsoWritten {
        flag: "gitlab-output",
        help: "Also write the report as a GitLab Code Quality report to this file",
        position: 3,
    }),
    renderer: &Gitlab,
};

struct Gitlab;

impl Renderer for Gitlab {
    /// Writes the report as a Code Quality JSON array (`[]` when nothing fails), without a
    /// byte order mark, which GitLab's parser refuses.
    fn render(&self, report: &Report, _: &RenderOptions, out: &mut dyn Write) -> io::Result<()> {
        let mut out = BufWriter::new(out);
        serde_json::to_writer_pretty(&mut out, &issues(report))?;
        out.write_all(b"\n")?;
        out.flush()
    }
}

fn issues(report: &Report) -> Vec<Value> {
    let anchor = report.anchor();
    let windowed: HashSet<&str> = builtin_rules()
        .iter()
        .filter(|rule| judged_on_a_window(rule))
        .map(|rule| rule.id.as_str())
        .collect();
    report
        .listed()
        .filter(|(finding, _)| !windowed.contains(finding.rule.as_str()))
        .map(|(finding, instance)| {
            let file = report.shown_file(finding, instance).unwrap_or(&anchor);
            issue(finding, instance, file)
        })
        .collect()
}

/// Whether a rule is judged on the history window's figures rather than on the tree or on the
/// pull request's own figures (`pr.…`).
fn judged_on_a_window(rule: &Rule) -> bool {
    rule.checks.iter().any(|check| {
        matches!(&check.kind, CheckKind::History { figure, .. } if !figure.starts_with("pr."))
    })
}

/// The issue for one instance of a failing finding, shown in `file` (the instance's, a
/// component's marking file, or for the repository as a whole the report's anchor).
fn issue(finding: &Finding, instance: &str, file: &str) -> Value {
    let (path, line) = (file, instance::line(finding, instance));
    let description = instance::message(finding, instance);
    // The widget shows both as text: a name's control, bidi or zero-width characters are
    // shown as in every other format (the fingerprint keeps the name as it is).
    let path = crate::text::for_terminal(path);
    json!({
        "description": crate::text::for_terminal(&description),
        "check_name": finding.rule,
        "fingerprint": fingerprint(&finding.rule, instance),
        "severity": severity(finding.severity),
        "location": { "path": path, "lines": { "begin": line } },
    })
}

/// GitLab's severity for an opslint one (see the module's documentation).
pub fn severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "major",
        Severity::Warning => "minor",
        Severity::Note => "info",
    }
}

/// The hex SHA-1 of the instance's identity, `instance::fingerprint`: the string SARIF's
/// `partialFingerprints` and the baseline use, so the three recognise the same failure.
/// GitLab expects a unique hex digest (its example is an MD5); SHA-1 comes with gix.
pub fn fingerprint(rule: &str, instance: &str) -> String {
    let identity = instance::fingerprint(rule, instance);
    let mut hasher = gix::hash::hasher(gix::hash::Kind::Sha1);
    hasher.update(identity.as_bytes());
    match hasher.try_finalize() {
        Ok(digest) => digest.to_hex().to_string(),
        // Collision detection refuses only input built to collide with another: a file
        // name can be that. The identity's own bytes in hex are still unique and stable.
        Err(_) => identity.bytes().map(|byte| format!("{byte:02x}")).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failing(rule: &str) -> Finding {
        Finding {
            severity: Severity::Warning,
            ..Finding::example(rule, crate::area::Area::Flow)
        }
    }

    #[test]
    fn the_history_windows_rules_are_left_out_and_the_pull_requests_kept() {
        let repository = crate::report::RepositoryInfo::unnamed();
        let findings = [
            "flow.small-batches",
            "flow.small-pull-request",
            "ci.pipeline",
        ]
        .map(failing)
        .to_vec();
        let report = Report::new(repository, findings);
        let listed: Vec<Value> = issues(&report)
            .iter()
            .map(|issue| issue["check_name"].clone())
            .collect();
        assert_eq!(listed, ["ci.pipeline", "flow.small-pull-request"]);
        let windowed = builtin_rules()
            .iter()
            .filter(|rule| judged_on_a_window(rule))
            .count();
        assert!(windowed >= 10, "{windowed}");
    }

    #[test]
    fn a_fingerprint_is_the_sha1_of_the_instance_identity() {
        // printf 'ci.pipeline:' | sha1sum
        assert_eq!(
            fingerprint("ci.pipeline", instance::REPOSITORY),
            "d740985622bed65870440649e6b194130a950591"
        );
        assert_ne!(
            fingerprint("cd.pinned-base-image", "Dockerfile"),
            fingerprint("cd.pinned-base-image", "web.Dockerfile")
        );
        assert_eq!(fingerprint("a", "b").len(), 40);
    }
}

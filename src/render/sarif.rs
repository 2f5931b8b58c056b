//! `--format sarif`: SARIF 2.1.0 as GitHub code scanning reads it. Every rule that was
//! judged is a rule descriptor. Code-scanning alerts are the failures that are about a file:
//! one result per instance (`instance`) — each Dockerfile on `latest`, each workflow with an
//! unpinned action, each component without tests — at the line the evidence names. A
//! practice missing from the repository as a whole has no file to point at: it is not an
//! alert (the job summary, the annotations and the JSON report carry it), so the Security
//! tab holds code to change, not process advice.

use std::collections::HashMap;
use std::io::{self, BufWriter, Write};

use serde_json::{Value, json};

use super::{AlsoWritten, Format, RenderOptions, Renderer};
use crate::finding::Finding;
use crate::instance;
use crate::report::Report;
use crate::rules::builtin_rules;
use crate::text::for_terminal;

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// The SARIF log.
pub const FORMAT: Format = Format {
    name: "sarif",
    about: "SARIF 2.1.0 for code scanning: failing findings as results",
    also_written: Some(AlsoWritten {
        flag: "sarif-output",
        help: "Also write the report as SARIF to this file (one scan, several outputs)",
        position: 0,
    }),
    renderer: &Sarif,
};

struct Sarif;

impl Renderer for Sarif {
    /// Writes the report as a SARIF log with one run.
    fn render(&self, report: &Report, _: &RenderOptions, out: &mut dyn Write) -> io::Result<()> {
        let mut out = BufWriter::new(out);
        serde_json::to_writer_pretty(&mut out, &log(report))?;
        out.write_all(b"\n")?;
        out.flush()
    }
}

fn log(report: &Report) -> Value {
    // Built-in rules carry their rationale; a custom rule's finding has its title.
    let rationales: HashMap<&str, &str> = builtin_rules()
        .iter()
        .map(|rule| (rule.id.as_str(), rule.rationale.as_str()))
        .collect();
    let judged: Vec<&Finding> = report.findings.iter().collect();
    let index: HashMap<&str, usize> = judged
        .iter()
        .enumerate()
        .map(|(position, finding)| (finding.rule.as_str(), position))
        .collect();
    let rules: Vec<Value> = judged
        .iter()
        .map(|finding| descriptor(finding, rationales.get(finding.rule.as_str()).copied()))
        .collect();
    let results: Vec<Value> = report
        .listed()
        .filter_map(|(finding, instance)| {
            let file = report.shown_file(finding, instance)?;
            Some(result(
                finding,
                instance,
                file,
                index[finding.rule.as_str()],
            ))
        })
        .collect();
    json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "opslint",
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "automationDetails": { "id": "opslint/" },
            "results": results,
            // The areas' scores and the maturity level each reached, for dashboards that
            // read the log rather than the JSON report.
            "properties": { "score": report.score, "areas": areas(report) },
        }],
    })
}

fn areas(report: &Report) -> Vec<Value> {
    report
        .areas
        .iter()
        .map(|area| json!({ "id": area.id, "score": area.score, "level": area.level }))
        .collect()
}

fn descriptor(finding: &Finding, rationale: Option<&str>) -> Value {
    // A custom rule's texts come from the repository: code-scanning tools show them as
    // they are, so control, bidi and zero-width characters are made visible first.
    let why = for_terminal(rationale.unwrap_or(finding.title.as_ref()).trim());
    let fix = for_terminal(finding.remediation.trim());
    let tags = ["devops", finding.area.id()];
    json!({
        "id": finding.rule,
        "name": finding.rule,
        "shortDescription": { "text": for_terminal(&finding.title) },
        "fullDescription": { "text": why },
        "help": {
            "text": format!("{why}\n\nFix: {fix}"),
            "markdown": format!("{why}\n\n**Fix:** {fix}"),
        },
        "defaultConfiguration": { "level": finding.severity.as_str() },
        "properties": { "tags": tags, "maturityLevel": finding.level },
    })
}

/// A path of the tree as a relative URI reference: every byte but unreserved characters and
/// `/` percent-encoded, so a file named `file:/etc/x`, `https:/host/x` or `a #b?c` stays a
/// path in the repository, and `%2e%2e` stays those characters.
fn relative_uri(path: &str) -> String {
    let mut uri = String::with_capacity(path.len());
    for byte in path.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                uri.push(char::from(byte));
            }
            _ => uri.push_str(&format!("%{byte:02X}")),
        }
    }
    uri
}

/// The result for one instance of a failing finding: in `file` (the instance's, or a
/// component's marking file), at the first line its evidence names in that file.
fn result(finding: &Finding, instance: &str, file: &str, rule_index: usize) -> Value {
    let line = instance::line(finding, instance);
    let message = instance::message(finding, instance);
    json!({
        "ruleId": finding.rule,
        "ruleIndex": rule_index,
        "level": finding.severity.as_str(),
        "message": { "text": for_terminal(&message) },
        "locations": [{ "physicalLocation": {
            "artifactLocation": { "uri": relative_uri(file) },
            "region": { "startLine": line },
        }}],
        // Stable across runs and line moves: the rule and the file or component.
        "partialFingerprints": {
            "opslintInstance/v2": instance::fingerprint(&finding.rule, instance),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::relative_uri;

    /// Red team (issue 16): tree entry names reached `uri` raw, with a scheme or a fragment.
    #[test]
    fn a_path_is_a_relative_uri_whatever_it_is_named() {
        assert_eq!(
            relative_uri(".github/workflows/ci.yml"),
            ".github/workflows/ci.yml"
        );
        assert_eq!(
            relative_uri("file:/etc/Dockerfile"),
            "file%3A/etc/Dockerfile"
        );
        assert_eq!(
            relative_uri("svc #x?y/Dockerfile"),
            "svc%20%23x%3Fy/Dockerfile"
        );
        assert_eq!(relative_uri("%2e%2e/x"), "%252e%252e/x");
        assert_eq!(relative_uri("é"), "%C3%A9");
    }
}

//! `--format sarif`: SARIF 2.1.0 as GitHub code scanning reads it. Every rule that was
//! judged is a rule descriptor; every failing finding is a result, at its evidence or, for a
//! practice with nothing to point at, at a stable anchor file.

use std::collections::HashMap;
use std::io::{self, Write};

use serde_json::{Value, json};

use super::Report;
use crate::finding::{Finding, Status};
use crate::rules::builtin_rules;

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// Writes the report as a SARIF log with one run.
pub fn write(report: &Report, out: &mut impl Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &log(report))?;
    out.write_all(b"\n")
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
    let anchor = report.anchor();
    // In pull-request mode, only the failures the change introduced. Exempted rules are
    // results suppressed with the config's reason, so code scanning shows them as such.
    let exempted = report
        .findings
        .iter()
        .filter(|finding| finding.status == Status::Exempted);
    let results: Vec<Value> = report
        .gating()
        .chain(exempted)
        .map(|finding| result(finding, index[finding.rule.as_str()], &anchor))
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
        }],
    })
}

fn descriptor(finding: &Finding, rationale: Option<&str>) -> Value {
    let why = rationale.unwrap_or(finding.title.as_ref()).trim();
    let fix = finding.remediation.trim();
    let tags = ["devops", finding.area.id()];
    json!({
        "id": finding.rule,
        "name": finding.rule,
        "shortDescription": { "text": finding.title },
        "fullDescription": { "text": why },
        "help": {
            "text": format!("{why}\n\nFix: {fix}"),
            "markdown": format!("{why}\n\n**Fix:** {fix}"),
        },
        "defaultConfiguration": { "level": finding.severity.as_str() },
        "properties": { "tags": tags },
    })
}

fn result(finding: &Finding, rule_index: usize, anchor: &str) -> Value {
    let path = finding
        .evidence
        .first()
        .map_or(anchor, |evidence| evidence.path.as_str());
    let line = finding
        .evidence
        .first()
        .and_then(|evidence| evidence.line)
        .unwrap_or(1);
    let mut message = finding.message.clone();
    if let Some(note) = &finding.note {
        message = format!("{message} {note}");
    }
    let mut result = json!({
        "ruleId": finding.rule,
        "ruleIndex": rule_index,
        "level": finding.severity.as_str(),
        "message": { "text": message },
        "locations": [{ "physicalLocation": {
            "artifactLocation": { "uri": path },
            "region": { "startLine": line },
        }}],
        // Stable across runs and line moves: the rule and the file, not the line (and not
        // the anchor of a repository-wide finding, which moves when a config is added).
        "partialFingerprints": { "opslintRule/v1": format!(
            "{}:{}",
            finding.rule,
            crate::baseline::fingerprint_path(finding)
        ) },
    });
    if finding.status == Status::Exempted {
        let reason = finding
            .message
            .strip_prefix("Exempted: ")
            .unwrap_or(&finding.message);
        result["suppressions"] = json!([{ "kind": "external", "justification": reason }]);
    }
    result
}

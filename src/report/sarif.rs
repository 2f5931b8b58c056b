//! `--format sarif`: SARIF 2.1.0 as GitHub code scanning reads it. Every rule that was
//! judged is a rule descriptor; every failing finding is a result, at its evidence or, for a
//! practice with nothing to point at, at a stable anchor file.

use std::collections::HashMap;
use std::io::{self, Write};

use serde_json::{Value, json};

use super::Report;
use crate::finding::Finding;
use crate::rules::builtin_rules;

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// Writes the report as a SARIF log with one run.
pub fn write(report: &Report, out: &mut impl Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &log(report))?;
    out.write_all(b"\n")
}

fn log(report: &Report) -> Value {
    // Built-in rules carry their rationale; a custom rule's finding has its title.
    let rationales: HashMap<String, String> = builtin_rules()
        .into_iter()
        .map(|rule| (rule.id, rule.rationale))
        .collect();
    let judged: Vec<&Finding> = report.findings.iter().collect();
    let index: HashMap<&str, usize> = judged
        .iter()
        .enumerate()
        .map(|(position, finding)| (finding.rule.as_str(), position))
        .collect();
    let rules: Vec<Value> = judged
        .iter()
        .map(|finding| descriptor(finding, rationales.get(&finding.rule)))
        .collect();
    let anchor = anchor(report);
    // In pull-request mode, only the failures the change introduced.
    let results: Vec<Value> = report
        .gating()
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

fn descriptor(finding: &Finding, rationale: Option<&String>) -> Value {
    let why = rationale
        .map_or(finding.title.as_ref(), String::as_str)
        .trim();
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
    let evidence = finding.evidence.first();
    let path = evidence.map_or(anchor, |evidence| evidence.path.as_str());
    let line = evidence.and_then(|evidence| evidence.line).unwrap_or(1);
    let mut message = finding.message.clone();
    if let Some(note) = &finding.note {
        message = format!("{message} {note}");
    }
    json!({
        "ruleId": finding.rule,
        "ruleIndex": rule_index,
        "level": finding.severity.as_str(),
        "message": { "text": message },
        "locations": [{ "physicalLocation": {
            "artifactLocation": { "uri": path },
            "region": { "startLine": line },
        }}],
        // Stable across runs and line moves: the rule and the file, not the line.
        "partialFingerprints": { "opslintRule/v1": format!("{}:{path}", finding.rule) },
    })
}

/// Where a finding with no file of its own is shown: the config file when there is one,
/// else the README, which nearly every repository has.
fn anchor(report: &Report) -> String {
    report
        .repository
        .config
        .clone()
        .filter(|config| !config.starts_with('/'))
        .unwrap_or_else(|| "README.md".to_owned())
}

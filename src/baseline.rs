//! Baselines: today's failures recorded (`check --write-baseline FILE`) so that an existing
//! repository adopts opslint by failing only on what is new (`--baseline FILE`, or
//! `[scan] baseline` in `.opslint.toml`). A failure is recognised by its fingerprint — the
//! rule and the file it is about — not by its line or message, which move.

use std::collections::BTreeSet;

use miette::{Diagnostic, NamedSource, SourceSpan};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::finding::{Finding, Status};
use crate::report::Report;

const VERSION: u32 = 1;

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    version: u32,
    findings: Vec<Entry>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    rule: String,
    /// The file the finding is about (its first evidence); none for the repository as a
    /// whole.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    path: String,
    /// For people reading the file; not compared.
    #[serde(default)]
    message: String,
}

/// The accepted failures: (rule, anchor path) pairs.
#[derive(Debug, Default)]
pub struct Baseline {
    accepted: BTreeSet<(String, String)>,
}

#[derive(Debug, Error, Diagnostic)]
#[error("the baseline {name} is not a baseline opslint wrote: {message}")]
#[diagnostic(
    code(opslint::invalid_baseline),
    help("write it again with `opslint check --write-baseline FILE`")
)]
pub struct BaselineError {
    name: String,
    message: String,
    #[source_code]
    source_code: NamedSource<String>,
    #[label("here")]
    span: Option<SourceSpan>,
}

impl Baseline {
    /// Parses a baseline file's text; `name` is how errors name it.
    pub fn parse(name: &str, text: &str) -> Result<Baseline, Box<BaselineError>> {
        let error = |message: String, span: Option<SourceSpan>| {
            Box::new(BaselineError {
                name: name.to_owned(),
                message,
                source_code: NamedSource::new(name, text.to_owned()),
                span,
            })
        };
        let file: File = serde_json::from_str(text).map_err(|parse| {
            let span =
                offset(text, parse.line(), parse.column()).map(|at| SourceSpan::from(at..at));
            error(parse.to_string(), span)
        })?;
        if file.version != VERSION {
            return Err(error(
                format!("version {} is not {VERSION}", file.version),
                None,
            ));
        }
        Ok(Baseline {
            accepted: file
                .findings
                .into_iter()
                .map(|entry| (entry.rule, entry.path))
                .collect(),
        })
    }

    /// Marks the report's failing findings that the baseline accepts.
    pub fn apply(&self, report: &mut Report) {
        for finding in &mut report.findings {
            if finding.status == Status::Fail {
                let key = (finding.rule.clone(), fingerprint_path(finding).to_owned());
                finding.baselined = self.accepted.contains(&key);
            }
        }
    }
}

/// A baseline of the report's failing findings, as written to a file.
pub fn render(report: &Report) -> String {
    let findings = report
        .findings
        .iter()
        .filter(|finding| finding.status == Status::Fail)
        .map(|finding| Entry {
            rule: finding.rule.clone(),
            path: fingerprint_path(finding).to_owned(),
            message: finding.message.clone(),
        })
        .collect();
    let file = File {
        version: VERSION,
        findings,
    };
    serde_json::to_string_pretty(&file).expect("a baseline serializes") + "\n"
}

/// The file that, with the rule, identifies a finding across runs: its first evidence, or
/// nothing for a finding about the repository as a whole (not where reports anchor it,
/// which moves when a config file is added).
pub fn fingerprint_path(finding: &Finding) -> &str {
    finding
        .evidence
        .first()
        .map_or("", |evidence| evidence.path.as_str())
}

/// The byte offset of a 1-based line and column.
fn offset(text: &str, line: usize, column: usize) -> Option<usize> {
    let start: usize = text
        .split_inclusive('\n')
        .take(line.checked_sub(1)?)
        .map(str::len)
        .sum();
    Some((start + column.saturating_sub(1)).min(text.len()))
}

//! Baselines: today's failures recorded (`check --write-baseline FILE`) so that an existing
//! repository adopts opslint by failing only on what is new (`--baseline FILE`, or
//! `[scan] baseline` in `.opslint.toml`). Each instance of a failure is recorded — the rule
//! and each file or component it is about (`instance`), not its line or message, which
//! move — so a new file that breaks a rule already failing elsewhere still fails.

use std::collections::BTreeSet;

use miette::{Diagnostic, NamedSource, SourceSpan};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::finding::Status;
use crate::instance;
use crate::report::Report;

/// 2: one entry per instance. Version 1 recorded only a rule's first file, so it cannot
/// tell a new file from an accepted one; it is refused with a hint to write it again.
const VERSION: u32 = 2;

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
    /// The file or component this instance is about; none for the repository as a whole.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    path: String,
    /// For people reading the file; not compared.
    #[serde(default)]
    message: String,
}

/// The accepted failures: (rule, instance) pairs.
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
        if file.version == 1 {
            return Err(error(
                "it is version 1, which recorded one file per rule and so cannot tell a \
                 new file breaking a rule from an accepted one"
                    .to_owned(),
                None,
            ));
        }
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

    /// The instances this baseline accepts and `other` does not, as fingerprints.
    pub fn beyond(&self, other: &Baseline) -> Vec<String> {
        self.accepted
            .difference(&other.accepted)
            .map(|(rule, instance)| instance::fingerprint(rule, instance))
            .collect()
    }

    /// Marks the report's failing findings whose every instance the baseline accepts; a
    /// failure with new instances gates, and says where it is new.
    pub fn apply(&self, report: &mut Report) {
        report.accepted = self
            .accepted
            .iter()
            .map(|(rule, instance)| instance::fingerprint(rule, instance))
            .collect();
        let components = &report.components;
        for finding in &mut report.findings {
            // A failure the change introduced against its base gates whatever the baseline
            // says: the base passed, so an entry for it is stale (written before a fix).
            let introduced = finding
                .change
                .is_some_and(crate::finding::Change::introduced);
            if finding.status != Status::Fail || introduced {
                continue;
            }
            let known: Vec<&str> = self
                .accepted
                .iter()
                .filter(|(rule, _)| *rule == finding.rule)
                .map(|(_, instance)| instance.as_str())
                .collect();
            let new = instance::new_ones(finding, components, &known);
            if new.is_empty() {
                finding.baselined = true;
            } else {
                instance::mark_new(finding, new, "New since the baseline in");
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
        .flat_map(|finding| {
            instance::of(finding, &report.components)
                .into_iter()
                .map(|instance| Entry {
                    rule: finding.rule.clone(),
                    path: instance.to_owned(),
                    message: finding.message.clone(),
                })
        })
        .collect();
    let file = File {
        version: VERSION,
        findings,
    };
    serde_json::to_string_pretty(&file).expect("a baseline serializes") + "\n"
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

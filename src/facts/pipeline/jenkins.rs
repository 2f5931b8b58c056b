//! Jenkinsfiles, declarative or scripted, read by pattern: Groovy is not parsed.

use std::sync::OnceLock;

use regex::Regex;

use super::{Located, Pipeline, push_lines};
use crate::text::line_of;

/// A declarative or scripted Jenkinsfile: shell steps (`sh 'make test'`, `sh """…"""`,
/// `bat`, `powershell`) and `changeRequest()` conditions, found by pattern.
pub(super) fn read(text: &str) -> Pipeline {
    static STEP: OnceLock<Regex> = OnceLock::new();
    static CHANGE_REQUEST: OnceLock<Regex> = OnceLock::new();
    static TAG: OnceLock<Regex> = OnceLock::new();
    let step = STEP.get_or_init(|| {
        let quoted = r#"(?:'''(.*?)'''|"""(.*?)"""|'([^'\n]*)'|"([^"\n]*)")"#;
        let pattern =
            format!(r"(?s)\b(?:sh|bat|powershell|pwsh)\s*\(?\s*(?:script\s*:\s*)?{quoted}");
        Regex::new(&pattern).expect("valid regex")
    });
    let change_request =
        CHANGE_REQUEST.get_or_init(|| Regex::new(r"\bchangeRequest\s*\(").expect("valid regex"));
    // `when { buildingTag() }` or `when { tag "v*" }`.
    let tag = TAG.get_or_init(|| {
        Regex::new(r#"\bbuildingTag\s*\(|\btag\s+(?:pattern\s*:|['"])"#).expect("valid regex")
    });
    let line_at = |offset: usize| line_of(text.as_bytes(), offset);
    let mut pipeline = Pipeline {
        triggers: vec![Located::new("push", 1)],
        ..Pipeline::default()
    };
    for captures in step.captures_iter(text) {
        if let Some(body) = (1..=4).find_map(|group| captures.get(group)) {
            push_lines(&mut pipeline.commands, body.as_str(), line_at(body.start()));
        }
    }
    for found in change_request.find_iter(text) {
        let line = line_at(found.start());
        pipeline.triggers.push(Located::new("pull_request", line));
    }
    for found in tag.find_iter(text) {
        let line = line_at(found.start());
        pipeline.triggers.push(Located::new("tag", line));
    }
    pipeline
}

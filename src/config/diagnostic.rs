//! Diagnostics for files a user edits (config, custom rules): every problem, each pointing
//! at its place in the file.

use miette::{Diagnostic, NamedSource, SourceSpan};
use thiserror::Error;

/// One problem at one place in a TOML document.
#[derive(Debug, Error, Diagnostic)]
#[error("{message}")]
pub struct Problem {
    message: String,
    #[label("{label}")]
    span: Option<SourceSpan>,
    label: String,
    #[help]
    help: Option<String>,
}

impl Problem {
    pub fn new(message: impl Into<String>, span: Option<std::ops::Range<usize>>) -> Self {
        Problem {
            message: message.into(),
            span: span.map(SourceSpan::from),
            label: "here".to_owned(),
            help: None,
        }
    }

    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = label.into();
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Where the problem starts in the document, for ordering.
    pub fn offset(&self) -> usize {
        self.span.map_or(0, |span| span.offset())
    }

    pub fn message(&self) -> &str {
        &self.message
    }
}

/// "did you mean `ci.runs-tests`?" for an unknown rule or area id, when one of `known` is
/// close: a few letters apart (by optimal string alignment distance, which counts a swap of
/// two letters as one edit), or the same name with the area left out (`runs-tests`).
pub fn did_you_mean<'a>(id: &str, known: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let distance = |candidate: &str| {
        let name = candidate
            .split_once('.')
            .map_or(candidate, |(_, name)| name);
        strsim::osa_distance(id, candidate).min(strsim::osa_distance(id, name))
    };
    let allowed = (id.chars().count() / 4).max(1);
    known
        .into_iter()
        .map(|candidate| (distance(candidate), candidate))
        .filter(|(distance, _)| *distance <= allowed)
        .min()
        .map(|(_, closest)| format!("did you mean `{closest}`?"))
}

/// Everything wrong with one document, reported at once.
#[derive(Debug, Error, Diagnostic)]
#[error("{} in {name}", crate::text::plural(problems.len(), "problem"))]
#[diagnostic(code(opslint::config))]
pub struct ConfigError {
    name: String,
    #[source_code]
    source_code: NamedSource<String>,
    #[related]
    problems: Vec<Problem>,
}

impl ConfigError {
    pub fn new(name: &str, text: &str, mut problems: Vec<Problem>) -> Self {
        tidy(&mut problems);
        // The quoted text, and what the problems quote of it, is the repository's: colour
        // sequences and other controls in it must not reach the terminal, where the report
        // is coloured whole. Each control becomes one character of the same length in
        // UTF-8, so that the spans still point where they did.
        for problem in &mut problems {
            problem.message = crate::text::for_terminal(&problem.message).into_owned();
            problem.label = crate::text::for_terminal(&problem.label).into_owned();
            problem.help = problem
                .help
                .take()
                .map(|help| crate::text::for_terminal(&help).into_owned());
        }
        let text: String = text
            .chars()
            .map(|c| match c {
                '\n' | '\t' => c,
                // A CRLF file's line ends: nothing to show.
                '\r' => ' ',
                // One byte (C0, DEL) for one byte, two (C1) for two.
                c if c.is_control() && c.len_utf8() == 1 => '?',
                c if c.is_control() => '\u{bf}',
                c => c,
            })
            .collect();
        ConfigError {
            name: name.to_owned(),
            source_code: NamedSource::new(name, text).with_language("TOML"),
            problems,
        }
    }
}

/// Orders problems by position and drops exact repeats (recovery can report one twice).
fn tidy(problems: &mut Vec<Problem>) {
    problems.sort_by_key(|problem| problem.offset());
    problems.dedup_by(|a, b| a.offset() == b.offset() && a.message() == b.message());
}

#[cfg(test)]
mod tests {
    use super::did_you_mean;

    const KNOWN: &[&str] = &[
        "ci",
        "ci.runs-tests",
        "ci.pipeline",
        "security",
        "security.policy",
    ];

    #[test]
    fn a_close_id_is_suggested() {
        let suggest = |id| did_you_mean(id, KNOWN.iter().copied());
        assert_eq!(
            suggest("ci.run-tests").as_deref(),
            Some("did you mean `ci.runs-tests`?")
        );
        assert_eq!(
            suggest("ci.pipline").as_deref(),
            Some("did you mean `ci.pipeline`?")
        );
        assert_eq!(
            suggest("runs-tests").as_deref(),
            Some("did you mean `ci.runs-tests`?")
        );
        assert_eq!(
            suggest("secuirty").as_deref(),
            Some("did you mean `security`?")
        );
        assert_eq!(suggest("observability.nothing-like-it"), None);
        assert_eq!(suggest("xyz"), None);
    }
}

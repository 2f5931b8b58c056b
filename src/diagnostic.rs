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
        crate::tomldoc::tidy(&mut problems);
        ConfigError {
            name: name.to_owned(),
            source_code: NamedSource::new(name, text.to_owned()).with_language("TOML"),
            problems,
        }
    }
}

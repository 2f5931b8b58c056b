//! Rules: the schema in TOML, the built-in pack, and the compiled form the engine runs.

mod builtin;
mod compile;
mod glob;
mod schema;
mod sets;

pub use builtin::{BUILTIN_RULE_FILES, builtin_rules};
pub use compile::{Parsed, parse_rule_document, parse_rule_tables};
pub use glob::{GlobError, compile_glob};
pub use sets::{FileSets, builtin_sets};

use regex::bytes::Regex;

use crate::area::Area;
use crate::finding::Severity;

/// A validated rule, ready to evaluate.
#[derive(Debug, Clone)]
pub struct Rule {
    pub id: String,
    pub area: Area,
    pub title: String,
    pub severity: Severity,
    pub weight: u32,
    pub rationale: String,
    pub remediation: String,
    pub applies_if: Option<Precondition>,
    pub checks: Vec<Check>,
}

#[derive(Debug, Clone)]
pub struct Precondition {
    pub files: Vec<String>,
    pub description: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Check {
    pub kind: CheckKind,
    pub files: Vec<String>,
    pub exclude: Vec<String>,
    /// How many matching files make the check pass.
    pub min_count: u32,
    /// Examined only when no check before it passed: for costly checks (reading every
    /// source file) that stand in for cheaper ones.
    pub fallback: bool,
}

#[derive(Debug, Clone)]
pub enum CheckKind {
    /// Some file matches one of the globs.
    FilesPresent,
    /// Some file selected by the globs contains a match of the pattern.
    ContentMatches { pattern: Regex },
}

//! Named definitions, written once and used by name: file sets — a glob list defined in a rule
//! file's `[sets]` table and used in any `files` or `exclude` list as `"@name"` — and patterns —
//! a regex defined in a `[patterns]` table and used as `pattern = "@name"` or
//! `dependency = "@name"`; and, in the built-in rule files only, `[steps]` and `[values]`
//! (thresholds and word lists opslint's own code reads). The built-in ones come from the
//! built-in rule files and are available to custom rules as well.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;
use toml::de::DeValue;

use super::glob::check_glob;
use crate::config::diagnostic::Problem;
use crate::config::tomldoc::{self, Document};

pub type FileSets = BTreeMap<String, Vec<String>>;

/// File sets and patterns, by name.
#[derive(Debug, Default)]
pub struct Definitions {
    pub sets: FileSets,
    pub patterns: BTreeMap<String, String>,
    /// What well-known shared steps run (`[steps]`: Jenkins library steps, CircleCI orb
    /// jobs, Azure Pipelines tasks), by `system:name`; built-in rule files only.
    pub steps: BTreeMap<String, String>,
    /// Thresholds and word lists opslint's own code reads (`[values]`); built-in rule files
    /// only.
    pub values: BTreeMap<String, Value>,
}

/// A `[values]` entry: a number (a threshold) or a list of words.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Value {
    Number(f64),
    Words(Vec<String>),
}

/// The top-level tables of a rule file that hold definitions rather than rules.
pub const DEFINITION_TABLES: [&str; 4] = ["sets", "patterns", "steps", "values"];

impl Definitions {
    /// Adds the definitions of one rule file's text; its rules are read elsewhere.
    pub fn add_document(&mut self, text: &str, problems: &mut Vec<Problem>) {
        let document = Document::parse(text, problems);
        for (key, _, value) in document.entries() {
            match key {
                "sets" => collect(value, &mut self.sets, problems),
                "patterns" => collect_patterns(value, &mut self.patterns, problems),
                "steps" => {
                    if let Some(steps) =
                        tomldoc::decode::<BTreeMap<String, String>>(value, problems)
                    {
                        self.steps.extend(steps);
                    }
                }
                "values" => {
                    if let Some(values) =
                        tomldoc::decode::<BTreeMap<String, Value>>(value, problems)
                    {
                        self.values.extend(values);
                    }
                }
                _ => {}
            }
        }
    }
}

/// Adds the patterns of a `[patterns]` table (validated where they are used).
fn collect_patterns(
    value: &Spanned<DeValue<'_>>,
    patterns: &mut BTreeMap<String, String>,
    problems: &mut Vec<Problem>,
) {
    let Some(table) = tomldoc::decode::<BTreeMap<Spanned<String>, String>>(value, problems) else {
        return;
    };
    for (name, pattern) in table {
        if patterns.contains_key(name.get_ref()) {
            problems.push(Problem::new(
                format!("pattern `{}` is defined twice", name.get_ref()),
                Some(name.span()),
            ));
        }
        patterns.insert(name.into_inner(), pattern);
    }
}

/// Adds the sets of a `[sets]` table to `sets`, validating every glob. A set may name
/// another (`"@github-workflows"`) of the same table or an earlier one, if that one names
/// none itself.
pub fn collect(value: &Spanned<DeValue<'_>>, sets: &mut FileSets, problems: &mut Vec<Problem>) {
    let Some(table) =
        tomldoc::decode::<BTreeMap<Spanned<String>, Vec<Spanned<String>>>>(value, problems)
    else {
        return;
    };
    let plain = |name: &str| -> Option<Vec<String>> {
        let members = table
            .iter()
            .find(|(other, _)| other.get_ref() == name)
            .map(|(_, globs)| globs.iter().map(|glob| glob.get_ref().clone()).collect())
            .or_else(|| sets.get(name).cloned())?;
        let nested = |members: &Vec<String>| members.iter().any(|glob| glob.starts_with('@'));
        (!nested(&members)).then_some(members)
    };
    let mut collected = Vec::new();
    for (name, globs) in &table {
        let mut members = Vec::new();
        for glob in globs {
            match glob.get_ref().strip_prefix('@') {
                Some(other) => match plain(other) {
                    Some(globs) => members.extend(globs),
                    None => problems.push(Problem::new(
                        format!("`@{other}` is no set of plain globs defined here or before"),
                        Some(glob.span()),
                    )),
                },
                None => {
                    check_glob(glob, problems);
                    members.push(glob.get_ref().clone());
                }
            }
        }
        if sets.contains_key(name.get_ref()) {
            problems.push(Problem::new(
                format!("file set `{}` is defined twice", name.get_ref()),
                Some(name.span()),
            ));
        }
        collected.push((name.get_ref().clone(), members));
    }
    sets.extend(collected);
}

/// Replaces every `"@name"` entry by the globs of that set, keeping the reference's span.
pub fn expand(
    globs: Vec<Spanned<String>>,
    sets: &FileSets,
    problems: &mut Vec<Problem>,
) -> Vec<Spanned<String>> {
    let mut expanded = Vec::with_capacity(globs.len());
    for glob in globs {
        let Some(name) = glob.get_ref().strip_prefix('@') else {
            expanded.push(glob);
            continue;
        };
        match sets.get(name) {
            Some(members) => expanded.extend(
                members
                    .iter()
                    .map(|member| Spanned::new(glob.span(), member.clone())),
            ),
            None => problems.push(
                Problem::new(format!("unknown file set `@{name}`"), Some(glob.span())).help(
                    format!(
                        "known sets: {}",
                        sets.keys()
                            .map(|set| format!("@{set}"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ),
            ),
        }
    }
    expanded
}

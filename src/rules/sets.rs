//! Named definitions, written once and used by name: file sets — a glob list defined in a rule
//! file's `[sets]` table and used in any `files` or `exclude` list as `"@name"` — and patterns —
//! a regex defined in a `[patterns]` table and used as `pattern = "@name"` or
//! `dependency = "@name"`. The built-in ones come from the built-in rule files and are
//! available to custom rules as well.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use toml::Spanned;
use toml::de::DeValue;

use super::builtin::BUILTIN_RULE_FILES;
use super::compile::check_glob;
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
}

/// The built-in file set `name` (`@name` in rule files) as one compiled glob set; empty
/// when there is no such set.
pub fn builtin_set(name: &str) -> globset::GlobSet {
    let mut builder = globset::GlobSetBuilder::new();
    for glob in builtin_definitions().sets.get(name).into_iter().flatten() {
        for compiled in super::compile_glob(glob).expect("built-in globs compile") {
            builder.add(compiled);
        }
    }
    builder.build().expect("built-in globs compile")
}

/// The definitions across the built-in rule files, read once per process.
pub fn builtin_definitions() -> &'static Definitions {
    static DEFINITIONS: OnceLock<Definitions> = OnceLock::new();
    DEFINITIONS.get_or_init(|| {
        let mut definitions = Definitions::default();
        for (name, text) in BUILTIN_RULE_FILES {
            let mut problems = Vec::new();
            let document = Document::parse(text, &mut problems);
            for (key, _, value) in document.entries() {
                match key {
                    "sets" => collect(value, &mut definitions.sets, &mut problems),
                    "patterns" => collect_patterns(value, &mut definitions.patterns, &mut problems),
                    "steps" => {
                        if let Some(steps) = tomldoc::decode(value, &mut problems) {
                            definitions.steps.extend::<BTreeMap<String, String>>(steps);
                        }
                    }
                    _ => {}
                }
            }
            assert!(
                problems.is_empty(),
                "built-in rule file {name} has invalid definitions: {problems:?}"
            );
        }
        definitions
    })
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

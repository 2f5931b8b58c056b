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
use crate::diagnostic::Problem;
use crate::tomldoc::{self, Document};

pub type FileSets = BTreeMap<String, Vec<String>>;

/// File sets and patterns, by name.
#[derive(Debug, Default)]
pub struct Definitions {
    pub sets: FileSets,
    pub patterns: BTreeMap<String, String>,
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

/// Adds the sets of a `[sets]` table to `sets`, validating every glob.
pub fn collect(value: &Spanned<DeValue<'_>>, sets: &mut FileSets, problems: &mut Vec<Problem>) {
    let Some(table) =
        tomldoc::decode::<BTreeMap<Spanned<String>, Vec<Spanned<String>>>>(value, problems)
    else {
        return;
    };
    for (name, globs) in table {
        for glob in &globs {
            if glob.get_ref().starts_with('@') {
                problems.push(Problem::new(
                    "a set cannot refer to another set",
                    Some(glob.span()),
                ));
            } else {
                check_glob(glob, problems);
            }
        }
        if sets.contains_key(name.get_ref()) {
            problems.push(Problem::new(
                format!("file set `{}` is defined twice", name.get_ref()),
                Some(name.span()),
            ));
        }
        sets.insert(
            name.into_inner(),
            globs.into_iter().map(Spanned::into_inner).collect(),
        );
    }
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

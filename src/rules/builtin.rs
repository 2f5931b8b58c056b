//! The built-in rule pack: `rules/*.toml`, embedded in the binary at build time.

use std::sync::OnceLock;

use globset::{GlobSet, GlobSetBuilder};

use super::Rule;
use super::compile::parse_rule_document;
use super::glob::compile_glob;
use super::known::Known;
use super::sets::Definitions;

/// Every built-in rule file as (file name, contents). A test checks this list against `rules/`.
pub const BUILTIN_RULE_FILES: &[(&str, &str)] = &[
    ("ci.toml", include_str!("../../rules/ci.toml")),
    ("cd.toml", include_str!("../../rules/cd.toml")),
    ("iac.toml", include_str!("../../rules/iac.toml")),
    (
        "observability.toml",
        include_str!("../../rules/observability.toml"),
    ),
    ("testing.toml", include_str!("../../rules/testing.toml")),
    ("devenv.toml", include_str!("../../rules/devenv.toml")),
    ("security.toml", include_str!("../../rules/security.toml")),
    (
        "supply-chain.toml",
        include_str!("../../rules/supply-chain.toml"),
    ),
    (
        "collaboration.toml",
        include_str!("../../rules/collaboration.toml"),
    ),
    ("learning.toml", include_str!("../../rules/learning.toml")),
    ("flow.toml", include_str!("../../rules/flow.toml")),
    ("dora.toml", include_str!("../../rules/dora.toml")),
    ("history.toml", include_str!("../../rules/history.toml")),
];

/// The definitions of the built-in rule files, and what the code reads of them by name.
struct Builtin {
    definitions: Definitions,
    known: Known,
}

/// Read once per process. The built-in files are validated by tests, so a failure here is a
/// build defect; it names what is wrong, before any rule is parsed.
fn builtin() -> &'static Builtin {
    static BUILTIN: OnceLock<Builtin> = OnceLock::new();
    BUILTIN.get_or_init(|| {
        let mut definitions = Definitions::default();
        for (name, text) in BUILTIN_RULE_FILES {
            let mut problems = Vec::new();
            definitions.add_document(text, &mut problems);
            assert!(
                problems.is_empty(),
                "built-in rule file {name} has invalid definitions: {problems:?}"
            );
        }
        let known = Known::resolve(&definitions).unwrap_or_else(|missing| panic!("{missing}"));
        Builtin { definitions, known }
    })
}

/// The definitions across the built-in rule files.
pub fn builtin_definitions() -> &'static Definitions {
    &builtin().definitions
}

/// The built-in sets, patterns and values the code reads itself, by field.
pub fn known() -> &'static Known {
    &builtin().known
}

/// Built-in globs (a field of [`Known`]) as one compiled glob set.
pub fn glob_set(globs: &[String]) -> GlobSet {
    let mut builder = GlobSetBuilder::new();
    for glob in globs {
        for compiled in compile_glob(glob).expect("built-in globs compile") {
            builder.add(compiled);
        }
    }
    builder.build().expect("built-in globs compile")
}

/// The built-in rules, parsed once per process: a sweep scans thousands of repositories and
/// every SARIF log describes the rules. They are validated by tests, so a failure here is a
/// build defect.
pub fn builtin_rules() -> &'static [Rule] {
    static RULES: OnceLock<Vec<Rule>> = OnceLock::new();
    RULES.get_or_init(|| {
        BUILTIN_RULE_FILES
            .iter()
            .flat_map(|(name, text)| {
                let origin = format!("rules/{name}");
                parse_rule_document(&origin, text, builtin_definitions()).unwrap_or_else(|error| {
                    panic!("built-in rule file {origin} is invalid: {error:?}")
                })
            })
            .map(|parsed| parsed.rule)
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Built-in patterns are compiled on first use; this compiles each one, so a pattern
    /// that is valid syntax but too large fails here rather than in a scan.
    #[test]
    fn every_builtin_pattern_compiles() {
        for rule in builtin_rules() {
            for pattern in rule.patterns() {
                if let Err(error) = pattern.try_compile() {
                    panic!(
                        "{}: /{}/ does not compile: {error}",
                        rule.id,
                        pattern.as_str()
                    );
                }
            }
        }
        // Named patterns the history pass uses directly, not through a rule.
        for (name, source) in &builtin_definitions().patterns {
            if let Err(error) = crate::rules::Pattern::builtin(source).try_compile() {
                panic!("@{name}: /{source}/ does not compile: {error}");
            }
        }
    }

    /// Every built-in rule states its maturity: a plan and an area's level read them, and a
    /// default would hide a rule nobody placed.
    #[test]
    fn every_builtin_rule_states_its_level_effort_and_prerequisites() {
        for (name, text) in BUILTIN_RULE_FILES {
            let document: toml::Table = toml::from_str(text).expect("rule files are TOML");
            let Some(rules) = document.get("rule").and_then(toml::Value::as_array) else {
                continue;
            };
            for rule in rules {
                let id = rule["id"].as_str().unwrap_or_default();
                for key in ["level", "effort"] {
                    assert!(rule.get(key).is_some(), "{name}: {id} has no `{key}`");
                }
            }
        }
        let rules = builtin_rules();
        for rule in rules {
            for required in &rule.requires {
                assert!(
                    rules.iter().any(|other| other.id == *required),
                    "{} requires an unknown rule {required}",
                    rule.id
                );
            }
        }
        assert_eq!(crate::maturity::requirement_cycle(rules), None);
    }
}

//! The built-in rule pack: `rules/*.toml`, embedded in the binary at build time.

use super::Rule;
use super::compile::parse_rule_document;
use super::sets::builtin_definitions;

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

/// The built-in rules, parsed once per process: a sweep scans thousands of repositories and
/// every SARIF log describes the rules. They are validated by tests, so a failure here is a
/// build defect.
pub fn builtin_rules() -> &'static [Rule] {
    static RULES: std::sync::OnceLock<Vec<Rule>> = std::sync::OnceLock::new();
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
}

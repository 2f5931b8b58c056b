//! Which rules a scan judges: the built-in and custom rules its settings leave on, with the
//! settings' severities and thresholds applied.

use crate::config::settings::Settings;
use crate::rules::{CheckKind, Rule};

/// Applies `settings` to the available rules: drops disabled ones, applies severity and
/// threshold overrides. The result is sorted by area, then id.
pub fn enabled_rules(builtin: &[Rule], settings: &Settings) -> Vec<Rule> {
    let mut rules: Vec<Rule> = builtin
        .iter()
        .chain(&settings.custom_rules)
        .filter(|rule| !settings.is_disabled(rule))
        .cloned()
        .collect();
    for rule in &mut rules {
        if let Some(rule_override) = settings.overrides.get(&rule.id) {
            if let Some(severity) = rule_override.severity.and_then(|level| level.severity()) {
                rule.severity = severity;
            }
            if let Some(min_count) = rule_override.min_count {
                for check in &mut rule.checks {
                    check.min_count = min_count;
                }
            }
            if let Some(new_threshold) = rule_override.threshold {
                for check in &mut rule.checks {
                    if let CheckKind::History { threshold, .. } = &mut check.kind {
                        *threshold = new_threshold;
                    }
                }
            }
        }
    }
    rules.sort_by(|a, b| (a.area, &a.id).cmp(&(b.area, &b.id)));
    rules
}

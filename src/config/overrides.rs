//! What a repository's own `.opslint.toml` changed of the bar it is judged against (the
//! defaults, or the organisation's config with the command line's budgets): rules and areas
//! turned off, exemptions, severities and thresholds, custom rules, evidence excluded, a
//! baseline. Each report lists them (`repository.overrides`), so that a repository cannot
//! look good in the organisation's picture by lowering its own bar unseen; and a change the
//! organisation's `[lock]` forbids is undone here, and listed as refused.

use crate::config::diagnostic::ConfigError;
use crate::config::overridden::Override;
use crate::config::settings::{Level, RuleOverride, Settings};
use crate::rules::{Comparison, Rule};

/// Parses a repository's own `.opslint.toml` on top of `base` (the defaults, or the
/// organisation's config, with the command line's budgets applied): as
/// `Settings::parse_onto`, but the file may only lower `base`'s resource budgets
/// (`max-file-size`, `max-total-read`), never raise them — the repository is what is being
/// scanned — and what it changed of `base` is recorded (`Settings::changed_by_repository`).
pub fn parse_repository(
    base: Settings,
    name: &str,
    text: &str,
    builtin: &[Rule],
) -> Result<Settings, ConfigError> {
    let before = base.clone();
    let mut own = Settings::parse_bounded(base, name, text, builtin)?;
    own.changed_by_repository = apply(&before, &mut own, builtin);
    Ok(own)
}

/// Whether the organisation's `[lock]` covers `rule`, by its id or its area's.
pub fn locked(settings: &Settings, rule: &Rule) -> bool {
    settings.lock.rules.contains(&rule.id)
        || settings
            .lock
            .areas
            .iter()
            .any(|area| area == rule.area.id())
}

/// What `own` (`base` with the repository's config parsed onto it) changed of `base`; the
/// changes `base`'s lock forbids are undone in `own` and listed as refused.
pub fn apply(base: &Settings, own: &mut Settings, builtin: &[Rule]) -> Vec<Override> {
    let custom = own.custom_rules.clone();
    let rules: Vec<&Rule> = builtin.iter().chain(&custom).collect();
    let rule = |id: &str| rules.iter().copied().find(|rule| rule.id == id);
    let is_locked = |id: &str| {
        base.lock.areas.iter().any(|area| area == id)
            || rule(id).is_some_and(|rule| locked(base, rule))
    };
    let mut found = Vec::new();

    // Lists add to the base's: what is past the base's length is the repository's.
    let added: Vec<String> = own
        .disable
        .split_off(base.disable.len().min(own.disable.len()));
    for id in added {
        let mut change = Override::new("disable", &id);
        if is_locked(&id) {
            change.refused = true;
        } else if crate::area::Area::from_id(&id).is_some() {
            // An area with locked rules in it: the others are turned off, the locked stay on.
            let (kept, off): (Vec<&Rule>, Vec<&Rule>) = rules
                .iter()
                .copied()
                .filter(|rule| rule.area.id() == id)
                .partition(|rule| locked(base, rule));
            if kept.is_empty() {
                own.disable.push(id.clone());
            } else {
                change.refused = true;
                let names: Vec<String> = kept.iter().map(|rule| format!("`{}`", rule.id)).collect();
                change.detail = Some(format!("{} stay on", names.join(", ")));
                own.disable.extend(off.iter().map(|rule| rule.id.clone()));
            }
        } else {
            own.disable.push(id.clone());
        }
        found.push(change);
    }

    let added = own
        .exemptions
        .split_off(base.exemptions.len().min(own.exemptions.len()));
    for exemption in added {
        let mut change = Override::new("exempt", &exemption.rule);
        change.reason = Some(exemption.reason.clone());
        if is_locked(&exemption.rule) {
            change.refused = true;
        } else {
            own.exemptions.push(exemption);
        }
        found.push(change);
    }

    let ids: Vec<String> = own.overrides.keys().cloned().collect();
    for id in ids {
        let Some(rule) = rule(&id).cloned() else {
            continue;
        };
        let before = base.overrides.get(&id).cloned().unwrap_or_default();
        let Some(now) = own.overrides.get_mut(&id) else {
            continue;
        };
        let locked = locked(base, &rule);
        let level = |known: Option<Level>| known.unwrap_or_else(|| Level::of(rule.severity));
        // A setting the repository leaves out of its override is the default's again.
        if level(now.severity) != level(before.severity) {
            let (from, to) = (level(before.severity), level(now.severity));
            let mut change = Override::changed(
                "severity",
                &id,
                from.name().to_owned(),
                to.name().to_owned(),
            );
            if locked && to.rank() < from.rank() {
                change.refused = true;
                now.severity = before.severity;
            }
            found.push(change);
        }
        let min_count = rule.checks.iter().map(|check| check.min_count).max();
        if let Some(default) = min_count {
            let from = before.min_count.unwrap_or(default);
            let to = now.min_count.unwrap_or(default);
            if to != from {
                let mut change =
                    Override::changed("min-count", &id, from.to_string(), to.to_string());
                if locked && to < from {
                    change.refused = true;
                    now.min_count = before.min_count;
                }
                found.push(change);
            }
        }
        if let Some((comparison, default)) = rule.history_limit() {
            let from = before.threshold.unwrap_or(default);
            let to = now.threshold.unwrap_or(default);
            if to != from {
                let mut change =
                    Override::changed("threshold", &id, from.to_string(), to.to_string());
                let looser = match comparison {
                    Comparison::AtMost => to > from,
                    Comparison::AtLeast => to < from,
                };
                if locked && looser {
                    change.refused = true;
                    now.threshold = before.threshold;
                }
                found.push(change);
            }
        }
        if own.overrides.get(&id).is_some_and(is_empty) && !base.overrides.contains_key(&id) {
            own.overrides.remove(&id);
        }
    }

    for custom in own.custom_rules.iter().skip(base.custom_rules.len()) {
        let mut change = Override::new("custom-rule", &custom.id);
        change.reason = Some(custom.title.to_string());
        change.weight = Some(custom.weight);
        found.push(change);
    }
    for glob in own
        .exclude
        .iter()
        .filter(|glob| !base.exclude.contains(glob))
    {
        found.push(Override::new("exclude", glob));
    }
    if let Some(baseline) = &own.baseline
        && base.baseline.as_ref() != Some(baseline)
    {
        found.push(Override::new("baseline", baseline));
    }
    found
}

fn is_empty(rule_override: &RuleOverride) -> bool {
    rule_override.severity.is_none()
        && rule_override.min_count.is_none()
        && rule_override.threshold.is_none()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::builtin_rules;

    fn apply_to(org: &str, own: &str) -> (Settings, Vec<Override>) {
        let base = Settings::parse("org.toml", org, builtin_rules()).expect("valid org config");
        let own =
            crate::config::overrides::parse_repository(base, ".opslint.toml", own, builtin_rules())
                .expect("valid config");
        let changes = own.changed_by_repository.clone();
        (own, changes)
    }

    #[test]
    fn a_locked_rule_may_be_raised_not_lowered() {
        let org = "[lock]\nrules = [\"testing.tests-exist\", \"flow.small-batches\"]\n\
                   [rules.\"testing.tests-exist\"]\nmin-count = 3\n";
        let own = "[rules.\"testing.tests-exist\"]\nmin-count = 1\n\
                   [rules.\"flow.small-batches\"]\nthreshold = 100000\n\
                   [rules.\"flow.frequent-integration\"]\nthreshold = 0.5\n";
        let (settings, changes) = apply_to(org, own);
        let summary: Vec<(&str, &str, &str, &str, bool)> = changes
            .iter()
            .map(|change| {
                (
                    change.kind.as_str(),
                    change.id.as_str(),
                    change.from.as_deref().unwrap_or_default(),
                    change.to.as_deref().unwrap_or_default(),
                    change.refused,
                )
            })
            .collect();
        // In the order of the rule ids.
        assert_eq!(summary[0].1, "flow.frequent-integration");
        assert!(!summary[0].4, "not locked");
        assert_eq!(
            (summary[1].0, summary[1].1),
            ("threshold", "flow.small-batches")
        );
        assert!(summary[1].4, "a looser limit is refused");
        assert_eq!(
            summary[2],
            ("min-count", "testing.tests-exist", "3", "1", true)
        );
        assert_eq!(settings.overrides["testing.tests-exist"].min_count, Some(3));
        assert!(
            settings
                .overrides
                .get("flow.small-batches")
                .is_none_or(|kept| kept.threshold.is_none()),
            "the organisation's limit holds"
        );
        assert!(
            changes[2]
                .describe()
                .ends_with("(refused: locked by the organisation)")
        );

        let (settings, changes) = apply_to(org, "[rules.\"testing.tests-exist\"]\nmin-count = 9\n");
        assert!(!changes[0].refused, "raising is allowed");
        assert_eq!(settings.overrides["testing.tests-exist"].min_count, Some(9));
    }

    #[test]
    fn an_area_with_locked_rules_keeps_them_on() {
        let (settings, changes) = apply_to(
            "[lock]\nrules = [\"ci.runs-tests\"]\n",
            "disable = [\"ci\"]\n",
        );
        assert!(changes[0].refused);
        assert_eq!(
            changes[0].detail.as_deref(),
            Some("`ci.runs-tests` stay on")
        );
        assert!(!settings.disable.contains(&"ci".to_owned()));
        assert!(settings.disable.contains(&"ci.pipeline".to_owned()));
        assert!(!settings.disable.contains(&"ci.runs-tests".to_owned()));
        let (_, changes) = apply_to("", "");
        assert!(changes.is_empty(), "nothing of its own, nothing listed");
    }
}

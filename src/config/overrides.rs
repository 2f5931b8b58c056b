//! What a repository's own `.opslint.toml` changed of the bar it is judged against (the
//! defaults, or the organisation's config with the command line's budgets): rules and areas
//! turned off, exemptions, severities and thresholds, custom rules, evidence excluded, a
//! baseline. Each report lists them (`repository.overrides`), so that a repository cannot
//! look good in the organisation's picture by lowering its own bar unseen; and a change the
//! organisation's `[lock]` forbids is undone here, and listed as refused.

use serde::{Deserialize, Serialize};

use crate::config::settings::{Level, RuleOverride, Settings};
use crate::rules::{Comparison, Rule};

/// One change a repository's own config made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Override {
    /// `disable`, `exempt`, `severity`, `min-count`, `threshold`, `custom-rule`, `exclude`
    /// or `baseline`.
    pub kind: String,
    /// The rule or area id; the glob for `exclude`, the file for `baseline`.
    pub id: String,
    /// The value before (the organisation's, or the default) and the repository's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// Why a rule is exempted; a custom rule's title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// A custom rule's weight in its area's score.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<u32>,
    /// The organisation's config locks what this would lower: the change was not applied.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub refused: bool,
    /// For a refused area: the locked rules that stay on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl Override {
    fn new(kind: &str, id: &str) -> Override {
        Override {
            kind: kind.to_owned(),
            id: id.to_owned(),
            from: None,
            to: None,
            reason: None,
            weight: None,
            refused: false,
            detail: None,
        }
    }

    fn changed(kind: &str, id: &str, from: String, to: String) -> Override {
        Override {
            from: Some(from),
            to: Some(to),
            ..Override::new(kind, id)
        }
    }

    /// The change in words: "turns off `learning`", "lowers the severity of `ci.lint` from
    /// error to note (refused: locked by the organisation)".
    pub fn describe(&self) -> String {
        let (id, from, to) = (
            &self.id,
            self.from.as_deref().unwrap_or("?"),
            self.to.as_deref().unwrap_or("?"),
        );
        let mut text = match self.kind.as_str() {
            "disable" => format!("turns off `{id}`"),
            "exempt" => format!(
                "exempts `{id}` (\"{}\")",
                self.reason.as_deref().unwrap_or_default()
            ),
            "severity" => format!("sets the severity of `{id}` from {from} to {to}"),
            "min-count" => format!("sets the min-count of `{id}` from {from} to {to}"),
            "threshold" => format!("sets the threshold of `{id}` from {from} to {to}"),
            "custom-rule" => format!(
                "adds the custom rule `{id}` (weight {}): {}",
                self.weight.unwrap_or(1),
                self.reason.as_deref().unwrap_or_default()
            ),
            "exclude" => format!("excludes `{id}` from evidence"),
            "baseline" => format!("accepts the failures its baseline `{id}` lists"),
            other => format!("{other} `{id}`"),
        };
        if self.refused {
            text.push_str(" (refused: locked by the organisation");
            if let Some(detail) = &self.detail {
                text.push_str("; ");
                text.push_str(detail);
            }
            text.push(')');
        }
        text
    }
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
        let own = Settings::parse_repository(base, ".opslint.toml", own, builtin_rules())
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

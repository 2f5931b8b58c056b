//! What a change asks of opslint's own configuration. In pull-request mode the change is
//! judged with the base's settings, so it cannot lower its own bar; each way the head's
//! settings would lower it — a rule or area turned off, an exemption, a severity lowered, a
//! threshold loosened, files excluded from evidence, a smaller read budget, a custom rule
//! removed, more failures accepted by the baseline — is listed here for the reviewer.

use crate::finding::Severity;
use crate::rules::{CheckKind, Comparison, Rule};
use crate::settings::{Level, Settings};

/// One way the head's configuration lowers the bar, and a word to find its line by.
#[derive(Debug, Clone, PartialEq)]
pub struct Weakening {
    pub what: String,
    pub near: String,
}

impl Weakening {
    fn new(what: String, near: &str) -> Weakening {
        Weakening {
            what,
            near: near.to_owned(),
        }
    }
}

/// The ways `head` lowers the bar that `base` sets. Rules are looked up in `builtin` and in
/// the base's custom rules (the head's new custom rules only add checks).
pub fn between(base: &Settings, head: &Settings, builtin: &[Rule]) -> Vec<Weakening> {
    let rule = |id: &str| {
        builtin
            .iter()
            .chain(&base.custom_rules)
            .find(|rule| rule.id == id)
    };
    let mut found = Vec::new();
    for id in head.disable.iter().filter(|id| !base.disable.contains(id)) {
        found.push(Weakening::new(format!("turns off `{id}`"), id));
    }
    for exemption in &head.exemptions {
        if base.exemption(&exemption.rule).is_none() {
            let what = format!(
                "exempts `{}` (\"{}\")",
                exemption.rule,
                exemption.reason.trim()
            );
            found.push(Weakening::new(what, &exemption.rule));
        }
    }
    for (id, wanted) in &head.overrides {
        let before = base.overrides.get(id);
        let Some(rule) = rule(id) else { continue };
        let level_before = before
            .and_then(|known| known.severity)
            .unwrap_or_else(|| level_of(rule.severity));
        if let Some(level) = wanted.severity
            && rank(level) < rank(level_before)
        {
            let what = format!(
                "lowers `{id}` from {} to {}",
                name(level_before),
                name(level)
            );
            found.push(Weakening::new(what, id));
        }
        let min_before = before
            .and_then(|known| known.min_count)
            .or_else(|| rule.checks.first().map(|check| check.min_count));
        if let (Some(min), Some(min_before)) = (wanted.min_count, min_before)
            && min < min_before
        {
            let what = format!("lowers `{id}`'s min-count from {min_before} to {min}");
            found.push(Weakening::new(what, id));
        }
        if let (Some(threshold), Some((comparison, default))) = (wanted.threshold, limit(rule)) {
            let threshold_before = before.and_then(|known| known.threshold).unwrap_or(default);
            let looser = match comparison {
                Comparison::AtMost => threshold > threshold_before,
                Comparison::AtLeast => threshold < threshold_before,
            };
            if looser {
                let what = format!(
                    "loosens `{id}`'s threshold from {threshold_before} to {threshold} ({} is the limit)",
                    comparison.words()
                );
                found.push(Weakening::new(what, id));
            }
        }
    }
    for glob in head
        .exclude
        .iter()
        .filter(|glob| !base.exclude.contains(glob))
    {
        found.push(Weakening::new(
            format!("excludes `{glob}` from evidence"),
            glob,
        ));
    }
    let budgets = [
        (
            "max-file-size",
            base.max_file_size,
            head.max_file_size,
            "reads files of",
        ),
        (
            "max-total-read",
            base.max_total_read,
            head.max_total_read,
            "reads in all",
        ),
    ];
    for (key, before, now, reads) in budgets {
        if now < before {
            let what = format!("lowers `{key}`: {reads} at most {now} bytes, not {before}");
            found.push(Weakening::new(what, key));
        }
    }
    for removed in base
        .custom_rules
        .iter()
        .filter(|custom| !head.custom_rules.iter().any(|kept| kept.id == custom.id))
    {
        let what = format!("removes the custom rule `{}`", removed.id);
        found.push(Weakening::new(what, &removed.id));
    }
    if head.baseline.is_some() && head.baseline != base.baseline {
        let file = head.baseline.as_deref().unwrap_or_default();
        found.push(Weakening::new(
            format!("accepts the failures listed in `{file}`"),
            "baseline",
        ));
    }
    found
}

/// The 1-based line of `text` where `near` first appears, for annotations.
pub fn line_of(text: &str, near: &str) -> Option<u32> {
    if near.is_empty() {
        return None;
    }
    let at = text
        .find(&format!("\"{near}\""))
        .or_else(|| text.find(near))?;
    u32::try_from(text[..at].matches('\n').count() + 1).ok()
}

/// The comparison and threshold of a rule's history check, if it has one.
fn limit(rule: &Rule) -> Option<(Comparison, f64)> {
    rule.checks.iter().find_map(|check| match check.kind {
        CheckKind::History {
            comparison,
            threshold,
            ..
        } => Some((comparison, threshold)),
        _ => None,
    })
}

fn level_of(severity: Severity) -> Level {
    match severity {
        Severity::Error => Level::Error,
        Severity::Warning => Level::Warning,
        Severity::Note => Level::Note,
    }
}

fn rank(level: Level) -> u8 {
    match level {
        Level::Off => 0,
        Level::Note => 1,
        Level::Warning => 2,
        Level::Error => 3,
    }
}

fn name(level: Level) -> &'static str {
    match level {
        Level::Off => "off",
        Level::Note => "note",
        Level::Warning => "warning",
        Level::Error => "error",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::builtin_rules;

    fn settings(text: &str) -> Settings {
        Settings::parse(".opslint.toml", text, builtin_rules()).expect("valid config")
    }

    fn weakenings(base: &str, head: &str) -> Vec<String> {
        between(&settings(base), &settings(head), builtin_rules())
            .into_iter()
            .map(|weakening| weakening.what)
            .collect()
    }

    #[test]
    fn each_way_of_lowering_the_bar_is_named() {
        let head = r#"
disable = ["ci"]
[scan]
extend-exclude = ["services/**"]
max-file-size = 1000
[rules."ci.runs-tests"]
severity = "warning"
[rules."flow.small-pull-request"]
threshold = 5000
[[exempt]]
rule = "collaboration.code-owners"
reason = "one owner"
"#;
        assert_eq!(
            weakenings("", head),
            [
                "turns off `ci`",
                "exempts `collaboration.code-owners` (\"one owner\")",
                "lowers `ci.runs-tests` from error to warning",
                "loosens `flow.small-pull-request`'s threshold from 400 to 5000 (at most is the limit)",
                "excludes `services/**` from evidence",
                "lowers `max-file-size`: reads files of at most 1000 bytes, not 1048576",
            ]
        );
    }

    #[test]
    fn raising_the_bar_or_keeping_it_is_not_weakening() {
        let base =
            "disable = [\"learning\"]\n[rules.\"flow.small-pull-request\"]\nthreshold = 800\n";
        let head = "disable = [\"learning\"]\n[rules.\"flow.small-pull-request\"]\nthreshold = 300\n[rules.\"cd.dockerignore\"]\nseverity = \"error\"\n";
        assert!(weakenings(base, head).is_empty());
        assert!(weakenings(head, head).is_empty());
        assert_eq!(
            weakenings(head, base).len(),
            1,
            "{:?}",
            weakenings(head, base)
        );
    }

    #[test]
    fn a_line_is_found_by_its_word() {
        assert_eq!(line_of("a\ndisable = [\"ci\"]\n", "ci"), Some(2));
        assert_eq!(line_of("a\n", "zzz"), None);
    }
}

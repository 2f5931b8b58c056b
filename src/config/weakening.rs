//! What a change asks of opslint's own configuration. In pull-request mode the change is
//! judged with the base's settings, so it cannot lower its own bar; each way the head's
//! settings would lower it — a rule or area turned off, an exemption, a severity lowered, a
//! threshold loosened, files excluded from evidence, a smaller read budget, a custom rule
//! removed, more failures accepted by the baseline — is listed here for the reviewer.

use crate::config::settings::{Level, RuleOverride, Settings};
use crate::rules::{Comparison, Rule};

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
    // Every rule either side overrides: dropping an override that raised the bar lowers it.
    let overridden: std::collections::BTreeSet<&String> =
        base.overrides.keys().chain(head.overrides.keys()).collect();
    for id in overridden {
        let Some(rule) = rule(id) else { continue };
        let (before, now) = (base.overrides.get(id), head.overrides.get(id));
        let level = |known: Option<&RuleOverride>| {
            known
                .and_then(|known| known.severity)
                .unwrap_or_else(|| Level::of(rule.severity))
        };
        let (level_before, level_now) = (level(before), level(now));
        if level_now.rank() < level_before.rank() {
            let what = format!(
                "lowers `{id}` from {} to {}",
                level_before.name(),
                level_now.name()
            );
            found.push(Weakening::new(what, id));
        }
        // A `min-count` applies to each of the rule's checks.
        for check in &rule.checks {
            let min = |known: Option<&RuleOverride>| {
                known
                    .and_then(|known| known.min_count)
                    .unwrap_or(check.min_count)
            };
            if min(now) < min(before) {
                let what = format!(
                    "lowers `{id}`'s min-count from {} to {}",
                    min(before),
                    min(now)
                );
                found.push(Weakening::new(what, id));
                break;
            }
        }
        if let Some((comparison, default)) = rule.history_limit() {
            let threshold = |known: Option<&RuleOverride>| {
                known.and_then(|known| known.threshold).unwrap_or(default)
            };
            let (threshold_before, threshold_now) = (threshold(before), threshold(now));
            let looser = match comparison {
                Comparison::AtMost => threshold_now > threshold_before,
                Comparison::AtLeast => threshold_now < threshold_before,
            };
            if looser {
                let what = format!(
                    "loosens `{id}`'s threshold from {threshold_before} to {threshold_now} ({} is the limit)",
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
    for custom in &base.custom_rules {
        match head.custom_rules.iter().find(|kept| kept.id == custom.id) {
            None => {
                let what = format!("removes the custom rule `{}`", custom.id);
                found.push(Weakening::new(what, &custom.id));
            }
            // What a rule checks cannot be ordered weaker or stronger: any change is the
            // reviewer's to judge.
            Some(kept) if format!("{kept:?}") != format!("{custom:?}") => {
                let what = format!("changes the custom rule `{}`", custom.id);
                found.push(Weakening::new(what, &custom.id));
            }
            Some(_) => {}
        }
    }
    let release_tag = |settings: &Settings| {
        settings
            .release_tag
            .as_ref()
            .map(|pattern| format!("{pattern:?}"))
    };
    if release_tag(head) != release_tag(base) {
        found.push(Weakening::new(
            "changes `[history] release-tag`, which decides what counts as a release".to_owned(),
            "release-tag",
        ));
    }
    found
}

/// The 1-based line of `text` where `near` first appears, for annotations.
pub fn line_of(text: &str, near: &str) -> Option<u32> {
    if near.is_empty() {
        return None;
    }
    // Not in a comment: `# max-file-size was 2 MiB` is not the setting.
    let lines = || {
        text.lines()
            .enumerate()
            .filter(|(_, line)| !line.trim_start().starts_with('#'))
    };
    let quoted = format!("\"{near}\"");
    let (index, _) = lines()
        .find(|(_, line)| line.contains(&quoted))
        .or_else(|| lines().find(|(_, line)| line.contains(near)))?;
    u32::try_from(index + 1).ok()
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
                "lowers `max-file-size`: reads files of at most 1000 bytes, not 4194304",
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
        // Back again lowers it twice, dropping the raised severity included.
        assert_eq!(
            weakenings(head, base),
            [
                "lowers `cd.dockerignore` from error to note",
                "loosens `flow.small-pull-request`'s threshold from 300 to 800 (at most is the limit)",
            ]
        );
    }

    #[test]
    fn a_changed_custom_rule_and_a_new_release_pattern_are_named() {
        let custom = |severity: &str| {
            format!(
                "[[rule]]\nid = \"collaboration.team-readme\"\narea = \"collaboration\"\ntitle = \"t\"\nseverity = \"{severity}\"\nweight = 1\nrationale = \"r\"\nremediation = \"f\"\n[[rule.check]]\nkind = \"files-present\"\nfiles = [\"README.md\"]\n"
            )
        };
        assert_eq!(
            weakenings(&custom("error"), &custom("note")),
            ["changes the custom rule `collaboration.team-readme`"]
        );
        assert_eq!(
            weakenings("", "[history]\nrelease-tag = \".\"\n"),
            ["changes `[history] release-tag`, which decides what counts as a release"]
        );
    }

    #[test]
    fn a_comment_is_not_the_line_of_a_setting() {
        let text = "# max-file-size was 2 MiB\n[scan]\nmax-file-size = 1000\n";
        assert_eq!(line_of(text, "max-file-size"), Some(3));
    }

    #[test]
    fn a_line_is_found_by_its_word() {
        assert_eq!(line_of("a\ndisable = [\"ci\"]\n", "ci"), Some(2));
        assert_eq!(line_of("a\n", "zzz"), None);
    }
}

//! `opslint plan`: the next steps for a repository, in the order a coach would give them —
//! prerequisites first, the lowest missing level first, then the most weight for the least
//! effort — each with why now, the first action, what it unlocks and how opslint will see
//! it done.

use serde::Serialize;

use crate::area::Area;
use crate::finding::{Finding, Status};
use crate::maturity::{self, Effort};
use crate::report::Report;
use crate::rules::{CheckKind, Comparison, Rule};
use crate::severity::Severity;
use crate::text::one_line;

/// How many steps a plan gives unless asked for more: a team takes a few at a time.
pub const DEFAULT_STEPS: usize = 3;

#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    /// Failing rules not in the plan's steps: what comes after.
    pub remaining: usize,
    pub steps: Vec<Step>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Step {
    pub rule: String,
    pub title: String,
    pub area: Area,
    pub level: u8,
    pub effort: Effort,
    /// The rule's rationale (its first sentence), and what opslint measured where that
    /// makes the step urgent (a history figure past its threshold, a trend).
    pub why: String,
    pub first_action: String,
    /// The rules this step is a prerequisite of that do not pass yet, and the level the
    /// area reaches once it passes.
    pub unlocks: Vec<String>,
    pub done_when: String,
}

/// The first `steps` steps for the failing rules of `report`, with the prerequisites and
/// effort of its rules (`Report::rules`: built-in and the config's own); a finding whose rule
/// is not among them is judged by its own level, with no prerequisites.
pub fn plan(report: &Report, steps: usize) -> Plan {
    let rules = report.rules();
    let rules = rules.as_slice();
    let rule_of = |id: &str| rules.iter().copied().find(|rule| rule.id == id);
    let failing: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|finding| finding.status == Status::Fail)
        .collect();
    let requires = |finding: &Finding| -> Vec<&str> {
        rule_of(&finding.rule).map_or_else(Vec::new, |rule| {
            rule.requires.iter().map(String::as_str).collect()
        })
    };
    // A prerequisite is as urgent as the most urgent step waiting for it: tests come before
    // other level-2 work when running them in CI, level 1, waits for them. A failing error
    // (CI is red until it is fixed) comes before any warning or note, and so do its
    // prerequisites.
    let urgency: Vec<(bool, u8)> = failing
        .iter()
        .map(|finding| {
            let mut level = finding.level;
            let mut blocks_an_error = finding.severity == Severity::Error;
            let mut waiting: Vec<&str> = vec![finding.rule.as_str()];
            let mut seen = waiting.clone();
            while let Some(id) = waiting.pop() {
                for dependent in &failing {
                    if requires(dependent).contains(&id) && !seen.contains(&dependent.rule.as_str())
                    {
                        level = level.min(dependent.level);
                        blocks_an_error |= dependent.severity == Severity::Error;
                        seen.push(&dependent.rule);
                        waiting.push(&dependent.rule);
                    }
                }
            }
            (!blocks_an_error, level)
        })
        .collect();
    let mut ordered: Vec<usize> = Vec::new();
    while ordered.len() < failing.len() {
        // Among the failing rules whose failing prerequisites are all placed, the most urgent.
        let ready = (0..failing.len()).filter(|index| {
            !ordered.contains(index)
                && requires(failing[*index]).iter().all(|required| {
                    failing
                        .iter()
                        .position(|finding| finding.rule == *required)
                        .is_none_or(|position| ordered.contains(&position))
                })
        });
        let key = |index: &usize| {
            let finding = failing[*index];
            let effort = rule_of(&finding.rule).map_or(Effort::default(), |rule| rule.effort);
            // Weight per effort, compared without division: higher first.
            let value = u64::from(finding.weight) * 1000 / u64::from(effort.cost());
            (
                urgency[*index],
                std::cmp::Reverse(value),
                std::cmp::Reverse(finding.severity),
                finding.rule.as_str(),
            )
        };
        match ready.min_by(|a, b| key(a).cmp(&key(b))) {
            Some(next) => ordered.push(next),
            // A circle of `requires` (config errors catch it; a stale report could hold one):
            // what is left goes in the report's order.
            None => {
                let left: Vec<usize> = (0..failing.len())
                    .filter(|index| !ordered.contains(index))
                    .collect();
                ordered.extend(left);
            }
        }
    }
    let remaining = ordered.len().saturating_sub(steps);
    let steps = ordered
        .into_iter()
        .take(steps)
        .map(|index| step(failing[index], rules, report))
        .collect();
    Plan { remaining, steps }
}

fn step(finding: &Finding, rules: &[&Rule], report: &Report) -> Step {
    let rule = rules.iter().copied().find(|rule| rule.id == finding.rule);
    let rationale = rule.map_or(&*finding.title, |rule| rule.rationale.as_str());
    let mut why = first_sentence(rationale);
    if rule.is_some_and(Rule::reads_history) {
        why = format!("{why} Now: {}", one_line(&finding.message));
    }
    if let Some(note) = &finding.note {
        why = format!("{why} {}", one_line(note));
    }
    Step {
        rule: finding.rule.clone(),
        title: finding.title.to_string(),
        area: finding.area,
        level: finding.level,
        effort: rule.map_or(Effort::default(), |rule| rule.effort),
        why,
        first_action: one_line(&finding.remediation),
        unlocks: unlocks(finding, rules, report),
        done_when: done_when(finding, rule),
    }
}

/// The rules waiting for this one that do not pass yet, then the area's new level if this
/// step raises it.
fn unlocks(finding: &Finding, rules: &[&Rule], report: &Report) -> Vec<String> {
    let mut unlocked: Vec<String> = report
        .findings
        .iter()
        .filter(|other| matches!(other.status, Status::Fail | Status::Unknown))
        .filter(|other| {
            rules
                .iter()
                .find(|rule| rule.id == other.rule)
                .is_some_and(|rule| rule.requires.contains(&finding.rule))
        })
        .map(|other| other.rule.clone())
        .collect();
    let in_area = || {
        report
            .findings
            .iter()
            .filter(|other| other.area == finding.area)
    };
    let now = maturity::reached(in_area().map(|other| (other.level, other.status)));
    let after = maturity::reached(in_area().map(|other| {
        let status = match other.rule == finding.rule {
            true => Status::Pass,
            false => other.status,
        };
        (other.level, status)
    }));
    if let Some(after) = after.filter(|after| Some(*after) > now) {
        unlocked.push(format!("{} reaches level {after}", finding.area.title()));
    }
    unlocked
}

/// How opslint will see the step done: the rule passes, and what its checks look for.
fn done_when(finding: &Finding, rule: Option<&Rule>) -> String {
    let mut wanted: Vec<String> = Vec::new();
    // A sign of work out of sight never passes a rule: it is not what passing takes.
    let checks = rule.map(|rule| rule.checks.as_slice()).unwrap_or_default();
    for check in checks.iter().filter(|check| !check.out_of_sight) {
        let described = match &check.kind {
            CheckKind::History {
                figure,
                comparison,
                threshold,
                ..
            } => {
                let bound = match comparison {
                    Comparison::AtMost => "at most",
                    Comparison::AtLeast => "at least",
                };
                format!("`{figure}` {bound} {threshold}")
            }
            CheckKind::FilesPresent if check.looks_for.is_none() => {
                let mut globs: Vec<String> = check
                    .files
                    .iter()
                    .take(3)
                    .map(|glob| format!("`{glob}`"))
                    .collect();
                if check.files.len() > 3 {
                    globs.push("…".to_owned());
                }
                format!("a file matching {}", globs.join(", "))
            }
            // What an `absent` check looks for is what must go.
            _ if check.absent => format!(
                "no {}",
                crate::checks::describe::strip_article(check.looks_for())
            ),
            _ => check.looks_for().to_owned(),
        };
        if !wanted.contains(&described) {
            wanted.push(described);
        }
    }
    let found = match wanted.split_last() {
        Some((last, [])) => format!(": it finds {last}"),
        Some((last, rest)) => format!(": it finds {} or {last}", rest.join(", ")),
        None => String::new(),
    };
    format!("`opslint check` passes {}{found}.", finding.rule)
}

fn first_sentence(text: &str) -> String {
    let text = one_line(text);
    match text.find(". ") {
        Some(end) => text[..=end].to_owned(),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::RepositoryInfo;
    use crate::severity::Severity;

    fn failing(rule: &str, level: u8, weight: u32) -> Finding {
        let area = Area::from_id(rule.split('.').next().unwrap()).unwrap();
        Finding {
            level,
            weight,
            severity: Severity::Warning,
            ..Finding::example(rule, area)
        }
    }

    fn ids(plan: &Plan) -> Vec<&str> {
        plan.steps.iter().map(|step| step.rule.as_str()).collect()
    }

    /// The built-in prerequisites order the plan: tests before running them in CI, a
    /// pipeline before both, though the pipeline weighs no more.
    #[test]
    fn prerequisites_come_first_then_the_lowest_level() {
        let findings = vec![
            failing("ci.runs-tests", 1, 3),
            failing("testing.coverage", 2, 1),
            failing("testing.tests-exist", 1, 3),
            failing("ci.pipeline", 1, 3),
            failing("learning.feature-flags", 3, 1),
        ];
        let report = Report::new(RepositoryInfo::unnamed(), findings);
        let plan = plan(&report, 10);
        assert_eq!(
            ids(&plan),
            [
                "ci.pipeline",
                "testing.tests-exist",
                "ci.runs-tests",
                "testing.coverage",
                "learning.feature-flags"
            ]
        );
        let first = &plan.steps[0];
        assert!(
            first.unlocks.contains(&"ci.runs-tests".to_owned()),
            "{first:?}"
        );
        assert!(
            first
                .done_when
                .starts_with("`opslint check` passes ci.pipeline: it finds"),
            "{first:?}"
        );
    }

    /// A failing error turns CI red: it comes before notes and warnings of a lower level,
    /// and so does what it requires (new-user report: debops's one error was step 6).
    #[test]
    fn a_failing_error_and_its_prerequisites_come_before_other_work() {
        let error = |rule: &str, level: u8| Finding {
            severity: Severity::Error,
            ..failing(rule, level, 3)
        };
        let findings = vec![
            failing("learning.decision-records", 1, 1),
            failing("security.policy", 1, 1),
            error("ci.runs-tests", 2),
            failing("testing.tests-exist", 2, 3),
        ];
        let report = Report::new(RepositoryInfo::unnamed(), findings);
        assert_eq!(
            ids(&plan(&report, 10))[..2],
            ["testing.tests-exist", "ci.runs-tests"]
        );
    }

    /// A rule passes when what its `absent` check finds is gone, and never on a sign of work
    /// out of sight.
    #[test]
    fn done_when_asks_for_what_must_go_and_not_for_signs() {
        let report = Report::new(
            RepositoryInfo::unnamed(),
            vec![
                failing("security.privileged-checkout", 2, 1),
                failing("ci.pipeline", 1, 3),
            ],
        );
        let plan = plan(&report, 10);
        let done = |rule: &str| {
            plan.steps
                .iter()
                .find(|step| step.rule == rule)
                .map(|step| step.done_when.clone())
                .unwrap()
        };
        assert!(
            done("security.privileged-checkout")
                .contains(": it finds no checkout of the pull request"),
            "{}",
            done("security.privileged-checkout")
        );
        assert!(
            !done("ci.pipeline").contains("outside the repository"),
            "{}",
            done("ci.pipeline")
        );
    }

    /// At one level, the most weight for the least effort first.
    #[test]
    fn weight_for_effort_breaks_ties_and_steps_are_capped() {
        let findings = vec![
            failing("observability.metrics", 2, 2),  // days
            failing("testing.coverage", 2, 1),       // minutes
            failing("security.code-scanning", 2, 2), // hours
        ];
        let report = Report::new(RepositoryInfo::unnamed(), findings);
        let plan = plan(&report, 2);
        assert_eq!(ids(&plan), ["testing.coverage", "security.code-scanning"]);
        assert_eq!(plan.remaining, 1);
    }

    /// A step that completes its area's next level says so.
    #[test]
    fn the_last_missing_rule_of_a_level_unlocks_it() {
        let mut passing = failing("testing.framework", 1, 1);
        passing.status = Status::Pass;
        let findings = vec![passing, failing("testing.tests-exist", 1, 3)];
        let report = Report::new(RepositoryInfo::unnamed(), findings);
        let plan = plan(&report, 3);
        assert_eq!(plan.steps[0].unlocks, ["Automated testing reaches level 3"]);
    }
}

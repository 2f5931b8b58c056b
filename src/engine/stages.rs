//! Reading in stages: which content checks are due, what the collector must read and parse
//! for them, and running them in parallel. A rule's `fallback` checks are only examined
//! when the cheaper evidence before them is missing, so their files are only read then.

use rayon::prelude::*;

use crate::checks::{self, Outcome};
use crate::config::settings::Settings;
use crate::facts::collect::{Collector, Source};
use crate::facts::content::Content;
use crate::facts::follow::{is_yaml, with_includes};
use crate::facts::tree::Tree;
use crate::finding::Evidence;
use crate::matcher::{Matches, RuleRows};
use crate::repo::Deadline;
use crate::rules::{Check, CheckKind, Pattern, Precondition, Rule};
use crate::text::line_of;

use super::applies::Applicability;

/// Reads contents and runs the content checks in stages. A rule's checks are in stage 0
/// until its first `fallback` check, which starts the next stage, and so on. A stage is
/// examined only for rules that no check of an earlier stage passed, so the files only a
/// fallback selects are read only when the cheaper evidence before it is missing.
/// Returns, per rule and check, the outcome of each content check that ran.
pub(super) fn examine_contents(
    rules: &[&Rule],
    settings: &Settings,
    tree: &Tree,
    matches: &Matches,
    applicable: &mut [Applicability],
    deadline: Deadline,
    source: Source<impl FnMut(&[usize]) -> Vec<Content>>,
) -> Vec<Vec<Option<Outcome>>> {
    let stages: Vec<Vec<usize>> = rules.iter().map(|rule| check_stages(rule)).collect();
    let Source { mut read, blobs } = source;
    let mut collector = Collector::new(tree, settings, deadline, blobs);
    settle_preconditions(rules, tree, matches, applicable, &mut collector, &mut read);
    // Per rule, per check: the outcome of a content check run here, so it is not run again.
    let mut outcomes: Vec<Vec<Option<Outcome>>> = rules
        .iter()
        .map(|rule| rule.checks.iter().map(|_| None).collect())
        .collect();
    // Per rule: the earliest stage in which some check passed.
    let mut passed_in: Vec<Option<usize>> = rules
        .iter()
        .enumerate()
        .map(|(index, rule)| {
            rule.checks
                .iter()
                .zip(&matches.rules[index].checks)
                .zip(&stages[index])
                .filter(|((check, entries), _)| passes_on_presence(check, entries))
                .map(|(_, &stage)| stage)
                .min()
        })
        .collect();
    let examined = |index: usize| settings.exemption(&rules[index].id).is_none();
    let last_stage = stages.iter().flatten().copied().max().unwrap_or(0);
    for stage in 0..=last_stage {
        let due: Vec<(usize, usize)> = (0..rules.len())
            .filter(|&index| {
                examined(index) && passed_in[index].is_none_or(|passed| passed >= stage)
            })
            .flat_map(|index| {
                let (rule, stages) = (&rules[index], &stages[index]);
                // Where the precondition does not hold, only what would show it applies
                // (`shows-it-applies`): a rule without such checks examines nothing.
                let applies = applicable[index].applies();
                (0..rule.checks.len())
                    .filter(move |&check| {
                        let check_spec = &rule.checks[check];
                        stages[check] == stage
                            && check_spec.kind.reads_content()
                            && (applies || check_spec.shows_it_applies)
                    })
                    .map(move |check| (index, check))
            })
            .collect();
        let resolves_tasks = due.iter().any(|&(index, check)| {
            matches!(
                rules[index].checks[check].kind,
                CheckKind::PipelineCommand { .. }
            )
        });
        let selected = |wanted: fn(&CheckKind) -> bool| -> Vec<usize> {
            due.iter()
                .filter(|&&(index, check)| wanted(&rules[index].checks[check].kind))
                .flat_map(|&(index, check)| matches.rules[index].checks[check].iter().copied())
                .collect()
        };
        let task_files: Vec<usize> = match resolves_tasks {
            true => collector.task_files().collect(),
            false => Vec::new(),
        };
        // A dependency on a package of the tree brings that package's: every package's
        // manifest is known, whichever rules run.
        let follows_packages = due.iter().any(|&(index, check)| {
            matches!(
                rules[index].checks[check].kind,
                CheckKind::Dependency { .. }
            )
        });
        let package_manifests: Vec<usize> = match follows_packages {
            true => collector.package_manifests().collect(),
            false => Vec::new(),
        };
        let needed = due
            .iter()
            .flat_map(|&(index, check)| matches.rules[index].checks[check].iter().copied())
            .chain(task_files)
            .chain(package_manifests.iter().copied());
        collector.read(needed.collect::<Vec<usize>>(), &mut read);
        collector.parse_pipelines(selected(CheckKind::reads_pipelines), &mut read);
        let mut manifests = selected(CheckKind::reads_manifests);
        manifests.extend(package_manifests);
        collector.parse_manifests(manifests);
        if resolves_tasks {
            collector.resolve_tasks(&mut read);
        }
        let facts = collector.facts();
        let includes = collector.includes();
        // A check with nothing to look at has found nothing (a monorepo's components make
        // thousands of these): settled here rather than sent to the pool, unless it judges
        // without files.
        let (due, empty): (Vec<CheckAt>, Vec<CheckAt>) =
            due.into_iter().partition(|&(index, check)| {
                !matches.rules[index].checks[check].is_empty()
                    || rules[index].checks[check].kind.judges_without_files()
            });
        for (index, check) in empty {
            outcomes[index][check] = Some(Outcome::default());
        }
        // Checks are independent, and a regex over thousands of files adds up: run them in parallel.
        let ran: Vec<(usize, usize, Outcome)> = due
            .into_par_iter()
            .map(|(index, check)| {
                let (spec, selected) = (
                    &rules[index].checks[check],
                    &matches.rules[index].checks[check],
                );
                let in_use = &matches.rules[index].ecosystems[check];
                let outcome = if matches!(spec.kind, CheckKind::PipelineParses) {
                    // Included pipeline files must parse too; the scripts a pipeline runs
                    // are no pipeline definitions.
                    let mut files = with_includes(selected, includes);
                    files.retain(|&entry| {
                        selected.contains(&entry) || is_yaml(&tree.entries[entry].display_path())
                    });
                    checks::run(spec, &files, in_use, &facts)
                } else if spec.kind.reads_pipelines() {
                    let mut files = with_includes(selected, includes);
                    // A script a pipeline runs is left out as the check's own files are (a
                    // test harness's script, for a check that excludes test folders); an
                    // included pipeline file is part of its pipeline.
                    if !spec.exclude.is_empty() {
                        files.retain(|entry| {
                            let path = tree.entries[*entry].display_path();
                            selected.contains(entry) || is_yaml(&path) || !spec.excludes(&path)
                        });
                    }
                    let mut outcome = checks::run(spec, &files, in_use, &facts);
                    // A pipeline definition found is the evidence: the scripts it runs are
                    // cited only when what was found is in them alone.
                    let scripts: std::collections::HashSet<String> = files
                        .iter()
                        .filter(|entry| !selected.contains(entry))
                        .map(|&entry| tree.entries[entry].display_path())
                        .filter(|path| !is_yaml(path))
                        .collect();
                    let is_script = |path: &str| scripts.contains(path);
                    outcome.scripts = scripts.len();
                    outcome.examined.retain(|path| !is_script(path));
                    if outcome.evidence.iter().any(|found| !is_script(&found.path)) {
                        let cited = outcome.evidence.len();
                        outcome.evidence.retain(|found| !is_script(&found.path));
                        outcome.matched = outcome
                            .matched
                            .saturating_sub(cited - outcome.evidence.len());
                    }
                    outcome
                } else {
                    checks::run(spec, selected, in_use, &facts)
                };
                (index, check, outcome)
            })
            .collect();
        for (index, check, outcome) in ran {
            if checks::passed(&rules[index].checks[check], &outcome) {
                passed_in[index] = Some(passed_in[index].map_or(stage, |passed| passed.min(stage)));
            }
            outcomes[index][check] = Some(outcome);
        }
    }
    outcomes
}

/// Settles the preconditions their file names alone do not decide: one with a `pattern`
/// holds when one of its files contains a match, one with a `dependency` when one of its
/// manifests declares a matching dependency. What is read for this lands in the shared
/// `contents` and `manifests`, so checks reuse it.
fn settle_preconditions<'r>(
    rules: &[&'r Rule],
    tree: &Tree,
    matches: &Matches,
    applicable: &mut [Applicability],
    collector: &mut Collector,
    read: &mut impl FnMut(&[usize]) -> Vec<Content>,
) {
    let pending: Vec<(usize, &'r Precondition)> = rules
        .iter()
        .enumerate()
        .filter(|&(index, _)| !applicable[index].applies())
        .filter_map(|(index, rule)| Some((index, rule.applies_if.as_ref()?)))
        .filter(|(_, precondition)| {
            precondition.reads_contents() || precondition.dependency.is_some()
        })
        .collect();
    // The files whose contents decide: those the pattern is required of.
    let patterned = |index: usize, precondition: &'r Precondition| {
        matches.rules[index]
            .precondition
            .iter()
            .copied()
            .filter(move |&entry| !precondition.counts_by_name(&tree.entries[entry].path))
    };
    let searched = |&(index, precondition): &(usize, &'r Precondition)| {
        let files = precondition
            .reads_contents()
            .then(|| patterned(index, precondition));
        let manifests = precondition
            .dependency
            .is_some()
            .then(|| matches.rules[index].manifests.iter().copied());
        files
            .into_iter()
            .flatten()
            .chain(manifests.into_iter().flatten())
    };
    collector.read(
        pending.iter().flat_map(searched).collect::<Vec<usize>>(),
        read,
    );
    let manifest_entries: Vec<usize> = pending
        .iter()
        .filter(|(_, precondition)| precondition.dependency.is_some())
        .flat_map(|&(index, _)| matches.rules[index].manifests.iter().copied())
        .collect();
    collector.parse_manifests(manifest_entries);
    let facts = collector.facts();
    for (index, precondition) in pending {
        if !requirement_met(precondition, &matches.rules[index]) {
            continue;
        }
        // A file that could not be read (over the cap, binary, past the budget) cannot show
        // the pattern is absent: with `pattern-in` it counts by its name, as it would
        // without. One that must hold a pattern of its own (`content`) must be read to count.
        let contains = || {
            patterned(index, precondition).find_map(|entry| {
                let path = &tree.entries[entry].path;
                let own: Vec<&Pattern> = precondition.own_patterns(path).collect();
                let has_own = !own.is_empty();
                let patterns = match has_own {
                    true => own,
                    false => precondition.pattern.iter().collect(),
                };
                if patterns.is_empty() {
                    return None;
                }
                let line = match &facts.contents[entry] {
                    Some(Content::Text(bytes)) if !facts.deadline.passed() => {
                        let first = patterns
                            .iter()
                            .filter_map(|pattern| pattern.find(bytes))
                            .map(|found| found.start())
                            .min()?;
                        Some(line_of(bytes, first))
                    }
                    Some(Content::Text(_)) => return None,
                    _ if !has_own && precondition.pattern_in.is_some() => None,
                    _ => return None,
                };
                Some(Evidence {
                    path: tree.entries[entry].display_path(),
                    line,
                    detail: None,
                })
            })
        };
        let declares = |dependency: &Pattern| {
            matches.rules[index].manifests.iter().find_map(|&entry| {
                let Some(Some(Ok(declared))) = facts.manifests.get(&entry) else {
                    return None;
                };
                // What a project needs only to be developed or tested says nothing of
                // what it is: a library's test server does not make it a service.
                let found = declared
                    .dependencies
                    .iter()
                    .find(|declared| !declared.development && declared.named_like(dependency))?;
                Some(Evidence {
                    path: tree.entries[entry].display_path(),
                    line: Some(found.line),
                    detail: Some(found.name.clone()),
                })
            })
        };
        // A file that counts by its name alone made the rule applicable before it got here.
        let shown = precondition
            .reads_contents()
            .then(contains)
            .flatten()
            .or_else(|| precondition.dependency.as_ref().and_then(declares));
        if let Some(evidence) = shown {
            applicable[index] = Applicability::Because(evidence);
        }
    }
}

/// Whether a file the precondition `requires` exists (when it requires any).
pub(super) fn requirement_met(precondition: &Precondition, rows: &RuleRows) -> bool {
    precondition.requires.is_empty() || !rows.required.is_empty()
}

/// A check, by its rule's index and its own.
type CheckAt = (usize, usize);

/// The stage of each of a rule's checks: every `fallback` check starts a new one.
fn check_stages(rule: &Rule) -> Vec<usize> {
    let mut stage = 0;
    rule.checks
        .iter()
        .map(|check| {
            stage += usize::from(check.fallback);
            stage
        })
        .collect()
}

pub(super) fn passes_on_presence(check: &Check, entries: &[usize]) -> bool {
    !check.kind.reads_content() && entries.len() >= check.min_count as usize
}

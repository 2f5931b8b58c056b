//! A rule's verdict from what its checks found: a pass with its evidence, a failure with
//! what was found against the practice or what was looked at, or unknown where what it
//! needed could not be seen.

use std::collections::{BTreeMap, BTreeSet};

use crate::checks::describe::{self, strip_article, summarize_globs};
use crate::checks::{self, Outcome};
use crate::facts::tree::Tree;
use crate::finding::{Evidence, MAX_EVIDENCE, Status, Verdict};
use crate::matcher::Row;
use crate::rules::{Check, CheckKind, Rule};
use crate::text::plural;

/// `kept`: how many evidence locations the finding keeps.
pub(super) fn verdict(
    rule: &Rule,
    selected: &[Row],
    examined: &mut [Option<Outcome>],
    tree: &Tree,
    kept: usize,
) -> Verdict {
    let outcomes: Vec<(&Check, Outcome)> = rule
        .checks
        .iter()
        .zip(selected)
        .zip(examined)
        .map(|((check, entries), done)| {
            let outcome = match done.take() {
                Some(outcome) => outcome,
                None if !check.kind.reads_content() => {
                    let mut outcome = checks::presence::outcome(entries, tree, kept);
                    // Every file an inverted presence check finds is a failure's instance.
                    if check.absent {
                        outcome.located = entries
                            .iter()
                            .map(|&index| tree.entries[index].display_path())
                            .collect();
                    }
                    outcome
                }
                // A content check left unexamined is a fallback of a rule that had already
                // passed: its files were deliberately not read.
                None => Outcome {
                    candidates: entries.len(),
                    ..Outcome::default()
                },
            };
            (check, outcome)
        })
        .collect();

    // What a check of signs of work out of sight found is never a pass: where nothing else
    // is found, the rule is unknown, naming the sign.
    let mut outside: Option<(&str, Evidence)> = None;
    let outcomes: Vec<(&Check, Outcome)> = outcomes
        .into_iter()
        .map(|(check, outcome)| {
            if !check.out_of_sight {
                return (check, outcome);
            }
            if let Some(first) = outcome.evidence.into_iter().next() {
                outside.get_or_insert((check.looks_for(), first));
            }
            (check, Outcome::default())
        })
        .collect();

    let passing_checks: Vec<&(&Check, Outcome)> = outcomes
        .iter()
        .filter(|(check, outcome)| checks::passed(check, outcome))
        .collect();
    let passing: Vec<&Outcome> = passing_checks.iter().map(|(_, outcome)| outcome).collect();
    if !passing.is_empty() {
        if passing.iter().all(|outcome| outcome.matched == 0) {
            // Only `absent` checks passed: nothing against the practice was found.
            let (check, outcome) = outcomes
                .iter()
                .find(|(check, outcome)| check.absent && checks::passed(check, outcome))
                .expect("`passing` is not empty and all of it is `absent` checks");
            let message = format!(
                "No {} in {}.",
                strip_article(check.looks_for()),
                match outcome.candidates {
                    // An inverted presence check: no file is named like what it looks for.
                    0 => "the tree".to_owned(),
                    1 => outcome.examined.join(""),
                    count => format!("the {count} files examined"),
                }
            );
            // Nothing against the practice where opslint can see, but part of the work is
            // done where it cannot (a privileged workflow hands the pull request to a
            // reusable workflow): what is not seen may hold it.
            if let Some((what, sign)) = &outside {
                let message = format!("{message} Not seen: {what}, {}.", shown_by(sign));
                return Verdict::new(Status::Unknown, message, vec![sign.clone()]);
            }
            let evidence = if outcome.sound.is_empty() {
                outcome
                    .examined
                    .iter()
                    .map(|path| Evidence {
                        path: path.clone(),
                        line: None,
                        detail: None,
                    })
                    .collect()
            } else {
                outcome.sound.clone()
            };
            return Verdict::new(Status::Pass, message, evidence);
        }
        // A file two checks both found (a manifest's dependency and its configuration) is
        // one file.
        let mut seen_by_checks: BTreeMap<&str, usize> = BTreeMap::new();
        for outcome in &passing {
            let paths: BTreeSet<&str> = outcome.evidence.iter().map(|e| e.path.as_str()).collect();
            for path in paths {
                *seen_by_checks.entry(path).or_default() += 1;
            }
        }
        let found_twice: usize = seen_by_checks.values().map(|checks| checks - 1).sum();
        let total = passing.iter().map(|outcome| outcome.matched).sum::<usize>() - found_twice;
        let mut evidence: Vec<Evidence> = passing
            .iter()
            .flat_map(|outcome| outcome.evidence.iter().cloned())
            .collect();
        evidence.sort();
        // One line found by two checks is cited once, with what one of them named there.
        evidence.dedup_by(|later, kept| {
            let same = later.path == kept.path && later.line == kept.line;
            if same && kept.detail.is_none() {
                kept.detail = later.detail.take();
            }
            same
        });
        // One check found it all: the message says what it found, as its failure would.
        let what = match passing_checks.as_slice() {
            [(check, _)] if check.looks_for.is_some() => format!(" {}", check.looks_for()),
            _ => String::new(),
        };
        let message = match evidence.first() {
            Some(_) if total > 1 => format!("Found{what} in {total} files."),
            Some(first) => format!("Found{what} in {first}."),
            None => "Found.".to_owned(),
        };
        evidence.truncate(kept);
        return Verdict::new(Status::Pass, message, evidence);
    }

    let broken: Vec<&(Evidence, String)> = outcomes
        .iter()
        .flat_map(|(_, outcome)| &outcome.broken)
        .collect();
    if let Some((first, why)) = broken.first() {
        let others = match broken.len() {
            1 => String::new(),
            count => format!(" ({} more)", count - 1),
        };
        let message = format!("{first} does not parse: {why}{others}.");
        let evidence = broken
            .iter()
            .take(MAX_EVIDENCE)
            .map(|(at, _)| at.clone())
            .collect();
        let located = distinct(broken.iter().map(|(at, _)| at.path.as_str()));
        return Verdict::new(Status::Fail, message, evidence).located(located);
    }

    // An `absent` check that found something: what it found is the evidence against —
    // unless a check that could have passed the rule could not read its files.
    let alternative_unread = outcomes
        .iter()
        .any(|(check, outcome)| !check.absent && !outcome.unreadable.is_empty());
    if let Some((check, outcome)) = outcomes
        .iter()
        .find(|(check, outcome)| check.absent && outcome.matched > 0)
        .filter(|_| !alternative_unread)
    {
        let first = outcome
            .evidence
            .first()
            .map(Evidence::to_string)
            .unwrap_or_default();
        let more = match outcome.matched {
            1 => String::new(),
            count => format!(" and {}", plural(count - 1, "more file")),
        };
        let message = format!("Found {} in {first}{more}.", check.looks_for());
        let located = distinct(outcome.located.iter().map(String::as_str));
        return Verdict::new(Status::Fail, message, outcome.evidence.clone()).located(located);
    }

    // Each file once, though several checks looked at it.
    let mut seen = std::collections::HashSet::new();
    let unreadable: Vec<&String> = outcomes
        .iter()
        .flat_map(|(_, outcome)| &outcome.unreadable)
        .filter(|file| seen.insert(*file))
        .collect();
    if let Some(first) = unreadable.first() {
        let count = unreadable.len();
        let message = format!(
            "No evidence found, but {} could not be examined ({first}){}.",
            plural(count, "candidate file"),
            if count > 1 { ", among others" } else { "" },
        );
        return Verdict::new(Status::Unknown, message, Vec::new());
    }

    // A pipeline calls something opslint cannot see into (a reusable workflow of another
    // repository, a library step, an orb job): what it looked for may be there. Only
    // complete evidence fails a rule.
    let unseen = outcomes
        .iter()
        .any(|(_, outcome)| !outcome.indirect.is_empty());
    // Only checks that found candidates say something specific; the rest are summed up.
    // Checks that read the same kind of document (pipelines, manifests) share one sentence.
    // An `absent` document check that found no document to judge (YAML without a workload)
    // has nothing to say.
    // A `quiet` check, for what only some repositories have, is not named.
    let misses: Vec<(&Check, &Outcome)> = outcomes
        .iter()
        .filter(|(check, outcome)| outcome.candidates > 0 && !check.quiet)
        .filter(|(check, outcome)| {
            !(check.absent && check.kind.judges_listed_parts() && outcome.sound.is_empty())
        })
        .map(|(check, outcome)| (*check, outcome))
        .collect();
    let of_kind = |wanted: fn(&CheckKind) -> bool| -> Vec<(&Check, &Outcome)> {
        misses
            .iter()
            .copied()
            .filter(|(check, _)| wanted(&check.kind))
            .collect()
    };
    let near_misses: Vec<String> = describe::document_misses(&of_kind(CheckKind::reads_pipelines))
        .into_iter()
        .chain(describe::document_misses(&of_kind(
            CheckKind::reads_manifests,
        )))
        .chain(
            misses
                .iter()
                .filter(|(check, _)| !check.kind.reads_pipelines() && !check.kind.reads_manifests())
                .map(|(check, outcome)| describe::miss(check, outcome)),
        )
        .collect();
    let looked_at = || {
        rule.checks
            .iter()
            .filter(|check| !check.out_of_sight && !check.quiet)
    };
    let message = if near_misses.is_empty() {
        // Distinct patterns: checks of one rule often look in the same places.
        let patterns = looked_at()
            .flat_map(|check| &check.files)
            .collect::<std::collections::BTreeSet<_>>()
            .len();
        if patterns == 1 {
            format!(
                "No file matches {}.",
                summarize_globs(&looked_at().next().expect("one pattern").files)
            )
        } else if looked_at().all(|check| check.kind.reads_pipelines()) {
            // The patterns are where pipelines live, not what the rule looks for in them.
            format!(
                "No pipeline found: none of the {patterns} places pipeline definitions are \
                 kept holds one (`opslint explain {}` lists them).",
                rule.id
            )
        } else {
            format!(
                "No file matches any of the {patterns} patterns this rule looks for \
                 (`opslint explain {}` lists them).",
                rule.id
            )
        }
    } else {
        near_misses.join(" ")
    };
    let message = match &outside {
        Some((what, sign)) => format!("{message} Not seen: {what}, {}.", shown_by(sign)),
        None => message,
    };
    let status = if unseen || outside.is_some() {
        Status::Unknown
    } else {
        Status::Fail
    };
    // What could not be read is where the evidence may be: each call, so the reader can
    // configure or exempt it (the message names only the first).
    let mut calls: Vec<Evidence> = outcomes
        .iter()
        .flat_map(|(_, outcome)| &outcome.indirect)
        .map(|call| Evidence {
            // (Worded to read on inside the message: "X, which opslint does not know,".)
            detail: call
                .detail
                .as_deref()
                .map(|detail| detail.trim_end_matches(',').to_owned()),
            ..call.clone()
        })
        .collect();
    calls.sort();
    calls.dedup();
    calls.truncate(MAX_EVIDENCE);
    Verdict::new(status, message, calls)
}

/// "shown by `the text` at file:line": where a sign of work out of sight was found.
fn shown_by(sign: &Evidence) -> String {
    match &sign.detail {
        Some(detail) => format!("shown by `{detail}` at {}", sign.location()),
        None => format!("shown by {}", sign.location()),
    }
}

/// `paths`, each once, in their first order.
fn distinct<'a>(paths: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    paths
        .filter(|path| seen.insert(*path))
        .map(str::to_owned)
        .collect()
}

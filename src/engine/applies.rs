//! Whether each rule applies to the tree, and what showed it: a finding about services says
//! which file made the repository one.

use crate::checks::{self, Outcome};
use crate::facts::tree::Tree;
use crate::finding::Evidence;
use crate::matcher::Matches;
use crate::rules::Rule;

use super::stages;

/// Whether a rule applies, as far as has been settled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Applicability {
    /// Not shown: its precondition failed, or waits on contents still to be read.
    Unshown,
    /// It has no precondition, or its own evidence shows it applies (a Dockerfile found by a
    /// Dockerfile rule).
    Always,
    /// The file (with its line and what was found there) that met the precondition.
    Because(Evidence),
}

impl Applicability {
    pub(super) fn applies(&self) -> bool {
        *self != Applicability::Unshown
    }

    /// What a finding names as the reason it applies.
    pub(super) fn reason(&self) -> Option<Evidence> {
        match self {
            Applicability::Because(evidence) => Some(evidence.clone()),
            Applicability::Unshown | Applicability::Always => None,
        }
    }
}

/// Whether a `shows-it-applies` check of the rule found what it looks for, given the outcomes
/// of its content checks.
pub(super) fn shown_by_checks(rule: &Rule, outcomes: &[Option<Outcome>]) -> bool {
    rule.checks.iter().zip(outcomes).any(|(check, outcome)| {
        check.shows_it_applies
            && outcome
                .as_ref()
                .is_some_and(|outcome| checks::passed(check, outcome))
    })
}

/// What file names and presence alone settle. Files that are evidence of the practice show
/// it applies (a Dockerfile in a project with no server framework); content conditions are
/// settled once read (`stages::examine_contents`).
pub(super) fn by_names(rules: &[&Rule], tree: &Tree, matches: &Matches) -> Vec<Applicability> {
    rules
        .iter()
        .enumerate()
        .map(|(index, rule)| {
            let Some(precondition) = &rule.applies_if else {
                return Applicability::Always;
            };
            let rows = &matches.rules[index];
            if !stages::requirement_met(precondition, rows) {
                return Applicability::Unshown;
            }
            if let Some(&entry) = rows
                .precondition
                .iter()
                .find(|&&entry| precondition.counts_by_name(&tree.entries[entry].path))
            {
                return Applicability::Because(Evidence {
                    path: tree.entries[entry].display_path(),
                    line: None,
                    detail: None,
                });
            }
            let shown_by_evidence = rule
                .checks
                .iter()
                .zip(&rows.checks)
                .any(|(check, entries)| stages::passes_on_presence(check, entries));
            if shown_by_evidence {
                Applicability::Always
            } else {
                Applicability::Unshown
            }
        })
        .collect()
}

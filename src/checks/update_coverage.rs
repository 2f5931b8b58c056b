//! `update-coverage`: the update configs (Dependabot's, Renovate's) together cover every
//! package ecosystem the tree shows in use; each ecosystem they miss is a match, named by the
//! first file that shows it in use.

use std::collections::HashSet;

use crate::checks::Outcome;
use crate::facts::collect::Facts;
use crate::facts::{dependabot, renovate};
use crate::finding::Evidence;
use crate::rules::{Check, Ecosystem};
use crate::text::plural;

/// What the update configurations read so far update, together: nothing known until one is
/// read; then Dependabot's entries and Renovate's managers, or everything once one of them
/// finds every manager on its own.
#[derive(Default)]
pub struct Updated {
    names: Option<HashSet<String>>,
    everything: bool,
}

/// Adds what the config at `index` (its text `bytes`) updates to `updated`: a Renovate
/// config every manager unless it names some (`enabledManagers`), a Dependabot config its
/// entries. A config that does not parse is unreadable.
pub fn read(
    index: usize,
    bytes: &[u8],
    facts: &Facts,
    updated: &mut Updated,
    outcome: &mut Outcome,
) {
    let entry = &facts.tree.entries[index];
    // `Some(None)`: a config that updates every manager it finds.
    let configured = std::str::from_utf8(bytes).ok().and_then(|text| {
        match entry.file_name().starts_with(b"dependabot.") {
            true => dependabot::ecosystems(text).ok().map(Some),
            false => renovate::managers(text).ok(),
        }
    });
    let Some(configured) = configured else {
        outcome
            .unreadable
            .push(format!("{} does not parse", entry.display_path()));
        return;
    };
    let names = updated.names.get_or_insert_default();
    match configured {
        Some(listed) => names.extend(listed.into_iter().map(|fact| fact.text)),
        None => updated.everything = true,
    }
}

/// Records in `outcome` each ecosystem in use that no config read updates.
/// `in_use`: per ecosystem, the first file showing it is used.
pub fn record_misses(
    check: &Check,
    ecosystems: &[Ecosystem],
    in_use: &[Option<usize>],
    updated: &Updated,
    facts: &Facts,
    outcome: &mut Outcome,
) {
    // With no config in the tree at all, nothing updates any ecosystem in use; with configs
    // of which none could be read, what they update is not known.
    let nothing = HashSet::new();
    let names = match &updated.names {
        Some(names) => names,
        None if outcome.candidates == 0 => &nothing,
        None => return,
    };
    if updated.everything {
        return;
    }
    for (ecosystem, first) in ecosystems.iter().zip(in_use) {
        let Some(first) = first else {
            continue;
        };
        if ecosystem.covered_by.iter().any(|name| names.contains(name)) {
            continue;
        }
        let path = facts.tree.entries[*first].display_path();
        outcome.matched += 1;
        if check.absent {
            outcome.located.push(path.clone());
        }
        outcome.evidence.push(Evidence {
            path,
            line: None,
            detail: Some(ecosystem.name.clone()),
        });
    }
}

/// What an update-coverage check that did not pass looked at.
pub fn describe_miss(outcome: &Outcome, patterns: &str) -> String {
    format!(
        "{} matching {patterns} examined.",
        plural(outcome.candidates, "file")
    )
}

/// What `opslint explain` says the check holds of.
pub fn explains(ecosystems: &[Ecosystem], files: &str) -> String {
    let names: Vec<&str> = ecosystems.iter().map(|e| e.name.as_str()).collect();
    format!(
        "{files} updates each ecosystem in use: {}",
        names.join(", ")
    )
}

//! `update-coverage`: an update config (Dependabot's) covers every package ecosystem the
//! tree shows in use; each ecosystem it misses is a match, named by the first file that
//! shows it in use.

use crate::checks::Outcome;
use crate::facts::collect::Facts;
use crate::facts::dependabot;
use crate::finding::Evidence;
use crate::rules::{Check, Ecosystem};
use crate::text::plural;

/// Records in `outcome` each ecosystem in use that the config at `index` (its text
/// `bytes`) does not update.
/// `in_use`: per ecosystem, the first file showing it is used. A config that does not parse
/// is unreadable.
pub fn record(
    check: &Check,
    ecosystems: &[Ecosystem],
    in_use: &[Option<usize>],
    index: usize,
    bytes: &[u8],
    facts: &Facts,
    outcome: &mut Outcome,
) {
    let configured = std::str::from_utf8(bytes)
        .ok()
        .and_then(|text| dependabot::ecosystems(text).ok());
    let Some(configured) = configured else {
        let path = facts.tree.entries[index].display_path();
        outcome.unreadable.push(format!("{path} does not parse"));
        return;
    };
    for (ecosystem, first) in ecosystems.iter().zip(in_use) {
        let Some(first) = first else {
            continue;
        };
        let updated = configured
            .iter()
            .any(|entry| ecosystem.covered_by.contains(&entry.text));
        if !updated {
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

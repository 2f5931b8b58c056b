//! The checks: one module per kind of check a rule can make, each looking at the facts
//! the collector gathered for the files the check selected, and saying what it found —
//! or, when it found nothing, what it looked at (`describe`).

pub(crate) mod content;
mod dependency;
pub mod describe;
pub(crate) mod documents;
pub mod explain;
mod guarded;
pub mod history;
mod named_command;
mod pipeline;
pub(crate) mod presence;
pub(crate) mod update_coverage;

use std::collections::HashSet;

use gix::bstr::ByteSlice;

use crate::facts::Located;
use crate::facts::collect::Facts;
use crate::facts::content::Content;
use crate::facts::{dockerfile, kubernetes};
use crate::finding::{Evidence, MAX_EVIDENCE};
use crate::rules::{Check, CheckKind, Pattern};

/// How many of the files a check looked into a message names when nothing matched.
const NAMED_CANDIDATES: usize = 3;

/// What one check found.
#[derive(Default)]
pub struct Outcome {
    pub evidence: Vec<Evidence>,
    /// Files that matched (for content checks: files whose content matched).
    pub matched: usize,
    /// For an `absent` content check, the path of each match, in order: all of them, where
    /// `evidence` stops at `MAX_EVIDENCE` (`Verdict::located`). Other checks' matches are
    /// never a failure's evidence, so they are not listed.
    pub located: Vec<String>,
    /// Candidate files whose content could not be examined, with why.
    pub unreadable: Vec<String>,
    /// Pipelines that do not parse: where, and the parser's message.
    pub broken: Vec<(Evidence, String)>,
    pub candidates: usize,
    /// Of the candidates of a pipeline check, the scripts the pipelines run (read as
    /// pipelines of their own), which a message names apart from the pipelines.
    pub scripts: usize,
    /// The first few candidates looked into, to name them when nothing matched (for a
    /// pipeline check, the pipelines only).
    pub examined: Vec<String>,
    /// Calls of reusable workflows in other repositories, in pipelines where nothing
    /// matched: what they run was not seen.
    pub indirect: Vec<Evidence>,
    /// For a pipeline command check with a `discounted` reason that found nothing it counts:
    /// the first command that does what it looks for in a form its `unless` does not count (a
    /// test run allowed to fail, `mvn -DskipTests verify`), so a failure says why that command
    /// is not enough.
    pub discounted: Vec<Evidence>,
    /// For a check with `unless-triggered-by` or `unless-pipeline-runs` that found nothing
    /// it counts: the first match in a pipeline those keep from counting, and why, so a
    /// failure says why it is not enough.
    pub not_counted: Option<(Evidence, String)>,
    /// For an `absent` check: where it found something to judge and nothing against the
    /// practice (a container with probes, a pinned base image) — what its pass rests on,
    /// rather than the first files it happened to look into.
    pub sound: Vec<Evidence>,
}

pub fn passed(check: &Check, outcome: &Outcome) -> bool {
    // An inverted presence check (`binary artifacts`) holds when no file matches at all.
    if check.absent && !check.kind.reads_content() {
        return outcome.matched == 0;
    }
    if check.absent {
        // A document check passes on what it judged sound: a YAML file with no workload in it
        // (a NAIS application beside it) shows nothing of the workloads' probes.
        let judged = !check.kind.judges_listed_parts() || !outcome.sound.is_empty();
        return outcome.matched == 0
            && outcome.unreadable.is_empty()
            && outcome.candidates > 0
            && judged;
    }
    outcome.matched >= check.min_count as usize && outcome.broken.is_empty()
}

/// A check that looks inside the selected files, once their contents have been read.
/// `in_use`: for an `update-coverage` check, the first file showing each ecosystem in use.
pub fn run(check: &Check, entries: &[usize], in_use: &[Option<usize>], facts: &Facts) -> Outcome {
    let mut outcome = Outcome {
        candidates: entries.len(),
        ..Outcome::default()
    };
    // A file a pipeline in the tree runs (a Concourse task file its plan names) is no sign of
    // CI kept elsewhere.
    let run_by_pipelines = match check.out_of_sight {
        true => run_by_pipelines(facts),
        false => HashSet::new(),
    };
    let mut packages = dependency::Packages::default();
    let mut callers = pipeline::Callers::default();
    let mut updated = update_coverage::Updated::default();
    for &index in entries {
        // One file's check is bounded (a linear-time regex over a capped read); checking
        // between files keeps a slow pattern over many files within the scan's budget.
        if facts.deadline.passed() {
            break;
        }
        let keep = outcome.evidence.len() < MAX_EVIDENCE;
        let path = || facts.tree.entries[index].display_path();
        if outcome.examined.len() < NAMED_CANDIDATES {
            outcome.examined.push(path());
        }
        let bytes = match &facts.contents[index] {
            Some(Content::Text(bytes)) => bytes,
            // Nothing against the practice found in a file that was not looked into is not
            // its absence: an `absent` check cannot pass on it. Other checks skip it.
            Some(Content::Binary) => {
                if check.absent {
                    outcome.unreadable.push(format!(
                        "{} looks binary (a NUL byte in its first 8,000 bytes)",
                        path()
                    ));
                }
                continue;
            }
            // A lockfile or a minified bundle holds no hand-written evidence to miss (a script
            // a pipeline runs, whatever its name, is another matter).
            Some(Content::TooLarge(_))
                if matches!(check.kind, CheckKind::ContentMatches { .. })
                    && machine_written(facts.tree.entries[index].path.as_ref()) =>
            {
                continue;
            }
            Some(Content::TooLarge(size)) => {
                outcome.unreadable.push(format!(
                    "{} is {} bytes, over the {}-byte read cap",
                    path(),
                    size,
                    facts.max_file_size
                ));
                continue;
            }
            Some(Content::Unreadable(why)) => {
                outcome.unreadable.push(format!("{}: {why}", path()));
                continue;
            }
            None => {
                outcome.unreadable.push(format!("{} was not read", path()));
                continue;
            }
        };
        // Where the check found what it looks for, and what it was (a dependency's name,
        // an action reference…) when that is not the whole line.
        let found: Option<(u32, Option<String>)> = match &check.kind {
            CheckKind::ContentMatches { .. } if run_by_pipelines.contains(&index) => None,
            CheckKind::ContentMatches { pattern, guard } => {
                content::find(pattern, guard.as_ref(), bytes, check.out_of_sight)
            }
            CheckKind::UpdateCoverage { .. } => {
                update_coverage::read(index, bytes, facts, &mut updated, &mut outcome);
                continue;
            }
            CheckKind::BaseImage { pattern } => {
                let parse = |text: &str| (dockerfile::base_images(text), None);
                documents::find(bytes, parse, pattern, &mut outcome, path)
            }
            CheckKind::WorkloadContainers { pattern } => {
                let parse = |text: &str| {
                    let workloads = kubernetes::workloads(text);
                    (workloads.containers, workloads.unreadable)
                };
                documents::find(bytes, parse, pattern, &mut outcome, path)
            }
            CheckKind::Dependency { pattern } => {
                dependency::find(pattern, index, facts, &mut packages, &mut outcome, path)
            }
            kind => pipeline::find(check, kind, index, facts, &mut callers, &mut outcome, path),
        };
        if let Some((line, detail)) = found {
            outcome.matched += 1;
            if keep {
                outcome.evidence.push(Evidence {
                    path: path(),
                    line: (line > 0).then_some(line),
                    detail,
                });
            }
            if check.absent {
                outcome.located.push(path());
            }
        }
    }
    if let CheckKind::UpdateCoverage { ecosystems } = &check.kind {
        update_coverage::record_misses(check, ecosystems, in_use, &updated, facts, &mut outcome);
    }
    outcome
}

/// The first fact the pattern accepts: its line and text.
pub(crate) fn first_match(facts: &[Located], pattern: &Pattern) -> Option<(u32, Option<String>)> {
    facts
        .iter()
        .find(|fact| pattern.is_match(fact.text.as_bytes()))
        .map(|fact| (fact.line, Some(fact.text.clone())))
}

/// The files a pipeline definition (not a script) in the tree includes or runs.
/// Whether `path` is a file tools write (`@machine-written`: a lockfile, a minified bundle).
fn machine_written(path: &gix::bstr::BStr) -> bool {
    static GLOBS: std::sync::OnceLock<globset::GlobSet> = std::sync::OnceLock::new();
    let globs =
        GLOBS.get_or_init(|| crate::rules::glob_set(&crate::rules::known().machine_written));
    path.to_str().is_ok_and(|path| globs.is_match(path))
}

fn run_by_pipelines(facts: &Facts) -> HashSet<usize> {
    facts
        .includes
        .iter()
        .filter(|(includer, _)| {
            crate::facts::follow::is_yaml(&facts.tree.entries[**includer].display_path())
        })
        .flat_map(|(_, included)| included.iter().copied())
        .collect()
}

/// The first of `facts` the pattern matches; when none does, the first fact is kept as what
/// a pass rests on (`Outcome::sound`).
pub(crate) fn first_match_or_sound(
    facts: &[Located],
    pattern: &Pattern,
    outcome: &mut Outcome,
    path: impl FnOnce() -> String,
) -> Option<(u32, Option<String>)> {
    let found = first_match(facts, pattern);
    if found.is_none()
        && let Some(first) = facts.first()
        && outcome.sound.len() < MAX_EVIDENCE
    {
        outcome.sound.push(Evidence {
            path: path(),
            line: (first.line > 0).then_some(first.line),
            detail: Some(first.text.clone()),
        });
    }
    found
}

//! The history pass: the commits in the window, each with what it changed, read once in
//! parallel from the object database.

mod ancestry;
pub mod branches;
pub mod figures;
mod lines;
pub mod numstat;
pub(crate) mod progress;
pub mod pull_request;
pub mod releases;
pub mod renames;
pub mod walk;

use std::collections::{HashMap, HashSet};
use std::sync::PoisonError;
use std::sync::atomic::{AtomicBool, Ordering};

use gix::ObjectId;
use serde::Serialize;

use crate::repo::{Deadline, RepoError};
use figures::{Classes, Figure, Period, Scope};
use numstat::{Differ, FileChange};
use walk::Commit;

const DAY: i64 = 24 * 60 * 60;

/// How far back the history figures look, from the scanned commit's committer time (not the
/// clock, so a report can be reproduced); the window before it gives the trend.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Window {
    Days(u32),
    All,
}

impl std::str::FromStr for Window {
    type Err = String;

    /// `30d`, `12w`, `3m` (30 days each), `1y`, `all`.
    fn from_str(text: &str) -> Result<Window, String> {
        let invalid = || {
            format!(
                "`{text}` is not a window: use a number of days, weeks, months or years \
                 (`90d`, `12w`, `3m`, `1y`) or `all`"
            )
        };
        if text == "all" {
            return Ok(Window::All);
        }
        let per = match text.chars().last() {
            Some('d') => 1,
            Some('w') => 7,
            Some('m') => 30,
            Some('y') => 365,
            _ => return Err(invalid()),
        };
        let number = &text[..text.len() - 1];
        let count: u32 = number.parse().map_err(|_| invalid())?;
        match count.checked_mul(per) {
            // A century at most: dates before that are out of any history's reach.
            Some(days) if days > 0 && days <= 36_500 => Ok(Window::Days(days)),
            _ => Err(invalid()),
        }
    }
}

/// The `history` section of a report.
#[derive(Debug, Clone, Serialize)]
pub struct History {
    /// A shallow clone's history is cut: its figures are unknown, never computed from part.
    pub shallow: bool,
    pub window: WindowInfo,
    pub figures: Vec<Figure>,
}

#[derive(Debug, Clone, Serialize)]
pub struct WindowInfo {
    /// Null for the whole history.
    pub since: Option<String>,
    pub until: String,
    /// Commits in the window, merges included.
    pub commits: usize,
    /// The days the history covers, where it begins inside the window: figures are measured
    /// over those days, not the whole window.
    #[serde(skip)]
    pub days_covered: Option<i64>,
}

/// The history figures for the window ending at `tip`.
/// Tags whose names `release_tag` matches (by default the `release-tag` pattern of
/// `rules/history.toml`) are releases.
pub fn section(
    repo: &gix::ThreadSafeRepository,
    tip: ObjectId,
    window: Window,
    release_tag: Option<&crate::rules::Pattern>,
    deadline: Deadline,
) -> Result<History, RepoError> {
    let local = repo.to_thread_local();
    // A commit's time is whatever its header says: one git cannot parse (23 digits) makes
    // the window unknown, not the scan fail.
    let until = match crate::repo::find_commit(&local, tip)?.time() {
        Ok(time) => time.seconds,
        Err(error) => {
            return Ok(History {
                shallow: false,
                window: WindowInfo {
                    since: None,
                    until: "unknown".to_owned(),
                    commits: 0,
                    days_covered: None,
                },
                figures: figures::unknown(
                    Scope::Window,
                    &format!(
                        "the scanned commit's time cannot be read ({error}), so the window has no end"
                    ),
                ),
            });
        }
    };
    // Times far from now (the header allows any 64-bit number) saturate rather than wrap.
    let since = match window {
        Window::Days(days) => Some(until.saturating_sub(i64::from(days) * DAY)),
        Window::All => None,
    };
    let info = |commits, days_covered| WindowInfo {
        since: since.map(iso8601),
        until: iso8601(until),
        commits,
        days_covered,
    };
    if local.is_shallow().unwrap_or(false) {
        return Ok(History {
            shallow: true,
            window: info(0, None),
            figures: figures::unknown(
                Scope::Window,
                "the clone is shallow: fetch the full history (actions/checkout: fetch-depth: 0)",
            ),
        });
    }
    let previous_since = since.map(|since| since.saturating_sub(until.saturating_sub(since)));
    // Missing objects (a blobless partial clone, a damaged pack) cost the figures, not the
    // report: tree findings stand on their own.
    // Renames are detected, as git log does by default.
    let changed = match read(repo, tip, previous_since, true, deadline) {
        Ok(changed) => changed,
        Err(RepoError::TimedOut) => return Err(RepoError::TimedOut),
        Err(error) => {
            return Ok(History {
                shallow: false,
                window: info(0, None),
                figures: figures::unknown(
                    Scope::Window,
                    &format!("the history could not be read: {error}"),
                ),
            });
        }
    };
    let (current, previous): (Vec<&Changed>, Vec<&Changed>) = changed
        .iter()
        .partition(|changed| since.is_none_or(|since| changed.commit.committer_time >= since));
    // Tags made after the scanned commit are not seen, so a report can be reproduced.
    let delivery = Delivery::read(&local, &changed, tip, release_tag, until);
    let commits = current.len();
    // A history that begins inside a window covers only part of it: rates are over the part.
    let begins = changed
        .iter()
        .filter(|changed| changed.commit.parents.is_empty())
        .map(|changed| changed.commit.committer_time)
        .min();
    let start = |from: Option<i64>| match (from, begins) {
        (Some(from), Some(begins)) => Some(from.max(begins)),
        (from, _) => from,
    };
    let current = period(
        current,
        start(since),
        until,
        &delivery.integrations,
        &delivery,
    );
    let previous = match (since, previous_since) {
        // A previous window with no commits (the history is younger) has no figures.
        (Some(since), Some(from)) if !previous.is_empty() => Some(period(
            previous,
            start(Some(from)),
            since,
            &delivery.integrations,
            &delivery,
        )),
        _ => None,
    };
    // Whole days, at least one: a history begun this morning covers a day. Saturating: a
    // commit's time may be any 64-bit number.
    let days_covered = begins
        .filter(|begins| since.is_some_and(|since| *begins > since))
        .map(|begins| {
            (until.saturating_sub(begins) / DAY)
                .saturating_add(1)
                .max(1)
        });
    Ok(History {
        shallow: false,
        window: info(commits, days_covered),
        figures: figures::compute(
            Scope::Window,
            &current,
            previous.as_ref(),
            Classes::builtin(),
        ),
    })
}

/// One period of `by_period`: its figures, its commits and how many of them repaired the
/// build or the environment (`build-repair-subject`).
#[derive(Debug, Clone, Serialize)]
pub struct PeriodFigures {
    pub figures: Vec<Figure>,
    pub commits: usize,
    pub build_repairs: usize,
}

/// The figures of each period `[from, to]` (committer times) of the history that ends at
/// `tip`, from one read of it since the earliest `from`: a timeline's figures are the one
/// history pass, bucketed. A shallow or unreadable history gives every period unknown figures.
pub fn by_period(
    repo: &gix::ThreadSafeRepository,
    tip: ObjectId,
    periods: &[(i64, i64)],
    release_tag: Option<&crate::rules::Pattern>,
    deadline: Deadline,
) -> Result<Vec<PeriodFigures>, RepoError> {
    let unknown = |reason: &str| {
        let figures = figures::unknown(Scope::Window, reason);
        periods
            .iter()
            .map(|_| PeriodFigures {
                figures: figures.clone(),
                commits: 0,
                build_repairs: 0,
            })
            .collect()
    };
    let local = repo.to_thread_local();
    if local.is_shallow().unwrap_or(false) {
        return Ok(unknown(
            "the clone is shallow: fetch the full history (actions/checkout: fetch-depth: 0)",
        ));
    }
    let Some(earliest) = periods.iter().map(|(from, _)| *from).min() else {
        return Ok(Vec::new());
    };
    let changed = match read(repo, tip, Some(earliest), true, deadline) {
        Ok(changed) => changed,
        Err(RepoError::TimedOut) => return Err(RepoError::TimedOut),
        Err(error) => return Ok(unknown(&format!("the history could not be read: {error}"))),
    };
    let latest = periods.iter().map(|(_, to)| *to).max().unwrap_or(earliest);
    let delivery = Delivery::read(&local, &changed, tip, release_tag, latest);
    let repair = &crate::rules::known().history.build_repair_subject;
    Ok(periods
        .iter()
        .map(|&(from, to)| {
            let commits: Vec<&Changed> = changed
                .iter()
                .filter(|changed| (from..=to).contains(&changed.commit.committer_time))
                .collect();
            let count = commits.len();
            let build_repairs = commits
                .iter()
                .filter(|changed| repair.is_match(changed.commit.subject.as_bytes()))
                .count();
            let current = period(commits, Some(from), to, &delivery.integrations, &delivery);
            PeriodFigures {
                figures: figures::compute(Scope::Window, &current, None, Classes::builtin()),
                commits: count,
                build_repairs,
            }
        })
        .collect())
}

/// The `.mailmap` of the scanned commit's tree. Only that one: a mailmap named in the
/// repository's config could be any file on the machine.
pub(crate) fn mailmap_at(repo: &gix::Repository, tip: ObjectId) -> gix::mailmap::Snapshot {
    let data = crate::repo::find_commit(repo, tip)
        .ok()
        .and_then(|commit| commit.tree().ok())
        .and_then(|tree| tree.lookup_entry_by_path(".mailmap").ok().flatten())
        .and_then(|entry| entry.object().ok())
        .map(|object| object.detach().data);
    gix::mailmap::Snapshot::from_bytes(data.as_deref().unwrap_or_default())
}

/// What the walk and the tags tell about delivery, for every window.
struct Delivery {
    releases: Vec<releases::Release>,
    /// The first release containing each walked commit.
    first_releases: HashMap<ObjectId, usize>,
    /// Per release, the seconds until its fix release.
    fix_delays: Vec<Option<i64>>,
    /// Per merge into the scanned line, the merged branch's lifetime in hours.
    branch_lifetimes: HashMap<ObjectId, f64>,
    /// The commits of the scanned line (first parents from the tip).
    integrations: HashSet<ObjectId>,
}

impl Delivery {
    /// The releases (tags `release_tag` matches, made by `until`) and what they tell of the
    /// walked commits, whose scanned line runs from `tip`.
    fn read(
        repo: &gix::Repository,
        changed: &[Changed],
        tip: ObjectId,
        release_tag: Option<&crate::rules::Pattern>,
        until: i64,
    ) -> Delivery {
        let ancestry = ancestry::Ancestry::new(changed);
        let integrations = ancestry.first_parent_line(tip);
        let ancestry = &ancestry;
        let builtin = release_pattern();
        let mut releases = releases::releases(repo, release_tag.unwrap_or(&builtin));
        releases.retain(|release| release.time <= until);
        Delivery {
            first_releases: releases::first_releases(ancestry, &releases),
            fix_delays: releases::fix_delays(&releases),
            releases,
            branch_lifetimes: branches::lifetimes(changed, ancestry, &integrations),
            integrations,
        }
    }
}

/// The pattern in `rules/history.toml` that makes a tag a release.
fn release_pattern() -> crate::rules::Pattern {
    crate::rules::known().history.release_tag.clone()
}

/// A window's commits; `from` is its start, or the oldest commit's time for all history.
fn period<'a>(
    commits: Vec<&'a Changed>,
    from: Option<i64>,
    to: i64,
    integrations: &HashSet<ObjectId>,
    delivery: &Delivery,
) -> Period<'a> {
    let oldest = commits
        .iter()
        .map(|changed| changed.commit.committer_time)
        .min();
    let from = from.or(oldest).unwrap_or(to);
    // A bot's commits on the main line (a dependency bump it merged) integrate none of the
    // team's work.
    let classes = figures::Classes::builtin();
    let integrations = commits
        .iter()
        .filter(|changed| integrations.contains(&changed.commit.id))
        .filter(|changed| {
            !classes.is_bot(&changed.commit.author_name, &changed.commit.author_email)
        })
        .count();
    let released: Vec<usize> = (0..delivery.releases.len())
        .filter(|&index| (from..=to).contains(&delivery.releases[index].time))
        .collect();
    let fix_hours: Vec<f64> = released
        .iter()
        .filter_map(|&index| delivery.fix_delays[index])
        .map(hours)
        .collect();
    let lead_times = commits
        .iter()
        .filter(|changed| changed.commit.parents.len() <= 1)
        .filter_map(|changed| {
            let release = &delivery.releases[*delivery.first_releases.get(&changed.commit.id)?];
            Some(hours(
                release.time.saturating_sub(changed.commit.committer_time),
            ))
        })
        .collect();
    let branch_lifetimes = commits
        .iter()
        .filter_map(|changed| delivery.branch_lifetimes.get(&changed.commit.id).copied())
        .collect();
    Period {
        commits,
        days: to.saturating_sub(from) as f64 / DAY as f64,
        integrations,
        releases: released.len(),
        final_releases: released
            .iter()
            .filter(|&&index| releases::is_final(&delivery.releases[index]))
            .count(),
        patch_releases: released
            .iter()
            .filter(|&&index| releases::is_patch(&delivery.releases[index]))
            .count(),
        lead_times,
        fix_hours,
        branch_lifetimes,
        combined: None,
        weakenings: &[],
    }
}

/// Seconds as hours; a negative span (clock skew) is no time, not less.
fn hours(seconds: i64) -> f64 {
    seconds.max(0) as f64 / 3600.0
}

/// The date, or for one outside the years 0 to 9999 that a commit header can still hold,
/// its seconds said to be out of range.
fn iso8601(seconds: i64) -> String {
    gix::date::Time::new(seconds, 0)
        .format(gix::date::time::format::ISO8601_STRICT)
        .ok()
        .filter(|date| date.len() == "1970-01-01T00:00:00+00:00".len())
        .unwrap_or_else(|| format!("out of range ({seconds} seconds from 1970)"))
}

/// A commit and the files it changed against its first parent (none listed for merges).
#[derive(Debug, Clone)]
pub struct Changed {
    pub commit: Commit,
    pub files: Vec<FileChange>,
    /// Some of its file contents are missing (a blobless partial clone): its files are
    /// counted, its lines are not known.
    pub missing_blobs: bool,
    /// Its blobs too big to read (`numstat::BIG_BLOB_BYTES`), counted as binary.
    pub big_blobs: usize,
}

/// Delta bases kept per run of history: a history pass decodes each version of a file from
/// the one before it, and without this cache re-inflates the delta chain every time. On
/// git/git's history (2 threads) no cache took 26.6 s and 32 MiB 16.9 s; with runs as they
/// are now, 32, 48 and 64 MiB took 15.9, 15.4 and 15.0 s and peaked at 663, 692 and 742 MiB
/// (git log: 486 MiB; the budget is 1.5 times that), so 48 MiB.
const PACK_CACHE_BYTES: usize = 48 * 1024 * 1024;
/// Contiguous runs of history are diffed in parallel, each with its own handle and warm
/// caches. The first runs are short, so a short history still keeps both threads busy;
/// later ones grow to this length (git/git, 2 threads: runs of about 1,000-2,000 commits kept
/// the CPUs 191 % busy; runs of 8,000, 183 %).
const LONGEST_RUN: usize = 1024;
const SHORTEST_RUN: usize = 32;

/// Whether one repository's history is diffed on several threads (the default). A sweep,
/// which already keeps every CPU busy with a repository each, turns it off: one run per
/// repository keeps one pack cache warm for all of its history instead of a cold one per
/// run, and inflates less.
static PARALLEL: AtomicBool = AtomicBool::new(true);

/// Diff each repository's history on one thread (for sweeps; see `PARALLEL`).
pub fn diff_on_one_thread() {
    PARALLEL.store(false, Ordering::Relaxed);
}

/// Reads the commits reachable from `tip` (committed at `since` or later, when given),
/// newest first, with what each non-merge commit changed. The walk is one thread, handing
/// out contiguous runs of history as it goes; the runs are diffed in parallel meanwhile,
/// each with its own repository handle, pack cache and buffers (on git/git the walk alone
/// takes 0.8 s, which the diffs no longer wait for).
pub fn read(
    repo: &gix::ThreadSafeRepository,
    tip: ObjectId,
    since: Option<i64>,
    renames: bool,
    deadline: Deadline,
) -> Result<Vec<Changed>, RepoError> {
    let local = repo.to_thread_local();
    let mailmap = mailmap_at(&local, tip);
    let progress = progress::Progress::start();
    if !PARALLEL.load(Ordering::Relaxed) {
        let mut commits = Vec::new();
        walk::commits(&local, tip, since, &mailmap, deadline, |commit| {
            commits.push(commit)
        })?;
        return diff_run(repo, commits, renames, &progress, deadline);
    }
    let (runs, arriving) = std::sync::mpsc::channel::<(usize, Vec<Commit>)>();
    let diffed: std::sync::Mutex<Vec<(usize, DiffedRun)>> = std::sync::Mutex::default();
    // The walk hands out runs of history as it goes; they are diffed while it walks on.
    let walked = std::thread::scope(|scope| {
        scope.spawn(|| {
            rayon::scope(|tasks| {
                for (index, run) in arriving {
                    let (diffed, progress) = (&diffed, &progress);
                    tasks.spawn(move |_| {
                        let changed = diff_run(repo, run, renames, progress, deadline);
                        let mut diffed = diffed.lock().unwrap_or_else(PoisonError::into_inner);
                        diffed.push((index, changed));
                    });
                }
            });
        });
        let mut run = Vec::with_capacity(SHORTEST_RUN);
        let mut index = 0;
        let send = |run: Vec<Commit>, index: &mut usize| {
            // The receiver lives until every run is sent.
            let _ = runs.send((*index, run));
            *index += 1;
        };
        let walked = walk::commits(&local, tip, since, &mailmap, deadline, |commit| {
            progress.found();
            run.push(commit);
            if run.len() >= (SHORTEST_RUN << index.min(5)).min(LONGEST_RUN) {
                send(std::mem::take(&mut run), &mut index);
            }
        });
        if !run.is_empty() {
            send(run, &mut index);
        }
        drop(runs);
        walked
    });
    walked?;
    let mut diffed = diffed.into_inner().unwrap_or_else(PoisonError::into_inner);
    diffed.sort_unstable_by_key(|(index, _)| *index);
    let mut changed = Vec::new();
    for (_, run) in diffed {
        changed.extend(run?);
    }
    Ok(changed)
}

/// A run of history diffed, or why it could not be.
type DiffedRun = Result<Vec<Changed>, RepoError>;

/// What each commit of a contiguous run of history changed, with one repository handle,
/// pack cache and set of buffers for the run.
fn diff_run(
    repo: &gix::ThreadSafeRepository,
    run: Vec<Commit>,
    renames: bool,
    progress: &progress::Progress,
    deadline: Deadline,
) -> DiffedRun {
    let mut repo = repo.to_thread_local();
    repo.objects.set_pack_cache(|| {
        Box::new(gix::odb::pack::cache::lru::MemoryCappedHashmap::new(
            PACK_CACHE_BYTES,
        ))
    });
    let mut differ = Differ::new(renames);
    differ.deadline = deadline;
    run.into_iter()
        .map(|commit| {
            deadline.check()?;
            progress.advance();
            let merge = commit.parents.len() > 1;
            let files = if merge {
                Vec::new()
            } else {
                differ.changes(&repo, &commit)?
            };
            Ok(Changed {
                commit,
                files,
                missing_blobs: !merge && differ.missing_blobs,
                big_blobs: if merge { 0 } else { differ.big_blobs },
            })
        })
        .collect()
}

//! `opslint timeline`: the practices over time. At the end of each period the main line's
//! commit (first parent) is judged with the scanned commit's configuration; for each rule
//! whose status changed between two snapshots, the commit that changed it is found by
//! bisecting the main line between them; the history figures of each period come from one
//! history pass, bucketed.
//!
//! Consecutive snapshots share most of their trees: a snapshot is judged again only when
//! the diff from the last judged one touches what that judgement depended on (a file some
//! rule selects added or removed, a file it read changed, a path it looked up by name).

mod periods;
mod signals;

use std::collections::{HashMap, HashSet};

use gix::ObjectId;
use globset::{GlobSet, GlobSetBuilder};
use serde::Serialize;

use crate::area::Area;
use crate::finding::{Finding, Status};
use crate::history;
use crate::repo::{self, RepoError};
use crate::report::{Report, RepositoryInfo};
use crate::scan::{Judged, Prepared, ScanError, ScanOptions};
pub use periods::{Every, Since};
pub use signals::Signal;

#[derive(Debug, Clone)]
pub struct TimelineOptions {
    pub scan: ScanOptions,
    pub since: Since,
    pub every: Every,
    /// Skip the history pass: no figures per period.
    pub no_history: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Timeline {
    pub schema_version: u32,
    pub repository: RepositoryInfo,
    /// Every snapshot is judged with this commit's configuration, so a change of
    /// configuration does not read as a change of practice.
    pub configuration_from: String,
    pub every: Every,
    pub snapshots: Vec<Snapshot>,
    pub events: Vec<Event>,
    pub signals: Vec<Signal>,
    /// How many snapshots were judged afresh; the others reused the verdicts of the
    /// snapshot before them, nothing they depend on having changed.
    pub judged: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct Snapshot {
    /// The end of the period (UTC date).
    pub date: String,
    pub commit: String,
    pub score: Option<u32>,
    pub areas: Vec<AreaAt>,
    /// The rules that pass at this snapshot (an organisation's adoption curves count them).
    pub passing: Vec<String>,
    /// The period's history figures (absent with `--no-history`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub figures: Option<history::PeriodFigures>,
    #[serde(skip)]
    pub findings: Vec<Finding>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AreaAt {
    pub id: Area,
    pub score: Option<u32>,
    pub level: Option<u8>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    Adopted,
    Lost,
}

#[derive(Debug, Clone, Serialize)]
pub struct Event {
    pub rule: String,
    pub area: Area,
    pub title: String,
    pub change: ChangeKind,
    pub commit: String,
    pub date: String,
    pub author: String,
    pub subject: String,
}

/// A commit of the main line, oldest first once collected.
#[derive(Debug, Clone, Copy)]
struct Line {
    id: ObjectId,
    tree: ObjectId,
    time: i64,
}

pub fn timeline(options: &TimelineOptions) -> Result<Timeline, ScanError> {
    let prepared = Prepared::open(&options.scan)?;
    let tip = prepared
        .target
        .head
        .ok_or(RepoError::NoCommits { what: "HEAD" })?;
    let local = prepared.target.repo.to_thread_local();
    let tip_time = commit_time(&local, tip)?;
    let ends = periods::ends(options.since, options.every, tip_time, || {
        first_commit_time(&local, tip)
    })?;
    let line = main_line(&local, tip, ends.first().copied().unwrap_or(tip_time))?;
    let mut judge = Judge::new(&prepared);
    let mut snapshots = Vec::new();
    // Each snapshot's position on the main line, for bisecting between two.
    let mut positions = Vec::new();
    for &end in &ends {
        // The last main-line commit at or before the period's end; none before the history.
        let Some(position) = line.iter().rposition(|commit| commit.time <= end) else {
            continue;
        };
        let findings = judge.findings(line[position])?;
        positions.push(position);
        snapshots.push(snapshot(end, line[position].id, findings));
    }
    let judged = judge.judged;
    let events = events(&local, &mut judge, &line, &snapshots, &positions)?;
    if !options.no_history && !snapshots.is_empty() {
        let periods: Vec<(i64, i64)> = ends
            .iter()
            .map(|&end| (periods::start_of(end, options.every), end))
            .rev()
            .take(snapshots.len())
            .rev()
            .collect();
        let release_tag = prepared.settings.release_tag.as_ref();
        let figures = history::by_period(
            &prepared.target.repo,
            tip,
            &periods,
            release_tag,
            prepared.target.deadline,
        )?;
        for (snapshot, figures) in snapshots.iter_mut().zip(figures) {
            snapshot.figures = Some(figures);
        }
    }
    let signals = signals::signals(&snapshots);
    let repository = RepositoryInfo {
        name: None,
        path: prepared.target.root.display().to_string(),
        head: Some(tip.to_string()),
        scanned: prepared.target.scanned(),
        rev: prepared.target.rev.clone(),
        config: prepared.config.clone(),
        files: 0,
        submodules: Vec::new(),
        owners: Vec::new(),
        overrides: prepared.settings.changed_by_repository.clone(),
        head_problem: None,
    };
    Ok(Timeline {
        schema_version: crate::report::SCHEMA_VERSION,
        repository,
        configuration_from: tip.to_string(),
        every: options.every,
        snapshots,
        events,
        signals,
        judged,
    })
}

fn snapshot(end: i64, commit: ObjectId, findings: Vec<Finding>) -> Snapshot {
    let report = Report::new(RepositoryInfo::unnamed(), findings);
    Snapshot {
        date: periods::date(end),
        commit: commit.to_string(),
        score: report.score,
        areas: report
            .areas
            .iter()
            .map(|area| AreaAt {
                id: area.id,
                score: area.score,
                level: area.level,
            })
            .collect(),
        figures: None,
        passing: report
            .findings
            .iter()
            .filter(|finding| finding.status == Status::Pass)
            .map(|finding| finding.rule.clone())
            .collect(),
        findings: report.findings,
    }
}

/// Judges commits, reusing a verdict where nothing it depended on changed: by tree (the same
/// tree, the same findings) and from the last judged commit through the diff between them.
struct Judge<'a> {
    prepared: &'a Prepared,
    by_tree: HashMap<ObjectId, Vec<Finding>>,
    last: Option<(ObjectId, Judged)>,
    judged: usize,
}

impl<'a> Judge<'a> {
    fn new(prepared: &'a Prepared) -> Judge<'a> {
        Judge {
            prepared,
            by_tree: HashMap::new(),
            last: None,
            judged: 0,
        }
    }

    fn findings(&mut self, commit: Line) -> Result<Vec<Finding>, ScanError> {
        if let Some(findings) = self.by_tree.get(&commit.tree) {
            return Ok(findings.clone());
        }
        if let Some((tree, judged)) = &self.last
            && !self.touches(*tree, commit.tree, judged)?
        {
            let findings = judged.findings.clone();
            self.by_tree.insert(commit.tree, findings.clone());
            return Ok(findings);
        }
        let judged = self.prepared.judge(commit.id, commit.tree)?;
        self.judged += 1;
        let findings = judged.findings.clone();
        self.by_tree.insert(commit.tree, findings.clone());
        self.last = Some((commit.tree, judged));
        Ok(findings)
    }

    /// Whether the diff from `from` to `to` touches what `judged` depended on.
    fn touches(&self, from: ObjectId, to: ObjectId, judged: &Judged) -> Result<bool, ScanError> {
        let repo = self.prepared.target.repo.to_thread_local();
        let changes = tree_changes(&repo, from, to)?;
        let read: HashSet<&str> = judged.read.iter().map(String::as_str).collect();
        let (patterns, names): (Vec<&String>, Vec<&String>) =
            judged.lookups.iter().partition(|path| path.contains('*'));
        let names: HashSet<&str> = names.into_iter().map(String::as_str).collect();
        let patterns = glob_set(&patterns);
        let plan = self.prepared.plan();
        Ok(changes.iter().any(|change| {
            let path = change.path.as_str();
            let listed = names.contains(path) || patterns.is_match(path);
            match change.kind {
                // The same path, another blob: only what was read can tell.
                Touch::Content => read.contains(path) || listed,
                Touch::Presence => listed || plan.selects(path.as_bytes()),
            }
        }))
    }
}

fn glob_set(patterns: &[&String]) -> GlobSet {
    let mut builder = GlobSetBuilder::new();
    for pattern in patterns {
        for glob in crate::rules::compile_glob(pattern).unwrap_or_default() {
            builder.add(glob);
        }
    }
    builder.build().unwrap_or_else(|_| GlobSet::empty())
}

enum Touch {
    /// A file's contents changed.
    Content,
    /// A path appeared, disappeared or changed kind (file, link, submodule).
    Presence,
}

struct Changed {
    path: String,
    kind: Touch,
}

fn tree_changes(
    repo: &gix::Repository,
    from: ObjectId,
    to: ObjectId,
) -> Result<Vec<Changed>, ScanError> {
    use gix::diff::tree::recorder::Change;
    use gix::prelude::FindExt;
    let mut old = Vec::new();
    let mut new = Vec::new();
    let unreadable = |error: &dyn std::fmt::Display| ScanError::Repo(RepoError::unreadable(error));
    let old_tree = repo
        .objects
        .find_tree_iter(&from, &mut old)
        .map_err(|error| unreadable(&error))?;
    let new_tree = repo
        .objects
        .find_tree_iter(&to, &mut new)
        .map_err(|error| unreadable(&error))?;
    let mut recorder = gix::diff::tree::Recorder::default();
    let mut state = gix::diff::tree::State::default();
    gix::diff::tree(old_tree, new_tree, &mut state, &repo.objects, &mut recorder)
        .map_err(|error| unreadable(&error))?;
    Ok(recorder
        .records
        .into_iter()
        .filter_map(|change| {
            let (path, kind) = match change {
                Change::Addition {
                    entry_mode, path, ..
                }
                | Change::Deletion {
                    entry_mode, path, ..
                } => (!entry_mode.is_tree()).then_some((path, Touch::Presence))?,
                Change::Modification {
                    previous_entry_mode,
                    entry_mode,
                    path,
                    ..
                } => {
                    if previous_entry_mode.is_tree() && entry_mode.is_tree() {
                        return None;
                    }
                    let kind = if previous_entry_mode.kind() == entry_mode.kind() {
                        Touch::Content
                    } else {
                        Touch::Presence
                    };
                    (path, kind)
                }
            };
            Some(Changed {
                path: path.to_string(),
                kind,
            })
        })
        .collect())
}

/// The events between consecutive snapshots: for each rule that became a pass (adopted) or
/// stopped being one to fail (lost), the main-line commit that changed it, found by
/// bisection. Exact: the commit judged with the new status whose first parent was not.
fn events(
    repo: &gix::Repository,
    judge: &mut Judge,
    line: &[Line],
    snapshots: &[Snapshot],
    positions: &[usize],
) -> Result<Vec<Event>, ScanError> {
    let mut events = Vec::new();
    for pair in 1..snapshots.len() {
        let (before, after) = (&snapshots[pair - 1], &snapshots[pair]);
        let (low, high) = (positions[pair - 1], positions[pair]);
        if low == high {
            continue;
        }
        for finding in &after.findings {
            let was = status_in(&before.findings, &finding.rule);
            let change = match (was, finding.status) {
                (Some(was), Status::Pass) if was != Status::Pass && was != Status::Unknown => {
                    ChangeKind::Adopted
                }
                (Some(Status::Pass), Status::Fail) => ChangeKind::Lost,
                _ => continue,
            };
            let passes = change == ChangeKind::Adopted;
            // Invariant: at `low` the rule does not have the new standing, at `high` it has.
            let (mut low, mut high) = (low, high);
            while high - low > 1 {
                let middle = low + (high - low) / 2;
                let findings = judge.findings(line[middle])?;
                let now_passes = status_in(&findings, &finding.rule) == Some(Status::Pass);
                if now_passes == passes {
                    high = middle;
                } else {
                    low = middle;
                }
            }
            let commit = repo::find_commit(repo, line[high].id)?;
            let author = commit
                .author()
                .map(|author| author.name.to_string())
                .unwrap_or_default();
            let subject = commit
                .message()
                .map(|message| shortened(&message.summary().to_string()))
                .unwrap_or_default();
            events.push(Event {
                rule: finding.rule.clone(),
                area: finding.area,
                title: finding.title.to_string(),
                change,
                commit: line[high].id.to_string(),
                date: periods::date(line[high].time),
                author,
                subject,
            });
        }
    }
    events.sort_by(|a, b| (&a.date, &a.rule).cmp(&(&b.date, &b.rule)));
    Ok(events)
}

fn status_in(findings: &[Finding], rule: &str) -> Option<Status> {
    findings
        .iter()
        .find(|finding| finding.rule == rule)
        .map(|finding| finding.status)
}

fn commit_time(repo: &gix::Repository, id: ObjectId) -> Result<i64, ScanError> {
    let commit = repo::find_commit(repo, id)?;
    let time = commit
        .time()
        .map_err(|error| ScanError::Repo(RepoError::unreadable(error)))?;
    Ok(time.seconds)
}

/// The first-parent line from `tip` back to the last commit at or before `since` (that one
/// included: it is the state at the start), oldest first.
fn main_line(repo: &gix::Repository, tip: ObjectId, since: i64) -> Result<Vec<Line>, ScanError> {
    let mut line = Vec::new();
    let mut next = Some(tip);
    let shallow = repo.is_shallow().unwrap_or(false);
    while let Some(id) = next {
        let commit = match repo::find_commit(repo, id) {
            Ok(commit) => commit,
            // A shallow clone's line ends where its history does: the timeline starts there.
            Err(_) if shallow && id != tip => break,
            Err(error) => return Err(error.into()),
        };
        let time = commit
            .time()
            .map_err(|error| ScanError::Repo(RepoError::unreadable(error)))?
            .seconds;
        let tree = commit
            .tree_id()
            .map_err(|error| ScanError::Repo(RepoError::unreadable(error)))?
            .detach();
        line.push(Line { id, tree, time });
        if time <= since {
            break;
        }
        next = commit.parent_ids().next().map(|parent| parent.detach());
    }
    line.reverse();
    Ok(line)
}

/// The time of the root commit of the main line, for `--since all`.
fn first_commit_time(repo: &gix::Repository, tip: ObjectId) -> Result<i64, ScanError> {
    Ok(main_line(repo, tip, i64::MIN)?
        .first()
        .map_or(0, |commit| commit.time))
}

/// A subject for one line: a commit whose message is one long paragraph has it all as its
/// summary.
fn shortened(subject: &str) -> String {
    const MAX_CHARS: usize = 100;
    match subject.char_indices().nth(MAX_CHARS) {
        Some((end, _)) => format!("{}…", &subject[..end]),
        None => subject.to_owned(),
    }
}

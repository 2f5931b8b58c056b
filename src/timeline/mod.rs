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
use std::rc::Rc;

use gix::ObjectId;
use gix::bstr::{BString, ByteSlice};
use serde::Serialize;

use crate::area::Area;
use crate::components::ComponentFindings;
use crate::engine::{Plan, Reuse};
use crate::facts::content::BlobCache;
use crate::facts::tree::{Patch, Tree};
use crate::finding::{Finding, Status};
use crate::history;
use crate::matcher::Hits;
use crate::repo::{self, RepoError};
use crate::report::{Report, RepositoryInfo};
use crate::rules::PathSet;
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
    /// A shallow clone: the main line stops where its history does, so the first snapshots
    /// may be missing and the figures are unknown.
    pub shallow: bool,
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

impl ChangeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Adopted => "adopted",
            ChangeKind::Lost => "lost",
        }
    }
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

impl Event {
    /// The commit's id as reports abbreviate it.
    pub fn short_commit(&self) -> &str {
        &self.commit[..self.commit.len().min(12)]
    }
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
    let local = prepared.target.repo.to_thread_local();
    let is_commit = |id| {
        local.find_object(id).map(|object| object.kind).ok() == Some(gix::object::Kind::Commit)
    };
    let tip = match (prepared.target.head, &options.scan.rev) {
        (Some(tip), _) if is_commit(tip) => tip,
        // `--rev` may name a tree, which `check` scans; a timeline follows commits.
        (_, Some(rev)) => return Err(ScanError::NotACommit { rev: rev.clone() }),
        (_, None) => return Err(RepoError::NoCommits { what: "HEAD" }.into()),
    };
    let tip_time = commit_time(&local, tip)?;
    // One walk of the main line: back to the span's start, or to the first commit.
    let line = main_line(&local, tip, periods::start(options.since, tip_time))?;
    let ends = periods::ends(options.since, options.every, tip_time, || {
        Ok(line.first().map_or(tip_time, |commit| commit.time))
    })?;
    // The last main-line commit at or before each period's end; none before the history.
    let judged_ends: Vec<(i64, usize)> = ends
        .iter()
        .filter_map(|&end| Some((end, line.iter().rposition(|commit| commit.time <= end)?)))
        .collect();
    let periods: Vec<(i64, i64)> = judged_ends
        .iter()
        .map(|&(end, _)| (periods::start_of(end, options.every), end))
        .collect();
    // The history pass is independent of the snapshots: it runs beside them.
    let (judged, figures) = std::thread::scope(|scope| {
        let figures = (!options.no_history && !periods.is_empty()).then(|| {
            crate::scan::spawn(scope, || {
                history::by_period(
                    &prepared.target.repo,
                    tip,
                    &periods,
                    prepared.settings.release_tag.as_ref(),
                    prepared.target.deadline,
                )
            })
        });
        let judged = judge_snapshots(&prepared, &local, &line, &judged_ends);
        let figures = figures.map(|figures| {
            figures
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        });
        (judged, figures)
    });
    let (mut snapshots, events, judged) = judged?;
    if let Some(figures) = figures {
        for (snapshot, figures) in snapshots.iter_mut().zip(figures?) {
            snapshot.figures = Some(figures);
        }
    }
    let signals = signals::signals(&snapshots);
    let repository = RepositoryInfo {
        name: None,
        path: prepared.target.root.display().to_string(),
        github: prepared.settings.own_repository.clone(),
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
        shallow: local.is_shallow().unwrap_or(false),
    })
}

/// Each snapshot (at a period's end, a main-line position), the events between them and how
/// many commits were judged afresh.
fn judge_snapshots(
    prepared: &Prepared,
    repo: &gix::Repository,
    line: &[Line],
    ends: &[(i64, usize)],
) -> Result<(Vec<Snapshot>, Vec<Event>, usize), ScanError> {
    let mut judge = Judge::new(prepared);
    let mut snapshots = Vec::new();
    for &(end, position) in ends {
        let findings = judge.findings(line[position])?;
        snapshots.push(snapshot(end, line[position].id, findings));
    }
    let judged = judge.judged;
    let positions: Vec<usize> = ends.iter().map(|&(_, position)| position).collect();
    let events = events(repo, &mut judge, line, &snapshots, &positions)?;
    Ok((snapshots, events, judged))
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
/// A commit judged afresh has its listing patched from the last one's by that diff, and only
/// the paths it added matched against the rules' globs.
struct Judge<'a> {
    prepared: &'a Prepared,
    /// Every judged or reused tree's findings, and what they depend on.
    by_tree: HashMap<ObjectId, (Vec<Finding>, Rc<Depends>)>,
    /// The tree judged last, which the next commit is compared with, and its listing.
    last: Option<Listing>,
    /// The blobs the last judgement read.
    blobs: BlobCache,
    /// At most what a judgement of every rule would read now: what the last one read, plus
    /// every blob read afresh since (such a judgement reads only files the last one read or
    /// blobs read since). Past half the read budget, every commit is judged in full, as a
    /// judgement of a few rules reads less and would stay within a budget the full one
    /// overruns.
    full_read: u64,
    judged: usize,
}

/// The tree judged last: its listing, the globs each of its entries matches and its
/// components' findings.
struct Listing {
    id: ObjectId,
    tree: Tree,
    hits: Hits,
    components: Vec<ComponentFindings>,
}

/// What a judgement depended on beyond the files the rules select: the paths it read and the
/// paths (and include patterns) it looked up by name.
struct Depends {
    /// The paths read, hashed: a monorepo's judgement reads tens of thousands, and two paths
    /// with one hash only cost a judgement that was not needed.
    read: HashSet<u64>,
    names: HashSet<String>,
    patterns: PathSet,
    /// Where findings were kept from the judgement before: what that one depended on, and
    /// the rules (by index in the plan) whose findings were kept.
    inherited: Option<Inherited>,
}

/// An earlier judgement's dependencies, and the rules (by index in the plan) whose findings
/// were kept from it.
type Inherited = (Rc<Depends>, Vec<bool>);

fn path_hash(path: &[u8]) -> u64 {
    use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};
    BuildHasherDefault::<DefaultHasher>::default().hash_one(path)
}

impl Depends {
    /// What `judged` (of `tree`) depended on; where it kept findings from an earlier
    /// judgement, that one's dependencies too, for the rules kept.
    fn of(judged: &Judged, tree: &Tree, earlier: Option<Inherited>) -> Depends {
        let (patterns, names): (Vec<&String>, Vec<&String>) =
            judged.lookups.iter().partition(|path| path.contains('*'));
        let mut names: HashSet<String> = names.into_iter().cloned().collect();
        let mut patterns: Vec<String> = patterns.into_iter().cloned().collect();
        // A lookup can matter to any rule: all of them are kept.
        if let Some((earlier, _)) = &earlier {
            names.extend(earlier.names.iter().cloned());
            patterns.extend(earlier.patterns.globs.iter().cloned());
            patterns.sort();
            patterns.dedup();
        }
        Depends {
            read: judged
                .read
                .iter()
                .map(|&entry| path_hash(&tree.entries[entry].path))
                .collect(),
            names,
            patterns: PathSet::new(patterns),
            inherited: earlier,
        }
    }

    /// Whether the contents of the path hashed `hash` were read for a finding this
    /// judgement holds: read by it, or by an earlier one for a rule whose finding was kept,
    /// of those (`selecting`) whose globs select the path. Reads are not told apart by rule:
    /// a kept rule selecting a path another rule read counts too.
    fn read(&self, hash: u64, selecting: &[usize], live: &dyn Fn(usize) -> bool) -> bool {
        self.read.contains(&hash)
            || self.inherited.as_ref().is_some_and(|(earlier, kept)| {
                let live = |rule: usize| kept[rule] && live(rule);
                selecting.iter().any(|&rule| live(rule)) && earlier.read(hash, selecting, &live)
            })
    }

    /// Whether `change` touches a path looked up by name.
    fn looked_up(&self, change: &Changed) -> bool {
        self.names.contains(change.path().to_str_lossy().as_ref())
            || self.patterns.contains(change.path())
    }

    /// Whether `change` can alter a rule of a judgement that depended on this other than
    /// through the rule's own globs: a path looked up by name, or one read that no rule
    /// selects (a script a pipeline runs, an included file). A path that another rule
    /// selects is left out, though following may have read it for this rule too: `flip`
    /// checks its answer.
    fn reached_by(&self, change: &Changed, plan: &Plan) -> bool {
        self.looked_up(change)
            || matches!(change.kind, Touch::Content)
                && plan.rules_selecting(change.path()).is_empty()
                && self.read_by_any(path_hash(change.path()))
    }

    /// Whether this judgement, or one it kept findings from, read the path hashed `hash`.
    fn read_by_any(&self, hash: u64) -> bool {
        self.read.contains(&hash)
            || self
                .inherited
                .as_ref()
                .is_some_and(|(earlier, _)| earlier.read_by_any(hash))
    }

    /// Whether `change` can alter a judgement that depended on this, where `selects` says
    /// which paths the rules in question select and `plan` holds the rules judged.
    fn touched_by(&self, change: &Changed, selects: &dyn Fn(&[u8]) -> bool, plan: &Plan) -> bool {
        self.looked_up(change)
            || match change.kind {
                // The same path, another blob: only what was read can tell.
                Touch::Content => {
                    let hash = path_hash(change.path());
                    self.read.contains(&hash)
                        || self.inherited.is_some()
                            && self.read(hash, &plan.rules_selecting(change.path()), &|_| true)
                }
                Touch::Presence => selects(change.path()),
            }
    }
}

impl<'a> Judge<'a> {
    fn new(prepared: &'a Prepared) -> Judge<'a> {
        Judge {
            prepared,
            by_tree: HashMap::new(),
            last: None,
            blobs: BlobCache::default(),
            full_read: 0,
            judged: 0,
        }
    }

    fn findings(&mut self, commit: Line) -> Result<Vec<Finding>, ScanError> {
        if let Some((findings, _)) = self.by_tree.get(&commit.tree) {
            return Ok(findings.clone());
        }
        let Some(last) = self.last.take() else {
            let tree = self.prepared.list(commit.id, commit.tree)?;
            let hits = self.prepared.plan().hits(&tree);
            return self.judge(commit.tree, tree, hits, None);
        };
        let changes = self.changes(last.id, commit.tree)?;
        let (findings, depends) = &self.by_tree[&last.id];
        let plan = self.prepared.plan();
        let selects = |path: &[u8]| plan.selects(path);
        if !changes
            .iter()
            .any(|change| depends.touched_by(change, &selects, plan))
        {
            let findings = findings.clone();
            let reused = (findings.clone(), Rc::clone(depends));
            self.by_tree.insert(commit.tree, reused);
            self.last = Some(last);
            return Ok(findings);
        }
        // A path looked up by name can matter to any component; otherwise a component
        // nothing below changed keeps its findings.
        let within_budget = self.full_read <= self.prepared.settings.max_total_read / 2;
        let reusable = within_budget && !changes.iter().any(|change| depends.looked_up(change));
        let (findings, depends) = (findings.clone(), Rc::clone(depends));
        let mut dirty = vec![false; plan.rules().len()];
        for change in &changes {
            for rule in plan.rules_selecting(change.path()) {
                dirty[rule] = true;
            }
        }
        let mut changed: Vec<BString> =
            changes.iter().map(|change| change.path().clone()).collect();
        changed.sort();
        let patches = changes.into_iter().map(|change| change.patch).collect();
        let (tree, origins) = last.tree.patched(patches);
        let limit = self.prepared.target.max_entries;
        if tree.entries.len() > limit {
            return Err(RepoError::TooManyEntries { limit }.into());
        }
        let hits = plan.patch_hits(&last.hits, &tree, &origins);
        // The last listing is not needed past here: a large tree's peak memory.
        let Listing { components, .. } = last;
        let changed_below = |dir: &str| {
            let prefix = format!("{dir}/");
            let start = changed.partition_point(|path| path.as_slice() < prefix.as_bytes());
            changed
                .get(start)
                .is_some_and(|path| path.starts_with(prefix.as_bytes()))
        };
        // What the kept findings depended on stays a dependency: the rules no change
        // selected, and the per-component rules (kept in the components nothing changed in).
        let has_components = !components.is_empty();
        let kept: Vec<bool> = (0..dirty.len())
            .map(|rule| !dirty[rule] || (has_components && plan.rules()[rule].per_component))
            .collect();
        let previous = reusable.then(|| {
            let reuse = Reuse {
                findings: &findings,
                components,
                dirty: &dirty,
                changed: &changed_below,
            };
            (reuse, (depends, kept))
        });
        self.judge(commit.tree, tree, hits, previous)
    }

    /// Judges a listed tree, taking the findings of unchanged components from `previous`.
    fn judge(
        &mut self,
        id: ObjectId,
        tree: Tree,
        hits: Hits,
        previous: Option<(Reuse, Inherited)>,
    ) -> Result<Vec<Finding>, ScanError> {
        let (reuse, earlier) = previous.unzip();
        let full = reuse.is_none();
        let judged = self.prepared.judge(&tree, &hits, reuse, &self.blobs)?;
        let fresh = self.blobs.end_judgement();
        self.judged += 1;
        self.full_read = match full {
            true => judged.read_bytes,
            false => self.full_read.saturating_add(fresh),
        };
        let depends = Rc::new(Depends::of(&judged, &tree, earlier));
        self.by_tree.insert(id, (judged.findings.clone(), depends));
        self.last = Some(Listing {
            id,
            tree,
            hits,
            components: judged.components,
        });
        Ok(judged.findings)
    }

    /// What a tree's findings depended on (a tree judged or reused before).
    fn depends(&self, tree: ObjectId) -> Option<Rc<Depends>> {
        self.by_tree
            .get(&tree)
            .map(|(_, depends)| Rc::clone(depends))
    }

    fn changes(&self, from: ObjectId, to: ObjectId) -> Result<Vec<Changed>, ScanError> {
        let repo = self.prepared.target.repo.to_thread_local();
        tree_changes(&repo, from, to)
    }
}

enum Touch {
    /// A file's contents changed.
    Content,
    /// A path appeared, disappeared or changed kind (file, link, submodule).
    Presence,
}

struct Changed {
    kind: Touch,
    /// The change, as a listing is patched with it (its path is the changed path).
    patch: Patch,
}

impl Changed {
    fn path(&self) -> &BString {
        &self.patch.path
    }
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
            let (path, kind, now) = match change {
                Change::Addition {
                    entry_mode,
                    oid,
                    path,
                    ..
                } => (!entry_mode.is_tree()).then_some((
                    path,
                    Touch::Presence,
                    Some((entry_mode.kind(), oid)),
                ))?,
                Change::Deletion {
                    entry_mode, path, ..
                } => (!entry_mode.is_tree()).then_some((path, Touch::Presence, None))?,
                Change::Modification {
                    previous_entry_mode,
                    entry_mode,
                    oid,
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
                    (path, kind, Some((entry_mode.kind(), oid)))
                }
            };
            Some(Changed {
                kind,
                patch: Patch { path, now },
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
    // Per rule, the last snapshot that judged it a pass or a failure: a rule that stopped
    // applying for a while (its Dockerfile removed, then added back) is compared with that,
    // so pass, not applicable, fail is a loss and pass, not applicable, pass is none.
    let mut judged: HashMap<&str, (Status, usize)> = HashMap::new();
    for finding in snapshots.first().map_or(&[][..], |first| &first.findings) {
        if matches!(finding.status, Status::Pass | Status::Fail) {
            judged.insert(&finding.rule, (finding.status, 0));
        }
    }
    for pair in 1..snapshots.len() {
        let after = &snapshots[pair];
        for finding in &after.findings {
            if !matches!(finding.status, Status::Pass | Status::Fail) {
                continue;
            }
            let was = judged.insert(&finding.rule, (finding.status, pair));
            let (change, since) = match (was, finding.status) {
                (Some((Status::Fail, since)), Status::Pass) => (ChangeKind::Adopted, since),
                // Not applicable or unknown until now: adopted since the snapshot before.
                (None, Status::Pass) => (ChangeKind::Adopted, pair - 1),
                (Some((Status::Pass, since)), Status::Fail) => (ChangeKind::Lost, since),
                _ => continue,
            };
            let (low, high) = (positions[since], positions[pair]);
            if low == high {
                continue;
            }
            let passes = change == ChangeKind::Adopted;
            let rule = judge
                .prepared
                .plan()
                .rules()
                .iter()
                .find(|rule| rule.id == finding.rule);
            let high = match rule {
                Some(rule) => flip(judge, line, rule, passes, (low, high))?,
                None => bisect(judge, line, &finding.rule, passes, (low, high))?,
            };
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

/// Whether `rule` passes at main-line position `at`.
fn passes_at(judge: &mut Judge, line: &[Line], rule: &str, at: usize) -> Result<bool, ScanError> {
    Ok(status_in(&judge.findings(line[at])?, rule) == Some(Status::Pass))
}

/// The position in `(low, high]` of the first commit whose status of `rule` is the new one
/// (`passes`) while its first parent's is not, by bisection: it holds at `high`, not at `low`.
fn bisect(
    judge: &mut Judge,
    line: &[Line],
    rule: &str,
    passes: bool,
    (mut low, mut high): (usize, usize),
) -> Result<usize, ScanError> {
    while high - low > 1 {
        let middle = low + (high - low) / 2;
        if passes_at(judge, line, rule, middle)? == passes {
            high = middle;
        } else {
            low = middle;
        }
    }
    Ok(high)
}

/// As `bisect`, judging only commits that can have changed the rule: those whose diff from
/// their first parent touches a path the rule selects, a path either end's judgement looked
/// up, or one it read that no rule selects (what following a pipeline read). The answer is checked (its parent must not have the new
/// status); should a change the ends did not depend on have made the difference, the whole
/// span is bisected instead.
fn flip(
    judge: &mut Judge,
    line: &[Line],
    rule: &crate::rules::Rule,
    passes: bool,
    (low, high): (usize, usize),
) -> Result<usize, ScanError> {
    let depends = [line[low].tree, line[high].tree].map(|tree| judge.depends(tree));
    let Ok(plan) = crate::engine::Plan::new(vec![rule.clone()], &judge.prepared.settings.exclude)
    else {
        return bisect(judge, line, &rule.id, passes, (low, high));
    };
    let selects = |path: &[u8]| plan.selects(path);
    let mut candidates = Vec::new();
    for at in low + 1..=high {
        let changes = judge.changes(line[at - 1].tree, line[at].tree)?;
        let touched = changes.iter().any(|change| {
            selects(change.path())
                || depends
                    .iter()
                    .flatten()
                    .any(|depends| depends.reached_by(change, judge.prepared.plan()))
        });
        if touched {
            candidates.push(at);
        }
    }
    // The first candidate with the new status: the status is the old one before it.
    let (mut before, mut after) = (0, candidates.len());
    while before < after {
        let middle = before + (after - before) / 2;
        if passes_at(judge, line, &rule.id, candidates[middle])? == passes {
            after = middle;
        } else {
            before = middle + 1;
        }
    }
    if let Some(&found) = candidates.get(after) {
        let parent_differs =
            found - 1 == low || passes_at(judge, line, &rule.id, found - 1)? != passes;
        if parent_differs {
            return Ok(found);
        }
    }
    bisect(judge, line, &rule.id, passes, (low, high))
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

/// A subject for one line: a commit whose message is one long paragraph has it all as its
/// summary.
fn shortened(subject: &str) -> String {
    const MAX_CHARS: usize = 100;
    match subject.char_indices().nth(MAX_CHARS) {
        Some((end, _)) => format!("{}…", &subject[..end]),
        None => subject.to_owned(),
    }
}

//! The organisation's picture, read back from sweep output (one or more JSON Lines files,
//! such as the shards of one sweep): per repository its area scores, failing rules and
//! moving signals; across repositories the weakest practices and each area's spread.

use std::collections::{BTreeMap, BTreeSet};
use std::io::BufRead;
use std::path::Path;

use serde::Deserialize;

use crate::area::Area;
use crate::finding::Status;
use crate::report::SCHEMA_VERSION;
use crate::severity::Severity;

/// Every repository of the sweep files, by path (a repository swept twice — shards that
/// overlapped, a resumed sweep — counts once, its last line).
#[derive(Debug, Default)]
pub struct Fleet {
    pub repositories: Vec<Repository>,
    pub failures: Vec<Failure>,
    /// Rule id → (area, title), for every rule some repository was judged on.
    pub rules: BTreeMap<String, (Area, String)>,
    /// How many sweep files were read (the shards of a sweep, or one).
    pub files: usize,
    /// The history windows of the scanned repositories ("90 days", "all history", "no
    /// history") → how many repositories had each.
    pub windows: BTreeMap<String, usize>,
    /// The opslint versions that wrote the lines.
    pub versions: BTreeSet<String>,
    /// Lines that were not sweep lines (`file:line`), skipped.
    pub corrupt: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Repository {
    pub name: String,
    pub owners: Vec<String>,
    pub score: Option<u32>,
    pub areas: BTreeMap<Area, AreaScore>,
    /// Rule id → whether it passed (`true`) or failed; rules that did not apply are absent.
    pub judged: BTreeMap<String, bool>,
    /// Failing rules: (rule, severity, message), most severe first.
    pub failing: Vec<(String, String, String)>,
    /// History figures with a trend: (figure, trend).
    pub trends: Vec<(String, String)>,
    /// What the repository's own config changed of the organisation's bar.
    pub overrides: Vec<crate::config::overridden::Override>,
    /// How many custom rules of the repository's own config were judged and left out of its
    /// scores here (`score` and `areas` are the organisation's rules and the built-ins only).
    pub own_rules_left_out: usize,
    /// Its plan's first steps (`opslint plan`), built-in rules only: rule ids in order.
    pub next_steps: Vec<String>,
    /// Its timeline, when the sweep took one (`sweep --timeline`).
    pub timeline: Option<RepositoryTimeline>,
}

/// What the organisation's picture keeps of a repository's timeline.
#[derive(Debug, Clone, Default)]
pub struct RepositoryTimeline {
    /// Per snapshot: its month (`YYYY-MM`) and the rules passing then.
    pub snapshots: Vec<(String, BTreeSet<String>)>,
    /// Each area's level at the first snapshot and at the last.
    pub levels: BTreeMap<Area, (Option<u8>, Option<u8>)>,
    /// (rule, `adopted` or `lost`, date), oldest first.
    pub events: Vec<(String, String, String)>,
}

#[derive(Debug, Clone, Copy)]
pub struct AreaScore {
    pub score: Option<u32>,
    /// The maturity level reached (absent from lines of opslint before levels).
    pub level: Option<u8>,
    pub passed: u64,
    pub failed: u64,
}

/// A repository the sweep could not scan.
#[derive(Debug, Clone)]
pub struct Failure {
    pub name: String,
    pub code: String,
    pub message: String,
}

/// One sweep line, summarised.
enum Line {
    Scanned(Box<Repository>, String),
    Failed(Failure),
}

/// Why a line was not read.
enum Unread {
    /// Not JSON, or not the shape of a sweep line: skipped, and counted.
    Damaged(serde_json::Error),
    /// A report of a schema version this opslint does not read: an error.
    OtherSchema(u64),
}

// What a sweep line holds, as the report (`report::Report`) and the error line
// (`sweep::ErrorLine`) write it, of the fields this reader needs. Read-side types rather than
// `Deserialize` on the written ones: those hold `&'static str` (the tool, an area's title, a
// figure's id) and types of other layers (history, components, pull requests), and the
// organisation's picture needs a few hundred bytes of a line that can be megabytes (a
// monorepo's components), which serde skips here without building it. Fields not named are
// ignored, as before: a newer opslint of the same schema version may add some.

/// The fields that say which kind of line this is, read first.
#[derive(Deserialize)]
struct LineHead {
    /// Written on every report since the first; error lines have none.
    schema_version: Option<u64>,
    /// Present on the line of a repository that could not be scanned.
    error: Option<serde::de::IgnoredAny>,
}

/// The line of a repository that could not be scanned.
#[derive(Deserialize)]
struct FailedLine {
    repository: RepositoryLine,
    error: super::ErrorInfo,
}

/// A repository's report.
#[derive(Deserialize)]
struct ReportLine {
    tool: ToolLine,
    repository: RepositoryLine,
    score: Option<u32>,
    areas: Vec<Lenient<AreaLine>>,
    findings: Vec<Lenient<FindingLine>>,
    history: Option<HistoryLine>,
    /// Present when the sweep took timelines.
    timeline: Option<Lenient<TimelineLine>>,
}

#[derive(Deserialize)]
struct TimelineLine {
    snapshots: Vec<SnapshotLine>,
    events: Vec<Lenient<EventLine>>,
}

#[derive(Deserialize)]
struct SnapshotLine {
    date: String,
    #[serde(default)]
    passing: Vec<String>,
    areas: Vec<Lenient<AreaAtLine>>,
}

#[derive(Deserialize)]
struct AreaAtLine {
    #[serde(deserialize_with = "area_id")]
    id: Area,
    level: Option<u8>,
}

#[derive(Deserialize)]
struct EventLine {
    rule: String,
    change: String,
    date: String,
}

/// One entry of a list a newer opslint of the same schema version may extend with values
/// this one does not know (an area, a status, a severity): such an entry is passed over, as
/// before lines were typed, and the rest of the line is kept.
struct Lenient<T>(Option<T>);

impl<'de, T: serde::de::DeserializeOwned> Deserialize<'de> for Lenient<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = serde_json::Value::deserialize(deserializer)?;
        Ok(Lenient(T::deserialize(value).ok()))
    }
}

impl<T> Lenient<T> {
    /// The entries this opslint understood, in order.
    fn known(entries: Vec<Lenient<T>>) -> impl Iterator<Item = T> {
        entries.into_iter().filter_map(|Lenient(entry)| entry)
    }
}

#[derive(Deserialize)]
struct ToolLine {
    version: String,
}

#[derive(Deserialize)]
struct RepositoryLine {
    path: String,
    /// Set by the sweep; a `check --format json` report has none.
    name: Option<String>,
    #[serde(default)]
    owners: Vec<String>,
    #[serde(default)]
    overrides: Vec<crate::config::overridden::Override>,
}

#[derive(Deserialize)]
struct AreaLine {
    #[serde(deserialize_with = "area_id")]
    id: Area,
    score: Option<u32>,
    passed: u64,
    failed: u64,
    #[serde(default)]
    level: Option<u8>,
    /// How much of the area was judged, in per cent (reports from before it have none; any
    /// number is read, so that a hand-edited `49.5` still withholds the score).
    #[serde(default)]
    judged_share: Option<f64>,
}

#[derive(Deserialize)]
struct FindingLine {
    rule: String,
    #[serde(deserialize_with = "area_id")]
    area: Area,
    status: Status,
    severity: Severity,
    weight: u64,
    title: String,
    message: String,
    #[serde(default)]
    level: Option<u8>,
}

#[derive(Deserialize)]
struct HistoryLine {
    window: WindowLine,
    figures: Vec<FigureLine>,
}

#[derive(Deserialize)]
struct WindowLine {
    /// None for the whole history.
    since: Option<String>,
    until: String,
}

#[derive(Deserialize)]
struct FigureLine {
    id: String,
    /// `improving`, `worsening`, `steady` or `unknown` (`history::figures::Trend`).
    trend: String,
}

fn count_most_first(items: impl Iterator<Item = String>) -> Vec<(String, usize)> {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for item in items {
        *counts.entry(item).or_default() += 1;
    }
    let mut counted: Vec<(String, usize)> = counts.into_iter().collect();
    counted.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    counted
}

fn summarise_timeline(timeline: TimelineLine) -> RepositoryTimeline {
    let mut levels: BTreeMap<Area, (Option<u8>, Option<u8>)> = BTreeMap::new();
    let count = timeline.snapshots.len();
    let mut snapshots = Vec::with_capacity(count);
    for (index, snapshot) in timeline.snapshots.into_iter().enumerate() {
        for area in Lenient::known(snapshot.areas) {
            let entry = levels.entry(area.id).or_default();
            if index == 0 {
                entry.0 = area.level;
            }
            if index + 1 == count {
                entry.1 = area.level;
            }
        }
        let month = snapshot.date.get(..7).unwrap_or_default().to_owned();
        snapshots.push((month, snapshot.passing.into_iter().collect()));
    }
    let events = Lenient::known(timeline.events)
        .map(|event| (event.rule, event.change, event.date))
        .collect();
    RepositoryTimeline {
        snapshots,
        levels,
        events,
    }
}

/// One practice's adoption across the organisation: per month, how many repositories had
/// it of those with a snapshot that month.
#[derive(Debug, Clone)]
pub struct Adoption {
    pub rule: String,
    pub months: Vec<(String, usize, usize)>,
}

impl Adoption {
    /// The share (0-100) in each month.
    pub fn shares(&self) -> Vec<Option<u32>> {
        self.months
            .iter()
            .map(|(_, having, of)| (*of > 0).then(|| (100 * having / of) as u32))
            .collect()
    }

    fn change(&self) -> i64 {
        let shares: Vec<u32> = self.shares().into_iter().flatten().collect();
        match (shares.first(), shares.last()) {
            (Some(first), Some(last)) => i64::from(*last) - i64::from(*first),
            _ => 0,
        }
    }
}

/// How many steps of each repository's plan the organisation's report weighs.
pub const PLAN_STEPS: usize = 3;

/// A repository's first steps (`plan::plan`) from its sweep line's findings: the built-in
/// rules' prerequisites, levels and effort, the line's statuses and weights.
fn next_steps(findings: &[FindingLine], own_rules: &BTreeSet<&str>) -> Vec<String> {
    let builtin = crate::rules::builtin_rules();
    let summaries: Vec<crate::finding::Finding> = findings
        .iter()
        .filter(|finding| !own_rules.contains(finding.rule.as_str()))
        .filter_map(|finding| {
            let rule = builtin.iter().find(|rule| rule.id == finding.rule)?;
            let weight = u32::try_from(finding.weight).unwrap_or(rule.weight);
            Some(crate::finding::Finding::summary(
                rule,
                finding.status,
                weight,
            ))
        })
        .collect();
    let report = crate::report::Report::new(crate::report::RepositoryInfo::unnamed(), summaries);
    crate::plan::plan(&report, PLAN_STEPS)
        .steps
        .into_iter()
        .map(|step| step.rule)
        .collect()
}

/// An area by its id, as reports write it.
fn area_id<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Area, D::Error> {
    let id = String::deserialize(deserializer)?;
    Area::from_id(&id).ok_or_else(|| serde::de::Error::custom(format_args!("unknown area `{id}`")))
}

/// A practice and how many repositories fail it, of those it applies to.
#[derive(Debug, Clone)]
pub struct Weakness {
    pub rule: String,
    pub title: String,
    pub area: Area,
    pub failing: usize,
    pub applicable: usize,
}

impl Weakness {
    /// The share failing, in whole percent, rounded to the nearest (11 of 12 is 92 %), but
    /// never 100 % while one repository passes nor 0 % while one fails: 995 of 1,000 is
    /// 99 %, 1 of 1,000 is 1 %.
    pub fn percent(&self) -> u32 {
        let applicable = self.applicable.max(1);
        let rounded = (200 * self.failing + applicable) / (2 * applicable);
        let rounded = if self.failing < applicable {
            rounded.min(99)
        } else {
            rounded
        };
        let rounded = if self.failing > 0 {
            rounded.max(1)
        } else {
            rounded
        };
        rounded as u32
    }
}

impl Fleet {
    /// Reads sweep files. A line that is not a sweep line is skipped with a warning naming
    /// its file and line; one of a schema version this opslint does not read is an error.
    pub fn load(files: &[impl AsRef<Path>]) -> Result<Fleet, miette::Report> {
        let mut fleet = Fleet {
            files: files.len(),
            ..Fleet::default()
        };
        // Each line is summarised as it is read (a report is kilobytes, its summary a few
        // hundred bytes): an organisation's sweep is not held whole.
        let mut by_path: BTreeMap<String, Line> = BTreeMap::new();
        let mut read = 0;
        for file in files {
            let file = file.as_ref();
            let open = std::fs::File::open(file)
                .map_err(|error| miette::miette!("cannot read {}: {error}", file.display()))?;
            for (index, line) in std::io::BufReader::new(open).lines().enumerate() {
                let line = line
                    .map_err(|error| miette::miette!("cannot read {}: {error}", file.display()))?;
                if line.trim().is_empty() {
                    continue;
                }
                let at = || format!("{}:{}", file.display(), index + 1);
                let (path, summary) = match fleet.read_line(&line) {
                    Ok(read) => read,
                    Err(Unread::Damaged(error)) => {
                        // One damaged line (a disk that filled up, a hand edit) costs that
                        // repository, not the organisation's picture: it is skipped, named
                        // on stderr and counted in the report.
                        let at = at();
                        eprintln!(
                            "{}",
                            crate::text::for_terminal(&format!(
                                "warning: {at}: not a sweep line, skipped: {error}"
                            ))
                        );
                        fleet.corrupt.push(at);
                        continue;
                    }
                    // A line of another schema is not damaged: read as this one, it would
                    // be misread, and skipping every such line would leave a picture
                    // missing whatever a newer opslint swept.
                    Err(Unread::OtherSchema(version)) => {
                        return Err(miette::miette!(
                            help = "report with the opslint that wrote the sweep, or a newer one",
                            "{}: a sweep line of schema version {version}; opslint {} reads \
                             version {SCHEMA_VERSION}",
                            crate::text::for_terminal(&at()),
                            env!("CARGO_PKG_VERSION")
                        ));
                    }
                };
                read += 1;
                by_path.insert(path, summary);
            }
        }
        if read == 0
            && let Some(first) = fleet.corrupt.first()
        {
            return Err(miette::miette!(
                help = "give the JSON Lines files `opslint sweep` wrote",
                "{first}: not a sweep line, and no line of the files is one"
            ));
        }
        for line in by_path.into_values() {
            match line {
                Line::Scanned(repository, window) => {
                    *fleet.windows.entry(window).or_default() += 1;
                    fleet.repositories.push(*repository);
                }
                Line::Failed(failure) => fleet.failures.push(failure),
            }
        }
        fleet.repositories.sort_by(|a, b| a.name.cmp(&b.name));
        fleet.failures.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(fleet)
    }

    /// One line of a sweep file: the repository's path and its summary.
    fn read_line(&mut self, line: &str) -> Result<(String, Line), Unread> {
        let head: LineHead = serde_json::from_str(line).map_err(Unread::Damaged)?;
        if let Some(version) = head.schema_version
            && version != u64::from(SCHEMA_VERSION)
        {
            return Err(Unread::OtherSchema(version));
        }
        if head.error.is_some() {
            let failed: FailedLine = serde_json::from_str(line).map_err(Unread::Damaged)?;
            let name = failed
                .repository
                .name
                .unwrap_or_else(|| failed.repository.path.clone());
            let failure = Failure {
                name,
                code: failed.error.code,
                message: failed.error.message,
            };
            return Ok((failed.repository.path, Line::Failed(failure)));
        }
        // Every report carries its schema version: a line without one is not a report.
        if head.schema_version.is_none() {
            return Err(Unread::Damaged(serde::de::Error::missing_field(
                "schema_version",
            )));
        }
        let report: ReportLine = serde_json::from_str(line).map_err(Unread::Damaged)?;
        Ok((report.repository.path.clone(), self.summarise(report)))
    }

    /// A report as the organisation's picture needs it; the rules it judged are noted in
    /// `self.rules`.
    fn summarise(&mut self, report: ReportLine) -> Line {
        self.versions.insert(report.tool.version);
        let repository = report.repository;
        let name = repository.name.unwrap_or(repository.path);
        let findings: Vec<FindingLine> = Lenient::known(report.findings).collect();
        let areas = Lenient::known(report.areas)
            .map(|area| {
                // An area mostly unknown has no score, as its repository's check says.
                let counts = AreaScore {
                    score: area.score.filter(|_| {
                        !area
                            .judged_share
                            .is_some_and(crate::report::too_little_judged)
                    }),
                    level: area.level,
                    passed: area.passed,
                    failed: area.failed,
                };
                (area.id, counts)
            })
            .collect();
        let overrides = repository.overrides;
        // A repository's own custom rules are its own business: they are not the
        // organisation's practices, and do not rank among the weakest.
        let own_rules: BTreeSet<&str> = overrides
            .iter()
            .filter(|change| change.kind == "custom-rule")
            .map(|change| change.id.as_str())
            .collect();
        // Nor do they count in its scores here: rules that always pass, of any weight, would
        // lift a repository's place in the organisation's picture, even in an area the
        // organisation locked. Its own check report still counts them.
        let (areas, score, own_rules_left_out) = if own_rules.is_empty() {
            (areas, report.score, 0)
        } else {
            without_own_rules(&findings, &own_rules)
        };
        let next_steps = next_steps(&findings, &own_rules);
        let timeline = report
            .timeline
            .and_then(|timeline| timeline.0)
            .map(summarise_timeline);
        let mut judged = BTreeMap::new();
        let mut failing = Vec::new();
        for finding in findings {
            let own = own_rules.contains(finding.rule.as_str());
            if !own {
                self.rules
                    .entry(finding.rule.clone())
                    .or_insert_with(|| (finding.area, finding.title));
                match finding.status {
                    Status::Pass => {
                        judged.insert(finding.rule.clone(), true);
                    }
                    Status::Fail => {
                        judged.insert(finding.rule.clone(), false);
                    }
                    _ => {}
                }
            }
            if finding.status == Status::Fail {
                failing.push((finding.rule, finding.severity, finding.message));
            }
        }
        // Most severe first; in the report's order within a severity.
        failing.sort_by_key(|(_, severity, _)| std::cmp::Reverse(*severity));
        let failing = failing
            .into_iter()
            .map(|(rule, severity, message)| (rule, severity.as_str().to_owned(), message))
            .collect();
        let trends = report
            .history
            .iter()
            .flat_map(|history| &history.figures)
            .filter(|figure| figure.trend == "improving" || figure.trend == "worsening")
            .map(|figure| (figure.id.clone(), figure.trend.clone()))
            .collect();
        Line::Scanned(
            Box::new(Repository {
                name,
                owners: repository.owners,
                score,
                areas,
                judged,
                failing,
                trends,
                overrides,
                own_rules_left_out,
                next_steps,
                timeline,
            }),
            window(report.history.as_ref().map(|history| &history.window)),
        )
    }

    /// The rules that are among the next steps of the most repositories: (rule, how many),
    /// most first.
    pub fn next_steps(&self) -> Vec<(String, usize)> {
        count_most_first(
            self.repositories
                .iter()
                .flat_map(|repository| repository.next_steps.iter().cloned()),
        )
    }

    /// Per owning team (CODEOWNERS' catch-all owners), its own first step: the rule that is
    /// first in the plans of most of its repositories, with how many of how many.
    pub fn first_step_by_owner(&self) -> Vec<(String, String, usize, usize)> {
        self.by_owner()
            .into_iter()
            .filter_map(|(owner, repositories)| {
                let firsts = repositories
                    .iter()
                    .filter_map(|repository| repository.next_steps.first().cloned());
                let (rule, count) = count_most_first(firsts).into_iter().next()?;
                Some((owner, rule, count, repositories.len()))
            })
            .collect()
    }

    /// The repositories with a timeline.
    pub fn with_timelines(&self) -> Vec<(&Repository, &RepositoryTimeline)> {
        self.repositories
            .iter()
            .filter_map(|repository| Some((repository, repository.timeline.as_ref()?)))
            .collect()
    }

    /// Per practice that moved, its adoption curve over the months the timelines cover,
    /// the practices that moved most first.
    pub fn adoption(&self) -> Vec<Adoption> {
        let timelines = self.with_timelines();
        let months: BTreeSet<&str> = timelines
            .iter()
            .flat_map(|(_, timeline)| timeline.snapshots.iter().map(|(month, _)| month.as_str()))
            .collect();
        let mut curves: Vec<Adoption> = self
            .rules
            .keys()
            .map(|rule| Adoption {
                rule: rule.clone(),
                months: months
                    .iter()
                    .map(|month| {
                        // A repository's last snapshot in the month stands for it.
                        let states = timelines.iter().filter_map(|(_, timeline)| {
                            timeline
                                .snapshots
                                .iter()
                                .rev()
                                .find(|(at, _)| at == month)
                                .map(|(_, passing)| passing.contains(rule))
                        });
                        let (having, of) = states.fold((0, 0), |(having, of), passes| {
                            (having + usize::from(passes), of + 1)
                        });
                        ((*month).to_owned(), having, of)
                    })
                    .collect(),
            })
            .filter(|curve| curve.change() != 0)
            .collect();
        curves.sort_by(|a, b| {
            b.change()
                .abs()
                .cmp(&a.change().abs())
                .then_with(|| a.rule.cmp(&b.rule))
        });
        curves
    }

    /// Every adoption and loss in the timelines: (repository, rule, change, date), newest
    /// first.
    pub fn timeline_events(&self) -> Vec<(&str, &str, &str, &str)> {
        let mut events: Vec<(&str, &str, &str, &str)> = self
            .with_timelines()
            .into_iter()
            .flat_map(|(repository, timeline)| {
                timeline.events.iter().map(move |(rule, change, date)| {
                    (
                        repository.name.as_str(),
                        rule.as_str(),
                        change.as_str(),
                        date.as_str(),
                    )
                })
            })
            .collect();
        events.sort_by(|a, b| b.3.cmp(a.3).then_with(|| a.0.cmp(b.0)));
        events
    }

    /// Per area, how many repositories' level rose and fell from their first snapshot to
    /// their last.
    pub fn level_moves(&self) -> Vec<(Area, usize, usize)> {
        let timelines = self.with_timelines();
        Area::ALL
            .into_iter()
            .map(|area| {
                let moved = timelines.iter().filter_map(|(_, timeline)| {
                    let (first, last) = timeline.levels.get(&area)?;
                    Some(last.unwrap_or(0).cmp(&first.unwrap_or(0)))
                });
                let (rose, fell) = moved.fold((0, 0), |(rose, fell), order| match order {
                    std::cmp::Ordering::Greater => (rose + 1, fell),
                    std::cmp::Ordering::Less => (rose, fell + 1),
                    std::cmp::Ordering::Equal => (rose, fell),
                });
                (area, rose, fell)
            })
            .filter(|(_, rose, fell)| rose + fell > 0)
            .collect()
    }

    /// Per area, how many repositories reached each level (0 to 3).
    pub fn levels(&self) -> Vec<(Area, [usize; 4])> {
        self.areas()
            .into_iter()
            .map(|area| {
                let mut counts = [0; 4];
                for repository in &self.repositories {
                    if let Some(level) = repository.areas.get(&area).and_then(|area| area.level) {
                        counts[usize::from(level.min(3))] += 1;
                    }
                }
                (area, counts)
            })
            .filter(|(_, counts)| counts.iter().sum::<usize>() > 0)
            .collect()
    }

    /// How many repositories had custom rules of their own left out of their scores.
    pub fn with_own_rules_left_out(&self) -> usize {
        self.repositories
            .iter()
            .filter(|repository| repository.own_rules_left_out > 0)
            .count()
    }

    /// The areas any repository has applicable rules in, in the model's order.
    pub fn areas(&self) -> Vec<Area> {
        Area::ALL
            .into_iter()
            .filter(|area| {
                self.repositories
                    .iter()
                    .any(|repository| repository.areas.contains_key(area))
            })
            .collect()
    }

    /// Practices by how many repositories fail them, weakest first; of two that as many fail,
    /// the one failing the larger share of the repositories it applies to first. A practice
    /// that one repository of one fails is not weaker than one that eleven of twelve fail.
    pub fn weakest(&self) -> Vec<Weakness> {
        let mut weaknesses: Vec<Weakness> = self
            .rules
            .iter()
            .filter_map(|(rule, (area, title))| {
                let verdicts = self
                    .repositories
                    .iter()
                    .filter_map(|repository| repository.judged.get(rule));
                let (mut failing, mut applicable) = (0, 0);
                for passed in verdicts {
                    applicable += 1;
                    failing += usize::from(!passed);
                }
                (failing > 0).then(|| Weakness {
                    rule: rule.clone(),
                    title: title.clone(),
                    area: *area,
                    failing,
                    applicable,
                })
            })
            .collect();
        weaknesses.sort_by(|a, b| {
            b.failing
                .cmp(&a.failing)
                .then((b.failing * a.applicable).cmp(&(a.failing * b.applicable)))
                .then(a.rule.cmp(&b.rule))
        });
        weaknesses
    }

    /// Each repository's signals that improved minus those that worsened against the
    /// previous window, most improved first; repositories without moving signals left out.
    pub fn movers(&self) -> Vec<(&Repository, i64)> {
        let mut moved: Vec<(&Repository, i64)> = self
            .repositories
            .iter()
            .filter(|repository| !repository.trends.is_empty())
            .map(|repository| {
                let net = repository
                    .trends
                    .iter()
                    .map(|(_, trend)| if trend == "improving" { 1 } else { -1 })
                    .sum();
                (repository, net)
            })
            .collect();
        moved.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.name.cmp(&b.0.name)));
        moved
    }

    /// Repositories by owner (CODEOWNERS' catch-all rule), each repository under each of
    /// its owners; those without one under "(no owner)".
    pub fn by_owner(&self) -> BTreeMap<String, Vec<&Repository>> {
        let mut groups: BTreeMap<String, Vec<&Repository>> = BTreeMap::new();
        for repository in &self.repositories {
            if repository.owners.is_empty() {
                groups
                    .entry("(no owner)".to_owned())
                    .or_default()
                    .push(repository);
            }
            for owner in &repository.owners {
                groups.entry(owner.clone()).or_default().push(repository);
            }
        }
        groups
    }
}

/// A report's history window in words: "90 days" (from its `since` and `until`, to the
/// nearest day), "all history", or "no history" for a line swept with `--no-history`.
fn window(window: Option<&WindowLine>) -> String {
    let Some(WindowLine { since, until }) = window else {
        return "no history".to_owned();
    };
    let Some(since) = since else {
        return "all history".to_owned();
    };
    let seconds = |text: &str| gix::date::parse(text, None).ok().map(|time| time.seconds);
    match (seconds(since), seconds(until)) {
        (Some(since), Some(until)) => {
            let days = (until - since + 43_200).div_euclid(86_400);
            format!("{days} {}", if days == 1 { "day" } else { "days" })
        }
        _ => format!("{since} to {until}"),
    }
}

/// The median of the known values.
pub fn median(values: impl Iterator<Item = u32>) -> Option<u32> {
    let mut values: Vec<u32> = values.collect();
    values.sort_unstable();
    values.get(values.len().saturating_sub(1) / 2).copied()
}

/// A repository's area scores and score from its findings, as `Report::new` computes them,
/// without the rules of `own_rules`; and how many findings were left out.
fn without_own_rules(
    findings: &[FindingLine],
    own_rules: &BTreeSet<&str>,
) -> (BTreeMap<Area, AreaScore>, Option<u32>, usize) {
    // Per area: the weight passed, judged and unknown, and the counts.
    let mut tally: BTreeMap<Area, (u64, u64, u64, AreaScore)> = BTreeMap::new();
    let mut left_out = 0;
    for finding in findings {
        if own_rules.contains(finding.rule.as_str()) {
            left_out += 1;
            continue;
        }
        let (passed, judged, unknown, counts) = tally.entry(finding.area).or_insert((
            0,
            0,
            0,
            AreaScore {
                score: None,
                level: None,
                passed: 0,
                failed: 0,
            },
        ));
        match finding.status {
            Status::Pass => {
                *passed += finding.weight;
                *judged += finding.weight;
                counts.passed += 1;
            }
            Status::Fail => {
                *judged += finding.weight;
                counts.failed += 1;
            }
            Status::Unknown => *unknown += finding.weight,
            _ => {}
        }
    }
    let areas: BTreeMap<Area, AreaScore> = tally
        .into_iter()
        .map(|(area, (passed, judged, unknown, counts))| {
            let applicable = judged + unknown;
            let score = crate::report::area_score(passed, judged).filter(|_| {
                applicable == 0
                    || !crate::report::too_little_judged(f64::from(crate::report::judged_share(
                        judged, applicable,
                    )))
            });
            let level = crate::maturity::reached(
                findings
                    .iter()
                    .filter(|finding| finding.area == area)
                    .filter(|finding| !own_rules.contains(finding.rule.as_str()))
                    .map(|finding| {
                        (
                            finding.level.unwrap_or(crate::maturity::DEFAULT_LEVEL),
                            finding.status,
                        )
                    }),
            );
            (
                area,
                AreaScore {
                    score,
                    level,
                    ..counts
                },
            )
        })
        .collect();
    let score = crate::report::overall_score(areas.values().filter_map(|area| area.score));
    (areas, score, left_out)
}

/// Score buckets of an area's spread: 0–24, 25–49, 50–74, 75–100.
pub fn bucket(score: u32) -> usize {
    (score.min(99) / 25) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    fn weakness(failing: usize, applicable: usize) -> Weakness {
        Weakness {
            rule: String::new(),
            title: String::new(),
            area: Area::Ci,
            failing,
            applicable,
        }
    }

    #[test]
    fn windows_in_words() {
        let window_since = |since: Option<&str>| {
            window(Some(&WindowLine {
                since: since.map(str::to_owned),
                until: "2026-11-23T09:31:19+00:00".to_owned(),
            }))
        };
        assert_eq!(window_since(Some("2026-08-25T09:31:19+00:00")), "90 days");
        assert_eq!(window_since(Some("2026-11-22T09:31:19+00:00")), "1 day");
        assert_eq!(window_since(None), "all history");
        assert_eq!(window(None), "no history");
    }

    #[test]
    fn percentages_round_and_never_overstate() {
        let percent = |failing, applicable| weakness(failing, applicable).percent();
        assert_eq!(percent(11, 12), 92, "91.7 rounds up, not down to 91");
        assert_eq!(percent(1, 1), 100);
        assert_eq!(percent(1, 8), 13, "12.5 rounds half up");
        assert_eq!(percent(249, 250), 99, "99.6 % is not everyone");
        assert_eq!(percent(1, 1000), 1, "0.1 % is not no one");
        assert_eq!(percent(0, 5), 0);
        assert_eq!(percent(2, 3), 67);
    }

    /// A sweep line judging `rule` as failed on `failing` of `applicable` repositories.
    fn judged(fleet: &mut Fleet, rule: &str, failing: usize, applicable: usize) {
        fleet
            .rules
            .insert(rule.to_owned(), (Area::Ci, format!("{rule} title")));
        for index in 0..applicable {
            if fleet.repositories.len() <= index {
                fleet.repositories.push(Repository {
                    name: format!("repo-{index:02}"),
                    owners: Vec::new(),
                    score: None,
                    areas: BTreeMap::new(),
                    judged: BTreeMap::new(),
                    failing: Vec::new(),
                    trends: Vec::new(),
                    overrides: Vec::new(),
                    own_rules_left_out: 0,
                    next_steps: Vec::new(),
                    timeline: None,
                });
            }
            fleet.repositories[index]
                .judged
                .insert(rule.to_owned(), index >= failing);
        }
    }

    #[test]
    fn the_weakest_practices_are_those_most_repositories_fail() {
        let mut fleet = Fleet::default();
        // `ci.rare` applies to one repository, which fails it: 100 %, but one repository.
        fleet
            .rules
            .insert("ci.rare".to_owned(), (Area::Ci, "rare".to_owned()));
        judged(&mut fleet, "ci.common", 11, 12);
        judged(&mut fleet, "ci.half", 6, 12);
        judged(&mut fleet, "ci.all-six", 6, 6);
        fleet.repositories[11]
            .judged
            .insert("ci.rare".to_owned(), false);
        let weakest = fleet.weakest();
        let ranked: Vec<(&str, u32, usize, usize)> = weakest
            .iter()
            .map(|weak| {
                (
                    weak.rule.as_str(),
                    weak.percent(),
                    weak.failing,
                    weak.applicable,
                )
            })
            .collect();
        assert_eq!(
            ranked,
            [
                ("ci.common", 92, 11, 12),
                // As many repositories fail: the larger share first.
                ("ci.all-six", 100, 6, 6),
                ("ci.half", 50, 6, 12),
                ("ci.rare", 100, 1, 1),
            ]
        );
    }

    #[test]
    fn an_unknown_area_or_status_costs_its_entry_not_the_line() {
        let line = serde_json::json!({
            "schema_version": SCHEMA_VERSION,
            "tool": {"version": "9.9.9"},
            "repository": {"path": "/r"},
            "score": 50,
            "areas": [
                {"id": "ci", "score": 50, "passed": 1, "failed": 1},
                {"id": "quantum", "score": 0, "passed": 0, "failed": 1},
            ],
            "findings": [
                {"rule": "ci.a", "area": "ci", "status": "pass", "severity": "error",
                 "weight": 1, "title": "a", "message": "m"},
                {"rule": "ci.b", "area": "ci", "status": "fail", "severity": "error",
                 "weight": 1, "title": "b", "message": "m"},
                {"rule": "ci.c", "area": "ci", "status": "skipped", "severity": "error",
                 "weight": 1, "title": "c", "message": "m"},
            ],
        })
        .to_string();
        let mut fleet = Fleet::default();
        let Ok((path, Line::Scanned(repository, _))) = fleet.read_line(&line) else {
            panic!("the line is read");
        };
        assert_eq!(path, "/r");
        assert_eq!(
            repository.areas.keys().copied().collect::<Vec<_>>(),
            [Area::Ci]
        );
        assert_eq!(repository.failing.len(), 1);
        assert!(fleet.rules.contains_key("ci.a") && !fleet.rules.contains_key("ci.c"));
    }

    /// An area mostly unknown shows no score in the organisation's picture, as `check`
    /// shows none: from the report's judged share, or, with the repository's own rules left
    /// out, from the findings.
    #[test]
    fn an_area_mostly_unknown_has_no_score_here_either() {
        let finding = |rule: &str, status: &str| {
            serde_json::json!({"rule": rule, "area": "ci", "status": status, "severity": "error",
                               "weight": 1, "title": rule, "message": "m"})
        };
        let mut findings = vec![
            finding("ci.a", "pass"),
            finding("ci.b", "unknown"),
            finding("ci.c", "unknown"),
        ];
        let line = |findings: &[serde_json::Value], overrides: serde_json::Value| {
            serde_json::json!({
                "schema_version": SCHEMA_VERSION,
                "tool": {"version": "9.9.9"},
                "repository": {"path": "/r", "overrides": overrides},
                "score": null,
                "areas": [{"id": "ci", "score": 100, "passed": 1, "failed": 0, "judged_share": 33}],
                "findings": findings,
            })
            .to_string()
        };
        let score = |line: String| {
            let Ok((_, Line::Scanned(repository, _))) = Fleet::default().read_line(&line) else {
                panic!("the line is read");
            };
            repository.areas[&Area::Ci].score
        };
        assert_eq!(score(line(&findings, serde_json::json!([]))), None);
        let edited = line(&findings, serde_json::json!([]))
            .replace("\"judged_share\":33", "\"judged_share\":49.5");
        assert!(edited.contains("49.5"));
        assert_eq!(
            score(edited),
            None,
            "a share written as a fraction is read too"
        );
        findings.push(finding("custom.own", "pass"));
        let own = serde_json::json!([{"kind": "custom-rule", "id": "custom.own"}]);
        assert_eq!(score(line(&findings, own.clone())), None);
        findings[1] = finding("ci.b", "pass");
        assert_eq!(score(line(&findings, own)), Some(100));
    }

    #[test]
    fn medians_and_buckets() {
        assert_eq!(median([40, 10, 90].into_iter()), Some(40));
        assert_eq!(median([10, 90].into_iter()), Some(10));
        assert_eq!(median(std::iter::empty()), None);
        assert_eq!([0, 24, 25, 74, 75, 100].map(bucket), [0, 0, 1, 2, 3, 3]);
    }
}

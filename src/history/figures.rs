//! Figures a coach reads from history — batch size, integration, tests changed with code,
//! shared pipeline ownership, improvement work — each for the current window and the one
//! before it, with the trend between them.

use std::sync::OnceLock;

use globset::GlobSet;
use serde::Serialize;

use crate::finding::Evidence;

use super::Changed;
use crate::rules::{DEFAULT_MIN_COMMITS, HistoryClasses, Pattern, glob_set, known};

pub use crate::rules::WEAKENINGS;

/// A change of less than this share of the previous value is no trend.
const STEADY: f64 = 0.10;

#[derive(Debug, Clone, Serialize)]
pub struct Figure {
    pub id: &'static str,
    pub value: Option<f64>,
    pub previous: Option<f64>,
    pub unit: &'static str,
    pub trend: Trend,
    /// Why the value is unknown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// What a known value leaves out: blobs too big to read, counted as binary.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// For a figure that counts places (`pr.weakenings`): each of them, so a failing
    /// finding can point at them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<Evidence>,
    /// For a share of some commits only (those that change source code): how many there
    /// were, which is what the share says anything about.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub among: Option<Counted>,
}

/// How many commits of the window a share is of, what they do ("change source code"), and
/// of how many commits, merges aside (a merge changes nothing of its own).
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Counted {
    pub commits: usize,
    pub what: &'static str,
    pub of: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Trend {
    Improving,
    Worsening,
    Steady,
    Unknown,
}

impl Trend {
    /// As reports word it, and as the JSON report writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Trend::Improving => "improving",
            Trend::Worsening => "worsening",
            Trend::Steady => "steady",
            Trend::Unknown => "unknown",
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum Better {
    Lower,
    Higher,
}

/// The path classes, author and subject patterns and thresholds of `rules/history.toml`, and
/// source code.
pub struct Classes {
    bot_name: Pattern,
    bot_email: Pattern,
    improvement_subject: Pattern,
    revert_subject: Pattern,
    source: GlobSet,
    tests: GlobSet,
    ci: GlobSet,
    iac: GlobSet,
    observability: GlobSet,
    docs: GlobSet,
    large_commit_lines: u32,
    hotfix_hours: f64,
    patch_cadence_share: f64,
    patch_cadence_count: usize,
    co_authors_credited: usize,
}

impl Classes {
    /// Compiled once per process: a sweep scans many repositories.
    pub fn builtin() -> &'static Classes {
        static CLASSES: OnceLock<Classes> = OnceLock::new();
        CLASSES.get_or_init(|| {
            let history: &HistoryClasses = &known().history;
            Classes {
                bot_name: history.bot_name.clone(),
                bot_email: history.bot_email.clone(),
                improvement_subject: history.improvement_subject.clone(),
                revert_subject: history.revert_subject.clone(),
                source: glob_set(&history.source_code),
                tests: glob_set(&history.change_tests),
                ci: glob_set(&history.change_ci),
                iac: glob_set(&history.change_iac),
                observability: glob_set(&history.change_observability),
                docs: glob_set(&history.change_docs),
                large_commit_lines: history.large_commit_lines,
                hotfix_hours: history.hotfix_days * 24.0,
                patch_cadence_share: history.patch_cadence_share,
                patch_cadence_count: history.patch_cadence_count as usize,
                co_authors_credited: history.co_authors_credited as usize,
            }
        })
    }

    /// Kept out of people-based figures.
    pub(crate) fn is_bot(&self, name: &str, email: &str) -> bool {
        self.bot_name.is_match(name.as_bytes()) || self.bot_email.is_match(email.as_bytes())
    }

    /// A conventional-commit type of non-functional work.
    fn is_improvement_type(&self, subject: &str) -> bool {
        self.improvement_subject.is_match(subject.as_bytes())
    }
}

/// What the figures need of one non-merge commit.
struct Sample {
    lines: u32,
    /// False when some of the commit's file contents are missing.
    lines_known: bool,
    /// Its blobs too big to read, counted as binary (no lines).
    big_blobs: usize,
    files: usize,
    /// The author, then the co-authors its trailers credit.
    people: Vec<String>,
    bot: bool,
    revert: bool,
    changes_source: bool,
    changes_tests: bool,
    changes_ci: bool,
    /// Every file it changed is tests, CI, infrastructure, observability or docs, or its
    /// conventional-commit type says it is such work.
    improvement: bool,
}

impl Sample {
    /// `aliases` names the one address of a person who commits under several
    /// (`same_name_aliases`).
    fn of(changed: &Changed, classes: &Classes, aliases: &Aliases) -> Sample {
        let commit = &changed.commit;
        let person = |address: String| aliases.get(&address).cloned().unwrap_or(address);
        let mut people = vec![person(commit.author_email.to_lowercase())];
        let co_authors: &[String] = if commit.co_authors.len() <= classes.co_authors_credited {
            &commit.co_authors
        } else {
            &[]
        };
        for co_author in co_authors {
            let co_author = person(co_author.clone());
            if !people.contains(&co_author) && !classes.is_bot("", &co_author) {
                people.push(co_author);
            }
        }
        let mut sample = Sample {
            lines: 0,
            lines_known: !changed.missing_blobs,
            big_blobs: changed.big_blobs,
            files: changed.files.len(),
            people,
            bot: classes.is_bot(&commit.author_name, &commit.author_email),
            revert: classes.revert_subject.is_match(commit.subject.as_bytes()),
            changes_source: false,
            changes_tests: false,
            changes_ci: false,
            improvement: !changed.files.is_empty(),
        };
        for file in &changed.files {
            let (added, removed) = file.lines.unwrap_or((0, 0));
            sample.lines = sample.lines.saturating_add(added).saturating_add(removed);
            let path = file.path.to_string();
            let tests = classes.tests.is_match(&path);
            let ci = classes.ci.is_match(&path);
            sample.changes_tests |= tests || file.adds_inline_tests;
            sample.changes_ci |= ci;
            sample.changes_source |= !tests && classes.source.is_match(&path);
            sample.improvement &= tests
                || ci
                || classes.iac.is_match(&path)
                || classes.observability.is_match(&path)
                || classes.docs.is_match(&path);
        }
        sample.improvement |= classes.is_improvement_type(&changed.commit.subject);
        sample
    }
}

/// One window's commits, as figures see them.
pub struct Period<'a> {
    pub commits: Vec<&'a Changed>,
    /// Its length in days, for rates.
    pub days: f64,
    /// Commits on the first-parent line of the scanned commit: integrations into it.
    pub integrations: usize,
    /// Releases made in the window.
    pub releases: usize,
    /// Of which final, not pre-releases: those a patch release can fix.
    pub final_releases: usize,
    /// Of which patch releases (`v1.4.1`).
    pub patch_releases: usize,
    /// For each commit of the window some release contains: hours until the first one.
    pub lead_times: Vec<f64>,
    /// For each release of the window that a patch release fixed: hours until the fix.
    pub fix_hours: Vec<f64>,
    /// For each branch merged into the scanned line in the window: hours it lived.
    pub branch_lifetimes: Vec<f64>,
    /// A pull request's whole change, from the merge base to its head; `None` for a window.
    pub combined: Option<&'a Changed>,
    /// Each way a pull request's configuration lowers the bar the base's sets
    /// (`weakening`); none for a window.
    pub weakenings: &'a [Evidence],
}

/// What a figure is measured on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The commits of a window of history, against the window before.
    Window,
    /// A pull request: its own commits and its whole change (`check --base`).
    PullRequest,
}

type Measure = fn(&[Sample], &Period) -> Result<f64, String>;

/// A figure: what it is called, in what it is counted, which direction is better, how it
/// is measured.
pub struct Definition {
    pub id: &'static str,
    /// What it measures, in a few words: "median lines changed per commit". A threshold of
    /// `rules/history.toml` it names is written `{large-commit-lines}`, `{hotfix-days}`.
    label: &'static str,
    pub unit: &'static str,
    pub scope: Scope,
    better: Better,
    measure: Measure,
    /// For a share of some commits only: which, counted beside the figure.
    among: Option<Among>,
    /// What it counts, for `opslint explain`, where the label leaves it open.
    pub means: &'static str,
}

/// The commits a figure is of, when not all of them: a share's, or a median's sample.
struct Among {
    /// What they do, after "commits that": "change source code".
    what: &'static str,
    count: fn(&[Sample], &Period) -> usize,
}

impl Definition {
    /// For a share of some commits only, what they do ("change source code").
    pub fn among(&self) -> Option<&'static str> {
        self.among.as_ref().map(|among| among.what)
    }

    /// What it measures, in a few words, with the thresholds it names.
    pub fn label(&self) -> String {
        let history = &known().history;
        self.label
            .replace(
                "{large-commit-lines}",
                &history.large_commit_lines.to_string(),
            )
            .replace("{hotfix-days}", &history.hotfix_days.to_string())
    }
}

/// The definition of the figure `id`.
pub fn definition(id: &str) -> Option<&'static Definition> {
    FIGURES.iter().find(|figure| figure.id == id)
}

/// Every figure, in the order of `rules::FIGURE_IDS` (a test keeps them in step).
const FIGURES: &[Definition] = &[
    Definition {
        id: "flow.median_lines_per_commit",
        label: "median lines changed per commit",
        unit: "lines",
        scope: Scope::Window,
        better: Better::Lower,
        measure: |samples, _| percentile(lines(&by_people(samples))?, 0.5),
        among: Some(BY_PEOPLE),
        means: "",
    },
    Definition {
        id: "flow.p90_lines_per_commit",
        label: "90th percentile of lines changed per commit",
        unit: "lines",
        scope: Scope::Window,
        better: Better::Lower,
        measure: |samples, _| percentile(lines(&by_people(samples))?, 0.9),
        among: Some(BY_PEOPLE),
        means: "",
    },
    Definition {
        id: "flow.median_files_per_commit",
        label: "median files changed per commit",
        unit: "files",
        scope: Scope::Window,
        better: Better::Lower,
        measure: |samples, _| {
            percentile(
                by_people(samples).iter().map(|sample| sample.files as f64),
                0.5,
            )
        },
        among: Some(BY_PEOPLE),
        means: "",
    },
    Definition {
        id: "flow.large_commit_share",
        label: "share of commits over {large-commit-lines} changed lines",
        unit: "%",
        scope: Scope::Window,
        better: Better::Lower,
        measure: |samples, _| {
            let large = Classes::builtin().large_commit_lines;
            let people = by_people(samples);
            if people.is_empty() {
                return Err("no commits in the window".to_owned());
            }
            let over = lines(&people)?
                .filter(|&lines| lines > f64::from(large))
                .count();
            Ok(100.0 * over as f64 / people.len() as f64)
        },
        among: Some(BY_PEOPLE),
        means: "",
    },
    Definition {
        id: "flow.median_branch_lifetime_hours",
        label: "median lifetime of merged branches",
        unit: "hours",
        scope: Scope::Window,
        better: Better::Lower,
        measure: |_, period| {
            median(
                &period.branch_lifetimes,
                "no branch was merged in the window (no merge commits: changes are squashed \
                 or rebased, or committed to the main line)",
            )
        },
        among: None,
        means: "",
    },
    Definition {
        id: "flow.integrations_per_week",
        label: "integrations into the main line",
        unit: "per week",
        scope: Scope::Window,
        better: Better::Higher,
        measure: |_, period| per_day(period.integrations, period).map(|rate| rate * 7.0),
        among: None,
        means: "",
    },
    Definition {
        id: "dora.releases_per_month",
        label: "releases",
        unit: "per month",
        scope: Scope::Window,
        better: Better::Higher,
        measure: |_, period| per_day(period.releases, period).map(|rate| rate * 30.44),
        among: None,
        means: "",
    },
    Definition {
        id: "dora.median_lead_time_hours",
        label: "median time from commit to release",
        unit: "hours",
        scope: Scope::Window,
        better: Better::Lower,
        measure: |_, period| {
            median(
                &period.lead_times,
                "no commit of the window is in a release (a version tag) yet",
            )
        },
        // A median of a few commits' waits says little: it is judged on those that reached
        // a release, not on the window's commits.
        among: Some(Among {
            what: "reached a release",
            count: |_, period| period.lead_times.len(),
        }),
        means: "",
    },
    Definition {
        id: "dora.hotfix_release_share",
        label: "share of releases patched within {hotfix-days} days",
        unit: "%",
        scope: Scope::Window,
        better: Better::Lower,
        measure: |_, period| {
            if period.final_releases == 0 {
                return Err("no final release (version tag) in the window".to_owned());
            }
            patches_are_fixes(period)?;
            let hotfixed = period
                .fix_hours
                .iter()
                .filter(|&&hours| hours <= Classes::builtin().hotfix_hours)
                .count();
            Ok(100.0 * hotfixed as f64 / period.final_releases as f64)
        },
        among: None,
        means: "",
    },
    Definition {
        id: "dora.reverts_per_100_commits",
        label: "reverts",
        unit: "per 100 commits",
        scope: Scope::Window,
        better: Better::Lower,
        measure: |samples, _| share(samples, |sample| sample.revert),
        among: None,
        means: "",
    },
    Definition {
        id: "dora.median_restore_hours",
        label: "median time from a release to its fix release",
        unit: "hours",
        scope: Scope::Window,
        better: Better::Lower,
        measure: |_, period| {
            patches_are_fixes(period)?;
            median(
                &period.fix_hours,
                "no release of the window was followed by a patch release",
            )
        },
        among: None,
        means: "",
    },
    Definition {
        id: "testing.tests_with_code_share",
        label: "share of source changes that change tests too",
        unit: "%",
        scope: Scope::Window,
        better: Better::Higher,
        measure: |samples, _| {
            let with_code: Vec<&Sample> = samples
                .iter()
                .filter(|sample| sample.changes_source)
                .collect();
            if with_code.is_empty() {
                return Err("no commit changed source code".to_owned());
            }
            let with_tests = with_code
                .iter()
                .filter(|sample| sample.changes_tests)
                .count();
            Ok(100.0 * with_tests as f64 / with_code.len() as f64)
        },
        among: Some(Among {
            what: "change source code",
            count: |samples, _| {
                samples
                    .iter()
                    .filter(|sample| sample.changes_source)
                    .count()
            },
        }),
        means: "of the commits that change source code (files of the source languages outside \
                the test files), the share that also change tests (test folders and files, or \
                inline tests such as Rust's #[test])",
    },
    Definition {
        id: "collaboration.active_authors",
        label: "active authors",
        unit: "authors",
        scope: Scope::Window,
        better: Better::Higher,
        measure: |samples, _| Ok(people(samples).len() as f64),
        among: None,
        means: "",
    },
    Definition {
        id: "collaboration.pipeline_maintainers",
        label: "people who changed the CI pipeline",
        unit: "authors",
        scope: Scope::Window,
        better: Better::Higher,
        measure: |samples, _| {
            let mut maintainers: Vec<&str> = samples
                .iter()
                .filter(|sample| !sample.bot && sample.changes_ci)
                .flat_map(|sample| sample.people.iter().map(String::as_str))
                .collect();
            if !samples.iter().any(|sample| sample.changes_ci) {
                return Err("nobody changed the CI pipeline in the window".to_owned());
            }
            maintainers.sort_unstable();
            maintainers.dedup();
            Ok(maintainers.len() as f64)
        },
        among: None,
        means: "",
    },
    Definition {
        id: "collaboration.half_of_changes_authors",
        label: "authors making more than half of the commits",
        unit: "authors",
        scope: Scope::Window,
        better: Better::Higher,
        measure: |samples, _| {
            let mut counts: Vec<usize> = people(samples).into_values().collect();
            if counts.is_empty() {
                return Err("no commits by people".to_owned());
            }
            counts.sort_unstable_by(|a, b| b.cmp(a));
            let total: usize = counts.iter().sum();
            let mut covered = 0;
            let authors = counts
                .iter()
                .take_while(|&&count| {
                    let short = covered * 2 <= total;
                    covered += count;
                    short
                })
                .count();
            Ok(authors as f64)
        },
        among: None,
        means: "",
    },
    Definition {
        id: "learning.improvement_share",
        label: "share of commits on improvement work",
        unit: "%",
        scope: Scope::Window,
        better: Better::Higher,
        measure: |samples, _| share(samples, |sample| sample.improvement),
        among: None,
        means: "the share of commits that improve the system of work: every file they change \
                is tests, CI, infrastructure, observability or documentation, or their \
                conventional-commit type is test, ci, build, docs, refactor, perf or style",
    },
    Definition {
        id: "pr.commits",
        label: "commits in the pull request, merges aside",
        unit: "commits",
        scope: Scope::PullRequest,
        better: Better::Lower,
        measure: |samples, _| Ok(samples.len() as f64),
        among: None,
        means: "",
    },
    Definition {
        id: "pr.lines_changed",
        label: "lines the pull request changes",
        unit: "lines",
        scope: Scope::PullRequest,
        better: Better::Lower,
        measure: |_, period| {
            let combined = combined(period)?;
            lines(&[&combined])?
                .next()
                .ok_or_else(|| "the pull request changes nothing".to_owned())
        },
        among: None,
        means: "",
    },
    Definition {
        id: "pr.files_changed",
        label: "files the pull request changes",
        unit: "files",
        scope: Scope::PullRequest,
        better: Better::Lower,
        measure: |_, period| Ok(combined(period)?.files as f64),
        among: None,
        means: "",
    },
    Definition {
        id: "pr.largest_commit_lines",
        label: "lines changed by the pull request's largest commit",
        unit: "lines",
        scope: Scope::PullRequest,
        better: Better::Lower,
        measure: |samples, _| {
            lines(&samples.iter().collect::<Vec<_>>())?
                .reduce(f64::max)
                .ok_or_else(|| "the pull request has no commits of its own".to_owned())
        },
        among: None,
        means: "",
    },
    Definition {
        id: WEAKENINGS,
        label: "ways the pull request lowers the bar it is judged by",
        unit: "changes",
        scope: Scope::PullRequest,
        better: Better::Lower,
        measure: |_, period| Ok(period.weakenings.len() as f64),
        among: None,
        means: "",
    },
    Definition {
        id: "pr.tests_with_code",
        label: "source changes of the pull request that come with tests",
        unit: "%",
        scope: Scope::PullRequest,
        better: Better::Higher,
        measure: |_, period| {
            let combined = combined(period)?;
            if !combined.changes_source {
                return Err("the pull request changes no source code".to_owned());
            }
            Ok(if combined.changes_tests { 100.0 } else { 0.0 })
        },
        among: None,
        means: "",
    },
];

/// A pull request's whole change as one sample.
fn combined(period: &Period) -> Result<Sample, String> {
    period
        .combined
        .map(|changed| Sample::of(changed, Classes::builtin(), &Aliases::new()))
        .ok_or_else(|| "only measured for a pull request (check --base)".to_owned())
}

/// Lines changed per commit; unknown when some commit's file contents are missing.
fn lines<'a>(samples: &'a [&Sample]) -> Result<impl Iterator<Item = f64> + 'a, String> {
    let missing = samples.iter().filter(|sample| !sample.lines_known).count();
    if missing > 0 {
        return Err(format!(
            "the contents of files changed by {} are missing (a blobless partial clone): \
             files are counted, lines cannot be",
            crate::text::plural(missing, "commit")
        ));
    }
    Ok(samples.iter().map(|sample| f64::from(sample.lines)))
}

/// The batch sizes of the team's own work: a dependency bot's one-line bumps would make
/// anyone's commits look small.
const BY_PEOPLE: Among = Among {
    what: "people made (not bots)",
    count: |samples, _| samples.iter().filter(|sample| !sample.bot).count(),
};

fn by_people(samples: &[Sample]) -> Vec<&Sample> {
    samples.iter().filter(|sample| !sample.bot).collect()
}

/// For a figure counted from lines, the blobs it counted as binary because they were too big
/// to read (`numstat::BIG_BLOB_BYTES`), when there were any.
fn big_blob_note(id: &str, samples: &[Sample], period: &Period) -> Option<String> {
    let count = match id {
        "pr.lines_changed" => period.combined.map_or(0, |changed| changed.big_blobs),
        "flow.median_lines_per_commit"
        | "flow.p90_lines_per_commit"
        | "flow.large_commit_share"
        | "pr.largest_commit_lines" => samples.iter().map(|sample| sample.big_blobs).sum(),
        _ => 0,
    };
    (count > 0).then(|| {
        format!(
            "{} over {} MiB or {} lines counted as binary, without lines, as git counts \
             files past core.bigFileThreshold",
            crate::text::plural(count, "blob"),
            super::numstat::BIG_BLOB_BYTES >> 20,
            crate::text::thousands(super::numstat::MAX_DIFF_LINES as u64)
        )
    })
}

/// A count per day of the window; unknown over less than a week, where a rate says little.
fn per_day(count: usize, period: &Period) -> Result<f64, String> {
    if period.days < 7.0 {
        return Err("less than a week of history in the window".to_owned());
    }
    Ok(count as f64 / period.days)
}

/// People (not bots) with the number of commits each authored or co-authored.
fn people(samples: &[Sample]) -> std::collections::HashMap<&str, usize> {
    let mut counts = std::collections::HashMap::new();
    for sample in samples.iter().filter(|sample| !sample.bot) {
        for person in &sample.people {
            *counts.entry(person.as_str()).or_default() += 1;
        }
    }
    counts
}

fn share(samples: &[Sample], counted: impl Fn(&Sample) -> bool) -> Result<f64, String> {
    if samples.is_empty() {
        return Err("no commits in the window".to_owned());
    }
    let count = samples.iter().filter(|sample| counted(sample)).count();
    Ok(100.0 * count as f64 / samples.len() as f64)
}

/// The median of `values`, or why there is none.
/// Whether a patch release may be read as a fix: not where patch releases are how the
/// repository releases (a tag for each merged change), which says nothing of failures.
fn patches_are_fixes(period: &Period) -> Result<(), String> {
    let (patches, finals) = (period.patch_releases, period.final_releases);
    let share = 100.0 * patches as f64 / finals.max(1) as f64;
    let classes = Classes::builtin();
    if patches >= classes.patch_cadence_count && share >= classes.patch_cadence_share {
        return Err(format!(
            "{patches} of the {finals} releases of the window are patch releases: patch \
             releases are how this repository releases, so one says nothing of a failed change"
        ));
    }
    Ok(())
}

fn median(values: &[f64], none: &str) -> Result<f64, String> {
    percentile(values.iter().copied(), 0.5).map_err(|_| none.to_owned())
}

/// Each other address of a person, to the one their commits are counted under.
type Aliases = std::collections::HashMap<String, String>;

/// One person under several addresses (a work and a personal one, no `.mailmap`): each
/// address of an author's full name (two words or more, as `git shortlog` groups by name) maps
/// to the first address seen with it. A single word (`root`, `ubuntu`) names no one person.
fn same_name_aliases(commits: &[&Changed]) -> Aliases {
    let mut first_address: std::collections::HashMap<String, String> =
        std::collections::HashMap::new();
    let mut aliases = Aliases::new();
    for changed in commits {
        let commit = &changed.commit;
        let name = commit
            .author_name
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase();
        if name.split(' ').count() < 2 {
            continue;
        }
        let address = commit.author_email.to_lowercase();
        let canonical = first_address.entry(name).or_insert_with(|| address.clone());
        if *canonical != address {
            aliases.insert(address, canonical.clone());
        }
    }
    aliases
}

/// The nearest-rank percentile.
fn percentile(values: impl Iterator<Item = f64>, rank: f64) -> Result<f64, String> {
    let mut values: Vec<f64> = values.collect();
    if values.is_empty() {
        return Err("no commits in the window".to_owned());
    }
    values.sort_by(f64::total_cmp);
    let index = ((rank * values.len() as f64).ceil() as usize).clamp(1, values.len()) - 1;
    Ok(values[index])
}

/// The figures of `scope` for `current`, against `previous` when there is one.
pub fn compute(
    scope: Scope,
    current: &Period,
    previous: Option<&Period>,
    classes: &Classes,
) -> Vec<Figure> {
    let samples = |period: &Period| -> Vec<Sample> {
        let commits: Vec<&Changed> = period
            .commits
            .iter()
            .copied()
            .filter(|changed| changed.commit.parents.len() <= 1)
            .collect();
        let aliases = same_name_aliases(&commits);
        commits
            .iter()
            .map(|changed| Sample::of(changed, classes, &aliases))
            .collect()
    };
    let now = samples(current);
    let before = previous.map(samples);
    FIGURES
        .iter()
        .filter(|figure| figure.scope == scope)
        .map(|figure| {
            let value = (figure.measure)(&now, current);
            let counted = |samples: &[Sample], period: &Period| {
                figure
                    .among
                    .as_ref()
                    .map(|among| (among.count)(samples, period))
            };
            // A share of too few earlier commits is no trend to compare with.
            let previous_value = match (previous, &before) {
                (Some(period), Some(samples))
                    if counted(samples, period)
                        .is_none_or(|count| count >= DEFAULT_MIN_COMMITS) =>
                {
                    (figure.measure)(samples, period).ok()
                }
                _ => None,
            };
            let value_known = value.as_ref().ok().copied();
            let evidence = match figure.id {
                WEAKENINGS => current.weakenings.to_vec(),
                _ => Vec::new(),
            };
            Figure {
                id: figure.id,
                value: value_known.map(round),
                previous: previous_value.map(round),
                unit: figure.unit,
                trend: trend(value_known, previous_value, figure.better),
                note: value
                    .is_ok()
                    .then(|| big_blob_note(figure.id, &now, current))
                    .flatten(),
                reason: value.err(),
                evidence,
                among: figure.among.as_ref().map(|among| Counted {
                    commits: (among.count)(&now, current),
                    what: among.what,
                    of: now.len(),
                }),
            }
        })
        .collect()
}

/// Every figure of `scope` unknown, for `reason`.
pub fn unknown(scope: Scope, reason: &str) -> Vec<Figure> {
    FIGURES
        .iter()
        .filter(|figure| figure.scope == scope)
        .map(|figure| Figure {
            id: figure.id,
            value: None,
            previous: None,
            unit: figure.unit,
            trend: Trend::Unknown,
            reason: Some(reason.to_owned()),
            note: None,
            evidence: Vec::new(),
            among: None,
        })
        .collect()
}

/// A value with its unit, as reports write it: "38 lines", "21.5 %", "1 author".
pub fn quantity(value: f64, unit: &str) -> String {
    if unit == "%" {
        format!("{value} %")
    } else if value == 1.0 && !unit.contains(' ') {
        // "1 author", but "1 per 100 commits": only a unit of one word is a plural.
        format!("1 {}", unit.strip_suffix('s').unwrap_or(unit))
    } else {
        format!("{value} {unit}")
    }
}

/// How much a figure changed against the previous window, as a share of the previous
/// value; `None` without both.
pub fn relative_change(figure: &Figure) -> Option<f64> {
    Some(change(figure.value?, figure.previous?))
}

fn change(value: f64, previous: f64) -> f64 {
    (value - previous) / previous.abs().max(f64::EPSILON)
}

fn round(value: f64) -> f64 {
    (value * 10.0).round() / 10.0
}

fn trend(value: Option<f64>, previous: Option<f64>, better: Better) -> Trend {
    let (Some(value), Some(previous)) = (value, previous) else {
        return Trend::Unknown;
    };
    if change(value, previous).abs() < STEADY {
        return Trend::Steady;
    }
    match (better, value > previous) {
        (Better::Lower, false) | (Better::Higher, true) => Trend::Improving,
        _ => Trend::Worsening,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_of_a_unit_is_singular_only_where_the_unit_is_one_word() {
        assert_eq!(quantity(1.0, "authors"), "1 author");
        assert_eq!(quantity(1.0, "per 100 commits"), "1 per 100 commits");
        assert_eq!(quantity(2.0, "authors"), "2 authors");
        assert_eq!(quantity(12.5, "%"), "12.5 %");
    }

    #[test]
    fn percentiles_shares_and_trends() {
        let values = [1.0, 2.0, 3.0, 4.0, 100.0];
        assert_eq!(percentile(values.into_iter(), 0.5), Ok(3.0));
        assert_eq!(percentile(values.into_iter(), 0.9), Ok(100.0));
        assert!(percentile(std::iter::empty(), 0.5).is_err());
        assert_eq!(
            trend(Some(50.0), Some(100.0), Better::Lower),
            Trend::Improving
        );
        assert_eq!(trend(Some(95.0), Some(100.0), Better::Lower), Trend::Steady);
        assert_eq!(
            trend(Some(50.0), Some(100.0), Better::Higher),
            Trend::Worsening
        );
        assert_eq!(trend(None, Some(1.0), Better::Higher), Trend::Unknown);
    }

    /// Rules name figures by the ids of the rules layer; each is measured here, in order.
    #[test]
    fn every_figure_id_is_measured() {
        use crate::rules::FIGURE_IDS;
        let measured: Vec<&str> = FIGURES.iter().map(|figure| figure.id).collect();
        assert_eq!(measured, FIGURE_IDS);
    }

    #[test]
    fn labels_name_the_thresholds_of_the_rule_files() {
        let label = |id| definition(id).expect("a figure").label();
        assert_eq!(
            label("flow.large_commit_share"),
            "share of commits over 400 changed lines"
        );
        assert_eq!(
            label("dora.hotfix_release_share"),
            "share of releases patched within 7 days"
        );
        assert!(FIGURES.iter().all(|figure| !figure.label().contains('{')));
    }

    #[test]
    fn windows_parse() {
        use crate::history::Window;
        assert_eq!("90d".parse(), Ok(Window::Days(90)));
        assert_eq!("2w".parse(), Ok(Window::Days(14)));
        assert_eq!("3m".parse(), Ok(Window::Days(90)));
        assert_eq!("1y".parse(), Ok(Window::Days(365)));
        assert_eq!("all".parse(), Ok(Window::All));
        for bad in [
            "",
            "0d",
            "90",
            "d",
            "-1d",
            "1x",
            "1.5m",
            "9999999999y",
            "101y",
            "1é",
        ] {
            assert!(bad.parse::<Window>().is_err(), "{bad}");
        }
    }

    #[test]
    fn bots_and_improvement_types() {
        let classes = Classes::builtin();
        let is_bot = |name, email| classes.is_bot(name, email);
        let is_improvement_type = |subject| classes.is_improvement_type(subject);
        assert!(is_bot(
            "dependabot[bot]",
            "49699333+dependabot[bot]@users.noreply.github.com"
        ));
        assert!(is_bot("Renovate Bot", "bot@renovateapp.com"));
        assert!(is_bot("Anonymous", "noreply@weblate.org"));
        assert!(is_bot("Weblate (bot)", "hosted@weblate.org"));
        // A coding assistant credited as a co-author is no second person.
        assert!(is_bot("", "noreply@anthropic.com"));
        assert!(is_bot("", "198982749+Copilot@users.noreply.github.com"));
        assert!(!is_bot("", "12345+ada@users.noreply.github.com"));
        // New-user trial (djangopackages): a CI script's commits under a name of its own.
        assert!(is_bot(
            "Automated Publisher",
            "actions@users.noreply.github.com"
        ));
        assert!(is_bot("GitHub Action", "action@github.com"));
        assert!(!is_bot("Ada", "ada+actions@users.noreply.github.com"));
        assert!(!is_bot("Ada Lovelace", "ada@example.com"));
        assert!(is_improvement_type("refactor(engine): split judge"));
        assert!(is_improvement_type("ci!: drop node 18"));
        assert!(!is_improvement_type("feat: add export"));
        assert!(!is_improvement_type("Test the parser harder"));
    }

    /// New-user trial: an iOS app's test changes were not seen (0 % of its commits).
    #[test]
    fn test_files_of_each_ecosystem_are_tests() {
        let tests = &Classes::builtin().tests;
        for path in [
            "tests/test_api.py",
            "src/test/java/AppTest.java",
            "OpenHABCore/Tests/OpenHABCoreTests/OpenHABCoreGeneralTests.swift",
            "openHABTestsSwift/LocalizationTests.swift",
            "AppTests/Support/Fixtures.swift",
        ] {
            assert!(tests.is_match(path), "{path}");
        }
        assert!(!tests.is_match("Sources/App/TestFlightUploader.swift"));
        assert!(!tests.is_match("openHAB/Views/SitemapView.swift"));
    }
}

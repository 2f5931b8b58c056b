//! Rules: the schema in TOML, the built-in pack, and the compiled form the engine runs.

mod builtin;
mod compile;
mod figure_ids;
mod glob;
mod known;
mod schema;
mod sets;

pub use builtin::{BUILTIN_RULE_FILES, builtin_definitions, builtin_rules, glob_set, known};
pub use compile::{MAX_WEIGHT, Parsed, invalid_regex, parse_rule_document, parse_rule_tables};
pub use figure_ids::{FIGURE_IDS, WEAKENINGS};
pub use glob::{GlobError, compile_glob};
pub use known::{HistoryClasses, Known, TaskFiles};
pub use sets::Definitions;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use globset::{Candidate, GlobSet, GlobSetBuilder};
use regex::bytes::{Match, Regex, RegexBuilder};

use crate::area::Area;
use crate::maturity::Effort;
use crate::severity::Severity;

/// Compiled regexes may not grow past this: a rule is a marker, not a program, and a
/// pathological pattern is an error rather than a hang.
pub const REGEX_SIZE_LIMIT: usize = 1 << 20;
/// A user pattern's lazy DFA may not cache more than this (per thread that runs it).
pub const USER_DFA_SIZE_LIMIT: usize = 1 << 20;
/// The compiled patterns of one config file's custom rules, together, may not grow past
/// this: a thousand patterns each under `REGEX_SIZE_LIMIT` would still take gigabytes.
pub const MAX_CONFIG_REGEX_TOTAL: usize = 16 << 20;

/// A check's regex. Compiling one costs up to a millisecond and most checks never run on a
/// given repository (their rule does not apply, or cheaper evidence settled it), so the
/// built-in rules' patterns are compiled on first use; user-written ones are compiled when
/// loaded, so a mistake is reported at its span.
#[derive(Debug, Clone)]
pub struct Pattern {
    source: String,
    /// Built-in patterns match ASCII config files and commands: compiled without Unicode
    /// classes (`\w`, `\b`, case folding), which makes them several times cheaper to build.
    ascii: bool,
    /// Shared by clones, and by every built-in pattern with the same source: a named
    /// pattern used by a dozen rules, and the per-component copies of rules, compile once.
    compiled: Arc<OnceLock<Regex>>,
}

impl Pattern {
    /// Compiles `source` now (a user's pattern: Unicode-aware, errors reported at load).
    pub fn compile(source: &str) -> Result<Pattern, regex::Error> {
        Pattern::compile_within(source, REGEX_SIZE_LIMIT).map(|(pattern, _)| pattern)
    }

    /// Compiles a user's pattern within `budget` bytes of compiled program (and at most
    /// `REGEX_SIZE_LIMIT`); with it, the size it takes, to charge against a config's total.
    pub fn compile_within(source: &str, budget: usize) -> Result<(Pattern, usize), regex::Error> {
        let limit = budget.min(REGEX_SIZE_LIMIT);
        let regex = RegexBuilder::new(source)
            .multi_line(true)
            .size_limit(limit)
            .dfa_size_limit(USER_DFA_SIZE_LIMIT)
            .build()?;
        let size = compiled_size(source, limit)?;
        let pattern = Pattern {
            source: source.to_owned(),
            ascii: false,
            compiled: Arc::new(OnceLock::from(regex)),
        };
        Ok((pattern, size))
    }

    /// A built-in pattern, compiled on first use. A test compiles every one of them, so
    /// nothing is checked here.
    pub fn builtin(source: &str) -> Pattern {
        static INTERNED: Mutex<BTreeMap<String, Arc<OnceLock<Regex>>>> =
            Mutex::new(BTreeMap::new());
        let mut interned = INTERNED.lock().unwrap_or_else(PoisonError::into_inner);
        let compiled = interned.entry(source.to_owned()).or_default();
        Pattern {
            source: source.to_owned(),
            ascii: true,
            compiled: Arc::clone(compiled),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.source
    }

    pub fn is_match(&self, haystack: &[u8]) -> bool {
        self.regex().is_match(haystack)
    }

    pub fn find<'h>(&self, haystack: &'h [u8]) -> Option<Match<'h>> {
        self.regex().find(haystack)
    }

    /// The first match, or its group named `at` when the pattern has one: what a finding
    /// points at when the match must start earlier (a privileged workflow's trigger, before
    /// the checkout it leads to).
    pub fn find_reported<'h>(&self, haystack: &'h [u8]) -> Option<Match<'h>> {
        let regex = self.regex();
        if !regex.capture_names().any(|name| name == Some("at")) {
            return regex.find(haystack);
        }
        let captures = regex.captures(haystack)?;
        captures.name("at").or_else(|| captures.get(0))
    }

    /// Compiles the pattern as it is used, to prove a built-in one compiles.
    pub fn try_compile(&self) -> Result<Regex, regex::Error> {
        build(&self.source, self.ascii)
    }

    pub fn regex(&self) -> &Regex {
        self.compiled.get_or_init(|| {
            self.try_compile().unwrap_or_else(|error| {
                panic!(
                    "built-in pattern /{}/ does not compile: {error}",
                    self.source
                )
            })
        })
    }
}

/// The size of the pattern's compiled program (its Thompson NFA, which `size_limit` bounds
/// too), or `CompiledTooBig` past `limit`.
fn compiled_size(source: &str, limit: usize) -> Result<usize, regex::Error> {
    use regex_automata::nfa::thompson;
    use regex_automata::util::syntax;
    thompson::Compiler::new()
        .syntax(syntax::Config::new().multi_line(true).utf8(false))
        .configure(
            thompson::Config::new()
                .utf8(false)
                .nfa_size_limit(Some(limit)),
        )
        .build(source)
        .map(|nfa| nfa.memory_usage())
        .map_err(|_| regex::Error::CompiledTooBig(limit))
}

fn build(source: &str, ascii: bool) -> Result<Regex, regex::Error> {
    RegexBuilder::new(source)
        .multi_line(true)
        .unicode(!ascii)
        .size_limit(REGEX_SIZE_LIMIT)
        .build()
}

/// A validated rule, ready to evaluate.
#[derive(Debug, Clone)]
pub struct Rule {
    pub id: String,
    pub area: Area,
    pub title: Arc<str>,
    pub severity: Severity,
    pub weight: u32,
    pub rationale: String,
    pub remediation: Arc<str>,
    pub applies_if: Option<Precondition>,
    /// In a monorepo, also evaluated in each component as if it were the repository.
    pub per_component: bool,
    /// In a component, the precondition that replaces `applies_if`.
    pub component_applies_if: Option<Precondition>,
    /// Evidence outside the folder holding the components serves them all.
    pub served_from_outside: bool,
    /// Whether one component with the practice makes the repository pass.
    pub components_needed: ComponentsNeeded,
    /// 1 foundation, 2 practised, 3 optimised, within the area (`maturity`).
    pub level: u8,
    pub effort: Effort,
    /// Rule ids that should hold before this one is worked on.
    pub requires: Vec<String>,
    pub checks: Vec<Check>,
}

/// How a per-component rule's findings in the components make the repository's.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ComponentsNeeded {
    /// Every component needs the practice: one without it fails the repository (each
    /// service should log in a structured way).
    #[default]
    Every,
    /// A component with the practice makes the repository pass, naming those without: a
    /// monorepo whose apps have tests and whose interface packages have none has tests.
    Any,
    /// At least half the components need the practice, naming those without: services
    /// tested bar a mock server and a migrations image have tests; a demo of twenty services
    /// of which four have tests does not.
    Most,
}

/// Globs with their compiled set, for testing one path at a time.
#[derive(Debug, Clone)]
pub struct PathSet {
    pub globs: Vec<String>,
    set: GlobSet,
}

impl PathSet {
    /// Globs that do not compile are left out: they are reported as config errors where
    /// they are read.
    pub fn new(globs: Vec<String>) -> PathSet {
        let mut builder = GlobSetBuilder::new();
        for compiled in globs
            .iter()
            .filter_map(|glob| compile_glob(glob).ok())
            .flatten()
        {
            builder.add(compiled);
        }
        let set = builder.build().unwrap_or_else(|_| GlobSet::empty());
        PathSet { globs, set }
    }

    pub fn contains(&self, path: &[u8]) -> bool {
        self.set.is_match_candidate(&Candidate::from_bytes(path))
    }
}

#[derive(Debug, Clone)]
pub struct Precondition {
    pub files: Vec<String>,
    /// Excluded from `files` and `manifests` alike.
    pub exclude: Vec<String>,
    /// When present, one of the files must also contain a match (a Terraform *root*
    /// module: a `.tf` file with a `backend` block).
    pub pattern: Option<Pattern>,
    /// When present, only the files among `files` that these select must contain
    /// `pattern`; the others count by name alone (a Dockerfile that exposes a port, beside a
    /// Helm chart that needs nothing more).
    pub pattern_in: Option<PathSet>,
    /// Files among `files` that count only when they contain a pattern of their own (a SAM
    /// template its transform), whatever `pattern` asks of the others; a file several entries
    /// select counts when it contains any of theirs. One that cannot be read does not count.
    pub content: Vec<(PathSet, Pattern)>,
    /// The rule also applies when one of `manifests` declares a dependency whose name
    /// matches (a service: a web framework among the dependencies).
    pub dependency: Option<Pattern>,
    pub manifests: Vec<String>,
    /// And one of these files exists too (code to instrument, not only a packaged
    /// third-party image).
    pub requires: Vec<String>,
    pub description: Option<String>,
}

impl Precondition {
    /// Whether `path`, one of the precondition's `files`, makes it hold by its name alone.
    pub fn counts_by_name(&self, path: &[u8]) -> bool {
        if self.own_patterns(path).next().is_some() {
            return false;
        }
        match (&self.pattern, &self.pattern_in) {
            (None, _) => true,
            (Some(_), None) => false,
            (Some(_), Some(pattern_in)) => !pattern_in.contains(path),
        }
    }

    /// The patterns of its own that `path` must contain one of, when `content` names it.
    pub fn own_patterns<'a>(&'a self, path: &'a [u8]) -> impl Iterator<Item = &'a Pattern> + 'a {
        self.content
            .iter()
            .filter(move |(files, _)| files.contains(path))
            .map(|(_, pattern)| pattern)
    }

    /// Whether some file's contents may decide it (not only names and dependencies).
    pub fn reads_contents(&self) -> bool {
        self.pattern.is_some() || !self.content.is_empty()
    }
}

#[derive(Debug, Clone)]
pub struct Check {
    pub kind: CheckKind,
    pub files: Vec<String>,
    pub exclude: Vec<String>,
    /// `exclude` compiled, once per process, for the files the tree matcher does not select
    /// (the scripts a pipeline runs): see [`Check::excludes`]. `None` when the set is too
    /// large to compile.
    pub excluded: std::sync::OnceLock<Option<globset::GlobSet>>,
    /// How many matching files make the check pass.
    pub min_count: u32,
    /// Examined only when no check before it passed: for costly checks (reading every
    /// source file) that stand in for cheaper ones.
    pub fallback: bool,
    /// What the check looks for, in a few words with an article, for messages.
    pub looks_for: Option<String>,
    /// Why a command its pattern matches and its `unless` excludes does not count.
    pub discounted: Option<String>,
    /// Inverted: passes when no selected file matches (an unpinned base image, an action
    /// referenced by tag); the matches are the evidence of the failure.
    pub absent: bool,
    /// Its matches are signs of the work done out of sight (Kokoro's variables in a CI
    /// script, an OCaml-CI badge): never a pass, they make a rule that found nothing else
    /// `unknown`.
    pub out_of_sight: bool,
    /// When it passes, the rule applies even where its precondition does not hold: the
    /// practice found shows there is something to practise it on.
    pub shows_it_applies: bool,
    /// When it finds nothing, the failure's message does not name it: it looks for what only
    /// some repositories have.
    pub quiet: bool,
    /// A pipeline that only events matching this start does not count (a deploy only pull
    /// requests run is to a test environment), unless its jobs or steps are gated by event.
    pub unless_triggered_by: Option<Pattern>,
    /// A pipeline that also runs a command or uses an action matching this does not count
    /// (a deploy to the throwaway cluster the pipeline creates for its tests).
    pub unless_pipeline_runs: Option<Pattern>,
}

impl Check {
    /// Whether `path` is among the files `exclude` leaves out. Each glob was checked when the
    /// rules compiled, but a configured set can still be too large for one automaton (red
    /// team: 256 brace expansions of a long glob): then no script is left out, as before
    /// excludes reached them, rather than the scan failing.
    pub fn excludes(&self, path: &str) -> bool {
        !self.exclude.is_empty()
            && self
                .excluded
                .get_or_init(|| glob::try_glob_set(&self.exclude))
                .as_ref()
                .is_some_and(|set| set.is_match(path))
    }
}

#[derive(Debug, Clone)]
pub enum CheckKind {
    /// Some file matches one of the globs.
    FilesPresent,
    /// Some file selected by the globs contains a match of the pattern.
    /// A match in a mapping that `guard` shows is kept safe does not count (see
    /// `unless-guarded-by`).
    ContentMatches {
        pattern: Pattern,
        guard: Option<Pattern>,
    },
    /// Some selected pipeline is started by an event matching the pattern.
    PipelineTrigger { pattern: Pattern },
    /// Some selected pipeline runs a command matching the pattern and not `unless`,
    /// directly, through a task runner (`make test`, `npm test`, `just test`) or a script of
    /// the repository it runs.
    PipelineCommand {
        pattern: Pattern,
        unless: Option<Pattern>,
        opaque: Option<Pattern>,
        task_named: Option<Pattern>,
        /// Also the code pipelines give actions to evaluate (`actions/github-script`).
        action_scripts: bool,
    },
    /// Some selected pipeline uses an action or reusable workflow matching the pattern.
    PipelineUses {
        pattern: Pattern,
        unless: Option<Pattern>,
        /// The actions known to do none of the work; any other may, out of sight.
        opaque_except: Option<Pattern>,
        /// Only actions of other owners than the repository's own count.
        third_party: bool,
    },
    /// Some selected pipeline has a job that deploys to an environment matching the pattern.
    PipelineEnvironment { pattern: Pattern },
    /// Some selected pipeline has a job that starts a service container (a database, a
    /// broker) whose image matches the pattern.
    PipelineService { pattern: Pattern },
    /// Some selected workflow has a job whose token permissions match the pattern
    /// (`default` when none are set).
    PipelinePermissions { pattern: Pattern },
    /// Every selected pipeline file parses.
    PipelineParses,
    /// Some selected manifest declares a dependency whose name matches the pattern.
    Dependency { pattern: Pattern },
    /// Some selected Dockerfile starts a stage from an external image whose reference
    /// matches the pattern.
    BaseImage { pattern: Pattern },
    /// Some container of a Kubernetes Deployment, StatefulSet or DaemonSet in the selected
    /// manifests has a summary matching the pattern: `Deployment/cart container server:
    /// probes liveness, readiness` (or `probes none`).
    WorkloadContainers { pattern: Pattern },
    /// Finds the ecosystems the repository uses (outside the check's `exclude`) that the
    /// selected Dependabot configuration does not update; meant to be `absent`.
    UpdateCoverage { ecosystems: Vec<Ecosystem> },
    /// A figure of the history section compared with a threshold.
    History {
        figure: &'static str,
        comparison: Comparison,
        threshold: f64,
        /// With fewer commits in the window the figure says too little to judge.
        min_commits: usize,
    },
}

/// A history figure over fewer commits than this is not judged, unless a check says so.
pub const DEFAULT_MIN_COMMITS: usize = 10;

/// How a history figure must compare with its threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    AtMost,
    AtLeast,
}

impl Comparison {
    pub fn holds(self, value: f64, threshold: f64) -> bool {
        match self {
            Comparison::AtMost => value <= threshold,
            Comparison::AtLeast => value >= threshold,
        }
    }

    pub fn words(self) -> &'static str {
        match self {
            Comparison::AtMost => "at most",
            Comparison::AtLeast => "at least",
        }
    }
}

/// A package ecosystem, and the files that show a repository uses it.
#[derive(Debug, Clone)]
pub struct Ecosystem {
    /// As Dependabot names it (`npm`, `gomod`, `github-actions`).
    pub name: String,
    /// Configuration names that cover it: the name, and alternatives (`bun` for `npm`).
    pub covered_by: Vec<String>,
    /// Globs of the files that show it is used (matched with the rest, in one pass).
    pub files: Vec<String>,
}

impl Check {
    /// What the check looks for, in a few words with an article.
    pub fn looks_for(&self) -> &str {
        if let Some(words) = &self.looks_for {
            return words;
        }
        match self.kind {
            CheckKind::FilesPresent => "a matching file",
            CheckKind::ContentMatches { .. } => "a matching line",
            CheckKind::PipelineTrigger { .. } => "a matching trigger",
            CheckKind::PipelineCommand { .. } => "a matching command",
            CheckKind::PipelineUses { .. } => "a matching action",
            CheckKind::PipelineEnvironment { .. } => "a deployment environment",
            CheckKind::PipelineService { .. } => "a service container",
            CheckKind::PipelinePermissions { .. } => "a job with matching permissions",
            CheckKind::PipelineParses => "a readable pipeline",
            CheckKind::Dependency { .. } => "a matching dependency",
            CheckKind::BaseImage { .. } => "a matching base image",
            CheckKind::WorkloadContainers { .. } => "a matching workload container",
            CheckKind::UpdateCoverage { .. } => "an update entry for every ecosystem in use",
            CheckKind::History { .. } => "a history figure within its threshold",
        }
    }
}

impl Rule {
    /// The comparison and threshold of the rule's history check, if it has one.
    pub fn history_limit(&self) -> Option<(Comparison, f64)> {
        self.checks.iter().find_map(|check| match check.kind {
            CheckKind::History {
                comparison,
                threshold,
                ..
            } => Some((comparison, threshold)),
            _ => None,
        })
    }

    /// Judged on the history figures, not on the tree: its checks are `history` checks.
    pub fn reads_history(&self) -> bool {
        self.checks
            .iter()
            .any(|check| matches!(check.kind, CheckKind::History { .. }))
    }

    /// Every regex the rule holds, in its precondition and its checks.
    pub fn patterns(&self) -> impl Iterator<Item = &Pattern> {
        let precondition = self
            .applies_if
            .iter()
            .flat_map(|precondition| precondition.pattern.iter().chain(&precondition.dependency));
        let checks = self.checks.iter().flat_map(|check| {
            let (unless, opaque, task_named) = match &check.kind {
                CheckKind::PipelineCommand {
                    unless,
                    opaque,
                    task_named,
                    ..
                } => (unless.as_ref(), opaque.as_ref(), task_named.as_ref()),
                CheckKind::PipelineUses {
                    unless,
                    opaque_except,
                    ..
                } => (unless.as_ref(), opaque_except.as_ref(), None),
                CheckKind::ContentMatches { guard, .. } => (guard.as_ref(), None, None),
                _ => (None, None, None),
            };
            check
                .kind
                .pattern()
                .into_iter()
                .chain(unless)
                .chain(opaque)
                .chain(task_named)
        });
        precondition.chain(checks)
    }
}

impl CheckKind {
    /// The check's regex, for the kinds that have one.
    pub fn pattern(&self) -> Option<&Pattern> {
        match self {
            CheckKind::ContentMatches { pattern, .. }
            | CheckKind::PipelineTrigger { pattern }
            | CheckKind::PipelineCommand { pattern, .. }
            | CheckKind::PipelineUses { pattern, .. }
            | CheckKind::PipelineEnvironment { pattern }
            | CheckKind::PipelineService { pattern }
            | CheckKind::PipelinePermissions { pattern }
            | CheckKind::Dependency { pattern }
            | CheckKind::BaseImage { pattern }
            | CheckKind::WorkloadContainers { pattern } => Some(pattern),
            CheckKind::FilesPresent
            | CheckKind::PipelineParses
            | CheckKind::UpdateCoverage { .. }
            | CheckKind::History { .. } => None,
        }
    }

    /// Whether the check looks inside the files it selects (rather than at their names).
    pub fn reads_content(&self) -> bool {
        !matches!(self, CheckKind::FilesPresent)
    }

    /// Whether an `absent` check passes only on something it judged sound: a workload check
    /// lists every container it read, so a YAML file without one shows nothing. (A base-image
    /// check lists only the images it could not find a digest for.)
    pub fn judges_listed_parts(&self) -> bool {
        matches!(self, CheckKind::WorkloadContainers { .. })
    }

    /// Whether the check finds something with no file of its own to read: the update
    /// coverage of a tree with no update config is nothing updated.
    pub fn judges_without_files(&self) -> bool {
        matches!(self, CheckKind::UpdateCoverage { .. })
    }

    /// Whether the check works on the dependencies manifests declare.
    pub fn reads_manifests(&self) -> bool {
        matches!(self, CheckKind::Dependency { .. })
    }

    /// Whether the check works on parsed pipelines.
    pub fn reads_pipelines(&self) -> bool {
        matches!(
            self,
            CheckKind::PipelineTrigger { .. }
                | CheckKind::PipelineCommand { .. }
                | CheckKind::PipelineUses { .. }
                | CheckKind::PipelineEnvironment { .. }
                | CheckKind::PipelineService { .. }
                | CheckKind::PipelinePermissions { .. }
                | CheckKind::PipelineParses
        )
    }
}

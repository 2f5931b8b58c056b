//! One `check`: open the repository, list the tree, load config, evaluate, build the report.

mod bar;

use std::path::PathBuf;

use gix::ObjectId;
use miette::Diagnostic;
use thiserror::Error;

use crate::checks::history::Measured;
use crate::compare;
use crate::components::ComponentFindings;
use crate::config::baseline::BaselineError;
use crate::config::diagnostic::ConfigError;
use crate::config::enabled::enabled_rules;
use crate::config::settings::Settings;
use crate::engine::{self, Plan};
use crate::facts::collect::Source;
use crate::facts::content;
use crate::facts::owners;
use crate::facts::tree::{self, Tree};
use crate::finding::Finding;
use crate::history::{self, Window};
use crate::matcher::Hits;
use crate::repo::{self, Deadline, RepoError, Target};
use crate::report::{Report, RepositoryInfo};
use crate::rules::{self, Rule};
use bar::{Bar, Side};

#[derive(Debug, Error, Diagnostic)]
pub enum ScanError {
    #[error(transparent)]
    #[diagnostic(transparent)]
    Repo(#[from] RepoError),

    #[error(transparent)]
    #[diagnostic(transparent)]
    Config(#[from] Box<ConfigError>),

    #[error("cannot read config file {}: {message}", path.display())]
    #[diagnostic(code(opslint::config_unreadable))]
    ConfigUnreadable { path: PathBuf, message: String },

    #[error(transparent)]
    #[diagnostic(transparent)]
    Baseline(#[from] Box<BaselineError>),

    #[error("cannot read the baseline {name}: {message}")]
    #[diagnostic(
        code(opslint::baseline_unreadable),
        help("write one with `opslint check --write-baseline FILE`")
    )]
    BaselineUnreadable { name: String, message: String },

    #[error("unknown rule or area `{0}`")]
    #[diagnostic(
        code(opslint::unknown_rule),
        help("`opslint rules` lists every rule id; area ids are the part before the dot")
    )]
    UnknownRule(String),

    #[error("`{rev}` is not a commit: a timeline follows the commits of the main line")]
    #[diagnostic(
        code(opslint::not_a_commit),
        help("give a branch, a tag of a commit or a commit id (`check --rev` also scans a tree)")
    )]
    NotACommit { rev: String },

    #[error("{count} snapshots: a timeline takes at most {max}")]
    #[diagnostic(
        code(opslint::too_many_snapshots),
        help(
            "take longer periods (`--every month` or `quarter`) or a shorter span (`--since 2y`)"
        )
    )]
    TooManySnapshots { count: usize, max: usize },

    #[error("invalid glob in the rule set: {0}")]
    #[diagnostic(code(opslint::glob))]
    Glob(#[from] crate::matcher::MatcherError),
}

#[derive(Debug, Clone, Default)]
pub struct ScanOptions {
    pub path: PathBuf,
    pub rev: Option<String>,
    /// A config file to use instead of the scanned tree's `.opslint.toml`.
    pub config: Option<PathBuf>,
    /// Replaces the default and `config`'s `scan.max-file-size`; the repository's own
    /// config may only lower it.
    pub max_file_size: Option<u64>,
    /// Replaces the default and `config`'s `scan.max-total-read`; the repository's own
    /// config may only lower it.
    pub max_total_read: Option<u64>,
    /// Listing more files than this is an error (default `repo::DEFAULT_MAX_TREE_ENTRIES`).
    pub max_tree_entries: Option<usize>,
    /// The history window; `None` skips the history pass.
    pub history: Option<Window>,
    /// Pull-request mode: compare with the merge base of this revision and the scanned
    /// commit, and measure the change instead of a window of history.
    pub base: Option<String>,
    /// Scan the index (what is staged) instead, compared with HEAD unless `base` is given.
    pub staged: bool,
    /// Failures to accept (`--baseline`); else the config's `[scan] baseline`, a file of
    /// the scanned tree.
    pub baseline: Option<PathBuf>,
    /// With `config` given: apply the repository's own `.opslint.toml` on top of it (a
    /// sweep's organisation config) instead of ignoring it (`check --config`).
    pub layer_repo_config: bool,
    /// Never apply the scanned tree's `.opslint.toml` (`sweep --ignore-repo-config`): only
    /// `config`'s settings, or the defaults without it.
    pub ignore_repo_config: bool,
    /// Only these rules and areas (`--select`), on top of the config's choice.
    pub select: Vec<String>,
    /// These rules and areas off too (`--ignore`), as the config's `disable`.
    pub ignore: Vec<String>,
    /// Give up with `RepoError::TimedOut` past this instant (a sweep's per-repository budget).
    pub deadline: Option<std::time::Instant>,
    /// How the repository is found and what it may point at (a sweep opens it exactly).
    pub access: repo::Access,
}

pub fn check(options: &ScanOptions) -> Result<Report, ScanError> {
    let deadline = Deadline(options.deadline);
    let mut target = if options.staged {
        repo::open_staged_with(&options.path, options.access)?
    } else {
        repo::open_with(&options.path, options.rev.as_deref(), options.access)?
    };
    target.deadline = deadline;
    if let Some(max_entries) = options.max_tree_entries {
        target.max_entries = max_entries;
    }
    // The built-in rules and their matcher do not need the tree: they are prepared while
    // the tree is listed (once per process), for the default settings, which is what
    // applies without a config.
    let (tree, prepared) = std::thread::scope(|scope| {
        let prepared = spawn(scope, prepared);
        let tree = tree::list(&target);
        (tree, prepared.join())
    });
    let tree = tree?;
    let (builtin, default_plan) = prepared.unwrap_or_else(|panic| std::panic::resume_unwind(panic));
    let base = match (&options.base, options.staged) {
        (Some(rev), _) => Some(Base::PullRequest(rev, repo::merge_base(&target, rev)?)),
        (None, true) => Some(Base::Head(repo::head_tree(&target)?)),
        (None, false) => None,
    };
    let base_tree = match &base {
        Some(Base::PullRequest(_, (commit, tree)) | Base::Head((commit, tree))) => {
            let at = target.at(*commit, *tree);
            let listed = tree::list(&at)?;
            Some((at, listed))
        }
        None => None,
    };
    let head = Side {
        target: &target,
        tree: &tree,
        base: false,
    };
    let at_base_side = base_tree.as_ref().map(|(at, listed)| Side {
        target: at,
        tree: listed,
        base: true,
    });
    // A change is judged with its base's configuration and baseline: it cannot lower its own
    // bar, and how its own would lower it is reported instead.
    let Bar {
        mut settings,
        config: config_name,
        mut weakenings,
    } = bar::choose(options, head, at_base_side, builtin)?;
    // Compiling a config's rules takes time too: a sweep's budget counts it.
    deadline.check()?;
    choose_rules(&mut settings, options, builtin)?;
    let budget = content::ReadBudget::new(settings.max_total_read);
    let configured;
    let chosen = !options.select.is_empty() || !options.ignore.is_empty();
    let plan = match config_name {
        None if !chosen => default_plan,
        _ => {
            configured = Plan::new(enabled_rules(builtin, &settings), &settings.exclude)?;
            &configured
        }
    };
    // A change is measured by itself, not by a window of the team's history; and with no
    // history rule on (`--select security`), the history is not read.
    let window = options
        .history
        .filter(|_| base.is_none() && !plan.history_rules().is_empty());
    // The history pass and the base need nothing from the tree: they run while the rules
    // are judged.
    let (evaluation, history, at_base) = std::thread::scope(|scope| {
        let history = spawn(scope, || match (window, target.head) {
            (Some(window), Some(tip)) => {
                let release_tag = settings.release_tag.as_ref();
                history::section(&target.repo, tip, window, release_tag, deadline).map(Some)
            }
            _ => Ok(None),
        });
        let at_base = spawn(scope, || {
            base_tree
                .as_ref()
                .map(|(at, listed)| judge_base(at, listed, plan, &settings, deadline))
        });
        let evaluation = engine::evaluate(plan, &settings, &tree, deadline, |indices| {
            content::read_all(
                &target.repo,
                &tree,
                indices,
                settings.max_file_size,
                &budget,
                None,
            )
        });
        (evaluation, history.join(), at_base.join())
    });
    let history = history.unwrap_or_else(|panic| std::panic::resume_unwind(panic))?;
    let at_base = at_base.unwrap_or_else(|panic| std::panic::resume_unwind(panic));
    // The evaluations stop examining files past the deadline: what they found is partial.
    deadline.check()?;
    let mut findings = evaluation.findings;
    if let (Some(history), Some(window)) = (&history, window) {
        findings.extend(plan.judge_history(&Measured::window(history, window), &settings));
    }
    let mut pull_request = None;
    if let Some(before) = at_base {
        if let (Some(Base::PullRequest(rev, (merge_base, _))), Some(tip)) = (&base, target.head) {
            // A rule the base judged that the change leaves unjudgeable (a pipeline padded
            // past the read cap, a Dockerfile made a symbolic link) lowers the bar as surely
            // as turning it off.
            weakenings.extend(compare::unjudged(&findings, &before.findings));
            let change =
                history::pull_request::section(&target.repo, rev, *merge_base, tip, &weakenings)?;
            // The change's own rules (its size, its tests) have no finding at the base: new,
            // if failing.
            findings.extend(plan.judge_history(&Measured::pull_request(&change), &settings));
            pull_request = Some(change);
        }
        let components = compare::Components {
            head: &evaluation.components,
            base: &before.components,
        };
        let in_head_tree = |path: &str| tree.find(path).is_some();
        compare::classify(&mut findings, &before.findings, components, &in_head_tree);
        if let Some(change) = &mut pull_request {
            change.base_score = compare::base_score(&findings, before.findings);
        }
    }
    let repository = RepositoryInfo {
        name: None,
        path: target.root.display().to_string(),
        github: settings.own_repository.clone(),
        head: target.head.map(|id| id.to_string()),
        scanned: target.scanned(),
        rev: target.rev.clone(),
        config: config_name,
        files: tree.entries.len(),
        submodules: tree.submodules.clone(),
        owners: owners::repository_owners(&target.repo.to_thread_local(), &tree),
        overrides: settings.changed_by_repository.clone(),
        head_problem: target.head_problem.clone(),
    };
    let mut report = Report::new(repository, findings)
        .with_components(evaluation.components)
        .with_history(history)
        .with_pull_request(pull_request);
    report.custom_rules = settings.custom_rules.clone();
    // The baseline is the base's when compared, like the config.
    if let Some(baseline) = bar::load_baseline(options, &settings, at_base_side.unwrap_or(head))? {
        baseline.apply(&mut report);
    }
    Ok(report)
}

/// Applies `--select` and `--ignore` to the settings, each id a rule (built-in or the
/// config's own) or an area.
fn choose_rules(
    settings: &mut Settings,
    options: &ScanOptions,
    builtin: &[Rule],
) -> Result<(), ScanError> {
    let chosen = options.select.iter().chain(&options.ignore);
    for id in chosen {
        let known = builtin
            .iter()
            .chain(&settings.custom_rules)
            .any(|rule| rule.id == *id);
        if !known && crate::area::Area::from_id(id).is_none() {
            return Err(ScanError::UnknownRule(id.clone()));
        }
    }
    settings.select.extend(options.select.iter().cloned());
    settings.disable.extend(options.ignore.iter().cloned());
    Ok(())
}

/// A scoped thread with opslint's stack size (`THREAD_STACK_BYTES`): the base's tree is
/// judged on one, parsing untrusted YAML.
pub(crate) fn spawn<'scope, T: Send + 'scope>(
    scope: &'scope std::thread::Scope<'scope, '_>,
    work: impl FnOnce() -> T + Send + 'scope,
) -> std::thread::ScopedJoinHandle<'scope, T> {
    std::thread::Builder::new()
        .stack_size(crate::THREAD_STACK_BYTES)
        .spawn_scoped(scope, work)
        .expect("the OS starts a thread (it only fails when out of threads or memory)")
}

/// What the base of a comparison shows: its tree's findings.
struct AtBase {
    findings: Vec<Finding>,
    components: Vec<ComponentFindings>,
}

/// Judges the base's tree (`at`, listed) with the same rules and settings as the scanned one.
fn judge_base(
    at: &Target,
    listed: &Tree,
    plan: &Plan,
    settings: &Settings,
    deadline: Deadline,
) -> AtBase {
    let evaluation = engine::evaluate(plan, settings, listed, deadline, |indices| {
        let budget = content::ReadBudget::new(settings.max_total_read);
        content::read_all(
            &at.repo,
            listed,
            indices,
            settings.max_file_size,
            &budget,
            None,
        )
    });
    AtBase {
        findings: evaluation.findings,
        components: evaluation.components,
    }
}

/// The built-in rules, and their plan for the default settings: built once per process, as
/// a sweep scans thousands of repositories (parsing and compiling them is most of a small
/// repository's scan).
fn prepared() -> &'static (&'static [Rule], Plan) {
    static PREPARED: std::sync::OnceLock<(&'static [Rule], Plan)> = std::sync::OnceLock::new();
    PREPARED.get_or_init(|| {
        let builtin = rules::builtin_rules();
        let defaults = enabled_rules(builtin, &Settings::default());
        let plan = Plan::new(defaults, &Settings::default().exclude)
            .expect("the built-in rules' globs compile (every rule's fixtures are tested)");
        (builtin, plan)
    })
}

/// What the scanned tree is compared with.
enum Base<'a> {
    /// `--base REV`: the merge base (commit, tree) of REV and the scanned commit.
    PullRequest(&'a str, (ObjectId, ObjectId)),
    /// `--staged`: HEAD's commit and tree (the empty tree before the first commit).
    Head((ObjectId, ObjectId)),
}

/// A repository opened at a commit with that commit's configuration and rules, ready to
/// judge any other commit's tree with the same ones (`timeline`: a configuration change must
/// not look like a practice change).
pub struct Prepared {
    pub target: Target,
    pub settings: Settings,
    /// The config file applied, if any.
    pub config: Option<String>,
    plan: PreparedPlan,
}

enum PreparedPlan {
    Default(&'static Plan),
    Configured(Box<Plan>),
}

/// What judging one tree found, and what it depended on beyond the files the rules select.
pub struct Judged {
    /// The tree rules' findings (no history rule).
    pub findings: Vec<Finding>,
    /// The entries (of the listing judged) whose contents were read.
    pub read: Vec<usize>,
    /// The paths (and include patterns) looked up by name (`Tree::lookups`).
    pub lookups: Vec<String>,
    /// Each component's findings (a monorepo's).
    pub components: Vec<ComponentFindings>,
    /// How many bytes of the read budget (`--max-total-read`) it took.
    pub read_bytes: u64,
}

impl Prepared {
    /// Opens the repository at `options.rev` (HEAD when none) and loads that commit's
    /// configuration, `--select` and `--ignore` applied.
    pub fn open(options: &ScanOptions) -> Result<Prepared, ScanError> {
        let rev = options.rev.as_deref().unwrap_or("HEAD");
        let mut target = repo::open_with(&options.path, Some(rev), options.access)?;
        target.deadline = Deadline(options.deadline);
        if let Some(max_entries) = options.max_tree_entries {
            target.max_entries = max_entries;
        }
        let tree = tree::list(&target)?;
        let (builtin, default_plan) = prepared();
        let head = Side {
            target: &target,
            tree: &tree,
            base: false,
        };
        let Bar {
            mut settings,
            config,
            ..
        } = bar::choose(options, head, None, builtin)?;
        choose_rules(&mut settings, options, builtin)?;
        let chosen = !options.select.is_empty() || !options.ignore.is_empty();
        let plan = match config {
            None if !chosen => PreparedPlan::Default(default_plan),
            _ => PreparedPlan::Configured(Box::new(Plan::new(
                enabled_rules(builtin, &settings),
                &settings.exclude,
            )?)),
        };
        Ok(Prepared {
            target,
            settings,
            config,
            plan,
        })
    }

    pub fn plan(&self) -> &Plan {
        match &self.plan {
            PreparedPlan::Default(plan) => plan,
            PreparedPlan::Configured(plan) => plan,
        }
    }

    /// Lists the tree `tree_id` of `commit`.
    pub fn list(&self, commit: ObjectId, tree_id: ObjectId) -> Result<Tree, ScanError> {
        Ok(tree::list(&self.target.at(commit, tree_id))?)
    }

    /// Judges the tree rules on `listed` (a tree of the object database), given the globs
    /// each of its entries matches (`Plan::hits`), taking the findings of the components
    /// `reuse` has. Blobs the last judgement read come from `cache`.
    pub fn judge(
        &self,
        listed: &Tree,
        hits: &Hits,
        reuse: Option<engine::Reuse>,
        cache: &content::BlobCache,
    ) -> Result<Judged, ScanError> {
        let budget = content::ReadBudget::new(self.settings.max_total_read);
        let mut read = Vec::new();
        let evaluation = engine::evaluate_hits(
            self.plan(),
            &self.settings,
            listed,
            hits,
            reuse,
            self.target.deadline,
            Source {
                read: |indices: &[usize]| {
                    read.extend_from_slice(indices);
                    content::read_all(
                        &self.target.repo,
                        listed,
                        indices,
                        self.settings.max_file_size,
                        &budget,
                        Some(cache),
                    )
                },
                blobs: Some(cache),
            },
        );
        self.target.deadline.check()?;
        Ok(Judged {
            findings: evaluation.findings,
            read,
            lookups: listed.lookups.take(),
            components: evaluation.components,
            read_bytes: self.settings.max_total_read - budget.left(),
        })
    }
}

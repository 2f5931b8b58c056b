//! One `check`: open the repository, list the tree, load config, evaluate, build the report.

use std::path::{Path, PathBuf};

use gix::ObjectId;
use miette::Diagnostic;
use thiserror::Error;

use crate::baseline::{Baseline, BaselineError};
use crate::compare;
use crate::components::ComponentFindings;
use crate::diagnostic::ConfigError;
use crate::engine::{self, Plan};
use crate::facts::content::{self, Content};
use crate::facts::owners;
use crate::facts::tree::{self, Tree};
use crate::finding::{Evidence, Finding};
use crate::history::pull_request::PullRequest;
use crate::history::{self, Window};
use crate::repo::{self, Deadline, RepoError, Target};
use crate::report::{Report, RepositoryInfo};
use crate::rules::{self, Rule};
use crate::settings::{CONFIG_FILE_NAME, DEFAULT_MAX_FILE_SIZE, Settings};
use crate::weakening;

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
    /// Overrides the config's `scan.max-file-size`.
    pub max_file_size: Option<u64>,
    /// Overrides the config's `scan.max-total-read`.
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
    /// Only these rules and areas (`--select`), on top of the config's choice.
    pub select: Vec<String>,
    /// These rules and areas off too (`--ignore`), as the config's `disable`.
    pub ignore: Vec<String>,
    /// Give up with `RepoError::TimedOut` past this instant (a sweep's per-repository budget).
    pub deadline: Option<std::time::Instant>,
}

pub fn check(options: &ScanOptions) -> Result<Report, ScanError> {
    let deadline = Deadline(options.deadline);
    let mut target = if options.staged {
        repo::open_staged(&options.path)?
    } else {
        repo::open(&options.path, options.rev.as_deref())?
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
    let (head_settings, head_config) = load_settings(options, &target, &tree, builtin)?;
    // A pull request is judged with the base's configuration, so it cannot lower its own
    // bar; how its own configuration would lower it is reported instead.
    let (mut settings, config_name, weakenings) = match (&base, &base_tree) {
        (Some(Base::PullRequest(..)), Some((at, listed))) => {
            let (base_settings, base_config) = load_settings(options, at, listed, builtin)?;
            let weakenings = config_weakenings(
                options,
                &target,
                &tree,
                &base_settings,
                &head_settings,
                at,
                listed,
            )?;
            (base_settings, base_config, weakenings)
        }
        _ => (head_settings, head_config, Vec::new()),
    };
    if let Some(max_file_size) = options.max_file_size {
        settings.max_file_size = max_file_size;
    }
    if let Some(max_total_read) = options.max_total_read {
        settings.max_total_read = max_total_read;
    }
    choose_rules(&mut settings, options, builtin)?;
    let budget = content::ReadBudget::new(settings.max_total_read);
    let configured;
    let chosen = !options.select.is_empty() || !options.ignore.is_empty();
    let plan = match config_name {
        None if !chosen => default_plan,
        _ => {
            configured = Plan::new(engine::enabled_rules(builtin, &settings), &settings.exclude)?;
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
        let at_base = spawn(scope, || match (&base, &base_tree) {
            (Some(base), Some((at, listed))) => {
                judge_base(&target, base, (at, listed), plan, &settings, &weakenings).map(Some)
            }
            _ => Ok(None),
        });
        let evaluation = engine::evaluate(plan, &settings, &tree, |indices| {
            content::read_all(
                &target.repo,
                &tree,
                indices,
                settings.max_file_size,
                &budget,
            )
        });
        (evaluation, history.join(), at_base.join())
    });
    let history = history.unwrap_or_else(|panic| std::panic::resume_unwind(panic))?;
    let at_base = at_base.unwrap_or_else(|panic| std::panic::resume_unwind(panic))?;
    let mut findings = evaluation.findings;
    if let (Some(history), Some(window)) = (&history, window) {
        let rules = plan.history_rules();
        let measured = history::judge::Measured::window(history, window);
        findings.extend(history::judge::judge(rules, &measured, &settings));
    }
    let mut pull_request = None;
    if let Some(AtBase {
        findings: before,
        components: components_before,
        change,
    }) = at_base
    {
        let components = compare::Components {
            head: &evaluation.components,
            base: &components_before,
        };
        compare::classify(&mut findings, &before, components);
        if let Some(change) = change {
            // The change's own rules (its size, its tests) exist only now: new, if failing.
            let measured = history::judge::Measured::pull_request(&change);
            let mut judged = history::judge::judge(plan.history_rules(), &measured, &settings);
            compare::classify(&mut judged, &[], compare::Components::default());
            findings.extend(judged);
            pull_request = Some(change);
        }
    }
    let repository = RepositoryInfo {
        name: None,
        path: target.root.display().to_string(),
        head: target.head.map(|id| id.to_string()),
        scanned: target.scanned(),
        rev: target.rev.clone(),
        config: config_name,
        files: tree.entries.len(),
        submodules: tree.submodules.clone(),
        owners: owners::repository_owners(&target.repo.to_thread_local(), &tree),
    };
    let mut report = Report::new(repository, findings)
        .with_components(evaluation.components)
        .with_history(history)
        .with_pull_request(pull_request);
    // The baseline the config names is the base's in pull-request mode, like the config.
    let (baseline_target, baseline_tree) = match (&base, &base_tree) {
        (Some(Base::PullRequest(..)), Some((at, listed))) => (at, listed),
        _ => (&target, &tree),
    };
    if let Some(baseline) = load_baseline(options, &settings, baseline_target, baseline_tree)? {
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
fn spawn<'scope, T: Send + 'scope>(
    scope: &'scope std::thread::Scope<'scope, '_>,
    work: impl FnOnce() -> T + Send + 'scope,
) -> std::thread::ScopedJoinHandle<'scope, T> {
    std::thread::Builder::new()
        .stack_size(crate::THREAD_STACK_BYTES)
        .spawn_scoped(scope, work)
        .expect("the OS starts a thread (it only fails when out of threads or memory)")
}

/// What the base of a comparison shows: its tree's findings, and for a pull request the
/// change's own figures.
struct AtBase {
    findings: Vec<Finding>,
    components: Vec<ComponentFindings>,
    change: Option<PullRequest>,
}

/// Judges the base's tree (listed) with the same rules and settings as the scanned one.
fn judge_base(
    target: &Target,
    base: &Base,
    (at, listed): (&Target, &Tree),
    plan: &Plan,
    settings: &Settings,
    config_weakenings: &[Evidence],
) -> Result<AtBase, RepoError> {
    let evaluation = engine::evaluate(plan, settings, listed, |indices| {
        let budget = content::ReadBudget::new(settings.max_total_read);
        content::read_all(&at.repo, listed, indices, settings.max_file_size, &budget)
    });
    let change = match (base, target.head) {
        (Base::PullRequest(rev, (merge_base, _)), Some(head)) => {
            Some(history::pull_request::section(
                &target.repo,
                rev,
                *merge_base,
                head,
                config_weakenings,
            )?)
        }
        _ => None,
    };
    Ok(AtBase {
        findings: evaluation.findings,
        components: evaluation.components,
        change,
    })
}

/// How the head's configuration (and the baseline it names) lowers the bar the base's sets,
/// each at its line of the head's `.opslint.toml`.
fn config_weakenings(
    options: &ScanOptions,
    target: &Target,
    tree: &Tree,
    base: &Settings,
    head: &Settings,
    at: &Target,
    listed: &Tree,
) -> Result<Vec<Evidence>, ScanError> {
    let mut found = weakening::between(base, head, rules::builtin_rules());
    // Failures the head's baseline accepts and the base's did not.
    if options.baseline.is_none()
        && let Some(accepting) = load_baseline(options, head, target, tree)?
    {
        let before = load_baseline(options, base, at, listed)?.unwrap_or_default();
        let more = accepting.beyond(&before);
        if !more.is_empty() {
            let what = format!(
                "accepts {} in the baseline: {}",
                crate::text::plural(more.len(), "more failure"),
                crate::components::name_some(&more.iter().map(String::as_str).collect::<Vec<_>>())
            );
            found.push(weakening::Weakening {
                what,
                near: "baseline".to_owned(),
            });
        }
    }
    let text = repository_config(target, tree)?.unwrap_or_default();
    Ok(found
        .into_iter()
        .map(|weakening| Evidence {
            path: CONFIG_FILE_NAME.to_owned(),
            line: weakening::line_of(&text, &weakening.near),
            detail: Some(weakening.what),
        })
        .collect())
}

/// The baseline named by `--baseline` (a file on disk) or by the config (a file of the
/// scanned tree, so `--rev` and bare mirrors use the commit's own).
fn load_baseline(
    options: &ScanOptions,
    settings: &Settings,
    target: &Target,
    tree: &Tree,
) -> Result<Option<Baseline>, ScanError> {
    let unreadable = |name: &str, message: String| ScanError::BaselineUnreadable {
        name: name.to_owned(),
        message,
    };
    let (name, text) = if let Some(path) = &options.baseline {
        let name = path.display().to_string();
        let text =
            std::fs::read_to_string(path).map_err(|error| unreadable(&name, error.to_string()))?;
        (name, text)
    } else if let Some(name) = &settings.baseline {
        let entry = tree
            .find(name)
            .ok_or_else(|| unreadable(name, "the scanned tree has no such file".to_owned()))?;
        let repo = target.repo.to_thread_local();
        let text = match content::read_one(&repo, tree, entry, MAX_BASELINE_SIZE) {
            Content::Text(bytes) => String::from_utf8(bytes)
                .map_err(|_| unreadable(name, "not valid UTF-8".to_owned()))?,
            Content::Binary => return Err(unreadable(name, "it is a binary file".to_owned())),
            Content::TooLarge(size) => {
                return Err(unreadable(
                    name,
                    format!("it is {size} bytes, over the {MAX_BASELINE_SIZE}-byte limit"),
                ));
            }
            Content::Unreadable(why) => return Err(unreadable(name, why)),
        };
        (name.clone(), text)
    } else {
        return Ok(None);
    };
    Ok(Some(Baseline::parse(&name, &text)?))
}

/// A baseline lists at most a few hundred findings; a larger file is not one.
const MAX_BASELINE_SIZE: u64 = 16 * 1024 * 1024;

/// The built-in rules, and their plan for the default settings: built once per process, as
/// a sweep scans thousands of repositories (parsing and compiling them is most of a small
/// repository's scan).
fn prepared() -> &'static (&'static [Rule], Plan) {
    static PREPARED: std::sync::OnceLock<(&'static [Rule], Plan)> = std::sync::OnceLock::new();
    PREPARED.get_or_init(|| {
        let builtin = rules::builtin_rules();
        let defaults = engine::enabled_rules(builtin, &Settings::default());
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

/// Settings from `--config`, else from `.opslint.toml` at the root of the scanned tree
/// (so `--rev` uses that commit's config), else defaults.
fn load_settings(
    options: &ScanOptions,
    target: &Target,
    tree: &Tree,
    builtin: &[Rule],
) -> Result<(Settings, Option<String>), ScanError> {
    let given = match &options.config {
        Some(path) => {
            let text =
                std::fs::read_to_string(path).map_err(|error| ScanError::ConfigUnreadable {
                    path: path.clone(),
                    message: error.to_string(),
                })?;
            let name = path.display().to_string();
            Some((
                Settings::parse(&name, &text, builtin).map_err(Box::new)?,
                name,
            ))
        }
        None => None,
    };
    let own = match given {
        Some(_) if !options.layer_repo_config => None,
        _ => repository_config(target, tree)?,
    };
    Ok(match (given, own) {
        (Some((settings, name)), None) => (settings, Some(name)),
        (given, Some(text)) => {
            let (base, names) = match given {
                Some((settings, name)) => (settings, format!("{name} + {CONFIG_FILE_NAME}")),
                None => (Settings::default(), CONFIG_FILE_NAME.to_owned()),
            };
            let settings =
                Settings::parse_onto(base, CONFIG_FILE_NAME, &text, builtin).map_err(Box::new)?;
            (settings, Some(names))
        }
        (None, None) => (Settings::default(), None),
    })
}

/// The text of `.opslint.toml` at the root of the scanned tree, if there is one.
fn repository_config(target: &Target, tree: &Tree) -> Result<Option<String>, ScanError> {
    let Some(entry) = tree.find(CONFIG_FILE_NAME) else {
        return Ok(None);
    };
    let repo = target.repo.to_thread_local();
    let unreadable = |message: String| ScanError::ConfigUnreadable {
        path: Path::new(CONFIG_FILE_NAME).to_owned(),
        message,
    };
    match content::read_one(&repo, tree, entry, DEFAULT_MAX_FILE_SIZE) {
        Content::Text(bytes) => String::from_utf8(bytes)
            .map(Some)
            .map_err(|_| unreadable("not valid UTF-8".to_owned())),
        Content::Binary => Err(unreadable("it is a binary file".to_owned())),
        Content::TooLarge(size) => Err(unreadable(format!(
            "it is {size} bytes, over the {DEFAULT_MAX_FILE_SIZE}-byte limit for config files"
        ))),
        Content::Unreadable(why) => Err(unreadable(why)),
    }
}

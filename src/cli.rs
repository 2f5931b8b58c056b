//! Command-line interface: argument definitions and the dispatch of each subcommand.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use clap::builder::PossibleValue;
use clap::{Parser, Subcommand, ValueEnum};

use crate::config::settings::{self, CONFIG_FILE_NAME};
use crate::config::template;
use crate::history::Window;
use crate::render::{self, RenderOptions};
use crate::report::Report;
use crate::rules;
use crate::scan::{self, ScanOptions};
use crate::severity::Severity;

const EXIT_CODES: &str = "\
Exit codes:
  0  no failing finding at or above --fail-on
  1  failing findings at or above --fail-on
  2  usage, configuration or repository error";

#[derive(Debug, Parser)]
#[command(name = "opslint", version, about = "A git-native DevOps practices linter", after_help = EXIT_CODES)]
pub struct Cli {
    /// When to color output: auto (a terminal, unless NO_COLOR is set), always, never.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

impl ColorChoice {
    /// Whether to color a stream: `auto` colors a terminal unless `NO_COLOR` is set.
    pub fn enabled(self, stream_is_terminal: bool) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                stream_is_terminal
                    && std::env::var_os("NO_COLOR").is_none_or(|value| value.is_empty())
            }
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Report which DevOps practices a repository shows evidence of.
    #[command(after_help = EXIT_CODES)]
    Check(Box<CheckArgs>),
    /// The next steps, in the order a coach would give them: prerequisites first, the
    /// lowest missing maturity level first, then the most weight for the least effort.
    Plan(PlanArgs),
    /// The practices over time: every tree rule judged at the end of each period, the commit
    /// that adopted or lost each practice, and the coaching signals per period.
    Timeline(TimelineArgs),
    /// List every rule: id, area, severity, title.
    Rules {
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
    /// Explain a rule: what it checks, why it matters, how to fix it.
    Explain {
        /// A rule id, such as `ci.runs-tests`.
        #[arg(value_parser = RuleIds { areas: false }, hide_possible_values = true)]
        rule: String,
    },
    /// Write a commented .opslint.toml to start from.
    Init {
        /// Directory to write it in.
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// Replace an existing file.
        #[arg(long)]
        force: bool,
    },
    /// Scan every repository under some folders (clones and bare mirrors), in parallel:
    /// one JSON line per repository, written as each finishes.
    #[command(after_help = SWEEP_EXIT_CODES)]
    Sweep(SweepArgs),
    /// The organisation's picture from sweep output (one or more JSON Lines files, such as
    /// the shards of one sweep): HTML, Markdown or CSV.
    Report(OrgReportArgs),
    /// Git hooks: `opslint hook install` writes a pre-commit hook.
    Hook {
        #[command(subcommand)]
        action: HookAction,
    },
    /// Print shell completions.
    Completions { shell: clap_complete::Shell },
}

const SWEEP_EXIT_CODES: &str = "\
Exit codes:
  0  the sweep completed, whatever it found (repositories that failed have error lines)
  1  with --fail-on: some repository has a failing finding at or above it
  2  the sweep itself could not run (no repositories, unwritable output, bad arguments)";

#[derive(Debug, clap::Args)]
pub struct SweepArgs {
    /// Folders to search for repositories (a found repository is not descended into;
    /// symbolic links are not followed, but named).
    pub roots: Vec<PathBuf>,
    /// Also sweep the repositories listed in FILE, one path per line (`-`: standard input).
    #[arg(long, value_name = "FILE")]
    pub repos_from: Option<PathBuf>,
    /// How many folders below a root to look for repositories.
    #[arg(long, default_value_t = 4, value_name = "N")]
    pub depth: usize,
    /// Write the JSON lines to FILE instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Skip the repositories FILE (--output) already has lines for, and append.
    #[arg(long, requires = "output")]
    pub resume: bool,
    /// Sweep only part K of N of the repositories (by a stable hash of each repository's
    /// name): N machines each take one part, `opslint report` merges their files.
    #[arg(long, value_name = "K/N")]
    pub shard: Option<crate::sweep::discover::Shard>,
    /// The organisation's config, applied under each repository's own `.opslint.toml`.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Use only --config, not the repositories' own `.opslint.toml`.
    #[arg(long)]
    pub ignore_repo_config: bool,
    /// Time budget per repository, in seconds; over it, the repository gets an error line.
    #[arg(long, value_name = "SECONDS", default_value_t = 300)]
    pub timeout_per_repo: u64,
    /// The history window of each repository (as for check).
    #[arg(long, value_name = "WINDOW", default_value = "90d")]
    pub window: Window,
    /// Skip the history pass.
    #[arg(long)]
    pub no_history: bool,
    /// Repositories scanned at once (default: the number of CPUs).
    #[arg(long, short, value_name = "N")]
    pub jobs: Option<usize>,
    /// Exit 1 when a repository has a failing finding at or above this severity.
    #[arg(long, value_enum, default_value_t = FailOn::Never)]
    pub fail_on: FailOn,
    /// Also read the objects of the stores a repository's `objects/info/alternates` names
    /// (GitLab object pools, `git clone --shared`); without it such a repository is an error.
    #[arg(long)]
    pub allow_alternates: bool,
    /// Add each repository's timeline to its line (`opslint timeline`): `report` then shows
    /// adoption curves, who adopted or lost each practice, and the areas whose level moved.
    #[arg(long)]
    pub timeline: bool,
    /// With --timeline: how far back (2y, 18m, a date or all).
    #[arg(long, value_name = "WHEN", default_value = "2y", requires = "timeline")]
    pub since: crate::timeline::Since,
    /// With --timeline: the length of each period.
    #[arg(long, value_enum, default_value_t = crate::timeline::Every::Month, requires = "timeline")]
    pub every: crate::timeline::Every,
}

#[derive(Debug, clap::Args)]
pub struct OrgReportArgs {
    /// Sweep output files (`opslint sweep -o FILE`); several are merged.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t = render::org::DEFAULT, help = org_format_help())]
    pub format: render::org::Format,
    /// Group repositories by owner: the owners of CODEOWNERS' catch-all rule.
    #[arg(long, value_enum)]
    pub group_by: Option<GroupBy>,
    /// Write to FILE instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GroupBy {
    Codeowners,
}

#[derive(Debug, Subcommand)]
pub enum HookAction {
    /// Write a pre-commit hook that runs `opslint check --staged` (without the pre-commit
    /// framework; with it, use the `opslint` hook of this repository instead).
    Install {
        /// The repository (or a directory inside it).
        #[arg(default_value = ".")]
        path: PathBuf,
        /// Replace an existing pre-commit hook.
        #[arg(long)]
        force: bool,
    },
}

#[derive(Debug, clap::Args)]
pub struct TimelineArgs {
    /// A repository, a directory inside one, or a bare repository.
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// The last snapshot's commit (default HEAD); its configuration judges every snapshot.
    #[arg(long, value_name = "REV")]
    pub rev: Option<String>,
    /// How far back: a span (2y, 18m, 90d), a date (2024-01-31) or all.
    #[arg(long, value_name = "WHEN", default_value = "2y")]
    pub since: crate::timeline::Since,
    /// The length of each period.
    #[arg(long, value_enum, default_value_t = crate::timeline::Every::Month)]
    pub every: crate::timeline::Every,
    #[arg(long, value_enum, default_value_t = render::timeline::Format::Human)]
    pub format: render::timeline::Format,
    /// Write to this file instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Use this config file instead of the scanned commit's .opslint.toml.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Skip the history pass: no figures or signals per period.
    #[arg(long)]
    pub no_history: bool,
}

#[derive(Debug, clap::Args)]
pub struct PlanArgs {
    /// A repository, a directory inside one, or a bare repository.
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Plan from this commit's tree instead of the working tree.
    #[arg(long, value_name = "REV")]
    pub rev: Option<String>,
    /// How many steps to give (at least 1).
    #[arg(long, value_name = "N", default_value_t = crate::plan::DEFAULT_STEPS, value_parser = at_least_one)]
    pub steps: usize,
    #[arg(long, value_enum, default_value_t = render::plan::Format::Human)]
    pub format: render::plan::Format,
    /// Write the plan to this file instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Use this config file instead of the scanned tree's .opslint.toml.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// The history window, as for check.
    #[arg(long, value_name = "WINDOW", default_value = "90d")]
    pub window: Window,
    /// Skip the history pass: plan from the tree rules only.
    #[arg(long)]
    pub no_history: bool,
}

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// A repository, a directory inside one, or a bare repository.
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Scan this commit's tree from the object database instead of the working tree.
    #[arg(long, value_name = "REV")]
    pub rev: Option<String>,
    #[arg(long, value_enum, help = format_help())]
    pub format: Option<render::Format>,
    /// Write the report to this file instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Human report: only what fails, with its evidence and fix, and the summary line.
    #[arg(long, short, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Human report: every rule with what it examined — its message, all its evidence, and
    /// each rule that does not apply with its reason.
    #[arg(long, short)]
    pub verbose: bool,
    #[command(flatten)]
    pub extra_outputs: ExtraOutputs,
    /// Use this config file instead of the scanned tree's .opslint.toml.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Lowest severity of a failing finding that makes the exit code 1.
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    pub fail_on: FailOn,
    /// Largest file read for content rules, e.g. 1048576 or "2 MiB" (default 4 MiB).
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub max_file_size: Option<u64>,
    /// Most bytes read by one scan, all files together (default 256 MiB); past it, the rules
    /// that needed more files are unknown, saying so.
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub max_total_read: Option<u64>,
    /// Most files listed in one scan (default 10,000,000); more is an error.
    #[arg(long, value_name = "N")]
    pub max_tree_entries: Option<usize>,
    /// Also read the objects of the stores the repository's `objects/info/alternates` names
    /// (GitLab object pools, `git clone --shared`); without it such a repository is an error.
    #[arg(long)]
    pub allow_alternates: bool,
    /// Give up (exit 2) after this many seconds.
    #[arg(long, value_name = "SECONDS")]
    pub timeout: Option<u64>,
    /// Judge only these rules or areas (ids separated by commas, or the option repeated),
    /// e.g. `--select security,ci.pipeline`.
    #[arg(
        long,
        value_name = "IDS",
        value_delimiter = ',',
        value_parser = RuleIds { areas: true },
        hide_possible_values = true
    )]
    pub select: Vec<String>,
    /// Leave out these rules or areas too, as the config's `disable` does.
    #[arg(
        long,
        value_name = "IDS",
        value_delimiter = ',',
        value_parser = RuleIds { areas: true },
        hide_possible_values = true
    )]
    pub ignore: Vec<String>,
    /// How far back history figures look from the scanned commit: days, weeks, months of 30
    /// days or years (30d, 12w, 6m, 1y) or all (the window before it gives each figure's trend).
    #[arg(long, value_name = "WINDOW", default_value = "90d")]
    pub window: Window,
    /// Skip the history pass: tree rules only.
    #[arg(long)]
    pub no_history: bool,
    /// Pull-request mode: compare with the merge base of REV and the scanned commit.
    /// Regressions (passed at the base, or in a monorepo fail in more components, and fail
    /// now) are reported at their severity,
    /// improvements as notes, unchanged findings summarised; the change's own commits are
    /// measured instead of a window of history; only failures the change introduced set
    /// the exit code.
    #[arg(long, value_name = "REV")]
    pub base: Option<String>,
    /// Scan what is staged (the index), as a pre-commit hook does: compared with HEAD, so
    /// only what the commit would break fails it; no history pass.
    #[arg(long, conflicts_with = "rev")]
    pub staged: bool,
    /// Accept the failures this baseline file lists: they are reported as baselined and
    /// fail nothing (default: the config's `[scan] baseline`).
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Record today's failures in FILE, to adopt opslint on an existing repository
    /// (then pass `--baseline FILE`, or name it in the config).
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
}

/// Rule ids (and with `areas`, area ids) as the values of an argument: offered by shell
/// completion (the generated scripts list them, with their titles), but any id is
/// accepted here, since a config can define rules of its own; unknown ones are reported
/// with a suggestion by the command.
#[derive(Debug, Clone, Copy)]
struct RuleIds {
    areas: bool,
}

impl clap::builder::TypedValueParser for RuleIds {
    type Value = String;

    fn parse_ref(
        &self,
        command: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<String, clap::Error> {
        clap::builder::StringValueParser::new().parse_ref(command, arg, value)
    }

    fn possible_values(
        &self,
    ) -> Option<Box<dyn Iterator<Item = clap::builder::PossibleValue> + '_>> {
        use clap::builder::PossibleValue;
        let rules = rules::builtin_rules()
            .iter()
            .map(|rule| PossibleValue::new(rule.id.as_str()).help(&*rule.title));
        let areas = crate::area::Area::ALL
            .into_iter()
            .filter(|_| self.areas)
            .map(|area| PossibleValue::new(area.id()).help(area.title()));
        Some(Box::new(areas.chain(rules)))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Json,
}

/// `check --format`'s values: the registered formats (`render::FORMATS`).
impl ValueEnum for render::Format {
    fn value_variants<'a>() -> &'a [Self] {
        render::FORMATS
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(PossibleValue::new(self.name))
    }
}

/// `check --format`'s help: each format and what it is.
fn format_help() -> String {
    let formats: Vec<String> = render::FORMATS
        .iter()
        .map(|format| format!("{} ({})", format.name, format.about))
        .collect();
    format!("{}. Default: {}", formats.join(", "), render::DEFAULT.name)
}

/// `opslint report --format`'s values: the registered formats (`render::org::FORMATS`).
impl ValueEnum for render::org::Format {
    fn value_variants<'a>() -> &'a [Self] {
        render::org::FORMATS
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(PossibleValue::new(self.name))
    }
}

/// `opslint report --format`'s help: each format and what it is.
fn org_format_help() -> String {
    let formats: Vec<String> = render::org::FORMATS
        .iter()
        .map(|format| format!("{} ({})", format.name, format.about))
        .collect();
    formats.join(", ")
}

/// `check --sarif-output FILE` and the like: the same scan written in more formats, each to
/// its file (one scan, several outputs). The flags are the formats' (`render::also_written`).
#[derive(Debug, Default)]
pub struct ExtraOutputs {
    /// The formats asked for, each with its file, in the order of the flags.
    pub files: Vec<(render::Format, PathBuf)>,
}

impl clap::Args for ExtraOutputs {
    fn augment_args(command: clap::Command) -> clap::Command {
        render::also_written()
            .into_iter()
            .fold(command, |command, (_, also)| {
                command.arg(
                    clap::Arg::new(also.flag)
                        .long(also.flag)
                        .value_name("FILE")
                        .value_parser(clap::value_parser!(PathBuf))
                        .action(clap::ArgAction::Set)
                        .help(also.help),
                )
            })
    }

    fn augment_args_for_update(command: clap::Command) -> clap::Command {
        Self::augment_args(command)
    }
}

impl clap::FromArgMatches for ExtraOutputs {
    fn from_arg_matches(matches: &clap::ArgMatches) -> Result<Self, clap::Error> {
        let files = render::also_written()
            .into_iter()
            .filter_map(|(format, also)| {
                let path = matches.get_one::<PathBuf>(also.flag)?;
                Some((*format, path.clone()))
            })
            .collect();
        Ok(ExtraOutputs { files })
    }

    fn update_from_arg_matches(&mut self, matches: &clap::ArgMatches) -> Result<(), clap::Error> {
        *self = Self::from_arg_matches(matches)?;
        Ok(())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Note,
    Never,
}

impl FailOn {
    fn threshold(self) -> Option<Severity> {
        match self {
            FailOn::Error => Some(Severity::Error),
            FailOn::Warning => Some(Severity::Warning),
            FailOn::Note => Some(Severity::Note),
            FailOn::Never => None,
        }
    }
}

fn parse_size(text: &str) -> Result<u64, String> {
    settings::parse_byte_size(text)
        .ok_or_else(|| format!("`{text}` is not a size; write bytes or e.g. \"2 MiB\""))
}

/// The outcome of a command: an exit code, or an error to print before exiting with 2.
pub type Outcome = Result<u8, miette::Report>;

pub fn run(cli: Cli) -> Outcome {
    let color = cli.color.enabled(std::io::stdout().is_terminal());
    match cli.command {
        Command::Check(args) => check(*args, color),
        Command::Plan(args) => plan(args),
        Command::Timeline(args) => timeline(args),
        Command::Rules { format } => list_rules(format),
        Command::Explain { rule } => explain(&rule),
        Command::Init { dir, force } => init(dir, force),
        Command::Sweep(args) => sweep(args),
        Command::Report(args) => org_report(args),
        Command::Hook {
            action: HookAction::Install { path, force },
        } => {
            let hook = crate::hook::install(&path, force)?;
            eprintln!("wrote {}", hook.display());
            Ok(0)
        }
        Command::Completions { shell } => {
            // Generated whole, then written: clap_complete panics on a failed write, and a
            // closed pipe (`opslint completions zsh | head`) is no failure.
            let mut command = <Cli as clap::CommandFactory>::command();
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut command, "opslint", &mut script);
            write_stdout(|out| out.write_all(&script))?;
            Ok(0)
        }
    }
}

fn check(args: CheckArgs, color: bool) -> Outcome {
    let started = std::time::Instant::now();
    let staged = args.staged;
    let options = ScanOptions {
        path: args.path,
        rev: args.rev,
        config: args.config,
        max_file_size: args.max_file_size,
        history: (!args.no_history).then_some(args.window),
        base: args.base,
        staged: args.staged,
        baseline: args.baseline,
        layer_repo_config: false,
        ignore_repo_config: false,
        deadline: args
            .timeout
            .map(|seconds| std::time::Instant::now() + std::time::Duration::from_secs(seconds)),
        max_total_read: args.max_total_read,
        max_tree_entries: args.max_tree_entries,
        access: crate::repo::Access {
            exact: false,
            allow_alternates: args.allow_alternates,
        },
        select: args.select,
        ignore: args.ignore,
    };
    let report = scan::check(&options).map_err(|error| match error {
        scan::ScanError::UnknownRule(id) => unknown_id(&id),
        error => error.into(),
    })?;
    let options = RenderOptions {
        color: color && args.output.is_none(),
        detail: match (args.quiet, args.verbose) {
            (true, _) => render::Detail::Quiet,
            (_, true) => render::Detail::Verbose,
            _ => render::Detail::Normal,
        },
    };
    let write = |format: render::Format, out: &mut dyn Write| format.render(&report, &options, out);
    // The same scan written in other formats too, each to its file.
    for (format, path) in &args.extra_outputs.files {
        write_file(path, |file| write(*format, file))?;
    }
    let format = args.format.unwrap_or(render::DEFAULT);
    // A pre-commit hook that lets the commit through says so in one line; what fails is
    // reported in full.
    let hook_passes = staged
        && format == render::human::FORMAT
        && args.output.is_none()
        && !args.verbose
        && args.write_baseline.is_none()
        && report.gating().next().is_none();
    if hook_passes {
        let line = hook_line(&report, started.elapsed());
        write_stdout(|out| writeln!(out, "{line}"))?;
        return Ok(exit_code(&report, args.fail_on));
    }
    match &args.output {
        Some(path) => write_file(path, |file| write(format, file))?,
        // Recording a baseline prints the report only when a format was asked for.
        None if args.write_baseline.is_none() || args.format.is_some() => {
            write_stdout(|out| workflow_commands_off(format, out, |out| write(format, out)))?;
        }
        None => {}
    }
    if let Some(path) = &args.write_baseline {
        let baseline = crate::config::baseline::render(&report);
        write_file(path, |file| file.write_all(baseline.as_bytes()))?;
        eprintln!(
            "opslint: wrote {} to {path} (accepted from now on with --baseline {path})",
            crate::text::plural(report.count(crate::finding::Status::Fail), "failure"),
            path = path.display()
        );
        // Recording a baseline accepts today's failures: nothing failed.
        return Ok(0);
    }
    Ok(exit_code(&report, args.fail_on))
}

/// In a GitHub Actions log a line of the human report that reads `::error …` — a file named
/// so, indented — would be a workflow command. The runner is told to ignore commands while it
/// is printed, with a token the repository cannot know. (Other formats are data, written to
/// files or piped, and `--format github`'s commands are the point.)
fn workflow_commands_off(
    format: render::Format,
    out: &mut dyn Write,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let in_actions = std::env::var_os("GITHUB_ACTIONS").is_some_and(|value| value == "true");
    if !in_actions || format != render::human::FORMAT {
        return write(out);
    }
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |since| since.as_nanos()),
    );
    let token = format!("opslint-{:016x}", hasher.finish());
    writeln!(out, "::stop-commands::{token}")?;
    write(out)?;
    writeln!(out, "::{token}::")
}

/// `check --staged` when the commit breaks nothing: "opslint: 23 rules pass, nothing new
/// fails (0.12 s)", and how many failed before, which the commit leaves as they were.
fn hook_line(report: &Report, elapsed: std::time::Duration) -> String {
    let passing = report.count(crate::finding::Status::Pass);
    let before = report.count(crate::finding::Status::Fail);
    let verb = if passing == 1 { "passes" } else { "pass" };
    let mut line = format!(
        "opslint: {} {verb}, nothing new fails (",
        crate::text::plural(passing, "rule")
    );
    if before > 0 {
        line.push_str(&format!("{before} failed before; "));
    }
    line.push_str(&format!("{:.2} s)", elapsed.as_secs_f64()));
    line
}

fn write_file(
    path: &std::path::Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), miette::Report> {
    std::fs::File::create(path)
        .and_then(|mut file| write(&mut file))
        .map_err(|error| miette::miette!("cannot write {}: {error}", path.display()))
}

fn sweep(args: SweepArgs) -> Outcome {
    use crate::sweep::{self, SweepOptions, discover};

    let found = discover::candidates(
        &args.roots,
        args.depth,
        args.repos_from.as_deref(),
        args.shard,
    )?;
    if found.candidates.is_empty() && args.shard.is_none() {
        for symlink in &found.symlinks {
            eprintln!("sweep: {}", crate::text::for_terminal(&symlink.to_string()));
        }
        return Err(miette::miette!(
            help = "give folders that hold clones or bare mirrors (the targets of symbolic links \
                    as roots of their own), or --repos-from FILE",
            "no repositories to sweep"
        ));
    }
    let jobs = args.jobs.unwrap_or_else(|| {
        std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get)
    });
    let summary = sweep::run(SweepOptions {
        candidates: found.candidates,
        symlinks: found.symlinks,
        output: args.output,
        resume: args.resume,
        config: args.config,
        ignore_repo_config: args.ignore_repo_config,
        history: (!args.no_history).then_some(args.window),
        timeout: Some(std::time::Duration::from_secs(args.timeout_per_repo)),
        jobs,
        fail_on: args.fail_on.threshold(),
        allow_alternates: args.allow_alternates,
        timeline: args.timeline.then_some((args.since, args.every)),
    })?;
    eprintln!("{summary}");
    Ok(u8::from(summary.failing > 0))
}

fn org_report(args: OrgReportArgs) -> Outcome {
    let fleet = crate::sweep::fleet::Fleet::load(&args.files)?;
    let options = render::org::Options {
        by_owner: args.group_by == Some(GroupBy::Codeowners),
    };
    let write = |out: &mut dyn Write| args.format.render(&fleet, &options, out);
    match &args.output {
        Some(path) => write_file(path, write)?,
        None => write_stdout(write)?,
    }
    Ok(0)
}

/// `opslint timeline`: exits 0 (2 on errors).
fn timeline(args: TimelineArgs) -> Outcome {
    let options = crate::timeline::TimelineOptions {
        scan: ScanOptions {
            path: args.path,
            rev: args.rev,
            config: args.config,
            ..ScanOptions::default()
        },
        since: args.since,
        every: args.every,
        no_history: args.no_history,
    };
    let timeline = crate::timeline::timeline(&options)?;
    let text = render::timeline::render(&timeline, args.format);
    match &args.output {
        Some(path) => write_file(path, |file| file.write_all(text.as_bytes()))?,
        None => write_stdout(|out| out.write_all(text.as_bytes()))?,
    }
    Ok(0)
}

fn at_least_one(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(0) => Err("a plan has at least one step".to_owned()),
        Ok(count) => Ok(count),
        Err(error) => Err(error.to_string()),
    }
}

/// `opslint plan`: advice, so it exits 0 whatever fails (2 on errors, as check).
fn plan(args: PlanArgs) -> Outcome {
    let options = ScanOptions {
        path: args.path,
        rev: args.rev,
        config: args.config,
        history: (!args.no_history).then_some(args.window),
        ..ScanOptions::default()
    };
    let report = scan::check(&options)?;
    let plan = crate::plan::plan(&report, args.steps);
    let text = render::plan::render(&plan, &report, args.format);
    match &args.output {
        Some(path) => write_file(path, |file| file.write_all(text.as_bytes()))?,
        None => write_stdout(|out| out.write_all(text.as_bytes()))?,
    }
    Ok(0)
}

fn exit_code(report: &Report, fail_on: FailOn) -> u8 {
    let failing = fail_on
        .threshold()
        .is_some_and(|threshold| report.gating().any(|finding| finding.fails_at(threshold)));
    u8::from(failing)
}

fn list_rules(format: Format) -> Outcome {
    let rules = rules::builtin_rules();
    let text = match format {
        Format::Json => {
            let listed: Vec<_> = rules
                .iter()
                .map(|rule| {
                    serde_json::json!({
                        "id": rule.id, "area": rule.area, "severity": rule.severity,
                        "weight": rule.weight, "title": rule.title, "level": rule.level,
                        "effort": rule.effort, "requires": rule.requires,
                    })
                })
                .collect();
            serde_json::to_string_pretty(&listed).expect("rules serialize") + "\n"
        }
        Format::Human => {
            let width = rules.iter().map(|rule| rule.id.len()).max().unwrap_or(0);
            rules
                .iter()
                .map(|rule| {
                    format!(
                        "{:width$}  {:13}  {:7}  L{}  {}\n",
                        rule.id,
                        rule.area.id(),
                        rule.severity.as_str(),
                        rule.level,
                        rule.title
                    )
                })
                .collect()
        }
    };
    write_stdout(|out| out.write_all(text.as_bytes()))?;
    Ok(0)
}

fn explain(id: &str) -> Outcome {
    let rules = rules::builtin_rules();
    let Some(rule) = rules.iter().find(|rule| rule.id == id) else {
        let close =
            crate::config::diagnostic::did_you_mean(id, rules.iter().map(|rule| rule.id.as_str()));
        let help = close.unwrap_or_else(|| {
            let suggestion = rules
                .iter()
                .filter(|rule| rule.id.contains(id) || id.contains(rule.area.id()))
                .map(|rule| rule.id.as_str())
                .take(5)
                .collect::<Vec<_>>();
            if suggestion.is_empty() {
                "`opslint rules` lists every rule".to_owned()
            } else {
                format!("similar rules: {}", suggestion.join(", "))
            }
        });
        return Err(miette::miette!(help = help, "unknown rule `{id}`"));
    };
    let text = crate::checks::explain::explanation(rule);
    write_stdout(|out| out.write_all(text.as_bytes()))?;
    Ok(0)
}

/// `--select` or `--ignore` named no rule or area: which one is close, if any. Only built-in
/// ids are suggested; the config's own rules are known to the scan, not here.
fn unknown_id(id: &str) -> miette::Report {
    let rules = rules::builtin_rules().iter().map(|rule| rule.id.as_str());
    let areas = crate::area::Area::ALL
        .into_iter()
        .map(crate::area::Area::id);
    let help =
        crate::config::diagnostic::did_you_mean(id, rules.chain(areas)).unwrap_or_else(|| {
            "`opslint rules` lists every rule id; area ids are the part before the dot".to_owned()
        });
    miette::miette!(
        code = "opslint::unknown_rule",
        help = help,
        "unknown rule or area `{id}`"
    )
}

fn init(dir: PathBuf, force: bool) -> Outcome {
    let path = dir.join(CONFIG_FILE_NAME);
    if path.exists() && !force {
        return Err(miette::miette!(
            help = "pass --force to replace it",
            "{} already exists",
            path.display()
        ));
    }
    std::fs::write(&path, template::CONFIG_TEMPLATE)
        .map_err(|error| miette::miette!("cannot write {}: {error}", path.display()))?;
    eprintln!("wrote {}", path.display());
    Ok(0)
}

/// Writes to stdout with `write`; a closed pipe (`opslint check | head`) is not an error.
fn write_stdout(
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), miette::Report> {
    let mut stdout = std::io::stdout().lock();
    match write(&mut stdout).and_then(|()| stdout.flush()) {
        Err(error) if error.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(miette::miette!("cannot write to standard output: {error}"))
        }
        _ => Ok(()),
    }
}

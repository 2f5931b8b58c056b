//! Task runners, at the repository root and in the folders pipelines call them in, so that
//! a pipeline step such as `make test` or `cd web && npm test` is judged by what the target
//! or script actually runs.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use super::pipeline::{Place, Walk, is_install};
use super::poe;
use super::yaml::{self, Node};
use crate::repo::Deadline;
use crate::rules::{TaskFiles, known};

/// The root files of each task runner, by name: rule data (`rules/devenv.toml`).
fn names() -> &'static TaskFiles {
    &known().task_files
}

/// Root files that define tasks.
pub fn task_files() -> impl Iterator<Item = &'static str> {
    let names = names();
    names
        .makefiles
        .iter()
        .chain(&names.included_makefiles)
        .chain(&names.package_json)
        .chain(&names.deno_json)
        .chain(&names.composer_json)
        .chain(&names.justfiles)
        .chain(&names.taskfiles)
        .chain(&names.earthfiles)
        .chain(&names.poe_files)
        .map(String::as_str)
}

/// Each target, script, recipe or task of one runner, with the commands it runs.
type Table = HashMap<String, Vec<String>>;

/// How deep `make ci` → `make test` → `cargo test` chains are followed.
const MAX_DEPTH: usize = 8;

/// How many commands one command may expand to.
const MAX_EXPANDED: usize = 4_096;

/// How many commands, and how many bytes of them, one expansion may look at before it stops:
/// tasks listing thousands of others, or long lines reached again and again, are work that
/// grows with what they name, not with the file.
const MAX_VISITED: usize = 4 * MAX_EXPANDED;
const MAX_VISITED_BYTES: usize = 16 << 20;

/// How long a recipe line may grow when variables are substituted, and how much
/// substituted text a Makefile may produce in all: variables that name each other double
/// a line with each substitution.
const MAX_RECIPE_BYTES: usize = 4 << 10;
const MAX_SUBSTITUTED_BYTES: usize = 4 << 20;

/// How much a Makefile's targets may hold in all, recipes and prerequisites together.
const MAX_TABLE_BYTES: usize = 8 << 20;

/// npm's `init` placeholder: a script, but not a test suite.
const NPM_PLACEHOLDER: &str = "no test specified";

/// The task runners of one folder.
#[derive(Debug, Default)]
struct Runners {
    /// Make targets: their recipe lines, then their prerequisites as `make <target>`.
    make: Table,
    /// What a bare `make` builds: `.DEFAULT_GOAL`, or the first target of the Makefile.
    make_default: Option<String>,
    npm: Table,
    /// Deno's tasks: their commands (a task's `dependencies` run first, as `deno task other`).
    deno: Table,
    /// Composer's scripts: their commands, with the scripts one calls (`@test`) as
    /// `composer test`.
    composer: Table,
    just: Table,
    /// How many of the words after each just recipe are its arguments: `None` for a
    /// variadic parameter, which takes the rest.
    just_parameters: HashMap<String, Option<usize>>,
    /// Task's tasks: their `cmds`, with `task: other` references as `task other`.
    task: Table,
    /// Earthly's targets: their `RUN` lines, with the targets one builds or starts from as
    /// `earthly +other`.
    earthly: Table,
    /// Poe the Poet's tasks: their `cmd` or `shell` lines, with the tasks a sequence,
    /// `ref` or `deps` runs as `poe other`.
    poe: Table,
    /// The runners whose file the folder has.
    present: Vec<Runner>,
    /// The name its package.json gives the package: a workspace member is chosen by it.
    package_name: Option<String>,
}

/// Which task runner a command calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Runner {
    Make,
    Npm,
    Deno,
    Composer,
    Just,
    Task,
    Earthly,
    Poe,
}

impl Runners {
    /// `read(name)` returns the text of a file of the folder, if present; `poe` holds the
    /// folder's Poe tasks, read once by the caller for what they leave out of sight too.
    fn new<'a>(read: impl Fn(&str) -> Option<&'a str>, poe: Table) -> Runners {
        let first = |names: &[String]| names.iter().find_map(|name| read(name));
        let names = names();
        let makefile = folder_makefile(&read).map(|text| with_included(text, &read));
        let package_json = first(&names.package_json);
        let npm = package_json.map(npm_scripts).unwrap_or_default();
        Runners {
            // A `pyproject.toml` is Poe's task file only when it has Poe's tasks.
            present: task_files()
                .filter(|name| read(name).is_some())
                .filter_map(runner_of)
                .filter(|runner| *runner != Runner::Poe || !poe.is_empty())
                .collect(),
            make: makefile.as_deref().map(make_targets).unwrap_or_default(),
            make_default: makefile.as_deref().and_then(make_default_goal),
            // `deno task x` runs package.json's script `x` when deno.json has no such task.
            deno: {
                let mut tasks = npm.clone();
                tasks.extend(first(&names.deno_json).map(deno_tasks).unwrap_or_default());
                tasks
            },
            composer: first(&names.composer_json)
                .map(composer_scripts)
                .unwrap_or_default(),
            just: first(&names.justfiles)
                .map(just_recipes)
                .unwrap_or_default(),
            just_parameters: first(&names.justfiles)
                .map(just_parameters)
                .unwrap_or_default(),
            task: first(&names.taskfiles)
                .map(taskfile_tasks)
                .unwrap_or_default(),
            earthly: first(&names.earthfiles)
                .map(earthly_targets)
                .unwrap_or_default(),
            poe,
            npm,
            package_name: package_json.and_then(package_name),
        }
    }

    fn table(&self, runner: Runner) -> &Table {
        match runner {
            Runner::Make => &self.make,
            Runner::Npm => &self.npm,
            Runner::Deno => &self.deno,
            Runner::Composer => &self.composer,
            Runner::Just => &self.just,
            Runner::Task => &self.task,
            Runner::Earthly => &self.earthly,
            Runner::Poe => &self.poe,
        }
    }

    fn tables(&self) -> [&Table; 8] {
        [
            &self.make,
            &self.npm,
            &self.deno,
            &self.composer,
            &self.just,
            &self.task,
            &self.earthly,
            &self.poe,
        ]
    }
}

/// The task runners of the root, and of the folders pipelines run them in (`cd web && npm
/// test`, `make -C tests check`, a step's `working-directory`).
#[derive(Debug, Default)]
pub struct TaskRunners {
    /// By folder, `""` being the root.
    folders: HashMap<String, Runners>,
    /// Folders a pipeline enters that the tree does not hold, read as the root: a CI
    /// system's checkout of this repository under its own name (a Concourse task's input,
    /// `cd dp-api && make test`).
    checkouts: HashSet<String>,
    /// Task files that exist but could not be read: what their tasks run is unknown.
    pub unread: Vec<UnreadTaskFile>,
    /// Past it, expansions stop where they are: the scan has timed out.
    deadline: Deadline,
    /// Expansions already made: every rule that judges a pipeline asks about its commands.
    expansions: Mutex<Expansions>,
}

/// Expansions by command, and how many bytes they hold: past [`MAX_CACHED_BYTES`], new ones
/// are made and not kept.
#[derive(Debug, Default)]
struct Expansions {
    by_command: HashMap<String, Expansion>,
    bytes: usize,
}

const MAX_CACHED_BYTES: usize = 64 << 20;

/// The commands a command runs through task runners, and whether following them stopped at
/// a limit before the end: what lies past it was not seen.
#[derive(Debug, Clone)]
struct Expansion {
    commands: Arc<[String]>,
    cut_short: bool,
}

/// A task file that exists but could not be read (over the read cap, past the read budget,
/// not UTF-8).
#[derive(Debug)]
pub struct UnreadTaskFile {
    /// Its path in the repository.
    pub path: String,
    pub runner: Runner,
    folder: String,
    /// The one task out of sight (Poe's task run as Python code), or `None`: all of them.
    task: Option<String>,
    pub why: String,
}

impl UnreadTaskFile {
    pub fn new(folder: &str, name: &str, why: String) -> Option<UnreadTaskFile> {
        Some(UnreadTaskFile {
            path: in_folder(folder, name),
            runner: runner_of(name)?,
            folder: folder.to_owned(),
            task: None,
            why,
        })
    }

    /// A file the folder's Makefile includes (`include build/test.mk`) that could not be read.
    pub fn included(folder: &str, name: &str, why: String) -> UnreadTaskFile {
        UnreadTaskFile {
            path: in_folder(folder, name),
            runner: Runner::Make,
            folder: folder.to_owned(),
            task: None,
            why: format!("is included by the Makefile and {why}"),
        }
    }
}

/// The text of the Makefile make reads in a folder (`read(name)` gives a file's text there):
/// the first of its names present.
pub fn folder_makefile<'a>(read: impl Fn(&str) -> Option<&'a str>) -> Option<&'a str> {
    names().makefiles.iter().find_map(|name| read(name))
}

/// The runner whose file `name` (one of [`task_files`]) is.
fn runner_of(name: &str) -> Option<Runner> {
    let names = names();
    let named = |list: &[String]| list.iter().any(|known| known == name);
    if named(&names.makefiles) || named(&names.included_makefiles) {
        Some(Runner::Make)
    } else if named(&names.package_json) {
        Some(Runner::Npm)
    } else if named(&names.deno_json) {
        Some(Runner::Deno)
    } else if named(&names.composer_json) {
        Some(Runner::Composer)
    } else if named(&names.justfiles) {
        Some(Runner::Just)
    } else if named(&names.taskfiles) {
        Some(Runner::Task)
    } else if named(&names.earthfiles) {
        Some(Runner::Earthly)
    } else if named(&names.poe_files) {
        Some(Runner::Poe)
    } else {
        None
    }
}

/// The first of the folder's Poe files (`pyproject.toml`, `poe_tasks.toml`) that has Poe's
/// tasks or configuration, read.
fn poe_file<'a>(read: impl Fn(&str) -> Option<&'a str>) -> Option<(&'static str, poe::PoeTasks)> {
    names()
        .poe_files
        .iter()
        .filter_map(|name| Some((name.as_str(), poe::read(read(name)?)?)))
        .next()
}

/// `name` in `folder` of the repository (`""` is the root).
pub fn in_folder(folder: &str, name: &str) -> String {
    match folder {
        "" => name.to_owned(),
        folder => format!("{folder}/{name}"),
    }
}

/// How many folders other than the root have their task runners read.
pub const MAX_FOLDERS: usize = 256;

impl TaskRunners {
    /// The root's task runners: `read(name)` returns the text of a root file from
    /// [`task_files`], if present.
    pub fn new<'a>(read: impl Fn(&str) -> Option<&'a str>) -> TaskRunners {
        let mut runners = TaskRunners::default();
        runners.add_folder("", read);
        runners
    }

    /// Adds the task runners of `folder`, whose files `read(name)` returns.
    pub fn add_folder<'a>(&mut self, folder: &str, read: impl Fn(&str) -> Option<&'a str>) {
        // Poe's tasks that run Python code, and a Poe section opslint cannot follow: what
        // they run is out of sight.
        let mut poe_tasks = Table::new();
        if let Some((name, poe)) = poe_file(&read) {
            let path = in_folder(folder, name);
            let unread = |task: Option<String>, why: String| UnreadTaskFile {
                path: path.clone(),
                runner: Runner::Poe,
                folder: folder.to_owned(),
                task,
                why,
            };
            self.unread.extend(poe.unread.map(|why| unread(None, why)));
            self.unread.extend(poe.code.into_iter().map(|(task, code)| {
                let why = format!("runs Poe's task `{task}` as Python code ({code})");
                unread(Some(task), why)
            }));
            poe_tasks = poe.tasks;
        }
        self.folders
            .insert(folder.to_owned(), Runners::new(read, poe_tasks));
    }

    pub fn has_folder(&self, folder: &str) -> bool {
        self.folders.contains_key(folder)
    }

    /// Reads `folder`, which the tree does not hold, as the root (see `checkouts`).
    pub fn add_checkout(&mut self, folder: &str) {
        self.checkouts.insert(folder.to_owned());
    }

    /// Whether `runner`'s file was found in `folder` (read or not).
    pub fn has_file(&self, folder: &str, runner: Runner) -> bool {
        self.folders
            .get(folder)
            .is_some_and(|runners| runners.present.contains(&runner))
            || self
                .unread
                .iter()
                .any(|file| file.folder == folder && file.runner == runner)
    }

    /// The tasks `call` names that its folder's read task file does not define: a Makefile's
    /// pattern rule (`%-suite:`), a target named by a variable or in a file opslint does not
    /// read may build them. Only for make, just, Task, Earthly and Poe, whose every word
    /// after the runner's options is a task (`yarn install` is yarn's own command).
    pub fn undefined<'a>(&self, call: &Invocation<'a>) -> Vec<&'a str> {
        if call.other_file
            || !matches!(
                call.runner,
                Runner::Make | Runner::Just | Runner::Task | Runner::Earthly | Runner::Poe
            )
        {
            return Vec::new();
        }
        let Some(table) = self.table_of(call) else {
            return Vec::new();
        };
        // Only just's first word is surely a recipe: the others may be its arguments.
        let named = match call.runner {
            Runner::Just => &call.names[..call.names.len().min(1)],
            _ => &call.names[..],
        };
        named
            .iter()
            .copied()
            // A name that is a variable or an expression is chosen at run time.
            .filter(|name| !name.contains(['$', '{', '%']) && !table.contains_key(*name))
            .collect()
    }

    /// The goals a `make` in a task's commands names that no rule of its Makefile builds, by
    /// name or by pattern, and that are not files (`test_model: test_model.c`): `$(MAKE) unit`
    /// where `unit` comes from a file a variable includes; and those make computes.
    pub fn unbuilt_goals<'a>(&self, call: &Invocation<'a>) -> Vec<&'a str> {
        let Some(table) = self.table_of(call).filter(|_| call.runner == Runner::Make) else {
            return Vec::new();
        };
        // A goal make computes (`$(filter unit,$(ALL))`, a variable opslint could not
        // resolve) is chosen out of sight.
        let computed = call
            .names
            .iter()
            .copied()
            .filter(|name| name.contains("$(") || name.contains("${"));
        self.undefined(call)
            .into_iter()
            .filter(|name| !name.contains(['.', '/']) && pattern_rule(table, name).is_none())
            .chain(computed)
            .collect()
    }

    /// The task table `call` reads: its runner's, in its folder, when that folder has one.
    fn table_of(&self, call: &Invocation) -> Option<&Table> {
        call.folder
            .as_deref()
            .and_then(|folder| self.folders.get(folder))
            .filter(|runners| runners.present.contains(&call.runner))
            .map(|runners| runners.table(call.runner))
    }

    /// Every command of every task, target, script and recipe, as run from the root
    /// (`cd web && jest` for `web/package.json`'s `test: jest`).
    pub fn commands(&self) -> impl Iterator<Item = String> + '_ {
        self.folders
            .keys()
            .flat_map(|folder| self.commands_in(folder))
    }

    /// [`TaskRunners::commands`] of the task runners of `folder` alone.
    pub fn commands_in<'a>(&'a self, folder: &'a str) -> impl Iterator<Item = String> + 'a {
        let place = Place::Folder(folder.to_owned());
        self.folders
            .get(folder)
            .into_iter()
            .flat_map(Runners::tables)
            .flat_map(HashMap::values)
            .flatten()
            .map(move |command| place.from_root(command).into_owned())
    }

    /// Expansions stop when `deadline` passes.
    pub fn set_deadline(&mut self, deadline: Deadline) {
        self.deadline = deadline;
    }

    /// The commands `command` runs through task runners, followed a few levels deep, each
    /// once and at most [`MAX_EXPANDED`] of them, having looked at no more than
    /// [`MAX_VISITED`] commands and [`MAX_VISITED_BYTES`]: a target that names itself, or
    /// thousands of others, runs nothing new. Each is as run from the root.
    pub fn expand(&self, command: &str) -> Arc<[String]> {
        self.expansion(command).commands
    }

    /// Whether [`expand`](Self::expand) stopped at one of its limits before the end of what
    /// `command` runs.
    pub fn expansion_cut_short(&self, command: &str) -> bool {
        self.expansion(command).cut_short
    }

    fn expansion(&self, command: &str) -> Expansion {
        let cached = |expansions: &Expansions| expansions.by_command.get(command).cloned();
        if let Some(expansion) = cached(&self.lock_expansions()) {
            return expansion;
        }
        let (commands, cut_short) = self.expand_uncached(command);
        let expansion = Expansion {
            commands: commands.into(),
            cut_short,
        };
        let mut expansions = self.lock_expansions();
        let bytes = command.len() + expansion.commands.iter().map(String::len).sum::<usize>();
        // A scan that timed out may have cut an expansion short: it is not kept.
        if expansions.bytes + bytes <= MAX_CACHED_BYTES && !self.deadline.passed() {
            expansions.bytes += bytes;
            expansions
                .by_command
                .insert(command.to_owned(), expansion.clone());
        }
        expansion
    }

    fn lock_expansions(&self) -> std::sync::MutexGuard<'_, Expansions> {
        // The cache holds only finished expansions: one a panicking thread left is whole.
        self.expansions
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn expand_uncached(&self, command: &str) -> (Vec<String>, bool) {
        let mut seen = std::collections::HashSet::from([command.to_owned()]);
        let mut expanded = Vec::new();
        let mut frontier = vec![command.to_owned()];
        let (mut visited, mut visited_bytes) = (0, 0);
        for _ in 0..MAX_DEPTH {
            let mut next = Vec::new();
            for command in &frontier {
                if self.deadline.passed() {
                    expanded.append(&mut next);
                    return (expanded, true);
                }
                for run in self.expand_once(command) {
                    visited += 1;
                    visited_bytes += run.len();
                    let full = expanded.len() + next.len() >= MAX_EXPANDED;
                    if full || visited > MAX_VISITED || visited_bytes > MAX_VISITED_BYTES {
                        expanded.append(&mut next);
                        return (expanded, true);
                    }
                    if seen.insert(run.clone()) {
                        next.push(run);
                    }
                }
            }
            expanded.extend(next.iter().cloned());
            frontier = next;
        }
        // Deeper than `MAX_DEPTH`, a chain of tasks is not followed: what its last tasks run
        // was not seen.
        let deeper = frontier
            .iter()
            .any(|command| self.expand_once(command).any(|run| !seen.contains(&run)));
        (expanded, deeper)
    }

    /// The commands the tasks `command` calls run, one level down, as they are reached.
    fn expand_once<'a>(&'a self, command: &'a str) -> impl Iterator<Item = String> + 'a {
        self.calls(command).into_iter().flat_map(|call| {
            let place = Place::Folder(call.folder.to_owned());
            // A recipe that passes the goals on (`cd api && $(MAKE) $(MAKECMDGOALS)`) runs
            // the goals make was called with: none for a bare `make`.
            let goals = call.goals;
            call.names.into_iter().flat_map(move |name| {
                let (place, goals) = (place.clone(), goals.clone());
                let defined = matching_tasks(call.table, name);
                // A goal no rule names may be built by a pattern rule (`%: ; @$(TASK) $@`,
                // a shim handing every goal to another runner): its recipe, with `$@` the
                // goal and `$*` the stem. It stays a task opslint may not see all of.
                let by_pattern = defined
                    .is_empty()
                    .then(|| pattern_rule(call.table, name))
                    .flatten()
                    .map(|(recipe, stem)| {
                        recipe
                            .iter()
                            .filter_map(|line| match line.strip_prefix("make ") {
                                // A prerequisite names the stem as `%` (`%: common-% ;`,
                                // Prometheus's shared Makefile): followed where a rule
                                // defines it, not through the same pattern again.
                                Some(prerequisite)
                                    if !prerequisite.contains(' ')
                                        && prerequisite.contains('%') =>
                                {
                                    let prerequisite = prerequisite.replace('%', stem);
                                    call.table
                                        .contains_key(&prerequisite)
                                        .then(|| format!("make {prerequisite}"))
                                }
                                _ => Some(line.replace("$@", name).replace("$*", stem)),
                            })
                            .collect::<Vec<_>>()
                    })
                    .unwrap_or_default();
                defined
                    .into_iter()
                    .flatten()
                    .cloned()
                    .chain(by_pattern)
                    .map(move |line| {
                        let line = with_goals(&line, &goals);
                        place.from_root(&line).into_owned()
                    })
            })
        })
    }

    /// The tasks `command` runs that a task file defines with commands of their own
    /// (`make test` → `test`).
    pub fn defined_tasks<'a>(&'a self, command: &'a str) -> Vec<&'a str> {
        self.calls(command)
            .into_iter()
            .flat_map(|call| {
                call.names.into_iter().filter(move |name| {
                    call.table.get(*name).is_some_and(|lines| !lines.is_empty())
                })
            })
            .collect()
    }

    /// The task file `command` runs a task of, when that file could not be read.
    pub fn unread_run_by(&self, command: &str) -> Option<&UnreadTaskFile> {
        invocations(command).into_iter().find_map(|call| {
            self.unread.iter().find(|file| {
                call.folder.as_deref() == Some(file.folder.as_str())
                    && file.runner == call.runner
                    && file
                        .task
                        .as_deref()
                        .is_none_or(|task| call.names.contains(&task))
            })
        })
    }

    /// Each task runner `command` calls whose folder's files were read: its table and the
    /// names it runs. A call reading a task file of its own choosing runs none of them.
    fn calls<'a>(&'a self, command: &'a str) -> Vec<Call<'a>> {
        let (members, own): (Vec<_>, Vec<_>) = invocations(command)
            .into_iter()
            .filter(|invocation| !invocation.other_file)
            .partition(|invocation| invocation.members);
        let mut calls: Vec<Call<'a>> = members
            .into_iter()
            .flat_map(|invocation| self.member_calls(invocation))
            .collect();
        calls.extend(own.into_iter().filter_map(|invocation| {
            let named = invocation.folder.as_deref()?;
            let folder = if self.checkouts.contains(named) {
                ""
            } else {
                named
            };
            // A member opslint cannot name is looked for where the command runs, as before
            // members were known.
            let folder = match invocation.workspace {
                Some(Member::Named { name, scopeless }) => self
                    .member_folder(folder, name, scopeless)
                    .unwrap_or(folder),
                _ => folder,
            };
            let (folder, runners) = self.folders.get_key_value(folder)?;
            let mut names = invocation.names;
            if invocation.runner == Runner::Just {
                names = just_recipes_called(&names, &runners.just_parameters);
            }
            let goals = names.join(" ");
            // A bare `make` builds the default goal.
            if invocation.runner == Runner::Make && names.is_empty() {
                names.extend(runners.make_default.as_deref());
            }
            Some(Call {
                folder,
                table: runners.table(invocation.runner),
                names,
                goals,
            })
        }));
        calls
    }

    /// The folder below `from` of the workspace member `member` names: by its package's
    /// name (pnpm's may leave out the scope: `core` for `@babel/core`), or as a path from
    /// `from`; the first in name order where names repeat.
    fn member_folder<'s>(&'s self, from: &str, member: &str, scopeless: bool) -> Option<&'s str> {
        let path = member.trim_start_matches("./").trim_end_matches('/');
        if let Some((folder, _)) = self.folders.get_key_value(&in_folder(from, path)) {
            return Some(folder);
        }
        self.folders
            .iter()
            .filter(|(folder, runners)| {
                is_below(folder, from)
                    && runners.package_name.as_deref().is_some_and(|name| {
                        name == member
                            || scopeless
                                && name.starts_with('@')
                                && name.split_once('/').map(|(_, n)| n) == Some(member)
                    })
            })
            .map(|(folder, _)| folder.as_str())
            .min()
    }

    /// Whether each workspace member `command` chooses (`npm run lint -w api`) is one whose
    /// package.json opslint read and whose scripts define what it runs there: then its work
    /// is in sight.
    pub fn follows_members(&self, command: &str) -> bool {
        let chosen: Vec<Invocation> = invocations(command)
            .into_iter()
            .filter(|call| call.workspace.is_some())
            .collect();
        !chosen.is_empty()
            && chosen.iter().all(|call| {
                let folder = match (call.folder.as_deref(), call.workspace) {
                    (Some(from), Some(Member::Named { name, scopeless })) => {
                        self.member_folder(from, name, scopeless)
                    }
                    _ => None,
                };
                folder
                    .and_then(|folder| self.folders.get(folder))
                    .is_some_and(|runners| {
                        call.names
                            .iter()
                            .all(|name| runners.npm.contains_key(*name))
                    })
            })
    }

    /// A script run in every workspace member (`pnpm -r test`): a call in each folder below
    /// the invocation's whose package.json defines it, in a fixed order, at most
    /// [`MAX_MEMBERS`] of them.
    fn member_calls<'a>(&'a self, invocation: Invocation<'a>) -> Vec<Call<'a>> {
        let Some(from) = invocation.folder.as_deref() else {
            return Vec::new();
        };
        let mut members: Vec<(&String, &Runners)> = self
            .folders
            .iter()
            .filter(|(folder, runners)| {
                is_below(folder, from)
                    && invocation
                        .names
                        .iter()
                        .any(|name| runners.table(Runner::Npm).contains_key(*name))
            })
            .collect();
        members.sort_unstable_by_key(|(folder, _)| *folder);
        members.truncate(MAX_MEMBERS);
        members
            .into_iter()
            .map(|(folder, runners)| Call {
                folder,
                table: runners.table(Runner::Npm),
                names: invocation.names.clone(),
                goals: String::new(),
            })
            .collect()
    }
}

/// How many workspace members a script run in every one of them is followed into.
pub const MAX_MEMBERS: usize = 64;

/// `line` with make's `$(MAKECMDGOALS)` as `goals`, unless that makes it longer than a
/// recipe line may grow ([`MAX_RECIPE_BYTES`]): a line naming hundreds of goals hundreds of
/// times stays as written, its goals unread.
fn with_goals<'a>(line: &'a str, goals: &str) -> std::borrow::Cow<'a, str> {
    let uses = line.matches("MAKECMDGOALS").count();
    if uses == 0 || line.len() + uses * goals.len() > MAX_RECIPE_BYTES {
        return line.into();
    }
    let line = line.replace("$(MAKECMDGOALS)", goals);
    line.replace("${MAKECMDGOALS}", goals).into()
}

/// A call of a task runner whose files were read.
struct Call<'a> {
    folder: &'a str,
    table: &'a Table,
    names: Vec<&'a str>,
    /// The goals as written (make's `$(MAKECMDGOALS)`): none for a bare `make`.
    goals: String,
}

/// A task runner called in a command: in which folder (`None`: one opslint cannot name,
/// `cd "$BUILD"`), naming which tasks (none: make's default goal).
#[derive(Debug, PartialEq, Eq)]
pub struct Invocation<'a> {
    pub folder: Option<String>,
    pub runner: Runner,
    pub names: Vec<&'a str>,
    /// Whether it reads a task file of its own choosing (`make -f Makefile-ci test`), which
    /// opslint does not read: what its tasks run is unknown.
    pub other_file: bool,
    /// Whether it runs the script in every workspace member that defines it (`pnpm -r test`,
    /// `yarn workspaces run test`, `npm test --workspaces`), not in its own folder.
    pub members: bool,
    /// The workspace member it runs the script in, not its own folder (`npm run lint
    /// --workspace api`, `yarn workspace api lint`, `pnpm --filter api lint`).
    pub workspace: Option<Member<'a>>,
}

/// The workspace member a command chooses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Member<'a> {
    /// One, by its package's name or its folder; pnpm's name may leave out the scope.
    Named { name: &'a str, scopeless: bool },
    /// Several, or those a pattern matches: none opslint names.
    Unnamed,
}

/// Whether `folder` is below `from` (`""` is the root), not `from` itself.
fn is_below(folder: &str, from: &str) -> bool {
    match from {
        "" => !folder.is_empty(),
        from => folder
            .strip_prefix(from)
            .is_some_and(|rest| rest.starts_with('/')),
    }
}

/// The task runners `command` calls, each in the folder it runs in: after `cd web &&`, or
/// as `make -C tests`, `npm --prefix web`, `yarn --cwd web`, `pnpm -C web`.
pub fn invocations(command: &str) -> Vec<Invocation<'_>> {
    invocations_within(command, Place::root(), MAX_SUBSTITUTION_DEPTH)
}

/// How many command substitutions deep (`$(a $(b …))`) calls are looked for.
const MAX_SUBSTITUTION_DEPTH: usize = 3;

fn invocations_within(command: &str, place: Place, depth: usize) -> Vec<Invocation<'_>> {
    let mut walk = Walk::from(place);
    let mut found = Vec::new();
    for part in split_outside_expansions(without_shell_comment(command), |byte| {
        matches!(byte, b'&' | b';' | b'|')
    }) {
        let words = shell_words(part);
        // A command substitution runs its commands too (`out=$(make test 2>&1)`).
        found.extend(
            words
                .iter()
                .filter(|_| depth > 0)
                .flat_map(|word| command_substitutions(word))
                .flat_map(|inner| invocations_within(inner, walk.place.clone(), depth - 1)),
        );
        // Asking where a runner is, or what it is, runs nothing; nor does text printed.
        if walk.step(&words)
            || matches!(
                words.first(),
                Some(&("which" | "command" | "type" | "hash" | "echo" | "printf"))
            )
        {
            continue;
        }
        // A package installer's arguments are packages (`apk add gcc make tar`), not a call.
        if is_install(part.trim()) {
            continue;
        }
        // The runner may come after variables or a wrapper: `CI=1 npm test`,
        // `nyc --reporter=text npm test`, `cross-env NODE_ENV=test npm run unit`.
        found.extend((0..words.len()).find_map(|start| invocation(&walk.place, &words[start..])));
    }
    found
}

/// `command` up to a `#` that starts a shell comment: one starting a word, outside quotes
/// and expansions (`# $(MAKE) old-goal`, `make lint # then test`).
fn without_shell_comment(command: &str) -> &str {
    let bytes = command.as_bytes();
    let (mut quote, mut depth) = (None, 0usize);
    let mut index = 0;
    while index < bytes.len() {
        match (bytes[index], quote) {
            (b'\\', _) => index += 1,
            (b'\'' | b'"', None) if depth == 0 => quote = Some(bytes[index]),
            (byte, Some(open)) if byte == open => quote = None,
            (b'$', None) if matches!(bytes.get(index + 1), Some(b'(' | b'{')) => {
                depth += 1;
                index += 1;
            }
            (b'(' | b'{', None) if depth > 0 => depth += 1,
            (b')' | b'}', None) if depth > 0 => depth -= 1,
            (b'#', None)
                if depth == 0
                    && (index == 0
                        || bytes[index - 1].is_ascii_whitespace()
                        || matches!(bytes[index - 1], b';' | b'&' | b'|')) =>
            {
                return &command[..index];
            }
            _ => {}
        }
        index += 1;
    }
    command
}

/// GNU make's functions other than `shell`: a `$(…)` that calls one is no command.
const MAKE_FUNCTIONS: &[&str] = &[
    "subst",
    "patsubst",
    "strip",
    "findstring",
    "filter",
    "filter-out",
    "sort",
    "word",
    "wordlist",
    "words",
    "firstword",
    "lastword",
    "dir",
    "notdir",
    "suffix",
    "basename",
    "addsuffix",
    "addprefix",
    "join",
    "wildcard",
    "realpath",
    "abspath",
    "error",
    "warning",
    "info",
    "origin",
    "flavor",
    "foreach",
    "file",
    "call",
    "value",
    "eval",
    "if",
    "or",
    "and",
    "intcmp",
    "let",
    "guile",
];

/// The commands of each `$(…)` command substitution in `word` that holds more than a name
/// (`$(make test)`, not make's `$(MAKE)` or `$(GOFLAGS)`).
fn command_substitutions(word: &str) -> impl Iterator<Item = &str> {
    let mut rest = word;
    std::iter::from_fn(move || {
        loop {
            let start = rest.find("$(")?;
            let inner = &rest[start + 2..];
            let mut depth = 1usize;
            let end = inner.find(|character| {
                match character {
                    '(' => depth += 1,
                    ')' => depth -= 1,
                    _ => {}
                }
                depth == 0
            })?;
            rest = &inner[end + 1..];
            let commands = &inner[..end];
            if !commands.contains(char::is_whitespace) || commands.starts_with('(') {
                continue;
            }
            // A make function (`$(info …)`, `$(filter …)`) runs nothing; `$(shell …)` runs
            // its argument.
            let (first, after) = commands.split_once(char::is_whitespace).unwrap_or_default();
            match first {
                "shell" => return Some(after),
                function if MAKE_FUNCTIONS.contains(&function) => continue,
                _ => return Some(commands),
            }
        }
    })
}

/// `text` cut at each byte `cut` accepts that is outside a `$(…)` or `${…}`: a make
/// function (`$(shell a; b)`), a command substitution or a CI expression
/// (`${{ a.b || c }}`) stays whole; not one in single quotes. Where one is left open, `text`
/// is cut at every such byte, as before expansions were known.
fn split_outside_expansions(text: &str, cut: impl Fn(u8) -> bool) -> Vec<&str> {
    let bytes = text.as_bytes();
    let mut pieces = Vec::new();
    let (mut depth, mut start, mut quoted) = (0usize, 0, false);
    let mut index = 0;
    while index < bytes.len() {
        match bytes[index] {
            // Make's escaped `$`, and the shell's literal text in single quotes.
            b'$' if bytes.get(index + 1) == Some(&b'$') => index += 1,
            b'\'' if depth == 0 => quoted = !quoted,
            b'$' if !quoted && matches!(bytes.get(index + 1), Some(b'(' | b'{')) => {
                depth += 1;
                index += 1;
            }
            b'(' | b'{' if depth > 0 => depth += 1,
            b')' | b'}' if depth > 0 => depth -= 1,
            // `2>&1` and `&>log` redirect; they end no command.
            b'&' if index > 0 && matches!(bytes[index - 1], b'>' | b'<')
                || bytes.get(index + 1) == Some(&b'>') => {}
            byte if depth == 0 && cut(byte) => {
                pieces.push(&text[start..index]);
                start = index + 1;
            }
            _ => {}
        }
        index += 1;
    }
    if depth > 0 {
        // One left open would swallow the commands after it: cut everywhere instead.
        return text
            .split(|character: char| character.is_ascii() && cut(character as u8))
            .collect();
    }
    pieces.push(&text[start..]);
    pieces
}

/// `part`'s words: split at whitespace, not inside a `$(…)` or `${…}`, so that
/// `VAR=${{ a.b }}/x` is one word, not a variable and two task names.
fn shell_words(part: &str) -> Vec<&str> {
    split_outside_expansions(part, |byte| byte.is_ascii_whitespace())
        .into_iter()
        .filter(|word| !word.is_empty())
        .collect()
}

/// The package.json script `node` runs (`node --run test`, `node --run=test`, after Node's
/// own options: `node --env-file=.env --run test`); none when it runs a file.
fn node_run_script<'a>(words: &[&'a str]) -> Option<&'a str> {
    const TAKE_A_VALUE: &[&str] = &[
        "--env-file",
        "-r",
        "--require",
        "--import",
        "--loader",
        "-C",
        "--conditions",
    ];
    let mut words = words.iter().skip(1).copied();
    while let Some(word) = words.next() {
        if word == "--run" {
            return words.next();
        }
        if let Some(script) = word.strip_prefix("--run=") {
            return Some(script);
        }
        if TAKE_A_VALUE.contains(&word) {
            words.next();
        } else if !word.starts_with('-') {
            return None;
        }
    }
    None
}

/// npm-run-all's programs: each runs the npm scripts it names.
const NPM_RUN_ALL: &[&str] = &["npm-run-all", "npm-run-all2", "run-s", "run-p"];

/// How many scripts one npm-run-all glob (`lint:*`) runs at most.
const MAX_GLOB_MATCHES: usize = 64;

/// The task runner `words` start with, run in `place`, and the tasks they name.
fn invocation<'a>(place: &Place, words: &[&'a str]) -> Option<Invocation<'a>> {
    let runner = match *words.first()? {
        // A recipe calls make again as `$(MAKE) target`.
        "make" | "gmake" | "$(MAKE)" | "${MAKE}" | "$MAKE" => Runner::Make,
        "npm" | "yarn" | "pnpm" | "bun" => Runner::Npm,
        // Node's own script runner (`node --run test:ci`, Node 22).
        "node" if node_run_script(words).is_some() => Runner::Npm,
        program if NPM_RUN_ALL.contains(&program) => Runner::Npm,
        "deno" => Runner::Deno,
        "composer" | "composer.phar" => Runner::Composer,
        // Task, also as the binary a Makefile shim installed in a hidden tool folder
        // (`.tool/task unit`); not a script of the repository named `bin/task`.
        program if program == "task" || installed_task(program) => Runner::Task,
        "just" => Runner::Just,
        "earthly" => Runner::Earthly,
        "poe" | "poethepoet" => Runner::Poe,
        _ => return None,
    };
    let (moved_to, words) = without_folder_option(runner, words);
    let mut place = place.clone();
    if let Some(target) = moved_to {
        place.moves(&["cd", target]);
    }
    let members = match runner {
        Runner::Npm => members_script(&words),
        _ => None,
    };
    let (workspace, words) = match runner {
        Runner::Npm if members.is_none() => chosen_member(&words),
        _ => (None, words),
    };
    let names: Vec<&str> = match (runner, &words[..]) {
        (Runner::Npm, _) if members.is_some() => members.into_iter().collect(),
        (Runner::Make, [_, rest @ ..]) if !builds_nothing(rest) => make_goals(rest),
        (Runner::Npm, [_, "test" | "t", ..]) => vec!["test"],
        // npm-run-all runs the scripts it names, a glob (`lint:*`) each script it matches.
        (Runner::Npm, [program, rest @ ..] | [_, program, rest @ ..])
            if NPM_RUN_ALL.contains(program) =>
        {
            rest.iter()
                .copied()
                .take_while(|word| !matches!(*word, "--" | "||" | "|" | "&" | ";" | ">" | "2>&1"))
                .filter(|word| !word.starts_with('-'))
                .collect()
        }
        // Composer runs a script by its name or with `run-script`; its own commands
        // (`install`) name no script of the table.
        (Runner::Composer, [_, rest @ ..]) => {
            let mut words = composer_arguments(rest);
            match words.next() {
                Some("run" | "run-script") => words.next().into_iter().collect(),
                first => first.into_iter().collect(),
            }
        }
        (Runner::Npm, ["node", ..]) => node_run_script(&words).into_iter().collect(),
        (Runner::Npm, [_, "run" | "run-script", script, ..]) => vec![*script],
        // `deno task <name>`; Deno's own commands (`deno test`, `deno fmt`) run no task.
        (Runner::Deno, [_, "task", rest @ ..]) => {
            let mut words = rest.iter().copied();
            let mut name = None;
            while let Some(word) = words.next() {
                if matches!(word, "-c" | "--config" | "--filter" | "-f") {
                    words.next();
                } else if !word.starts_with('-') {
                    name = Some(word);
                    break;
                }
            }
            name.into_iter().collect()
        }
        (Runner::Npm, ["yarn" | "pnpm", script, ..]) if !script.starts_with('-') => {
            vec![*script]
        }
        (Runner::Task, [_, rest @ ..]) => rest
            .iter()
            .take_while(|word| !word.starts_with('-') && **word != "--")
            .copied()
            .collect(),
        // `just lint test` runs both recipes; which words after a recipe are its arguments
        // is the justfile's to say (see `TaskRunners::calls`).
        (Runner::Just, [_, rest @ ..]) => just_words(rest),
        // Earthly's targets (`earthly -P +all`); one of another Earthfile (`./api+test`,
        // `github.com/org/lib+build`) is named but not read. Its own commands (`earthly ls`,
        // `earthly doc +test`) run none.
        (Runner::Earthly, [_, rest @ ..]) => {
            let subcommand = rest
                .iter()
                .find(|word| !word.starts_with('-'))
                .is_some_and(|word| !word.contains('+'));
            if subcommand {
                Vec::new()
            } else {
                rest.iter()
                    .filter(|word| !word.starts_with('-'))
                    .filter_map(|word| word.rsplit_once('+').map(|(_, target)| target))
                    .collect()
            }
        }
        // Poe's own options come before the task (`poe -q check`).
        (Runner::Poe, [_, rest @ ..]) => rest
            .iter()
            .copied()
            .find(|word| !word.starts_with('-'))
            .into_iter()
            .collect(),
        _ => return None,
    };
    // A name quoted as a word (`make "check"`, `poe '${{ matrix.task }}'` once expanded).
    let names = names
        .into_iter()
        .map(|name| name.trim_matches(['"', '\'']))
        .filter(|name| !name.is_empty())
        .collect();
    let other_file = match runner {
        Runner::Make => reads_another_makefile(&words),
        // Another config's tasks, or every workspace member's (`-r`), are not read.
        Runner::Deno => words.iter().any(|word| {
            matches!(
                *word,
                "-c" | "--config" | "-r" | "--recursive" | "--filter" | "-f"
            ) || word.starts_with("--config=")
                || word.starts_with("--filter=")
        }),
        Runner::Earthly => words
            .iter()
            .any(|word| word.contains('+') && !word.starts_with('+') && !word.starts_with("./+")),
        _ => false,
    };
    Some(Invocation {
        folder: place.folder().map(str::to_owned),
        runner,
        names,
        other_file,
        members: members.is_some(),
        workspace,
    })
}

/// The workspace member a package manager's words choose, and the words without the choice:
/// npm's `--workspace api` (`-w`, `--workspace=`), Yarn's `yarn workspace api …`, pnpm's
/// `--filter api` (`-F`). Several, or a pattern (`--filter '@app/*'`), are no one member.
fn chosen_member<'a>(words: &[&'a str]) -> (Option<Member<'a>>, Vec<&'a str>) {
    let unchanged = (None, words.to_vec());
    let Some((&program, rest)) = words.split_first() else {
        return unchanged;
    };
    let options: &[&str] = match program {
        "npm" => &["--workspace", "-w"],
        "pnpm" => &["--filter", "-F"],
        "yarn" if rest.first() == Some(&"workspace") => {
            return match rest.get(1) {
                Some(member) if !member.starts_with('-') => (
                    Some(Member::Named {
                        name: member,
                        scopeless: false,
                    }),
                    [&[program], &rest[2..]].concat(),
                ),
                _ => unchanged,
            };
        }
        _ => return unchanged,
    };
    let mut chosen = Vec::new();
    let mut kept = vec![program];
    let mut iter = rest.iter();
    while let Some(&word) = iter.next() {
        let attached = options
            .iter()
            .find_map(|option| word.strip_prefix(option)?.strip_prefix('='));
        // Past `--`, the words are the script's own (`npm run build -- -w api`).
        if word == "--" {
            kept.push(word);
            kept.extend(iter.by_ref().copied());
        } else if let Some(member) = attached {
            chosen.push(member);
        } else if options.contains(&word) {
            chosen.extend(iter.next().copied());
        } else {
            kept.push(word);
        }
    }
    let pattern = |member: &str| {
        member.is_empty()
            || member.contains(['*', '{', '[', '!', '^', '$'])
            || member.contains("...")
    };
    match chosen[..] {
        [] => unchanged,
        [member] if !pattern(member) => (
            Some(Member::Named {
                name: member.trim_matches(['"', '\'']),
                scopeless: program == "pnpm",
            }),
            kept,
        ),
        _ => (Some(Member::Unnamed), kept),
    }
}

/// The script a package manager runs in every workspace member (`pnpm -r test`, `pnpm
/// --recursive run test:unit`, `yarn workspaces run test`, `yarn workspaces foreach -A run
/// test`, `npm run test --workspaces`): not when options choose some members
/// (`--filter`, `--include`, `--since`), nor a command of the package manager's own
/// (`pnpm -r install`, `pnpm -r exec`).
fn members_script<'a>(words: &[&'a str]) -> Option<&'a str> {
    let (program, rest) = words.split_first()?;
    let chooses_some = rest.iter().any(|word| {
        [
            "--filter",
            "-F",
            "--include",
            "--from",
            "--since",
            "--workspace",
            "-w",
        ]
        .iter()
        .any(|option| word == option || word.starts_with(&format!("{option}=")))
    });
    if chooses_some {
        return None;
    }
    // Words that are not options, nor the values of options that take one (`-j 4`,
    // `--workspace-concurrency 1`, `--exclude root`: all members but the root).
    let mut words = rest.iter().copied();
    let mut arguments = std::iter::from_fn(move || {
        loop {
            let word = words.next()?;
            if matches!(
                word,
                "-j" | "--jobs" | "--workspace-concurrency" | "--exclude" | "--reporter"
            ) {
                words.next();
            } else if !word.starts_with('-') {
                return Some(word);
            }
        }
    });
    let script = match *program {
        "pnpm"
            if rest
                .iter()
                .any(|word| matches!(*word, "-r" | "--recursive")) =>
        {
            arguments.next()
        }
        "npm"
            if rest
                .iter()
                .any(|word| matches!(*word, "--workspaces" | "-ws")) =>
        {
            arguments.next()
        }
        "yarn" => match (arguments.next(), arguments.next()) {
            (Some("workspaces"), Some("run")) => Some("run"),
            (Some("workspaces"), Some("foreach")) => arguments.next(),
            _ => None,
        },
        _ => None,
    }?;
    let script = match script {
        "run" | "run-script" => arguments.next()?,
        "t" => "test",
        script => script,
    };
    const OWN_COMMANDS: &[&str] = &[
        "install", "i", "ci", "add", "update", "up", "remove", "rm", "exec", "publish", "list",
        "ls", "outdated", "why", "audit", "dlx", "link", "unlink", "rebuild", "prune", "fetch",
        "deploy", "pack", "store", "config", "env", "patch", "licenses", "init", "create",
    ];
    (!OWN_COMMANDS.contains(&script)).then_some(script)
}

/// Composer's words that are not options: `--timeout 0` and `--timeout=0` take a value, which
/// is no script name.
fn composer_arguments<'a>(words: &[&'a str]) -> impl Iterator<Item = &'a str> {
    let mut words = words.iter().copied();
    std::iter::from_fn(move || {
        loop {
            let word = words.next()?;
            if word == "--timeout" {
                words.next();
            } else if !word.starts_with('-') {
                return Some(word);
            }
        }
    })
}

/// `words` without the option that runs the runner in another folder, and that folder:
/// `make -C tests check`, `npm --prefix web test`, `yarn --cwd web test`, `pnpm -C web
/// test`, `just --working-directory`… are not followed (`-f`-like options name another
/// file, which is not read: [`reads_another_makefile`]).
fn without_folder_option<'a>(runner: Runner, words: &[&'a str]) -> (Option<&'a str>, Vec<&'a str>) {
    let options: &[&str] = match runner {
        Runner::Make => &["-C", "--directory"],
        Runner::Npm => &["--prefix", "--cwd", "-C", "--dir"],
        Runner::Composer => &["--working-dir", "-d"],
        Runner::Deno => &["--cwd"],
        Runner::Poe => &["-C", "--directory", "--root"],
        Runner::Just | Runner::Task | Runner::Earthly => &[],
    };
    let mut folder = None;
    let mut kept = Vec::with_capacity(words.len());
    let mut iter = words.iter();
    while let Some(&word) = iter.next() {
        let Some(option) = options.iter().find(|option| word.starts_with(**option)) else {
            kept.push(word);
            continue;
        };
        let attached = word[option.len()..].trim_start_matches('=');
        if attached.is_empty() {
            folder = iter.next().copied();
        } else if word.len() > option.len()
            && (word.as_bytes()[option.len()] == b'=' || *option == "-C")
        {
            folder = Some(attached);
        } else {
            kept.push(word);
        }
    }
    (folder, kept)
}

/// `Taskfile.yml`: each task's `cmds` (strings, or maps with `cmd:` or `task:`) and `deps`.
/// Earthly's targets: a line `name:` at the start of a line opens one, and its indented lines
/// follow (a line ending in `\` goes on, a comment does not). `RUN` lines are its commands,
/// without their `--options`; a target it builds, starts `FROM` or calls with `DO` (`BUILD
/// +test`, `FROM +deps`, `DO ./lib+SETUP`) runs as `earthly +test`.
fn earthly_targets(text: &str) -> Table {
    let mut targets: Table = HashMap::new();
    let mut current: Option<String> = None;
    let mut logical = String::new();
    for line in text.lines() {
        // A comment does not go on to the next line, whatever it ends with.
        if logical.is_empty() && line.trim_start().starts_with('#') {
            continue;
        }
        if let Some(continued) = line.trim_end().strip_suffix('\\') {
            logical.push_str(continued);
            logical.push(' ');
            continue;
        }
        logical.push_str(line);
        let line = std::mem::take(&mut logical);
        // Blank lines and comments go on with the target they are in.
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        if !line.starts_with([' ', '\t']) {
            current = line
                .trim_end()
                .strip_suffix(':')
                .filter(|name| {
                    !name.is_empty()
                        && name
                            .chars()
                            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
                })
                .map(str::to_owned);
            if let Some(name) = &current {
                targets.entry(name.clone()).or_default();
            }
            continue;
        }
        let Some(name) = &current else {
            continue;
        };
        let mut words = line.split_whitespace();
        let command = match words.next() {
            Some("RUN") => words
                .skip_while(|word| word.starts_with("--"))
                .collect::<Vec<_>>()
                .join(" "),
            // Another Earthfile's target (`./api+test`, `lib+FUNC`) is called as such: its
            // work is out of sight.
            Some("BUILD" | "FROM" | "DO") => match words.find(|word| !word.starts_with("--")) {
                Some(target) if target.contains('+') => format!("earthly {target}"),
                _ => continue,
            },
            _ => continue,
        };
        if !command.is_empty() {
            targets.entry(name.clone()).or_default().push(command);
        }
    }
    targets
}

fn taskfile_tasks(text: &str) -> HashMap<String, Vec<String>> {
    let Ok(root) = yaml::parse(text) else {
        return HashMap::new();
    };
    let mut tasks = HashMap::new();
    for (name, task) in root.get("tasks").into_iter().flat_map(Node::entries) {
        let Some(name) = name.as_str() else {
            continue;
        };
        let mut commands: Vec<String> = Vec::new();
        // A task given as a bare string or list is its commands.
        let cmds = task.get("cmds").unwrap_or(task);
        for command in cmds.items() {
            if let Some(line) = command.as_str() {
                commands.push(line.to_owned());
            } else if let Some(line) = command.get("cmd").and_then(Node::as_str) {
                commands.push(line.to_owned());
            } else if let Some(other) = command.get("task").and_then(Node::as_str) {
                commands.push(format!("task {other}"));
            }
        }
        for dependency in task.get("deps").map(Node::items).unwrap_or_default() {
            let other = dependency
                .as_str()
                .or_else(|| dependency.get("task").and_then(Node::as_str));
            if let Some(other) = other {
                commands.push(format!("task {other}"));
            }
        }
        tasks.insert(name.to_owned(), commands);
    }
    tasks
}

/// Whether a `make` command line reads another Makefile (`-ftools.mk`, `--file=…`) than
/// the folder's own (`make -f Makefile test` reads that one).
fn reads_another_makefile(words: &[&str]) -> bool {
    let own = |file: &str| names().makefiles.iter().any(|name| name == file);
    let mut words = words.iter();
    while let Some(word) = words.next() {
        let Some(option) = ["--makefile", "--file", "-f"]
            .iter()
            .find(|option| word.starts_with(**option))
        else {
            continue;
        };
        let attached = word[option.len()..].trim_start_matches('=');
        let file = match attached {
            "" => words.next().copied().unwrap_or_default(),
            attached => attached,
        };
        if !own(file.strip_prefix("./").unwrap_or(file)) {
            return true;
        }
    }
    false
}

/// Whether a `make` command line builds nothing (`--version`, `-n`, `-q`, `--help`).
fn builds_nothing(words: &[&str]) -> bool {
    words.iter().any(|word| {
        matches!(
            *word,
            "-v" | "--version"
                | "-n"
                | "--just-print"
                | "--dry-run"
                | "--recon"
                | "-q"
                | "--question"
                | "-p"
                | "--print-data-base"
                | "-h"
                | "--help"
        )
    })
}

/// Goals named on a `make` command line: not flags, not the values of the flags that take
/// one (`-j 4`, `--load-average 2`, `-o file`), not variable assignments.
fn make_goals<'a>(words: &[&'a str]) -> Vec<&'a str> {
    let mut goals = Vec::new();
    let mut words = words.iter();
    while let Some(&word) = words.next() {
        match word {
            // `-j` and `-l` take a number when one follows: `-j 4`, `-j $(nproc)`.
            "-j" | "--jobs" | "-l" | "--load-average" | "--max-load" => {
                if words.as_slice().first().is_some_and(|next| {
                    next.starts_with('$') || next.chars().all(|c| c.is_ascii_digit() || c == '.')
                }) {
                    words.next();
                }
            }
            "-I" | "-o" | "-W" | "-f" | "--file" | "--makefile" | "--include-dir"
            | "--old-file" | "--assume-old" | "--new-file" | "--assume-new" | "--what-if" => {
                words.next();
            }
            // A redirection (`> log`, `2>&1`, `>log`) names no goal, wherever it stands; one
            // whose target is the next word takes that word with it.
            _ if word
                .trim_start_matches(|c: char| c.is_ascii_digit() || c == '&')
                .starts_with(['>', '<']) =>
            {
                if word.trim_end_matches(['>', '<', '&', '|']).len() < word.len()
                    && !word.ends_with("&1")
                    && !word.ends_with("&2")
                {
                    words.next();
                }
            }
            _ if word.starts_with('-') || word.contains('=') => {}
            _ => goals.push(word),
        }
    }
    goals
}

/// How many files one Makefile's `include` lines have read, and how much text they may add
/// to it in all: a read file's worth, whatever the Makefile includes.
pub const MAX_MAKE_INCLUDES: usize = 64;
const MAX_INCLUDED_BYTES: usize = 1 << 20;

/// The files a Makefile line `include`s (`-include`, `sinclude`) by a plain path, relative to
/// its folder: not one named by a variable or a wildcard, which are not read, nor a
/// variable named `include` (`include = a.mk`).
fn make_included(line: &str) -> impl Iterator<Item = &str> {
    let names = ["include ", "-include ", "sinclude "]
        .iter()
        .find_map(|directive| line.strip_prefix(directive))
        .filter(|rest| !rest.trim_start().starts_with(['=', ':', '?', '+', '!']))
        .unwrap_or_default();
    names
        .split_whitespace()
        .filter(|name| !name.contains(['$', '*', '?', '[', '%']) && !name.starts_with('/'))
        .map(|name| name.strip_prefix("./").unwrap_or(name))
}

/// Each line of a Makefile with the files it includes: none in a `define` block, a recipe,
/// a line continued from the one before, or the comment that ends a line.
fn include_directives(makefile: &str) -> impl Iterator<Item = (&str, Vec<&str>)> {
    let mut in_define = false;
    let mut continued = false;
    makefile.lines().map(move |line| {
        let after_continued = continued;
        continued = line.ends_with('\\');
        let trimmed = line.trim_start();
        if in_define {
            in_define = !trimmed.starts_with("endef");
            return (line, Vec::new());
        }
        if trimmed.starts_with("define ") || trimmed == "define" {
            in_define = true;
            return (line, Vec::new());
        }
        if after_continued || line.starts_with('\t') {
            return (line, Vec::new());
        }
        let directive = line.split('#').next().unwrap_or_default();
        (line, make_included(directive).collect())
    })
}

/// Every file a Makefile includes by a plain path, each once, at most
/// [`MAX_MAKE_INCLUDES`]: the collector reads them before the Makefile's targets are read.
pub fn make_includes(makefile: &str) -> Vec<&str> {
    let mut names: Vec<&str> = Vec::new();
    for name in include_directives(makefile).flat_map(|(_, names)| names) {
        if names.len() == MAX_MAKE_INCLUDES {
            break;
        }
        if !names.contains(&name) {
            names.push(name);
        }
    }
    names
}

/// `makefile` followed by the makefiles it `include`s that have been read (the known names
/// a Makefile commonly includes, and the plain paths of its `include` lines).
fn with_included<'a>(makefile: &str, read: &impl Fn(&str) -> Option<&'a str>) -> String {
    let mut text = String::with_capacity(makefile.len());
    // Each file once, found or not: a Makefile naming `common.mk` a hundred thousand times
    // is not a hundred thousand copies of it, nor as many look-ups.
    let mut tried: Vec<&str> = Vec::new();
    let mut added = 0;
    for (line, names) in include_directives(makefile) {
        text.push_str(line);
        text.push('\n');
        // In its place, as make reads it: its first target may be the default goal.
        for name in names {
            if tried.len() == MAX_MAKE_INCLUDES || tried.contains(&name) {
                continue;
            }
            tried.push(name);
            if let Some(content) = read(name)
                && added + content.len() <= MAX_INCLUDED_BYTES
            {
                added += content.len();
                text.push_str(content);
                text.push('\n');
            }
        }
    }
    text
}

/// The goal of a bare `make`: the last `.DEFAULT_GOAL` set, or else the first target of
/// the first rule that is not a special target (`.PHONY`, but `./bin/app` is one) or a
/// pattern (`%.o`); `None` when that target is a variable's value, which is not read.
fn make_default_goal(text: &str) -> Option<String> {
    let mut chosen = None;
    let mut first: Option<Option<String>> = None;
    let mut in_define = false;
    for line in text.lines() {
        let trimmed = line.trim_start();
        if in_define {
            in_define = !trimmed.starts_with("endef");
            continue;
        }
        if trimmed.starts_with("define ") || trimmed == "define" {
            in_define = true;
            continue;
        }
        if line.starts_with(['\t', '#']) {
            continue;
        }
        if let Some(value) = trimmed.strip_prefix(".DEFAULT_GOAL") {
            let value = value.trim_start();
            let value = ["::=", ":=", "?=", "+=", "="]
                .iter()
                .find_map(|operator| value.strip_prefix(operator));
            if let Some(goal) = value.and_then(|value| value.split_whitespace().next()) {
                chosen = Some(goal.to_owned());
            }
            continue;
        }
        let Some((names, rest)) = line.split_once(':') else {
            continue;
        };
        // `X := y`, `X ::= y`, `X ?= a:b` are assignments, not rules.
        if first.is_some() || rest.trim_start_matches(':').starts_with('=') || names.contains('=') {
            continue;
        }
        if names.contains('$') {
            first = Some(None);
            continue;
        }
        if let Some(name) = names
            .split_whitespace()
            .find(|name| (!name.starts_with('.') || name.contains('/')) && !name.contains('%'))
        {
            first = Some(Some(name.to_owned()));
        }
    }
    chosen.or(first.flatten())
}

/// Make targets, with simple variables (`DOCKER ?= docker`) substituted in their recipes so
/// that `$(DOCKER) run …` reads as what it runs.
fn make_targets(text: &str) -> HashMap<String, Vec<String>> {
    let variables = make_variables(text);
    let mut targets = make_rules(text);
    expand_macro_calls(&mut targets, &make_macros(text));
    let mut substituted = 0;
    // In a fixed order, so that which recipes the budget reaches is the same every run.
    let mut names: Vec<String> = targets.keys().cloned().collect();
    names.sort_unstable();
    'targets: for name in &names {
        let Some(recipes) = targets.get_mut(name) else {
            continue;
        };
        for recipe in recipes {
            // The target itself (`./$@` runs the test program the rule built); `$$@` is the
            // shell's own.
            // (A pattern rule's or `.DEFAULT`'s `$@` is the goal it is asked for: filled in
            // when it is.)
            if recipe.contains("$@")
                && !recipe.contains("$$@")
                && !name.contains('%')
                && name != ".DEFAULT"
            {
                // Measured before it is built: many `$@` in a line and a long target name
                // multiply.
                let grown = recipe.len() + recipe.matches("$@").count() * name.len();
                if grown <= MAX_RECIPE_BYTES {
                    substituted += grown;
                    if substituted > MAX_SUBSTITUTED_BYTES {
                        break 'targets;
                    }
                    *recipe = recipe.replace("$@", name);
                }
            }
            // A value may name another variable (`GO = $(GOENV) go`): rounds resolve it.
            for _ in 0..SUBSTITUTION_ROUNDS {
                if !recipe.contains('$') {
                    break;
                }
                match substitute(recipe, &variables) {
                    Some(replaced) if replaced.len() <= MAX_RECIPE_BYTES => {
                        substituted += replaced.len();
                        if substituted > MAX_SUBSTITUTED_BYTES {
                            break 'targets;
                        }
                        *recipe = replaced;
                    }
                    _ => break,
                }
            }
        }
    }
    targets
}

/// The commands of each `define NAME … endef` block, its lines joined where they end in `\`;
/// commented lines left out.
/// Joins a recipe's `\`-continued lines into the one command the shell sees. The recipe
/// prefixes (`@`, `-`, `+`) start its first line only: a continuation line's `--jobs=4` is an
/// option.
#[derive(Default)]
struct RecipeJoiner {
    continued: String,
}

impl RecipeJoiner {
    /// The command `line` completes, or `None` while it goes on.
    fn line(&mut self, line: &str) -> Option<String> {
        let line = line.trim();
        let line = match self.continued.is_empty() {
            true => line.trim_start_matches(['@', '-', '+']).trim(),
            false => line,
        };
        if let Some(start) = line.strip_suffix('\\') {
            self.continued.push_str(start.trim_end());
            self.continued.push(' ');
            return None;
        }
        Some(std::mem::take(&mut self.continued) + line)
    }

    fn clear(&mut self) {
        self.continued.clear();
    }
}

fn make_macros(text: &str) -> HashMap<String, Vec<String>> {
    let mut macros: HashMap<String, Vec<String>> = HashMap::new();
    let mut current: Option<(String, Vec<String>)> = None;
    let mut joiner = RecipeJoiner::default();
    let mut stored = 0usize;
    for line in text.lines() {
        let trimmed = line.trim();
        let Some((_, body)) = current.as_mut() else {
            let name = trimmed
                .strip_prefix("define ")
                .and_then(|rest| rest.split_whitespace().next());
            current = name.map(|name| (name.to_owned(), Vec::new()));
            continue;
        };
        if trimmed.starts_with("endef") {
            let (name, body) = current.take().expect("inside a define");
            macros.insert(name, body);
            joiner.clear();
            continue;
        }
        if trimmed.starts_with('#') || trimmed.is_empty() {
            continue;
        }
        let Some(command) = joiner.line(trimmed) else {
            continue;
        };
        stored += command.len();
        if stored > MAX_TABLE_BYTES || command.len() > MAX_RECIPE_BYTES {
            break;
        }
        body.push(command);
    }
    macros
}

/// Each recipe line that is only a call of a macro (`$(call test_core)`, `${call run,test}`)
/// replaced by the macro's commands, its arguments (`$(1)`) filled in, and the calls those
/// make in turn, a few deep.
fn expand_macro_calls(
    targets: &mut HashMap<String, Vec<String>>,
    macros: &HashMap<String, Vec<String>>,
) {
    if macros.is_empty() {
        return;
    }
    let mut added = 0usize;
    for recipes in targets.values_mut() {
        let mut expanded = Vec::with_capacity(recipes.len());
        for recipe in recipes.drain(..) {
            expand_call(recipe, macros, 0, &mut added, &mut expanded);
        }
        *recipes = expanded;
    }
}

/// How deep a macro's calls of other macros are followed.
const MAX_MACRO_DEPTH: usize = 4;

fn expand_call(
    line: String,
    macros: &HashMap<String, Vec<String>>,
    depth: usize,
    added: &mut usize,
    into: &mut Vec<String>,
) {
    let call = line
        .strip_prefix("$(call ")
        .and_then(|rest| rest.strip_suffix(')'))
        .or_else(|| {
            line.strip_prefix("${call ")
                .and_then(|rest| rest.strip_suffix('}'))
        });
    let Some(call) = call else {
        into.push(line);
        return;
    };
    let mut parts = call.split(',');
    let name = parts.next().unwrap_or_default().trim();
    let arguments: Vec<&str> = parts.collect();
    let Some(body) = macros.get(name) else {
        into.push(line);
        return;
    };
    if depth >= MAX_MACRO_DEPTH || *added > MAX_TABLE_BYTES {
        into.push(line);
        return;
    }
    for command in body {
        let mut command = command.clone();
        for (index, argument) in arguments.iter().enumerate().take(9) {
            let number = index + 1;
            for reference in [
                format!("$({number})"),
                format!("${{{number}}}"),
                format!("${number}"),
            ] {
                command = command.replace(&reference, argument.trim());
            }
        }
        if command.len() > MAX_RECIPE_BYTES {
            continue;
        }
        *added += command.len();
        expand_call(command, macros, depth + 1, added, into);
    }
}

/// How many times references in substituted values are themselves substituted.
const SUBSTITUTION_ROUNDS: usize = 8;

/// `recipe` with each `$(NAME)` and `${NAME}` of a known variable replaced by its value, in
/// one pass over the line; `None` when nothing was replaced or the line would outgrow
/// [`MAX_RECIPE_BYTES`] (measured as it is built, so a line of many references to a long
/// value is refused before it exists).
fn substitute(recipe: &str, variables: &HashMap<String, String>) -> Option<String> {
    let mut out = String::with_capacity(recipe.len());
    let mut replaced = false;
    let mut rest = recipe;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let close = match after.as_bytes().first() {
            Some(b'(') => ')',
            Some(b'{') => '}',
            // `$$` is make's escaped `$`: the shell's own `$(…)` follows, not a variable.
            Some(b'$') => {
                out.push_str("$$");
                rest = &after[1..];
                continue;
            }
            _ => {
                out.push('$');
                rest = after;
                continue;
            }
        };
        let value = after[1..]
            .find(close)
            .and_then(|end| Some((variables.get(&after[1..=end])?, end)));
        match value {
            Some((value, end)) => {
                out.push_str(value);
                rest = &after[end + 2..];
                replaced = true;
            }
            None => {
                out.push('$');
                rest = after;
            }
        }
        if out.len() > MAX_RECIPE_BYTES {
            return None;
        }
    }
    out.push_str(rest);
    replaced.then_some(out)
}

/// `NAME = value`, `:=`, `::=`, `?=` at the start of a line; the last one wins.
fn make_variables(text: &str) -> HashMap<String, String> {
    let mut variables = HashMap::new();
    for line in text.lines().filter(|line| !line.starts_with('\t')) {
        let Some((name, value)) = line.split_once('=') else {
            continue;
        };
        let name = name.trim_end_matches([':', '?', '+', ' ']).trim();
        let simple =
            !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if simple && !line.trim_start().starts_with('#') {
            variables.insert(name.to_owned(), value.trim().to_owned());
        }
    }
    variables
}

/// A rule line without its comment (`deploy:  # the bucket is still needed`): from the first
/// `#` that is not escaped (`\#`), unless a `;` before it started the recipe, which is the
/// shell's (`test: ; echo "# running" && pytest`).
fn without_rule_comment(line: &str) -> &str {
    let bytes = line.as_bytes();
    let mut index = 0;
    while index < bytes.len() {
        match bytes[index] {
            b'\\' => index += 1,
            b';' => return line,
            b'#' => return &line[..index],
            _ => {}
        }
        index += 1;
    }
    line
}

fn make_rules(text: &str) -> HashMap<String, Vec<String>> {
    let mut targets: HashMap<String, Vec<String>> = HashMap::new();
    // `t1 … tT: p1 … pP` gives every target every prerequisite: a short file of long rule
    // lines would be T×P strings. Past this many bytes of them, the rest is not read.
    let mut stored = 0usize;
    let mut current: Vec<String> = Vec::new();
    let mut joiner = RecipeJoiner::default();
    // A rule line continued with `\` (`ci: lint \` then `\tunit`): its next line is more of
    // it, whatever that line starts with.
    let mut continued_rule = String::new();
    for line in text.lines() {
        if let Some(recipe) = line
            .strip_prefix('\t')
            .filter(|_| continued_rule.is_empty())
        {
            let Some(command) = joiner.line(recipe) else {
                continue;
            };
            stored += command.len() * current.len();
            if stored > MAX_TABLE_BYTES {
                break;
            }
            for target in &current {
                targets
                    .entry(target.clone())
                    .or_default()
                    .push(command.clone());
            }
            continue;
        }
        joiner.clear();
        if let Some(start) = line.trim_end().strip_suffix('\\') {
            continued_rule.push_str(start.trim());
            continued_rule.push(' ');
            continue;
        }
        let joined;
        let line = match continued_rule.is_empty() {
            true => line,
            false => {
                continued_rule.push_str(line.trim());
                joined = std::mem::take(&mut continued_rule);
                joined.as_str()
            }
        };
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        current.clear();
        let line = without_rule_comment(line);
        let Some((names, rest)) = line.split_once(':') else {
            continue;
        };
        // `x := y`, `x ::= y` are assignments; `a b: c d` names two targets.
        if rest.starts_with('=') || names.contains('=') || names.contains('$') {
            continue;
        }
        let rest = rest.trim_start_matches(':');
        let (prerequisites, inline) = rest.split_once(';').unwrap_or((rest, ""));
        let targets_named = names.split_whitespace().count();
        stored += targets_named * (rest.len() + 5 * prerequisites.split_whitespace().count());
        if stored > MAX_TABLE_BYTES {
            break;
        }
        for name in names.split_whitespace() {
            let entry = targets.entry(name.to_owned()).or_default();
            // Words as the shell would cut them: `$(filter unit,unit lint)` is one.
            entry.extend(
                shell_words(prerequisites)
                    .into_iter()
                    .filter(|prerequisite| !prerequisite.starts_with('|'))
                    .map(|prerequisite| format!("make {prerequisite}")),
            );
            if !inline.trim().is_empty() {
                entry.push(inline.trim().to_owned());
            }
            current.push(name.to_owned());
        }
    }
    targets
}

/// The `name` a package.json gives its package.
fn package_name(text: &str) -> Option<String> {
    match manifest_field(text, "name")? {
        serde_json::Value::String(name) => Some(name),
        _ => None,
    }
}

/// The `scripts` object of a JSON manifest (package.json, composer.json), if it has one.
fn manifest_scripts(text: &str) -> Option<serde_json::Map<String, serde_json::Value>> {
    manifest_table(text, "scripts")
}

/// The object a JSON manifest holds under `key` (package.json's `scripts`, deno.json's
/// `tasks`).
fn manifest_table(text: &str, key: &str) -> Option<serde_json::Map<String, serde_json::Value>> {
    match manifest_field(text, key)? {
        serde_json::Value::Object(table) => Some(table),
        _ => None,
    }
}

/// What a JSON manifest holds under `key`.
fn manifest_field(text: &str, key: &str) -> Option<serde_json::Value> {
    match serde_json::from_str::<serde_json::Value>(text).ok()? {
        serde_json::Value::Object(mut manifest) => manifest.remove(key),
        _ => None,
    }
}

/// The lines of the task `name` names in `table`: by its name, or, for an npm-run-all glob
/// (`lint:*`, `test:**`), of each task whose name starts with what precedes the stars, in
/// name order, at most [`MAX_GLOB_MATCHES`].
fn matching_tasks<'t>(table: &'t Table, name: &str) -> Vec<&'t Vec<String>> {
    let prefix = name.trim_end_matches('*');
    if prefix.len() == name.len() {
        return table.get(name).into_iter().collect();
    }
    let mut names: Vec<&String> = table.keys().filter(|key| key.starts_with(prefix)).collect();
    names.sort_unstable();
    names.truncate(MAX_GLOB_MATCHES);
    names.into_iter().map(|key| &table[key]).collect()
}

/// `.tool/task`: Task's binary in a hidden folder a build installs its tools in.
fn installed_task(program: &str) -> bool {
    program
        .strip_suffix("/task")
        .and_then(|folder| folder.rsplit('/').next())
        .is_some_and(|folder| folder.len() > 1 && folder.starts_with('.') && folder != "..")
}

/// The recipe of the pattern rule (`%-suite`, `%`) that would build `name`, and the stem
/// `%` stands for; the one with the longest fixed part, as make picks it; failing that, the
/// `.DEFAULT:` recipe. A goal declared `.PHONY` is never built by a pattern rule.
fn pattern_rule<'t, 'n>(table: &'t Table, name: &'n str) -> Option<(&'t Vec<String>, &'n str)> {
    let phony = table.get(".PHONY").is_some_and(|declared| {
        declared
            .iter()
            .any(|line| line.strip_prefix("make ") == Some(name))
    });
    if phony || name.contains(['*', '%', '$']) {
        return None;
    }
    table
        .iter()
        .filter_map(|(target, recipe)| {
            let (prefix, suffix) = target.split_once('%')?;
            let stem = name.strip_prefix(prefix)?.strip_suffix(suffix)?;
            (!suffix.contains('%') && !stem.is_empty()).then_some((
                prefix.len() + suffix.len(),
                target,
                recipe,
                stem,
            ))
        })
        .max_by(|a, b| a.0.cmp(&b.0).then_with(|| b.1.cmp(a.1)))
        .map(|(_, _, recipe, stem)| (recipe, stem))
        // What no rule builds, a `.DEFAULT:` recipe does (`$@` the goal).
        .or_else(|| {
            table
                .get(".DEFAULT")
                .filter(|recipe| !recipe.is_empty())
                .map(|recipe| (recipe, name))
        })
}

/// package.json's scripts, each with the `pre` and `post` scripts npm and Yarn run around it
/// (`npm run build` runs `prebuild`, `build`, then `postbuild`).
fn npm_scripts(text: &str) -> HashMap<String, Vec<String>> {
    let Some(scripts) = manifest_scripts(text) else {
        return HashMap::new();
    };
    let script = |name: &str| {
        scripts
            .get(name)
            .and_then(serde_json::Value::as_str)
            .filter(|script| !script.contains(NPM_PLACEHOLDER))
    };
    scripts
        .keys()
        .filter_map(|name| {
            let own = script(name)?;
            let lines = [
                script(&format!("pre{name}")),
                Some(own),
                script(&format!("post{name}")),
            ]
            .into_iter()
            .flatten()
            .map(str::to_owned)
            .collect();
            Some((name.clone(), lines))
        })
        .collect()
}

/// Deno's tasks (`"tasks": {"test": "deno test -A", "ok": {"command": "…", "dependencies":
/// ["lint"]}}`): a command, or an object with one, whose dependencies run first.
fn deno_tasks(text: &str) -> HashMap<String, Vec<String>> {
    let Some(tasks) = manifest_table(&super::jsonc::as_json(text), "tasks") else {
        return HashMap::new();
    };
    tasks
        .iter()
        .filter_map(|(name, task)| {
            let (command, dependencies) = match task {
                serde_json::Value::String(command) => (Some(command.as_str()), None),
                serde_json::Value::Object(task) => (
                    task.get("command").and_then(serde_json::Value::as_str),
                    task.get("dependencies")
                        .and_then(serde_json::Value::as_array),
                ),
                _ => return None,
            };
            let commands = dependencies
                .into_iter()
                .flatten()
                .filter_map(serde_json::Value::as_str)
                .map(|other| format!("deno task {other}"))
                .chain(command.map(str::to_owned))
                .collect();
            Some((name.clone(), commands))
        })
        .collect()
}

/// Composer's scripts (`"scripts": {"test": "phpunit", "ci": ["@lint", "@test"]}`): a command
/// or a list of them, where `@name` calls another script, and `@php` and `@composer` run those
/// programs.
fn composer_scripts(text: &str) -> HashMap<String, Vec<String>> {
    let Some(scripts) = manifest_scripts(text) else {
        return HashMap::new();
    };
    let command = |line: &str| match line.strip_prefix('@') {
        Some(rest) if rest.starts_with("php ") || rest.starts_with("composer ") => rest.to_owned(),
        Some(rest) if rest.starts_with("putenv ") => String::new(),
        // Composer's own callbacks (`Composer\\Config::disableProcessTimeout`) set Composer
        // up; they run none of the project's work.
        None if line.starts_with("Composer\\") => String::new(),
        Some(script) => format!("composer {script}"),
        None => line.to_owned(),
    };
    scripts
        .iter()
        .map(|(name, script)| {
            let lines: Vec<String> = match script {
                serde_json::Value::String(line) => vec![command(line)],
                serde_json::Value::Array(lines) => lines
                    .iter()
                    .filter_map(serde_json::Value::as_str)
                    .map(command)
                    .collect(),
                _ => Vec::new(),
            };
            let lines = lines.into_iter().filter(|line| !line.is_empty()).collect();
            (name.clone(), lines)
        })
        .collect()
}

/// The words of a just call that may name recipes or their arguments: not its options (and
/// the values `--set` and the like take) nor variable overrides (`x=1`).
fn just_words<'a>(words: &[&'a str]) -> Vec<&'a str> {
    const TAKING_TWO: &[&str] = &["--set"];
    const TAKING_ONE: &[&str] = &[
        "--dotenv-filename",
        "--dotenv-path",
        "-E",
        "--shell",
        "--shell-arg",
        "--color",
        "--command-color",
        "--chooser",
        "--list-heading",
        "--list-prefix",
        "--timestamp-format",
        "--alias-style",
        "--tempdir",
    ];
    // Options with which just only prints, lists or edits: no recipe runs.
    const RUNS_NOTHING: &[&str] = &[
        "-n",
        "--dry-run",
        "-l",
        "--list",
        "-s",
        "--show",
        "--summary",
        "--evaluate",
        "--dump",
        "--fmt",
        "--init",
        "--edit",
        "--variables",
        "--groups",
        "--completions",
        "--choose",
        "--man",
        "-h",
        "--help",
        "-V",
        "--version",
        "--changelog",
    ];
    let mut named = Vec::new();
    let mut words = words.iter().copied();
    while let Some(word) = words.next() {
        if matches!(word, "--" | "&&" | "||" | "|" | ";" | "&") {
            break;
        }
        if RUNS_NOTHING.contains(&word) {
            return Vec::new();
        }
        if TAKING_TWO.contains(&word) {
            words.nth(1);
        } else if TAKING_ONE.contains(&word) {
            words.next();
        } else if !word.starts_with('-') && !word.contains('=') {
            named.push(word);
        }
    }
    named
}

/// The recipes a just call runs: the first word, then each word after the arguments of the
/// recipe before it. A recipe the justfile does not define ends the list there (just would
/// stop), keeping it for `undefined` to name.
fn just_recipes_called<'a>(
    words: &[&'a str],
    parameters: &HashMap<String, Option<usize>>,
) -> Vec<&'a str> {
    let mut recipes = Vec::new();
    let mut index = 0;
    while let Some(&word) = words.get(index) {
        recipes.push(word);
        match parameters.get(word) {
            None => break,
            Some(None) => break,
            Some(Some(count)) => index += 1 + count,
        }
    }
    recipes
}

/// How many arguments each recipe of a justfile takes: its parameters (`deploy env region:`
/// takes two), or `None` when one is variadic (`test *args:`, `build +targets:`).
fn just_parameters(text: &str) -> HashMap<String, Option<usize>> {
    let mut parameters = HashMap::new();
    for (name, words, _) in text.lines().filter_map(just_recipe_header) {
        let mut count = Some(0);
        for parameter in words {
            if parameter.starts_with(['*', '+'])
                || parameter.starts_with("$*")
                || parameter.starts_with("$+")
            {
                count = None;
                break;
            }
            count = count.map(|count| count + 1);
        }
        parameters.insert(name.to_owned(), count);
    }
    parameters
}

/// A justfile line that starts a recipe: its name, its parameters and what follows the
/// colon (its dependencies); not a setting, alias, import, assignment, attribute or comment.
fn just_recipe_header(line: &str) -> Option<(&str, Vec<&str>, &str)> {
    if line.starts_with([' ', '\t', '#', '[']) {
        return None;
    }
    let (header, rest) = line.split_once(':')?;
    if rest.starts_with('=') {
        return None;
    }
    let mut words = header.split_whitespace();
    let name = words.next()?.trim_start_matches('@');
    if ["set", "alias", "export", "import", "mod"].contains(&name) {
        return None;
    }
    Some((name, words.collect(), rest))
}

fn just_recipes(text: &str) -> HashMap<String, Vec<String>> {
    let mut recipes: HashMap<String, Vec<String>> = HashMap::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        if line.starts_with([' ', '\t']) {
            if let Some(name) = &current
                && !line.trim().is_empty()
            {
                let command = line.trim().trim_start_matches(['@', '-']).trim();
                recipes
                    .entry(name.clone())
                    .or_default()
                    .push(command.to_owned());
            }
            continue;
        }
        current = None;
        let Some((name, _, dependencies)) = just_recipe_header(line) else {
            continue;
        };
        let entry = recipes.entry(name.to_owned()).or_default();
        entry.extend(
            dependencies
                .split_whitespace()
                .map(|dependency| format!("just {dependency}")),
        );
        current = Some(name.to_owned());
    }
    recipes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn runners(files: &[(&'static str, &'static str)]) -> TaskRunners {
        TaskRunners::new(|name| {
            files
                .iter()
                .find(|(file, _)| *file == name)
                .map(|(_, text)| *text)
        })
    }

    #[test]
    fn installing_a_runner_as_a_package_calls_nothing() {
        for command in [
            "apk add gcc gdb make tar git",
            "sudo apt-get install -y make just",
            "sudo -E apt-get -o Dpkg::Options::=--force-confold install -y make",
            "$SUDO yum -y install make",
            "timeout 600 zypper in make",
            "asdf install just latest",
            "DEBIAN_FRONTEND=noninteractive apt install --yes task",
            "pacman -S --noconfirm make",
            "brew install just",
        ] {
            assert_eq!(invocations(command), [], "{command}");
        }
        for command in ["sudo make test", "time make test", "pacman -Q && make test"] {
            assert_eq!(invocations(command).len(), 1, "{command}");
        }
    }

    #[test]
    fn continued_recipe_lines_keep_their_leading_dashes() {
        let makefile = "test:\n\t-go test \\\n\t\t--count=1 \\\n\t\t./...\n\ndefine check\n@golangci-lint run \\\n--fix\nendef\n";
        assert_eq!(make_rules(makefile)["test"], ["go test --count=1 ./..."]);
        assert_eq!(make_macros(makefile)["check"], ["golangci-lint run --fix"]);
    }

    #[test]
    fn the_default_goal_as_make_picks_it() {
        let test = |makefile: &'static str, command: &str| {
            runners(&[("Makefile", makefile)])
                .expand(command)
                .iter()
                .any(|c| c == "go test ./...")
        };
        let base = "test:\n\tgo test ./...\nbuild:\n\tgo build\n";
        assert!(test(
            "GO ::= go\ndefine HELP\nUsage: make x\nendef\ntest:\n\tgo test ./...\n",
            "make"
        ));
        assert!(test(
            concat!(
                ".DEFAULT_GOAL=test\n",
                "build:\n\tgo build\ntest:\n\tgo test ./...\n"
            ),
            "make"
        ));
        assert!(!test(
            concat!(
                ".DEFAULT_GOAL := test\n",
                ".DEFAULT_GOAL := build\n",
                "test:\n\tgo test ./...\nbuild:\n\tgo build\n"
            ),
            "make"
        ));
        assert!(!test(
            concat!("./bin/app:\n\tgo build\n", "test:\n\tgo test ./...\n"),
            "make"
        ));
        assert!(!test(
            concat!("$(BIN):\n\tgo build\n", "test:\n\tgo test ./...\n"),
            "make"
        ));
        for command in [
            "make -j 4",
            "make -j $(nproc)",
            "make --jobs 4",
            "make -l 2 test",
        ] {
            assert!(test(base, command), "{command}");
        }
        for command in [
            "make --version",
            "which make",
            "command -v make",
            "make -n",
            "cd docs && make",
            "make -Cdocs",
            "make --file=docs.mk",
        ] {
            assert!(!test(base, command), "{command}");
        }
    }

    #[test]
    fn a_comment_after_a_rule_names_no_prerequisite() {
        let rules = make_rules("deploy:  # the bucket is still needed\n\tsam deploy\n");
        assert_eq!(rules["deploy"], ["sam deploy"]);
    }

    #[test]
    fn a_comment_ends_a_rule_line_only_where_make_says() {
        let rules = make_rules("test: ; echo \"# running\" && pytest -q\nlint: a\\#b # c\n");
        assert_eq!(rules["test"], ["echo \"# running\" && pytest -q"]);
        assert_eq!(rules["lint"], ["make a\\#b"]);
    }

    #[test]
    fn a_ci_expression_is_one_word_of_a_command() {
        assert_eq!(
            shell_words(
                "make reg-tests VTEST=${{ github.workspace }}/vtest  REGTESTS_TYPES=default"
            ),
            [
                "make",
                "reg-tests",
                "VTEST=${{ github.workspace }}/vtest",
                "REGTESTS_TYPES=default"
            ]
        );
        assert_eq!(
            shell_words(" make ${{ unclosed"),
            ["make", "${{", "unclosed"]
        );
        // An escaped or quoted `$(` opens nothing.
        let calls = invocations("echo '$$(' ; $(MAKE) unit");
        assert_eq!(calls[0].names, ["unit"]);
        let calls = invocations("echo '$(' ; make unit");
        assert_eq!(calls[0].names, ["unit"]);
        let calls = invocations("make reg-tests VTEST=${{ github.workspace }}/vtest");
        assert_eq!(calls[0].names, ["reg-tests"]);
        // A make function's own list is no command of the recipe's.
        let calls = invocations(
            "$(MAKE) -C backend R=$(shell python3 -c 'import a; print(1)') && make lint",
        );
        assert_eq!(calls.len(), 2);
        assert!(calls[0].names.is_empty());
        assert_eq!(calls[1].names, ["lint"]);
    }

    /// The names given to each task runner `command` calls.
    fn called_names(command: &str) -> Vec<Vec<&str>> {
        invocations(command)
            .into_iter()
            .map(|call| call.names)
            .collect()
    }

    #[test]
    fn a_call_in_a_command_substitution_runs_and_one_in_text_does_not() {
        assert_eq!(
            called_names("out=$(make test 2>&1); echo \"$out\""),
            [["test"]]
        );
        assert_eq!(
            called_names("if ! out=\"$(cd api && make all)\"; then exit 1; fi"),
            [["all"]]
        );
        assert_eq!(
            invocations("x=$(cd api && make all)")[0].folder.as_deref(),
            Some("api")
        );
        // Make's variables and functions are no commands, nor is arithmetic.
        assert_eq!(called_names("$(MAKE) $(GOALS) && echo $((1 + 2))").len(), 1);
        assert!(called_names("echo make -f x.mk nosuch").is_empty());
        assert!(called_names("echo \"run make nosuch later\"").is_empty());
        assert!(called_names("# $(MAKE) nosuch").is_empty());
        assert_eq!(called_names("make lint # then make test"), [["lint"]]);
        assert_eq!(called_names("make lint; # make test"), [["lint"]]);
        assert_eq!(
            called_names("echo '# not a comment' && make test"),
            [["test"]]
        );
        // Nested ever deeper, substitutions are looked into only a few levels down.
        let deep = "$(a ".repeat(10_000) + "make test" + &")".repeat(10_000);
        assert!(called_names(&deep).is_empty());
    }

    #[test]
    fn redirections_and_make_functions_name_no_goal_and_run_nothing() {
        assert_eq!(called_names("make > make.log test"), [["test"]]);
        assert_eq!(called_names("make 2>&1 test | tee log"), [["test"]]);
        assert_eq!(
            called_names("make test &> log && make lint"),
            [["test"], ["lint"]]
        );
        assert!(called_names("$(info Skipping; run make test locally)").is_empty());
        assert!(called_names("$(warning make test is slow)").is_empty());
        assert!(called_names("x=$(shell echo run make test)").is_empty());
        assert_eq!(called_names("x=$(shell make test)"), [["test"]]);
    }

    #[test]
    fn a_goal_make_computes_is_out_of_sight() {
        let tasks = runners(&[(
            "Makefile",
            "ALL = lint unit\nci: $(filter-out bench,$(ALL))\nunit:\n\tgo test ./...\n",
        )]);
        let nested = &invocations("make $(filter-out bench,lint unit)")[0];
        assert_eq!(
            tasks.unbuilt_goals(nested),
            ["$(filter-out bench,lint unit)"]
        );
    }

    #[test]
    fn a_rule_line_goes_on_after_a_backslash() {
        let rules = make_rules("ci: lint \\\n\tunit \\\n    e2e # all\nunit:\n\tpytest\n");
        assert_eq!(rules["ci"], ["make lint", "make unit", "make e2e"]);
        assert_eq!(rules["unit"], ["pytest"]);
        // A make function in the prerequisites is one word, not goals.
        let rules = make_rules("ci: $(filter unit,unit lint) # x\n");
        assert_eq!(rules["ci"], ["make $(filter unit,unit lint)"]);
    }

    #[test]
    fn a_default_recipe_builds_what_no_rule_does() {
        let tasks = runners(&[(
            "Makefile",
            "ci:\n\t$(MAKE) unit\n.DEFAULT:\n\tpytest -q -k $@\n",
        )]);
        assert_eq!(
            *tasks.expand("make ci"),
            ["$(MAKE) unit", "pytest -q -k unit"]
        );
        let call = &invocations("$(MAKE) unit")[0];
        assert!(tasks.unbuilt_goals(call).is_empty());
    }

    #[test]
    fn a_makefile_included_again_and_again_is_read_once() {
        let makefile = "include common.mk\n".repeat(10_000);
        let tasks = runners(&[
            ("Makefile", Box::leak(makefile.into_boxed_str())),
            ("common.mk", "test:\n\tgo test ./...\n"),
        ]);
        assert_eq!(*tasks.expand("make test"), ["go test ./..."]);
    }

    #[test]
    fn a_recipe_passing_the_goals_on_runs_them_in_its_folder() {
        // `make test` → `cd api && $(MAKE) $(MAKECMDGOALS)`. (Through a prerequisite, as
        // commento's `test: api` has it, the goals are not carried: `make api` is followed.)
        let mut tasks = runners(&[(
            "Makefile",
            "test:\n\tcd api && $(MAKE) $(MAKECMDGOALS)\napi:\n\tcd api && $(MAKE) $(MAKECMDGOALS)\n",
        )]);
        tasks.add_folder("api", |name| {
            (name == "Makefile").then_some("test: test-go\ntest-go:\n\tgo test -v .\n")
        });
        assert!(
            tasks
                .expand("make test")
                .iter()
                .any(|c| c == "cd api && go test -v ."),
            "{:?}",
            tasks.expand("make test")
        );
        // Called for another goal it passes that one on, not `test`.
        assert!(
            !tasks
                .expand("make api")
                .iter()
                .any(|c| c.contains("go test"))
        );
        // A bare `make` passes none on (red team: the default goal's name was).
        let bare = runners(&[(
            "Makefile",
            "all:\n\tcd api && $(MAKE) $(MAKECMDGOALS)\ntest:\n\tgo test ./...\n",
        )]);
        assert_eq!(&*bare.expand("make"), ["cd api && $(MAKE) "]);
        // Red team: 250 uses of 400 goals is no 4 MB line; the line stays as written.
        let goals: Vec<String> = (0..400).map(|n| format!("goal{n}")).collect();
        let many = format!("test:\n\t{}\n", "echo $(MAKECMDGOALS); ".repeat(250));
        let huge = runners(&[("Makefile", Box::leak(many.into_boxed_str()))]);
        let expanded = huge.expand(&format!("make test {}", goals.join(" ")));
        assert!(!expanded.iter().any(|line| line.contains("goal399")));
    }

    #[test]
    fn an_included_makefile_s_targets_are_followed() {
        let first = runners(&[
            ("Makefile", "include common.mk\nbuild:\n\tgo build\n"),
            ("common.mk", "test:\n\tgo test ./...\n"),
        ]);
        assert!(first.expand("make").iter().any(|c| c == "go test ./..."));
        let tasks = runners(&[
            (
                "Makefile",
                "all:: vet common-all\n\ninclude Makefile.common\n",
            ),
            (
                "Makefile.common",
                "common-all: common-test\ncommon-test:\n\tgo test ./...\n",
            ),
        ]);
        assert!(tasks.expand("make").iter().any(|c| c == "go test ./..."));
    }

    #[test]
    fn a_script_run_in_one_chosen_workspace_member_runs_there() {
        let mut tasks = runners(&[(
            "package.json",
            r#"{"name": "root", "scripts": {"test": "npm run test --workspace site"}}"#,
        )]);
        tasks.add_folder("services/site", |name| {
            (name == "package.json").then_some(
                r#"{"name": "site", "scripts": {"test": "vitest run", "lint": "eslint ."}}"#,
            )
        });
        tasks.add_folder("services/oauth", |name| {
            (name == "package.json")
                .then_some(r#"{"name": "@kcd/oauth", "scripts": {"test": "jest"}}"#)
        });
        assert_eq!(
            *tasks.expand("npm test"),
            [
                "npm run test --workspace site",
                "cd services/site && vitest run"
            ]
        );
        for (command, runs) in [
            ("npm run test -w @kcd/oauth", "cd services/oauth && jest"),
            (
                "npm --workspace=services/oauth run test",
                "cd services/oauth && jest",
            ),
            (
                "yarn workspace site run test",
                "cd services/site && vitest run",
            ),
            (
                "yarn workspace @kcd/oauth test",
                "cd services/oauth && jest",
            ),
            ("pnpm --filter site test", "cd services/site && vitest run"),
            ("pnpm -F ./services/oauth test", "cd services/oauth && jest"),
        ] {
            assert_eq!(*tasks.expand(command), [runs], "{command}");
        }
        assert_eq!(
            *tasks.expand("pnpm --filter oauth test"),
            ["cd services/oauth && jest"]
        );
        // A member no package.json names, several members or a pattern: looked for where
        // the command runs, as ever.
        for command in [
            "npm run lint -w missing",
            "npm run lint -w site -w @kcd/oauth",
            "pnpm --filter '@kcd/*' lint",
            "pnpm --filter site... lint",
        ] {
            assert!(tasks.expand(command).is_empty(), "{command}");
        }
        // npm and Yarn name a scoped package whole; past `--`, `-w` is the script's.
        let unscoped = tasks.expand("npm run test -w oauth");
        assert!(
            !unscoped.iter().any(|c| c.contains("services/oauth")),
            "{unscoped:?}"
        );
        assert_eq!(
            chosen_member(&["npm", "run", "build", "--", "-w", "api"]),
            (None, vec!["npm", "run", "build", "--", "-w", "api"])
        );
        assert!(tasks.follows_members("npm run lint --workspace site"));
        assert!(!tasks.follows_members("npm run lint --workspace @kcd/oauth"));
        assert!(!tasks.follows_members("npm run lint"));
    }

    #[test]
    fn a_script_run_in_every_workspace_member_runs_where_it_is_defined() {
        let mut tasks = runners(&[(
            "package.json",
            r#"{"scripts": {"test": "pnpm -r do-test", "ci": "yarn workspaces foreach -A run check"}}"#,
        )]);
        tasks.add_folder("packages/api", |name| {
            (name == "package.json")
                .then_some(r#"{"scripts": {"do-test": "jest", "check": "tsc"}}"#)
        });
        tasks.add_folder("packages/web", |name| {
            (name == "package.json").then_some(r#"{"scripts": {"do-test": "vitest run"}}"#)
        });
        tasks.add_folder("packages/docs", |name| {
            (name == "package.json").then_some(r#"{"scripts": {"build": "vitepress build"}}"#)
        });
        let test = tasks.expand("pnpm test");
        assert!(
            test.iter().any(|c| c == "cd packages/api && jest"),
            "{test:?}"
        );
        assert!(
            test.iter().any(|c| c == "cd packages/web && vitest run"),
            "{test:?}"
        );
        assert!(!test.iter().any(|c| c.contains("vitepress")), "{test:?}");
        assert!(
            tasks
                .expand("pnpm ci")
                .iter()
                .any(|c| c == "cd packages/api && tsc")
        );
        // Options that choose some members, and the package manager's own commands, run
        // no script opslint can name.
        for chosen in [
            "pnpm -r --filter web do-test",
            "pnpm -r install",
            "yarn workspaces foreach --include api run check",
        ] {
            assert!(tasks.expand(chosen).is_empty(), "{chosen}");
        }
        assert_eq!(
            members_script(&["npm", "run", "lint", "--workspaces"]),
            Some("lint")
        );
        assert_eq!(members_script(&["npm", "test", "-ws"]), Some("test"));
        assert_eq!(
            members_script(&["yarn", "workspaces", "run", "test"]),
            Some("test")
        );
        assert_eq!(members_script(&["pnpm", "test"]), None);
        // Options' values are no script names.
        let jobs = [
            "yarn",
            "workspaces",
            "foreach",
            "-A",
            "-j",
            "4",
            "--exclude",
            "root",
            "run",
            "check",
        ];
        assert_eq!(members_script(&jobs), Some("check"));
        let concurrency = ["pnpm", "-r", "--workspace-concurrency", "1", "check"];
        assert_eq!(members_script(&concurrency), Some("check"));
    }

    #[test]
    fn a_pattern_rule_s_prerequisite_is_its_stem_where_a_rule_defines_it() {
        // Prometheus's Makefile.common: `%: common-% ;` hands `make test` to `common-test`.
        let tasks = runners(&[(
            "Makefile",
            "%: common-% ;
common-test:
	go test ./...
build:
	go build ./...
",
        )]);
        assert!(
            tasks
                .expand("make test")
                .iter()
                .any(|c| c == "go test ./...")
        );
        // A goal no rule defines is not handed on again and again (`common-common-lint`).
        let (lint, deeper) = tasks.expand_uncached("make lint");
        assert!(
            !deeper && !lint.iter().any(|c| c.contains("common-common")),
            "{lint:?}"
        );
    }

    #[test]
    fn a_recipe_that_calls_make_again_is_followed() {
        let makefile = "test:\n\tgo clean -testcache && $(MAKE) test-router\ntest-router:\n\tgo test -race -v .\n";
        let tasks = runners(&[("Makefile", makefile)]);
        assert!(
            tasks
                .expand("make test")
                .iter()
                .any(|c| c == "go test -race -v .")
        );
    }

    #[test]
    fn a_goal_no_rule_names_is_built_by_the_pattern_rule_that_matches_it() {
        // A shim handing every goal to Task, installed by the Makefile itself.
        let makefile = "TASK = .tool/task\n%:\n\t@make --silent $(TASK)\n\t@$(TASK) $@\n\
                        %-suite:\n\t./harness $*\n";
        let taskfile = "version: '3'\ntasks:\n  unit:\n    cmds:\n      - go test ./...\n";
        let tasks = runners(&[("Makefile", makefile), ("Taskfile.yml", taskfile)]);
        let unit = tasks.expand("make unit");
        assert!(unit.iter().any(|c| c == ".tool/task unit"), "{unit:?}");
        assert!(unit.iter().any(|c| c == "go test ./..."), "{unit:?}");
        // The longest fixed part wins, as in make; the stem fills `$*`.
        assert!(
            tasks
                .expand("make api-suite")
                .iter()
                .any(|c| c == "./harness api")
        );
        assert_eq!(pattern_rule(&Table::new(), "unit"), None);
        // Red team: a phony goal is no pattern rule's, and a script named `bin/task` is not Task.
        let phony = runners(&[("Makefile", ".PHONY: unit\n%:\n\tgo test ./...\n")]);
        assert!(
            !phony
                .expand("make unit")
                .iter()
                .any(|c| c == "go test ./...")
        );
        assert!(installed_task(".tool/task"));
        assert!(
            !installed_task("bin/task") && !installed_task("./task") && !installed_task("../task")
        );
    }

    #[test]
    fn runners_are_called_in_the_folder_the_command_runs_in() {
        fn folder(command: &str) -> Vec<(Option<String>, Runner, Vec<&str>)> {
            invocations(command)
                .into_iter()
                .map(|call| (call.folder, call.runner, call.names))
                .collect()
        }
        let web = Some("web".to_owned());
        assert_eq!(
            folder("cd web && npm test"),
            [(web.clone(), Runner::Npm, vec!["test"])]
        );
        assert_eq!(
            folder("npm --prefix web test"),
            [(web.clone(), Runner::Npm, vec!["test"])]
        );
        assert_eq!(
            folder("npm test --prefix=web"),
            [(web.clone(), Runner::Npm, vec!["test"])]
        );
        assert_eq!(
            folder("yarn --cwd web test"),
            [(web.clone(), Runner::Npm, vec!["test"])]
        );
        assert_eq!(
            folder("pnpm -C web run unit"),
            [(web.clone(), Runner::Npm, vec!["unit"])]
        );
        assert_eq!(
            folder("make -C tests -j4 check"),
            [(Some("tests".to_owned()), Runner::Make, vec!["check"])]
        );
        assert_eq!(
            folder("cd web && make --directory=../api test"),
            [(Some("api".to_owned()), Runner::Make, vec!["test"])]
        );
        assert_eq!(
            folder("cd \"$BUILD\" && make test"),
            [(None, Runner::Make, vec!["test"])]
        );
        // Another Makefile, not another folder: its goals are named, none is followed.
        let other = invocations("make -f other.mk test");
        assert_eq!(other.len(), 1);
        assert!(other[0].other_file);
        assert_eq!(other[0].names, ["test"]);
        let tasks = runners(&[("Makefile", "test:\n\tcargo test\n")]);
        assert!(tasks.expand("make -f other.mk test").is_empty());
        assert!(tasks.expand("make --file=other.mk test").is_empty());
        assert_eq!(*tasks.expand("make -f Makefile test"), ["cargo test"]);
    }

    #[test]
    fn a_sub_folder_s_tasks_run_there() {
        let mut tasks = runners(&[("Makefile", "test:\n\tcd web && npm test\n")]);
        tasks.add_folder("web", |name| {
            (name == "package.json")
                .then_some(r#"{"scripts":{"test":"vitest run","ci":"npm run test"}}"#)
        });
        let expanded = tasks.expand("make test");
        assert!(
            expanded.iter().any(|c| c == "cd web && vitest run"),
            "{expanded:?}"
        );
        assert!(
            tasks.expand("npm test").is_empty(),
            "the root has no package.json"
        );
        assert!(
            tasks
                .expand("npm run ci --prefix web")
                .iter()
                .any(|c| c == "cd web && vitest run")
        );
        assert!(tasks.has_file("web", Runner::Npm));
        assert!(!tasks.has_file("web", Runner::Make));
    }

    #[test]
    fn a_bare_make_builds_the_default_goal() {
        let makefile = "# Build\nVERSION := 1\n.PHONY: all test\nall: vet test\n\ntest:\n\tgo test ./...\nvet:\n\tgo vet ./...\n";
        let tasks = runners(&[("Makefile", makefile)]);
        assert!(tasks.expand("make").iter().any(|c| c == "go test ./..."));
        assert!(
            tasks
                .expand("make -j4")
                .iter()
                .any(|c| c == "go test ./...")
        );
        let chosen = concat!(
            "all: vet test\n",
            "test:\n\tgo test ./...\n",
            "vet:\n\tgo vet ./...\n",
            ".DEFAULT_GOAL := vet\n"
        );
        let tasks = runners(&[("Makefile", chosen)]);
        assert!(!tasks.expand("make").iter().any(|c| c == "go test ./..."));
        assert!(tasks.expand("make").iter().any(|c| c == "go vet ./..."));
    }

    #[test]
    fn make_targets_and_prerequisites_are_followed() {
        let makefile = "GO := go\n.PHONY: ci test\nci: lint test\n\ntest:\n\t@$(GO) test ./...\nlint:\n\tgolangci-lint run\nit:\n\tset +e; \\\n\t$(DOCKER) run --rm \\\n\t\tapp-tests\nDOCKER ?= docker\n";
        let runners = runners(&[("Makefile", makefile)]);
        let expanded = runners.expand("make ci");
        assert!(
            expanded.contains(&"go test ./...".to_owned()),
            "{expanded:?}"
        );
        assert!(runners.expand("make -C docs test").is_empty());
        // Variables substituted, continuation lines joined.
        assert_eq!(
            *runners.expand("make it"),
            ["set +e; docker run --rm app-tests"]
        );
    }

    /// Red team: `$@` in every word of a recipe, for a target of a long name, multiplied the
    /// line (400,000 of them and a name of 8,000 bytes would be 3.2 GB).
    #[test]
    fn a_target_s_own_name_is_substituted_only_within_the_line_limit() {
        let name = "t".repeat(8_000);
        let makefile = format!(
            "{name}:\n\t{}\nshort:\n\t./$@ --all\n",
            "$@".repeat(400_000)
        );
        let targets = make_targets(&makefile);
        assert_eq!(targets[&name][0].len(), 800_000);
        assert_eq!(targets["short"], ["./short --all"]);
    }

    /// Red team: a target of 100,000 prerequisites was expanded in full before the limit
    /// was applied, and again for each rule that asked.
    #[test]
    fn an_expansion_stops_at_its_limit_and_is_made_once() {
        let prerequisites: Vec<String> = (0..100_000).map(|index| format!("p{index}")).collect();
        let makefile = format!("build: {}\n", prerequisites.join(" "));
        let runners = runners(&[("Makefile", makefile.leak())]);
        let expanded = runners.expand("make build");
        assert_eq!(expanded.len(), MAX_EXPANDED);
        assert_eq!(expanded[0], "make p0");
        assert!(Arc::ptr_eq(&expanded, &runners.expand("make build")));
        assert!(runners.expansion_cut_short("make build"));
    }

    /// What lies past a limit may be what a rule looks for: an expansion says it stopped.
    #[test]
    fn an_expansion_says_whether_it_was_cut_short() {
        let chain: String = (0..MAX_DEPTH + 2)
            .map(|level| format!("t{level}: t{}\n\techo {level}\n", level + 1))
            .collect();
        let makefile = format!("{chain}cycle: again\nagain: cycle\n\techo x\n");
        let runners = runners(&[("Makefile", makefile.leak())]);
        assert!(runners.expansion_cut_short("make t0"));
        assert!(!runners.expansion_cut_short(&format!("make t{}", MAX_DEPTH - 2)));
        assert!(!runners.expansion_cut_short("make cycle"));
        assert!(!runners.expansion_cut_short("cargo test"));
    }

    #[test]
    fn past_the_deadline_nothing_more_is_expanded_or_kept() {
        let mut runners = runners(&[("Makefile", "test:\n\tgo test ./...\n")]);
        runners.set_deadline(Deadline(Some(std::time::Instant::now())));
        assert!(runners.expand("make test").is_empty());
        runners.set_deadline(Deadline::default());
        assert_eq!(*runners.expand("make test"), ["go test ./..."]);
    }

    #[test]
    fn deno_tasks_run_their_dependencies_first() {
        let deno = r#"{"tasks": {"test": "deno test -A", "ok": {"command": "deno fmt --check", "dependencies": ["test"]}, "bad": 3}}"#;
        let runners = runners(&[("deno.json", deno)]);
        assert_eq!(
            *runners.expand("deno task ok"),
            ["deno task test", "deno fmt --check", "deno test -A"]
        );
        assert!(runners.expand("deno test").is_empty(), "Deno's own command");
    }

    #[test]
    fn deno_reads_jsonc_and_falls_back_to_package_scripts() {
        let deno = "{\n  // tasks\n  \"tasks\": { /* the suite */ \"test\": \"deno test -A // not a comment\", },\n}\n";
        let package = r#"{"scripts": {"unit": "vitest run"}}"#;
        let runners = runners(&[("deno.jsonc", deno), ("package.json", package)]);
        assert_eq!(
            *runners.expand("deno task test"),
            ["deno test -A // not a comment"]
        );
        assert_eq!(*runners.expand("deno task unit"), ["vitest run"]);
        assert!(
            runners
                .expand("deno task -c other/deno.json test")
                .is_empty()
        );
    }

    #[test]
    fn a_recipe_calling_a_macro_runs_its_commands() {
        let makefile = "define test_core ## the unit tests\n\tcargo test \\\n\t\t--jobs=4\n#\tcargo bench\nendef\ndefine lint\n\tcargo clippy\nendef\ntest:\n\t$(call test_core)\n\t$(call lint, strict)\n\t$(call unknown)\n";
        let runners = runners(&[("Makefile", makefile)]);
        assert_eq!(
            *runners.expand("make test"),
            ["cargo test --jobs=4", "cargo clippy", "$(call unknown)"]
        );
        let makefile = "define run\n\tgo $(1) ./...\nendef\ndefine outer\n\t${call run,test}\nendef\ntest:\n\t$(call outer)\n";
        let nested = self::runners(&[("Makefile", makefile)]);
        assert_eq!(*nested.expand("make test"), ["go test ./..."]);
    }

    #[test]
    fn make_variables_that_name_variables_resolve_and_escaped_dollars_stay() {
        let makefile = "GOENV = CGO_ENABLED=0\nGO = $(GOENV) go\ntest:\n\t$(GO) test ./... $$(go list ./...) ${UNSET}\n";
        let runners = runners(&[("Makefile", makefile)]);
        assert_eq!(
            *runners.expand("make test"),
            ["CGO_ENABLED=0 go test ./... $$(go list ./...) ${UNSET}"]
        );
    }

    #[test]
    fn each_included_name_is_looked_up_once_and_the_text_added_is_bounded() {
        let makefile = format!("include {}\ntest:\n\tgo test\n", "a b ".repeat(100_000));
        let looked_up = std::cell::Cell::new(0);
        let big = "x".repeat(MAX_INCLUDED_BYTES);
        let read = |name: &str| {
            looked_up.set(looked_up.get() + 1);
            (name == "a").then_some(big.as_str())
        };
        let text = with_included(&makefile, &read);
        assert_eq!(looked_up.get(), 2);
        assert!(text.len() <= makefile.len() + MAX_INCLUDED_BYTES + 2);
        assert!(!with_included("include a a\n", &|_| Some(big.as_str())).contains("xx\nxx"));
    }

    #[test]
    fn includes_make_never_performs_are_not_read() {
        let makefile = "# include a.mk\ninclude b.mk # generated by gen.sh\ninclude = c.mk\ndefine RULES\ninclude d.mk\nendef\nX = 1 \\\ninclude e.mk\ntest:\n\tinclude f.mk\n";
        assert_eq!(make_includes(makefile), ["b.mk"]);
    }

    #[test]
    fn makefiles_included_by_a_plain_path_are_read_in_place() {
        let makefile = "include build/make/test.mk\n-include ./local.mk $(EXTRA).mk\ninclude build/make/test.mk\n";
        assert_eq!(make_includes(makefile), ["build/make/test.mk", "local.mk"]);
        let runners = runners(&[
            ("Makefile", makefile),
            ("build/make/test.mk", "unit-test:\n\tgo test ./...\n"),
        ]);
        assert_eq!(*runners.expand("make unit-test"), ["go test ./..."]);
    }

    #[test]
    fn earthly_targets_runs_and_the_targets_they_build() {
        let earthfile = "VERSION 0.8\nFROM elixir:1.17\n\ndeps:\n    COPY mix.exs .\n    RUN mix deps.get\n\ncheck:\n    FROM +deps\n\n    # the suite\n    RUN --mount=type=cache,target=/root/.mix \\\n        mix test\n\nall:\n    BUILD +check\n    BUILD ./docs+site\n";
        let runners = runners(&[("Earthfile", earthfile)]);
        assert_eq!(
            *runners.expand("earthly -P +all"),
            [
                "earthly +check",
                "earthly ./docs+site",
                "earthly +deps",
                "mix test",
                "mix deps.get"
            ]
        );
        // Another Earthfile's target is named, not read; Earthly's own commands run none.
        let other = invocations("earthly -P ./api+test");
        assert!(other[0].other_file);
        assert_eq!(other[0].names, ["test"]);
        assert!(invocations("earthly doc +test")[0].names.is_empty());
        assert_eq!(invocations("earthly ./+test")[0].names, ["test"]);
        assert!(!invocations("earthly ./+test")[0].other_file);
    }

    #[test]
    fn taskfile_tasks_and_dependencies() {
        let taskfile = "version: '3'\ntasks:\n  ci:\n    deps: [lint]\n    cmds:\n      - task: test\n  test:\n    cmds:\n      - go test ./...\n  lint: golangci-lint run\n";
        let runners = runners(&[("Taskfile.yml", taskfile)]);
        let expanded = runners.expand("task ci");
        assert!(
            expanded.contains(&"go test ./...".to_owned()),
            "{expanded:?}"
        );
        assert!(
            expanded.contains(&"golangci-lint run".to_owned()),
            "{expanded:?}"
        );
    }

    #[test]
    fn npm_scripts_with_the_scripts_npm_runs_before_and_after() {
        let package =
            r#"{"scripts": {"build": "tsc", "postbuild": "eslint . && jest", "pretest": "lint"}}"#;
        let scripts = npm_scripts(package);
        assert_eq!(scripts["build"], ["tsc", "eslint . && jest"]);
        assert_eq!(scripts["postbuild"], ["eslint . && jest"]);
        assert!(
            !scripts.contains_key("test"),
            "a pre script alone is no script"
        );
    }

    #[test]
    fn npm_scripts_except_the_placeholder() {
        let package = r#"{"scripts": {"test": "vitest run", "ci": "npm test && npm run build"}}"#;
        let runners = runners(&[("package.json", package)]);
        assert_eq!(*runners.expand("npm test"), ["vitest run"]);
        assert!(
            runners
                .expand("npm run ci")
                .contains(&"vitest run".to_owned())
        );
        // After variables or a wrapper such as a coverage tool (express: `nyc … npm test`).
        assert_eq!(*runners.expand("CI=true npm test"), ["vitest run"]);
        assert!(
            runners
                .expand("nyc --exclude test --reporter=text npm run ci")
                .contains(&"vitest run".to_owned())
        );
        // Node's own runner runs a script by name; Node running a file runs no script.
        assert!(
            runners
                .expand("node --run ci")
                .contains(&"vitest run".to_owned())
        );
        assert!(runners.expand("node ci.js").is_empty());
        for command in [
            "node --run=ci",
            "node --env-file=.env --run ci",
            "node --env-file .env --run ci",
        ] {
            assert!(
                runners.expand(command).contains(&"vitest run".to_owned()),
                "{command}"
            );
        }
        assert!(runners.expand("node --run").is_empty());
        let placeholder = r#"{"scripts": {"test": "echo \"Error: no test specified\" && exit 1"}}"#;
        assert!(super::npm_scripts(placeholder).is_empty());
    }

    /// Fresh set 14 (harness/drone): npm-run-all runs the scripts it names, a glob every
    /// script it matches.
    #[test]
    fn npm_run_all_runs_the_scripts_it_names() {
        let package = r#"{"scripts": {"test": "jest src", "lint:ts": "eslint .", "lint:css": "stylelint x",
            "check:all": "npm-run-all typecheck lint:* test", "ci": "run-s --max-parallel 2 check:all"}}"#;
        let runners = runners(&[("package.json", package)]);
        let expanded = runners.expand("yarn ci");
        for command in ["jest src", "eslint .", "stylelint x"] {
            assert!(expanded.contains(&command.to_owned()), "{expanded:?}");
        }
        // Red team: run from the pipeline too, by npx or yarn, with `**` globs.
        for call in [
            "npx npm-run-all lint:ts test",
            "yarn run-s lint:ts test",
            "run-p \"lint:**\" test",
        ] {
            let expanded = runners.expand(call);
            assert!(
                expanded.contains(&"jest src".to_owned()),
                "{call}: {expanded:?}"
            );
            assert!(
                expanded.contains(&"eslint .".to_owned()),
                "{call}: {expanded:?}"
            );
        }
    }

    /// Red team: a glob of every script, in every script, stays within the expansion's caps.
    #[test]
    fn npm_run_all_globs_are_bounded() {
        let many: String = (0..500)
            .map(|index| format!("\"s{index}\": \"run-p *\""))
            .collect::<Vec<_>>()
            .join(", ");
        let package: &'static str = format!("{{\"scripts\": {{{many}}}}}").leak();
        let runners = runners(&[("package.json", package)]);
        assert!(runners.expand("npm run s0").len() <= MAX_EXPANDED);
    }

    /// Fresh set 13 (DaveLiddament/sarb): `composer ci` runs `@test-with-coverage-check`,
    /// which runs phpunit.
    #[test]
    fn composer_scripts_and_the_scripts_they_call() {
        let composer = r#"{"scripts": {
            "ci": ["@composer validate --strict", "@lint", "@test"],
            "lint": "@php vendor/bin/phpstan analyse",
            "test": ["@putenv XDEBUG_MODE=coverage", "phpunit --coverage-text"]
        }}"#;
        let runners = runners(&[("composer.json", composer)]);
        let expanded = runners.expand("composer ci");
        for command in ["phpunit --coverage-text", "php vendor/bin/phpstan analyse"] {
            assert!(expanded.contains(&command.to_owned()), "{expanded:?}");
        }
        assert_eq!(
            *runners.expand("composer run-script test"),
            ["phpunit --coverage-text"]
        );
        assert_eq!(
            *runners.expand("composer -n test"),
            ["phpunit --coverage-text"]
        );
        assert!(runners.expand("composer install").is_empty());
        // Red team: the timeout's value is no script name.
        assert_eq!(
            *runners.expand("composer run-script --timeout 0 test"),
            ["phpunit --coverage-text"]
        );
    }

    #[test]
    fn just_recipes_and_dependencies() {
        let justfile =
            "set shell := [\"bash\", \"-c\"]\n\nci: test\n\ntest:\n    cargo nextest run\n";
        let runners = runners(&[("justfile", justfile)]);
        assert_eq!(
            *runners.expand("just ci"),
            ["just test", "cargo nextest run"]
        );
        // Several recipes in one call; a word after one may be its argument, and only the
        // first word must be a recipe.
        let justfile = "lint:\n    cargo clippy\n\ntest *args:\n    cargo test {{args}}\n";
        let several = self::runners(&[("justfile", justfile)]);
        assert_eq!(
            *several.expand("just lint test"),
            ["cargo clippy", "cargo test {{args}}"]
        );
        let undefined = |command: &'static str| {
            invocations(command)
                .iter()
                .flat_map(|call| several.undefined(call))
                .collect::<Vec<_>>()
        };
        assert!(undefined("just test --workspace").is_empty());
        assert!(undefined("just test parser").is_empty());
        assert_eq!(undefined("just check test"), ["check"]);
        // A recipe's parameters take the words after it; options, their values and variable
        // overrides name no recipe; a dry run or a listing runs none.
        let justfile = "lint:\n    cargo clippy\n\nbuild *args:\n    cargo build {{args}}\n\ndeploy env:\n    ./deploy {{env}}\n\ntest:\n    cargo test\n";
        let with_parameters = self::runners(&[("justfile", justfile)]);
        for runs_no_tests in [
            "just build test",
            "just deploy test",
            "just -n test",
            "just --dry-run lint test",
            "just --show test",
        ] {
            assert!(
                !with_parameters
                    .expand(runs_no_tests)
                    .iter()
                    .any(|command| command == "cargo test"),
                "{runs_no_tests}"
            );
        }
        for runs_tests in [
            "just deploy prod test",
            "just --set env prod test",
            "just env=prod lint test",
            "just --dotenv-path .env test",
        ] {
            assert!(
                with_parameters
                    .expand(runs_tests)
                    .iter()
                    .any(|command| command == "cargo test"),
                "{runs_tests}"
            );
        }
    }

    #[test]
    fn poe_tasks_sequences_references_and_dependencies() {
        let pyproject = r#"
[project]
name = "x"

[tool.poe.tasks]
test = "pytest -q"
lint.shell = """
ruff check .
mypy src
"""
check = ["lint", "test"]
ci = { sequence = ["check", { cmd = "coverage report" }], deps = ["setup"] }
again = { ref = "ci" }
docs = { script = "tools:docs" }
"#;
        let poe = runners(&[("pyproject.toml", pyproject)]);
        assert_eq!(
            *poe.expand("uv run poe check"),
            [
                "poe lint",
                "poe test",
                "ruff check .",
                "mypy src",
                "pytest -q"
            ]
        );
        assert_eq!(
            *poe.expand("poe again -v"),
            [
                "poe ci",
                "poe setup",
                "poe check",
                "coverage report",
                "poe lint",
                "poe test",
                "ruff check .",
                "mypy src",
                "pytest -q"
            ]
        );
        assert!(poe.expand("poe docs").is_empty());
        // Options before the task, a quoted task, the module's own name.
        assert_eq!(poe.expand("poe -q 'again'")[0], "poe ci");
        assert_eq!(poe.expand("python -m poethepoet again")[0], "poe ci");
        // A task that runs Python code is out of sight, alone.
        let docs = poe.unread_run_by("uv run poe docs").expect("unread");
        assert_eq!(
            docs.why,
            "runs Poe's task `docs` as Python code (tools:docs)"
        );
        assert!(poe.unread_run_by("poe check").is_none());
        assert!(poe.has_file("", Runner::Poe));
        // A project file without Poe's tasks is no task file of Poe's.
        let plain = runners(&[("pyproject.toml", "[project]\nname = 'x'\n")]);
        assert!(!plain.has_file("", Runner::Poe));
        // A Poe section opslint cannot parse hides every task.
        let broken = runners(&[("pyproject.toml", "[tool.poe.tasks]\ntest = \n")]);
        assert!(broken.unread_run_by("poe test").is_some());
    }
}

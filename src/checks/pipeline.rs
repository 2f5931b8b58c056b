//! The pipeline checks (`pipeline-trigger`, `pipeline-command`, `pipeline-uses`,
//! `pipeline-environment`, `pipeline-service`, `pipeline-permissions`, `pipeline-parses`): one idea, a fact of
//! the parsed pipelines (with what they include and the scripts they run), each kind
//! looking at its own list of facts.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use crate::checks::{Outcome, first_match, named_command};
use crate::facts::Located;
use crate::facts::collect::Facts;
use crate::facts::follow::with_includes;
use crate::facts::pipeline::{self, Pipeline, in_this_repository};
use crate::facts::tasks::{Invocation, Runner, invocations};
use crate::finding::Evidence;
use crate::rules::{Check, CheckKind, Pattern};

/// The first fact of the pipeline at `index` the check accepts. Where nothing is found,
/// records what the pipeline calls out of sight (`Outcome::indirect`); a pipeline that does
/// not parse is broken for `pipeline-parses`, unreadable for the others.
pub fn find(
    check: &Check,
    kind: &CheckKind,
    index: usize,
    facts: &Facts,
    callers: &mut Callers,
    outcome: &mut Outcome,
    path: impl Fn() -> String,
) -> Option<(u32, Option<String>)> {
    match facts.pipelines.get(&index) {
        Some(Some(Ok(whole))) => {
            let apart = JobsApart::of(check, whole);
            let pipeline = apart.as_ref().map_or(whole, |apart| &apart.counted);
            // What only a reusable workflow that no workflow here calls runs is judged by
            // its callers in other repositories: out of sight, not counted.
            let evidence_of_runs = matches!(
                kind,
                CheckKind::PipelineCommand { .. } | CheckKind::PipelineUses { .. }
            );
            if evidence_of_runs
                && !check.absent
                && let Some(workflow) = callers.called_elsewhere(index, facts)
            {
                if let Some((line, detail)) = pipeline_match(kind, pipeline, facts) {
                    record_called_elsewhere(outcome, path(), line, detail, workflow);
                }
                return None;
            }
            let why = not_counted(check, pipeline).or_else(|| {
                called_only(pipeline)
                    .then(|| callers.not_counted(check, index, facts))
                    .flatten()
            });
            if let Some(why) = why {
                if outcome.not_counted.is_none()
                    && let Some((line, detail)) = pipeline_match(kind, pipeline, facts)
                {
                    let at = Evidence {
                        path: path(),
                        line: Some(line),
                        detail,
                    };
                    outcome.not_counted = Some((at, why));
                }
                return None;
            }
            let found = pipeline_match(kind, pipeline, facts);
            // What only the marked jobs do is not counted, and the finding says why.
            if found.is_none()
                && outcome.not_counted.is_none()
                && let Some(apart) = &apart
                && let Some((line, detail)) = pipeline_match(kind, whole, facts)
            {
                let at = Evidence {
                    path: path(),
                    line: Some(line),
                    detail,
                };
                outcome.not_counted = Some((at, apart.why.clone()));
            }
            // What a called workflow runs may be what the check looks for; for an
            // `absent` check, what it hides cannot count against the practice.
            // A workflow that only tends the repository (it starts on issues or labels)
            // hides nothing a rule looks for.
            let hidden = !check.absent
                && !tends_only(pipeline)
                && (pipeline.unread
                    || matches!(
                        kind,
                        CheckKind::PipelineCommand { .. } | CheckKind::PipelineUses { .. }
                    ));
            if hidden && found.is_none() {
                record_unseen(kind, pipeline, facts, outcome, &path);
            }
            if found.is_none() && matches!(kind, CheckKind::PipelineTrigger { .. }) {
                outcome
                    .indirect
                    .extend(pipeline.hidden_triggers.iter().map(|unseen| Evidence {
                        path: path(),
                        line: Some(unseen.line),
                        detail: Some(unseen.text.clone()),
                    }));
            }
            if found.is_none()
                && check.discounted.is_some()
                && outcome.discounted.is_empty()
                && let Some(command) = discounted_command(kind, pipeline, facts)
            {
                outcome.discounted.push(Evidence {
                    path: path(),
                    line: Some(command.line),
                    detail: Some(
                        crate::text::shorten(command.text.trim(), SHOWN_COMMAND).into_owned(),
                    ),
                });
            }
            found
        }
        Some(Some(Err(error))) => {
            if error.beyond_limits {
                // Too large for opslint to read is no evidence that it is broken.
                outcome.unreadable.push(format!(
                    "{} is beyond what opslint reads ({})",
                    path(),
                    error.message
                ));
            } else if matches!(kind, CheckKind::PipelineParses) {
                let at = Evidence {
                    path: path(),
                    line: error.line,
                    detail: None,
                };
                outcome.broken.push((at, error.message.clone()));
            } else {
                // What a pipeline that does not parse runs is unknown, not absent.
                outcome
                    .unreadable
                    .push(format!("{} does not parse", path()));
            }
            None
        }
        Some(None) | None => None,
    }
}

/// Where nothing was found: what the pipeline leaves out of sight, which may be what the
/// check looks for — an unread definition, a call into another repository, a task file that
/// could not be read, a task named for the work whose commands are not recognised, a command
/// matching the check's `opaque`.
fn record_unseen(
    kind: &CheckKind,
    pipeline: &Pipeline,
    facts: &Facts,
    outcome: &mut Outcome,
    path: &impl Fn() -> String,
) {
    let at = |line, detail| Evidence {
        path: path(),
        line,
        detail: Some(detail),
    };
    if pipeline.unread {
        outcome.indirect.push(at(
            None,
            format!("{}, a definition opslint does not read,", path()),
        ));
    }
    outcome.indirect.extend(
        pipeline
            .indirect
            .iter()
            .map(|call| at(Some(call.line), call.text.clone())),
    );
    if let CheckKind::PipelineUses {
        opaque_except: Some(known),
        ..
    } = kind
    {
        outcome.indirect.extend(
            unknown_actions(pipeline, known, facts.own_repository)
                .map(|action| at(Some(action.line), action.text)),
        );
    }
    let CheckKind::PipelineCommand {
        unless,
        opaque,
        task_named,
        ..
    } = kind
    else {
        return;
    };
    outcome
        .unreadable
        .extend(unread_tasks(pipeline, facts).map(|(file, command)| {
            format!(
                "{} {}, so what `{}` in {} runs was not seen",
                file.path,
                file.why,
                crate::text::shorten(command.trim(), SHOWN_COMMAND),
                path()
            )
        }));
    let named = task_named
        .iter()
        .flat_map(|named| named_tasks(pipeline, facts, named, unless.as_ref()));
    let opaque = opaque.iter().flat_map(|opaque| {
        // The tasks a command runs are looked into by a check that judges tasks by their
        // names (the test run): a `make ci` whose recipe runs `cargo xtask ci` may run
        // the tests. Other checks judge what is written (a workspace's `npm run
        // prisma:generate -w …` deep in a task says nothing of an SBOM).
        opaque_commands(
            pipeline,
            facts,
            task_named.is_some(),
            opaque,
            unless.as_ref(),
        )
    });
    outcome.indirect.extend(
        named
            .chain(opaque)
            .chain(cut_short_tasks(pipeline, facts))
            .map(|unseen| at(Some(unseen.line), unseen.text)),
    );
}

/// The tasks of `pipeline` named for the work (`task_named`) whose commands opslint cannot
/// see (a Concourse task file) or does not recognise (a `make test` that runs the project's
/// own test binary, or a `make test` in a build folder), described for "Not seen: what …
/// runs". A call the check's `unless`
/// excludes (`echo make test`, `make test || true`) is none, nor is a task that only prints
/// or does nothing (`test:` running `@echo no tests`).
fn named_tasks(
    pipeline: &Pipeline,
    facts: &Facts,
    task_named: &Pattern,
    unless: Option<&Pattern>,
) -> Vec<Located> {
    let excluded = |text: &str| unless.is_some_and(|unless| unless.is_match(text.as_bytes()));
    // A task's line, as run from the root, may start in its folder (`cd web && jest`). A
    // program that never runs the work (`eslint .`, `cspell`) does nothing for it.
    let not_runners = &crate::rules::known().not_runners;
    let does_something = |command: &str| {
        pipeline::placed_segments(command)
            .into_iter()
            .any(|(segment, _)| {
                let segment = segment.trim_start_matches(['@', '-', '+']).trim();
                !matches!(segment, "" | "true" | ":" | "exit 0")
                    && !excluded(segment)
                    && !named_command::runs_no_work(segment, not_runners)
            })
    };
    // A task run from a file: one named for the work may run it; one whose file is not in
    // the tree (another repository's shared tasks) may run anything.
    let task_file = pipeline
        .hidden_tasks
        .iter()
        .zip(&pipeline.hidden_task_files)
        .find(|(task, file)| {
            task_named.is_match(task.text.as_bytes()) || facts.tree.position(&file.text).is_none()
        })
        .map(|(task, _)| Located::new(format!("the task file of `{}`", task.text), task.line));
    // A task named for the work, as `run` calls it: one whose commands are not recognised,
    // or one in a folder whose task file is not in the repository (a Makefile CMake or
    // `configure` generates, `cd "$BUILD_DIR" && make test`).
    let unseen_task = |run: &str| -> Option<&'static str> {
        let named = |task: &&str| task_named.is_match(task.as_bytes());
        let unrecognised = facts.tasks.defined_tasks(run).iter().any(named)
            && facts
                .tasks
                .expand(run)
                .iter()
                .any(|command| does_something(command));
        if unrecognised {
            return Some("a task named for it, whose commands opslint does not recognise");
        }
        let calls = invocations(run);
        // A folder named for the work holds its task file (`make -C tests`, `cd regress &&
        // make`): its default goal is the work, and a task file generated there (automake's
        // `tests/Makefile`) is out of sight.
        let in_named_folder = |call: &&Invocation| {
            call.names.is_empty()
                && call
                    .folder
                    .as_deref()
                    .and_then(|folder| folder.rsplit('/').next())
                    .is_some_and(|last| named(&last))
        };
        if let Some(call) = calls.iter().find(in_named_folder) {
            let generated = call
                .folder
                .as_deref()
                .is_some_and(|folder| !facts.tasks.has_file(folder, call.runner));
            if generated {
                return Some(
                    "a task run in a folder named for it, from a task file not in the repository",
                );
            }
            if facts
                .tasks
                .expand(run)
                .iter()
                .any(|command| does_something(command))
            {
                return Some(
                    "a task run in a folder named for it, whose commands opslint does not recognise",
                );
            }
        }
        // Poe finds its tasks in parent folders and files opslint does not read.
        if calls.iter().any(|call| {
            call.runner == Runner::Poe
                && call
                    .folder
                    .as_deref()
                    .is_none_or(|folder| !facts.tasks.has_file(folder, Runner::Poe))
        }) {
            return Some("a Poe task whose task file opslint did not find");
        }
        if calls
            .iter()
            .any(|call| !facts.tasks.undefined(call).is_empty())
        {
            return Some(
                "a task its task file does not define, which may come from a rule or file opslint does not read",
            );
        }
        // What the task's own commands call, read once: a make goal no rule builds (`ci:`
        // running `$(MAKE) unit`, from a file a variable includes), or a task file chosen with
        // `-f` (`make -f tests.mk unit`, here or in a recipe), is as much out of sight.
        let expanded = facts.tasks.expand(run);
        let nested: Vec<Invocation> = expanded
            .iter()
            .flat_map(|command| invocations(command))
            .collect();
        if nested
            .iter()
            .any(|call| !facts.tasks.unbuilt_goals(call).is_empty())
        {
            return Some(
                "a task that calls one its task file does not define, which may come from a rule or file opslint does not read",
            );
        }
        if calls.iter().chain(&nested).any(|call| call.other_file) {
            return Some("a task from a task file opslint does not read");
        }
        calls
            .iter()
            .filter(|call| call.names.iter().any(named))
            .find_map(|call| match call.folder.as_deref() {
                None => Some("a task named for it, run in a folder opslint cannot name"),
                Some(folder) if !facts.tasks.has_file(folder, call.runner) => {
                    Some("a task named for it, from a task file not in the repository")
                }
                Some(_) => None,
            })
    };
    // A script of the repository named for the work (`./runtest`, `ci/run-tests.sh`) that
    // runs something: what it runs was not recognised.
    let unseen_script = |run: &str| -> Option<&'static str> {
        scripts_run(run, facts, |path| {
            let name = named_command::file_name(path);
            let stem = name.split_once('.').map_or(name, |(stem, _)| stem);
            task_named.is_match(stem.as_bytes())
        })
        .any(|script| {
            script
                .commands
                .iter()
                .any(|command| does_something(&command.text))
        })
        .then_some("a script named for it, whose commands opslint does not recognise")
    };
    // Any other command that names the work where opslint does not recognise it
    // (`./mill __.test`, `build.sh -a test`), in the pipeline or a task it runs. A task
    // runner's call is judged by its task's name, above.
    let in_tree = |word: &str| facts.tree.position(word).is_some();
    let judge = named_command::Judge {
        named: &|part: &str| task_named.is_match(part.as_bytes()),
        in_tree: &in_tree,
        not_runners: &crate::rules::known().not_runners,
    };
    // A shell script of the repository is read, and judged by its lines where it is
    // judged as a pipeline: `./scripts/build.sh test` is no more than what it runs.
    let runs_shell_script = |segment: &str| {
        pipeline::script_references(segment)
            .iter()
            .any(|path| named_command::is_shell_script(path) && facts.tree.position(path).is_some())
    };
    let named_segment = |line: &str| -> Option<String> {
        pipeline::segments(line)
            .find(|segment| {
                !excluded(segment)
                    && !pipeline::is_install(segment)
                    && invocations(segment).is_empty()
                    && !runs_shell_script(segment)
                    && judge.names_work(segment)
            })
            .map(str::to_owned)
    };
    // A script the pipeline runs is a pipeline of its own here: its commands are judged
    // where it is judged, not again from each line that runs it.
    let unseen_command = |run: &str| -> Option<Cow<'static, str>> {
        if named_segment(run).is_some() {
            return Some("a command named for it, which opslint does not recognise".into());
        }
        let deeper = facts
            .tasks
            .expand(run)
            .iter()
            .find_map(|line| named_segment(line))?;
        let shown = crate::text::shorten(&deeper, SHOWN_COMMAND / 2);
        Some(
            format!("it runs `{shown}`, a command named for it that opslint does not recognise")
                .into(),
        )
    };
    let runner = commands_in_time(pipeline, facts).find_map(|command| {
        pipeline::placed_segments(&command.text)
            .into_iter()
            .filter(|(segment, _)| !excluded(segment))
            .find_map(|(segment, place)| {
                let run = place.from_root(segment);
                unseen_task(&run)
                    .or_else(|| unseen_script(&run))
                    .map(Cow::Borrowed)
                    .or_else(|| unseen_command(&run))
            })
            .map(|why| (command, why))
    });
    let runner = runner.map(|(command, why)| unseen_at(command, &why));
    task_file.into_iter().chain(runner).collect()
}

/// The commands of `pipeline` until the deadline passes: past it the scan reports a
/// time-out, and what is judged no longer matters.
fn commands_in_time<'a>(
    pipeline: &'a Pipeline,
    facts: &'a Facts,
) -> impl Iterator<Item = &'a Located> + 'a {
    pipeline
        .commands
        .iter()
        .take_while(|_| !facts.deadline.passed())
}

/// `command` as written, shortened to a line's worth, with why what it runs was not seen.
fn unseen_at(command: &Located, why: &str) -> Located {
    let shown = crate::text::shorten(command.text.trim(), SHOWN_COMMAND);
    Located::new(format!("`{shown}` ({why})"), command.line)
}

/// The first command of `pipeline` that runs more through its tasks than opslint follows
/// (thousands of commands, or a chain of tasks deeper than it goes), described for "Not
/// seen: what … runs": what lies past the limit may be what the check looks for.
fn cut_short_tasks(pipeline: &Pipeline, facts: &Facts) -> Option<Located> {
    commands_in_time(pipeline, facts)
        .find(|command| {
            pipeline::placed_segments(&command.text)
                .into_iter()
                .any(|(segment, place)| facts.tasks.expansion_cut_short(&place.from_root(segment)))
        })
        .map(|command| unseen_at(command, "its tasks run more than opslint follows"))
}

/// The first command of `pipeline` whose work happens out of sight (a check's `opaque`
/// pattern; one names the file well enough), described for "Not seen: what … runs": as
/// written, shortened to a line's worth.
fn opaque_commands(
    pipeline: &Pipeline,
    facts: &Facts,
    follow_tasks: bool,
    opaque: &Pattern,
    unless: Option<&Pattern>,
) -> Option<Located> {
    // A script run in a workspace member opslint read (`npm run lint -w api`) is in sight.
    let out_of_sight = |command: &str| {
        pipeline::segments(command).any(|segment| {
            opaque.is_match(segment.as_bytes())
                && unless.is_none_or(|unless| !unless.is_match(segment.as_bytes()))
                && !named_command::runs_no_work(segment, &crate::rules::known().not_runners)
                && !facts.tasks.follows_members(segment)
        })
    };
    // … as written, or in the tasks it runs (`composer ci` calling a PHP callback, `make ci`
    // running `cargo xtask ci`), named as well.
    let in_its_tasks = |command: &str| {
        if !follow_tasks {
            return None;
        }
        pipeline::placed_segments(command)
            .into_iter()
            .find_map(|(segment, place)| {
                facts
                    .tasks
                    .expand(&place.from_root(segment))
                    .iter()
                    .find(|line| out_of_sight(line))
                    .cloned()
            })
    };
    pipeline.commands.iter().find_map(|command| {
        if out_of_sight(&command.text) {
            let shown = crate::text::shorten(command.text.trim(), SHOWN_COMMAND);
            return Some(Located::new(format!("`{shown}`"), command.line));
        }
        // A task's line may hold a whole script: shown as one line.
        let line = crate::text::one_line(&in_its_tasks(&command.text)?);
        let line = crate::text::shorten(&line, SHOWN_COMMAND);
        Some(unseen_at(command, &format!("its task runs `{line}`")))
    })
}

/// The first action of `pipeline` that may do the work out of sight: one `known` does not
/// list as doing none of it, described for "Not seen: what … runs". A composite action of
/// the repository is read as part of the pipeline, and a reusable workflow of another is
/// already named as a call out of sight.
/// What an action `unless` leaves out may still do the work out of sight (`acme/tests-changed`
/// may run the tests it finds): only `known` actions are known to do other work.
fn unknown_actions(
    pipeline: &Pipeline,
    known: &Pattern,
    own_repository: Option<&str>,
) -> Option<Located> {
    let describe = |shown: &str| format!("the action `{shown}`, which opslint does not know,");
    first_shown(&pipeline.uses, describe, |action| {
        in_this_repository(action, own_repository).is_none()
            && !action.contains("/.github/workflows/")
            && !known.is_match(action.as_bytes())
    })
}

/// The first of `facts` whose text `unseen` accepts, as `describe` words it (given the
/// text shortened to a line's worth), at its line.
fn first_shown(
    facts: &[Located],
    describe: impl Fn(&str) -> String,
    unseen: impl Fn(&str) -> bool,
) -> Option<Located> {
    let fact = facts.iter().find(|fact| unseen(&fact.text))?;
    let shown = crate::text::shorten(fact.text.trim(), SHOWN_COMMAND);
    Some(Located::new(describe(&shown), fact.line))
}

/// Each root task file that could not be read, with the first command of `pipeline` that
/// runs one of its tasks (`make test` where the Makefile is over the read cap).
fn unread_tasks<'a>(
    pipeline: &'a Pipeline,
    facts: &'a Facts,
) -> impl Iterator<Item = (&'a crate::facts::tasks::UnreadTaskFile, &'a str)> + 'a {
    let mut named = Vec::new();
    pipeline.commands.iter().filter_map(move |command| {
        // A readable task may call another runner whose file is not (`test: npm test`).
        let file = pipeline::placed_segments(&command.text)
            .into_iter()
            .find_map(|(segment, place)| {
                let run = place.from_root(segment);
                facts.tasks.unread_run_by(&run).or_else(|| {
                    facts
                        .tasks
                        .expand(&run)
                        .iter()
                        .find_map(|line| facts.tasks.unread_run_by(line))
                })
            })
            .filter(|file| !named.contains(&file.path.as_str()))?;
        named.push(file.path.as_str());
        Some((file, command.text.as_str()))
    })
}

/// The parsed scripts of the repository a command line runs, with what they include, among
/// those whose path `wanted` accepts.
fn scripts_run<'a>(
    line: &str,
    facts: &'a Facts,
    wanted: impl Fn(&str) -> bool,
) -> impl Iterator<Item = &'a Pipeline> + 'a {
    let scripts: Vec<usize> = pipeline::script_references(line)
        .iter()
        .filter(|path| wanted(path))
        .filter_map(|path| facts.tree.position(path))
        .collect();
    with_includes(&scripts, facts.includes)
        .into_iter()
        .filter_map(|entry| match facts.pipelines.get(&entry) {
            Some(Some(Ok(script))) => Some(script),
            _ => None,
        })
}

/// The first command of `pipeline` that does what a pipeline command check looks for in a
/// form its `unless` does not count: where nothing counted, it is why.
/// A task of a task runner (`pnpm test || true`) is judged by what it runs.
fn discounted_command<'a>(
    kind: &CheckKind,
    pipeline: &'a Pipeline,
    facts: &Facts,
) -> Option<&'a Located> {
    let CheckKind::PipelineCommand {
        pattern,
        unless: Some(unless),
        ..
    } = kind
    else {
        return None;
    };
    // What a task runs is discounted by how the task is run (`pnpm test || true`), not by
    // its own words: a task that only echoes a test tool's name runs no tests.
    let runs_it = |run: &String| {
        pipeline::segments(run).any(|segment| {
            pattern.is_match(segment.as_bytes()) && !unless.is_match(segment.as_bytes())
        })
    };
    pipeline.commands.iter().find(|command| {
        pipeline::placed_segments(&command.text)
            .into_iter()
            .any(|(segment, place)| {
                !pipeline::is_install(segment)
                    && (pattern.is_match(segment.as_bytes())
                        || facts
                            .tasks
                            .expand(&place.from_root(segment))
                            .iter()
                            .any(runs_it))
            })
    })
}

/// How much of a command a finding shows: a line's worth, not a joined script.
const SHOWN_COMMAND: usize = 120;

/// Why `unless-triggered-by` or `unless-pipeline-runs` keeps the pipeline from counting for
/// `check`, if either does.
fn not_counted(check: &Check, pipeline: &Pipeline) -> Option<String> {
    // Only a pipeline that nothing else starts, and known to run everything for every
    // trigger: one also started by a push runs its deploy on a merge too, and one whose jobs
    // are gated to some events may run it only for the others.
    if let Some(excluded) = &check.unless_triggered_by
        && pipeline.runs_all_for_every_trigger
        && pipeline
            .triggers
            .iter()
            .all(|trigger| excluded.is_match(trigger.text.as_bytes()))
        && let Some(trigger) = pipeline.triggers.first()
    {
        return Some(format!(
            "its pipeline runs only for `{}` events, so it serves those, not a release",
            trigger.text
        ));
    }
    let marker = check.unless_pipeline_runs.as_ref()?;
    let found = pipeline
        .commands
        .iter()
        .chain(&pipeline.uses)
        .find(|line| marker.is_match(line.text.as_bytes()))?;
    Some(format!(
        "its pipeline also runs `{}` (line {}), so it serves an environment of its own, not a \
         release",
        crate::text::shorten(found.text.trim(), SHOWN_COMMAND),
        found.line
    ))
}

/// A pipeline whose `unless-pipeline-runs` marker (a throwaway cluster) is in some of its
/// jobs only: the job beside them that deploys still counts, so the pipeline is judged with
/// the marked jobs' commands and actions blanked out (indices kept, so job notes still
/// apply), and with them what no job is known to run (commands a step passes to a local
/// action are read after the jobs). The files only the counted jobs name still count.
struct JobsApart {
    counted: Pipeline,
    /// Why the marked jobs do not count.
    why: String,
}

impl JobsApart {
    /// None where the marker is in no job, in every job, outside the jobs (a GitLab
    /// `default:` script every job runs), or the pipeline's jobs are not read apart.
    fn of(check: &Check, pipeline: &Pipeline) -> Option<JobsApart> {
        let marker = check.unless_pipeline_runs.as_ref()?;
        if pipeline.jobs.is_empty() {
            return None;
        }
        let marks = |line: &Located| marker.is_match(line.text.as_bytes());
        // Which job each command and action is in, if any: one pass over the jobs.
        let mut command_job = vec![None; pipeline.commands.len()];
        let mut use_job = vec![None; pipeline.uses.len()];
        for (job, ranges) in pipeline.jobs.iter().enumerate() {
            for slot in &mut command_job[ranges.commands.clone()] {
                *slot = Some(job);
            }
            for slot in &mut use_job[ranges.uses.clone()] {
                *slot = Some(job);
            }
        }
        let mut marked = vec![false; pipeline.jobs.len()];
        let lines = pipeline.commands.iter().zip(&command_job);
        for (line, job) in lines.chain(pipeline.uses.iter().zip(&use_job)) {
            if marks(line) {
                // The marker outside every job marks them all.
                marked[(*job)?] = true;
            }
        }
        if !marked.contains(&true) || !marked.contains(&false) {
            return None;
        }
        let why = not_counted(check, pipeline)?.replace("its pipeline also runs", "its job runs");
        let counts = |job: &Option<usize>| job.is_some_and(|job| !marked[job]);
        let mut counted = pipeline.clone();
        for (line, job) in counted.commands.iter_mut().zip(&command_job) {
            if !counts(job) {
                line.text.clear();
            }
        }
        for (line, job) in counted.uses.iter_mut().zip(&use_job) {
            if !counts(job) {
                line.text.clear();
            }
        }
        Some(JobsApart { counted, why })
    }

    /// Whether a job that counts runs the file at `path`: a script its commands name, or a
    /// local action or reusable workflow its steps use (`./.github/actions/deploy` for
    /// `.github/actions/deploy/action.yml`). What no such job names is run only by the
    /// marked jobs, or by nothing known.
    fn counted_run(&self, path: &str) -> bool {
        let local = |text: &str| {
            text.trim()
                .trim_start_matches("./")
                .split('@')
                .next()
                .map(str::to_owned)
        };
        let folder = path
            .strip_suffix("/action.yml")
            .or_else(|| path.strip_suffix("/action.yaml"));
        // A pipeline file the pipeline includes as a whole (GitLab's `include: local:`) is
        // no job's.
        let included_whole = folder.is_none()
            && (path.ends_with(".yml") || path.ends_with(".yaml"))
            && !path.contains(".github/workflows/");
        included_whole
            || self.counted.commands.iter().any(|command| {
                !command.text.is_empty()
                    && pipeline::script_references(&command.text)
                        .iter()
                        .any(|named| named.trim_start_matches("./") == path)
            })
            || self.counted.uses.iter().any(|action| {
                let named = local(&action.text);
                named.as_deref() == Some(path) || (folder.is_some() && named.as_deref() == folder)
            })
    }
}

/// For one check: which files the pipelines it counts run, and why the files only pipelines
/// it does not count run do not count either (a deploy script that only a pull request's
/// throwaway-cluster job runs). Worked out once a check, on first need.
#[derive(Default)]
pub struct Callers {
    known: bool,
    counted: HashSet<usize>,
    excluded: HashMap<usize, String>,
    /// Each file only reusable workflows that no workflow here calls run (those workflows
    /// included), with the first such workflow's path. Worked out on first need.
    elsewhere: Option<HashMap<usize, String>>,
}

impl Callers {
    /// The reusable workflow that no workflow of this repository calls and that alone runs
    /// the file at `index` (the file itself, a composite action, a script, a workflow it
    /// calls), when one does.
    fn called_elsewhere(&mut self, index: usize, facts: &Facts) -> Option<String> {
        self.elsewhere
            .get_or_insert_with(|| called_elsewhere(facts))
            .get(&index)
            .cloned()
    }

    /// Why the file at `index`, which starts on no event of its own, does not count: every
    /// pipeline that runs it (through any chain of includes) is kept from counting.
    fn not_counted(&mut self, check: &Check, index: usize, facts: &Facts) -> Option<String> {
        if check.unless_triggered_by.is_none() && check.unless_pipeline_runs.is_none() {
            return None;
        }
        if !self.known {
            self.known = true;
            self.work_out(check, facts);
        }
        match self.counted.contains(&index) {
            true => None,
            false => self.excluded.get(&index).cloned(),
        }
    }

    /// Walks what each pipeline that starts on its own runs, once each: the counted ones'
    /// files first, so a file any of them runs counts.
    fn work_out(&mut self, check: &Check, facts: &Facts) {
        let included: HashSet<usize> = facts.includes.values().flatten().copied().collect();
        let mut roots: Vec<(usize, Option<String>)> = facts
            .pipelines
            .iter()
            .filter_map(|(&entry, parsed)| match parsed {
                Some(Ok(pipeline)) if !called_only(pipeline) || !included.contains(&entry) => {
                    Some((entry, not_counted(check, pipeline)))
                }
                _ => None,
            })
            .collect();
        // A pipeline whose throwaway cluster is in some jobs only counts for the others; the
        // files only those jobs name are walked as run from a pipeline that does not count.
        let mut apart_roots = Vec::new();
        for (root, why) in &mut roots {
            let Some(Some(Ok(pipeline))) = facts.pipelines.get(root) else {
                continue;
            };
            if let Some(apart) = JobsApart::of(check, pipeline) {
                *why = not_counted(check, &apart.counted);
                apart_roots.push((*root, apart));
            }
        }
        // Each file only marked jobs run, with the pipeline that runs it.
        let mut origins: HashMap<usize, usize> = HashMap::new();
        let mut marked_roots: Vec<(usize, Option<String>)> = Vec::new();
        for (root, apart) in &apart_roots {
            for &next in facts.includes.get(root).into_iter().flatten() {
                if !apart.counted_run(&facts.tree.entries[next].display_path())
                    && origins.insert(next, *root).is_none()
                {
                    marked_roots.push((next, Some(apart.why.clone())));
                }
            }
        }
        marked_roots.sort_unstable();
        let skipped: HashSet<usize> = origins.keys().copied().collect();
        roots.sort_by_key(|(entry, why)| (why.is_some(), *entry));
        roots.extend(marked_roots);
        for (root, why) in roots {
            let mut stack = vec![root];
            let mut reached = HashSet::from([root]);
            let apart = apart_roots.iter().any(|(entry, _)| *entry == root);
            while let Some(entry) = stack.pop() {
                match &why {
                    None => {
                        self.counted.insert(entry);
                    }
                    Some(why) => {
                        self.excluded.entry(entry).or_insert_with(|| {
                            let origin = origins.get(&root).copied().unwrap_or(root);
                            let path = facts.tree.entries[origin].display_path();
                            format!("it is run only from {path}, where {why}")
                        });
                    }
                }
                for &next in facts.includes.get(&entry).into_iter().flatten() {
                    // (What only a pipeline's marked jobs run is walked from it on its own.)
                    if apart && entry == root && skipped.contains(&next) {
                        continue;
                    }
                    if reached.insert(next) {
                        stack.push(next);
                    }
                }
            }
        }
    }
}

/// A match in what only a reusable workflow that no workflow here calls runs: not counted,
/// and what its callers in other repositories run on (their code, or this repository's
/// checked out by name) is out of sight, so it makes the rule unknown, not failed.
fn record_called_elsewhere(
    outcome: &mut Outcome,
    path: String,
    line: u32,
    detail: Option<String>,
    workflow: String,
) {
    if outcome.not_counted.is_none() {
        let at = Evidence {
            path,
            line: Some(line),
            detail,
        };
        let why = format!(
            "only the reusable workflow {workflow} runs it, which no workflow of this \
             repository calls"
        );
        outcome.not_counted = Some((at, why));
    }
    let callers = Evidence {
        path: workflow.clone(),
        line: None,
        detail: Some(format!(
            "a workflow of another repository that calls {workflow}"
        )),
    };
    if !outcome.indirect.contains(&callers) {
        outcome.indirect.push(callers);
    }
}

/// Whether the pipeline starts only on events of the repository's upkeep (`on: issues`):
/// what it calls out of sight builds, tests and releases nothing.
fn tends_only(pipeline: &Pipeline) -> bool {
    let tending = &crate::rules::known().tending_events;
    !pipeline.triggers.is_empty()
        && pipeline
            .triggers
            .iter()
            .all(|trigger| tending.is_match(trigger.text.as_bytes()))
}

/// Whether the pipeline is a GitHub reusable workflow: it starts only when called.
fn is_reusable_workflow(pipeline: &Pipeline) -> bool {
    !pipeline.triggers.is_empty() && called_only(pipeline)
}

/// The files only reusable workflows that no workflow of the repository calls run, each with
/// the first such workflow: what runs from the repository's own roots (its pipelines that
/// start on events of their own, and the files nothing includes) is left out.
fn called_elsewhere(facts: &Facts) -> HashMap<usize, String> {
    let included: HashSet<usize> = facts.includes.values().flatten().copied().collect();
    let reusable = |entry: &usize| matches!(facts.pipelines.get(entry), Some(Some(Ok(pipeline))) if is_reusable_workflow(pipeline));
    let mut roots: Vec<usize> = Vec::new();
    let mut uncalled: Vec<usize> = Vec::new();
    for entry in facts.pipelines.keys() {
        match (reusable(entry), included.contains(entry)) {
            (true, false) => uncalled.push(*entry),
            (false, false) => roots.push(*entry),
            _ => {}
        }
    }
    if uncalled.is_empty() {
        return HashMap::new();
    }
    let reached: HashSet<usize> = with_includes(&roots, facts.includes).into_iter().collect();
    uncalled.sort_unstable();
    let mut elsewhere = HashMap::new();
    for workflow in uncalled {
        let path = facts.tree.entries[workflow].display_path();
        for entry in with_includes(&[workflow], facts.includes) {
            if !reached.contains(&entry) {
                elsewhere.entry(entry).or_insert_with(|| path.clone());
            }
        }
    }
    elsewhere
}

/// Whether the pipeline starts on no event of its own: a script, a workflow only called.
fn called_only(pipeline: &Pipeline) -> bool {
    pipeline
        .triggers
        .iter()
        .all(|trigger| trigger.text == "workflow_call")
}

/// Whether the action or reusable workflow `uses` (`acme/ci/.github/workflows/build.yml@v2`)
/// belongs to the organisation of `own_repository` (`acme/payments`), as the forge compares
/// names: ignoring case.
fn is_own(uses: &str, own_repository: Option<&str>) -> bool {
    let Some((owner, _)) = own_repository.and_then(|own| own.split_once('/')) else {
        return false;
    };
    uses.split_once('/')
        .is_some_and(|(of, _)| of.eq_ignore_ascii_case(owner))
}

/// The first pipeline fact the check accepts: its line (0 when a parsed pipeline passes as
/// a whole) and text.
fn pipeline_match(
    kind: &CheckKind,
    pipeline: &Pipeline,
    facts: &Facts,
) -> Option<(u32, Option<String>)> {
    match kind {
        CheckKind::PipelineTrigger { pattern } => first_match(&pipeline.triggers, pattern),
        CheckKind::PipelineUses {
            pattern,
            unless,
            third_party,
            ..
        } => pipeline
            .uses
            .iter()
            .filter(|action| {
                unless
                    .as_ref()
                    .is_none_or(|unless| !unless.is_match(action.text.as_bytes()))
                    && !(*third_party && is_own(&action.text, facts.own_repository))
            })
            .find(|action| pattern.is_match(action.text.as_bytes()))
            .map(|action| (action.line, Some(action.text.clone()))),
        CheckKind::PipelineEnvironment { pattern } => first_match(&pipeline.environments, pattern),
        CheckKind::PipelineService { pattern } => first_match(&pipeline.services, pattern),
        CheckKind::PipelinePermissions { pattern } => first_match(&pipeline.permissions, pattern),
        CheckKind::PipelineCommand {
            pattern,
            unless,
            action_scripts,
            ..
        } => {
            let excluded = |text: &str| {
                unless
                    .as_ref()
                    .is_some_and(|unless| unless.is_match(text.as_bytes()))
            };
            let counts = |text: &str| {
                pipeline::segments(text)
                    .any(|segment| pattern.is_match(segment.as_bytes()) && !excluded(segment))
            };
            // A task's line that runs a script of the repository runs that script's lines.
            let script_runs = |line: &str| {
                scripts_run(line, facts, |_| true)
                    .flat_map(|script| &script.commands)
                    .any(|command| counts(&command.text))
            };
            let runs =
                |command: &&Located| {
                    pipeline::placed_segments(&command.text)
                        .into_iter()
                        .any(|(segment, place)| {
                            !excluded(segment)
                                && !pipeline::is_install(segment)
                                && (pattern.is_match(segment.as_bytes())
                                    || facts.tasks.expand(&place.from_root(segment)).iter().any(
                                        |run| counts(run) || (!excluded(run) && script_runs(run)),
                                    ))
                        })
                };
            let in_shell = pipeline
                .commands
                .iter()
                .enumerate()
                .find(|(_, command)| runs(command));
            let (note, command) = match in_shell {
                Some((index, command)) => (pipeline.job_note(index), command),
                None if *action_scripts => (
                    None,
                    pipeline
                        .action_scripts
                        .iter()
                        .find(|line| counts(&line.text))?,
                ),
                None => return None,
            };
            let shown = crate::text::shorten(&command.text, SHOWN_COMMAND);
            let detail = match note {
                Some(note) => format!("{shown} ({note})"),
                None => shown.into_owned(),
            };
            Some((command.line, Some(detail)))
        }
        CheckKind::PipelineParses => Some((0, None)),
        CheckKind::FilesPresent
        | CheckKind::ContentMatches { .. }
        | CheckKind::Dependency { .. }
        | CheckKind::BaseImage { .. }
        | CheckKind::WorkloadContainers { .. }
        | CheckKind::UpdateCoverage { .. }
        | CheckKind::History { .. } => None,
    }
}

/// What `opslint explain` says a pipeline check holds of; the pattern follows.
pub fn explains(kind: &CheckKind, files: &str) -> String {
    match kind {
        CheckKind::PipelineTrigger { .. } => {
            format!("a pipeline in {files} is started by an event matching")
        }
        CheckKind::PipelineCommand { action_scripts, .. } => format!(
            "a pipeline in {files} runs (directly, through make, npm/yarn/pnpm, deno, just \
             or task in the folder it runs in, through a script of the repository or a \
             well-known shared step{}) a command matching",
            if *action_scripts {
                ", or in the code it gives actions/github-script to evaluate"
            } else {
                ""
            }
        ),
        CheckKind::PipelineUses { .. } => format!("a pipeline in {files} uses an action matching"),
        CheckKind::PipelineEnvironment { .. } => {
            format!("a pipeline in {files} deploys to an environment matching")
        }
        CheckKind::PipelineService { .. } => {
            format!("a pipeline in {files} starts a service container whose image matches")
        }
        CheckKind::PipelinePermissions { .. } => {
            format!("a workflow in {files} has a job whose token permissions match")
        }
        CheckKind::PipelineParses => format!("every pipeline in {files} parses"),
        // Not a pipeline check: explained by its own module.
        _ => String::new(),
    }
}

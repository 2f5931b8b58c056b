//! GitHub Actions workflows (and Gitea's and Forgejo's, which share the format), and the
//! composite actions of the repository they use.

use super::Reading;
use super::matrix::Matrix;
use std::collections::{HashMap, HashSet};

use super::steps::{self, Steps};
use super::{
    CallInput, EVERY_BRANCH, EnvInput, Job, JobNote, Located, PULL_REQUEST_CLOSED, Pipeline, Place,
    System, push_environment, push_lines, push_lines_in, push_scalar,
};
use crate::facts::yaml::{self, Node, Value};
use crate::rules::known;

/// Whether a `push:` trigger's filters let every branch through: none, only `paths`, a
/// `branches-ignore` list, or `branches: ['**']`.
fn pushes_every_branch(filters: &Node) -> bool {
    let branches = filters.get("branches");
    let ignored = filters.get("branches-ignore");
    let tags_only = (filters.get("tags").is_some() || filters.get("tags-ignore").is_some())
        && branches.is_none()
        && ignored.is_none();
    let all = |list: &Node| {
        list.items()
            .iter()
            .any(|branch| branch.as_str() == Some("**"))
    };
    !tags_only && branches.is_none_or(all) && !ignored.is_some_and(all)
}

/// Whether a job of the workflow runs on any branch: not only behind an `if:` on the ref
/// (`github.ref == 'refs/heads/main'`), as a deployment after the merge is.
fn runs_on_any_branch(root: &Node) -> bool {
    root.get("jobs")
        .into_iter()
        .flat_map(Node::entries)
        .any(|(_, job)| {
            !job.get("if")
                .and_then(Node::as_str)
                .is_some_and(|condition| {
                    condition.contains("github.ref") || condition.contains("refs/")
                })
        })
}

/// Whether a job or one of its steps does its work only for some events or refs: an `if:`
/// on `github.ref` or `github.event_name` (`github.event_name == 'push'`), or an input set
/// from them (`push: ${{ github.event_name != 'pull_request' }}`).
fn gated(job: &Node) -> bool {
    let on_event = |text: &str| {
        [
            "github.ref",
            "refs/",
            "github.event_name",
            "github.head_ref",
            "github.event.action",
            "pull_request.merged",
        ]
        .iter()
        .any(|term| text.contains(term))
    };
    let condition = |node: &Node| node.get("if").and_then(Node::as_str).is_some_and(on_event);
    let input = |step: &Node| {
        step.get("with")
            .into_iter()
            .flat_map(Node::entries)
            .any(|(_, value)| {
                value
                    .as_str()
                    .is_some_and(|text| text.contains("${{") && on_event(text))
            })
    };
    condition(job)
        || job.get("steps").is_some_and(|steps| {
            steps
                .items()
                .into_iter()
                .any(|step| condition(step) || input(step))
        })
}

/// Whether an event's filters start it only on `closed` (`types: [closed]`, `types: closed`).
fn only_closed(filters: &Node) -> bool {
    let Some(types) = filters.get("types") else {
        return false;
    };
    let closed = |node: &Node| node.as_str() == Some("closed");
    match &types.value {
        Value::Seq(items) => !items.is_empty() && items.iter().all(closed),
        _ => closed(types),
    }
}

fn is_event_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|byte| byte.is_ascii_lowercase() || byte == b'_')
}

/// Whether the workflow runs only when another workflow calls it (`on: workflow_call`).
fn only_called(on: &Node) -> bool {
    let events: Vec<&Node> = match &on.value {
        Value::Map(_) => on.entries().map(|(event, _)| event).collect(),
        _ => on.items(),
    };
    !events.is_empty()
        && events
            .iter()
            .all(|event| event.as_str() == Some("workflow_call"))
}

/// `on: push`, `on: [push, pull_request]`, or a map of events to their filters.
fn read_triggers(on: &Node, root: &Node, pipeline: &mut Pipeline) {
    let events: Vec<(&Node, Option<&Node>)> = match &on.value {
        Value::Map(_) => on
            .entries()
            .map(|(event, filters)| (event, Some(filters)))
            .collect(),
        _ => on.items().into_iter().map(|event| (event, None)).collect(),
    };
    let any_branch_job = runs_on_any_branch(root);
    for (event, filters) in events {
        // An event is a name (`push`, `pull_request`), never a sentence a hostile file
        // writes to match another trigger.
        if !event.as_str().is_some_and(is_event_name) {
            continue;
        }
        if event.as_str() == Some("pull_request") && filters.is_some_and(only_closed) {
            // Run when a pull request is merged or closed, after the review: no check of
            // the change (what it deploys counts where a job asks whether it was merged).
            pipeline
                .triggers
                .push(Located::new(PULL_REQUEST_CLOSED, event.line));
            continue;
        }
        push_scalar(&mut pipeline.triggers, event);
        if event.as_str() != Some("push") {
            continue;
        }
        if let Some(tags) = filters.and_then(|filters| filters.key("tags")) {
            pipeline.triggers.push(Located::new("tag", tags.line));
        }
        if any_branch_job && filters.is_none_or(pushes_every_branch) {
            pipeline
                .triggers
                .push(Located::new(EVERY_BRANCH, event.line));
        }
    }
}

/// GitHub Actions: its files are the `github-workflows` set of `rules/ci.toml`.
pub(super) const SYSTEM: System = System {
    name: "GitHub Actions",
    files: "github-workflows",
    yaml: true,
    includes_beside: false,
    read: |text, reading| {
        let mut pipeline = Pipeline::default();
        read(&yaml::parse(text)?, reading, &mut pipeline);
        Ok(pipeline)
    },
};

pub(super) fn read(root: &Node, reading: &Reading, pipeline: &mut Pipeline) {
    super::services::read(root, &mut pipeline.services);
    // A composite action (`action.yml`) the workflow uses: its steps run in the job.
    if let Some(composite) = root.get("runs").and_then(|runs| runs.get("steps")) {
        for step in composite.items() {
            read_step(step, &InJob::default(), reading, pipeline);
        }
    }
    if let Some(on) = root.get("on") {
        read_triggers(on, root, pipeline);
    }
    let workflow_permissions = root.get("permissions").map(permissions_summary);
    // A reusable workflow's jobs get the token of the job that calls them, whose
    // permissions are judged in the caller's file.
    let unset = match root.get("on").is_some_and(only_called) {
        true => "inherited",
        false => "default",
    };
    let workflow_folder = working_directory(root);
    let workflow_env = env_values(root.get("env"));
    pipeline.runs_all_for_every_trigger = !root
        .get("jobs")
        .into_iter()
        .flat_map(Node::entries)
        .any(|(_, job)| gated(job));
    for (name, job) in root.get("jobs").into_iter().flat_map(Node::entries) {
        let permissions = job
            .get("permissions")
            .map(permissions_summary)
            .or_else(|| workflow_permissions.clone())
            .unwrap_or_else(|| unset.to_owned());
        pipeline
            .permissions
            .push(Located::new(permissions, name.line));
        push_environment(&mut pipeline.environments, job);
        let first_command = pipeline.commands.len();
        let first_use = pipeline.uses.len();
        if let Some(workflow) = job.get("uses") {
            read_reusable_workflow_call(workflow, job, reading, pipeline);
            let own = reading.own_repository;
            if let Some(local) = workflow
                .as_str()
                .and_then(|uses| in_this_repository(uses, own))
            {
                push_call_inputs(job, local, workflow.line, pipeline);
            }
        }
        let matrix = job
            .get("strategy")
            .and_then(|strategy| strategy.get("matrix"));
        if !never_runs(job) {
            let listed = matrix.map(Matrix::read);
            let job_env = env_values(job.get("env"));
            let job_context = InJob {
                soft: may_fail(job),
                folder: working_directory(job).or(workflow_folder),
                matrix: listed.as_ref(),
                shell: default_shell(root, job),
                env: [Some(&job_env), Some(&workflow_env)],
                env_rewritten: names_written_to_github_env(job),
            };
            for step in job.get("steps").map(Node::items).unwrap_or_default() {
                read_step(step, &job_context, reading, pipeline);
            }
            if let Some(matrix) = listed {
                let commands = pipeline.commands.split_off(first_command);
                pipeline.commands.extend(
                    commands
                        .into_iter()
                        .flat_map(|command| matrix.expand(command)),
                );
            }
        }
        if let Some(description) = matrix.and_then(describe_matrix) {
            pipeline.job_notes.push(JobNote {
                text: format!("matrix: {description}"),
                commands: first_command..pipeline.commands.len(),
            });
        }
        pipeline.jobs.push(Job {
            commands: first_command..pipeline.commands.len(),
            uses: first_use..pipeline.uses.len(),
        });
    }
}

/// The folder `run` steps start in by default: `defaults: run: working-directory:` of a
/// workflow or a job.
fn working_directory(node: &Node) -> Option<&str> {
    node.get("defaults")?
        .get("run")?
        .get("working-directory")?
        .as_str()
}

/// The shell a job's `run` steps use unless they name one: its or the workflow's
/// `defaults: run: shell:`, else `bash` on a runner named for Linux or macOS.
fn default_shell<'j>(root: &'j Node, job: &'j Node) -> Option<&'j str> {
    let configured = |node: &'j Node| node.get("defaults")?.get("run")?.get("shell")?.as_str();
    if let Some(shell) = configured(job).or_else(|| configured(root)) {
        return Some(shell);
    }
    let runner = job.get("runs-on").and_then(Node::as_str)?;
    let posix = ["ubuntu", "linux", "macos"]
        .iter()
        .any(|name| runner.to_ascii_lowercase().contains(name));
    (posix && !runner.contains("${{")).then_some("bash")
}

/// What a job gives each of its steps.
#[derive(Default)]
struct InJob<'j> {
    /// The job may fail without failing the workflow.
    soft: bool,
    /// Where its `run` steps start by default.
    folder: Option<&'j str>,
    /// The values its matrix lists.
    matrix: Option<&'j Matrix>,
    /// The shell its `run` steps use by default: `bash` on a Linux or macOS runner, none
    /// known on Windows (PowerShell) or a runner chosen at run time.
    shell: Option<&'j str>,
    /// The values its `env:` and the workflow's set (its own first), where a step's
    /// `${{ env.NAME }}` finds its value when the step's own `env:` does not set it.
    env: [Option<&'j EnvValues<'j>>; 2],
    /// The names its `run:` scripts that write to `$GITHUB_ENV` may set (every `NAME=` and
    /// `NAME<<` in them): such a variable is set anew for the steps after them, so its value
    /// is not known from any `env:`.
    env_rewritten: HashSet<&'j str>,
}

/// The variables an `env:` sets, each with its value when that can be written out in a
/// command: short, on one line, and not itself an expression. A variable without one still
/// hides what an outer `env:` sets it to.
type EnvValues<'j> = HashMap<&'j str, Option<&'j str>>;

/// Longest `env:` value written into a command in place of `${{ env.NAME }}`.
const LONGEST_ENV_VALUE: usize = 256;

/// Every name a job's scripts that write to `$GITHUB_ENV` follow with `=` or `<<`
/// (`echo "TEST_CMD=true" >> "$GITHUB_ENV"`, a heredoc's `NAME<<EOF`): more than they set,
/// never fewer.
fn names_written_to_github_env(job: &Node) -> HashSet<&str> {
    let mut names = HashSet::new();
    let scripts = job.get("steps").map(Node::items).unwrap_or_default();
    for script in scripts
        .into_iter()
        .filter_map(|step| step.get("run").and_then(Node::as_str))
    {
        if !script.contains("GITHUB_ENV") {
            continue;
        }
        let bytes = script.as_bytes();
        let is_name = |byte: u8| byte.is_ascii_alphanumeric() || byte == b'_' || byte == b'-';
        let mut start = 0;
        for (at, &byte) in bytes.iter().enumerate() {
            if is_name(byte) {
                continue;
            }
            if at > start && (byte == b'=' || bytes[at..].starts_with(b"<<")) {
                names.insert(&script[start..at]);
            }
            start = at + 1;
        }
    }
    names
}

fn env_values(env: Option<&Node>) -> EnvValues<'_> {
    env.into_iter()
        .flat_map(Node::entries)
        .filter_map(|(name, value)| {
            let plain = value.as_str().filter(|value| {
                value.len() <= LONGEST_ENV_VALUE
                    && !value.contains(['\n', '\r'])
                    && !value.contains("${{")
            });
            Some((name.as_str()?, plain))
        })
        .collect()
}

/// A step's commands and action. A step that may fail without failing its job
/// (`continue-on-error: true`, or in such a job) runs its commands as `… || true` would;
/// a step that never runs (`if: false`) runs nothing. Its commands start in its
/// `working-directory`, or else the job's default folder.
fn read_step(step: &Node, job: &InJob, reading: &Reading, pipeline: &mut Pipeline) {
    if never_runs(step) {
        return;
    }
    if let Some(script) = step.get("run").and_then(Node::as_str) {
        push_env_inputs(step, script, pipeline);
        let first = pipeline.commands.len();
        let folder = step
            .get("working-directory")
            .and_then(Node::as_str)
            .or(job.folder);
        let mut place = Place::root();
        if let Some(folder) = folder {
            place.moves(&["cd", folder]);
        }
        push_lines_in(
            &mut pipeline.commands,
            script,
            step.get("run").map_or(0, |run| run.line),
            place,
        );
        substitute_env_values(step, job, &mut pipeline.commands[first..]);
        substitute_matrix_values(step, script, job, &mut pipeline.commands[first..]);
        if job.soft || may_fail(step) {
            for command in &mut pipeline.commands[first..] {
                super::allowed_to_fail(command, "continue-on-error");
            }
        }
    }
    if let Some(action) = step.get("uses") {
        let local = action
            .as_str()
            .and_then(|uses| in_this_repository(uses, reading.own_repository));
        // Named as written: rules judge an action by its name, the repository's own too
        // (`zizmorcore/zizmor-action` running itself).
        push_scalar(&mut pipeline.uses, action);
        if local.is_some()
            && let Some(reference) = action.as_str().filter(|uses| !uses.starts_with("./"))
        {
            pipeline
                .full_name_calls
                .push(Located::new(reference.to_owned(), action.line));
        }
        // A well-known action runs commands of its own (`docker/build-push-action` with
        // `push: true` pushes the image it builds), from rule data.
        if let Some((name, _version)) = action
            .as_str()
            .filter(|_| local.is_none())
            .and_then(|uses| uses.split_once('@'))
        {
            let known = call_known_step(step, name, reading.steps, pipeline, action.line);
            if !known && code_input(action.as_str().unwrap_or_default()).is_none() {
                push_command_inputs(step, name, pipeline);
            }
        }
        let script = action
            .as_str()
            .and_then(code_input)
            .and_then(|input| with_input(step, input));
        if let Some(script) = script
            && let Some(code) = script.as_str()
        {
            pipeline.action_scripts.extend(
                (script.line..)
                    .zip(code.lines())
                    .filter(|(_, line)| !line.trim().is_empty())
                    .map(|(line, text)| Located::new(text.trim().to_owned(), line)),
            );
        }
        // A composite action of this repository (`uses: ./.github/actions/test`).
        if let Some(local) = local {
            for target in action_files(local) {
                push_call_inputs(step, &target, action.line, pipeline);
                pipeline.includes.push(Located::new(target, action.line));
            }
        }
    }
}

/// A `${{ env.NAME }}` in a step's commands is the value the step's, the job's or the
/// workflow's `env:` sets (the nearest one), when that value is written out (not itself an
/// expression).
fn substitute_env_values(step: &Node, job: &InJob, commands: &mut [Located]) {
    if !commands.iter().any(|command| command.text.contains("${{")) {
        return;
    }
    let step_env = env_values(step.get("env"));
    let value_of = |name: &str| {
        if job.env_rewritten.contains(name) {
            return None;
        }
        std::iter::once(&step_env)
            .chain(job.env.into_iter().flatten())
            .find_map(|env| env.get(name).copied())
            .flatten()
    };
    for command in commands {
        if let Some(text) = super::inputs::substitute_env_expressions(&command.text, value_of) {
            command.text = text;
        }
    }
}

/// A variable the step's `env:` sets to a value the job's matrix lists runs each of them
/// (`fastlane "$LANE"` with `LANE: ${{ matrix.lane }}`): the matrix expands it. Only in a
/// POSIX shell, and only for the variables the script expands and does not set itself.
fn substitute_matrix_values(step: &Node, script: &str, job: &InJob, commands: &mut [Located]) {
    let Some(matrix) = job.matrix else {
        return;
    };
    if !step
        .get("shell")
        .and_then(Node::as_str)
        .or(job.shell)
        .is_some_and(is_posix)
    {
        return;
    }
    let expanded: HashSet<&str> = super::inputs::expanded_variables(script)
        .map(|(_, name)| name)
        .collect();
    let values: HashMap<&str, &str> = step
        .get("env")
        .into_iter()
        .flat_map(Node::entries)
        .filter_map(|(variable, value)| {
            let variable = variable.as_str().filter(|name| expanded.contains(name))?;
            let (value, dimension) = value.as_str().and_then(super::inputs::only_matrix_value)?;
            matrix.lists_words(dimension).then_some((variable, value))
        })
        .take(MOST_SUBSTITUTED)
        .filter(|(variable, _)| !super::inputs::sets(script, variable))
        .collect();
    if values.is_empty() {
        return;
    }
    for command in commands {
        command.text = super::inputs::substitute_variables(&command.text, &values);
    }
}

/// At most this many variables of a step are given their matrix values: a step setting
/// thousands is left to the shell.
const MOST_SUBSTITUTED: usize = 16;

/// Whether a step's `shell:` (`bash {0}`, `sh -e`) expands `$NAME` as a POSIX shell does.
fn is_posix(shell: &str) -> bool {
    matches!(shell.split_whitespace().next(), Some("bash" | "sh"))
}

/// The variables a `run:` step's `env:` sets to one input alone, for
/// [`Pipeline::env_inputs`]: in a POSIX shell (the default, `bash`, `sh`), and not one its
/// `script` sets again (`SUITE=build`, `read SUITE`), which it then no longer holds.
fn push_env_inputs(step: &Node, script: &str, pipeline: &mut Pipeline) {
    if !is_posix(step.get("shell").and_then(Node::as_str).unwrap_or("bash")) {
        return;
    }
    let first = step.get("run").map_or(0, |run| run.line);
    let lines =
        first..=first.saturating_add(u32::try_from(script.lines().count()).unwrap_or(u32::MAX));
    for (variable, value) in step.get("env").into_iter().flat_map(Node::entries) {
        let (Some(variable), Some(input)) = (
            variable.as_str(),
            value.as_str().and_then(super::inputs::only_input),
        ) else {
            continue;
        };
        if !super::inputs::sets(script, variable) {
            pipeline.env_inputs.push(EnvInput {
                variable: variable.to_owned(),
                input: input.to_owned(),
                lines: lines.clone(),
            });
        }
    }
}

/// What a step gives an action opslint does not know to run, in the inputs such actions
/// conventionally run as shell commands (`nick-fields/retry`'s `command`), from rule data.
/// They count as the step's commands; the action stays unknown for whatever else it does.
fn push_command_inputs(step: &Node, action: &str, pipeline: &mut Pipeline) {
    for input in &known().command_inputs {
        let Some(script) = with_input(step, input) else {
            continue;
        };
        let Some(text) = script.as_str() else {
            continue;
        };
        let first = pipeline.commands.len();
        push_lines(&mut pipeline.commands, text, script.line);
        let shell: Vec<Located> = pipeline
            .commands
            .drain(first..)
            .filter(|command| {
                !known()
                    .command_input_unless
                    .is_match(command.text.as_bytes())
            })
            .collect();
        pipeline.commands.extend(shell);
        pipeline.job_notes.push(JobNote {
            text: format!("given to the action `{action}` to run"),
            commands: first..pipeline.commands.len(),
        });
    }
}

/// The step's `with:` input `name`, matched in any letter case as GitHub reads inputs.
fn with_input<'a>(step: &'a Node, name: &str) -> Option<&'a Node> {
    step.get("with")?
        .entries()
        .find(|(key, _)| {
            key.as_str()
                .is_some_and(|key| key.eq_ignore_ascii_case(name))
        })
        .map(|(_, value)| value)
}

/// The `with:` values a job or step passes to the workflow or composite action of the
/// repository at `target`: text only (an expression's value is the expression).
fn push_call_inputs(caller: &Node, target: &str, call: u32, pipeline: &mut Pipeline) {
    for (name, value) in caller.get("with").into_iter().flat_map(Node::entries) {
        if let (Some(name), Some(text)) = (name.as_str(), value.as_str()) {
            pipeline.call_inputs.push(CallInput {
                target: target.to_owned(),
                call,
                name: name.to_owned(),
                value: Located::new(text, value.line),
            });
        }
    }
}

/// The input the action `uses` evaluates as code (`actions/github-script`'s `script`), from
/// rule data. GitHub reads an action's name and its inputs' names in any letter case.
fn code_input(uses: &str) -> Option<&'static str> {
    let (action, _version) = uses.split_once('@')?;
    known().code_inputs.iter().find_map(|entry| {
        let (name, input) = entry.split_once(':')?;
        name.eq_ignore_ascii_case(action).then_some(input)
    })
}

/// `if: false` (or `${{ false }}`): the job or step is switched off.
fn never_runs(node: &Node) -> bool {
    node.get("if")
        .and_then(Node::as_str)
        .is_some_and(|condition| {
            let condition = condition.trim();
            let condition = condition
                .strip_prefix("${{")
                .and_then(|inner| inner.strip_suffix("}}"))
                .unwrap_or(condition);
            condition.trim() == "false"
        })
}

/// `continue-on-error: true`: a failure does not fail the run.
fn may_fail(node: &Node) -> bool {
    node.get("continue-on-error")
        .and_then(Node::as_str)
        .is_some_and(|value| value == "true")
}

/// The files that may define the action in the repository's `folder` (`""`, or `./`, for
/// the action at its root): `action.yml` or `action.yaml`.
pub fn action_files(folder: &str) -> [String; 2] {
    ["action.yml", "action.yaml"].map(|name| match folder.trim_end_matches('/') {
        "" => name.to_owned(),
        folder => format!("{folder}/{name}"),
    })
}

/// The path in the tree of an action or reusable workflow of this repository:
/// `.github/workflows/test.yml` for `./.github/workflows/test.yml`, or for
/// `acme/payments/.github/workflows/test.yml@main` called from `acme/payments` (its version
/// at that ref, read as the tree has it); `""` for the action at the root (`./`,
/// `acme/payments@v1`).
pub fn in_this_repository<'t>(reference: &'t str, own_repository: Option<&str>) -> Option<&'t str> {
    // The forge takes a path as written: a glob names no file (and read as one, it would
    // have opslint read every workflow it matches).
    if reference.contains('*') {
        return None;
    }
    if let Some(local) = reference.strip_prefix("./") {
        return Some(local);
    }
    let own = own_repository?;
    let (name, _ref) = reference.split_once('@')?;
    let rest = name.get(own.len()..)?;
    let local = rest.strip_prefix('/').or(rest.is_empty().then_some(rest))?;
    // The forge compares names ignoring case.
    name[..own.len()].eq_ignore_ascii_case(own).then_some(local)
}

/// `jobs.<id>.uses`: a workflow of this repository (`./.github/workflows/test.yml`, or by its
/// full name) is read as part of the calling one; a well-known shared one of another
/// repository runs what rule data says (`[steps]`, with the job's `with:` inputs); any other
/// is out of sight.
fn read_reusable_workflow_call(
    workflow: &Node,
    job: &Node,
    reading: &Reading,
    pipeline: &mut Pipeline,
) {
    let Some(reference) = workflow.as_str() else {
        return;
    };
    let steps = reading.steps;
    match in_this_repository(reference, reading.own_repository) {
        Some(local) => {
            if !reference.starts_with("./") {
                pipeline
                    .full_name_calls
                    .push(Located::new(reference.to_owned(), workflow.line));
            }
            pipeline
                .includes
                .push(Located::new(local.to_owned(), workflow.line));
        }
        None => {
            pipeline
                .uses
                .push(Located::new(reference.to_owned(), workflow.line));
            let name = reference
                .split_once('@')
                .map_or(reference, |(name, _)| name);
            // A job that never runs hides nothing.
            let seen =
                never_runs(job) || call_known_step(job, name, steps, pipeline, workflow.line);
            if !seen {
                pipeline.indirect.push(Located::new(
                    format!("the reusable workflow {reference}"),
                    workflow.line,
                ));
            }
        }
    }
}

/// Records what the well-known action or reusable workflow `name` runs when `caller` (a
/// step, a job) calls it at `line`, with the caller's `with:` inputs; whether it is known.
fn call_known_step(
    caller: &Node,
    name: &str,
    steps: &Steps,
    pipeline: &mut Pipeline,
    line: u32,
) -> bool {
    let input = |key: &str| with_input(caller, key)?.as_str().map(str::to_owned);
    let key = steps::key_ignoring_case(steps, "github", name);
    steps::call(pipeline, steps, &key, input, line)
}

/// `os (3) × rust (2)` for a matrix listing its values; a dimension computed by an
/// expression is named without a count, and `include`/`exclude` adjust combinations
/// rather than add dimensions. `None` when no dimension varies.
fn describe_matrix(matrix: &Node) -> Option<String> {
    let dimensions: Vec<String> = match &matrix.value {
        Value::Map(_) => matrix
            .entries()
            .filter_map(|(name, values)| {
                let name = name.as_str()?;
                if name == "include" || name == "exclude" {
                    return None;
                }
                match &values.value {
                    // One value is no variation.
                    Value::Seq(items) if items.len() < 2 => None,
                    Value::Seq(items) => Some(format!("{name} ({})", items.len())),
                    _ => Some(name.to_owned()),
                }
            })
            .collect(),
        // `matrix: ${{ fromJSON(needs.plan.outputs.matrix) }}`
        Value::Scalar(_) => vec!["computed".to_owned()],
        Value::Null | Value::Seq(_) => Vec::new(),
    };
    (!dimensions.is_empty()).then(|| dimensions.join(" × "))
}

/// `read-all`, `write-all`, `none` for `{}`, or the scopes as `contents: read, …`.
fn permissions_summary(permissions: &Node) -> String {
    match &permissions.value {
        Value::Scalar(text) => text.clone(),
        Value::Map(entries) if entries.is_empty() => "none".to_owned(),
        Value::Map(_) => permissions
            .entries()
            .map(|(scope, level)| {
                format!(
                    "{}: {}",
                    scope.as_str().unwrap_or_default(),
                    level.as_str().unwrap_or_default()
                )
            })
            .collect::<Vec<_>>()
            .join(", "),
        Value::Null | Value::Seq(_) => "none".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Format, Reading, Steps, read as read_pipeline};
    use super::{SYSTEM, in_this_repository};

    fn commands(text: &str) -> Vec<String> {
        let pipeline =
            read_pipeline(Format::System(&SYSTEM), text, &Reading::of(&Steps::new())).unwrap();
        pipeline
            .commands
            .into_iter()
            .map(|command| command.text)
            .collect()
    }

    /// Fresh set 15 (openclimatefix/dagster-dags): a workflow started when a pull request
    /// closes checks no change before its merge.
    #[test]
    fn a_pull_request_event_only_on_close_is_no_pull_request_trigger() {
        let triggers = |on: &str| {
            let text = format!(
                "on:\n{on}\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make\n"
            );
            read_pipeline(Format::System(&SYSTEM), &text, &Reading::of(&Steps::new()))
                .unwrap()
                .triggers
                .into_iter()
                .map(|trigger| trigger.text)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            triggers("  pull_request:\n    types: [closed]"),
            ["pull_request closed"]
        );
        assert_eq!(
            triggers("  pull_request:\n    types: closed"),
            ["pull_request closed"]
        );
        assert_eq!(
            triggers("  pull_request:\n    types: [opened, closed]"),
            ["pull_request"]
        );
        assert_eq!(
            triggers("  pull_request:\n    branches: [main]"),
            ["pull_request"]
        );
        // A fork's closed pull request still runs `pull_request_target` with the secrets.
        assert_eq!(
            triggers("  pull_request_target:\n    types: [closed]"),
            ["pull_request_target"]
        );
    }

    #[test]
    fn a_variable_set_to_a_listed_matrix_value_runs_each_value() {
        let on = |runner: &str, matrix: &str| {
            format!(
                "on: push\njobs:\n  t:\n    runs-on: {runner}\n    strategy:\n      matrix:\n        lane: {matrix}\n    steps:\n      - env:\n          LANE: ${{{{ matrix.lane }}}}\n        run: fastlane \"$LANE\"\n"
            )
        };
        let job = |matrix: &str| on("ubuntu-latest", matrix);
        assert_eq!(
            commands(&job("[lint, test]")),
            [r#"fastlane "lint""#, r#"fastlane "test""#]
        );
        // Values computed at run time are not listed: the variable is left to the shell.
        assert_eq!(
            commands(&job("${{ fromJSON(needs.plan.outputs.lanes) }}")),
            [r#"fastlane "$LANE""#]
        );
        // PowerShell, Windows' default, reads `$LANE` as its own variable.
        assert_eq!(
            commands(&on("windows-latest", "[lint, test]")),
            [r#"fastlane "$LANE""#]
        );
    }

    /// Fresh set 15 (jwtk/jjwt): `${{env.MVN_CMD}} verify` runs the Maven wrapper the
    /// workflow's `env:` names.
    #[test]
    fn an_env_expression_is_the_value_the_nearest_env_sets() {
        let workflow = "on: push\nenv:\n  MVN: ./mvnw -B\n  GOAL: package\njobs:\n  t:\n    runs-on: ubuntu-latest\n    env:\n      GOAL: verify\n    steps:\n      - run: ${{env.MVN}} ${{ env.GOAL }}\n      - env:\n          MVN: mvn\n        run: ${{ env.MVN }} test\n      - env:\n          MVN: ${{ secrets.MVN }}\n        run: ${{ env.MVN }} test ${{ env.UNSET }}\n";
        assert_eq!(
            commands(workflow),
            [
                "./mvnw -B verify",
                "mvn test",
                "${{ env.MVN }} test ${{ env.UNSET }}"
            ]
        );
        // Red team: a value a step writes to `$GITHUB_ENV` replaces the `env:` one for the
        // steps after it; a value on several lines is several commands, not one; a long
        // value, or many of them, would make every command huge.
        let rewritten = "on: push\nenv:\n  TEST_CMD: npm test\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo \"TEST_CMD=true\" >> \"$GITHUB_ENV\"\n      - run: ${{ env.TEST_CMD }}\n";
        assert_eq!(commands(rewritten)[1], "${{ env.TEST_CMD }}");
        let multiline = "on: push\nenv:\n  T: |\n    echo start\n    npm test\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: ${{ env.T }}\n";
        assert_eq!(commands(multiline), ["${{ env.T }}"]);
        let long = format!(
            "on: push\nenv:\n  V: {}\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{{{ env.V }}}}\n",
            "x".repeat(300)
        );
        assert_eq!(commands(&long), ["echo ${{ env.V }}"]);
        let many = format!(
            "on: push\nenv:\n  V: {}\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo{}\n",
            "y".repeat(200),
            " ${{ env.V }}".repeat(40)
        );
        assert!(commands(&many)[0].starts_with("echo ${{ env.V }}"));
    }

    #[test]
    fn an_action_or_workflow_of_this_repository_is_read_from_its_tree() {
        let own = Some("acme/payments");
        let local = |reference| in_this_repository(reference, own);
        assert_eq!(
            local("./.github/actions/setup"),
            Some(".github/actions/setup")
        );
        assert_eq!(
            local("Acme/Payments/.github/workflows/test.yml@main"),
            Some(".github/workflows/test.yml")
        );
        assert_eq!(local("acme/payments@v1"), Some(""));
        // Another repository of the organisation, or one whose name only starts alike.
        assert_eq!(local("acme/ci/.github/workflows/test.yml@v2"), None);
        assert_eq!(
            local("acme/payments-ci/.github/workflows/test.yml@v2"),
            None
        );
        assert_eq!(local("acme/payments/.github/actions/setup"), None);
        // A glob is no path the forge resolves.
        assert_eq!(local("acme/payments/.github/workflows/*.yml@v1"), None);
        assert_eq!(local("./.github/actions/*"), None);
        // A folder may be named with brackets.
        assert_eq!(local("./.github/actions/[x]"), Some(".github/actions/[x]"));
        // Without a remote, only `./` names this repository.
        assert_eq!(
            in_this_repository("acme/payments/.github/workflows/test.yml@main", None),
            None
        );
    }
}

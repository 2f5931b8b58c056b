//! CI pipeline files read into the facts rules ask about: what starts a pipeline, which
//! commands it runs, which actions it uses and which environments it deploys to, each with
//! its line.

use std::collections::HashMap;
use std::sync::OnceLock;

use regex::Regex;

mod azure;
mod buildkite;
mod circleci;
mod cirrus;
mod github;
mod gitlab;
mod inputs;
mod jenkins;
mod keyed;
mod matrix;
mod place;
mod script;
mod services;
mod steps;
mod travis;

pub use github::{action_files, in_this_repository};
pub use inputs::{MOST_BYTES, MOST_COMMANDS, run_with};
pub use place::{Place, Walk, placed_segments};
pub use script::script_references;
pub use steps::Steps;

use super::Located;
use super::yaml::{self, Node, ParseError, Value};
use crate::rules::known;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pipeline {
    /// Events that start the pipeline, in GitHub's words where there is a common one
    /// (`push`, `pull_request`, `release`); GitLab merge request pipelines are
    /// `merge_request`, a pipeline started by pushing a tag has `tag`, and a GitHub workflow
    /// started only when a pull request closes has [`PULL_REQUEST_CLOSED`].
    pub triggers: Vec<Located>,
    /// Whether everything it runs is known to run for every event that starts it: a GitHub
    /// workflow with no job or step behind an `if:` on the ref or the event. Other systems
    /// choose jobs per branch or event in ways not all read (Bitbucket's sections, Drone's
    /// `when:`, Azure's `condition:` and implied pull request trigger), so not them.
    pub runs_all_for_every_trigger: bool,
    /// Shell commands, a line each.
    pub commands: Vec<Located>,
    /// Code an action evaluates, a line each (`actions/github-script`'s `script:`):
    /// JavaScript, not shell, so read only by the checks that ask for it.
    pub action_scripts: Vec<Located>,
    /// Referenced actions, reusable workflows (`actions/checkout@v4`) and GitLab's
    /// template, component, project and remote includes.
    pub uses: Vec<Located>,
    /// Deployment environments jobs declare (`environment: production`).
    pub environments: Vec<Located>,
    /// The images of the service containers jobs start beside their steps (`postgres:16`),
    /// or Travis's service names (`postgresql`).
    pub services: Vec<Located>,
    /// Files of the same repository this pipeline includes (GitLab's local includes,
    /// GitHub's local reusable workflows and composite actions, Azure's templates, the
    /// scripts its commands run), repository-relative or relative to the pipeline's
    /// folder; they may be globs.
    pub includes: Vec<Located>,
    /// The repository's own workflows and actions called by full name
    /// (`acme/payments/.github/workflows/test.yml@v1`), as written: read from the tree, they
    /// are out of sight when it does not hold them (the `@v1` version may).
    pub full_name_calls: Vec<Located>,
    /// What the pipeline calls but opslint cannot see into, each described for a reader
    /// ("the reusable workflow org/ci/.github/workflows/x.yml@v1", "the orb job
    /// node/test"): a command or action not found may be there.
    pub indirect: Vec<Located>,
    /// A definition opslint does not read ([`UNREAD`]): its triggers are unknown
    /// too, not only its commands and actions.
    pub unread: bool,
    /// The names of the tasks whose commands live in a file opslint does not follow
    /// (Concourse's `task:` with `file:`).
    pub hidden_tasks: Vec<Located>,
    /// Beside each of `hidden_tasks`, its file as a path of this repository (the artifact's
    /// name left out): one the tree does not hold is another repository's.
    pub hidden_task_files: Vec<Located>,
    /// The inputs of a Concourse task that hold this repository: those a path of its
    /// commands runs from (`dp-api/ci/scripts/unit.sh`). A script's `cd dp-api` goes to the
    /// repository's root.
    pub checkouts: Vec<String>,
    /// GitLab's `stages:`, in order.
    pub stages: Vec<Located>,
    /// What the report should say about the job a command runs in: its `strategy.matrix`
    /// (GitHub Actions), its stage (GitLab) — or about the shared step whose commands these
    /// are, not text of the repository (a Jenkins library step, an Azure task).
    pub job_notes: Vec<JobNote>,
    /// GitHub Actions: the token permissions each job runs with, at the job (`read-all`,
    /// `contents: read, packages: write`, `none` for `{}`), or `default` when neither the
    /// job nor the workflow sets any.
    pub permissions: Vec<Located>,
    /// The inputs this pipeline passes to a workflow or composite action of the repository
    /// it calls (`with: {gradle-command: ./gradlew check}`): the called file's
    /// `${{ inputs.gradle-command }}` runs that value.
    pub call_inputs: Vec<CallInput>,
    /// GitHub Actions: the environment variables a step of a workflow or composite action
    /// sets to one of its inputs (`env: {SCRIPT: ${{ inputs.script }}}`), so that its
    /// `npm run "$SCRIPT"` runs what the caller passes.
    pub env_inputs: Vec<EnvInput>,
    /// What decides when jobs run but is out of sight, described for a reader (a GitLab job
    /// extending a template that is not in its file): a trigger not found may be there.
    pub hidden_triggers: Vec<Located>,
    /// Each job's commands and actions (GitHub Actions, GitLab CI), where the pipeline says
    /// which job runs what: a job that starts a throwaway cluster is told apart from the job
    /// beside it that deploys. Empty where jobs are not read apart.
    pub jobs: Vec<Job>,
}

/// What one job runs, as ranges of [`Pipeline::commands`] and [`Pipeline::uses`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Job {
    pub commands: std::ops::Range<usize>,
    pub uses: std::ops::Range<usize>,
}

/// A shell variable one step sets to an input, for the commands of that step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvInput {
    pub variable: String,
    pub input: String,
    /// The lines of the step's script.
    pub lines: std::ops::RangeInclusive<u32>,
}

/// One input a pipeline passes to a local workflow or action it includes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallInput {
    /// The called file, as in [`Pipeline::includes`].
    pub target: String,
    /// The line of the call (its `uses:`): a file that calls one action several times, with
    /// `script: lint` then `script: test`, passes each call's inputs together.
    pub call: u32,
    pub name: String,
    /// The value, at its line in the calling file.
    pub value: Located,
}

/// Something about a job worth saying next to its commands: `matrix: os (3) × python (2)`
/// (each dimension with how many values it lists, when it lists them), `stage test`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JobNote {
    pub text: String,
    /// The job's commands, as indices into [`Pipeline::commands`].
    pub commands: std::ops::Range<usize>,
}

impl Pipeline {
    /// The note on the job the command at `index` of [`Pipeline::commands`] runs in.
    pub fn job_note(&self, index: usize) -> Option<&str> {
        self.job_notes
            .iter()
            .find(|note| note.commands.contains(&index))
            .map(|note| note.text.as_str())
    }
}

/// A CI system opslint reads: the built-in file set (`rules/ci.toml`) naming its files, and
/// how it reads one. Adding a CI system is a module with its `SYSTEM`, listed in
/// [`SYSTEMS`], and its file set in `rules/ci.toml`.
pub struct System {
    pub name: &'static str,
    /// The built-in set naming its files.
    pub files: &'static str,
    /// Whether its definitions are YAML, so that a YAML file one includes is one of its own
    /// (GitLab includes, Azure templates); else an included YAML file is read by key names.
    pub yaml: bool,
    /// Whether a file it includes by a plain path is looked for beside the including file
    /// first (Azure's templates); else from the repository's root (GitLab's `local:`).
    pub includes_beside: bool,
    pub read: fn(&str, &Reading) -> Result<Pipeline, ParseError>,
}

// Systems are told apart by name: their reader is a function.
told_apart_by_name!(System);

/// Every CI system read by its own rules, in the order their file sets are tried.
pub const SYSTEMS: &[&System] = &[
    &github::SYSTEM,
    &gitlab::SYSTEM,
    &jenkins::SYSTEM,
    &azure::SYSTEM,
    &circleci::SYSTEM,
    &travis::SYSTEM,
    &buildkite::SYSTEM,
    &cirrus::SYSTEM,
    &UNREAD,
];

/// A definition in a language opslint does not read (Drone's Starlark and Jsonnet,
/// TeamCity's Kotlin DSL): what it runs is unknown, never absent.
const UNREAD: System = System {
    name: "unread",
    files: "unread-pipelines",
    yaml: false,
    includes_beside: false,
    read: |_, _| {
        Ok(Pipeline {
            unread: true,
            ..Pipeline::default()
        })
    },
};

/// How a pipeline file is read; which files are which is rule data (`rules/ci.toml`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A CI system with a reader of its own.
    System(&'static System),
    /// A shell, PowerShell or Python script a pipeline runs: each line a command.
    Script,
    /// Bitbucket, Drone, Woodpecker, Tekton, Amplify…: read by key names.
    Other,
}

/// The trigger of a pipeline run for every branch pushed: a pull request's commits are built
/// before it is merged (those of the repository's own branches, not a fork's).
pub(super) const EVERY_BRANCH: &str = "push to every branch";

/// The trigger of a GitHub workflow a `pull_request` event starts only on `types: [closed]`:
/// once a pull request is merged or closed, after the review, so neither a check of the
/// change nor a run before the merge.
pub(super) const PULL_REQUEST_CLOSED: &str = "pull_request closed";

/// What reading a pipeline needs besides its text.
#[derive(Debug, Clone, Copy)]
pub struct Reading<'a> {
    /// What well-known shared steps run.
    pub steps: &'a Steps,
    /// The repository's own path on GitHub (`acme/payments`), when its remote names it:
    /// an action or reusable workflow of its own called by that name is read from the tree.
    pub own_repository: Option<&'a str>,
}

impl<'a> Reading<'a> {
    /// With these shared steps, of a repository whose remote names none.
    pub fn of(steps: &'a Steps) -> Reading<'a> {
        Reading {
            steps,
            own_repository: None,
        }
    }
}

/// Reads a pipeline of the given format. Every command that runs a script of the repository
/// also names it in `includes`.
pub fn read(format: Format, text: &str, reading: &Reading) -> Result<Pipeline, ParseError> {
    let mut pipeline = match format {
        Format::System(system) => (system.read)(text, reading)?,
        Format::Script => script::read(text),
        Format::Other => {
            let mut pipeline = Pipeline::default();
            // A ytt template (Concourse pipelines rendered by `ytt | fly set-pipeline`) gives
            // a key once per branch of its `#@ if`: each is kept, none is an error.
            let root = if is_ytt_template(text) {
                yaml::parse_keeping_repeated_keys(text)?
            } else {
                yaml::parse_documents(text)?
            };
            keyed::read(&root, &mut pipeline);
            pipeline
        }
    };
    let scripts: Vec<Located> = pipeline
        .commands
        .iter()
        .flat_map(|command| {
            script_references(&command.text)
                .into_iter()
                .map(|path| Located::new(path, command.line))
        })
        .collect();
    pipeline.includes.extend(scripts);
    Ok(pipeline)
}

/// Whether `text` is a ytt template: a line of it is a ytt directive (`#@ load(`, `#@ def`,
/// `#@ if`, `#@ end`, `#@overlay/match`), not only a comment that starts with `#@`.
fn is_ytt_template(text: &str) -> bool {
    const DIRECTIVES: &[&str] = &[
        "load(",
        "def ",
        "end",
        "if ",
        "elif ",
        "else:",
        "for ",
        "overlay/",
        "data/",
        "yaml/",
        "template/",
        "schema/",
        "library/",
    ];
    text.lines().any(|line| {
        line.trim_start().strip_prefix("#@").is_some_and(|rest| {
            let rest = rest.trim_start();
            DIRECTIVES
                .iter()
                .any(|directive| rest.starts_with(directive))
        })
    })
}

/// How long a command references are replaced in may grow.
const REFERENCES_REPLACED_BYTES: usize = 1 << 20;

/// `text` with each reference between `delimiters` whose inside `name` reads as a name
/// `values` holds replaced by its value, in one pass (a value naming another reference is not
/// expanded again); any other reference is left as written. Tekton's `$(params.NAME)`,
/// CircleCI's `<< parameters.NAME >>`. The output grows to about `REFERENCES_REPLACED_BYTES`
/// at most.
pub(super) fn references_replaced<'t>(
    text: &'t str,
    (open, close): (&str, &str),
    name: impl Fn(&str) -> Option<&str>,
    values: &HashMap<&str, &str>,
) -> String {
    let delimited = |after: &'t str| -> Option<(&'t str, usize)> {
        let (inside, _) = after.split_once(close)?;
        Some((name(inside)?, inside.len() + close.len()))
    };
    references_read_replaced(text, open, delimited, values)
}

/// [`references_replaced`] for references that `reference` reads from the text after each
/// `open`: the name, and how many bytes past `open` the reference takes (Groovy's `$name` ends
/// with the name, `${name}` at its brace).
pub(super) fn references_read_replaced<'t>(
    text: &'t str,
    open: &str,
    reference: impl Fn(&'t str) -> Option<(&'t str, usize)>,
    values: &HashMap<&str, &str>,
) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    // (Past a bound, the rest stays as written: a long value referenced thousands of times
    // would make a command of gigabytes.)
    while out.len() < REFERENCES_REPLACED_BYTES
        && let Some(at) = rest.find(open)
    {
        out.push_str(&rest[..at]);
        let after = &rest[at + open.len()..];
        let value =
            reference(after).and_then(|(name, length)| Some((values.get(name)?, &after[length..])));
        match value {
            Some((value, tail)) => {
                out.push_str(value);
                rest = tail;
            }
            None => {
                out.push_str(open);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// `command` as a run allowed to fail reads (`pytest || true # continue-on-error`, the
/// setting that allows it named), its own trailing comment left out so that the `|| true` is
/// not commented out.
pub(super) fn allowed_to_fail(command: &mut Located, setting: &str) {
    if let Some(comment) = command.text.find(" #") {
        command.text.truncate(comment);
    }
    // Each command of a list (`pytest && echo ok`) is allowed to fail, as the step is.
    let lists: Vec<String> = command
        .text
        .split("&&")
        .map(|list| {
            list.split(';')
                .map(str::trim)
                .filter(|part| !part.is_empty())
                .map(|part| format!("{part} || true"))
                .collect::<Vec<_>>()
                .join("; ")
        })
        .filter(|list| !list.is_empty())
        .collect();
    command.text = format!("{} # {setting}", lists.join(" && "));
}

/// The commands of a shell list (`a && b; c`), each trimmed: judged one at a time, so
/// `echo Testing && go test ./...` runs the tests and `pip install x && pytest` is more than
/// an install. `||` stays inside its command: `pytest || true` cannot fail the build. An
/// expression's `&&` (`${{ github.event_name == 'push' && github.head_ref }}`) is no list.
pub fn segments(command: &str) -> impl Iterator<Item = &str> {
    let mut rest = command;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let (segment, after) = split_list(rest);
        rest = after;
        Some(segment)
    })
    .map(str::trim)
    .filter(|segment| !segment.is_empty())
}

/// The first command of the list `text` and what follows its `&&` or `;`, outside
/// `${{ … }}` expressions.
fn split_list(text: &str) -> (&str, &str) {
    let bytes = text.as_bytes();
    let mut in_expression = false;
    let mut at = 0;
    while at < bytes.len() {
        if in_expression {
            if bytes[at..].starts_with(b"}}") {
                in_expression = false;
                at += 2;
                continue;
            }
        } else if bytes[at..].starts_with(b"${{") && text[at..].contains("}}") {
            // (Only one that closes: a literal `${{` in a shell string is text.)
            in_expression = true;
            at += 3;
            continue;
        } else if bytes[at..].starts_with(b"&&") {
            return (&text[..at], &text[at + 2..]);
        } else if bytes[at] == b';' {
            return (&text[..at], &text[at + 1..]);
        }
        at += 1;
    }
    (text, "")
}

/// Whether a command only installs tools (`pip install yamllint`, `cargo install
/// cargo-deny`): naming a tool there is not running it. Which commands install is rule data
/// (`@install-command`), matched Unicode-aware like any command.
pub fn is_install(command: &str) -> bool {
    static INSTALL: OnceLock<Regex> = OnceLock::new();
    INSTALL
        .get_or_init(|| Regex::new(&known().install_command).expect("built-in patterns compile"))
        .is_match(command)
}

/// A job's `environment:`, given as a name or as a map with `name:`.
pub(super) fn push_environment(into: &mut Vec<Located>, job: &Node) {
    if let Some(environment) = job.get("environment") {
        push_environment_value(into, environment);
    }
}

pub(super) fn push_environment_value(into: &mut Vec<Located>, environment: &Node) {
    match &environment.value {
        Value::Scalar(_) => push_scalar(into, environment),
        Value::Map(_) => {
            if let Some(name) = environment.get("name") {
                push_scalar(into, name);
            }
        }
        Value::Null | Value::Seq(_) => {}
    }
}

/// A scalar fact (an action, an environment, a stage, a task name) as one line: a line feed
/// or other control character in it (`"test\n::error::…"`) is a space, so that quoting it
/// cannot forge a line of a report.
pub(super) fn push_scalar(into: &mut Vec<Located>, node: &Node) {
    if let Some(text) = node.as_str() {
        let text = match text.contains(char::is_control) {
            true => text.replace(char::is_control, " "),
            false => text.to_owned(),
        };
        into.push(Located::new(text, node.line));
    }
}

/// A GitLab `script`: one command or a list of them, run one after the other in one shell
/// (a `cd web` item moves the items after it).
pub(super) fn push_script(into: &mut Vec<Located>, script: &Node) {
    let mut walk = Walk::from(Place::root());
    for item in script.items() {
        if let Some(text) = item.as_str() {
            push_lines_walking(into, text, item.line, &mut walk);
        }
    }
}

/// The lines of a (possibly multi-line) command. serde-saphyr places a block scalar
/// (`run: |`) on its first content line.
pub(super) fn push_commands(into: &mut Vec<Located>, node: &Node) {
    push_commands_in(into, node, &Place::root());
}

/// [`push_commands`], starting in `place`.
pub(super) fn push_commands_in(into: &mut Vec<Located>, node: &Node, place: &Place) {
    if let Some(text) = node.as_str() {
        push_lines_in(into, text, node.line, place.clone());
    }
}

/// Each non-blank, non-comment line of a shell script that starts on `first_line`.
pub(super) fn push_lines(into: &mut Vec<Located>, script: &str, first_line: u32) {
    push_lines_in(into, script, first_line, Place::root());
}

/// Each non-blank, non-comment line of a shell script that starts on `first_line` in
/// `place`, as run from the root: after a `cd web` line, `npm test` is `cd web && npm test`.
/// Only a line at the script's own indentation moves the lines after it: a `cd` in a
/// function, a loop or a branch (indented) may not run, or not before them. A line going
/// where opslint cannot name (`cd $DIR`, often the script's own folder) leaves the lines
/// after it at the root, as if it had not moved.
pub(super) fn push_lines_in(into: &mut Vec<Located>, script: &str, first_line: u32, place: Place) {
    push_lines_walking(into, script, first_line, &mut Walk::from(place));
}

/// [`push_lines_in`], from where `walk` is, leaving it where the script's last line is.
fn push_lines_walking(into: &mut Vec<Located>, script: &str, first_line: u32, walk: &mut Walk) {
    let indentation = |line: &str| line.len() - line.trim_start().len();
    let outermost = script
        .lines()
        .filter(|line| !line.trim().is_empty() && !line.trim().starts_with('#'))
        .map(indentation)
        .min()
        .unwrap_or(0);
    let mut push = |command: &str, at: u32, outer: bool| {
        into.push(Located::new(walk.place.from_root(command), at));
        if outer {
            walk.through(command);
            if walk.place.folder().is_none() {
                *walk = Walk::from(Place::root());
            }
        }
    };
    // A line ending in `\` continues on the next (`./gradlew \` then `  test`): one
    // command, at the line it starts on.
    let mut pending: Option<(String, u32, bool)> = None;
    // The body of a here-document (`cat > notes.md <<EOF`) is text, not commands — unless
    // a shell reads it (`bash <<EOF`, `ssh host <<'EOF'`).
    let mut text_until: Option<String> = None;
    for (offset, line) in script.lines().enumerate() {
        let line_number = first_line.saturating_add(u32::try_from(offset).unwrap_or(u32::MAX));
        let piece = line.trim();
        if let Some(delimiter) = &text_until {
            if piece == delimiter {
                text_until = None;
            }
            continue;
        }
        let (mut command, at, outer) = match pending.take() {
            Some(started) => started,
            None if piece.is_empty() || piece.starts_with('#') => continue,
            None => (String::new(), line_number, indentation(line) <= outermost),
        };
        match piece.strip_suffix('\\') {
            Some(head) => {
                command.push_str(head.trim_end());
                command.push(' ');
                pending = Some((command, at, outer));
            }
            None => {
                command.push_str(piece);
                text_until = text_document(&command);
                push(command.trim_end(), at, outer);
            }
        }
    }
    if let Some((command, at, outer)) = pending {
        push(command.trim_end(), at, outer);
    }
}

/// The delimiter of a here-document `command` opens whose body is text (`cat > f <<EOF`,
/// `tee f <<-'EOF'`); none for a here-string (`<<<`) or a body a shell runs (`bash <<EOF`,
/// `ssh host <<EOF`, `docker exec -i db sh <<EOF`).
fn text_document(command: &str) -> Option<String> {
    static OPENS: OnceLock<Regex> = OnceLock::new();
    static SHELL: OnceLock<Regex> = OnceLock::new();
    let opens = OPENS.get_or_init(|| {
        Regex::new(r#"(?:^|[^<])<<-?\s*(?:'(\w+)'|"(\w+)"|(\w+))"#).expect("valid regex")
    });
    let shell = SHELL.get_or_init(|| {
        Regex::new(r"(^|[\s;&|(])(\S*/)?((ba|z|da|k)?sh|ssh|pwsh|python\d?|node|ruby|perl|psql|mysql)(\s|$)")
            .expect("valid regex")
    });
    // Not a template's placeholder that looks like one: CircleCI's `<<parameters.stage>>` and
    // `<< pipeline.git.tag >>` are filled in before the shell runs.
    let found = opens.captures_iter(command).find(|found| {
        let after = &command[found.get(0).map_or(0, |whole| whole.end())..];
        !after.starts_with(['.', '>'])
    })?;
    let before = &command[..found.get(0)?.start()];
    if shell.is_match(before) {
        return None;
    }
    found
        .iter()
        .skip(1)
        .flatten()
        .next()
        .map(|delimiter| delimiter.as_str().to_owned())
}

/// Calls `each` on every node of the tree, keys included.
pub(super) fn visit(node: &Node, each: &mut impl FnMut(&Node)) {
    each(node);
    match &node.value {
        Value::Seq(items) => items.iter().for_each(|item| visit(item, each)),
        Value::Map(entries) => {
            for (key, value) in entries {
                visit(key, each);
                visit(value, each);
            }
        }
        Value::Null | Value::Scalar(_) => {}
    }
}

/// Calls `each` on every map entry of the tree.
pub(super) fn visit_entries(node: &Node, each: &mut impl FnMut(&Node, &Node)) {
    match &node.value {
        Value::Seq(items) => items.iter().for_each(|item| visit_entries(item, each)),
        Value::Map(entries) => {
            for (key, value) in entries {
                each(key, value);
                visit_entries(value, each);
            }
        }
        Value::Null | Value::Scalar(_) => {}
    }
}

/// Facts with their lines, for the readers' tests.
#[cfg(test)]
fn texts(located: &[Located]) -> Vec<(&str, u32)> {
    located
        .iter()
        .map(|fact| (fact.text.as_str(), fact.line))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_replaced_once_and_within_a_bound() {
        let values = HashMap::from([("a", "x$(params.b)"), ("b", "y")]);
        fn named(inside: &str) -> Option<&str> {
            Some(inside)
        }
        assert_eq!(
            references_replaced(
                "$(params.a) $(params.c)",
                ("$(params.", ")"),
                named,
                &values
            ),
            "x$(params.b) $(params.c)"
        );
        let long = "z".repeat(10_000);
        let values = HashMap::from([("a", long.as_str())]);
        let text = "$(params.a)".repeat(5_000);
        let out = references_replaced(&text, ("$(params.", ")"), named, &values);
        assert!(out.len() < REFERENCES_REPLACED_BYTES + long.len() + text.len());
    }

    #[test]
    fn a_list_splits_at_its_operators_not_inside_an_expression() {
        let list = "cd web && npm ci; npm test";
        assert_eq!(
            segments(list).collect::<Vec<_>>(),
            ["cd web", "npm ci", "npm test"]
        );
        let expression = "echo ${{ a == 'b' && github.head_ref || 'c;d' }} && make";
        assert_eq!(
            segments(expression).collect::<Vec<_>>(),
            ["echo ${{ a == 'b' && github.head_ref || 'c;d' }}", "make"]
        );
        // A `${{` that never closes is text: the list goes on after it.
        assert_eq!(
            segments("echo '${{' && pytest").collect::<Vec<_>>(),
            ["echo '${{'", "pytest"]
        );
    }

    /// Reads with no shared steps known.
    fn read(format: Format, text: &str) -> Result<Pipeline, ParseError> {
        super::read(format, text, &Reading::of(&Steps::new()))
    }

    #[test]
    fn github_triggers_in_each_form() {
        for (on, expected) in [
            ("on: pull_request\n", vec![("pull_request", 1)]),
            (
                "on: [push, pull_request]\n",
                vec![
                    ("push", 1),
                    ("push to every branch", 1),
                    ("pull_request", 1),
                ],
            ),
            (
                "on:\n  push:\n    branches: [main]\n  pull_request:\n",
                vec![("push", 2), ("pull_request", 4)],
            ),
            (
                "on:\n  push:\n    branches-ignore: [gh-pages]\n",
                vec![("push", 2), ("push to every branch", 2)],
            ),
            (
                "on:\n  push:\n    tags: [v*]\n",
                vec![("push", 2), ("tag", 3)],
            ),
        ] {
            let workflow = format!("{on}jobs:\n  test:\n    runs-on: ubuntu-latest\n");
            let pipeline = read(Format::System(&github::SYSTEM), &workflow).unwrap();
            assert_eq!(texts(&pipeline.triggers), expected, "{on}");
        }
    }

    #[test]
    fn continued_lines_are_one_command_at_the_line_it_starts() {
        let text = "set -e\n./gradlew \\\n  --warning-mode all \\\n  test\n\n# done\necho \\\n";
        let pipeline = read(Format::Script, text).unwrap();
        assert_eq!(
            texts(&pipeline.commands),
            [
                ("set -e", 1),
                ("./gradlew --warning-mode all test", 2),
                ("echo", 7)
            ]
        );
    }

    #[test]
    fn github_commands_and_uses_with_lines() {
        let text = "on: push\njobs:\n  test:\n    steps:\n      - uses: actions/checkout@v4\n      - run: |\n          cargo build\n          cargo test\n  call:\n    uses: org/repo/.github/workflows/x.yml@main\n";
        let pipeline = read(Format::System(&github::SYSTEM), text).unwrap();
        assert_eq!(
            texts(&pipeline.commands),
            [("cargo build", 7), ("cargo test", 8)]
        );
        assert_eq!(
            texts(&pipeline.uses),
            [
                ("actions/checkout@v4", 5),
                ("org/repo/.github/workflows/x.yml@main", 10)
            ]
        );
    }

    #[test]
    fn a_known_github_action_runs_its_commands_with_its_inputs() {
        let steps = Steps::from([(
            "github:docker/build-push-action".to_owned(),
            "docker buildx build --push={push|false}".to_owned(),
        )]);
        let text = "on: push\njobs:\n  image:\n    steps:\n      - uses: docker/build-push-action@v6\n        with:\n          PUSH: true\n      - uses: Docker/Build-Push-Action@v6\n      - uses: other/action@v1\n";
        let pipeline =
            super::read(Format::System(&github::SYSTEM), text, &Reading::of(&steps)).unwrap();
        // Names and inputs are matched in any letter case, as GitHub does; a missing one takes the
        // default; an action not in the data runs nothing opslint knows of.
        assert_eq!(
            texts(&pipeline.commands),
            [
                ("docker buildx build --push=true", 5),
                ("docker buildx build --push=false", 8)
            ]
        );
        assert_eq!(
            pipeline.job_note(0),
            Some("through the action `docker/build-push-action`")
        );
    }

    #[test]
    fn github_reusable_workflows_and_matrices() {
        let text = "on: pull_request\njobs:\n  local:\n    uses: ./.github/workflows/test.yml\n  remote:\n    uses: org/ci/.github/workflows/build.yml@v2\n  test:\n    strategy:\n      matrix:\n        os: [ubuntu-latest, macos-latest, windows-latest]\n        python: ['3.12', '3.13']\n        include:\n          - os: ubuntu-latest\n            python: '3.14'\n    steps:\n      - run: pytest\n  lint:\n    steps:\n      - run: ruff check\n  plan:\n    strategy:\n      matrix: ${{ fromJSON(needs.setup.outputs.matrix) }}\n    steps:\n      - run: make test\n";
        let pipeline = read(Format::System(&github::SYSTEM), text).unwrap();
        assert_eq!(
            texts(&pipeline.includes),
            [(".github/workflows/test.yml", 4)]
        );
        assert_eq!(
            texts(&pipeline.indirect),
            [(
                "the reusable workflow org/ci/.github/workflows/build.yml@v2",
                6
            )]
        );
        assert_eq!(pipeline.job_note(0), Some("matrix: os (3) × python (2)"));
        assert_eq!(pipeline.job_note(1), None, "ruff runs once");
        assert_eq!(pipeline.job_note(2), Some("matrix: computed"));
    }

    #[test]
    fn gitlab_scripts_and_merge_request_rules() {
        let text = "stages: [test]\ndefault:\n  before_script:\n    - echo hi\ntest:\n  script:\n    - make test\n  rules:\n    - if: $CI_PIPELINE_SOURCE == \"merge_request_event\"\n";
        let pipeline = read(Format::System(&gitlab::SYSTEM), text).unwrap();
        assert_eq!(texts(&pipeline.stages), [("test", 1)]);
        assert_eq!(pipeline.job_note(0), Some("stage test"));
        assert_eq!(
            texts(&pipeline.commands),
            [("make test", 7), ("echo hi", 4)]
        );
        assert_eq!(
            texts(&pipeline.triggers),
            [("push", 1), ("merge_request", 9)]
        );
    }

    #[test]
    fn gitlab_rules_asking_for_a_merge_request_id() {
        let text = "workflow:\n  rules:\n    - if: $CI_MERGE_REQUEST_IID\n    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH\ntest:\n  script:\n    - echo $CI_MERGE_REQUEST_IID\n  rules:\n    - if: $CI_MERGE_REQUEST_ID == null\n    - if: $CI_MERGE_REQUEST_IID == ''\n    - if: $CI_MERGE_REQUEST_IID\n      when: never\n";
        let pipeline = read(Format::System(&gitlab::SYSTEM), text).unwrap();
        assert_eq!(
            texts(&pipeline.triggers),
            [("push", 1), ("merge_request", 3)],
            "not a script that names the id, its absence, or a rule that leaves them out"
        );
    }

    #[test]
    fn other_formats_by_key_names() {
        let text = "trigger:\n  - main\npr:\n  - main\nsteps:\n  - script: npm test\n";
        let pipeline = read(Format::Other, text).unwrap();
        assert_eq!(texts(&pipeline.commands), [("npm test", 6)]);
        assert_eq!(
            texts(&pipeline.triggers),
            [("push", 1), ("pull_request", 3)]
        );
    }

    #[test]
    fn jenkinsfile_steps_and_change_requests() {
        let text = "pipeline {\n  stages {\n    stage('Test') {\n      when { changeRequest() }\n      steps {\n        sh 'make test'\n        sh \"\"\"\n          ./gradlew check\n        \"\"\"\n      }\n    }\n  }\n}\n";
        let pipeline = read(Format::System(&jenkins::SYSTEM), text).unwrap();
        assert_eq!(
            texts(&pipeline.commands),
            [("make test", 6), ("./gradlew check", 8)]
        );
        assert_eq!(
            texts(&pipeline.triggers),
            [("push", 1), ("pull_request", 4)]
        );
    }

    #[test]
    fn jenkinsfile_comments_run_nothing() {
        let text = "// sh 'make test'\nnode {\n  /* if (env.CHANGE_ID) {\n  sh 'make e2e' } */\n  sh 'curl https://example.org/x // y' // fetch\n  sh '''\n    echo '//' && make lint\n  '''\n}\n";
        let pipeline = read(Format::System(&jenkins::SYSTEM), text).unwrap();
        assert_eq!(
            texts(&pipeline.commands),
            [
                ("curl https://example.org/x // y", 5),
                ("echo '//' && make lint", 7)
            ]
        );
        assert_eq!(texts(&pipeline.triggers), [("push", 1)]);
    }

    #[test]
    fn a_slashy_string_or_a_gstring_opens_no_comment() {
        let text = "def base = env.URL.replaceAll(/\\/*$/, '')\nnode {\n  sh \"rm -rf ${params.OUT ?: \"build/*\"}\"\n  sh 'make test'\n}\r// old\rsh 'make lint'\r";
        let pipeline = read(Format::System(&jenkins::SYSTEM), text).unwrap();
        let commands: Vec<&str> = pipeline.commands.iter().map(|c| c.text.as_str()).collect();
        assert!(commands.contains(&"make test"), "{commands:?}");
        assert!(commands.contains(&"make lint"), "{commands:?}");
    }

    #[test]
    fn github_tag_pushes_releases_and_environments() {
        let text = "on:\n  push:\n    tags: ['v*']\n  release:\n    types: [published]\njobs:\n  deploy:\n    environment: production\n    steps: []\n  docs:\n    environment:\n      name: github-pages\n";
        let pipeline = read(Format::System(&github::SYSTEM), text).unwrap();
        assert_eq!(
            texts(&pipeline.triggers),
            [("push", 2), ("tag", 3), ("release", 4)]
        );
        assert_eq!(
            texts(&pipeline.environments),
            [("production", 8), ("github-pages", 12)]
        );
    }

    #[test]
    fn gitlab_includes_environments_and_tag_pipelines() {
        let text = "include:\n  - local: /ci/build.yml\n  - template: Security/SAST.gitlab-ci.yml\n  - project: group/ci\n    file: [/deploy.yml]\n  - component: $CI_SERVER_FQDN/org/scan@1.0\n  - ci/other.yml\nafter_script:\n  - echo done\ndeploy:\n  script: [helm upgrade app chart]\n  environment:\n    name: production\n  rules:\n    - if: $CI_COMMIT_TAG\n    - if: $CI_COMMIT_TAG == null\npages:\n  script: [make]\n  only: [tags]\n";
        let pipeline = read(Format::System(&gitlab::SYSTEM), text).unwrap();
        assert_eq!(
            texts(&pipeline.includes),
            [("/ci/build.yml", 2), ("ci/other.yml", 7)]
        );
        assert_eq!(
            texts(&pipeline.uses),
            [
                ("Security/SAST.gitlab-ci.yml", 3),
                ("group/ci/deploy.yml", 5),
                ("$CI_SERVER_FQDN/org/scan@1.0", 6)
            ]
        );
        assert_eq!(texts(&pipeline.environments), [("production", 13)]);
        assert_eq!(
            texts(&pipeline.commands),
            [
                ("echo done", 9),
                ("helm upgrade app chart", 11),
                ("make", 18)
            ]
        );
        assert_eq!(
            texts(&pipeline.triggers),
            [("tag", 19), ("push", 1), ("tag", 15)]
        );
    }

    /// Fresh set 15 (cloudfoundry/bosh-bootloader): a ytt template repeats a key in each
    /// branch of an `#@ if`; that is no parse error.
    #[test]
    fn a_ytt_template_may_repeat_keys() {
        let template = "#@ def job(name):\nname: #@ name\nplan:\n#@ if True:\n- task: a\n  params: {X: 1}\n  params: {X: 2}\n#@ end\n#@ end\njobs:\n- run: {path: ci/test.sh}\n";
        assert!(read(Format::Other, template).is_ok());
        let plain = template.replace("#@ ", "# ");
        assert!(read(Format::Other, &plain).is_err());
        // Red team: a comment that happens to start with `#@` is no template.
        let commented = format!("#@ owner: platform team\n{plain}");
        assert!(read(Format::Other, &commented).is_err());
    }

    /// Fresh set 15 (openshift/source-to-image): a Tekton Task's script runs its param's
    /// default, `make test`.
    #[test]
    fn tekton_params_read_as_their_defaults() {
        let task = "apiVersion: tekton.dev/v1beta1\nkind: Task\nspec:\n  params:\n    - name: TEST_COMMAND\n      default: make test\n    - name: IMAGE\n  steps:\n    - name: run-tests\n      image: $(params.IMAGE)\n      script: |\n        #!/usr/bin/env sh\n        $(params.TEST_COMMAND)\n";
        let pipeline = read(Format::Other, task).unwrap();
        assert!(
            texts(&pipeline.commands).contains(&("make test", 13)),
            "{:?}",
            texts(&pipeline.commands)
        );
        // Red team: a default naming another param is replaced once, not again and again.
        let mut chain = String::from("apiVersion: tekton.dev/v1\nkind: Task\nspec:\n  params:\n");
        for index in 0..40 {
            chain.push_str(&format!(
                "    - {{name: p{index}, default: \"$(params.p{next}) $(params.p{next})\"}}\n",
                next = index + 1
            ));
        }
        chain.push_str("  steps: [{name: s, image: alpine, script: \"$(params.p0)\"}]\n");
        let pipeline = read(Format::Other, &chain).unwrap();
        assert!(pipeline.commands.iter().all(|c| c.text.len() < 100));
        // A run's value wins over the default; a value a caller passes leaves the default out.
        let run = "kind: PipelineRun\nspec:\n  params: [{name: CMD, value: make lint}]\n  pipelineSpec:\n    params: [{name: CMD, default: make test}]\n    tasks:\n      - name: t\n        taskSpec:\n          steps: [{name: s, script: $(params.CMD)}]\n";
        let pipeline = read(Format::Other, run).unwrap();
        assert!(
            texts(&pipeline.commands)
                .iter()
                .any(|(text, _)| *text == "make lint")
        );
        assert!(
            texts(&pipeline.commands)
                .iter()
                .all(|(text, _)| *text != "make test")
        );
        let passed = "kind: Pipeline\nspec:\n  tasks:\n    - name: t\n      taskRef: {name: t}\n      params: [{name: CMD, value: make lint}]\n---\nkind: Task\nspec:\n  params: [{name: CMD, default: make test}]\n  steps: [{name: s, script: $(params.CMD)}]\n";
        let pipeline = read(Format::Other, passed).unwrap();
        assert!(
            texts(&pipeline.commands)
                .iter()
                .all(|(text, _)| *text != "make test")
        );
    }

    #[test]
    fn drone_pipelines_without_event_triggers_run_on_pull_requests() {
        let every =
            "kind: pipeline\ntype: docker\nsteps:\n  - name: test\n    commands: [npm test]\n";
        let pipeline = read(Format::Other, every).unwrap();
        assert_eq!(texts(&pipeline.triggers), [("pull_request", 1)]);
        let plugin = "steps:\n  release:\n    image: woodpeckerci/plugin-release:1\n    settings:\n      api_key: x\n  test:\n    image: golang:1\n    commands: [go test ./...]\n";
        let pipeline = read(Format::Other, plugin).unwrap();
        assert_eq!(
            texts(&pipeline.uses),
            [("woodpeckerci/plugin-release:1", 3)]
        );
        let excluded = format!("{every}trigger:\n  event:\n    exclude: [pull_request]\n");
        let pipeline = read(Format::Other, &excluded).unwrap();
        assert!(pipeline.triggers.iter().all(|t| t.text != "pull_request"));
        let but_promote = format!("{every}trigger:\n  event:\n    exclude: [promote]\n");
        let pipeline = read(Format::Other, &but_promote).unwrap();
        assert!(texts(&pipeline.triggers).contains(&("pull_request", 1)));
        let two = format!("{every}---\n{every}---\nkind: signature\nhmac: 01ab\n");
        let pipeline = read(Format::Other, &two).unwrap();
        assert_eq!(pipeline.commands.len(), 2);
        let pushes = format!("{every}trigger:\n  event: [push]\n");
        let pipeline = read(Format::Other, &pushes).unwrap();
        assert_eq!(texts(&pipeline.triggers), [("push", 6)]);
    }

    #[test]
    fn other_formats_tags_and_deployment_environments() {
        let text = "trigger:\n  tags:\n    include: ['v*']\njobs:\n  - deployment: web\n    environment: prod\n    variables:\n      environment:\n        FOO: bar\n";
        let pipeline = read(Format::Other, text).unwrap();
        assert_eq!(texts(&pipeline.environments), [("prod", 6)]);
        assert!(texts(&pipeline.triggers).contains(&("tag", 2)));
        let drone = "steps:\n  - name: publish\n    commands: [docker push x]\n    when:\n      event: [tag]\n";
        let pipeline = read(Format::Other, drone).unwrap();
        assert_eq!(texts(&pipeline.triggers), [("tag", 5)]);
    }

    #[test]
    fn service_containers_in_each_form() {
        let github = "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    services:\n      db:\n        image: postgres:16\n      cache:\n        image: redis\n    steps:\n      - run: pytest\n";
        let pipeline = read(Format::System(&github::SYSTEM), github).unwrap();
        assert_eq!(
            texts(&pipeline.services),
            [("postgres:16", 7), ("redis", 9)]
        );
        let gitlab = "test:\n  services:\n    - mysql:8\n    - name: docker:dind\n      alias: docker\n  script: [make test]\n";
        let pipeline = read(Format::System(&gitlab::SYSTEM), gitlab).unwrap();
        assert_eq!(
            texts(&pipeline.services),
            [("mysql:8", 3), ("docker:dind", 4)]
        );
        // CircleCI: the first image runs the steps, the next ones are services.
        let circleci = "version: 2.1\njobs:\n  test:\n    docker:\n      - image: cimg/ruby:3.3\n      - image: cimg/postgres:16.1\n    steps: [checkout]\n";
        let pipeline = read(Format::System(&circleci::SYSTEM), circleci).unwrap();
        assert_eq!(texts(&pipeline.services), [("cimg/postgres:16.1", 6)]);
        // A matrix's or a variable's values are data, not containers.
        let data = "on: push\njobs:\n  test:\n    strategy:\n      matrix:\n        services: [postgres]\n        docker: [ubuntu, mysql]\n    steps:\n      - uses: x/y@v1\n        with:\n          services: redis\n";
        let pipeline = read(Format::System(&github::SYSTEM), data).unwrap();
        assert!(pipeline.services.is_empty(), "{:?}", pipeline.services);
        let travis = "language: ruby\nservices:\n  - postgresql\n";
        let pipeline = read(Format::System(&travis::SYSTEM), travis).unwrap();
        assert_eq!(texts(&pipeline.services), [("postgresql", 3)]);
    }

    #[test]
    fn an_argument_vector_is_also_one_command() {
        let buildkite = "steps:\n  - plugins:\n      - docker-compose#v5:\n          command: [\"bats\", \"tests\", \"tests/v1\"]\n  - command:\n      - make lint\n      - ./test.sh\n";
        let pipeline = read(Format::Other, buildkite).unwrap();
        let commands: Vec<&str> = pipeline.commands.iter().map(|c| c.text.as_str()).collect();
        assert!(commands.contains(&"bats tests tests/v1"), "{commands:?}");
        assert!(commands.contains(&"./test.sh"), "{commands:?}");
        assert!(!commands.contains(&"make lint ./test.sh"), "{commands:?}");
    }

    #[test]
    fn a_shell_script_given_as_arguments() {
        let cloudbuild = "steps:\n- id: test\n  name: gcr.io/x/tools\n  args: ['/bin/bash', '-c', 'cd test && go test ./...']\n";
        let pipeline = read(Format::Other, cloudbuild).unwrap();
        assert_eq!(texts(&pipeline.commands), [("cd test && go test ./...", 4)]);
    }

    #[test]
    fn bazel_ci_test_targets_are_a_bazel_test() {
        let presubmit = "tasks:\n  ubuntu:\n    build_targets: ['//...']\n    test_targets:\n      - '//tests/...'\n";
        let pipeline = read(Format::Other, presubmit).unwrap();
        assert_eq!(texts(&pipeline.commands), [("bazel test //tests/...", 4)]);
    }

    #[test]
    fn concourse_tasks_run_from_files() {
        let concourse = "resources:\n- name: tests-timer\n  type: time\njobs:\n- name: smoke-test\n  plan:\n  - task: verify-dns\n    file: src/ci/verify.yml\n  - task: unit-test\n    config:\n      run: {path: echo}\n";
        let pipeline = read(Format::Other, concourse).unwrap();
        assert_eq!(texts(&pipeline.hidden_tasks), [("verify-dns", 7)]);
        let buildkite = "steps:\n  - label: Test\n    command: echo\n";
        let pipeline = read(Format::Other, buildkite).unwrap();
        assert!(
            pipeline.hidden_tasks.is_empty(),
            "a step whose commands are visible"
        );
    }

    #[test]
    fn concourse_task_files_run_their_shell_scripts_from_the_repository_root() {
        let task = "platform: linux\ninputs:\n  - name: ledger\n  - name: tools\nrun:\n  path: bash\n  args:\n    - -exc\n    - |\n      /start.sh\n      ledger/ci/unit.sh --fast\n      cp tools/x ledger-x/y\n";
        let pipeline = read(Format::Other, task).unwrap();
        assert_eq!(
            texts(&pipeline.commands),
            [
                ("/start.sh", 10),
                ("ci/unit.sh --fast", 11),
                ("cp x ledger-x/y", 12)
            ]
        );
        assert_eq!(texts(&pipeline.includes), [("ci/unit.sh", 11)]);
        // A program run with its arguments is one command; an input's name inside a word is
        // not its folder.
        let task =
            "inputs: [{name: src}]\nrun:\n  path: src/ci/test.sh\n  args: [--dir, mysrc/x]\n";
        let pipeline = read(Format::Other, task).unwrap();
        assert_eq!(texts(&pipeline.commands), [("ci/test.sh --dir mysrc/x", 3)]);
    }

    #[test]
    fn jenkins_tag_conditions() {
        let text = "stage('Release') {\n  when { buildingTag() }\n  steps { sh 'make release' }\n}\nstage('X') { when { tag \"v*\" } }\n";
        let pipeline = read(Format::System(&jenkins::SYSTEM), text).unwrap();
        assert_eq!(
            texts(&pipeline.triggers),
            [("push", 1), ("tag", 2), ("tag", 5)]
        );
    }

    #[test]
    fn github_job_permissions_inherit_from_the_workflow() {
        let text = "on: push\npermissions:\n  contents: read\njobs:\n  test:\n    runs-on: x\n  release:\n    permissions: write-all\n  none:\n    permissions: {}\n";
        let pipeline = read(Format::System(&github::SYSTEM), text).unwrap();
        assert_eq!(
            texts(&pipeline.permissions),
            [("contents: read", 5), ("write-all", 7), ("none", 9)]
        );
        let bare = read(
            Format::System(&github::SYSTEM),
            "on: push\njobs:\n  test:\n    runs-on: x\n",
        )
        .unwrap();
        assert_eq!(texts(&bare.permissions), [("default", 3)]);
    }

    #[test]
    fn installing_a_tool_is_not_running_it() {
        for install in [
            "pip3 install yamllint",
            "python -m pip install pytest",
            "cargo install cargo-deny --locked",
            "sudo apt-get install -y shellcheck",
            "npm i -g jest",
            "go install gotest.tools/gotestsum@latest",
            "npx playwright install --with-deps",
        ] {
            assert!(is_install(install), "{install}");
        }
        for run in [
            "yamllint .",
            "cargo deny check",
            "npm test",
            "go test ./...",
            "npx playwright test",
        ] {
            assert!(!is_install(run), "{run}");
        }
    }

    #[test]
    fn a_malformed_pipeline_is_an_error_with_a_line() {
        let error = read(Format::System(&github::SYSTEM), "on: push\njobs: [\n").unwrap_err();
        assert!(error.line.is_some());
    }
}

#[cfg(test)]
mod here_documents {
    use super::*;

    fn lines(script: &str) -> Vec<String> {
        let mut commands = Vec::new();
        push_lines(&mut commands, script, 1);
        commands.into_iter().map(|command| command.text).collect()
    }

    #[test]
    fn a_here_document_body_is_text_unless_a_shell_reads_it() {
        let written = "cat > notes.md <<'EOF'\npytest\n./run-tests.sh\nEOF\ncargo build";
        assert_eq!(lines(written), ["cat > notes.md <<'EOF'", "cargo build"]);
        let indented = "tee f <<-EOF\n\tpytest\n\tEOF\nmake";
        assert_eq!(lines(indented), ["tee f <<-EOF", "make"]);
        let run = "ssh ci@host <<EOF\npytest\nEOF";
        assert_eq!(lines(run), ["ssh ci@host <<EOF", "pytest", "EOF"]);
        let placeholder = "aws ssm get-parameter --name /<<parameters.stage>>/key ;\npytest";
        assert_eq!(
            lines(placeholder),
            [
                "aws ssm get-parameter --name /<<parameters.stage>>/key ;",
                "pytest"
            ]
        );
        let spaced = "echo << pipeline.git.tag >>\npytest";
        assert_eq!(lines(spaced), ["echo << pipeline.git.tag >>", "pytest"]);
        let here_string = "grep x <<< \"$LOG\"\npytest";
        assert_eq!(lines(here_string), ["grep x <<< \"$LOG\"", "pytest"]);
    }
}

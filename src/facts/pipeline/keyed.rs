//! The YAML formats read by key names rather than by their schema: Bitbucket Pipelines,
//! Drone, Woodpecker, Tekton, Cirrus (`*_script`), AppVeyor (`test_script: [ps: …]`),
//! Concourse (`run: {path, args}`), Amplify, Cloud Build, CodeBuild, SourceHut (`tasks:`);
//! and the keys Azure Pipelines, CircleCI, Buildkite and Travis share with them.

use std::collections::HashMap;

use super::{
    EVERY_BRANCH, Located, Pipeline, Place, push_commands, push_commands_in,
    push_environment_value, push_lines_in, visit, visit_entries,
};
use crate::facts::yaml::{Node, Value};

/// Keys under which other formats keep shell commands.
const COMMAND_KEYS: &[&str] = &[
    "script",
    "run",
    "command",
    "commands",
    "bash",
    "pwsh",
    "powershell",
    "cmd",
    "ps",
    "sh",
];

/// A key that holds commands: one of [`COMMAND_KEYS`], or Cirrus' and AppVeyor's
/// `<name>_script` (`test_script`, `build_script`).
fn holds_commands(name: &str) -> bool {
    COMMAND_KEYS.contains(&name) || name.ends_with("_script")
}

/// The commands whose step names the folder they run in, beside them: Azure's
/// `workingDirectory:` and CircleCI's `working_directory:` (relative to the checkout).
/// Each by address: the nodes of the one tree being read.
fn working_directories(root: &Node) -> Vec<(*const Node, Place)> {
    let mut found = Vec::new();
    visit(root, &mut |node| {
        let Some(folder) = ["workingDirectory", "working_directory"]
            .iter()
            .find_map(|key| node.get(key)?.as_str())
        else {
            return;
        };
        let mut place = Place::root();
        place.moves(&["cd", folder]);
        for (key, value) in node.entries() {
            if key.as_str().is_some_and(holds_commands) {
                found.push((std::ptr::from_ref(value), place.clone()));
            }
        }
    });
    found
}

/// The script a Concourse task's `run:` gives a shell: the argument after its `-c` flag,
/// alone or among others (`-exc`).
fn shell_script(run: &Node) -> Option<&Node> {
    let path = run.get("path")?.as_str()?;
    let shell = path.rsplit('/').next().unwrap_or(path);
    if !matches!(shell, "bash" | "sh" | "ash" | "dash" | "zsh") {
        return None;
    }
    let args = run.get("args")?.items();
    let flag = args.iter().position(|arg| {
        arg.as_str().is_some_and(|arg| {
            arg.starts_with('-') && !arg.starts_with("--") && arg[1..].contains('c')
        })
    })?;
    args.get(flag + 1).copied()
}

/// The names of a Concourse task's inputs: folders of its working directory, each holding a
/// resource (`inputs: [{name: dp-api}]`), this repository among them.
fn task_inputs(root: &Node) -> Vec<String> {
    let mut names = Vec::new();
    visit(root, &mut |node| {
        if node.get("run").is_none() {
            return;
        }
        let Some(inputs) = node.get("inputs") else {
            return;
        };
        for input in inputs.items() {
            if let Some(name) = input.get("name").and_then(Node::as_str)
                && !name.is_empty()
                && !name.starts_with('.')
                && !name.contains(['/', '\\'])
                && !name.contains(char::is_whitespace)
            {
                names.push(name.to_owned());
            }
        }
    });
    names
}

/// Whether `command` changes into the folder `input` (`cd repo`, `pushd repo && make`).
fn enters(command: &str, input: &str) -> bool {
    let words: Vec<&str> = command
        .split(|c: char| c.is_whitespace() || matches!(c, ';' | '&' | '|' | '(' | ')'))
        .filter(|word| !word.is_empty())
        .collect();
    words
        .windows(2)
        .any(|pair| matches!(pair[0], "cd" | "pushd") && pair[1].trim_end_matches('/') == input)
}

/// `command` with paths into the inputs holding this repository read from its root
/// (`dp-api/ci/scripts/unit.sh` is `ci/scripts/unit.sh`).
fn from_input_folders(command: &str, inputs: &[String]) -> String {
    let mut text = command.to_owned();
    for input in inputs {
        let prefix = format!("{input}/");
        let mut rewritten = String::with_capacity(text.len());
        let mut rest = text.as_str();
        while let Some(at) = rest.find(&prefix) {
            let starts_a_word = rest[..at]
                .chars()
                .next_back()
                .is_none_or(|before| before.is_whitespace() || "'\"=;&|(".contains(before));
            rewritten.push_str(&rest[..at]);
            if !starts_a_word {
                rewritten.push_str(&prefix);
            }
            rest = &rest[at + prefix.len()..];
        }
        rewritten.push_str(rest);
        text = rewritten;
    }
    text
}

/// Keys and values that mean "runs on pull requests" in other formats: Azure's `pr:`,
/// Bitbucket's `pull-requests:`, Drone's and Woodpecker's `event: pull_request`, Tekton's
/// `on-event: [pull_request]`.
pub(super) fn read(root: &Node, pipeline: &mut Pipeline) {
    super::services::read(root, &mut pipeline.services);
    let folders = working_directories(root);
    visit_entries(root, &mut |key, value| {
        let Some(name) = key.as_str() else {
            return;
        };
        // Bitbucket's `default:` pipeline runs for every branch pushed, so for a pull
        // request's before it is merged.
        if matches!(name, "pr" | "pull-requests" | "pull_request")
            || (name == "default" && key.line > 0 && is_bitbucket_default(root, key))
        {
            pipeline
                .triggers
                .push(Located::new("pull_request", key.line));
        }
        if matches!(name, "trigger" | "push") {
            pipeline.triggers.push(Located::new("push", key.line));
        }
        // Azure's `trigger: tags:`, CircleCI's `filters: tags:`, Drone's `event: tag`.
        let tags = match name {
            "trigger" | "filters" => value.key("tags").map(|tags| tags.line),
            "event" | "events" | "on-event" => value
                .items()
                .into_iter()
                .find(|event| event.as_str() == Some("tag"))
                .map(|event| event.line),
            _ => None,
        };
        if let Some(line) = tags {
            pipeline.triggers.push(Located::new("tag", line));
        }
        // Azure's deployment jobs name one; CircleCI's and Drone's `environment:` is a map
        // of variables, which has no `name`.
        if name == "environment" {
            push_environment_value(&mut pipeline.environments, value);
        }
        // Bazel CI (`.bazelci/presubmit.yml`): a task's `test_targets` are run by `bazel test`.
        if name == "test_targets" && !value.items().is_empty() {
            let targets: Vec<&str> = value.items().into_iter().filter_map(Node::as_str).collect();
            pipeline.commands.push(Located::new(
                format!("bazel test {}", targets.join(" ")),
                key.line,
            ));
        }
        // Cloud Build's and Kubernetes-style steps: `args: [bash, -c, "<script>"]` runs the
        // script.
        if name == "args" {
            let items = value.items();
            if let Some(at) = items.iter().position(|item| item.as_str() == Some("-c"))
                && let Some(script) = items.get(at + 1)
            {
                push_commands(&mut pipeline.commands, script);
            }
        }
        if holds_commands(name) {
            let place = folders
                .iter()
                .find(|(commands, _)| std::ptr::eq(*commands, value))
                .map_or_else(Place::root, |(_, place)| place.clone());
            match &value.value {
                Value::Scalar(_) => push_commands_in(&mut pipeline.commands, value, &place),
                Value::Seq(items) => {
                    for item in items {
                        push_commands_in(&mut pipeline.commands, item, &place);
                    }
                    // An argument vector (`command: ["bats", "tests"]`, a Docker plugin's
                    // exec form) is also one command; a list of commands has spaces.
                    let words: Vec<&str> = items.iter().filter_map(Node::as_str).collect();
                    if words.len() >= 2
                        && words.len() == items.len()
                        && words
                            .iter()
                            .all(|word| !word.is_empty() && !word.contains(char::is_whitespace))
                    {
                        pipeline
                            .commands
                            .push(Located::new(words.join(" "), value.line));
                    }
                }
                // Concourse's `run: {path: ci/test.sh, args: [--fast]}`; a shell given its
                // script (`path: bash, args: [-exc, "…"]`) runs each of its lines.
                Value::Map(_) => {
                    if let Some(script) = shell_script(value) {
                        push_commands(&mut pipeline.commands, script);
                    } else if let Some(path) = value.get("path").and_then(Node::as_str) {
                        let args: Vec<&str> = value
                            .get("args")
                            .map(Node::items)
                            .unwrap_or_default()
                            .into_iter()
                            .filter_map(Node::as_str)
                            .collect();
                        let command = std::iter::once(path).chain(args).collect::<Vec<_>>();
                        pipeline
                            .commands
                            .push(Located::new(command.join(" "), value.line));
                    }
                }
                Value::Null => {}
            }
        }
    });
    // The inputs a command runs a path of: the checkouts of this repository (another input,
    // a chart repository beside it, is not this tree).
    // A task's only input, when its script changes into it, is this repository too.
    let inputs = task_inputs(root);
    let only = inputs.len() == 1;
    let checkouts: Vec<String> = inputs
        .into_iter()
        .filter(|input| {
            pipeline.commands.iter().any(|command| {
                from_input_folders(&command.text, std::slice::from_ref(input)) != command.text
                    || (only && enters(&command.text, input))
            })
        })
        .collect();
    if !checkouts.is_empty() {
        for command in &mut pipeline.commands {
            command.text = from_input_folders(&command.text, &checkouts);
        }
        pipeline.checkouts = checkouts;
    }
    // Drone's and Woodpecker's plugins: a step with `settings:` is run by its `image`, as an
    // action is by `uses:`.
    visit(root, &mut |node| {
        // A Concourse task run from a task file (`task: unit-tests`, `file: src/ci/unit.yml`),
        // whose commands are in that file, not here.
        // A Concourse resource type that checks pull or merge requests
        // (`teliaoss/github-pr-resource`, `samcontesse/gitlab-merge-request-resource`).
        if node.get("name").is_some()
            && let Some(image) = node
                .get("source")
                .and_then(|source| source.get("repository"))
                .and_then(Node::as_str)
            && (image.ends_with("github-pr-resource")
                || image.ends_with("pull-request-resource")
                || image.ends_with("gitlab-merge-request-resource")
                || image.ends_with("bitbucket-pullrequest-resource"))
        {
            pipeline
                .triggers
                .push(Located::new("pull_request", node.line));
        }
        if let Some(task) = node.get("task")
            && let Some(file) = node.get("file")
            && node.get("config").is_none()
        {
            // The file is in an artifact the plan got (`file: repo/ci/unit.yml`): when that
            // is this repository, the task file is read with the pipeline.
            let path = file.as_str().map(|file| {
                let file = file.trim_start_matches("./").replace("/./", "/");
                match file.split_once('/') {
                    Some((_, path)) => path.trim_start_matches("./").to_owned(),
                    None => file,
                }
            });
            if let (Some(name), Some(path)) = (task.as_str(), path) {
                pipeline.hidden_tasks.push(Located::new(name, task.line));
                pipeline
                    .hidden_task_files
                    .push(Located::new(path.clone(), file.line));
                pipeline.includes.push(Located::new(path, file.line));
            }
        }
        if node.get("settings").is_some()
            && let Some(image) = node.get("image")
            && let Some(name) = image.as_str()
        {
            pipeline.uses.push(Located::new(name, image.line));
        }
    });
    // A step of `steps:` (not of `services:`) with no commands, configured by `environment:`,
    // runs its image's own entrypoint too (a platform's scanner client).
    for document in root.items() {
        let Some(steps) = document.get("steps").or_else(|| document.get("pipeline")) else {
            continue;
        };
        let listed = steps.items();
        let named = steps.entries().map(|(_, step)| step);
        for step in listed.into_iter().chain(named) {
            if step.get("environment").is_some()
                && step.get("commands").is_none()
                && step.get("entrypoint").is_none()
                && step.get("settings").is_none()
                && let Some(image) = step.get("image")
                && let Some(name) = image.as_str()
            {
                pipeline.uses.push(Located::new(name, image.line));
            }
        }
    }
    // A Drone pipeline whose `trigger:` names no events runs on every event, pull requests
    // among them (each document of the file is a pipeline of its own).
    // `event: {exclude: [...]}` leaves every other event, pull requests among them unless
    // excluded.
    for document in root.items() {
        let every_event = match document
            .get("trigger")
            .and_then(|trigger| trigger.get("event"))
        {
            None => true,
            Some(event) => {
                event.get("include").is_none()
                    && event.get("exclude").is_some_and(|excluded| {
                        !excluded
                            .items()
                            .iter()
                            .any(|event| event.as_str() == Some("pull_request"))
                    })
            }
        };
        if let Some(kind) = document.get("kind")
            && kind.as_str() == Some("pipeline")
            && every_event
        {
            pipeline
                .triggers
                .push(Located::new("pull_request", kind.line));
        }
    }
    // A Woodpecker workflow (`steps:` of `image` and `commands`, no Drone `kind:`) with no
    // event filter of its own, and a step without one, runs that step on Woodpecker's
    // default events, pull requests among them (an `evaluate:` expression on the event is a
    // filter too; one on the branch or the message is not).
    let filters_events = |node: &Node| {
        let mut filtered = false;
        visit(node, &mut |node| {
            filtered |= node.get("event").is_some()
                || node
                    .get("evaluate")
                    .and_then(Node::as_str)
                    .is_some_and(|expression| expression.contains("CI_PIPELINE_EVENT"));
        });
        filtered
    };
    for document in root.items() {
        let Some(steps) = document.key("steps").or_else(|| document.key("pipeline")) else {
            continue;
        };
        let listed = document.get("steps").or_else(|| document.get("pipeline"));
        let unfiltered_step = document.get("kind").is_none()
            && listed.is_some_and(|steps| {
                steps
                    .items()
                    .into_iter()
                    .chain(steps.entries().map(|(_, step)| step))
                    .any(|step| {
                        step.get("commands").is_some()
                            && !step.get("when").is_some_and(&filters_events)
                    })
            });
        let workflow_filtered = document.get("when").is_some_and(&filters_events);
        if unfiltered_step && !workflow_filtered {
            pipeline
                .triggers
                .push(Located::new("pull_request", steps.line));
        }
    }
    // (Woodpecker's `evaluate: 'CI_PIPELINE_EVENT != "pull_request"'` says the opposite.)
    outside_excludes(root, &mut |node| {
        if node.as_str().is_some_and(|text| {
            text.contains("pull_request") && !text.contains("!= \"pull_request\"")
        }) {
            pipeline
                .triggers
                .push(Located::new("pull_request", node.line));
        }
    });
    with_tekton_param_defaults(root, &mut pipeline.commands);
    for document in root.items() {
        read_sourcehut_tasks(document, pipeline);
    }
}

/// SourceHut's build manifests (`.builds/alpine.yml`): an `image` and `tasks:`, a list of
/// named scripts. Each runs in the home folder the `sources:` are cloned into, a folder
/// named for each repository (`cd mako`), which is this repository's root. builds.sr.ht
/// runs them for every push.
fn read_sourcehut_tasks(manifest: &Node, pipeline: &mut Pipeline) {
    let (Some(_), Some(tasks)) = (manifest.get("image"), manifest.get("tasks")) else {
        return;
    };
    let scripts: Vec<(&str, u32)> = tasks
        .items()
        .into_iter()
        .flat_map(Node::entries)
        .filter_map(|(_, script)| Some((script.as_str()?, script.line)))
        .collect();
    if scripts.is_empty() {
        return;
    }
    let sources: Vec<&str> = manifest
        .get("sources")
        .map(Node::items)
        .unwrap_or_default()
        .into_iter()
        .filter_map(Node::as_str)
        .filter_map(cloned_into)
        .collect();
    // The folder every task starts by entering: without `sources:` the repository itself
    // is cloned there; among several sources (the project and what it needs), it is the
    // project's.
    let entered: Vec<Option<&str>> = scripts
        .iter()
        .map(|(script, _)| first_folder_entered(script))
        .collect();
    let entered_by_all = match entered.first() {
        Some(Some(first)) if entered.iter().all(|folder| folder == &Some(*first)) => Some(*first),
        _ => None,
    };
    let checkout = match sources[..] {
        [only] => Some(only),
        [] => entered_by_all,
        _ => entered_by_all.filter(|folder| sources.contains(folder)),
    };
    for (script, line) in scripts {
        let script = match checkout {
            Some(checkout) => with_checkout_as_root(script, checkout),
            None => script.to_owned(),
        };
        push_lines_in(&mut pipeline.commands, &script, line, Place::root());
    }
    pipeline
        .triggers
        .push(Located::new(EVERY_BRANCH, tasks.line));
}

/// The folder a source is cloned into: its last path segment, without `.git` or a
/// `#branch` (`https://git.sr.ht/~sircmpwn/scdoc#main` → `scdoc`).
fn cloned_into(source: &str) -> Option<&str> {
    let source = source.split('#').next()?.trim_end_matches('/');
    let name = source.rsplit(['/', ':']).next()?;
    let name = name.strip_suffix(".git").unwrap_or(name);
    (!name.is_empty()).then_some(name)
}

/// The folder a script's first command enters (`cd minipeg`), when it is one name.
fn first_folder_entered(script: &str) -> Option<&str> {
    let first = script
        .lines()
        .map(str::trim)
        .find(|line| !line.is_empty() && !line.starts_with('#'))?;
    let folder = first.strip_prefix("cd ")?.trim();
    let plain = folder
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c));
    (plain && !folder.starts_with('.')).then_some(folder)
}

/// `script` with the checkout named as the root wherever a command goes into it: `cd
/// mako && make` is `make`, `cd mako/doc` is `cd doc`, `make -C mako check` is `make -C .
/// check`.
fn with_checkout_as_root(script: &str, checkout: &str) -> String {
    // The checkout as a folder word: `.`, or the folder inside it.
    let inside = |word: &str| -> Option<String> {
        let word = word.strip_prefix("~/").unwrap_or(word);
        let after = word.strip_prefix(checkout)?;
        match after.trim_end_matches('/') {
            "" => Some(".".to_owned()),
            rest => rest.strip_prefix('/').map(str::to_owned),
        }
    };
    let line_as_root = |line: &str| -> String {
        let indent = &line[..line.len() - line.trim_start().len()];
        let words: Vec<&str> = line.split_whitespace().collect();
        // `cd mako && make check`: the rest runs at the root.
        if let ["cd", folder, "&&", rest @ ..] = &words[..]
            && inside(folder).as_deref() == Some(".")
        {
            return format!("{indent}{}", rest.join(" "));
        }
        let mut out: Vec<String> = Vec::with_capacity(words.len());
        let mut changed = false;
        for (index, word) in words.iter().enumerate() {
            let after_folder_word =
                index > 0 && matches!(words[index - 1], "cd" | "pushd" | "-C" | "--directory");
            let replaced = match after_folder_word.then(|| inside(word)).flatten() {
                Some(folder) => Some(folder),
                None => word
                    .strip_prefix("--directory=")
                    .and_then(inside)
                    .map(|folder| format!("--directory={folder}")),
            };
            changed |= replaced.is_some();
            out.push(replaced.unwrap_or_else(|| (*word).to_owned()));
        }
        // A line that does not go into the checkout is kept as written.
        if !changed {
            return line.to_owned();
        }
        format!("{indent}{}", out.join(" "))
    };
    script
        .lines()
        .map(line_as_root)
        .collect::<Vec<_>>()
        .join("\n")
}

/// Tekton's `$(params.NAME)` in a step's script as what the document gives it: a
/// PipelineRun's `value`, else the param's `default` (`TEST_COMMAND`, `default: make test`).
/// Each reference is replaced once, in one pass, so a default naming another param is not
/// expanded again; a param some caller in the file gives a `value` other than the document's
/// own, or that has neither, is left as written.
fn with_tekton_param_defaults(root: &Node, commands: &mut [Located]) {
    if !commands
        .iter()
        .any(|command| command.text.contains("$(params."))
    {
        return;
    }
    let documents = root.items();
    // Every `value` a caller in the file passes (a Pipeline to its tasks, a PipelineRun).
    let mut passed: HashMap<String, Vec<String>> = HashMap::new();
    visit(root, &mut |node| {
        if let (Some(name), Some(value)) = (
            node.get("name").and_then(Node::as_str),
            node.get("value").and_then(Node::as_str),
        ) {
            passed
                .entry(name.to_owned())
                .or_default()
                .push(value.to_owned());
        }
    });
    for (index, document) in documents.iter().enumerate() {
        let spec = document.get("spec");
        let declared = spec
            .and_then(|spec| spec.get("params"))
            .into_iter()
            .chain(spec.and_then(|spec| spec.get("pipelineSpec")?.get("params")))
            .flat_map(Node::items);

        let declared: Vec<&Node> = declared.collect();
        // A run's value first; a default only where no caller passes another.
        let mut resolved: HashMap<&str, &str> = declared
            .iter()
            .filter_map(|param| param_with(param, "value"))
            .collect();
        for (name, default) in declared
            .iter()
            .filter_map(|param| param_with(param, "default"))
        {
            let overridden = passed
                .get(name)
                .is_some_and(|values| values.iter().any(|value| value != default));
            if !overridden {
                resolved.entry(name).or_insert(default);
            }
        }
        if resolved.is_empty() {
            continue;
        }
        let first_line = document.line;
        let next_line = documents.get(index + 1).map_or(u32::MAX, |next| next.line);
        for command in commands
            .iter_mut()
            .filter(|command| (first_line..next_line).contains(&command.line))
        {
            command.text = tekton_params_replaced(&command.text, &resolved);
        }
    }
}

/// A Tekton param's name and its `key` (`value`, `default`), when both are strings.
fn param_with<'n>(param: &'n Node, key: &str) -> Option<(&'n str, &'n str)> {
    Some((param.get("name")?.as_str()?, param.get(key)?.as_str()?))
}

/// `text` with each `$(params.NAME)` that `resolved` names replaced, in one pass.
fn tekton_params_replaced(text: &str, resolved: &HashMap<&str, &str>) -> String {
    super::references_replaced(text, ("$(params.", ")"), |name| Some(name), resolved)
}

/// Whether `key` is the `default:` under Bitbucket's top-level `pipelines:`.
fn is_bitbucket_default(root: &Node, key: &Node) -> bool {
    root.items().into_iter().any(|document| {
        document
            .get("pipelines")
            .and_then(|pipelines| pipelines.key("default"))
            .is_some_and(|default| default.line == key.line)
    })
}

/// Calls `each` on every scalar of the tree except those under an `exclude:` key (Drone's
/// and Woodpecker's `event: {exclude: [pull_request]}` says the opposite of its words).
fn outside_excludes(node: &Node, each: &mut impl FnMut(&Node)) {
    match &node.value {
        Value::Seq(items) => items.iter().for_each(|item| outside_excludes(item, each)),
        Value::Map(entries) => {
            for (key, value) in entries {
                if key.as_str() != Some("exclude") {
                    outside_excludes(value, each);
                }
            }
        }
        Value::Scalar(_) => each(node),
        Value::Null => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_source_is_cloned_into_a_folder_named_for_it() {
        assert_eq!(
            cloned_into("https://git.sr.ht/~emersion/mako"),
            Some("mako")
        );
        assert_eq!(cloned_into("https://github.com/a/b.git#main"), Some("b"));
        assert_eq!(cloned_into("git@git.sr.ht:~a/c"), Some("c"));
        assert_eq!(cloned_into(""), None);
    }

    #[test]
    fn entering_the_checkout_is_entering_the_root() {
        let script = "cd mako\nmeson setup build\n  cd mako/doc && make\ncd makers\ncd ~/mako && ninja\nmake -C mako check\nmake --directory=mako/t";
        assert_eq!(
            with_checkout_as_root(script, "mako"),
            "cd .\nmeson setup build\n  cd doc && make\ncd makers\nninja\nmake -C . check\nmake --directory=t"
        );
        assert_eq!(
            first_folder_entered("# setup\ncd minipeg\nmake"),
            Some("minipeg")
        );
        assert_eq!(first_folder_entered("cd $HOME/x\nmake"), None);
        assert_eq!(first_folder_entered("make check"), None);
    }
}

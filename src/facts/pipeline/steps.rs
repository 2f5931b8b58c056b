//! Shared steps a pipeline calls by name — Jenkins library steps, CircleCI orb jobs, Azure
//! Pipelines tasks — and what they run, from rule data (`[steps]` in `rules/ci.toml`).

use std::collections::BTreeMap;

use super::{JobNote, Located, Pipeline, push_lines};

/// What each well-known shared step runs, by `system:name` (`jenkins:buildPlugin`,
/// `azure:Maven`, `circleci:circleci/node/test`): a command line in which `{input}` is the
/// step's input of that name and `{input|default}` falls back to the default.
pub type Steps = BTreeMap<String, String>;

/// Records a call of the shared step `key` at `line`: what it runs, as commands, when
/// `steps` knows it. Returns whether it did.
pub(super) fn call(
    pipeline: &mut Pipeline,
    steps: &Steps,
    key: &str,
    input: impl Fn(&str) -> Option<String>,
    line: u32,
) -> bool {
    let Some(template) = steps.get(key) else {
        return false;
    };
    let first = pipeline.commands.len();
    push_lines(&mut pipeline.commands, &expand(template, input), line);
    // A step running several commands runs them all where it is called.
    for command in &mut pipeline.commands[first..] {
        command.line = line;
    }
    // The commands are the step's, not text of the repository: the report says whose.
    let (system, name) = key.split_once(':').unwrap_or(("", key));
    let text = match system {
        "azure" => format!("through the task `{name}`"),
        "circleci" => format!("through the orb job `{name}`"),
        "github" if name.contains("/.github/workflows/") => {
            format!("through the reusable workflow `{name}`")
        }
        "github" => format!("through the action `{name}`"),
        "jenkins" => format!("through the library step `{name}`"),
        "travis" => format!("Travis's default script for `{name}`"),
        _ => format!("through the shared step `{name}`"),
    };
    pipeline.job_notes.push(JobNote {
        text,
        commands: first..pipeline.commands.len(),
    });
    true
}

/// The key of `system`'s step `name` in `steps`, its letter case ignored as GitHub and Azure
/// Pipelines ignore it (`Docker/Build-Push-Action`); `system:name` when none is known.
pub(super) fn key_ignoring_case(steps: &Steps, system: &str, name: &str) -> String {
    steps
        .keys()
        .find(|key| {
            key.strip_prefix(system)
                .and_then(|rest| rest.strip_prefix(':'))
                .is_some_and(|known| known.eq_ignore_ascii_case(name))
        })
        .cloned()
        .unwrap_or_else(|| format!("{system}:{name}"))
}

/// Records a call opslint cannot see into, described for a reader.
pub(super) fn unseen(pipeline: &mut Pipeline, description: String, line: u32) {
    pipeline.indirect.push(Located::new(description, line));
}

/// `template` with each `{input}` or `{input|default}` replaced, and each `{--flag=input}`
/// by the option with the input's value, or by nothing when the step gives none.
fn expand(template: &str, input: impl Fn(&str) -> Option<String>) -> String {
    let mut expanded = String::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        expanded.push_str(&rest[..open]);
        let placeholder = &rest[open + 1..open + close];
        let value = match placeholder
            .strip_prefix('-')
            .and_then(|flag| flag.split_once('='))
        {
            // `{--target=target}`: the option with the input's value, or nothing without one.
            Some((flag, name)) => input(name)
                .filter(|value| !value.is_empty())
                .map(|value| format!("-{flag}={value}"))
                .unwrap_or_default(),
            None => {
                let (name, default) = placeholder.split_once('|').unwrap_or((placeholder, ""));
                input(name).unwrap_or_else(|| default.to_owned())
            }
        };
        rest = &rest[open + close + 1..];
        // A placeholder that gives nothing leaves one space between its neighbours, and none
        // at the end of a line.
        if value.is_empty()
            && expanded.ends_with(' ')
            && (rest.is_empty() || rest.starts_with([' ', '\n']))
        {
            expanded.pop();
        }
        expanded.push_str(&value);
    }
    expanded.push_str(rest);
    expanded
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inputs_and_defaults_fill_the_template() {
        let input = |name: &str| (name == "goals").then(|| "clean verify".to_owned());
        assert_eq!(expand("mvn {goals|package}", input), "mvn clean verify");
        assert_eq!(expand("gradle {tasks|build}", input), "gradle build");
        assert_eq!(expand("{script|}", input), "");
        assert_eq!(expand("unclosed {goals", input), "unclosed {goals");
        assert_eq!(
            expand("mvn {--goals=goals}", input),
            "mvn --goals=clean verify"
        );
        assert_eq!(
            expand("docker build {--target=target}", input),
            "docker build"
        );
        assert_eq!(
            expand("docker build {outputs|} {--target=target} .", input),
            "docker build ."
        );
    }

    #[test]
    fn a_known_step_runs_its_commands_and_an_unknown_one_runs_nothing() {
        let steps = Steps::from([("jenkins:buildPlugin".to_owned(), "mvn verify".to_owned())]);
        let mut pipeline = Pipeline::default();
        assert!(call(
            &mut pipeline,
            &steps,
            "jenkins:buildPlugin",
            |_| None,
            3
        ));
        assert!(!call(&mut pipeline, &steps, "jenkins:deploy", |_| None, 4));
        assert_eq!(pipeline.commands, [Located::new("mvn verify", 3)]);
        assert_eq!(
            pipeline.job_note(0),
            Some("through the library step `buildPlugin`")
        );
    }
}

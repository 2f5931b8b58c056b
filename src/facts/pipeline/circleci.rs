//! CircleCI: the keys every YAML format shares (see [`super::keyed`]), plus the jobs and
//! commands of orbs (`node/test`, with `orbs: {node: circleci/node@5}`), which run what
//! the step data says or are unseen.

use std::collections::HashMap;

use super::steps::{self, Steps};
use super::{EVERY_BRANCH, Located, Pipeline, System, keyed};
use crate::facts::yaml::{self, Node, Value};

/// CircleCI: its files are the `circleci` set of `rules/ci.toml`.
pub(super) const SYSTEM: System = System {
    name: "CircleCI",
    files: "circleci",
    yaml: true,
    includes_beside: false,
    read: |text, reading| {
        let steps = reading.steps;
        let mut pipeline = Pipeline::default();
        read(&yaml::parse(text)?, &mut pipeline, steps);
        Ok(pipeline)
    },
};

pub(super) fn read(root: &Node, pipeline: &mut Pipeline, steps: &Steps) {
    keyed::read(root, pipeline);
    with_parameter_defaults(root, &mut pipeline.commands);
    if let Some(line) = builds_every_branch(root) {
        pipeline.triggers.push(Located::new(EVERY_BRANCH, line));
    }
    // Orb aliases and the registry names they stand for (`circleci/node`, no version).
    let orbs: Vec<(&str, &str)> = root
        .get("orbs")
        .into_iter()
        .flat_map(Node::entries)
        .filter_map(|(alias, orb)| {
            let orb = orb.as_str()?;
            Some((alias.as_str()?, orb.split('@').next().unwrap_or(orb)))
        })
        .collect();
    if orbs.is_empty() {
        return;
    }
    let mut call = |reference: &Node, parameters: Option<&Node>| {
        let Some((alias, name)) = reference.as_str().and_then(|text| text.split_once('/')) else {
            return;
        };
        let Some((_, orb)) = orbs.iter().find(|(known, _)| *known == alias) else {
            return;
        };
        let input = |key: &str| {
            parameters
                .and_then(|parameters| parameters.get(key))
                .and_then(Node::as_str)
                .map(str::to_owned)
        };
        let key = format!("circleci:{orb}/{name}");
        if !steps::call(pipeline, steps, &key, input, reference.line) {
            steps::unseen(
                pipeline,
                format!("the orb job or command {alias}/{name} ({orb})"),
                reference.line,
            );
        }
    };
    // Workflow jobs and job steps name an orb's as `alias/name`, alone or as the one key
    // of a map of parameters.
    let mut references = Vec::new();
    for (_, workflow) in root.get("workflows").into_iter().flat_map(Node::entries) {
        references.extend(workflow.get("jobs").map(Node::items).unwrap_or_default());
    }
    for (_, job) in root.get("jobs").into_iter().flat_map(Node::entries) {
        references.extend(job.get("steps").map(Node::items).unwrap_or_default());
    }
    for reference in references {
        match &reference.value {
            Value::Scalar(_) => call(reference, None),
            Value::Map(_) => {
                for (name, parameters) in reference.entries() {
                    call(name, Some(parameters));
                }
            }
            Value::Null | Value::Seq(_) => {}
        }
    }
}

/// `<< parameters.NAME >>` in a job's or a reusable command's steps as the parameter's
/// `default:` (a job whose `test_command` defaults to `bundle exec rake test:all`), where no
/// workflow job or step in the file passes it another value; a parameter passed another, or
/// without a default, is left as written.
fn with_parameter_defaults(root: &Node, commands: &mut [Located]) {
    if !commands.iter().any(|command| command.text.contains("<<")) {
        return;
    }
    let sections = ["jobs", "commands"].map(|name| root.get(name));
    // Every value passed by name: to a workflow's jobs, and to the commands steps call.
    let workflow_jobs = root
        .get("workflows")
        .into_iter()
        .flat_map(Node::entries)
        .flat_map(|(_, workflow)| workflow.get("jobs").map(Node::items).unwrap_or_default());
    let steps = sections
        .iter()
        .flatten()
        .flat_map(|section| section.entries())
        .flat_map(|(_, definition)| definition.get("steps").map(Node::items).unwrap_or_default());
    let mut passed: HashMap<&str, Vec<&str>> = HashMap::new();
    for (name, value) in workflow_jobs
        .chain(steps)
        .flat_map(Node::entries)
        .flat_map(|(_, arguments)| arguments.entries())
    {
        if let (Some(name), Some(value)) = (name.as_str(), value.as_str()) {
            passed.entry(name).or_default().push(value);
        }
    }
    // Where each definition ends: at the next one, or the next top-level key.
    let mut starts: Vec<u32> = root.entries().map(|(key, _)| key.line).collect();
    starts.extend(
        sections
            .iter()
            .flatten()
            .flat_map(|section| section.entries())
            .map(|(key, _)| key.line),
    );
    starts.sort_unstable();
    for (key, definition) in sections
        .iter()
        .flatten()
        .flat_map(|section| section.entries())
    {
        let defaults: HashMap<&str, &str> = definition
            .get("parameters")
            .into_iter()
            .flat_map(Node::entries)
            .filter_map(|(name, parameter)| {
                Some((name.as_str()?, parameter.get("default")?.as_str()?))
            })
            .filter(|(name, default)| {
                passed
                    .get(name)
                    .is_none_or(|values| values.iter().all(|value| value == default))
            })
            .collect();
        if defaults.is_empty() {
            continue;
        }
        let end = starts
            .iter()
            .copied()
            .find(|&line| line > key.line)
            .unwrap_or(u32::MAX);
        for command in commands
            .iter_mut()
            .filter(|command| (key.line..end).contains(&command.line))
        {
            command.text = parameters_replaced(&command.text, &defaults);
        }
    }
}

/// `text` with each `<< parameters.NAME >>` that `defaults` names replaced, in one pass.
fn parameters_replaced(text: &str, defaults: &HashMap<&str, &str>) -> String {
    super::references_replaced(
        text,
        ("<<", ">>"),
        |inside| inside.trim().strip_prefix("parameters."),
        defaults,
    )
}

/// The line of a workflow job CircleCI runs for every branch pushed, so for a pull request's
/// commits before they are merged: a job of a workflow started by pushes (not by a `triggers:`
/// schedule or a `when:` condition) whose `filters:` do not limit its branches. A config
/// without workflows runs its `build` job on every push its `branches: only:` lets through.
fn builds_every_branch(root: &Node) -> Option<u32> {
    let Some(workflows) = root.get("workflows") else {
        let jobs = root.get("jobs")?;
        return jobs
            .entries()
            .find(|(name, job)| {
                name.as_str() == Some("build")
                    && job
                        .get("branches")
                        .and_then(|branches| branches.get("only"))
                        .is_none()
            })
            .map(|(name, _)| name.line);
    };
    workflows
        .entries()
        // Not a schedule (`triggers:`) nor a workflow run only when a condition holds
        // (`when:`, `unless:`: a branch, a parameter, a scheduled pipeline).
        .filter(|(_, workflow)| {
            ["triggers", "when", "unless"]
                .iter()
                .all(|key| workflow.get(key).is_none())
        })
        .flat_map(|(_, workflow)| workflow.get("jobs").map(Node::items).unwrap_or_default())
        .find(|job| {
            let parameters = job.entries().next().map(|(_, value)| value);
            let branches = parameters
                .and_then(|parameters| parameters.get("filters"))
                .and_then(|filters| filters.get("branches"));
            let every = |pattern: Option<&Node>| {
                pattern
                    .and_then(Node::as_str)
                    .is_some_and(|pattern| matches!(pattern, "/.*/" | ".*" | "/.+/"))
            };
            let only = branches.and_then(|branches| branches.get("only"));
            let ignore = branches.and_then(|branches| branches.get("ignore"));
            (only.is_none() || every(only)) && !every(ignore)
        })
        .map(|job| job.line)
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::parameters_replaced;

    #[test]
    fn a_parameter_reference_is_its_default() {
        let defaults = HashMap::from([("cmd", "bundle exec rake test:all")]);
        assert_eq!(
            parameters_replaced("<< parameters.cmd >> && <<parameters.other>>", &defaults),
            "bundle exec rake test:all && <<parameters.other>>"
        );
    }
}

//! The YAML formats read by key names rather than by their schema: Bitbucket Pipelines,
//! Drone, Woodpecker, Tekton, Buildkite, Travis, Cirrus, AppVeyor, Cloud Build, CodeBuild.

use super::{Located, Pipeline, push_commands, push_environment_value, visit, visit_entries};
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
];

/// Keys and values that mean "runs on pull requests" in other formats: Azure's `pr:`,
/// Bitbucket's `pull-requests:`, Drone's and Woodpecker's `event: pull_request`, Tekton's
/// `on-event: [pull_request]`.
pub(super) fn read(root: &Node, pipeline: &mut Pipeline) {
    visit_entries(root, &mut |key, value| {
        let Some(name) = key.as_str() else {
            return;
        };
        if matches!(name, "pr" | "pull-requests" | "pull_request") {
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
        if COMMAND_KEYS.contains(&name) {
            match &value.value {
                Value::Scalar(_) => push_commands(&mut pipeline.commands, value),
                Value::Seq(items) => {
                    for item in items {
                        push_commands(&mut pipeline.commands, item);
                    }
                }
                _ => {}
            }
        }
    });
    visit(root, &mut |node| {
        if node
            .as_str()
            .is_some_and(|text| text.contains("pull_request"))
        {
            pipeline
                .triggers
                .push(Located::new("pull_request", node.line));
        }
    });
}

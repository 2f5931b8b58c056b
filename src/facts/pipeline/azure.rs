//! Azure Pipelines: the keys every YAML format shares (see [`super::keyed`]), plus tasks
//! (`task: Maven@4` with its `inputs`), templates (`template: ci/test.yml`, or
//! `template: test.yml@templates` from another repository) and its pull request default.

use super::steps::{self, Steps};
use super::{Located, Pipeline, System, keyed, visit};
use crate::facts::yaml::{self, Node, Value};

/// Azure Pipelines: its files are the `azure-pipelines` set of `rules/ci.toml`.
pub(super) const SYSTEM: System = System {
    name: "Azure Pipelines",
    files: "azure-pipelines",
    yaml: true,
    includes_beside: true,
    read: |text, reading| {
        let steps = reading.steps;
        let mut pipeline = Pipeline::default();
        read(&yaml::parse(text)?, &mut pipeline, steps);
        Ok(pipeline)
    },
};

pub(super) fn read(root: &Node, pipeline: &mut Pipeline, steps: &Steps) {
    keyed::read(root, pipeline);
    // Without a `pr:` key, Azure Pipelines validates pull requests to every branch of a
    // GitHub repository; `pr: none` turns that off.
    match root.get("pr") {
        None => pipeline
            .triggers
            .push(Located::new("pull_request", root.line.max(1))),
        Some(pr) if matches!(pr.as_str(), Some("none" | "false")) => {
            pipeline
                .triggers
                .retain(|trigger| trigger.text != "pull_request");
        }
        Some(_) => {}
    }
    visit(root, &mut |node| {
        if !matches!(node.value, Value::Map(_)) {
            return;
        }
        if let Some(task) = node.get("task").and_then(Node::as_str) {
            let name = task.split('@').next().unwrap_or(task);
            let inputs = node.get("inputs");
            // Azure reads task names and inputs case-insensitively (`InlineScript:`).
            let input = |key: &str| {
                inputs?
                    .entries()
                    .find(|(name, _)| {
                        name.as_str()
                            .is_some_and(|name| name.eq_ignore_ascii_case(key))
                    })
                    .and_then(|(_, value)| value.as_str())
                    .map(str::to_owned)
            };
            let line = node.get("task").map_or(node.line, |task| task.line);
            let key = steps::key_ignoring_case(steps, "azure", name);
            steps::call(pipeline, steps, &key, input, line);
        }
        if let Some(template) = node.get("template")
            && let Some(reference) = template.as_str()
        {
            match reference.split_once('@') {
                Some((path, repository)) if repository != "self" => steps::unseen(
                    pipeline,
                    format!("the template {path} of the repository resource {repository}"),
                    template.line,
                ),
                Some((path, _)) => pipeline.includes.push(Located::new(path, template.line)),
                None => pipeline
                    .includes
                    .push(Located::new(reference, template.line)),
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::super::{Format, Reading, read as read_pipeline, texts};
    use super::SYSTEM;
    use super::*;

    fn steps() -> Steps {
        Steps::from([
            ("azure:Maven".to_owned(), "mvn {goals|package}".to_owned()),
            (
                "azure:DotNetCoreCLI".to_owned(),
                "dotnet {command|build}".to_owned(),
            ),
            (
                "azure:AzureCLI".to_owned(),
                "{inlineScript|} {scriptPath|}".to_owned(),
            ),
        ])
    }

    #[test]
    fn tasks_run_what_the_step_data_says_and_templates_are_followed_or_unseen() {
        let text = "trigger: [main]\nstages:\n- stage: Build\n  jobs:\n  - job: Test\n    steps:\n    - task: Maven@4\n      inputs:\n        goals: 'clean verify'\n    - task: DotNetCoreCLI@2\n      inputs:\n        command: test\n    - task: UseDotNet@2\n    - script: ./build.sh\n    - template: steps/lint.yml\n    - template: jobs/test.yml@templates\n";
        let pipeline =
            read_pipeline(Format::System(&SYSTEM), text, &Reading::of(&steps())).unwrap();
        assert_eq!(
            texts(&pipeline.commands),
            [
                // The key names every format shares take the task's `command` input for one.
                ("test", 12),
                ("./build.sh", 14),
                ("mvn clean verify", 7),
                ("dotnet test", 10)
            ]
        );
        assert_eq!(
            texts(&pipeline.includes),
            [("steps/lint.yml", 15), ("build.sh", 14)]
        );
        assert_eq!(
            texts(&pipeline.indirect),
            [(
                "the template jobs/test.yml of the repository resource templates",
                16
            )]
        );
        // No `pr:` key: pull requests are validated.
        assert!(texts(&pipeline.triggers).contains(&("pull_request", 1)));
        // Red team: task names and inputs are read whatever their case.
        let cased = "steps:\n- task: azurecli@2\n  inputs:\n    InlineScript: pytest -q\n";
        let pipeline =
            read_pipeline(Format::System(&SYSTEM), cased, &Reading::of(&steps())).unwrap();
        assert!(
            texts(&pipeline.commands).contains(&("pytest -q", 2)),
            "{:?}",
            texts(&pipeline.commands)
        );
    }

    #[test]
    fn pr_none_turns_pull_request_validation_off() {
        let pipeline = read_pipeline(
            Format::System(&SYSTEM),
            "pr: none\nsteps:\n- script: make\n",
            &Reading::of(&steps()),
        )
        .unwrap();
        assert!(
            !pipeline
                .triggers
                .iter()
                .any(|trigger| trigger.text == "pull_request")
        );
    }
}

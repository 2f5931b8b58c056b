//! Travis CI: the keys every YAML format shares (see [`super::keyed`]), its phases, the
//! pull request builds it makes by default, and the script a language runs when the file
//! gives none (`language: node_js` runs `npm test`), from the step data.

use super::steps::{self, Steps};
use super::{Located, Pipeline, System, keyed, push_script, visit_entries};
use crate::facts::yaml::{self, Node};

/// Phases whose commands run in the build, beside `script` and the `*_script` ones every
/// format reads.
const PHASES: &[&str] = &[
    "before_install",
    "install",
    "after_success",
    "after_failure",
    "before_deploy",
    "after_deploy",
];

/// Travis CI: its files are the `travis` set of `rules/ci.toml`.
pub(super) const SYSTEM: System = System {
    name: "Travis CI",
    files: "travis",
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
    let mut scripted = false;
    visit_entries(root, &mut |key, value| match key.as_str() {
        Some("script") => scripted = true,
        Some(phase) if PHASES.contains(&phase) => push_script(&mut pipeline.commands, value),
        _ => {}
    });
    // Travis builds pull requests unless the repository's settings say otherwise.
    if !pipeline
        .triggers
        .iter()
        .any(|trigger| trigger.text == "pull_request")
    {
        pipeline
            .triggers
            .push(Located::new("pull_request", root.line.max(1)));
    }
    if !scripted
        && let Some(language) = root.get("language")
        && let Some(name) = language.as_str()
    {
        steps::call(
            pipeline,
            steps,
            &format!("travis:{name}"),
            |_| None,
            language.line,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Format, Reading, read as read_pipeline};
    use super::SYSTEM;
    use super::*;

    #[test]
    fn a_language_without_a_script_runs_its_default_and_pull_requests_are_built() {
        let steps = Steps::from([("travis:node_js".to_owned(), "npm test".to_owned())]);
        let pipeline = read_pipeline(
            Format::System(&SYSTEM),
            "language: node_js\nnode_js: [18]\nafter_script: npm run coverage\n",
            &Reading::of(&steps),
        )
        .unwrap();
        let commands: Vec<&str> = pipeline.commands.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(commands, ["npm run coverage", "npm test"]);
        assert!(pipeline.triggers.iter().any(|t| t.text == "pull_request"));
        let scripted = read_pipeline(
            Format::System(&SYSTEM),
            "language: node_js\nscript: npm run lint\n",
            &Reading::of(&steps),
        )
        .unwrap();
        let commands: Vec<&str> = scripted.commands.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(commands, ["npm run lint"]);
    }
}

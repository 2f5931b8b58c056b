//! Buildkite: the keys every YAML format shares (see [`super::keyed`]), and the pull
//! request builds it makes by default.

use super::{Located, Pipeline, System, keyed, visit};
use crate::facts::yaml::{self, Node};

/// Buildkite: its files are the `buildkite` set of `rules/ci.toml`.
pub(super) const SYSTEM: System = System {
    name: "Buildkite",
    files: "buildkite",
    yaml: true,
    includes_beside: false,
    read: |text, _| {
        let mut pipeline = Pipeline::default();
        read(&yaml::parse(text)?, &mut pipeline);
        Ok(pipeline)
    },
};

pub(super) fn read(root: &Node, pipeline: &mut Pipeline) {
    keyed::read(root, pipeline);
    // Buildkite builds the pull requests of a GitHub repository unless the pipeline's
    // settings, outside the repository, turn that off, or its steps skip them
    // (`if: build.pull_request.id == null`).
    let mut skips_pull_requests = false;
    visit(root, &mut |node| {
        skips_pull_requests |= node
            .as_str()
            .is_some_and(|text| text.replace(' ', "").contains("pull_request.id==null"));
    });
    if !skips_pull_requests && !pipeline.triggers.iter().any(|t| t.text == "pull_request") {
        pipeline
            .triggers
            .push(Located::new("pull_request", root.line.max(1)));
    }
}

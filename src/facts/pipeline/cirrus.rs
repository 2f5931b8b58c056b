//! Cirrus CI: the keys every YAML format shares (see [`super::keyed`]), read from a file
//! where a repeated key (`task:`, the usual way to write several tasks) is one more task.

use super::{EVERY_BRANCH, Located, Pipeline, System, keyed};
use crate::facts::yaml::{self, Node};

/// Cirrus CI: its files are the `cirrus` set of `rules/ci.toml`.
pub(super) const SYSTEM: System = System {
    name: "Cirrus CI",
    files: "cirrus",
    yaml: true,
    includes_beside: false,
    read: |text, _| {
        let mut pipeline = Pipeline::default();
        read(&yaml::parse_keeping_repeated_keys(text)?, &mut pipeline);
        Ok(pipeline)
    },
};

pub(super) fn read(root: &Node, pipeline: &mut Pipeline) {
    keyed::read(root, pipeline);
    // Cirrus runs a task for every push and pull request unless its `only_if` or a manual
    // trigger says otherwise.
    let unconditional = root
        .items()
        .into_iter()
        .flat_map(Node::entries)
        .find(|(key, task)| {
            key.as_str()
                .is_some_and(|name| name == "task" || name.ends_with("_task"))
                && task.get("only_if").is_none()
                && task.get("trigger_type").is_none()
        });
    if let Some((key, _)) = unconditional {
        pipeline.triggers.push(Located::new(EVERY_BRANCH, key.line));
    }
}

//! The service containers a pipeline's jobs start beside their steps — a database, a broker,
//! a search engine — in each CI system's words: GitHub's and Bitbucket's `services:` map of
//! `image:`s, GitLab's list of images or `name:`s, Drone's and Woodpecker's list of
//! `image:`s, Travis's list of service names, and CircleCI's secondary `docker:` images.

use super::Located;
use crate::facts::yaml::{Node, Value};

/// Keys whose values are data, never a job's service containers: a matrix's values
/// (`matrix: {services: [postgres]}`), an action's inputs, variables, parameters.
const DATA_KEYS: &[&str] = &[
    "strategy",
    "matrix",
    "with",
    "env",
    "environment",
    "variables",
    "inputs",
    "parameters",
    "args",
    "settings",
];

/// Pushes every service image (or Travis service name) under `root`, with its line.
pub(super) fn read(root: &Node, into: &mut Vec<Located>) {
    match &root.value {
        Value::Seq(items) => items.iter().for_each(|item| read(item, into)),
        Value::Map(entries) => {
            for (key, value) in entries {
                match key.as_str() {
                    Some(name) if DATA_KEYS.contains(&name) => {}
                    Some("services") => push_services(value, into),
                    // CircleCI's executor: the first image runs the steps, the others are
                    // services.
                    Some("docker") => {
                        for image in value.items().iter().skip(1) {
                            if let Some(name) = image.get("image") {
                                push_image(name, into);
                            }
                        }
                    }
                    _ => read(value, into),
                }
            }
        }
        Value::Null | Value::Scalar(_) => {}
    }
}

fn push_services(services: &Node, into: &mut Vec<Located>) {
    match &services.value {
        Value::Seq(items) => items.iter().for_each(|item| push_image(item, into)),
        Value::Map(entries) => entries
            .iter()
            .for_each(|(_, service)| push_image(service, into)),
        Value::Scalar(_) | Value::Null => {}
    }
}

/// A service given as an image reference, or as a map naming it (`image:`, GitLab's `name:`).
fn push_image(service: &Node, into: &mut Vec<Located>) {
    let image = match &service.value {
        Value::Scalar(_) => Some(service),
        Value::Map(_) => service.get("image").or_else(|| service.get("name")),
        Value::Seq(_) | Value::Null => None,
    };
    if let Some(image) = image
        && let Some(text) = image.as_str()
        && !text.contains(char::is_control)
    {
        into.push(Located::new(text, image.line));
    }
}

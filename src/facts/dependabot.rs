//! Dependabot's configuration read into the ecosystems it updates, each with its line.

use super::Located;
use super::yaml::{self, Node, ParseError};

/// The `package-ecosystem` of every entry under `updates:` that opens pull requests: one
/// with `open-pull-requests-limit: 0` has its version updates switched off.
pub fn ecosystems(text: &str) -> Result<Vec<Located>, ParseError> {
    let root = yaml::parse(text)?;
    Ok(root
        .get("updates")
        .map(Node::items)
        .unwrap_or_default()
        .into_iter()
        .filter(|update| {
            update
                .get("open-pull-requests-limit")
                .and_then(Node::as_str)
                .is_none_or(|limit| limit.trim() != "0")
        })
        .filter_map(|update| update.get("package-ecosystem"))
        .filter_map(|ecosystem| Some(Located::new(ecosystem.as_str()?, ecosystem.line)))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_update_entry_names_its_ecosystem() {
        let text = "version: 2\nupdates:\n  - package-ecosystem: cargo\n    directory: /\n  - package-ecosystem: \"github-actions\"\n    directory: /\n";
        let found: Vec<(String, u32)> = ecosystems(text)
            .unwrap()
            .into_iter()
            .map(|fact| (fact.text, fact.line))
            .collect();
        assert_eq!(
            found,
            [("cargo".to_owned(), 3), ("github-actions".to_owned(), 5)]
        );
    }

    #[test]
    fn an_entry_limited_to_no_pull_requests_updates_nothing() {
        let text = "version: 2\nupdates:\n  - package-ecosystem: npm\n    directory: /\n    open-pull-requests-limit: 0\n  - package-ecosystem: docker\n    directory: /\n    open-pull-requests-limit: 5\n";
        let found: Vec<String> = ecosystems(text)
            .unwrap()
            .into_iter()
            .map(|fact| fact.text)
            .collect();
        assert_eq!(found, ["docker"]);
    }
}

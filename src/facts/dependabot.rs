//! Update bots' configurations read into what they update: Dependabot's ecosystems, each
//! with its line, and the package managers a Renovate configuration limits itself to.

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

/// The package managers a Renovate configuration limits itself to (`enabledManagers`), or
/// `None` when it names none and Renovate finds every manager of the repository on its own.
/// A configuration opslint cannot read (JSON5 with comments) is taken to limit nothing.
pub fn renovate_managers(text: &str) -> Option<Vec<Located>> {
    let root = yaml::parse(text).ok()?;
    let managers = root.get("enabledManagers")?;
    Some(
        managers
            .items()
            .into_iter()
            .filter_map(|manager| Some(Located::new(manager.as_str()?, manager.line)))
            .collect(),
    )
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

    #[test]
    fn renovate_limited_to_some_managers_names_them() {
        let limited = "{\n  \"extends\": [\"config:recommended\"],\n  \"enabledManagers\": [\"github-actions\", \"gomod\"]\n}\n";
        let names: Vec<String> = renovate_managers(limited)
            .unwrap()
            .into_iter()
            .map(|fact| fact.text)
            .collect();
        assert_eq!(names, ["github-actions", "gomod"]);
        assert!(renovate_managers("{\"extends\": [\"config:recommended\"]}").is_none());
        // JSON5 with comments is not read: Renovate's own discovery is assumed.
        assert!(renovate_managers("{\n  // ours\n  enabledManagers: ['npm'],\n}").is_none());
    }
}

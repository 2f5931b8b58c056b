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
/// `None` when it names none (no list, or an empty one) and Renovate finds every manager of
/// the repository on its own. A configuration switched off (`"enabled": false`) updates
/// nothing. JSON5's comments are read past; a file that still does not parse is an error.
pub fn renovate_managers(text: &str) -> Result<Option<Vec<Located>>, ParseError> {
    let root = yaml::parse(&without_comments(text))?;
    if root.get("enabled").and_then(Node::as_str) == Some("false") {
        return Ok(Some(Vec::new()));
    }
    let managers: Vec<Located> = root
        .get("enabledManagers")
        .map(Node::items)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|manager| Some(Located::new(manager.as_str()?, manager.line)))
        .collect();
    Ok((!managers.is_empty()).then_some(managers))
}

/// JSON5 text with its `//` and `/* */` comments blanked (line breaks kept, so lines still
/// count), strings left as they are.
fn without_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    let mut quote: Option<char> = None;
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(_), '\\') => {
                out.push(c);
                if let Some(escaped) = chars.next() {
                    out.push(escaped);
                }
            }
            (Some(open), _) => {
                out.push(c);
                if c == open {
                    quote = None;
                }
            }
            (None, '"' | '\'') => {
                quote = Some(c);
                out.push(c);
            }
            (None, '/') if chars.peek() == Some(&'/') => {
                while chars.peek().is_some_and(|&next| next != '\n') {
                    chars.next();
                }
            }
            (None, '/') if chars.peek() == Some(&'*') => {
                chars.next();
                let mut last = ' ';
                for inner in chars.by_ref() {
                    if inner == '\n' {
                        out.push('\n');
                    }
                    if last == '*' && inner == '/' {
                        break;
                    }
                    last = inner;
                }
            }
            _ => out.push(c),
        }
    }
    out
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
        let names = |text: &str| -> Option<Vec<String>> {
            renovate_managers(text)
                .unwrap()
                .map(|found| found.into_iter().map(|fact| fact.text).collect())
        };
        let limited = "{\n  \"extends\": [\"config:recommended\"],\n  \"enabledManagers\": [\"github-actions\", \"gomod\"]\n}\n";
        assert_eq!(names(limited).unwrap(), ["github-actions", "gomod"]);
        assert_eq!(names("{\"extends\": [\"config:recommended\"]}"), None);
        // An empty list is every manager, as Renovate reads it; switched off is none.
        assert_eq!(names("{\"enabledManagers\": []}"), None);
        assert_eq!(names("{\"enabled\": false}").unwrap(), Vec::<String>::new());
        // JSON5: comments, unquoted keys, single quotes; a URL's `//` inside a string stays.
        let json5 = "{\n  // only ours\n  $schema: 'https://docs.renovatebot.com/x.json', /* why */\n  enabledManagers: ['npm', /* and */ 'gomod'],\n}\n";
        let found = renovate_managers(json5).unwrap().unwrap();
        assert_eq!(
            found
                .iter()
                .map(|fact| (fact.text.as_str(), fact.line))
                .collect::<Vec<_>>(),
            [("npm", 4), ("gomod", 4)]
        );
        assert!(renovate_managers("{ \"enabledManagers\": [ ").is_err());
    }
}

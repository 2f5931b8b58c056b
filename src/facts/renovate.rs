//! Renovate's configuration read into the package managers it limits itself to.

use super::Located;
use super::yaml::{self, Node, ParseError};

/// The package managers a Renovate configuration limits itself to (`enabledManagers`), or
/// `None` when it names none (no list, or an empty one) and Renovate finds every manager of
/// the repository on its own. A configuration switched off (`"enabled": false`) updates
/// nothing. JSON5 (comments, single quotes, trailing commas) is read; a file that still does not parse is an error.
pub fn managers(text: &str) -> Result<Option<Vec<Located>>, ParseError> {
    let root = yaml::parse(&super::jsonc::as_json(text))?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renovate_limited_to_some_managers_names_them() {
        let names = |text: &str| -> Option<Vec<String>> {
            managers(text)
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
        let found = managers(json5).unwrap().unwrap();
        assert_eq!(
            found
                .iter()
                .map(|fact| (fact.text.as_str(), fact.line))
                .collect::<Vec<_>>(),
            [("npm", 4), ("gomod", 4)]
        );
        assert!(managers("{ \"enabledManagers\": [ ").is_err());
    }
}

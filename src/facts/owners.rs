//! Who owns a repository as a whole: the owners of the last catch-all (`*`) rule of its
//! CODEOWNERS file, as GitHub and GitLab read it (the last matching rule wins).

use super::content::{self, Content};
use super::tree::Tree;
use crate::rules::known;

/// The repository-wide owners (`@org/team`, `@user`, addresses); none without a CODEOWNERS
/// file or a catch-all rule in it.
pub fn repository_owners(repo: &gix::Repository, tree: &Tree) -> Vec<String> {
    // Where code hosts look, in their order of precedence: rule data (rules/collaboration.toml).
    let Some(entry) = known()
        .codeowners_locations
        .iter()
        .find_map(|path| tree.find(path))
    else {
        return Vec::new();
    };
    match content::read_one(repo, tree, entry, 256 * 1024) {
        Content::Text(bytes) => catch_all_owners(&String::from_utf8_lossy(&bytes)),
        _ => Vec::new(),
    }
}

fn catch_all_owners(text: &str) -> Vec<String> {
    text.lines()
        .map(|line| line.split('#').next().unwrap_or_default())
        .filter_map(|line| {
            let mut words = line.split_whitespace();
            matches!(words.next(), Some("*" | "/*" | "/**" | "**"))
                .then(|| words.map(str::to_owned).collect::<Vec<_>>())
        })
        .next_back()
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::catch_all_owners;

    #[test]
    fn the_last_catch_all_rule_names_the_owners() {
        let text =
            "# owners\n* @acme/platform\n/docs/ @acme/writers\n* @acme/payments @ada # main\n";
        assert_eq!(catch_all_owners(text), ["@acme/payments", "@ada"]);
        assert!(catch_all_owners("/src/ @acme/core\n").is_empty());
    }
}

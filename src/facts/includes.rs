//! Where a pipeline's local includes point in the tree.

use globset::GlobSet;

use super::tree::Tree;
use crate::rules::compile_glob;

/// The entries a local include names: one path, or every path a glob matches (GitLab
/// accepts `/ci/*.yml`). Repository-relative, with or without a leading `/`; an include
/// that names nothing in the tree resolves to nothing.
pub fn resolve(tree: &Tree, include: &str) -> Vec<usize> {
    let path = include.trim().trim_start_matches('/');
    if !path.contains('*') {
        return tree.position(path).into_iter().collect();
    }
    let Some(glob) = glob_set(path) else {
        return Vec::new();
    };
    tree.lookups.record(path);
    tree.entries
        .iter()
        .enumerate()
        .filter(|(_, entry)| glob.is_match(entry.path.to_string()))
        .map(|(index, _)| index)
        .collect()
}

fn glob_set(pattern: &str) -> Option<GlobSet> {
    let mut builder = GlobSet::builder();
    for glob in compile_glob(pattern).ok()? {
        builder.add(glob);
    }
    builder.build().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::tree::{ContentSource, Entry, EntryKind};

    fn tree(paths: &[&str]) -> Tree {
        Tree {
            entries: paths
                .iter()
                .map(|path| Entry {
                    path: (*path).into(),
                    kind: EntryKind::File,
                    blob: None,
                })
                .collect(),
            submodules: Vec::new(),
            source: ContentSource::Objects,
            lookups: Default::default(),
        }
    }

    #[test]
    fn paths_and_globs_resolve_to_entries() {
        let tree = tree(&[
            "ci/build.yml",
            "ci/deploy.yml",
            "ci/nested/x.yml",
            "src/main.rs",
        ]);
        assert_eq!(resolve(&tree, "/ci/build.yml"), [0]);
        assert_eq!(resolve(&tree, "ci/deploy.yml"), [1]);
        assert_eq!(resolve(&tree, "/ci/*.yml"), [0, 1]);
        assert_eq!(resolve(&tree, "ci/**/*.yml"), [0, 1, 2]);
        assert!(resolve(&tree, "missing.yml").is_empty());
    }
}

//! Components of a monorepo: the directories that hold a project of their own (a workspace
//! member, a Go module, a package, a service).

use std::collections::HashSet;

/// The component directories, given the files that mark one (build manifests, Dockerfiles):
/// the outermost marked directories below the root. A repository with fewer than two is a
/// single project, and has none; its root is then not a component but the whole.
pub fn detect<'a>(markers: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut dirs: Vec<&str> = markers
        .into_iter()
        .filter_map(|path| path.rsplit_once('/').map(|(dir, _)| dir))
        .collect();
    dirs.sort_unstable();
    dirs.dedup();
    let marked: HashSet<&str> = dirs.iter().copied().collect();
    let outermost: Vec<String> = dirs
        .iter()
        .filter(|dir| !ancestors(dir).any(|ancestor| marked.contains(ancestor)))
        .map(|dir| (*dir).to_owned())
        .collect();
    if outermost.len() < 2 {
        return Vec::new();
    }
    outermost
}

/// The file that marks each component of `dirs` (its manifest or Dockerfile, the first by
/// name among those directly in it): where a finding about the component is shown, since
/// code scanning and annotations point at files, not folders. One pass over the markers.
pub fn markers_of(dirs: &[String], markers: &[String]) -> Vec<Option<String>> {
    let mut first: std::collections::HashMap<&str, &str> = std::collections::HashMap::new();
    for path in markers {
        if let Some((parent, _)) = path.rsplit_once('/') {
            let kept = first.entry(parent).or_insert(path);
            if path.as_str() < *kept {
                *kept = path;
            }
        }
    }
    dirs.iter()
        .map(|dir| first.get(dir.as_str()).map(|path| (*path).to_owned()))
        .collect()
}

/// `a/b/c` → `a/b`, `a`.
fn ancestors(dir: &str) -> impl Iterator<Item = &str> {
    dir.match_indices('/').map(|(slash, _)| &dir[..slash])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_component_is_marked_by_a_file_directly_in_it() {
        let markers: Vec<String> = [
            "svc/web/package.json",
            "svc/web/Dockerfile",
            "svc/web/e2e/package.json",
            "svc/webapp/go.mod",
        ]
        .map(String::from)
        .to_vec();
        let dirs = ["svc/web", "svc/webapp", "svc"].map(String::from);
        assert_eq!(
            markers_of(&dirs, &markers),
            [
                Some("svc/web/Dockerfile".to_owned()),
                Some("svc/webapp/go.mod".to_owned()),
                None
            ]
        );
    }

    #[test]
    fn outermost_marked_directories_below_the_root() {
        let markers = [
            "Cargo.toml",
            "crates/core/Cargo.toml",
            "crates/core/fuzz/Cargo.toml",
            "crates/grep/Cargo.toml",
            "crates/grep-cli/Cargo.toml",
            "src/cart/Dockerfile",
            "src/cart/src/cart.csproj",
            "a/Cargo.toml",
            "a-b/Cargo.toml",
            "a/c/Cargo.toml",
        ];
        assert_eq!(
            detect(markers),
            [
                "a",
                "a-b",
                "crates/core",
                "crates/grep",
                "crates/grep-cli",
                "src/cart"
            ]
        );
    }

    #[test]
    fn a_single_project_has_no_components() {
        assert!(detect(["Cargo.toml", "Dockerfile"]).is_empty());
        assert!(detect(["package.json", "app/package.json"]).is_empty());
    }
}

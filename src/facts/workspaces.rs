//! The members of a JavaScript workspace, as its package manager finds them: the folders the
//! root package.json's `workspaces` (npm, Yarn) or pnpm-workspace.yaml's `packages` name by
//! glob. A script run in every member (`pnpm -r test`) runs in these, not in every folder
//! that holds a package.json (a test fixture's, an example's).

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};

/// The member globs `package_json` and `pnpm_workspace` declare, as written (`packages/*`,
/// `!packages/legacy`); none when neither declares a workspace.
pub fn member_globs(package_json: Option<&str>, pnpm_workspace: Option<&str>) -> Vec<String> {
    let mut globs = package_json.map(npm_globs).unwrap_or_default();
    globs.extend(pnpm_workspace.map(pnpm_globs).unwrap_or_default());
    globs
}

/// package.json's `"workspaces": ["packages/*"]`, or Yarn's `{"packages": [...]}`.
fn npm_globs(text: &str) -> Vec<String> {
    parse_package_json(text)
        .map(|manifest| npm_member_globs(&manifest))
        .unwrap_or_default()
}

/// A package.json as npm reads it: a byte-order mark first is allowed (serde_json would
/// refuse it).
pub fn parse_package_json(text: &str) -> Option<serde_json::Value> {
    serde_json::from_str(text.trim_start_matches('\u{feff}')).ok()
}

/// The member globs of a parsed package.json (see [`npm_globs`]).
pub fn npm_member_globs(manifest: &serde_json::Value) -> Vec<String> {
    let list = match manifest.get("workspaces") {
        Some(serde_json::Value::Object(yarn)) => yarn.get("packages"),
        other => other,
    };
    match list {
        Some(serde_json::Value::Array(globs)) => globs
            .iter()
            .filter_map(|glob| glob.as_str().map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    }
}

/// pnpm-workspace.yaml's `packages:` list, one `- 'glob'` per line.
fn pnpm_globs(text: &str) -> Vec<String> {
    let mut globs = Vec::new();
    let mut in_packages = false;
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        if !line.starts_with([' ', '\t', '-']) {
            in_packages = trimmed.starts_with("packages:");
            continue;
        }
        if let Some(item) = trimmed.strip_prefix('-').filter(|_| in_packages) {
            let item = item.split(" #").next().unwrap_or_default().trim();
            let item = item.trim_matches(['"', '\'']);
            if !item.is_empty() {
                globs.push(item.to_owned());
            }
        }
    }
    globs
}

/// The folders a workspace's member globs make members: matched by one glob and by no `!`
/// glob. Built once, asked of many folders (paths relative to the workspace root).
#[derive(Clone)]
pub struct Members {
    included: GlobSet,
    excluded: GlobSet,
}

impl Members {
    /// The matcher for `globs`; globs that do not parse are left out.
    pub fn new(globs: &[String]) -> Option<Members> {
        let mut included = GlobSetBuilder::new();
        let mut excluded = GlobSetBuilder::new();
        for glob in globs {
            let (set, glob) = match glob.strip_prefix('!') {
                Some(glob) => (&mut excluded, glob),
                None => (&mut included, glob.as_str()),
            };
            let glob = glob.trim_start_matches("./").trim_end_matches('/');
            // As package managers read them, `*` stays within one folder name.
            if let Ok(glob) = GlobBuilder::new(glob).literal_separator(true).build() {
                set.add(glob);
            }
        }
        Some(Members {
            included: included.build().ok()?,
            excluded: excluded.build().ok()?,
        })
    }

    pub fn contains(&self, folder: &str) -> bool {
        self.included.is_match(folder) && !self.excluded.is_match(folder)
    }
}

/// The folders among `folders` (paths relative to the workspace root) that `globs` make
/// members.
pub fn members<'f>(globs: &[String], folders: impl Iterator<Item = &'f str>) -> Vec<&'f str> {
    let Some(members) = Members::new(globs) else {
        return Vec::new();
    };
    folders.filter(|folder| members.contains(folder)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn npm_yarn_and_pnpm_declare_their_members() {
        assert_eq!(
            member_globs(
                Some(r#"{"workspaces": ["packages/*", "./apps/web/"]}"#),
                None
            ),
            ["packages/*", "./apps/web/"]
        );
        assert_eq!(
            member_globs(Some(r#"{"workspaces": {"packages": ["libs/**"]}}"#), None),
            ["libs/**"]
        );
        let pnpm = "packages:\n  - 'packages/*'\n  - \"apps/*\" # the apps\n  - '!**/test/**'\ncatalog:\n  - not-a-glob\n";
        assert_eq!(
            member_globs(Some("[]"), Some(pnpm)),
            ["packages/*", "apps/*", "!**/test/**"]
        );
        assert!(member_globs(Some(r#"{"name": "solo"}"#), None).is_empty());
        assert_eq!(
            member_globs(Some("\u{feff}{\"workspaces\": [\"apps/*\"]}"), None),
            ["apps/*"]
        );
    }

    #[test]
    fn only_the_declared_folders_are_members() {
        let globs = [
            "packages/*".to_owned(),
            "./apps/web/".to_owned(),
            "!packages/legacy".to_owned(),
        ];
        let folders = [
            "packages/api",
            "packages/legacy",
            "packages/api/test/fixtures/app",
            "apps/web",
            "examples/demo",
        ];
        assert_eq!(
            members(&globs, folders.into_iter()),
            ["packages/api", "apps/web"]
        );
    }
}

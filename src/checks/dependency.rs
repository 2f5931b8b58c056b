//! `dependency`: a manifest declares a dependency whose name matches the rule's pattern,
//! itself or through a package of the same tree it depends on (a monorepo's app on its
//! `@acme/logger`, which depends on `pino`).

use crate::checks::Outcome;
use crate::facts::collect::Facts;
use crate::facts::manifest::{Dependency, Manifest};
use crate::rules::Pattern;

/// How many packages of the tree deep a dependency is followed: an app, its shared
/// package, and what that one builds on.
const PACKAGE_DEPTH: usize = 3;

/// The first declared dependency of the manifest at `index` the pattern matches, or else the
/// first of its runtime dependencies on a package of the tree that brings one: its line and
/// name. A manifest that does not parse is unreadable, not a miss.
pub fn find(
    pattern: &Pattern,
    index: usize,
    facts: &Facts,
    outcome: &mut Outcome,
    path: impl FnOnce() -> String,
) -> Option<(u32, Option<String>)> {
    match facts.manifests.get(&index) {
        Some(Some(Ok(declared))) => {
            let direct = declared
                .dependencies
                .iter()
                .find(|dependency| pattern.is_match(dependency.name.as_bytes()));
            match direct {
                Some(dependency) => Some((dependency.line, Some(dependency.name.clone()))),
                None => through_packages(pattern, declared, facts, &mut vec![index])
                    .map(|(line, chain)| (line, Some(chain))),
            }
        }
        Some(Some(Err(error))) => {
            let at = error
                .line
                .map(|line| format!(":{line}"))
                .unwrap_or_default();
            outcome
                .unreadable
                .push(format!("{}{at} does not parse: {}", path(), error.message));
            None
        }
        Some(None) | None => None,
    }
}

/// The first runtime dependency of `declared` on a package of the tree whose own runtime
/// dependencies (or theirs, `PACKAGE_DEPTH` deep) match, the nearest first: its line, and
/// the chain that leads there (`@acme/logger → pino`). What a package needs only for its
/// own development or tests does not reach the code that depends on it.
fn through_packages(
    pattern: &Pattern,
    declared: &Manifest,
    facts: &Facts,
    seen: &mut Vec<usize>,
) -> Option<(u32, String)> {
    // Breadth first: (the line of the dependency that leads there, the chain so far, the
    // package's manifest).
    let mut level: Vec<(u32, String, &Manifest)> = Vec::new();
    // A package of the tree it depends on, entered once; the chain is written only then.
    let mut enter = |line: u32, before: Option<&str>, name: &str, next: &mut Vec<_>| {
        let Some(&entry) = facts.packages.get(name) else {
            return;
        };
        if let (false, Some(Some(Ok(package)))) =
            (seen.contains(&entry), facts.manifests.get(&entry))
        {
            seen.push(entry);
            let chain = match before {
                Some(before) => format!("{before} → {name}"),
                None => name.to_owned(),
            };
            next.push((line, chain, package));
        }
    };
    for dependency in runtime(declared) {
        enter(dependency.line, None, &dependency.name, &mut level);
    }
    for _ in 0..PACKAGE_DEPTH {
        let mut next = Vec::new();
        for (line, chain, package) in &level {
            if let Some(found) =
                runtime(package).find(|found| pattern.is_match(found.name.as_bytes()))
            {
                return Some((*line, format!("{chain} → {}", found.name)));
            }
        }
        for (line, chain, package) in &level {
            for dependency in runtime(package) {
                enter(*line, Some(chain), &dependency.name, &mut next);
            }
        }
        level = next;
    }
    None
}

/// What a package brings to the code that depends on it.
fn runtime(manifest: &Manifest) -> impl Iterator<Item = &Dependency> {
    manifest
        .dependencies
        .iter()
        .filter(|found| !found.development)
}

/// What `opslint explain` says the check holds of; the pattern follows.
pub fn explains(files: &str) -> String {
    format!("a manifest in {files} declares a dependency named like")
}

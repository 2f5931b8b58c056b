//! `dependency`: a manifest declares a dependency whose name matches the rule's pattern,
//! itself or through a package of the same tree it depends on (a monorepo's app on its
//! `@acme/logger`, `workspace:*`, which depends on `pino`).

use std::collections::HashMap;
use std::sync::OnceLock;

use globset::GlobSet;

use gix::bstr::ByteSlice;

use crate::checks::Outcome;
use crate::facts::collect::Facts;
use crate::facts::manifest::{Dependency, Manifest};
use crate::facts::workspaces::Members;
use crate::rules::{Pattern, glob_set, known};

/// How many packages of the tree deep a dependency is followed: an app, its shared
/// package, and what that one builds on.
const PACKAGE_DEPTH: usize = 3;

/// What one check has learnt of the tree's packages: by manifest and depth, the chain to
/// the first dependency its pattern matches within that many packages, if any. A monorepo's
/// packages depend on each other many times over; each is looked into once a depth.
#[derive(Default)]
pub struct Packages {
    found: HashMap<(usize, usize), Option<String>>,
    /// The members of the workspace the root package.json declares: built once a check, when
    /// a dependency first names a private package of the tree.
    root_members: Option<Option<Members>>,
}

impl Packages {
    fn root_members(&mut self, facts: &Facts) -> Option<Members> {
        self.root_members
            .get_or_insert_with(|| {
                let root = facts.tree.position("package.json")?;
                match facts.manifests.get(&root) {
                    Some(Some(Ok(manifest))) => Members::new(&manifest.workspace_members),
                    _ => None,
                }
            })
            .clone()
    }
}

/// The first declared dependency of the manifest at `index` the pattern matches, or else the
/// first of its runtime dependencies on a package of the tree that brings one: its line and
/// name. A manifest that does not parse is unreadable, not a miss.
pub fn find(
    pattern: &Pattern,
    index: usize,
    facts: &Facts,
    packages: &mut Packages,
    outcome: &mut Outcome,
    path: impl FnOnce() -> String,
) -> Option<(u32, Option<String>)> {
    match facts.manifests.get(&index) {
        Some(Some(Ok(declared))) => {
            let direct = declared
                .dependencies
                .iter()
                .find(|dependency| dependency.named_like(pattern));
            match direct {
                Some(dependency) => Some((dependency.line, Some(dependency.name.clone()))),
                None => through_packages(pattern, index, declared, facts, packages)
                    .map(|(line, chain)| (line, Some(chain))),
            }
        }
        // A broken manifest among a test suite's or a fixture's files is broken on purpose
        // (a parser's test case, a Latin-1 pom an encoding test reads): not the project's.
        Some(Some(Err(_))) if is_fixture(&facts.tree.entries[index].path) => None,
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

/// Whether `path` is in a test suite, a fixture or other code that is not the product's (the
/// folders that make no component).
fn is_fixture(path: &[u8]) -> bool {
    static FIXTURES: OnceLock<GlobSet> = OnceLock::new();
    let fixtures = FIXTURES.get_or_init(|| glob_set(&known().not_components));
    path.to_path().is_ok_and(|path| fixtures.is_match(path))
}

/// The first runtime dependency of `declared` (at `index`) on a package of the tree whose own
/// runtime dependencies (or theirs, `PACKAGE_DEPTH` deep) match, the nearest first: its line,
/// and the chain that leads there (`@acme/logger → pino`). What a package needs only for its
/// own development, build or tests does not reach the code that depends on it.
fn through_packages(
    pattern: &Pattern,
    index: usize,
    declared: &Manifest,
    facts: &Facts,
    packages: &mut Packages,
) -> Option<(u32, String)> {
    // A dependency is on a package of the same ecosystem: under the same file name.
    let file = String::from_utf8_lossy(facts.tree.entries[index].file_name());
    let named = facts.packages.get(file.as_ref())?;
    let members = packages.root_members(facts);
    let direct: Vec<(&Dependency, usize)> = local(declared, named, facts, members.as_ref())
        .filter(|&(_, entry)| entry != index)
        .collect();
    for depth in 1..=PACKAGE_DEPTH {
        for &(dependency, entry) in &direct {
            let found = brings(
                pattern,
                entry,
                depth,
                named,
                facts,
                members.as_ref(),
                packages,
            );
            if let Some(chain) = found {
                return Some((dependency.line, format!("{} → {chain}", dependency.name)));
            }
        }
    }
    None
}

/// What the package at `entry` brings that the pattern matches, within `depth` packages
/// (itself first, then the packages of the tree it depends on): the chain from it.
fn brings(
    pattern: &Pattern,
    entry: usize,
    depth: usize,
    named: &HashMap<String, usize>,
    facts: &Facts,
    members: Option<&Members>,
    packages: &mut Packages,
) -> Option<String> {
    if let Some(known) = packages.found.get(&(entry, depth)) {
        return known.clone();
    }
    let Some(Some(Ok(package))) = facts.manifests.get(&entry) else {
        return None;
    };
    let own = runtime(package)
        .find(|found| found.named_like(pattern))
        .map(|found| found.name.clone());
    let found = own.or_else(|| {
        (depth > 1)
            .then(|| {
                local(package, named, facts, members).find_map(|(dependency, next)| {
                    let chain = brings(pattern, next, depth - 1, named, facts, members, packages)?;
                    Some(format!("{} → {chain}", dependency.name))
                })
            })
            .flatten()
    });
    packages.found.insert((entry, depth), found.clone());
    found
}

/// What a package brings to the code that depends on it.
fn runtime(manifest: &Manifest) -> impl Iterator<Item = &Dependency> {
    manifest
        .dependencies
        .iter()
        .filter(|found| !found.development)
}

/// The packages of the tree a package brings, with their manifests' entries: declared by
/// where they are (`workspace:*`, `path`), or naming a member of the root workspace that is
/// never published, which no registry could have supplied (not an example's package that
/// happens to share a registry package's name).
fn local<'m>(
    manifest: &'m Manifest,
    named: &'m HashMap<String, usize>,
    facts: &'m Facts,
    members: Option<&'m Members>,
) -> impl Iterator<Item = (&'m Dependency, usize)> {
    runtime(manifest).filter_map(move |found| {
        let entry = *named.get(&found.name)?;
        (found.local || private_member(entry, facts, members)).then_some((found, entry))
    })
}

/// Whether the package.json at `entry` is private and a member of the root workspace.
fn private_member(entry: usize, facts: &Facts, members: Option<&Members>) -> bool {
    let private = matches!(facts.manifests.get(&entry), Some(Some(Ok(package))) if package.private);
    private
        && members.is_some_and(|members| {
            let path = facts.tree.entries[entry].path.to_str_lossy();
            path.strip_suffix("/package.json")
                .is_some_and(|folder| members.contains(folder))
        })
}

/// What `opslint explain` says the check holds of; the pattern follows.
pub fn explains(files: &str) -> String {
    format!("a manifest in {files} declares a dependency named like")
}

//! Every glob of every enabled rule in one matcher, mapped back to the rule and check that
//! own each glob, so the tree is matched in a single pass. A glob goes to `globset` or, when
//! globset would run a regex for it, to the regex-free [`star`] matcher.

mod star;

use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;

use globset::{Candidate, GlobSet, GlobSetBuilder};

use rayon::prelude::*;

use crate::facts::tree::Tree;
use crate::rules::{CheckKind, GlobError, Rule, compile_glob};
use star::{DirCache, StarGlobSet};

#[derive(Debug, thiserror::Error)]
pub enum MatcherError {
    #[error(transparent)]
    Glob(#[from] GlobError),
    #[error(transparent)]
    Set(#[from] globset::Error),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Owner {
    /// A scan-wide exclude: matching files are evidence for no rule.
    ScanExclude,
    Precondition {
        rule: usize,
    },
    PreconditionExclude {
        rule: usize,
    },
    PreconditionManifest {
        rule: usize,
    },
    PreconditionRequired {
        rule: usize,
    },
    Include {
        rule: usize,
        check: usize,
    },
    Exclude {
        rule: usize,
        check: usize,
    },
    /// A file that shows an ecosystem an `update-coverage` check asks about is in use.
    Ecosystem {
        rule: usize,
        check: usize,
        ecosystem: usize,
    },
}

/// Entries selected for one rule or check, ascending: built by pushing, then shared, so that
/// a component's rows are views of the repository's (a monorepo has thousands).
#[derive(Debug, Clone, Default)]
pub struct Row {
    entries: Arc<Vec<usize>>,
    start: usize,
    end: usize,
}

impl Row {
    fn push(&mut self, entry: usize) {
        Arc::make_mut(&mut self.entries).push(entry);
        self.end += 1;
    }

    fn extend(&mut self, other: Row) {
        Arc::make_mut(&mut self.entries).extend_from_slice(&other);
        self.end = self.entries.len();
    }

    /// The entries within `range`, sharing this row's storage.
    fn within(&self, range: &Range<usize>) -> Row {
        let start = self.start + self.partition_point(|entry| *entry < range.start);
        let end = self.start + self.partition_point(|entry| *entry < range.end);
        Row {
            entries: Arc::clone(&self.entries),
            start,
            end,
        }
    }
}

impl<'a> IntoIterator for &'a Row {
    type Item = &'a usize;
    type IntoIter = std::slice::Iter<'a, usize>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl std::ops::Deref for Row {
    type Target = [usize];

    fn deref(&self) -> &[usize] {
        &self.entries[self.start..self.end]
    }
}

/// What one rule's precondition and checks selected.
#[derive(Debug, Clone, Default)]
pub struct RuleRows {
    /// Entries that satisfy its precondition's `files`.
    pub precondition: Row,
    /// Manifests its precondition's `dependency` is looked for in.
    pub manifests: Row,
    /// Files its precondition `requires` (one must exist), at most one per directory: a
    /// component is a directory, so that answers "is there one in it" too.
    pub required: Row,
    /// Per check: entries the check selected.
    pub checks: Vec<Row>,
    /// Per check, per ecosystem of an `update-coverage` check: the first entry (outside
    /// the check's excludes) showing the ecosystem is in use.
    pub ecosystems: Vec<Vec<Option<usize>>>,
}

impl RuleRows {
    /// These rows restricted to the entries in `range`, sharing their storage.
    fn within(&self, range: &Range<usize>) -> RuleRows {
        RuleRows {
            precondition: self.precondition.within(range),
            manifests: self.manifests.within(range),
            required: self.required.within(range),
            checks: self.checks.iter().map(|row| row.within(range)).collect(),
            ecosystems: self
                .ecosystems
                .iter()
                .map(|firsts| {
                    firsts
                        .iter()
                        .map(|first| first.filter(|entry| range.contains(entry)))
                        .collect()
                })
                .collect(),
        }
    }

    /// Appends what a later chunk of the tree selected.
    fn extend(&mut self, later: RuleRows) {
        self.precondition.extend(later.precondition);
        self.manifests.extend(later.manifests);
        self.required.extend(later.required);
        for (all, more) in self.checks.iter_mut().zip(later.checks) {
            all.extend(more);
        }
        // The first chunk that saw an ecosystem has its first file.
        for (all, more) in self.ecosystems.iter_mut().zip(later.ecosystems) {
            for (first, candidate) in all.iter_mut().zip(more) {
                *first = first.or(candidate);
            }
        }
    }
}

/// Which entries of the tree each rule selected, by rule.
#[derive(Debug, Default)]
pub struct Matches {
    pub rules: Vec<RuleRows>,
}

impl Matches {
    /// Appends the rows of the rules in `rules`, restricted to the entries in `within`, as
    /// the rows of as many more rules (views of the same storage: a monorepo has thousands).
    pub fn push_rules_within(&mut self, rules: Range<usize>, within: &Range<usize>) {
        for rule in rules {
            let cut = self.rules[rule].within(within);
            self.rules.push(cut);
        }
    }

    /// Removes the rows of the rules in `range`.
    pub fn remove_rules(&mut self, range: Range<usize>) {
        self.rules.drain(range);
    }

    /// Removes the last rule's rows and returns them.
    pub fn pop_rule(&mut self) -> Option<RuleRows> {
        self.rules.pop()
    }
}

pub struct Matcher {
    star: StarGlobSet,
    set: GlobSet,
    /// The glob id of each glob in `set`, by its index there.
    set_ids: Vec<usize>,
    /// Per glob id: everything that wrote it. Rules share globs (file sets, common
    /// manifests), and each distinct glob is matched once however many rules name it.
    owners: Vec<Vec<Owner>>,
    /// Per rule, per check: how many ecosystems the check asks about.
    rule_shapes: Vec<Vec<usize>>,
}

impl Matcher {
    /// Builds the set. Globs were validated when rules and settings were loaded.
    pub fn new(rules: &[&Rule], scan_exclude: &[String]) -> Result<Matcher, MatcherError> {
        let mut star = StarGlobSet::default();
        let mut builder = GlobSetBuilder::new();
        let mut set_ids = Vec::new();
        let mut owners: Vec<Vec<Owner>> = Vec::new();
        let mut id_of: HashMap<String, usize> = HashMap::new();
        let mut add = |glob: &str, owner: Owner| -> Result<(), MatcherError> {
            for compiled in compile_glob(glob)? {
                let id = *id_of.entry(compiled.glob().to_owned()).or_insert_with(|| {
                    let id = owners.len();
                    owners.push(Vec::new());
                    if !star.add(compiled.glob(), id) {
                        builder.add(compiled);
                        set_ids.push(id);
                    }
                    id
                });
                owners[id].push(owner);
            }
            Ok(())
        };
        for glob in scan_exclude {
            add(glob, Owner::ScanExclude)?;
        }
        for (rule_index, rule) in rules.iter().enumerate() {
            if let Some(precondition) = &rule.applies_if {
                for glob in &precondition.files {
                    add(glob, Owner::Precondition { rule: rule_index })?;
                }
                for glob in &precondition.exclude {
                    add(glob, Owner::PreconditionExclude { rule: rule_index })?;
                }
                for glob in &precondition.manifests {
                    add(glob, Owner::PreconditionManifest { rule: rule_index })?;
                }
                for glob in &precondition.requires {
                    add(glob, Owner::PreconditionRequired { rule: rule_index })?;
                }
            }
            for (check, spec) in rule.checks.iter().enumerate() {
                let rule = rule_index;
                for glob in &spec.files {
                    add(glob, Owner::Include { rule, check })?;
                }
                for glob in &spec.exclude {
                    add(glob, Owner::Exclude { rule, check })?;
                }
                if let CheckKind::UpdateCoverage { ecosystems } = &spec.kind {
                    for (ecosystem, used) in ecosystems.iter().enumerate() {
                        for glob in &used.files {
                            add(
                                glob,
                                Owner::Ecosystem {
                                    rule,
                                    check,
                                    ecosystem,
                                },
                            )?;
                        }
                    }
                }
            }
        }
        Ok(Matcher {
            star,
            set: builder.build()?,
            set_ids,
            owners,
            rule_shapes: rules
                .iter()
                .map(|rule| {
                    rule.checks
                        .iter()
                        .map(|check| match &check.kind {
                            CheckKind::UpdateCoverage { ecosystems } => ecosystems.len(),
                            _ => 0,
                        })
                        .collect()
                })
                .collect(),
        })
    }

    /// Matches every entry of the tree once, in parallel over contiguous chunks whose
    /// results are appended in order, so the outcome does not depend on scheduling.
    pub fn match_tree(&self, tree: &Tree) -> Matches {
        const CHUNK: usize = 4096;
        let partial: Vec<Matches> = tree
            .entries
            .par_chunks(CHUNK)
            .enumerate()
            .map(|(chunk, entries)| {
                let first = chunk * CHUNK;
                let paths = entries.iter().enumerate();
                self.match_paths(
                    paths.map(|(offset, entry)| (first + offset, entry.path.as_slice())),
                )
            })
            .collect();
        let mut matches = self.empty_matches();
        for part in partial {
            for (all, more) in matches.rules.iter_mut().zip(part.rules) {
                all.extend(more);
            }
        }
        matches
    }

    fn empty_matches(&self) -> Matches {
        let rules = self
            .rule_shapes
            .iter()
            .map(|checks| RuleRows {
                checks: vec![Row::default(); checks.len()],
                ecosystems: checks.iter().map(|&count| vec![None; count]).collect(),
                ..RuleRows::default()
            })
            .collect();
        Matches { rules }
    }

    /// Matches `(entry index, path)` pairs.
    fn match_paths<'a>(&self, paths: impl Iterator<Item = (usize, &'a [u8])>) -> Matches {
        let mut matches = self.empty_matches();
        let mut hits = Vec::new();
        let mut included = Vec::new();
        let mut excluded = Vec::new();
        let mut preconditions = Vec::new();
        let mut precondition_excluded = Vec::new();
        let mut precondition_manifests = Vec::new();
        let mut required = Vec::new();
        // Per rule: the directory of the last `requires` file kept.
        let mut required_dir: Vec<&[u8]> = vec![b"\0"; self.rule_shapes.len()];
        let mut ecosystems = Vec::new();
        let mut dir_cache = DirCache::default();
        for (entry_index, path) in paths {
            let candidate = Candidate::from_bytes(path);
            self.set.matches_candidate_into(&candidate, &mut hits);
            for hit in &mut hits {
                *hit = self.set_ids[*hit];
            }
            self.star.matches_into(path, &mut dir_cache, &mut hits);
            if hits.is_empty() {
                continue;
            }
            included.clear();
            excluded.clear();
            preconditions.clear();
            precondition_excluded.clear();
            precondition_manifests.clear();
            required.clear();
            ecosystems.clear();
            let mut scan_excluded = false;
            for &owner in hits.iter().flat_map(|&hit| &self.owners[hit]) {
                match owner {
                    Owner::ScanExclude => scan_excluded = true,
                    Owner::Precondition { rule } => preconditions.push(rule),
                    Owner::PreconditionExclude { rule } => precondition_excluded.push(rule),
                    Owner::PreconditionManifest { rule } => precondition_manifests.push(rule),
                    Owner::PreconditionRequired { rule } => required.push(rule),
                    Owner::Include { rule, check } => included.push((rule, check)),
                    Owner::Exclude { rule, check } => excluded.push((rule, check)),
                    Owner::Ecosystem {
                        rule,
                        check,
                        ecosystem,
                    } => ecosystems.push((rule, check, ecosystem)),
                }
            }
            if scan_excluded {
                continue;
            }
            for &rule in kept(&mut preconditions, &precondition_excluded) {
                matches.rules[rule].precondition.push(entry_index);
            }
            for &rule in kept(&mut precondition_manifests, &precondition_excluded) {
                matches.rules[rule].manifests.push(entry_index);
            }
            let dir = &path[..path.iter().rposition(|&byte| byte == b'/').unwrap_or(0)];
            for &rule in kept(&mut required, &precondition_excluded) {
                if required_dir[rule] != dir {
                    required_dir[rule] = dir;
                    matches.rules[rule].required.push(entry_index);
                }
            }
            included.sort_unstable();
            included.dedup();
            for &(rule, check) in &included {
                if !excluded.contains(&(rule, check)) {
                    matches.rules[rule].checks[check].push(entry_index);
                }
            }
            for &(rule, check, ecosystem) in &ecosystems {
                let first = &mut matches.rules[rule].ecosystems[check][ecosystem];
                if first.is_none() && !excluded.contains(&(rule, check)) {
                    *first = Some(entry_index);
                }
            }
        }
        matches
    }
}

/// The rules named in `owners`, once each, that `excluded` does not take back.
fn kept<'a>(owners: &'a mut Vec<usize>, excluded: &[usize]) -> &'a [usize] {
    owners.sort_unstable();
    owners.dedup();
    owners.retain(|rule| !excluded.contains(rule));
    owners
}

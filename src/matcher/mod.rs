//! Every glob of every enabled rule in one matcher, mapped back to the rule and check that
//! own each glob, so the tree is matched in a single pass. A glob goes to `globset` or, when
//! globset would run a regex for it, to the regex-free [`star`] matcher.

mod star;

use std::collections::HashMap;
use std::ops::Range;

use globset::{Candidate, GlobSet, GlobSetBuilder};

use rayon::prelude::*;

use crate::facts::tree::{Origin, Tree};
use crate::rules::{CheckKind, GlobError, Rule, compile_glob};
use star::{DirCache, StarGlobSet};

#[derive(Debug, thiserror::Error)]
pub enum MatcherError {
    #[error(transparent)]
    Glob(#[from] GlobError),
    #[error(transparent)]
    Set(#[from] globset::Error),
}

/// A row of a rule, as globs: the entries matching any of `include` and none of `exclude`.
#[derive(Debug, Default, Clone, PartialEq, Eq, Hash)]
struct RowSpec {
    include: Vec<usize>,
    exclude: Vec<usize>,
}

/// Each row of one rule's [`RuleRows`], as an index into the matcher's distinct rows.
#[derive(Debug, Default, Clone)]
struct RuleSpec {
    precondition: usize,
    manifests: usize,
    required: usize,
    checks: Vec<usize>,
    /// Per check, per ecosystem of an `update-coverage` check.
    ecosystems: Vec<Vec<usize>>,
}

impl RuleSpec {
    /// Every row of the rule.
    fn rows(&self) -> impl Iterator<Item = usize> + '_ {
        [self.precondition, self.manifests, self.required]
            .into_iter()
            .chain(self.checks.iter().copied())
            .chain(self.ecosystems.iter().flatten().copied())
    }
}

/// Entries selected for one rule or check, ascending, borrowed from the [`Selection`]: a
/// component's rows are slices of the repository's (a monorepo has thousands).
pub type Row<'a> = &'a [usize];

/// What one rule's precondition and checks selected.
#[derive(Debug, Clone, Default)]
pub struct RuleRows<'a> {
    /// Entries that satisfy its precondition's `files`.
    pub precondition: Row<'a>,
    /// Manifests its precondition's `dependency` is looked for in.
    pub manifests: Row<'a>,
    /// Files its precondition `requires` (one must exist), at most one per directory: a
    /// component is a directory, so that answers "is there one in it" too.
    pub required: Row<'a>,
    /// Per check: entries the check selected.
    pub checks: Vec<Row<'a>>,
    /// Per check, per ecosystem of an `update-coverage` check: the first entry (outside
    /// the check's excludes) showing the ecosystem is in use.
    pub ecosystems: Vec<Vec<Option<usize>>>,
}

impl<'a> RuleRows<'a> {
    /// These rows restricted to each of `ranges` (ascending, disjoint) in turn.
    fn cut(&self, ranges: &[Range<usize>]) -> Vec<RuleRows<'a>> {
        let mut precondition = Cursor::new(self.precondition);
        let mut manifests = Cursor::new(self.manifests);
        let mut required = Cursor::new(self.required);
        let mut checks: Vec<Cursor<'a>> = self.checks.iter().map(|row| Cursor::new(row)).collect();
        ranges
            .iter()
            .map(|range| RuleRows {
                precondition: precondition.take(range),
                manifests: manifests.take(range),
                required: required.take(range),
                checks: checks.iter_mut().map(|check| check.take(range)).collect(),
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
            })
            .collect()
    }
}

/// A row walked front to back, handing out the entries in successive ranges.
struct Cursor<'a> {
    row: Row<'a>,
}

impl<'a> Cursor<'a> {
    fn new(row: Row<'a>) -> Cursor<'a> {
        Cursor { row }
    }

    /// The entries within `range`, which must not start before the previous one ended.
    fn take(&mut self, range: &Range<usize>) -> Row<'a> {
        let start = gallop(self.row, |entry| entry < range.start);
        let rest = &self.row[start..];
        let end = gallop(rest, |entry| entry < range.end);
        self.row = &rest[end..];
        &rest[..end]
    }
}

/// `row.partition_point(before)`, searching from the front in doubling steps: the answer
/// is near the front when successive ranges are taken in order.
fn gallop(row: &[usize], before: impl Fn(usize) -> bool) -> usize {
    let mut bound = 1;
    while bound <= row.len() && before(row[bound - 1]) {
        bound *= 2;
    }
    let low = bound / 2;
    let high = bound.min(row.len());
    low + row[low..high].partition_point(|&entry| before(entry))
}

/// Which entries of the tree each rule selected, by rule.
#[derive(Debug, Default)]
pub struct Matches<'a> {
    pub rules: Vec<RuleRows<'a>>,
}

/// What one match over the tree selected: each distinct row's entries, which the rules'
/// [`Matches`] borrow.
#[derive(Debug)]
pub struct Selection {
    rows: Vec<Vec<usize>>,
    /// Each distinct `requires` row cut to one entry per directory.
    required: Vec<Vec<usize>>,
    /// Per rule: which of `rows` (and of `required`) its rows are.
    rules: Vec<RuleSpec>,
    /// Per rule, per check, per ecosystem: the first entry showing it in use.
    ecosystems: Vec<Vec<Vec<Option<usize>>>>,
}

impl Selection {
    pub fn matches(&self) -> Matches<'_> {
        let rules = self
            .rules
            .iter()
            .zip(&self.ecosystems)
            .map(|(spec, ecosystems)| RuleRows {
                precondition: &self.rows[spec.precondition],
                manifests: &self.rows[spec.manifests],
                required: &self.required[spec.required],
                checks: spec
                    .checks
                    .iter()
                    .map(|&check| &self.rows[check][..])
                    .collect(),
                ecosystems: ecosystems.clone(),
            })
            .collect();
        Matches { rules }
    }
}

impl<'a> Matches<'a> {
    /// Appends the rows of the rules in `rules`, restricted to the entries in each of
    /// `ranges` in turn (disjoint, as components are), as the rows of as many more rules.
    /// Each row is walked once, front to back: a monorepo has thousands of components, and
    /// a binary search per component and row missed the cache every time.
    pub fn push_rules_within(&mut self, rules: Range<usize>, ranges: &[Range<usize>]) {
        // Directories sort differently from the paths below them (`a-b/` before `a/`).
        let mut ascending: Vec<usize> = (0..ranges.len()).collect();
        ascending.sort_by_key(|&index| ranges[index].start);
        let in_order: Vec<Range<usize>> = ascending
            .iter()
            .map(|&index| ranges[index].clone())
            .collect();
        let by_rule: Vec<Vec<Option<RuleRows<'a>>>> = self.rules[rules]
            .par_iter()
            .map(|rows| {
                let mut cuts: Vec<Option<RuleRows<'a>>> = vec![None; ranges.len()];
                for (&index, cut) in ascending.iter().zip(rows.cut(&in_order)) {
                    cuts[index] = Some(cut);
                }
                cuts
            })
            .collect();
        let mut by_rule: Vec<_> = by_rule.into_iter().map(Vec::into_iter).collect();
        for _ in ranges {
            for cuts in &mut by_rule {
                self.rules.extend(cuts.next().flatten());
            }
        }
    }

    /// Removes the rows of the rules in `range`.
    pub fn remove_rules(&mut self, range: Range<usize>) {
        self.rules.drain(range);
    }

    /// Removes the last rule's rows and returns them.
    pub fn pop_rule(&mut self) -> Option<RuleRows<'a>> {
        self.rules.pop()
    }
}

/// The entries each glob matched, by glob id.
pub struct ByGlob(Vec<Vec<usize>>);

/// The glob ids each entry of a listing matched, by entry index: kept beside a listing that
/// is patched rather than listed again (`timeline`), so only added paths are matched.
#[derive(Debug, Default)]
pub struct Hits {
    /// Glob ids, as `u32`: a large tree's listing holds hundreds of thousands.
    globs: Vec<u32>,
    /// Entry `i`'s globs are `globs[ends[i - 1]..ends[i]]`.
    ends: Vec<u32>,
}

impl Hits {
    fn of(&self, entry: usize) -> impl Iterator<Item = usize> + '_ {
        let start = entry.checked_sub(1).map_or(0, |before| self.ends[before]);
        self.globs[start as usize..self.ends[entry] as usize]
            .iter()
            .map(|&glob| glob as usize)
    }

    fn push(&mut self, globs: impl IntoIterator<Item = usize>) {
        self.globs.extend(globs.into_iter().map(|glob| glob as u32));
        self.ends.push(self.globs.len() as u32);
    }

    fn append(&mut self, other: Hits) {
        let offset = self.globs.len() as u32;
        self.globs.extend(other.globs);
        self.ends.extend(other.ends.iter().map(|end| end + offset));
    }
}

pub struct Matcher {
    star: StarGlobSet,
    set: GlobSet,
    /// The glob id of each glob in `set`, by its index there.
    set_ids: Vec<usize>,
    /// Per glob id: whether it is a scan-wide exclude (matching files are evidence for no
    /// rule). Each distinct glob is matched once however many rules name it.
    scan_excludes: Vec<bool>,
    /// The distinct rows, as globs: rules share them (file sets, per-component copies).
    rows: Vec<RowSpec>,
    /// Per rule: which of `rows` each of its rows is.
    rules: Vec<RuleSpec>,
    /// Per glob id: the rules with a row that includes or excludes it.
    rules_of_glob: Vec<Vec<usize>>,
}

impl Matcher {
    /// Builds the set. Globs were validated when rules and settings were loaded.
    pub fn new<'a>(
        rules: &'a [&'a Rule],
        scan_exclude: &'a [String],
    ) -> Result<Matcher, MatcherError> {
        let mut star = StarGlobSet::default();
        let mut builder = GlobSetBuilder::new();
        let mut set_ids = Vec::new();
        let mut scan_excludes: Vec<bool> = Vec::new();
        let mut id_of: HashMap<String, usize> = HashMap::new();
        // Rules name the same sets over and over (`@not-services` in eighteen of them): each
        // written glob is compiled once.
        let mut ids_of_written: HashMap<&str, Vec<usize>> = HashMap::new();
        let mut ids = |globs: &'a [String]| -> Result<Vec<usize>, MatcherError> {
            let mut ids = Vec::new();
            for glob in globs {
                if let Some(known) = ids_of_written.get(glob.as_str()) {
                    ids.extend_from_slice(known);
                    continue;
                }
                let first = ids.len();
                for compiled in compile_glob(glob)? {
                    ids.push(*id_of.entry(compiled.glob().to_owned()).or_insert_with(|| {
                        let id = scan_excludes.len();
                        scan_excludes.push(false);
                        if !star.add(compiled.glob(), id) {
                            builder.add(compiled);
                            set_ids.push(id);
                        }
                        id
                    }));
                }
                ids_of_written.insert(glob, ids[first..].to_vec());
            }
            ids.sort_unstable();
            ids.dedup();
            Ok(ids)
        };
        let excluded_everywhere = ids(scan_exclude)?;
        let mut rows: Vec<RowSpec> = Vec::new();
        let mut row_ids: HashMap<RowSpec, usize> = HashMap::new();
        let mut row = |include: Vec<usize>, exclude: &[usize]| -> usize {
            let spec = RowSpec {
                include,
                exclude: exclude.to_vec(),
            };
            *row_ids.entry(spec.clone()).or_insert_with(|| {
                rows.push(spec);
                rows.len() - 1
            })
        };
        let no_row = row(Vec::new(), &[]);
        let mut specs = Vec::with_capacity(rules.len());
        for rule in rules {
            let mut spec = RuleSpec {
                precondition: no_row,
                manifests: no_row,
                required: no_row,
                ..RuleSpec::default()
            };
            if let Some(precondition) = &rule.applies_if {
                let exclude = ids(&precondition.exclude)?;
                spec.precondition = row(ids(&precondition.files)?, &exclude);
                spec.manifests = row(ids(&precondition.manifests)?, &exclude);
                spec.required = row(ids(&precondition.requires)?, &exclude);
            }
            for check in &rule.checks {
                let exclude = ids(&check.exclude)?;
                let mut ecosystems = Vec::new();
                if let CheckKind::UpdateCoverage { ecosystems: used } = &check.kind {
                    for ecosystem in used {
                        ecosystems.push(row(ids(&ecosystem.files)?, &exclude));
                    }
                }
                spec.checks.push(row(ids(&check.files)?, &exclude));
                spec.ecosystems.push(ecosystems);
            }
            specs.push(spec);
        }
        for id in excluded_everywhere {
            scan_excludes[id] = true;
        }
        let mut rules_of_glob: Vec<Vec<usize>> = vec![Vec::new(); scan_excludes.len()];
        for (rule, spec) in specs.iter().enumerate() {
            for row in spec.rows() {
                for &glob in rows[row].include.iter().chain(&rows[row].exclude) {
                    if rules_of_glob[glob].last() != Some(&rule) {
                        rules_of_glob[glob].push(rule);
                    }
                }
            }
        }
        Ok(Matcher {
            star,
            set: builder.build()?,
            set_ids,
            scan_excludes,
            rows,
            rules: specs,
            rules_of_glob,
        })
    }

    /// The globs each entry of the tree matches, in parallel over contiguous chunks.
    pub fn hits_of(&self, tree: &Tree) -> Hits {
        const CHUNK: usize = 4096;
        let parts: Vec<Hits> = tree
            .entries
            .par_chunks(CHUNK)
            .map(|entries| {
                let mut part = Hits::default();
                let mut hits = Vec::new();
                let mut dir_cache = DirCache::default();
                for entry in entries {
                    part.push(
                        self.matched(&entry.path, &mut dir_cache, &mut hits)
                            .iter()
                            .copied(),
                    );
                }
                part
            })
            .collect();
        let mut all = Hits::default();
        for part in parts {
            all.append(part);
        }
        all
    }

    /// The hits of a patched listing: an entry kept keeps its hits (they depend on its path
    /// alone), an added one is matched.
    pub fn patch_hits(&self, old: &Hits, tree: &Tree, origins: &[Origin]) -> Hits {
        let mut patched = Hits::default();
        let mut hits = Vec::new();
        let mut dir_cache = DirCache::default();
        for (entry, origin) in tree.entries.iter().zip(origins) {
            match *origin {
                Origin::Kept(index) => patched.push(old.of(index)),
                Origin::Added => {
                    patched.push(
                        self.matched(&entry.path, &mut dir_cache, &mut hits)
                            .iter()
                            .copied(),
                    );
                }
            }
        }
        patched
    }

    /// The rules (by their index among those the matcher was built for) with a row whose
    /// globs match `path`: those whose selections a change at `path` alters.
    pub fn rules_selecting(&self, path: &[u8]) -> Vec<usize> {
        let mut hits = Vec::new();
        let mut rules: Vec<usize> = self
            .matched(path, &mut DirCache::default(), &mut hits)
            .iter()
            .flat_map(|&glob| self.rules_of_glob[glob].iter().copied())
            .collect();
        rules.sort_unstable();
        rules.dedup();
        rules
    }

    /// The entries each glob matched, by glob id.
    pub fn by_glob(&self, tree: &Tree, hits: &Hits) -> ByGlob {
        let mut by_glob: Vec<Vec<usize>> = vec![Vec::new(); self.scan_excludes.len()];
        for entry in 0..tree.entries.len() {
            for glob in hits.of(entry) {
                by_glob[glob].push(entry);
            }
        }
        ByGlob(by_glob)
    }

    /// The rows of the rules `wanted` says (by index), from the entries each glob matched;
    /// the other rules' rows are left empty.
    pub fn select_for(
        &self,
        tree: &Tree,
        by_glob: &ByGlob,
        wanted: &(dyn Fn(usize) -> bool + Sync),
    ) -> Selection {
        let by_glob = &by_glob.0;
        let mut needed = vec![false; self.rows.len()];
        for (_, spec) in self
            .rules
            .iter()
            .enumerate()
            .filter(|&(rule, _)| wanted(rule))
        {
            for row in spec.rows() {
                needed[row] = true;
            }
        }
        let rows: Vec<Vec<usize>> = self
            .rows
            .par_iter()
            .zip(&needed)
            .map(|(spec, &needed)| match needed {
                true => row(spec, by_glob),
                false => Vec::new(),
            })
            .collect();
        // Distinct `requires` rows, cut to one entry per directory, renumbered.
        let mut required_ids: HashMap<usize, usize> = HashMap::new();
        let mut required = Vec::new();
        let rules = self
            .rules
            .iter()
            .map(|spec| {
                let id = *required_ids.entry(spec.required).or_insert_with(|| {
                    required.push(one_per_directory(&rows[spec.required], tree));
                    required.len() - 1
                });
                RuleSpec {
                    required: id,
                    checks: spec.checks.clone(),
                    ecosystems: spec.ecosystems.clone(),
                    ..*spec
                }
            })
            .collect();
        let ecosystems = self
            .rules
            .iter()
            .map(|spec| {
                spec.ecosystems
                    .iter()
                    .map(|ecosystems| {
                        ecosystems
                            .iter()
                            .map(|&ecosystem| rows[ecosystem].first().copied())
                            .collect()
                    })
                    .collect()
            })
            .collect();
        Selection {
            rows,
            required,
            rules,
            ecosystems,
        }
    }

    /// Whether any glob of any rule (or scan-wide exclude) matches `path`: a file no glob
    /// matches is invisible to the rules but for lookups by name.
    pub fn selects(&self, path: &[u8]) -> bool {
        let mut hits = Vec::new();
        self.hits(path, &mut DirCache::default(), &mut hits)
    }

    /// The glob ids matching `path` into `hits`; false when none does or a scan-wide exclude
    /// does.
    fn hits(&self, path: &[u8], dir_cache: &mut DirCache, hits: &mut Vec<usize>) -> bool {
        let candidate = Candidate::from_bytes(path);
        self.set.matches_candidate_into(&candidate, hits);
        for hit in hits.iter_mut() {
            *hit = self.set_ids[*hit];
        }
        self.star.matches_into(path, dir_cache, hits);
        !hits.is_empty() && !hits.iter().any(|&hit| self.scan_excludes[hit])
    }

    /// The glob ids `path` matches, none when a scan-wide exclude is among them (matching
    /// files are evidence for no rule).
    fn matched<'h>(
        &self,
        path: &[u8],
        dir_cache: &mut DirCache,
        hits: &'h mut Vec<usize>,
    ) -> &'h [usize] {
        if self.hits(path, dir_cache, hits) {
            hits
        } else {
            &[]
        }
    }
}

/// The entries `spec` selects: those of its included globs (ascending, once each) that
/// none of its excluded globs matched.
fn row(spec: &RowSpec, by_glob: &[Vec<usize>]) -> Vec<usize> {
    let excluded = spec.exclude.iter().any(|&glob| !by_glob[glob].is_empty());
    let mut nonempty = spec
        .include
        .iter()
        .filter(|&&glob| !by_glob[glob].is_empty());
    match (nonempty.next(), nonempty.next()) {
        (None, _) => return Vec::new(),
        (Some(&only), None) if !excluded => return by_glob[only].clone(),
        _ => {}
    }
    // Marked in a bitmap over the entries and read back in order, the union of the globs'
    // entries costs one pass (sorting them together cost most of a monorepo's selection).
    let last = spec
        .include
        .iter()
        .filter_map(|&glob| by_glob[glob].last())
        .max()
        .copied()
        .unwrap_or(0);
    let mut bits = vec![0u64; last / 64 + 1];
    for &entry in spec.include.iter().flat_map(|&glob| &by_glob[glob]) {
        bits[entry / 64] |= 1 << (entry % 64);
    }
    for &entry in spec.exclude.iter().flat_map(|&glob| &by_glob[glob]) {
        if let Some(word) = bits.get_mut(entry / 64) {
            *word &= !(1 << (entry % 64));
        }
    }
    let mut entries = Vec::new();
    for (index, &word) in bits.iter().enumerate() {
        let mut word = word;
        while word != 0 {
            entries.push(index * 64 + word.trailing_zeros() as usize);
            word &= word - 1;
        }
    }
    entries
}

/// The first of `row`'s entries in each run of entries sharing a directory: at most one
/// per directory, which is all "is there one in this directory" needs.
fn one_per_directory(row: &[usize], tree: &Tree) -> Vec<usize> {
    let directory = |entry: usize| {
        let path = tree.entries[entry].path.as_slice();
        &path[..path.iter().rposition(|&byte| byte == b'/').unwrap_or(0)]
    };
    let mut kept: Vec<usize> = Vec::new();
    for &entry in row.iter() {
        if kept
            .last()
            .is_none_or(|&last| directory(last) != directory(entry))
        {
            kept.push(entry);
        }
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_is_its_globs_union_without_what_it_excludes() {
        let by_glob = vec![
            vec![1, 5, 64, 200],
            vec![0, 5, 63, 64, 130],
            vec![5, 130, 500],
            Vec::new(),
        ];
        let spec = |include: &[usize], exclude: &[usize]| RowSpec {
            include: include.to_vec(),
            exclude: exclude.to_vec(),
        };
        assert_eq!(
            row(&spec(&[0, 1], &[]), &by_glob),
            [0, 1, 5, 63, 64, 130, 200]
        );
        assert_eq!(row(&spec(&[0, 1], &[2]), &by_glob), [0, 1, 63, 64, 200]);
        assert_eq!(row(&spec(&[1, 3], &[3]), &by_glob), by_glob[1]);
        assert_eq!(row(&spec(&[3], &[0]), &by_glob), Vec::<usize>::new());
    }

    #[test]
    fn a_cursor_cuts_a_row_as_a_search_per_range_would() {
        let row: Vec<usize> = (0..500).filter(|n| n % 3 != 0 || n % 7 == 0).collect();
        let starts = [0, 1, 2, 9, 10, 40, 41, 100, 250, 251, 490, 600];
        let ranges: Vec<Range<usize>> = starts
            .windows(2)
            .map(|pair| pair[0]..pair[1])
            .filter(|range| range.start % 2 == 0 || range.len() > 5)
            .collect();
        let mut cursor = Cursor::new(&row);
        for range in &ranges {
            let start = row.partition_point(|&entry| entry < range.start);
            let end = row.partition_point(|&entry| entry < range.end);
            assert_eq!(cursor.take(range), &row[start..end], "{range:?}");
        }
        assert_eq!(Cursor::new(&[]).take(&(0..10)), &[] as &[usize]);
    }
}

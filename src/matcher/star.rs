//! Globs whose only wildcards are `*` and whole-component `**`, decided without regexes.
//!
//! globset answers literal, basename, extension, prefix and suffix patterns with hash
//! lookups, but every other pattern (`**/*_test.go`, `.github/workflows/*.yml`,
//! `**/docs/adr/**`) with a regex run on every candidate path. Rule packs are full of those,
//! and on a monorepo they were most of the time spent matching. Here a pattern is split into
//! a directory part and a file-name part. Directory parts are decided once per directory
//! (a tree lists a directory's files together), and only for directories that contain one of
//! their literal components; file-name parts are compared only for files whose extension or
//! stem they require. Decisions must equal globset's (with `literal_separator`): tests check
//! both on every built-in glob.

use std::collections::HashMap;

/// A glob may not have more `**` than this: each one multiplies the work of a match.
const MAX_ANY_DIRS: usize = 3;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Part {
    /// `**`: any number of whole components, none included.
    AnyDirs,
    /// One component: literal pieces separated by `*`s (a single piece means no `*`).
    Component(Vec<Vec<u8>>),
}

/// A glob in two halves: which directories, and which file names in them.
#[derive(Debug)]
struct StarGlob {
    /// Matched against the path's directories, every `**` standing for zero or more.
    dir: Vec<Part>,
    /// The file-name pattern; `None` when the glob ends in `**`, which every file below a
    /// matching directory satisfies.
    name: Option<Vec<Vec<u8>>>,
}

impl StarGlob {
    /// Parses `pattern`, or `None` when it uses other syntax (`?`, classes, escapes,
    /// braces, `**` inside a component) or is one globset answers without a regex.
    fn parse(pattern: &str) -> Option<StarGlob> {
        if pattern.contains(['?', '[', ']', '{', '}', '\\']) {
            return None;
        }
        let mut parts = Vec::new();
        for component in pattern.split('/') {
            if component == "**" {
                if parts.last() != Some(&Part::AnyDirs) {
                    parts.push(Part::AnyDirs);
                }
            } else if component.is_empty() || component.contains("**") {
                return None;
            } else {
                let pieces = component.split('*').map(|piece| piece.as_bytes().to_vec());
                parts.push(Part::Component(pieces.collect()));
            }
        }
        let any_dirs = parts.iter().filter(|part| **part == Part::AnyDirs).count();
        if any_dirs > MAX_ANY_DIRS || globset_answers_by_lookup(&parts) {
            return None;
        }
        // A final `**` matches one or more components; the file name is one of them, so
        // the directories may match it with none.
        let name = match parts.pop()? {
            Part::AnyDirs => {
                parts.push(Part::AnyDirs);
                None
            }
            Part::Component(pieces) => Some(pieces),
        };
        Some(StarGlob { dir: parts, name })
    }
}

/// Literals, `**/literal…`, `literal…/**` and `**/*.ext`: globset's own fast strategies.
fn globset_answers_by_lookup(parts: &[Part]) -> bool {
    let is_literal = |part: &Part| matches!(part, Part::Component(pieces) if pieces.len() == 1);
    match parts {
        [] => true,
        [Part::AnyDirs, Part::Component(pieces)]
            if pieces.len() == 2
                && pieces[0].is_empty()
                && pieces[1].first() == Some(&b'.')
                && !pieces[1][1..].contains(&b'.') =>
        {
            true
        }
        [Part::AnyDirs, rest @ ..] if !rest.is_empty() => rest.iter().all(is_literal),
        [rest @ .., Part::AnyDirs] if !rest.is_empty() => rest.iter().all(is_literal),
        _ => parts.iter().all(is_literal),
    }
}

/// What every file name a name pattern accepts must have, so it can be looked up by it.
enum NameKey {
    /// The text after the last `.`.
    Extension(Vec<u8>),
    /// The text before the first `.`.
    Stem(Vec<u8>),
}

fn name_key(pieces: &[Vec<u8>]) -> Option<NameKey> {
    let last = pieces.last()?;
    if let Some(dot) = last.iter().rposition(|&byte| byte == b'.') {
        return Some(NameKey::Extension(last[dot + 1..].to_vec()));
    }
    let first = pieces.first()?;
    let dot = first.iter().position(|&byte| byte == b'.')?;
    Some(NameKey::Stem(first[..dot].to_vec()))
}

fn extension(name: &[u8]) -> Option<&[u8]> {
    let dot = name.iter().rposition(|&byte| byte == b'.')?;
    Some(&name[dot + 1..])
}

fn stem(name: &[u8]) -> Option<&[u8]> {
    let dot = name.iter().position(|&byte| byte == b'.')?;
    Some(&name[..dot])
}

/// Matches `parts`, in which every `**` is zero or more components, against `components`.
fn matches_parts(parts: &[Part], components: &[&[u8]]) -> bool {
    match parts.split_first() {
        None => components.is_empty(),
        Some((Part::AnyDirs, [])) => true,
        Some((Part::AnyDirs, rest)) => {
            (0..=components.len()).any(|skip| matches_parts(rest, &components[skip..]))
        }
        Some((Part::Component(pieces), rest)) => match components.split_first() {
            Some((first, tail)) => matches_component(pieces, first) && matches_parts(rest, tail),
            None => false,
        },
    }
}

/// Whether `name` matches literal `pieces` joined by `*`s, where `*` is any run of bytes.
fn matches_component(pieces: &[Vec<u8>], name: &[u8]) -> bool {
    let [first, middle @ .., last] = pieces else {
        return pieces
            .first()
            .is_some_and(|literal| literal.as_slice() == name);
    };
    if name.len() < first.len() + last.len() || !name.starts_with(first) || !name.ends_with(last) {
        return false;
    }
    let mut rest = &name[first.len()..name.len() - last.len()];
    for piece in middle {
        match rest
            .windows(piece.len())
            .position(|window| window == piece.as_slice())
        {
            Some(at) => rest = &rest[at + piece.len()..],
            None => return false,
        }
    }
    true
}

/// A glob of the set: its interned directory pattern, its file-name pattern, the caller's id.
#[derive(Debug)]
struct Member {
    dir: usize,
    name: Option<Vec<Vec<u8>>>,
    id: usize,
}

/// Star globs, indexed so that a file meets only the globs that could match it.
#[derive(Debug, Default)]
pub struct StarGlobSet {
    /// Distinct directory patterns: many globs share one (`**`, `**/tests/**`).
    dir_patterns: Vec<Vec<Part>>,
    dir_pattern_ids: HashMap<Vec<Part>, usize>,
    /// Directory patterns by their longest literal component, and those without one.
    dirs_by_component: HashMap<Vec<u8>, Vec<usize>>,
    dirs_unkeyed: Vec<usize>,
    members: Vec<Member>,
    /// Members without a name pattern: every file of a matching directory matches.
    whole_dir: Vec<usize>,
    by_extension: HashMap<Vec<u8>, Vec<usize>>,
    by_stem: HashMap<Vec<u8>, Vec<usize>>,
    names_unkeyed: Vec<usize>,
}

/// Per-thread memory of the directory last matched against.
#[derive(Debug, Default)]
pub struct DirCache {
    dir: Option<Vec<u8>>,
    /// Per directory pattern: whether the directory matches it.
    matches: Vec<bool>,
    /// Ids of the whole-directory globs the directory matches.
    whole_dir_hits: Vec<usize>,
}

impl StarGlobSet {
    /// Takes `pattern` (a brace-free glob) under `id` if this set can decide it; otherwise
    /// returns false and the caller hands it to globset.
    pub fn add(&mut self, pattern: &str, id: usize) -> bool {
        let Some(glob) = StarGlob::parse(pattern) else {
            return false;
        };
        let dir = self.intern_dir_pattern(glob.dir);
        let index = self.members.len();
        match glob.name.as_deref().map(name_key) {
            None => self.whole_dir.push(index),
            Some(Some(NameKey::Extension(extension))) => {
                self.by_extension.entry(extension).or_default().push(index)
            }
            Some(Some(NameKey::Stem(stem))) => self.by_stem.entry(stem).or_default().push(index),
            Some(None) => self.names_unkeyed.push(index),
        }
        self.members.push(Member {
            dir,
            name: glob.name,
            id,
        });
        true
    }

    fn intern_dir_pattern(&mut self, parts: Vec<Part>) -> usize {
        if let Some(&index) = self.dir_pattern_ids.get(&parts) {
            return index;
        }
        let index = self.dir_patterns.len();
        let longest_literal = parts
            .iter()
            .filter_map(|part| match part {
                Part::Component(pieces) if pieces.len() == 1 => Some(&pieces[0]),
                _ => None,
            })
            .max_by_key(|literal| literal.len());
        match longest_literal {
            Some(literal) => self
                .dirs_by_component
                .entry(literal.clone())
                .or_default()
                .push(index),
            None => self.dirs_unkeyed.push(index),
        }
        self.dir_pattern_ids.insert(parts.clone(), index);
        self.dir_patterns.push(parts);
        index
    }

    /// Appends the ids of the globs matching `path` to `hits`, in no particular order.
    /// `cache` must only ever be used with this set.
    pub fn matches_into(&self, path: &[u8], cache: &mut DirCache, hits: &mut Vec<usize>) {
        let (dir, name) = match path.iter().rposition(|&byte| byte == b'/') {
            Some(slash) => (&path[..slash], &path[slash + 1..]),
            None => (&path[..0], path),
        };
        if cache.dir.as_deref() != Some(dir) {
            self.enter_dir(dir, cache);
        }
        hits.extend(&cache.whole_dir_hits);
        let by_extension = extension(name).and_then(|key| self.by_extension.get(key));
        let by_stem = stem(name).and_then(|key| self.by_stem.get(key));
        let candidates = by_extension
            .into_iter()
            .chain(by_stem)
            .flatten()
            .chain(&self.names_unkeyed);
        for &index in candidates {
            let member = &self.members[index];
            if cache.matches[member.dir]
                && member
                    .name
                    .as_deref()
                    .is_some_and(|pieces| matches_component(pieces, name))
            {
                hits.push(member.id);
            }
        }
    }

    fn enter_dir(&self, dir: &[u8], cache: &mut DirCache) {
        let components: Vec<&[u8]> = if dir.is_empty() {
            Vec::new()
        } else {
            dir.split(|&byte| byte == b'/').collect()
        };
        cache.matches.clear();
        cache.matches.resize(self.dir_patterns.len(), false);
        let keyed = components
            .iter()
            .filter_map(|component| self.dirs_by_component.get(*component))
            .flatten();
        for &pattern in self.dirs_unkeyed.iter().chain(keyed) {
            if !cache.matches[pattern] {
                cache.matches[pattern] = matches_parts(&self.dir_patterns[pattern], &components);
            }
        }
        cache.whole_dir_hits.clear();
        for &index in &self.whole_dir {
            let member = &self.members[index];
            if cache.matches[member.dir] {
                cache.whole_dir_hits.push(member.id);
            }
        }
        cache.dir = Some(dir.to_vec());
    }
}

#[cfg(test)]
mod tests {
    use std::os::unix::ffi::OsStrExt;

    use super::*;
    use crate::rules::compile_glob;

    /// Paths that exercise roots, depth, dots, repeated names and non-UTF-8 bytes.
    const PATHS: &[&[u8]] = &[
        b"Dockerfile",
        b"Dockerfile.dev",
        b"a/Dockerfile",
        b"main_test.go",
        b"pkg/main_test.go",
        b"pkg/_test.go",
        b"pkg/test.go",
        b"cmd/main.go",
        b"cmd/tool/main.go",
        b"src/cmd/tool/main.go",
        b"cmdx/main.go",
        b"docs/adr",
        b"docs/adr/0001-record.md",
        b"x/docs/adr/0001.md",
        b"docs/adrs.md",
        b".github/workflows/ci.yml",
        b".github/workflows/sub/ci.yml",
        b"a/.github/workflows/ci.yml",
        b"compose.yaml",
        b"docker-compose.override.yml",
        b"svc/compose.prod.yaml",
        b"web/src/app.spec.ts",
        b"web/src/app.spec.tsx",
        b"web/src/spec.ts",
        b"requirements-dev.txt",
        b"requirements.txt",
        b"postmortems/2024-01.md",
        b"docs/postmortem-db.md",
        b"log/x.go",
        b"internal/logging/x.go",
        b"internal/logging/sub/x.go",
        b"roles/web/tasks/main.yaml",
        b"roles/web/x/tasks/main.yaml",
        b"a.b.c",
        b".hidden/.env",
        b"abcabc",
        b"caf\xe9/x_test.go",
        b"x/\xff\xfe.yml",
    ];

    const GLOBS: &[&str] = &[
        "**/*_test.go",
        "**/cmd/**/*.go",
        "**/docs/adr/**",
        ".github/workflows/*.yml",
        "**/compose*.yaml",
        "**/docker-compose*.yml",
        "**/*.spec.ts",
        "**/requirements*.txt",
        "**/postmortem*.md",
        "**/postmortems/**",
        "**/log/*.go",
        "**/logging/*.go",
        "**/roles/*/tasks/main.yaml",
        "*.c",
        "a*b*c",
        "*abc*abc*",
        "**/**/*.go",
        "**/*/*.yml",
        "docs/**/*.md",
        "**/.hidden/*",
    ];

    fn globset_matches(pattern: &str, path: &[u8]) -> bool {
        compile_glob(pattern).unwrap().iter().any(|glob| {
            glob.compile_matcher()
                .is_match(std::ffi::OsStr::from_bytes(path))
        })
    }

    fn star_matches(pattern: &str, path: &[u8]) -> Option<bool> {
        let mut set = StarGlobSet::default();
        if !set.add(pattern, 7) {
            return None;
        }
        let mut hits = Vec::new();
        set.matches_into(path, &mut DirCache::default(), &mut hits);
        Some(hits == [7])
    }

    #[test]
    fn agrees_with_globset() {
        for pattern in GLOBS {
            for path in PATHS {
                if let Some(star) = star_matches(pattern, path) {
                    let expected = globset_matches(pattern, path);
                    assert_eq!(star, expected, "{pattern} on {}", path.escape_ascii());
                }
            }
        }
    }

    #[test]
    fn takes_the_patterns_globset_would_run_a_regex_for() {
        for pattern in ["**/*_test.go", "**/docs/adr/**", ".github/workflows/*.yml"] {
            assert!(StarGlob::parse(pattern).is_some(), "{pattern}");
        }
        for pattern in [
            "Cargo.toml",
            "**/Cargo.toml",
            "**/*.tf",
            "docs/**",
            "**/a/b",
            "**/*.[ch]",
            "a?c",
            "a**/b",
        ] {
            assert!(StarGlob::parse(pattern).is_none(), "{pattern}");
        }
    }

    /// Every glob the built-in rules and default excludes use, brace-expanded.
    fn builtin_globs() -> Vec<String> {
        let rules = crate::rules::builtin_rules();
        let rule_globs = rules.iter().flat_map(|rule| {
            let preconditions = rule
                .applies_if
                .iter()
                .flat_map(|p| p.files.iter().chain(&p.exclude).chain(&p.manifests));
            let checks = rule.checks.iter().flat_map(|c| {
                let ecosystems = match &c.kind {
                    crate::rules::CheckKind::UpdateCoverage { ecosystems } => ecosystems
                        .iter()
                        .flat_map(|ecosystem| ecosystem.files.clone())
                        .collect(),
                    _ => Vec::new(),
                };
                c.files.iter().chain(&c.exclude).cloned().chain(ecosystems)
            });
            preconditions.cloned().chain(checks).collect::<Vec<_>>()
        });
        let excludes = crate::rules::known().default_exclude.iter().cloned();
        let mut globs: Vec<String> = rule_globs
            .chain(excludes)
            .flat_map(|glob| compile_glob(&glob).unwrap())
            .map(|glob| glob.glob().to_owned())
            .collect();
        globs.sort();
        globs.dedup();
        globs
    }

    /// Paths a glob should and should not match: `**` as zero, one and two directories,
    /// `*` as nothing and as text, each at the root and below a directory.
    fn sample_paths(glob: &str) -> Vec<Vec<u8>> {
        let mut samples = Vec::new();
        for any_dirs in ["", "d/", "d/e/"] {
            for star in ["", "x", "x.y"] {
                let path = glob
                    .replace("**/", any_dirs)
                    .replace("/**", "/f")
                    .replace('*', star);
                samples.push(path.clone().into_bytes());
                samples.push(format!("top/{path}").into_bytes());
                samples.push(format!("{path}/inner").into_bytes());
            }
        }
        samples
    }

    #[test]
    fn agrees_with_globset_on_every_builtin_glob() {
        // One set of every star glob against one globset of the same globs, path by path:
        // comparing glob by glob was quadratic and took a minute of CI's unoptimised run.
        let globs = builtin_globs();
        let mut paths: Vec<Vec<u8>> = PATHS.iter().map(|path| path.to_vec()).collect();
        paths.extend(globs.iter().flat_map(|glob| sample_paths(glob)));
        paths.sort();
        paths.dedup();
        let mut star_set = StarGlobSet::default();
        let mut reference = globset::GlobSetBuilder::new();
        let mut taken = Vec::new();
        for pattern in &globs {
            if star_set.add(pattern, taken.len()) {
                reference.add(compile_glob(pattern).unwrap().remove(0));
                taken.push(pattern.as_str());
            }
        }
        assert!(
            taken.len() > 100,
            "only {} built-in globs are star globs",
            taken.len()
        );
        let reference = reference.build().unwrap();
        let mut cache = DirCache::default();
        for path in &paths {
            let mut hits = Vec::new();
            star_set.matches_into(path, &mut cache, &mut hits);
            hits.sort_unstable();
            let expected = reference.matches(std::ffi::OsStr::from_bytes(path));
            let named = |ids: &[usize]| ids.iter().map(|&id| taken[id]).collect::<Vec<_>>();
            assert_eq!(named(&hits), named(&expected), "on {}", path.escape_ascii());
        }
    }

    #[test]
    fn a_directory_cache_follows_the_paths_it_is_given() {
        let mut set = StarGlobSet::default();
        assert!(set.add("**/docs/adr/**", 0));
        assert!(set.add("**/cmd/**/*.go", 1));
        let mut cache = DirCache::default();
        let mut hits_of = |path: &[u8]| {
            let mut hits = Vec::new();
            set.matches_into(path, &mut cache, &mut hits);
            hits
        };
        assert_eq!(hits_of(b"docs/adr/1.md"), [0]);
        assert_eq!(hits_of(b"docs/adr/2.md"), [0]);
        assert_eq!(hits_of(b"docs/readme.md"), Vec::<usize>::new());
        assert_eq!(hits_of(b"cmd/x/main.go"), [1]);
        assert_eq!(hits_of(b"docs/adr/3.md"), [0]);
    }
}

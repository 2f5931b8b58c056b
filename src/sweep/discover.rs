//! Which repositories a sweep scans: found under root folders, or listed in a file, and
//! the share of them this machine takes (`--shard K/N`).

use std::io::BufRead;
use std::path::{Path, PathBuf};

/// A repository to scan: its path (canonical when it exists, so that `--resume` recognises
/// it) and the name reports show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub path: PathBuf,
    pub name: String,
}

/// A symbolic link to a folder found under a root, which a sweep does not follow: a link
/// can lead a sweep out of the root (to a sibling's repository, reported under the link's
/// name), so the sweep names it instead and its target can be given as a root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Symlink {
    /// The link itself, not its target.
    pub path: PathBuf,
    /// Its path under the root it was found in, as a repository's name would be.
    pub name: String,
    /// Where it points, as written in the link.
    pub target: PathBuf,
}

impl std::fmt::Display for Symlink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} is a symbolic link (to {}): not followed",
            self.path.display(),
            self.target.display()
        )
    }
}

/// What a search for repositories found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Found {
    pub candidates: Vec<Candidate>,
    /// Symbolic links to folders, passed over; sorted by name.
    pub symlinks: Vec<Symlink>,
}

/// The repositories a sweep takes: those under `roots`, then those listed in `list` (a file,
/// or `-` for standard input), kept to `shard` when given; and the symbolic links to folders
/// that were not followed (in the shard that would take a repository of their name, so that
/// N shards name each link once).
pub fn candidates(
    roots: &[PathBuf],
    depth: usize,
    list: Option<&Path>,
    shard: Option<Shard>,
) -> Result<Found, miette::Report> {
    let mut candidates = Vec::new();
    let mut symlinks = Vec::new();
    for root in roots {
        if !root.is_dir() {
            return Err(miette::miette!("{} is not a folder", root.display()));
        }
        let found = under(root, depth);
        candidates.extend(found.candidates);
        symlinks.extend(found.symlinks);
    }
    if let Some(list) = list {
        let listed = if list.as_os_str() == "-" {
            listed(std::io::stdin().lock())
        } else {
            std::fs::File::open(list).and_then(|file| listed(std::io::BufReader::new(file)))
        };
        candidates.extend(
            listed.map_err(|error| miette::miette!("cannot read {}: {error}", list.display()))?,
        );
    }
    // One repository given twice (`x/`, `./x`, a link to it) is scanned once.
    let mut seen = std::collections::HashSet::new();
    candidates.retain(|candidate| seen.insert(candidate.path.clone()));
    tell_apart(&mut candidates);
    if let Some(shard) = shard {
        candidates.retain(|candidate| shard.takes(&candidate.name));
        symlinks.retain(|symlink: &Symlink| shard.takes(&symlink.name));
    }
    Ok(Found {
        candidates,
        symlinks,
    })
}

/// The repositories under `root`, at most `depth` folders down: a folder holding `.git`
/// (a clone or a worktree) or one laid out as a bare repository. A repository found is not
/// descended into; symbolic links to folders are not followed but returned, so that the
/// sweep can say so; unreadable folders are passed over.
pub fn under(root: &Path, depth: usize) -> Found {
    let mut found = Vec::new();
    let mut symlinks = Vec::new();
    let mut pending = vec![(root.to_owned(), 0)];
    while let Some((dir, level)) = pending.pop() {
        if is_repository(&dir) {
            let relative = dir.strip_prefix(root).unwrap_or(&dir);
            let name = if relative.as_os_str().is_empty() {
                file_name(root)
            } else {
                relative.to_string_lossy().into_owned()
            };
            found.push(candidate(&dir, name));
            continue;
        }
        if level == depth {
            continue;
        }
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            // `file_type` does not follow symbolic links.
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            let path = entry.path();
            if kind.is_dir() {
                pending.push((path, level + 1));
            } else if kind.is_symlink() && path.is_dir() {
                // `is_dir` follows the link: one to a folder (a repository, or folders that
                // may hold some) would have been searched, had it been one.
                let name = path
                    .strip_prefix(root)
                    .unwrap_or(&path)
                    .to_string_lossy()
                    .into_owned();
                let target = std::fs::read_link(&path).unwrap_or_default();
                symlinks.push(Symlink { path, name, target });
            }
        }
    }
    found.sort_by(|a, b| a.name.cmp(&b.name));
    symlinks.sort_by(|a, b| a.name.cmp(&b.name));
    Found {
        candidates: found,
        symlinks,
    }
}

/// The repositories listed in `text`, one path per line (blank lines and `#` comments
/// skipped).
pub fn listed(reader: impl BufRead) -> std::io::Result<Vec<Candidate>> {
    let mut found = Vec::new();
    for line in reader.lines() {
        let line = line?;
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let path = repository_of(Path::new(line));
        found.push(candidate(&path, file_name(&path)));
    }
    Ok(found)
}

/// The repository a listed path names, as discovery would find it: a `.git` folder stands
/// for the worktree holding it, and a folder inside a repository for that repository — so
/// that the line written for it carries the path `--resume` looks for. A path in no
/// repository is kept as given, and gets an error line.
fn repository_of(path: &Path) -> PathBuf {
    let Ok(canonical) = std::fs::canonicalize(path) else {
        return path.to_owned();
    };
    let Some(found) = canonical.ancestors().find(|dir| is_repository(dir)) else {
        return canonical;
    };
    match found.parent() {
        Some(worktree) if found.file_name().is_some_and(|name| name == ".git") => {
            worktree.to_owned()
        }
        _ => found.to_owned(),
    }
}

/// Whether a folder is a repository to scan: it holds `.git`, or it is a bare repository
/// (`HEAD`, `objects/` and `refs/`, as git itself recognises one), or it is named like a
/// bare mirror (`*.git`) — a broken mirror gets an error line rather than going unnoticed.
fn is_repository(dir: &Path) -> bool {
    dir.join(".git").exists()
        || (dir.join("HEAD").is_file() && dir.join("objects").is_dir() && dir.join("refs").is_dir())
        || dir.extension().is_some_and(|extension| extension == "git")
}

/// Repositories given the same name (mirrors laid out as `<owner+name>/repo`, listed or under
/// two roots) are named by as many folders of their paths as tell them apart
/// (`ONSdigital+dp-api/repo`), so that no two rows of a report read alike.
fn tell_apart(candidates: &mut [Candidate]) {
    const MAX_FOLDERS: usize = 4;
    let mut by_name: std::collections::HashMap<String, Vec<usize>> =
        std::collections::HashMap::new();
    for (index, candidate) in candidates.iter().enumerate() {
        by_name
            .entry(candidate.name.clone())
            .or_default()
            .push(index);
    }
    for (name, same) in by_name {
        if same.len() < 2 {
            continue;
        }
        for folders in 1..=MAX_FOLDERS {
            let names: Vec<String> = same
                .iter()
                .map(|&index| with_folders(&candidates[index].path, &name, folders))
                .collect();
            let distinct: std::collections::HashSet<&String> = names.iter().collect();
            if distinct.len() == names.len() || folders == MAX_FOLDERS {
                for (&index, name) in same.iter().zip(names) {
                    candidates[index].name = name;
                }
                break;
            }
        }
    }
}

/// `name` (a path's last parts) with the `folders` folders above it in `path`.
fn with_folders(path: &Path, name: &str, folders: usize) -> String {
    let parts: Vec<String> = path
        .iter()
        .map(|part| part.to_string_lossy().into_owned())
        .filter(|part| part != "/")
        .collect();
    let own = name.split('/').count();
    let start = parts.len().saturating_sub(own + folders);
    let named = parts[start..].join("/");
    named
        .strip_suffix(".git")
        .map(str::to_owned)
        .unwrap_or(named)
}

fn candidate(path: &Path, name: String) -> Candidate {
    let name = name.strip_suffix(".git").map(str::to_owned).unwrap_or(name);
    Candidate {
        path: std::fs::canonicalize(path).unwrap_or_else(|_| path.to_owned()),
        name,
    }
}

fn file_name(path: &Path) -> String {
    std::fs::canonicalize(path)
        .ok()
        .as_deref()
        .unwrap_or(path)
        .file_name()
        .map_or_else(
            || path.display().to_string(),
            |name| name.to_string_lossy().into_owned(),
        )
}

/// `--shard K/N`: this machine's part of the repositories, 1-based.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: u64,
    pub count: u64,
}

impl std::str::FromStr for Shard {
    type Err = String;

    fn from_str(text: &str) -> Result<Shard, String> {
        let invalid = || format!("`{text}` is not a shard: write K/N with 1 <= K <= N, e.g. 2/8");
        let (index, count) = text.split_once('/').ok_or_else(invalid)?;
        let (index, count) = (
            index.trim().parse::<u64>().map_err(|_| invalid())?,
            count.trim().parse::<u64>().map_err(|_| invalid())?,
        );
        if index == 0 || index > count {
            return Err(invalid());
        }
        Ok(Shard { index, count })
    }
}

impl Shard {
    /// Whether this shard takes the repository named `name`: by a hash of the name that is
    /// the same on every machine and every run (FNV-1a; the standard hasher is seeded per
    /// process), so N machines with the same inputs split them without overlap.
    pub fn takes(self, name: &str) -> bool {
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for byte in name.bytes() {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
        hash % self.count == self.index - 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repositories_of_one_name_are_told_apart_by_their_folders() {
        let candidate = |path: &str, name: &str| Candidate {
            path: PathBuf::from(path),
            name: name.to_owned(),
        };
        let mut found = vec![
            candidate("/m/ONSdigital+dp-api/repo", "repo"),
            candidate("/m/Pylons+waitress/repo", "repo"),
            candidate("/a/team/svc.git", "team/svc"),
            candidate("/b/team/svc", "team/svc"),
            candidate("/c/tool", "tool"),
        ];
        tell_apart(&mut found);
        let names: Vec<&str> = found.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "ONSdigital+dp-api/repo",
                "Pylons+waitress/repo",
                "a/team/svc",
                "b/team/svc",
                "tool"
            ]
        );
    }

    #[test]
    fn shards_parse_and_partition() {
        assert_eq!("2/8".parse(), Ok(Shard { index: 2, count: 8 }));
        for bad in ["0/3", "4/3", "3", "a/b", "1/0"] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
        let candidates: Vec<Candidate> = (0..200)
            .map(|index| Candidate {
                path: PathBuf::from(format!("/r/{index}")),
                name: format!("org/repo-{index}"),
            })
            .collect();
        let shards: Vec<Shard> = (1..=4).map(|index| Shard { index, count: 4 }).collect();
        for candidate in &candidates {
            let takers = shards
                .iter()
                .filter(|shard| shard.takes(&candidate.name))
                .count();
            assert_eq!(takers, 1, "{} is in exactly one shard", candidate.name);
        }
        let first = candidates
            .iter()
            .filter(|c| shards[0].takes(&c.name))
            .count();
        assert!((20..80).contains(&first), "roughly a quarter: {first}");
    }

    #[cfg(unix)]
    #[test]
    fn symbolic_links_to_folders_are_named_not_followed() {
        let outside = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(outside.path().join("sibling/.git")).unwrap();
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(root.path().join("team/real/.git")).unwrap();
        std::os::unix::fs::symlink(
            outside.path().join("sibling"),
            root.path().join("team/alias"),
        )
        .unwrap();
        std::os::unix::fs::symlink(outside.path(), root.path().join("elsewhere")).unwrap();
        std::fs::write(root.path().join("team/file"), "").unwrap();
        std::os::unix::fs::symlink(root.path().join("team/file"), root.path().join("file-link"))
            .unwrap();
        let found = under(root.path(), 4);
        let names: Vec<&str> = found.candidates.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["team/real"]);
        let links: Vec<(&str, &Path)> = found
            .symlinks
            .iter()
            .map(|link| (link.name.as_str(), link.target.as_path()))
            .collect();
        let sibling = outside.path().join("sibling");
        assert_eq!(
            links,
            [
                ("elsewhere", outside.path()),
                ("team/alias", sibling.as_path())
            ],
            "a link to a file is no folder left out"
        );
        assert!(found.symlinks[1].to_string().ends_with(&format!(
            "team/alias is a symbolic link (to {}): not followed",
            sibling.display()
        )));
    }
}

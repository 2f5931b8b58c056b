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

/// The repositories a sweep takes: those under `roots`, then those listed in `list` (a file,
/// or `-` for standard input), kept to `shard` when given.
pub fn candidates(
    roots: &[PathBuf],
    depth: usize,
    list: Option<&Path>,
    shard: Option<Shard>,
) -> Result<Vec<Candidate>, miette::Report> {
    let mut candidates = Vec::new();
    for root in roots {
        if !root.is_dir() {
            return Err(miette::miette!("{} is not a folder", root.display()));
        }
        candidates.extend(under(root, depth));
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
    if let Some(shard) = shard {
        candidates.retain(|candidate| shard.takes(candidate));
    }
    Ok(candidates)
}

/// The repositories under `root`, at most `depth` folders down: a folder holding `.git`
/// (a clone or a worktree) or one laid out as a bare repository. A repository found is not
/// descended into; symbolic links are not followed; unreadable folders are passed over.
pub fn under(root: &Path, depth: usize) -> Vec<Candidate> {
    let mut found = Vec::new();
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
            if entry.file_type().is_ok_and(|kind| kind.is_dir()) {
                pending.push((entry.path(), level + 1));
            }
        }
    }
    found.sort_by(|a, b| a.name.cmp(&b.name));
    found
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
        let path = Path::new(line);
        found.push(candidate(path, file_name(path)));
    }
    Ok(found)
}

/// Whether a folder is a repository to scan: it holds `.git`, or it is a bare repository
/// (`HEAD`, `objects/` and `refs/`, as git itself recognises one), or it is named like a
/// bare mirror (`*.git`) — a broken mirror gets an error line rather than going unnoticed.
fn is_repository(dir: &Path) -> bool {
    dir.join(".git").exists()
        || (dir.join("HEAD").is_file() && dir.join("objects").is_dir() && dir.join("refs").is_dir())
        || dir.extension().is_some_and(|extension| extension == "git")
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
    /// Whether this shard takes `candidate`: by a hash of its name that is the same on every
    /// machine and every run (FNV-1a; the standard hasher is seeded per process), so N
    /// machines with the same inputs split them without overlap.
    pub fn takes(self, candidate: &Candidate) -> bool {
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for byte in candidate.name.bytes() {
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
            let takers = shards.iter().filter(|shard| shard.takes(candidate)).count();
            assert_eq!(takers, 1, "{} is in exactly one shard", candidate.name);
        }
        let first = candidates.iter().filter(|c| shards[0].takes(c)).count();
        assert!((20..80).contains(&first), "roughly a quarter: {first}");
    }
}

//! The file listing: one pass over a commit's tree or over the working tree.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use gix::ObjectId;
use gix::bstr::{BString, ByteSlice};
use rayon::prelude::*;

use crate::repo::{MAX_TREE_BYTES, RepoError, Source, Target};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    File,
    /// Listed so that presence rules see it; read only as the file of the tree it leads to
    /// (`facts::content`), never followed out of the repository.
    Symlink,
}

#[derive(Debug, Clone)]
pub struct Entry {
    /// Repository-relative, `/`-separated, as git stores it (not necessarily UTF-8).
    pub path: BString,
    pub kind: EntryKind,
    /// The blob, when the listing comes from the object database.
    pub blob: Option<ObjectId>,
}

impl Entry {
    /// The path for reports: UTF-8, with invalid bytes replaced.
    pub fn display_path(&self) -> String {
        self.path.to_str_lossy().into_owned()
    }

    /// The last part of the path (`package.json`), as stored.
    pub fn file_name(&self) -> &[u8] {
        let path = self.path.as_slice();
        path.rsplit(|&byte| byte == b'/').next().unwrap_or(path)
    }
}

/// Where file contents come from.
#[derive(Debug, Clone)]
pub enum ContentSource {
    Objects,
    Worktree(PathBuf),
}

#[derive(Debug)]
pub struct Tree {
    pub entries: Vec<Entry>,
    /// Gitlinks, reported but not descended into.
    pub submodules: Vec<String>,
    pub source: ContentSource,
    /// The paths looked up by name while judging the tree (`position`), found or not, and
    /// the patterns matched against every path: an evaluation depends on these beyond the
    /// files the rules select (`timeline` reuses a verdict while none of them changes).
    pub lookups: Lookups,
}

#[derive(Debug, Default)]
pub struct Lookups(std::sync::Mutex<Vec<String>>);

impl Lookups {
    pub fn record(&self, path: &str) {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(path.to_owned());
    }

    pub fn take(&self) -> Vec<String> {
        std::mem::take(
            &mut self
                .0
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        )
    }
}

impl Tree {
    pub fn find(&self, path: &str) -> Option<&Entry> {
        self.position(path).map(|index| &self.entries[index])
    }

    /// The indices of the entries whose path starts with `prefix` (a directory with its
    /// trailing `/`): contiguous, since entries are sorted by path.
    pub fn range_under(&self, prefix: &str) -> std::ops::Range<usize> {
        let prefix = prefix.as_bytes();
        let start = self
            .entries
            .partition_point(|entry| entry.path.as_slice() < prefix);
        let end = start
            + self.entries[start..]
                .partition_point(|entry| entry.path.as_slice().starts_with(prefix));
        start..end
    }

    /// The index of the entry at `path`; entries are sorted by path.
    pub fn position(&self, path: &str) -> Option<usize> {
        self.lookups.record(path);
        self.entries
            .binary_search_by(|entry| entry.path.as_slice().cmp(path.as_bytes()))
            .ok()
    }
}

/// What is at one path after a change between two trees of the object database: a tree
/// diff's record, as a listing is patched with it.
pub struct Patch {
    pub path: BString,
    /// The entry there now; none when it was removed.
    pub now: Option<(gix::object::tree::EntryKind, ObjectId)>,
}

/// Where an entry of a patched listing came from: an entry of the listing patched (its path
/// unchanged, its contents maybe not), or a path the patch added.
#[derive(Debug, Clone, Copy)]
pub enum Origin {
    Kept(usize),
    Added,
}

impl Tree {
    /// This listing of a tree of the object database with the changes to another applied:
    /// the other's listing, and where each of its entries came from. Costs a pass over the
    /// entries rather than reading every tree object again.
    pub fn patched(self, mut patches: Vec<Patch>) -> (Tree, Vec<Origin>) {
        use gix::object::tree::EntryKind as Kind;

        patches.sort_by(|a, b| a.path.cmp(&b.path));
        let mut entries = Vec::with_capacity(self.entries.len() + patches.len());
        let mut origins = Vec::with_capacity(entries.capacity());
        let mut submodules = self.submodules;
        let mut old = self.entries.into_iter().enumerate().peekable();
        for patch in patches {
            while let Some((index, entry)) = old.next_if(|(_, entry)| entry.path < patch.path) {
                entries.push(entry);
                origins.push(Origin::Kept(index));
            }
            let origin = old
                .next_if(|(_, entry)| entry.path == patch.path)
                .map_or(Origin::Added, |(index, _)| Origin::Kept(index));
            let display = patch.path.to_str_lossy().into_owned();
            submodules.retain(|submodule| *submodule != display);
            let (kind, blob) = match patch.now {
                Some((Kind::Blob | Kind::BlobExecutable, id)) => (EntryKind::File, Some(id)),
                Some((Kind::Link, id)) => (EntryKind::Symlink, Some(id)),
                Some((Kind::Commit, _)) => {
                    submodules.push(display);
                    continue;
                }
                Some((Kind::Tree, _)) | None => continue,
            };
            entries.push(Entry {
                path: patch.path,
                kind,
                blob,
            });
            origins.push(origin);
        }
        for (index, entry) in old {
            entries.push(entry);
            origins.push(Origin::Kept(index));
        }
        submodules.sort();
        let tree = Tree {
            entries,
            submodules,
            source: ContentSource::Objects,
            lookups: Lookups::default(),
        };
        (tree, origins)
    }
}

/// Lists the files of what `target` says to scan.
pub fn list(target: &Target) -> Result<Tree, RepoError> {
    match target.source {
        Source::Tree(tree) => list_commit_tree(target, tree),
        Source::Worktree => list_worktree(target),
        Source::Index => list_index(target),
    }
}

/// Lists what is staged: the index's entries, their contents the staged blobs. A conflicted
/// path is listed once (its first stage).
fn list_index(target: &Target) -> Result<Tree, RepoError> {
    use gix::index::entry::Mode;

    let repo = target.repo.to_thread_local();
    let index = load_index(&repo)?;
    if index.entries().len() > target.max_entries {
        return Err(RepoError::TooManyEntries {
            limit: target.max_entries,
        });
    }
    let mut entries: Vec<Entry> = Vec::with_capacity(index.entries().len());
    let mut submodules = Vec::new();
    for entry in index.entries() {
        let path = entry.path(&index);
        if entries.last().is_some_and(|last| last.path == path) {
            continue;
        }
        let kind = match entry.mode {
            Mode::FILE | Mode::FILE_EXECUTABLE => EntryKind::File,
            Mode::SYMLINK => EntryKind::Symlink,
            Mode::COMMIT => {
                submodules.push(path.to_str_lossy().into_owned());
                continue;
            }
            _ => continue,
        };
        entries.push(Entry {
            path: path.to_owned(),
            kind,
            blob: Some(entry.id),
        });
    }
    Ok(Tree {
        entries,
        submodules,
        source: ContentSource::Objects,
        lookups: Default::default(),
    })
}

/// The repository's index, once its size is known to fit `MAX_TREE_BYTES`: the file (read
/// whole) and its entries as they are held (their number from the header, before the file
/// is read). Three million entries, 240 MB on disk, took over 500 MiB to hold.
fn load_index(repo: &gix::Repository) -> Result<gix::worktree::Index, RepoError> {
    let path = repo.index_path();
    if let Ok(metadata) = std::fs::symlink_metadata(&path)
        && metadata.is_file()
    {
        let mut header = [0u8; 12];
        let entries = std::fs::File::open(&path)
            .and_then(|mut file| std::io::Read::read_exact(&mut file, &mut header))
            .ok()
            .filter(|()| &header[..4] == b"DIRC")
            .map_or(0, |()| {
                u64::from(u32::from_be_bytes([
                    header[8], header[9], header[10], header[11],
                ]))
            });
        let held = std::mem::size_of::<gix::index::Entry>() as u64 + 16;
        let cost = metadata.len().saturating_add(entries.saturating_mul(held));
        if cost > MAX_TREE_BYTES {
            return Err(RepoError::IndexTooLarge {
                entries,
                size: metadata.len(),
            });
        }
    }
    repo.index_or_empty().map_err(RepoError::unreadable)
}

/// Lists a commit's tree level by level, the trees of each level decoded in parallel: on a
/// large monorepo, inflating tree objects is most of the listing's time. The entries are
/// then collected depth first, in which order git's trees already sort them by path.
fn list_commit_tree(target: &Target, tree_id: ObjectId) -> Result<Tree, RepoError> {
    use gix::object::tree::EntryKind as Kind;

    // Every tree object, breadth first; the subtrees of `decoded[t]` are decoded in order
    // from `first_subtree[t]` on.
    let mut decoded: Vec<Vec<(Kind, BString, ObjectId)>> = Vec::new();
    let mut first_subtree: Vec<usize> = Vec::new();
    let mut level = vec![(tree_id, BString::default())];
    let mut listed_entries = 0;
    let budget = Budget(AtomicU64::new(MAX_TREE_BYTES));
    while !level.is_empty() {
        target.deadline.check()?;
        let listed: Vec<Vec<(Kind, BString, ObjectId)>> = level
            .par_iter()
            .map_init(
                || target.repo.to_thread_local(),
                |repo, (id, dir)| list_one_tree(repo, *id, dir, &budget),
            )
            .collect::<Result<_, _>>()?;
        listed_entries += listed.iter().map(Vec::len).sum::<usize>();
        if listed_entries > target.max_entries {
            return Err(RepoError::TooManyEntries {
                limit: target.max_entries,
            });
        }
        let mut next = decoded.len() + listed.len();
        level = Vec::new();
        for tree in &listed {
            first_subtree.push(next);
            for (kind, path, id) in tree {
                if *kind == Kind::Tree {
                    level.push((*id, path.clone()));
                    next += 1;
                }
            }
        }
        decoded.extend(listed);
    }

    let mut entries = Vec::new();
    let mut submodules = Vec::new();
    // (tree, next entry of it, its next subtree): a stack, not recursion, as trees may be
    // nested arbitrarily deep.
    let mut stack = vec![(0, 0, first_subtree[0])];
    while let Some((tree, position, subtree)) = stack.last_mut() {
        let Some((kind, path, id)) = decoded[*tree].get_mut(*position) else {
            stack.pop();
            continue;
        };
        *position += 1;
        let path = std::mem::take(path);
        match kind {
            Kind::Tree => {
                let child = *subtree;
                *subtree += 1;
                stack.push((child, 0, first_subtree[child]));
            }
            Kind::Blob | Kind::BlobExecutable => entries.push(Entry {
                path,
                kind: EntryKind::File,
                blob: Some(*id),
            }),
            Kind::Link => entries.push(Entry {
                path,
                kind: EntryKind::Symlink,
                blob: Some(*id),
            }),
            Kind::Commit => submodules.push(path.to_str_lossy().into_owned()),
        }
    }
    // A well-formed tree is sorted; one that is not must not break lookups by path.
    if !entries.is_sorted_by(|a, b| a.path <= b.path) {
        entries.par_sort_unstable_by(|a, b| a.path.cmp(&b.path));
    }
    submodules.sort();
    Ok(Tree {
        entries,
        submodules,
        source: ContentSource::Objects,
        lookups: Default::default(),
    })
}

/// What is left of a listing's `MAX_TREE_BYTES`, shared by the threads decoding trees.
struct Budget(AtomicU64);

impl Budget {
    fn take(&self, bytes: u64) -> Result<(), RepoError> {
        self.0
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |left| {
                left.checked_sub(bytes)
            })
            .map(drop)
            .map_err(|_| RepoError::TreeTooLarge)
    }
}

/// The entries of one tree object, with paths below `dir`; the object's size (from its
/// header, before it is inflated) and the paths' bytes are taken from `budget`.
fn list_one_tree(
    repo: &gix::Repository,
    id: ObjectId,
    dir: &BString,
    budget: &Budget,
) -> Result<Vec<(gix::object::tree::EntryKind, BString, ObjectId)>, RepoError> {
    let header = repo.find_header(id).map_err(RepoError::unreadable)?;
    budget.take(header.size())?;
    let tree = repo.find_tree(id).map_err(RepoError::unreadable)?;
    tree.iter()
        .map(|entry| {
            let entry = entry.map_err(RepoError::unreadable)?;
            let length = dir.len() + 1 + entry.filename().len();
            budget.take(length as u64)?;
            let mut path = BString::from(Vec::with_capacity(length));
            if !dir.is_empty() {
                path.extend_from_slice(dir);
                path.push(b'/');
            }
            path.extend_from_slice(entry.filename());
            Ok((entry.mode().kind(), path, entry.object_id()))
        })
        .collect()
}

fn list_worktree(target: &Target) -> Result<Tree, RepoError> {
    use gix::dir::entry::{Kind, Status};
    use gix::dir::walk::EmissionMode;

    let repo = target.repo.to_thread_local();
    let index = load_index(&repo)?;
    let options = repo
        .dirwalk_options()
        .map_err(RepoError::unreadable)?
        .emit_tracked(true)
        .emit_untracked(EmissionMode::Matching)
        .emit_ignored(None)
        .emit_pruned(false)
        .recurse_repositories(false);
    let mut collect = gix::dir::walk::delegate::Collect::default();
    let interrupt = AtomicBool::new(false);
    repo.dirwalk(&index, None::<&str>, &interrupt, options, &mut collect)
        .map_err(RepoError::unreadable)?;
    if collect.unorded_entries.len() > target.max_entries {
        return Err(RepoError::TooManyEntries {
            limit: target.max_entries,
        });
    }

    let mut entries = Vec::new();
    // Submodules come from the index: a gitlink may have no directory checked out.
    let mut submodules: Vec<String> = index
        .entries()
        .iter()
        .filter(|entry| entry.mode == gix::index::entry::Mode::COMMIT)
        .map(|entry| entry.path(&index).to_str_lossy().into_owned())
        .collect();
    for (entry, _) in collect.unorded_entries {
        if !matches!(entry.status, Status::Tracked | Status::Untracked) {
            continue;
        }
        match (entry.disk_kind, entry.index_kind) {
            (_, Some(Kind::Repository)) => {
                submodules.push(entry.rela_path.to_str_lossy().into_owned())
            }
            (Some(Kind::File), _) => entries.push(Entry {
                path: entry.rela_path,
                kind: EntryKind::File,
                blob: None,
            }),
            (Some(Kind::Symlink), _) => entries.push(Entry {
                path: entry.rela_path,
                kind: EntryKind::Symlink,
                blob: None,
            }),
            // Nested repositories that are not submodules, empty directories, sockets: not files of this project.
            _ => {}
        }
    }
    // Every file of HEAD missing is not a project with no files: its files were never
    // checked out (a git directory copied alone), and each rule would fail on nothing.
    if entries.is_empty() && submodules.is_empty() && head_has_files(&repo, target.head) {
        return Err(RepoError::NothingCheckedOut {
            path: target.root.clone(),
        });
    }
    entries.sort_unstable_by(|a, b| a.path.cmp(&b.path));
    submodules.sort();
    submodules.dedup();
    Ok(Tree {
        entries,
        submodules,
        source: ContentSource::Worktree(target.root.clone()),
        lookups: Default::default(),
    })
}

/// Whether the commit HEAD points at has anything in its tree; an unreadable commit or
/// tree counts as nothing, leaving the error to the reads that need it.
fn head_has_files(repo: &gix::Repository, head: Option<gix::ObjectId>) -> bool {
    let Some(head) = head else {
        return false;
    };
    repo.find_commit(head)
        .ok()
        .and_then(|commit| commit.tree().ok())
        .is_some_and(|tree| !tree.decode().is_ok_and(|tree| tree.entries.is_empty()))
}

/// The on-disk location of a repository-relative path.
pub fn disk_path(root: &Path, path: &BString) -> PathBuf {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        root.join(std::ffi::OsStr::from_bytes(path.as_slice()))
    }
    #[cfg(not(unix))]
    {
        root.join(path.to_str_lossy().as_ref())
    }
}

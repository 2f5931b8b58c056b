//! File contents for the paths some content rule selected: read once, in parallel, capped.

use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use gix::ObjectId;

use rayon::prelude::*;

use super::tree::{ContentSource, Entry, EntryKind, Tree, disk_path};

/// Git's own rule: a NUL byte in the first 8,000 bytes makes a file binary.
const BINARY_PROBE_LEN: usize = 8000;

#[derive(Debug, Clone)]
pub enum Content {
    Text(Vec<u8>),
    /// Skipped on purpose: binary files are not evidence of a practice.
    Binary,
    /// Over the read cap; the size is what the object database or file system reports.
    TooLarge(u64),
    /// Could not be read: a symlink, a missing object, an I/O error.
    Unreadable(String),
}

/// How many bytes one scan may still read, all files together: a repository of thousands
/// of large files named like evidence costs a bounded amount, not all of them.
#[derive(Debug)]
pub struct ReadBudget(AtomicU64);

impl ReadBudget {
    pub fn new(bytes: u64) -> ReadBudget {
        ReadBudget(AtomicU64::new(bytes))
    }

    /// Takes `size` bytes from the budget; false (taking nothing) when they are not left.
    fn take(&self, size: u64) -> bool {
        self.0
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |left| {
                left.checked_sub(size)
            })
            .is_ok()
    }
}

/// Reads the entries at `indices` (into `tree.entries`), in parallel, each at most
/// `max_size` bytes, all of them within `budget`; blobs from `cache` when it has them.
pub fn read_all(
    repo: &gix::ThreadSafeRepository,
    tree: &Tree,
    indices: &[usize],
    max_size: u64,
    budget: &ReadBudget,
    cache: Option<&BlobCache>,
) -> Vec<Content> {
    indices
        .par_iter()
        .map_init(
            || repo.to_thread_local(),
            |repo, &index| {
                let entry = &tree.entries[index];
                let read = || read_within(repo, tree, entry, max_size, Some(budget));
                match (cache, entry.blob, &tree.source) {
                    (Some(cache), Some(id), ContentSource::Objects) => {
                        cache.read(id, Limits::new(max_size, Some(budget)), read)
                    }
                    _ => read(),
                }
            },
        )
        .collect()
}

/// The text blobs read by the last judgement, by id, and those read by the current one: a
/// timeline judges tree after tree that share most of their files, and each blob is then
/// inflated once. Holds what one judgement reads, as the judgement itself does.
#[derive(Default)]
pub struct BlobCache {
    last: HashMap<ObjectId, Vec<u8>>,
    /// Of `last`, the blobs the current judgement read too.
    reused: Mutex<HashSet<ObjectId>>,
    read: Mutex<HashMap<ObjectId, Vec<u8>>>,
}

impl BlobCache {
    /// A blob's contents, as a read within `limits` would give them: from the cache when
    /// the last judgement read it (taking its size from the budget all the same).
    fn read(&self, id: ObjectId, limits: Limits, read: impl FnOnce() -> Content) -> Content {
        if let Some(bytes) = self.last.get(&id) {
            if let Err(refused) = limits.admit(bytes.len() as u64) {
                return refused;
            }
            lock(&self.reused).insert(id);
            return Content::Text(bytes.clone());
        }
        let content = read();
        if let Content::Text(bytes) = &content {
            lock(&self.read).insert(id, bytes.clone());
        }
        content
    }

    /// Ends a judgement: what it read is kept for the next one, the rest let go.
    pub fn next(&mut self) {
        let reused = std::mem::take(
            self.reused
                .get_mut()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        );
        self.last.retain(|id, _| reused.contains(id));
        let read = self
            .read
            .get_mut()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        self.last.extend(std::mem::take(read));
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Reads one entry, at most `max_size` bytes (a config file, a baseline: outside any
/// budget).
pub fn read_one(repo: &gix::Repository, tree: &Tree, entry: &Entry, max_size: u64) -> Content {
    read_within(repo, tree, entry, max_size, None)
}

fn read_within(
    repo: &gix::Repository,
    tree: &Tree,
    entry: &Entry,
    max_size: u64,
    budget: Option<&ReadBudget>,
) -> Content {
    if entry.kind == EntryKind::Symlink {
        return Content::Unreadable("a symbolic link (not followed)".to_owned());
    }
    let limits = Limits { max_size, budget };
    let bytes = match &tree.source {
        ContentSource::Objects => read_blob(repo, entry, limits),
        ContentSource::Worktree(root) => read_file(&disk_path(root, &entry.path), limits),
    };
    match bytes {
        Ok(bytes) if is_binary(&bytes) => Content::Binary,
        Ok(bytes) => Content::Text(bytes),
        Err(content) => content,
    }
}

/// What one read may take: at most `max_size` bytes, and those from `budget` if any.
#[derive(Clone, Copy)]
struct Limits<'a> {
    max_size: u64,
    budget: Option<&'a ReadBudget>,
}

impl<'a> Limits<'a> {
    fn new(max_size: u64, budget: Option<&'a ReadBudget>) -> Limits<'a> {
        Limits { max_size, budget }
    }

    /// Whether `size` bytes may be read: `Err` with why not.
    fn admit(self, size: u64) -> Result<(), Content> {
        if size > self.max_size {
            return Err(Content::TooLarge(size));
        }
        match self.budget {
            Some(budget) if !budget.take(size) => Err(Content::Unreadable(
                "over the scan's total read budget (--max-total-read)".to_owned(),
            )),
            _ => Ok(()),
        }
    }
}

fn read_blob(repo: &gix::Repository, entry: &Entry, limits: Limits) -> Result<Vec<u8>, Content> {
    let Some(id) = entry.blob else {
        return Err(Content::Unreadable("no blob recorded".to_owned()));
    };
    let header = repo
        .find_header(id)
        .map_err(|error| missing_blob(repo, id, error))?;
    limits.admit(header.size())?;
    let blob = repo
        .find_blob(id)
        .map_err(|error| Content::Unreadable(format!("object {id}: {error}")))?;
    Ok(blob.detach().data)
}

/// Why a blob could not be read: in a partial clone a missing blob was left out by design,
/// which says more than "not found".
fn missing_blob(
    repo: &gix::Repository,
    id: gix::ObjectId,
    error: impl std::fmt::Display,
) -> Content {
    if !repo.has_object(id) && crate::repo::is_partial_clone(repo) {
        return Content::Unreadable(format!(
            "object {id} was left out of this partial clone; scan a full clone to judge it"
        ));
    }
    Content::Unreadable(format!("object {id}: {error}"))
}

fn read_file(path: &std::path::Path, limits: Limits) -> Result<Vec<u8>, Content> {
    let unreadable = |error: std::io::Error| Content::Unreadable(error.to_string());
    let metadata = std::fs::symlink_metadata(path).map_err(unreadable)?;
    if !metadata.is_file() {
        return Err(Content::Unreadable("not a regular file".to_owned()));
    }
    limits.admit(metadata.len())?;
    let max_size = limits.max_size;
    let mut bytes = Vec::with_capacity(metadata.len() as usize);
    std::fs::File::open(path)
        .and_then(|file| file.take(max_size + 1).read_to_end(&mut bytes))
        .map_err(unreadable)?;
    if bytes.len() as u64 > max_size {
        return Err(Content::TooLarge(bytes.len() as u64));
    }
    Ok(bytes)
}

/// Whether git takes the data for binary (see `BINARY_PROBE_LEN`).
pub fn is_binary(bytes: &[u8]) -> bool {
    bytes[..bytes.len().min(BINARY_PROBE_LEN)].contains(&0)
}

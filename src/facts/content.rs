//! File contents for the paths some content rule selected: read once, in parallel, capped.

use std::collections::HashMap;
use std::io::Read;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use gix::ObjectId;

use rayon::prelude::*;

use super::parsed::Manifest;
use super::tree::{ContentSource, Entry, EntryKind, Tree, disk_path};

/// Git's own rule: a NUL byte in the first 8,000 bytes makes a file binary.
const BINARY_PROBE_LEN: usize = 8000;

#[derive(Debug, Clone)]
pub enum Content {
    /// Shared: a timeline's judgements of consecutive trees hand the same blobs around.
    Text(Arc<[u8]>),
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

    /// The bytes not taken yet.
    pub fn left(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
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
/// The sizes come first and the budget is taken in the order asked: which files fit a
/// budget that runs out does not depend on which thread got there first.
pub fn read_all(
    repo: &gix::ThreadSafeRepository,
    tree: &Tree,
    indices: &[usize],
    max_size: u64,
    budget: &ReadBudget,
    cache: Option<&BlobCache>,
) -> Vec<Content> {
    // Each entry's file (a link's target, resolved once) and its size.
    let sized: Vec<Result<(&Entry, u64), Content>> = indices
        .par_iter()
        .map_init(
            || repo.to_thread_local(),
            |repo, &index| sized_file(repo, tree, &tree.entries[index], cache),
        )
        .collect();
    let limits = Limits::new(max_size, Some(budget));
    let admitted: Vec<Result<&Entry, Content>> = sized
        .into_iter()
        .map(|sized| sized.and_then(|(file, size)| limits.admit(size).map(|()| file)))
        .collect();
    admitted
        .into_par_iter()
        .map_init(
            || repo.to_thread_local(),
            |repo, admitted| match admitted {
                Ok(file) => fetch(repo, tree, file, max_size, cache),
                Err(refused) => refused,
            },
        )
        .collect()
}

/// Reads one entry, at most `max_size` bytes (a config file, a baseline: outside any
/// budget).
pub fn read_one(repo: &gix::Repository, tree: &Tree, entry: &Entry, max_size: u64) -> Content {
    let admitted = sized_file(repo, tree, entry, None)
        .and_then(|(file, size)| Limits::new(max_size, None).admit(size).map(|()| file));
    match admitted {
        Ok(file) => fetch(repo, tree, file, max_size, None),
        Err(refused) => refused,
    }
}

/// The text blobs read by the last judgement, by id, and those read by the current one: a
/// timeline judges tree after tree that share most of their files, and each blob is then
/// inflated once, and each manifest parsed once. Holds what one judgement reads, as the
/// judgement itself does.
#[derive(Default)]
pub struct BlobCache {
    last: gix::hashtable::HashMap<ObjectId, Arc<[u8]>>,
    /// Of `last`, the blobs the current judgement read too.
    reused: Mutex<gix::hashtable::HashSet<ObjectId>>,
    read: Mutex<gix::hashtable::HashMap<ObjectId, Arc<[u8]>>>,
    /// The bytes of the blobs the current judgement read from the object database.
    fresh: AtomicU64,
    /// Manifests parsed from blobs held, by blob and path (the path names the format).
    manifests: Mutex<HashMap<(ObjectId, String), Option<Manifest>>>,
}

impl BlobCache {
    fn size(&self, id: ObjectId) -> Option<u64> {
        self.last.get(&id).map(|bytes| bytes.len() as u64)
    }

    fn get(&self, id: ObjectId) -> Option<Arc<[u8]>> {
        let bytes = Arc::clone(self.last.get(&id)?);
        lock(&self.reused).insert(id);
        Some(bytes)
    }

    fn put(&self, id: ObjectId, bytes: &Arc<[u8]>) {
        lock(&self.read).insert(id, Arc::clone(bytes));
    }

    /// The manifest at `path` parsed from blob `id`: parsed by `parse` unless a judgement
    /// did before.
    pub fn manifest(
        &self,
        id: ObjectId,
        path: &str,
        parse: impl FnOnce() -> Option<Manifest>,
    ) -> Option<Manifest> {
        let key = (id, path.to_owned());
        if let Some(parsed) = lock(&self.manifests).get(&key) {
            return parsed.clone();
        }
        let parsed = parse();
        lock(&self.manifests).insert(key, parsed.clone());
        parsed
    }

    /// Ends a judgement: what it read is kept for the next one, the rest let go. Returns the
    /// bytes it read from the object database rather than from here.
    pub fn end_judgement(&mut self) -> u64 {
        let reused = std::mem::take(unlocked(&mut self.reused));
        self.last.retain(|id, _| reused.contains(id));
        self.last.extend(std::mem::take(unlocked(&mut self.read)));
        let last = &self.last;
        unlocked(&mut self.manifests).retain(|(id, _), _| last.contains_key(id));
        std::mem::take(self.fresh.get_mut())
    }
}

/// A panic elsewhere leaves the cache's data whole: each insert is one call.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

fn unlocked<T>(mutex: &mut Mutex<T>) -> &mut T {
    mutex.get_mut().unwrap_or_else(PoisonError::into_inner)
}

/// The file an entry's contents are read from (itself, or the file of the tree a link leads
/// to) and its size, before anything is read; `Err` with why it cannot be read.
fn sized_file<'t>(
    repo: &gix::Repository,
    tree: &'t Tree,
    entry: &'t Entry,
    cache: Option<&BlobCache>,
) -> Result<(&'t Entry, u64), Content> {
    let file = match entry.kind {
        EntryKind::Symlink => link_target(repo, tree, entry)?,
        EntryKind::File => entry,
    };
    Ok((file, size_of(repo, tree, file, cache)?))
}

/// The size of a file's contents, as the object database or the file system reports it.
fn size_of(
    repo: &gix::Repository,
    tree: &Tree,
    entry: &Entry,
    cache: Option<&BlobCache>,
) -> Result<u64, Content> {
    match &tree.source {
        ContentSource::Objects => {
            let Some(id) = entry.blob else {
                return Err(Content::Unreadable("no blob recorded".to_owned()));
            };
            if let Some(size) = cache.and_then(|cache| cache.size(id)) {
                return Ok(size);
            }
            let header = repo
                .find_header(id)
                .map_err(|error| missing_blob(repo, id, error))?;
            Ok(header.size())
        }
        ContentSource::Worktree(root) => {
            let unreadable = |error: std::io::Error| Content::Unreadable(error.to_string());
            let metadata =
                std::fs::symlink_metadata(disk_path(root, &entry.path)).map_err(unreadable)?;
            if !metadata.is_file() {
                return Err(Content::Unreadable("not a regular file".to_owned()));
            }
            Ok(metadata.len())
        }
    }
}

/// The file of the tree a symbolic link leads to, its target resolved from the link's folder
/// (`charts/b/values.yaml` → `../a/values.yaml`): what a checkout would read there, taken
/// from the same tree. A link that leaves the repository, or leads to a folder, another link
/// or nothing, is not followed.
fn link_target<'t>(
    repo: &gix::Repository,
    tree: &'t Tree,
    link: &Entry,
) -> Result<&'t Entry, Content> {
    let not_followed =
        |why: &str| Content::Unreadable(format!("a symbolic link {why} (not followed)"));
    let target = match &tree.source {
        ContentSource::Objects => {
            let id = link
                .blob
                .ok_or_else(|| not_followed("with no target recorded"))?;
            repo.find_blob(id)
                .map(|blob| blob.detach().data)
                .map_err(|error| Content::Unreadable(format!("object {id}: {error}")))?
        }
        ContentSource::Worktree(root) => std::fs::read_link(disk_path(root, &link.path))
            .map(|target| target.into_os_string().into_encoded_bytes())
            .map_err(|error| Content::Unreadable(error.to_string()))?,
    };
    let path = resolve_link(&link.path, &target).map_err(not_followed)?;
    tree.find(&path)
        .filter(|entry| entry.kind == EntryKind::File)
        .ok_or_else(|| not_followed("to a folder, another link or nothing"))
}

/// The repository path `target` names from the folder of the link at `link`, or why it
/// names none: it is absolute or climbs above the root, ends in a folder (`x/`, `x/.`), or
/// is not UTF-8.
fn resolve_link(link: &[u8], target: &[u8]) -> Result<String, &'static str> {
    const OUTSIDE: &str = "out of the repository";
    if target.starts_with(b"/") {
        return Err(OUTSIDE);
    }
    if matches!(
        target.rsplit(|&byte| byte == b'/').next(),
        Some(b"" | b"." | b"..")
    ) {
        return Err("to a folder");
    }
    let mut parts: Vec<&[u8]> = link.split(|&byte| byte == b'/').collect();
    parts.pop();
    for part in target.split(|&byte| byte == b'/') {
        match part {
            b"" | b"." => {}
            b".." => {
                parts.pop().ok_or(OUTSIDE)?;
            }
            part => parts.push(part),
        }
    }
    String::from_utf8(parts.join(&b'/')).map_err(|_| "to a path that is not UTF-8")
}

/// Reads a file (not a link: `sized_file` resolves those) admitted within the limits.
fn fetch(
    repo: &gix::Repository,
    tree: &Tree,
    entry: &Entry,
    max_size: u64,
    cache: Option<&BlobCache>,
) -> Content {
    let bytes = match (&tree.source, entry.blob) {
        (ContentSource::Objects, Some(id)) => match cache.and_then(|cache| cache.get(id)) {
            // The cache holds text only.
            Some(bytes) => return Content::Text(bytes),
            None => repo
                .find_blob(id)
                .map(|blob| blob.detach().data)
                .map_err(|error| Content::Unreadable(format!("object {id}: {error}")))
                .inspect(|bytes| {
                    if let Some(cache) = cache {
                        cache.fresh.fetch_add(bytes.len() as u64, Ordering::Relaxed);
                    }
                }),
        },
        (ContentSource::Objects, None) => Err(Content::Unreadable("no blob recorded".to_owned())),
        (ContentSource::Worktree(root), _) => read_file(&disk_path(root, &entry.path), max_size),
    };
    match bytes {
        Ok(bytes) if is_binary(&bytes) => Content::Binary,
        Ok(bytes) => {
            let bytes: Arc<[u8]> = bytes.into();
            // A worktree file is not its index entry's blob.
            if let (Some(cache), Some(id), ContentSource::Objects) =
                (cache, entry.blob, &tree.source)
            {
                cache.put(id, &bytes);
            }
            Content::Text(bytes)
        }
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

/// Reads a file admitted within the limits; one that grew past `max_size` since its size
/// was taken is too large.
fn read_file(path: &std::path::Path, max_size: u64) -> Result<Vec<u8>, Content> {
    let unreadable = |error: std::io::Error| Content::Unreadable(error.to_string());
    let mut bytes = Vec::new();
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

#[cfg(test)]
mod tests {
    use super::resolve_link;

    #[test]
    fn a_link_target_resolves_from_its_folder_and_stays_in_the_repository() {
        let resolve = |link: &str, target: &[u8]| resolve_link(link.as_bytes(), target);
        assert_eq!(
            resolve("charts/b/values.yaml", b"../a/values.yaml").as_deref(),
            Ok("charts/a/values.yaml")
        );
        assert_eq!(
            resolve("ci.yml", b"./shared//ci.yml").as_deref(),
            Ok("shared/ci.yml")
        );
        assert_eq!(
            resolve("a/ci.yml", b"../../ci.yml"),
            Err("out of the repository")
        );
        assert_eq!(
            resolve("a/ci.yml", b"/etc/passwd"),
            Err("out of the repository")
        );
        for folder in [&b"x/"[..], b"x/.", b"x/..", b"."] {
            assert_eq!(resolve("a/ci.yml", folder), Err("to a folder"));
        }
        assert_eq!(
            resolve("a/ci.yml", b"r\xff.yml"),
            Err("to a path that is not UTF-8")
        );
    }
}

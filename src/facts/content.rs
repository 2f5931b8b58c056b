//! File contents for the paths some content rule selected: read once, in parallel, capped.

use std::io::Read;

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

/// Reads the entries at `indices` (into `tree.entries`), in parallel, each at most `max_size` bytes.
pub fn read_all(
    repo: &gix::ThreadSafeRepository,
    tree: &Tree,
    indices: &[usize],
    max_size: u64,
) -> Vec<Content> {
    indices
        .par_iter()
        .map_init(
            || repo.to_thread_local(),
            |repo, &index| read_one(repo, tree, &tree.entries[index], max_size),
        )
        .collect()
}

pub fn read_one(repo: &gix::Repository, tree: &Tree, entry: &Entry, max_size: u64) -> Content {
    if entry.kind == EntryKind::Symlink {
        return Content::Unreadable("a symbolic link (not followed)".to_owned());
    }
    let bytes = match &tree.source {
        ContentSource::Objects => read_blob(repo, entry, max_size),
        ContentSource::Worktree(root) => read_file(&disk_path(root, &entry.path), max_size),
    };
    match bytes {
        Ok(bytes) if is_binary(&bytes) => Content::Binary,
        Ok(bytes) => Content::Text(bytes),
        Err(content) => content,
    }
}

fn read_blob(repo: &gix::Repository, entry: &Entry, max_size: u64) -> Result<Vec<u8>, Content> {
    let Some(id) = entry.blob else {
        return Err(Content::Unreadable("no blob recorded".to_owned()));
    };
    let header = repo
        .find_header(id)
        .map_err(|error| Content::Unreadable(format!("object {id}: {error}")))?;
    if header.size() > max_size {
        return Err(Content::TooLarge(header.size()));
    }
    let blob = repo
        .find_blob(id)
        .map_err(|error| Content::Unreadable(format!("object {id}: {error}")))?;
    Ok(blob.detach().data)
}

fn read_file(path: &std::path::Path, max_size: u64) -> Result<Vec<u8>, Content> {
    let unreadable = |error: std::io::Error| Content::Unreadable(error.to_string());
    let metadata = std::fs::symlink_metadata(path).map_err(unreadable)?;
    if !metadata.is_file() {
        return Err(Content::Unreadable("not a regular file".to_owned()));
    }
    if metadata.len() > max_size {
        return Err(Content::TooLarge(metadata.len()));
    }
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

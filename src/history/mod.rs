//! The history pass: the commits in the window, each with what it changed, read once in
//! parallel from the object database.

pub mod numstat;
pub mod walk;

use gix::ObjectId;
use rayon::prelude::*;

use crate::repo::RepoError;
use numstat::{Differ, FileChange};
use walk::Commit;

/// A commit and the files it changed against its first parent (none listed for merges).
#[derive(Debug, Clone)]
pub struct Changed {
    pub commit: Commit,
    pub files: Vec<FileChange>,
}

/// Reads the commits reachable from `tip` (committed at `since` or later, when given),
/// newest first, with what each non-merge commit changed. The walk is one thread; the
/// diffs run in parallel over contiguous runs of history, each thread with its own
/// repository handle and caches.
pub fn read(
    repo: &gix::ThreadSafeRepository,
    tip: ObjectId,
    since: Option<i64>,
) -> Result<Vec<Changed>, RepoError> {
    let commits = walk::commits(&repo.to_thread_local(), tip, since)?;
    commits
        .into_par_iter()
        .with_min_len(16)
        .map_init(
            || (repo.to_thread_local(), Differ::default()),
            |(repo, differ), commit| {
                let files = if commit.parents.len() > 1 {
                    Vec::new()
                } else {
                    differ.changes(repo, &commit)?
                };
                Ok(Changed { commit, files })
            },
        )
        .collect()
}

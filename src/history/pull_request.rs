//! A pull request's own figures (`check --base`): its commits (`merge-base..head`) and its
//! whole change from the merge base, for the rules that judge a change rather than a team's
//! history.

use gix::ObjectId;
use serde::Serialize;

use super::figures::{self, Classes, Figure, Period, Scope};
use super::numstat::Differ;
use super::walk::{self, Commit};
use super::{Changed, mailmap_at};
use crate::finding::Evidence;
use crate::repo::RepoError;

/// The `pull_request` section of a report.
#[derive(Debug, Clone, Serialize)]
pub struct PullRequest {
    /// The base as given (`--base`).
    pub base: String,
    /// Where the pull request's branch left the base: what its tree is compared with.
    pub merge_base: String,
    /// Its own commits, merges included.
    pub commits: usize,
    /// The score the merge base makes on the same rules: the change's own rules (its size,
    /// its tests), which judge nothing at the base, count as they do at the head, so the
    /// difference is what the change did to the repository. Set once the base is judged.
    pub base_score: Option<u32>,
    pub figures: Vec<Figure>,
}

/// The figures of the change from `merge_base` to `head`.
pub fn section(
    repo: &gix::ThreadSafeRepository,
    base: &str,
    merge_base: ObjectId,
    head: ObjectId,
    weakenings: &[Evidence],
) -> Result<PullRequest, RepoError> {
    let local = repo.to_thread_local();
    let mailmap = mailmap_at(&local, head);
    let commits = walk::range(&local, head, merge_base, &mailmap)?;
    let mut differ = Differ::new(true);
    let mut changed = Vec::with_capacity(commits.len());
    for commit in commits {
        let merge = commit.parents.len() > 1;
        let files = if merge {
            Vec::new()
        } else {
            differ.changes(&local, &commit)?
        };
        let missing_blobs = !merge && differ.missing_blobs;
        let big_blobs = if merge { 0 } else { differ.big_blobs };
        changed.push(Changed {
            commit,
            files,
            missing_blobs,
            big_blobs,
        });
    }
    let tree = |id: ObjectId| -> Result<ObjectId, RepoError> {
        let commit = crate::repo::find_commit(&local, id)?;
        Ok(commit.tree_id().map_err(RepoError::unreadable)?.detach())
    };
    // The whole change, as if one commit made it on top of the merge base.
    let whole = Commit {
        id: head,
        tree: tree(head)?,
        parents: vec![merge_base],
        first_parent_tree: Some(tree(merge_base)?),
        merged_parents_authored: Vec::new(),
        author_name: String::new(),
        author_email: String::new(),
        author_time: 0,
        committer_time: 0,
        subject: String::new(),
        co_authors: Vec::new(),
    };
    let files = differ.changes(&local, &whole)?;
    let combined = Changed {
        commit: whole,
        files,
        missing_blobs: differ.missing_blobs,
        big_blobs: differ.big_blobs,
    };
    let period = Period {
        commits: changed.iter().collect(),
        days: 0.0,
        integrations: 0,
        releases: 0,
        final_releases: 0,
        patch_releases: 0,
        lead_times: Vec::new(),
        fix_hours: Vec::new(),
        branch_lifetimes: Vec::new(),
        combined: Some(&combined),
        weakenings,
    };
    Ok(PullRequest {
        base: base.to_owned(),
        merge_base: merge_base.to_string(),
        commits: changed.len(),
        base_score: None,
        figures: figures::compute(Scope::PullRequest, &period, None, Classes::builtin()),
    })
}

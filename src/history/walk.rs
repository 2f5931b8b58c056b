//! The commits reachable from the scanned one, in git log's order, each decoded once.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, hash_map::Entry};

use gix::ObjectId;
use gix::bstr::ByteSlice;

use crate::repo::{Deadline, RepoError};

/// What the history figures need of a commit, read from it once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Commit {
    pub id: ObjectId,
    pub tree: ObjectId,
    pub parents: Vec<ObjectId>,
    /// The first parent's tree: what the commit's changes are counted against.
    pub first_parent_tree: Option<ObjectId>,
    /// A merge's other parents' author times: where a merged branch began, even when it
    /// began before the walked window.
    pub merged_parents_authored: Vec<i64>,
    pub author_name: String,
    pub author_email: String,
    /// Seconds since the epoch, as the commit records them.
    pub author_time: i64,
    pub committer_time: i64,
    pub subject: String,
    /// Addresses of the people a `Co-authored-by` trailer credits, lowercased.
    pub co_authors: Vec<String>,
}

/// Walks from `tip` through every parent by committer time, newest first (ties in the
/// order they were reached), as git log does, handing each commit to `emit` as soon as it
/// is walked. Below a commit older than `since` the walk does not descend, as with
/// `git log --since`, so a window does not read all history.
pub fn commits(
    repo: &gix::Repository,
    tip: ObjectId,
    since: Option<i64>,
    mailmap: &gix::mailmap::Snapshot,
    deadline: Deadline,
    mut emit: impl FnMut(Commit),
) -> Result<(), RepoError> {
    // Reached commits not walked yet, and what children need of every reached one.
    let mut pending: HashMap<ObjectId, Commit> = HashMap::new();
    let mut known: HashMap<ObjectId, (ObjectId, i64)> = HashMap::new();
    let mut queue: BinaryHeap<(i64, Reverse<u64>, ObjectId)> = BinaryHeap::new();
    let mut reached = 0u64;
    let mut reach = |id: ObjectId,
                     known: &mut HashMap<ObjectId, (ObjectId, i64)>,
                     pending: &mut HashMap<ObjectId, Commit>,
                     queue: &mut BinaryHeap<(i64, Reverse<u64>, ObjectId)>|
     -> Result<(), RepoError> {
        if let Entry::Vacant(slot) = known.entry(id) {
            let commit = read(repo, id, mailmap)?;
            slot.insert((commit.tree, commit.author_time));
            queue.push((commit.committer_time, Reverse(reached), id));
            reached += 1;
            pending.insert(id, commit);
        }
        Ok(())
    };
    reach(tip, &mut known, &mut pending, &mut queue)?;
    while let Some((time, _, id)) = queue.pop() {
        deadline.check()?;
        let mut commit = pending.remove(&id).expect("queued commits are pending");
        if since.is_some_and(|since| time < since) {
            continue;
        }
        for parent in &commit.parents {
            reach(*parent, &mut known, &mut pending, &mut queue)?;
        }
        // Its parents were just reached, so their trees and author times are known.
        let parent = |id: &ObjectId| known.get(id).copied();
        commit.first_parent_tree = commit
            .parents
            .first()
            .and_then(parent)
            .map(|(tree, _)| tree);
        commit.merged_parents_authored = commit
            .parents
            .iter()
            .skip(1)
            .filter_map(|id| parent(id).map(|(_, authored)| authored))
            .collect();
        emit(commit);
    }
    Ok(())
}

/// Decodes one commit; its author as the mailmap names them.
fn read(
    repo: &gix::Repository,
    id: ObjectId,
    mailmap: &gix::mailmap::Snapshot,
) -> Result<Commit, RepoError> {
    let commit = crate::repo::find_commit(repo, id)?;
    let decoded = commit.decode().map_err(RepoError::unreadable)?;
    let signature = decoded.author().map_err(RepoError::unreadable)?;
    let author_time = signature.seconds();
    let author = mailmap.resolve_cow(signature);
    let committer = decoded.committer().map_err(RepoError::unreadable)?;
    let message = decoded.message();
    let co_authors = message
        .body()
        .map(|body| {
            body.trailers()
                .filter(|trailer| trailer.is_co_authored_by())
                .filter_map(|trailer| co_author(&trailer.value, mailmap))
                .collect()
        })
        .unwrap_or_default();
    Ok(Commit {
        id,
        tree: decoded.tree(),
        parents: decoded.parents().collect(),
        first_parent_tree: None,
        merged_parents_authored: Vec::new(),
        author_name: author.name.trim().to_str_lossy().into_owned(),
        author_email: author.email.trim().to_str_lossy().into_owned(),
        author_time,
        committer_time: committer.seconds(),
        subject: decoded.message_summary().to_str_lossy().into_owned(),
        co_authors,
    })
}

/// The address in a `Co-authored-by: Name <address>` trailer as the mailmap names it,
/// lowercased.
fn co_author(value: &[u8], mailmap: &gix::mailmap::Snapshot) -> Option<String> {
    let start = value.find_byte(b'<')? + 1;
    let end = start + value[start..].find_byte(b'>')?;
    let email = value[start..end].trim();
    if email.is_empty() {
        return None;
    }
    let signature = gix::actor::SignatureRef {
        name: value[..start - 1].trim().as_bstr(),
        email: email.as_bstr(),
        time: "",
    };
    let resolved = mailmap.resolve_cow(signature);
    Some(resolved.email.to_str_lossy().to_lowercase())
}

/// The commits reachable from `tip` but not from `base` (`base..tip`), newest first, each
/// with its first parent's tree: a pull request's own commits.
pub fn range(
    repo: &gix::Repository,
    tip: ObjectId,
    base: ObjectId,
    mailmap: &gix::mailmap::Snapshot,
) -> Result<Vec<Commit>, RepoError> {
    let walk = repo
        .rev_walk([tip])
        .with_hidden([base])
        .all()
        .map_err(RepoError::unreadable)?;
    let mut commits = Vec::new();
    for info in walk {
        let info = info.map_err(RepoError::unreadable)?;
        let mut commit = read(repo, info.id, mailmap)?;
        if let Some(parent) = commit.parents.first() {
            let parent = crate::repo::find_commit(repo, *parent)?;
            commit.first_parent_tree =
                Some(parent.tree_id().map_err(RepoError::unreadable)?.detach());
        }
        commits.push(commit);
    }
    Ok(commits)
}

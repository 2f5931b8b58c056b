//! Merged branches: for each merge into the scanned line, the commits it brought in and how
//! long that branch lived, from its first commit's authoring to the merge.

use std::collections::{HashMap, HashSet};

use gix::ObjectId;

use super::Changed;

/// For each merge commit on `mainline`, the lifetime in hours of the branch it brought in:
/// from the earliest author time of the commits reachable from its other parents and not
/// from its first parent, to the merge's commit time. Merges are visited oldest first, each
/// claiming the commits no earlier merge (and not the main line) claimed, so every commit is
/// visited once. Commits outside the walked history are not followed: a branch whose tip is
/// older than the walk began no later than that tip was authored.
pub fn lifetimes(changed: &[Changed], mainline: &HashSet<ObjectId>) -> HashMap<ObjectId, f64> {
    let walked: HashMap<ObjectId, &Changed> = changed
        .iter()
        .map(|changed| (changed.commit.id, changed))
        .collect();
    let mut claimed: HashSet<ObjectId> = mainline.clone();
    let mut branches = HashMap::new();
    // `changed` is newest first.
    for merge in changed.iter().rev() {
        let commit = &merge.commit;
        if commit.parents.len() < 2 || !mainline.contains(&commit.id) {
            continue;
        }
        let mut stack: Vec<ObjectId> = commit.parents[1..].to_vec();
        // A merged tip older than the walk began the branch before it: its time stands for
        // the commits the walk did not read.
        let mut started = commit.parents[1..]
            .iter()
            .zip(&commit.merged_parents_authored)
            .filter(|(parent, _)| !walked.contains_key(*parent))
            .map(|(_, &authored)| authored)
            .min();
        while let Some(id) = stack.pop() {
            let Some(branch_commit) = walked.get(&id) else {
                continue;
            };
            if !claimed.insert(id) {
                continue;
            }
            let authored = branch_commit.commit.author_time;
            started = Some(started.map_or(authored, |started: i64| started.min(authored)));
            stack.extend(branch_commit.commit.parents.iter().copied());
        }
        if let Some(started) = started {
            // A clock-skewed branch (authored "after" its merge) lived no time, not less.
            let seconds = (commit.committer_time - started).max(0);
            branches.insert(commit.id, seconds as f64 / 3600.0);
        }
    }
    branches
}

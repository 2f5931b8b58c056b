//! Merged branches: for each merge into the scanned line, the commits it brought in and how
//! long that branch lived, from its first commit's authoring to the merge.

use std::collections::{HashMap, HashSet};

use gix::ObjectId;

use super::Changed;
use super::ancestry::Ancestry;

/// For each merge commit on `mainline`, the lifetime in hours of the branch it brought in:
/// from the earliest author time of the commits reachable from its other parents and not
/// from its first parent, to the merge's commit time. Merges are visited oldest first, each
/// claiming the commits no earlier merge (and not the main line) claimed, so every commit is
/// visited once. Commits outside the walked history are not followed: a branch whose tip is
/// older than the walk began no later than that tip was authored.
pub fn lifetimes(
    changed: &[Changed],
    ancestry: &Ancestry,
    mainline: &HashSet<ObjectId>,
) -> HashMap<ObjectId, f64> {
    let mut claimed: HashSet<ObjectId> = mainline.clone();
    let mut branches = HashMap::new();
    // `changed` is newest first.
    for merge in changed.iter().rev() {
        let commit = &merge.commit;
        if commit.parents.len() < 2 || !mainline.contains(&commit.id) {
            continue;
        }
        // A merged tip older than the walk began the branch before it: its time stands for
        // the commits the walk did not read.
        let mut started = commit.parents[1..]
            .iter()
            .zip(&commit.merged_parents_authored)
            .filter(|(parent, _)| !ancestry.walked(parent))
            .map(|(_, &authored)| authored)
            .min();
        ancestry.claim(
            commit.parents[1..].iter().copied(),
            &mut claimed,
            |branch| {
                let authored = branch.author_time;
                started = Some(started.map_or(authored, |started| started.min(authored)));
            },
        );
        if let Some(started) = started {
            // A clock-skewed branch (authored "after" its merge) lived no time, not less.
            branches.insert(
                commit.id,
                super::hours(commit.committer_time.saturating_sub(started)),
            );
        }
    }
    branches
}

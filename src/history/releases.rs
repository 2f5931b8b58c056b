//! Releases — tags whose names look like versions — and the first release containing each
//! commit, for the delivery figures (release cadence, lead time).

use std::collections::{HashMap, HashSet};

use gix::ObjectId;

use super::Changed;
use crate::rules::Pattern;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Release {
    pub name: String,
    pub commit: ObjectId,
    /// When it was released: an annotated tag's time, else its commit's committer time.
    pub time: i64,
}

/// Every tag whose name `pattern` accepts, oldest release first. Tags that cannot be read
/// or do not lead to a commit are no releases.
pub fn releases(repo: &gix::Repository, pattern: &Pattern) -> Vec<Release> {
    let Ok(references) = repo.references() else {
        return Vec::new();
    };
    let Ok(tags) = references.tags() else {
        return Vec::new();
    };
    let mut releases: Vec<Release> = tags
        .filter_map(Result::ok)
        .filter_map(|mut tag| {
            let name = tag.name().shorten().to_string();
            if !pattern.is_match(name.as_bytes()) {
                return None;
            }
            let target = tag.target().try_id().map(ToOwned::to_owned);
            let commit = tag.peel_to_commit().ok()?;
            let tagged = target
                .and_then(|id| repo.find_object(id).ok())
                .and_then(|object| object.try_into_tag().ok())
                .and_then(|tag| tag.tagger().ok().flatten().map(|tagger| tagger.seconds()));
            let time = match tagged {
                Some(time) => time,
                None => commit.time().ok()?.seconds,
            };
            Some(Release {
                name,
                commit: commit.id,
                time,
            })
        })
        .collect();
    releases.sort_by(|a, b| (a.time, &a.name).cmp(&(b.time, &b.name)));
    releases
}

/// For each commit of `changed` that some release contains, the index of the first such
/// release (by time). Releases are visited oldest first, each claiming the ancestors no
/// earlier release claimed, so every commit is visited once: no reachability query per
/// pair of commit and release.
pub fn first_releases(changed: &[Changed], releases: &[Release]) -> HashMap<ObjectId, usize> {
    let parents: HashMap<ObjectId, &[ObjectId]> = changed
        .iter()
        .map(|changed| (changed.commit.id, changed.commit.parents.as_slice()))
        .collect();
    let mut first: HashMap<ObjectId, usize> = HashMap::new();
    let mut visited: HashSet<ObjectId> = HashSet::new();
    for (index, release) in releases.iter().enumerate() {
        let mut stack = vec![release.commit];
        while let Some(id) = stack.pop() {
            // Commits outside the walked window are not followed.
            let Some(commit_parents) = parents.get(&id) else {
                continue;
            };
            if !visited.insert(id) {
                continue;
            }
            first.insert(id, index);
            stack.extend(commit_parents.iter().copied());
        }
    }
    first
}

//! The walked commits by id, and the passes over history that follow parents: the main
//! line, and "claiming" — each commit given to the first of several starting points
//! (releases oldest first, merges oldest first) that reaches it, so every commit is visited
//! once however many starting points there are.

use std::collections::{HashMap, HashSet};

use gix::ObjectId;

use super::Changed;
use super::walk::Commit;

pub struct Ancestry<'a> {
    commits: HashMap<ObjectId, &'a Commit>,
}

impl<'a> Ancestry<'a> {
    pub fn new(changed: &'a [Changed]) -> Ancestry<'a> {
        Ancestry {
            commits: changed
                .iter()
                .map(|changed| (changed.commit.id, &changed.commit))
                .collect(),
        }
    }

    /// Whether the walk read `id`.
    pub fn walked(&self, id: &ObjectId) -> bool {
        self.commits.contains_key(id)
    }

    /// The ancestors of `starts` (themselves included) that the walk read and `claimed`
    /// does not hold yet: each is claimed and handed to `visit`. Commits outside the walk
    /// are not followed.
    pub fn claim(
        &self,
        starts: impl IntoIterator<Item = ObjectId>,
        claimed: &mut HashSet<ObjectId>,
        mut visit: impl FnMut(&Commit),
    ) {
        let mut stack: Vec<ObjectId> = starts.into_iter().collect();
        while let Some(id) = stack.pop() {
            let Some(commit) = self.commits.get(&id) else {
                continue;
            };
            if !claimed.insert(id) {
                continue;
            }
            visit(commit);
            stack.extend(commit.parents.iter().copied());
        }
    }

    /// The commits on the first-parent line from `tip`: what was integrated into it, one by
    /// one (the first parent below the walk included).
    pub fn first_parent_line(&self, tip: ObjectId) -> HashSet<ObjectId> {
        let mut line = HashSet::new();
        let mut next = Some(tip);
        while let Some(id) = next {
            if !line.insert(id) {
                break;
            }
            next = self
                .commits
                .get(&id)
                .and_then(|commit| commit.parents.first().copied());
        }
        line
    }
}

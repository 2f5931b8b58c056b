//! Maturity: each rule's level within its area (1 foundation, 2 practised, 3 optimised), the
//! effort it usually takes, and the level an area has reached.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::finding::Status;
use crate::rules::Rule;

/// The highest level a rule can mark.
pub const MAX_LEVEL: u8 = 3;

/// A config's own rule without `level`: a practice a team chose to hold itself to.
pub const DEFAULT_LEVEL: u8 = 2;

/// What making a rule pass usually takes, for ordering a plan by weight for the effort.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Effort {
    Minutes,
    #[default]
    Hours,
    Days,
}

impl Effort {
    pub fn as_str(self) -> &'static str {
        match self {
            Effort::Minutes => "minutes",
            Effort::Hours => "hours",
            Effort::Days => "days",
        }
    }

    /// A relative cost: an hour's work is worth several minutes' ones.
    pub fn cost(self) -> u32 {
        match self {
            Effort::Minutes => 1,
            Effort::Hours => 4,
            Effort::Days => 16,
        }
    }
}

/// The level an area has reached from its rules' (level, status): the highest level at which
/// every rule of that level and below that applies passes. A rule that could not be judged
/// (`unknown`) holds its level back as a failure does: a level is claimed on evidence only.
/// Rules that do not apply, or that the team exempted, do not count. `None` when no rule of
/// the area was judged (none applies, or none could be read).
pub fn reached(rules: impl IntoIterator<Item = (u8, Status)>) -> Option<u8> {
    let mut judged = false;
    let mut lowest_missing: Option<u8> = None;
    for (level, status) in rules {
        match status {
            Status::Pass | Status::Fail | Status::Unknown => {
                judged |= status != Status::Unknown;
                if status == Status::Pass {
                    continue;
                }
                lowest_missing = Some(lowest_missing.map_or(level, |lowest| lowest.min(level)));
            }
            Status::NotApplicable | Status::Exempted => {}
        }
    }
    judged.then(|| lowest_missing.map_or(MAX_LEVEL, |level| level.saturating_sub(1)))
}

/// A circle of `requires` among `rules` (ids, the first repeated at the end), if any: a plan
/// could never put one of them first.
pub fn requirement_cycle<'a>(rules: impl IntoIterator<Item = &'a Rule>) -> Option<Vec<String>> {
    let requires: BTreeMap<&str, &[String]> = rules
        .into_iter()
        .map(|rule| (rule.id.as_str(), rule.requires.as_slice()))
        .collect();
    // Depth-first, keeping the path: a rule met again on its own path closes a circle.
    fn visit<'a>(
        id: &'a str,
        requires: &BTreeMap<&'a str, &'a [String]>,
        path: &mut Vec<&'a str>,
        done: &mut BTreeSet<&'a str>,
    ) -> Option<Vec<String>> {
        if let Some(start) = path.iter().position(|on_path| *on_path == id) {
            let mut cycle: Vec<String> = path[start..].iter().map(|id| (*id).to_owned()).collect();
            cycle.push(id.to_owned());
            return Some(cycle);
        }
        if !done.insert(id) {
            return None;
        }
        path.push(id);
        for required in requires.get(id).copied().unwrap_or_default() {
            if let Some(cycle) = visit(required, requires, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        None
    }
    let mut done = BTreeSet::new();
    requires
        .keys()
        .find_map(|id| visit(id, &requires, &mut Vec::new(), &mut done))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lowest_missing_level_caps_the_area() {
        use Status::*;
        assert_eq!(reached([(1, Pass), (2, Fail), (3, Pass)]), Some(1));
        assert_eq!(reached([(1, Fail), (2, Pass)]), Some(0));
        assert_eq!(reached([(1, Pass), (2, Pass), (3, Pass)]), Some(3));
        // Nothing at level 2 applies: passing level 1 and 3 reaches 3.
        assert_eq!(reached([(1, Pass), (2, NotApplicable), (3, Pass)]), Some(3));
        assert_eq!(reached([(1, Pass), (2, Unknown)]), Some(1));
        assert_eq!(reached([(1, Exempted), (2, Pass)]), Some(3));
        assert_eq!(reached([(1, NotApplicable)]), None);
        assert_eq!(reached([(1, Unknown), (2, Unknown)]), None);
        assert_eq!(reached([]), None);
    }
}

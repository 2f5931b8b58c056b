//! Pull-request mode (`check --base`): each finding at the head compared with the same
//! rule's finding at the merge base, so a change is judged on what it changes.

use serde::Serialize;

use crate::finding::{Finding, Status};

/// How a finding moved from the merge base to the head.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    /// Passed at the base, fails at the head: the change broke a practice.
    Regressed,
    /// Failed at the base, passes at the head.
    Improved,
    Unchanged,
    /// Fails at the head and was not judged a pass or a failure at the base: a rule that
    /// the change made applicable (a new Dockerfile, a new pipeline) or that judges the
    /// change itself.
    New,
}

impl Change {
    /// Whether the change introduced this failure: what pull-request mode gates on.
    pub fn introduced(self) -> bool {
        matches!(self, Change::Regressed | Change::New)
    }
}

/// Sets each head finding's `change` against the base findings of the same rule.
pub fn classify(head: &mut [Finding], base: &[Finding]) {
    for finding in head {
        let before = base
            .iter()
            .find(|known| known.rule == finding.rule)
            .map(|known| known.status);
        finding.change = Some(change(before, finding.status));
    }
}

fn change(base: Option<Status>, head: Status) -> Change {
    match (base, head) {
        (Some(Status::Pass), Status::Fail) => Change::Regressed,
        (Some(Status::Fail), Status::Fail) => Change::Unchanged,
        (_, Status::Fail) => Change::New,
        (Some(Status::Fail), Status::Pass) => Change::Improved,
        _ => Change::Unchanged,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_from_base_to_head() {
        use Status::*;
        assert_eq!(change(Some(Pass), Fail), Change::Regressed);
        assert_eq!(change(Some(Fail), Fail), Change::Unchanged);
        assert_eq!(change(Some(NotApplicable), Fail), Change::New);
        assert_eq!(change(None, Fail), Change::New);
        assert_eq!(change(Some(Fail), Pass), Change::Improved);
        assert_eq!(change(Some(Pass), Pass), Change::Unchanged);
        assert_eq!(change(Some(Fail), Exempted), Change::Unchanged);
        assert!(Change::Regressed.introduced() && Change::New.introduced());
        assert!(!Change::Improved.introduced() && !Change::Unchanged.introduced());
    }
}

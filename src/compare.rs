//! Pull-request mode (`check --base`): each finding at the head compared with the same
//! rule's finding at the merge base, so a change is judged on what it changes.

use crate::components::ComponentFindings;
use crate::finding::{Change, Evidence, Finding, Status};
use crate::instance;

/// The per-component findings at the head and at the base (a monorepo's).
#[derive(Clone, Copy, Default)]
pub struct Components<'a> {
    pub head: &'a [ComponentFindings],
    pub base: &'a [ComponentFindings],
}

/// Sets each head finding's `change` against the base findings of the same rule. A rule
/// that failed at the base too has still regressed when the change makes it fail in a file
/// or component where it did not (a second Dockerfile on `latest`, a new service without
/// tests); the note names those instances.
pub fn classify(
    head: &mut [Finding],
    base: &[Finding],
    components: Components,
    in_head_tree: &dyn Fn(&str) -> bool,
) {
    for finding in head {
        let before = base.iter().find(|known| known.rule == finding.rule);
        let mut moved = change(before.map(|known| known.status), finding.status);
        if let Some(before) = before.filter(|_| moved == Change::Regressed)
            && instance::of(finding, components.head) == [instance::REPOSITORY]
        {
            show_where_it_was(finding, before, in_head_tree);
        }
        if let Some(before) = before.filter(|_| moved == Change::Unchanged)
            && finding.status == Status::Fail
        {
            let known = instance::of(before, components.base);
            let new = instance::new_ones(finding, components.head, &known);
            if !new.is_empty() {
                moved = Change::Regressed;
                instance::mark_new(finding, new, "Newly failing in");
            }
        }
        if before.is_some_and(|known| known.status == Status::Pass)
            && finding.status == Status::Pass
            && note_newly_lacking(finding, components)
        {
            moved = Change::Weakened;
        }
        finding.change = Some(moved);
    }
}

/// How many of the base's evidence locations a lost practice's note quotes.
const QUOTED_FROM_BASE: usize = 3;

/// A practice the change lost from the repository as a whole (the step that ran the tests
/// removed) has no file of its own to fail in: it is shown in the files where the base had
/// it, those the head still has (`Finding::shown_in`), and its note quotes what the base
/// found there. Its instance stays the repository's, for baselines and fingerprints.
fn show_where_it_was(finding: &mut Finding, before: &Finding, in_head_tree: &dyn Fn(&str) -> bool) {
    if before.evidence.is_empty() {
        return;
    }
    let quoted: Vec<String> = before
        .evidence
        .iter()
        .take(QUOTED_FROM_BASE)
        .map(ToString::to_string)
        .collect();
    let mut said = format!("Passed at the base: {}", quoted.join("; "));
    // (The evidence kept is capped: how many more places the base had is not known here.)
    if before.evidence.len() > QUOTED_FROM_BASE {
        said.push_str(" and elsewhere");
    }
    finding.note = Some(format!("{said}."));
    for evidence in &before.evidence {
        if !finding.shown_in.contains(&evidence.path) && in_head_tree(&evidence.path) {
            finding.shown_in.push(evidence.path.clone());
        }
    }
}

/// A rule that passes as long as some component has the practice (tests, metrics) still
/// says which components the change leaves without it — a new service without tests — in
/// the finding's note; the pass stays a pass. Whether there were any.
fn note_newly_lacking(finding: &mut Finding, components: Components) -> bool {
    let before = instance::failing_components(&finding.rule, components.base);
    let new: Vec<&str> = instance::failing_components(&finding.rule, components.head)
        .into_iter()
        .filter(|path| !before.contains(path))
        .collect();
    if new.is_empty() {
        return false;
    }
    let said = finding.note.as_deref().unwrap_or(&finding.message);
    finding.note = Some(format!(
        "{said} Newly lacking in {}.",
        crate::components::name_some(&new)
    ));
    true
}

/// The base's score on the head's rules: a rule only a change has (its size, its tests)
/// counts at the base as at the head, so the two scores differ by what the change did to
/// the repository, not by which rules could judge.
pub fn base_score(head: &[Finding], mut base: Vec<Finding>) -> Option<u32> {
    let missing: Vec<Finding> = head
        .iter()
        .filter(|finding| !base.iter().any(|known| known.rule == finding.rule))
        .cloned()
        .collect();
    base.extend(missing);
    crate::report::score(&base)
}

/// The rules the base judged (pass or fail) that the change leaves unknown, each with why:
/// a way to lower the bar (`weakening`), as a pipeline padded past the read cap would be.
pub fn unjudged(head: &[Finding], base: &[Finding]) -> Vec<Evidence> {
    head.iter()
        .filter(|finding| finding.status == Status::Unknown)
        .filter_map(|finding| {
            let before = base.iter().find(|known| known.rule == finding.rule)?;
            matches!(before.status, Status::Pass | Status::Fail).then(|| Evidence {
                path: finding
                    .evidence
                    .first()
                    .map(|evidence| evidence.path.clone())
                    .unwrap_or_default(),
                line: None,
                // (Its message's last full stop is the list's: details are joined by `;`.)
                detail: Some(format!(
                    "leaves `{}` unjudged, which the base judged ({}): {}",
                    finding.rule,
                    before.status.as_str().replace('_', " "),
                    finding.message.trim_end().trim_end_matches('.')
                )),
            })
        })
        .collect()
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
        assert!(!Change::Weakened.introduced());
    }
}

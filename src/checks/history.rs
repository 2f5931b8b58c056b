//! `history`: a history rule judges a figure of the history section (or of a pull request's
//! change) against its threshold, and says what was measured, over which window, and how it
//! moved since the window before.

use crate::config::settings::Settings;
use crate::finding::{Evidence, Finding, Status, Verdict};
use crate::history::figures::{self, Figure, Scope, Trend};
use crate::history::pull_request::PullRequest;
use crate::history::{History, Window};
use crate::rules::{CheckKind, Comparison, Rule};

/// A figure that worsened by this share of its previous value is worth a note, even when
/// it is still within its threshold: the trend matters more than the level.
const MARKED_WORSENING: f64 = 0.25;
/// ...and by at least this share of the threshold: from a previous value near zero any
/// change is "markedly" relative (0 → 0.3 hours of branch lifetime against 72), and no news.
const MARKED_AGAINST_THRESHOLD: f64 = 0.10;

/// Figures to judge, and how messages name what they were measured on.
pub struct Measured<'a> {
    scope: Scope,
    figures: &'a [Figure],
    commits: usize,
    /// "over the last 90 days", "in the change since main".
    over: String,
    /// "the 90 days before"; empty when nothing came before.
    before: String,
}

impl<'a> Measured<'a> {
    pub fn window(history: &'a History, window: Window) -> Measured<'a> {
        let (over, before) = match (window, history.window.days_covered) {
            (Window::Days(_), Some(days)) => (
                format!(
                    "over the {days} day{} since the history began",
                    if days == 1 { "" } else { "s" }
                ),
                String::new(),
            ),
            (Window::Days(days), None) => (
                format!("over the last {days} days"),
                format!("the {days} days before"),
            ),
            (Window::All, _) => ("over the whole history".to_owned(), String::new()),
        };
        Measured {
            scope: Scope::Window,
            figures: &history.figures,
            commits: history.window.commits,
            over,
            before,
        }
    }

    pub fn pull_request(pull_request: &'a PullRequest) -> Measured<'a> {
        Measured {
            scope: Scope::PullRequest,
            figures: &pull_request.figures,
            commits: pull_request.commits,
            over: format!("in the change since {}", pull_request.base),
            before: String::new(),
        }
    }
}

/// The findings of the rules whose `history` checks judge figures of `measured`'s kind.
pub fn judge(rules: &[Rule], measured: &Measured, settings: &Settings) -> Vec<Finding> {
    rules
        .iter()
        .filter(|rule| scope(rule) == Some(measured.scope))
        .map(|rule| judge_rule(rule, measured, settings))
        .collect()
}

/// What a history rule's figures are measured on.
fn scope(rule: &Rule) -> Option<Scope> {
    rule.checks.iter().find_map(|check| match check.kind {
        CheckKind::History { figure, .. } => figures::definition(figure).map(|known| known.scope),
        _ => None,
    })
}

fn judge_rule(rule: &Rule, measured: &Measured, settings: &Settings) -> Finding {
    if let Some(exemption) = settings.exemption(&rule.id) {
        let message = format!("Exempted: {}", exemption.reason);
        return Finding::judged(rule, Verdict::new(Status::Exempted, message, Vec::new()));
    }
    let judged: Vec<(Status, String, Option<String>, &[Evidence])> = rule
        .checks
        .iter()
        .filter_map(|check| match check.kind {
            CheckKind::History {
                figure,
                comparison,
                threshold,
                min_commits,
            } => {
                let figure = measured.figures.iter().find(|known| known.id == figure)?;
                // A share of some commits says as much as there are of them.
                let judged_on = figure.among.map_or(measured.commits, |among| among.commits);
                if judged_on < min_commits && figure.value.is_some() {
                    let message = format!(
                        "Unknown: {} {}, too few to judge (at least {min_commits}).",
                        judged_commits(figure, measured),
                        measured.over,
                    );
                    return Some((Status::Unknown, message, None, &[][..]));
                }
                let (status, message, note) = judge_figure(figure, comparison, threshold, measured);
                Some((status, message, note, figure.evidence.as_slice()))
            }
            _ => None,
        })
        .collect();
    // Any figure within its threshold passes the rule; else any past it fails it.
    let status = [Status::Pass, Status::Fail]
        .into_iter()
        .find(|wanted| judged.iter().any(|(status, ..)| status == wanted))
        .unwrap_or(Status::Unknown);
    let chosen: Vec<&(Status, String, Option<String>, &[Evidence])> = judged
        .iter()
        .filter(|(judged, ..)| *judged == status)
        .collect();
    let message = chosen
        .iter()
        .map(|(_, message, ..)| message.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    // What a figure counted is where a failure points (`pr.weakenings`).
    let evidence = match status {
        Status::Fail => chosen
            .iter()
            .flat_map(|(.., evidence)| evidence.iter().cloned())
            .collect(),
        _ => Vec::new(),
    };
    let counted: Vec<&str> = evidence
        .iter()
        .filter_map(|evidence: &Evidence| evidence.detail.as_deref())
        .collect();
    let message = match counted.is_empty() {
        true => message,
        false => format!("{message} The change {}.", counted.join("; ")),
    };
    let mut finding = Finding::judged(rule, Verdict::new(status, message, evidence));
    finding.note = chosen.iter().find_map(|(_, _, note, _)| note.clone());
    finding
}

/// A figure's status, the message that states it, and a note when it worsened markedly.
fn judge_figure(
    figure: &Figure,
    comparison: Comparison,
    threshold: f64,
    measured: &Measured,
) -> (Status, String, Option<String>) {
    let definition = figures::definition(figure.id).expect("figures are defined");
    let Some(value) = figure.value else {
        let reason = figure.reason.as_deref().unwrap_or("the figure is unknown");
        let message = format!("Unknown: {}: {reason}.", definition.label());
        return (Status::Unknown, message, None);
    };
    let status = if comparison.holds(value, threshold) {
        Status::Pass
    } else {
        Status::Fail
    };
    let (over, before) = (&measured.over, &measured.before);
    let commits = judged_commits(figure, measured);
    let mut message = format!(
        "{}: {} {over} ({commits}); expected {} {}.",
        capitalized(&definition.label()),
        figures::quantity(value, figure.unit),
        comparison.words(),
        figures::quantity(threshold, figure.unit),
    );
    if let Some(previous) = figure.previous {
        // Known now and before, so the trend is known too.
        message.push_str(&format!(
            " In {before}: {} ({}).",
            figures::quantity(previous, figure.unit),
            figure.trend.as_str()
        ));
    }
    let moved = (value - figure.previous.unwrap_or(value)).abs();
    let marked = figure.trend == Trend::Worsening
        && figures::relative_change(figure).is_some_and(|change| change.abs() >= MARKED_WORSENING)
        && moved >= MARKED_AGAINST_THRESHOLD * threshold.abs();
    let note = (status == Status::Pass && marked).then(|| {
        format!(
            "{} worsened markedly against {before}: {} → {}, though still within {} {}.",
            capitalized(&definition.label()),
            figures::quantity(figure.previous.unwrap_or_default(), figure.unit),
            figures::quantity(value, figure.unit),
            comparison.words(),
            figures::quantity(threshold, figure.unit),
        )
    });
    (status, message, note)
}

/// The commits a figure is judged on: "12 commits", or for a figure of some of them
/// "commits that change source code: 3 of 12".
fn judged_commits(figure: &Figure, measured: &Measured) -> String {
    match figure.among {
        // All of them: "12 commits" says it.
        Some(among) if among.commits == among.of => crate::text::plural(among.of, "commit"),
        Some(among) => format!(
            "commits that {}: {} of {}",
            among.what, among.commits, among.of
        ),
        None => crate::text::plural(measured.commits, "commit"),
    }
}

fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// What `opslint explain` says a `history` check holds of.
pub fn explains(
    figure: &str,
    comparison: Comparison,
    threshold: f64,
    min_commits: usize,
) -> String {
    let definition = figures::definition(figure);
    let holds = match definition.map(|known| known.scope) {
        Some(Scope::PullRequest) => format!(
            "the pull-request figure {figure} is {} {threshold} (judged with \
             `check --base`, on the change since the merge base)",
            comparison.words()
        ),
        _ => format!(
            "the history figure {figure} is {} {threshold} over the window (judged \
             when the window holds at least {}{})",
            comparison.words(),
            crate::text::plural(min_commits, "commit"),
            definition
                .and_then(|known| known.among())
                .map(|what| format!(" that {what}"))
                .unwrap_or_default(),
        ),
    };
    match definition
        .map(|known| known.means)
        .filter(|means| !means.is_empty())
    {
        Some(means) => format!("{holds} — {means}"),
        None => holds,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::WindowInfo;

    fn note_for(value: f64, previous: f64, threshold: f64) -> Option<String> {
        let figure = Figure {
            id: "flow.median_branch_lifetime_hours",
            value: Some(value),
            previous: Some(previous),
            unit: "hours",
            trend: Trend::Worsening,
            reason: None,
            note: None,
            evidence: Vec::new(),
            among: None,
        };
        let history = History {
            shallow: false,
            window: WindowInfo {
                since: None,
                until: String::new(),
                commits: 20,
                days_covered: None,
            },
            figures: vec![figure.clone()],
        };
        let measured = Measured::window(&history, Window::Days(90));
        let (_, _, note) = judge_figure(&figure, Comparison::AtMost, threshold, &measured);
        note
    }

    #[test]
    fn a_marked_worsening_is_large_against_the_threshold_too() {
        assert!(note_for(50.0, 10.0, 100.0).is_some());
        // Up from nothing, but by a sliver of what the threshold allows.
        assert!(note_for(0.3, 0.0, 72.0).is_none());
        // Up by less than a quarter.
        assert!(note_for(12.0, 10.0, 20.0).is_none());
    }
}

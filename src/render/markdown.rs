//! `--format markdown`: a job summary or pull-request comment. The score per area with a
//! small bar, the failures with their fix, the rest folded away; kept under GitHub's 1 MiB
//! step-summary limit whatever the repository.

use std::fmt::Write as _;
use std::io::{self, Write};

use super::markdown_syntax::{Column, prose_with_code, table_header, table_row};
use super::{AlsoWritten, Format, RenderOptions, Renderer};
use crate::finding::Change;
use crate::finding::{Finding, Status};
use crate::history::figures;
use crate::maturity::MAX_LEVEL;
use crate::report::Report;
use crate::severity::Severity;

/// GitHub refuses step summaries over 1 MiB; this leaves room for what else a job writes.
const LIMIT: usize = 512 * 1024;
/// Past `LIMIT` a section is not started, but one section may still grow (a repository's
/// config can hold thousands of custom rules): the summary is cut here whatever it holds.
const HARD_LIMIT: usize = 900 * 1024;
const BAR: usize = 10;

/// The job summary.
pub const FORMAT: Format = Format {
    name: "markdown",
    about: "a job summary or pull-request comment",
    also_written: Some(AlsoWritten {
        flag: "markdown-output",
        help: "Also write the report as a Markdown job summary to this file",
        position: 1,
    }),
    renderer: &Markdown,
};

struct Markdown;

impl Renderer for Markdown {
    fn render(&self, report: &Report, _: &RenderOptions, out: &mut dyn Write) -> io::Result<()> {
        out.write_all(summary(report).as_bytes())
    }
}

fn summary(report: &Report) -> String {
    let mut out = sections(report);
    if out.len() > HARD_LIMIT {
        let mut cut = HARD_LIMIT;
        while !out.is_char_boundary(cut) {
            cut -= 1;
        }
        let cut = out[..cut].rfind('\n').map_or(cut, |line| line + 1);
        out.truncate(cut);
        out.push_str("\n\n… cut at GitHub's summary limit: see the full report.\n");
    }
    out
}

fn sections(report: &Report) -> String {
    let mut out = String::new();
    let score = report.score_shown().unwrap_or_else(|| "n/a".to_owned());
    let _ = writeln!(out, "## opslint · {score}\n");
    table_header(
        &mut out,
        &[
            Column::text("Area"),
            Column::number("Score"),
            Column::number("Level"),
            Column::text(""),
        ],
    );
    for area in &report.areas {
        let rules = area.judged() + area.unknown;
        let (text, bar) = match area.score {
            // Most of the area unknown: what little was judged is no score.
            _ if area.not_enough_evidence() => (
                "–".to_owned(),
                format!("not enough evidence ({} of {rules} unknown)", area.unknown),
            ),
            Some(score) => {
                let filled = (score as usize * BAR + 50) / 100;
                let mut bar = "█".repeat(filled) + &"░".repeat(BAR - filled);
                if area.unknown > 0 {
                    let _ = write!(bar, " {}", area.judged_phrase());
                }
                (format!("{score}"), bar)
            }
            None => ("n/a".to_owned(), String::new()),
        };
        let level = area
            .level
            .map_or_else(|| "–".to_owned(), |level| format!("{level}/{MAX_LEVEL}"));
        table_row(&mut out, &[area.title, &text, &level, &bar]);
    }
    let failing = report.failing_most_severe_first();
    if let Some(pull_request) = &report.pull_request {
        let _ = writeln!(
            out,
            "\nCompared with `{}` (merge base `{}`): {} of its own.",
            pull_request.base,
            &pull_request.merge_base[..pull_request.merge_base.len().min(12)],
            crate::text::plural(pull_request.commits, "commit")
        );
    }
    if !failing.is_empty() {
        let heading = match report.pull_request {
            Some(_) => "Introduced by this change",
            None => "To improve",
        };
        let _ = writeln!(out, "\n### {heading} ({})\n", failing.len());
    }
    let mut left_out = 0;
    for finding in &failing {
        if out.len() > LIMIT {
            left_out += 1;
            continue;
        }
        let mark = match finding.severity {
            Severity::Error => "🔴",
            Severity::Warning => "🟠",
            Severity::Note => "🔵",
        };
        let regressed = match finding.change {
            Some(Change::Regressed) => " _(regression)_",
            _ => "",
        };
        // Where the change broke it ("Newly failing in …") before what the rule found,
        // which may name files the change did not touch.
        let said = match &finding.note {
            Some(note) => format!(
                "_{}_ {}",
                prose_with_code(note),
                prose_with_code(&finding.message)
            ),
            None => prose_with_code(&finding.message),
        };
        let _ = writeln!(
            out,
            "- {mark} **{}** `{}`{regressed} — {said}  \n  _Fix:_ {}",
            prose_with_code(&finding.title),
            finding.rule,
            prose_with_code(finding.remediation.trim())
        );
    }
    if left_out > 0 {
        let _ = writeln!(out, "\n…and {left_out} more: see the full report.");
    }
    let baselined = report.baselined();
    if baselined > 0 {
        let _ = writeln!(
            out,
            "\n{} accepted by the baseline, not listed.",
            crate::text::plural(baselined, "failing finding")
        );
    }
    let weakened: Vec<&Finding> = report.with_change(Change::Weakened).collect();
    if !weakened.is_empty() && out.len() < LIMIT {
        let _ = writeln!(
            out,
            "\n### Still passing, but not in what this change adds ({})\n",
            weakened.len()
        );
        for finding in weakened {
            let note = finding.note.as_deref().unwrap_or(&finding.message);
            let _ = writeln!(
                out,
                "- ⚠️ **{}** `{}` — {}",
                prose_with_code(&finding.title),
                finding.rule,
                prose_with_code(note)
            );
        }
    }
    let improved: Vec<&Finding> = report.with_change(Change::Improved).collect();
    if !improved.is_empty() && out.len() < LIMIT {
        let _ = writeln!(out, "\n### Improved by this change ({})\n", improved.len());
        for finding in improved {
            let _ = writeln!(
                out,
                "- ✅ **{}** `{}`",
                prose_with_code(&finding.title),
                finding.rule
            );
        }
    }
    if report.pull_request.is_some() {
        let unchanged = report
            .findings
            .iter()
            .filter(|finding| {
                finding.status == Status::Fail && finding.change == Some(Change::Unchanged)
            })
            .count();
        if unchanged > 0 {
            let _ = writeln!(
                out,
                "\n{} failing before this change too, not repeated here.",
                crate::text::plural(unchanged, "finding")
            );
        }
    }
    // What opslint could not judge says what it could not see: a team fixes that, or knows
    // why the area's score leaves it out.
    let message = |finding: &Finding| Some(prose_with_code(&finding.message));
    folded(&mut out, "Not judged", report, Status::Unknown, message);
    folded(&mut out, "Exempted", report, Status::Exempted, message);
    folded(&mut out, "Passed", report, Status::Pass, |finding| {
        finding
            .note
            .as_ref()
            .map(|note| format!("⚠️ {}", prose_with_code(note)))
    });
    if let Some(history) = report.history.as_ref().filter(|_| out.len() < LIMIT) {
        let _ = writeln!(
            out,
            "\n<details><summary>History signals ({} commits)</summary>\n",
            history.window.commits
        );
        table_header(
            &mut out,
            &[
                Column::text("Figure"),
                Column::number("Now"),
                Column::number("Before"),
                Column::text("Trend"),
            ],
        );
        let value = |value: Option<f64>, unit: &str| {
            value.map_or_else(|| "–".to_owned(), |value| figures::quantity(value, unit))
        };
        for figure in &history.figures {
            table_row(
                &mut out,
                &[
                    &format!("`{}`", figure.id),
                    &value(figure.value, figure.unit),
                    &value(figure.previous, figure.unit),
                    figure.trend.as_str(),
                ],
            );
        }
        let _ = writeln!(out, "\n</details>");
    }
    out
}

/// The findings of `status`, each with what `detail` says of it, folded under `summary`.
fn folded(
    out: &mut String,
    summary: &str,
    report: &Report,
    status: Status,
    detail: impl Fn(&Finding) -> Option<String>,
) {
    let findings: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|finding| finding.status == status)
        .collect();
    if findings.is_empty() || out.len() >= LIMIT {
        return;
    }
    let _ = writeln!(
        out,
        "\n<details><summary>{summary} ({})</summary>\n",
        findings.len()
    );
    for finding in findings {
        let _ = write!(
            out,
            "- **{}** `{}`",
            prose_with_code(&finding.title),
            finding.rule
        );
        match detail(finding) {
            Some(detail) => {
                let _ = writeln!(out, " — {detail}");
            }
            None => out.push('\n'),
        }
    }
    let _ = writeln!(out, "\n</details>");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::area::Area;
    use crate::report::RepositoryInfo;

    #[test]
    fn a_summary_is_cut_at_the_limit_whatever_one_section_holds() {
        let passing = |index: usize| Finding {
            status: Status::Pass,
            title: "‹".repeat(900).into(),
            ..Finding::example(&format!("custom.rule-{index}"), Area::Ci)
        };
        let report = Report::new(RepositoryInfo::unnamed(), (0..2_000).map(passing).collect());
        let text = summary(&report);
        assert!(text.len() <= HARD_LIMIT + 100, "{} bytes", text.len());
        assert!(text.ends_with("see the full report.\n"));
    }

    #[test]
    fn what_could_not_be_judged_is_listed_with_what_was_not_seen() {
        let unknown = Finding {
            status: Status::Unknown,
            message: "Not seen: what the action `org/run-tests@v1` runs.".to_owned(),
            ..Finding::example("ci.runs-tests", Area::Ci)
        };
        let report = Report::new(RepositoryInfo::unnamed(), vec![unknown]);
        let text = summary(&report);
        assert!(
            text.contains("<summary>Not judged (1)</summary>")
                && text.contains(
                    "`ci.runs-tests` — Not seen: what the action `org/run-tests@v1` runs."
                ),
            "{text}"
        );
    }

    /// A monorepo's worth of long failures still fits GitHub's 1 MiB step summary.
    #[test]
    fn a_huge_report_stays_under_the_summary_limit() {
        let failing = |index: usize| Finding {
            severity: Severity::Error,
            title: "A very long title".repeat(20).into(),
            message: "A message that names many files. ".repeat(200),
            remediation: "Do the thing. ".repeat(100).into(),
            ..Finding::example(&format!("custom.rule-{index}"), Area::Ci)
        };
        let repository = RepositoryInfo::unnamed();
        let report = Report::new(repository, (0..5_000).map(failing).collect());
        let text = summary(&report);
        assert!(text.len() < 1024 * 1024, "{} bytes", text.len());
        assert!(text.contains("more: see the full report"));
    }
}

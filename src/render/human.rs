//! `--format human`: findings grouped by area, readable at 80 columns, colored only when asked.

use std::fmt::Write as _;
use std::io::{self, Write};

use anstyle::{AnsiColor, Style};

use super::{Detail, Format, RenderOptions, Renderer};
use crate::finding::Change;
use crate::finding::{Finding, Status};
use crate::history::History;
use crate::history::figures::{self, Trend};
use crate::history::pull_request::PullRequest;
use crate::maturity::MAX_LEVEL;
use crate::repo::Scanned;
use crate::report::{AreaSummary, Report};
use crate::severity::Severity;
use crate::text::plural;

const WIDTH: usize = 80;
/// Passing findings list at most this many evidence paths; JSON has more.
const EVIDENCE_SHOWN: usize = 3;

/// The human report.
pub const FORMAT: Format = Format {
    name: "human",
    about: "for people",
    also_written: None,
    renderer: &Human,
};

struct Human;

impl Renderer for Human {
    fn render(
        &self,
        report: &Report,
        options: &RenderOptions,
        out: &mut dyn Write,
    ) -> io::Result<()> {
        // The renderer makes the repository's text safe before it colours it.
        out.write_all(text(report, options.color, options.detail).as_bytes())
    }
}

fn text(report: &Report, color: bool, detail: Detail) -> String {
    // What the repository wrote (file names, quoted contents, custom rules' texts) is made
    // safe before opslint colours anything: only opslint's own sequences reach the terminal.
    let report = &for_terminal(report);
    let paint = Paint { color };
    let mut out = String::new();
    if detail == Detail::Quiet {
        // What fails the run, most severe first; nothing else but the summary.
        for finding in report.failing_most_severe_first() {
            render_finding(&mut out, finding, &paint, detail);
        }
        summary(&mut out, report, &paint);
        return out;
    }
    header(&mut out, report, &paint);
    if report.compared() {
        change(&mut out, report, &paint, detail);
        summary(&mut out, report, &paint);
        return out;
    }
    for area in &report.areas {
        // Failures the baseline accepts are counted in the summary, not listed.
        let findings: Vec<&Finding> = report
            .findings
            .iter()
            .filter(|finding| finding.area == area.id && !finding.baselined)
            .collect();
        let standing = standing(area, report);
        let title = area.title;
        let gap = WIDTH
            .saturating_sub(title.chars().count() + standing.chars().count())
            .max(1);
        let _ = writeln!(
            out,
            "\n{}{}{}",
            paint.style(BOLD, title),
            " ".repeat(gap),
            paint.style(BOLD, &standing)
        );
        let mut not_applicable = Vec::new();
        for finding in findings {
            if finding.status == Status::NotApplicable && detail != Detail::Verbose {
                not_applicable.push(finding);
            } else {
                render_finding(&mut out, finding, &paint, detail);
            }
        }
        fold_not_applicable(&mut out, &not_applicable, &paint);
    }
    if let Some(history) = &report.history {
        signals(&mut out, history, &paint);
    }
    summary(&mut out, report, &paint);
    out
}

/// What an area's heading says of it: its score and how much of it was judged, or that too
/// little was judged to score it.
fn standing(area: &AreaSummary, report: &Report) -> String {
    let rules = area.judged() + area.unknown;
    if area.not_enough_evidence() {
        return format!(
            "— not enough evidence ({} of {rules} unknown)",
            area.unknown
        );
    }
    let Some(score) = area.score else {
        return "n/a".to_owned();
    };
    let mut standing = format!("{score}/100");
    if let Some(level) = area.level {
        let _ = write!(standing, " · level {level}/{MAX_LEVEL}");
    }
    if area.unknown > 0 {
        let _ = write!(standing, " · {}", area.judged_phrase());
    } else if area.judged() == 1 {
        // One rule makes the score 0 or 100: say so, and how severe a failure it is (one
        // the baseline accepts too: it is what the score counts).
        let judged = report.findings.iter().find(|finding| {
            finding.area == area.id && matches!(finding.status, Status::Pass | Status::Fail)
        });
        match judged {
            Some(finding) if finding.status == Status::Fail => {
                let _ = write!(
                    standing,
                    " · 1 rule, failing ({})",
                    finding.severity.as_str()
                );
            }
            _ => standing.push_str(" · 1 rule, passing"),
        }
    }
    standing
}

/// The rules of an area that do not apply, on one line: as many ids as fit, and the reason
/// when they share one (`-v` lists each with its own).
fn fold_not_applicable(out: &mut String, findings: &[&Finding], paint: &Paint) {
    let Some(first) = findings.first() else {
        return;
    };
    let reason = |finding: &Finding| {
        let message = finding.message.trim().trim_end_matches('.');
        message
            .strip_prefix("Not applicable: ")
            .unwrap_or(message)
            .to_owned()
    };
    let shared = reason(first);
    let suffix = if findings.iter().all(|finding| reason(finding) == shared) {
        format!(" — {shared}")
    } else {
        String::new()
    };
    let mut line = format!("  · {} not applicable: ", findings.len());
    let room = WIDTH.saturating_sub(suffix.chars().count().min(WIDTH / 2));
    for (index, finding) in findings.iter().enumerate() {
        let separator = if index == 0 { "" } else { ", " };
        let last = index + 1 == findings.len();
        // Keep room for ", …" unless this is the last id.
        let needed = separator.len() + finding.rule.len() + if last { 0 } else { 3 };
        if index > 0 && line.chars().count() + needed > room {
            line.push_str(", …");
            break;
        }
        line.push_str(separator);
        line.push_str(&finding.rule);
    }
    line.push_str(&suffix);
    wrap_into(out, &paint.style(DIM, &line), "", "      ");
}

/// Pull-request and staged mode: what the change did — regressions and new failures first,
/// then improvements — with unchanged findings counted, not repeated.
fn change(out: &mut String, report: &Report, paint: &Paint, detail: Detail) {
    match &report.pull_request {
        Some(pull_request) => pull_request_line(out, pull_request),
        None => {
            let base = match (report.repository.scanned, &report.repository.head) {
                (Scanned::Staged, Some(_)) => "compared with HEAD",
                _ => "compared with an empty tree (no commits yet)",
            };
            let _ = writeln!(out, "{base}");
        }
    }
    changes(out, report, paint, detail);
}

/// The base and the size of a pull request.
fn pull_request_line(out: &mut String, pull_request: &PullRequest) {
    let mut line = format!(
        "compared with {} (merge base {}) · {} of its own",
        pull_request.base,
        short(Some(&pull_request.merge_base)),
        plural(pull_request.commits, "commit"),
    );
    let figure = |id: &str| {
        pull_request
            .figures
            .iter()
            .find(|figure| figure.id == id)
            .and_then(|figure| Some(figures::quantity(figure.value?, figure.unit)))
    };
    if let (Some(lines), Some(files)) = (figure("pr.lines_changed"), figure("pr.files_changed")) {
        let _ = write!(line, " · {lines} changed in {files}");
    }
    wrap_into(out, &line, "", "  ");
}

/// Regressions, new failures, weakened passes and improvements, each with their findings;
/// the unchanged counted.
fn changes(out: &mut String, report: &Report, paint: &Paint, detail: Detail) {
    let with = |change: Change| -> Vec<&Finding> {
        let mut found: Vec<&Finding> = report
            .with_change(change)
            .filter(|finding| !finding.baselined)
            .collect();
        found.sort_by_key(|finding| std::cmp::Reverse(finding.severity));
        found
    };
    let sections = [
        (
            Change::Regressed,
            "Regressions: fail now where they passed at the base, or in a new file or component",
        ),
        (Change::New, "New failures"),
        (
            Change::Weakened,
            "Weakened: still pass, but not in a component the change adds",
        ),
        (
            Change::Improved,
            "Improvements: failed at the base, pass now",
        ),
    ];
    for (change, title) in sections {
        let found = with(change);
        if found.is_empty() {
            continue;
        }
        let _ = writeln!(
            out,
            "\n{}",
            paint.style(BOLD, &format!("{title} ({})", found.len()))
        );
        for finding in found {
            render_finding(out, finding, paint, detail);
        }
    }
    let unchanged = with(Change::Unchanged);
    if !unchanged.is_empty() {
        let failing = unchanged
            .iter()
            .filter(|finding| finding.status == Status::Fail)
            .count();
        let text = format!(
            "Unchanged since the base: {} ({failing} failing), not repeated; \
             a plain `opslint check` lists them.",
            plural(unchanged.len(), "finding"),
        );
        out.push('\n');
        wrap_into(out, &paint.style(DIM, &text), "", "");
    }
}

/// The history figures as a table: figure, current, previous, trend.
fn signals(out: &mut String, history: &History, paint: &Paint) {
    let day = |stamp: &str| stamp.get(..10).unwrap_or(stamp).to_owned();
    let span = match &history.window.since {
        Some(since) => format!("{} → {}", day(since), day(&history.window.until)),
        None => format!("all history to {}", day(&history.window.until)),
    };
    let _ = writeln!(
        out,
        "\n{} · {span} · {}",
        paint.style(BOLD, "History signals"),
        plural(history.window.commits, "commit")
    );
    let value = |value: Option<f64>, unit: &str| match value {
        Some(value) => figures::quantity(value, unit),
        None => "–".to_owned(),
    };
    for figure in &history.figures {
        let (mark, style) = match figure.trend {
            Trend::Improving => ("↑ improving", GREEN),
            Trend::Worsening => ("↓ worsening", YELLOW),
            Trend::Steady => ("→ steady", DIM),
            Trend::Unknown => ("", DIM),
        };
        let row = format!(
            "  {:<38} {:>17} {:>17}  {}",
            figure.id,
            value(figure.value, figure.unit),
            value(figure.previous, figure.unit),
            paint.style(style, mark)
        );
        let _ = writeln!(out, "{}", row.trim_end());
    }
    // Why figures are unknown, or what known ones leave out: one line per reason with the
    // figures it holds for.
    let mut reasons: Vec<(&str, Vec<&str>)> = Vec::new();
    for figure in &history.figures {
        let reason = match figure.value {
            None => figure.reason.as_deref(),
            Some(_) => figure.note.as_deref(),
        };
        if let Some(reason) = reason {
            match reasons.iter_mut().find(|(known, _)| *known == reason) {
                Some((_, ids)) => ids.push(figure.id),
                None => reasons.push((reason, vec![figure.id])),
            }
        }
    }
    for (reason, ids) in reasons {
        let which = if ids.len() == history.figures.len() {
            "every figure".to_owned()
        } else {
            ids.join(", ")
        };
        wrap_into(
            out,
            &paint.style(DIM, &format!("– {which}: {reason}")),
            "  ",
            "    ",
        );
    }
}

fn header(out: &mut String, report: &Report, paint: &Paint) {
    let repository = &report.repository;
    let _ = writeln!(out, "{} {}", paint.style(BOLD, "opslint"), repository.path);
    let what = match (repository.scanned, &repository.rev) {
        (Scanned::Rev, Some(rev)) => format!("{rev} ({})", short(repository.head.as_deref())),
        (Scanned::Rev, None) => format!("commit {}", short(repository.head.as_deref())),
        (Scanned::Staged, _) => match &repository.head {
            Some(head) => format!("staged changes (HEAD {})", short(Some(head))),
            None => format!("staged changes ({})", no_head(repository)),
        },
        (Scanned::Worktree, _) => match &repository.head {
            Some(head) => format!("working tree (HEAD {})", short(Some(head))),
            None => format!("working tree ({})", no_head(repository)),
        },
    };
    let mut line = format!("scanned {what} · {}", plural(repository.files, "file"));
    if let Some(config) = &repository.config {
        let _ = write!(line, " · config {config}");
    }
    if !repository.submodules.is_empty() {
        let _ = write!(
            line,
            " · {} not descended into",
            plural(repository.submodules.len(), "submodule")
        );
    }
    wrap_into(out, &line, "", "  ");
}

/// Why there is no HEAD commit: none yet, or what HEAD is instead.
fn no_head(repository: &crate::report::RepositoryInfo) -> String {
    match &repository.head_problem {
        Some(problem) => format!("no commit at HEAD: {problem}"),
        None => "no commits yet".to_owned(),
    }
}

fn render_finding(out: &mut String, finding: &Finding, paint: &Paint, detail: Detail) {
    let (mark, style) = match finding.status {
        Status::Pass => ("✓", GREEN),
        Status::Fail => ("✗", severity_style(finding.severity)),
        Status::NotApplicable => ("·", DIM),
        Status::Unknown => ("?", MAGENTA),
        Status::Exempted => ("~", CYAN),
    };
    let mut heading = format!("{} — {}", finding.rule, finding.title);
    if finding.status == Status::Fail {
        let _ = write!(heading, " [{}]", finding.severity.as_str());
    }
    let lines = textwrap::wrap(&heading, options(WIDTH - 4).subsequent_indent("    "));
    for (index, line) in lines.iter().enumerate() {
        if index == 0 {
            let _ = writeln!(out, "  {} {}", paint.style(style, mark), line);
        } else {
            let _ = writeln!(out, "  {line}");
        }
    }
    let detail_line = |out: &mut String, text: &str| wrap_into(out, text, "      ", "      ");
    // Why a rule with a precondition was judged at all: the file that made this repository
    // one the rule is about (a service, infrastructure code).
    let applies_line = |out: &mut String| {
        if detail == Detail::Verbose
            && let Some(because) = &finding.applies_because
        {
            detail_line(
                out,
                &paint.style(DIM, &format!("applies because of {because}")),
            );
        }
    };
    // `-v` shows every piece of evidence; otherwise a few, and JSON has them all.
    let shown = if detail == Detail::Verbose {
        usize::MAX
    } else {
        EVIDENCE_SHOWN
    };
    match finding.status {
        // A figure (a history rule) rather than files.
        Status::Pass if finding.evidence.is_empty() => {
            detail_line(out, &paint.style(DIM, &finding.message));
        }
        // What was examined, then everything found.
        Status::Pass if detail == Detail::Verbose => {
            detail_line(out, &paint.style(DIM, &finding.message));
            for evidence in finding
                .evidence
                .iter()
                .map(ToString::to_string)
                .filter(|evidence| !names(&finding.message, evidence))
            {
                detail_line(out, &paint.style(DIM, &evidence));
            }
        }
        Status::Pass => {
            for evidence in finding.evidence.iter().take(shown) {
                detail_line(out, &paint.style(DIM, &evidence.to_string()));
            }
            // The count of the rest, unless the note below says it (a pass some components
            // lack).
            if finding.evidence.len() > shown && finding.note.as_ref() != Some(&finding.message) {
                detail_line(out, &paint.style(DIM, &format!("… {}", finding.message)));
            }
        }
        Status::Fail => {
            detail_line(out, &finding.message);
            applies_line(out);
            // Evidence against the practice (an unpinned image, an action by tag, a
            // component lacking the practice) that the message does not already name.
            for evidence in finding
                .evidence
                .iter()
                .map(ToString::to_string)
                .filter(|evidence| !names(&finding.message, evidence))
                .take(shown)
            {
                detail_line(out, &paint.style(DIM, &evidence));
            }
            wrap_into(
                out,
                &format!("fix: {}", finding.remediation.trim()),
                "      ",
                "           ",
            );
        }
        Status::NotApplicable => detail_line(out, &paint.style(DIM, &finding.message)),
        Status::Unknown => {
            detail_line(out, &finding.message);
            applies_line(out);
            // With `-v`, every call opslint could not read: the message names the first.
            if detail == Detail::Verbose {
                for evidence in finding
                    .evidence
                    .iter()
                    .map(ToString::to_string)
                    .filter(|evidence| !names(&finding.message, evidence))
                {
                    detail_line(out, &paint.style(DIM, &format!("not seen: {evidence}")));
                }
            }
        }
        Status::Exempted => {
            detail_line(out, &finding.message);
            applies_line(out);
        }
    }
    if let Some(note) = &finding.note {
        wrap_into(
            out,
            &paint.style(YELLOW, &format!("note: {note}")),
            "      ",
            "            ",
        );
    }
}

/// The report with its text made safe for a terminal: file names quoted as git quotes them
/// when they hold control characters (a line feed in a name would forge a line of the
/// report), in the evidence and in the messages that name them; and every control character
/// but line feeds and tabs, colour sequences included, shown as `�` (`text::for_terminal`).
fn for_terminal(report: &Report) -> Report {
    let text = |value: &mut String| {
        if let std::borrow::Cow::Owned(clean) = crate::text::for_terminal(value) {
            *value = clean;
        }
    };
    let shared = |value: &mut std::sync::Arc<str>| {
        if let std::borrow::Cow::Owned(clean) = crate::text::for_terminal(value) {
            *value = clean.into();
        }
    };
    let quote = |evidence: &mut [crate::finding::Evidence], messages: &mut [&mut String]| {
        for evidence in evidence {
            if let std::borrow::Cow::Owned(quoted) = crate::text::quote_path(&evidence.path) {
                for message in messages.iter_mut() {
                    **message = message.replace(&evidence.path, &quoted);
                }
                evidence.path = quoted;
            }
            if let Some(detail) = &mut evidence.detail {
                text(detail);
            }
        }
    };
    let mut report = report.clone();
    let repository = &mut report.repository;
    text(&mut repository.path);
    for value in [
        &mut repository.rev,
        &mut repository.head_problem,
        &mut repository.config,
        &mut repository.name,
    ]
    .into_iter()
    .flatten()
    {
        text(value);
    }
    repository.submodules.iter_mut().for_each(&text);
    for finding in &mut report.findings {
        let mut messages: Vec<&mut String> = vec![&mut finding.message];
        messages.extend(finding.note.as_mut());
        quote(&mut finding.evidence, &mut messages);
        quote(finding.applies_because.as_mut_slice(), &mut []);
        text(&mut finding.rule);
        // A message is one paragraph: a line break in it came from a name the repository chose
        // (a folder `docs/x\n  ✓ security.policy …` would forge a line of the report).
        for message in std::iter::once(&mut finding.message).chain(finding.note.as_mut()) {
            if message.contains(['\n', '\r']) {
                *message = message.replace('\n', "\\n").replace('\r', "\\r");
            }
        }
        text(&mut finding.message);
        finding.note.iter_mut().for_each(&text);
        shared(&mut finding.title);
        shared(&mut finding.remediation);
    }
    let figures = report
        .history
        .iter_mut()
        .flat_map(|history| history.figures.iter_mut())
        .chain(
            report
                .pull_request
                .iter_mut()
                .flat_map(|pull_request| pull_request.figures.iter_mut()),
        );
    for figure in figures {
        let mut messages: Vec<&mut String> = figure
            .reason
            .iter_mut()
            .chain(figure.note.iter_mut())
            .collect();
        quote(&mut figure.evidence, &mut messages);
        figure.reason.iter_mut().for_each(&text);
        figure.note.iter_mut().for_each(&text);
    }
    if let Some(pull_request) = &mut report.pull_request {
        text(&mut pull_request.base);
    }
    report
}

/// Whether `message` names `item` (a path, or a path with its line) as a whole: not as the
/// start of a longer path (`services/web` in `services/web-admin`).
fn names(message: &str, item: &str) -> bool {
    let ends_item = |rest: &str| {
        let mut chars = rest.chars();
        match chars.next() {
            None => true,
            Some(',' | ' ' | ')' | '`' | ':' | ';') => true,
            // A full stop ends a sentence, not a path (`main.rs`).
            Some('.') => chars.next().is_none_or(char::is_whitespace),
            Some(_) => false,
        }
    };
    message.match_indices(item).any(|(start, _)| {
        let before = message[..start].chars().next_back();
        before.is_none_or(|c| matches!(c, ' ' | '(' | '`' | ',' | '\n'))
            && ends_item(&message[start + item.len()..])
    })
}

fn summary(out: &mut String, report: &Report, paint: &Paint) {
    let failed: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|finding| finding.status == Status::Fail && !finding.baselined)
        .collect();
    let mut parts = vec![match report.score_shown() {
        Some(score) => format!("score {score}"),
        None => "no applicable rules".to_owned(),
    }];
    parts.push(format!("{} passed", report.count(Status::Pass)));
    let mut failed_part = format!("{} failed", failed.len());
    let by_severity: Vec<String> = [Severity::Error, Severity::Warning, Severity::Note]
        .into_iter()
        .filter_map(|severity| {
            let count = failed
                .iter()
                .filter(|finding| finding.severity == severity)
                .count();
            (count > 0).then(|| plural(count, severity.as_str()))
        })
        .collect();
    if !by_severity.is_empty() {
        let _ = write!(failed_part, " ({})", by_severity.join(", "));
    }
    parts.push(failed_part);
    let baselined = report.baselined();
    if baselined > 0 {
        parts.push(format!("{baselined} accepted by the baseline"));
    }
    for (status, label) in [
        (Status::NotApplicable, "not applicable"),
        (Status::Unknown, "unknown"),
        (Status::Exempted, "exempted"),
    ] {
        let count = report.count(status);
        if count > 0 {
            parts.push(format!("{count} {label}"));
        }
    }
    out.push('\n');
    let line = parts.join(" · ");
    let lines = textwrap::wrap(&line, options(WIDTH));
    for line in lines {
        let _ = writeln!(out, "{}", paint.style(BOLD, &line));
    }
}

fn wrap_into(out: &mut String, text: &str, first_indent: &str, rest_indent: &str) {
    let options = options(WIDTH)
        .initial_indent(first_indent)
        .subsequent_indent(rest_indent);
    for paragraph in text.lines() {
        for line in textwrap::wrap(paragraph, &options) {
            let _ = writeln!(out, "{}", defused(&line));
        }
    }
}

/// A line a CI runner would read as a workflow command (`::error file=a::…`, which GitHub
/// Actions finds at a line's start after its indent) when a repository's text lands there —
/// a wrapped command, a line of a multi-line value — starts with a backslash instead.
fn defused(line: &str) -> std::borrow::Cow<'_, str> {
    let content = line.trim_start();
    match content.starts_with("::") {
        true => format!("{}\\{content}", &line[..line.len() - content.len()]).into(),
        false => line.into(),
    }
}

/// Wraps at spaces only: paths and globs stay whole so they can be copied.
pub(super) fn options(width: usize) -> textwrap::Options<'static> {
    textwrap::Options::new(width)
        .word_separator(textwrap::WordSeparator::AsciiSpace)
        .word_splitter(textwrap::WordSplitter::NoHyphenation)
        .break_words(false)
}

fn short(id: Option<&str>) -> &str {
    id.map_or("no commit", |id| &id[..id.len().min(12)])
}

fn severity_style(severity: Severity) -> Style {
    match severity {
        Severity::Error => RED,
        Severity::Warning => YELLOW,
        Severity::Note => BLUE,
    }
}

const BOLD: Style = Style::new().bold();
const DIM: Style = Style::new().dimmed();
const GREEN: Style = AnsiColor::Green.on_default();
const RED: Style = AnsiColor::Red.on_default().bold();
const YELLOW: Style = AnsiColor::Yellow.on_default().bold();
const BLUE: Style = AnsiColor::Blue.on_default();
const MAGENTA: Style = AnsiColor::Magenta.on_default();
const CYAN: Style = AnsiColor::Cyan.on_default();

struct Paint {
    color: bool,
}

impl Paint {
    fn style(&self, style: Style, text: &str) -> String {
        if self.color {
            format!("{style}{text}{style:#}")
        } else {
            text.to_owned()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::area::Area;
    use crate::report::RepositoryInfo;

    #[test]
    fn no_line_of_repository_text_reads_as_a_workflow_command() {
        let mut out = String::new();
        let text = format!(
            "Found in x.yml:3 (prod\n::error::forged). {} ::warning file=a::b",
            "word ".repeat(14)
        );
        wrap_into(&mut out, &text, "  ", "    ");
        assert!(out.contains("\\::error::forged"), "{out}");
        assert!(
            out.lines().all(|line| !line.trim_start().starts_with("::")),
            "{out}"
        );
    }

    /// An area's one judged rule is named as failing even when the baseline accepts it (and
    /// so it is not listed): the score counts it.
    #[test]
    fn a_single_baselined_failure_still_reads_as_failing() {
        let finding = Finding {
            weight: 2,
            baselined: true,
            ..Finding::example("iac.definitions", Area::Iac)
        };
        let repository = RepositoryInfo::unnamed();
        let text = text(
            &Report::new(repository, vec![finding]),
            false,
            Detail::Normal,
        );
        assert!(
            text.contains("0/100 · level 0/3 · 1 rule, failing (note)\n"),
            "{text}"
        );
        assert!(!text.contains("iac.definitions"), "{text}");
    }
}

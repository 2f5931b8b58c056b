//! `--format github`: GitHub Actions workflow commands. A handful of annotations, the most
//! severe failing findings first (a run shows only so many, and a wall of them is noise),
//! then one notice that sums the report up.

use std::fmt::Write as _;
use std::io::{self, Write};

use super::{Format, RenderOptions, Renderer};
use crate::finding::{Change, Status};
use crate::report::Report;
use crate::severity::Severity;
use crate::text::plural;

/// Annotations beyond this many are summed up in the notice instead.
const ANNOTATIONS: usize = 10;

/// The workflow commands.
pub const FORMAT: Format = Format {
    name: "github",
    about: "workflow annotations, most severe first",
    also_written: None,
    renderer: &Github,
};

struct Github;

impl Renderer for Github {
    fn render(&self, report: &Report, _: &RenderOptions, out: &mut dyn Write) -> io::Result<()> {
        out.write_all(commands(report).as_bytes())
    }
}

fn commands(report: &Report) -> String {
    let failing = report.failing_most_severe_first();
    let mut out = String::new();
    for finding in failing.iter().take(ANNOTATIONS) {
        let command = match finding.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "notice",
        };
        let mut properties = String::new();
        // (An evidence of the repository as a whole has no path: `ci.gate-holds`'s unjudged
        // rules.)
        let evidence = finding
            .evidence
            .first()
            .filter(|evidence| !evidence.path.is_empty());
        let instance = evidence.map_or(crate::instance::REPOSITORY, |evidence| &evidence.path);
        if let Some(file) = report.shown_file(finding, instance) {
            let _ = write!(properties, "file={},", property(file));
        }
        if let Some(line) = evidence.and_then(|evidence| evidence.line) {
            let _ = write!(properties, "line={line},");
        }
        let title = format!("{} ({})", finding.title, finding.rule);
        let _ = write!(properties, "title={}", property(&title));
        // Where the change broke it ("Newly failing in …") first: the message may lead with
        // files the change did not touch.
        let said = match &finding.note {
            Some(note) => format!("{note} {}", finding.message),
            None => finding.message.clone(),
        };
        let message = format!("{said}\nFix: {}", finding.remediation.trim());
        let _ = writeln!(out, "::{command} {properties}::{}", data(&message));
    }
    // A pass the change leaves lacking in a component it adds (a new service without tests)
    // does not fail the run, but is worth a notice.
    // GitHub shows so many annotations a step: the summary notice must stay among them.
    let room = ANNOTATIONS.saturating_sub(failing.len());
    for finding in report.with_change(Change::Weakened).take(room) {
        let title = format!("{} ({})", finding.title, finding.rule);
        let note = finding.note.as_deref().unwrap_or(&finding.message);
        let message = format!("{note}\nFix: {}", finding.remediation.trim());
        let _ = writeln!(
            out,
            "::notice title={}::{}",
            property(&title),
            data(&message)
        );
    }
    let score = report
        .score_shown()
        .map_or_else(|| "no score".to_owned(), |score| format!("score {score}"));
    // A pull request's failures are those it introduced; the others are counted apart, so
    // the notice agrees with the report's own count.
    let failed = match report.pull_request {
        Some(_) => {
            let all = report.count(Status::Fail) - report.baselined();
            format!(
                "{} failed by this change · {} failing before it",
                failing.len(),
                all.saturating_sub(failing.len())
            )
        }
        None => format!("{} failed", failing.len()),
    };
    let mut summary = format!(
        "opslint: {score} · {} passed · {failed}",
        report.count(Status::Pass)
    );
    for (count, label) in [
        (report.count(Status::Exempted), "exempted"),
        (report.baselined(), "accepted by the baseline"),
    ] {
        if count > 0 {
            let _ = write!(summary, " · {count} {label}");
        }
    }
    if failing.len() > ANNOTATIONS {
        let more = plural(failing.len() - ANNOTATIONS, "more failing finding");
        let _ = write!(summary, " ({more} in the full report)");
    }
    let _ = writeln!(out, "::notice title=opslint::{}", data(&summary));
    out
}

/// A workflow command's message: `%`, CR and LF escaped as GitHub escapes them; every
/// other control character (C0, DEL, C1: an escape sequence would restyle the Actions log,
/// forge a link or clear a terminal) shown as `�`, and hidden characters (bidi controls,
/// zero-width) revealed as `\u{202e}` (`text::reveal`).
fn data(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            c if c.is_control() => out.push('\u{fffd}'),
            c if crate::text::is_hidden(c) => crate::text::push_revealed(&mut out, c),
            c => out.push(c),
        }
    }
    out
}

/// A workflow command's property value (`file=`, `title=`): as a message, and `:` and `,`
/// escaped too.
fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_and_properties_are_escaped() {
        assert_eq!(data("100% done\r\nnext"), "100%25 done%0D%0Anext");
        assert_eq!(property("a: b, c"), "a%3A b%2C c");
        assert_eq!(
            data("\u{1b}]8;;x\u{7}\u{9b}31m\u{7f}\t"),
            "\u{fffd}]8;;x\u{fffd}\u{fffd}31m\u{fffd}\u{fffd}"
        );
        assert_eq!(property("ci\u{202e}.yml"), "ci\\u{202e}.yml");
    }
}

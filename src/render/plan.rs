//! `opslint plan`'s formats: human, Markdown (ready to paste as an issue) and JSON.

use std::fmt::Write as _;

use clap::ValueEnum;

use super::markdown_syntax::{code, prose_with_code};
use crate::plan::{Plan, Step};
use crate::report::Report;
use crate::text::for_terminal;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Markdown,
    Json,
}

/// The human plan's line width, as the check report's.
const WIDTH: usize = 80;

pub fn render(plan: &Plan, report: &Report, format: Format) -> String {
    match format {
        Format::Human => human(plan, report),
        Format::Markdown => markdown(plan, report),
        Format::Json => {
            let document = serde_json::json!({
                "schema_version": crate::report::SCHEMA_VERSION,
                "repository": report.repository,
                "score": report.score,
                "areas": report.areas.iter().map(|area| serde_json::json!({
                    "id": area.id, "score": area.score, "level": area.level,
                })).collect::<Vec<_>>(),
                "steps": plan.steps,
                "remaining": plan.remaining,
            });
            serde_json::to_string_pretty(&document).expect("a plan serializes") + "\n"
        }
    }
}

fn scanned(report: &Report) -> String {
    let head = report.repository.head.as_deref().unwrap_or("no commit");
    format!(
        "{} at {}",
        report.repository.path,
        &head[..head.len().min(12)]
    )
}

fn human(plan: &Plan, report: &Report) -> String {
    let mut out = format!("opslint plan · {}\n", for_terminal(&scanned(report)));
    if plan.steps.is_empty() {
        out.push_str(
            "\nNothing fails: no next step to suggest. `opslint check -v` shows every rule.\n",
        );
        return out;
    }
    for (number, step) in plan.steps.iter().enumerate() {
        let _ = writeln!(
            out,
            "\n{}. {} — {}\n   {} · level {} · effort: {}",
            number + 1,
            step.rule,
            for_terminal(&step.title),
            step.area.title(),
            step.level,
            step.effort.as_str(),
        );
        for (label, text) in fields(step) {
            let first = format!("   {label}: ");
            let wrap = super::human::options(WIDTH)
                .initial_indent(&first)
                .subsequent_indent("      ");
            let _ = writeln!(out, "{}", textwrap::fill(&for_terminal(&text), wrap));
        }
    }
    if plan.remaining > 0 {
        let _ = writeln!(
            out,
            "\n{} more after these (`--steps N` lists more).",
            plan.remaining
        );
    }
    out
}

/// A checklist to paste into an issue: each step a task with its reasons under it.
fn markdown(plan: &Plan, report: &Report) -> String {
    let mut out = "## Next steps (opslint plan)\n\n".to_owned();
    let _ = writeln!(out, "For {}.\n", code(&scanned(report)));
    if plan.steps.is_empty() {
        out.push_str("Nothing fails: no next step to suggest.\n");
        return out;
    }
    for (number, step) in plan.steps.iter().enumerate() {
        let _ = writeln!(
            out,
            "- [ ] **{}. {}** — {} · {} · level {} · effort: {}",
            number + 1,
            prose_with_code(&step.title),
            code(&step.rule),
            step.area.title(),
            step.level,
            step.effort.as_str(),
        );
        for (label, text) in fields(step) {
            let _ = writeln!(out, "  - _{label}:_ {}", prose_with_code(&text));
        }
    }
    if plan.remaining > 0 {
        let _ = writeln!(
            out,
            "\n{} more failing rules come after these.",
            plan.remaining
        );
    }
    out
}

fn fields(step: &Step) -> Vec<(&'static str, String)> {
    let mut fields = vec![
        ("Why now", step.why.clone()),
        ("First action", step.first_action.clone()),
    ];
    if !step.unlocks.is_empty() {
        fields.push(("Unlocks", step.unlocks.join("; ")));
    }
    fields.push(("Done when", step.done_when.clone()));
    fields
}

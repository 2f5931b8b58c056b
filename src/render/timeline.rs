//! `opslint timeline`'s formats: human (a sparkline per area, then the events), Markdown
//! (for a pull request or an issue), JSON, and one self-contained HTML page with a chart per
//! area and the events on a time axis.

use std::fmt::Write as _;

use clap::ValueEnum;

use super::html_escape as escape;
use super::markdown_syntax::{code, prose_with_code};
use crate::area::Area;
use crate::maturity::MAX_LEVEL;
use crate::text::for_terminal;
use crate::timeline::{ChangeKind, Event, Timeline};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Json,
    Markdown,
    Html,
}

pub fn render(timeline: &Timeline, format: Format) -> String {
    match format {
        Format::Human => human(timeline),
        Format::Json => {
            serde_json::to_string_pretty(timeline).expect("a timeline serializes") + "\n"
        }
        Format::Markdown => markdown(timeline),
        Format::Html => html(timeline),
    }
}

const SHALLOW: &str = "The clone is shallow: the timeline starts where its history does and the \
     history figures are unknown; fetch the full history (actions/checkout: fetch-depth: 0).\n\n";

const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// One character per snapshot: the score's height, `·` where the area had none.
pub(crate) fn sparkline(scores: impl Iterator<Item = Option<u32>>) -> String {
    scores
        .map(|score| match score {
            Some(score) => BARS[(score.min(100) as usize * (BARS.len() - 1) + 50) / 100],
            None => '·',
        })
        .collect()
}

/// The areas that have a score in some snapshot, with their scores and levels over time.
/// An area's row: its scores and its levels, one per snapshot.
type Row = (Area, Vec<Option<u32>>, Vec<Option<u8>>);

fn rows(timeline: &Timeline) -> Vec<Row> {
    Area::ALL
        .into_iter()
        .filter_map(|area| {
            fn at(
                snapshot: &crate::timeline::Snapshot,
                area: Area,
            ) -> Option<&crate::timeline::AreaAt> {
                snapshot.areas.iter().find(|summary| summary.id == area)
            }
            let scores: Vec<Option<u32>> = timeline
                .snapshots
                .iter()
                .map(|snapshot| at(snapshot, area).and_then(|summary| summary.score))
                .collect();
            let levels: Vec<Option<u8>> = timeline
                .snapshots
                .iter()
                .map(|snapshot| at(snapshot, area).and_then(|summary| summary.level))
                .collect();
            scores
                .iter()
                .any(Option::is_some)
                .then_some((area, scores, levels))
        })
        .collect()
}

fn span(timeline: &Timeline) -> String {
    match (timeline.snapshots.first(), timeline.snapshots.last()) {
        (Some(first), Some(last)) => format!(
            "{}, one a {}, {} to {}",
            crate::text::plural(timeline.snapshots.len(), "snapshot"),
            timeline.every.as_str(),
            first.date,
            last.date
        ),
        _ => "no snapshots: no commit in the span".to_owned(),
    }
}

fn level(level: Option<u8>) -> String {
    level.map_or_else(|| "–".to_owned(), |level| format!("{level}/{MAX_LEVEL}"))
}

fn score(score: Option<u32>) -> String {
    score.map_or_else(|| "–".to_owned(), |score| score.to_string())
}

fn event_line(event: &Event) -> String {
    let verb = event.change.as_str();
    format!(
        "{} {verb} {} — {} in {} ({}, '{}')",
        event.date,
        event.rule,
        event.title,
        event.short_commit(),
        event.author,
        event.subject
    )
}

/// How many snapshots were judged afresh, in words.
fn judged(timeline: &Timeline) -> String {
    let (judged, all) = (
        timeline.judged.min(timeline.snapshots.len()),
        timeline.snapshots.len(),
    );
    match (judged, all) {
        (1, 1) => "the one snapshot judged afresh".to_owned(),
        _ if judged == all => format!("all {all} judged afresh"),
        _ => format!("{judged} of {all} judged afresh, the others unchanged since the one before"),
    }
}

fn human(timeline: &Timeline) -> String {
    let mut out = format!(
        "opslint timeline · {}\n{}\nEvery snapshot is judged with the configuration of {} (a configuration change does not show as a practice change); {}.\n\n",
        for_terminal(&timeline.repository.path),
        span(timeline),
        &timeline.configuration_from[..12.min(timeline.configuration_from.len())],
        judged(timeline),
    );
    if timeline.shallow {
        out.push_str(SHALLOW);
    }
    let width = Area::ALL
        .iter()
        .map(|area| area.title().len())
        .max()
        .unwrap_or(0);
    for (area, scores, levels) in rows(timeline) {
        let last = scores.last().copied().flatten();
        let first = scores.first().copied().flatten();
        let _ = writeln!(
            out,
            "{:width$}  {}  {:>3} → {:>3}  level {} → {}",
            area.title(),
            sparkline(scores.iter().copied()),
            score(first),
            score(last),
            level(levels.first().copied().flatten()),
            level(levels.last().copied().flatten()),
        );
    }
    out.push_str("\nEvents\n");
    if timeline.events.is_empty() {
        out.push_str("  none: no practice was adopted or lost between snapshots\n");
    }
    for event in &timeline.events {
        let _ = writeln!(out, "  {}", for_terminal(&event_line(event)));
    }
    let signals = measured_signals(timeline);
    if !signals.is_empty() {
        out.push_str("\nCoaching signals (first period → last)\n");
        for signal in signals {
            let values: Vec<String> = signal.values.iter().map(|value| figure(*value)).collect();
            let _ = writeln!(
                out,
                "  {:22} {} → {} {}  ({})",
                signal.title,
                values.first().map_or("–", String::as_str),
                values.last().map_or("–", String::as_str),
                signal.unit,
                signal.measures
            );
        }
    }
    out
}

/// The signals measured in at least one period.
fn measured_signals(timeline: &Timeline) -> Vec<&crate::timeline::Signal> {
    timeline
        .signals
        .iter()
        .filter(|signal| signal.values.iter().any(Option::is_some))
        .collect()
}

fn figure(value: Option<f64>) -> String {
    match value {
        Some(value) if value.fract() == 0.0 => format!("{value:.0}"),
        Some(value) => format!("{value:.1}"),
        None => "–".to_owned(),
    }
}

fn markdown(timeline: &Timeline) -> String {
    let mut out = format!(
        "## opslint timeline\n\n{} · {}; every snapshot judged with the configuration of `{}`.\n\n",
        code(&timeline.repository.path),
        span(timeline),
        &timeline.configuration_from[..12.min(timeline.configuration_from.len())],
    );
    if timeline.shallow {
        out.push_str(SHALLOW);
    }
    out.push_str("| Area | Over time | Score | Level |\n|---|---|---:|---:|\n");
    for (area, scores, levels) in rows(timeline) {
        let _ = writeln!(
            out,
            "| {} | {} | {} → {} | {} → {} |",
            area.title(),
            sparkline(scores.iter().copied()),
            score(scores.first().copied().flatten()),
            score(scores.last().copied().flatten()),
            level(levels.first().copied().flatten()),
            level(levels.last().copied().flatten()),
        );
    }
    out.push_str("\n### Events\n\n");
    if timeline.events.is_empty() {
        out.push_str("No practice was adopted or lost between snapshots.\n");
    }
    for event in &timeline.events {
        let verb = match event.change {
            ChangeKind::Adopted => "adopted",
            ChangeKind::Lost => "**lost**",
        };
        let _ = writeln!(
            out,
            "- {} {verb} {} — {} in {} ({}, {})",
            event.date,
            code(&event.rule),
            prose_with_code(&event.title),
            code(event.short_commit()),
            prose_with_code(&event.author),
            code(&event.subject),
        );
    }
    let signals = measured_signals(timeline);
    if !signals.is_empty() {
        out.push_str("\n### Coaching signals\n\n| Signal | First | Last | What it measures | What it cannot see |\n|---|---:|---:|---|---|\n");
        for signal in signals {
            let _ = writeln!(
                out,
                "| {} ({}) | {} | {} | {} | {} |",
                signal.title,
                signal.unit,
                figure(signal.values.first().copied().flatten()),
                figure(signal.values.last().copied().flatten()),
                signal.measures,
                signal.cannot_see
            );
        }
    }
    out
}

/// Chart geometry: one chart per area, scores 0-100 over the snapshots.
const CHART_WIDTH: f64 = 560.0;
const CHART_HEIGHT: f64 = 90.0;

fn html(timeline: &Timeline) -> String {
    let mut out = String::from(HTML_HEAD);
    let _ = write!(
        out,
        "<h1>opslint timeline</h1><p class=\"meta\">{} · {} · judged with the configuration of <code>{}</code></p>",
        escape(&timeline.repository.path),
        escape(&span(timeline)),
        escape(&timeline.configuration_from[..12.min(timeline.configuration_from.len())]),
    );
    let count = timeline.snapshots.len();
    let x = |index: usize| -> f64 {
        if count <= 1 {
            CHART_WIDTH / 2.0
        } else {
            index as f64 * CHART_WIDTH / (count - 1) as f64
        }
    };
    let position = |date: &str| {
        timeline
            .snapshots
            .iter()
            .position(|snapshot| snapshot.date.as_str() >= date)
            .unwrap_or(count.saturating_sub(1))
    };
    out.push_str("<section class=\"charts\">");
    for (area, scores, levels) in rows(timeline) {
        let points: Vec<String> = scores
            .iter()
            .enumerate()
            .filter_map(|(index, score)| {
                score.map(|score| {
                    format!(
                        "{:.1},{:.1}",
                        x(index),
                        CHART_HEIGHT - f64::from(score) * CHART_HEIGHT / 100.0
                    )
                })
            })
            .collect();
        let _ = write!(
            out,
            "<figure class=\"chart\" data-area=\"{id}\"><figcaption>{title} <span class=\"level\">level {first} → {last}</span></figcaption>\
             <svg viewBox=\"-6 -6 {w} {h}\" role=\"img\" aria-label=\"{title} score over time\" preserveAspectRatio=\"none\">\
             <line class=\"axis\" x1=\"0\" y1=\"{base}\" x2=\"{cw}\" y2=\"{base}\"/>\
             <polyline points=\"{points}\"/>",
            id = area.id(),
            title = area.title(),
            first = level(levels.first().copied().flatten()),
            last = level(levels.last().copied().flatten()),
            w = CHART_WIDTH + 12.0,
            h = CHART_HEIGHT + 12.0,
            base = CHART_HEIGHT,
            cw = CHART_WIDTH,
            points = points.join(" "),
        );
        for event in timeline.events.iter().filter(|event| event.area == area) {
            let class = event.change.as_str();
            let _ = write!(
                out,
                "<circle class=\"{class}\" cx=\"{:.1}\" cy=\"{:.1}\" r=\"4\"><title>{}</title></circle>",
                x(position(&event.date)),
                CHART_HEIGHT / 2.0,
                escape(&event_line(event))
            );
        }
        out.push_str("</svg></figure>");
    }
    out.push_str("</section><h2>Events</h2><ol class=\"events\">");
    if timeline.events.is_empty() {
        out.push_str("<li>No practice was adopted or lost between snapshots.</li>");
    }
    for event in &timeline.events {
        let class = event.change.as_str();
        let _ = write!(
            out,
            "<li class=\"{class}\"><time>{}</time> <b>{class}</b> <code>{}</code> {} <span class=\"commit\"><code>{}</code> {} · {}</span></li>",
            escape(&event.date),
            escape(&event.rule),
            escape(&event.title),
            escape(event.short_commit()),
            escape(&event.author),
            escape(&event.subject),
        );
    }
    out.push_str("</ol><h2>Coaching signals</h2><table><thead><tr><th>Signal</th>");
    for snapshot in &timeline.snapshots {
        let _ = write!(out, "<th>{}</th>", escape(&snapshot.date));
    }
    out.push_str("</tr></thead><tbody>");
    for signal in &timeline.signals {
        let _ = write!(
            out,
            "<tr><th title=\"{} — not seen: {}\">{} <small>({})</small></th>",
            escape(signal.measures),
            escape(signal.cannot_see),
            signal.title,
            signal.unit
        );
        for value in &signal.values {
            let _ = write!(out, "<td>{}</td>", figure(*value));
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table></body></html>\n");
    out
}

const HTML_HEAD: &str = r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>opslint · timeline</title>
<style>
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1f2430; background: #f7f8fa; margin: 0; padding: 24px 32px; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 16px; margin: 24px 0 8px; }
.meta { color: #6b7280; overflow-wrap: anywhere; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(320px, 1fr)); gap: 12px; }
.chart { margin: 0; background: #fff; border: 1px solid #e5e7eb; border-radius: 6px; padding: 8px 10px; min-width: 0; }
.chart figcaption { font-weight: 600; } .level { color: #6b7280; font-weight: 400; }
.chart svg { width: 100%; height: 90px; display: block; }
.chart polyline { fill: none; stroke: #2563eb; stroke-width: 2; vector-effect: non-scaling-stroke; }
.chart .axis { stroke: #e5e7eb; vector-effect: non-scaling-stroke; }
circle.adopted { fill: #16a34a; } circle.lost { fill: #dc2626; }
.events { list-style: none; padding: 0; border-left: 2px solid #e5e7eb; }
.events li { padding: 4px 10px; overflow-wrap: anywhere; }
.events li.lost b { color: #dc2626; } .events li.adopted b { color: #16a34a; }
.events .commit { color: #6b7280; }
table { border-collapse: collapse; background: #fff; display: block; overflow-x: auto; max-width: 100%; }
th, td { border: 1px solid #e5e7eb; padding: 3px 6px; text-align: right; white-space: nowrap; } thead th, tbody th { text-align: left; }
</style></head><body>
"#;

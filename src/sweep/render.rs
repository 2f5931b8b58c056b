//! `opslint report`: the organisation's picture as Markdown (for docs), CSV (one row per
//! repository × area, for spreadsheets) or one self-contained HTML page.

use std::fmt::Write as _;

use super::fleet::{self, Fleet, Repository};
use crate::area::Area;

/// How many weakest practices and moving repositories are shown.
const SHOWN: usize = 10;

pub fn markdown(fleet: &Fleet, by_owner: bool) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# opslint · organisation report\n");
    let _ = writeln!(out, "{}\n", cell(&overview(fleet)));
    let _ = writeln!(out, "{}\n", provenance(fleet, generated_at()));
    let _ = writeln!(out, "## Weakest practices\n");
    let _ = writeln!(
        out,
        "| Practice | Area | Repositories failing |\n|---|---|---:|"
    );
    for weakness in fleet.weakest().iter().take(SHOWN) {
        let _ = writeln!(
            out,
            "| {} ({}) | {} | {} % ({} of {}) |",
            cell(&weakness.title),
            code(&weakness.rule),
            weakness.area.title(),
            weakness.percent(),
            weakness.failing,
            weakness.applicable
        );
    }
    let areas = fleet.areas();
    let _ = writeln!(out, "\n## Areas\n");
    let _ = writeln!(
        out,
        "| Area | Median | 0–24 | 25–49 | 50–74 | 75–100 | n/a |\n|---|---:|---:|---:|---:|---:|---:|"
    );
    for area in &areas {
        let (spread, none) = spread(&fleet.repositories, *area);
        let median = fleet::median(scores(&fleet.repositories, *area));
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {none} |",
            area.title(),
            median.map_or_else(|| "n/a".to_owned(), |median| median.to_string()),
            spread[0],
            spread[1],
            spread[2],
            spread[3]
        );
    }
    let groups: Vec<(String, Vec<&Repository>)> = if by_owner {
        fleet.by_owner().into_iter().collect()
    } else {
        vec![(String::new(), fleet.repositories.iter().collect())]
    };
    for (owner, repositories) in groups {
        let heading = if owner.is_empty() {
            "Repositories".to_owned()
        } else {
            format!("Owner {}", code(&owner))
        };
        let _ = writeln!(out, "\n## {heading} ({})\n", repositories.len());
        let _ = write!(out, "| Repository | Score | Own config |");
        for area in &areas {
            let _ = write!(out, " {} |", area.id());
        }
        let _ = write!(out, "\n|---|---:|---:|");
        out.push_str(&"---:|".repeat(areas.len()));
        out.push('\n');
        for repository in repositories {
            let _ = write!(
                out,
                "| {} | {} | {} |",
                code(&repository.name),
                score(repository.score),
                own_config(repository)
            );
            for area in &areas {
                let value = repository.areas.get(area).and_then(|area| area.score);
                let _ = write!(out, " {} |", score(value));
            }
            out.push('\n');
        }
    }
    let changed = changed_their_bar(fleet);
    if !changed.is_empty() {
        let _ = writeln!(
            out,
            "\n## Repositories that changed their own bar ({})\n",
            changed.len()
        );
        let _ = writeln!(
            out,
            "What each repository's own `.opslint.toml` changed of the organisation's settings; \
             a change the organisation's `[lock]` forbids is refused and not applied.\n"
        );
        let _ = writeln!(out, "| Repository | Change |\n|---|---|");
        for repository in changed {
            for change in &repository.overrides {
                let _ = writeln!(
                    out,
                    "| {} | {} |",
                    code(&repository.name),
                    cell(&change.describe())
                );
            }
        }
    }
    let movers = fleet.movers();
    if !movers.is_empty() {
        let _ = writeln!(out, "\n## Signals that moved most\n");
        let _ = writeln!(out, "{}\n", movers_legend(fleet));
        let _ = writeln!(
            out,
            "| Repository | Improving − worsening | Figures |\n|---|---:|---|"
        );
        let shown = movers.iter().take(SHOWN / 2).chain(
            movers
                .iter()
                .rev()
                .take(SHOWN / 2)
                .filter(|(_, net)| *net < 0)
                .collect::<Vec<_>>()
                .into_iter()
                .rev(),
        );
        let mut seen = std::collections::HashSet::new();
        for (repository, net) in shown {
            if !seen.insert(&repository.name) {
                continue;
            }
            let _ = writeln!(
                out,
                "| {} | {net:+} | {} |",
                code(&repository.name),
                figures(repository)
            );
        }
    }
    if !fleet.failures.is_empty() {
        let _ = writeln!(
            out,
            "\n## Could not be scanned ({})\n",
            fleet.failures.len()
        );
        let _ = writeln!(out, "| Repository | Error |\n|---|---|");
        for failure in &fleet.failures {
            let _ = writeln!(
                out,
                "| {} | {}: {} |",
                code(&failure.name),
                code(&failure.code),
                cell(&failure.message)
            );
        }
    }
    out
}

/// One row per repository × area: `repository,owners,area,score,passed,failed`; a
/// repository that could not be scanned gets one row with its error instead of an area.
pub fn csv(fleet: &Fleet) -> String {
    let mut out = String::from("repository,owners,area,score,passed,failed,overrides,error\n");
    for repository in &fleet.repositories {
        for (area, counts) in &repository.areas {
            let _ = writeln!(
                out,
                "{},{},{},{},{},{},{},",
                csv_field(&repository.name),
                csv_field(&repository.owners.join(" ")),
                area.id(),
                counts
                    .score
                    .map_or_else(String::new, |score| score.to_string()),
                counts.passed,
                counts.failed,
                repository.overrides.len()
            );
        }
    }
    for failure in &fleet.failures {
        let _ = writeln!(
            out,
            "{},,,,,,,{}",
            csv_field(&failure.name),
            csv_field(&format!("{}: {}", failure.code, failure.message))
        );
    }
    out
}

/// A self-contained page: no network, no external assets.
pub fn html(fleet: &Fleet, by_owner: bool) -> String {
    let areas = fleet.areas();
    let mut out = String::new();
    out.push_str(HTML_HEAD);
    let _ = writeln!(out, "<h1>opslint · organisation report</h1>");
    let _ = writeln!(
        out,
        "<p class=\"overview\">{}</p>\n<p class=\"meta\">{}</p>",
        escape(&overview(fleet)),
        escape(&provenance(fleet, generated_at()))
    );

    out.push_str("<section class=\"cards\">\n<div class=\"card\"><h2>Weakest practices</h2><ol class=\"weak\">\n");
    for weakness in fleet.weakest().iter().take(SHOWN) {
        let _ = writeln!(
            out,
            "<li><div class=\"bar\"><span style=\"width:{pct}%\"></span></div><b>{pct} %</b> of repositories ({} of {}) fail <i>{}</i> <code>{}</code></li>",
            weakness.failing,
            weakness.applicable,
            escape(&weakness.title),
            escape(&weakness.rule),
            pct = weakness.percent(),
        );
    }
    out.push_str("</ol></div>\n<div class=\"card\"><h2>Areas</h2><table class=\"spread\"><tr><th>Area</th><th>Median</th><th>Spread (0–24 · 25–49 · 50–74 · 75–100)</th></tr>\n");
    for area in &areas {
        let (spread, none) = spread(&fleet.repositories, *area);
        let total: usize = spread.iter().sum::<usize>().max(1);
        let median = fleet::median(scores(&fleet.repositories, *area));
        let _ = write!(
            out,
            "<tr><td>{}</td><td class=\"num\">{}</td><td><div class=\"stack\" title=\"{} n/a\">",
            area.title(),
            median.map_or_else(|| "n/a".to_owned(), |median| median.to_string()),
            none
        );
        for (index, count) in spread.iter().enumerate() {
            if *count > 0 {
                let _ = write!(
                    out,
                    "<span class=\"b{index}\" style=\"flex:{count}\" title=\"{count} repositories\">{}</span>",
                    if count * 100 / total >= 8 {
                        count.to_string()
                    } else {
                        String::new()
                    }
                );
            }
        }
        out.push_str("</div></td></tr>\n");
    }
    out.push_str("</table></div>\n");
    let movers = fleet.movers();
    if !movers.is_empty() {
        out.push_str("<div class=\"card\"><h2>Signals that moved</h2><div class=\"movers\"><div><h3>Improved most</h3><ul>\n");
        let improved: Vec<_> = movers
            .iter()
            .filter(|(_, net)| *net > 0)
            .take(SHOWN / 2)
            .collect();
        let worsened: Vec<_> = movers
            .iter()
            .rev()
            .filter(|(_, net)| *net < 0)
            .take(SHOWN / 2)
            .collect();
        for (list, class) in [(improved, "up"), (worsened, "down")] {
            if list.is_empty() {
                out.push_str("<li class=\"none\">none</li>\n");
            }
            for (repository, net) in list {
                let _ = writeln!(
                    out,
                    "<li title=\"{}\"><span class=\"{class}\">{net:+}</span> {}</li>",
                    escape(&figures(repository)),
                    escape(&repository.name)
                );
            }
            if class == "up" {
                out.push_str("</ul></div><div><h3>Worsened most</h3><ul>\n");
            }
        }
        let _ = writeln!(
            out,
            "</ul></div></div><p class=\"legend\">{}</p></div>",
            escape(&movers_legend(fleet))
        );
    }
    out.push_str("</section>\n");

    let _ = writeln!(
        out,
        "<h2>Repositories × areas</h2>\n<p class=\"hint\">Click a column to sort, a repository to see what it fails.</p>\n<input id=\"filter\" placeholder=\"Filter by name or owner…\" autocomplete=\"off\">"
    );
    out.push_str("<div class=\"heat-wrap\"><table id=\"heat\"><thead><tr><th data-kind=\"text\" class=\"name\">Repository</th><th data-kind=\"text\" class=\"owner\">Owner</th><th data-kind=\"num\">Score</th><th data-kind=\"num\" title=\"What the repository's own config changed of the organisation's\">Own config</th>");
    for area in &areas {
        let _ = write!(
            out,
            "<th data-kind=\"num\" class=\"area\" title=\"{}\">{}</th>",
            area.title(),
            area.id()
        );
    }
    out.push_str("</tr></thead>\n");
    let groups: Vec<(String, Vec<&Repository>)> = if by_owner {
        fleet.by_owner().into_iter().collect()
    } else {
        vec![(String::new(), fleet.repositories.iter().collect())]
    };
    for (owner, repositories) in groups {
        out.push_str("<tbody>");
        if !owner.is_empty() {
            let _ = write!(
                out,
                "<tr class=\"group\"><th colspan=\"{}\">{} · {}</th></tr>",
                areas.len() + 4,
                escape(&owner),
                count(repositories.len(), "repository", "repositories")
            );
        }
        for repository in repositories {
            let (name, owners) = (
                escape(&repository.name),
                escape(&repository.owners.join(" ")),
            );
            let _ = write!(
                out,
                "<tr class=\"repo\"><td class=\"name\"><div title=\"{name}\">{name}</div></td><td class=\"owner\"><div title=\"{owners}\">{owners}</div></td>{}<td class=\"num\" data-v=\"{}\">{}</td>",
                heat_cell(repository.score),
                repository.overrides.len(),
                escape(&own_config(repository))
            );
            for area in &areas {
                out.push_str(&heat_cell(
                    repository.areas.get(area).and_then(|area| area.score),
                ));
            }
            out.push_str("</tr>");
            let _ = write!(
                out,
                "<tr class=\"detail\" hidden><td colspan=\"{}\">",
                areas.len() + 4
            );
            if repository.failing.is_empty() {
                out.push_str("Nothing fails.");
            } else {
                out.push_str("<ul>");
                for (rule, severity, message) in &repository.failing {
                    let _ = write!(
                        out,
                        "<li><span class=\"sev {severity}\">{severity}</span> <code>{}</code> {}</li>",
                        escape(rule),
                        escape(message)
                    );
                }
                out.push_str("</ul>");
            }
            out.push_str("</td></tr>\n");
        }
        out.push_str("</tbody>\n");
    }
    out.push_str("</table></div>\n");
    let changed = changed_their_bar(fleet);
    if !changed.is_empty() {
        let _ = writeln!(
            out,
            "<h2>Repositories that changed their own bar ({})</h2>\n<p class=\"hint\">What each repository's own <code>.opslint.toml</code> changed of the organisation's settings; a change the organisation's <code>[lock]</code> forbids is refused and not applied.</p><ul class=\"overrides\">",
            changed.len()
        );
        for repository in changed {
            let _ = write!(out, "<li><b>{}</b><ul>", escape(&repository.name));
            for change in &repository.overrides {
                let _ = write!(out, "<li>{}</li>", escape(&change.describe()));
            }
            out.push_str("</ul></li>\n");
        }
        out.push_str("</ul>\n");
    }
    if !fleet.failures.is_empty() {
        let _ = writeln!(
            out,
            "<h2>Could not be scanned ({})</h2><ul class=\"failures\">",
            fleet.failures.len()
        );
        for failure in &fleet.failures {
            let _ = writeln!(
                out,
                "<li><b>{}</b> <code>{}</code> {}</li>",
                escape(&failure.name),
                escape(&failure.code),
                escape(&failure.message)
            );
        }
        out.push_str("</ul>\n");
    }
    out.push_str(HTML_TAIL);
    out
}

fn overview(fleet: &Fleet) -> String {
    let median = fleet::median(
        fleet
            .repositories
            .iter()
            .filter_map(|repository| repository.score),
    );
    let mut text = format!(
        "{} scanned, median score {}",
        count(fleet.repositories.len(), "repository", "repositories"),
        median.map_or_else(|| "n/a".to_owned(), |median| format!("{median}/100")),
    );
    let own_rules = fleet.with_own_rules_left_out();
    if own_rules > 0 {
        let _ = write!(
            text,
            " · scores count the built-in and the organisation's rules only: custom rules \
             from a repository's own config are left out ({}, whose own reports count \
             them)",
            count(own_rules, "repository", "repositories")
        );
    }
    if !fleet.failures.is_empty() {
        let _ = write!(text, " · {} could not be scanned", fleet.failures.len());
    }
    if !fleet.corrupt.is_empty() {
        let _ = write!(
            text,
            " · {} skipped (not sweep lines: {})",
            count(fleet.corrupt.len(), "damaged line", "damaged lines"),
            fleet.corrupt.join(", ")
        );
    }
    text
}

/// When the report was generated: `SOURCE_DATE_EPOCH` when set (the reproducible-builds
/// convention, so that a report can be made again byte for byte), else the clock.
fn generated_at() -> i64 {
    std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|seconds| seconds.trim().parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |since| since.as_secs() as i64)
        })
}

/// Where the page comes from: when and by which opslint it was made, what it was made
/// from, and over which history window the repositories were measured.
fn provenance(fleet: &Fleet, generated_at: i64) -> String {
    let date = gix::date::Time::new(generated_at, 0)
        .format(gix::date::time::format::ISO8601)
        .map_or_else(
            |_| generated_at.to_string(),
            |date| format!("{} UTC", date.get(..16).unwrap_or(&date)),
        );
    let version = env!("CARGO_PKG_VERSION");
    let mut text = format!("Generated {date} by opslint {version}");
    let swept_by: Vec<&str> = fleet.versions.iter().map(String::as_str).collect();
    if !swept_by.is_empty() && swept_by != [version] {
        let _ = write!(text, ", swept by opslint {}", swept_by.join(", "));
    }
    let _ = write!(
        text,
        " · {} from {}",
        count(
            fleet.repositories.len() + fleet.failures.len(),
            "repository",
            "repositories"
        ),
        count(fleet.files, "sweep file", "sweep files (shards merged)")
    );
    let windows: Vec<String> = match fleet.windows.len() {
        0 => Vec::new(),
        1 => fleet.windows.keys().cloned().collect(),
        _ => fleet
            .windows
            .iter()
            .map(|(window, repositories)| format!("{window} ({repositories})"))
            .collect(),
    };
    if !windows.is_empty() {
        let _ = write!(text, " · history window: {}", windows.join(", "));
    }
    text
}

/// What the numbers of "Signals that moved" count.
fn movers_legend(fleet: &Fleet) -> String {
    let days: Vec<&str> = fleet
        .windows
        .keys()
        .map(String::as_str)
        .filter(|window| window.ends_with("days") || window.ends_with("day"))
        .collect();
    let over = match days.as_slice() {
        [window] => format!("its last {window} against the {window} before"),
        _ => "its history window against the window before it".to_owned(),
    };
    format!(
        "+N / −N: how many of a repository's history figures improved minus how many worsened, \
         {over} (a change within 10 % is steady); ↑ improved, ↓ worsened."
    )
}

/// A repository's moving figures: `flow.median_lines_per_commit ↓, dora.releases_per_month ↑`.
fn figures(repository: &Repository) -> String {
    repository
        .trends
        .iter()
        .map(|(id, trend)| format!("{id} {}", if trend == "improving" { "↑" } else { "↓" }))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The repositories whose own config changed the organisation's settings, by name.
fn changed_their_bar(fleet: &Fleet) -> Vec<&Repository> {
    fleet
        .repositories
        .iter()
        .filter(|repository| !repository.overrides.is_empty())
        .collect()
}

/// How many changes a repository's own config made: "3", "3 (1 refused)", "0".
fn own_config(repository: &Repository) -> String {
    let refused = repository
        .overrides
        .iter()
        .filter(|change| change.refused)
        .count();
    if refused > 0 {
        format!("{} ({refused} refused)", repository.overrides.len())
    } else {
        repository.overrides.len().to_string()
    }
}

fn count(count: usize, one: &str, many: &str) -> String {
    format!("{count} {}", if count == 1 { one } else { many })
}

fn scores(repositories: &[Repository], area: Area) -> impl Iterator<Item = u32> + '_ {
    repositories
        .iter()
        .filter_map(move |repository| repository.areas.get(&area).and_then(|area| area.score))
}

/// How many repositories score in each quarter of an area, and how many have no score.
fn spread(repositories: &[Repository], area: Area) -> ([usize; 4], usize) {
    let mut spread = [0; 4];
    let mut none = 0;
    for repository in repositories {
        match repository.areas.get(&area).and_then(|area| area.score) {
            Some(score) => spread[fleet::bucket(score)] += 1,
            None => none += 1,
        }
    }
    (spread, none)
}

fn score(score: Option<u32>) -> String {
    score.map_or_else(|| "–".to_owned(), |score| score.to_string())
}

/// A heat-map cell: red through amber to green with the score; grey without one.
fn heat_cell(score: Option<u32>) -> String {
    match score {
        Some(score) => format!(
            "<td class=\"num\" data-v=\"{score}\" style=\"background:hsl({},62%,{}%)\">{score}</td>",
            score * 120 / 100,
            88 - score / 10
        ),
        None => "<td class=\"num na\" data-v=\"-1\">–</td>".to_owned(),
    }
}

/// Prose for a Markdown table cell or heading (a custom rule's title, an error message):
/// no pipes or line breaks, no HTML, links, emphasis or code, and no @mention that would
/// notify someone where the report is posted.
fn cell(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut previous = None;
    for c in text.chars() {
        crate::text::push_markdown_prose(&mut out, previous, c);
        previous = Some(c);
    }
    out
}

/// A name (a repository's, an owner's, a rule id) as a code span for a Markdown table cell
/// or heading: a repository chooses its name and its CODEOWNERS, and in a code span nothing
/// is HTML, a link or an @mention. Line breaks become spaces, pipes are escaped (GitHub
/// takes `\|` as a pipe inside a table's code span), and the fence is longer than any run
/// of backticks in the text.
fn code(text: &str) -> String {
    let mut spaced = String::with_capacity(text.len());
    for c in text.chars() {
        crate::text::push_markdown_code(&mut spaced, c);
    }
    let text = spaced.replace('|', "\\|");
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{text}{pad}{fence}")
}

/// A CSV field, quoted when it must be (RFC 4180). A field a spreadsheet would take for a
/// formula (starting with `=`, `+`, `-`, `@`, a tab or a carriage return: a repository name
/// or a CODEOWNERS line is the repository's to choose) is prefixed with `'`, as OWASP
/// recommends; quoting alone does not stop a spreadsheet from evaluating it.
fn csv_field(text: &str) -> String {
    let neutralised;
    let text = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        neutralised = format!("'{text}");
        neutralised.as_str()
    } else {
        text
    };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

/// Text for HTML, hidden characters revealed (`text::reveal`).
fn escape(text: &str) -> String {
    crate::text::reveal(text)
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

const HTML_HEAD: &str = r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>opslint · organisation report</title>
<style>
:root { --ink:#1f2430; --muted:#6b7280; --line:#e5e7eb; --bg:#f7f8fa; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink); background: var(--bg); margin: 0; padding: 24px 32px; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 16px; margin: 24px 0 8px; }
h3 { font-size: 13px; margin: 4px 0; color: var(--muted); font-weight: 600; }
.overview, .hint, .meta, .legend { color: var(--muted); margin: 0 0 12px; }
.overview { margin-bottom: 2px; } .meta, .legend { font-size: 12px; } .legend { margin: 10px 0 0; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(340px, 1fr)); gap: 16px; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 10px; padding: 12px 16px; min-width: 0; overflow-wrap: break-word; }
.card h2 { margin-top: 4px; }
ol.weak { margin: 0; padding-left: 20px; }
ol.weak li { margin: 6px 0; }
.bar { display: inline-block; width: 70px; height: 8px; background: #fde2e2; border-radius: 4px; margin-right: 8px; vertical-align: middle; overflow: hidden; }
.bar span { display: block; height: 100%; background: #dc2626; }
table { border-collapse: collapse; }
.spread { width: 100%; }
.spread td, .spread th { padding: 4px 6px; text-align: left; border-bottom: 1px solid var(--line); }
.stack { display: flex; height: 16px; border-radius: 4px; overflow: hidden; font-size: 11px; color: #fff; min-width: 160px; }
.stack span { display: flex; align-items: center; justify-content: center; }
.b0 { background: #dc2626; } .b1 { background: #f59e0b; } .b2 { background: #84cc16; } .b3 { background: #16a34a; }
.movers { display: flex; gap: 24px; } .movers > div { flex: 1 1 0; min-width: 0; } .movers ul { list-style: none; padding: 0; margin: 0; }
.none { color: var(--muted); } .up { color: #16a34a; font-weight: 700; } .down { color: #dc2626; font-weight: 700; }
#filter { padding: 6px 10px; width: 320px; border: 1px solid var(--line); border-radius: 6px; margin-bottom: 8px; }
.heat-wrap { width: fit-content; max-width: 100%; max-height: 85vh; overflow: auto; background: #fff; border: 1px solid var(--line); border-radius: 10px; }
#heat { background: #fff; border-collapse: separate; border-spacing: 0; }
#heat th, #heat td { padding: 5px 9px; border-bottom: 1px solid var(--line); white-space: nowrap; }
#heat thead th { position: sticky; top: 0; z-index: 2; background: #fff; cursor: pointer; text-align: left; user-select: none; }
#heat .name { position: sticky; left: 0; z-index: 1; background: #fff; border-right: 1px solid var(--line); }
#heat thead th.name { z-index: 3; }
#heat td.name div { max-width: 28ch; overflow: hidden; text-overflow: ellipsis; }
#heat td.owner div { max-width: 16ch; overflow: hidden; text-overflow: ellipsis; }
#heat thead th:hover { background: #f3f4f6; }
#heat td.num { text-align: center; font-variant-numeric: tabular-nums; min-width: 40px; padding: 5px 6px; }
#heat thead th.area { padding: 5px 6px; font-size: 13px; }
#heat td.na { color: var(--muted); background: #f3f4f6; }
#heat tr.repo { cursor: pointer; } #heat tr.repo:hover td:first-child div { text-decoration: underline; }
#heat tr.group th { text-align: left; background: #eef2ff; }
#heat tr.detail td { background: #fafafa; white-space: normal; }
#heat tr.detail ul { margin: 4px 0; padding-left: 18px; }
.sev { font-size: 11px; padding: 1px 6px; border-radius: 8px; color: #fff; }
.sev.error { background: #dc2626; } .sev.warning { background: #d97706; } .sev.note { background: #2563eb; }
code { font: 12px ui-monospace, SFMono-Regular, Menlo, monospace; }
</style></head><body>
"#;

const HTML_TAIL: &str = r#"<script>
(function () {
  var table = document.getElementById('heat');
  table.addEventListener('click', function (event) {
    var row = event.target.closest('tr.repo');
    if (row && row.nextElementSibling) { row.nextElementSibling.hidden = !row.nextElementSibling.hidden; }
  });
  table.querySelectorAll('thead th').forEach(function (th, column) {
    var descending = false;
    th.addEventListener('click', function () {
      descending = !descending;
      var numeric = th.dataset.kind === 'num';
      table.querySelectorAll('tbody').forEach(function (body) {
        var pairs = [];
        body.querySelectorAll('tr.repo').forEach(function (row) { pairs.push([row, row.nextElementSibling]); });
        pairs.sort(function (a, b) {
          var x = a[0].cells[column], y = b[0].cells[column];
          var order = numeric ? (+x.dataset.v) - (+y.dataset.v) : x.textContent.localeCompare(y.textContent);
          return descending ? -order : order;
        });
        pairs.forEach(function (pair) { body.appendChild(pair[0]); body.appendChild(pair[1]); });
      });
    });
  });
  document.getElementById('filter').addEventListener('input', function (event) {
    var wanted = event.target.value.toLowerCase();
    table.querySelectorAll('tr.repo').forEach(function (row) {
      var text = (row.cells[0].textContent + ' ' + row.cells[1].textContent).toLowerCase();
      row.hidden = wanted !== '' && text.indexOf(wanted) < 0;
      if (row.hidden) { row.nextElementSibling.hidden = true; }
    });
  });
})();
</script>
</body></html>
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_a_spreadsheet_would_evaluate_are_neutralised() {
        assert_eq!(csv_field("=1+1"), "'=1+1");
        assert_eq!(csv_field("+1"), "'+1");
        assert_eq!(csv_field("-1"), "'-1");
        assert_eq!(csv_field("@team"), "'@team");
        assert_eq!(csv_field("\tx"), "'\tx");
        assert_eq!(csv_field("\rx"), "\"'\rx\"");
        assert_eq!(csv_field("=a,b"), "\"'=a,b\"");
        assert_eq!(csv_field("team-a/app"), "team-a/app");
    }

    #[test]
    fn the_page_says_when_from_what_and_over_which_window() {
        let mut fleet = Fleet {
            files: 3,
            ..Fleet::default()
        };
        fleet.windows.insert("90 days".to_owned(), 11);
        fleet.versions.insert(env!("CARGO_PKG_VERSION").to_owned());
        let version = env!("CARGO_PKG_VERSION");
        assert_eq!(
            provenance(&fleet, 1_764_606_600),
            format!(
                "Generated 2025-12-01 16:30 UTC by opslint {version} · 0 repositories from 3 \
                 sweep files (shards merged) · history window: 90 days"
            )
        );
        assert!(movers_legend(&fleet).contains("its last 90 days against the 90 days before"));
        fleet.windows.insert("no history".to_owned(), 2);
        fleet.versions.insert("0.0.9".to_owned());
        let mixed = provenance(&fleet, 0);
        assert!(mixed.contains("swept by opslint 0.0.9, "), "{mixed}");
        assert!(
            mixed.ends_with("history window: 90 days (11), no history (2)"),
            "{mixed}"
        );
    }
}

//! `opslint report --format html`: the organisation's picture as one self-contained page.

use crate::render::html_escape as escape;
use std::fmt::Write as _;
use std::io::{self, Write};

use super::{
    Format, Options, Renderer, SHOWN, changed_their_bar, count, figures, generated_at,
    movers_legend, overview, own_config, provenance, scores, spread,
};
use crate::sweep::fleet::{self, Fleet, Repository};

/// The HTML page.
pub const FORMAT: Format = Format {
    name: "html",
    about: "one self-contained page",
    renderer: &Html,
};

struct Html;

impl Renderer for Html {
    fn render(&self, fleet: &Fleet, options: &Options, out: &mut dyn Write) -> io::Result<()> {
        out.write_all(page(fleet, options.by_owner).as_bytes())
    }
}

/// A self-contained page: no network, no external assets.
fn page(fleet: &Fleet, by_owner: bool) -> String {
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
    // A section of their own: four cards in one row would squeeze the areas' table.
    out.push_str("<section class=\"cards\">\n");
    plan_cards(&mut out, fleet);
    over_time(&mut out, fleet);
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

/// A heat-map cell: red through amber to green with the score; grey without one.
/// Cards for the maturity levels per area and the organisation's plan: the steps next for
/// the most repositories and each owning team's first step.
fn plan_cards(out: &mut String, fleet: &Fleet) {
    let levels = fleet.levels();
    if !levels.is_empty() {
        out.push_str("<div class=\"card\"><h2>Maturity levels</h2><table class=\"spread\"><tr><th>Area</th><th>0</th><th>1</th><th>2</th><th>3</th></tr>\n");
        for (area, counts) in levels {
            let _ = write!(out, "<tr><td>{}</td>", area.title());
            for count in counts {
                let _ = write!(out, "<td class=\"num\">{count}</td>");
            }
            out.push_str("</tr>\n");
        }
        out.push_str("</table><p class=\"legend\">Repositories per level reached: every rule of that level and below that applies passes.</p></div>\n");
    }
    let next = fleet.next_steps();
    if next.is_empty() {
        return;
    }
    let _ = write!(
        out,
        "<div class=\"card\"><h2>The organisation's plan</h2><p class=\"legend\">Steps among the first {} of <code>opslint plan</code> for the most repositories.</p><ol class=\"weak\">",
        crate::sweep::fleet::PLAN_STEPS
    );
    for (rule, count) in next.iter().take(SHOWN) {
        let title = fleet
            .rules
            .get(rule)
            .map_or("", |(_, title)| title.as_str());
        let _ = write!(
            out,
            "<li>{} <code>{}</code> <span class=\"legend\">{count} repositories</span></li>",
            escape(title),
            escape(rule)
        );
    }
    out.push_str("</ol>");
    let teams = fleet.first_step_by_owner();
    if !teams.is_empty() {
        out.push_str("<h3>Each owning team's first step</h3><ul class=\"teams\">");
        for (owner, rule, count, of) in teams {
            let _ = write!(
                out,
                "<li><code>{}</code>: <code>{}</code> ({count} of {of})</li>",
                escape(&owner),
                escape(&rule)
            );
        }
        out.push_str("</ul>");
    }
    out.push_str("</div>\n");
}

/// With timelines: a card of adoption curves, one of the areas whose level moved, one of
/// the latest adoptions and losses.
fn over_time(out: &mut String, fleet: &Fleet) {
    let timelines = fleet.with_timelines();
    if timelines.is_empty() {
        return;
    }
    let curves = fleet.adoption();
    let _ = write!(
        out,
        "<div class=\"card\"><h2>Adoption over time</h2><p class=\"legend\">Per month, the share of the {} of {} repositories with a timeline that had each practice.</p><table class=\"spread\"><tr><th>Practice</th><th>By month</th><th>First → last</th></tr>",
        timelines.len(),
        fleet.repositories.len()
    );
    for curve in curves.iter().take(SHOWN) {
        let shares = curve.shares();
        let known: Vec<u32> = shares.iter().flatten().copied().collect();
        let _ = write!(
            out,
            "<tr><td><code>{}</code></td><td class=\"spark\">{}</td><td class=\"num\">{} % → {} %</td></tr>",
            escape(&curve.rule),
            crate::render::timeline::sparkline(shares.into_iter()),
            known.first().copied().unwrap_or(0),
            known.last().copied().unwrap_or(0)
        );
    }
    out.push_str("</table>");
    let moves = fleet.level_moves();
    if !moves.is_empty() {
        out.push_str("<h3>Areas whose level moved</h3><ul class=\"teams\">");
        for (area, rose, fell) in moves {
            let _ = write!(
                out,
                "<li>{}: rose in {rose}, fell in {fell}</li>",
                area.title()
            );
        }
        out.push_str("</ul>");
    }
    out.push_str("</div>\n<div class=\"card\"><h2>Adopted and lost</h2><ul class=\"teams\">");
    let events = fleet.timeline_events();
    if events.is_empty() {
        out.push_str("<li>No practice was adopted or lost.</li>");
    }
    for (repository, rule, change, date) in events.iter().take(SHOWN * 2) {
        let _ = write!(
            out,
            "<li>{} <b>{}</b> <code>{}</code> in {}</li>",
            escape(date),
            escape(change),
            escape(rule),
            escape(repository)
        );
    }
    out.push_str("</ul></div>\n");
}

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
.cards + .cards { margin-top: 16px; }
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

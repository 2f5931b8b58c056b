//! `opslint report --format markdown`: the organisation's picture for docs.

use std::fmt::Write as _;
use std::io::{self, Write};

use super::{
    Format, Options, Renderer, SHOWN, changed_their_bar, figures, generated_at, movers_legend,
    overview, own_config, provenance, scores, spread,
};
use crate::render::markdown_syntax::{Column, code, prose, table_header, table_row};
use crate::sweep::fleet::{self, Fleet, Repository};

/// The Markdown page.
pub const FORMAT: Format = Format {
    name: "markdown",
    about: "for docs",
    renderer: &Markdown,
};

struct Markdown;

impl Renderer for Markdown {
    fn render(&self, fleet: &Fleet, options: &Options, out: &mut dyn Write) -> io::Result<()> {
        out.write_all(page(fleet, options.by_owner).as_bytes())
    }
}

fn page(fleet: &Fleet, by_owner: bool) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# opslint · organisation report\n");
    let _ = writeln!(out, "{}\n", prose(&overview(fleet)));
    let _ = writeln!(out, "{}\n", provenance(fleet, generated_at()));
    let _ = writeln!(out, "## Weakest practices\n");
    table_header(
        &mut out,
        &[
            Column::text("Practice"),
            Column::text("Area"),
            Column::number("Repositories failing"),
        ],
    );
    for weakness in fleet.weakest().iter().take(SHOWN) {
        table_row(
            &mut out,
            &[
                format!("{} ({})", prose(&weakness.title), code(&weakness.rule)),
                weakness.area.title().to_owned(),
                format!(
                    "{} % ({} of {})",
                    weakness.percent(),
                    weakness.failing,
                    weakness.applicable
                ),
            ],
        );
    }
    let areas = fleet.areas();
    let _ = writeln!(out, "\n## Areas\n");
    table_header(
        &mut out,
        &[
            Column::text("Area"),
            Column::number("Median"),
            Column::number("0–24"),
            Column::number("25–49"),
            Column::number("50–74"),
            Column::number("75–100"),
            Column::number("n/a"),
        ],
    );
    for area in &areas {
        let (spread, none) = spread(&fleet.repositories, *area);
        let median = fleet::median(scores(&fleet.repositories, *area));
        let mut cells = vec![
            area.title().to_owned(),
            median.map_or_else(|| "n/a".to_owned(), |median| median.to_string()),
        ];
        cells.extend(spread.iter().map(usize::to_string));
        cells.push(none.to_string());
        table_row(&mut out, &cells);
    }
    plan_sections(&mut out, fleet);
    over_time(&mut out, fleet);
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
        let mut columns = vec![
            Column::text("Repository"),
            Column::number("Score"),
            Column::number("Own config"),
        ];
        columns.extend(areas.iter().map(|area| Column::number(area.id())));
        table_header(&mut out, &columns);
        for repository in repositories {
            let mut cells = vec![
                code(&repository.name),
                score(repository.score),
                own_config(repository),
            ];
            cells.extend(
                areas
                    .iter()
                    .map(|area| score(repository.areas.get(area).and_then(|area| area.score))),
            );
            table_row(&mut out, &cells);
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
        table_header(
            &mut out,
            &[Column::text("Repository"), Column::text("Change")],
        );
        for repository in changed {
            for change in &repository.overrides {
                table_row(
                    &mut out,
                    &[code(&repository.name), prose(&change.describe())],
                );
            }
        }
    }
    let movers = fleet.movers();
    if !movers.is_empty() {
        let _ = writeln!(out, "\n## Signals that moved most\n");
        let _ = writeln!(out, "{}\n", movers_legend(fleet));
        table_header(
            &mut out,
            &[
                Column::text("Repository"),
                Column::number("Improving − worsening"),
                Column::text("Figures"),
            ],
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
            table_row(
                &mut out,
                &[
                    code(&repository.name),
                    format!("{net:+}"),
                    figures(repository),
                ],
            );
        }
    }
    if !fleet.failures.is_empty() {
        let _ = writeln!(
            out,
            "\n## Could not be scanned ({})\n",
            fleet.failures.len()
        );
        table_header(
            &mut out,
            &[Column::text("Repository"), Column::text("Error")],
        );
        for failure in &fleet.failures {
            table_row(
                &mut out,
                &[
                    code(&failure.name),
                    format!("{}: {}", code(&failure.code), prose(&failure.message)),
                ],
            );
        }
    }
    out
}

/// The maturity levels reached per area, the steps that are next for the most repositories
/// and each owning team's own first step.
fn plan_sections(out: &mut String, fleet: &Fleet) {
    let levels = fleet.levels();
    if !levels.is_empty() {
        let _ = writeln!(out, "\n## Maturity levels\n");
        let _ = writeln!(
            out,
            "Repositories per level reached: every rule of that level and below that applies passes.\n"
        );
        table_header(
            out,
            &[
                Column::text("Area"),
                Column::number("Level 0"),
                Column::number("1"),
                Column::number("2"),
                Column::number("3"),
            ],
        );
        for (area, counts) in levels {
            let mut cells = vec![area.title().to_owned()];
            cells.extend(counts.iter().map(usize::to_string));
            table_row(out, &cells);
        }
    }
    let next = fleet.next_steps();
    if next.is_empty() {
        return;
    }
    let _ = writeln!(out, "\n## The organisation's plan\n");
    let _ = writeln!(
        out,
        "The steps that are among the first {} of `opslint plan` for the most repositories.\n",
        fleet::PLAN_STEPS
    );
    table_header(
        out,
        &[
            Column::text("Next step"),
            Column::text("Area"),
            Column::number("Repositories"),
        ],
    );
    for (rule, count) in next.iter().take(SHOWN) {
        let (area, title) = fleet
            .rules
            .get(rule)
            .map_or(("", ""), |(area, title)| (area.title(), title.as_str()));
        table_row(
            out,
            &[
                format!("{} ({})", prose(title), code(rule)),
                area.to_owned(),
                count.to_string(),
            ],
        );
    }
    let teams = fleet.first_step_by_owner();
    if !teams.is_empty() {
        let _ = writeln!(
            out,
            "\nEach owning team's own first step (CODEOWNERS' catch-all owners):\n"
        );
        table_header(
            out,
            &[
                Column::text("Owner"),
                Column::text("First step"),
                Column::number("Its repositories"),
            ],
        );
        for (owner, rule, count, of) in teams {
            table_row(
                out,
                &[code(&owner), code(&rule), format!("{count} of {of}")],
            );
        }
    }
}

/// With timelines (`sweep --timeline`): the practices' adoption curves, the areas whose
/// level moved, and who adopted or lost what, when.
fn over_time(out: &mut String, fleet: &Fleet) {
    let timelines = fleet.with_timelines();
    if timelines.is_empty() {
        return;
    }
    let _ = writeln!(out, "\n## Over time\n");
    let _ = writeln!(
        out,
        "From the timelines of {} of the {} repositories scanned (a repository without one — \
         no commits, a time-out — is left out): per month, the share of those with a snapshot \
         that month that had each practice.\n",
        timelines.len(),
        fleet.repositories.len()
    );
    let curves = fleet.adoption();
    if !curves.is_empty() {
        table_header(
            out,
            &[
                Column::text("Practice"),
                Column::text("Adoption by month"),
                Column::text("First → last"),
            ],
        );
        for curve in curves.iter().take(SHOWN) {
            let shares = curve.shares();
            let known: Vec<u32> = shares.iter().flatten().copied().collect();
            let (first, last) = (
                known.first().copied().unwrap_or(0),
                known.last().copied().unwrap_or(0),
            );
            let months = match (curve.months.first(), curve.months.last()) {
                (Some(first), Some(last)) => format!(" ({} to {})", first.0, last.0),
                _ => String::new(),
            };
            table_row(
                out,
                &[
                    code(&curve.rule),
                    crate::render::timeline::sparkline(shares.into_iter()),
                    format!("{first} % → {last} %{months}"),
                ],
            );
        }
    }
    let moves = fleet.level_moves();
    if !moves.is_empty() {
        let _ = writeln!(out, "\nAreas whose level moved (first snapshot to last):\n");
        table_header(
            out,
            &[
                Column::text("Area"),
                Column::number("Rose"),
                Column::number("Fell"),
            ],
        );
        for (area, rose, fell) in moves {
            table_row(
                out,
                &[area.title().to_owned(), rose.to_string(), fell.to_string()],
            );
        }
    }
    let events = fleet.timeline_events();
    if !events.is_empty() {
        let _ = writeln!(out, "\nAdopted and lost, newest first:\n");
        table_header(
            out,
            &[
                Column::text("Date"),
                Column::text("Repository"),
                Column::text("Practice"),
                Column::text("Change"),
            ],
        );
        for (repository, rule, change, date) in events.iter().take(SHOWN * 2) {
            table_row(
                out,
                &[prose(date), code(repository), code(rule), prose(change)],
            );
        }
        if events.len() > SHOWN * 2 {
            let _ = writeln!(
                out,
                "\n{} more in the sweep's lines.",
                events.len() - SHOWN * 2
            );
        }
    }
}

/// A score in a table cell: `–` without one.
fn score(score: Option<u32>) -> String {
    score.map_or_else(|| "–".to_owned(), |score| score.to_string())
}

//! `opslint report`: the organisation's picture from sweep output, each format in its own
//! file behind one trait — HTML (one self-contained page), Markdown (for docs), CSV (one row
//! per repository × area, for spreadsheets) — and what the pages share: the overview line,
//! where the page comes from, the spread of scores.

pub mod csv;
pub mod html;
pub mod markdown;

use std::fmt::Write as _;
use std::io::{self, Write};

use crate::area::Area;
use crate::sweep::fleet::{self, Fleet, Repository};

/// Every organisation-report format, in the order `opslint report --format` lists them.
pub static FORMATS: &[Format] = &[html::FORMAT, markdown::FORMAT, csv::FORMAT];

/// The format written when none is asked for.
pub const DEFAULT: Format = html::FORMAT;

/// Writes the organisation report in one format.
pub trait Renderer: Sync {
    fn render(&self, fleet: &Fleet, options: &Options, out: &mut dyn Write) -> io::Result<()>;
}

/// How the report is laid out.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Group repositories by owner: the owners of CODEOWNERS' catch-all rule.
    pub by_owner: bool,
}

/// An organisation-report format: its name on the command line, what it is, its renderer.
#[derive(Clone, Copy)]
pub struct Format {
    /// The value of `opslint report --format`.
    pub name: &'static str,
    /// What it is, for `--format`'s help: "html (one self-contained page)".
    pub about: &'static str,
    pub renderer: &'static dyn Renderer,
}

impl Format {
    pub fn render(&self, fleet: &Fleet, options: &Options, out: &mut dyn Write) -> io::Result<()> {
        self.renderer.render(fleet, options, out)
    }
}

// Formats are told apart by name: the renderer is a unit value.
told_apart_by_name!(Format);

/// How many weakest practices and moving repositories are shown.
const SHOWN: usize = 10;

/// The line under the title: how many repositories, their median score, and what the
/// scores leave out or could not count.
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

#[cfg(test)]
mod tests {
    use super::*;

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

//! `opslint report --format csv`: one row per repository × area, for spreadsheets.

use std::fmt::Write as _;
use std::io::{self, Write};

use super::{Format, Options, Renderer};
use crate::sweep::fleet::Fleet;

/// The CSV table.
pub const FORMAT: Format = Format {
    name: "csv",
    about: "one row per repository × area, for spreadsheets",
    renderer: &Csv,
};

struct Csv;

impl Renderer for Csv {
    /// Every repository, grouped or not: a spreadsheet groups by the owners column.
    fn render(&self, fleet: &Fleet, _: &Options, out: &mut dyn Write) -> io::Result<()> {
        out.write_all(table(fleet).as_bytes())
    }
}

/// One row per repository × area: `repository,owners,area,score,passed,failed`; a
/// repository that could not be scanned gets one row with its error instead of an area.
fn table(fleet: &Fleet) -> String {
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
}

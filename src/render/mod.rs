//! Every output format, each in its own file behind one trait: the check report's (human,
//! json, sarif, github, markdown, gitlab) and, in `org`, the organisation report's. The
//! check report's formats are registered in `FORMATS`, from which the command line takes
//! `--format`'s values and help, the `--X-output` flags and the dispatch, and the fuzz
//! target the formats it feeds: a new format is a new file and a line there.

pub mod github;
pub mod gitlab;
pub mod human;
pub mod json;
pub mod markdown;
mod markdown_syntax;
pub mod org;
pub mod plan;
pub mod sarif;
pub mod timeline;

use std::io::{self, Write};

use crate::report::Report;

/// Every check-report format, in the order `--format` lists them.
pub static FORMATS: &[Format] = &[
    human::FORMAT,
    json::FORMAT,
    sarif::FORMAT,
    github::FORMAT,
    markdown::FORMAT,
    gitlab::FORMAT,
];

/// The format written when none is asked for.
pub const DEFAULT: Format = human::FORMAT;

/// Writes a check report in one format.
pub trait Renderer: Sync {
    fn render(
        &self,
        report: &Report,
        options: &RenderOptions,
        out: &mut dyn Write,
    ) -> io::Result<()>;
}

/// What the reader asked for beyond the format; formats for machines ignore it.
#[derive(Debug, Clone, Copy, Default)]
pub struct RenderOptions {
    /// Colour the text (the human report, on a terminal).
    pub color: bool,
    pub detail: Detail,
}

/// How much the report says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Detail {
    /// Only what fails (with its evidence and fix), then the summary line.
    Quiet,
    /// Failures, passes and unknowns rule by rule; the rules that do not apply folded into
    /// one line per area.
    #[default]
    Normal,
    /// Every rule with its message and all its evidence, the ones that do not apply too.
    Verbose,
}

/// A check-report format: its name on the command line, what it is, and its renderer.
#[derive(Clone, Copy)]
pub struct Format {
    /// The value of `--format`.
    pub name: &'static str,
    /// What it is, for `--format`'s help: "human (for people)".
    pub about: &'static str,
    /// Its `--X-output` flag, for a format that can be written to a file beside the one on
    /// standard output.
    pub also_written: Option<AlsoWritten>,
    pub renderer: &'static dyn Renderer,
}

/// A `check` flag that writes the same scan in one more format, to a file.
#[derive(Debug, Clone, Copy)]
pub struct AlsoWritten {
    /// The flag, `--{name}-output` without its dashes.
    pub flag: &'static str,
    /// Its help text.
    pub help: &'static str,
    /// Where it comes among these flags (in `check --help`, and in the order the files are
    /// written): they were added in an order of their own, not the formats'.
    pub position: u8,
}

impl Format {
    pub fn render(
        &self,
        report: &Report,
        options: &RenderOptions,
        out: &mut dyn Write,
    ) -> io::Result<()> {
        self.renderer.render(report, options, out)
    }
}

// Formats are told apart by name: the renderer is a unit value.
told_apart_by_name!(Format);

/// The formats that have a `--X-output` flag, in the order of those flags.
pub fn also_written() -> Vec<(&'static Format, AlsoWritten)> {
    let mut flags: Vec<(&'static Format, AlsoWritten)> = FORMATS
        .iter()
        .filter_map(|format| format.also_written.map(|also| (format, also)))
        .collect();
    flags.sort_by_key(|(_, also)| also.position);
    flags
}

/// Text for HTML, hidden characters revealed (`text::reveal`).
pub(crate) fn html_escape(text: &str) -> String {
    // Control characters (a terminal escape in a commit subject) shown as their code.
    let text: String = crate::text::reveal(text)
        .chars()
        .map(|c| match c {
            '\n' | '\t' => c.to_string(),
            c if c.is_control() => format!("\\u{{{:x}}}", u32::from(c)),
            c => c.to_string(),
        })
        .collect();
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_flags_are_unique_and_flags_are_named_after_their_format() {
        let names: std::collections::HashSet<&str> =
            FORMATS.iter().map(|format| format.name).collect();
        assert_eq!(names.len(), FORMATS.len());
        let flags = also_written();
        for (format, also) in &flags {
            assert_eq!(also.flag, format!("{}-output", format.name));
        }
        let positions: std::collections::HashSet<u8> =
            flags.iter().map(|(_, also)| also.position).collect();
        assert_eq!(positions.len(), flags.len());
        assert!(FORMATS.contains(&DEFAULT));
    }
}

//! `--format json`: the report as a stable, documented JSON document (README, "JSON report").

use std::io::{self, BufWriter, Write};

use super::{AlsoWritten, Format, RenderOptions, Renderer};
use crate::report::Report;

/// The JSON report.
pub const FORMAT: Format = Format {
    name: "json",
    about: "the full report",
    also_written: Some(AlsoWritten {
        flag: "json-output",
        help: "Also write the report as JSON to this file",
        position: 2,
    }),
    renderer: &Json,
};

struct Json;

impl Renderer for Json {
    /// Writes the report to `out` as it serializes: a monorepo's report runs to megabytes,
    /// and building it in memory first costs more than writing it.
    fn render(&self, report: &Report, _: &RenderOptions, out: &mut dyn Write) -> io::Result<()> {
        let mut out = BufWriter::new(out);
        serde_json::to_writer_pretty(&mut out, report)?;
        out.write_all(b"\n")?;
        out.flush()
    }
}

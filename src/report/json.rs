//! `--format json`: the report as a stable, documented JSON document (README, "JSON report").

use std::io::{self, Write};

use super::Report;

/// Writes the report to `out` as it serializes: a monorepo's report runs to megabytes,
/// and building it in memory first costs more than writing it.
pub fn write(report: &Report, out: &mut impl Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, report)?;
    out.write_all(b"\n")
}

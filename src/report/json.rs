//! `--format json`: the report as a stable, documented JSON document (README, "JSON report").

use super::Report;

pub fn render(report: &Report) -> String {
    let mut json = serde_json::to_string_pretty(report).expect("a report always serializes");
    json.push('\n');
    json
}

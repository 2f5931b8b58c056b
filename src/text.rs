//! Wording shared by finding messages, renderers and diagnostics.

/// "1 file", "3 files": a count with its noun, pluralized the regular English way.
pub fn plural(count: usize, noun: &str) -> String {
    if count == 1 {
        format!("1 {noun}")
    } else {
        format!("{count} {noun}s")
    }
}

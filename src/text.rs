//! Wording shared by finding messages, renderers and diagnostics.

/// "1 file", "3 files": a count with its noun, pluralized the regular English way.
pub fn plural(count: usize, noun: &str) -> String {
    if count == 1 {
        format!("1 {noun}")
    } else {
        format!("{count} {noun}s")
    }
}

/// The 1-based line of a byte offset.
pub fn line_of(bytes: &[u8], offset: usize) -> u32 {
    let newlines = bytes[..offset]
        .iter()
        .filter(|&&byte| byte == b'\n')
        .count();
    u32::try_from(newlines + 1).unwrap_or(u32::MAX)
}

/// Line numbers for many offsets into one text, without rescanning it each time.
pub struct LineIndex {
    /// Offsets of the newlines.
    newlines: Vec<usize>,
}

impl LineIndex {
    pub fn new(bytes: &[u8]) -> LineIndex {
        LineIndex {
            newlines: bytes
                .iter()
                .enumerate()
                .filter(|(_, byte)| **byte == b'\n')
                .map(|(offset, _)| offset)
                .collect(),
        }
    }

    /// The 1-based line of `offset`.
    pub fn line(&self, offset: usize) -> u32 {
        let before = self.newlines.partition_point(|&newline| newline < offset);
        u32::try_from(before + 1).unwrap_or(u32::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_numbers_are_one_based() {
        let text = b"a\nb\nc";
        assert_eq!(line_of(text, 0), 1);
        assert_eq!(line_of(text, 2), 2);
        assert_eq!(line_of(text, 4), 3);
    }
}

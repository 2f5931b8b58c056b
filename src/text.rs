//! Wording shared by finding messages, renderers and diagnostics.

/// "1 file", "3 files": a count with its noun, pluralized the regular English way.
pub fn plural(count: usize, noun: &str) -> String {
    if count == 1 {
        format!("1 {noun}")
    } else {
        format!("{count} {noun}s")
    }
}

/// "1,048,576": a count with its thousands separated.
pub fn thousands(count: u64) -> String {
    let digits = count.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
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

/// Text for a terminal or a CI log, whatever the repository put in it: control characters
/// become `�` — a carriage return that overwrites the line, an OSC sequence that writes the
/// clipboard, GitLab's collapsible-section markers, and colour sequences too (a file name
/// that paints the rest of the report, or hides a failure) — except line feeds and tabs.
/// opslint's own colours are applied after, to text that went through here.
pub fn for_terminal(text: &str) -> std::borrow::Cow<'_, str> {
    let harmless = |c: char| !c.is_control() || c == '\n' || c == '\t';
    if text.chars().all(harmless) {
        return std::borrow::Cow::Borrowed(text);
    }
    std::borrow::Cow::Owned(
        text.chars()
            .map(|c| if harmless(c) { c } else { '\u{fffd}' })
            .collect(),
    )
}

/// As `for_terminal`, but opslint's own colour sequences (`ESC [ … m`) pass: for text that
/// opslint coloured whole, such as its error reports, whose quoted config text is made
/// safe where the error is made (`ConfigError::new`).
pub fn for_terminal_keeping_colours(text: &str) -> std::borrow::Cow<'_, str> {
    let harmless = |c: char| !c.is_control() || c == '\n' || c == '\t';
    if text.chars().all(harmless) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if c == '\u{1b}'
            && let Some(length) = colour_sequence(rest)
        {
            out.push_str(&rest[..length]);
            rest = &rest[length..];
            continue;
        }
        out.push(if harmless(c) { c } else { '\u{fffd}' });
        rest = &rest[c.len_utf8()..];
    }
    std::borrow::Cow::Owned(out)
}

/// The length of an SGR sequence (`ESC [ digits;… m`) at the start of `text`.
fn colour_sequence(text: &str) -> Option<usize> {
    let body = text.strip_prefix("\u{1b}[")?;
    let parameters = body
        .bytes()
        .take_while(|byte| byte.is_ascii_digit() || *byte == b';')
        .count();
    (body.as_bytes().get(parameters) == Some(&b'm')).then_some(2 + parameters + 1)
}

/// A file name as git and ripgrep print one that holds control characters, a double quote
/// or a backslash: in double quotes, with C escapes (`"a\nb"`, `"\033[31m"`); any other
/// name as it is.
pub fn quote_path(path: &str) -> std::borrow::Cow<'_, str> {
    if !path
        .chars()
        .any(|c| c.is_control() || c == '"' || c == '\\')
    {
        return std::borrow::Cow::Borrowed(path);
    }
    let mut out = String::with_capacity(path.len() + 2);
    out.push('"');
    for c in path.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{b}' => out.push_str("\\v"),
            '\u{c}' => out.push_str("\\f"),
            c if c.is_control() => {
                let mut bytes = [0; 4];
                for byte in c.encode_utf8(&mut bytes).bytes() {
                    out.push_str(&format!("\\{byte:03o}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    std::borrow::Cow::Owned(out)
}

#[cfg(test)]
mod terminal_tests {
    use super::{for_terminal, for_terminal_keeping_colours, quote_path};

    #[test]
    fn only_line_feeds_and_tabs_reach_the_terminal() {
        assert_eq!(for_terminal("a\tb\nc"), "a\tb\nc");
        assert_eq!(
            for_terminal("\u{1b}[1;31mred\u{1b}[0m"),
            "\u{fffd}[1;31mred\u{fffd}[0m"
        );
        assert_eq!(for_terminal("x\ry"), "x\u{fffd}y");
        assert_eq!(
            for_terminal("\u{1b}]52;c;aGk=\u{7}"),
            "\u{fffd}]52;c;aGk=\u{fffd}"
        );
        assert_eq!(
            for_terminal("section_start:1:x\r\u{1b}[0K"),
            "section_start:1:x\u{fffd}\u{fffd}[0K"
        );
        assert_eq!(
            for_terminal_keeping_colours("\u{1b}[1;31mred\u{1b}[0m\r"),
            "\u{1b}[1;31mred\u{1b}[0m\u{fffd}"
        );
    }

    #[test]
    fn paths_are_quoted_as_git_quotes_them() {
        assert_eq!(quote_path("src/main.rs"), "src/main.rs");
        assert_eq!(quote_path("a\nb.yml"), "\"a\\nb.yml\"");
        assert_eq!(quote_path("\u{1b}[31mx"), "\"\\033[31mx\"");
        assert_eq!(quote_path("say \"hi\""), "\"say \\\"hi\\\"\"");
        assert_eq!(quote_path("é.md"), "é.md");
    }
}

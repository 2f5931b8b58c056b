//! Wording shared by finding messages, renderers and diagnostics.

/// "1 file", "3 files": a count with its noun, pluralized the regular English way.
pub fn plural(count: usize, noun: &str) -> String {
    if count == 1 {
        format!("1 {noun}")
    } else {
        format!("{count} {noun}s")
    }
}

/// `text` cut to at most `chars` characters, with `…` where it was cut.
pub fn shorten(text: &str, chars: usize) -> std::borrow::Cow<'_, str> {
    match text.char_indices().nth(chars) {
        Some((cut, _)) => format!("{}…", &text[..cut]).into(),
        None => text.into(),
    }
}

/// `text` on one line: its runs of whitespace, newlines among them, as single spaces (a
/// script quoted in a message, a multi-line match).
pub fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
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
/// Bidi controls and zero-width characters are shown in their escaped form
/// (`reveal`), as rustc and git show them.
pub fn for_terminal(text: &str) -> std::borrow::Cow<'_, str> {
    let harmless = |c: char| (!c.is_control() || c == '\n' || c == '\t') && !is_hidden(c);
    if text.chars().all(harmless) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            c if harmless(c) => out.push(c),
            c if is_hidden(c) => push_revealed(&mut out, c),
            _ => out.push('\u{fffd}'),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Characters that change how text around them reads without showing themselves: the
/// bidi embeddings, overrides, isolates and marks (a name that displays as `exe.txt`,
/// the "Trojan Source" trick), the zero-width characters (two names that look alike) and
/// the line and paragraph separators.
pub fn is_hidden(c: char) -> bool {
    matches!(
        c,
        '\u{202a}'..='\u{202e}'
            | '\u{2066}'..='\u{2069}'
            | '\u{200e}'
            | '\u{200f}'
            | '\u{061c}'
            | '\u{200b}'..='\u{200d}'
            | '\u{2060}'
            | '\u{feff}'
            // Unicode's line and paragraph separators: a line break to some viewers.
            | '\u{2028}'
            | '\u{2029}'
            // Invisible operators, the soft hyphen, the Hangul fillers that render as
            // blanks, and the tag characters that carry hidden text.
            | '\u{2061}'..='\u{2064}'
            | '\u{00ad}'
            | '\u{115f}'
            | '\u{1160}'
            | '\u{3164}'
            | '\u{ffa0}'
            | '\u{e0000}'..='\u{e007f}'
    )
}

/// `c` in its escaped form, `\u{202e}`.
pub fn push_revealed(out: &mut String, c: char) {
    let _ = std::fmt::Write::write_fmt(out, format_args!("\\u{{{:x}}}", u32::from(c)));
}

/// Text whose hidden characters (`is_hidden`) are shown in their escaped form, `\u{202e}`:
/// for every format a person reads (the human report, GitHub annotations, Markdown, HTML).
pub fn reveal(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(is_hidden) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_hidden(c) {
            push_revealed(&mut out, c);
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// One character of repository text as Markdown prose (a job summary, a pull-request
/// comment, the organisation report) that shows it and does nothing else: no HTML, links,
/// emphasis, code or line breaks, hidden characters revealed, and no @mention that would
/// notify someone where the text is posted (an empty comment parts `@` from the name; after
/// a letter or digit, as in `actions/checkout@v4` or an email address, `@` mentions no one
/// and is left alone). `previous` is the character of the text before `c`.
pub fn push_markdown_prose(out: &mut String, previous: Option<char>, c: char) {
    match c {
        // A carriage return is a line break to Markdown too; other controls show as
        // nothing useful.
        c if c.is_control() => out.push(' '),
        c if is_hidden(c) => push_revealed(out, c),
        '<' => out.push_str("&lt;"),
        '>' => out.push_str("&gt;"),
        '&' => out.push_str("&amp;"),
        '@' if !previous.is_some_and(|previous| previous.is_ascii_alphanumeric()) => {
            out.push_str("@<!-- -->")
        }
        '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~' | '#' => {
            out.push('\\');
            out.push(c);
        }
        _ => out.push(c),
    }
}

/// One character of repository text inside a Markdown code span, where nothing is markup
/// and escapes would show: only line breaks and hidden characters need care.
pub fn push_markdown_code(out: &mut String, c: char) {
    match c {
        c if c.is_control() => out.push(' '),
        c if is_hidden(c) => push_revealed(out, c),
        _ => out.push(c),
    }
}

/// As `for_terminal`, but opslint's own colour sequences (`ESC [ … m`) pass: for text that
/// opslint coloured whole, such as its error reports, whose quoted config text is made
/// safe where the error is made (`ConfigError::new`).
pub fn for_terminal_keeping_colours(text: &str) -> std::borrow::Cow<'_, str> {
    let harmless = |c: char| (!c.is_control() || c == '\n' || c == '\t') && !is_hidden(c);
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
        match c {
            c if harmless(c) => out.push(c),
            c if is_hidden(c) => push_revealed(&mut out, c),
            _ => out.push('\u{fffd}'),
        }
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
        .any(|c| c.is_control() || is_hidden(c) || c == '"' || c == '\\')
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
            c if is_hidden(c) => push_revealed(&mut out, c),
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
        assert_eq!(
            quote_path("svc/\u{202e}txt.exe"),
            "\"svc/\\u{202e}txt.exe\""
        );
    }

    /// Found by a red team: bidi overrides and zero-width characters were printed raw, so
    /// a name could display reversed (`exe.txt`) or two names alike.
    #[test]
    fn hidden_characters_are_revealed() {
        assert_eq!(
            super::reveal("a\u{202e}b\u{200b}c"),
            "a\\u{202e}b\\u{200b}c"
        );
        assert_eq!(super::reveal("plain é"), "plain é");
        // A second red team: Unicode's line separator broke a message's line in a viewer.
        assert_eq!(super::reveal("a\u{2028}b"), "a\\u{2028}b");
        // Red team: tag characters and fillers showed nothing and passed.
        assert_eq!(
            super::reveal("a\u{e0041}\u{3164}\u{ad}b"),
            "a\\u{e0041}\\u{3164}\\u{ad}b"
        );
        assert_eq!(for_terminal("x\u{2066}y\u{feff}"), "x\\u{2066}y\\u{feff}");
        assert_eq!(
            for_terminal_keeping_colours("\u{1b}[1mx\u{200f}"),
            "\u{1b}[1mx\\u{200f}"
        );
    }

    #[test]
    fn markdown_prose_breaks_mentions() {
        let mut out = String::new();
        let mut previous = None;
        for c in "@org/admins <b> (@x) checkout@v4".chars() {
            super::push_markdown_prose(&mut out, previous, c);
            previous = Some(c);
        }
        assert_eq!(
            out,
            "@<!-- -->org/admins &lt;b&gt; (@<!-- -->x) checkout@v4"
        );
    }
}

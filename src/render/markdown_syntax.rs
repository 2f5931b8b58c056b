//! Markdown's building blocks, shared by the check report's job summary and the
//! organisation report: tables, and a repository's text made to show and do nothing else.

use std::fmt::Write as _;

/// A table column: its title (opslint's own words), and whether it holds numbers, which
/// align right.
pub struct Column<'a> {
    title: &'a str,
    numeric: bool,
}

impl<'a> Column<'a> {
    pub fn text(title: &'a str) -> Column<'a> {
        Column {
            title,
            numeric: false,
        }
    }

    pub fn number(title: &'a str) -> Column<'a> {
        Column {
            title,
            numeric: true,
        }
    }
}

/// A table's header and the line under it that aligns its columns: `| Area | Score | |`
/// (an untitled column is `| |`), then `|---|---:|---|`.
pub fn table_header(out: &mut String, columns: &[Column]) {
    out.push('|');
    for column in columns {
        if column.title.is_empty() {
            out.push_str(" |");
        } else {
            let _ = write!(out, " {} |", column.title);
        }
    }
    out.push_str("\n|");
    for column in columns {
        out.push_str(if column.numeric { "---:|" } else { "---|" });
    }
    out.push('\n');
}

/// One row of a table, its cells written as they are: what comes from a repository has
/// been through `prose` or `code`.
pub fn table_row(out: &mut String, cells: &[impl AsRef<str>]) {
    out.push('|');
    for cell in cells {
        let _ = write!(out, " {} |", cell.as_ref());
    }
    out.push('\n');
}

/// Prose for a table cell or heading (a custom rule's title, an error message): no pipes
/// or line breaks, no HTML, links, emphasis or code, and no @mention that would notify
/// someone where the report is posted.
pub fn prose(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut previous = None;
    for c in text.chars() {
        crate::text::push_markdown_prose(&mut out, previous, c);
        previous = Some(c);
    }
    out
}

/// Text from the repository (paths, messages quoting them, custom rules) as Markdown that
/// shows it and does nothing else, on one line (it goes in list items): as `prose`, but
/// backticks pair into code spans (messages quote globs and paths), where nothing is
/// escaped since escapes would show; unless they do not pair — an odd number, or a run of
/// several, which Markdown reads differently — when every backtick is escaped and nothing
/// is code.
pub fn prose_with_code(text: &str) -> String {
    let ticks = text.matches('`').count();
    let spans = ticks.is_multiple_of(2) && !text.contains("``");
    let mut out = String::with_capacity(text.len());
    let mut in_code = false;
    let mut previous = None;
    for c in text.chars() {
        let before = previous.replace(c);
        match c {
            '`' if spans => {
                in_code = !in_code;
                out.push(c);
            }
            '`' => out.push_str("\\`"),
            _ if in_code => crate::text::push_markdown_code(&mut out, c),
            _ => crate::text::push_markdown_prose(&mut out, before, c),
        }
    }
    out
}

/// A name (a repository's, an owner's, a rule id) as a code span for a table cell or
/// heading: a repository chooses its name and its CODEOWNERS, and in a code span nothing
/// is HTML, a link or an @mention. Line breaks become spaces, pipes are escaped (GitHub
/// takes `\|` as a pipe inside a table's code span), and the fence is longer than any run
/// of backticks in the text.
pub fn code(text: &str) -> String {
    let mut spaced = String::with_capacity(text.len());
    for c in text.chars() {
        crate::text::push_markdown_code(&mut spaced, c);
    }
    let text = spaced.replace('|', "\\|");
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{text}{pad}{fence}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_is_its_header_its_alignment_and_its_rows() {
        let mut out = String::new();
        table_header(
            &mut out,
            &[
                Column::text("Area"),
                Column::number("Score"),
                Column::text(""),
            ],
        );
        table_row(&mut out, &["CI", "80", ""]);
        assert_eq!(out, "| Area | Score | |\n|---|---:|---|\n| CI | 80 |  |\n");
    }

    #[test]
    fn html_is_escaped_outside_code_spans_only() {
        assert_eq!(prose_with_code("a <b> `<c>`\nd"), "a &lt;b&gt; `<c>` d");
    }

    /// Found by a red team: an odd backtick left the rest unescaped, a carriage return
    /// started a new block, and link syntax made an image.
    #[test]
    fn unpaired_backticks_line_breaks_and_links_are_inert() {
        assert_eq!(
            prose_with_code("a```<img src=x onerror=alert(1)>"),
            "a\\`\\`\\`&lt;img src=x onerror=alert(1)&gt;"
        );
        assert_eq!(
            prose_with_code("b\r\r# All checks passed"),
            "b  \\# All checks passed"
        );
        assert_eq!(
            prose_with_code("![](https:/evil.example/p.png)"),
            "!\\[\\](https:/evil.example/p.png)"
        );
        assert_eq!(prose_with_code("`a|b`|c"), "`a|b`\\|c");
        assert_eq!(
            prose_with_code("@org/admins `@x\u{202e}` \u{200b}"),
            "@<!-- -->org/admins `@x\\u{202e}` \\u{200b}"
        );
    }
}

//! JSON with comments, as tools that read their config leniently write it: Deno's JSONC,
//! Renovate's JSON5.

/// `text` with its comments (`//`, `/* */`) left out outside strings (line breaks kept, so
/// lines still count) and a comma before a closing bracket dropped, for a JSON or YAML reader.
/// Strings may be quoted either way (JSON5's `'npm'`).
pub fn as_json(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    let mut quote: Option<char> = None;
    // Where the last comma outside a string went, while only space has followed it.
    let mut comma: Option<usize> = None;
    while let Some(c) = chars.next() {
        if let Some(open) = quote {
            out.push(c);
            match c {
                '\\' => out.extend(chars.next()),
                _ if c == open => quote = None,
                _ => {}
            }
            continue;
        }
        match (c, chars.peek()) {
            ('/', Some('/')) => while chars.next_if(|&next| next != '\n').is_some() {},
            ('/', Some('*')) => {
                chars.next();
                let mut last = ' ';
                for next in chars.by_ref() {
                    if next == '\n' {
                        out.push('\n');
                    }
                    if last == '*' && next == '/' {
                        break;
                    }
                    last = next;
                }
                out.push(' ');
            }
            ('}' | ']', _) => {
                if let Some(at) = comma.take() {
                    out.replace_range(at..=at, " ");
                }
                out.push(c);
            }
            _ => {
                if c == ',' {
                    comma = Some(out.len());
                } else if !c.is_whitespace() {
                    comma = None;
                }
                if matches!(c, '"' | '\'') {
                    quote = Some(c);
                }
                out.push(c);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::as_json;

    #[test]
    fn comments_go_strings_stay_and_lines_still_count() {
        let text = "{\n  // ours\n  \"url\": \"https://x//y\", /* a\n b */\n  'k': ['a',],\n}\n";
        let json = as_json(text);
        assert_eq!(json.lines().count(), text.lines().count());
        assert!(json.contains("\"https://x//y\""));
        assert!(!json.contains("ours") && !json.contains(" b "));
        assert!(json.contains("['a' ]"));
    }
}

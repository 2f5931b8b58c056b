//! `unless-guarded-by`: a match in a YAML file does not count where the job or step holding
//! it has an entry the guard matches from its key (an `if:` that lets only the repository's
//! own branches through).
//!
//! Read by indentation, as the text is written: which job and step a line is in needs no
//! parser, and a file that does not parse is read all the same. The job is the mapping one
//! level below a top-level key (`jobs:` → `build:`); a step is a list item (`- uses: …`).
//! Where the layout is not what block YAML looks like, no entry is found and nothing is
//! discounted.

use std::ops::Range;

use crate::rules::Pattern;

/// How many enclosing list items (a step, and the items around it) are read for a guard.
const ITEMS_READ: usize = 4;

/// How much of an entry the guard is matched against: a condition is a line or a few, and a
/// longer one is no guard opslint vouches for.
const ENTRY_READ: usize = 4096;

/// The lines of a YAML file, read once for every match in it.
pub struct Layout {
    lines: Vec<Line>,
    /// The file repeats a block by alias (`steps: *build`): what a guarded job holds may run
    /// unguarded elsewhere, so no guard counts.
    aliased: bool,
}

struct Line {
    span: Range<usize>,
    /// Leading spaces and tabs.
    indent: usize,
    /// Where its key starts: after the indent and any list dashes (`- if:` at 8 in
    /// `      - if: …`).
    key: usize,
    /// Neither blank nor a comment.
    significant: bool,
}

impl Line {
    fn is_item(&self) -> bool {
        self.key > self.indent
    }
}

impl Layout {
    pub fn of(text: &[u8]) -> Layout {
        let mut lines = Vec::new();
        let mut aliased = false;
        let mut start = 0;
        for line in text.split(|&b| b == b'\n') {
            let indent = line
                .iter()
                .take_while(|&&b| b == b' ' || b == b'\t')
                .count();
            let mut key = indent;
            while line.get(key) == Some(&b'-') && matches!(line.get(key + 1), Some(b' ' | b'\t')) {
                key += 2;
                key += line[key..].iter().take_while(|&&b| b == b' ').count();
            }
            let rest = line[indent..].trim_ascii();
            aliased |= !rest.starts_with(b"#") && has_alias(rest);
            lines.push(Line {
                span: start..start + line.len(),
                indent,
                key,
                significant: !rest.is_empty() && !rest.starts_with(b"#"),
            });
            start += line.len() + 1;
        }
        Layout { lines, aliased }
    }

    /// Whether the job or a step holding `offset` in `text` has an entry that `guard` matches
    /// from its first character, comments left out.
    pub fn is_guarded(&self, text: &[u8], offset: usize, guard: &Pattern) -> bool {
        if self.aliased {
            return false;
        }
        let Some(at) = self
            .lines
            .partition_point(|line| line.span.start <= offset)
            .checked_sub(1)
        else {
            return false;
        };
        self.holders(at).any(|holder| {
            self.entries(holder).any(|entry| {
                let end = entry.end.min(entry.start + ENTRY_READ);
                let condition = without_comments(&text[entry.start..end]);
                guard
                    .find(&condition)
                    .is_some_and(|found| found.start() == 0)
            })
        })
    }

    /// The lines opening the mappings that hold line `at`: the list items around it (itself
    /// first, when it is one), nearest first, and the job (one level below a top-level key).
    fn holders(&self, at: usize) -> impl Iterator<Item = usize> + '_ {
        let lines = &self.lines;
        let own = lines[at].is_item().then_some(at);
        let mut bound = lines[at].indent;
        let mut enclosing = Vec::new();
        for k in (0..at).rev() {
            if bound == 0 {
                break;
            }
            let line = &lines[k];
            if line.significant && line.indent < bound {
                bound = line.indent;
                enclosing.push(k);
            }
        }
        // The outermost, at the margin, is the top-level key; the one inside it, the job.
        let job = match enclosing.last() {
            Some(&top) if lines[top].indent == 0 => {
                enclosing.len().checked_sub(2).map(|job| enclosing[job])
            }
            _ => None,
        };
        let items = enclosing.into_iter().filter(|&k| lines[k].is_item());
        own.into_iter().chain(items).take(ITEMS_READ).chain(job)
    }

    /// The spans of the entries of the mapping that line `holder` opens, each from its key:
    /// for a list item, its first key and the keys aligned with it; for a key, the keys one
    /// level in (not the list items under it, which are mappings of their own). Each runs to
    /// the next line at or left of its key, so a value folded over several lines (`if: >-`)
    /// is in it. One pass over the block.
    fn entries(&self, holder: usize) -> impl Iterator<Item = Range<usize>> + '_ {
        let lines = &self.lines;
        let own = &lines[holder];
        let mut column = own.is_item().then_some(own.key);
        let mut open = own.is_item().then(|| own.span.start + own.key);
        let mut next = holder + 1;
        std::iter::from_fn(move || {
            loop {
                let Some(line) = lines.get(next) else {
                    // The file's end closes the open entry.
                    let end = lines.last().map_or(0, |last| last.span.end);
                    return open.take().map(|start| start..end.max(start));
                };
                if line.significant && line.indent <= own.indent {
                    // So does the block's.
                    return open.take().map(|start| start..line.span.start);
                }
                next += 1;
                if !line.significant {
                    continue;
                }
                let column = *column.get_or_insert(line.indent);
                if line.indent > column {
                    continue;
                }
                // A line at the entries' column (or left of it) ends the open entry.
                let ended = open.take().map(|start| start..line.span.start);
                if line.indent == column && !line.is_item() {
                    open = Some(line.span.start + line.indent);
                }
                if ended.is_some() {
                    return ended;
                }
            }
        })
    }
}

/// Whether a line uses an alias as a value (`steps: *build`, `- *checkout`, `<<: *job`,
/// `[*a, *b]`, `*-steps`): a `*` after a colon, a dash, a bracket or a comma, then a name
/// (letters, digits, `_`, `-`, `.`, any non-ASCII) up to a space, a flow indicator or the
/// line's end — not a script's `): */deps/`.
fn has_alias(line: &[u8]) -> bool {
    let name_char = |b: &u8| b.is_ascii_alphanumeric() || b"_-.".contains(b) || *b >= 0x80;
    line.iter().enumerate().any(|(at, &b)| {
        let name = line[at + 1..]
            .iter()
            .take_while(|b| !b.is_ascii_whitespace() && !b",[]{}".contains(b));
        b == b'*'
            && line.get(at + 1).is_some_and(name_char)
            && name.clone().all(name_char)
            && line[..at]
                .iter()
                .rev()
                .find(|b| !b.is_ascii_whitespace())
                .is_none_or(|&before| matches!(before, b':' | b'-' | b'[' | b','))
    })
}

/// `text` without its YAML comments (a `#` at a line's start or after a space or tab, outside
/// quotes, to the line's end), lines kept: a guard written in a comment guards nothing, and a
/// `#` in a string ends nothing.
fn without_comments(text: &[u8]) -> Vec<u8> {
    let mut kept = Vec::with_capacity(text.len());
    for (i, line) in text.split(|&b| b == b'\n').enumerate() {
        if i > 0 {
            kept.push(b'\n');
        }
        let mut quote = None;
        let comment = line.iter().enumerate().position(|(at, &b)| {
            match (b, quote) {
                (b'\'' | b'"', None) => quote = Some(b),
                (_, Some(open)) if b == open => quote = None,
                _ => {}
            }
            quote.is_none() && b == b'#' && (at == 0 || matches!(line[at - 1], b' ' | b'\t'))
        });
        kept.extend_from_slice(&line[..comment.unwrap_or(line.len())]);
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    const WORKFLOW: &str = "\
on: pull_request_target
jobs:
  guarded:
    if: >-
      github.actor == 'bot' &&
      github.event.pull_request.head.repo.fork == false
    steps:
      - run: echo one
      - uses: actions/checkout@v4
        with:
          ref: GUARDED-JOB
  open:
    steps:
      - if: github.event.pull_request.head.repo.fork == false
        run: echo two
      - if: github.event.pull_request.head.repo.fork == false
        uses: actions/checkout@v4
        with:
          ref: GUARDED-STEP
      - uses: actions/checkout@v4
        with:
          ref: OPEN
      - run: |
          if: github.event.pull_request.head.repo.fork == false
          echo IN-A-SCRIPT
";

    fn guarded(marker: &str) -> bool {
        let guard = Pattern::compile(r"\Aif:[^|]*\.fork == false").unwrap();
        let offset = WORKFLOW.find(marker).unwrap();
        Layout::of(WORKFLOW.as_bytes()).is_guarded(WORKFLOW.as_bytes(), offset, &guard)
    }

    #[test]
    fn a_jobs_or_a_steps_own_condition_guards_what_is_in_it() {
        assert!(guarded("GUARDED-JOB"));
        assert!(guarded("GUARDED-STEP"));
    }

    #[test]
    fn a_sibling_steps_condition_or_a_scripts_text_guards_nothing() {
        assert!(!guarded("OPEN"));
        assert!(!guarded("IN-A-SCRIPT"));
    }

    #[test]
    fn a_guard_in_a_comment_guards_nothing() {
        let text =
            "jobs:\n  build:\n    if: always() # .fork == false\n    steps:\n      - run: X\n";
        let guard = Pattern::compile(r"\Aif:[^|]*\.fork == false").unwrap();
        let at = text.find('X').unwrap();
        assert!(!Layout::of(text.as_bytes()).is_guarded(text.as_bytes(), at, &guard));
    }

    #[test]
    fn a_hash_in_a_string_starts_no_comment() {
        assert_eq!(without_comments(b"if: 'a #' || b # c"), b"if: 'a #' || b ");
    }

    #[test]
    fn a_file_that_repeats_blocks_by_alias_has_no_guards() {
        let with_alias = WORKFLOW.replace("  open:\n", "  copy:\n    steps: *guarded\n  open:\n");
        let guard = Pattern::compile(r"\Aif:[^|]*\.fork == false").unwrap();
        let at = with_alias.find("GUARDED-JOB").unwrap();
        assert!(!Layout::of(with_alias.as_bytes()).is_guarded(with_alias.as_bytes(), at, &guard));
        assert!(has_alias(b"steps: *build"));
        assert!(has_alias(b"- *checkout"));
        assert!(has_alias(b"steps: *-steps"));
        assert!(!has_alias(
            b"fixed=$(sed -E 's/^build\\(deps[^)]*\\): */deps: /')"
        ));
        assert!(!has_alias(b"run: ls *.txt"));
        assert!(!has_alias(b"name: \"**bold**\""));
    }

    #[test]
    fn the_top_level_is_never_guarded() {
        assert!(!guarded("on:"));
        assert!(!guarded("pull_request_target"));
    }
}

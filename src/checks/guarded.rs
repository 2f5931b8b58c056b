//! `unless-guarded-by`: a match in a YAML file does not count where the job or step holding
//! it has an entry the guard matches from its key (an `if:` that lets only the repository's
//! own branches through).
//!
//! Read by indentation, as the text is written: which job and step a line is in needs no
//! parser, and a file that does not parse is read all the same. The job is the mapping one
//! level below a top-level key (`jobs:` → `build:`); a step is an item of a list the job
//! holds (`steps:` → `- uses: …`), not an item nested deeper (a matrix's `include:`). The
//! text of a block scalar (`run: |`) and of a flow collection spread over lines
//! (`with: {…}`) is content, not layout: an `if:` written in it guards nothing. Where the
//! layout is not what block YAML looks like, no entry is found and nothing is discounted.

use std::ops::Range;

use crate::quotes::unquoted;
use crate::rules::Pattern;

/// How long an entry the guard is matched against: a condition is a line or a few, and a
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
    /// Part of the layout: neither blank, nor a comment, nor the text of a block scalar or of
    /// a flow collection opened on an earlier line.
    significant: bool,
}

impl Line {
    fn is_item(&self) -> bool {
        self.key > self.indent
    }
}

/// What the lines before have opened: a line inside it is content, not layout.
enum Open {
    Nothing,
    /// A block scalar whose key starts at this column: it holds every line indented further.
    Scalar(usize),
    /// A flow collection this many brackets deep.
    Flow(usize),
}

impl Layout {
    pub fn of(text: &[u8]) -> Layout {
        let mut lines = Vec::new();
        let mut aliased = false;
        let mut open = Open::Nothing;
        let mut start = 0;
        for line in text.split(|&b| b == b'\n') {
            let span = start..start + line.len();
            start += line.len() + 1;
            let indent = line
                .iter()
                .take_while(|&&b| b == b' ' || b == b'\t')
                .count();
            let rest = line[indent..].trim_ascii();
            let blank = rest.is_empty() || rest.starts_with(b"#");
            let content = match open {
                Open::Scalar(column) if blank || indent > column => true,
                Open::Flow(depth) => {
                    // A flow collection's text is no layout, but an alias in it is one
                    // (`steps: [` then `*checkout ]`).
                    aliased |= !blank && has_alias(rest);
                    let depth = depth as isize + brackets(&without_comments(line));
                    open = match usize::try_from(depth) {
                        Ok(depth) if depth > 0 => Open::Flow(depth),
                        _ => Open::Nothing,
                    };
                    true
                }
                _ => false,
            };
            if content || blank {
                lines.push(Line {
                    span,
                    indent,
                    key: indent,
                    significant: false,
                });
                continue;
            }
            let mut key = indent;
            while line.get(key) == Some(&b'-') && matches!(line.get(key + 1), Some(b' ' | b'\t')) {
                key += 2;
                key += line[key..].iter().take_while(|&&b| b == b' ').count();
            }
            aliased |= has_alias(rest);
            open = opened(&without_comments(&line[key..]), key);
            lines.push(Line {
                span,
                indent,
                key,
                significant: true,
            });
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
                // (Not the start of a longer one: what follows may undo it, `|| true`.)
                if entry.len() > ENTRY_READ {
                    return false;
                }
                let condition = without_comments(&text[entry]);
                guard
                    .find(&condition)
                    .is_some_and(|found| found.start() == 0)
            })
        })
    }

    /// The lines opening the mappings that hold line `at`: the step (an item of a list the
    /// job holds, line `at` itself when it is one) and the job (one level below a top-level
    /// key).
    fn holders(&self, at: usize) -> impl Iterator<Item = usize> + '_ {
        let lines = &self.lines;
        // Line `at` and the lines opening what holds it, nearest first, to the margin.
        let mut chain = vec![at];
        let mut bound = lines[at].indent;
        for k in (0..at).rev() {
            if bound == 0 {
                break;
            }
            let line = &lines[k];
            if line.significant && line.indent < bound {
                bound = line.indent;
                chain.push(k);
            }
        }
        let outermost = chain.len() - 1;
        if lines[chain[outermost]].indent > 0 || !lines[chain[outermost]].significant {
            return None.into_iter().chain(None);
        }
        // Inside the job: the step, as an item written at its list's own indent
        // (`steps:\n- run:`), or the key holding the list, then the step.
        let inside = |depth: usize| outermost.checked_sub(depth).map(|k| chain[k]);
        let step = match inside(2) {
            Some(k) if lines[k].is_item() => Some(k),
            Some(_) => inside(3).filter(|&k| lines[k].is_item()),
            None => None,
        };
        step.into_iter().chain(inside(1))
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

/// What a line opens from its key column: a block scalar (`run: |`, `if: >-`) or a flow
/// collection left unclosed (`with: {`).
fn opened(line: &[u8], key: usize) -> Open {
    let line = line.trim_ascii_end();
    let indicators = line
        .iter()
        .rev()
        .take_while(|&&b| b == b'-' || b == b'+' || b.is_ascii_digit())
        .count();
    let header = &line[..line.len() - indicators];
    if let [before @ .., b'|' | b'>'] = header
        && before.last().is_none_or(|b| b.is_ascii_whitespace())
    {
        return Open::Scalar(key);
    }
    match value(line) {
        Some(flow @ [b'{' | b'[', ..]) => match usize::try_from(brackets(flow)) {
            Ok(depth) if depth > 0 => Open::Flow(depth),
            _ => Open::Nothing,
        },
        _ => Open::Nothing,
    }
}

/// A line's value: after its key's `: `, or the whole of it where it has no key (a list
/// item's scalar or collection).
fn value(line: &[u8]) -> Option<&[u8]> {
    if matches!(line.first(), Some(b'{' | b'[')) {
        return Some(line);
    }
    let colon = position_outside_quotes(line, |at, b| {
        b == b':' && matches!(line.get(at + 1), Some(b' ' | b'\t'))
    })?;
    Some(line[colon + 1..].trim_ascii_start())
}

/// Where in `line` the first byte outside quotes that `found` takes (by offset and value) is.
fn position_outside_quotes(line: &[u8], found: impl Fn(usize, u8) -> bool) -> Option<usize> {
    unquoted(line)
        .find(|&(at, byte)| found(at, byte))
        .map(|(at, _)| at)
}

/// Brackets opened less brackets closed, outside quotes.
fn brackets(text: &[u8]) -> isize {
    unquoted(text)
        .map(|(_, byte)| match byte {
            b'{' | b'[' => 1,
            b'}' | b']' => -1,
            _ => 0,
        })
        .sum()
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
        let comment = position_outside_quotes(line, |at, b| {
            b == b'#' && (at == 0 || matches!(line[at - 1], b' ' | b'\t'))
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

    /// Where `MARK` is guarded in `text` by an `if:` naming `.fork == false`.
    fn guarded_in(text: &str) -> bool {
        let guard = Pattern::compile(r"\Aif:[^|]*\.fork == false").unwrap();
        let at = text.find("MARK").unwrap();
        Layout::of(text.as_bytes()).is_guarded(text.as_bytes(), at, &guard)
    }

    #[test]
    fn a_block_scalars_text_is_no_layout() {
        // A script line shaped like a step's condition, under the step it belongs to.
        assert!(!guarded_in(
            "jobs:\n  a:\n    steps:\n      - run: |\n          echo\n        - if: x.fork == false\n          ref: MARK\n"
        ));
        assert!(!guarded_in(
            "jobs:\n  a:\n    steps:\n      - uses: c\n        with:\n          script: >-\n            x\n          if: x.fork == false\n          ref: MARK\n"
        ));
    }

    #[test]
    fn a_flow_collections_text_is_no_layout() {
        assert!(!guarded_in(
            "jobs:\n  a:\n    steps:\n      - uses: c\n        with: {\n        if: x.fork == false,\n        ref: MARK }\n"
        ));
        // Closed again, the layout goes on: the next step's own condition guards it.
        assert!(guarded_in(
            "jobs:\n  a:\n    steps:\n      - uses: c\n        with: { a: [1,\n          2] }\n      - if: x.fork == false\n        ref: MARK\n"
        ));
    }

    #[test]
    fn only_a_step_of_the_job_guards_not_an_item_nested_deeper() {
        assert!(!guarded_in(
            "jobs:\n  a:\n    strategy:\n      matrix:\n        include:\n          - if: x.fork == false\n            ref: MARK\n"
        ));
        // A step written at its list's own indent is a step all the same.
        assert!(guarded_in(
            "jobs:\n  a:\n    steps:\n    - if: x.fork == false\n      with:\n        ref: MARK\n"
        ));
    }

    #[test]
    fn the_top_level_is_never_guarded() {
        assert!(!guarded("on:"));
        assert!(!guarded("pull_request_target"));
    }
}

//! `unless-guarded-by`: a match in a YAML file does not count where a mapping enclosing it,
//! below the top level (a workflow's job, one of its steps), has an entry the guard matches
//! from its start (an `if:` that lets only the repository's own branches through).
//!
//! Read by indentation, as the text is written: which job a line is in needs no parser, and
//! a file that does not parse is read all the same. Where the layout is not what block YAML
//! looks like, no entry is found and nothing is discounted.

use std::ops::Range;

use crate::rules::Pattern;

/// Whether a mapping enclosing `offset` in `text`, not at the top level, has an entry that
/// `guard` matches from its first character.
pub fn is_guarded(text: &[u8], offset: usize, guard: &Pattern) -> bool {
    let lines = lines(text);
    let Some(at) = lines.iter().rposition(|line| line.span.start <= offset) else {
        return false;
    };
    enclosing(&lines, at).any(|parent| {
        entries(&lines, parent).any(|entry| {
            guard
                .find(&text[entry])
                .is_some_and(|found| found.start() == 0)
        })
    })
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

fn lines(text: &[u8]) -> Vec<Line> {
    let mut lines = Vec::new();
    let mut start = 0;
    for end in line_ends(text) {
        let line = &text[start..end];
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
        lines.push(Line {
            span: start..end,
            indent,
            key,
            significant: !rest.is_empty() && !rest.starts_with(b"#"),
        });
        start = end + 1;
    }
    lines
}

/// The end of each line (the offset of its `\n`, or the text's end).
fn line_ends(text: &[u8]) -> impl Iterator<Item = usize> + '_ {
    let mut from = 0;
    std::iter::from_fn(move || {
        if from > text.len() {
            return None;
        }
        let end = text[from..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(text.len(), |at| from + at);
        from = end + 1;
        Some(end)
    })
}

/// The lines whose blocks hold line `at`, innermost first, down to but not including the
/// top level (indent 0).
fn enclosing(lines: &[Line], at: usize) -> impl Iterator<Item = usize> + '_ {
    let mut bound = lines[at].indent;
    let mut next = at;
    std::iter::from_fn(move || {
        while next > 0 && bound > 0 {
            next -= 1;
            let line = &lines[next];
            if line.significant && line.indent < bound {
                bound = line.indent;
                return (bound > 0).then_some(next);
            }
        }
        None
    })
}

/// The spans of the entries of the mapping that line `parent` opens, each from its key: for a
/// list item, its first key and the keys aligned with it; for a key, the keys one level in
/// (not the list items under it, which are mappings of their own). Each runs to the next
/// line at or left of its key, so a value folded over several lines (`if: >-`) is in it.
fn entries(lines: &[Line], parent: usize) -> impl Iterator<Item = Range<usize>> + '_ {
    let own = &lines[parent];
    let block_end = (parent + 1..lines.len())
        .find(|&k| lines[k].significant && lines[k].indent <= own.indent)
        .unwrap_or(lines.len());
    let inside = parent + 1..block_end;
    let column = if own.is_item() {
        Some(own.key)
    } else {
        inside
            .clone()
            .find(|&k| lines[k].significant)
            .map(|k| lines[k].indent)
    };
    let first = own.is_item().then_some(parent);
    first
        .into_iter()
        .chain(inside.clone().filter(move |&k| {
            let line = &lines[k];
            line.significant && !line.is_item() && Some(line.indent) == column
        }))
        .map(move |k| {
            let key = if k == parent {
                lines[k].key
            } else {
                lines[k].indent
            };
            let end = (k + 1..block_end)
                .find(|&j| lines[j].significant && lines[j].indent <= key)
                .map_or(lines[block_end - 1].span.end, |j| lines[j].span.start);
            lines[k].span.start + key..end
        })
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
        is_guarded(WORKFLOW.as_bytes(), offset, &guard)
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
    fn the_top_level_is_never_guarded() {
        assert!(!guarded("on:"));
        assert!(!guarded("pull_request_target"));
    }
}

//! Lines added and removed between two versions of a file, exactly as imara-diff's Myers (and
//! so git's xdiff) counts them, without interning the lines both versions share.
//!
//! A typical commit edits a few lines of a long file. Interning every line of both versions
//! (hashing each, inserting one side and comparing the other's against it) was a sixth of the
//! history pass. Myers itself trims the common first and last lines before it searches; what it
//! still needs from them is how often each line *between* the trimmed ends occurs in the whole
//! of the other version (git's `xdl_cleanup_records` limits). So only the lines between the ends
//! are interned; a shared line is looked up (never inserted) and keeps its token when some line
//! between the ends has the same contents, or else takes one placeholder token that nothing
//! between the ends has. The token sequences handed to Myers then trim to the same ends, count
//! every looked-up token the same, and give the same edit script as interning everything.

use std::hash::BuildHasher;
use std::ops::Range;

use gix::diff::blob::Token;
use gix::diff::blob::{Algorithm, Diff};
use hashbrown::DefaultHashBuilder;
use hashbrown::hash_table::{Entry, HashTable};

/// Buffers reused from one file to the next on a thread.
#[derive(Default)]
pub struct LineCounter {
    old_lines: Vec<Range<usize>>,
    new_lines: Vec<Range<usize>>,
    shared_lines: Vec<Range<usize>>,
    interner: Interner,
    before: Vec<Token>,
    after: Vec<Token>,
    diff: Diff,
}

/// Up to this many distinct lines between the shared ends, each is searched for in the shared
/// ends (a vectorised scan per line); with more, the shared ends are split into lines and each
/// is looked up.
const SEARCHED_LINES: usize = 16;

impl LineCounter {
    /// Lines added to and removed from `old` to make `new`: `(added, removed)`.
    pub fn count(&mut self, old: &[u8], new: &[u8]) -> (u32, u32) {
        let head = shared_head(old, new);
        let tail = shared_tail(old, new, head);
        split_lines(old, head..old.len() - tail, &mut self.old_lines);
        split_lines(new, head..new.len() - tail, &mut self.new_lines);
        let (old_middle, new_middle) = (&self.old_lines, &self.new_lines);
        if old_middle.is_empty() || new_middle.is_empty() {
            return (to_u32(new_middle.len()), to_u32(old_middle.len()));
        }

        let texts = [old, new];
        let interner = &mut self.interner;
        interner.clear();
        let (before, after) = (&mut self.before, &mut self.after);
        before.clear();
        after.clear();
        // The shared lines first, then the lines between them: Myers strips the same ends
        // (every shared line is alike on both sides, the first and last lines between them
        // differ) and counts the same occurrences whatever order the shared lines are in.
        let middle_tokens = |lines: &[Range<usize>], text, interner: &mut Interner| {
            lines
                .iter()
                .map(|line| interner.intern(&texts, text, line))
                .collect::<Vec<Token>>()
        };
        let old_tokens = middle_tokens(old_middle, OLD, interner);
        let new_tokens = middle_tokens(new_middle, NEW, interner);
        let placeholder = Token(interner.len());
        let shared = [0..head, old.len() - tail..old.len()];
        if interner.len() as usize <= SEARCHED_LINES {
            for token in 0..interner.len() {
                let line = interner.contents(&texts, Token(token));
                let occurrences: usize = shared
                    .iter()
                    .map(|region| whole_line_occurrences(&old[region.clone()], line))
                    .sum();
                before.extend(std::iter::repeat_n(Token(token), occurrences));
            }
            let shared_count: usize = shared
                .iter()
                .map(|region| line_count(&old[region.clone()]))
                .sum();
            before.resize(shared_count, placeholder);
        } else {
            for region in shared {
                split_lines(old, region, &mut self.shared_lines);
                before.extend(
                    self.shared_lines
                        .iter()
                        .map(|line| interner.find(&texts, OLD, line).unwrap_or(placeholder)),
                );
            }
        }
        after.extend_from_slice(before);
        before.extend(old_tokens);
        after.extend(new_tokens);
        self.diff
            .compute_with(Algorithm::Myers, before, after, placeholder.0 + 1);
        (self.diff.count_additions(), self.diff.count_removals())
    }
}

/// `old` and `new` without the whole lines they share at the start and at the end: the
/// lines a change is about.
pub fn changed_lines<'a>(old: &'a [u8], new: &'a [u8]) -> (&'a [u8], &'a [u8]) {
    let head = shared_head(old, new);
    let tail = shared_tail(old, new, head);
    (&old[head..old.len() - tail], &new[head..new.len() - tail])
}

/// Bytes at the start of `old` and `new` that are the same whole lines in both.
fn shared_head(old: &[u8], new: &[u8]) -> usize {
    let same = common_prefix(old, new);
    match memchr::memrchr(b'\n', &old[..same]) {
        Some(newline) => newline + 1,
        None => 0,
    }
}

/// Bytes at the end of `old` and `new`, after their first `head` bytes, that are the same
/// whole lines in both.
fn shared_tail(old: &[u8], new: &[u8], head: usize) -> usize {
    let (old_rest, new_rest) = (&old[head..], &new[head..]);
    let same = common_suffix(old_rest, new_rest);
    let starts_line = |text: &[u8], at: usize| at == head || text[at - 1] == b'\n';
    if starts_line(old, old.len() - same) && starts_line(new, new.len() - same) {
        return same;
    }
    let region = &old_rest[old_rest.len() - same..];
    match memchr::memchr(b'\n', region) {
        Some(newline) => same - newline - 1,
        None => 0,
    }
}

fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    const CHUNK: usize = 64;
    let len = a.len().min(b.len());
    let mut same = 0;
    while same + CHUNK <= len && a[same..same + CHUNK] == b[same..same + CHUNK] {
        same += CHUNK;
    }
    same + a[same..len]
        .iter()
        .zip(&b[same..len])
        .take_while(|(x, y)| x == y)
        .count()
}

fn common_suffix(a: &[u8], b: &[u8]) -> usize {
    const CHUNK: usize = 64;
    let len = a.len().min(b.len());
    let (a, b) = (&a[a.len() - len..], &b[b.len() - len..]);
    let mut same = 0;
    while same + CHUNK <= len
        && a[len - same - CHUNK..len - same] == b[len - same - CHUNK..len - same]
    {
        same += CHUNK;
    }
    same + a[..len - same]
        .iter()
        .rev()
        .zip(b[..len - same].iter().rev())
        .take_while(|(x, y)| x == y)
        .count()
}

/// How often `line` (with its `\n`) is a whole line of `region`, which is made of whole lines.
fn whole_line_occurrences(region: &[u8], line: &[u8]) -> usize {
    // The last line of a file may lack its newline; the shared lines that follow it in the
    // other version cannot then exist, and a line of the shared head always has one.
    if line.last() != Some(&b'\n') {
        return 0;
    }
    // A match starting a line holds a newline only at its end, so it overlaps no earlier
    // match: non-overlapping search finds every one.
    memchr::memmem::find_iter(region, line)
        .filter(|&at| at == 0 || region[at - 1] == b'\n')
        .count()
}

/// Lines as git counts them: a last line without a newline still counts.
fn line_count(text: &[u8]) -> usize {
    let newlines = text.iter().filter(|&&byte| byte == b'\n').count();
    newlines + usize::from(text.last().is_some_and(|&byte| byte != b'\n'))
}

const OLD: usize = 0;
const NEW: usize = 1;

/// Lines of two texts as tokens: equal contents, equal token.
#[derive(Default)]
struct Interner {
    /// Token → its line: which text (`OLD` or `NEW`) and where in it.
    lines: Vec<(usize, Range<usize>)>,
    table: HashTable<u32>,
    hasher: DefaultHashBuilder,
}

impl Interner {
    fn clear(&mut self) {
        self.lines.clear();
        self.table.clear();
    }

    fn len(&self) -> u32 {
        to_u32(self.lines.len())
    }

    fn contents<'a>(&self, texts: &[&'a [u8]; 2], token: Token) -> &'a [u8] {
        let (text, line) = &self.lines[token.0 as usize];
        &texts[*text][line.clone()]
    }

    fn intern(&mut self, texts: &[&[u8]; 2], text: usize, line: &Range<usize>) -> Token {
        let contents = &texts[text][line.clone()];
        let Interner {
            lines,
            table,
            hasher,
        } = self;
        let of = |token: u32| {
            let (text, line) = &lines[token as usize];
            &texts[*text][line.clone()]
        };
        match table.entry(
            hasher.hash_one(contents),
            |&token| of(token) == contents,
            |&token| hasher.hash_one(of(token)),
        ) {
            Entry::Occupied(entry) => Token(*entry.get()),
            Entry::Vacant(entry) => {
                let token = to_u32(lines.len());
                entry.insert(token);
                lines.push((text, line.clone()));
                Token(token)
            }
        }
    }

    /// The token of a line with these contents, if one was interned.
    fn find(&self, texts: &[&[u8]; 2], text: usize, line: &Range<usize>) -> Option<Token> {
        let contents = &texts[text][line.clone()];
        self.table
            .find(self.hasher.hash_one(contents), |&token| {
                let (text, line) = &self.lines[token as usize];
                &texts[*text][line.clone()] == contents
            })
            .map(|&token| Token(token))
    }
}

/// The lines of `text[within]` as imara-diff's byte lines split them: each with its `\n`, the
/// last one possibly without.
fn split_lines(text: &[u8], within: Range<usize>, lines: &mut Vec<Range<usize>>) {
    lines.clear();
    let mut start = within.start;
    for newline in memchr::memchr_iter(b'\n', &text[within.clone()]) {
        let end = within.start + newline + 1;
        lines.push(start..end);
        start = end;
    }
    if start < within.end {
        lines.push(start..within.end);
    }
}

fn to_u32(count: usize) -> u32 {
    u32::try_from(count).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use gix::bstr::ByteSlice;
    use gix::diff::blob::InternedInput;

    #[test]
    fn changed_lines_are_whole_lines_between_the_shared_ends() {
        // (old, new, what of old changed, what of new changed)
        type Case = (&'static [u8], &'static [u8], &'static [u8], &'static [u8]);
        let cases: [Case; 6] = [
            (b"a\nb\nc\n", b"a\nx\nc\n", b"b\n", b"x\n"),
            (b"a\nbc\nd\n", b"a\nbx\nd\n", b"bc\n", b"bx\n"),
            (b"a\n", b"a\nb\n", b"", b"b\n"),
            (b"", b"a\n", b"", b"a\n"),
            (b"same\n", b"same\n", b"", b""),
            // The shared end `b\n` is only shared from a line start.
            (b"xab\n", b"yb\n", b"xab\n", b"yb\n"),
        ];
        for (old, new, old_changed, new_changed) in cases {
            assert_eq!(
                changed_lines(old, new),
                (old_changed, new_changed),
                "{:?} -> {:?}",
                old.as_bstr(),
                new.as_bstr()
            );
        }
    }

    /// What interning every line gives: the reference.
    fn interned(old: &[u8], new: &[u8]) -> (u32, u32) {
        let input = InternedInput::new(old, new);
        let mut diff = Diff::default();
        diff.compute_with(
            Algorithm::Myers,
            &input.before,
            &input.after,
            input.interner.num_tokens(),
        );
        (diff.count_additions(), diff.count_removals())
    }

    #[test]
    fn counts_equal_interning_every_line() {
        let cases: &[(&str, &str)] = &[
            ("", ""),
            ("", "a\n"),
            ("a\n", ""),
            ("a\nb\nc\n", "a\nb\nc\n"),
            ("a\nb\nc\n", "a\nx\nc\n"),
            ("a\nb", "a\nb\n"),
            ("a\r\nb\n", "a\nb\n"),
            ("a\nb\nc\n", "a\nb\nc\nd\n"),
            ("x\na\nb\n", "a\nb\n"),
            // Lines of the shared ends that also occur between them.
            ("}\n}\nfoo\n}\n}\n", "}\n}\nbar\n}\n}\n}\n"),
            ("a\nb\na\nb\n", "b\na\nb\na\n"),
        ];
        // A brace between lines found nowhere else is frequent only counting the shared ends,
        // and then pruned as git prunes it.
        let braces = "}\n".repeat(40);
        // Fifteen distinct lines between the ends are searched for, seventeen looked up.
        let fifteen = (
            format!("{braces}a1\na2\na3\n}}\nb1\nb2\nb3\nb4\n{braces}"),
            format!("{braces}c1\nc2\nc3\n}}\nd1\nd2\nd3\nd4\n{braces}"),
        );
        let seventeen = (
            format!("{braces}a1\na2\na3\na4\n}}\nb1\nb2\nb3\nb4\n{braces}"),
            format!("{braces}c1\nc2\nc3\nc4\n}}\nd1\nd2\nd3\nd4\n{braces}"),
        );
        assert_eq!(interned(fifteen.0.as_bytes(), fifteen.1.as_bytes()), (8, 8));
        assert_eq!(
            interned(seventeen.0.as_bytes(), seventeen.1.as_bytes()),
            (9, 9)
        );
        let pruned = [fifteen, seventeen];
        let pruned = pruned.iter().map(|(old, new)| (old.as_str(), new.as_str()));
        let cases: Vec<(&str, &str)> = cases.iter().copied().chain(pruned).collect();
        let mut counter = LineCounter::default();
        for (old, new) in &cases {
            let (old, new) = (old.as_bytes(), new.as_bytes());
            assert_eq!(
                counter.count(old, new),
                interned(old, new),
                "{old:?} -> {new:?}"
            );
        }
    }

    /// Frequent lines (blank lines, braces) decide what Myers prunes: pseudo-random edits of
    /// texts made of few distinct lines exercise that against the reference.
    #[test]
    fn counts_equal_interning_on_generated_edits() {
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move |bound: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % bound
        };
        // Few distinct lines (each searched for in the shared ends) and many (the shared ends
        // split and looked up), some without a last newline.
        let few = [
            "\n",
            "}\n",
            "{\n",
            "fn a()\n",
            "x += 1;\n",
            "return x;\n",
            "y",
        ];
        let many: Vec<String> = (0..40)
            .map(|line| format!("line {}\n", line % 37))
            .collect();
        let many: Vec<&str> = many
            .iter()
            .map(String::as_str)
            .chain(["}\n", "\n", "end"])
            .collect();
        let mut counter = LineCounter::default();
        for round in 0..4_000 {
            let alphabet: &[&str] = if round % 2 == 0 { &few } else { &many };
            let length = next(600) as usize;
            let old: Vec<&str> = (0..length)
                .map(|_| alphabet[next(alphabet.len() as u64) as usize])
                .collect();
            let mut new = old.clone();
            // Edits near one place leave long shared ends, whose lines then decide how often
            // the lines between them occur.
            let around = next(new.len() as u64 + 1) as usize;
            for edit in 0..next(12) {
                let at = (around + next(9) as usize).saturating_sub(4).min(new.len());
                let unique = format!("edit {round} {edit}\n");
                match next(4) {
                    0 if at < new.len() => {
                        new.remove(at);
                    }
                    1 if at < new.len() => new[at] = alphabet[next(alphabet.len() as u64) as usize],
                    2 => new.insert(at, alphabet[next(alphabet.len() as u64) as usize]),
                    _ => new.insert(at, unique.leak()),
                }
            }
            let (old, new) = (old.concat(), new.concat());
            let (old, new) = (old.as_bytes(), new.as_bytes());
            assert_eq!(counter.count(old, new), interned(old, new));
        }
    }
}

//! Rename detection as `git diff` does it by default (`diff.renames`, 50 % similarity, no
//! copies), so a moved file counts as one changed file with its edits, as `git log --numstat`
//! counts it, not as every line deleted and added again.
//!
//! Git's order of work (diffcore-rename.c): exact renames (same blob, same kind of entry;
//! among several sources the one with the same file name wins); then pairs whose file name
//! is unique among what is left on both sides and whose contents are at least 75 % similar;
//! then, unless there are more than a million pairs to compare, the best four sources per
//! destination at 50 % or more, best score first. Similarity is git's: both files cut into
//! chunks that end at a newline or after 64 bytes, and the share of the larger file's bytes
//! whose chunks the other file has too.

use gix::ObjectId;
use gix::bstr::{BStr, ByteSlice};
use gix::objs::tree::EntryKind;

use crate::facts::content::is_binary;

/// Git's scale of similarity.
const MAX_SCORE: u64 = 60_000;
/// `diff.renames`' default: 50 %.
const MINIMUM_SCORE: u64 = MAX_SCORE / 2;
/// File names unique on both sides are paired at this score: halfway to identical.
const BASENAME_SCORE: u64 = MINIMUM_SCORE + (MAX_SCORE - MINIMUM_SCORE) / 2;
/// `diff.renameLimit`'s default: past this many sources times destinations, only exact
/// renames and file-name matches are looked for.
const RENAME_LIMIT: usize = 1000;
/// Candidates kept per destination in the full comparison.
const CANDIDATES_PER_DESTINATION: usize = 4;
/// Git's modulus for chunk hashes.
const HASH_BASE: u32 = 107_927;

/// A deleted or an added file.
pub struct Candidate<'a> {
    pub path: &'a BStr,
    pub id: ObjectId,
    /// A file, a symlink or a submodule: exact renames keep the kind, and only files are
    /// compared by contents.
    pub kind: EntryKind,
    pub data: &'a [u8],
}

impl Candidate<'_> {
    /// A regular or executable file: the same type to git.
    fn regular(&self) -> bool {
        matches!(self.kind, EntryKind::Blob | EntryKind::BlobExecutable)
    }
}

/// Pairs of (deleted, added) indices that are renames.
pub fn detect(deleted: &[Candidate], added: &[Candidate]) -> Vec<(usize, usize)> {
    let mut pairs = Vec::new();
    if deleted.is_empty() || added.is_empty() {
        return pairs;
    }
    let mut source_used = vec![false; deleted.len()];
    let mut destination_used = vec![false; added.len()];
    exact(
        deleted,
        added,
        &mut source_used,
        &mut destination_used,
        &mut pairs,
    );
    let mut chunks: Vec<Option<Chunks>> = Vec::new();
    chunks.resize_with(deleted.len() + added.len(), || None);
    let mut similarity = |source: usize, destination: usize| {
        score(
            &deleted[source],
            &added[destination],
            (source, deleted.len() + destination),
            &mut chunks,
        )
    };
    // Unique file names on both sides.
    for (source, destination) in unique_name_pairs(deleted, added, &source_used, &destination_used)
    {
        if similarity(source, destination) >= BASENAME_SCORE {
            source_used[source] = true;
            destination_used[destination] = true;
            pairs.push((source, destination));
        }
    }
    let sources: Vec<usize> = (0..deleted.len()).filter(|&i| !source_used[i]).collect();
    let destinations: Vec<usize> = (0..added.len()).filter(|&i| !destination_used[i]).collect();
    if sources.is_empty()
        || destinations.is_empty()
        || sources.len() * destinations.len() > RENAME_LIMIT * RENAME_LIMIT
    {
        return pairs;
    }
    // The best few sources of each destination, then the best pairs overall.
    let mut matrix: Vec<Scored> = Vec::new();
    for &destination in &destinations {
        let mut best: Vec<Scored> = Vec::with_capacity(CANDIDATES_PER_DESTINATION);
        for &source in &sources {
            let candidate = Scored {
                score: similarity(source, destination),
                same_name: same_name(&deleted[source], &added[destination]),
                source,
                destination,
            };
            keep_if_better(&mut best, candidate);
        }
        matrix.extend(best);
    }
    matrix.sort_by_key(|scored| std::cmp::Reverse((scored.score, scored.same_name)));
    for scored in matrix {
        if scored.score < MINIMUM_SCORE {
            break;
        }
        if destination_used[scored.destination] || source_used[scored.source] {
            continue;
        }
        destination_used[scored.destination] = true;
        source_used[scored.source] = true;
        pairs.push((scored.source, scored.destination));
    }
    pairs
}

#[derive(Clone, Copy)]
struct Scored {
    score: u64,
    same_name: bool,
    source: usize,
    destination: usize,
}

/// Keeps the `CANDIDATES_PER_DESTINATION` best, replacing the worst only with a better one.
fn keep_if_better(best: &mut Vec<Scored>, candidate: Scored) {
    if best.len() < CANDIDATES_PER_DESTINATION {
        best.push(candidate);
        return;
    }
    let key = |scored: &Scored| (scored.score, scored.same_name);
    let worst = (0..best.len())
        .min_by_key(|&index| key(&best[index]))
        .expect("`best` is full here, and CANDIDATES_PER_DESTINATION is not zero");
    if key(&candidate) > key(&best[worst]) {
        best[worst] = candidate;
    }
}

/// Same blob, same kind: for each destination the unused source with the same file name if
/// there is one, else the first.
fn exact(
    deleted: &[Candidate],
    added: &[Candidate],
    source_used: &mut [bool],
    destination_used: &mut [bool],
    pairs: &mut Vec<(usize, usize)>,
) {
    for (destination, target) in added.iter().enumerate() {
        let source = deleted
            .iter()
            .enumerate()
            .filter(|(source, candidate)| {
                !source_used[*source]
                    && candidate.id == target.id
                    && (candidate.kind == target.kind || candidate.regular() && target.regular())
            })
            .max_by_key(|(source, candidate)| {
                (same_name(candidate, target), std::cmp::Reverse(*source))
            })
            .map(|(source, _)| source);
        if let Some(source) = source {
            source_used[source] = true;
            destination_used[destination] = true;
            pairs.push((source, destination));
        }
    }
}

/// Sources and destinations whose file name no other remaining source, or destination, has.
fn unique_name_pairs(
    deleted: &[Candidate],
    added: &[Candidate],
    source_used: &[bool],
    destination_used: &[bool],
) -> Vec<(usize, usize)> {
    let sources = unique_names(deleted, source_used);
    let destinations = unique_names(added, destination_used);
    let mut pairs: Vec<(usize, usize)> = sources
        .iter()
        .filter_map(|(name, source)| Some(((*source)?, (*destinations.get(name)?)?)))
        .collect();
    pairs.sort_unstable();
    pairs
}

/// Each remaining file name, with its index when no other remaining file has it.
fn unique_names<'a>(
    candidates: &[Candidate<'a>],
    used: &[bool],
) -> std::collections::HashMap<&'a [u8], Option<usize>> {
    let mut names = std::collections::HashMap::new();
    for (index, candidate) in candidates.iter().enumerate().filter(|(i, _)| !used[*i]) {
        names
            .entry(file_name(candidate.path))
            .and_modify(|seen: &mut Option<usize>| *seen = None)
            .or_insert(Some(index));
    }
    names
}

fn file_name(path: &BStr) -> &[u8] {
    path.rfind_byte(b'/')
        .map_or(path, |slash| &path[slash + 1..])
}

fn same_name(a: &Candidate, b: &Candidate) -> bool {
    file_name(a.path) == file_name(b.path)
}

/// Git's similarity of two files, 0 to `MAX_SCORE`; 0 for anything but regular files, or
/// sizes too far apart for the minimum score.
fn score(
    source: &Candidate,
    destination: &Candidate,
    (source_slot, destination_slot): (usize, usize),
    chunks: &mut [Option<Chunks>],
) -> u64 {
    if !source.regular() || !destination.regular() {
        return 0;
    }
    let (small, large) = {
        let (a, b) = (source.data.len() as u64, destination.data.len() as u64);
        (a.min(b), a.max(b))
    };
    if large * (MAX_SCORE - MINIMUM_SCORE) < (large - small) * MAX_SCORE || large == 0 {
        return 0;
    }
    for (slot, data) in [
        (source_slot, source.data),
        (destination_slot, destination.data),
    ] {
        if chunks[slot].is_none() {
            chunks[slot] = Some(Chunks::of(data));
        }
    }
    match (&chunks[source_slot], &chunks[destination_slot]) {
        (Some(source), Some(destination)) => source.copied_into(destination) * MAX_SCORE / large,
        _ => 0,
    }
}

/// A file's chunks as (hash, bytes) sorted by hash, bytes summed per hash.
struct Chunks(Vec<(u32, u64)>);

impl Chunks {
    /// Chunks end at a newline or after 64 bytes; a CR before a LF is skipped in text; a
    /// last chunk that does neither is left out, as git leaves it.
    fn of(data: &[u8]) -> Chunks {
        let text = !is_binary(data);
        let mut chunks: Vec<(u32, u64)> = Vec::new();
        let (mut accum1, mut accum2, mut length) = (0u32, 0u32, 0u64);
        for (index, &byte) in data.iter().enumerate() {
            if text && byte == b'\r' && data.get(index + 1) == Some(&b'\n') {
                continue;
            }
            let old = accum1;
            accum1 = (accum1 << 7) ^ (accum2 >> 25);
            accum2 = (accum2 << 7) ^ (old >> 25);
            accum1 = accum1.wrapping_add(u32::from(byte));
            length += 1;
            if length < 64 && byte != b'\n' {
                continue;
            }
            let hash = accum1.wrapping_add(accum2.wrapping_mul(0x61)) % HASH_BASE;
            chunks.push((hash, length));
            (accum1, accum2, length) = (0, 0, 0);
        }
        chunks.sort_unstable_by_key(|&(hash, _)| hash);
        chunks.dedup_by(|next, kept| {
            let same = next.0 == kept.0;
            if same {
                kept.1 += next.1;
            }
            same
        });
        Chunks(chunks)
    }

    /// Bytes of these chunks the other file has too: per hash, the smaller count.
    fn copied_into(&self, other: &Chunks) -> u64 {
        let (mut copied, mut theirs) = (0, other.0.iter().peekable());
        for &(hash, count) in &self.0 {
            while theirs
                .next_if(|&&(other_hash, _)| other_hash < hash)
                .is_some()
            {}
            if let Some(&&(other_hash, other_count)) = theirs.peek()
                && other_hash == hash
            {
                copied += count.min(other_count);
                theirs.next();
            }
        }
        copied
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn candidate<'a>(path: &'a str, data: &'a str) -> Candidate<'a> {
        let id = gix::objs::compute_hash(
            gix::hash::Kind::Sha1,
            gix::objs::Kind::Blob,
            data.as_bytes(),
        )
        .expect("hashes");
        Candidate {
            path: path.into(),
            id,
            kind: EntryKind::Blob,
            data: data.as_bytes(),
        }
    }

    #[test]
    fn exact_then_by_name_then_by_similarity() {
        let body: String = (0..40).map(|n| format!("line number {n}\n")).collect();
        let edited = body.replace("line number 3\n", "changed\n");
        let other: String = (0..40).map(|n| format!("something else {n}\n")).collect();
        let deleted = [
            candidate("a/same.txt", &body),
            candidate("old/name.rs", &edited),
            candidate("gone.txt", &other),
        ];
        let added = [
            candidate("b/moved.txt", &body),
            candidate("new/name.rs", &body),
            candidate("unrelated.txt", "tiny\n"),
        ];
        let mut pairs = detect(&deleted, &added);
        pairs.sort();
        assert_eq!(pairs, [(0, 0), (1, 1)]);
    }

    #[test]
    fn similarity_counts_shared_chunks_of_the_larger_file() {
        let a = Chunks::of(b"one\ntwo\nthree\nfour\n");
        let b = Chunks::of(b"one\ntwo\nthree\nFOUR\n");
        assert_eq!(a.copied_into(&b), 14);
        // A last line without a newline is no chunk.
        assert_eq!(
            Chunks::of(b"one\ntail").0.iter().map(|c| c.1).sum::<u64>(),
            4
        );
        // CRLF counts as LF in text.
        assert_eq!(Chunks::of(b"one\r\n").copied_into(&Chunks::of(b"one\n")), 4);
    }
}

//! What a commit changed against its first parent, counted as `git log --numstat` counts
//! it: per file, lines added and removed, or none for a binary file; a renamed file once,
//! at its new path (or, without rename detection, as `--no-renames` counts it).

use std::sync::OnceLock;

use gix::ObjectId;
use gix::bstr::{BString, ByteSlice};
use gix::diff::tree::recorder::Change;
use gix::objs::FindHeader;
use gix::objs::TreeRefIter;
use gix::objs::tree::{EntryKind, EntryMode};
use gix::prelude::{Find, FindExt};

use super::lines::{self, LineCounter};
use super::renames;
use super::walk::Commit;
use crate::facts::content::is_binary;
use crate::repo::RepoError;
use crate::rules::{Pattern, glob_set, known};

/// A file a commit changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileChange {
    pub path: BString,
    /// Lines added and removed; `None` for a binary file (git prints `-` for both).
    pub lines: Option<(u32, u32)>,
    /// It adds a test written inside the file (Rust's `#[test]`), so the change counts as
    /// changing tests though the file is source code.
    pub adds_inline_tests: bool,
}

/// Where tests live inside source files, and how one starts: rule data
/// (`inline-test-files`, `inline-test` in rules/history.toml).
struct InlineTests {
    files: globset::GlobSet,
    marker: Pattern,
}

impl InlineTests {
    fn builtin() -> &'static InlineTests {
        static INLINE: OnceLock<InlineTests> = OnceLock::new();
        INLINE.get_or_init(|| {
            let history = &known().history;
            InlineTests {
                files: glob_set(&history.inline_test_files),
                marker: history.inline_test.clone(),
            }
        })
    }

    /// Whether `new` has more test markers than `old`, in a file where tests may live. Only
    /// the lines between the versions' shared first and last lines are searched: most
    /// commits change a few lines of a long file.
    fn added(&self, path: &[u8], old: &[u8], new: &[u8]) -> bool {
        if !self.files.is_match(path.to_str_lossy().as_ref()) {
            return false;
        }
        let (old, new) = lines::changed_lines(old, new);
        let count = |data: &[u8]| self.marker.regex().find_iter(data).count();
        count(new) > count(old)
    }
}

/// Buffers and diff state reused from one commit to the next on a thread.
#[derive(Default)]
pub struct Differ {
    /// Whether renames are detected (git's default) or every move is a deletion and an
    /// addition (`--no-renames`).
    renames: bool,
    state: gix::diff::tree::State,
    old_tree: Vec<u8>,
    new_tree: Vec<u8>,
    old_blob: Vec<u8>,
    new_blob: Vec<u8>,
    lines: LineCounter,
    /// Some blob of the commit was not in the object store, so its line counts are not
    /// known.
    pub missing_blobs: bool,
    /// Blobs of the commit larger than `BIG_BLOB_BYTES`, counted as binary without being
    /// read.
    pub big_blobs: usize,
    /// Checked before each blob is read: one commit can change thousands of files.
    pub deadline: crate::repo::Deadline,
}

/// A blob larger than this counts as binary and is never read, as git does for files past
/// `core.bigFileThreshold` (512 MiB by default; git then prints `-` for their lines). Git's
/// default would let a check hold two sides of 512 MiB each, per thread, plus the line diff
/// of them; 32 MiB keeps the worst case (two threads, each with both sides of a diff and its
/// line tokens, and a 48 MiB pack cache) well under the 512 MiB a check may take, while text
/// files this large are rare enough that numstat stays exact for real histories.
pub const BIG_BLOB_BYTES: u64 = 32 << 20;

/// A version of a text file with more lines than this is not diffed line by line: it counts
/// as binary, as a blob over `BIG_BLOB_BYTES` does. Diffing holds some 40 bytes per line of
/// each version (its place, its token, its entry in the interner and in the edit script):
/// two versions of 16 million short lines, each under 32 MiB, took 1.2 GB (git log took
/// 1.9 GB). A million lines per version keeps a diff under 100 MiB, and a text file that
/// long is rarely edited by hand.
pub const MAX_DIFF_LINES: usize = 1 << 20;

/// Whether `text` has more than `MAX_DIFF_LINES` lines: counted only when it is long enough
/// to.
fn has_many_lines(text: &[u8]) -> bool {
    text.len() > MAX_DIFF_LINES
        && memchr::memchr_iter(b'\n', text)
            .take(MAX_DIFF_LINES + 1)
            .count()
            + usize::from(text.last().is_some_and(|&byte| byte != b'\n'))
            > MAX_DIFF_LINES
}

/// Rename detection holds every added and deleted file of a commit at once: past this many
/// bytes of them (sized from their headers), the commit's files are counted as without
/// rename detection, each read in turn, as git falls back when a commit has more files than
/// `diff.renameLimit`. Otherwise one blob of 32 MiB at a hundred paths would take 3 GiB.
pub const MAX_RENAME_BYTES: u64 = 64 << 20;

/// Whether `files` together fit `MAX_RENAME_BYTES`; a blob over `BIG_BLOB_BYTES` is never
/// read, and a missing one is empty.
fn fits_rename_detection<'a>(
    repo: &gix::Repository,
    files: impl Iterator<Item = &'a (EntryMode, ObjectId, BString)>,
) -> bool {
    let mut total = 0u64;
    for (_, id, _) in files {
        let size = match repo.objects.try_header(id) {
            Ok(Some(header)) if !is_big_blob(header.size) => header.size,
            _ => 0,
        };
        total += size;
        if total > MAX_RENAME_BYTES {
            return false;
        }
    }
    true
}

/// Whether a blob of `size` bytes is counted as binary without being read.
pub fn is_big_blob(size: u64) -> bool {
    size > BIG_BLOB_BYTES
}

/// What one commit's diff may still hold of `MAX_DIFF_BYTES`: the tree objects it reads
/// (sized from their headers, before they are inflated) and the paths it records. An object
/// over it reads as missing, and the diff's error then as `RepoError::DiffTooLarge`.
struct DiffBudget<'a> {
    objects: &'a gix::OdbHandle,
    left: std::cell::Cell<u64>,
    over: std::cell::Cell<bool>,
}

impl<'a> DiffBudget<'a> {
    fn new(objects: &'a gix::OdbHandle) -> DiffBudget<'a> {
        DiffBudget {
            objects,
            left: std::cell::Cell::new(crate::repo::MAX_DIFF_BYTES),
            over: std::cell::Cell::new(false),
        }
    }

    /// Takes `bytes`; false once the budget is spent.
    fn take(&self, bytes: u64) -> bool {
        match self.left.get().checked_sub(bytes) {
            Some(left) => {
                self.left.set(left);
                true
            }
            None => {
                self.over.set(true);
                false
            }
        }
    }

    /// `error`, or `too_large` when the budget ran out.
    fn error(&self, error: impl std::fmt::Display, too_large: RepoError) -> RepoError {
        if self.over.get() {
            too_large
        } else {
            RepoError::unreadable(error)
        }
    }
}

impl gix::objs::Find for DiffBudget<'_> {
    fn try_find<'b>(
        &self,
        id: &gix::oid,
        buffer: &'b mut Vec<u8>,
    ) -> gix::Result<Option<gix::objs::Data<'b>>> {
        if let Some(header) = self.objects.try_header(id)?
            && !self.take(header.size)
        {
            return Ok(None);
        }
        self.objects.try_find(id, buffer)
    }
}

/// A tree diff's recorder whose paths (each recorded change's and each queued folder's) are
/// taken from the budget: stops the diff once it is spent. The path lengths are followed as
/// the recorder builds its paths.
struct BoundedRecorder<'a> {
    inner: gix::diff::tree::Recorder,
    budget: &'a DiffBudget<'a>,
    path_len: usize,
    pushed: Vec<usize>,
    queued: std::collections::VecDeque<usize>,
}

impl<'a> BoundedRecorder<'a> {
    fn default_with(budget: &'a DiffBudget<'a>) -> BoundedRecorder<'a> {
        BoundedRecorder {
            inner: gix::diff::tree::Recorder::default(),
            budget,
            path_len: 0,
            pushed: Vec::new(),
            queued: std::collections::VecDeque::new(),
        }
    }

    fn extend(&mut self, component: &gix::bstr::BStr) {
        self.path_len += component.len() + usize::from(self.path_len > 0);
    }
}

/// What a recorded change holds besides its path.
const RECORDED_CHANGE_BYTES: u64 = 128;

impl gix::diff::tree::Visit for BoundedRecorder<'_> {
    fn pop_front_tracked_path_and_set_current(&mut self) {
        self.inner.pop_front_tracked_path_and_set_current();
        self.path_len = self.queued.pop_front().unwrap_or(0);
    }

    fn push_back_tracked_path_component(&mut self, component: &gix::bstr::BStr) {
        self.inner.push_back_tracked_path_component(component);
        self.extend(component);
        self.queued.push_back(self.path_len);
        self.budget.take(self.path_len as u64);
    }

    fn push_path_component(&mut self, component: &gix::bstr::BStr) {
        self.inner.push_path_component(component);
        self.pushed.push(self.path_len);
        self.extend(component);
    }

    fn pop_path_component(&mut self) {
        self.inner.pop_path_component();
        self.path_len = self.pushed.pop().unwrap_or(0);
    }

    fn visit(&mut self, change: gix::diff::tree::visit::Change) -> gix::diff::tree::visit::Action {
        if !self
            .budget
            .take(self.path_len as u64 + RECORDED_CHANGE_BYTES)
        {
            return std::ops::ControlFlow::Break(());
        }
        self.inner.visit(change)
    }
}

/// What a blob too big to read reads as: one NUL byte, binary as git's check finds it.
const BIG_BLOB_STAND_IN: &[u8] = b"\0";

impl Differ {
    pub fn new(renames: bool) -> Differ {
        Differ {
            renames,
            ..Differ::default()
        }
    }

    /// The files `commit` changed against its first parent (a root commit: against the
    /// empty tree), in tree order.
    pub fn changes(
        &mut self,
        repo: &gix::Repository,
        commit: &Commit,
    ) -> Result<Vec<FileChange>, RepoError> {
        self.missing_blobs = false;
        self.big_blobs = 0;
        let budget = DiffBudget::new(&repo.objects);
        let too_large = || RepoError::DiffTooLarge { commit: commit.id };
        let old = match commit.first_parent_tree {
            Some(tree) => budget
                .find_tree_iter(&tree, &mut self.old_tree)
                .map_err(|error| budget.error(error, too_large()))?,
            None => TreeRefIter::from_bytes(&[], repo.object_hash()),
        };
        let new = budget
            .find_tree_iter(&commit.tree, &mut self.new_tree)
            .map_err(|error| budget.error(error, too_large()))?;
        let mut recorder = BoundedRecorder::default_with(&budget);
        gix::diff::tree(old, new, &mut self.state, &budget, &mut recorder)
            .map_err(|error| budget.error(error, too_large()))?;
        let mut changes = Vec::new();
        let (mut added, mut deleted) = (Vec::new(), Vec::new());
        for change in recorder.inner.records {
            match change {
                Change::Addition {
                    entry_mode,
                    oid,
                    path,
                    ..
                } if counted_file(entry_mode) => added.push((entry_mode, oid, path)),
                Change::Deletion {
                    entry_mode,
                    oid,
                    path,
                    ..
                } if counted_file(entry_mode) => deleted.push((entry_mode, oid, path)),
                Change::Modification {
                    previous_entry_mode,
                    previous_oid,
                    entry_mode,
                    oid,
                    path,
                } if counted_file(previous_entry_mode)
                    && counted_file(entry_mode)
                    // Old trees write a regular file as 100664: the same file to git.
                    && (previous_oid != oid || previous_entry_mode.kind() != entry_mode.kind()) =>
                {
                    let (lines, adds_inline_tests) = self.modified(
                        repo,
                        &path,
                        (previous_entry_mode, previous_oid),
                        (entry_mode, oid),
                    )?;
                    changes.push(FileChange {
                        path,
                        lines,
                        adds_inline_tests,
                    });
                }
                _ => {}
            }
        }
        if self.renames
            && !added.is_empty()
            && !deleted.is_empty()
            && fits_rename_detection(repo, added.iter().chain(&deleted))
        {
            self.with_renames(repo, added, deleted, &mut changes)?;
        } else {
            for (mode, id, path) in added {
                changes.push(self.one_side(repo, mode, id, path, Side::New)?);
            }
            for (mode, id, path) in deleted {
                changes.push(self.one_side(repo, mode, id, path, Side::Old)?);
            }
        }
        Ok(changes)
    }

    /// Added and deleted files, with renames among them found as git finds them: a rename
    /// counts as one file (the new path) with the lines its move changed.
    fn with_renames(
        &mut self,
        repo: &gix::Repository,
        added: Vec<(EntryMode, ObjectId, BString)>,
        deleted: Vec<(EntryMode, ObjectId, BString)>,
        changes: &mut Vec<FileChange>,
    ) -> Result<(), RepoError> {
        let mut contents = |files: &[(EntryMode, ObjectId, BString)]| {
            files
                .iter()
                .map(|(mode, id, _)| match mode.kind() {
                    // A submodule has no contents here: the commit it points at is its line.
                    EntryKind::Commit => Ok(Vec::new()),
                    _ => self.blob(repo, *id, Side::New).map(<[u8]>::to_vec),
                })
                .collect::<Result<Vec<Vec<u8>>, RepoError>>()
        };
        let (added_data, deleted_data) = (contents(&added)?, contents(&deleted)?);
        let pairs = renames::detect(
            &candidates(&deleted, &deleted_data),
            &candidates(&added, &added_data),
        );
        let (mut added_done, mut deleted_done) =
            (vec![false; added.len()], vec![false; deleted.len()]);
        for (source, destination) in pairs {
            deleted_done[source] = true;
            added_done[destination] = true;
            let (old, new) = (&deleted_data[source], &added_data[destination]);
            let lines = self.count_lines(old, new);
            let path = &added[destination].2;
            changes.push(FileChange {
                path: path.clone(),
                adds_inline_tests: lines.is_some_and(|(added, _)| added > 0)
                    && InlineTests::builtin().added(path, old, new),
                lines,
            });
        }
        let unpaired = |files: Vec<(EntryMode, ObjectId, BString)>,
                        done: &[bool],
                        data: &[Vec<u8>],
                        side: Side| {
            files
                .into_iter()
                .zip(data)
                .zip(done)
                .filter(|(_, done)| !**done)
                .map(move |(((mode, _, path), data), _)| one_sided(path, mode.kind(), data, side))
                .collect::<Vec<_>>()
        };
        changes.extend(unpaired(added, &added_done, &added_data, Side::New));
        changes.extend(unpaired(deleted, &deleted_done, &deleted_data, Side::Old));
        Ok(())
    }

    /// An added file (its new side) or a deleted one (its old side): every line added, or
    /// every line removed.
    fn one_side(
        &mut self,
        repo: &gix::Repository,
        mode: EntryMode,
        id: ObjectId,
        path: BString,
        side: Side,
    ) -> Result<FileChange, RepoError> {
        let kind = mode.kind();
        // A submodule's contents are not in this repository.
        let data = match kind {
            EntryKind::Commit => &[][..],
            _ => self.blob(repo, id, side)?,
        };
        Ok(one_sided(path, kind, data, side))
    }

    /// Lines added and removed, and whether a test was added inside the file.
    fn modified(
        &mut self,
        repo: &gix::Repository,
        path: &[u8],
        (old_mode, old_id): (EntryMode, ObjectId),
        (new_mode, new_id): (EntryMode, ObjectId),
    ) -> Result<(Option<(u32, u32)>, bool), RepoError> {
        if old_mode.kind() == EntryKind::Commit || new_mode.kind() == EntryKind::Commit {
            return Ok((Some((1, 1)), false));
        }
        if old_id == new_id {
            // Only the mode changed: 0/0, or -/- for a binary file, as git prints.
            let binary = is_binary(self.blob(repo, new_id, Side::New)?);
            return Ok(((!binary).then_some((0, 0)), false));
        }
        let old_len = self.blob(repo, old_id, Side::Old)?.len();
        let new_len = self.blob(repo, new_id, Side::New)?.len();
        let old = std::mem::take(&mut self.old_blob);
        let new = std::mem::take(&mut self.new_blob);
        let (old_data, new_data) = (&old[..old_len], &new[..new_len]);
        let lines = self.count_lines(old_data, new_data);
        let adds_tests = lines.is_some_and(|(added, _)| added > 0)
            && InlineTests::builtin().added(path, old_data, new_data);
        (self.old_blob, self.new_blob) = (old, new);
        Ok((lines, adds_tests))
    }

    /// Lines added and removed from `old` to `new`; `None` when either is binary, or has
    /// more than `MAX_DIFF_LINES` lines (counted in `big_blobs`).
    fn count_lines(&mut self, old: &[u8], new: &[u8]) -> Option<(u32, u32)> {
        if is_binary(old) || is_binary(new) {
            return None;
        }
        let long = usize::from(has_many_lines(old)) + usize::from(has_many_lines(new));
        if long > 0 {
            self.big_blobs += long;
            return None;
        }
        Some(self.lines.count(old, new))
    }

    /// The blob's data, decoded into the side's buffer (reused from commit to commit); empty,
    /// with `missing_blobs` set, when the object store does not have it; one NUL byte (a
    /// binary file), with `big_blobs` counted, when it is too big to read (`is_big_blob`):
    /// its size comes from the object's header, before anything is inflated.
    fn blob(
        &mut self,
        repo: &gix::Repository,
        id: ObjectId,
        side: Side,
    ) -> Result<&[u8], RepoError> {
        let buffer = match side {
            Side::Old => &mut self.old_blob,
            Side::New => &mut self.new_blob,
        };
        self.deadline.check()?;
        if id == ObjectId::empty_blob(id.kind()) {
            buffer.clear();
            return Ok(buffer);
        }
        match repo.objects.try_header(&id) {
            Ok(Some(header)) if is_big_blob(header.size) => {
                self.big_blobs += 1;
                buffer.clear();
                buffer.extend_from_slice(BIG_BLOB_STAND_IN);
                return Ok(buffer);
            }
            Ok(Some(_)) => {}
            Ok(None) => {
                self.missing_blobs = true;
                buffer.clear();
                return Ok(buffer);
            }
            Err(error) => return Err(RepoError::unreadable(error)),
        }
        let len = match repo.objects.try_find(&id, buffer) {
            Ok(Some(object)) => object.data.len(),
            // A blobless partial clone: the file still counts, its lines cannot.
            Ok(None) => {
                self.missing_blobs = true;
                0
            }
            Err(error) => return Err(RepoError::unreadable(error)),
        };
        // The data starts the buffer.
        buffer.truncate(len);
        Ok(buffer)
    }
}

#[derive(Clone, Copy)]
enum Side {
    Old,
    New,
}

/// Lines of an added or deleted file's contents: `None` when binary; a submodule counts as
/// one line, the commit it points at.
fn lines_in(kind: EntryKind, data: &[u8]) -> Option<u32> {
    match kind {
        EntryKind::Commit => Some(1),
        _ => (!is_binary(data)).then(|| line_count(data)),
    }
}

/// An added file (`New`) or a deleted one (`Old`): every one of its lines added or removed.
fn one_sided(path: BString, kind: EntryKind, data: &[u8], side: Side) -> FileChange {
    let lines = lines_in(kind, data);
    let adds_inline_tests = matches!(side, Side::New)
        && lines.is_some()
        && InlineTests::builtin().added(&path, &[], data);
    FileChange {
        path,
        lines: lines.map(|count| match side {
            Side::New => (count, 0),
            Side::Old => (0, count),
        }),
        adds_inline_tests,
    }
}

/// Added or deleted files with their contents, as rename detection compares them.
fn candidates<'a>(
    files: &'a [(EntryMode, ObjectId, BString)],
    data: &'a [Vec<u8>],
) -> Vec<renames::Candidate<'a>> {
    files
        .iter()
        .zip(data)
        .map(|((mode, id, path), data)| renames::Candidate {
            path: path.as_ref(),
            id: *id,
            kind: mode.kind(),
            data,
        })
        .collect()
}

/// Blobs, links and submodules are files to git's numstat; trees are not (their
/// contents are reported one by one).
fn counted_file(mode: EntryMode) -> bool {
    mode.kind() != EntryKind::Tree
}

/// Lines as git counts them: a last line without a newline still counts.
fn line_count(data: &[u8]) -> u32 {
    let newlines = data.iter().filter(|&&byte| byte == b'\n').count();
    let unterminated = usize::from(data.last().is_some_and(|&byte| byte != b'\n'));
    u32::try_from(newlines + unterminated).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blobs_past_the_threshold_count_as_binary() {
        assert!(!is_big_blob(0));
        assert!(!is_big_blob(BIG_BLOB_BYTES));
        assert!(is_big_blob(BIG_BLOB_BYTES + 1));
        assert!(is_big_blob(1 << 30));
        // What such a blob reads as is binary: no line counts, as git prints `-`.
        assert!(is_binary(BIG_BLOB_STAND_IN));
        assert_eq!(lines_in(EntryKind::Blob, BIG_BLOB_STAND_IN), None);
    }

    #[test]
    fn a_test_added_inside_a_source_file_is_a_test_change() {
        let inline = InlineTests::builtin();
        let before = b"fn f() {}\n#[cfg(test)]\nmod tests {\n    #[test]\n    fn a() {}\n}\n";
        let added = b"fn f() {}\n#[cfg(test)]\nmod tests {\n    #[test]\n    fn a() {}\n    #[tokio::test]\n    async fn b() {}\n}\n";
        let edited = b"fn f() { g() }\n#[cfg(test)]\nmod tests {\n    #[test]\n    fn a() {}\n}\n";
        assert!(inline.added(b"src/lib.rs", before, added));
        assert!(inline.added(b"src/new.rs", b"", before));
        // The code changed, the tests did not; and other languages keep tests elsewhere.
        assert!(!inline.added(b"src/lib.rs", before, edited));
        assert!(!inline.added(b"src/lib.rs", added, before));
        assert!(!inline.added(b"app.py", b"", b"#[test]\n"));
        // A test moved within the file is not a new one.
        let moved = b"fn f() {}\n#[cfg(test)]\nmod tests {\n    fn helper() {}\n    #[test]\n    fn a() {}\n}\n";
        assert!(!inline.added(b"src/lib.rs", before, moved));
        // Attributes that merely start with `test` are not tests.
        assert!(!inline.added(b"src/lib.rs", b"", b"#[test_log]\nfn f() {}\n"));
    }
}

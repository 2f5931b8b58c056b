//! Opening the repository to scan — read-only, isolated from anything it configures — and
//! deciding what is scanned: a commit's tree or the working tree.

use std::path::{Path, PathBuf};

use gix::ObjectId;
use gix::bstr::ByteSlice;
use miette::Diagnostic;
use serde::Serialize;
use thiserror::Error;

#[derive(Debug, Error, Diagnostic)]
pub enum RepoError {
    #[error("{} is not inside a git repository", path.display())]
    #[diagnostic(
        code(opslint::not_a_repository),
        help("pass the path of a clone, a worktree or a bare mirror")
    )]
    NotARepository { path: PathBuf },

    #[error("{} is a {kind}, not a file: refused, since reading it could wait for ever", path.display())]
    #[diagnostic(
        code(opslint::special_file),
        help(
            "a git directory holds files and folders; a FIFO, socket or device there is not a repository to scan"
        )
    )]
    SpecialFile { path: PathBuf, kind: &'static str },

    #[error(
        "the repository at {} keeps its references in `{storage}` ref storage (extensions.refStorage): {storage} ref storage is not supported",
        path.display()
    )]
    #[diagnostic(
        code(opslint::unsupported_ref_storage),
        help(
            "opslint reads references from files (`refs/`, `packed-refs`); `git refs migrate --ref-format=files` converts a repository"
        )
    )]
    UnsupportedRefStorage { path: PathBuf, storage: String },

    #[error(
        "the repository at {} uses the {format} object format (extensions.objectFormat): {format} object ids are not supported by gix, the git library opslint uses",
        path.display()
    )]
    #[diagnostic(
        code(opslint::unsupported_object_format),
        help("opslint reads repositories with SHA-1 object ids, git's default")
    )]
    UnsupportedObjectFormat { path: PathBuf, format: String },

    #[error("HEAD cannot be followed to a commit: {message}")]
    #[diagnostic(
        code(opslint::broken_head),
        help(
            "point HEAD at a branch of commits (`git symbolic-ref HEAD refs/heads/main`), or pass --rev with the branch or tag to scan"
        )
    )]
    BrokenHead { message: String },

    #[error("cannot open the repository at {}: {message}", path.display())]
    #[diagnostic(code(opslint::unreadable_repository))]
    Open { path: PathBuf, message: String },

    #[error(
        "the repository at {} keeps its git data outside it, in {}: not scanned",
        path.display(),
        points_at.display()
    )]
    #[diagnostic(
        code(opslint::foreign_git_dir),
        help(
            "a scanned repository may use its own git directory only; scan the repository it points at by its own path"
        )
    )]
    ForeignGitDir { path: PathBuf, points_at: PathBuf },

    #[error(
        "the repository at {} has its working tree elsewhere ({worktree}): not scanned",
        path.display()
    )]
    #[diagnostic(
        code(opslint::foreign_worktree),
        help(
            "opslint scans the folder that holds the repository; scan the other folder by its own path"
        )
    )]
    ForeignWorktree { path: PathBuf, worktree: String },

    #[error(
        "the working tree at {} has none of the files of HEAD: nothing is checked out there",
        path.display()
    )]
    #[diagnostic(
        code(opslint::nothing_checked_out),
        help(
            "scan the commit with `--rev HEAD`; a git directory copied without its files has no working tree to scan"
        )
    )]
    NothingCheckedOut { path: PathBuf },

    #[error(
        "the repository at {} borrows objects from other repositories ({} is not empty)",
        path.display(),
        file.display()
    )]
    #[diagnostic(
        code(opslint::alternates),
        help(
            "pass --allow-alternates to read them too (a GitLab object pool or `git clone --shared` uses them)"
        )
    )]
    Alternates { path: PathBuf, file: PathBuf },

    #[error("revision `{rev}` does not exist in this repository")]
    #[diagnostic(
        code(opslint::unknown_rev),
        help(
            "give a branch, tag or commit id the repository has; a shallow clone may lack it (fetch more history)"
        )
    )]
    UnknownRev { rev: String },

    #[error("revision `{rev}` does not point at a commit or tree: {message}")]
    #[diagnostic(code(opslint::not_a_commit))]
    NotACommit { rev: String, message: String },

    #[error("the repository has no commits yet, so there is no {what} to scan")]
    #[diagnostic(
        code(opslint::empty_repository),
        help(
            "commit something first; in a clone with a working tree, run without --rev to scan the files as they are"
        )
    )]
    NoCommits { what: &'static str },

    #[error("the base `{rev}` or its history with HEAD is not in this shallow clone")]
    #[diagnostic(
        code(opslint::base_not_in_shallow_clone),
        help(
            "fetch the full history (actions/checkout: fetch-depth: 0), or at least the base branch and enough history to reach the merge base"
        )
    )]
    BaseNotInShallowClone { rev: String },

    #[error("`{rev}` and HEAD have no common history, so there is no merge base to compare with")]
    #[diagnostic(
        code(opslint::no_merge_base),
        help("compare with a branch this one was started from, such as the default branch")
    )]
    NoMergeBase { rev: String },

    #[error("a bare repository has no index, so there is nothing staged to scan")]
    #[diagnostic(
        code(opslint::no_index),
        help("--staged is for a clone with a working tree, as a pre-commit hook runs in")
    )]
    NoIndex,

    #[error("the tree has more than {limit} entries, the limit for one scan")]
    #[diagnostic(
        code(opslint::too_many_entries),
        help("raise --max-tree-entries if the repository really is that large")
    )]
    TooManyEntries { limit: usize },

    #[error(
        "{kind} {id} is {}; opslint reads {kind}s up to {} MiB",
        human_size(*size),
        MAX_COMMIT_BYTES >> 20
    )]
    #[diagnostic(
        code(opslint::object_too_big),
        help(
            "a commit or tag holds a tree, parents, names and a message: one this large is no real one, and is never read"
        )
    )]
    ObjectTooBig {
        kind: &'static str,
        id: ObjectId,
        size: u64,
    },

    #[error(
        "the tree's objects and paths take more than {} MiB, the limit for one scan",
        MAX_TREE_BYTES >> 20
    )]
    #[diagnostic(
        code(opslint::tree_too_large),
        help(
            "the tree objects (read from their headers, before they are inflated) and the paths of their entries are counted: file names of kilobytes, or millions of long paths, are no project's files"
        )
    )]
    TreeTooLarge,

    #[error(
        "the index declares {} entries in {}: holding them would take more than {} MiB, the limit for one scan",
        crate::text::thousands(*entries),
        human_size(*size),
        MAX_TREE_BYTES >> 20
    )]
    #[diagnostic(
        code(opslint::tree_too_large),
        help(
            "the index file's size and its entries, as the header declares them, are counted before it is read: an index this large is no project's files"
        )
    )]
    IndexTooLarge { entries: u64, size: u64 },

    #[error(
        "commit {commit} changes more than {} MiB of trees and paths, the limit for one commit's diff",
        MAX_DIFF_BYTES >> 20
    )]
    #[diagnostic(code(opslint::diff_too_large))]
    DiffTooLarge { commit: ObjectId },

    #[error("the scan took longer than its time budget")]
    #[diagnostic(
        code(opslint::timed_out),
        help(
            "raise --timeout (--timeout-per-repo in a sweep), or narrow the history window (--window)"
        )
    )]
    TimedOut,

    #[error("cannot read the repository: {message}")]
    #[diagnostic(
        code(opslint::unreadable_object),
        help(
            "the object database may be corrupt or incomplete (a partial clone); `git fsck` tells more"
        )
    )]
    Unreadable { message: String },
}

/// The largest commit or tag object opslint reads: the biggest real ones (a squash of a long
/// branch, a release tag with its changelog) are well under a megabyte, while a hostile one
/// of gigabytes packs into a few megabytes pushed. Its header says its size, so a larger one
/// is refused before it is inflated.
pub const MAX_COMMIT_BYTES: u64 = 8 << 20;

/// `bytes` as a person reads it: `1.0 GiB`, `12.5 MiB`, `300 B`.
pub fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

/// `id`'s kind, after checking from its header that a commit or tag is not larger than
/// `MAX_COMMIT_BYTES` (a tree or blob may be any size; their readers bound them).
pub fn checked_kind(repo: &gix::Repository, id: ObjectId) -> Result<gix::object::Kind, RepoError> {
    use gix::object::Kind;
    let header = repo.find_header(id).map_err(RepoError::unreadable)?;
    let kind = header.kind();
    if matches!(kind, Kind::Commit | Kind::Tag) && header.size() > MAX_COMMIT_BYTES {
        return Err(RepoError::ObjectTooBig {
            kind: if kind == Kind::Commit {
                "commit"
            } else {
                "tag"
            },
            id,
            size: header.size(),
        });
    }
    Ok(kind)
}

/// The commit `id`, refused unread when it is larger than `MAX_COMMIT_BYTES`.
pub fn find_commit(repo: &gix::Repository, id: ObjectId) -> Result<gix::Commit<'_>, RepoError> {
    checked_kind(repo, id)?;
    repo.find_commit(id).map_err(RepoError::unreadable)
}

/// What `id` leads to through annotated tags, every commit and tag on the way checked
/// against `MAX_COMMIT_BYTES` before it is read: the commit, if one is reached, and the tree
/// (`None` for a blob, or a tag of one).
pub fn peel(
    repo: &gix::Repository,
    mut id: ObjectId,
) -> Result<(Option<ObjectId>, Option<ObjectId>), RepoError> {
    use gix::object::Kind;
    // A chain of tags could loop only by a hash collision; bound it all the same.
    for _ in 0..64 {
        match checked_kind(repo, id)? {
            Kind::Tag => {
                let tag = repo.find_tag(id).map_err(RepoError::unreadable)?;
                id = tag.target_id().map_err(RepoError::unreadable)?.detach();
            }
            Kind::Commit => {
                let tree = find_commit(repo, id)?
                    .tree_id()
                    .map_err(RepoError::unreadable)?
                    .detach();
                return Ok((Some(id), Some(tree)));
            }
            Kind::Tree => return Ok((None, Some(id))),
            Kind::Blob => return Ok((None, None)),
        }
    }
    Err(RepoError::unreadable("a chain of more than 64 tags"))
}

impl RepoError {
    pub fn unreadable(error: impl std::fmt::Display) -> RepoError {
        RepoError::Unreadable {
            message: error.to_string(),
        }
    }
}

/// When a scan gives up: checked between units of work (a commit, a level of the tree), so
/// an over-budget repository stops a sweep's worker soon after its budget.
#[derive(Debug, Clone, Copy, Default)]
pub struct Deadline(pub Option<std::time::Instant>);

impl Deadline {
    /// Whether the deadline is past: for work that cannot fail, which stops early and leaves
    /// the caller's `check` to report it.
    pub fn passed(self) -> bool {
        self.0.is_some_and(|at| std::time::Instant::now() >= at)
    }

    pub fn check(self) -> Result<(), RepoError> {
        match self.0 {
            Some(at) if std::time::Instant::now() >= at => Err(RepoError::TimedOut),
            _ => Ok(()),
        }
    }
}

/// What a report says was scanned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Scanned {
    /// The working tree as git sees it: tracked files and untracked files that are not ignored.
    Worktree,
    /// A commit's tree, read from the object database.
    Rev,
    /// The index: what is staged to be committed (`check --staged`).
    Staged,
}

/// An opened repository and the decision of what to scan in it.
pub struct Target {
    pub repo: gix::ThreadSafeRepository,
    /// The working tree root, or the git directory of a bare repository.
    pub root: PathBuf,
    pub source: Source,
    /// The revision the user asked for (or `HEAD` for a bare repository).
    pub rev: Option<String>,
    /// The commit scanned, or the commit HEAD points at when the working tree is scanned.
    pub head: Option<ObjectId>,
    /// When listing gives up.
    pub deadline: Deadline,
    /// Listing more files than this is an error (a hostile tree of millions of entries).
    pub max_entries: usize,
    /// Why HEAD leads to no commit when it is not merely unborn (a symbolic reference loop,
    /// a tag of a tree): a working tree's report says so rather than "no commits yet".
    pub head_problem: Option<String>,
}

/// The most a listing may hold of one tree: the tree objects it reads (their sizes read
/// from their headers before they are inflated) and the paths it builds. A monorepo of a
/// million files takes about 150 MiB; a tree of 100,000 names of 4,000 bytes, 880 KB
/// pushed, would take 800 MiB.
pub const MAX_TREE_BYTES: u64 = 256 << 20;

/// The most one commit's diff in the history pass may hold of tree objects (sized from their
/// headers) and changed paths: half of `MAX_TREE_BYTES`, as two commits are diffed at once.
pub const MAX_DIFF_BYTES: u64 = MAX_TREE_BYTES / 2;

/// Default for `Target::max_entries`: ten times the largest monorepos' file counts.
pub const DEFAULT_MAX_TREE_ENTRIES: usize = 10_000_000;

/// Where the files come from; `Scanned` is what a report says about it.
#[derive(Debug, Clone, Copy)]
pub enum Source {
    Worktree,
    Tree(ObjectId),
    /// The index, its blobs read from the object database.
    Index,
}

impl Target {
    pub fn scanned(&self) -> Scanned {
        match self.source {
            Source::Worktree => Scanned::Worktree,
            Source::Tree(_) => Scanned::Rev,
            Source::Index => Scanned::Staged,
        }
    }
}

/// How a repository is found, and what it may point at besides its own git directory.
#[derive(Debug, Clone, Copy, Default)]
pub struct Access {
    /// Open the repository exactly at the path (a sweep's candidate): no search upwards, and
    /// its git directory must lie inside that folder (no `.git` file, symbolic link or
    /// `commondir` leading out of it).
    pub exact: bool,
    /// Read objects from the stores `objects/info/alternates` names (`--allow-alternates`).
    pub allow_alternates: bool,
}

/// Opens the repository containing `path` to scan what is staged in its index.
pub fn open_staged(path: &Path) -> Result<Target, RepoError> {
    open_staged_with(path, Access::default())
}

/// `open_staged`, with `access` deciding what the repository may point at.
pub fn open_staged_with(path: &Path, access: Access) -> Result<Target, RepoError> {
    let mut target = open_with(path, None, access)?;
    if target.repo.to_thread_local().workdir().is_none() {
        return Err(RepoError::NoIndex);
    }
    target.source = Source::Index;
    Ok(target)
}

/// Opens the repository containing `path`, without trusting anything it configures.
pub fn open(path: &Path, rev: Option<&str>) -> Result<Target, RepoError> {
    open_with(path, rev, Access::default())
}

/// The folder holding the repository for `path`: `path` itself when it holds `.git` (in
/// any state: a broken one is an error, not a reason to search further up), is a git
/// directory or is named like a bare mirror (`*.git`); else, unless `exact`, the nearest
/// folder above it that is.
fn locate(path: &Path, exact: bool) -> Result<PathBuf, RepoError> {
    let not_a_repository = || RepoError::NotARepository {
        path: path.to_owned(),
    };
    let start = std::fs::canonicalize(path).map_err(|_| not_a_repository())?;
    let mut dir = start.as_path();
    loop {
        let named_bare = dir.extension().is_some_and(|extension| extension == "git");
        let dot_git = dir.join(".git");
        if let Ok(entry) = std::fs::symlink_metadata(&dot_git) {
            refuse_special(&dot_git)?;
            if entry.is_dir() {
                refuse_special_files(&dot_git)?;
            }
            return Ok(dir.to_owned());
        }
        if named_bare || {
            refuse_special_files(dir)?;
            gix::discover::is_git(dir).is_ok()
        } {
            return Ok(dir.to_owned());
        }
        match dir.parent() {
            Some(parent) if !exact => dir = parent,
            _ => return Err(not_a_repository()),
        }
    }
}

/// The files gix reads when it opens a git directory, and the branch HEAD names: a FIFO
/// among them (or a device) would block the scan for ever, since opening a FIFO waits for a
/// writer, and no deadline can interrupt it. Only their types are looked at (`stat` does
/// not block).
fn refuse_special_files(git_dir: &Path) -> Result<(), RepoError> {
    const READ_ON_OPEN: &[&str] = &[
        "HEAD",
        "config",
        "commondir",
        "gitdir",
        "packed-refs",
        "shallow",
        "index",
        "objects/info/alternates",
        "objects/info/commit-graph",
    ];
    for part in READ_ON_OPEN {
        refuse_special(&git_dir.join(part))?;
    }
    let head = git_dir.join("HEAD");
    if std::fs::metadata(&head).is_ok_and(|head| head.is_file() && head.len() <= 4096)
        && let Ok(text) = std::fs::read_to_string(&head)
        && let Some(branch) = text.trim().strip_prefix("ref: ")
        && !branch.contains("..")
    {
        refuse_special(&git_dir.join(branch))?;
    }
    Ok(())
}

/// An error for `path` when it is neither a file nor a folder (following symbolic links).
#[cfg(unix)]
fn refuse_special(path: &Path) -> Result<(), RepoError> {
    use std::os::unix::fs::FileTypeExt;
    let Ok(meta) = std::fs::metadata(path) else {
        return Ok(());
    };
    let kind = meta.file_type();
    let kind = if kind.is_fifo() {
        "FIFO"
    } else if kind.is_socket() {
        "socket"
    } else if kind.is_char_device() || kind.is_block_device() {
        "device"
    } else {
        return Ok(());
    };
    Err(RepoError::SpecialFile {
        path: path.to_owned(),
        kind,
    })
}

/// Elsewhere a git directory cannot hold a FIFO that blocks its reader.
#[cfg(not(unix))]
fn refuse_special(_path: &Path) -> Result<(), RepoError> {
    Ok(())
}

/// Where a `.git` file or symbolic link leads, and whether that git directory names this
/// checkout back (a linked worktree's `gitdir` file does): then it is this checkout's own.
fn linked_git_dir(
    folder: &Path,
    dot_git: &Path,
    is_link: bool,
) -> Result<(PathBuf, bool), RepoError> {
    let unreadable = |message: String| RepoError::Open {
        path: folder.to_owned(),
        message,
    };
    let named = if is_link {
        dot_git.to_owned()
    } else {
        gix::discover::path::from_gitdir_file(dot_git)
            .map_err(|error| unreadable(format!("its .git file names no git directory: {error}")))?
    };
    let git_dir = std::fs::canonicalize(&named)
        .map_err(|error| unreadable(format!(".git leads to {}: {error}", named.display())))?;
    refuse_special_files(&git_dir)?;
    let names_back = gix::discover::path::from_plain_file(&git_dir.join("gitdir"))
        .and_then(Result::ok)
        .and_then(|back| std::fs::canonicalize(back).ok())
        .is_some_and(|back| back == dot_git);
    Ok((git_dir, names_back))
}

/// The parts of a git directory gix reads, which a symbolic link could lead elsewhere.
const GIT_DIR_PARTS: &[&str] = &[
    "",
    "HEAD",
    "config",
    "commondir",
    "objects",
    "objects/pack",
    "objects/info",
    "refs",
    "packed-refs",
    "shallow",
    "index",
];

/// Opens the repository containing `path`, without trusting anything it configures, nor
/// letting it point at anything but its own git directory (see `Access`).
pub fn open_with(path: &Path, rev: Option<&str>, access: Access) -> Result<Target, RepoError> {
    let folder = locate(path, access.exact)?;
    let dot_git = folder.join(".git");
    let entry = std::fs::symlink_metadata(&dot_git).ok();
    // What the repository's git data may lie in: the folder itself, and a linked
    // worktree's git directory and the main repository's, when they name this checkout back.
    let mut own = vec![folder.clone()];
    let mut needs_worktree_back = false;
    if let Some(entry) = &entry
        && !entry.is_dir()
    {
        let (git_dir, names_back) = linked_git_dir(&folder, &dot_git, entry.is_symlink())?;
        if !git_dir.starts_with(&folder) {
            if access.exact {
                return Err(RepoError::ForeignGitDir {
                    path: folder,
                    points_at: git_dir,
                });
            }
            if names_back {
                let common = gix::discover::path::from_plain_file(&git_dir.join("commondir"))
                    .and_then(Result::ok)
                    .map(|common| git_dir.join(common))
                    .and_then(|common| std::fs::canonicalize(common).ok());
                own.extend(common);
            } else {
                // A submodule's git directory names its checkout back with core.worktree,
                // checked once the repository is open.
                needs_worktree_back = true;
            }
            own.push(git_dir);
        }
    }
    if entry.is_none() && gix::discover::is_git(&folder).is_err() {
        // A folder named like a bare mirror that is none.
        return Err(RepoError::NotARepository {
            path: path.to_owned(),
        });
    }
    // Isolated whoever owns the repository: no config from outside it, nothing it
    // configures run (a repository owned by another user is read, not refused).
    let repo = gix::ThreadSafeRepository::open_opts(&folder, gix::open::Options::isolated())
        .map_err(|error| match object_format(&folder, entry.is_some()) {
            Some(format) => RepoError::UnsupportedObjectFormat {
                path: folder.clone(),
                format,
            },
            None => RepoError::Open {
                path: folder.clone(),
                message: error.to_string(),
            },
        })?;
    let local = repo.to_thread_local();
    // gix reads references from files only: in a reftable repository it would find none,
    // and report no commits.
    if let Some(storage) = local.config_snapshot().string("extensions.refStorage")
        && !storage.eq_ignore_ascii_case(b"files")
    {
        return Err(RepoError::UnsupportedRefStorage {
            path: folder,
            storage: storage.to_str_lossy().into_owned(),
        });
    }
    // The working tree is the folder holding `.git`, whatever core.worktree says.
    let configured_worktree = local.config_snapshot().string("core.worktree");
    let natural = entry.is_some().then_some(folder.as_path());
    let workdir = local
        .workdir()
        .map(|dir| std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_owned()));
    if workdir.as_deref() != natural || (needs_worktree_back && configured_worktree.is_none()) {
        if configured_worktree.is_none() && needs_worktree_back {
            return Err(RepoError::ForeignGitDir {
                path: folder,
                points_at: local.git_dir().to_owned(),
            });
        }
        return Err(RepoError::ForeignWorktree {
            path: folder,
            worktree: match (configured_worktree, workdir) {
                (Some(value), _) => format!("core.worktree = {value}"),
                // A `.git` folder scanned by its own path: its working tree is the folder
                // holding it.
                (None, Some(dir)) => format!("{}, the folder holding it", dir.display()),
                (None, None) => "none".to_owned(),
            },
        });
    }
    for dir in [local.git_dir(), local.common_dir()] {
        for part in GIT_DIR_PARTS {
            let Ok(resolved) = std::fs::canonicalize(dir.join(part)) else {
                continue;
            };
            if !own.iter().any(|own| resolved.starts_with(own)) {
                return Err(RepoError::ForeignGitDir {
                    path: folder,
                    points_at: resolved,
                });
            }
        }
    }
    let alternates = local.common_dir().join("objects/info/alternates");
    if !access.allow_alternates
        && std::fs::symlink_metadata(&alternates)
            .is_ok_and(|file| file.is_symlink() || file.len() > 0)
    {
        return Err(RepoError::Alternates {
            path: folder,
            file: alternates,
        });
    }
    let root = local.workdir().unwrap_or_else(|| local.git_dir());
    let root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_owned());
    // HEAD's commit, peeled here rather than by gix, which would inflate a commit or tag
    // of any size to learn its kind.
    // Why HEAD leads to no commit, when it is not merely unborn: said instead of "no commits
    // yet" when HEAD is what is scanned.
    let mut head_problem = None;
    let head = match local.head() {
        Err(error) => {
            head_problem = Some(head_error(&local, &error.to_string()));
            None
        }
        Ok(head) => match head.id() {
            Some(id) => match peel(&local, id.detach()) {
                Ok((Some(commit), _)) => Some(commit),
                Ok((None, tree)) => {
                    let what = if tree.is_some() { "a tree" } else { "a blob" };
                    head_problem =
                        Some(format!("it leads to {what} (through a tag), not a commit"));
                    None
                }
                Err(error @ RepoError::ObjectTooBig { .. }) => return Err(error),
                Err(error) => {
                    head_problem = Some(error.to_string());
                    None
                }
            },
            None => None,
        },
    };
    let rev = match (rev, local.workdir()) {
        (Some(rev), _) => Some(rev.to_owned()),
        (None, None) => Some("HEAD".to_owned()),
        (None, Some(_)) => None,
    };
    let Some(rev) = rev else {
        return Ok(Target {
            repo,
            root,
            source: Source::Worktree,
            rev: None,
            head,
            deadline: Deadline::default(),
            max_entries: DEFAULT_MAX_TREE_ENTRIES,
            head_problem,
        });
    };
    if head.is_none() && rev == "HEAD" {
        return Err(match head_problem {
            Some(message) => RepoError::BrokenHead { message },
            None => RepoError::NoCommits { what: "HEAD" },
        });
    }
    let id = local
        .rev_parse_single(rev.as_str())
        .map_err(|_| RepoError::UnknownRev { rev: rev.clone() })?
        .detach();
    // A blob is not something to scan; a commit, tag or tree whose tree cannot be read is
    // a damaged repository.
    let (commit, tree) = peel(&local, id)?;
    let tree = tree.ok_or_else(|| RepoError::NotACommit {
        rev: rev.clone(),
        message: "it is a blob".to_owned(),
    })?;
    Ok(Target {
        repo,
        root,
        source: Source::Tree(tree),
        rev: Some(rev),
        head: commit,
        deadline: Deadline::default(),
        max_entries: DEFAULT_MAX_TREE_ENTRIES,
        head_problem: None,
    })
}

/// Why HEAD could not be read: a chain of symbolic references that comes back on itself
/// is named as the loop it is.
fn head_error(repo: &gix::Repository, fallback: &str) -> String {
    let mut seen = vec!["HEAD".to_owned()];
    let mut name = "HEAD".to_owned();
    // A chain longer than this is as broken as a loop; gix gives up sooner.
    for _ in 0..16 {
        let Ok(Some(reference)) = repo.try_find_reference(name.as_str()) else {
            break;
        };
        let gix::refs::TargetRef::Symbolic(next) = reference.target() else {
            break;
        };
        let next = next.as_bstr().to_str_lossy().into_owned();
        let looped = seen.contains(&next);
        seen.push(next.clone());
        if looped {
            return format!("it is a symbolic reference loop ({})", seen.join(" → "));
        }
        name = next;
    }
    fallback.to_owned()
}

/// The object format a repository's config declares, when it is not SHA-1 (read from the
/// file, since gix refuses to open such a repository at all).
fn object_format(folder: &Path, has_dot_git: bool) -> Option<String> {
    let git_dir = if has_dot_git {
        folder.join(".git")
    } else {
        folder.to_owned()
    };
    // Only a plain file, and only its start: a FIFO would block, and the setting sits in
    // the first lines of any real config.
    let path = git_dir.join("config");
    if !std::fs::symlink_metadata(&path).ok()?.is_file() {
        return None;
    }
    let mut config = Vec::new();
    std::io::Read::read_to_end(
        &mut std::io::Read::take(std::fs::File::open(&path).ok()?, 1 << 20),
        &mut config,
    )
    .ok()?;
    let config = gix::config::File::from_bytes_no_includes(
        &config,
        gix::config::file::Metadata::from(gix::config::Source::Local),
        Default::default(),
    )
    .ok()?;
    let format = config.string("extensions.objectFormat")?;
    (!format.eq_ignore_ascii_case(b"sha1")).then(|| format.to_str_lossy().to_lowercase())
}

/// How many commits the size check before a merge-base search reads on each side.
const CHANGE_CHECK_COMMITS: usize = 10_000;

/// Checks, before git's merge-base search and range walk read them whole, that the commits of
/// the change are not larger than `MAX_COMMIT_BYTES`: every commit reachable from `head`
/// until `base`'s first-parent line (its last 10,000 commits) is reached, at most 10,000.
/// A pull request cannot hide a commit of gigabytes from the size check this way; what lies
/// beyond is the base branch's own history.
fn check_change_commits(
    repo: &gix::Repository,
    head: ObjectId,
    base: ObjectId,
) -> Result<(), RepoError> {
    let mut base_line = std::collections::HashSet::new();
    let mut next = Some(base);
    while let Some(id) = next.filter(|_| base_line.len() < CHANGE_CHECK_COMMITS) {
        base_line.insert(id);
        next = find_commit(repo, id)?
            .parent_ids()
            .next()
            .map(|id| id.detach());
    }
    let mut queue = std::collections::VecDeque::from([head]);
    let mut seen = std::collections::HashSet::new();
    while let Some(id) = queue.pop_front() {
        if seen.len() >= CHANGE_CHECK_COMMITS || base_line.contains(&id) || !seen.insert(id) {
            continue;
        }
        queue.extend(find_commit(repo, id)?.parent_ids().map(|id| id.detach()));
    }
    Ok(())
}

/// Where a pull request's branch left `base`: the merge base of `base` and the scanned
/// commit (or HEAD, for the working tree), and that commit's tree.
pub fn merge_base(target: &Target, base: &str) -> Result<(ObjectId, ObjectId), RepoError> {
    let local = target.repo.to_thread_local();
    let head = target.head.ok_or(RepoError::NoCommits {
        what: "commit to compare with the base",
    })?;
    let shallow = local.is_shallow().unwrap_or(false);
    let missing = |error: RepoError| {
        if shallow {
            RepoError::BaseNotInShallowClone {
                rev: base.to_owned(),
            }
        } else {
            error
        }
    };
    let unknown = || {
        missing(RepoError::UnknownRev {
            rev: base.to_owned(),
        })
    };
    let base_id = local
        .rev_parse_single(base)
        .map_err(|_| unknown())?
        .detach();
    let base_commit = match peel(&local, base_id) {
        Ok((Some(commit), _)) => commit,
        Err(error @ RepoError::ObjectTooBig { .. }) => return Err(error),
        _ => return Err(unknown()),
    };
    check_change_commits(&local, head, base_commit)?;
    let merge_base = match local.merge_base(base_commit, head) {
        Ok(Some(id)) => id.detach(),
        Ok(None) => {
            return Err(missing(RepoError::NoMergeBase {
                rev: base.to_owned(),
            }));
        }
        Err(error) => return Err(missing(RepoError::unreadable(error))),
    };
    let tree = find_commit(&local, merge_base)?
        .tree_id()
        .map_err(RepoError::unreadable)?
        .detach();
    Ok((merge_base, tree))
}

impl Target {
    /// The same repository, scanning `commit`'s tree instead.
    pub fn at(&self, commit: ObjectId, tree: ObjectId) -> Target {
        Target {
            repo: self.repo.clone(),
            root: self.root.clone(),
            source: Source::Tree(tree),
            rev: Some(commit.to_string()),
            head: Some(commit),
            deadline: self.deadline,
            max_entries: self.max_entries,
            head_problem: None,
        }
    }
}

/// HEAD's commit and tree, for comparing what is staged; before the first commit, the empty
/// tree (with the null id for its commit), so that everything staged is new.
pub fn head_tree(target: &Target) -> Result<(ObjectId, ObjectId), RepoError> {
    let Some(head) = target.head else {
        let kind = target.repo.to_thread_local().object_hash();
        return Ok((ObjectId::null(kind), ObjectId::empty_tree(kind)));
    };
    let tree = find_commit(&target.repo.to_thread_local(), head)?
        .tree_id()
        .map_err(RepoError::unreadable)?
        .detach();
    Ok((head, tree))
}

/// The repository's path on GitHub (`acme/payments`), which its workflows' `uses:` name it
/// by: the path of the URL of the remote fetched from by default (`origin`, or the only one;
/// its first URL, as git fetches from), without `.git`. None without a remote, as in a mirror
/// copied without its git config, or on another forge, whose groups are no GitHub owners.
/// Only read: opslint never contacts a remote.
pub fn own_name(repo: &gix::Repository) -> Option<String> {
    let remote = repo.remote_default_name(gix::remote::Direction::Fetch)?;
    let key = format!("remote.{remote}.url");
    let snapshot = repo.config_snapshot();
    let urls = snapshot.plumbing().strings(key.as_str())?;
    forge_path(urls.first()?.as_bstr())
}

/// The path a GitHub remote's URL names (`https://github.com/acme/payments.git`,
/// `git@github.com:acme/payments`, a GitHub Enterprise host): `acme/payments`. A folder on
/// this machine, or another forge, names none.
fn forge_path(url: &gix::bstr::BStr) -> Option<String> {
    let url = gix::url::parse(url).ok()?;
    let on_github = url
        .host()
        .is_some_and(|host| host.to_ascii_lowercase().contains("github"));
    if url.scheme == gix::url::Scheme::File || !on_github {
        return None;
    }
    let path = String::from_utf8(url.path.to_vec()).ok()?;
    let path = path.trim_matches('/');
    let path = path
        .strip_suffix(".git")
        .unwrap_or(path)
        .trim_end_matches('/');
    path.contains('/').then(|| path.to_owned())
}

/// Whether objects may be missing by design: a partial clone (`git clone --filter`) names
/// its promisor remote, which would fetch them on demand (opslint never does).
pub fn is_partial_clone(repo: &gix::Repository) -> bool {
    let snapshot = repo.config_snapshot();
    let config = snapshot.plumbing();
    let promisor = |section: gix::config::file::SectionRef<'_>| {
        section.value("promisor").is_some_and(|value| {
            gix::config::Boolean::try_from(value.as_bstr()).is_ok_and(|yes| yes.0)
        })
    };
    config.string("extensions.partialClone").is_some()
        || config
            .sections_by_name("remote")
            .into_iter()
            .flatten()
            .any(promisor)
}

#[cfg(test)]
mod tests {
    use super::forge_path;
    use gix::bstr::ByteSlice;

    #[test]
    fn a_remote_url_names_the_repository_on_its_forge() {
        let path = |url: &str| forge_path(url.as_bytes().as_bstr());
        for url in [
            "https://github.com/acme/payments.git",
            "https://github.com/acme/payments/",
            "git@github.com:acme/payments.git",
            "ssh://git@github.com/acme/payments",
        ] {
            assert_eq!(path(url).as_deref(), Some("acme/payments"), "{url}");
        }
        assert_eq!(
            path("https://github.acme.internal/payments/api.git").as_deref(),
            Some("payments/api")
        );
        // Another forge's groups are no GitHub owners.
        assert_eq!(path("git@gitlab.com:docker/infra.git"), None);
        // A folder on this machine is on no forge.
        assert_eq!(path("/srv/git/acme/payments.git"), None);
        assert_eq!(path("not a url at all ::"), None);
    }
}

//! The bad-input corpus: repositories in every odd or broken state, each with its specified
//! outcome, run through `check` and, all together, through one `sweep`. The table in
//! `docs/robustness.md` is generated from these cases (`OPSLINT_BLESS=1` rewrites it) and
//! checked against them, so it cannot drift.

use std::path::{Path, PathBuf};
use std::process::Output;

use gix::objs::tree::EntryKind;

use crate::support::{assert_tool_error, commit_all_in, commit_staged_in, git_in, opslint};

/// What a case must give.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// A report (exit 0 or 1) whose output contains this text.
    Report(&'static str),
    /// Exit 2 with a one-line cause containing this text.
    Error(&'static str),
}

struct Case {
    name: &'static str,
    /// The outcome, as docs/robustness.md states it.
    outcome: &'static str,
    /// What its line in the sweep must be, when the case says: an error whose code or
    /// message contains the text, or a report containing it.
    sweep: Option<Expect>,
    /// After `check`, before the path; or, when they start with `hook`, the command itself.
    args: &'static [&'static str],
    expect: Expect,
    /// Builds the repository under the given folder; returns its path.
    build: fn(&Path) -> PathBuf,
}

fn sample_in(root: &Path, name: &str) -> PathBuf {
    let dir = root.join(name);
    let status = std::process::Command::new("cp")
        .arg("-R")
        .arg(crate::support::fixtures_dir().join("repos/sample"))
        .arg(&dir)
        .status()
        .unwrap();
    assert!(status.success());
    git_in(&dir, &["init", "-q", "-b", "main"]);
    commit_all_in(&dir, "Initial import");
    dir
}

/// Git writes objects and packs read-only; the corrupting cases overwrite them.
fn make_writable(path: &Path) {
    let mut permissions = std::fs::metadata(path).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    permissions.set_readonly(false);
    std::fs::set_permissions(path, permissions).unwrap();
}

/// The path of a loose object of `dir`'s repository.
fn loose_object(dir: &Path, id: &str) -> PathBuf {
    dir.join(".git/objects").join(&id[..2]).join(&id[2..])
}

/// A bare repository made with gix rather than git: the huge cases are written in a second
/// instead of the many seconds git's plumbing takes to read a million lines.
fn bare_in(root: &Path, name: &str) -> (PathBuf, gix::Repository) {
    git_in(root, &["init", "-q", "--bare", "-b", "main", name]);
    let dir = root.join(name);
    let repo = gix::open(&dir).unwrap();
    (dir, repo)
}

/// Writes a tree of the given entries, whose names sort as git sorts them.
fn tree_of(
    repo: &gix::Repository,
    entries: impl Iterator<Item = (String, gix::ObjectId, EntryKind)>,
) -> gix::ObjectId {
    let entries = entries
        .map(|(name, id, kind)| gix::objs::tree::Entry {
            mode: kind.into(),
            filename: name.into(),
            oid: id,
        })
        .collect();
    let tree = gix::objs::Tree { entries };
    repo.write_object(&tree).unwrap().detach()
}

/// Commits `tree` on `main` (HEAD) with `parent`, a day after it.
fn commit_on_main(
    repo: &gix::Repository,
    tree: gix::ObjectId,
    parent: Option<gix::ObjectId>,
) -> gix::ObjectId {
    let signature = gix::actor::Signature {
        name: "Ada".into(),
        email: "ada@example.com".into(),
        time: gix::date::Time::new(1_767_225_600 + parent.map_or(0, |_| 86_400), 0),
    };
    let commit = gix::objs::Commit {
        tree,
        parents: parent.into_iter().collect(),
        author: signature.clone(),
        committer: signature,
        encoding: None,
        message: "Many files\n".into(),
        extra_headers: Vec::new(),
    };
    let id = repo.write_object(&commit).unwrap().detach();
    std::fs::write(repo.git_dir().join("refs/heads/main"), format!("{id}\n")).unwrap();
    id
}

/// Commits the empty tree on `main` with `parent`, its author and committer times written as
/// `time` in the header, as any bytes can be.
fn raw_commit_on_main(
    repo: &gix::Repository,
    parent: Option<gix::ObjectId>,
    time: &str,
) -> gix::ObjectId {
    let empty = tree_of(repo, std::iter::empty());
    let parent = parent
        .map(|parent| format!("parent {parent}\n"))
        .unwrap_or_default();
    let text = format!(
        "tree {empty}\n{parent}author Ada <ada@example.com> {time} +0000\n\
         committer Ada <ada@example.com> {time} +0000\n\nAt {time}\n"
    );
    use gix::objs::Write as _;
    let id = repo
        .objects
        .write_buf(gix::objs::Kind::Commit, text.as_bytes())
        .unwrap();
    std::fs::write(repo.git_dir().join("refs/heads/main"), format!("{id}\n")).unwrap();
    id
}

/// The sample repository with a custom `content-matches` rule whose `files` and `pattern`
/// lines are `check`.
/// A workflow whose one step is `make test`: the Makefile of the case is what it runs.
fn pipeline_runs_make_test(dir: &Path) {
    std::fs::write(
        dir.join(".github/workflows/make.yml"),
        "on: pull_request\njobs:\n  t:\n    runs-on: x\n    steps:\n      - run: make test\n",
    )
    .unwrap();
}

fn custom_rule_in(root: &Path, name: &str, check: &str) -> PathBuf {
    let dir = sample_in(root, name);
    let config = format!(
        "[[rule]]\nid = \"ci.custom\"\narea = \"ci\"\ntitle = \"Custom\"\nseverity = \"note\"\n\
         rationale = \"r\"\nremediation = \"r\"\n[[rule.check]]\nkind = \"content-matches\"\n{check}\n"
    );
    std::fs::write(dir.join(".opslint.toml"), config).unwrap();
    commit_all_in(&dir, "Custom rule");
    dir
}

/// The size of the blob `blob_bomb_in` writes, and its id (that of this many zero bytes).
const BOMB_BYTES: u64 = 1 << 30;
const BOMB_ID: &str = "4fce05a4e4ed8cefef2d99f32c519b2fd7841b74";

/// The sample repository, then a commit adding one blob of 1 GiB of zeros at six paths and
/// a commit deleting them: a 7 MB push that reads as 6 GiB. The blob is written as an
/// attacker would write it, a loose object deflated by hand (a literal zero, then copies of
/// the byte before), so building it takes no gigabyte of hashing or compressing.
fn blob_bomb_in(root: &Path, name: &str) -> PathBuf {
    let dir = sample_in(root, name);
    let path = loose_object(&dir, BOMB_ID);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, zeros_object(BOMB_BYTES)).unwrap();
    let paths: Vec<String> = (0..6)
        .map(|index| format!("bombs/zeros-{index}.txt"))
        .collect();
    for path in &paths {
        let info = format!("100644,{BOMB_ID},{path}");
        git_in(&dir, &["update-index", "--add", "--cacheinfo", &info]);
    }
    commit_staged_in(&dir, "Add six copies of a big file");
    for path in &paths {
        git_in(&dir, &["update-index", "--force-remove", path]);
    }
    commit_staged_in(&dir, "Remove them");
    dir
}

/// A loose blob object of `size` zero bytes.
fn zeros_object(size: u64) -> Vec<u8> {
    repeated_object("blob", b"", 0, size)
}

/// A loose object of `kind` whose contents are `prefix`, then `byte` `count` times: zlib,
/// with the header and `prefix` in a stored block and the repeated byte in one
/// fixed-Huffman block, as an attacker writes one without compressing gigabytes.
fn repeated_object(kind: &str, prefix: &[u8], byte: u8, count: u64) -> Vec<u8> {
    struct Bits {
        out: Vec<u8>,
        pending: u32,
        count: u32,
    }
    impl Bits {
        fn put(&mut self, value: u32, count: u32) {
            self.pending |= value << self.count;
            self.count += count;
            while self.count >= 8 {
                self.out.push(self.pending as u8);
                self.pending >>= 8;
                self.count -= 8;
            }
        }
        /// A Huffman code goes most significant bit first.
        fn code(&mut self, code: u32, count: u32) {
            self.put(code.reverse_bits() >> (32 - count), count);
        }
        fn align(&mut self) {
            if self.count > 0 {
                self.put(0, 8 - self.count);
            }
        }
    }
    // Literals up to 143 have 8-bit codes from 0x30.
    assert!(byte < 144 && count > 0);
    let mut header = format!("{kind} {}\0", prefix.len() as u64 + count).into_bytes();
    header.extend_from_slice(prefix);
    let mut bits = Bits {
        out: vec![0x78, 0x01],
        pending: 0,
        count: 0,
    };
    // Stored blocks (up to 65,535 bytes each): the header and the prefix.
    for (index, stored) in header.chunks(65_535).enumerate() {
        if index > 0 {
            bits.align();
        }
        bits.put(0, 3);
        bits.align();
        let len = stored.len() as u16;
        bits.out.extend(len.to_le_bytes());
        bits.out.extend((!len).to_le_bytes());
        bits.out.extend(stored);
    }
    // The last block, fixed Huffman codes: a literal, then copies at distance 1 (length
    // 258 is code 285, lengths 3 to 10 are codes 257 to 264; distance 1 is code 0).
    bits.put(1, 1);
    bits.put(1, 2);
    bits.code(0x30 + u32::from(byte), 8);
    let (copies, rest) = ((count - 1) / 258, ((count - 1) % 258) as u32);
    for _ in 0..copies {
        bits.code(0xC5, 8);
        bits.code(0, 5);
    }
    // The rest: one short copy, or as literals.
    match rest {
        3..=10 => {
            bits.code(rest - 2, 7);
            bits.code(0, 5);
        }
        _ => (0..rest).for_each(|_| bits.code(0x30 + u32::from(byte), 8)),
    }
    bits.code(0, 7);
    bits.align();
    // Adler-32 of the header and prefix, then of the repeated byte: n of them add n*c to
    // the first sum, and n*a + c*n(n+1)/2 to the second.
    const MOD: u128 = 65_521;
    let (mut a, mut b) = (1u128, 0u128);
    for &byte in &header {
        a = (a + u128::from(byte)) % MOD;
        b = (b + a) % MOD;
    }
    let (n, c) = (u128::from(count), u128::from(byte));
    b = (b + n * a + c * (n * (n + 1) / 2)) % MOD;
    a = (a + n * c) % MOD;
    bits.out.extend((((b << 16) | a) as u32).to_be_bytes());
    bits.out
}

/// The size of the message of the commit `huge_commit_in` writes, its text before that
/// many `x`, and its id.
const HUGE_MESSAGE_BYTES: u64 = 1 << 30;
const HUGE_COMMIT_TEXT: &[u8] = b"tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\n\
    author Ada <ada@example.com> 1767225600 +0000\n\
    committer Ada <ada@example.com> 1767225600 +0000\n\nA huge message\n\n";
const HUGE_COMMIT_ID: &str = "f0d746b86573e0b3195e5f557f6b23c64a75da05";

/// A blob of this many `a` bytes (one line), and its id.
const REPEATED_BLOB_BYTES: u64 = 30 << 20;
const REPEATED_BLOB_ID: &str = "ff0f32076205e4b2ecf2ce1dadea2a55a4126664";

/// A bare repository whose root commit, of the empty tree, has a message of 1 GiB (a 7 MB
/// loose object, deflated by hand); `main` is that commit, or with `child`, a commit on it.
fn huge_commit_in(root: &Path, name: &str, child: bool) -> PathBuf {
    let (dir, repo) = bare_in(root, name);
    let empty = tree_of(&repo, std::iter::empty());
    let path = dir.join("objects").join(&HUGE_COMMIT_ID[..2]);
    std::fs::create_dir_all(&path).unwrap();
    let object = repeated_object("commit", HUGE_COMMIT_TEXT, b'x', HUGE_MESSAGE_BYTES);
    std::fs::write(path.join(&HUGE_COMMIT_ID[2..]), object).unwrap();
    let huge = gix::ObjectId::from_hex(HUGE_COMMIT_ID.as_bytes()).unwrap();
    if child {
        commit_on_main(&repo, empty, Some(huge));
    } else {
        std::fs::write(dir.join("refs/heads/main"), format!("{huge}\n")).unwrap();
    }
    dir
}

/// A bare repository whose commit has a tree of 100,000 files named with 4,000 bytes each
/// (a 400 MB tree object, 880 KB deflated), streamed into the object database so that the
/// test itself never holds it (a child forked from a large test would count it too); with
/// `child`, `main` is a commit on it that deletes them.
fn long_names_in(root: &Path, name: &str, child: bool) -> PathBuf {
    use gix::objs::Write as _;
    /// The tree's entries, made as they are read.
    struct Entries {
        blob: gix::ObjectId,
        next: usize,
        entry: Vec<u8>,
        at: usize,
    }
    impl std::io::Read for Entries {
        fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
            if self.at == self.entry.len() {
                if self.next == LONG_NAMES {
                    return Ok(0);
                }
                self.entry.clear();
                self.entry
                    .extend(format!("100644 {:06}", self.next).bytes());
                self.entry.resize(7 + LONG_NAME_BYTES, b'n');
                self.entry.push(0);
                self.entry.extend_from_slice(self.blob.as_bytes());
                (self.next, self.at) = (self.next + 1, 0);
            }
            let count = out.len().min(self.entry.len() - self.at);
            out[..count].copy_from_slice(&self.entry[self.at..self.at + count]);
            self.at += count;
            Ok(count)
        }
    }
    const LONG_NAMES: usize = 100_000;
    const LONG_NAME_BYTES: usize = 4_000;
    let (dir, repo) = bare_in(root, name);
    let blob = repo.write_blob("hello\n").unwrap().detach();
    let size = LONG_NAMES * (7 + LONG_NAME_BYTES + 1 + 20);
    let mut entries = Entries {
        blob,
        next: 0,
        entry: Vec::new(),
        at: 0,
    };
    let tree = repo
        .objects
        .write_stream(gix::objs::Kind::Tree, size as u64, &mut entries)
        .unwrap();
    let first = commit_on_main(&repo, tree, None);
    if child {
        let empty = tree_of(&repo, std::iter::empty());
        commit_on_main(&repo, empty, Some(first));
    }
    dir
}

const CASES: &[Case] = &[
    Case {
        name: "empty repository (no commits, unborn HEAD)",
        outcome: "report of the working tree (no files); `--rev HEAD`: exit 2, \"no commits yet\"",
        sweep: None,
        args: &["--rev", "HEAD"],
        expect: Expect::Error("no commits yet"),
        build: |root| {
            let dir = root.join("empty");
            git_in(root, &["init", "-q", "empty"]);
            dir
        },
    },
    Case {
        name: "HEAD pointing at a missing branch",
        outcome: "report of the working tree, HEAD unborn",
        sweep: None,
        args: &[],
        expect: Expect::Report("working tree (no commits yet)"),
        build: |root| {
            let dir = sample_in(root, "missing-ref");
            std::fs::write(dir.join(".git/HEAD"), "ref: refs/heads/nowhere\n").unwrap();
            dir
        },
    },
    Case {
        name: "detached HEAD",
        outcome: "report of the commit HEAD points at",
        sweep: None,
        args: &["--rev", "HEAD"],
        expect: Expect::Report("ci.pipeline"),
        build: |root| {
            let dir = sample_in(root, "detached");
            git_in(&dir, &["checkout", "-q", "--detach"]);
            dir
        },
    },
    Case {
        name: "shallow clone",
        outcome: "report; history figures unknown with \"fetch-depth: 0\"",
        sweep: None,
        args: &["--rev", "HEAD", "--format", "json"],
        expect: Expect::Report("fetch-depth: 0"),
        build: |root| {
            let source = sample_in(root, "shallow-source");
            std::fs::write(source.join("NOTES.md"), "more\n").unwrap();
            commit_all_in(&source, "More");
            let url = format!("file://{}", source.display());
            git_in(root, &["clone", "-q", "--depth", "1", &url, "shallow"]);
            root.join("shallow")
        },
    },
    Case {
        name: "a blob missing from the object database",
        outcome: "report; the rules that needed the file are `unknown`, naming the missing object",
        sweep: None,
        args: &["--rev", "HEAD", "--no-history", "--format", "json"],
        expect: Expect::Report("could not be examined (.github/workflows/ci.yml: object"),
        build: |root| {
            let dir = sample_in(root, "missing-blob");
            let blob = git_in(&dir, &["rev-parse", "HEAD:.github/workflows/ci.yml"]);
            std::fs::remove_file(loose_object(&dir, blob.trim())).unwrap();
            dir
        },
    },
    Case {
        name: "a corrupt loose object (HEAD's tree)",
        outcome: "`--rev HEAD`: exit 2, \"cannot read the repository\"",
        sweep: None,
        args: &["--rev", "HEAD"],
        expect: Expect::Error("cannot read the repository"),
        build: |root| {
            let dir = sample_in(root, "corrupt-tree");
            let tree = git_in(&dir, &["rev-parse", "HEAD^{tree}"]);
            let object = loose_object(&dir, tree.trim());
            make_writable(&object);
            std::fs::write(&object, b"not zlib").unwrap();
            dir
        },
    },
    Case {
        name: "a truncated pack",
        outcome: "`--rev HEAD`: exit 2, \"cannot read the repository\"",
        sweep: None,
        args: &["--rev", "HEAD"],
        expect: Expect::Error("cannot read the repository"),
        build: |root| {
            let dir = sample_in(root, "truncated-pack");
            git_in(&dir, &["repack", "-adq"]);
            let pack = std::fs::read_dir(dir.join(".git/objects/pack"))
                .unwrap()
                .map(|entry| entry.unwrap().path())
                .find(|path| {
                    path.extension()
                        .is_some_and(|extension| extension == "pack")
                })
                .unwrap();
            let length = std::fs::metadata(&pack).unwrap().len();
            make_writable(&pack);
            std::fs::OpenOptions::new()
                .write(true)
                .open(&pack)
                .unwrap()
                .set_len(length / 2)
                .unwrap();
            dir
        },
    },
    Case {
        name: "submodules, one of them missing",
        outcome: "report; gitlinks listed as submodules, never descended into",
        sweep: None,
        args: &["--rev", "HEAD", "--format", "json"],
        expect: Expect::Report("\"submodules\": [\n      \"vendor/gone\""),
        build: |root| {
            let dir = sample_in(root, "submodules");
            let head = git_in(&dir, &["rev-parse", "HEAD"]);
            let gitlink = format!("160000,{},vendor/gone", head.trim());
            git_in(&dir, &["update-index", "--add", "--cacheinfo", &gitlink]);
            commit_staged_in(&dir, "Submodule");
            dir
        },
    },
    Case {
        name: "symbolic links out of the repository and in a loop",
        outcome: "report; links listed, never followed or read",
        sweep: None,
        args: &[],
        expect: Expect::Report("ci.pipeline"),
        build: |root| {
            let dir = sample_in(root, "symlinks");
            #[cfg(unix)]
            {
                std::os::unix::fs::symlink("/etc/passwd", dir.join("Dockerfile.outside")).unwrap();
                std::os::unix::fs::symlink("loop-b", dir.join("loop-a")).unwrap();
                std::os::unix::fs::symlink("loop-a", dir.join("loop-b")).unwrap();
                std::os::unix::fs::symlink("/", dir.join(".github/CODEOWNERS")).unwrap();
            }
            commit_all_in(&dir, "Links");
            dir
        },
    },
    Case {
        name: "a 2 GiB sparse file named like a pipeline",
        outcome: "report; the file is over the 4 MiB read cap and never read",
        sweep: None,
        args: &[],
        expect: Expect::Report("ci.pipeline"),
        build: |root| {
            let dir = sample_in(root, "huge-file");
            let file = std::fs::File::create(dir.join(".gitlab-ci.yml")).unwrap();
            file.set_len(2 << 30).unwrap();
            dir
        },
    },
    Case {
        name: "binary files named like config files",
        outcome: "report; binary files are not parsed; a rule that passes on finding nothing \
                  wrong is `unknown` over one (\"looks binary\") unless another file fails it",
        sweep: None,
        args: &["--rev", "HEAD", "--format", "json"],
        expect: Expect::Report("Dockerfile looks binary (a NUL byte in its first 8,000 bytes)"),
        build: |root| {
            let dir = sample_in(root, "binary-config");
            std::fs::write(
                dir.join(".github/workflows/binary.yml"),
                b"on:\0\xff\xfe\x00jobs",
            )
            .unwrap();
            std::fs::write(dir.join("package.json"), b"{\0\0\0}").unwrap();
            // The sample's own Dockerfile is pinned: this one alone could hide an unpinned image.
            std::fs::write(
                dir.join("binary.Dockerfile"),
                b"FROM node\n# \0\nRUN true\n",
            )
            .unwrap();
            commit_all_in(&dir, "Binary");
            dir
        },
    },
    Case {
        name: "paths that are not UTF-8 and paths with a newline",
        outcome: "report; such paths shown with replacement characters, escaped in every format",
        sweep: None,
        args: &["--rev", "HEAD", "--format", "github"],
        expect: Expect::Report("caf\u{FFFD}/Dockerfile"),
        build: |root| {
            let dir = sample_in(root, "odd-paths");
            #[cfg(unix)]
            {
                use std::os::unix::ffi::OsStrExt;
                let name = std::ffi::OsStr::from_bytes(b"caf\xe9/Dockerfile");
                std::fs::create_dir_all(dir.join(std::ffi::OsStr::from_bytes(b"caf\xe9"))).unwrap();
                std::fs::write(dir.join(name), "FROM python:latest\n").unwrap();
            }
            std::fs::create_dir_all(dir.join("new\nline")).unwrap();
            std::fs::write(dir.join("new\nline/Dockerfile"), "FROM node:latest\n").unwrap();
            commit_all_in(&dir, "Odd paths");
            dir
        },
    },
    Case {
        name: "control characters (ESC, BEL, C1) in a path, `--format github`",
        outcome: "report; every control character the format does not encode shown as `\u{FFFD}`, \
                  in `file=` and `title=` too",
        sweep: None,
        args: &["--rev", "HEAD", "--no-history", "--format", "github"],
        expect: Expect::Report("file=a\u{FFFD}[2Jb\u{FFFD}\u{FFFD}31m/Dockerfile,"),
        build: |root| {
            let dir = sample_in(root, "control-paths");
            let folder = dir.join("a\u{1b}[2Jb\u{7}\u{9b}31m");
            std::fs::create_dir_all(&folder).unwrap();
            std::fs::write(folder.join("Dockerfile"), "FROM node:latest\n").unwrap();
            commit_all_in(&dir, "Control characters");
            dir
        },
    },
    Case {
        name: "an @mention in a custom rule's title, `--format markdown`",
        outcome: "report; the mention broken (`@<!-- -->team`), as in the organisation report",
        sweep: None,
        args: &["--rev", "HEAD", "--no-history", "--format", "markdown"],
        expect: Expect::Report("Ask @<!-- -->org/admins"),
        build: |root| {
            let dir = sample_in(root, "mention");
            std::fs::write(
                dir.join(".opslint.toml"),
                "[[rule]]\nid = \"ci.ping\"\narea = \"ci\"\ntitle = \"Ask @org/admins\"\n\
                 severity = \"error\"\nrationale = \"r\"\nremediation = \"r\"\n\
                 [[rule.check]]\nkind = \"files-present\"\nfiles = [\"nothing-here\"]\n",
            )
            .unwrap();
            commit_all_in(&dir, "Mention");
            dir
        },
    },
    Case {
        name: "bidi overrides and zero-width characters in paths",
        outcome: "report; shown escaped (`\\u{202e}`) in the human, github, Markdown and HTML \
                  outputs",
        sweep: None,
        args: &["--rev", "HEAD", "--no-history", "--format", "markdown"],
        expect: Expect::Report("svc/\\u{202e}txt.exe\\u{200b}/Dockerfile"),
        build: |root| {
            let dir = sample_in(root, "bidi-paths");
            let folder = dir.join("svc/\u{202e}txt.exe\u{200b}");
            std::fs::create_dir_all(&folder).unwrap();
            std::fs::write(folder.join("Dockerfile"), "FROM python:latest\n").unwrap();
            commit_all_in(&dir, "Reversed name");
            dir
        },
    },
    Case {
        name: "an index declaring 3,000,000 entries, `--staged` and the working tree",
        outcome: "exit 2, \"the index declares 3,000,000 entries\" (`tree_too_large`): the index \
                  is sized from its file and header before it is read, against the same 256 MiB \
                  as a tree",
        sweep: Some(Expect::Error("tree_too_large")),
        args: &["--staged"],
        expect: Expect::Error("the index declares 3,000,000 entries"),
        build: |root| {
            let dir = sample_in(root, "huge-index");
            // Only the header: it is refused before the entries would be read.
            let mut index = b"DIRC".to_vec();
            index.extend_from_slice(&2u32.to_be_bytes());
            index.extend_from_slice(&3_000_000u32.to_be_bytes());
            index.extend_from_slice(&[0; 20]);
            std::fs::write(dir.join(".git/index"), index).unwrap();
            dir
        },
    },
    Case {
        name: "HEAD a symbolic reference loop (HEAD → a → b → a)",
        outcome: "`--rev HEAD`: exit 2, \"a symbolic reference loop\", not \"no commits yet\"",
        sweep: None,
        args: &["--rev", "HEAD"],
        expect: Expect::Error("it is a symbolic reference loop"),
        build: |root| {
            let dir = sample_in(root, "head-loop");
            std::fs::write(dir.join(".git/HEAD"), "ref: refs/heads/a\n").unwrap();
            std::fs::write(dir.join(".git/refs/heads/a"), "ref: refs/heads/b\n").unwrap();
            std::fs::write(dir.join(".git/refs/heads/b"), "ref: refs/heads/a\n").unwrap();
            dir
        },
    },
    Case {
        name: "HEAD a symbolic reference loop, in a clone with a working tree",
        outcome: "report of the working tree, saying \"no commit at HEAD: it is a symbolic \
                  reference loop\"",
        sweep: None,
        args: &["--no-history"],
        expect: Expect::Report("no commit at HEAD: it is a symbolic reference loop"),
        build: |root| {
            let dir = sample_in(root, "head-loop-worktree");
            std::fs::write(dir.join(".git/HEAD"), "ref: refs/heads/a\n").unwrap();
            std::fs::write(dir.join(".git/refs/heads/a"), "ref: refs/heads/b\n").unwrap();
            std::fs::write(dir.join(".git/refs/heads/b"), "ref: refs/heads/a\n").unwrap();
            dir
        },
    },
    Case {
        name: "HEAD's branch holding a tag of a tree",
        outcome: "`--rev HEAD`: exit 2, \"it leads to a tree (through a tag), not a commit\"; \
                  `--rev` with the tag scans its tree",
        sweep: None,
        args: &["--rev", "HEAD"],
        expect: Expect::Error("it leads to a tree (through a tag), not a commit"),
        build: |root| {
            let dir = sample_in(root, "head-tag-of-tree");
            let tree = git_in(&dir, &["rev-parse", "HEAD^{tree}"]);
            git_in(
                &dir,
                &[
                    "-c",
                    "user.name=T",
                    "-c",
                    "user.email=t@example.com",
                    "tag",
                    "-a",
                    "-m",
                    "a tree",
                    "tree-tag",
                    tree.trim(),
                ],
            );
            let tag = git_in(&dir, &["rev-parse", "tree-tag"]);
            // git refuses to put a non-commit on a branch; the file is written as a red team did.
            std::fs::write(
                dir.join(".git/refs/heads/treeish"),
                format!("{}\n", tag.trim()),
            )
            .unwrap();
            git_in(&dir, &["symbolic-ref", "HEAD", "refs/heads/treeish"]);
            dir
        },
    },
    Case {
        name: "a SHA-256 repository (extensions.objectFormat = sha256)",
        outcome: "exit 2, \"sha256 object ids are not supported by gix, the git library opslint \
                  uses\"",
        sweep: Some(Expect::Error("unsupported_object_format")),
        args: &[],
        expect: Expect::Error("sha256 object ids are not supported by gix"),
        build: |root| {
            git_in(root, &["init", "-q", "--object-format=sha256", "sha256"]);
            let dir = root.join("sha256");
            std::fs::write(dir.join("README.md"), "hi\n").unwrap();
            commit_all_in(&dir, "Initial import");
            dir
        },
    },
    Case {
        name: "a tree nested 5,000 levels deep",
        outcome: "report of the commit (listed without recursion)",
        sweep: None,
        args: &["--rev", "HEAD", "--no-history"],
        expect: Expect::Report("ci.pipeline"),
        build: |root| {
            let dir = root.join("deep.git");
            git_in(root, &["init", "-q", "--bare", "-b", "main", "deep.git"]);
            let path = "d/".repeat(5_000) + "file.txt";
            let stream = format!(
                "commit refs/heads/main\ncommitter Ada <ada@example.com> 1767225600 +0000\ndata 4\ndeep\nM 100644 inline {path}\ndata 3\nhi\n\n"
            );
            let mut import = std::process::Command::new("git")
                .args(["fast-import", "--quiet"])
                .current_dir(&dir)
                .stdin(std::process::Stdio::piped())
                .spawn()
                .unwrap();
            use std::io::Write;
            import
                .stdin
                .take()
                .unwrap()
                .write_all(stream.as_bytes())
                .unwrap();
            assert!(import.wait().unwrap().success());
            dir
        },
    },
    Case {
        name: "a pipeline with a billion-laughs alias bomb",
        outcome: "report; the YAML parser's budget refuses it (\"… is beyond what opslint reads\"): the pipeline rules are `unknown`, not failed, as the file may be valid",
        sweep: None,
        args: &["--rev", "HEAD", "--no-history", "--format", "json"],
        expect: Expect::Report("beyond what opslint reads (budget breached"),
        build: |root| {
            let dir = sample_in(root, "yaml-bomb");
            let mut yaml = String::from(
                "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
            );
            for (name, previous) in ["b", "c", "d", "e", "f", "g", "h", "i"]
                .iter()
                .zip(["a", "b", "c", "d", "e", "f", "g", "h"])
            {
                yaml.push_str(&format!("{name}: &{name} [*{previous},*{previous},*{previous},*{previous},*{previous},*{previous},*{previous},*{previous},*{previous}]\n"));
            }
            yaml.push_str("on: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo *i\n");
            std::fs::write(dir.join(".github/workflows/bomb.yml"), yaml).unwrap();
            commit_all_in(&dir, "Bomb");
            dir
        },
    },
    Case {
        name: "deeply nested YAML and JSON",
        outcome: "report; the nesting is past what the parser reads: the pipeline rules are `unknown`, \"beyond what opslint reads\" (not a broken pipeline at error), no stack overflow",
        sweep: None,
        args: &["--rev", "HEAD", "--no-history", "--format", "json"],
        expect: Expect::Report("deep.yml is beyond what opslint reads"),
        build: |root| {
            let dir = sample_in(root, "deep-yaml");
            let yaml = "[".repeat(100_000) + &"]".repeat(100_000);
            std::fs::write(dir.join(".github/workflows/deep.yml"), &yaml).unwrap();
            std::fs::write(dir.join("package.json"), yaml).unwrap();
            commit_all_in(&dir, "Deep");
            dir
        },
    },
    Case {
        name: "a blobless partial clone",
        outcome: "report; rules that needed file contents are `unknown`, \"left out of this partial clone\"; history counts files, not lines",
        sweep: None,
        args: &["--rev", "HEAD"],
        expect: Expect::Report("was left out of this partial clone"),
        build: |root| {
            let source = sample_in(root, "partial-source");
            git_in(&source, &["config", "uploadpack.allowFilter", "true"]);
            let url = format!("file://{}", source.display());
            git_in(
                root,
                &[
                    "clone",
                    "-q",
                    "--bare",
                    "--filter=blob:none",
                    &url,
                    "partial.git",
                ],
            );
            root.join("partial.git")
        },
    },
    Case {
        name: "a tree of 1,000,000 entries",
        outcome: "report of all of them (the cap is 10,000,000 entries: `--max-tree-entries`)",
        sweep: None,
        args: &["--rev", "HEAD", "--no-history", "--format", "json"],
        expect: Expect::Report("\"files\": 1000000,"),
        build: |root| {
            let (dir, repo) = bare_in(root, "million.git");
            let blob = repo.write_blob("hello\n").unwrap().detach();
            let names = (0..1_000_000).map(|index| format!("f{index:07}"));
            let tree = tree_of(&repo, names.map(|name| (name, blob, EntryKind::Blob)));
            commit_on_main(&repo, tree, None);
            dir
        },
    },
    Case {
        name: "a tree of 100,000 entries with names of 4,000 bytes (880 KB pushed)",
        outcome: "exit 2, `opslint::tree_too_large` (\"take more than 256 MiB\"): a listing holds at most 256 MiB of tree objects (sized from their headers, before they are inflated) and paths; and its line in a sweep",
        sweep: Some(Expect::Error("opslint::tree_too_large")),
        args: &["--rev", "HEAD"],
        expect: Expect::Error("take more than 256 MiB"),
        build: |root| long_names_in(root, "long-names.git", false),
    },
    Case {
        name: "the same tree in HEAD's parent, HEAD deleting it",
        outcome: "report; the history figures are `unknown`: one commit's diff holds at most 128 MiB of tree objects and paths (\"changes more than 128 MiB of trees and paths\")",
        sweep: None,
        args: &["--rev", "HEAD", "--window", "all", "--format", "json"],
        expect: Expect::Report("changes more than 128 MiB of trees and paths"),
        build: |root| long_names_in(root, "long-names-parent.git", true),
    },
    Case {
        name: "a commit with 100,000 changed files",
        outcome: "report; the history pass counts its 200,000 changed lines",
        sweep: None,
        args: &["--rev", "HEAD", "--format", "json"],
        expect: Expect::Report(
            "\"id\": \"flow.p90_lines_per_commit\",\n        \"value\": 200000.0",
        ),
        build: |root| {
            let (dir, repo) = bare_in(root, "hundred-thousand.git");
            // 100 folders of 1,000 files, every file the same blob: one line, then another.
            let folders_of = |text: &str| {
                let blob = repo.write_blob(text).unwrap().detach();
                let files = (0..1_000).map(|index| (format!("f{index:04}"), blob, EntryKind::Blob));
                let folder = tree_of(&repo, files);
                let folders =
                    (0..100).map(|index| (format!("d{index:03}"), folder, EntryKind::Tree));
                tree_of(&repo, folders)
            };
            let first = commit_on_main(&repo, folders_of("one\n"), None);
            commit_on_main(&repo, folders_of("two\n"), Some(first));
            // Packed, as a real repository's history is.
            git_in(&dir, &["repack", "-adq"]);
            dir
        },
    },
    Case {
        name: "a custom rule with an invalid glob",
        outcome: "exit 2, \"invalid glob\", pointed at in the config",
        sweep: None,
        args: &["--rev", "HEAD"],
        expect: Expect::Error("invalid glob"),
        build: |root| custom_rule_in(root, "bad-glob", "files = [\"a/[b\"]\npattern = 'x'"),
    },
    Case {
        name: "a custom rule with an invalid regex",
        outcome: "exit 2, \"invalid regex\", pointed at in the config",
        sweep: None,
        args: &["--rev", "HEAD"],
        expect: Expect::Error("invalid regex"),
        build: |root| {
            custom_rule_in(
                root,
                "bad-regex",
                "files = [\"**\"]\npattern = 'unclosed ('",
            )
        },
    },
    Case {
        name: "a custom rule with a pathological regex",
        outcome: "exit 2, the regex is \"too large\" to compile; patterns run in linear time, never backtrack",
        sweep: None,
        args: &["--rev", "HEAD"],
        expect: Expect::Error("too large"),
        build: |root| {
            custom_rule_in(
                root,
                "huge-regex",
                "files = [\"**\"]\npattern = '(\\w{100}){100}'",
            )
        },
    },
    Case {
        name: "a custom rule with a slow regex over 40 MB of Greek text, `--timeout 2`",
        outcome: "exit 2, \"took longer than its time budget\", soon after the budget: the deadline is checked before each file a check examines (and before each blob the history pass reads), not only between phases",
        sweep: None,
        args: &["--no-history", "--timeout", "2"],
        expect: Expect::Error("took longer than its time budget"),
        build: |root| {
            // Unicode word boundaries over text that is not ASCII leave the regex engine's
            // fast automaton: each file takes a quarter of a second.
            let dir = custom_rule_in(
                root,
                "slow-regex",
                "files = [\"**\"]\npattern = '\\b\\w+\\b\\s+\\b\\w+\\b\\s+zzz'",
            );
            let line = "αβγδε ζηθικ λμνξο πρστυ φχψω ".repeat(4) + "\n";
            let text = line.repeat(1_000_000 / line.len());
            std::fs::create_dir_all(dir.join("docs")).unwrap();
            for index in 0..40 {
                std::fs::write(dir.join(format!("docs/greek{index:02}.txt")), &text).unwrap();
            }
            commit_all_in(&dir, "Greek");
            dir
        },
    },
    Case {
        name: "a malformed .opslint.toml",
        outcome: "exit 2, the config error pointed at its line",
        sweep: None,
        args: &["--rev", "HEAD"],
        expect: Expect::Error(".opslint.toml"),
        build: |root| {
            let dir = sample_in(root, "bad-config");
            std::fs::write(dir.join(".opslint.toml"), "disable = [\n").unwrap();
            commit_all_in(&dir, "Bad config");
            dir
        },
    },
    Case {
        name: "a `.git` folder scanned by its own path",
        outcome: "exit 2, `opslint::foreign_worktree`, naming the folder that holds it (not a `core.worktree` nobody set)",
        sweep: None,
        args: &[],
        expect: Expect::Error("the folder holding it"),
        build: |root| sample_in(root, "dot-git-itself").join(".git"),
    },
    Case {
        name: "a working tree with none of HEAD's files (a git directory copied alone)",
        outcome: "exit 2, `opslint::nothing_checked_out`, with `--rev HEAD` as the way to scan the commit (not every rule failed on nothing)",
        sweep: None,
        args: &[],
        expect: Expect::Error("opslint::nothing_checked_out"),
        build: |root| {
            let dir = sample_in(root, "nothing-checked-out");
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.file_name().is_some_and(|name| name == ".git") {
                    continue;
                }
                match path.is_dir() {
                    true => std::fs::remove_dir_all(&path).unwrap(),
                    false => std::fs::remove_file(&path).unwrap(),
                }
            }
            dir
        },
    },
    Case {
        name: "`core.worktree` naming another folder",
        outcome: "exit 2, `opslint::foreign_worktree` (\"has its working tree elsewhere\"), and its line in a sweep: the other folder's files are never listed or read",
        sweep: Some(Expect::Error("opslint::foreign_worktree")),
        args: &[],
        expect: Expect::Error("opslint::foreign_worktree"),
        build: |root| {
            let victim = sample_in(root, "worktree-victim");
            git_in(root, &["init", "-q", "-b", "main", "worktree-attacker"]);
            let dir = root.join("worktree-attacker");
            git_in(&dir, &["config", "core.worktree", victim.to_str().unwrap()]);
            dir
        },
    },
    Case {
        name: "a `.git` file naming a sibling repository's git directory",
        outcome: "exit 2, `opslint::foreign_git_dir` (\"keeps its git data outside it\"; a linked worktree's, which names its checkout back, is scanned), and its line in a sweep, the sibling keeping its own",
        sweep: Some(Expect::Error("opslint::foreign_git_dir")),
        args: &[],
        expect: Expect::Error("opslint::foreign_git_dir"),
        build: |root| {
            sample_in(root, "gitfile-victim");
            let dir = root.join("gitfile-attacker");
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(dir.join(".git"), "gitdir: ../gitfile-victim/.git\n").unwrap();
            dir
        },
    },
    Case {
        name: "a symbolic link `.git` to a sibling repository's git directory",
        outcome: "exit 2, `opslint::foreign_git_dir` (\"keeps its git data outside it\"), and its line in a sweep, the sibling keeping its own",
        sweep: Some(Expect::Error("opslint::foreign_git_dir")),
        args: &[],
        expect: Expect::Error("opslint::foreign_git_dir"),
        build: |root| {
            sample_in(root, "symlink-victim");
            let dir = root.join("symlink-attacker");
            std::fs::create_dir_all(&dir).unwrap();
            #[cfg(unix)]
            std::os::unix::fs::symlink("../symlink-victim/.git", dir.join(".git")).unwrap();
            dir
        },
    },
    Case {
        name: "`objects/info/alternates` naming a sibling's objects, HEAD at the sibling's commit",
        outcome: "exit 2, `opslint::alternates` (\"borrows objects from other repositories\") unless `--allow-alternates`, and its line in a sweep",
        sweep: Some(Expect::Error("opslint::alternates")),
        args: &["--rev", "HEAD"],
        expect: Expect::Error("opslint::alternates"),
        build: |root| {
            let victim = sample_in(root, "alternates-victim");
            let commit = git_in(&victim, &["rev-parse", "HEAD"]);
            git_in(root, &["init", "-q", "-b", "main", "alternates-attacker"]);
            let dir = root.join("alternates-attacker");
            let objects = std::fs::canonicalize(victim.join(".git/objects")).unwrap();
            std::fs::write(
                dir.join(".git/objects/info/alternates"),
                format!("{}\n", objects.display()),
            )
            .unwrap();
            std::fs::write(dir.join(".git/refs/heads/main"), commit).unwrap();
            dir
        },
    },
    Case {
        name: "an empty `broken.git` folder inside another repository",
        outcome: "exit 2, `opslint::not_a_repository`, never the enclosing repository's report, and its line in a sweep",
        sweep: Some(Expect::Error("opslint::not_a_repository")),
        args: &[],
        expect: Expect::Error("opslint::not_a_repository"),
        build: |root| {
            let dir = root.join("broken.git");
            std::fs::create_dir_all(&dir).unwrap();
            dir
        },
    },
    Case {
        name: "a 1 GiB blob (7 MB pushed) at six paths in history, then deleted",
        outcome: "report; the blob is never read: past 32 MiB it counts as binary, as git counts files past `core.bigFileThreshold`, and the line figures say so in their `note`",
        sweep: None,
        args: &["--window", "all", "--format", "json"],
        // Six added, six deleted.
        expect: Expect::Report("12 blobs over 32 MiB or 1,048,576 lines counted as binary"),
        build: |root| blob_bomb_in(root, "blob-bomb"),
    },
    Case {
        name: "the same blob bomb in a pull request (`check --base`)",
        outcome: "report; the pull request's line figures count the blobs as binary, and say so in their `note`",
        sweep: None,
        args: &["--base", "HEAD~2", "--format", "json"],
        expect: Expect::Report("12 blobs over 32 MiB or 1,048,576 lines counted as binary"),
        build: |root| blob_bomb_in(root, "blob-bomb-pr"),
    },
    Case {
        name: "a commit whose message is 1 GiB (7 MB pushed) at HEAD",
        outcome: "exit 2, `opslint::object_too_big` (\"commit … is 1.0 GiB; opslint reads commits up to 8 MiB\"): its size is read from the object's header, the commit never inflated; and its line in a sweep",
        sweep: Some(Expect::Error("opslint::object_too_big")),
        args: &["--rev", "HEAD"],
        expect: Expect::Error("is 1.0 GiB; opslint reads commits up to 8 MiB"),
        build: |root| huge_commit_in(root, "huge-commit.git", false),
    },
    Case {
        name: "900 YAML files of 1 MiB each (one blob pushed), all of them read by rules",
        outcome: "report; past the scan's read budget (256 MiB by default, `--max-total-read`) \
                  the rules that needed more files are `unknown`, saying so: a scan holds no \
                  more file content than that",
        sweep: Some(Expect::Report("over the scan's total read budget")),
        args: &["--no-history"],
        expect: Expect::Report("over the scan's total read budget"),
        build: |root| {
            let dir = sample_in(root, "read-budget");
            std::fs::create_dir(dir.join("k8s")).unwrap();
            let line = format!("a: {}\n", "x".repeat(60));
            let manifest = line.repeat((1 << 20) / line.len());
            std::fs::write(dir.join("k8s/m0.yaml"), &manifest).unwrap();
            for index in 1..900 {
                std::fs::hard_link(
                    dir.join("k8s/m0.yaml"),
                    dir.join(format!("k8s/m{index}.yaml")),
                )
                .unwrap();
            }
            commit_all_in(&dir, "Many manifests");
            dir
        },
    },
    Case {
        name: "the same commit in a pull request (`check --base`), on a branch of its own",
        outcome: "exit 2, `opslint::object_too_big`: the change's commits are checked for size \
                  before the merge base is searched, which would read them whole",
        sweep: None,
        args: &["--rev", "pr", "--base", "main"],
        expect: Expect::Error("is 1.0 GiB; opslint reads commits up to 8 MiB"),
        build: |root| {
            let dir = huge_commit_in(root, "huge-pull-request.git", true);
            let repo = gix::open(&dir).unwrap();
            let change = repo.head_id().unwrap().detach();
            let empty = tree_of(&repo, std::iter::empty());
            commit_on_main(&repo, empty, None);
            std::fs::write(dir.join("refs/heads/pr"), format!("{change}\n")).unwrap();
            dir
        },
    },
    Case {
        name: "the same commit as HEAD's parent",
        outcome: "report; the commit is never read, and the history figures are `unknown`, naming it",
        sweep: None,
        args: &["--rev", "HEAD", "--window", "all", "--format", "json"],
        expect: Expect::Report(
            "commit f0d746b86573e0b3195e5f557f6b23c64a75da05 is 1.0 GiB; opslint reads commits up to 8 MiB",
        ),
        build: |root| huge_commit_in(root, "huge-parent.git", true),
    },
    Case {
        name: "two versions of a 31 MiB text file of 16 million short lines",
        outcome: "report; the versions are not diffed line by line: past 1,048,576 lines a version counts as binary, as one past 32 MiB does, and the line figures say so in their `note`",
        sweep: None,
        args: &["--rev", "HEAD", "--window", "all", "--format", "json"],
        expect: Expect::Report("2 blobs over 32 MiB or 1,048,576 lines counted as binary"),
        build: |root| {
            let (dir, repo) = bare_in(root, "many-lines.git");
            let mut text = b"a\n".repeat(31 << 19);
            let commit = |text: &[u8], parent| {
                let blob = repo.write_blob(text).unwrap().detach();
                let files = std::iter::once(("f.txt".to_owned(), blob, EntryKind::Blob));
                commit_on_main(&repo, tree_of(&repo, files), parent)
            };
            let first = commit(&text, None);
            for line in text.chunks_mut(2 * 997) {
                line[0] = b'b';
            }
            commit(&text, Some(first));
            dir
        },
    },
    Case {
        name: "a commit adding one 30 MiB text blob (60 KB pushed) at 20 paths and deleting a file",
        outcome: "report; past 64 MiB of added and deleted files (sized from their headers) a commit's renames are not looked for, as git gives up past `diff.renameLimit`, and its files are read one at a time",
        sweep: None,
        args: &["--rev", "HEAD", "--window", "all", "--format", "json"],
        expect: Expect::Report("\"id\": \"flow.p90_lines_per_commit\""),
        build: |root| {
            let (dir, repo) = bare_in(root, "rename-bomb.git");
            let path = dir.join("objects").join(&REPEATED_BLOB_ID[..2]);
            std::fs::create_dir_all(&path).unwrap();
            let object = repeated_object("blob", b"", b'a', REPEATED_BLOB_BYTES);
            std::fs::write(path.join(&REPEATED_BLOB_ID[2..]), object).unwrap();
            let blob = gix::ObjectId::from_hex(REPEATED_BLOB_ID.as_bytes()).unwrap();
            let small = repo.write_blob("hello\n").unwrap().detach();
            let gone = std::iter::once(("gone.txt".to_owned(), small, EntryKind::Blob));
            let first = commit_on_main(&repo, tree_of(&repo, gone), None);
            let copies = (0..20).map(|index| (format!("a{index:02}.txt"), blob, EntryKind::Blob));
            let copies = tree_of(&repo, copies);
            let root_tree = std::iter::once(("copies".to_owned(), copies, EntryKind::Tree));
            commit_on_main(&repo, tree_of(&repo, root_tree), Some(first));
            dir
        },
    },
    Case {
        name: "commit times of -2^63 (HEAD) and 2^63-1 (its parent)",
        outcome: "report; the window saturates instead of wrapping, and dates outside the years 0 to 9999 are shown as \"out of range (… seconds from 1970)\"",
        sweep: None,
        args: &["--rev", "HEAD", "--format", "json"],
        expect: Expect::Report("out of range (-9223372036854775808 seconds from 1970)"),
        build: |root| {
            let (dir, repo) = bare_in(root, "extreme-times.git");
            let late = raw_commit_on_main(&repo, None, "9223372036854775807");
            raw_commit_on_main(&repo, Some(late), "-9223372036854775808");
            dir
        },
    },
    Case {
        name: "a 23-digit time in HEAD's header, and in its parent's",
        outcome: "report; the history figures are `unknown` (\"the scanned commit's time cannot be read\"), the scan goes on",
        sweep: None,
        args: &["--rev", "HEAD", "--format", "json"],
        expect: Expect::Report("the scanned commit's time cannot be read"),
        build: |root| {
            let (dir, repo) = bare_in(root, "long-time.git");
            let parent = raw_commit_on_main(&repo, None, "12345678901234567890123");
            raw_commit_on_main(&repo, Some(parent), "12345678901234567890123");
            dir
        },
    },
    Case {
        name: "a repository with reftable ref storage (`git init --ref-format=reftable`)",
        outcome: "exit 2, `opslint::unsupported_ref_storage` (\"reftable ref storage is not supported\"; gix reads references from files only), never \"no commits yet\"; and its line in a sweep",
        sweep: Some(Expect::Error("opslint::unsupported_ref_storage")),
        args: &[],
        expect: Expect::Error("reftable ref storage is not supported"),
        build: |root| {
            git_in(
                root,
                &[
                    "init",
                    "-q",
                    "-b",
                    "main",
                    "--ref-format=reftable",
                    "reftable",
                ],
            );
            let dir = root.join("reftable");
            std::fs::write(dir.join("README.md"), "reftable\n").unwrap();
            commit_all_in(&dir, "Initial import");
            dir
        },
    },
    Case {
        name: "an empty `.git` file inside another repository",
        outcome: "exit 2, `opslint::unreadable_repository` (\"its .git file names no git directory\"), no search above it, and its line in a sweep",
        sweep: Some(Expect::Error("opslint::unreadable_repository")),
        args: &[],
        expect: Expect::Error("opslint::unreadable_repository"),
        build: |root| {
            let dir = root.join("empty-gitfile");
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(dir.join(".git"), "").unwrap();
            dir
        },
    },
    Case {
        name: "a dangling `.git/hooks/pre-commit` symbolic link, for `hook install --force`",
        outcome: "`hook install`: exit 2, `opslint::hook_symlink`; nothing written outside the git directory",
        sweep: None,
        args: &["hook", "install", "--force"],
        expect: Expect::Error("opslint::hook_symlink"),
        build: |root| {
            let dir = sample_in(root, "hook-link");
            std::fs::create_dir_all(dir.join(".git/hooks")).unwrap();
            #[cfg(unix)]
            std::os::unix::fs::symlink(
                root.parent().unwrap().join(HOOK_OUTSIDE),
                dir.join(".git/hooks/pre-commit"),
            )
            .unwrap();
            dir
        },
    },
    Case {
        name: "a Makefile of 24 variables that each name all the others, run by the pipeline",
        outcome: "report; substituting stops where a recipe line would pass 4 KiB or the file's \
                  substitutions 4 MiB (the 3.5 KB file would otherwise grow past 7 GiB)",
        sweep: Some(Expect::Report("ci.runs-tests")),
        args: &["--no-history", "--timeout", "20"],
        expect: Expect::Report("ci.runs-tests"),
        build: |root| {
            let dir = sample_in(root, "make-variable-bomb");
            let names: Vec<String> = (0..24).map(|index| format!("V{index}")).collect();
            let all: String = names.iter().map(|name| format!("$({name})")).collect();
            let mut makefile: String = names
                .iter()
                .map(|name| format!("{name} = {all}\n"))
                .collect();
            makefile.push_str(&format!("test: test test test\n\techo {all}\n"));
            std::fs::write(dir.join("Makefile"), makefile).unwrap();
            pipeline_runs_make_test(&dir);
            commit_all_in(&dir, "Make bomb");
            dir
        },
    },
    Case {
        name: "a Makefile rule naming 3,000 targets and 3,000 prerequisites (34 KB)",
        outcome: "report; a Makefile's targets hold at most 8 MiB of recipes and prerequisites \
                  (the rule would be 9 million strings)",
        sweep: Some(Expect::Report("ci.runs-tests")),
        args: &["--no-history", "--timeout", "20"],
        expect: Expect::Report("ci.runs-tests"),
        build: |root| {
            let dir = sample_in(root, "make-cross-product");
            let targets: Vec<String> = (0..3_000).map(|index| format!("t{index}")).collect();
            let prerequisites: Vec<String> = (0..3_000).map(|index| format!("p{index}")).collect();
            std::fs::write(
                dir.join("Makefile"),
                format!(
                    "test {}: {}\n\techo hi\n",
                    targets.join(" "),
                    prerequisites.join(" ")
                ),
            )
            .unwrap();
            pipeline_runs_make_test(&dir);
            commit_all_in(&dir, "Make cross product");
            dir
        },
    },
    Case {
        name: "a Makefile recipe of 400,000 `$@` for a target named in 8,000 bytes (816 KB)",
        outcome: "report; `$@` becomes the target's name only where the line stays within \
                  4 KiB (this one would grow to 3.2 GB)",
        sweep: Some(Expect::Report("ci.runs-tests")),
        args: &["--no-history", "--timeout", "20"],
        expect: Expect::Report("ci.runs-tests"),
        build: |root| {
            let dir = sample_in(root, "make-target-name-bomb");
            let name = "t".repeat(8_000);
            std::fs::write(
                dir.join("Makefile"),
                format!("test: {name}\n{name}:\n\t{}\n", "$@".repeat(400_000)),
            )
            .unwrap();
            pipeline_runs_make_test(&dir);
            commit_all_in(&dir, "Make target name bomb");
            dir
        },
    },
    Case {
        name: "a GitLab pipeline including `**` 5,000 times over 5,000 files",
        outcome: "report; a file's first 256 includes and 500 included files or scripts in all \
                  are followed, 2 MiB of them at most; a rule that needed the rest is `unknown`, \
                  naming where it stopped",
        sweep: Some(Expect::Report("ci.runs-tests")),
        args: &["--no-history", "--timeout", "20", "--format", "json"],
        expect: Expect::Report("past the first 256"),
        build: |root| {
            let dir = sample_in(root, "include-glob-bomb");
            std::fs::remove_dir_all(dir.join(".github")).unwrap();
            let includes = "include:\n".to_owned() + &"  - '**'\n".repeat(5_000);
            std::fs::write(
                dir.join(".gitlab-ci.yml"),
                includes + "lint:\n  script: [make lint]\n",
            )
            .unwrap();
            std::fs::create_dir(dir.join("many")).unwrap();
            for index in 0..5_000 {
                std::fs::write(dir.join(format!("many/{index}.yml")), "x: 1\n").unwrap();
            }
            commit_all_in(&dir, "Include bomb");
            dir
        },
    },
    Case {
        name: "200 scripts that each run all the others, run by the pipeline",
        outcome: "report; each script is read once, within the same limits as includes, and the \
                  time budget holds",
        sweep: Some(Expect::Report("ci.runs-tests")),
        // Followed without memory, 200 scripts would be 200 to the power of the depth limit.
        // A debug build reads them in about 3 s of CPU, which a loaded machine running the
        // rest of the suite can stretch several times over.
        args: &["--no-history", "--timeout", "60"],
        expect: Expect::Report("ci.runs-tests"),
        build: |root| {
            let dir = sample_in(root, "script-clique");
            std::fs::create_dir(dir.join("s")).unwrap();
            let all: String = (0..200).map(|index| format!("./s/{index}.sh\n")).collect();
            for index in 0..200 {
                std::fs::write(dir.join(format!("s/{index}.sh")), &all).unwrap();
            }
            std::fs::write(
                dir.join(".github/workflows/scripts.yml"),
                "on: pull_request\njobs:\n  t:\n    runs-on: x\n    steps:\n      - run: ./s/0.sh\n",
            )
            .unwrap();
            commit_all_in(&dir, "Script clique");
            dir
        },
    },
];

/// Where the dangling hook link leads: outside the cases' folder, never to be created.
const HOOK_OUTSIDE: &str = "written-by-hook-install";

/// No case may make opslint hold more than this: the most any takes is the million-entry
/// tree's 240 MiB in a debug build.
const MEMORY_LIMIT_BYTES: u64 = 512 << 20;

/// The largest peak resident memory of any child process of the tests so far, in bytes.
fn children_peak_memory() -> u64 {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage writes a `rusage` into the pointer given; zeroed is a valid `rusage`.
    let usage = unsafe {
        assert_eq!(
            libc::getrusage(libc::RUSAGE_CHILDREN, usage.as_mut_ptr()),
            0
        );
        usage.assume_init()
    };
    // Linux reports kibibytes.
    u64::try_from(usage.ru_maxrss).unwrap_or_default() * 1024
}

fn run_check(dir: &Path, args: &[&str]) -> Output {
    let mut command = opslint();
    if args.first() != Some(&"hook") {
        command.arg("check");
    }
    command
        .args(args)
        .arg(dir)
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap()
}

#[test]
fn every_bad_input_has_its_specified_outcome_in_check_and_in_a_sweep() {
    // The cases lie in a folder of a repository: one that failed to open could be mistaken
    // for that repository.
    let enclosing = tempfile::tempdir().unwrap();
    std::fs::write(enclosing.path().join("README.md"), "enclosing\n").unwrap();
    git_in(enclosing.path(), &["init", "-q", "-b", "main"]);
    commit_all_in(enclosing.path(), "Enclosing");
    let root = enclosing.path().join("cases");
    std::fs::create_dir(&root).unwrap();
    let mut wrong = Vec::new();
    let mut peak_before = children_peak_memory();
    let mut built = Vec::new();
    for case in CASES {
        let dir = (case.build)(&root);
        built.push(std::fs::canonicalize(&dir).unwrap());
        let output = run_check(&dir, case.args);
        // The peak only rises: the case that takes it past the limit is the one that blew it.
        let peak = children_peak_memory();
        if peak > MEMORY_LIMIT_BYTES && peak_before <= MEMORY_LIMIT_BYTES {
            wrong.push(format!("{}: peak memory {} MiB", case.name, peak >> 20));
        }
        peak_before = peak;
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        let code = output.status.code();
        let right = match case.expect {
            Expect::Report(text) => code.is_some_and(|code| code < 2) && stdout.contains(text),
            Expect::Error(text) => code == Some(2) && stderr.contains(text) && stdout.is_empty(),
        };
        if !right {
            wrong.push(format!(
                "{}: exit {code:?}\n{stdout:.600}\n{stderr:.600}",
                case.name
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "cases without their outcome:\n{}",
        wrong.join("\n---\n")
    );
    assert!(
        !enclosing.path().join(HOOK_OUTSIDE).exists(),
        "hook install wrote outside the repository"
    );

    // All of them in one sweep: a line each, none lost, no crash.
    let output = opslint()
        .args(["sweep", "--no-history", "--depth", "1"])
        .arg(&root)
        .timeout(std::time::Duration::from_secs(120))
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        children_peak_memory() <= MEMORY_LIMIT_BYTES,
        "the sweep of every case held more than {} MiB",
        MEMORY_LIMIT_BYTES >> 20
    );
    let lines = String::from_utf8(output.stdout).unwrap();
    let mut by_path = std::collections::BTreeMap::new();
    for line in lines.lines() {
        let line: serde_json::Value = serde_json::from_str(line).unwrap();
        let code = line["error"]["code"].as_str().unwrap_or_default();
        assert_ne!(code, "opslint::panic", "{line}");
        let path = PathBuf::from(line["repository"]["path"].as_str().unwrap());
        // A line under another repository's path would replace that one's in `report`.
        assert!(
            by_path.insert(path, line.clone()).is_none(),
            "two lines for one path: {line:.300}"
        );
    }
    // The repositories of the cases, and the sources of the clones and the victims.
    let repositories = std::fs::read_dir(&root).unwrap().count();
    assert_eq!(lines.lines().count(), repositories);
    for (case, dir) in CASES.iter().zip(&built) {
        let Some(expect) = case.sweep else {
            continue;
        };
        let line = by_path
            .get(dir)
            .map(ToString::to_string)
            .unwrap_or_default();
        let value: serde_json::Value = serde_json::from_str(&line).unwrap_or_default();
        let error = &value["error"];
        let right = match expect {
            Expect::Report(text) => error.is_null() && line.contains(text),
            Expect::Error(text) => [&error["code"], &error["message"]]
                .iter()
                .any(|field| field.as_str().is_some_and(|field| field.contains(text))),
        };
        assert!(right, "{} in the sweep: {line:.600}", case.name);
    }
}

/// docs/robustness.md's table is these cases; `OPSLINT_BLESS=1` writes it.
#[test]
fn the_robustness_table_is_the_cases() {
    let mut table = String::from(
        "# Bad input: what opslint does with it\n\n\
         Every case below is built by `tests/integration/robustness.rs`, in a folder of another \
         repository, run through `opslint check` (or the command its row names) and, all \
         together, through one `opslint sweep` (where each gets its line: a report or an error \
         object, never another repository's). This table is generated from the test's cases \
         (`OPSLINT_BLESS=1 cargo test robustness`) and checked against them.\n\n\
         | case | outcome |\n|---|---|\n",
    );
    for case in CASES {
        table.push_str(&format!("| {} | {} |\n", case.name, case.outcome));
    }
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/robustness.md");
    if std::env::var_os("OPSLINT_BLESS").is_some() {
        std::fs::write(&path, &table).unwrap();
    }
    let written = std::fs::read_to_string(&path).unwrap_or_default();
    assert_eq!(
        written, table,
        "docs/robustness.md is stale: OPSLINT_BLESS=1 cargo test robustness"
    );
}

/// The limits never trip on real repositories by default; set low, each trips with a clear
/// message: the read budget makes the rules that needed more files unknown, the entry cap
/// and the time budget are errors.
#[test]
fn resource_limits_trip_with_clear_messages() {
    let root = tempfile::tempdir().unwrap();
    let dir = sample_in(root.path(), "limits");
    let output = run_check(
        &dir,
        &[
            "--max-total-read",
            "100",
            "--format",
            "json",
            "--no-history",
        ],
    );
    assert_eq!(output.status.code().map(|code| code < 2), Some(true));
    let report = String::from_utf8(output.stdout).unwrap();
    assert!(
        report.contains("over the scan's total read budget"),
        "{report:.2000}"
    );

    std::fs::write(
        dir.join(".opslint.toml"),
        "[scan]\nmax-total-read = \"100 B\"\n",
    )
    .unwrap();
    let configured = run_check(&dir, &["--format", "json", "--no-history"]);
    let configured = String::from_utf8(configured.stdout).unwrap();
    assert!(configured.contains("over the scan's total read budget"));
    std::fs::remove_file(dir.join(".opslint.toml")).unwrap();

    for (args, message) in [
        (&["--max-tree-entries", "3"][..], "more than 3 entries"),
        (
            &["--rev", "HEAD", "--max-tree-entries", "3"][..],
            "more than 3 entries",
        ),
        (&["--timeout", "0"][..], "time budget"),
    ] {
        assert_tool_error(&run_check(&dir, args), &[message]);
    }
}

/// A repository that borrows objects (`git clone --shared`, a GitLab object pool) is read
/// with `--allow-alternates`, in `check` and in a sweep alike.
#[test]
fn alternates_are_read_when_allowed() {
    let root = tempfile::tempdir().unwrap();
    let source = sample_in(root.path(), "pool");
    let url = source.display().to_string();
    git_in(root.path(), &["clone", "-q", "--shared", &url, "shared"]);
    let shared = root.path().join("shared");
    let refused = run_check(&shared, &[]);
    assert_eq!(refused.status.code(), Some(2));
    let allowed = run_check(&shared, &["--allow-alternates"]);
    assert!(
        allowed.status.code().is_some_and(|code| code < 2),
        "{}",
        String::from_utf8_lossy(&allowed.stderr)
    );
    let sweep = |extra: &[&str]| {
        let output = opslint()
            .args(["sweep", "--no-history"])
            .args(extra)
            .arg(root.path())
            .output()
            .unwrap();
        String::from_utf8(output.stdout).unwrap()
    };
    let lines = sweep(&[]);
    assert!(lines.contains("opslint::alternates"), "{lines:.600}");
    let lines = sweep(&["--allow-alternates"]);
    assert_eq!(lines.lines().count(), 2);
    for line in lines.lines() {
        let line: serde_json::Value = serde_json::from_str(line).unwrap();
        assert!(line["error"].is_null(), "{line:.600}");
    }
}

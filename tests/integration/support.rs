//! Test repositories: a `fixtures/` tree plus a scripted history, turned into a real git
//! repository in a temporary directory. Tests may call `git`; the product never does.

use std::cell::Cell;
use std::path::{Path, PathBuf};
use std::process::Command;

use assert_cmd::Command as BinCommand;
use serde_json::Value;
use tempfile::TempDir;

pub struct TestRepo {
    dir: TempDir,
    commits: Cell<u32>,
}

impl TestRepo {
    /// An empty repository with `main` as its unborn branch.
    pub fn new() -> TestRepo {
        let repo = TestRepo {
            dir: tempfile::Builder::new()
                .prefix("opslint-test")
                .tempdir()
                .expect("temp dir"),
            commits: Cell::new(0),
        };
        repo.git(&["init", "-q", "-b", "main", "."]);
        repo
    }

    /// A repository whose first commit holds the files of `fixtures/<relative>`; or, when
    /// that folder holds a `history.toml`, the history it scripts.
    pub fn from_fixture(relative: &str) -> TestRepo {
        let script = fixtures_dir().join(relative).join(HISTORY_SCRIPT);
        if script.is_file() {
            return TestRepo::from_history(&std::fs::read_to_string(script).expect("reads"));
        }
        let repo = TestRepo::new();
        repo.copy_fixture(relative);
        repo.commit("initial import");
        repo
    }

    /// A repository with the history `script` describes (see `Script`).
    pub fn from_history(script: &str) -> TestRepo {
        let script: Script = toml::from_str(script).expect("a valid history script");
        let repo = TestRepo::new();
        for (index, step) in script.commit.iter().enumerate() {
            for repeat in 0..step.repeat.max(1) {
                repo.play(step, index, repeat);
            }
        }
        repo
    }

    fn play(&self, step: &Step, index: usize, repeat: u32) {
        let day = step.day + repeat;
        let date = format!(
            "@{} +0000",
            SCRIPT_EPOCH + i64::from(day) * 86_400 + i64::from(step.hour) * 3_600
        );
        let email = format!("{}@example.com", step.author.to_lowercase());
        let dated = |args: &[&str]| {
            let output = git_command(self.path())
                .args(["-c", "commit.gpgsign=false", "-c", "tag.gpgsign=false"])
                .args(args)
                .env("GIT_AUTHOR_NAME", &step.author)
                .env("GIT_AUTHOR_EMAIL", &email)
                .env("GIT_COMMITTER_NAME", &step.author)
                .env("GIT_COMMITTER_EMAIL", &email)
                .env("GIT_AUTHOR_DATE", &date)
                .env("GIT_COMMITTER_DATE", &date)
                .output()
                .expect("git runs");
            assert!(
                output.status.success(),
                "git {args:?}: {}",
                String::from_utf8_lossy(&output.stderr)
            );
        };
        let message = if step.message.is_empty() {
            format!("change {index}.{repeat}")
        } else {
            step.message.replace("{n}", &repeat.to_string())
        };
        let branch = step.branch.as_deref().unwrap_or("main");
        if branch != "main" {
            let exists = self.git(&["branch", "--list", branch]).contains(branch);
            let create: &[&str] = if exists {
                &["checkout", "-q", branch]
            } else {
                &["checkout", "-q", "-b", branch]
            };
            self.git(create);
        }
        if let Some(merged) = &step.merge {
            dated(&["merge", "-q", "--no-ff", "-m", &message, merged]);
        } else {
            for (path, contents) in &step.write {
                let numbered = |text: &str| text.replace("{n}", &repeat.to_string());
                self.write(&numbered(path), numbered(contents));
            }
            for path in &step.remove {
                self.remove(path);
            }
            for (path, count) in &step.lines {
                let full = self.path().join(path);
                std::fs::create_dir_all(full.parent().expect("a parent")).expect("create dirs");
                let mut text = std::fs::read_to_string(&full).unwrap_or_default();
                for line in 0..*count {
                    text.push_str(&format!("line {index}.{repeat}.{line}\n"));
                }
                std::fs::write(full, text).expect("write file");
            }
            self.git(&["add", "-A"]);
            let mut args = vec!["commit", "-q", "--allow-empty", "-m", &message];
            let trailer;
            if let Some(co_authors) = &step.co_author {
                trailer = co_authors
                    .split(", ")
                    .map(|name| {
                        format!(
                            "Co-authored-by: {name} <{}@example.com>",
                            name.to_lowercase()
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n");
                args.extend(["-m", &trailer]);
            }
            dated(&args);
        }
        if let Some(tag) = &step.tag {
            dated(&["tag", "-a", "-m", tag, tag]);
        }
        if branch != "main" {
            self.git(&["checkout", "-q", "main"]);
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn copy_fixture(&self, relative: &str) {
        let source = fixtures_dir().join(relative);
        assert!(source.is_dir(), "fixture {} is missing", source.display());
        copy_tree(&source, self.path());
    }

    pub fn write(&self, path: &str, contents: impl AsRef<[u8]>) -> &Self {
        let full = self.path().join(path);
        std::fs::create_dir_all(full.parent().expect("a parent")).expect("create dirs");
        std::fs::write(full, contents).expect("write file");
        self
    }

    pub fn remove(&self, path: &str) -> &Self {
        std::fs::remove_file(self.path().join(path)).expect("remove file");
        self
    }

    /// Stages everything and commits with a pinned author, committer and date.
    pub fn commit(&self, message: &str) -> String {
        let date = format!("2026-01-{:02}T12:00:00Z", (self.commits.get() % 28) + 1);
        self.commit_at(message, &date)
    }

    /// Stages everything and commits as `author` (`Name <address>`), Ada committing it.
    pub fn commit_by(&self, author: &str, message: &str) {
        self.git(&["add", "-A"]);
        self.git(&[
            "-c",
            "user.name=Ada",
            "-c",
            "user.email=ada@example.com",
            "commit",
            "-q",
            &format!("--author={author}"),
            "-m",
            message,
        ]);
    }

    /// Stages everything and commits at `date` (author and committer alike).
    pub fn commit_at(&self, message: &str, date: &str) -> String {
        self.git(&["add", "-A"]);
        let output = git_command(self.path())
            .args([
                "-c",
                "commit.gpgsign=false",
                "commit",
                "-q",
                "--allow-empty",
                "-m",
                message,
            ])
            .env("GIT_AUTHOR_NAME", "Ada")
            .env("GIT_AUTHOR_EMAIL", "ada@example.com")
            .env("GIT_COMMITTER_NAME", "Ada")
            .env("GIT_COMMITTER_EMAIL", "ada@example.com")
            .env("GIT_AUTHOR_DATE", date)
            .env("GIT_COMMITTER_DATE", date)
            .output()
            .expect("git runs");
        assert!(
            output.status.success(),
            "git commit failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        self.commits.set(self.commits.get() + 1);
        self.git(&["rev-parse", "HEAD"]).trim().to_owned()
    }

    pub fn git(&self, args: &[&str]) -> String {
        git_in(self.path(), args)
    }

    /// A bare clone of this repository, in its own temp dir.
    pub fn bare_clone(&self) -> (TempDir, PathBuf) {
        let dir = tempfile::tempdir().expect("temp dir");
        let bare = dir.path().join("mirror.git");
        git_in(
            dir.path(),
            &[
                "clone",
                "-q",
                "--bare",
                self.path().to_str().unwrap(),
                bare.to_str().unwrap(),
            ],
        );
        (dir, bare)
    }
}

/// The file in a fixture folder that scripts a history instead of a single commit.
const HISTORY_SCRIPT: &str = "history.toml";
/// Day 0 of a scripted history: 2026-01-01T00:00:00Z.
const SCRIPT_EPOCH: i64 = 1_767_225_600;

/// A scripted history: `[[commit]]` steps, oldest first.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Script {
    commit: Vec<Step>,
}

/// One step: a commit (or a merge) on a day, possibly repeated on the days after.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Step {
    /// Days after 2026-01-01; committed at `hour` (UTC), author and committer alike.
    day: u32,
    #[serde(default = "noon")]
    hour: u32,
    #[serde(default = "ada")]
    author: String,
    /// Credited in `Co-authored-by` trailers, one per name (`"Bob, Cy"`).
    co_author: Option<String>,
    /// `{n}` is replaced by the repetition's number.
    #[serde(default)]
    message: String,
    /// Files written with these contents; `{n}` in a path or contents as in `message`.
    #[serde(default)]
    write: std::collections::BTreeMap<String, String>,
    /// Files removed.
    #[serde(default)]
    remove: Vec<String>,
    /// Files that get this many new lines appended.
    #[serde(default)]
    lines: std::collections::BTreeMap<String, u32>,
    /// Committed on this branch (created from `main` when new) instead of `main`.
    branch: Option<String>,
    /// Instead of a change: this branch merged into `main` with a merge commit.
    merge: Option<String>,
    /// An annotated tag on the commit, made at its time.
    tag: Option<String>,
    /// The same step on this many consecutive days.
    #[serde(default)]
    repeat: u32,
}

fn noon() -> u32 {
    12
}

fn ada() -> String {
    "Ada".to_owned()
}

/// Commits what is staged in the repository at `dir`, as Ada.
pub fn commit_staged_in(dir: &Path, message: &str) {
    let identity = ["-c", "user.name=Ada", "-c", "user.email=ada@example.com"];
    git_in(
        dir,
        &[&identity[..], &["commit", "-q", "-m", message]].concat(),
    );
}

/// Stages everything in the repository at `dir` and commits it, as Ada.
pub fn commit_all_in(dir: &Path, message: &str) {
    git_in(dir, &["add", "-A"]);
    commit_staged_in(dir, message);
}

pub fn git_in(dir: &Path, args: &[&str]) -> String {
    let output = git_command(dir).args(args).output().expect("git runs");
    assert!(
        output.status.success(),
        "git {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("git prints UTF-8")
}

/// `git` in `dir`, blind to the machine's system and global config so tests repeat anywhere.
fn git_command(dir: &Path) -> Command {
    let mut command = Command::new("git");
    command
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null");
    command
}

pub fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).expect("read fixture dir") {
        let entry = entry.expect("dir entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            std::fs::create_dir_all(&target).expect("create dir");
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy file");
        }
    }
}

/// The opslint binary, with the environment pinned for stable output.
pub fn opslint() -> BinCommand {
    let mut command = BinCommand::cargo_bin("opslint").expect("binary is built");
    command.env("NO_COLOR", "1").env_remove("CLICOLOR_FORCE");
    command
}

/// Asserts that `output` is a tool error (exit code 2, as the README specifies for bad input)
/// whose stderr says each of `expected`, and returns the stderr for further checks. The
/// texts are compared with miette's wrapping undone: a long message is broken over lines
/// that start with `│`, wherever the terminal's width falls.
#[track_caller]
pub fn assert_tool_error(output: &std::process::Output, expected: &[&str]) -> String {
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(
        output.status.code(),
        Some(2),
        "not a tool error; stderr: {stderr}"
    );
    let unwrapped = unwrap_lines(&stderr);
    for text in expected {
        assert!(
            unwrapped.contains(&unwrap_lines(text)),
            "stderr does not say {text:?}: {stderr}"
        );
    }
    stderr
}

/// `text` on one line: miette's margins (`│`) and line breaks as single spaces.
fn unwrap_lines(text: &str) -> String {
    text.replace(['│', '\n'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Replaces a temp path in output so snapshots are stable.
pub fn redact(text: &str, repo: &Path) -> String {
    let canonical = std::fs::canonicalize(repo).unwrap_or_else(|_| repo.to_owned());
    text.replace(&canonical.display().to_string(), "[REPO]")
        .replace(&repo.display().to_string(), "[REPO]")
        .replace(env!("CARGO_PKG_VERSION"), "[VERSION]")
}

/// Runs `opslint check ARGS --format json PATH`: the exit code and the parsed report.
pub fn json_report(args: &[&str], path: &Path) -> (Option<i32>, Value) {
    let output = opslint()
        .arg("check")
        .args(args)
        .args(["--format", "json"])
        .arg(path)
        .output()
        .expect("opslint runs");
    let json = serde_json::from_slice(&output.stdout).unwrap_or_else(|_| {
        panic!(
            "no JSON report; stderr: {}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    (output.status.code(), json)
}

/// The SARIF results of `opslint check ARGS PATH`, as (rule, file) pairs in their order.
pub fn sarif_locations(args: &[&str], path: &Path) -> Vec<(String, String)> {
    let output = opslint()
        .arg("check")
        .args(args)
        .args(["--format", "sarif"])
        .arg(path)
        .output()
        .expect("opslint runs");
    let sarif: Value = serde_json::from_slice(&output.stdout).expect("a SARIF log");
    sarif["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|result| {
            let uri = &result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"];
            (
                result["ruleId"].as_str().expect("a rule").to_owned(),
                uri.as_str().expect("a file").to_owned(),
            )
        })
        .collect()
}

/// The finding of `rule` in a JSON report, if the rule ran.
pub fn finding<'a>(report: &'a Value, rule: &str) -> Option<&'a Value> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|finding| finding["rule"] == rule)
}

pub fn status_of(report: &Value, rule: &str) -> String {
    let finding = finding(report, rule).unwrap_or_else(|| panic!("no finding for {rule}"));
    finding["status"].as_str().expect("status").to_owned()
}

/// A change on branch `feature` of the sample repository that drops the CI pipeline and
/// turns the `ci` rules off in its own `.opslint.toml`, checked out as CI systems check out
/// by default: a clone of depth 1. Returns the source repository, the base commit, the
/// folder holding the clone, and the clone's path. The GitHub Action's and the GitLab
/// template's scripts must judge it by its base.
pub fn shallow_change_lowering_its_bar() -> (TestRepo, String, tempfile::TempDir, PathBuf) {
    let repo = TestRepo::from_fixture("repos/sample");
    let base = repo.git(&["rev-parse", "HEAD"]).trim().to_owned();
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.remove(".github/workflows/ci.yml");
    let config = std::fs::read_to_string(repo.path().join(".opslint.toml")).unwrap_or_default();
    repo.write(".opslint.toml", config + "disable = [\"ci\"]\n");
    repo.commit("Drop CI, and the rules that would notice");
    let clone = tempfile::tempdir().expect("a temp dir");
    let source = format!("file://{}", repo.path().display());
    git_in(
        clone.path(),
        &[
            "clone", "-q", "--depth", "1", "--branch", "feature", &source, "shallow",
        ],
    );
    let shallow = clone.path().join("shallow");
    (repo, base, clone, shallow)
}

pub fn regex_replace(text: &str, pattern: &str, with: &str) -> String {
    regex::Regex::new(pattern)
        .unwrap()
        .replace_all(text, with)
        .into_owned()
}

/// `opslint COMMAND --format json FLAGS PATH`, which must exit 0: its JSON.
pub fn json_of(command: &str, flags: &[&str], path: &Path) -> Value {
    let output = opslint()
        .args([command, "--format", "json"])
        .args(flags)
        .arg(path)
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("JSON")
}

//! Repository access: bare mirrors, revisions, worktrees, and every kind of awkward input.

use serde_json::Value;

use crate::support::{
    TestRepo, assert_tool_error, finding, git_in, json_report, opslint, status_of,
};

/// Two commits: the first without CI (tagged v1.0.0), the second adds a workflow.
fn two_commit_history() -> TestRepo {
    let repo = TestRepo::new();
    repo.write("src/main.rs", "fn main() {}\n");
    repo.commit("start");
    repo.git(&["tag", "v1.0.0"]);
    repo.write(
        ".github/workflows/ci.yml",
        "on: [pull_request]\njobs:\n  t:\n    runs-on: x\n    steps:\n      - run: cargo test\n",
    );
    repo.commit("add CI");
    repo
}

#[test]
fn bare_mirror_scans_head_and_tags() {
    let repo = two_commit_history();
    let (_dir, bare) = repo.bare_clone();
    let (_, head) = json_report(&[], &bare);
    assert_eq!(head["repository"]["scanned"], "rev");
    assert_eq!(head["repository"]["rev"], "HEAD");
    assert_eq!(status_of(&head, "ci.pipeline"), "pass");
    let (_, tagged) = json_report(&["--rev", "v1.0.0"], &bare);
    assert_eq!(status_of(&tagged, "ci.pipeline"), "fail");
    assert_eq!(
        tagged["repository"]["head"],
        repo.git(&["rev-parse", "v1.0.0"]).trim()
    );
}

#[test]
fn rev_scans_the_commit_not_the_checkout() {
    let repo = two_commit_history();
    repo.remove(".github/workflows/ci.yml");
    let (_, worktree) = json_report(&[], repo.path());
    assert_eq!(worktree["repository"]["scanned"], "worktree");
    assert_eq!(
        status_of(&worktree, "ci.pipeline"),
        "fail",
        "the deletion in the working tree counts"
    );
    let (_, committed) = json_report(&["--rev", "HEAD"], repo.path());
    assert_eq!(status_of(&committed, "ci.pipeline"), "pass");
}

#[test]
fn worktree_sees_untracked_files_but_not_ignored_ones() {
    let repo = TestRepo::new();
    repo.write(".gitignore", "ignored/\n")
        .write("src/app.py", "print(1)\n");
    repo.commit("start");
    repo.write("ignored/CODEOWNERS", "* @a\n");
    let (_, report) = json_report(&[], repo.path());
    assert_eq!(status_of(&report, "collaboration.code-owners"), "fail");
    repo.write("CODEOWNERS", "* @team\n");
    let (_, report) = json_report(&[], repo.path());
    assert_eq!(
        status_of(&report, "collaboration.code-owners"),
        "pass",
        "untracked, not ignored"
    );
}

#[test]
fn discovers_the_repository_from_a_subdirectory() {
    let repo = two_commit_history();
    let (_, report) = json_report(&[], &repo.path().join("src"));
    assert_eq!(status_of(&report, "ci.pipeline"), "pass");
    let root = std::fs::canonicalize(repo.path()).unwrap();
    assert_eq!(report["repository"]["path"], root.display().to_string());
}

#[test]
fn linked_worktree_scans_its_own_checkout() {
    let repo = two_commit_history();
    let dir = tempfile::tempdir().unwrap();
    let linked = dir.path().join("linked");
    repo.git(&["worktree", "add", "-q", linked.to_str().unwrap(), "v1.0.0"]);
    let (_, report) = json_report(&[], &linked);
    assert_eq!(report["repository"]["scanned"], "worktree");
    assert_eq!(
        status_of(&report, "ci.pipeline"),
        "fail",
        "v1.0.0 has no CI"
    );
}

#[test]
fn a_repository_without_commits_still_gets_advice() {
    let repo = TestRepo::new();
    repo.write("main.go", "package main\n");
    let (code, report) = json_report(&[], repo.path());
    assert_eq!(code, Some(1));
    assert_eq!(report["repository"]["head"], Value::Null);
    assert_eq!(status_of(&report, "testing.tests-exist"), "fail");

    assert_tool_error(
        &opslint()
            .args(["check", "--rev", "HEAD"])
            .arg(repo.path())
            .output()
            .unwrap(),
        &["no commits yet"],
    );
    let dir = tempfile::tempdir().unwrap();
    git_in(dir.path(), &["init", "-q", "--bare", "empty.git"]);
    assert_tool_error(
        &opslint()
            .arg("check")
            .arg(dir.path().join("empty.git"))
            .output()
            .unwrap(),
        &["no commits yet"],
    );
}

#[test]
fn not_a_repository_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let output = opslint().arg("check").arg(dir.path()).output().unwrap();
    let stderr = assert_tool_error(&output, &["is not inside a git repository", "help:"]);
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn unknown_rev_is_a_clear_error() {
    let repo = two_commit_history();
    assert_tool_error(
        &opslint()
            .args(["check", "--rev", "no-such-branch"])
            .arg(repo.path())
            .output()
            .unwrap(),
        &["revision `no-such-branch` does not exist"],
    );
}

#[test]
fn missing_object_is_a_clear_error() {
    let repo = two_commit_history();
    let (_dir, bare) = repo.bare_clone();
    // Remove the loose objects and packs: HEAD now points at nothing readable.
    let objects = bare.join("objects");
    for entry in std::fs::read_dir(&objects).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name != "info" {
            std::fs::remove_dir_all(&path).unwrap();
        }
    }
    std::fs::create_dir_all(objects.join("pack")).unwrap();
    let output = opslint().arg("check").arg(&bare).output().unwrap();
    let stderr = assert_tool_error(
        &output,
        &[
            "opslint::broken_head",
            "HEAD cannot be followed to a commit",
            "could not be found",
        ],
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}

/// A tree object whose entries are out of git's order (git never writes one, a hostile
/// repository can): lookups by path must still find them.
#[test]
fn an_unsorted_tree_is_listed_whole() {
    let repo = TestRepo::new();
    let blob = |text: &str| {
        let path = repo.path().join("blob.tmp");
        std::fs::write(&path, text).unwrap();
        repo.git(&["hash-object", "-w", "blob.tmp"])
            .trim()
            .to_owned()
    };
    let raw_tree = |entries: &[(&str, &str, &str)]| {
        let mut bytes = Vec::new();
        for (mode, name, id) in entries {
            bytes.extend_from_slice(format!("{mode} {name}\0").as_bytes());
            let id: Vec<u8> = (0..id.len())
                .step_by(2)
                .map(|at| u8::from_str_radix(&id[at..at + 2], 16).unwrap())
                .collect();
            bytes.extend_from_slice(&id);
        }
        let path = repo.path().join("tree.tmp");
        std::fs::write(&path, bytes).unwrap();
        let args = ["hash-object", "-t", "tree", "--literally", "-w", "tree.tmp"];
        repo.git(&args).trim().to_owned()
    };
    let source = raw_tree(&[("100644", "main.go", &blob("package main\n"))]);
    let root = raw_tree(&[
        ("40000", "src", &source),
        ("100644", "CODEOWNERS", &blob("* @team\n")),
        ("100644", ".opslint.toml", &blob("disable = [\"ci\"]\n")),
    ]);
    let identity = ["-c", "user.name=Ada", "-c", "user.email=ada@example.com"];
    let commit = repo.git(&[&identity[..], &["commit-tree", &root, "-m", "unsorted"]].concat());
    let (code, report) = json_report(&["--rev", commit.trim()], repo.path());
    assert!(code.is_some());
    assert_eq!(status_of(&report, "collaboration.code-owners"), "pass");
    // The config at the root was found, so its `disable` applies.
    assert!(finding(&report, "ci.pipeline").is_none());
    assert_eq!(report["repository"]["files"], 3);
}

#[cfg(unix)]
#[test]
fn non_utf8_paths_are_matched_and_reported() {
    use std::os::unix::ffi::OsStrExt;
    let repo = TestRepo::new();
    let name = std::ffi::OsStr::from_bytes(b"caf\xe9");
    let dir = repo.path().join(".github").join("workflows");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(repo.path().join(name), "binary-ish name\n").unwrap();
    std::fs::write(
        dir.join(std::ffi::OsStr::from_bytes(b"ci-\xff.yml")),
        "on: [pull_request]\njobs:\n  build:\n    runs-on: x\n    steps:\n      - run: make\n",
    )
    .unwrap();
    repo.commit("odd names");
    for args in [&[][..], &["--rev", "HEAD"][..]] {
        let (_, report) = json_report(args, repo.path());
        assert_eq!(status_of(&report, "ci.pipeline"), "pass");
        let finding = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["rule"] == "ci.pipeline")
            .unwrap();
        assert_eq!(
            finding["evidence"][0]["path"],
            ".github/workflows/ci-\u{fffd}.yml"
        );
    }
}

#[test]
fn binary_files_named_like_config_are_skipped() {
    let repo = TestRepo::new();
    repo.write(".github/workflows/ci.yml", b"on: push\0\0\0 cargo test\n");
    repo.write("src/lib.rs", "pub fn tested() {}\n");
    repo.commit("binary workflow");
    let (_, report) = json_report(&["--rev", "HEAD"], repo.path());
    assert_eq!(
        status_of(&report, "ci.pipeline"),
        "fail",
        "a binary file named like a workflow is no workflow GitHub can run"
    );
    assert_eq!(
        status_of(&report, "ci.runs-tests"),
        "fail",
        "binary content is not evidence"
    );
}

#[cfg(unix)]
#[test]
fn symlinks_are_listed_but_never_followed() {
    let repo = TestRepo::new();
    std::fs::create_dir_all(repo.path().join(".github/workflows")).unwrap();
    let outside = tempfile::tempdir().unwrap();
    let target = outside.path().join("secret.yml");
    std::fs::write(&target, "run: cargo test\n").unwrap();
    std::os::unix::fs::symlink(&target, repo.path().join(".github/workflows/ci.yml")).unwrap();
    std::os::unix::fs::symlink("loop-b", repo.path().join("loop-a")).unwrap();
    std::os::unix::fs::symlink("loop-a", repo.path().join("loop-b")).unwrap();
    repo.write("src/lib.rs", "pub fn tested() {}\n");
    repo.commit("links");
    for args in [&[][..], &["--rev", "HEAD"][..]] {
        let (_, report) = json_report(args, repo.path());
        // What the linked workflow runs is out of sight: neither judged present nor absent.
        assert_eq!(status_of(&report, "ci.pipeline"), "unknown");
        assert_eq!(
            status_of(&report, "ci.runs-tests"),
            "unknown",
            "the link target is outside the repo"
        );
    }
}

#[cfg(unix)]
#[test]
fn a_symlink_to_a_file_of_the_repository_is_read_as_that_file() {
    let workflow = "on: [pull_request]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: cargo test\n";
    // From `.github/workflows/`, two `..` reach the root; a third climbs out of it, even
    // though the path it then names exists inside.
    for (target, expected) in [
        ("../../shared/workflow.yml", "pass"),
        ("../../../shared/workflow.yml", "unknown"),
    ] {
        let repo = TestRepo::new();
        std::fs::create_dir_all(repo.path().join(".github/workflows")).unwrap();
        repo.write("shared/workflow.yml", workflow);
        std::os::unix::fs::symlink(target, repo.path().join(".github/workflows/ci.yml")).unwrap();
        repo.write("src/lib.rs", "pub fn tested() {}\n");
        repo.commit("linked workflow");
        for args in [&[][..], &["--rev", "HEAD"][..]] {
            let (_, report) = json_report(args, repo.path());
            assert_eq!(
                status_of(&report, "ci.runs-tests"),
                expected,
                "{target} {args:?}"
            );
            if expected == "unknown" {
                // The one link, once, though several checks read it.
                let message = finding(&report, "ci.runs-tests").unwrap()["message"]
                    .as_str()
                    .unwrap();
                assert!(
                    message.contains("but 1 candidate file could not be examined")
                        && message.contains("out of the repository"),
                    "{message}"
                );
            }
        }
    }
}

#[test]
fn submodules_are_reported_not_descended_into() {
    let library = TestRepo::new();
    library.write(".github/CODEOWNERS", "* @library-team\n");
    library.commit("library");
    let repo = two_commit_history();
    repo.git(&[
        "-c",
        "protocol.file.allow=always",
        "submodule",
        "add",
        "-q",
        library.path().to_str().unwrap(),
        "vendor/lib",
    ]);
    repo.commit("add a submodule");
    for args in [&[][..], &["--rev", "HEAD"][..]] {
        let (_, report) = json_report(args, repo.path());
        assert_eq!(
            report["repository"]["submodules"],
            serde_json::json!(["vendor/lib"]),
            "{args:?}"
        );
        assert_eq!(
            status_of(&report, "collaboration.code-owners"),
            "fail",
            "the submodule's files are not ours"
        );
    }
}

#[test]
fn files_over_the_read_cap_make_content_rules_unknown() {
    let repo = TestRepo::new();
    let mut workflow = String::from("on: [pull_request]\njobs:\n  test:\n    steps:\n");
    workflow.push_str(&"# padding\n".repeat(200));
    workflow.push_str("      - run: cargo test\n");
    repo.write(".github/workflows/ci.yml", &workflow);
    repo.write("src/lib.rs", "pub fn tested() {}\n");
    repo.commit("big workflow");
    let (_, capped) = json_report(&["--max-file-size", "1 KiB"], repo.path());
    assert_eq!(status_of(&capped, "ci.runs-tests"), "unknown");
    let message = capped["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "ci.runs-tests")
        .unwrap()["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(message.contains("read cap"), "{message}");
    let (_, default) = json_report(&[], repo.path());
    assert_eq!(status_of(&default, "ci.runs-tests"), "pass");
}

#[test]
fn a_lockfile_or_bundle_over_the_read_cap_leaves_nothing_unexamined() {
    // A 2 KiB lockfile and minified bundle hold no runbook or CloudFormation template: with a
    // 1 KiB cap, the rules that read YAML and scripts still decide. An alert file of the
    // same size is another matter.
    let repo = TestRepo::new();
    repo.write(
        "Dockerfile",
        "FROM node:22\nEXPOSE 3000\nCMD [\"node\", \"server.js\"]\n",
    )
    .write(
        "server.js",
        "require('http').createServer().listen(3000);\n",
    )
    .write("pnpm-lock.yaml", "lockfileVersion: '9.0'\n".repeat(100))
    .write("public/app.min.js", "var a=1;".repeat(300));
    repo.commit("service");
    let (_, capped) = json_report(&["--max-file-size", "1 KiB"], repo.path());
    assert_eq!(status_of(&capped, "observability.runbooks"), "fail");
    assert_eq!(status_of(&capped, "observability.health-checks"), "fail");
    repo.write("ops/alerts.yaml", "# alert rules\n".repeat(100));
    repo.commit("alerts");
    let (_, capped) = json_report(&["--max-file-size", "1 KiB"], repo.path());
    assert_eq!(status_of(&capped, "observability.runbooks"), "unknown");
}

#[test]
fn the_scanned_repository_is_not_written() {
    let repo = two_commit_history();
    let before = snapshot_dir(repo.path());
    opslint().arg("check").arg(repo.path()).assert().code(1);
    opslint()
        .args(["check", "--rev", "HEAD"])
        .arg(repo.path())
        .assert()
        .code(1);
    assert_eq!(before, snapshot_dir(repo.path()));
}

/// Every file under `dir` with its length and modification time.
fn snapshot_dir(dir: &std::path::Path) -> Vec<(String, u64, std::time::SystemTime)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(current) = stack.pop() {
        for entry in std::fs::read_dir(current).unwrap() {
            let entry = entry.unwrap();
            let metadata = std::fs::symlink_metadata(entry.path()).unwrap();
            if metadata.is_dir() {
                stack.push(entry.path());
            } else {
                out.push((
                    entry.path().display().to_string(),
                    metadata.len(),
                    metadata.modified().unwrap(),
                ));
            }
        }
    }
    out.sort();
    out
}

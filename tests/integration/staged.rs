//! `check --staged` and `hook install`: the pre-commit path.

use crate::support::{TestRepo, assert_tool_error, json_report, opslint};

#[test]
fn staged_changes_are_judged_against_head_and_only_regressions_fail() {
    let repo = TestRepo::from_fixture("repos/sample");
    // An old failure (no CODEOWNERS) does not block a harmless commit.
    repo.write("docs/notes.md", "notes\n");
    repo.git(&["add", "docs/notes.md"]);
    let (code, report) = json_report(&["--staged"], repo.path());
    assert_eq!(code, Some(0));
    assert_eq!(report["repository"]["scanned"], "staged");
    assert!(report.get("history").is_none(), "no history pass");
    assert_eq!(
        crate::support::status_of(&report, "collaboration.code-owners"),
        "fail"
    );

    // Removing the pipeline from the index blocks the commit, though the working tree
    // still has it: what is staged is what gets committed.
    repo.git(&["rm", "-q", "--cached", ".github/workflows/ci.yml"]);
    let (code, report) = json_report(&["--staged"], repo.path());
    assert_eq!(code, Some(1));
    let pipeline = crate::support::finding(&report, "ci.pipeline").unwrap();
    assert_eq!(pipeline["change"], "regressed");
    assert!(repo.path().join(".github/workflows/ci.yml").exists());
}

#[test]
fn staged_before_the_first_commit_is_compared_with_an_empty_tree() {
    let repo = TestRepo::new();
    repo.write("Dockerfile", "FROM python:latest\n");
    repo.git(&["add", "Dockerfile"]);
    let output = opslint()
        .args(["check", "--staged"])
        .arg(repo.path())
        .output()
        .unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains("compared with an empty tree"), "{text}");
    // An unpinned base image is new with this commit, and so is the missing pipeline: an
    // empty tree has nothing to build.
    assert!(text.contains("New failures"), "{text}");
    assert!(text.contains("security.base-images-pinned"), "{text}");
    assert!(text.contains("ci.pipeline —"), "{text}");
}

#[test]
fn staged_needs_an_index() {
    let repo = TestRepo::from_fixture("repos/sample");
    let (_dir, bare) = repo.bare_clone();
    let output = opslint()
        .args(["check", "--staged"])
        .arg(&bare)
        .output()
        .unwrap();
    assert_tool_error(&output, &["no index"]);
}

#[test]
fn hook_install_writes_an_executable_hook_and_keeps_an_existing_one() {
    let repo = sample_with_hook();
    let hook = repo.path().join(".git/hooks/pre-commit");
    let script = std::fs::read_to_string(&hook).unwrap();
    assert!(script.starts_with("#!/bin/sh\n"));
    assert!(script.contains("check --staged"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&hook).unwrap().permissions().mode();
        assert_eq!(mode & 0o111, 0o111, "executable");
    }

    std::fs::write(&hook, "#!/bin/sh\necho mine\n").unwrap();
    let refused = opslint()
        .args(["hook", "install"])
        .arg(repo.path())
        .output()
        .unwrap();
    assert_tool_error(&refused, &["--force"]);
    assert_eq!(
        std::fs::read_to_string(&hook).unwrap(),
        "#!/bin/sh\necho mine\n"
    );
    opslint()
        .args(["hook", "install", "--force"])
        .arg(repo.path())
        .assert()
        .success();
    assert!(
        std::fs::read_to_string(&hook)
            .unwrap()
            .contains("check --staged")
    );
}

/// The installed hook, run by git itself: a commit that drops the pipeline is refused, one
/// that breaks nothing passes with one line.
#[test]
fn the_installed_hook_blocks_a_commit_that_drops_the_pipeline() {
    let repo = sample_with_hook();
    let bin = assert_cmd::cargo::cargo_bin("opslint");
    let path = format!(
        "{}:{}",
        bin.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let commit = |message: &str| {
        std::process::Command::new("git")
            .args(["-c", "commit.gpgsign=false", "commit", "-q", "-m", message])
            .current_dir(repo.path())
            .env("PATH", &path)
            .env("NO_COLOR", "1")
            .env("GIT_AUTHOR_NAME", "Ada")
            .env("GIT_AUTHOR_EMAIL", "ada@example.com")
            .env("GIT_COMMITTER_NAME", "Ada")
            .env("GIT_COMMITTER_EMAIL", "ada@example.com")
            .output()
            .unwrap()
    };
    repo.write("docs/notes.md", "notes\n");
    repo.git(&["add", "-A"]);
    let passed = commit("Notes");
    assert!(passed.status.success());
    // A commit that breaks nothing gets one line (issue 16), whatever failed before.
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&passed.stdout),
        String::from_utf8_lossy(&passed.stderr)
    );
    let line = regex::Regex::new(
        r"^opslint: 12 rules pass, nothing new fails \(29 failed before; \d+\.\d\d s\)\n$",
    )
    .unwrap();
    assert!(line.is_match(&said), "{said:?}");
    repo.git(&["rm", "-q", ".github/workflows/ci.yml"]);
    let refused = commit("Drop CI");
    assert!(!refused.status.success());
    // git shows a hook's output on its standard error.
    assert!(String::from_utf8_lossy(&refused.stderr).contains("Regressions"));
}

/// The sample repository with `opslint hook install` run in it.
fn sample_with_hook() -> TestRepo {
    let repo = TestRepo::from_fixture("repos/sample");
    opslint()
        .args(["hook", "install"])
        .arg(repo.path())
        .assert()
        .success();
    repo
}

/// A commit cannot lower its own bar either: staging `disable = ["ci"]` with the removal of
/// the test job is judged with HEAD's configuration.
#[test]
fn a_staged_config_does_not_judge_its_own_commit() {
    let repo = TestRepo::from_fixture("repos/sample");
    repo.write(".opslint.toml", "disable = [\"ci\"]\n");
    repo.git(&["add", ".opslint.toml"]);
    repo.git(&["rm", "-q", "--cached", ".github/workflows/ci.yml"]);
    let (code, report) = json_report(&["--staged"], repo.path());
    assert_eq!(code, Some(1), "{report:#}");
    let pipeline = crate::support::finding(&report, "ci.pipeline").unwrap();
    assert_eq!(pipeline["change"], "regressed");
}

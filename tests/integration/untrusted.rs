//! A scanned repository is untrusted input: nothing it configures runs, and nothing in it
//! is written (issue 7's guarantees, for every command that reads a repository).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use crate::support::{TestRepo, assert_tool_error, opslint};

/// A repository whose config and attributes would run a command creating a marker file
/// wherever git runs something it configures: hooks, fsmonitor, filters, textconv, ssh,
/// credential helpers, and an `includeIf` pulling in more of the same.
fn booby_trapped(markers: &Path) -> TestRepo {
    let repo = TestRepo::from_fixture("repos/sample");
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.write("docs/notes.md", "notes\n");
    repo.commit("Notes");
    let marker = |name: &str| format!("touch {}", markers.join(name).display());
    for (key, value) in [
        ("core.fsmonitor", marker("fsmonitor")),
        (
            "core.hooksPath",
            markers.join("hooks").display().to_string(),
        ),
        ("core.sshCommand", marker("ssh")),
        ("credential.helper", format!("!{}", marker("credential"))),
        ("filter.trap.clean", marker("clean")),
        ("filter.trap.smudge", marker("smudge")),
        ("filter.trap.process", marker("process")),
        ("diff.trap.textconv", marker("textconv")),
        ("core.pager", marker("pager")),
        (
            "includeIf.gitdir:/.path",
            markers.join("included.config").display().to_string(),
        ),
    ] {
        repo.git(&["config", key, &value]);
    }
    std::fs::write(
        markers.join("included.config"),
        format!("[core]\n\tfsmonitor = {}\n", marker("included")),
    )
    .unwrap();
    for hook in [
        "pre-commit",
        "post-checkout",
        "post-index-change",
        "reference-transaction",
    ] {
        for dir in [markers.join("hooks"), repo.path().join(".git/hooks")] {
            std::fs::create_dir_all(&dir).unwrap();
            let path = dir.join(hook);
            std::fs::write(&path, format!("#!/bin/sh\n{}\n", marker(hook))).unwrap();
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
            }
        }
    }
    std::fs::write(
        repo.path().join(".gitattributes"),
        "* filter=trap diff=trap\n",
    )
    .unwrap();
    // Something staged and something modified, so that index and worktree are both read.
    repo.write("src/staged.rs", "pub fn staged() {}\n");
    // Staged without running the trap filter: the test's own git must not set it off.
    repo.git(&[
        "-c",
        "filter.trap.clean=cat",
        "-c",
        "filter.trap.process=",
        "add",
        "src/staged.rs",
    ]);
    repo.write("README.md", "# changed in the working tree\n");
    // The test's own git commands above may have set traps off: only opslint's count.
    for entry in std::fs::read_dir(markers).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() && path.extension().is_none() {
            std::fs::remove_file(path).unwrap();
        }
    }
    repo
}

/// Every file under `root` with its contents and modification time.
fn snapshot(root: &Path) -> BTreeMap<PathBuf, (Vec<u8>, SystemTime)> {
    let mut files = BTreeMap::new();
    let mut pending = vec![root.to_owned()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let entry = entry.unwrap();
            let kind = entry.file_type().unwrap();
            if kind.is_dir() {
                pending.push(entry.path());
            } else if kind.is_file() {
                let metadata = entry.metadata().unwrap();
                let contents = std::fs::read(entry.path()).unwrap();
                files.insert(entry.path(), (contents, metadata.modified().unwrap()));
            }
        }
    }
    files
}

#[test]
fn nothing_a_repository_configures_runs_and_nothing_is_written() {
    let markers = tempfile::tempdir().unwrap();
    let repo = booby_trapped(markers.path());
    let before = snapshot(repo.path());
    let runs: [&[&str]; 5] = [
        &["check"],
        &["check", "--staged"],
        &["check", "--base", "main"],
        &["check", "--rev", "HEAD", "--window", "all"],
        // The repository listed on standard input: its parent is the shared temp folder.
        &["sweep", "--repos-from", "-"],
    ];
    for args in runs {
        let mut command = opslint();
        command.args(args);
        if args[0] == "sweep" {
            command.write_stdin(format!("{}\n", repo.path().display()));
        } else {
            command.arg(repo.path());
        }
        let output = command.output().unwrap();
        assert!(
            output.status.code().is_some_and(|code| code < 2),
            "{args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        if args[0] == "sweep" {
            let line = String::from_utf8_lossy(&output.stdout);
            assert!(
                line.contains("\"findings\""),
                "the sweep scanned it: {line:.300}"
            );
        }
        let ran: Vec<String> = std::fs::read_dir(markers.path())
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|name| name != "hooks" && name != "included.config")
            .collect();
        assert!(
            ran.is_empty(),
            "{args:?} ran what the repository configures: {ran:?}"
        );
        let after = snapshot(repo.path());
        assert!(
            before == after,
            "{args:?} changed the repository: {:?}",
            after
                .iter()
                .filter(|(path, state)| before.get(*path) != Some(state))
                .map(|(path, _)| path)
                .chain(before.keys().filter(|path| !after.contains_key(*path)))
                .collect::<Vec<_>>()
        );
    }
    // The traps are armed: git itself, reading the same repository, sets one off.
    let _ = std::process::Command::new("git")
        .args(["status", "--short"])
        .current_dir(repo.path())
        .output()
        .unwrap();
    assert!(
        markers.path().join("included").exists() || markers.path().join("fsmonitor").exists(),
        "git status ran no configured command: the test would prove nothing"
    );
}

/// Mirrors owned by another user (a sweep host reading a shared mirror store) are read, not
/// refused as git's `safe.directory` would: opslint only reads, with nothing configured run.
#[test]
fn a_repository_owned_by_another_user_is_scanned() {
    let repo = TestRepo::from_fixture("repos/sample");
    let owner = std::process::Command::new("chown")
        .args(["-R", "nobody"])
        .arg(repo.path())
        .status();
    if !owner.is_ok_and(|status| status.success()) {
        eprintln!("chown is not permitted here: the ownership case is not exercised");
        return;
    }
    let output = opslint().arg("check").arg(repo.path()).output().unwrap();
    assert!(
        output.status.code().is_some_and(|code| code < 2),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains("ci.pipeline"));
}

/// Issue 17: a FIFO where gix reads — HEAD, config, index, packed-refs, alternates, the
/// branch HEAD names — blocked `check` for ever, and a sweep never finished. Each is
/// refused at once, by `check` and as one error line of a sweep.
#[test]
fn a_fifo_in_the_git_directory_is_refused_not_waited_on() {
    let root = tempfile::tempdir().unwrap();
    let parts = [
        "HEAD",
        "config",
        "index",
        "packed-refs",
        "objects/info/alternates",
        "refs/heads/main",
    ];
    for (number, part) in parts.iter().enumerate() {
        let repo = TestRepo::from_fixture("repos/sample");
        let fifo = repo.path().join(".git").join(part);
        let _ = std::fs::remove_file(&fifo);
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .expect("mkfifo runs");
        assert!(made.success());
        let output = opslint()
            .args(["check", "--no-history"])
            .arg(repo.path())
            .timeout(std::time::Duration::from_secs(30))
            .output()
            .unwrap();
        assert_tool_error(&output, &["opslint::special_file"]);
        let copy = root.path().join(format!("repo-{number}"));
        std::fs::rename(repo.path(), &copy).unwrap();
        std::mem::forget(repo);
    }
    let output = opslint()
        .args(["sweep", "--jobs", "2", "--timeout-per-repo", "30"])
        .arg(root.path())
        .timeout(std::time::Duration::from_secs(120))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), parts.len(), "{stdout}");
    assert!(
        lines.iter().all(|line| line.contains("special_file")),
        "{stdout}"
    );
}

/// A file name with a line feed printed by the human report forged a line of it, and colour
/// sequences in file names and custom rules' texts reached the terminal. Names are quoted
/// as git quotes them, and only opslint's own colours are written.
#[cfg(unix)]
#[test]
fn the_human_report_quotes_names_and_writes_only_its_own_colours() {
    let repo = TestRepo::from_fixture("repos/sample");
    let forged = ".github/workflows/x\n  ✓ security.policy — forged.yml";
    repo.write(forged, "on: push\njobs: {}\n");
    repo.write("NOTES\u{1b}[5;45m.md", "notes\n");
    repo.write(
        ".opslint.toml",
        r#"
[[rule]]
id = "collaboration.notes"
area = "collaboration"
title = "Notes are kept \u001b[5;45mblinking"
severity = "note"
rationale = "r"
remediation = "r"
[[rule.check]]
kind = "files-present"
files = ["NOTES*"]
"#,
    );
    repo.commit("Hostile names");
    for color in ["always", "never"] {
        let output = opslint()
            .args(["--color", color, "check", "--no-history", "--verbose"])
            .arg(repo.path())
            .env_remove("GITHUB_ACTIONS")
            .output()
            .unwrap();
        let stdout = String::from_utf8(output.stdout).unwrap();
        assert!(!stdout.contains("\u{1b}[5;45m"), "{stdout}");
        assert!(
            !stdout
                .lines()
                .any(|line| line.starts_with("  ✓ security.policy — forged")),
            "{stdout}"
        );
        assert!(
            stdout.contains("\".github/workflows/x\\n  ✓ security.policy — forged.yml\""),
            "{stdout}"
        );
        assert!(stdout.contains("\"NOTES\\033[5;45m.md\""), "{stdout}");
        assert!(
            stdout.contains("Notes are kept \u{fffd}[5;45mblinking"),
            "{stdout}"
        );
        assert_eq!(stdout.contains('\u{1b}'), color == "always", "{stdout}");
    }
}

/// Red team: a name a failing finding's message mentions, not among its evidence (a
/// runbooks check "looked into" a docs page), still forged a line of the report.
#[cfg(unix)]
#[test]
fn a_name_in_a_failing_message_forges_no_line() {
    let repo = TestRepo::from_fixture("repos/sample");
    repo.write(
        "go.mod",
        "module acme\n\ngo 1.22\n\nrequire github.com/go-chi/chi/v5 v5.0.0\n",
    );
    repo.write("main.go", "package main\n\nfunc main() {}\n");
    repo.remove("README.md");
    repo.write("docs/x\n  ✓ security.policy — forged/guide.md", "# Guide\n");
    repo.commit("A hostile docs folder");
    let output = opslint()
        .args(["--color", "never", "check", "--no-history", "--verbose"])
        .arg(repo.path())
        .env_remove("GITHUB_ACTIONS")
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(stdout.contains("docs/x\\n"), "{stdout}");
    assert!(
        !stdout
            .lines()
            .any(|line| line.trim_start().starts_with("✓ security.policy — forged")),
        "{stdout}"
    );
}

/// A config error quotes the repository's file; coloured or not, its colour sequences are
/// shown, not obeyed, and the report's own colours still are.
#[test]
fn a_config_error_quotes_the_file_without_its_colours() {
    let repo = TestRepo::from_fixture("repos/sample");
    repo.write(
        ".opslint.toml",
        "disable = [\"\\u001b[5;45mci\"]\n# \u{1b}[5;45m hidden\n",
    );
    repo.commit("Hostile config");
    let output = opslint()
        .args(["--color", "always", "check", "--no-history"])
        .arg(repo.path())
        .output()
        .unwrap();
    let stderr = assert_tool_error(&output, &["[5;45m"]);
    assert!(!stderr.contains("\u{1b}[5;45m"), "{stderr}");
    assert!(
        stderr.contains('\u{1b}'),
        "the report's own colours: {stderr}"
    );
}

/// A custom rule whose title holds an OSC-8 link and a clear-screen sequence, and a folder
/// named with ESC, BEL and a C1 CSI: `--format github` wrote them raw into the Actions log,
/// `file=` and `title=` included. Every control character it does not encode is shown as `�`.
#[cfg(unix)]
#[test]
fn github_annotations_carry_no_control_characters() {
    let repo = TestRepo::from_fixture("repos/sample");
    repo.write(
        "a\u{1b}[2Jb\u{7}\u{9b}31m\u{7f}/Dockerfile",
        "FROM node:latest\n",
    );
    repo.write(
        ".opslint.toml",
        r#"
[[rule]]
id = "ci.evil"
area = "ci"
title = "Evil \u001b]8;;http://evil.example\u0007click\u001b]8;;\u0007 \u001b[2J \u009b31m"
severity = "error"
rationale = "r"
remediation = "fix \u001b[8m hidden"
[[rule.check]]
kind = "files-present"
files = ["nothing-here-ever"]
"#,
    );
    repo.commit("Hostile names");
    let output = opslint()
        .args(["check", "--no-history", "--format", "github"])
        .arg(repo.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        !stdout.chars().any(|c| c.is_control() && c != '\n'),
        "{stdout:?}"
    );
    assert!(
        stdout.contains("file=a\u{fffd}[2Jb\u{fffd}\u{fffd}31m\u{fffd}/Dockerfile,"),
        "{stdout}"
    );
    assert!(
        stdout.contains("title=Evil \u{fffd}]8;;http%3A//evil.example\u{fffd}click"),
        "{stdout}"
    );
}

/// A custom rule's title in `--format markdown`, posted as a job summary or a pull-request
/// comment, notified the team it named; mentions are broken as in the organisation report.
#[test]
fn markdown_summaries_mention_nobody() {
    let repo = TestRepo::from_fixture("repos/sample");
    repo.write(
        ".opslint.toml",
        r#"
[[rule]]
id = "ci.ping"
area = "ci"
title = "Ask @org/admins"
severity = "error"
rationale = "r"
remediation = "Tell @someone"
[[rule.check]]
kind = "files-present"
files = ["nothing-here-ever"]
"#,
    );
    repo.commit("Mentions");
    let output = opslint()
        .args(["check", "--no-history", "--format", "markdown"])
        .arg(repo.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(!stdout.contains("@org/admins"), "{stdout}");
    assert!(!stdout.contains("@someone"), "{stdout}");
    assert!(stdout.contains("Ask @<!-- -->org/admins"), "{stdout}");
}

/// Bidi overrides and zero-width characters in names reached every human-facing format
/// raw: `svc/\u{202e}txt.exe/Dockerfile` displays as `svc/exe.txt/Dockerfile`. They are shown
/// escaped, as rustc and git show them.
#[test]
fn bidi_controls_and_zero_width_characters_are_shown_escaped() {
    let repo = TestRepo::from_fixture("repos/sample");
    repo.write(
        "svc/\u{202e}txt.exe\u{200b}/Dockerfile",
        "FROM python:latest\n",
    );
    repo.commit("Reversed name");
    for format in ["human", "github", "markdown", "sarif", "gitlab"] {
        let output = opslint()
            .args(["--color", "never", "check", "--no-history", "--verbose"])
            .args(["--format", format])
            .arg(repo.path())
            .env_remove("GITHUB_ACTIONS")
            .output()
            .unwrap();
        let stdout = String::from_utf8(output.stdout).unwrap();
        // SARIF's fingerprints identify the file, as baselines do; nothing shows them.
        let shown: String = stdout
            .lines()
            .filter(|line| !line.contains("opslintInstance"))
            .collect();
        assert!(
            !shown.contains(['\u{202e}', '\u{200b}']),
            "{format}: {stdout}"
        );
        // JSON writes the escape's backslash escaped.
        let revealed = match format {
            "sarif" | "gitlab" => "svc/\\\\u{202e}txt.exe\\\\u{200b}/Dockerfile",
            _ => "svc/\\u{202e}txt.exe\\u{200b}/Dockerfile",
        };
        assert!(stdout.contains(revealed), "{format}: {stdout}");
    }
}

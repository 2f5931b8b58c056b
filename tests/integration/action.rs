//! The GitHub Action's script (`action/run.sh`), run as GitHub would run it: its
//! environment variables pointed at temporary files.

use std::collections::HashMap;
use std::path::Path;

use crate::support::TestRepo;

struct Run {
    /// RUNNER_TEMP, where the SARIF is written.
    _temp: tempfile::TempDir,
    code: Option<i32>,
    stdout: String,
    outputs: HashMap<String, String>,
    summary: String,
}

fn run_action(repo: &Path, env: &[(&str, &str)]) -> Run {
    let temp = tempfile::tempdir().unwrap();
    let output_file = temp.path().join("output");
    let summary_file = temp.path().join("summary");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("action/run.sh");
    let output = std::process::Command::new("bash")
        .arg(script)
        .env("OPSLINT_BIN", assert_cmd::cargo::cargo_bin("opslint"))
        .env("OPSLINT_PATH", repo)
        .env("GITHUB_OUTPUT", &output_file)
        .env("GITHUB_STEP_SUMMARY", &summary_file)
        .env("GITHUB_REPOSITORY", "acme/app")
        .env("GITHUB_ACTOR", "ada")
        .env("GITHUB_EVENT_NAME", "push")
        .env("RUNNER_TEMP", temp.path())
        .env("NO_COLOR", "1")
        .envs(env.iter().copied())
        .output()
        .unwrap();
    let outputs = std::fs::read_to_string(&output_file)
        .unwrap_or_default()
        .lines()
        .filter_map(|line| line.split_once('='))
        .map(|(key, value)| (key.to_owned(), value.to_owned()))
        .collect();
    Run {
        _temp: temp,
        code: output.status.code(),
        stdout: String::from_utf8(output.stdout).unwrap(),
        outputs,
        summary: std::fs::read_to_string(&summary_file).unwrap_or_default(),
    }
}

#[test]
fn a_push_gets_annotations_a_summary_outputs_and_sarif() {
    let repo = TestRepo::from_fixture("repos/sample");
    let run = run_action(repo.path(), &[]);
    assert_eq!(run.code, Some(0), "{}", run.stdout);
    assert!(
        run.stdout
            .contains("::notice title=opslint::opslint: score")
    );
    assert!(run.summary.starts_with("## opslint · "));
    assert_eq!(run.outputs["failed"], "false");
    assert!(
        run.outputs["score"].parse::<u32>().is_ok(),
        "{:?}",
        run.outputs
    );
    assert_eq!(run.outputs["upload"], "true");
    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&run.outputs["sarif-file"]).unwrap())
            .unwrap();
    assert_eq!(sarif["version"], "2.1.0");
}

#[test]
fn a_pull_request_that_drops_ci_fails_and_a_fork_skips_the_upload() {
    let repo = TestRepo::from_fixture("repos/sample");
    let base = repo.git(&["rev-parse", "HEAD"]).trim().to_owned();
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.remove(".github/workflows/ci.yml");
    repo.commit("Drop CI");
    let run = run_action(
        repo.path(),
        &[
            ("GITHUB_EVENT_NAME", "pull_request"),
            ("OPSLINT_BASE", &base),
            ("OPSLINT_HEAD_REPO", "stranger/app"),
        ],
    );
    assert_eq!(
        run.code,
        Some(0),
        "findings fail a later step, after the upload"
    );
    assert_eq!(run.outputs["failed"], "true");
    assert!(run.stdout.contains("::error title=") && run.stdout.contains("ci.pipeline"));
    assert!(run.summary.contains("Introduced by this change"));
    assert_eq!(run.outputs["upload"], "false");
    assert!(run.stdout.contains("forks get a read-only token"));

    let dependabot = run_action(
        repo.path(),
        &[
            ("GITHUB_ACTOR", "dependabot[bot]"),
            ("OPSLINT_UPLOAD_SARIF", "true"),
        ],
    );
    assert_eq!(dependabot.outputs["upload"], "false");
}

#[test]
fn a_shallow_checkout_says_how_to_fix_it_and_still_reports_the_tree() {
    let repo = TestRepo::from_fixture("repos/sample");
    repo.write("docs/notes.md", "notes\n");
    let base = repo.commit("Notes");
    repo.write("docs/notes.md", "more notes\n");
    repo.commit("More notes");
    let clone = tempfile::tempdir().unwrap();
    let source = format!("file://{}", repo.path().display());
    crate::support::git_in(
        clone.path(),
        &["clone", "-q", "--depth", "1", &source, "shallow"],
    );
    let run = run_action(&clone.path().join("shallow"), &[("OPSLINT_BASE", &base)]);
    assert_eq!(run.code, Some(0), "{}", run.stdout);
    assert!(run.stdout.contains("fetch-depth: 0"));
    assert!(run.summary.contains("## opslint"));
    assert_eq!(run.outputs["failed"], "false");
}

#[test]
fn opslint_failing_to_run_fails_the_step() {
    let dir = tempfile::tempdir().unwrap();
    let run = run_action(dir.path(), &[]);
    assert_eq!(run.code, Some(2));
    assert!(
        run.stdout
            .contains("::error title=opslint::opslint could not scan")
    );
}

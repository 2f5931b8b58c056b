//! GitLab: the Code Quality report (`--format gitlab`), and the CI/CD template's script
//! (`ci/gitlab/run.sh`) run as a GitLab job would run it, with GitLab's variables pointed at
//! a fixture repository.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::Value;

use crate::support::{TestRepo, opslint};

/// One scan of `repo` written as SARIF and as a Code Quality report: (SARIF, issues).
fn sarif_and_code_quality(repo: &Path, args: &[&str]) -> (Value, Vec<Value>) {
    let out = tempfile::tempdir().unwrap();
    let (sarif, gitlab) = (out.path().join("o.sarif"), out.path().join("cq.json"));
    opslint()
        .args(["check", "--rev", "HEAD", "--fail-on", "never"])
        .args(args)
        .arg("--sarif-output")
        .arg(&sarif)
        .arg("--gitlab-output")
        .arg(&gitlab)
        .arg(repo)
        .assert()
        .success();
    let read = |path: &Path| std::fs::read_to_string(path).unwrap();
    (
        serde_json::from_str(&read(&sarif)).unwrap(),
        serde_json::from_str(&read(&gitlab)).unwrap(),
    )
}

fn fingerprints(issues: &[Value]) -> BTreeSet<String> {
    issues
        .iter()
        .map(|issue| issue["fingerprint"].as_str().unwrap().to_owned())
        .collect()
}

/// SARIF's results' fingerprints as GitLab writes them: the hex digest of the same string.
fn sarif_fingerprints(sarif: &Value) -> BTreeSet<String> {
    sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|result| {
            let identity = result["partialFingerprints"]["opslintInstance/v2"]
                .as_str()
                .unwrap();
            let (rule, instance) = identity.split_once(':').unwrap();
            opslint::render::gitlab::fingerprint(rule, instance)
        })
        .collect()
}

#[test]
fn code_quality_report_snapshot_and_documented_fields() {
    let repo = TestRepo::from_fixture("repos/sample");
    let output = opslint()
        .args(["check", "--rev", "HEAD", "--format", "gitlab"])
        .arg(repo.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert!(
        !output.stdout.starts_with(b"\xEF\xBB\xBF"),
        "no byte order mark"
    );
    let issues: Vec<Value> = serde_json::from_slice(&output.stdout).unwrap();
    insta::assert_json_snapshot!("code_quality_report", issues);
    assert!(!issues.is_empty());
    for issue in &issues {
        // The fields GitLab documents for a custom tool, and only they.
        let keys: BTreeSet<&str> = issue
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys,
            BTreeSet::from([
                "description",
                "check_name",
                "fingerprint",
                "severity",
                "location"
            ])
        );
        assert!(!issue["description"].as_str().unwrap().is_empty());
        assert!(issue["check_name"].as_str().unwrap().contains('.'));
        let fingerprint = issue["fingerprint"].as_str().unwrap();
        assert!(
            fingerprint.len() == 40 && fingerprint.bytes().all(|b| b.is_ascii_hexdigit()),
            "{fingerprint}"
        );
        let severity = issue["severity"].as_str().unwrap();
        assert!(["info", "minor", "major", "critical", "blocker"].contains(&severity));
        assert!(!issue["location"]["path"].as_str().unwrap().is_empty());
        assert!(issue["location"]["lines"]["begin"].as_u64().unwrap() >= 1);
    }
    assert_eq!(
        fingerprints(&issues).len(),
        issues.len(),
        "fingerprints are unique"
    );
}

#[test]
fn code_quality_fingerprints_are_the_sarif_results_plus_the_repository_wide_failures() {
    let repo = TestRepo::from_fixture("repos/sample");
    let (sarif, issues) = sarif_and_code_quality(repo.path(), &[]);
    let located = sarif_fingerprints(&sarif);
    assert!(!located.is_empty());
    let all = fingerprints(&issues);
    assert!(located.is_subset(&all), "every SARIF result is an issue");
    // The rest are failures of the repository as a whole, at README.md line 1.
    let repository_wide: Vec<&Value> = issues
        .iter()
        .filter(|issue| !located.contains(issue["fingerprint"].as_str().unwrap()))
        .collect();
    assert!(!repository_wide.is_empty());
    for issue in repository_wide {
        let rule = issue["check_name"].as_str().unwrap();
        assert_eq!(
            issue["fingerprint"],
            opslint::render::gitlab::fingerprint(rule, "")
        );
        assert_eq!(issue["location"]["path"], "README.md");
        assert_eq!(issue["location"]["lines"]["begin"], 1);
    }
}

/// An alert on each file, in code scanning and in GitLab, names that file's evidence, not the
/// first file the finding names (new-user trial: an alert on pull_requests.yml spoke of
/// crowdin.yml "and 3 more files").
#[test]
fn each_files_alert_speaks_of_that_file() {
    let repo = TestRepo::from_fixture("repos/sample");
    repo.write("api/Dockerfile", "FROM python:3.12\nEXPOSE 8000\n");
    repo.write("web/Dockerfile", "FROM node:22\nEXPOSE 3000\n");
    repo.commit("two services on tags");
    let (sarif, issues) = sarif_and_code_quality(repo.path(), &[]);
    let sarif_messages: Vec<(String, String)> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|result| result["ruleId"] == "security.base-images-pinned")
        .map(|result| {
            let uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
                .to_owned();
            (uri, result["message"]["text"].as_str().unwrap().to_owned())
        })
        .collect();
    let gitlab_messages: Vec<(String, String)> = issues
        .iter()
        .filter(|issue| issue["check_name"] == "security.base-images-pinned")
        .map(|issue| {
            let path = issue["location"]["path"].as_str().unwrap().to_owned();
            (path, issue["description"].as_str().unwrap().to_owned())
        })
        .collect();
    for messages in [sarif_messages, gitlab_messages] {
        let files: Vec<&str> = messages.iter().map(|(file, _)| file.as_str()).collect();
        assert!(
            files.contains(&"api/Dockerfile") && files.contains(&"web/Dockerfile"),
            "{messages:?}"
        );
        for (file, message) in &messages {
            assert!(
                message.contains(&format!("in {file}:1")),
                "{file}: {message}"
            );
            assert!(!message.contains("more file"), "{file}: {message}");
        }
    }
}

/// GitLab's widget shows a merge request the fingerprints its report has and the target
/// branch's lacks: that difference must be what opslint's comparison finds (SARIF's results
/// against the base), and nothing may look resolved that was not.
#[test]
fn the_widgets_difference_of_two_reports_is_what_the_change_introduced() {
    let repo = TestRepo::from_fixture("repos/sample");
    repo.write("Dockerfile", "FROM python:latest\n");
    repo.commit("Python");
    let (_, target) = sarif_and_code_quality(repo.path(), &[]);
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.write("web.Dockerfile", "FROM node:latest\n");
    repo.commit("Web");
    let (sarif, merge_request) = sarif_and_code_quality(repo.path(), &["--base", "main"]);
    let (target, merge_request) = (fingerprints(&target), fingerprints(&merge_request));
    let new: BTreeSet<String> = merge_request.difference(&target).cloned().collect();
    // Code scanning compares the same way: SARIF lists the located instances, new or not.
    assert!(sarif_fingerprints(&sarif).is_subset(&merge_request));
    assert!(sarif_fingerprints(&sarif).is_superset(&new));
    assert_eq!(
        new,
        BTreeSet::from([opslint::render::gitlab::fingerprint(
            "security.base-images-pinned",
            "web.Dockerfile"
        )])
    );
    assert!(target.is_subset(&merge_request), "nothing looks resolved");
    // A scan without the base lists the same: the comparison changes only the exit code.
    let (_, full) = sarif_and_code_quality(repo.path(), &[]);
    assert_eq!(fingerprints(&full), merge_request);
}

/// A rule judged on the history window fails on the default branch and is not judged against
/// a base (the change is measured instead): listed, it would seem resolved by every merge
/// request.
#[test]
fn history_window_failures_do_not_look_resolved_by_a_merge_request() {
    let repo = TestRepo::from_history(
        r#"
[[commit]]
day = 0
lines = { "src/app.py" = 300 }
repeat = 10
"#,
    );
    let (_, report) = crate::support::json_report(&["--rev", "HEAD"], repo.path());
    assert_eq!(
        crate::support::status_of(&report, "flow.small-batches"),
        "fail"
    );
    let (_, target) = sarif_and_code_quality(repo.path(), &[]);
    assert!(
        target
            .iter()
            .all(|issue| issue["check_name"] != "flow.small-batches")
    );
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.write("docs/notes.md", "notes\n");
    repo.commit("Notes");
    let (_, merge_request) = sarif_and_code_quality(repo.path(), &["--base", "main"]);
    assert!(fingerprints(&target).is_subset(&fingerprints(&merge_request)));
}

struct Job {
    /// CI_PROJECT_DIR's stand-in for the outputs (the repository is elsewhere).
    _dir: tempfile::TempDir,
    code: Option<i32>,
    log: String,
    /// The Code Quality report, when one was written.
    issues: Option<Vec<Value>>,
    summary: String,
}

/// Runs `ci/gitlab/run.sh` as the template does, for a pipeline of `repo`'s HEAD.
fn run_job(repo: &Path, env: &[(&str, &str)]) -> Job {
    let dir = tempfile::tempdir().unwrap();
    // Not `support::git_in`: the repository may be no repository at all.
    let head = std::process::Command::new("git")
        .arg("-C")
        .arg(repo)
        .args(["rev-parse", "HEAD"])
        .output()
        .unwrap();
    let head = String::from_utf8(head.stdout).unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("ci/gitlab/run.sh");
    let output = std::process::Command::new("bash")
        .arg(script)
        .env("OPSLINT_BIN", assert_cmd::cargo::cargo_bin("opslint"))
        .env("OPSLINT_PATH", repo)
        .env(
            "OPSLINT_CODE_QUALITY",
            dir.path().join("gl-code-quality-report.json"),
        )
        .env("OPSLINT_SUMMARY", dir.path().join("opslint-summary.md"))
        .env("CI_PROJECT_DIR", dir.path())
        .env("CI_COMMIT_SHA", head.trim())
        .env("CI_PIPELINE_SOURCE", "push")
        .env("NO_COLOR", "1")
        .env_remove("CI_MERGE_REQUEST_DIFF_BASE_SHA")
        .env_remove("OPSLINT_BASE")
        .env_remove("OPSLINT_REV")
        .envs(env.iter().copied())
        .output()
        .unwrap();
    let read = |name: &str| std::fs::read_to_string(dir.path().join(name)).ok();
    Job {
        code: output.status.code(),
        log: String::from_utf8(output.stdout).unwrap() + &String::from_utf8(output.stderr).unwrap(),
        issues: read("gl-code-quality-report.json")
            .map(|text| serde_json::from_str(&text).unwrap()),
        summary: read("opslint-summary.md").unwrap_or_default(),
        _dir: dir,
    }
}

/// The sample repository, and a merge request branch `feature` made by `change`: the
/// pipeline's variables for it.
fn merge_request(change: impl FnOnce(&TestRepo)) -> (TestRepo, String) {
    let repo = TestRepo::from_fixture("repos/sample");
    let base = repo.git(&["rev-parse", "HEAD"]).trim().to_owned();
    repo.git(&["checkout", "-q", "-b", "feature"]);
    change(&repo);
    (repo, base)
}

/// The fingerprints the widget shows as new: in the merge request's report, not in the
/// report of the target branch's pipeline (a default-branch pipeline at `base`).
fn new_in_widget(repo: &Path, base: &str, merge_request: &[Value]) -> BTreeSet<String> {
    let target = run_job(
        repo,
        &[("CI_COMMIT_SHA", base), ("OPSLINT_FAIL_ON", "never")],
    );
    let target = fingerprints(&target.issues.expect("the target branch's report"));
    fingerprints(merge_request)
        .difference(&target)
        .cloned()
        .collect()
}

#[test]
fn a_merge_request_that_drops_ci_fails_and_its_report_holds_the_regression() {
    let (repo, base) = merge_request(|repo| {
        repo.remove(".github/workflows/ci.yml");
        repo.commit("Drop CI");
    });
    let job = run_job(
        repo.path(),
        &[
            ("CI_PIPELINE_SOURCE", "merge_request_event"),
            ("CI_MERGE_REQUEST_DIFF_BASE_SHA", &base),
        ],
    );
    assert_eq!(job.code, Some(1), "{}", job.log);
    assert!(job.log.contains(&format!("comparing with its base {base}")));
    assert!(job.log.contains("failing findings at or above error"));
    let issues = job.issues.expect("a Code Quality report");
    let pipeline = issues
        .iter()
        .find(|issue| issue["check_name"] == "ci.pipeline")
        .unwrap_or_else(|| panic!("{issues:#?}"));
    assert_eq!(pipeline["severity"], "major");
    assert_eq!(pipeline["location"]["path"], "README.md");
    // The widget shows the regressions as new, and the sample's other failures not at all.
    let new = new_in_widget(repo.path(), &base, &issues);
    let fingerprint = |rule: &str| opslint::render::gitlab::fingerprint(rule, "");
    assert!(new.contains(&fingerprint("ci.pipeline")), "{new:?}");
    assert!(new.contains(&fingerprint("ci.runs-tests")), "{new:?}");
    assert!(new.len() < issues.len(), "{new:?}");
    assert!(
        job.summary.contains("Introduced by this change"),
        "{}",
        job.summary
    );

    // `never` reports the same and passes.
    let job = run_job(
        repo.path(),
        &[
            ("CI_PIPELINE_SOURCE", "merge_request_event"),
            ("CI_MERGE_REQUEST_DIFF_BASE_SHA", &base),
            ("OPSLINT_FAIL_ON", "never"),
        ],
    );
    assert_eq!(job.code, Some(0), "{}", job.log);
    assert_eq!(job.issues.unwrap(), issues);
}

#[test]
fn a_harmless_merge_request_passes_and_shows_nothing_new() {
    let (repo, base) = merge_request(|repo| {
        repo.write("docs/notes.md", "notes\n");
        repo.commit("Notes");
    });
    let job = run_job(
        repo.path(),
        &[
            ("CI_PIPELINE_SOURCE", "merge_request_event"),
            ("CI_MERGE_REQUEST_DIFF_BASE_SHA", &base),
            ("OPSLINT_FAIL_ON", "note"),
        ],
    );
    assert_eq!(job.code, Some(0), "{}", job.log);
    let issues = job.issues.unwrap();
    assert_eq!(new_in_widget(repo.path(), &base, &issues), BTreeSet::new());
    assert!(job.summary.starts_with("## opslint"));
}

#[test]
fn without_a_merge_request_base_the_whole_repository_is_scanned() {
    let repo = TestRepo::from_fixture("repos/sample");
    let job = run_job(repo.path(), &[("OPSLINT_FAIL_ON", "note")]);
    assert!(
        job.log.contains("not a merge request pipeline"),
        "{}",
        job.log
    );
    // The sample's notes fail a full scan at `note`; a merge request would not have.
    assert_eq!(job.code, Some(1), "{}", job.log);
    let issues = job.issues.unwrap();
    assert!(issues.len() > 1);
    assert!(
        issues
            .iter()
            .any(|issue| issue["location"]["path"] == "README.md")
    );

    // A merge request pipeline that lacks the variable says so and scans it all too.
    let job = run_job(
        repo.path(),
        &[("CI_PIPELINE_SOURCE", "merge_request_event")],
    );
    assert!(
        job.log.contains("without CI_MERGE_REQUEST_DIFF_BASE_SHA"),
        "{}",
        job.log
    );
    assert_eq!(job.code, Some(0), "{}", job.log);
}

#[test]
fn a_shallow_clone_fetches_the_history_and_the_merge_request_is_judged_by_its_base() {
    let (_repo, base, _clone, shallow) = crate::support::shallow_change_lowering_its_bar();
    let job = run_job(
        &shallow,
        &[
            ("CI_PIPELINE_SOURCE", "merge_request_event"),
            ("CI_MERGE_REQUEST_DIFF_BASE_SHA", &base),
        ],
    );
    assert!(job.log.contains("fetching the history"), "{}", job.log);
    assert!(job.log.contains(&format!("comparing with its base {base}")));
    // The base's config judges the merge request: its own `disable = ["ci"]` does not hide
    // the deleted pipeline.
    assert_eq!(job.code, Some(1), "{}", job.log);
    let issues = job.issues.expect("a Code Quality report");
    assert!(
        issues
            .iter()
            .any(|issue| issue["check_name"] == "ci.pipeline"),
        "{issues:#?}"
    );
}

#[test]
fn a_merge_request_whose_merge_base_cannot_be_fetched_fails_closed() {
    let (_repo, base, _clone, shallow) = crate::support::shallow_change_lowering_its_bar();
    crate::support::git_in(
        &shallow,
        &["remote", "set-url", "origin", "/nonexistent/repo"],
    );
    let job = run_job(
        &shallow,
        &[
            ("CI_PIPELINE_SOURCE", "merge_request_event"),
            ("CI_MERGE_REQUEST_DIFF_BASE_SHA", &base),
        ],
    );
    assert_eq!(job.code, Some(2), "{}", job.log);
    assert!(
        job.log
            .contains("is not in the clone and could not be fetched")
            && job.log.contains("GIT_DEPTH: 0"),
        "{}",
        job.log
    );
    assert!(job.issues.is_none(), "no report that passes for a scan");

    let job = run_job(&shallow, &[("OPSLINT_BASE", "--upload-pack=touch x")]);
    assert_eq!(job.code, Some(2), "{}", job.log);
    assert!(job.log.contains("is not a revision"), "{}", job.log);
}

/// OPSLINT_ARGS on several lines: every line's arguments count, not only the first's.
#[test]
fn args_on_several_lines_are_all_passed() {
    let repo = TestRepo::from_fixture("repos/sample");
    let job = run_job(
        repo.path(),
        &[
            ("OPSLINT_FAIL_ON", "note"),
            ("OPSLINT_ARGS", "--window 30d\n\t--select  ci.pipeline\n"),
        ],
    );
    assert_eq!(job.code, Some(0), "{}", job.log);
}

#[test]
fn opslint_failing_to_run_fails_the_job_with_2() {
    let dir = tempfile::tempdir().unwrap();
    let job = run_job(dir.path(), &[("CI_COMMIT_SHA", "")]);
    assert_eq!(job.code, Some(2), "{}", job.log);
    assert!(job.log.contains("opslint could not scan the repository"));
}

/// What `ci/gitlab/install.sh` did for one job of `project`.
struct Install {
    code: Option<i32>,
    log: String,
    /// OPSLINT_ROOT, where the binary is put.
    root: tempfile::TempDir,
}

impl Install {
    fn bin(&self) -> std::path::PathBuf {
        self.root.path().join("bin/opslint")
    }
    /// What the stub build recorded: its working directory and RUSTUP_TOOLCHAIN, if it ran.
    fn build(&self) -> Option<Vec<String>> {
        let text = std::fs::read_to_string(self.root.path().join("build-ran")).ok()?;
        Some(text.lines().map(str::to_owned).collect())
    }
}

/// Runs `ci/gitlab/install.sh` as the template does, in `project` (CI_PROJECT_DIR), with a
/// stub build whose binary prints "opslint built".
fn install(project: &Path, env: &[(&str, &str)]) -> Install {
    let root = tempfile::tempdir().unwrap();
    let build = "printf '%s\\n' \"$PWD\" \"$RUSTUP_TOOLCHAIN\" > \"$OPSLINT_ROOT/build-ran\" \
                 && mkdir -p \"$OPSLINT_ROOT/bin\" \
                 && printf '#!/bin/sh\\necho opslint built\\n' > \"$OPSLINT_ROOT/bin/opslint\" \
                 && chmod +x \"$OPSLINT_ROOT/bin/opslint\"";
    let output = std::process::Command::new("bash")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("ci/gitlab/install.sh"))
        .current_dir(project)
        .env("CI_PROJECT_DIR", project)
        .env("OPSLINT_ROOT", root.path())
        .env("OPSLINT_BUILD", build)
        .env("OPSLINT_TOOLCHAIN", "1.95.0")
        .env_remove("OPSLINT_CACHE_DIR")
        .env_remove("OPSLINT_USE_CACHE")
        .env_remove("RUSTUP_TOOLCHAIN")
        .envs(env.iter().copied())
        .output()
        .unwrap();
    Install {
        code: output.status.code(),
        log: String::from_utf8(output.stdout).unwrap() + &String::from_utf8(output.stderr).unwrap(),
        root,
    }
}

#[cfg(unix)]
fn executable(path: &Path, text: &str) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

fn run_bin(bin: &Path) -> String {
    let output = std::process::Command::new(bin).output().unwrap();
    String::from_utf8(output.stdout).unwrap()
}

/// A merge request that commits an executable at the cache's path: it is never run, and the
/// job fails rather than cache it.
#[cfg(unix)]
#[test]
fn a_committed_binary_at_the_cache_path_is_never_run() {
    let (repo, _base) = merge_request(|repo| {
        repo.remove(".github/workflows/ci.yml");
        repo.commit("Drop CI");
    });
    let marker = repo.path().join("FAKE-RAN");
    executable(
        &repo.path().join(".opslint-cache/bin/opslint"),
        &format!("#!/bin/sh\ntouch '{}'\necho fake\n", marker.display()),
    );
    repo.commit("Bring my own opslint");
    let install = install(repo.path(), &[]);
    assert_eq!(install.code, Some(2), "{}", install.log);
    assert!(
        install.log.contains("the repository tracks files under"),
        "{}",
        install.log
    );
    assert!(!marker.exists(), "the committed binary ran");
    assert!(!install.bin().exists());
    assert!(install.build().is_none(), "{}", install.log);
}

#[cfg(unix)]
#[test]
fn the_cache_is_copied_out_of_the_checkout_and_a_build_is_cached() {
    let repo = TestRepo::from_fixture("repos/sample");
    // No cache: a build, outside the checkout, with the toolchain named; left in the cache.
    let first = install(repo.path(), &[]);
    assert_eq!(first.code, Some(0), "{}", first.log);
    let build = first.build().expect("a build");
    assert!(
        !Path::new(&build[0]).starts_with(repo.path()),
        "built in the checkout: {build:?}"
    );
    assert_eq!(build[1], "1.95.0");
    let cached = repo.path().join(".opslint-cache/bin/opslint");
    assert_eq!(run_bin(&cached), "opslint built\n");
    assert_eq!(run_bin(&first.bin()), "opslint built\n");

    // The next job: the (untracked) cache is copied to OPSLINT_ROOT, nothing is built, and
    // the binary runs from there.
    executable(&cached, "#!/bin/sh\necho opslint cached\n");
    let second = install(repo.path(), &[]);
    assert_eq!(second.code, Some(0), "{}", second.log);
    assert!(second.build().is_none(), "{}", second.log);
    assert!(!second.bin().starts_with(repo.path()));
    assert_eq!(run_bin(&second.bin()), "opslint cached\n");

    // OPSLINT_USE_CACHE: "false" builds anyway.
    let third = install(repo.path(), &[("OPSLINT_USE_CACHE", "false")]);
    assert_eq!(third.code, Some(0), "{}", third.log);
    assert!(third.build().is_some(), "{}", third.log);
    assert_eq!(run_bin(&third.bin()), "opslint built\n");

    // A cached symlink is not followed.
    std::fs::remove_file(&cached).unwrap();
    std::os::unix::fs::symlink("/bin/true", &cached).unwrap();
    let fourth = install(repo.path(), &[]);
    assert_eq!(fourth.code, Some(0), "{}", fourth.log);
    assert!(fourth.build().is_some(), "{}", fourth.log);
    assert!(!cached.is_symlink());

    // A build that leaves nothing fails the job.
    std::fs::remove_dir_all(repo.path().join(".opslint-cache")).unwrap();
    let broken = install(repo.path(), &[("OPSLINT_BUILD", "true")]);
    assert_eq!(broken.code, Some(2), "{}", broken.log);
}

/// The template parses, runs the script, and hands GitLab the files the script writes. (CI
/// also validates it against GitLab's schema with check-jsonschema.)
#[test]
fn the_template_runs_the_script_and_declares_its_reports() {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("ci/gitlab/opslint.gitlab-ci.yml"),
    )
    .unwrap();
    let template: Value = serde_saphyr::from_str(&text).expect("the template is YAML");
    let job = &template["opslint"];
    let script: Vec<&str> = job["script"]
        .as_array()
        .unwrap()
        .iter()
        .map(|line| line.as_str().unwrap())
        .collect();
    assert!(
        script.last().unwrap().ends_with("ci/gitlab/run.sh"),
        "{script:?}"
    );
    // The binary runs from outside the checkout, put there by install.sh; nothing in the
    // script builds or runs from the cache's path, which the checkout could hold.
    assert!(
        script
            .iter()
            .any(|line| line.ends_with("ci/gitlab/install.sh")),
        "{script:?}"
    );
    assert!(
        script
            .last()
            .unwrap()
            .starts_with("OPSLINT_BIN=/tmp/opslint-root/bin/opslint "),
        "{script:?}"
    );
    assert!(
        !script
            .iter()
            .any(|line| line.contains(".opslint-cache") || line.contains("cargo")),
        "{script:?}"
    );
    assert_eq!(
        job["cache"]["paths"],
        serde_json::json!([".opslint-cache/"])
    );
    assert_eq!(job["cache"]["when"], "on_success");
    assert_eq!(job["variables"]["GIT_DEPTH"], "0");
    assert_eq!(job["variables"]["OPSLINT_FAIL_ON"], "error");
    let artifacts = &job["artifacts"];
    assert_eq!(artifacts["when"], "always");
    assert_eq!(
        artifacts["reports"]["codequality"],
        "gl-code-quality-report.json"
    );
    assert_eq!(
        artifacts["paths"],
        serde_json::json!(["gl-code-quality-report.json", "opslint-summary.md"])
    );
    let rules: Vec<&str> = job["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|rule| rule["if"].as_str().unwrap())
        .collect();
    assert!(rules.contains(&"$CI_PIPELINE_SOURCE == \"merge_request_event\""));
    assert!(rules.contains(&"$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH"));
}

//! Pull-request mode (`check --base`): a change judged on what it changes.

use crate::support::{TestRepo, assert_tool_error, finding, json_report, opslint};

/// The sample repository on `main`, and a `feature` branch checked out from it.
fn sample_with_feature_branch() -> TestRepo {
    let repo = TestRepo::from_fixture("repos/sample");
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo
}

fn change_of(report: &serde_json::Value, rule: &str) -> String {
    let finding = finding(report, rule).unwrap_or_else(|| panic!("no finding for {rule}"));
    finding["change"].as_str().expect("a change").to_owned()
}

/// The exit code and the report in `format` (history left out).
fn report_in(format: &str, args: &[&str], path: &std::path::Path) -> (Option<i32>, String) {
    let output = opslint()
        .args(["check", "--format", format, "--no-history"])
        .args(args)
        .arg(path)
        .output()
        .unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    (output.status.code(), text)
}

#[test]
fn a_pull_request_that_deletes_the_ci_pipeline_is_a_regression_and_fails() {
    let repo = sample_with_feature_branch();
    repo.remove(".github/workflows/ci.yml");
    repo.commit("Drop CI");
    let (code, report) = json_report(&["--rev", "HEAD", "--base", "main"], repo.path());
    assert_eq!(code, Some(1));
    assert_eq!(change_of(&report, "ci.pipeline"), "regressed");
    assert_eq!(change_of(&report, "ci.runs-tests"), "regressed");
    // Every finding says how it moved; what did not move is unchanged.
    assert!(
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|finding| finding["change"].is_string())
    );
    assert_eq!(change_of(&report, "security.lockfile-cargo"), "unchanged");
    assert_eq!(report["pull_request"]["base"], "main");
    assert_eq!(report["pull_request"]["commits"], 1);
    // A pull request is measured by its own change, not by a window of history.
    assert!(report.get("history").is_none());

    let human = opslint()
        .args(["check", "--rev", "HEAD", "--base", "main"])
        .arg(repo.path())
        .output()
        .unwrap();
    let text = String::from_utf8(human.stdout).unwrap();
    let regressions = text.find("Regressions").expect("a regressions section");
    assert!(text[regressions..].contains("ci.pipeline"));
    assert!(text.contains("Unchanged since the base"));
    // Unchanged findings are summarised, not repeated.
    assert!(!text.contains("security.lockfile-cargo"));
}

/// A practice lost from the repository as a whole has no file of its own: it is shown in
/// the file where the base had it, quoting what the base found, so the annotation and the
/// code-scanning result land on the workflow the change broke.
#[test]
fn a_lost_practice_is_shown_where_the_base_had_it() {
    let repo = sample_with_feature_branch();
    let pipeline = ".github/workflows/ci.yml";
    let text = std::fs::read_to_string(repo.path().join(pipeline)).unwrap();
    repo.write(pipeline, text.replace("cargo test --locked", "cargo build"));
    repo.commit("Build only");
    let args = ["--rev", "HEAD", "--base", "main"];
    let (code, report) = json_report(&args, repo.path());
    assert_eq!(code, Some(1));
    let tests = finding(&report, "ci.runs-tests").unwrap();
    assert_eq!(tests["change"], "regressed");
    assert_eq!(tests["shown_in"][0], pipeline);
    let note = tests["note"].as_str().unwrap();
    assert!(
        note.starts_with("Passed at the base: .github/workflows/ci.yml:11 (cargo test"),
        "{note}"
    );
    let (_, github) = report_in("github", &args, repo.path());
    let annotation = github
        .lines()
        .find(|line| line.contains("(ci.runs-tests)"))
        .unwrap();
    assert!(
        annotation.starts_with("::error file=.github/workflows/ci.yml,"),
        "{annotation}"
    );
    // The notice counts the change's failures apart from those already there (new user).
    let notice = github.lines().last().unwrap();
    assert!(notice.contains("· 1 failed by this change · "), "{notice}");
    let (_, sarif) = report_in("sarif", &args, repo.path());
    let sarif: serde_json::Value = serde_json::from_str(&sarif).unwrap();
    let result = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|result| result["ruleId"] == "ci.runs-tests")
        .expect("a code-scanning result for the lost test run");
    assert_eq!(
        result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        pipeline
    );
    // Shown there, it is still a failure of the repository as a whole: a baseline written
    // in pull-request mode accepts it in a plain check (red team).
    assert_eq!(
        result["partialFingerprints"]["opslintInstance/v2"],
        "ci.runs-tests:"
    );
    let baseline = repo.path().join("opslint-baseline.json");
    let written = opslint()
        .args(["check", "--no-history", "--write-baseline"])
        .arg(&baseline)
        .args(args)
        .arg(repo.path())
        .output()
        .unwrap();
    assert!(written.status.success() || written.status.code() == Some(1));
    let (code, plain) = json_report(&["--baseline", baseline.to_str().unwrap()], repo.path());
    assert_eq!(finding(&plain, "ci.runs-tests").unwrap()["baselined"], true);
    assert_eq!(code, Some(0), "{plain}");
}

/// The score of a change beside its base's on the same rules: a worse change shows a lower
/// score, though the change's own rules (its size) pass and judge nothing at the base.
#[test]
fn a_worse_change_scores_below_its_base() {
    let repo = sample_with_feature_branch();
    repo.remove(".github/workflows/ci.yml");
    repo.commit("Drop CI");
    let args = ["--rev", "HEAD", "--base", "main"];
    let (_, report) = json_report(&args, repo.path());
    let head = report["score"].as_u64().unwrap();
    let base = report["pull_request"]["base_score"].as_u64().unwrap();
    assert!(head < base, "head {head}, base {base}");
    let (_, markdown) = report_in("markdown", &args, repo.path());
    assert!(
        markdown.starts_with(&format!("## opslint · {head}/100 (base {base}/100)")),
        "{markdown}"
    );
    let plain = json_report(&["--rev", "main"], repo.path()).1;
    assert!(plain["pull_request"].is_null());
}

#[test]
fn a_pull_request_that_adds_tests_is_an_improvement_and_passes() {
    let repo = TestRepo::new();
    repo.write(
        "Cargo.toml",
        "[package]\nname = \"x\"\nversion = \"0.1.0\"\n",
    );
    repo.write("src/lib.rs", "pub fn x() {}\n");
    // (Its one ecosystem kept up to date, so nothing located fails.)
    repo.write(
        ".github/dependabot.yml",
        "version: 2\nupdates:\n  - package-ecosystem: cargo\n    directory: /\n    schedule:\n      interval: weekly\n",
    );
    repo.commit("Start");
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.write("tests/x.rs", "#[test]\nfn x() { x::x(); }\n");
    repo.commit("Test x");
    let (code, report) = json_report(&["--rev", "HEAD", "--base", "main"], repo.path());
    assert_eq!(code, Some(0));
    assert_eq!(change_of(&report, "testing.tests-exist"), "improved");
    // Failing at the base and still failing is not this change's doing.
    assert_eq!(finding(&report, "ci.pipeline").unwrap()["status"], "fail");
    assert_eq!(change_of(&report, "ci.pipeline"), "unchanged");
    // Nothing located fails, so there is no code-scanning result.
    let sarif = opslint()
        .args([
            "check", "--rev", "HEAD", "--base", "main", "--format", "sarif",
        ])
        .arg(repo.path())
        .output()
        .unwrap();
    let sarif: serde_json::Value = serde_json::from_slice(&sarif.stdout).unwrap();
    assert_eq!(sarif["runs"][0]["results"], serde_json::json!([]));
}

#[test]
fn the_base_need_not_be_an_ancestor_the_merge_base_is_compared() {
    let repo = sample_with_feature_branch();
    repo.write("docs/notes.md", "notes\n");
    repo.commit("Notes");
    // Main moves on after the branch left it: it drops its pipeline.
    repo.git(&["checkout", "-q", "main"]);
    repo.remove(".github/workflows/ci.yml");
    repo.commit("Main drops CI");
    let (code, report) = json_report(&["--rev", "feature", "--base", "main"], repo.path());
    assert_eq!(code, Some(0), "{report:#}");
    // The feature branch still has the pipeline: compared with where it left main, nothing
    // regressed, and the change is its own single commit.
    assert_eq!(change_of(&report, "ci.pipeline"), "unchanged");
    assert_eq!(report["pull_request"]["commits"], 1);
    let lines = report["pull_request"]["figures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|figure| figure["id"] == "pr.lines_changed")
        .unwrap();
    assert_eq!(lines["value"], 1.0);
}

#[test]
fn a_base_missing_from_a_shallow_clone_is_a_clear_error() {
    let repo = sample_with_feature_branch();
    for day in 0..3 {
        repo.write("docs/notes.md", format!("day {day}\n"));
        repo.commit("Notes");
    }
    let clone = tempfile::tempdir().unwrap();
    let source = format!("file://{}", repo.path().display());
    crate::support::git_in(
        clone.path(),
        &[
            "clone", "-q", "--depth", "1", "--branch", "feature", &source, "shallow",
        ],
    );
    let output = opslint()
        .args(["check", "--base", "origin/main"])
        .arg(clone.path().join("shallow"))
        .output()
        .unwrap();
    assert_tool_error(&output, &["not in this shallow clone", "fetch-depth: 0"]);

    let unknown = opslint()
        .args(["check", "--base", "no-such-branch"])
        .arg(repo.path())
        .output()
        .unwrap();
    assert_tool_error(&unknown, &["`no-such-branch` does not exist"]);
}

/// In a monorepo where no service has tests, a pull request adding another service
/// without tests still regresses `testing.tests-exist`, naming the new one; one that leaves
/// the components as they were does not. Where another service has tests the rule passes,
/// and the note names the new service the change leaves without them.
#[test]
fn a_new_component_lacking_a_practice_is_a_regression_even_where_another_lacked_it() {
    let repo = TestRepo::new();
    let service = |name: &str, tested: bool| {
        repo.write(
            &format!("services/{name}/package.json"),
            format!(r#"{{"name": "{name}"}}"#),
        );
        repo.write(
            &format!("services/{name}/index.js"),
            "module.exports = 1;\n",
        );
        if tested {
            repo.write(
                &format!("services/{name}/index.test.js"),
                "test('x', () => {});\n",
            );
        }
    };
    // No service tested: the rule fails at the base already.
    service("untested", false);
    service("also-untested", false);
    repo.commit("Two services");
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.write("services/untested/index.js", "module.exports = 2;\n");
    repo.commit("Harmless");
    let args = ["--rev", "HEAD", "--base", "main", "--fail-on", "warning"];
    let (code, report) = json_report(&args, repo.path());
    assert_eq!(change_of(&report, "testing.tests-exist"), "unchanged");
    assert_eq!(code, Some(0), "{report:#}");

    service("new", false);
    repo.commit("A service without tests");
    let (_, report) = json_report(&args, repo.path());
    let tests = finding(&report, "testing.tests-exist").unwrap();
    assert_eq!(tests["change"], "regressed");
    assert_eq!(tests["note"], "Newly failing in services/new.");

    // One service with tests: the repository has them, and the change's untested service is
    // named, not turned into a failure.
    repo.git(&["checkout", "-q", "main"]);
    service("tested", true);
    repo.commit("Tests");
    repo.git(&["checkout", "-q", "-b", "untested-service"]);
    service("another", false);
    repo.commit("Another service without tests");
    let (_, report) = json_report(&args, repo.path());
    let tests = finding(&report, "testing.tests-exist").unwrap();
    assert_eq!(tests["status"], "pass");
    assert_eq!(tests["change"], "weakened");
    assert_eq!(
        tests["note"],
        "Found in 1 of 4 components; none in services/also-untested, services/another, \
         services/untested. Newly lacking in services/another."
    );
    // Each report a pull request is read in says so, and none fails the run on it.
    for (format, says) in [
        (
            "human",
            "Weakened: still pass, but not in a component the change adds (1)",
        ),
        (
            "markdown",
            "### Still passing, but not in what this change adds (1)",
        ),
        (
            "github",
            "::notice title=The project has automated tests (testing.tests-exist)::",
        ),
    ] {
        let (code, text) = report_in(format, &args, repo.path());
        assert!(text.contains(says), "{format}:\n{text}");
        assert!(text.contains("Newly lacking in"), "{format}:\n{text}");
        assert_eq!(code, Some(0), "{format}:\n{text}");
    }
}

/// Issue 16: a rule already failing at the base (`Dockerfile` on `python:latest`) that the
/// change breaks in a new file (`web.Dockerfile` on `node:latest`) was "unchanged".
#[test]
fn a_new_file_breaking_a_rule_that_already_failed_is_a_regression() {
    let repo = TestRepo::from_fixture("repos/sample");
    repo.write("Dockerfile", "FROM python:latest\n");
    repo.commit("Python");
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.write("web.Dockerfile", "FROM node:latest\n");
    repo.commit("Web");
    let args = ["--rev", "HEAD", "--base", "main", "--fail-on", "warning"];
    let (code, report) = json_report(&args, repo.path());
    assert_eq!(code, Some(1), "{report:#}");
    assert_eq!(
        change_of(&report, "security.base-images-pinned"),
        "regressed"
    );
    let pinned = finding(&report, "security.base-images-pinned").unwrap();
    assert_eq!(
        pinned["new_instances"],
        serde_json::json!(["web.Dockerfile"])
    );
    // SARIF lists both instances, new or not: code scanning compares them with the base
    // branch's analysis itself, and would take a missing Dockerfile for a fixed alert.
    let results = crate::support::sarif_locations(&args, repo.path());
    let pinned: Vec<&str> = results
        .iter()
        .filter(|(rule, _)| rule == "security.base-images-pinned")
        .map(|(_, file)| file.as_str())
        .collect();
    assert_eq!(pinned, ["web.Dockerfile", "Dockerfile"]);
    // The pull-request comment and the annotation say where the change broke it before what
    // the rule found, which names the old file first.
    for (format, says) in [
        ("markdown", "— _Newly failing in web.Dockerfile._ "),
        ("github", "::Newly failing in web.Dockerfile. "),
    ] {
        let (_, text) = report_in(format, &args, repo.path());
        assert!(text.contains(says), "{format}:\n{text}");
    }

    // Touching the old file without adding a new one changes nothing.
    repo.git(&["checkout", "-q", "main"]);
    repo.git(&["checkout", "-q", "-b", "harmless"]);
    repo.write("Dockerfile", "FROM python:latest\nRUN true\n");
    repo.commit("Touch");
    let (code, report) = json_report(&args, repo.path());
    assert_eq!(code, Some(0), "{report:#}");
    assert_eq!(
        change_of(&report, "security.base-images-pinned"),
        "unchanged"
    );
}

/// Issue 16: a pull request that dropped `cargo test` from the pipeline failed, and the
/// same pull request plus `disable = ["ci"]` in `.opslint.toml` passed silently.
#[test]
fn a_pull_request_cannot_lower_its_own_bar() {
    let repo = sample_with_feature_branch();
    let pipeline = ".github/workflows/ci.yml";
    let text = std::fs::read_to_string(repo.path().join(pipeline)).unwrap();
    repo.write(
        pipeline,
        text.replace(
            "      - run: cargo test --locked\n",
            "      - run: cargo build\n",
        ),
    );
    repo.write(
        ".opslint.toml",
        "# CI is someone else's job\ndisable = [\"ci\"]\n",
    );
    repo.commit("Drop the tests, and the rule that wants them");
    let (code, report) = json_report(&["--rev", "HEAD", "--base", "main"], repo.path());
    assert_eq!(code, Some(1), "{report:#}");
    assert_eq!(change_of(&report, "ci.runs-tests"), "regressed");
    let gate = finding(&report, "ci.gate-holds").unwrap();
    assert_eq!(gate["status"], "fail");
    assert_eq!(gate["evidence"][0]["path"], ".opslint.toml");
    assert_eq!(gate["evidence"][0]["line"], 2);
    assert_eq!(gate["evidence"][0]["detail"], "turns off `ci`");
    // The report says whose configuration judged it.
    assert!(
        report["repository"]["config"].is_null(),
        "{}",
        report["repository"]
    );

    // Once the configuration is on the base branch, it is the bar.
    repo.git(&["checkout", "-q", "main"]);
    repo.write(".opslint.toml", "disable = [\"ci\"]\n");
    repo.commit("Turn CI rules off, reviewed");
    repo.git(&["checkout", "-q", "-b", "later"]);
    repo.write(
        pipeline,
        text.replace(
            "      - run: cargo test --locked\n",
            "      - run: cargo build\n",
        ),
    );
    repo.commit("Drop the tests");
    let (code, report) = json_report(&["--rev", "HEAD", "--base", "main"], repo.path());
    assert_eq!(code, Some(0), "{report:#}");
    assert!(finding(&report, "ci.runs-tests").is_none());
}

#[test]
fn a_pull_request_that_adds_to_the_baseline_is_reported() {
    let repo = TestRepo::from_fixture("repos/sample");
    let dir = tempfile::tempdir().unwrap();
    let recorded = dir.path().join("baseline.json");
    opslint()
        .args(["check", "--write-baseline"])
        .arg(&recorded)
        .arg(repo.path())
        .assert()
        .code(0);
    repo.write("baseline.json", std::fs::read(&recorded).unwrap());
    repo.write(".opslint.toml", "[scan]\nbaseline = \"baseline.json\"\n");
    repo.commit("Adopt opslint");
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.write("web.Dockerfile", "FROM node:latest\n");
    repo.commit("Web");
    opslint()
        .args(["check", "--rev", "HEAD", "--write-baseline"])
        .arg(&recorded)
        .arg(repo.path())
        .assert()
        .code(0);
    repo.write("baseline.json", std::fs::read(&recorded).unwrap());
    repo.commit("Accept it");
    let args = ["--rev", "HEAD", "--base", "main", "--fail-on", "warning"];
    let (code, report) = json_report(&args, repo.path());
    assert_eq!(code, Some(1), "the base's baseline judges: {report:#}");
    let pinned = finding(&report, "security.base-images-pinned").unwrap();
    assert_eq!(pinned["change"], "regressed");
    assert!(pinned.get("baselined").is_none());
    let gate = finding(&report, "ci.gate-holds").unwrap();
    let detail = gate["evidence"][0]["detail"].as_str().unwrap();
    assert!(
        detail.contains("security.base-images-pinned:web.Dockerfile"),
        "{detail}"
    );
}

/// Red-team findings on the gate (issue 16): each got a regression through, or failed a
/// harmless change.
mod gate {
    use super::*;

    fn drop_tests(repo: &TestRepo) {
        let pipeline = ".github/workflows/ci.yml";
        let text = std::fs::read_to_string(repo.path().join(pipeline)).unwrap();
        repo.write(
            pipeline,
            text.replace(
                "      - run: cargo test --locked\n",
                "      - run: cargo build\n",
            ),
        );
    }

    fn gate(repo: &TestRepo, extra: &[&str]) -> (Option<i32>, serde_json::Value) {
        let mut args = vec!["--rev", "HEAD", "--base", "main", "--fail-on", "warning"];
        args.extend_from_slice(extra);
        json_report(&args, repo.path())
    }

    /// A baseline written before main fixed a failure still listed it: the pull request
    /// that broke it again was accepted.
    #[test]
    fn a_stale_baseline_entry_does_not_accept_a_regression() {
        let repo = TestRepo::from_fixture("repos/sample");
        repo.write("Dockerfile", "FROM node\n");
        repo.commit("Unpinned");
        opslint()
            .args(["check", "--rev", "HEAD", "--write-baseline"])
            .arg(repo.path().join("baseline.json"))
            .arg(repo.path())
            .assert()
            .code(0);
        repo.write(".opslint.toml", "[scan]\nbaseline = \"baseline.json\"\n");
        repo.write("Dockerfile", "FROM node:22@sha256:3f9ac4f6d3c1a7d5e1b1f4c2d7e8a9b0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6\n");
        repo.commit("Pin, adopt the baseline");
        repo.git(&["checkout", "-q", "-b", "feature"]);
        repo.write("Dockerfile", "FROM node\n");
        repo.commit("Unpin again");
        let (code, report) = gate(&repo, &[]);
        assert_eq!(code, Some(1), "{report:#}");
        let pinned = finding(&report, "security.base-images-pinned").unwrap();
        assert_eq!(pinned["change"], "regressed");
        assert!(pinned.get("baselined").is_none());
    }

    /// `--config` and `--baseline` naming files of the checkout (the Action's `config:`
    /// input does) are read as the base has them.
    #[test]
    fn a_config_or_baseline_given_from_the_checkout_is_the_bases() {
        let repo = TestRepo::from_fixture("repos/sample");
        repo.write("ci/opslint.toml", "disable = [\"learning\"]\n");
        repo.commit("Config");
        repo.git(&["checkout", "-q", "-b", "feature"]);
        repo.write("ci/opslint.toml", "disable = [\"ci\"]\n");
        repo.remove(".github/workflows/ci.yml");
        repo.commit("Drop CI, and the rules that want it");
        let config = repo.path().join("ci/opslint.toml");
        let (code, report) = gate(&repo, &["--config", config.to_str().unwrap()]);
        assert_eq!(code, Some(1), "{report:#}");
        assert_eq!(change_of(&report, "ci.pipeline"), "regressed");

        // A baseline the change rewrote to accept its own regression.
        let baseline = repo.path().join("accepted.json");
        opslint()
            .args(["check", "--rev", "HEAD", "--write-baseline"])
            .arg(&baseline)
            .arg(repo.path())
            .assert()
            .code(0);
        repo.commit("Accept it");
        let (code, report) = gate(&repo, &["--baseline", baseline.to_str().unwrap()]);
        assert_eq!(code, Some(1), "{report:#}");
        assert!(
            finding(&report, "ci.pipeline")
                .unwrap()
                .get("baselined")
                .is_none()
        );
    }

    /// A workflow padded past the read cap made `ci.runs-tests` unknown instead of failing.
    #[test]
    fn a_rule_the_change_leaves_unjudged_is_reported() {
        let repo = sample_with_feature_branch();
        drop_tests(&repo);
        let pipeline = repo.path().join(".github/workflows/ci.yml");
        let mut text = std::fs::read_to_string(&pipeline).unwrap();
        text.push_str(&format!("# {}\n", "x".repeat(4_300_000)));
        repo.write(".github/workflows/ci.yml", text);
        repo.commit("Pad");
        let (code, report) = gate(&repo, &[]);
        assert_eq!(code, Some(1), "{report:#}");
        let gate = finding(&report, "ci.gate-holds").unwrap();
        assert_eq!(gate["status"], "fail");
        assert!(
            gate["message"]
                .as_str()
                .unwrap()
                .contains("leaves `ci.runs-tests` unjudged"),
            "{gate:#}"
        );
    }

    /// A base whose `.opslint.toml` this opslint cannot load locked every change out, the
    /// one that fixes it included.
    #[test]
    fn a_base_config_that_does_not_load_is_no_lockout() {
        let repo = TestRepo::from_fixture("repos/sample");
        repo.write(".opslint.toml", "disable = [\"ci.removed-rule\"]\n");
        repo.commit("A rule a later opslint removed");
        repo.git(&["checkout", "-q", "-b", "feature"]);
        repo.write(".opslint.toml", "disable = [\"learning\"]\n");
        repo.commit("Fix the config");
        let (code, report) = gate(&repo, &[]);
        let gate = finding(&report, "ci.gate-holds").unwrap();
        assert_eq!(gate["status"], "fail", "{report:#}");
        assert!(
            gate["message"]
                .as_str()
                .unwrap()
                .contains("the base's does not load"),
            "{gate:#}"
        );
        assert_eq!(code, Some(1), "a warning at --fail-on warning");
    }

    /// Moving the baseline file, or adding an empty one, accepts nothing more.
    #[test]
    fn moving_the_baseline_is_not_lowering_the_bar() {
        let repo = TestRepo::from_fixture("repos/sample");
        opslint()
            .args(["check", "--write-baseline"])
            .arg(repo.path().join("baseline.json"))
            .arg(repo.path())
            .assert()
            .code(0);
        repo.write(".opslint.toml", "[scan]\nbaseline = \"baseline.json\"\n");
        repo.commit("Adopt");
        repo.git(&["checkout", "-q", "-b", "feature"]);
        repo.git(&["mv", "baseline.json", "opslint-baseline.json"]);
        repo.write(
            ".opslint.toml",
            "[scan]\nbaseline = \"opslint-baseline.json\"\n",
        );
        repo.commit("Move");
        let (code, report) = gate(&repo, &[]);
        assert_eq!(finding(&report, "ci.gate-holds").unwrap()["status"], "pass");
        assert_eq!(code, Some(0), "{report:#}");
    }
}

//! Baselines (adopting opslint on an existing repository) and exemptions in every format.

use crate::support::{TestRepo, assert_tool_error, finding, json_report, opslint};

#[test]
fn a_baseline_accepts_todays_failures_and_fails_on_new_ones() {
    let repo = TestRepo::from_fixture("repos/sample");
    let dir = tempfile::tempdir().unwrap();
    let baseline = dir.path().join("baseline.json");
    let baseline_arg = baseline.to_str().unwrap();
    // Recording succeeds whatever fails today.
    opslint()
        .args(["check", "--write-baseline", baseline_arg])
        .arg(repo.path())
        .assert()
        .code(0);
    let recorded: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&baseline).unwrap()).unwrap();
    assert_eq!(recorded["version"], 2);
    assert!(
        recorded["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(
                |entry| entry["rule"] == "collaboration.code-owners" && entry.get("path").is_none()
            )
    );

    let (code, report) = json_report(
        &["--baseline", baseline_arg, "--fail-on", "note"],
        repo.path(),
    );
    assert_eq!(
        code,
        Some(0),
        "every failure is in the baseline: {report:#}"
    );
    assert_eq!(
        finding(&report, "collaboration.code-owners").unwrap()["baselined"],
        true
    );
    let human = opslint()
        .args(["check", "--baseline", baseline_arg])
        .arg(repo.path())
        .output()
        .unwrap();
    let text = String::from_utf8(human.stdout).unwrap();
    assert!(text.contains("accepted by the baseline"), "{text}");
    assert!(
        !text.contains("collaboration.code-owners"),
        "baselined failures are not listed"
    );

    // A failure the baseline does not know fails the run.
    repo.remove(".github/workflows/ci.yml");
    let (code, report) = json_report(&["--baseline", baseline_arg], repo.path());
    assert_eq!(code, Some(1));
    let pipeline = finding(&report, "ci.pipeline").unwrap();
    assert_eq!(pipeline["status"], "fail");
    assert!(pipeline.get("baselined").is_none());
}

#[test]
fn the_config_names_a_baseline_in_the_scanned_tree() {
    let repo = TestRepo::from_fixture("repos/sample");
    let path = repo.path().join(".opslint-baseline.json");
    opslint()
        .args(["check", "--write-baseline"])
        .arg(&path)
        .arg(repo.path())
        .assert()
        .code(0);
    repo.write(
        ".opslint.toml",
        "[scan]\nbaseline = \".opslint-baseline.json\"\n",
    );
    repo.commit("Adopt opslint");
    let (code, report) = json_report(&["--rev", "HEAD", "--fail-on", "note"], repo.path());
    assert_eq!(code, Some(0), "{report:#}");
    assert_eq!(
        finding(&report, "collaboration.code-owners").unwrap()["baselined"],
        true
    );
}

#[test]
fn a_malformed_or_missing_baseline_is_an_error() {
    let repo = TestRepo::from_fixture("repos/sample");
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.json");
    std::fs::write(
        &bad,
        "{\n  \"version\": 1,\n  \"findings\": [ { \"rule\": 3 } ]\n}\n",
    )
    .unwrap();
    let output = opslint()
        .args(["check", "--baseline"])
        .arg(&bad)
        .arg(repo.path())
        .output()
        .unwrap();
    // Pointing at the line.
    assert_tool_error(&output, &["is not a baseline opslint wrote", "bad.json:3:"]);

    let missing = opslint()
        .args(["check", "--baseline", "/nonexistent/baseline.json"])
        .arg(repo.path())
        .output()
        .unwrap();
    assert_tool_error(&missing, &["cannot read the baseline"]);
}

#[test]
fn exemptions_appear_in_every_format_with_their_reason() {
    let repo = TestRepo::from_fixture("repos/sample");
    repo.write(
        ".opslint.toml",
        "[[exempt]]\nrule = \"collaboration.code-owners\"\nreason = \"one maintainer owns everything\"\n",
    );
    repo.commit("Exempt code owners");
    let render = |format: &str| {
        let output = opslint()
            .args(["check", "--rev", "HEAD", "--format", format])
            .arg(repo.path())
            .output()
            .unwrap();
        String::from_utf8(output.stdout).unwrap()
    };
    for format in ["human", "json", "markdown"] {
        let text = render(format);
        assert!(
            text.contains("one maintainer owns everything"),
            "{format}: {text}"
        );
    }
    // Code scanning holds failures about files; an exemption is a repository-wide decision,
    // in the summary, not an alert.
    let sarif: serde_json::Value = serde_json::from_str(&render("sarif")).unwrap();
    assert!(
        !sarif["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .any(|result| result["ruleId"] == "collaboration.code-owners")
    );
    assert!(render("github").contains("1 exempted"));
}

/// Issue 16: a baseline holding `FROM python:latest` in `Dockerfile` accepted a new
/// `web.Dockerfile` on `node:latest`, because it recorded the rule and its first file only.
#[test]
fn a_new_file_breaking_a_baselined_rule_is_not_accepted() {
    let repo = TestRepo::from_fixture("repos/sample");
    repo.write("Dockerfile", "FROM python:latest\nRUN true\n");
    repo.commit("Python");
    let dir = tempfile::tempdir().unwrap();
    let baseline = dir.path().join("baseline.json");
    let baseline_arg = baseline.to_str().unwrap();
    opslint()
        .args(["check", "--rev", "HEAD", "--write-baseline", baseline_arg])
        .arg(repo.path())
        .assert()
        .code(0);
    let gate = [
        "--rev",
        "HEAD",
        "--baseline",
        baseline_arg,
        "--fail-on",
        "warning",
    ];
    let (code, _) = json_report(&gate, repo.path());
    assert_eq!(code, Some(0), "today's failures are accepted");

    repo.write("web.Dockerfile", "FROM node:latest\n");
    repo.commit("Web");
    let (code, report) = json_report(&gate, repo.path());
    assert_eq!(code, Some(1), "{report:#}");
    let pinned = finding(&report, "security.base-images-pinned").unwrap();
    assert!(pinned.get("baselined").is_none());
    assert_eq!(
        pinned["new_instances"],
        serde_json::json!(["web.Dockerfile"])
    );
    assert_eq!(pinned["evidence"][0]["path"], "web.Dockerfile");
    assert!(pinned["note"].as_str().unwrap().contains("web.Dockerfile"));
    // Code scanning gets the instance the baseline does not accept.
    let results = crate::support::sarif_locations(&gate, repo.path());
    let files: Vec<&str> = results.iter().map(|(_, file)| file.as_str()).collect();
    assert_eq!(files, ["web.Dockerfile"]);
}

#[test]
fn a_version_1_baseline_is_refused_with_the_way_out() {
    let repo = TestRepo::from_fixture("repos/sample");
    let dir = tempfile::tempdir().unwrap();
    let baseline = dir.path().join("baseline.json");
    std::fs::write(
        &baseline,
        r#"{"version": 1, "findings": [{"rule": "cd.dockerignore", "message": ""}]}"#,
    )
    .unwrap();
    let output = opslint()
        .args(["check", "--baseline"])
        .arg(&baseline)
        .arg(repo.path())
        .output()
        .unwrap();
    assert_tool_error(
        &output,
        &[
            "version 1, which recorded one file per rule",
            "--write-baseline",
        ],
    );
}

//! The command line: formats, exit codes, subcommands.

use clap::CommandFactory;
use opslint::cli::Cli;
use predicates::prelude::*;

use crate::support::{TestRepo, assert_tool_error, opslint, redact, regex_replace};

#[test]
fn clap_definition_is_consistent() {
    Cli::command().debug_assert();
}

fn sample() -> TestRepo {
    TestRepo::from_fixture("repos/sample")
}

#[test]
fn human_report_snapshot() {
    let repo = sample();
    let output = opslint()
        .args(["check", "--rev", "HEAD"])
        .arg(repo.path())
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "no error-severity failure in the sample"
    );
    let text = redact(&String::from_utf8(output.stdout).unwrap(), repo.path());
    let text = regex_replace(&text, r"HEAD \([0-9a-f]{12}\)", "HEAD ([SHA])");
    insta::assert_snapshot!("human_report", text);
}

#[test]
fn json_report_snapshot() {
    let repo = sample();
    let output = opslint()
        .args(["check", "--format", "json", "--rev", "HEAD"])
        .arg(repo.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    insta::assert_json_snapshot!("json_report", json, {
        ".repository.path" => "[REPO]",
        ".repository.head" => "[SHA]",
        ".tool.version" => "[VERSION]",
    });
}

#[test]
fn sarif_report_snapshot_and_shape() {
    let repo = sample();
    let sarif = |format: &str| -> serde_json::Value {
        let output = opslint()
            .args(["check", "--rev", "HEAD", "--format", format])
            .arg(repo.path())
            .output()
            .unwrap();
        serde_json::from_slice(&output.stdout).unwrap()
    };
    let (log, report) = (sarif("sarif"), sarif("json"));
    insta::assert_json_snapshot!("sarif_report", log, {
        ".runs[0].tool.driver.semanticVersion" => "[VERSION]",
    });
    assert_eq!(log["version"], "2.1.0");
    let run = &log["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "opslint");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let findings = report["findings"].as_array().unwrap();
    assert_eq!(
        rules.len(),
        findings.len(),
        "every judged rule is described"
    );
    // One result per file a failure is about; failures of the repository as a whole
    // (no evidence) are not code-scanning alerts.
    let mut located: Vec<String> = findings
        .iter()
        .filter(|f| f["status"] == "fail")
        .flat_map(|f| {
            let rule = f["rule"].as_str().unwrap().to_owned();
            f["evidence"]
                .as_array()
                .unwrap()
                .iter()
                .map(move |e| format!("{rule}:{}", e["path"].as_str().unwrap()))
        })
        .collect();
    located.dedup();
    let results = run["results"].as_array().unwrap();
    let fingerprints: Vec<&str> = results
        .iter()
        .map(|result| {
            result["partialFingerprints"]["opslintInstance/v2"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert_eq!(
        fingerprints, located,
        "located failures, and only they, are results"
    );
    assert!(
        results.len() < findings.iter().filter(|f| f["status"] == "fail").count(),
        "the sample's repository-wide failures are not results"
    );
    for result in results {
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], result["ruleId"]);
        assert!(["error", "warning", "note"].contains(&result["level"].as_str().unwrap()));
        let location = &result["locations"][0]["physicalLocation"];
        let uri = location["artifactLocation"]["uri"].as_str().unwrap();
        assert!(!uri.starts_with('/'), "repository-relative: {uri}");
        assert!(location["region"]["startLine"].as_u64().unwrap() >= 1);
        assert!(!result["message"]["text"].as_str().unwrap().is_empty());
    }
}

#[test]
fn github_format_annotates_the_most_severe_failures_then_sums_up() {
    let repo = sample();
    let output = opslint()
        .args(["check", "--rev", "HEAD", "--format", "github"])
        .arg(repo.path())
        .output()
        .unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines.len() >= 2 && lines.len() <= 11, "{text}");
    let rank = |line: &str| match line.split_once(' ').map(|(command, _)| command) {
        Some("::error") => 0,
        Some("::warning") => 1,
        Some("::notice") => 2,
        other => panic!("not a workflow command: {other:?} in {line}"),
    };
    let annotations = &lines[..lines.len() - 1];
    assert!(
        annotations
            .windows(2)
            .all(|pair| rank(pair[0]) <= rank(pair[1])),
        "{text}"
    );
    for line in annotations {
        let (properties, message) = line.split_once("::").unwrap().1.split_once("::").unwrap();
        assert!(properties.contains("title="), "{line}");
        assert!(
            !message.contains('\n') && message.contains("%0AFix: "),
            "{line}"
        );
    }
    let summary = lines.last().unwrap();
    assert!(
        summary.starts_with("::notice title=opslint::opslint: score "),
        "{summary}"
    );
}

#[test]
fn markdown_format_is_a_job_summary() {
    let repo = sample();
    let output = opslint()
        .args(["check", "--rev", "HEAD", "--format", "markdown"])
        .arg(repo.path())
        .output()
        .unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.starts_with("## opslint · "), "{text}");
    assert!(text.contains(
        "| Area | Score | Level | |\n|---|---:|---:|---|\n| Continuous integration | 100 | 3/3 |"
    ));
    // One commit of history: the history areas are not scored as if judged (issue 16).
    assert!(
        text.contains("| Delivery signals | – | – | not enough evidence (4 of 4 unknown) |"),
        "{text}"
    );
    assert!(
        text.contains(
            "| Automated testing | 67 | 1/3 | ███████░░░ 4 of 5 rules judged (75 % of weight) |"
        ),
        "{text}"
    );
    let failures = text.find("### To improve").expect("failures listed");
    let passes = text
        .find("<details><summary>Passed (")
        .expect("passes folded");
    assert!(failures < passes, "failures come first");
    assert!(text.contains("_Fix:_ "));
    assert!(text.len() < 1024 * 1024);
}

/// Paths with the characters workflow commands must escape (`%`, `:`, `,`, a newline), and
/// Markdown's HTML, in both CI formats.
#[test]
fn github_and_markdown_snapshots_escape_awkward_paths() {
    let repo = sample();
    repo.write("odd%dir:a,b/Dockerfile", "FROM python:latest\n");
    repo.write("new\nline <x>/Dockerfile", "FROM node:latest\n");
    repo.commit("Awkward paths");
    for format in ["github", "markdown"] {
        let output = opslint()
            .args(["check", "--rev", "HEAD", "--no-history", "--format", format])
            .arg(repo.path())
            .output()
            .unwrap();
        let text = redact(&String::from_utf8(output.stdout).unwrap(), repo.path());
        insta::assert_snapshot!(format!("{format}_report"), text);
    }
}

#[test]
fn one_scan_writes_several_formats() {
    let repo = sample();
    let out = tempfile::tempdir().unwrap();
    let file = |name: &str| out.path().join(name);
    let output = opslint()
        .args(["check", "--rev", "HEAD", "--sarif-output"])
        .arg(file("opslint.sarif"))
        .arg("--markdown-output")
        .arg(file("summary.md"))
        .arg("--json-output")
        .arg(file("report.json"))
        .arg(repo.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&output.stdout).starts_with("opslint "));
    let read = |name: &str| std::fs::read_to_string(file(name)).unwrap();
    let sarif: serde_json::Value = serde_json::from_str(&read("opslint.sarif")).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    assert!(read("summary.md").starts_with("## opslint · "));
    let report: serde_json::Value = serde_json::from_str(&read("report.json")).unwrap();
    assert_eq!(report["schema_version"], 1);
}

/// Validates SARIF output against the official schema with the validator `SARIF_KIT` names.
/// Ignored by a plain `cargo test`, which then lists it as ignored rather than passed; `.ci/run`
/// installs the validator and runs it with `--ignored`.
#[test]
#[ignore = "needs SARIF_KIT, the schema validator .ci/run installs"]
fn sarif_output_validates_against_the_sarif_schema() {
    let validator = std::env::var("SARIF_KIT")
        .expect("SARIF_KIT names the sarif-kit validator (pip install sarif-kit==0.3.0)");
    // An exemption (a suppressed result) and pull-request mode too.
    let repo = sample();
    repo.write(
        ".opslint.toml",
        "[[exempt]]\nrule = \"collaboration.code-owners\"\nreason = \"one owner\"\n",
    );
    repo.commit("Exempt");
    for args in [
        &["--rev", "HEAD"][..],
        &["--rev", "HEAD", "--base", "HEAD~1"],
    ] {
        let sarif = tempfile::NamedTempFile::new().unwrap();
        opslint()
            .arg("check")
            .args(args)
            .args(["--format", "sarif", "--fail-on", "never", "--output"])
            .arg(sarif.path())
            .arg(repo.path())
            .assert()
            .success();
        let output = std::process::Command::new(&validator)
            .arg("validate")
            .arg(sarif.path())
            .output()
            .expect("the validator runs");
        assert!(
            output.status.success(),
            "{args:?}: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

#[test]
fn json_report_has_the_documented_shape() {
    let repo = sample();
    let output = opslint()
        .args(["check", "--format", "json"])
        .arg(repo.path())
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["schema_version"], 1);
    assert_eq!(json["tool"]["name"], "opslint");
    assert_eq!(json["repository"]["scanned"], "worktree");
    assert!(json["repository"]["head"].as_str().unwrap().len() == 40);
    assert!(json["score"].as_u64().unwrap() <= 100);
    for area in json["areas"].as_array().unwrap() {
        for key in [
            "id",
            "title",
            "score",
            "passed",
            "failed",
            "not_applicable",
            "unknown",
        ] {
            assert!(area.get(key).is_some(), "area lacks {key}");
        }
    }
    let findings = json["findings"].as_array().unwrap();
    for finding in findings {
        for key in [
            "rule",
            "area",
            "status",
            "severity",
            "title",
            "message",
            "evidence",
            "remediation",
        ] {
            assert!(finding.get(key).is_some(), "finding lacks {key}");
        }
    }
    let pipeline = findings
        .iter()
        .find(|finding| finding["rule"] == "ci.runs-tests")
        .unwrap();
    assert_eq!(pipeline["status"], "pass");
    assert_eq!(pipeline["evidence"][0]["path"], ".github/workflows/ci.yml");
    assert_eq!(pipeline["evidence"][0]["line"], 11);
}

#[test]
fn exit_code_follows_fail_on() {
    let repo = TestRepo::new();
    repo.write("README.md", "# nothing else\n");
    repo.write("main.py", "print('hi')\n");
    repo.commit("start");
    // ci.pipeline fails at severity error.
    opslint().arg("check").arg(repo.path()).assert().code(1);
    opslint()
        .args(["check", "--fail-on", "never"])
        .arg(repo.path())
        .assert()
        .code(0);

    let sample = sample();
    opslint().arg("check").arg(sample.path()).assert().code(0);
    // The sample fails warning-level rules (no CODEOWNERS), so a stricter gate fails it.
    opslint()
        .args(["check", "--fail-on", "warning"])
        .arg(sample.path())
        .assert()
        .code(1);
    opslint()
        .args(["check", "--fail-on", "note"])
        .arg(sample.path())
        .assert()
        .code(1);
}

#[test]
fn usage_errors_exit_2() {
    let usage_error = |args: &[&str], says: &str| {
        assert_tool_error(&opslint().args(args).output().unwrap(), &[says]);
    };
    usage_error(
        &["check", "--format", "yaml"],
        "invalid value 'yaml' for '--format <FORMAT>'",
    );
    usage_error(
        &["check", "--max-file-size", "huge"],
        "`huge` is not a size; write bytes or e.g. \"2 MiB\"",
    );
    usage_error(&["frobnicate"], "unrecognized subcommand 'frobnicate'");
}

#[test]
fn output_file_receives_the_report() {
    let repo = sample();
    let out = tempfile::tempdir().unwrap();
    let file = out.path().join("report.json");
    opslint()
        .args(["check", "--format", "json", "--output"])
        .arg(&file)
        .arg(repo.path())
        .assert()
        .code(0)
        .stdout("");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(json["schema_version"], 1);
}

#[test]
fn colors_only_when_asked() {
    let repo = sample();
    let plain = opslint().arg("check").arg(repo.path()).output().unwrap();
    assert!(!String::from_utf8_lossy(&plain.stdout).contains('\u{1b}'));
    let colored = opslint()
        .args(["check", "--color", "always"])
        .arg(repo.path())
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&colored.stdout).contains('\u{1b}'));
}

#[test]
fn human_report_fits_80_columns() {
    let repo = TestRepo::new();
    repo.write("src/app.py", "print('hi')\n").commit("start");
    let output = opslint().arg("check").arg(repo.path()).output().unwrap();
    let text = redact(&String::from_utf8(output.stdout).unwrap(), repo.path());
    for line in text.lines().skip(1) {
        assert!(line.chars().count() <= 80, "line too long: {line}");
    }
}

#[test]
fn rules_lists_every_rule() {
    let output = opslint().arg("rules").output().unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    assert_eq!(text.lines().count(), opslint::rules::builtin_rules().len());
    assert!(text.contains("ci.runs-tests") && text.contains("error"));
    let json = opslint()
        .args(["rules", "--format", "json"])
        .output()
        .unwrap();
    let rules: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(rules[0]["area"], "ci");
}

#[test]
fn explain_describes_a_rule() {
    let output = opslint()
        .args(["explain", "ci.runs-tests"])
        .output()
        .unwrap();
    assert!(output.status.success());
    insta::assert_snapshot!(
        "explain_ci_runs_tests",
        String::from_utf8(output.stdout).unwrap()
    );
    assert_tool_error(
        &opslint().args(["explain", "ci.nope"]).output().unwrap(),
        &["unknown rule `ci.nope`"],
    );
}

#[test]
fn init_writes_a_config_that_loads() {
    let repo = sample();
    opslint().arg("init").arg(repo.path()).assert().code(0);
    let written = std::fs::read_to_string(repo.path().join(".opslint.toml")).unwrap();
    assert!(written.starts_with("# opslint configuration"));
    assert_tool_error(
        &opslint().arg("init").arg(repo.path()).output().unwrap(),
        &["already exists"],
    );
    opslint()
        .args(["init", "--force"])
        .arg(repo.path())
        .assert()
        .code(0);
    // The template itself is a valid config.
    opslint()
        .arg("check")
        .arg(repo.path())
        .assert()
        .code(0)
        .stdout(predicate::str::contains("config .opslint.toml"));
}

/// A reader that stops early (`opslint completions zsh | head`) is no failure: no panic, exit 0.
#[test]
fn completions_into_a_closed_pipe() {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let output = std::process::Command::new(assert_cmd::cargo::cargo_bin("opslint"))
        .args(["completions", "zsh"])
        .stdout(writer)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

/// The scripts complete subcommands, and rule ids for `explain` and `--select/--ignore`
/// (issue 16).
#[test]
fn completions_for_each_shell() {
    for shell in ["bash", "zsh", "fish"] {
        let output = opslint().args(["completions", shell]).output().unwrap();
        assert!(output.status.success());
        let script = String::from_utf8_lossy(&output.stdout);
        assert!(script.contains("check"), "{shell}");
        assert!(script.contains("ci.runs-tests"), "{shell}");
        assert!(script.contains("iac.terraform-lockfile"), "{shell}");
    }
    let output = opslint().args(["completions", "bash"]).output().unwrap();
    let script = String::from_utf8(output.stdout).unwrap();
    // The values offered after `--select` (rules and areas) and for `explain` (rules).
    let select = script
        .lines()
        .skip_while(|line| !line.trim().starts_with("--select)"))
        .nth(1)
        .expect("--select completes values");
    assert!(
        select.contains("compgen -W \"ci cd iac ") && select.contains(" ci.runs-tests "),
        "{select}"
    );
    let explain = script
        .lines()
        .skip_while(|line| !line.trim().starts_with("opslint__subcmd__explain)"))
        .find(|line| line.contains("opts="))
        .expect("explain completes values");
    assert!(explain.contains(" ci.runs-tests "), "{explain}");
}

#[test]
fn a_closed_pipe_is_not_an_error() {
    let repo = sample();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("opslint"))
        .args(["rules"])
        .current_dir(repo.path())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let status = child.wait().unwrap();
    assert!(status.code() == Some(0), "{status:?}");
}

/// `--select` judges only the named rules and areas, `--ignore` leaves some out, an unknown
/// id is an error; with no history rule selected the history is not read.
#[test]
fn select_and_ignore_choose_the_rules() {
    let repo = sample();
    let rules = |report: &serde_json::Value| -> Vec<String> {
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|finding| finding["rule"].as_str().unwrap().to_owned())
            .collect()
    };
    let (_, report) =
        crate::support::json_report(&["--select", "security,ci.pipeline"], repo.path());
    let selected = rules(&report);
    assert!(selected.contains(&"ci.pipeline".to_owned()));
    assert!(selected.contains(&"security.policy".to_owned()));
    assert!(
        selected
            .iter()
            .all(|rule| rule == "ci.pipeline" || rule.starts_with("security.")),
        "{selected:?}"
    );
    assert!(report.get("history").is_none(), "no history rule selected");

    let (_, report) = crate::support::json_report(
        &["--ignore", "security", "--ignore", "ci.pipeline"],
        repo.path(),
    );
    let kept = rules(&report);
    assert!(kept.contains(&"ci.runs-tests".to_owned()));
    assert!(
        !kept
            .iter()
            .any(|rule| rule == "ci.pipeline" || rule.starts_with("security.")),
        "{kept:?}"
    );
    assert!(report.get("history").is_some());

    assert_tool_error(
        &opslint()
            .args(["check", "--select", "ci.pipline"])
            .arg(repo.path())
            .output()
            .unwrap(),
        &["unknown rule or area `ci.pipline`"],
    );
}

fn human(repo: &TestRepo, flags: &[&str]) -> String {
    let output = opslint()
        .args(["check", "--rev", "HEAD"])
        .args(flags)
        .arg(repo.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    String::from_utf8(output.stdout).unwrap()
}

/// The rules that do not apply take one line per area, not two or three each (issue 16).
#[test]
fn human_report_folds_the_rules_that_do_not_apply() {
    let text = human(&sample(), &[]);
    assert!(
        text.contains("\n  · 3 not applicable: iac.terraform-lockfile, "),
        "{text}"
    );
    assert!(
        text.contains(
            "\n  · 1 not applicable: observability.workload-probes — no Kubernetes workloads"
        ),
        "one alone keeps its reason: {text}"
    );
    assert!(!text.contains("Not applicable:"), "{text}");
    assert!(!text.contains("  · security.lockfile-go —"), "{text}");
}

/// An area's heading says how much of it was judged; one mostly unknown does not read as a
/// score (issue 16).
#[test]
fn area_headings_say_how_much_was_judged() {
    let text = human(&sample(), &[]);
    let heading = |title: &str| {
        text.lines()
            .find(|line| line.starts_with(title))
            .unwrap_or_else(|| panic!("no {title} in {text}"))
            .split_whitespace()
            .skip(title.split_whitespace().count())
            .collect::<Vec<_>>()
            .join(" ")
    };
    assert_eq!(
        heading("Delivery signals"),
        "— not enough evidence (4 of 4 unknown)"
    );
    assert_eq!(
        heading("Automated testing"),
        "67/100 · level 1/3 · 4 of 5 rules judged (75 % of weight)"
    );
    assert_eq!(
        heading("Infrastructure as code"),
        "0/100 · level 0/3 · 1 rule, failing (note)"
    );
    assert_eq!(heading("Continuous integration"), "100/100 · level 3/3");
}

/// `-q`: what fails, with its fix, and the summary line; nothing that passes or does not
/// apply, no headings (issue 16).
#[test]
fn quiet_prints_only_failures_and_the_summary() {
    let repo = sample();
    let text = human(&repo, &["-q"]);
    assert!(text.starts_with("  ✗ "), "{text}");
    assert!(text.contains("fix: "));
    for absent in [
        "  ✓ ",
        "  ? ",
        "  · ",
        "Continuous integration",
        "History signals",
        "opslint ",
    ] {
        assert!(!text.contains(absent), "{absent:?} in {text}");
    }
    assert!(
        text.trim_end()
            .rsplit("\n\n")
            .next()
            .unwrap()
            .starts_with("score 28/100 · 12 passed · 29 failed"),
        "{text}"
    );
    assert_eq!(text.matches("  ✗ ").count(), 29, "{text}");
}

/// `-v`: each rule with what it examined, the rules that do not apply one by one with
/// their reason; `-q` and `-v` exclude each other.
#[test]
fn verbose_shows_what_each_rule_examined() {
    let repo = sample();
    let text = human(&repo, &["--verbose"]);
    assert!(
        text.contains(
            "  ✓ ci.runs-tests — A pipeline runs the automated tests\n      \
             Found a command that runs tests in .github/workflows/ci.yml:11 (cargo\n      test --locked).\n"
        ),
        "the message, and evidence it does not name only: {text}"
    );
    assert!(
        text.contains(
            "  · security.lockfile-go — Go dependencies are locked\n      \
             Not applicable: no Go manifest with dependencies.\n"
        ),
        "{text}"
    );
    assert!(!text.contains("not applicable: "), "nothing folded: {text}");
    assert_tool_error(
        &opslint()
            .args(["check", "-q", "-v"])
            .arg(repo.path())
            .output()
            .unwrap(),
        &["cannot be used with"],
    );
}

/// `--write-baseline` says what it wrote, in one line, and prints no report unless one was
/// asked for (issue 16).
#[test]
fn write_baseline_says_what_it_wrote_and_nothing_else() {
    let repo = sample();
    let dir = tempfile::tempdir().unwrap();
    let baseline = dir.path().join("baseline.json");
    let output = opslint()
        .args(["check", "--rev", "HEAD", "--write-baseline"])
        .arg(&baseline)
        .arg(repo.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&output.stdout), "");
    let path = baseline.display();
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        format!(
            "opslint: wrote 29 failures to {path} (accepted from now on with --baseline {path})\n"
        )
    );
    let recorded: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&baseline).unwrap()).unwrap();
    assert_eq!(recorded["findings"].as_array().unwrap().len(), 31);

    // A format asked for is printed.
    let output = opslint()
        .args([
            "check",
            "--rev",
            "HEAD",
            "--format",
            "json",
            "--write-baseline",
        ])
        .arg(&baseline)
        .arg(repo.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["schema_version"], 1);
}

/// A misspelt id on the command line gets the close one (issue 16).
#[test]
fn a_misspelt_id_gets_did_you_mean() {
    let repo = sample();
    for (flag, id, close) in [
        ("--select", "ci.pipline", "ci.pipeline"),
        ("--ignore", "secuirty", "security"),
    ] {
        assert_tool_error(
            &opslint()
                .args(["check", flag, id])
                .arg(repo.path())
                .output()
                .unwrap(),
            &[&format!("help: did you mean `{close}`?")],
        );
    }
    assert_tool_error(
        &opslint()
            .args(["explain", "ci.run-tests"])
            .output()
            .unwrap(),
        &["help: did you mean `ci.runs-tests`?"],
    );
}

/// Red team (issue 16): file names went to the human report raw — a carriage return, an OSC
/// sequence that writes the clipboard — and an indented `::error …` line is a workflow
/// command in a GitHub Actions log.
#[test]
fn the_human_report_cannot_drive_a_terminal_or_a_workflow_log() {
    let repo = sample();
    repo.write("web\r\u{1b}]52;c;aGk=\u{7}.Dockerfile", "FROM node\n");
    repo.write("::error title=x::all good.Dockerfile", "FROM node\n");
    repo.commit("Hostile names");
    let output = opslint()
        .args([
            "check",
            "--rev",
            "HEAD",
            "--no-history",
            "--color",
            "always",
        ])
        .env("GITHUB_ACTIONS", "true")
        .arg(repo.path())
        .output()
        .unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(
        !text.contains('\r') && !text.contains("\u{1b}]"),
        "{text:?}"
    );
    // Quoted as git quotes a name with control characters in it.
    assert!(
        text.contains("\"web\\r\\033]52;c;aGk=\\a.Dockerfile\""),
        "{text}"
    );
    let lines: Vec<&str> = text.lines().collect();
    let token = lines[0]
        .strip_prefix("::stop-commands::")
        .expect("commands are off while the report prints");
    assert_eq!(lines.last(), Some(&format!("::{token}::").as_str()));
    assert!(text.contains("::error title=x::all good.Dockerfile"));
}

/// `check` running out of time advised `--timeout-per-repo`, which is `sweep`'s option.
#[test]
fn a_timed_out_check_advises_its_own_option() {
    let repo = sample();
    let output = opslint()
        .args(["check", "--no-history", "--timeout", "0"])
        .arg(repo.path())
        .env("COLUMNS", "200")
        .output()
        .unwrap();
    assert_tool_error(
        &output,
        &[
            "opslint::timed_out",
            "raise --timeout (--timeout-per-repo in a sweep)",
        ],
    );
}

/// A rule about services says which file made the repository one: in JSON always, in the
/// human report with `-v`. A pass names its own evidence instead.
#[test]
fn a_finding_says_what_made_its_rule_apply() {
    let repo = TestRepo::new();
    repo.write(
        "Gemfile",
        "source 'https://rubygems.org'\n\ngem 'sinatra'\n",
    );
    repo.write("app.rb", "require 'sinatra'\nget('/') { 'hi' }\n");
    repo.commit("a Sinatra app");
    let output = opslint()
        .args(["check", "--format", "json", "--fail-on", "never"])
        .arg(repo.path())
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let finding = |rule: &str| {
        json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|finding| finding["rule"] == rule)
            .unwrap()
            .clone()
    };
    let metrics = finding("observability.metrics");
    assert_eq!(metrics["status"], "fail");
    assert_eq!(
        metrics["applies_because"],
        serde_json::json!({"path": "Gemfile", "line": 3, "detail": "sinatra"})
    );
    assert!(
        finding("collaboration.code-owners")
            .get("applies_because")
            .is_none()
    );

    let verbose = human(&repo, &["-v", "--fail-on", "never"]);
    assert!(
        verbose.contains("applies because of Gemfile:3 (sinatra)"),
        "{verbose}"
    );
    let plain = human(&repo, &["--fail-on", "never"]);
    assert!(!plain.contains("applies because of"), "{plain}");
}

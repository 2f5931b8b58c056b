//! Every built-in rule: valid, documented, and proven by a passing and a failing fixture.

use std::collections::HashSet;

use opslint::finding::{Finding, Status};
use opslint::rules::{BUILTIN_RULE_FILES, builtin_rules};
use opslint::scan::{ScanOptions, check};

use crate::support::{TestRepo, fixtures_dir, redact};

#[test]
fn every_rule_file_in_rules_dir_is_embedded() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
    let mut on_disk: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".toml"))
        .collect();
    on_disk.sort();
    let mut embedded: Vec<String> = BUILTIN_RULE_FILES
        .iter()
        .map(|(name, _)| (*name).to_owned())
        .collect();
    embedded.sort();
    assert_eq!(on_disk, embedded);
}

#[test]
fn rules_have_unique_ids_docs_and_fixtures() {
    let rules = builtin_rules();
    let mut seen = HashSet::new();
    for rule in rules {
        assert!(
            seen.insert(rule.id.clone()),
            "duplicate rule id {}",
            rule.id
        );
        assert!(
            rule.id.starts_with(&format!("{}.", rule.area.id())),
            "{} is not in its area",
            rule.id
        );
        assert!(rule.title.len() > 10, "{} needs a title", rule.id);
        assert!(
            rule.rationale.len() > 80,
            "{} needs a rationale that explains why",
            rule.id
        );
        assert!(
            rule.remediation.len() > 40,
            "{} needs a concrete remediation",
            rule.id
        );
        let cases = fixture_cases(&rule.id);
        for kind in ["pass", "fail"] {
            assert!(
                cases
                    .iter()
                    .any(|(_, expected)| *expected == status_of(kind)),
                "{} has no {kind} fixture under fixtures/rules/{}",
                rule.id,
                rule.id
            );
        }
    }
    for required in ["ci.pipeline", "ci.pull-request-trigger", "ci.runs-tests"] {
        assert!(seen.contains(required), "rule {required} must exist");
    }
    // No orphan fixtures: every fixture folder belongs to a rule.
    for entry in std::fs::read_dir(fixtures_dir().join("rules")).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        assert!(
            seen.contains(&name),
            "fixtures/rules/{name} belongs to no rule"
        );
    }
}

/// Each rule's finding on each of its fixtures, status, message and evidence, is a
/// snapshot (`snapshots/integration__rules__<rule>.snap`): a change of wording or of the
/// evidence cited shows in review, not only a change of status. The statuses are checked
/// first, for every rule at once; then the snapshots, one rule at a time (with
/// `INSTA_FORCE_PASS=1` every changed one is written as a `.snap.new` in one run).
#[test]
fn every_rule_passes_on_its_pass_fixture_and_fails_on_its_fail_fixture() {
    let mut wrong = Vec::new();
    let mut snapshots = Vec::new();
    for rule in builtin_rules() {
        let mut snapshot = String::new();
        for (case, expected) in fixture_cases(&rule.id) {
            let repo = TestRepo::from_fixture(&format!("rules/{}/{case}", rule.id));
            // A history with a `feature` branch is a pull request of it into main.
            let pull_request = !repo.git(&["branch", "--list", "feature"]).is_empty();
            let options = ScanOptions {
                path: repo.path().to_owned(),
                rev: Some(if pull_request { "feature" } else { "HEAD" }.to_owned()),
                history: Some(opslint::history::Window::Days(90)),
                base: pull_request.then(|| "main".to_owned()),
                ..ScanOptions::default()
            };
            let report = check(&options).expect("fixture scans");
            let finding = report
                .findings
                .iter()
                .find(|finding| finding.rule == rule.id)
                .expect("every rule reports");
            if finding.status != expected {
                wrong.push(format!(
                    "{} on its {case} fixture: {:?} ({})",
                    rule.id, finding.status, finding.message
                ));
            }
            snapshot.push_str(&redact(&described(&case, finding), repo.path()));
        }
        snapshots.push((rule.id.clone(), snapshot));
    }
    assert!(
        wrong.is_empty(),
        "rules disagree with their fixtures:\n{}",
        wrong.join("\n")
    );
    for (rule, snapshot) in snapshots {
        insta::assert_snapshot!(rule, snapshot);
    }
}

/// A fixture's finding as its snapshot shows it: the case, then what the report says.
fn described(case: &str, finding: &Finding) -> String {
    let mut text = format!(
        "[{case}]\nstatus: {}\nmessage: {}\n",
        finding.status.as_str(),
        finding.message
    );
    if let Some(note) = &finding.note {
        text.push_str(&format!("note: {note}\n"));
    }
    if let Some(change) = finding.change {
        let change = serde_json::to_value(change).expect("a change serialises");
        text.push_str(&format!(
            "change: {}\n",
            change.as_str().unwrap_or_default()
        ));
    }
    for evidence in &finding.evidence {
        text.push_str(&format!("evidence: {evidence}\n"));
    }
    for instance in &finding.new_instances {
        text.push_str(&format!("new instance: {instance}\n"));
    }
    text.push('\n');
    text
}

/// A rule's fixture folders: `pass` and `fail`, and named cases such as `fail-lint-only` or
/// `pass-gitlab-include` for the variants and traps a rule must get right.
fn fixture_cases(rule: &str) -> Vec<(String, Status)> {
    let dir = fixtures_dir().join("rules").join(rule);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut cases: Vec<(String, Status)> = entries
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .map(|case| {
            let kind = case.split('-').next().unwrap_or_default().to_owned();
            let expected = status_of(&kind);
            (case, expected)
        })
        .collect();
    cases.sort_by(|a, b| a.0.cmp(&b.0));
    cases
}

fn status_of(kind: &str) -> Status {
    match kind {
        "pass" => Status::Pass,
        "fail" => Status::Fail,
        "na" => Status::NotApplicable,
        "unknown" => Status::Unknown,
        other => panic!("fixture case kinds are pass, fail, na and unknown, not {other}"),
    }
}

/// Issue 16: a workload-probes pass cited `.goreleaser.yml` and `Chart.yaml`, the first files
/// it looked into, instead of the Deployment with the probe; tracing cited the `otelzap`
/// logging bridge instead of `otel/trace`.
#[test]
fn a_pass_cites_what_proves_it() {
    let repo = TestRepo::new();
    repo.write(".goreleaser.yml", "builds:\n  - main: .\n");
    repo.write(
        "charts/app/Chart.yaml",
        "apiVersion: v2\nname: app\nversion: 1.0.0\n",
    );
    repo.write(
        "deploy/deployment.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: app:1.0\n          readinessProbe:\n            httpGet: { path: /healthz, port: 8080 }\n",
    );
    repo.write("Dockerfile", "FROM golang:1.23 AS build\n");
    repo.write(
        "go.mod",
        "module example.com/app\n\ngo 1.23\n\nrequire (\n\tgo.opentelemetry.io/contrib/bridges/otelzap v0.10.0\n\tgo.opentelemetry.io/otel/trace v1.35.0\n)\n",
    );
    repo.write("main.go", "package main\n\nfunc main() {}\n");
    repo.commit("App");
    let (_, report) = crate::support::json_report(&["--rev", "HEAD", "--no-history"], repo.path());
    let probes = crate::support::finding(&report, "observability.workload-probes").unwrap();
    assert_eq!(probes["status"], "pass", "{probes:#}");
    assert_eq!(
        probes["evidence"][0]["path"], "deploy/deployment.yaml",
        "{probes:#}"
    );
    assert_eq!(
        probes["evidence"].as_array().unwrap().len(),
        1,
        "{probes:#}"
    );
    let tracing = crate::support::finding(&report, "observability.tracing").unwrap();
    assert_eq!(tracing["status"], "pass", "{tracing:#}");
    assert_eq!(
        tracing["evidence"][0]["detail"],
        "go.opentelemetry.io/otel/trace"
    );
}

/// Two checks finding the same file (a coverage package and the coverage switch in one
/// project file) found one file, not two.
#[test]
fn a_file_two_checks_found_is_counted_once() {
    let repo = TestRepo::new();
    repo.write(
        "tests/App.Tests/App.Tests.csproj",
        "<Project Sdk=\"Microsoft.NET.Sdk\">\n  <PropertyGroup><CollectCoverage>true</CollectCoverage></PropertyGroup>\n  <ItemGroup><PackageReference Include=\"coverlet.msbuild\" Version=\"6.0.2\" /></ItemGroup>\n</Project>\n",
    );
    repo.write("tests/App.Tests/AppTests.cs", "public class AppTests {}\n");
    repo.commit("Tests");
    let (_, report) = crate::support::json_report(&["--rev", "HEAD", "--no-history"], repo.path());
    let coverage = crate::support::finding(&report, "testing.coverage").unwrap();
    assert_eq!(coverage["status"], "pass", "{coverage:#}");
    assert!(
        coverage["message"]
            .as_str()
            .unwrap()
            .starts_with("Found in tests/App.Tests/App.Tests.csproj"),
        "{coverage:#}"
    );
}

/// An `absent` check passes when it finds nothing against the practice; a binary file
/// (a NUL byte in its first 8,000 bytes, git's rule) was not looked into, so it cannot
/// make it pass: `FROM node` followed by a NUL byte was "No unpinned base image".
#[test]
fn a_file_that_looks_binary_cannot_make_an_absent_check_pass() {
    let repo = TestRepo::new();
    repo.write("Dockerfile", b"FROM node\n# \x00\nRUN true\n");
    repo.write("pinned.Dockerfile", "FROM node:22.11-bookworm-slim@sha256:3f9ac4f6d3c1a7d5e1b1f4c2d7e8a9b0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6\n");
    repo.commit("Images");
    let args = ["--rev", "HEAD", "--no-history"];
    let (_, report) = crate::support::json_report(&args, repo.path());
    let pinned = crate::support::finding(&report, "security.base-images-pinned").unwrap();
    assert_eq!(pinned["status"], "unknown", "{pinned:#}");
    let message = pinned["message"].as_str().unwrap();
    assert!(
        message.contains("Dockerfile looks binary (a NUL byte in its first 8,000 bytes)"),
        "{message}"
    );

    // Another file that proves the failure still does.
    repo.write("web.Dockerfile", "FROM node:latest\n");
    repo.commit("Web");
    let (_, report) = crate::support::json_report(&args, repo.path());
    let pinned = crate::support::finding(&report, "security.base-images-pinned").unwrap();
    assert_eq!(pinned["status"], "fail", "{pinned:#}");
    assert_eq!(
        pinned["evidence"][0]["path"], "web.Dockerfile",
        "{pinned:#}"
    );
}

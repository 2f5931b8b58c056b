//! Monorepos: per-component rules judged in each component.

use serde_json::Value;

use crate::support::{TestRepo, opslint};

fn json_report(repo: &TestRepo) -> Value {
    let output = opslint()
        .args(["check", "--format", "json", "--rev", "HEAD"])
        .arg(repo.path())
        .output()
        .unwrap();
    serde_json::from_slice(&output.stdout).expect("JSON report")
}

fn finding<'a>(report: &'a Value, rule: &str) -> &'a Value {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|finding| finding["rule"] == rule)
        .unwrap_or_else(|| panic!("no finding for {rule}"))
}

fn component_finding<'a>(report: &'a Value, path: &str, rule: &str) -> &'a Value {
    let component = report["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|component| component["path"] == path)
        .unwrap_or_else(|| panic!("no component {path}"));
    component["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|finding| finding["rule"] == rule)
        .unwrap_or_else(|| panic!("no finding for {rule} in {path}"))
}

fn component_status<'a>(report: &'a Value, path: &str, rule: &str) -> &'a str {
    component_finding(report, path, rule)["status"]
        .as_str()
        .unwrap()
}

#[test]
fn each_component_is_judged_and_the_ones_lacking_a_practice_are_named() {
    let repo = TestRepo::from_fixture("repos/monorepo");
    let report = json_report(&repo);
    let paths: Vec<&str> = report["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|component| component["path"].as_str().unwrap())
        .collect();
    // The workspace root is the whole, and a test suite's manifest makes no component.
    assert_eq!(paths, ["libs/shared", "services/orders", "services/web"]);

    // The top-level `tests/` suite beside `libs/` and `services/` serves every component:
    // the repository has tests, and the component without its own is still judged so.
    let tests = finding(&report, "testing.tests-exist");
    assert_eq!(tests["status"], "pass");
    assert_eq!(
        tests["message"],
        "Found in tests/e2e/package.json, outside the components."
    );
    assert_eq!(
        component_status(&report, "services/web", "testing.tests-exist"),
        "fail"
    );
    assert_eq!(
        component_status(&report, "libs/shared", "testing.tests-exist"),
        "pass"
    );
    assert_eq!(
        component_status(&report, "services/orders", "testing.tests-exist"),
        "pass"
    );

    // A library is no service: metrics do not apply to it, and count in neither direction.
    // One service exporting them shows the practice (`components-needed = "any"`); the one
    // that does not is named.
    let metrics = finding(&report, "observability.metrics");
    assert_eq!(metrics["status"], "pass");
    assert_eq!(
        metrics["message"],
        "Found in 1 of 2 components; none in services/web."
    );
    // The reports that show a pass by its evidence alone say so as a note.
    assert_eq!(metrics["note"], metrics["message"]);
    assert_eq!(
        component_status(&report, "libs/shared", "observability.metrics"),
        "not_applicable"
    );
}

#[test]
fn a_single_project_has_no_components() {
    let repo = TestRepo::from_fixture("repos/sample");
    let report = json_report(&repo);
    assert!(report.get("components").is_none());
}

#[test]
fn each_component_is_one_line_of_the_json_report() {
    let repo = TestRepo::from_fixture("repos/monorepo");
    let output = opslint()
        .args(["check", "--format", "json", "--rev", "HEAD"])
        .arg(repo.path())
        .output()
        .unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    let report: Value = serde_json::from_str(&text).unwrap();
    let components = report["components"].as_array().unwrap();
    for component in components {
        let line = text
            .lines()
            .find(|line| line.contains(&format!("{{\"path\":{}", component["path"])))
            .unwrap_or_else(|| panic!("no line for {}", component["path"]));
        let parsed: Value = serde_json::from_str(line.trim().trim_end_matches(',')).unwrap();
        assert_eq!(&parsed, component);
    }
}

/// `svc-admin/` sorts before `svc/` as a directory name but after it as a path prefix of
/// files (`svc-admin/…` < `svc/…` since `-` < `/`): each component must get its own files.
#[test]
fn components_whose_names_share_a_prefix_keep_their_own_files() {
    let repo = TestRepo::new();
    repo.write("svc/package.json", r#"{"name": "svc"}"#)
        .write("svc/index.js", "module.exports = 1;\n")
        .write("svc-admin/package.json", r#"{"name": "svc-admin"}"#)
        .write("svc-admin/index.js", "module.exports = 2;\n")
        .write("svc-admin/index.test.js", "test('x', () => {});\n");
    repo.commit("two packages");
    let report = json_report(&repo);
    assert_eq!(
        component_status(&report, "svc-admin", "testing.tests-exist"),
        "pass"
    );
    assert_eq!(
        component_status(&report, "svc", "testing.tests-exist"),
        "fail"
    );
}

/// The human report names each component lacking a practice once: in the message, not
/// again as evidence below it (issue 16).
#[test]
fn the_human_report_names_each_component_once() {
    let repo = TestRepo::from_fixture("repos/monorepo");
    let output = opslint()
        .args(["check", "--no-history", "--rev", "HEAD"])
        .arg(repo.path())
        .output()
        .unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    // A finding's lines: its heading, and the lines indented below it.
    let finding = |rule: &str| -> String {
        let start = text
            .find(&format!("  ✗ {rule} "))
            .unwrap_or_else(|| panic!("no {rule} in {text}"));
        let mut lines = text[start..].lines();
        let heading = lines.next().unwrap();
        std::iter::once(heading)
            .chain(lines.take_while(|line| line.starts_with("    ")))
            .collect::<Vec<_>>()
            .join("\n")
    };
    for rule in ["observability.tracing", "observability.error-tracking"] {
        let lines = finding(rule);
        assert_eq!(lines.matches("services/web").count(), 1, "{lines}");
    }
}

/// A library crate that uses the server framework, beside the service binary that links it,
/// is no service: the service's metrics serve it (`component-applies-if`), while a second
/// service built on its own is still judged on its own.
#[test]
fn a_library_beside_the_service_that_links_it_is_not_judged_as_a_service() {
    let repo = TestRepo::new();
    repo.write("Cargo.toml", "[workspace]\nmembers = [\"crates/*\"]\n")
        .write(
            "crates/api/Cargo.toml",
            "[package]\nname = \"api\"\n[dependencies]\naxum = \"0.8\"\n",
        )
        .write("crates/api/src/lib.rs", "pub fn routes() {}\n")
        .write(
            "crates/server/Cargo.toml",
            "[package]\nname = \"server\"\n[dependencies]\naxum = \"0.8\"\nprometheus = \"0.14\"\n",
        )
        .write("crates/server/src/main.rs", "fn main() {}\n")
        .write("docker/Dockerfile", "FROM rust:1\nCOPY . .\n");
    repo.commit("one service, one library");
    let report = json_report(&repo);
    let metrics = finding(&report, "observability.metrics");
    assert_eq!(metrics["status"], "pass", "{metrics}");
    assert_eq!(
        component_status(&report, "crates/api", "observability.metrics"),
        "not_applicable"
    );

    repo.write("crates/worker/Cargo.toml", "[package]\nname = \"worker\"\n")
        .write("crates/worker/src/main.rs", "fn main() {}\n")
        .write("crates/worker/Dockerfile", "FROM rust:1\nEXPOSE 9000\n");
    repo.commit("a worker deployed on its own");
    let report = json_report(&repo);
    assert_eq!(
        finding(&report, "observability.metrics")["message"],
        "Missing in crates/worker, the only component it applies to."
    );
}

/// A custom rule's component precondition decides alone which components are judged: its
/// files, not the repository precondition's (red team: only half of it was used).
#[test]
fn a_custom_rule_is_judged_in_the_components_its_component_precondition_selects() {
    let repo = TestRepo::new();
    repo.write(
        ".opslint.toml",
        r#"
[[rule]]
id = "observability.health-doc"
area = "observability"
title = "Each deployed component documents its health endpoint"
severity = "error"
rationale = "r"
remediation = "r"
per-component = true
[rule.applies-if]
files = ["**/*.js"]
[rule.component-applies-if]
description = "Dockerfile in the component"
files = ["**/Dockerfile"]
[[rule.check]]
kind = "files-present"
files = ["HEALTH.md"]
"#,
    )
    .write("api/package.json", r#"{"name": "api"}"#)
    .write("api/index.js", "module.exports = 1;\n")
    .write("api/Dockerfile", "FROM node:22\n")
    .write("lib/package.json", r#"{"name": "lib"}"#)
    .write("lib/index.js", "module.exports = 2;\n");
    repo.commit("a deployed component and a library");
    let report = json_report(&repo);
    assert_eq!(
        component_status(&report, "lib", "observability.health-doc"),
        "not_applicable"
    );
    assert_eq!(
        component_status(&report, "api", "observability.health-doc"),
        "fail"
    );
    assert_eq!(
        finding(&report, "observability.health-doc")["message"],
        "Missing in api, the only component it applies to."
    );
    assert_eq!(
        component_finding(&report, "lib", "observability.health-doc")["message"],
        "Not applicable: no Dockerfile in the component."
    );
}

/// `pattern-in` selects files by their path in the repository; in a component, a glob
/// written for the component's root (`Dockerfile`) selects that component's file (red team:
/// it selected nothing there, and the pattern was never required).
#[test]
fn a_component_precondition_requires_its_pattern_of_the_component_files_it_names() {
    let repo = TestRepo::new();
    repo.write(
        ".opslint.toml",
        r#"
[[rule]]
id = "ci.service-doc"
area = "ci"
title = "Each service documents itself"
severity = "error"
rationale = "r"
remediation = "r"
per-component = true
[rule.applies-if]
files = ["**/Dockerfile"]
[rule.component-applies-if]
description = "serving image in the component"
files = ["Dockerfile"]
pattern = '(?m)^EXPOSE'
pattern-in = ["Dockerfile"]
[[rule.check]]
kind = "files-present"
files = ["SERVICE.md"]
"#,
    )
    .write("svc/package.json", r#"{"name": "svc"}"#)
    .write("svc/index.js", "x\n")
    .write("svc/Dockerfile", "FROM alpine\nEXPOSE 80\n")
    .write("cli/package.json", r#"{"name": "cli"}"#)
    .write("cli/index.js", "x\n")
    .write("cli/Dockerfile", "FROM alpine\nENTRYPOINT [\"/x\"]\n");
    repo.commit("a service and a tool");
    let report = json_report(&repo);
    assert_eq!(component_status(&report, "svc", "ci.service-doc"), "fail");
    assert_eq!(
        component_status(&report, "cli", "ci.service-doc"),
        "not_applicable"
    );
}

/// Code scanning and annotations point at files: a component's failure is shown at the file
/// that marks it (its Dockerfile or manifest), fingerprinted by the component as before so
/// baselines and code scanning's alerts keep their identity.
#[test]
fn a_component_failure_is_shown_at_the_file_that_marks_the_component() {
    let repo = TestRepo::from_fixture("repos/monorepo");
    let output = opslint()
        .args(["check", "--format", "sarif", "--no-history"])
        .arg(repo.path())
        .output()
        .unwrap();
    let sarif: Value = serde_json::from_slice(&output.stdout).unwrap();
    let result = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|result| {
            result["ruleId"] == "observability.tracing"
                && result["partialFingerprints"]["opslintInstance/v2"]
                    == "observability.tracing:services/web"
        })
        .expect("a result for the web component");
    assert_eq!(
        result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "services/web/Dockerfile"
    );
}

/// A component the repository's finding counts as served from outside it (.NET's `src/Api`
/// by `test/Api.Test`) passes in its own finding too: the JSON report's components, the
/// instances baselines and code scanning fingerprint, and a comparison with a base agree
/// with the message.
#[test]
fn a_component_served_by_a_test_project_outside_it_passes_in_its_own_finding() {
    let repo = TestRepo::from_fixture(
        "rules/testing.tests-exist/pass-test-projects-named-for-the-projects-in-a-test-folder",
    );
    let report = json_report(&repo);
    assert_eq!(
        finding(&report, "testing.tests-exist")["message"],
        "Found in all 3 components, 2 of them through the tests beside them."
    );
    for (component, project) in [("src/Api", "test/Api.Test"), ("src/Core", "test/Core.Test")] {
        let served = component_finding(&report, component, "testing.tests-exist");
        assert_eq!(served["status"], "pass", "{served}");
        assert_eq!(
            served["message"],
            format!("Found in {project}, the test project named for it.")
        );
        assert_eq!(served["evidence"][0]["path"], project);
    }
}

//! `opslint plan`: the next steps in a coach's order, in each format.

use serde_json::Value;

use crate::support::*;

fn plan_json(repo: &TestRepo, flags: &[&str]) -> Value {
    json_of("plan", flags, repo.path())
}

fn rules(plan: &Value) -> Vec<String> {
    plan["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|step| step["rule"].as_str().unwrap().to_owned())
        .collect()
}

/// A service with code and nothing else: the pipeline and the tests come before running the
/// tests in the pipeline, which needs both; every level-1 step before any level-2 one that
/// is no prerequisite; and each step says why, what to do first and how it will be seen done.
#[test]
fn prerequisites_first_then_levels_in_order() {
    let repo = TestRepo::new();
    repo.write("Cargo.toml", "[package]\nname = \"svc\"\nversion = \"0.1.0\"\n")
        .write("src/main.rs", "fn main() {}\n")
        .write(".github/workflows/lint.yml", "on: push\njobs:\n  lint:\n    runs-on: ubuntu-latest\n    steps:\n      - run: cargo clippy\n");
    repo.commit("start");
    let plan = plan_json(&repo, &["--steps", "50", "--no-history"]);
    let order = rules(&plan);
    let at = |rule: &str| {
        order
            .iter()
            .position(|id| id == rule)
            .unwrap_or_else(|| panic!("{rule} not in {order:?}"))
    };
    assert!(at("testing.tests-exist") < at("ci.runs-tests"), "{order:?}");
    let steps = plan["steps"].as_array().unwrap();
    let levels: Vec<u64> = steps
        .iter()
        .map(|step| step["level"].as_u64().unwrap())
        .collect();
    let mut sorted = levels.clone();
    sorted.sort();
    assert_eq!(levels, sorted, "lowest level first here: {order:?}");
    let runs_tests = &steps[at("ci.runs-tests")];
    for key in ["why", "first_action", "done_when", "effort", "area"] {
        assert!(
            runs_tests[key]
                .as_str()
                .is_some_and(|text| !text.is_empty()),
            "{key}: {runs_tests}"
        );
    }
    let tests_exist = &steps[at("testing.tests-exist")];
    let unlocks: Vec<&str> = tests_exist["unlocks"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(unlocks.contains(&"ci.runs-tests"), "{unlocks:?}");
    assert_eq!(plan["remaining"], 0);
    // Capped at three by default, the rest counted.
    let plan = plan_json(&repo, &["--no-history"]);
    assert_eq!(rules(&plan).len(), 3);
    assert_eq!(plan["remaining"].as_u64(), Some(order.len() as u64 - 3));
}

#[test]
fn markdown_plan_is_a_checklist() {
    let repo = TestRepo::from_fixture("repos/sample");
    let output = opslint()
        .args(["plan", "--format", "markdown", "--rev", "HEAD"])
        .arg(repo.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let text = redact(&String::from_utf8(output.stdout).unwrap(), repo.path());
    let text = regex_replace(&text, r"at [0-9a-f]{12}`", "at [SHA]`");
    insta::assert_snapshot!("plan_markdown", text);
}

#[test]
fn human_plan_reads_as_steps_and_errors_exit_2() {
    let repo = TestRepo::from_fixture("repos/sample");
    let output = opslint()
        .args(["plan", "--rev", "HEAD", "--steps", "2"])
        .arg(repo.path())
        .output()
        .unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(
        text.contains("\n1. ") && text.contains("\n2. ") && !text.contains("\n3. "),
        "{text}"
    );
    assert!(
        text.contains("   Why now: ") && text.contains("   Done when: "),
        "{text}"
    );
    let empty = tempfile::tempdir().unwrap();
    let output = opslint().arg("plan").arg(empty.path()).output().unwrap();
    assert_tool_error(&output, &["is not inside a git repository"]);
}

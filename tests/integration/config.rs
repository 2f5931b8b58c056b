//! `.opslint.toml`: overrides, exemptions, custom rules, and diagnostics for mistakes.

use crate::support::{
    TestRepo, assert_tool_error, finding, json_report, opslint, redact, status_of,
};

fn repo_with_config(config: &str) -> TestRepo {
    let repo = TestRepo::new();
    repo.write("src/app.py", "print('hi')\n")
        .write(".opslint.toml", config);
    repo.commit("config");
    repo
}

#[test]
fn overrides_disable_and_exempt() {
    let repo = repo_with_config(
        r#"
disable = ["iac", "devenv.task-runner"]

[rules."ci.pipeline"]
severity = "note"

[rules."testing.tests-exist"]
severity = "off"

[rules."ci.runs-tests"]
severity = "warning"

[[exempt]]
rule = "cd.deployment-definition"
reason = "a script collection: nothing is deployed"
"#,
    );
    let (code, json) = json_report(&[], repo.path());
    assert_eq!(code, Some(0), "no error-level failure remains");
    assert!(finding(&json, "iac.definitions").is_none());
    assert!(finding(&json, "devenv.task-runner").is_none());
    assert!(finding(&json, "testing.tests-exist").is_none());
    assert_eq!(finding(&json, "ci.pipeline").unwrap()["severity"], "note");
    let exempted = finding(&json, "cd.deployment-definition").unwrap();
    assert_eq!(exempted["status"], "exempted");
    assert!(
        exempted["message"]
            .as_str()
            .unwrap()
            .contains("nothing is deployed")
    );
    assert_eq!(json["repository"]["config"], ".opslint.toml");
}

#[test]
fn thresholds_raise_the_evidence_needed() {
    let repo = repo_with_config("[rules.\"testing.tests-exist\"]\nmin-count = 3\n");
    repo.write("tests/test_a.py", "def test_a(): pass\n")
        .write("tests/test_b.py", "def test_b(): pass\n");
    repo.commit("two tests");
    let (_, json) = json_report(&[], repo.path());
    let tests = finding(&json, "testing.tests-exist").unwrap();
    assert_eq!(tests["status"], "fail");
    assert!(
        tests["message"].as_str().unwrap().contains("at least 3"),
        "{}",
        tests["message"]
    );
}

#[test]
fn custom_rules_run_like_built_in_ones() {
    let repo = repo_with_config(
        r#"
[[rule]]
id = "collaboration.architecture-doc"
area = "collaboration"
title = "The architecture is written down"
severity = "error"
rationale = "A map of the system helps newcomers."
remediation = "Add ARCHITECTURE.md."

[[rule.check]]
kind = "content-matches"
files = ["ARCHITECTURE.md", "docs/ARCHITECTURE.md"]
pattern = '^# Architecture'
"#,
    );
    let (code, json) = json_report(&[], repo.path());
    assert_eq!(
        finding(&json, "collaboration.architecture-doc").unwrap()["status"],
        "fail"
    );
    assert_eq!(code, Some(1));
    repo.write("docs/ARCHITECTURE.md", "intro\n# Architecture\n");
    let (_, json) = json_report(&[], repo.path());
    let custom = finding(&json, "collaboration.architecture-doc").unwrap();
    assert_eq!(custom["status"], "pass");
    assert_eq!(custom["evidence"][0]["line"], 2);
}

#[test]
fn rev_uses_that_commits_config() {
    let repo = repo_with_config("disable = [\"ci\"]\n");
    let first = repo.git(&["rev-parse", "HEAD"]);
    repo.remove(".opslint.toml");
    repo.commit("drop config");
    let (_, old) = json_report(&["--rev", first.trim()], repo.path());
    assert!(finding(&old, "ci.pipeline").is_none());
    let (_, new) = json_report(&["--rev", "HEAD"], repo.path());
    assert!(finding(&new, "ci.pipeline").is_some());
}

#[test]
fn config_flag_overrides_the_tree_config() {
    let repo = repo_with_config("this is = not toml");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("org.toml");
    std::fs::write(&file, "disable = [\"security\"]\n").unwrap();
    let (_, json) = json_report(&["--config", file.to_str().unwrap()], repo.path());
    assert!(finding(&json, "security.policy").is_none());
    assert_tool_error(
        &opslint()
            .args(["check", "--config", "/no/such/opslint.toml"])
            .arg(repo.path())
            .output()
            .unwrap(),
        &["cannot read config file"],
    );
}

fn config_error(config: &str) -> String {
    let repo = repo_with_config(config);
    let output = opslint().arg("check").arg(repo.path()).output().unwrap();
    let stderr = assert_tool_error(&output, &[]);
    assert!(output.stdout.is_empty());
    redact(&stderr, repo.path())
}

#[test]
fn malformed_toml_points_at_the_mistake() {
    insta::assert_snapshot!(
        "config_syntax_error",
        config_error("disable = [\"ci\"\n[rules\n")
    );
}

#[test]
fn every_config_problem_is_reported_at_once() {
    let stderr = config_error(
        r#"
disable = ["nonexistent.rule"]
colour = "red"

[scan]
extend-exclude = ["vendor/{a,b"]

[rules."ci.pipeline"]
severity = "critical"

[[exempt]]
rule = "ci.runs-tests"

[[rule]]
id = "ci.custom"
area = "ci"
title = "Custom"
severity = "warning"
rationale = "r"
remediation = "r"
[[rule.check]]
kind = "content-matches"
files = ["a/[b"]
pattern = 'unclosed ('

[[rule]]
id = "Bad Id"
area = "ci"
title = "Custom"
severity = "warning"
rationale = "r"
remediation = "r"
unexpected = true
[[rule.check]]
kind = "files-present"
files = ["x"]
"#,
    );
    insta::assert_snapshot!("config_many_errors", stderr);
    for expected in [
        "unknown rule or area `nonexistent.rule`",
        "unknown key `colour`",
        "invalid glob",
        "unknown variant `critical`",
        "an exemption needs a `reason`",
        "invalid regex",
        "unknown field `unexpected`",
    ] {
        assert!(
            stderr.contains(expected),
            "missing {expected:?} in:\n{stderr}"
        );
    }
}

#[test]
fn a_pathological_regex_is_rejected_not_run() {
    let stderr = config_error(
        r#"
[[rule]]
id = "ci.huge"
area = "ci"
title = "Huge"
severity = "note"
rationale = "r"
remediation = "r"
[[rule.check]]
kind = "content-matches"
files = ["**"]
pattern = '(\w{100}){100}'
"#,
    );
    assert!(stderr.contains("too large"), "{stderr}");
}

/// `out-of-sight` turns a check's matches into "not seen", so it needs words for what it
/// found and a kind whose matches are files.
#[test]
fn out_of_sight_needs_a_file_check_that_says_what_it_looks_for() {
    let rule = |check: &str| {
        config_error(&format!(
            "[[rule]]\nid = \"ci.elsewhere\"\narea = \"ci\"\ntitle = \"Elsewhere\"\nseverity = \"note\"\n\
             rationale = \"r\"\nremediation = \"r\"\n[[rule.check]]\n{check}out-of-sight = true\n"
        ))
    };
    let stderr =
        rule("kind = \"pipeline-trigger\"\nfiles = [\"@yaml-pipelines\"]\npattern = 'push'\n");
    assert!(stderr.contains("`out-of-sight` is for"), "{stderr}");
    let stderr = rule("kind = \"files-present\"\nlooks-for = \"a sign\"\nfiles = [\"THING.md\"]\n");
    assert!(stderr.contains("can never pass"), "{stderr}");
}

#[test]
fn custom_rules_can_use_built_in_file_sets() {
    let rule = |files: &str| {
        format!(
            "[[rule]]\nid = \"cd.has-service\"\narea = \"cd\"\ntitle = \"A service is defined\"\nseverity = \"note\"\n\
             rationale = \"r\"\nremediation = \"r\"\n[[rule.check]]\nkind = \"files-present\"\nfiles = [{files}]\n"
        )
    };
    let repo = repo_with_config(&rule("\"@services\""));
    repo.write("Procfile", "web: ./run\n").commit("procfile");
    let (_, json) = json_report(&[], repo.path());
    assert_eq!(finding(&json, "cd.has-service").unwrap()["status"], "pass");
    let stderr = config_error(&rule("\"@no-such-set\""));
    assert!(
        stderr.contains("unknown file set `@no-such-set`"),
        "{stderr}"
    );
    assert!(
        stderr.contains("@services"),
        "the help lists the known sets: {stderr}"
    );
}

/// A misspelt rule or area id in the config gets the close one, at its place (issue 16).
#[test]
fn a_misspelt_id_in_the_config_gets_did_you_mean() {
    let repo = repo_with_config(
        r#"
disable = ["obsevability"]

[rules."ci.run-tests"]
severity = "warning"

[[exempt]]
rule = "cd.deployment-defintion"
reason = "nothing is deployed"
"#,
    );
    let output = opslint()
        .args(["check", "--color", "never"])
        .arg(repo.path())
        .output()
        .unwrap();
    assert_tool_error(
        &output,
        &[
            "help: did you mean `observability`?",
            "help: did you mean `ci.runs-tests`?",
            "help: did you mean `cd.deployment-definition`?",
            ".opslint.toml:2:12]",
        ],
    );
}

/// Red team (issue 16): a config error quotes the repository's text, and a carriage return
/// in it started a line the GitHub runner read as a workflow command.
#[test]
fn a_config_error_cannot_start_a_workflow_command() {
    let repo = crate::support::TestRepo::from_fixture("repos/sample");
    repo.write(".opslint.toml", "disable = [\"\\r::stop-commands::tok\"]\n");
    let output = crate::support::opslint()
        .arg("check")
        .arg(repo.path())
        .output()
        .unwrap();
    let stderr = assert_tool_error(&output, &["unknown rule or area"]);
    assert!(!stderr.contains('\r'), "{stderr:?}");
}

/// `component-applies-if` says when a component is judged: a rule judged only on the whole
/// repository has no use for it, and saying so beats ignoring it.
#[test]
fn a_component_precondition_needs_a_per_component_rule() {
    let stderr = config_error(
        r#"
[[rule]]
id = "observability.custom-metrics"
area = "observability"
title = "Metrics"
severity = "note"
rationale = "r"
remediation = "r"
[rule.component-applies-if]
files = ["**/Dockerfile"]
[[rule.check]]
kind = "files-present"
files = ["metrics.yml"]
"#,
    );
    assert!(
        stderr.contains("`component-applies-if` is for `per-component` rules"),
        "{stderr}"
    );
}

/// `pattern-in` narrows which files `pattern` is required of; without a `pattern` it has
/// nothing to narrow.
#[test]
fn pattern_in_needs_a_pattern() {
    let stderr = config_error(
        r#"
[[rule]]
id = "observability.custom-metrics"
area = "observability"
title = "Metrics"
severity = "note"
rationale = "r"
remediation = "r"
[rule.applies-if]
files = ["**/Dockerfile", "**/Chart.yaml"]
pattern-in = ["**/Dockerfile"]
[[rule.check]]
kind = "files-present"
files = ["metrics.yml"]
"#,
    );
    assert!(
        stderr.contains("`pattern-in` in `applies-if` names the files `pattern` is required of"),
        "{stderr}"
    );
}

#[test]
fn action_scripts_is_only_for_pipeline_commands() {
    let stderr = config_error(
        r#"
[[rule]]
id = "security.custom-scripts"
area = "security"
title = "Scripts"
severity = "note"
rationale = "r"
remediation = "r"
[[rule.check]]
kind = "pipeline-uses"
files = [".github/workflows/*.yml"]
pattern = "^actions/github-script@"
action-scripts = true
"#,
    );
    assert!(
        stderr.contains("only `pipeline-command` checks take `action-scripts`"),
        "{stderr}"
    );
}

#[test]
fn unless_guarded_by_is_only_for_content_matches() {
    let stderr = config_error(&deploy_rule(
        "pipeline-uses",
        r"unless-guarded-by = '\Aif:'",
    ));
    assert!(
        stderr.contains("only `content-matches` checks take `unless-guarded-by`"),
        "{stderr}"
    );
}

/// A custom cd rule with one check of `kind` looking for `kubectl apply`, with `keys` added.
fn deploy_rule(kind: &str, keys: &str) -> String {
    format!(
        r#"
[[rule]]
id = "cd.custom-deploys"
area = "cd"
title = "Deploys"
severity = "note"
rationale = "r"
remediation = "r"
[[rule.check]]
kind = "{kind}"
files = [".github/workflows/*.yml"]
pattern = "kubectl apply"
{keys}
"#
    )
}

#[test]
fn unless_triggered_by_is_only_for_pipeline_facts() {
    let stderr = config_error(&deploy_rule(
        "content-matches",
        "unless-triggered-by = \"^pull_request$\"",
    ));
    // The message wraps at the terminal's width; the span points at the key's value.
    assert!(
        stderr.contains("only `pipeline-command`, `pipeline-uses` and `pipeline-environment`"),
        "{stderr}"
    );
    assert!(stderr.contains(".opslint.toml:13:23"), "{stderr}");
}

/// What would make every pipeline not count, or a rule apply beyond a precondition it does not
/// have, is refused at its key.
#[test]
fn exceptions_and_applicability_keys_are_checked() {
    for everything in ["\"\"", "'.*'", "'x|'", "'^'"] {
        let keys = format!("unless-pipeline-runs = {everything}");
        let stderr = config_error(&deploy_rule("pipeline-command", &keys));
        assert!(
            stderr.contains("`unless-pipeline-runs` matches the empty text"),
            "{everything}: {stderr}"
        );
    }
    let stderr = config_error(&deploy_rule("pipeline-command", "shows-it-applies = true"));
    assert!(
        stderr.contains("`shows-it-applies` makes a rule apply beyond its `applies-if`"),
        "{stderr}"
    );
}

/// A history check judges the repository's history, which every repository has: it cannot
/// show a rule applies.
#[test]
fn a_history_check_takes_no_shows_it_applies() {
    let stderr = config_error(
        r#"
[[rule]]
id = "flow.custom-batches"
area = "flow"
title = "Small commits"
severity = "note"
rationale = "r"
remediation = "r"
[[rule.check]]
kind = "history"
figure = "flow.p90_lines_per_commit"
comparison = "at-most"
threshold = 200
shows-it-applies = true
"#,
    );
    assert!(
        stderr.contains("a `history` check takes no `shows-it-applies`"),
        "{stderr}"
    );
}

/// A custom rule whose check `shows-it-applies`: a repository without the precondition's files
/// passes on what the check finds, and is not applicable where it finds nothing.
#[test]
fn a_check_that_shows_it_applies_overrides_the_precondition() {
    let config = r#"
[[rule]]
id = "cd.custom-migrations"
area = "cd"
title = "Migrations run from the pipeline"
severity = "note"
rationale = "r"
remediation = "r"
[rule.applies-if]
description = "database schema"
files = ["**/schema.sql"]
[[rule.check]]
kind = "pipeline-command"
files = [".github/workflows/*.yml"]
pattern = 'flyway\s+migrate'
shows-it-applies = true
"#;
    let workflow = |command: &str| {
        format!(
            "on: push\njobs:\n  m:\n    runs-on: ubuntu-latest\n    steps:\n      - run: {command}\n"
        )
    };
    for (command, status) in [("flyway migrate", "pass"), ("make build", "not_applicable")] {
        let repo = repo_with_config(config);
        repo.write(".github/workflows/db.yml", workflow(command));
        repo.commit("workflow");
        let (_, report) = json_report(&["--select", "cd.custom-migrations"], repo.path());
        assert_eq!(
            status_of(&report, "cd.custom-migrations"),
            status,
            "{command}"
        );
    }
}

/// A custom rule's maturity: its level is 1 to 3, and what it `requires` must exist and must
/// not lead back to it (a plan could never put such a rule first). Each mistake is reported
/// at its span, all at once.
#[test]
fn a_custom_rules_maturity_is_checked() {
    let rule = |id: &str, extra: &str| {
        format!(
            r#"
[[rule]]
id = "{id}"
area = "learning"
title = "T"
severity = "note"
rationale = "r"
remediation = "r"
{extra}
[[rule.check]]
kind = "files-present"
files = ["x"]
"#
        )
    };
    let config = [
        rule("learning.a", "level = 4"),
        rule("learning.b", r#"requires = ["ci.pipelin"]"#),
        rule("learning.c", r#"requires = ["learning.d"]"#),
        rule("learning.d", r#"requires = ["learning.c"]"#),
        rule("learning.e", r#"effort = "weeks""#),
    ]
    .concat();
    let stderr = config_error(&config);
    for expected in [
        "a rule's level is 1, 2 or 3, not 4",
        "`requires` names an unknown rule `ci.pipelin`",
        "did you mean `ci.pipeline`",
        "rules require each other in a circle: learning.c → learning.d → learning.c",
    ] {
        assert!(stderr.contains(expected), "{expected}: {stderr}");
    }
    let stderr = config_error(&rule("learning.e", r#"effort = "weeks""#));
    assert!(stderr.contains("unknown variant `weeks`"), "{stderr}");
}

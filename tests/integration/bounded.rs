//! Issue 17: configuration a repository supplies is bounded — globs, regexes, rules, weights
//! and the resource budgets — and reported as a config error at its span rather than
//! exhausting the machine.

use std::process::Output;

use crate::support::{TestRepo, assert_tool_error, opslint};

fn repo_with_config(config: &str) -> TestRepo {
    let repo = TestRepo::new();
    repo.write("src/app.py", "print('hi')\n")
        .write(".opslint.toml", config);
    repo.commit("config");
    repo
}

/// `check` on the repository, with a JSON report.
fn check(repo: &TestRepo, args: &[&str]) -> Output {
    opslint()
        .arg("check")
        .args(["--no-history", "--format", "json"])
        .args(args)
        .arg(repo.path())
        .output()
        .unwrap()
}

/// `sweep` of the repository alone: its one line.
fn sweep(repo: &TestRepo, args: &[&str]) -> serde_json::Value {
    let output = opslint()
        .args(["sweep", "--no-history"])
        .args(args)
        .arg(repo.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    serde_json::from_str(stdout.lines().next().expect("one line")).unwrap()
}

#[test]
fn a_glob_nested_a_hundred_thousand_braces_deep_is_a_config_error() {
    let deep = format!("{}a{}", "{".repeat(100_000), "}".repeat(100_000));
    let repo = repo_with_config(&format!("[scan]\nextend-exclude = [\"{deep}\"]\n"));
    assert_tool_error(&check(&repo, &[]), &["longer than 1024 bytes"]);
    let line = sweep(&repo, &[]);
    assert_eq!(line["error"]["code"], "opslint::config", "{line}");

    let nested = format!("{}a{}", "{".repeat(40), "}".repeat(40));
    let repo = repo_with_config(&format!(
        "[[rule]]\nid = \"collaboration.deep\"\narea = \"collaboration\"\ntitle = \"t\"\nseverity = \"note\"\n\
         rationale = \"r\"\nremediation = \"f\"\n[[rule.check]]\nkind = \"files-present\"\n\
         files = [\"{nested}\"]\n"
    ));
    assert_tool_error(&check(&repo, &[]), &["braces nest more than 32 levels"]);
}

fn custom_rule(id: usize, weight: u64, pattern: &str) -> String {
    format!(
        "[[rule]]\nid = \"collaboration.custom-{id}\"\narea = \"collaboration\"\ntitle = \"t\"\n\
         severity = \"error\"\nweight = {weight}\nrationale = \"r\"\nremediation = \"f\"\n\
         [[rule.check]]\nkind = \"content-matches\"\nfiles = [\"src/*.py\"]\npattern = '{pattern}'\n"
    )
}

#[test]
fn a_rule_weighs_one_to_ten() {
    let repo = repo_with_config(&custom_rule(1, 4_294_967_295, "hi"));
    assert_tool_error(&check(&repo, &[]), &["a rule's weight is at most 10"]);
    let repo = repo_with_config(&custom_rule(1, 10, "hi"));
    let output = check(&repo, &["--select", "collaboration.custom-1"]);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
}

#[test]
fn custom_rules_are_counted_before_they_are_compiled() {
    let config: String = (0..201).map(|id| custom_rule(id, 1, "hi")).collect();
    let repo = repo_with_config(&config);
    let started = std::time::Instant::now();
    assert_tool_error(
        &check(&repo, &[]),
        &["201 custom rules; at most 200 are allowed"],
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
}

/// Each pattern is under the per-pattern limit; 5,000 of them took 5.2 GB. A config's
/// patterns share one budget.
#[test]
fn a_configs_patterns_share_one_size_budget() {
    let config: String = (0..150)
        .map(|id| custom_rule(id, 1, r"(?-u:\w){9000}"))
        .collect();
    let repo = repo_with_config(&config);
    assert_tool_error(
        &check(&repo, &[]),
        &["patterns together compile to more than 16 MiB"],
    );
}

#[test]
fn a_repository_may_lower_its_read_budgets_but_not_raise_them() {
    let repo = repo_with_config("[scan]\nmax-file-size = \"64 GiB\"\n");
    assert_tool_error(
        &check(&repo, &[]),
        &["may lower `max-file-size`, not raise it: at most 4194304 bytes"],
    );
    let line = sweep(&repo, &[]);
    assert_eq!(line["error"]["code"], "opslint::config", "{line}");

    let repo = repo_with_config("[scan]\nmax-total-read = \"2 GiB\"\n");
    assert_tool_error(&check(&repo, &[]), &["may lower `max-total-read`"]);

    // The command line's budget is the one a repository stays under…
    let repo = repo_with_config("[scan]\nmax-file-size = \"2 KiB\"\n");
    assert_tool_error(
        &check(&repo, &["--max-file-size", "1 KiB"]),
        &["at most 1024 bytes"],
    );
    // …and below it, the repository's own applies: a 3 KiB Dockerfile is over its 2 KiB,
    // though under the command line's 4 KiB.
    repo.write(
        "Dockerfile",
        format!("FROM node:latest\n{}", "# padding\n".repeat(300)),
    );
    repo.commit("A Dockerfile of 3 KiB");
    let output = check(&repo, &["--max-file-size", "4 KiB"]);
    assert_eq!(output.status.code(), Some(1), "a report: {output:?}");
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let pinned = crate::support::finding(&report, "security.base-images-pinned").unwrap();
    assert_eq!(pinned["status"], "unknown", "{pinned}");
    assert!(
        pinned["message"]
            .as_str()
            .unwrap()
            .contains("Dockerfile is 3017 bytes, over the 2048-byte read cap"),
        "{pinned}"
    );

    // In a sweep, the organisation's config sets the budget.
    let org = tempfile::tempdir().unwrap();
    let org_config = org.path().join("org.toml");
    std::fs::write(&org_config, "[scan]\nmax-file-size = \"4 MiB\"\n").unwrap();
    let raising = repo_with_config("[scan]\nmax-file-size = \"3 MiB\"\n");
    let config = org_config.to_str().unwrap();
    let line = sweep(&raising, &["--config", config]);
    assert!(line["error"].is_null(), "{line}");
    let above = repo_with_config("[scan]\nmax-file-size = \"8 MiB\"\n");
    let line = sweep(&above, &["--config", config]);
    assert_eq!(line["error"]["code"], "opslint::config", "{line}");
    assert!(
        line["error"]["message"].as_str().is_some(),
        "the line says why: {line}"
    );
}

/// `sweep --ignore-repo-config` without `--config` used to apply each repository's config
/// all the same; now the defaults apply.
#[test]
fn sweep_ignore_repo_config_without_config_uses_the_defaults() {
    let repo = repo_with_config("disable = [\"ci\"]\n");
    let line = sweep(&repo, &[]);
    let rules = |line: &serde_json::Value| -> Vec<String> {
        line["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|finding| finding["rule"].as_str().unwrap().to_owned())
            .collect()
    };
    assert!(!rules(&line).iter().any(|rule| rule.starts_with("ci.")));
    assert_eq!(line["repository"]["config"], ".opslint.toml");
    let line = sweep(&repo, &["--ignore-repo-config"]);
    assert!(
        rules(&line).iter().any(|rule| rule.starts_with("ci.")),
        "{line}"
    );
    assert!(line["repository"]["config"].is_null(), "{line}");

    // A repository's config that would not even parse is not read.
    let broken = repo_with_config("disable = [\n");
    let line = sweep(&broken, &["--ignore-repo-config"]);
    assert!(line["error"].is_null(), "{line}");
}

/// As the issue's file: 5,000 rules of `(?-u:\w){9000}` (949 KB) took 5.2 GB and 15 s, past
/// `--timeout 5`. 4,000 (ours are wordier) are refused before one is compiled.
#[test]
fn the_issues_thousands_of_rules_are_refused_at_once() {
    let config: String = (0..4000)
        .map(|id| custom_rule(id, 1, r"(?-u:\w){9000}"))
        .collect();
    let repo = repo_with_config(&config);
    let started = std::time::Instant::now();
    assert_tool_error(&check(&repo, &["--timeout", "5"]), &["4000 custom rules"]);
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
}

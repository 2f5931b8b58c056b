//! `opslint timeline`: snapshots, the exact commits that adopted or lost a practice, reuse
//! of unchanged verdicts, and each format.

use serde_json::Value;

use crate::support::*;

/// Seven months of a team's history: code, then CI that runs the tests (day 20), code
/// owners added (day 70), removed (day 100) and added again (day 160), with daily changes
/// to the code in between that no rule reads.
const HISTORY: &str = r##"
[[commit]]
day = 0
message = "Start"
write = { "Cargo.toml" = "[package]\nname = \"svc\"\nversion = \"0.1.0\"\n", "src/main.rs" = "fn main() {}\n" }

[[commit]]
day = 1
repeat = 18
lines = { "src/main.rs" = 3 }

[[commit]]
day = 20
message = "Add CI that runs the tests"
write = { ".github/workflows/ci.yml" = "on: [push, pull_request]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: cargo test\n", "tests/smoke.rs" = "#[test]\nfn smoke() {}\n" }

[[commit]]
day = 21
repeat = 48
lines = { "src/main.rs" = 2 }

[[commit]]
day = 70
message = "Add code owners"
write = { "CODEOWNERS" = "* @team\n" }

[[commit]]
day = 71
repeat = 28
lines = { "src/main.rs" = 2 }

[[commit]]
day = 100
message = "Drop code owners"
remove = ["CODEOWNERS"]

[[commit]]
day = 101
repeat = 58
lines = { "src/main.rs" = 2 }

[[commit]]
day = 160
message = "Restore code owners"
write = { "CODEOWNERS" = "* @team\n" }

[[commit]]
day = 161
repeat = 40
lines = { "src/main.rs" = 1 }
"##;

fn timeline(repo: &TestRepo, flags: &[&str]) -> Value {
    json_of("timeline", flags, repo.path())
}

/// Every month of the repository's history, without the history figures.
fn monthly(repo: &TestRepo) -> Value {
    timeline(
        repo,
        &["--since", "all", "--every", "month", "--no-history"],
    )
}

/// The commits of the timeline's adoption events of `rule`.
fn adoptions(timeline: &Value, rule: &str) -> Vec<String> {
    timeline["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|event| event["rule"] == rule && event["change"] == "adopted")
        .map(|event| event["commit"].as_str().unwrap().to_owned())
        .collect()
}

fn commit_of(repo: &TestRepo, subject: &str) -> String {
    repo.git(&["log", "--format=%H %s"])
        .lines()
        .find_map(|line| line.strip_suffix(&format!(" {subject}")))
        .unwrap_or_else(|| panic!("no commit {subject}"))
        .to_owned()
}

/// Each adoption and loss is reported at the exact commit that made it, a practice added,
/// removed and added again included.
#[test]
fn events_name_the_exact_commits() {
    let repo = TestRepo::from_history(HISTORY);
    let timeline = timeline(&repo, &["--since", "all", "--every", "month"]);
    let events: Vec<(String, String, String)> = timeline["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|event| {
            (
                event["rule"].as_str().unwrap().to_owned(),
                event["change"].as_str().unwrap().to_owned(),
                event["commit"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let expect = |rule: &str, change: &str, subject: &str| {
        let wanted = (
            rule.to_owned(),
            change.to_owned(),
            commit_of(&repo, subject),
        );
        assert!(events.contains(&wanted), "{wanted:?} not in {events:#?}");
    };
    expect("ci.pipeline", "adopted", "Add CI that runs the tests");
    expect("ci.runs-tests", "adopted", "Add CI that runs the tests");
    expect(
        "testing.tests-exist",
        "adopted",
        "Add CI that runs the tests",
    );
    expect("collaboration.code-owners", "adopted", "Add code owners");
    expect("collaboration.code-owners", "lost", "Drop code owners");
    expect(
        "collaboration.code-owners",
        "adopted",
        "Restore code owners",
    );
    let owners: Vec<&(String, String, String)> = events
        .iter()
        .filter(|(rule, _, _)| rule == "collaboration.code-owners")
        .collect();
    assert_eq!(owners.len(), 3, "{owners:#?}");
    let event = &timeline["events"][0];
    for key in ["date", "author", "subject", "area", "title"] {
        assert!(
            event[key].as_str().is_some_and(|text| !text.is_empty()),
            "{key}: {event}"
        );
    }
}

/// Reusing a verdict where nothing it depended on changed gives what judging every snapshot
/// afresh gives: each snapshot's areas equal `check --rev` of its commit.
#[test]
fn reused_verdicts_equal_a_fresh_check() {
    let repo = TestRepo::from_history(HISTORY);
    let timeline = monthly(&repo);
    let snapshots = timeline["snapshots"].as_array().unwrap();
    assert!(snapshots.len() >= 6, "{}", snapshots.len());
    let judged = timeline["judged"].as_u64().unwrap();
    assert!(
        judged < snapshots.len() as u64,
        "unchanged snapshots are not judged again"
    );
    each_snapshot_equals_check(&repo, snapshots);
}

/// Each snapshot's areas, levels and passing rules are those `check --rev` gives its commit.
fn each_snapshot_equals_check(repo: &TestRepo, snapshots: &[Value]) {
    for snapshot in snapshots {
        let commit = snapshot["commit"].as_str().unwrap();
        let (_, report) = json_report(&["--rev", commit, "--no-history"], repo.path());
        let areas = |areas: &Value| -> Vec<(String, Value, Value)> {
            areas
                .as_array()
                .unwrap()
                .iter()
                .map(|area| {
                    (
                        area["id"].as_str().unwrap().to_owned(),
                        area["score"].clone(),
                        area["level"].clone(),
                    )
                })
                .collect()
        };
        assert_eq!(
            areas(&snapshot["areas"]),
            areas(&report["areas"]),
            "snapshot {}",
            snapshot["date"]
        );
        let mut passing: Vec<&str> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|finding| finding["status"] == "pass")
            .map(|finding| finding["rule"].as_str().unwrap())
            .collect();
        passing.sort();
        let mut timeline: Vec<&str> = snapshot["passing"]
            .as_array()
            .unwrap()
            .iter()
            .map(|rule| rule.as_str().unwrap())
            .collect();
        timeline.sort();
        assert_eq!(timeline, passing, "snapshot {}", snapshot["date"]);
    }
}

/// A monorepo whose services change one at a time, gain tests and dependencies, and come and
/// go: findings kept for the rules and components a change did not touch, and manifests
/// parsed by an earlier snapshot, equal judging afresh.
const MONOREPO: &str = r##"
[[commit]]
day = 0
message = "Two services"
write = { "services/a/package.json" = "{\"name\": \"a\", \"dependencies\": {\"express\": \"4\"}}\n", "services/a/index.js" = "require('express')().listen(80)\n", "services/b/go.mod" = "module b\n\ngo 1.22\n", "services/b/main.go" = "package main\n\nimport \"net/http\"\n\nfunc main() { http.ListenAndServe(\":80\", nil) }\n", "services/b/main_test.go" = "package main\n\nimport \"testing\"\n\nfunc TestMain(t *testing.T) {}\n", ".github/workflows/ci.yml" = "on: [pull_request]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make test\n", "Makefile" = "test:\n\techo none\n" }

[[commit]]
day = 1
repeat = 30
lines = { "services/a/index.js" = 2 }

[[commit]]
day = 35
message = "Service a gets tests and metrics"
write = { "services/a/index.test.js" = "test('ok', () => {})\n", "services/a/metrics.js" = "require('prom-client')\n" }

[[commit]]
day = 36
repeat = 30
lines = { "services/b/main.go" = 2 }

[[commit]]
day = 67
message = "Service a declares its metrics client; service d starts from a's old manifest"
write = { "services/a/package.json" = "{\"name\": \"a\", \"dependencies\": {\"express\": \"4\", \"prom-client\": \"15\"}}\n", "services/d/package.json" = "{\"name\": \"a\", \"dependencies\": {\"express\": \"4\"}}\n", "services/d/index.js" = "require('express')().listen(80)\n" }

[[commit]]
day = 70
message = "The Makefile runs the tests"
write = { "Makefile" = "test:\n\tcd services/a && npm test\n\tcd services/b && go test ./...\n" }

[[commit]]
day = 100
message = "Service c"
write = { "services/c/Cargo.toml" = "[package]\nname = \"c\"\nversion = \"0.1.0\"\n", "services/c/src/main.rs" = "fn main() {}\n", "services/c/Dockerfile" = "FROM rust:1\n" }

[[commit]]
day = 101
repeat = 25
lines = { "services/c/src/main.rs" = 2 }

[[commit]]
day = 130
message = "Retire service b"
remove = ["services/b/go.mod", "services/b/main.go"]

[[commit]]
day = 131
repeat = 20
lines = { "services/a/index.js" = 1 }
"##;

#[test]
fn a_monorepo_judged_incrementally_equals_a_fresh_check() {
    let repo = TestRepo::from_history(MONOREPO);
    let timeline = monthly(&repo);
    let snapshots = timeline["snapshots"].as_array().unwrap();
    assert!(snapshots.len() >= 5, "{}", snapshots.len());
    each_snapshot_equals_check(&repo, snapshots);
}

/// Under a read budget a judgement of every rule overruns, a judgement of the few rules a
/// change touches would not: the timeline judges such a repository in full, as check does.
#[test]
fn a_read_budget_overrun_is_judged_as_check_judges_it() {
    // Twenty lines of padding, as TOML escapes them.
    let padding: Vec<String> = (1..=20)
        .map(|line| format!("# padding line {line} {}", ".".repeat(50)))
        .collect();
    let history = BUDGET.replace("PAD", &padding.join("\\n"));
    let repo = TestRepo::from_history(&history);
    let timeline = monthly(&repo);
    let snapshots = timeline["snapshots"].as_array().unwrap();
    assert!(snapshots.len() >= 5, "{}", snapshots.len());
    each_snapshot_equals_check(&repo, snapshots);
}

/// Evidence files near a 4 KiB read budget, one of them edited each month.
const BUDGET: &str = r#"
[[commit]]
day = 0
message = "Start"
write = { ".opslint.toml" = "[scan]\nmax-total-read = \"4 KiB\"\n", ".github/workflows/ci.yml" = "on: [push, pull_request]\npermissions: read-all\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: pytest\nPAD\n", "Dockerfile" = "FROM python:3.12\nPAD\n", "pyproject.toml" = "[project]\nname = \"x\"\ndependencies = [\"prometheus-client\", \"sentry-sdk\", \"structlog\"]\nPAD\n", "Makefile" = "test:\n\tpytest\nPAD\n", "tests/test_a.py" = "def test_a(): pass\n", "src/app.py" = "import structlog\nPAD\n" }

[[commit]]
day = 31
lines = { "src/app.py" = 1 }

[[commit]]
day = 62
lines = { "Dockerfile" = 1 }

[[commit]]
day = 93
lines = { ".github/workflows/ci.yml" = 1 }

[[commit]]
day = 124
lines = { "pyproject.toml" = 1 }

[[commit]]
day = 155
lines = { "Makefile" = 1 }
"#;

/// The figures of each period come from the history: the CI maintainers and commits per
/// period; the signals say what they measure and what they cannot see.
#[test]
fn periods_carry_figures_and_signals() {
    let repo = TestRepo::from_history(HISTORY);
    let timeline = timeline(&repo, &["--since", "all", "--every", "quarter"]);
    let snapshots = timeline["snapshots"].as_array().unwrap();
    let commits: u64 = snapshots
        .iter()
        .map(|snapshot| snapshot["figures"]["commits"].as_u64().unwrap())
        .sum();
    assert!(commits > 150, "{commits}");
    let signals = timeline["signals"].as_array().unwrap();
    let ids: Vec<&str> = signals
        .iter()
        .map(|signal| signal["id"].as_str().unwrap())
        .collect();
    for id in [
        "pipeline_maintainers",
        "release_cadence",
        "lead_time",
        "observability_level",
        "environment_friction",
    ] {
        assert!(ids.contains(&id), "{id} in {ids:?}");
    }
    for signal in signals {
        assert_eq!(signal["values"].as_array().unwrap().len(), snapshots.len());
        assert!(
            signal["cannot_see"]
                .as_str()
                .is_some_and(|text| !text.is_empty())
        );
    }
}

#[test]
fn every_format_renders() {
    let repo = TestRepo::from_history(HISTORY);
    let render = |format: &str| {
        let output = opslint()
            .args(["timeline", "--since", "all", "--format", format])
            .arg(repo.path())
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(0));
        String::from_utf8(output.stdout).unwrap()
    };
    let human = render("human");
    assert!(human.contains("Shared ownership"), "{human}");
    assert!(human.contains("lost collaboration.code-owners"), "{human}");
    let markdown = render("markdown");
    assert!(
        markdown.contains("| Area | Over time | Score | Level |"),
        "{markdown}"
    );
    assert!(
        markdown.contains("**lost** `collaboration.code-owners`"),
        "{markdown}"
    );
    let html = render("html");
    assert!(html.starts_with("<!doctype html>"));
    assert!(html.contains("Content-Security-Policy"));
    assert_eq!(
        html.matches("<figure class=\"chart\"").count(),
        html.matches("</figure>").count()
    );
    assert!(html.contains("data-area=\"collaboration\""));
    assert!(!html.contains("<script"), "self-contained and inert");
}

/// A subject, an author name or a path that is HTML or Markdown stays text.
#[test]
fn repository_text_cannot_inject_markup() {
    let repo = TestRepo::from_history(
        r#"
[[commit]]
day = 0
write = { "src/main.rs" = "fn main() {}\n" }

[[commit]]
day = 40
author = "<img src=x onerror=alert(1)>"
message = "<script>alert(1)</script> [link](javascript:x) @everyone \u001b[31mred"
write = { "CODEOWNERS" = "* @team\n" }
"#,
    );
    for format in ["html", "markdown"] {
        let output = opslint()
            .args(["timeline", "--since", "all", "--format", format])
            .arg(repo.path())
            .output()
            .unwrap();
        let text = String::from_utf8(output.stdout).unwrap();
        assert!(text.contains("collaboration.code-owners"), "{text}");
        assert!(!text.contains("<img src=x"), "{format}: {text}");
        assert!(
            !text.contains('\u{1b}'),
            "{format}: a raw terminal escape: {text}"
        );
        match format {
            "html" => assert!(!text.contains("<script>alert"), "{text}"),
            // Markdown shows the subject as a code span: text, not HTML, a link or a mention.
            _ => assert!(
                text.contains("`<script>alert(1)</script> [link](javascript:x) @everyone"),
                "{text}"
            ),
        }
    }
}

#[test]
fn bad_arguments_and_empty_repositories_are_errors() {
    let repo = TestRepo::new();
    let output = opslint().arg("timeline").arg(repo.path()).output().unwrap();
    assert_tool_error(&output, &["no commits"]);
    // Eleven years between two commits: more weeks than a timeline takes.
    let decade = TestRepo::from_history(
        "[[commit]]\nday = 0\nwrite = { \"a\" = \"a\" }\n[[commit]]\nday = 4100\nwrite = { \"a\" = \"b\" }\n",
    );
    let output = opslint()
        .args(["timeline", "--since", "all", "--every", "week"])
        .arg(decade.path())
        .output()
        .unwrap();
    assert_tool_error(&output, &["a timeline takes at most 520"]);
    let repo = TestRepo::from_history(HISTORY);
    let output = opslint()
        .args(["timeline", "--since", "someday"])
        .arg(repo.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    // Found by a red team: a date that does not exist, a tree for a commit, a span far
    // longer than the history (it starts at the first commit, not at the limit).
    let output = opslint()
        .args(["timeline", "--since", "2024-02-30"])
        .arg(repo.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let output = opslint()
        .args(["timeline", "--rev", "HEAD^{tree}"])
        .arg(repo.path())
        .output()
        .unwrap();
    assert_tool_error(&output, &["is not a commit"]);
    let young = timeline(
        &repo,
        &["--since", "40y", "--every", "week", "--no-history"],
    );
    assert!(young["snapshots"].as_array().unwrap().len() < 40);
    let output = opslint()
        .args(["plan", "--steps", "0"])
        .arg(repo.path())
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(2),
        "a plan has at least one step"
    );
}

/// `sweep --timeline` adds each repository's timeline to its line; `report` then shows the
/// practices' adoption curves, the areas whose level moved and who adopted or lost what.
#[test]
fn an_organisation_over_time() {
    let org = tempfile::tempdir().unwrap();
    let team = TestRepo::from_history(HISTORY);
    let source = format!("file://{}", team.path().display());
    for name in ["payments", "search"] {
        git_in(org.path(), &["clone", "-q", &source, name]);
    }
    let lines = org.path().join("sweep.jsonl");
    opslint()
        .args([
            "sweep",
            "--timeline",
            "--since",
            "all",
            "--every",
            "month",
            "-o",
        ])
        .arg(&lines)
        .arg(org.path())
        .assert()
        .code(0);
    let text = std::fs::read_to_string(&lines).unwrap();
    for line in text.lines() {
        let line: Value = serde_json::from_str(line).unwrap();
        let snapshots = line["timeline"]["snapshots"].as_array().unwrap();
        assert!(snapshots.len() >= 2, "{line}");
        assert!(
            snapshots.last().unwrap()["passing"]
                .as_array()
                .unwrap()
                .len()
                > 3
        );
    }
    let output = opslint()
        .args(["report", "--format", "markdown"])
        .arg(&lines)
        .output()
        .unwrap();
    let markdown = String::from_utf8(output.stdout).unwrap();
    assert!(markdown.contains("## Over time\n"), "{markdown}");
    assert!(
        regex::Regex::new(
            r"\| `ci\.runs-tests` \| \S+ \| 0 % → 100 % \(2026-\d\d to 2026-\d\d\) \|"
        )
        .unwrap()
        .is_match(&markdown),
        "{markdown}"
    );
    assert!(
        markdown.contains("| Continuous integration | 2 | 0 |"),
        "{markdown}"
    );
    assert!(
        markdown.contains("| `payments` | `collaboration.code-owners` | lost |"),
        "{markdown}"
    );
    let output = opslint().arg("report").arg(&lines).output().unwrap();
    let html = String::from_utf8(output.stdout).unwrap();
    assert!(html.contains("<h2>Adoption over time</h2>") && html.contains("<b>lost</b>"));
    // Without --timeline a sweep's lines have none, and the report no such section.
    let plain = org.path().join("plain.jsonl");
    opslint()
        .args(["sweep", "-o"])
        .arg(&plain)
        .arg(org.path())
        .assert()
        .code(0);
    assert!(
        !std::fs::read_to_string(&plain)
            .unwrap()
            .contains("\"timeline\"")
    );
    let output = opslint()
        .args(["sweep", "--since", "1y"])
        .arg(org.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "--since needs --timeline");
}

/// A shallow clone's timeline starts where its history does, and says so.
#[test]
fn a_shallow_clone_says_so() {
    let repo = TestRepo::from_history(HISTORY);
    let clone = tempfile::tempdir().unwrap();
    let source = format!("file://{}", repo.path().display());
    git_in(
        clone.path(),
        &["clone", "-q", "--depth", "20", &source, "shallow"],
    );
    let shallow = clone.path().join("shallow");
    let output = opslint()
        .args(["timeline", "--since", "all"])
        .arg(&shallow)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains("The clone is shallow"), "{text}");
    let output = opslint()
        .args(["timeline", "--since", "all", "--format", "json"])
        .arg(&shallow)
        .output()
        .unwrap();
    let json: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["shallow"], true);
}

/// A rule that stops applying for a while is compared with its last verdict: pinned base
/// images (a pass), then no Dockerfile (not applicable), then an unpinned one (a failure) is
/// a loss, named at the commit that stopped the pass; failing, not applicable, then passing
/// is an adoption at the commit that made it pass.
#[test]
fn a_rule_that_stopped_applying_is_compared_with_its_last_verdict() {
    let pinned = "FROM alpine@sha256:0000000000000000000000000000000000000000000000000000000000000000\nEXPOSE 80\n";
    let repo = TestRepo::from_history(&format!(
        r#"
[[commit]]
day = 0
write = {{ "src/main.rs" = "fn main() {{}}\n", "Dockerfile" = "{pinned}" }}

[[commit]]
day = 40
message = "Drop the image"
remove = ["Dockerfile"]

[[commit]]
day = 80
message = "An unpinned image"
write = {{ "Dockerfile" = "FROM alpine:latest\nEXPOSE 80\n" }}

[[commit]]
day = 120
message = "Drop it again"
remove = ["Dockerfile"]

[[commit]]
day = 160
message = "Pinned once more"
write = {{ "Dockerfile" = "{pinned}" }}
"#,
        pinned = pinned.replace('\n', "\\n")
    ));
    let timeline = monthly(&repo);
    let events: Vec<(String, String)> = timeline["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|event| event["rule"] == "security.base-images-pinned")
        .map(|event| {
            (
                event["change"].as_str().unwrap().to_owned(),
                event["subject"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        events,
        [
            ("lost".to_owned(), "Drop the image".to_owned()),
            ("adopted".to_owned(), "Pinned once more".to_owned()),
        ],
        "{timeline:#}"
    );
}

/// A practice adopted through a file the rule does not select (a script the pipeline runs,
/// followed) is found at its exact commit too, among commits that touch other files.
#[test]
fn an_adoption_through_a_followed_script_names_its_commit() {
    let repo = TestRepo::from_history(
        r##"
[[commit]]
day = 0
write = { "Cargo.toml" = "[package]\nname = \"svc\"\nversion = \"0.1.0\"\n", "src/main.rs" = "fn main() {}\n", "tests/smoke.rs" = "#[test]\nfn smoke() {}\n", "ci/check.sh" = "#!/bin/sh\ncargo build\n", ".github/workflows/ci.yml" = "on: [push, pull_request]\njobs:\n  check:\n    runs-on: ubuntu-latest\n    steps:\n      - run: ./ci/check.sh\n" }

[[commit]]
day = 1
repeat = 30
lines = { "src/main.rs" = 2 }

[[commit]]
day = 35
message = "Run the tests in CI"
write = { "ci/check.sh" = "#!/bin/sh\ncargo build\ncargo test\n" }

[[commit]]
day = 36
repeat = 30
lines = { "src/main.rs" = 2 }
"##,
    );
    let timeline = monthly(&repo);
    assert_eq!(
        adoptions(&timeline, "ci.runs-tests"),
        [commit_of(&repo, "Run the tests in CI")],
        "{timeline:#}"
    );
}

/// A manifest that gains a dependency is parsed again: what an earlier snapshot parsed is
/// kept by blob, not by path.
#[test]
fn a_dependency_added_to_a_manifest_is_seen() {
    let repo = TestRepo::from_history(
        r##"
[[commit]]
day = 0
write = { "package.json" = "{\"name\": \"api\", \"dependencies\": {\"express\": \"4\"}}\n", "index.js" = "require('express')().listen(80)\n" }

[[commit]]
day = 1
repeat = 40
lines = { "index.js" = 2 }

[[commit]]
day = 45
message = "Declare a metrics client"
write = { "package.json" = "{\"name\": \"api\", \"dependencies\": {\"express\": \"4\", \"prom-client\": \"15\"}}\n" }

[[commit]]
day = 46
repeat = 40
lines = { "index.js" = 2 }
"##,
    );
    let timeline = monthly(&repo);
    assert_eq!(
        adoptions(&timeline, "observability.metrics"),
        [commit_of(&repo, "Declare a metrics client")],
        "{timeline:#}"
    );
    each_snapshot_equals_check(&repo, timeline["snapshots"].as_array().unwrap());
}

/// Padded to `size` bytes with a comment line, as TOML escapes it.
fn padded(text: &str, size: usize) -> String {
    let fill = size.saturating_sub(text.len() + 2);
    format!("{text}#{}\n", "p".repeat(fill)).replace('\n', "\\n")
}

/// A judgement of a few rules stays within the read budget while what a judgement of every
/// rule would read grows past it, over months of reads none of which alone is large (found
/// by a red team): the timeline judges in full once the reads since its last full judgement
/// could overrun the budget, and agrees with check.
#[test]
fn reads_that_add_up_past_the_budget_are_judged_as_check_judges_them() {
    let workflow = "on: [push, pull_request]\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: make test\n";
    let history = format!(
        r#"
[[commit]]
day = 0
write = {{ ".opslint.toml" = "[scan]\nmax-total-read = \"3 KiB\"\nmax-file-size = \"700\"\n", "src/a.py" = "x\n", "tests/test_a.py" = "def test_a(): pass\n", ".github/workflows/ci.yml" = "{big_workflow}", "Makefile" = "{makefile}", "Dockerfile" = "{dockerfile}", "requirements.txt" = "{requirements}" }}

[[commit]]
day = 4
repeat = 8
lines = {{ "NOTES.md" = 1 }}

[[commit]]
day = 40
message = "A small workflow and development requirements"
write = {{ ".github/workflows/ci.yml" = "{workflow}", "requirements-dev.txt" = "{dev}" }}

[[commit]]
day = 44
repeat = 8
lines = {{ "NOTES.md" = 1 }}

[[commit]]
day = 80
message = "A second service"
write = {{ "svc/requirements.txt" = "{requirements}", "svc/Dockerfile" = "{svc_dockerfile}" }}

[[commit]]
day = 84
repeat = 8
lines = {{ "NOTES.md" = 1 }}
"#,
        big_workflow = padded(workflow, 1200),
        workflow = padded(workflow, 400),
        makefile = padded("test:\n\tpytest\n", 400),
        dockerfile = padded("FROM python:3.12\nEXPOSE 80\n", 600),
        requirements = padded("prometheus-client\nsentry-sdk\n", 400),
        dev = padded("flask\n", 650),
        svc_dockerfile = padded("FROM python:3.12\nEXPOSE 80\n", 650),
    );
    let repo = TestRepo::from_history(&history);
    let timeline = monthly(&repo);
    let snapshots = timeline["snapshots"].as_array().unwrap();
    assert!(snapshots.len() >= 3, "{}", snapshots.len());
    each_snapshot_equals_check(&repo, snapshots);
}

/// A component served by a test project outside it (src/Api by test/Api.Tests) is judged
/// again from its own finding once the tests are gone: the served pass is not kept as its
/// own (red team).
#[test]
fn a_component_served_from_outside_loses_its_pass_with_the_tests() {
    let repo = TestRepo::new();
    repo.write(
        "src/Api/Api.csproj",
        "<Project Sdk=\"Microsoft.NET.Sdk\" />\n",
    )
    .write(
        "src/Api/Program.cs",
        "class Program { static void Main() {} }\n",
    )
    .write(
        "src/Web/Web.csproj",
        "<Project Sdk=\"Microsoft.NET.Sdk\" />\n",
    )
    .write("src/Web/Site.cs", "class Site {}\n")
    .write(
        "test/Api.Tests/Api.Tests.csproj",
        "<Project Sdk=\"Microsoft.NET.Sdk\" />\n",
    )
    .write(
        "test/Api.Tests/ProgramTests.cs",
        "public class ProgramTests { [Fact] public void Runs() {} }\n",
    );
    repo.commit_at("Api and its tests", "2025-01-15T12:00:00Z");
    repo.remove("test/Api.Tests/Api.Tests.csproj")
        .remove("test/Api.Tests/ProgramTests.cs");
    repo.commit_at("Drop the tests", "2025-02-15T12:00:00Z");
    let timeline = monthly(&repo);
    let lost: Vec<&Value> = timeline["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|event| event["rule"] == "testing.tests-exist" && event["change"] == "lost")
        .collect();
    assert_eq!(lost.len(), 1, "{timeline}");
    assert_eq!(lost[0]["commit"], commit_of(&repo, "Drop the tests"));
}

//! `opslint sweep`: many repositories, one JSON line each, whatever state they are in.

use std::collections::BTreeMap;
use std::path::Path;

use crate::support::{TestRepo, assert_tool_error, git_in, opslint};

/// A folder holding clones of the sample repository under each of `names`.
fn organisation_of(names: &[&str]) -> tempfile::TempDir {
    let org = tempfile::tempdir().unwrap();
    let sample = TestRepo::from_fixture("repos/sample");
    let source = format!("file://{}", sample.path().display());
    for name in names {
        git_in(org.path(), &["clone", "-q", &source, name]);
    }
    org
}

/// An organisation's folder: two healthy clones, a bare mirror, and the bad inputs a sweep
/// must survive. The repositories are kept alive by the returned handles.
fn organisation() -> (tempfile::TempDir, Vec<TestRepo>) {
    let org = tempfile::tempdir().unwrap();
    let root = org.path();
    std::fs::create_dir_all(root.join("team-a")).unwrap();
    std::fs::create_dir_all(root.join("mirrors")).unwrap();
    let sample = TestRepo::from_fixture("repos/sample");
    let monorepo = TestRepo::from_fixture("repos/monorepo");
    let clone = |source: &Path, target: &str, extra: &[&str]| {
        let source = format!("file://{}", source.display());
        let mut args = vec!["clone", "-q"];
        args.extend(extra);
        args.extend([source.as_str(), target]);
        git_in(root, &args);
    };
    clone(sample.path(), "team-a/sample", &[]);
    clone(monorepo.path(), "mirrors/monorepo.git", &["--bare"]);
    clone(sample.path(), "team-a/shallow", &["--depth", "1"]);
    git_in(root, &["init", "-q", "team-a/empty"]);
    // A folder named like a mirror that is none.
    std::fs::create_dir_all(root.join("mirrors/broken.git")).unwrap();
    std::fs::write(root.join("mirrors/broken.git/README"), "not a repository\n").unwrap();
    // A repository whose config is malformed.
    clone(sample.path(), "team-b/bad-config", &[]);
    let bad = root.join("team-b/bad-config");
    std::fs::write(bad.join(".opslint.toml"), "disable = [\n").unwrap();
    crate::support::commit_all_in(&bad, "Bad config");
    // A repository with a corrupt object: HEAD's tree is garbage. A copy of the fixture
    // repository, whose objects are loose.
    let corrupt = root.join("team-b/corrupt");
    let copied = std::process::Command::new("cp")
        .arg("-R")
        .arg(sample.path())
        .arg(&corrupt)
        .status()
        .unwrap();
    assert!(copied.success());
    let tree = git_in(&corrupt, &["rev-parse", "HEAD^{tree}"])
        .trim()
        .to_owned();
    let object = corrupt.join(format!(".git/objects/{}/{}", &tree[..2], &tree[2..]));
    std::fs::write(&object, b"not zlib at all").unwrap();
    (org, vec![sample, monorepo])
}

/// Runs a sweep; its exit code and its lines keyed by repository name.
fn sweep(args: &[&str], root: &Path) -> (Option<i32>, BTreeMap<String, serde_json::Value>) {
    let output = opslint()
        .arg("sweep")
        .args(args)
        .arg(root)
        .output()
        .unwrap();
    let lines = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str::<serde_json::Value>(line).expect("each line is JSON"))
        .map(|line| {
            (
                line["repository"]["name"].as_str().unwrap().to_owned(),
                line,
            )
        })
        .collect();
    (output.status.code(), lines)
}

#[test]
fn a_sweep_reports_every_repository_and_survives_bad_ones() {
    let (org, _repos) = organisation();
    let (code, lines) = sweep(&[], org.path());
    assert_eq!(code, Some(0));
    let names: Vec<&str> = lines.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            "mirrors/broken",
            "mirrors/monorepo",
            "team-a/empty",
            "team-a/sample",
            "team-a/shallow",
            "team-b/bad-config",
            "team-b/corrupt"
        ]
    );
    // Healthy repositories: the report `check --format json` writes, plus a name.
    let sample = &lines["team-a/sample"];
    assert_eq!(sample["schema_version"], 1);
    assert!(sample["findings"].as_array().unwrap().len() > 10);
    assert_eq!(lines["mirrors/monorepo"]["repository"]["scanned"], "rev");
    assert_eq!(lines["team-a/shallow"]["history"]["shallow"], true);
    assert!(lines["team-a/empty"].get("error").is_none());
    // The bad ones: an error line each, with a code and a message.
    for (name, code) in [
        ("mirrors/broken", "opslint::not_a_repository"),
        ("team-b/bad-config", "opslint::config"),
    ] {
        let error = &lines[name]["error"];
        assert!(
            error["code"].as_str().unwrap().starts_with(code),
            "{name}: {error}"
        );
        assert!(!error["message"].as_str().unwrap().is_empty());
    }
    // A corrupt object in history costs the history figures, not the working tree's report.
    let corrupt = &lines["team-b/corrupt"];
    assert!(corrupt.get("error").is_none());
    let reason = corrupt["history"]["figures"][0]["reason"].as_str().unwrap();
    assert!(reason.contains("could not be read"), "{reason}");
}

#[test]
fn an_org_config_applies_under_each_repository_config_unless_ignored() {
    let (org, _repos) = organisation();
    let config = org.path().join("org.toml");
    std::fs::write(&config, "disable = [\"learning\"]\n").unwrap();
    let config = config.to_str().unwrap();
    let (_, lines) = sweep(&["--config", config], org.path());
    let sample = &lines["team-a/sample"];
    assert!(
        sample["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|finding| finding["area"] != "learning")
    );
    assert!(lines["team-b/bad-config"].get("error").is_some());
    let (_, ignored) = sweep(&["--config", config, "--ignore-repo-config"], org.path());
    assert!(ignored["team-b/bad-config"].get("error").is_none());
}

#[test]
fn over_its_time_budget_a_repository_gets_an_error_line() {
    let (org, _repos) = organisation();
    let (code, lines) = sweep(&["--timeout-per-repo", "0"], org.path());
    assert_eq!(code, Some(0));
    assert_eq!(
        lines["team-a/sample"]["error"]["code"],
        "opslint::timed_out"
    );
}

#[test]
fn shards_together_are_the_unsharded_sweep() {
    let (org, _repos) = organisation();
    let (_, whole) = sweep(&["--no-history"], org.path());
    let mut merged = BTreeMap::new();
    for shard in ["1/3", "2/3", "3/3"] {
        let (code, part) = sweep(&["--no-history", "--shard", shard], org.path());
        assert_eq!(code, Some(0));
        for (name, line) in part {
            assert!(
                merged.insert(name.clone(), line).is_none(),
                "{name} is in two shards"
            );
        }
    }
    assert_eq!(
        merged.keys().collect::<Vec<_>>(),
        whole.keys().collect::<Vec<_>>()
    );
    for (name, line) in &whole {
        assert_eq!(line["findings"], merged[name]["findings"], "{name}");
    }
}

#[test]
fn resume_skips_what_an_interrupted_sweep_wrote() {
    let (org, _repos) = organisation();
    let output = org.path().join("sweep.jsonl");
    let out = output.to_str().unwrap();
    let (code, _) = sweep(&["--no-history", "-o", out], org.path());
    assert_eq!(code, Some(0));
    let full = std::fs::read_to_string(&output).unwrap();
    // Interrupted after two repositories, the third line cut short.
    let mut lines: Vec<&str> = full.lines().collect();
    let cut = &lines[2][..lines[2].len() / 2];
    lines.truncate(2);
    std::fs::write(&output, format!("{}\n{cut}", lines.join("\n"))).unwrap();
    let resumed = opslint()
        .args(["sweep", "--no-history", "--resume", "-o", out])
        .arg(org.path())
        .output()
        .unwrap();
    assert_eq!(resumed.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&resumed.stderr).contains("2 already done"));
    let names = |text: &str| {
        let mut names: Vec<String> = text
            .lines()
            .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
            .map(|line| line["repository"]["name"].as_str().unwrap().to_owned())
            .collect();
        names.sort();
        names
    };
    assert_eq!(
        names(&std::fs::read_to_string(&output).unwrap()),
        names(&full)
    );
}

#[test]
fn repositories_can_be_listed_and_fail_on_gates_the_exit_code() {
    let (org, _repos) = organisation();
    let list = format!(
        "# two of them\n{}\n\n{}\n",
        org.path().join("team-a/sample").display(),
        org.path().join("mirrors/monorepo.git").display()
    );
    let output = opslint()
        .args([
            "sweep",
            "--no-history",
            "--repos-from",
            "-",
            "--fail-on",
            "error",
        ])
        .write_stdin(list)
        .output()
        .unwrap();
    let lines: Vec<&str> = std::str::from_utf8(&output.stdout)
        .unwrap()
        .lines()
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(
        output.status.code(),
        Some(1),
        "the monorepo fails an error-level rule"
    );
    let nothing = opslint()
        .args(["sweep"])
        .arg(org.path().join("team-a/empty/.git/objects"))
        .output()
        .unwrap();
    assert_tool_error(&nothing, &["no repositories to sweep"]);
}

#[test]
fn report_renders_the_organisation_in_every_format() {
    let (org, _repos) = organisation();
    std::fs::write(
        org.path().join("team-a/sample/CODEOWNERS"),
        "* @acme/team-a\n",
    )
    .unwrap();
    let output = org.path().join("sweep.jsonl");
    opslint()
        .args(["sweep", "--no-history", "-o"])
        .arg(&output)
        .arg(org.path())
        .assert()
        .code(0);
    let render = |args: &[&str]| {
        let rendered = opslint()
            .arg("report")
            .arg(&output)
            .args(args)
            .env("SOURCE_DATE_EPOCH", "1764547200")
            .output()
            .unwrap();
        assert_eq!(rendered.status.code(), Some(0));
        String::from_utf8(rendered.stdout).unwrap()
    };

    let markdown = render(&["--format", "markdown", "--group-by", "codeowners"]);
    assert!(markdown.starts_with("# opslint · organisation report\n"));
    assert!(markdown.contains("5 repositories scanned"), "{markdown}");
    assert!(markdown.contains("· 2 could not be scanned"));
    // Issue 16: when, by which opslint, from what and over which window.
    let provenance = format!(
        "Generated 2025-12-01 00:00 UTC by opslint {} · 7 repositories from 1 sweep file · \
         history window: no history\n",
        env!("CARGO_PKG_VERSION")
    );
    assert!(markdown.contains(&provenance), "{markdown}");
    assert!(markdown.contains("## Weakest practices"));
    assert!(
        markdown.contains("## Owner `@acme/team-a` (1)"),
        "{markdown}"
    );
    assert!(markdown.contains("| `mirrors/broken` | `opslint::not_a_repository`"));
    // Issue 20: the levels reached per area, the steps next for most repositories, and each
    // owning team's own first step.
    assert!(markdown.contains("## Maturity levels\n"), "{markdown}");
    assert!(
        markdown.contains("| Area | Level 0 | 1 | 2 | 3 |\n"),
        "{markdown}"
    );
    assert!(
        markdown.contains("## The organisation's plan\n"),
        "{markdown}"
    );
    assert!(
        regex::Regex::new(r"\| `@acme/team-a` \| `[a-z]+\.[a-z-]+` \| 1 of 1 \|")
            .unwrap()
            .is_match(&markdown),
        "{markdown}"
    );

    let csv = render(&["--format", "csv"]);
    let rows: Vec<&str> = csv.lines().collect();
    assert_eq!(
        rows[0],
        "repository,owners,area,score,passed,failed,overrides,error"
    );
    assert!(
        rows.iter()
            .any(|row| row.starts_with("team-a/sample,'@acme/team-a,ci,"))
    );
    assert!(
        rows.iter()
            .any(|row| row.starts_with("mirrors/broken,,,,,,,opslint::not_a_repository"))
    );

    let html = render(&[]);
    assert!(html.starts_with("<!doctype html>"));
    assert!(html.contains("<table id=\"heat\">") && html.contains("team-b/corrupt"));
    assert!(
        html.contains("<h2>Maturity levels</h2>")
            && html.contains("<h2>The organisation's plan</h2>")
    );
    assert!(html.contains(&format!("<p class=\"meta\">{}", provenance.trim_end())));
    // Long names are clipped in their cell and whole in its tooltip.
    assert!(html.contains("<td class=\"name\"><div title=\"team-a/sample\">team-a/sample</div>"));
    // Self-contained: nothing is fetched.
    for external in ["http://", "https://", " src=", "@import"] {
        assert!(!html.contains(external), "{external}");
    }

    // Shards merge: the same repositories from two files, each once.
    let first = org.path().join("shard-1.jsonl");
    let second = org.path().join("shard-2.jsonl");
    for (shard, file) in [("1/2", &first), ("2/2", &second)] {
        opslint()
            .args(["sweep", "--no-history", "--shard", shard, "-o"])
            .arg(file)
            .arg(org.path())
            .assert()
            .code(0);
    }
    let merged = opslint()
        .args(["report", "--format", "csv"])
        .arg(&first)
        .arg(&second)
        .output()
        .unwrap();
    assert_eq!(String::from_utf8(merged.stdout).unwrap(), csv);

    let bad = org.path().join("bad.jsonl");
    std::fs::write(&bad, "{not json\n").unwrap();
    let failed = opslint().arg("report").arg(&bad).output().unwrap();
    assert_tool_error(
        &failed,
        &["bad.jsonl:1: not a sweep line, and no line of the files is one"],
    );
}

/// The organisation report of a sweep of fixture repositories (with their scripted
/// histories, so the windows and moving signals are the same on every run), in each format,
/// is a snapshot: a change to any part of it, wording, numbers or order, shows in review.
#[test]
fn the_organisation_report_in_each_format() {
    let org = tempfile::tempdir().unwrap();
    let root = org.path();
    let sample = TestRepo::from_fixture("repos/sample");
    sample.write("CODEOWNERS", "* @acme/team-a\n");
    sample.commit("Owners");
    let fixtures = [
        (
            TestRepo::from_fixture("repos/monorepo"),
            "team-a/monorepo.git",
        ),
        (sample, "team-a/sample"),
        (
            TestRepo::from_fixture("rules/dora.release-cadence/pass"),
            "team-b/releases",
        ),
        (
            TestRepo::from_fixture("rules/flow.small-batches/fail"),
            "team-b/batches",
        ),
    ];
    for (repo, name) in &fixtures {
        let source = format!("file://{}", repo.path().display());
        let bare: &[&str] = if name.ends_with(".git") {
            &["--bare"]
        } else {
            &[]
        };
        git_in(root, &[&["clone", "-q"], bare, &[&source, name]].concat());
    }
    // A folder named like a mirror that is none: an error line.
    std::fs::create_dir_all(root.join("mirrors/broken.git")).unwrap();
    let output = root.join("sweep.jsonl");
    opslint()
        .args(["sweep", "-o"])
        .arg(&output)
        .arg(root)
        .assert()
        .code(0);
    let render = |args: &[&str]| {
        let rendered = opslint()
            .arg("report")
            .arg(&output)
            .args(args)
            .env("SOURCE_DATE_EPOCH", "1764547200")
            .output()
            .unwrap();
        assert_eq!(
            rendered.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&rendered.stderr)
        );
        crate::support::redact(&String::from_utf8(rendered.stdout).unwrap(), root)
    };
    insta::assert_snapshot!(
        "organisation_markdown",
        render(&["--format", "markdown", "--group-by", "codeowners"])
    );
    insta::assert_snapshot!("organisation_csv", render(&["--format", "csv"]));
    insta::assert_snapshot!("organisation_html", render(&["--format", "html"]));
}

/// Issue 16: a symbolic link to a folder was passed over without a word. It is still not
/// followed (it could lead the sweep to a sibling's repository, reported under the link's
/// name), but each one is named on stderr and counted in the summary, once across shards.
#[cfg(unix)]
#[test]
fn symbolic_links_to_folders_are_named_and_counted_not_followed() {
    let (org, repos) = organisation();
    let alias = org.path().join("team-c/alias");
    std::fs::create_dir_all(alias.parent().unwrap()).unwrap();
    // A repository outside the root, reached only through the link.
    std::os::unix::fs::symlink(repos[0].path(), &alias).unwrap();
    let output = opslint()
        .args(["sweep", "--no-history"])
        .arg(org.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert_eq!(stdout.lines().count(), 7, "the link's target is not swept");
    assert!(!stdout.contains("team-c"), "{stdout}");
    let stderr = String::from_utf8(output.stderr).unwrap();
    let named = format!(
        "sweep: {} is a symbolic link (to {}): not followed",
        alias.display(),
        repos[0].path().display()
    );
    assert!(stderr.lines().any(|line| line == named), "{stderr}");
    assert!(
        stderr.contains("swept 7 repositories (2 failed to scan), 1 symbolic link not followed"),
        "{stderr}"
    );

    let mut named_in = 0;
    for shard in ["1/3", "2/3", "3/3"] {
        let output = opslint()
            .args(["sweep", "--no-history", "--shard", shard])
            .arg(org.path())
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(0));
        let stderr = String::from_utf8(output.stderr).unwrap();
        named_in += usize::from(stderr.contains(&named));
    }
    assert_eq!(named_in, 1, "one shard names the link");

    // A root holding only links: the error says why nothing was found.
    let links = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(repos[0].path(), links.path().join("sample")).unwrap();
    let output = opslint().arg("sweep").arg(links.path()).output().unwrap();
    assert_tool_error(&output, &["is a symbolic link", "no repositories to sweep"]);
}

/// Issue 17: a repository's name and its CODEOWNERS lines are the repository's to choose; a
/// cell starting with `=`, `+`, `-` or `@` is a formula to a spreadsheet, quoted or not.
#[test]
fn csv_cells_a_spreadsheet_would_evaluate_are_neutralised() {
    let org = organisation_of(&["=HYPERLINK(1)"]);
    let clone = org.path().join("=HYPERLINK(1)");
    std::fs::write(clone.join("CODEOWNERS"), "* @team +evil -x\n").unwrap();
    crate::support::commit_all_in(&clone, "Owners");
    let output = org.path().join("sweep.jsonl");
    opslint()
        .args(["sweep", "--no-history", "-o"])
        .arg(&output)
        .arg(org.path().join("=HYPERLINK(1)"))
        .assert()
        .code(0);
    let csv = opslint()
        .args(["report", "--format", "csv"])
        .arg(&output)
        .output()
        .unwrap();
    let csv = String::from_utf8(csv.stdout).unwrap();
    let row = csv.lines().nth(1).expect("a row per area");
    assert!(row.starts_with("'=HYPERLINK(1),'@team"), "{csv}");
    for line in csv.lines() {
        for cell in line.split(',') {
            assert!(!cell.starts_with(['=', '+', '-', '@']), "{cell} in {csv}");
        }
    }
}

/// A listed path inside a repository, or its `.git` folder, is that repository: its line
/// carries the path discovery would give it, and `--resume` does not sweep it again.
#[test]
fn listed_subfolders_and_git_folders_resume_as_their_repository() {
    let org = organisation_of(&["one", "two"]);
    std::fs::create_dir_all(org.path().join("one/src/deep")).unwrap();
    let list = org.path().join("list.txt");
    std::fs::write(
        &list,
        format!(
            "{}\n{}\n",
            org.path().join("one/src/deep").display(),
            org.path().join("two/.git").display()
        ),
    )
    .unwrap();
    let output = org.path().join("sweep.jsonl");
    for _ in 0..3 {
        opslint()
            .args(["sweep", "--no-history", "--resume", "--repos-from"])
            .arg(&list)
            .arg("-o")
            .arg(&output)
            .assert()
            .code(0);
    }
    let text = std::fs::read_to_string(&output).unwrap();
    let mut lines: Vec<serde_json::Value> = text
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(lines.len(), 2, "{text}");
    // Written as each finishes: in either order.
    lines.sort_by_key(|line| line["repository"]["name"].to_string());
    let canonical = |name: &str| {
        std::fs::canonicalize(org.path().join(name))
            .unwrap()
            .display()
            .to_string()
    };
    assert_eq!(lines[0]["repository"]["path"], canonical("one"));
    assert_eq!(lines[0]["repository"]["name"], "one");
    assert_eq!(lines[1]["repository"]["path"], canonical("two"));
    assert_eq!(lines[1]["repository"]["name"], "two");
    assert!(lines.iter().all(|line| line.get("error").is_none()));
}

/// A complete last line without its line feed is a repository done, not a line cut short.
#[test]
fn resume_keeps_a_complete_last_line_without_a_line_feed() {
    let org = organisation_of(&["repos/one", "repos/two"]);
    let output = org.path().join("sweep.jsonl");
    opslint()
        .args(["sweep", "--no-history", "-o"])
        .arg(&output)
        .arg(org.path().join("repos"))
        .assert()
        .code(0);
    let full = std::fs::read_to_string(&output).unwrap();
    std::fs::write(&output, full.trim_end()).unwrap();
    let resumed = opslint()
        .args(["sweep", "--no-history", "--resume", "-o"])
        .arg(&output)
        .arg(org.path().join("repos"))
        .output()
        .unwrap();
    assert_eq!(resumed.status.code(), Some(0));
    assert!(
        String::from_utf8_lossy(&resumed.stderr).contains("2 already done"),
        "{}",
        String::from_utf8_lossy(&resumed.stderr)
    );
    assert_eq!(std::fs::read_to_string(&output).unwrap(), full);
}

/// One damaged line costs its repository, not the report: it is skipped, named on stderr
/// and counted in the report.
#[test]
fn report_skips_and_counts_a_damaged_line() {
    let org = tempfile::tempdir().unwrap();
    let sample = TestRepo::from_fixture("repos/sample");
    let output = org.path().join("sweep.jsonl");
    opslint()
        .args(["sweep", "--no-history", "-o"])
        .arg(&output)
        .arg(sample.path())
        .assert()
        .code(0);
    let mut text = std::fs::read_to_string(&output).unwrap();
    text.push_str("{\"repository\": {\"pa\n");
    std::fs::write(&output, text).unwrap();
    let rendered = opslint()
        .args(["report", "--format", "markdown"])
        .arg(&output)
        .output()
        .unwrap();
    assert_eq!(rendered.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&rendered.stderr);
    assert!(
        stderr.contains("sweep.jsonl:2: not a sweep line, skipped"),
        "{stderr}"
    );
    let markdown = String::from_utf8(rendered.stdout).unwrap();
    assert!(
        markdown.contains("1 repository scanned") && markdown.contains("1 damaged line skipped"),
        "{markdown}"
    );
}

/// Issue 19: the organisation report reads each line as the report type the sweep wrote. A
/// line of another schema version would be misread as this one: it is an error naming its
/// file and line. Fields a newer opslint adds within the same version are read past, and a
/// line whose values are not a report's (a severity no report has) is a damaged line.
#[test]
fn report_refuses_another_schema_version_and_reads_past_new_fields() {
    let org = organisation_of(&["one"]);
    let output = org.path().join("sweep.jsonl");
    opslint()
        .args(["sweep", "--no-history", "-o"])
        .arg(&output)
        .arg(org.path().join("one"))
        .assert()
        .code(0);
    let written = std::fs::read_to_string(&output).unwrap();
    let report = |lines: &[String]| {
        std::fs::write(&output, lines.join("\n") + "\n").unwrap();
        opslint()
            .args(["report", "--format", "markdown"])
            .arg(&output)
            .env("SOURCE_DATE_EPOCH", "1764547200")
            .output()
            .unwrap()
    };
    let original = report(&[written.trim_end().to_owned()]);
    assert_eq!(original.status.code(), Some(0));
    assert!(original.stderr.is_empty());

    let line: serde_json::Value = serde_json::from_str(&written).unwrap();
    let mut extended = line.clone();
    extended["added"] = "by a newer opslint".into();
    extended["repository"]["added"] = 1.into();
    extended["findings"][0]["added"] = serde_json::json!({"any": ["shape"]});
    let read = report(&[extended.to_string()]);
    assert_eq!(read.status.code(), Some(0));
    assert_eq!(
        String::from_utf8(read.stdout).unwrap(),
        String::from_utf8(original.stdout).unwrap()
    );
    assert!(read.stderr.is_empty());

    let mut newer = line.clone();
    newer["schema_version"] = 2.into();
    let refused = report(&[line.to_string(), newer.to_string()]);
    assert_tool_error(
        &refused,
        &[&format!(
            "sweep.jsonl:2: a sweep line of schema version 2; opslint {} reads version 1",
            env!("CARGO_PKG_VERSION")
        )],
    );
    assert!(refused.stdout.is_empty());

    // A severity (or status, or area) a newer opslint of the same schema version may write
    // costs that finding, not the repository's line.
    let mut unknown = line.clone();
    unknown["findings"][0]["severity"] = "fatal".into();
    let mut without = line.clone();
    without["findings"].as_array_mut().unwrap().remove(0);
    let passed_over = report(&[unknown.to_string()]);
    assert_eq!(passed_over.status.code(), Some(0));
    assert!(passed_over.stderr.is_empty());
    assert_eq!(
        String::from_utf8(passed_over.stdout).unwrap(),
        String::from_utf8(report(&[without.to_string()]).stdout).unwrap()
    );
}

/// A repository chooses its name and its CODEOWNERS: in the organisation's Markdown and
/// HTML they are text, never markup, a table break, a link or an @mention.
#[cfg(unix)]
#[test]
fn names_and_owners_are_text_in_markdown_and_html() {
    let org = tempfile::tempdir().unwrap();
    let sample = TestRepo::from_fixture("repos/sample");
    let source = format!("file://{}", sample.path().display());
    let hostile = "<img src=x onerror=alert(1)> `x` | y\n@everyone";
    std::fs::create_dir_all(org.path().join("repos")).unwrap();
    git_in(
        &org.path().join("repos"),
        &["clone", "-q", &source, hostile],
    );
    let clone = org.path().join("repos").join(hostile);
    std::fs::write(
        clone.join("CODEOWNERS"),
        "* @everyone [x](http://evil) <b>bold</b>\n",
    )
    .unwrap();
    crate::support::commit_all_in(&clone, "Owners");
    let output = org.path().join("sweep.jsonl");
    opslint()
        .args(["sweep", "--no-history", "-o"])
        .arg(&output)
        .arg(org.path().join("repos"))
        .assert()
        .code(0);
    let render = |format: &str| {
        let rendered = opslint()
            .args(["report", "--group-by", "codeowners", "--format", format])
            .arg(&output)
            .output()
            .unwrap();
        assert_eq!(rendered.status.code(), Some(0));
        String::from_utf8(rendered.stdout).unwrap()
    };
    let markdown = render("markdown");
    let row = markdown
        .lines()
        .find(|line| line.contains("onerror"))
        .expect("a row for the repository");
    // Its name is one code span, whole on one line, its pipe escaped.
    assert!(
        row.starts_with("| ``<img src=x onerror=alert(1)> `x` \\| y @everyone`` |"),
        "{markdown}"
    );
    for heading in markdown.lines().filter(|line| line.starts_with("## Owner")) {
        assert!(
            heading.starts_with("## Owner `"),
            "owners are code: {heading}"
        );
    }
    assert!(
        markdown.contains("## Owner `[x](http://evil)` (1)"),
        "{markdown}"
    );
    assert!(markdown.contains("## Owner `@everyone` (1)"), "{markdown}");
    let html = render("html");
    assert!(!html.contains("<img"), "{html}");
    assert!(!html.contains("<b>bold"), "{html}");
    assert!(
        html.contains("&lt;img src=x onerror=alert(1)&gt;"),
        "{html}"
    );
    let csv = render("csv");
    // One quoted name (its line break inside the quotes), then the owners, neutralised.
    assert!(
        csv.contains("\n\"<img src=x onerror=alert(1)> `x` | y\n@everyone\",'@everyone [x]"),
        "{csv}"
    );
}

/// A custom rule of a repository's own, failing.
const OWN_RULE: &str = r#"
[[rule]]
id = "cd.aaa-own"
area = "cd"
title = "A practice of this repository's own"
severity = "error"
rationale = "r"
remediation = "r"
[[rule.check]]
kind = "files-present"
files = ["NOPE.md"]
"#;

/// Issue: a repository's own config could make it look perfect in the organisation's
/// picture unseen. What it changes is in its line and in every format of the report; what
/// the organisation locks it cannot lower; and its own custom rules do not rank among the
/// organisation's weakest practices.
#[test]
fn a_repository_lowering_its_own_bar_is_seen_and_locked_rules_hold() {
    let org = tempfile::tempdir().unwrap();
    let sample = TestRepo::from_fixture("repos/sample");
    let source = format!("file://{}", sample.path().display());
    let repos = org.path().join("repos");
    std::fs::create_dir_all(&repos).unwrap();
    for name in ["lax", "own", "plain"] {
        git_in(&repos, &["clone", "-q", &source, name]);
    }
    // Every repository has the same custom rule of its own, and fails it: were it ranked,
    // it would be the weakest practice.
    for name in ["own", "plain"] {
        std::fs::write(repos.join(name).join(".opslint.toml"), OWN_RULE).unwrap();
        crate::support::commit_all_in(&repos.join(name), "A rule of our own");
    }
    let lax = repos.join("lax");
    std::fs::write(
        lax.join(".opslint.toml"),
        format!(
            r#"disable = ["learning", "ci.runs-tests", "security"]

[rules."collaboration.code-owners"]
severity = "note"

[rules."security.dependency-updates"]
severity = "note"

[[exempt]]
rule = "security.policy"
reason = "we are special"

[[exempt]]
rule = "testing.coverage"
reason = "measured elsewhere"
{OWN_RULE}"#
        ),
    )
    .unwrap();
    crate::support::commit_all_in(&lax, "Lower the bar");
    let config = org.path().join("org.toml");
    std::fs::write(
        &config,
        "[lock]\nrules = [\"ci.runs-tests\"]\nareas = [\"security\"]\n",
    )
    .unwrap();
    let output = org.path().join("sweep.jsonl");
    opslint()
        .args(["sweep", "--no-history", "--config"])
        .arg(&config)
        .arg("-o")
        .arg(&output)
        .arg(&repos)
        .assert()
        .code(0);
    let lines = lines_by_name(&output);
    let line = &lines["lax"];
    let overrides: Vec<(String, String, bool)> = line["repository"]["overrides"]
        .as_array()
        .expect("the changes are listed")
        .iter()
        .map(|change| {
            (
                change["kind"].as_str().unwrap().to_owned(),
                change["id"].as_str().unwrap().to_owned(),
                change["refused"] == true,
            )
        })
        .collect();
    let expected = [
        ("disable", "learning", false),
        ("disable", "ci.runs-tests", true),
        ("disable", "security", true),
        ("exempt", "security.policy", true),
        ("exempt", "testing.coverage", false),
        ("severity", "collaboration.code-owners", false),
        ("severity", "security.dependency-updates", true),
        ("custom-rule", "cd.aaa-own", false),
    ];
    let expected: Vec<(String, String, bool)> = expected
        .iter()
        .map(|(kind, id, refused)| ((*kind).to_owned(), (*id).to_owned(), *refused))
        .collect();
    assert_eq!(overrides, expected, "{}", line["repository"]);
    let exemption = &line["repository"]["overrides"][4];
    assert_eq!(exemption["reason"], "measured elsewhere");
    let severity = &line["repository"]["overrides"][5];
    assert_eq!(
        (&severity["from"], &severity["to"]),
        (&"warning".into(), &"note".into())
    );
    // Locked rules are judged with the organisation's settings.
    let finding = |rule: &str| {
        line["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|finding| finding["rule"] == rule)
            .cloned()
    };
    assert!(finding("ci.runs-tests").is_some());
    assert!(finding("learning.decision-records").is_none());
    assert_ne!(finding("security.policy").unwrap()["status"], "exempted");
    assert_eq!(
        finding("security.dependency-updates").unwrap()["severity"],
        "warning"
    );
    assert_eq!(finding("testing.coverage").unwrap()["status"], "exempted");
    assert_eq!(
        lines["plain"]["repository"]["overrides"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert!(
        lines["plain"]["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|finding| finding["rule"] == "cd.aaa-own" && finding["status"] == "fail")
    );

    let render = |format: &str| {
        let rendered = opslint()
            .args(["report", "--format", format])
            .arg(&output)
            .output()
            .unwrap();
        assert_eq!(rendered.status.code(), Some(0));
        String::from_utf8(rendered.stdout).unwrap()
    };
    let markdown = render("markdown");
    assert!(
        markdown.contains("| `lax` | ") && markdown.contains(" | 8 (4 refused) |"),
        "{markdown}"
    );
    assert!(
        markdown.contains("## Repositories that changed their own bar (3)"),
        "{markdown}"
    );
    assert!(
        markdown.contains(
            "| `lax` | turns off \\`ci.runs-tests\\` (refused: locked by the organisation) |"
        ),
        "{markdown}"
    );
    let weakest = markdown
        .split("## Weakest practices")
        .nth(1)
        .unwrap()
        .split("## Areas")
        .next()
        .unwrap();
    assert!(!weakest.contains("cd.aaa-own"), "{weakest}");
    let html = render("html");
    assert!(
        html.contains("Repositories that changed their own bar (3)"),
        "{html}"
    );
    assert!(
        html.contains("exempts `testing.coverage` (&quot;measured elsewhere&quot;)"),
        "{html}"
    );
    assert!(html.contains(">8 (4 refused)</td>"), "{html}");
    let csv = render("csv");
    assert!(csv.starts_with("repository,owners,area,score,passed,failed,overrides,error\n"));
    assert!(
        csv.lines()
            .any(|row| row.starts_with("lax,,ci,") && row.ends_with(",8,")),
        "{csv}"
    );
    assert!(
        csv.lines()
            .any(|row| row.starts_with("plain,,ci,") && row.ends_with(",1,")),
        "{csv}"
    );
}

/// `[lock]` names rules and areas that exist, and only an organisation's config has one.
#[test]
fn a_lock_names_known_ids_and_belongs_to_the_organisation() {
    let repo = TestRepo::from_fixture("repos/sample");
    let config = repo.path().join("org.toml");
    std::fs::write(
        &config,
        "[lock]\nrules = [\"ci.runs-test\"]\nareas = [\"securty\"]\n",
    )
    .unwrap();
    let output = opslint()
        .args(["check", "--config"])
        .arg(&config)
        .arg(repo.path())
        .output()
        .unwrap();
    assert_tool_error(
        &output,
        &[
            "unknown rule `ci.runs-test`",
            "did you mean `ci.runs-tests`?",
            "unknown area `securty`",
            "org.toml:2:",
        ],
    );

    repo.write(".opslint.toml", "[lock]\nrules = [\"ci.runs-tests\"]\n");
    repo.commit("Lock");
    let output = opslint().arg("check").arg(repo.path()).output().unwrap();
    assert_tool_error(&output, &["a repository's config cannot lock rules"]);
}

/// A red team lifted a repository's place in the organisation's picture with custom rules of
/// its own config that always pass (weight 10, in every area, a locked one included). The
/// organisation report scores each repository on the built-in and the organisation's rules
/// only, and says so; the repository's own line still counts its rules.
#[test]
fn a_repository_s_own_custom_rules_do_not_lift_its_organisation_scores() {
    let org = organisation_of(&["honest", "gamer"]);
    let gamer = org.path().join("gamer");
    let mut rules = String::new();
    for area in ["ci", "security", "observability"] {
        for index in 0..5 {
            rules.push_str(&format!(
                "[[rule]]\nid = \"{area}.always-{index}\"\narea = \"{area}\"\n\
                 title = \"Always passes\"\nseverity = \"note\"\nweight = 10\n\
                 rationale = \"r\"\nremediation = \"r\"\n[[rule.check]]\n\
                 kind = \"files-present\"\nfiles = [\"README.md\"]\n"
            ));
        }
    }
    std::fs::write(gamer.join(".opslint.toml"), rules).unwrap();
    crate::support::commit_all_in(&gamer, "Rules that always pass");
    let config = org.path().join("org.toml");
    std::fs::write(&config, "[lock]\nareas = [\"security\"]\n").unwrap();
    let output = org.path().join("sweep.jsonl");
    opslint()
        .args(["sweep", "--no-history", "--config"])
        .arg(&config)
        .arg("-o")
        .arg(&output)
        .arg(org.path().join("honest"))
        .arg(&gamer)
        .assert()
        .code(0);
    let lines = lines_by_name(&output);
    // The repository's own report counts its rules.
    assert!(lines["gamer"]["score"].as_u64() > lines["honest"]["score"].as_u64());

    let csv = opslint()
        .args(["report", "--format", "csv"])
        .arg(&output)
        .output()
        .unwrap();
    let csv = String::from_utf8(csv.stdout).unwrap();
    // repository, owners, area, score, passed, failed: the same for both.
    let scores = |name: &str| -> Vec<String> {
        csv.lines()
            .filter(|line| line.starts_with(&format!("{name},")))
            .map(|line| {
                line.split(',')
                    .skip(2)
                    .take(4)
                    .collect::<Vec<_>>()
                    .join(",")
            })
            .collect()
    };
    assert!(!scores("honest").is_empty(), "{csv}");
    assert_eq!(scores("gamer"), scores("honest"), "{csv}");

    let markdown = opslint()
        .args(["report", "--format", "markdown"])
        .arg(&output)
        .output()
        .unwrap();
    let markdown = String::from_utf8(markdown.stdout).unwrap();
    assert!(
        markdown.contains("custom rules from a repository's own config are left out (1 repository"),
        "{markdown}"
    );
    let row = |name: &str| {
        markdown
            .lines()
            .find(|line| line.starts_with(&format!("| `{name}` | ")))
            .map(|line| line.split(" | ").skip(1).collect::<Vec<_>>())
            .unwrap()
    };
    // Score and area cells, without the "own config" count.
    let (gamer, honest) = (row("gamer"), row("honest"));
    assert_eq!(gamer[0], honest[0], "{markdown}");
    assert_eq!(gamer[2..], honest[2..], "{markdown}");
}

/// A sweep's output file, its lines by repository name.
fn lines_by_name(output: &std::path::Path) -> BTreeMap<String, serde_json::Value> {
    std::fs::read_to_string(output)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str::<serde_json::Value>(line).unwrap())
        .map(|line| {
            (
                line["repository"]["name"].as_str().unwrap().to_owned(),
                line,
            )
        })
        .collect()
}

/// Mirrors laid out as `<owner+name>/repo`, given one by one, are told apart by the folder
/// above them; one given twice is scanned once.
#[test]
fn repositories_of_one_name_are_told_apart_and_one_given_twice_is_scanned_once() {
    let org = organisation_of(&["acme+api/repo", "acme+web/repo"]);
    let api = org.path().join("acme+api/repo");
    let web = org.path().join("acme+web/repo");
    let output = opslint()
        .args(["sweep", "--no-history"])
        .arg(&api)
        .arg(&web)
        .arg(format!("{}/", api.display()))
        .output()
        .unwrap();
    let names: Vec<String> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str::<serde_json::Value>(line).unwrap())
        .map(|line| line["repository"]["name"].as_str().unwrap().to_owned())
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(sorted, ["acme+api/repo", "acme+web/repo"], "{names:?}");
}

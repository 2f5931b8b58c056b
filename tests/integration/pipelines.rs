//! CI pipeline analysis: triggers and test commands read from parsed pipelines, with task
//! runners followed to what they actually run.

use crate::support::{TestRepo, finding, json_report, opslint, status_of};

const WORKFLOW: &str = "on: [push, pull_request]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: RUN\n";

/// A repository with some source code, so that there are tests to run
/// (`ci.runs-tests` applies).
fn repo_with_code() -> TestRepo {
    let repo = TestRepo::new();
    repo.write("app.py", "def main():\n    pass\n");
    repo
}

fn workflow_running(command: &str) -> String {
    WORKFLOW.replace("RUN", command)
}

/// The status of `ci.runs-tests` and its first evidence line.
fn runs_tests(repo: &TestRepo) -> (String, Option<u64>) {
    repo.commit("pipeline");
    let (_, report) = json_report(&[], repo.path());
    let line = finding(&report, "ci.runs-tests").unwrap()["evidence"][0]["line"].as_u64();
    (status_of(&report, "ci.runs-tests"), line)
}

/// The status and message of `rule`, scanned with only it selected.
fn judged(repo: &TestRepo, rule: &str) -> (String, String) {
    let (_, report) = json_report(&["--select", rule], repo.path());
    let message = finding(&report, rule).unwrap()["message"].to_string();
    (status_of(&report, rule), message)
}

#[test]
fn a_make_target_that_runs_a_test_tool_counts_at_the_step_line() {
    let repo = repo_with_code();
    repo.write(".github/workflows/ci.yml", workflow_running("make ci"));
    repo.write(
        "Makefile",
        ".PHONY: ci\nci: lint test\nlint:\n\tgolangci-lint run\ntest:\n\tgo test ./...\n",
    );
    assert_eq!(runs_tests(&repo), ("pass".to_owned(), Some(7)));
}

/// A task file opslint could not read (over the read cap) hides what `make test` runs: the
/// rule is unknown, naming the file, not a failure that would turn CI red.
#[test]
fn a_task_file_over_the_read_cap_makes_the_rule_unknown_naming_it() {
    let repo = repo_with_code();
    repo.write(".github/workflows/ci.yml", workflow_running("make test"));
    let padding = format!("# {}\n", "-".repeat(2_000));
    repo.write("Makefile", format!("test:\n\tpytest\n{padding}"));
    repo.write(".opslint.toml", "[scan]\nmax-file-size = \"1000\"\n");
    repo.commit("pipeline");
    let (_, report) = json_report(&[], repo.path());
    let rule = finding(&report, "ci.runs-tests").unwrap();
    assert_eq!(rule["status"], "unknown", "{rule:#}");
    let message = rule["message"].as_str().unwrap();
    assert!(
        message.contains("Makefile is") && message.contains("`make test`"),
        "{message}"
    );
}

#[test]
fn a_lint_only_pipeline_does_not_run_tests() {
    let repo = repo_with_code();
    repo.write(".github/workflows/ci.yml", workflow_running("make lint"));
    repo.write(
        "Makefile",
        "lint:\n\tgolangci-lint run\ntest:\n\tgo test ./...\n",
    );
    assert_eq!(runs_tests(&repo).0, "fail");
}

#[test]
fn the_npm_placeholder_script_is_not_a_test_suite() {
    let repo = repo_with_code();
    repo.write(".github/workflows/ci.yml", workflow_running("npm test"));
    repo.write(
        "package.json",
        r#"{"scripts": {"test": "echo \"Error: no test specified\" && exit 1"}}"#,
    );
    assert_eq!(runs_tests(&repo).0, "fail");
    repo.write("package.json", r#"{"scripts": {"test": "vitest run"}}"#);
    assert_eq!(runs_tests(&repo).0, "pass");
}

#[test]
fn gitlab_merge_request_pipelines_and_scripts() {
    let repo = repo_with_code();
    repo.write(
        ".gitlab-ci.yml",
        "workflow:\n  rules:\n    - if: $CI_PIPELINE_SOURCE == \"merge_request_event\"\ntest:\n  script:\n    - pytest -q\n",
    );
    repo.commit("gitlab");
    let (_, report) = json_report(&[], repo.path());
    assert_eq!(status_of(&report, "ci.pull-request-trigger"), "pass");
    let trigger = &finding(&report, "ci.pull-request-trigger").unwrap()["evidence"][0];
    assert_eq!(trigger["line"], 3);
    assert_eq!(status_of(&report, "ci.runs-tests"), "pass");
}

#[test]
fn a_workflow_that_only_mentions_pull_request_in_a_string_is_not_triggered_by_it() {
    let repo = repo_with_code();
    repo.write(
        ".github/workflows/ci.yml",
        "on:\n  push:\n    branches: [main]\njobs:\n  x:\n    steps:\n      - run: echo pull_request\n",
    );
    repo.commit("push to main only");
    let (_, report) = json_report(&[], repo.path());
    assert_eq!(status_of(&report, "ci.pull-request-trigger"), "fail");
}

#[test]
fn a_malformed_pipeline_is_a_finding_with_its_line_not_a_crash() {
    let repo = repo_with_code();
    repo.write(".github/workflows/ci.yml", "on: push\njobs:\n  test: [\n");
    repo.commit("broken");
    let (code, report) = json_report(&[], repo.path());
    assert_eq!(code, Some(1));
    let parses = finding(&report, "ci.pipeline-parses").unwrap();
    assert_eq!(parses["status"], "fail");
    assert_eq!(parses["evidence"][0]["path"], ".github/workflows/ci.yml");
    assert!(parses["evidence"][0]["line"].as_u64().is_some(), "{parses}");
}

#[test]
fn a_reusable_workflow_of_another_repository_makes_the_rule_unknown_naming_it() {
    let repo = repo_with_code();
    repo.write(
        ".github/workflows/ci.yml",
        "on: pull_request\njobs:\n  lint:\n    runs-on: ubuntu-latest\n    steps:\n      - run: cargo clippy\n  test:\n    uses: acme/shared-ci/.github/workflows/rust.yml@v3\n",
    );
    repo.commit("shared workflow");
    let (_, report) = json_report(&[], repo.path());
    let runs_tests = finding(&report, "ci.runs-tests").unwrap();
    // What the shared workflow runs may be the tests: never an error on what was not seen.
    assert_eq!(runs_tests["status"], "unknown");
    let message = runs_tests["message"].as_str().unwrap();
    assert!(
        message.ends_with(
            "Not seen: what the reusable workflow acme/shared-ci/.github/workflows/rust.yml@v3 \
             runs, called at .github/workflows/ci.yml:8."
        ),
        "{message}"
    );
}

#[test]
fn a_test_step_in_a_matrix_job_says_what_varies() {
    let repo = repo_with_code();
    repo.write(
        ".github/workflows/ci.yml",
        "on: pull_request\njobs:\n  test:\n    strategy:\n      matrix:\n        os: [ubuntu-latest, windows-latest]\n        node: [20, 22, 24]\n    runs-on: ${{ matrix.os }}\n    steps:\n      - run: npx playwright install --with-deps\n      - run: npx playwright test\n",
    );
    repo.commit("matrix");
    let (_, report) = json_report(&[], repo.path());
    let evidence = &finding(&report, "ci.runs-tests").unwrap()["evidence"][0];
    // Installing the browsers is not running the tests.
    assert_eq!(evidence["line"], 11);
    assert_eq!(
        evidence["detail"],
        "npx playwright test (matrix: os (2) × node (3))"
    );
}

/// What a case is, its files, the status of `ci.runs-tests`, where its evidence is.
type TestRun = (
    &'static str,
    &'static [(&'static str, &'static str)],
    &'static str,
    Option<&'static str>,
);

/// Each CI system's way of running the tests, and the ways a step only looks like it does.
const TEST_RUNS: &[TestRun] = &[
    (
        "an Azure Pipelines Maven task",
        &[(
            "azure-pipelines.yml",
            "trigger: [main]\nsteps:\n- task: Maven@4\n  inputs:\n    mavenPomFile: pom.xml\n",
        )],
        "pass",
        Some("azure-pipelines.yml"),
    ),
    (
        "an Azure Pipelines .NET task that only builds",
        &[(
            "azure-pipelines.yml",
            "steps:\n- task: DotNetCoreCLI@2\n  inputs:\n    command: build\n",
        )],
        "fail",
        None,
    ),
    (
        "an Azure template of another repository",
        &[(
            "azure-pipelines.yml",
            "resources:\n  repositories:\n  - repository: templates\n    type: github\n    name: org/templates\nextends:\n  template: ci.yml@templates\n",
        )],
        "unknown",
        // (the call opslint could not read)
        Some("azure-pipelines.yml"),
    ),
    (
        "a Jenkins plugin's buildPlugin()",
        &[("Jenkinsfile", "buildPlugin(useContainerAgent: true)\n")],
        "pass",
        Some("Jenkinsfile"),
    ),
    (
        "a step of a Jenkins shared library nobody here knows",
        &[(
            "Jenkinsfile",
            "@Library('acme-pipelines') _\nstandardBuild(team: 'payments')\n",
        )],
        "unknown",
        // (the call opslint could not read)
        Some("Jenkinsfile"),
    ),
    (
        "a CircleCI orb's test job, which runs the package's test script",
        &[
            (
                ".circleci/config.yml",
                "version: 2.1\norbs:\n  node: circleci/node@5\nworkflows:\n  test:\n    jobs:\n      - node/test\n",
            ),
            ("package.json", "{\"scripts\": {\"test\": \"jest\"}}\n"),
        ],
        "pass",
        Some(".circleci/config.yml"),
    ),
    (
        "an orb job nobody here knows",
        &[(
            ".circleci/config.yml",
            "version: 2.1\norbs:\n  acme: acme/ci@1\nworkflows:\n  main:\n    jobs:\n      - acme/verify\n",
        )],
        "unknown",
        // (the call opslint could not read)
        Some(".circleci/config.yml"),
    ),
    (
        "Travis CI's default script for Node, npm test",
        &[
            (".travis.yml", "language: node_js\nnode_js: [20]\n"),
            ("package.json", "{\"scripts\": {\"test\": \"mocha\"}}\n"),
        ],
        "pass",
        Some(".travis.yml"),
    ),
    (
        "a script the workflow runs",
        &[
            (
                ".github/workflows/ci.yml",
                "on: pull_request\njobs:\n  test:\n    runs-on: x\n    steps:\n      - run: ./ci/build.sh\n",
            ),
            ("ci/build.sh", "#!/bin/sh\nset -eu\npython -m pytest -q\n"),
        ],
        "pass",
        Some("ci/build.sh"),
    ),
    (
        "a script named for the tests that runs a home-grown harness",
        &[
            (
                ".github/workflows/ci.yml",
                "on: pull_request\njobs:\n  test:\n    runs-on: x\n    steps:\n      - run: ./run_all_tests.sh\n",
            ),
            (
                "run_all_tests.sh",
                "#!/bin/sh\nfor t in build/*_test; do \"$t\"; done\n",
            ),
        ],
        "pass",
        Some(".github/workflows/ci.yml"),
    ),
    (
        "a Gradle task chosen at run time is unknown, not failed",
        &[(
            ".github/workflows/ci.yml",
            "on: pull_request\njobs:\n  test:\n    runs-on: x\n    steps:\n      - run: ./gradlew ${{ matrix.task }}\n",
        )],
        "unknown",
        // (the call opslint could not read)
        Some(".github/workflows/ci.yml"),
    ),
    (
        "a script a make target runs",
        &[
            (
                ".github/workflows/ci.yml",
                "on: pull_request\njobs:\n  test:\n    runs-on: x\n    steps:\n      - run: make test-all\n",
            ),
            ("Makefile", "test-all:\n\tscript/test\n"),
            ("script/test", "#!/bin/bash\ngo test ./...\n"),
        ],
        "pass",
        Some(".github/workflows/ci.yml"),
    ),
    (
        "a composite action of the repository",
        &[
            (
                ".github/workflows/ci.yml",
                "on: pull_request\njobs:\n  test:\n    runs-on: x\n    steps:\n      - uses: ./.github/actions/test\n",
            ),
            (
                ".github/actions/test/action.yml",
                "runs:\n  using: composite\n  steps:\n    - run: pytest\n      shell: bash\n",
            ),
        ],
        "pass",
        Some(".github/actions/test/action.yml"),
    ),
    (
        "a test command that is only printed",
        &[(
            ".github/workflows/ci.yml",
            "on: pull_request\njobs:\n  test:\n    runs-on: x\n    steps:\n      - run: echo npm test\n",
        )],
        "fail",
        None,
    ),
    (
        "a test command that cannot fail",
        &[(
            ".github/workflows/ci.yml",
            "on: pull_request\njobs:\n  test:\n    runs-on: x\n    steps:\n      - run: pytest || true\n",
        )],
        "fail",
        None,
    ),
    (
        "a test step allowed to fail",
        &[(
            ".github/workflows/ci.yml",
            "on: pull_request\njobs:\n  test:\n    runs-on: x\n    steps:\n      - run: pytest\n        continue-on-error: true\n",
        )],
        "fail",
        None,
    ),
    (
        "a test job switched off",
        &[(
            ".github/workflows/ci.yml",
            "on: pull_request\njobs:\n  test:\n    if: false\n    runs-on: x\n    steps:\n      - run: pytest\n",
        )],
        "fail",
        None,
    ),
    (
        "a Maven build that skips the tests",
        &[(
            ".github/workflows/ci.yml",
            "on: pull_request\njobs:\n  build:\n    runs-on: x\n    steps:\n      - run: mvn -B -DskipTests package\n",
        )],
        "fail",
        None,
    ),
    (
        "autotools' make check",
        &[(
            ".gitlab-ci.yml",
            "test:\n  script:\n    - ./autogen.sh && ./configure\n    - make check\n",
        )],
        "pass",
        Some(".gitlab-ci.yml"),
    ),
];

#[test]
fn each_ci_system_and_delegation_runs_tests_and_lookalikes_do_not() {
    let mut wrong = Vec::new();
    for (case, files, status, evidence) in TEST_RUNS {
        let repo = repo_with_code();
        for (path, text) in *files {
            repo.write(path, text);
        }
        repo.commit(case);
        let (_, report) = json_report(&[], repo.path());
        let found = finding(&report, "ci.runs-tests").unwrap();
        let path = found["evidence"][0]["path"].as_str();
        if found["status"] != *status || path != *evidence {
            wrong.push(format!("{case}: {found}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// An unknown names every call opslint could not read: in JSON as its evidence, with `-v`
/// one line each (new-user trial: only the first, an unrelated chat action, was named).
#[test]
fn an_unknown_names_each_call_it_could_not_read() {
    let repo = repo_with_code();
    repo.write(
        "Jenkinsfile",
        "@Library('acme-pipelines') _\nstandardBuild(team: 'payments')\n",
    );
    repo.commit("a shared library");
    let (_, report) = json_report(&[], repo.path());
    let found = finding(&report, "ci.runs-tests").unwrap();
    assert_eq!(found["status"], "unknown");
    let lines: Vec<u64> = found["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|evidence| evidence["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, [1, 2], "{found}");
    let output = opslint()
        .args(["check", "--no-history", "-v"])
        .arg(repo.path())
        .env("COLUMNS", "200")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        text.contains("not seen: Jenkinsfile:1 (the Jenkins shared library acme-pipelines)")
            && text.contains("not seen: Jenkinsfile:2 (the Jenkins library step standardBuild())"),
        "{text}"
    );
}

#[test]
fn a_script_a_pipeline_runs_is_no_pipeline_definition_to_parse() {
    let repo = repo_with_code();
    repo.write(".github/workflows/ci.yml", workflow_running("./ci/test.sh"));
    repo.write("ci/test.sh", "#!/bin/sh\npytest\n");
    repo.commit("script");
    let (_, report) = json_report(&[], repo.path());
    let parses = finding(&report, "ci.pipeline-parses").unwrap();
    let paths: Vec<&str> = parses["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|evidence| evidence["path"].as_str())
        .collect();
    assert_eq!(paths, [".github/workflows/ci.yml"], "{parses}");
}

/// Red-team round 3: a command whose task is written in it is judged by that task, not hidden
/// as out of sight; a test run after `echo` or behind quotes counts; a script is named for
/// the tests only when it is the command run.
#[test]
fn commands_are_judged_by_the_task_they_name() {
    let cases: &[(&str, &str)] = &[
        ("./mvnw -B $MAVEN_ARGS -DskipTests package", "fail"),
        ("./gradlew assemble --scan ${{ env.GRADLE_FLAGS }}", "fail"),
        ("make -C $SCRIPT_DIR/.. build", "fail"),
        ("npm run build -- --base ${{ inputs.base_url }}", "fail"),
        ("gh workflow run deploy.yml", "fail"),
        ("echo \\\"run: make $TARGET to test locally\\\"", "fail"),
        ("make lint 2> $TARGET_LOG", "fail"),
        ("chmod +x ci/run-tests.sh", "fail"),
        ("./scripts/deploy-test.sh", "fail"),
        ("echo Testing && go test ./...", "pass"),
        ("pip install -r requirements.txt && pytest", "pass"),
        ("./gradlew \\\"test\\\"", "pass"),
        ("mvn -B 'verify'", "pass"),
        ("make $TARGET", "unknown"),
        ("./gradlew ${{ matrix.task }}", "unknown"),
        // Red-team round of the named-command change: a tool's own words are not a test
        // run asked for by name, a project's program or a subcommand is.
        (
            "docker build -t app:test . && helm lint chart --namespace test",
            "fail",
        ),
        (
            "dart analyze test && uvx ruff check tests && createdb test",
            "fail",
        ),
        ("cat > notes.md <<'EOF'\\npytest\\nEOF", "fail"),
        ("mvn -v && mvn --version", "fail"),
        ("./scripts/seed.sh --provider fake", "fail"),
        ("which pytest && pytest --version", "fail"),
        ("./build/bin/suite-driver -a test", "unknown"),
        ("zig test src/main.zig", "pass"),
        ("gleam test", "unknown"),
        ("${{ matrix.command }}", "unknown"),
        ("python -m coverage run -m unittest discover", "pass"),
        ("ninja -C build test", "pass"),
        ("pnpm -r test", "pass"),
        ("docker build --target test .", "pass"),
        ("cargo miri test", "pass"),
    ];
    let mut wrong = Vec::new();
    for (command, expected) in cases {
        let repo = repo_with_code();
        repo.write(
            ".github/workflows/ci.yml",
            workflow_running(&format!("\"{command}\"")),
        );
        let (status, _) = runs_tests(&repo);
        if status != *expected {
            wrong.push(format!("{command}: {status}, expected {expected}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// A backslash-continued command is one command: an `echo` before the continuation does
/// not swallow the test run after it.
#[test]
fn continued_lines_after_an_echo_still_run_the_tests() {
    let repo = repo_with_code();
    repo.write(
        ".github/workflows/ci.yml",
        "on: pull_request\njobs:\n  t:\n    runs-on: x\n    steps:\n      - run: |\n          echo \"Running unit tests...\" && \\\n            python -m pytest -q\n",
    );
    assert_eq!(runs_tests(&repo).0, "pass");
}

#[test]
fn the_organisations_own_actions_are_not_third_party_when_the_remote_names_it() {
    let repo = TestRepo::new();
    repo.write(
        ".github/workflows/ci.yml",
        "on: pull_request\njobs:\n  build:\n    uses: Acme/ci/.github/workflows/build.yml@v2\n  lint:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683\n      - uses: acme/lint-action@main\n",
    );
    repo.commit("pipeline");
    let pinned = |repo: &TestRepo| {
        let (_, report) = json_report(&["--select", "security.actions-pinned"], repo.path());
        status_of(&report, "security.actions-pinned")
    };
    // Without a remote, whose the actions are is not known: a tag is a tag.
    assert_eq!(pinned(&repo), "fail");
    // Nor with another forge's: its groups are no GitHub owners.
    repo.git(&[
        "remote",
        "add",
        "gitlab",
        "git@gitlab.com:acme/payments.git",
    ]);
    assert_eq!(pinned(&repo), "fail");
    repo.git(&["remote", "remove", "gitlab"]);
    // The forge compares owners ignoring case.
    repo.git(&[
        "remote",
        "add",
        "origin",
        "git@github.com:acme/payments.git",
    ]);
    assert_eq!(pinned(&repo), "pass");
    // The report says whose the repository was taken to be.
    let (_, report) = json_report(&["--select", "security.actions-pinned"], repo.path());
    assert_eq!(report["repository"]["github"], "acme/payments");
    // Another organisation's action by tag is a third party's.
    repo.write(
        ".github/workflows/release.yml",
        "on: push\njobs:\n  release:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: acmecorp/release-action@v1\n",
    );
    repo.commit("release");
    assert_eq!(pinned(&repo), "fail");
}

#[test]
fn a_workflow_of_this_repository_called_by_its_full_name_is_read_from_the_tree() {
    let repo = repo_with_code();
    repo.write("tests/test_app.py", "def test_main():\n    pass\n");
    repo.write(
        ".github/workflows/ci.yml",
        "on: pull_request\njobs:\n  test:\n    uses: acme/payments/.github/workflows/test.yml@main\n",
    );
    repo.write(
        ".github/workflows/test.yml",
        "on: workflow_call\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: acme/payments/.github/actions/setup@main\n      - run: pytest\n",
    );
    repo.write(
        ".github/actions/setup/action.yml",
        "runs:\n  using: composite\n  steps:\n    - run: pip install -e .\n      shell: bash\n",
    );
    repo.commit("pipeline");
    let coverage = |repo: &TestRepo| judged(repo, "testing.coverage");
    // Without a remote the call is to some other repository, out of sight.
    let (status, message) = coverage(&repo);
    assert_eq!(status, "unknown", "{message}");
    assert!(
        message.contains("acme/payments/.github/workflows/test.yml@main"),
        "{message}"
    );
    // With it, the call is to this repository's own workflow and action, which are read:
    // nothing is out of sight, and nothing measures coverage.
    repo.git(&[
        "remote",
        "add",
        "origin",
        "https://github.com/acme/payments.git",
    ]);
    let (status, message) = coverage(&repo);
    assert_eq!(status, "fail", "{message}");
}

#[test]
fn an_own_workflow_called_by_full_name_that_the_tree_does_not_hold_is_out_of_sight() {
    let repo = repo_with_code();
    repo.write("tests/test_app.py", "def test_main():\n    pass\n");
    // The workflow `@v1` names was removed since: the tag's version runs, unseen.
    repo.write(
        ".github/workflows/ci.yml",
        "on: pull_request\njobs:\n  test:\n    uses: acme/payments/.github/workflows/old-test.yml@v1\n  lint:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: acme/payments/.github/actions/gone@v1\n      - run: ruff check .\n",
    );
    repo.commit("pipeline");
    repo.git(&[
        "remote",
        "add",
        "origin",
        "https://github.com/acme/payments.git",
    ]);
    let tests = |repo: &TestRepo| judged(repo, "ci.runs-tests");
    let (status, message) = tests(&repo);
    assert_eq!(status, "unknown", "{message}");
    assert!(
        message.contains(
            "the reusable workflow acme/payments/.github/workflows/old-test.yml@v1, which this \
             commit's tree does not hold,"
        ),
        "{message}"
    );
    // Held by the tree, it is read: nothing runs the tests.
    repo.write(
        ".github/workflows/old-test.yml",
        "on: workflow_call\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: ruff check .\n",
    );
    repo.write(
        ".github/actions/gone/action.yml",
        "runs:\n  using: composite\n  steps:\n    - run: pip install -e .\n      shell: bash\n",
    );
    repo.commit("restored");
    let (status, message) = tests(&repo);
    assert_eq!(status, "fail", "{message}");
}

#[test]
fn what_only_reusable_workflows_no_workflow_here_calls_run_is_out_of_sight() {
    let repo = repo_with_code();
    repo.write("tests/test_app.py", "def test_main():\n    pass\n");
    // A shared-workflows repository: `all.yml` fans out to `shared.yml`, which runs a
    // script and a composite action; no workflow here starts on an event of its own.
    repo.write(
        ".github/workflows/all.yml",
        "on: workflow_call\njobs:\n  t:\n    uses: ./.github/workflows/shared.yml\n",
    );
    repo.write(
        ".github/workflows/shared.yml",
        "on:\n  workflow_call:\njobs:\n  j:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: ./.github/actions/check\n      - run: ./scripts/test.sh\n",
    );
    repo.write(
        ".github/actions/check/action.yml",
        "runs:\n  using: composite\n  steps:\n    - run: pytest\n      shell: bash\n",
    );
    repo.write("scripts/test.sh", "#!/bin/sh\npytest\n");
    repo.commit("shared workflows");
    let (_, report) = json_report(
        &[
            "--select",
            "ci.runs-tests",
            "--select",
            "ci.pipeline-parses",
        ],
        repo.path(),
    );
    // Whether a file parses does not depend on who calls it.
    assert_eq!(status_of(&report, "ci.pipeline-parses"), "pass");
    // Its callers are elsewhere, and may test this repository: no error.
    let message = finding(&report, "ci.runs-tests").unwrap()["message"].to_string();
    assert_eq!(status_of(&report, "ci.runs-tests"), "unknown", "{message}");
    assert!(
        message.contains("no workflow of this repository calls"),
        "{message}"
    );
    // A workflow that starts on its own event makes what it calls this repository's CI.
    repo.write(
        ".github/workflows/ci.yml",
        "on: [push, pull_request]\njobs:\n  all:\n    uses: ./.github/workflows/all.yml\n",
    );
    repo.commit("ci");
    let (status, message) = judged(&repo, "ci.runs-tests");
    assert_eq!(status, "pass", "{message}");
}

//! The GitHub Action's script (`action/run.sh`), run as GitHub would run it: its
//! environment variables pointed at temporary files.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::support::TestRepo;

struct Run {
    /// RUNNER_TEMP, where the SARIF is written.
    _temp: tempfile::TempDir,
    code: Option<i32>,
    stdout: String,
    outputs: HashMap<String, String>,
    summary: String,
}

fn run_action(repo: &Path, env: &[(&str, &str)]) -> Run {
    let temp = tempfile::tempdir().unwrap();
    let output_file = temp.path().join("output");
    let summary_file = temp.path().join("summary");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("action/run.sh");
    let output = std::process::Command::new("bash")
        .arg(script)
        .env("OPSLINT_BIN", assert_cmd::cargo::cargo_bin("opslint"))
        .env("OPSLINT_PATH", repo)
        .env("GITHUB_OUTPUT", &output_file)
        .env("GITHUB_STEP_SUMMARY", &summary_file)
        .env("GITHUB_REPOSITORY", "acme/app")
        .env("GITHUB_ACTOR", "ada")
        .env("GITHUB_EVENT_NAME", "push")
        .env("RUNNER_TEMP", temp.path())
        .env("NO_COLOR", "1")
        .envs(env.iter().copied())
        .output()
        .unwrap();
    let outputs = std::fs::read_to_string(&output_file)
        .unwrap_or_default()
        .lines()
        .filter_map(|line| line.split_once('='))
        .map(|(key, value)| (key.to_owned(), value.to_owned()))
        .collect();
    Run {
        _temp: temp,
        code: output.status.code(),
        stdout: String::from_utf8(output.stdout).unwrap(),
        outputs,
        summary: std::fs::read_to_string(&summary_file).unwrap_or_default(),
    }
}

#[test]
fn a_push_gets_annotations_a_summary_outputs_and_sarif() {
    let repo = TestRepo::from_fixture("repos/sample");
    let run = run_action(repo.path(), &[]);
    assert_eq!(run.code, Some(0), "{}", run.stdout);
    assert!(
        run.stdout
            .contains("::notice title=opslint::opslint: score")
    );
    assert!(run.summary.starts_with("## opslint · "));
    assert_eq!(run.outputs["failed"], "false");
    assert!(
        run.outputs["score"].parse::<u32>().is_ok(),
        "{:?}",
        run.outputs
    );
    assert_eq!(run.outputs["upload"], "true");
    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&run.outputs["sarif-file"]).unwrap())
            .unwrap();
    assert_eq!(sarif["version"], "2.1.0");
}

#[test]
fn a_pull_request_that_drops_ci_fails_and_a_fork_skips_the_upload() {
    let repo = TestRepo::from_fixture("repos/sample");
    let base = repo.git(&["rev-parse", "HEAD"]).trim().to_owned();
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.remove(".github/workflows/ci.yml");
    repo.commit("Drop CI");
    let run = run_action(
        repo.path(),
        &[
            ("GITHUB_EVENT_NAME", "pull_request"),
            ("OPSLINT_BASE", &base),
            ("OPSLINT_HEAD_REPO", "stranger/app"),
        ],
    );
    assert_eq!(
        run.code,
        Some(0),
        "findings fail a later step, after the upload"
    );
    assert_eq!(run.outputs["failed"], "true");
    assert!(run.stdout.contains("::error title=") && run.stdout.contains("ci.pipeline"));
    assert!(run.summary.contains("Introduced by this change"));
    assert_eq!(run.outputs["upload"], "false");
    assert!(run.stdout.contains("forks get a read-only token"));

    let dependabot = run_action(
        repo.path(),
        &[
            ("GITHUB_ACTOR", "dependabot[bot]"),
            ("OPSLINT_UPLOAD_SARIF", "true"),
        ],
    );
    assert_eq!(dependabot.outputs["upload"], "false");
}

#[test]
fn a_shallow_pull_request_checkout_fetches_the_history_and_is_judged_by_its_base() {
    let (_repo, base, _clone, shallow) = crate::support::shallow_change_lowering_its_bar();
    let run = run_action(
        &shallow,
        &[
            ("GITHUB_EVENT_NAME", "pull_request"),
            ("OPSLINT_BASE", &base),
        ],
    );
    assert_eq!(run.code, Some(0), "{}", run.stdout);
    assert!(
        run.stdout.contains("fetching the history"),
        "{}",
        run.stdout
    );
    // The base's config judges the change: its own `disable = ["ci"]` does not hide the
    // deleted pipeline.
    assert_eq!(run.outputs["failed"], "true", "{}", run.stdout);
    assert!(run.stdout.contains("(ci.pipeline)"), "{}", run.stdout);
    assert!(run.summary.contains("Introduced by this change"));
}

#[test]
fn a_pull_request_whose_merge_base_cannot_be_fetched_fails_closed() {
    let (_repo, base, _clone, shallow) = crate::support::shallow_change_lowering_its_bar();
    crate::support::git_in(
        &shallow,
        &["remote", "set-url", "origin", "/nonexistent/repo"],
    );
    let run = run_action(
        &shallow,
        &[
            ("GITHUB_EVENT_NAME", "pull_request"),
            ("OPSLINT_BASE", &base),
        ],
    );
    assert_eq!(run.code, Some(2), "{}", run.stdout);
    assert!(
        run.stdout
            .contains("::error title=opslint: no merge base::")
            && run.stdout.contains("fetch-depth: 0"),
        "{}",
        run.stdout
    );
    // Nothing reported as a scan: no outputs, so no upload, and no summary.
    assert!(run.outputs.is_empty(), "{:?}", run.outputs);
    assert_eq!(run.summary, "");

    // A base that is an option is refused, not handed to git.
    let run = run_action(&shallow, &[("OPSLINT_BASE", "--upload-pack=touch x")]);
    assert_eq!(run.code, Some(2), "{}", run.stdout);
    assert!(run.stdout.contains("is not a revision"), "{}", run.stdout);
}

#[test]
fn a_shallow_push_checkout_says_how_to_fix_it_and_still_reports_the_tree() {
    let repo = TestRepo::from_fixture("repos/sample");
    repo.write("docs/notes.md", "notes\n");
    repo.commit("Notes");
    let clone = tempfile::tempdir().unwrap();
    let source = format!("file://{}", repo.path().display());
    crate::support::git_in(
        clone.path(),
        &["clone", "-q", "--depth", "1", &source, "shallow"],
    );
    let run = run_action(&clone.path().join("shallow"), &[]);
    assert_eq!(run.code, Some(0), "{}", run.stdout);
    assert!(run.stdout.contains("fetch-depth: 0"));
    assert!(run.summary.contains("## opslint"));
    assert_eq!(run.outputs["failed"], "false");
}

/// `with: args: |` on several lines: every line's arguments count, not only the first's.
#[test]
fn args_on_several_lines_are_all_passed() {
    let repo = TestRepo::from_fixture("repos/sample");
    // The sample's notes fail at `note`; judging only ci.pipeline, nothing fails.
    let all = run_action(repo.path(), &[("OPSLINT_FAIL_ON", "note")]);
    assert_eq!(all.outputs["failed"], "true", "{}", all.stdout);
    let run = run_action(
        repo.path(),
        &[
            ("OPSLINT_FAIL_ON", "note"),
            ("OPSLINT_ARGS", "--window 30d\n\t--select  ci.pipeline\n"),
        ],
    );
    assert_eq!(run.code, Some(0), "{}", run.stdout);
    assert_eq!(run.outputs["failed"], "false", "{}", run.stdout);
}

#[test]
fn opslint_failing_to_run_fails_the_step() {
    let dir = tempfile::tempdir().unwrap();
    let run = run_action(dir.path(), &[]);
    assert_eq!(run.code, Some(2));
    assert!(
        run.stdout
            .contains("::error title=opslint::opslint could not scan")
    );
}

/// The action's repository: action.yml, action/ and the workflows.
fn action_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Runs one of the action's scripts with `env`, and the step outputs it wrote.
fn run_script(script: &str, args: &[&str], env: &[(&str, &str)]) -> Run {
    let temp = tempfile::tempdir().unwrap();
    let output_file = temp.path().join("output");
    let summary_file = temp.path().join("summary");
    let output = std::process::Command::new("bash")
        .arg(action_dir().join("action").join(script))
        .args(args)
        .env("GITHUB_OUTPUT", &output_file)
        .env("GITHUB_STEP_SUMMARY", &summary_file)
        .env_remove("GITHUB_ACTION_PATH")
        .env_remove("OPSLINT_RELEASES_URL")
        .env_remove("OPSLINT_BUILD")
        .env_remove("RUNNER_OS")
        .env_remove("RUNNER_ARCH")
        .envs(env.iter().copied())
        .output()
        .unwrap();
    let outputs = std::fs::read_to_string(&output_file)
        .unwrap_or_default()
        .lines()
        .filter_map(|line| line.split_once('='))
        .map(|(key, value)| (key.to_owned(), value.to_owned()))
        .collect();
    Run {
        code: output.status.code(),
        stdout: String::from_utf8(output.stdout).unwrap()
            + &String::from_utf8(output.stderr).unwrap(),
        outputs,
        summary: std::fs::read_to_string(&summary_file).unwrap_or_default(),
        _temp: temp,
    }
}

/// A small stand-in for the action's source: what the binary is built from, and more.
fn fake_action() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let files = [
        (
            "Cargo.toml",
            "[package]\nname = \"opslint\"\nversion = \"0.4.2\"\n\n[dependencies]\nversion = \"1\"\n",
        ),
        ("Cargo.lock", "version = 4\n"),
        ("src/main.rs", "fn main() {}\n"),
        ("rules/ci.toml", "[[rule]]\n"),
        ("README.md", "# opslint\n"),
        ("action/notes.txt", "notes\n"),
    ];
    for (path, contents) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, contents).unwrap();
    }
    dir
}

fn cache_key(action: &Path, arch: &str) -> String {
    let run = run_script(
        "key.sh",
        &[],
        &[
            ("OPSLINT_ACTION_PATH", action.to_str().unwrap()),
            ("RUNNER_OS", "Linux"),
            ("RUNNER_ARCH", arch),
        ],
    );
    assert_eq!(run.code, Some(0), "{}", run.stdout);
    assert_eq!(run.stdout.trim(), run.outputs["key"]);
    run.outputs["key"].clone()
}

#[test]
fn the_cache_key_changes_with_what_the_binary_is_built_from_and_nothing_else() {
    let action = fake_action();
    let dir = action.path();
    let key = cache_key(dir, "X64");
    assert!(
        key.starts_with("opslint-bin-x86_64-unknown-linux-gnu-"),
        "{key}"
    );
    assert_eq!(cache_key(dir, "X64"), key, "the same source, the same key");

    std::fs::write(dir.join("README.md"), "# opslint, documented\n").unwrap();
    std::fs::write(dir.join("action/notes.txt"), "other notes\n").unwrap();
    assert_eq!(cache_key(dir, "X64"), key, "docs and scripts build nothing");
    assert_ne!(cache_key(dir, "ARM64"), key, "another platform");
    let nightly = run_script(
        "key.sh",
        &[],
        &[
            ("OPSLINT_ACTION_PATH", dir.to_str().unwrap()),
            ("RUNNER_OS", "Linux"),
            ("RUNNER_ARCH", "X64"),
            ("OPSLINT_TOOLCHAIN", "nightly-2026-11-01"),
        ],
    );
    assert_ne!(
        nightly.outputs["key"], key,
        "another toolchain builds another binary"
    );

    std::fs::write(dir.join("Cargo.lock"), "version = 4\n# gix 0.91\n").unwrap();
    let locked = cache_key(dir, "X64");
    assert_ne!(locked, key, "a new Cargo.lock");
    std::fs::write(dir.join("Cargo.lock"), "version = 4\n").unwrap();
    assert_eq!(cache_key(dir, "X64"), key);

    for (path, contents) in [
        ("src/main.rs", "fn main() { run() }\n"),
        ("src/new.rs", "\n"),
        ("rules/ci.toml", "[[rule]]\nid = \"x\"\n"),
        (
            "Cargo.toml",
            "[package]\nname = \"opslint\"\nversion = \"0.4.3\"\n",
        ),
    ] {
        let before = cache_key(dir, "X64");
        std::fs::write(dir.join(path), contents).unwrap();
        assert_ne!(cache_key(dir, "X64"), before, "a change of {path}");
    }

    // The action's own source, as GitHub runs it.
    let own = run_script(
        "key.sh",
        &[],
        &[("RUNNER_OS", "Linux"), ("RUNNER_ARCH", "X64")],
    );
    assert_eq!(own.code, Some(0), "{}", own.stdout);
    assert_eq!(own.outputs["fingerprint"].len(), 64);
}

const TARGET: &str = "x86_64-unknown-linux-gnu";

/// A published release of `action`'s source in `releases/v0.4.2/`, as the release workflow
/// makes it with action/package.sh; the binary is a script that prints a version.
fn publish_release(action: &Path, releases: &Path) -> PathBuf {
    let staging = tempfile::tempdir().unwrap();
    let binary = staging.path().join("opslint");
    std::fs::write(&binary, "#!/bin/sh\necho 'opslint 0.4.2 (release)'\n").unwrap();
    let assets = releases.join("v0.4.2");
    let packed = run_script(
        "package.sh",
        &[
            "archive",
            TARGET,
            binary.to_str().unwrap(),
            assets.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(packed.code, Some(0), "{}", packed.stdout);
    let fingerprint = run_script(
        "package.sh",
        &["fingerprint", action.to_str().unwrap()],
        &[],
    );
    assert_eq!(fingerprint.code, Some(0), "{}", fingerprint.stdout);
    std::fs::write(
        assets.join("opslint-source.fingerprint"),
        fingerprint.stdout,
    )
    .unwrap();
    assets
}

struct Install {
    run: Run,
    root: tempfile::TempDir,
}

impl Install {
    fn built(&self) -> bool {
        self.root.path().join("built-from-source").exists()
    }
}

/// Runs action/install.sh for `action` with releases under `releases` and a stub build
/// that leaves a marker.
fn install(action: &Path, releases: &Path, env: &[(&str, &str)]) -> Install {
    let root = tempfile::tempdir().unwrap();
    let releases_url = format!("file://{}", releases.display());
    let build = "mkdir -p \"$OPSLINT_ROOT/bin\" && touch \"$OPSLINT_ROOT/built-from-source\" \
                 && printf '#!/bin/sh\\necho opslint built\\n' > \"$OPSLINT_ROOT/bin/opslint\" \
                 && chmod +x \"$OPSLINT_ROOT/bin/opslint\"";
    let mut vars = vec![
        ("OPSLINT_ACTION_PATH", action.to_str().unwrap()),
        ("OPSLINT_ROOT", root.path().to_str().unwrap()),
        ("OPSLINT_RELEASES_URL", releases_url.as_str()),
        ("OPSLINT_TARGET", TARGET),
        ("OPSLINT_BUILD", build),
    ];
    vars.extend_from_slice(env);
    let run = run_script("install.sh", &[], &vars);
    Install { run, root }
}

#[test]
fn a_release_binary_is_used_when_it_matches_the_source_and_its_checksum() {
    let action = fake_action();
    let releases = tempfile::tempdir().unwrap();
    publish_release(action.path(), releases.path());
    let install = install(action.path(), releases.path(), &[]);
    let run = &install.run;
    assert_eq!(run.code, Some(0), "{}", run.stdout);
    assert_eq!(run.outputs["source"], "release", "{}", run.stdout);
    assert_eq!(run.outputs["built"], "false");
    assert!(!install.built(), "{}", run.stdout);
    assert!(
        run.stdout.contains("binary of release v0.4.2"),
        "{}",
        run.stdout
    );
    let version = std::process::Command::new(&run.outputs["bin"])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&version.stdout),
        "opslint 0.4.2 (release)\n"
    );
}

#[test]
fn a_release_binary_with_a_bad_checksum_is_refused_and_built_instead() {
    let action = fake_action();
    let releases = tempfile::tempdir().unwrap();
    let assets = publish_release(action.path(), releases.path());
    let archive = assets.join(format!("opslint-{TARGET}.tar.gz"));
    let mut bytes = std::fs::read(&archive).unwrap();
    bytes.extend_from_slice(b"tampered");
    std::fs::write(&archive, bytes).unwrap();

    let install = install(action.path(), releases.path(), &[]);
    let run = &install.run;
    assert_eq!(run.code, Some(0), "{}", run.stdout);
    assert_eq!(run.outputs["source"], "build", "{}", run.stdout);
    assert_eq!(run.outputs["built"], "true");
    assert!(install.built());
    assert!(
        run.stdout
            .contains("::warning title=opslint release binary::")
            && run.stdout.contains("does not match its .sha256"),
        "{}",
        run.stdout
    );
    let version = std::process::Command::new(&run.outputs["bin"])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&version.stdout), "opslint built\n");
}

/// Replaces the release's archive with one `pack` (a bash script run in an empty staging
/// directory, `$ARCHIVE` the archive to write) makes, with a matching .sha256: a release
/// whose checksum holds but whose content is wrong.
fn repack_release(assets: &Path, pack: &str) {
    let staging = tempfile::tempdir().unwrap();
    let asset = format!("opslint-{TARGET}.tar.gz");
    let script = format!(
        "set -e; {pack}\nsource \"$LIB\"; cd \"$ASSETS\"; opslint_sha256 {asset} > {asset}.sha256"
    );
    let output = std::process::Command::new("bash")
        .args(["-c", &script])
        .current_dir(staging.path())
        .env("ARCHIVE", assets.join(&asset))
        .env("ASSETS", assets)
        .env("LIB", action_dir().join("action/lib.sh"))
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
}

#[cfg(unix)]
#[test]
fn a_release_archive_that_fails_to_extract_or_holds_a_symlink_is_refused() {
    let action = fake_action();
    let releases = tempfile::tempdir().unwrap();
    let assets = publish_release(action.path(), releases.path());

    // tar fails (gzip's trailing garbage) after extracting a binary that runs.
    repack_release(
        &assets,
        "printf '#!/bin/sh\\necho opslint 0.4.2\\n' > opslint; chmod +x opslint; \
         tar -czf \"$ARCHIVE\" opslint; printf garbage >> \"$ARCHIVE\"",
    );
    let install_ = install(action.path(), releases.path(), &[]);
    let run = &install_.run;
    assert_eq!(run.code, Some(0), "{}", run.stdout);
    assert_eq!(run.outputs["source"], "build", "{}", run.stdout);
    assert!(install_.built());
    assert!(
        run.stdout
            .contains("::warning title=opslint release binary::")
            && run.stdout.contains("could not be extracted"),
        "{}",
        run.stdout
    );

    // `opslint` is a symlink to a script elsewhere on the runner, which must be neither made
    // executable nor installed.
    let victim = tempfile::tempdir().unwrap();
    let target = victim.path().join("victim");
    std::fs::write(&target, "#!/bin/sh\necho fake\n").unwrap();
    let pack = format!(
        "ln -s '{}' opslint; tar -czf \"$ARCHIVE\" opslint",
        target.display()
    );
    repack_release(&assets, &pack);
    let install_ = install(action.path(), releases.path(), &[]);
    let run = &install_.run;
    assert_eq!(run.code, Some(0), "{}", run.stdout);
    assert_eq!(run.outputs["source"], "build", "{}", run.stdout);
    assert!(
        run.stdout
            .contains("::warning title=opslint release binary::")
            && run.stdout.contains("is not a regular file"),
        "{}",
        run.stdout
    );
    let bin = Path::new(&run.outputs["bin"]);
    assert!(!bin.is_symlink(), "{}", run.stdout);
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&target).unwrap().permissions().mode() & 0o111,
        0,
        "the symlink's target was made executable"
    );
}

#[test]
fn without_a_release_of_this_source_it_builds_and_says_why() {
    let action = fake_action();
    let releases = tempfile::tempdir().unwrap();
    let none = install(action.path(), releases.path(), &[]);
    assert_eq!(none.run.code, Some(0), "{}", none.run.stdout);
    assert_eq!(none.run.outputs["source"], "build");
    assert!(none.built());
    assert!(
        none.run
            .stdout
            .contains("building from source: no release v0.4.2 at file://"),
        "{}",
        none.run.stdout
    );

    // A commit after the release, still at its version (@main): not the release's binary.
    publish_release(action.path(), releases.path());
    std::fs::write(action.path().join("src/main.rs"), "fn main() { todo!() }\n").unwrap();
    let ahead = install(action.path(), releases.path(), &[]);
    assert_eq!(ahead.run.outputs["source"], "build", "{}", ahead.run.stdout);
    assert!(
        ahead.run.stdout.contains("built from other source"),
        "{}",
        ahead.run.stdout
    );

    // A platform without a release asset.
    let elsewhere = install(
        action.path(),
        releases.path(),
        &[
            ("OPSLINT_TARGET", ""),
            ("RUNNER_OS", "Plan9"),
            ("RUNNER_ARCH", "X64"),
        ],
    );
    assert_eq!(elsewhere.run.outputs["source"], "build");
    assert!(
        elsewhere
            .run
            .stdout
            .contains("no release asset for this platform"),
        "{}",
        elsewhere.run.stdout
    );

    // A build that produces nothing fails the step.
    let broken = install(action.path(), releases.path(), &[("OPSLINT_BUILD", "true")]);
    assert_eq!(broken.run.code, Some(1), "{}", broken.run.stdout);
}

/// The build runs outside the checked-out repository, with the toolchain named: rustup never
/// reads the pull request's rust-toolchain.toml, whose `path =` could name a cargo the pull
/// request commits (which would then be cached as opslint).
#[cfg(unix)]
#[test]
fn the_build_ignores_the_checked_out_repositorys_rust_toolchain() {
    use std::os::unix::fs::PermissionsExt;
    let action = fake_action();
    let releases = tempfile::tempdir().unwrap();
    let root = tempfile::tempdir().unwrap();
    let workspace = tempfile::tempdir().unwrap();
    let executable = |path: &Path, text: &str| {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
    };
    // The pull request's toolchain: its cargo leaves a marker.
    let pwned = workspace.path().join("PWNED");
    let evil = format!("#!/bin/sh\ntouch '{}'\n", pwned.display());
    executable(&workspace.path().join(".tc/bin/cargo"), &evil);
    executable(&workspace.path().join(".tc/bin/rustc"), &evil);
    std::fs::write(
        workspace.path().join("rust-toolchain.toml"),
        format!(
            "[toolchain]\npath = \"{}/.tc\"\n",
            workspace.path().display()
        ),
    )
    .unwrap();
    // The runner's cargo (a stand-in): says where and with which toolchain it ran.
    let shims = tempfile::tempdir().unwrap();
    executable(
        &shims.path().join("cargo"),
        "#!/bin/sh\nprintf '%s\\n' \"$PWD\" \"$RUSTUP_TOOLCHAIN\" \"$*\" > \"$OPSLINT_ROOT/cargo-ran\"\n\
         mkdir -p \"$OPSLINT_ROOT/bin\" && printf '#!/bin/sh\\n' > \"$OPSLINT_ROOT/bin/opslint\" \
         && chmod +x \"$OPSLINT_ROOT/bin/opslint\"\n",
    );
    let path = format!(
        "{}:{}",
        shims.path().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let build = |toolchain: Option<&str>| {
        let mut command = std::process::Command::new("bash");
        command
            .arg(action_dir().join("action/install.sh"))
            .current_dir(workspace.path())
            .env("PATH", &path)
            .env("OPSLINT_ACTION_PATH", action.path())
            .env("OPSLINT_ROOT", root.path())
            .env(
                "OPSLINT_RELEASES_URL",
                format!("file://{}", releases.path().display()),
            )
            .env("OPSLINT_TARGET", TARGET)
            .env_remove("OPSLINT_BUILD")
            .env_remove("OPSLINT_TOOLCHAIN")
            .env_remove("RUSTUP_TOOLCHAIN")
            .env_remove("GITHUB_ACTION_PATH")
            .env_remove("GITHUB_OUTPUT");
        if let Some(toolchain) = toolchain {
            command.env("OPSLINT_TOOLCHAIN", toolchain);
        }
        let output = command.output().unwrap();
        assert!(output.status.success(), "{output:?}");
        let ran = std::fs::read_to_string(root.path().join("cargo-ran")).unwrap();
        ran.lines().map(str::to_owned).collect::<Vec<_>>()
    };
    let ran = build(None);
    assert!(!pwned.exists(), "the pull request's cargo ran");
    let cwd = Path::new(&ran[0]);
    assert!(
        !cwd.starts_with(workspace.path())
            && !cwd.starts_with(workspace.path().canonicalize().unwrap()),
        "built in the checkout: {ran:?}"
    );
    assert_eq!(ran[1], "stable", "{ran:?}");
    assert!(ran[2].starts_with("install --locked --path"), "{ran:?}");
    assert_eq!(build(Some("1.95.0"))[1], "1.95.0");
}

#[test]
fn a_cache_hit_is_used_without_a_download_or_a_build() {
    let action = fake_action();
    let releases = tempfile::tempdir().unwrap();
    let first = install(action.path(), releases.path(), &[]);
    assert!(first.built());
    std::fs::remove_file(first.root.path().join("built-from-source")).unwrap();
    let run = run_script(
        "install.sh",
        &[],
        &[
            ("OPSLINT_ACTION_PATH", action.path().to_str().unwrap()),
            ("OPSLINT_ROOT", first.root.path().to_str().unwrap()),
            ("OPSLINT_TARGET", TARGET),
            ("OPSLINT_CACHE_HIT", "true"),
            ("OPSLINT_BUILD", "exit 9"),
        ],
    );
    assert_eq!(run.code, Some(0), "{}", run.stdout);
    assert_eq!(run.outputs["source"], "cache");
    assert_eq!(run.outputs["built"], "false", "nothing new to save");
}

/// action.yml's steps, parsed.
fn action_steps() -> Vec<serde_json::Value> {
    let text = std::fs::read_to_string(action_dir().join("action.yml")).unwrap();
    let action: serde_json::Value = serde_saphyr::from_str(&text).unwrap();
    action["runs"]["steps"].as_array().unwrap().clone()
}

fn step<'a>(steps: &'a [serde_json::Value], id: &str) -> &'a serde_json::Value {
    steps
        .iter()
        .find(|step| step["id"] == id)
        .unwrap_or_else(|| panic!("no step {id}"))
}

#[test]
fn the_binary_is_cached_by_its_source_and_saved_whatever_the_scan_found() {
    let steps = action_steps();
    let key = "${{ steps.key.outputs.key }}";
    assert!(
        step(&steps, "key")["run"]
            .as_str()
            .unwrap()
            .contains("action/key.sh")
    );
    let restore = step(&steps, "restore");
    assert!(
        restore["uses"]
            .as_str()
            .unwrap()
            .starts_with("actions/cache/restore@")
    );
    assert_eq!(restore["with"]["key"], key);
    let save = steps
        .iter()
        .find(|step| {
            step["uses"]
                .as_str()
                .is_some_and(|uses| uses.starts_with("actions/cache/save@"))
        })
        .expect("a save step");
    assert_eq!(save["with"]["key"], key);
    assert_eq!(save["with"]["path"], restore["with"]["path"]);
    let condition = save["if"].as_str().unwrap();
    assert!(
        condition.contains("always()")
            && condition.contains("steps.install.outputs.built == 'true'"),
        "saved after a failing scan, and only a binary built here: {condition}"
    );
    assert!(
        !steps.iter().any(|step| step["uses"]
            .as_str()
            .is_some_and(|uses| uses.starts_with("actions/cache@"))),
        "actions/cache saves only when the job succeeds"
    );
    assert!(
        !std::fs::read_to_string(action_dir().join("action.yml"))
            .unwrap()
            .contains("action_ref"),
        "github.action_ref is not reliable in a composite action"
    );
}

#[test]
fn a_failed_upload_is_a_warning_and_does_not_fail_the_job() {
    let steps = action_steps();
    let upload = step(&steps, "upload");
    let uses = upload["uses"].as_str().unwrap();
    assert!(
        uses.starts_with("github/codeql-action/upload-sarif@"),
        "{uses}"
    );
    assert_eq!(upload["continue-on-error"], true);
    let explain = steps
        .iter()
        .find(|step| step["if"] == "steps.upload.outcome == 'failure'")
        .expect("a step for a failed upload");
    assert!(
        explain["run"]
            .as_str()
            .unwrap()
            .contains("action/upload-failed.sh")
    );
    assert!(explain.get("continue-on-error").is_none());
    let fail = steps
        .iter()
        .find(|step| step["name"] == "Fail on findings")
        .unwrap();
    assert_eq!(fail["if"], "steps.run.outputs.failed == 'true'");

    let run = run_script(
        "upload-failed.sh",
        &[],
        &[
            ("OPSLINT_REPO_PRIVATE", "true"),
            ("OPSLINT_SARIF", "/tmp/opslint.sarif"),
        ],
    );
    assert_eq!(run.code, Some(0), "{}", run.stdout);
    assert!(
        run.stdout
            .starts_with("::warning title=opslint SARIF upload::")
    );
    for hint in [
        "Settings → Code security → Code scanning",
        "`security-events: write`",
        "`actions: read`",
        "upload-sarif: false",
    ] {
        assert!(run.stdout.contains(hint), "{hint}: {}", run.stdout);
    }
    assert!(run.summary.contains("[!WARNING]"));
    let public = run_script(
        "upload-failed.sh",
        &[],
        &[("OPSLINT_REPO_PRIVATE", "false")],
    );
    assert_eq!(public.code, Some(0));
    assert!(
        !public.stdout.contains("actions: read"),
        "{}",
        public.stdout
    );
}

/// Every `uses:` of action.yml and the workflows, with its line.
fn uses_lines() -> Vec<(String, String)> {
    let mut files = vec![action_dir().join("action.yml")];
    for entry in std::fs::read_dir(action_dir().join(".github/workflows")).unwrap() {
        files.push(entry.unwrap().path());
    }
    let mut lines = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for line in text.lines() {
            let line = line.trim().trim_start_matches("- ");
            if let Some(uses) = line.strip_prefix("uses:") {
                lines.push((file.display().to_string(), uses.trim().to_owned()));
            }
        }
    }
    lines
}

#[test]
fn every_action_used_is_pinned_to_a_commit_with_its_version() {
    let pinned = regex::Regex::new(r"^[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$").unwrap();
    let lines = uses_lines();
    assert!(lines.len() >= 5, "{lines:?}");
    for (file, uses) in &lines {
        assert!(pinned.is_match(uses), "{file}: {uses}");
    }

    // opslint's own rule agrees about the workflows.
    let repo = TestRepo::new();
    repo.write("src/main.rs", "fn main() {}\n");
    for entry in std::fs::read_dir(action_dir().join(".github/workflows")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_owned();
        repo.write(
            &format!(".github/workflows/{name}"),
            std::fs::read(&path).unwrap(),
        );
    }
    repo.commit("Workflows");
    let (_, report) = crate::support::json_report(&[], repo.path());
    for rule in [
        "security.actions-pinned",
        "security.workflow-permissions",
        "cd.release-automation",
    ] {
        assert_eq!(crate::support::status_of(&report, rule), "pass", "{rule}");
    }
}

#[test]
fn the_release_workflow_publishes_what_the_action_looks_for() {
    let text = std::fs::read_to_string(action_dir().join(".github/workflows/release.yml")).unwrap();
    let workflow: serde_json::Value = serde_saphyr::from_str(&text).unwrap();
    assert_eq!(workflow["on"]["push"]["tags"][0], "v*");
    assert_eq!(workflow["permissions"]["contents"], "read");

    let build = &workflow["jobs"]["build"];
    let mut targets: Vec<&str> = build["strategy"]["matrix"]["include"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| entry["target"].as_str().unwrap())
        .collect();
    targets.sort_unstable();
    assert_eq!(
        targets,
        [
            "aarch64-apple-darwin",
            "aarch64-unknown-linux-gnu",
            "x86_64-apple-darwin",
            "x86_64-pc-windows-msvc",
            "x86_64-unknown-linux-gnu",
        ]
    );
    let runs = |job: &serde_json::Value| -> String {
        job["steps"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|step| step["run"].as_str())
            .collect::<Vec<_>>()
            .join("\n")
    };
    let build_runs = runs(build);
    assert!(build_runs.contains("cargo build --release --locked --target \"$TARGET\""));
    assert!(build_runs.contains("action/package.sh archive"));
    assert!(
        build_runs.contains("action/package.sh version"),
        "the tag is checked"
    );
    assert!(build.get("permissions").is_none(), "builds cannot write");

    let release = &workflow["jobs"]["release"];
    assert_eq!(release["permissions"]["contents"], "write");
    let release_runs = runs(release);
    assert!(release_runs.contains("sha256sum --check"));
    assert!(
        release_runs.contains("action/package.sh fingerprint > dist/opslint-source.fingerprint"),
        "install.sh reads the fingerprint under that name"
    );
    assert!(release_runs.contains("gh release create"));
    assert!(
        std::fs::read_to_string(action_dir().join("action/install.sh"))
            .unwrap()
            .contains("opslint-source.fingerprint")
    );
}

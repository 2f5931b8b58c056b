//! A failure is recognised by every file it is about, not only by the first
//! `finding::MAX_EVIDENCE` its evidence names: past ten failing files, a new one that sorts
//! last still gates, and fixing one of them does not bring the eleventh into view as new.

use crate::support::{TestRepo, finding, json_report, opslint};

const RULE: &str = "security.base-images-pinned";

/// A repository on `main` with `count` Dockerfiles on unpinned `node`, and a `feature`
/// branch checked out from it.
fn unpinned_dockerfiles(count: usize) -> TestRepo {
    let repo = TestRepo::new();
    for index in 0..count {
        repo.write(&format!("docker/a{index:02}.Dockerfile"), "FROM node\n");
    }
    repo.commit("Dockerfiles");
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo
}

/// Adds `docker/zz-new.Dockerfile`, unpinned, sorting after every other.
fn add_unpinned_last(repo: &TestRepo) {
    repo.write("docker/zz-new.Dockerfile", "FROM node:latest\n");
    repo.commit("One more image");
}

/// Pins the first of the Dockerfiles.
fn pin_first(repo: &TestRepo) {
    repo.write("docker/a00.Dockerfile", "FROM node:22.11-bookworm-slim@sha256:3f9ac4f6d3c1a7d5e1b1f4c2d7e8a9b0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6\n");
    repo.commit("Pin one image");
}

const PULL_REQUEST: [&str; 6] = ["--rev", "HEAD", "--base", "main", "--fail-on", "warning"];

#[test]
fn an_eleventh_unpinned_image_past_the_evidence_cap_is_a_regression() {
    let repo = unpinned_dockerfiles(10);
    add_unpinned_last(&repo);
    let (code, report) = json_report(&PULL_REQUEST, repo.path());
    assert_eq!(code, Some(1), "{report:#}");
    let pinned = finding(&report, RULE).unwrap();
    assert_eq!(pinned["change"], "regressed", "{pinned:#}");
    assert_eq!(
        pinned["new_instances"],
        serde_json::json!(["docker/zz-new.Dockerfile"])
    );
}

#[test]
fn pinning_one_of_eleven_unpinned_images_is_no_regression() {
    let repo = unpinned_dockerfiles(11);
    pin_first(&repo);
    let (code, report) = json_report(&PULL_REQUEST, repo.path());
    assert_eq!(code, Some(0), "{report:#}");
    let pinned = finding(&report, RULE).unwrap();
    assert_eq!(pinned["status"], "fail");
    assert_ne!(pinned["change"], "regressed", "{pinned:#}");
    assert!(pinned.get("new_instances").is_none(), "{pinned:#}");
}

/// Records a baseline of `main` (the feature branch's base), then gates the feature
/// branch's HEAD with it.
fn gate_with_baseline_of_main(repo: &TestRepo) -> (Option<i32>, serde_json::Value) {
    let dir = tempfile::tempdir().unwrap();
    let baseline = dir.path().join("baseline.json");
    let baseline_arg = baseline.to_str().unwrap();
    opslint()
        .args(["check", "--rev", "main", "--write-baseline", baseline_arg])
        .arg(repo.path())
        .assert()
        .code(0);
    json_report(
        &[
            "--rev",
            "HEAD",
            "--baseline",
            baseline_arg,
            "--fail-on",
            "warning",
        ],
        repo.path(),
    )
}

#[test]
fn an_eleventh_unpinned_image_past_the_evidence_cap_is_not_baselined() {
    let repo = unpinned_dockerfiles(10);
    add_unpinned_last(&repo);
    let (code, report) = gate_with_baseline_of_main(&repo);
    assert_eq!(code, Some(1), "{report:#}");
    let pinned = finding(&report, RULE).unwrap();
    assert!(pinned.get("baselined").is_none(), "{pinned:#}");
    assert_eq!(
        pinned["new_instances"],
        serde_json::json!(["docker/zz-new.Dockerfile"])
    );
}

#[test]
fn pinning_one_of_eleven_baselined_unpinned_images_stays_accepted() {
    let repo = unpinned_dockerfiles(11);
    pin_first(&repo);
    let (code, report) = gate_with_baseline_of_main(&repo);
    assert_eq!(code, Some(0), "{report:#}");
    let pinned = finding(&report, RULE).unwrap();
    assert_eq!(pinned["baselined"], true, "{pinned:#}");
    assert!(pinned.get("new_instances").is_none(), "{pinned:#}");
}

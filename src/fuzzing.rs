//! Entry points for the fuzz targets (`fuzz/`) and for the regression test that replays
//! what they found (`tests/fuzz_regressions/`): each takes arbitrary bytes, drives one
//! parser or renderer of untrusted input, and panics only on a broken invariant.

use crate::area::Area;
use crate::config::settings::Settings;
use crate::facts::{dependabot, dockerfile, kubernetes, manifest, pipeline};
use crate::finding::{Evidence, Finding, Status};
use crate::render::{self, RenderOptions};
use crate::repo::Scanned;
use crate::report::{Report, RepositoryInfo};
use crate::rules;
use crate::severity::Severity;

/// `.opslint.toml`, custom rules included.
pub fn config(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = Settings::parse(".opslint.toml", text, rules::builtin_rules());
    }
}

/// A CI pipeline of each CI system, a script, or one read by key names (the first byte
/// picks which).
pub fn pipeline(data: &[u8]) {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    // Every CI system, then scripts and pipelines read by key names: a new system is
    // fuzzed without an edit here (the saved inputs pick GitHub, GitLab and Jenkins, first).
    let formats: Vec<pipeline::Format> = pipeline::SYSTEMS
        .iter()
        .map(|&system| pipeline::Format::System(system))
        .chain([pipeline::Format::Script, pipeline::Format::Other])
        .collect();
    let format = formats[usize::from(selector) % formats.len()];
    if let Ok(text) = std::str::from_utf8(rest) {
        let reading = pipeline::Reading {
            steps: &rules::builtin_definitions().steps,
            own_repository: Some("acme/payments"),
        };
        let _ = pipeline::read(format, text, &reading);
    }
}

/// Dependency manifests of every format, Dependabot config, Dockerfiles, Kubernetes
/// manifests (the first byte picks which).
pub fn manifest(data: &[u8]) {
    // One path of each format the manifest reader knows; the order is the selector's.
    const NAMES: &[&str] = manifest::EXAMPLE_PATHS;
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    match usize::from(selector) % (NAMES.len() + 3) {
        index if index < NAMES.len() => {
            let _ = manifest::read(NAMES[index], text);
        }
        index if index == NAMES.len() => {
            let _ = dependabot::ecosystems(text);
        }
        index if index == NAMES.len() + 1 => {
            let _ = dockerfile::base_images(text);
        }
        _ => {
            let _ = kubernetes::workloads(text);
        }
    }
}

/// Every report format (`render::FORMATS`), fed findings whose texts and paths are
/// arbitrary: none panics; annotations stay one command per line, the job summary under
/// GitHub's limit, SARIF, Code Quality and JSON valid JSON.
pub fn renderers(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let parts: Vec<&str> = text.split('\u{1}').collect();
    let part = |index: usize| parts.get(index % parts.len()).copied().unwrap_or_default();
    let findings: Vec<Finding> = (0..parts.len().min(40))
        .map(|index| Finding {
            rule: format!("ci.rule-{index}"),
            area: Area::ALL[index % Area::ALL.len()],
            status: [Status::Fail, Status::Pass, Status::Exempted][index % 3],
            severity: [Severity::Error, Severity::Warning, Severity::Note][index % 3],
            weight: 1,
            level: (index % 3) as u8 + 1,
            title: part(index).into(),
            message: part(index + 1).to_owned(),
            evidence: vec![Evidence {
                path: part(index + 2).to_owned(),
                line: Some(index as u32 + 1),
                detail: Some(part(index + 3).to_owned()),
            }],
            remediation: part(index + 4).into(),
            note: None,
            change: None,
            baselined: false,
            new_instances: Vec::new(),
            located: Vec::new(),
            shown_in: Vec::new(),
            applies_because: Some(Evidence {
                path: part(index + 5).to_owned(),
                line: None,
                detail: Some(part(index + 6).to_owned()),
            }),
        })
        .collect();
    let repository = RepositoryInfo {
        name: None,
        path: part(5).to_owned(),
        github: Some(part(6).to_owned()),
        head: None,
        scanned: Scanned::Rev,
        rev: None,
        config: Some(part(6).to_owned()),
        files: 0,
        submodules: Vec::new(),
        owners: Vec::new(),
        overrides: Vec::new(),
        head_problem: None,
    };
    let report = Report::new(repository, findings);
    for format in render::FORMATS {
        let mut out = Vec::new();
        format
            .render(&report, &RenderOptions::default(), &mut out)
            .expect("a report is written to memory");
        holds_its_promises(format.name, &out);
    }
}

/// What a format promises of its output whatever the report holds, checked on what it
/// wrote (a format not named here promises only not to panic).
fn holds_its_promises(format: &str, out: &[u8]) {
    match format {
        "github" => {
            for line in String::from_utf8_lossy(out).lines() {
                assert!(
                    line.starts_with("::"),
                    "an annotation line is a command: {line:?}"
                );
            }
        }
        "markdown" => assert!(out.len() < 1024 * 1024),
        "sarif" | "json" => {
            serde_json::from_slice::<serde_json::Value>(out).expect("the report is JSON");
        }
        "gitlab" => {
            let issues: Vec<serde_json::Value> =
                serde_json::from_slice(out).expect("Code Quality is a JSON array");
            assert!(
                issues
                    .iter()
                    .all(|issue| issue["location"]["lines"]["begin"].is_u64())
            );
        }
        _ => {}
    }
}

//! Monorepos: rules marked `per-component` are also judged in each component (a workspace
//! member, a Go module, a package, a service) as if it were the repository, and their
//! repository-wide finding says which components lack the practice.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use globset::GlobSet;
use serde::Serialize;

use crate::area::Area;
use crate::finding::MAX_EVIDENCE;
use crate::finding::{Evidence, Finding, Status, Verdict};
use crate::rules::{Check, CheckKind, ComponentsNeeded, PathSet, Rule, glob_set, known};
use crate::severity::Severity;
use crate::text::quote_path;

/// A component's findings for the per-component rules.
#[derive(Debug, Clone, Serialize)]
pub struct ComponentFindings {
    pub path: String,
    /// The file that marks the component (its manifest or Dockerfile): where code scanning
    /// and annotations show a finding about the component, as they point at files.
    #[serde(skip)]
    pub marker: Option<String>,
    pub findings: Vec<ComponentFinding>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ComponentFinding {
    pub rule: String,
    pub status: Status,
    pub message: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<Evidence>,
    /// Where the repository's finding served the component from outside it: the
    /// component's own finding, which an evaluation that keeps this one folds again (the
    /// tests beside it may be gone by then).
    #[serde(skip)]
    own: Option<Box<ComponentFinding>>,
}

impl ComponentFinding {
    pub fn new(rule: &Rule, verdict: Verdict) -> ComponentFinding {
        ComponentFinding {
            rule: rule.id.clone(),
            status: verdict.status,
            message: verdict.message,
            evidence: verdict.evidence,
            own: None,
        }
    }

    /// The component's own finding, before anything outside it served it.
    pub fn into_own(self) -> ComponentFinding {
        match self.own {
            Some(own) => *own,
            None => self,
        }
    }
}

/// A rule that selects the files marking a component, matched with the real rules in the
/// one pass over the tree and never reported.
pub fn marker_rule() -> Rule {
    Rule {
        id: "internal.component-markers".to_owned(),
        area: Area::Ci,
        title: "".into(),
        severity: Severity::Note,
        weight: 1,
        rationale: String::new(),
        remediation: "".into(),
        applies_if: None,
        per_component: false,
        component_applies_if: None,
        served_from_outside: false,
        components_needed: ComponentsNeeded::Every,
        level: 1,
        effort: Default::default(),
        requires: Vec::new(),
        checks: vec![Check {
            kind: CheckKind::FilesPresent,
            files: known().component_markers.clone(),
            exclude: known().not_components.clone(),
            excluded: Default::default(),
            min_count: 1,
            fallback: false,
            looks_for: None,
            discounted: None,
            absent: false,
            out_of_sight: false,
            shows_it_applies: false,
            quiet: false,
            unless_triggered_by: None,
            unless_pipeline_runs: None,
        }],
    }
}

/// `rule` as it is judged in a component: under its component precondition, where it has
/// one, instead of the repository's.
pub fn in_component(rule: &Rule) -> Rule {
    let mut judged = rule.clone();
    if let Some(precondition) = &rule.component_applies_if {
        judged.applies_if = Some(precondition.clone());
    }
    // `pattern-in` is tested against the paths of the component's files, which start with
    // the component's folder: `Dockerfile` there is `**/Dockerfile`.
    if let Some(precondition) = &mut judged.applies_if
        && let Some(pattern_in) = &precondition.pattern_in
    {
        let mut globs = pattern_in.globs.clone();
        anywhere(&mut globs);
        precondition.pattern_in = Some(PathSet::new(globs));
    }
    if let Some(precondition) = &mut judged.applies_if {
        for (files, _) in &mut precondition.content {
            let mut globs = files.globs.clone();
            anywhere(&mut globs);
            *files = PathSet::new(globs);
        }
    }
    judged
}

/// `tests/**` → `**/tests/**`: the glob matched in any directory.
fn anywhere(globs: &mut [String]) {
    for glob in globs.iter_mut() {
        if !glob.starts_with("**/") {
            *glob = format!("**/{glob}");
        }
    }
}

/// `rule` with its globs made relative to any directory (`tests/**` → `**/tests/**`), so
/// that its matches over the whole tree, cut to a component's files, are the matches it
/// has in the component.
pub fn relative(rule: &Rule) -> Rule {
    let mut relative = rule.clone();
    if let Some(precondition) = &mut relative.applies_if {
        anywhere(&mut precondition.files);
        anywhere(&mut precondition.exclude);
        anywhere(&mut precondition.manifests);
        anywhere(&mut precondition.requires);
    }
    for check in &mut relative.checks {
        anywhere(&mut check.files);
        anywhere(&mut check.exclude);
    }
    relative
}

/// Folds the per-component findings into the repository's. `judged` holds, for each of
/// `dirs` in turn, the findings of the per-component `rules`, in their order; each such
/// rule's repository finding becomes the [`aggregate`] of its component findings, where
/// `fold` says so (a finding kept from an earlier evaluation is folded already).
pub fn attach(
    findings: &mut [Finding],
    rules: &[Rule],
    judged: Vec<ComponentFinding>,
    (dirs, markers): (Vec<String>, Vec<Option<String>>),
    test_projects: &[String],
    fold: &[bool],
) -> Vec<ComponentFindings> {
    let per_component: Vec<&Rule> = rules.iter().filter(|rule| rule.per_component).collect();
    let width = per_component.len().max(1);
    let mut updates: Vec<(usize, ComponentFinding)> = Vec::new();
    if !dirs.is_empty() {
        for ((finding, rule), _) in findings
            .iter_mut()
            .zip(rules)
            .zip(fold)
            .filter(|(_, fold)| **fold)
        {
            let Some(position) = per_component.iter().position(|other| other.id == rule.id) else {
                continue;
            };
            let in_each: Vec<(&str, &ComponentFinding)> = dirs
                .iter()
                .zip(judged.chunks(width))
                .map(|(path, component)| (path.as_str(), &component[position]))
                .collect();
            let (folded, served) = aggregate(finding.clone(), &in_each, rule, test_projects);
            *finding = folded;
            for (path, served) in served {
                if let Some(index) = dirs.iter().position(|dir| *dir == path) {
                    updates.push((index * width + position, served));
                }
            }
        }
    }
    // A component the repository's finding says is served from outside it (by the tests
    // beside it, a test project named for it, one build for all) has the practice there too:
    // its own finding says so, so that no report, baseline or comparison counts it failing.
    let mut judged = judged;
    for (at, served) in updates {
        let own = std::mem::replace(&mut judged[at], served).into_own();
        judged[at].own = Some(Box::new(own));
    }
    let mut judged = judged.into_iter();
    dirs.into_iter()
        .zip(markers)
        .map(|(path, marker)| ComponentFindings {
            path,
            marker,
            findings: judged.by_ref().take(width).collect(),
        })
        .collect()
}

/// At most this many components are named in a message.
const NAMED: usize = 5;

/// The repository-wide finding of a per-component rule, from its findings in each
/// component: failing when some component lacks the practice, naming which, unless the rule
/// needs it in `any` component and one has it. A gap in some components of a repository
/// that has the practice elsewhere is at most a warning; the rule's own severity is for a
/// repository that lacks it altogether. Components where the rule does not apply do not
/// count; when it applies in none, `repository` (the rule judged over the whole tree)
/// stands. With it, the failing components it counts as served from outside them, each
/// with the finding that says how.
pub fn aggregate(
    repository: Finding,
    components: &[(&str, &ComponentFinding)],
    rule: &Rule,
    test_projects: &[String],
) -> (Finding, Vec<(String, ComponentFinding)>) {
    let served_from_outside = rule.served_from_outside;
    if repository.status == Status::Exempted {
        return (repository, Vec::new());
    }
    let applicable: Vec<&(&str, &ComponentFinding)> = components
        .iter()
        .filter(|(_, finding)| finding.status != Status::NotApplicable)
        .collect();
    if applicable.is_empty() {
        return (repository, Vec::new());
    }
    let mut served_findings: Vec<(String, ComponentFinding)> = Vec::new();
    let mut serve = |path: &str, status: Status, message: String, evidence: Vec<Evidence>| {
        served_findings.push((
            path.to_owned(),
            ComponentFinding {
                rule: rule.id.clone(),
                status,
                message,
                evidence,
                own: None,
            },
        ));
    };
    let with = |status: Status| -> Vec<&str> {
        applicable
            .iter()
            .filter(|(_, finding)| finding.status == status)
            .map(|(path, _)| *path)
            .collect()
    };
    let (mut failing, unknown, passing) = (
        with(Status::Fail),
        with(Status::Unknown),
        with(Status::Pass),
    );
    let unserved = failing.len();
    // Looked up, not searched pairwise: a monorepo of thousands of components would
    // otherwise compare every one with every other.
    let all: HashSet<&str> = applicable.iter().map(|(path, _)| *path).collect();
    let is_test_project = |path: &str| {
        served_from_outside && tested_by(path).is_some_and(|tested| all.contains(tested))
    };
    // The tests beside the components that served some of them (see below).
    let mut beside_evidence = Vec::new();
    if served_from_outside {
        // (Its tests, not its image or its metrics: a load-test project's Dockerfile is no
        // container image of the service it tests.)
        let tested_by_passing: HashMap<&str, &str> = passing
            .iter()
            .filter(|_| rule.area == Area::Testing)
            .filter_map(|project| Some((tested_by(project)?, *project)))
            .collect();
        failing.retain(|path| {
            if is_test_project(path) {
                let tested = tested_by(path).unwrap_or_default();
                let message = format!(
                    "Judged with {}, the component it tests.",
                    quote_path(tested)
                );
                serve(path, Status::NotApplicable, message, Vec::new());
                false
            } else if let Some(project) = tested_by_passing.get(path) {
                let message = format!(
                    "Found in {}, its test project beside it.",
                    quote_path(project)
                );
                serve(path, Status::Pass, message, vec![directory(project)]);
                false
            } else {
                true
            }
        });
        // A test folder beside the components (`src/tests/Refit.Tests` for `src/Refit` and
        // `src/Refit.HttpClientFactory`) serves those below the folder that holds it.
        let beside: Vec<(&str, &Evidence)> = (repository.status == Status::Pass
            && rule.area == Area::Testing)
            .then_some(&repository.evidence)
            .into_iter()
            .flatten()
            .filter_map(|evidence| Some((tests_folder_parent(&evidence.path)?, evidence)))
            // (A root `tests/` holds no component: it serves them all, said below.)
            .filter(|(parent, _)| {
                !parent.is_empty()
                    && !components
                        .iter()
                        .any(|(component, _)| is_within(parent, component))
            })
            .collect();
        failing.retain(|path| {
            let served_by = beside.iter().find(|(parent, _)| is_within(path, parent));
            if let Some((_, evidence)) = served_by {
                let message = format!(
                    "Found in the tests beside it, {}.",
                    quote_path(&evidence.path)
                );
                serve(path, Status::Pass, message, vec![(*evidence).clone()]);
                if !beside_evidence.contains(*evidence) {
                    beside_evidence.push((*evidence).clone());
                }
            }
            served_by.is_none()
        });
        // A test project outside the components named for one (`test/Api.Test` for
        // `src/Api`, .NET's `src/` and `test/` layout) serves it, for the testing rules (not
        // with its image, its metrics or its error tracking).
        // Only where the repository has tests, by a name no two components share, and looked
        // up by name: thousands of components and projects are not compared pairwise.
        let mut by_name: HashMap<&str, &String> = HashMap::new();
        if rule.area == Area::Testing && repository.status == Status::Pass {
            let mut named: HashMap<&str, usize> = HashMap::new();
            for (path, _) in components {
                *named.entry(last_segment(path)).or_default() += 1;
            }
            for project in test_projects {
                let inside = ancestors(project).any(|folder| all.contains(folder));
                if let Some(tested) = named_test_project(project)
                    && !inside
                    && named.get(tested) == Some(&1)
                {
                    by_name.entry(tested).or_insert(project);
                }
            }
        }
        failing.retain(|path| {
            let served_by = by_name.get(last_segment(path));
            if let Some(project) = served_by {
                let evidence = directory(project);
                let message = format!(
                    "Found in {}, the test project named for it.",
                    quote_path(project)
                );
                serve(path, Status::Pass, message, vec![evidence.clone()]);
                if !beside_evidence.contains(&evidence) {
                    beside_evidence.push(evidence);
                }
            }
            served_by.is_none()
        });
    }

    // The first evidence of each component that has the practice.
    let passing_evidence = || -> Vec<Evidence> {
        applicable
            .iter()
            .filter(|(_, finding)| finding.status == Status::Pass)
            .filter_map(|(_, finding)| finding.evidence.first().cloned())
            .take(MAX_EVIDENCE)
            .collect()
    };
    // A test project judged with its component (not applicable in its own finding, above) is
    // no component of the count.
    let judged_with_component = applicable
        .iter()
        .filter(|(path, finding)| finding.status == Status::Fail && is_test_project(path))
        .count();
    let total = applicable.len() - judged_with_component;
    let served = unserved - failing.len() - judged_with_component;
    // Evidence in a top-level folder that holds no component serves them all, for the
    // rules that say so: a shared `tests/` tree beside `src/*` projects, one Dockerfile
    // that builds the workspace. A service's own `src/cart/tests` beside `src/cart/src`
    // does not.
    // Only a folder: a file at the root (a `conftest.py`) or in a hidden folder (`.github`)
    // is no shared suite or build — except for a rule that one component having the practice
    // satisfies, where the root `Dockerfile` is the repository's image.
    // A component at the top (`server/`) holds its own folder: its tests serve no other.
    fn top(path: &str) -> Option<&str> {
        path.split_once('/').map(|(folder, _)| folder)
    }
    let outside_components = |path: &str| match top(path) {
        Some(folder) => {
            !folder.starts_with('.')
                && !components
                    .iter()
                    .any(|(component, _)| top(component).unwrap_or(component) == folder)
        }
        None => rule.components_needed == ComponentsNeeded::Any,
    };
    let shared = (served_from_outside && repository.status == Status::Pass)
        .then(|| {
            repository
                .evidence
                .iter()
                .find(|evidence| outside_components(&evidence.path))
        })
        .flatten();
    if let Some(shared) = shared
        && !failing.is_empty()
    {
        // One image or build outside the components is the repository's; it is said to serve
        // them all only where every component needs the practice.
        let message = match rule.components_needed {
            ComponentsNeeded::Any => format!("Found in {}, outside the components.", shared.path),
            ComponentsNeeded::Every | ComponentsNeeded::Most => format!(
                "Found in {}, outside the components, serving all {total} of them.",
                shared.path
            ),
        };
        // (Only where every component needs it: where one does, the others lack nothing.)
        if rule.components_needed != ComponentsNeeded::Any {
            for path in &failing {
                let message = format!(
                    "Found in {}, outside the components, serving all of them.",
                    quote_path(&shared.path)
                );
                serve(path, Status::Pass, message, vec![shared.clone()]);
            }
        }
        let finding = Finding {
            message,
            ..repository
        };
        return (finding, served_findings);
    }
    // How many components have the practice, of how many counted, and whether that is enough.
    let (having, counted, enough_have_it) = match rule.components_needed {
        ComponentsNeeded::Every => (total - failing.len() - unknown.len(), total, false),
        ComponentsNeeded::Any => (
            total - failing.len() - unknown.len(),
            total,
            !passing.is_empty(),
        ),
        // A test project beside its component that lacks the practice (a load-test harness
        // without tests) is part of that component, not one more; one with tests counts as a
        // component that has them. A component not judged counts neither way.
        ComponentsNeeded::Most => {
            let lacking: HashSet<&str> = failing.iter().copied().collect();
            let (mut having, mut counted, mut judged) = (0, 0, 0);
            for (path, finding) in &applicable {
                if finding.status != Status::Pass && is_test_project(path) {
                    continue;
                }
                counted += 1;
                if finding.status != Status::Unknown {
                    judged += 1;
                    having += usize::from(!lacking.contains(path));
                }
            }
            (having, counted, having > 0 && 2 * having >= judged)
        }
    };
    let partial = enough_have_it && !(failing.is_empty() && unknown.is_empty());
    let (status, message, evidence) = if partial {
        // Components served by a test project beside them count as having it.
        let without = match (failing.is_empty(), unknown.is_empty()) {
            (false, true) => format!("none in {}", name_some(&failing)),
            (true, false) => format!("not judged in {}", name_some(&unknown)),
            _ => format!(
                "none in {}; not judged in {}",
                name_some(&failing),
                name_some(&unknown)
            ),
        };
        let message = format!("Found in {having} of {counted} components; {without}.");
        (Status::Pass, message, passing_evidence())
    } else if !failing.is_empty() {
        let message = match total {
            1 => format!(
                "Missing in {}, the only component it applies to.",
                name_some(&failing)
            ),
            _ => format!(
                "Missing in {} of {total} components: {}.",
                failing.len(),
                name_some(&failing)
            ),
        };
        let evidence = failing
            .iter()
            .take(MAX_EVIDENCE)
            .map(|path| directory(path))
            .collect();
        (Status::Fail, message, evidence)
    } else if !unknown.is_empty() {
        let message = format!(
            "Could not be judged in {} of {total} components: {}.",
            unknown.len(),
            name_some(&unknown)
        );
        (Status::Unknown, message, Vec::new())
    } else {
        // Nothing fails or is unknown: every applicable component has it.
        let mut evidence = passing_evidence();
        evidence.extend(beside_evidence);
        evidence.truncate(MAX_EVIDENCE);
        (
            Status::Pass,
            match total {
                1 => "Found in the only component it applies to.".to_owned(),
                _ if served > 0 => format!(
                    "Found in all {total} components, {served} of them through the tests beside them."
                ),
                _ => format!("Found in all {total} components."),
            },
            evidence,
        )
    };
    let severity = if status == Status::Fail && repository.status == Status::Pass {
        repository.severity.min(Severity::Warning)
    } else {
        repository.severity
    };
    // A pass some components lack is worth telling where only the evidence of a pass is shown
    // (the human and Markdown reports).
    let note = match partial {
        true => Some(message.clone()),
        false => repository.note.clone(),
    };
    let finding = Finding {
        status,
        severity,
        message,
        evidence,
        note,
        ..repository
    };
    (finding, served_findings)
}

/// The component a test project beside it tests: `project` without its last `.`, `-` or
/// `_` name part, where `project` is named as a test project is. The tests of `src/Foo` live
/// in `src/Foo.Tests` (a .NET and JVM convention), and a harness such as `src/Foo.TestConsole`
/// needs no tests of its own. Beside means one more name part: `api-gateway-tests` does not
/// test `api`, and `Foo.Testing` alone is a library like any other. A failing component is
/// served when it is such a test project of a component, or such a passing one tests it.
/// The folder holding the `tests/` or `test/` folder `path` is in (`src` for
/// `src/tests/Refit.Tests/Api.cs`; `""` at the root), when below that folder the path names
/// a test or a test project (`Refit.Tests/`, `FooTest.java`, `test_api.py`): not an
/// `__init__.py` or a helper script, which test nothing.
fn tests_folder_parent(path: &str) -> Option<&str> {
    let mut start = 0;
    for segment in path.split('/') {
        if matches!(segment, "tests" | "test") && start + segment.len() < path.len() {
            let below = &path[start + segment.len() + 1..];
            return below
                .split('/')
                .any(names_a_test)
                .then(|| path[..start].trim_end_matches('/'));
        }
        start += segment.len() + 1;
    }
    None
}

/// Whether a file or folder name is a test's by the conventions of test runners: `test_api.py`,
/// `api_test.go`, `api.test.ts`, `api-spec.js`, `RestServiceTests.cs`, `Refit.Tests` — not a
/// word that merely holds the letters (`latest.js`, `respect.py`, `contest/`).
fn names_a_test(name: &str) -> bool {
    let stem = name.split('.').next().unwrap_or(name);
    let lower = name.to_ascii_lowercase();
    let words = lower.split(['.', '_', '-']);
    let camel = ["Test", "Tests", "Spec", "Specs"].iter().any(|suffix| {
        stem.strip_suffix(suffix)
            .is_some_and(|rest| rest.ends_with(|c: char| c.is_ascii_lowercase() || c == '.'))
    });
    camel
        || words
            .into_iter()
            .any(|word| matches!(word, "test" | "tests" | "spec" | "specs"))
}

/// The last segment of a path (`Api` for `src/Api`).
fn last_segment(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// The folders that hold `path`, innermost first (`a/b` and `a` for `a/b/c`).
fn ancestors(path: &str) -> impl Iterator<Item = &str> {
    path.match_indices('/')
        .rev()
        .map(move |(at, _)| &path[..at])
}

/// The component name a test project is named for: `Api` for `test/Api.Test` or
/// `tests/Api.UnitTests`, by the suffixes of test suites only (not `Api.Testing` or
/// `Api.TestUtilities`, helpers).
fn named_test_project(project: &str) -> Option<&str> {
    let name = last_segment(project);
    let (tested, suffix) = name.rsplit_once('.')?;
    matches!(
        suffix,
        "Test" | "Tests" | "UnitTests" | "IntegrationTests" | "FunctionalTests" | "Specs"
    )
    .then_some(tested)
    .filter(|tested| !tested.is_empty())
}

/// Whether `path` is `folder` or inside it (every path is inside the root, `""`).
fn is_within(path: &str, folder: &str) -> bool {
    folder.is_empty()
        || path
            .strip_prefix(folder)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// The folders of the .NET test projects in `tree` (`test/Api.Test` for
/// `test/Api.Test/Api.Test.csproj`), by their project files and names.
pub fn test_projects(tree: &crate::facts::tree::Tree) -> Vec<String> {
    static TEST_PROJECTS: OnceLock<GlobSet> = OnceLock::new();
    let names = TEST_PROJECTS.get_or_init(|| glob_set(&known().test_projects));
    tree.entries
        .iter()
        .filter(|entry| {
            let name = entry.file_name();
            [&b".csproj"[..], b".fsproj", b".vbproj"]
                .iter()
                .any(|extension| name.ends_with(extension))
        })
        .filter_map(|entry| {
            let path = entry.display_path();
            let folder = path.rsplit_once('/')?.0.to_owned();
            names.is_match(&folder).then_some(folder)
        })
        .collect()
}

fn tested_by(project: &str) -> Option<&str> {
    static TEST_PROJECTS: OnceLock<GlobSet> = OnceLock::new();
    let test_projects = TEST_PROJECTS.get_or_init(|| glob_set(&known().test_projects));
    let name_start = project.rfind('/').map_or(0, |slash| slash + 1);
    let cut = name_start + project[name_start..].rfind(['.', '-', '_'])?;
    test_projects
        .is_match(project)
        .then_some(&project[..cut])
        .filter(|tested| !tested.is_empty())
}

fn directory(path: &str) -> Evidence {
    Evidence {
        path: path.to_owned(),
        line: None,
        detail: None,
    }
}

/// "a, b, c, d, e and 3 more", each quoted as git quotes a name with control characters
/// (a line feed in a folder's name would forge a line of the report).
pub fn name_some(paths: &[&str]) -> String {
    let named = paths[..paths.len().min(NAMED)]
        .iter()
        .map(|path| crate::text::quote_path(path))
        .collect::<Vec<_>>()
        .join(", ");
    match paths.len().saturating_sub(NAMED) {
        0 => named,
        more => format!("{named} and {more} more"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The repository's finding [`aggregate`] gives.
    fn judge(
        repository: Finding,
        components: &[(&str, &ComponentFinding)],
        rule: &Rule,
        test_projects: &[String],
    ) -> Finding {
        aggregate(repository, components, rule, test_projects).0
    }

    fn finding(status: Status) -> Finding {
        Finding {
            status,
            severity: Severity::Error,
            weight: 3,
            evidence: vec![directory("x")],
            ..Finding::example("testing.tests-exist", Area::Testing)
        }
    }

    /// A per-component rule that fails the repository when a component lacks the practice,
    /// with evidence outside the components serving them all or not.
    fn every(served_from_outside: bool) -> Rule {
        Rule {
            area: Area::Testing,
            per_component: true,
            served_from_outside,
            ..marker_rule()
        }
    }

    fn in_component(status: Status) -> ComponentFinding {
        ComponentFinding {
            rule: "testing.tests-exist".to_owned(),
            status,
            message: String::new(),
            evidence: vec![directory("x")],
            own: None,
        }
    }

    #[test]
    fn a_finding_over_thousands_of_components_keeps_the_evidence_cap() {
        let fail = in_component(Status::Fail);
        let paths: Vec<String> = (0..2000).map(|n| format!("services/s{n}")).collect();
        let components: Vec<(&str, &ComponentFinding)> =
            paths.iter().map(|path| (path.as_str(), &fail)).collect();
        let judged = judge(finding(Status::Fail), &components, &every(false), &[]);
        assert_eq!(judged.evidence.len(), MAX_EVIDENCE);
        assert!(
            judged.message.ends_with("and 1995 more."),
            "{}",
            judged.message
        );
    }

    #[test]
    fn a_test_project_named_for_a_component_serves_it_from_outside_the_components() {
        let (pass, fail) = (in_component(Status::Pass), in_component(Status::Fail));
        let components = [
            ("src/Api", &fail),
            ("src/Core", &fail),
            ("src/Icons", &pass),
        ];
        let projects = ["test/Api.Test".to_owned(), "test/Core.Test".to_owned()];
        let judged = judge(finding(Status::Pass), &components, &every(true), &projects);
        assert_eq!(judged.status, Status::Pass);
        assert_eq!(
            judged.message,
            "Found in all 3 components, 2 of them through the tests beside them."
        );
        assert!(judged.evidence.contains(&directory("test/Api.Test")));
        // Not where the repository has no tests, nor a helper project, nor a name two
        // components share.
        let judged = judge(finding(Status::Fail), &components, &every(true), &projects);
        assert_eq!(judged.status, Status::Fail);
        let helpers = [
            "docs/Api.Testing".to_owned(),
            "test/Core.TestUtilities".to_owned(),
        ];
        let judged = judge(finding(Status::Pass), &components, &every(true), &helpers);
        assert!(
            judged.message.contains("src/Api, src/Core."),
            "{}",
            judged.message
        );
        let twice = [("src/Api", &fail), ("legacy/Api", &fail)];
        let judged = judge(finding(Status::Pass), &twice, &every(true), &projects);
        assert!(
            judged.message.starts_with("Missing in 2 of 2"),
            "{}",
            judged.message
        );
        // One named for no component serves none.
        let other = ["test/Billing.Test".to_owned()];
        let judged = judge(finding(Status::Pass), &components, &every(true), &other);
        assert!(
            judged.message.contains("src/Api, src/Core."),
            "{}",
            judged.message
        );
    }

    #[test]
    fn a_tests_folder_beside_the_components_serves_those_below_its_folder() {
        let (pass, fail) = (in_component(Status::Pass), in_component(Status::Fail));
        let components = [
            ("src/Refit", &fail),
            ("src/Refit.HttpClientFactory", &fail),
            ("src/Refit.Benchmarks", &pass),
            ("tools/gen", &fail),
        ];
        let in_src_tests = Finding {
            evidence: vec![directory("src/tests/Refit.Tests/RestServiceTests.cs")],
            ..finding(Status::Pass)
        };
        let judged = judge(in_src_tests, &components, &every(true), &[]);
        assert_eq!(judged.status, Status::Fail);
        assert_eq!(judged.message, "Missing in 1 of 4 components: tools/gen.");
        // A component's own tests serve no other component.
        let in_a_component = Finding {
            evidence: vec![directory("src/Refit.Benchmarks/tests/run.cs")],
            ..finding(Status::Pass)
        };
        let judged = judge(in_a_component, &components, &every(true), &[]);
        assert!(
            judged.message.starts_with("Missing in 3 of 4"),
            "{}",
            judged.message
        );
        assert_eq!(tests_folder_parent("a/b/test/x_test.py"), Some("a/b"));
        assert_eq!(tests_folder_parent("tests/test_x.py"), Some(""));
        assert_eq!(tests_folder_parent("src/latest/x_test.py"), None);
        // Red team: a tests folder holding no test serves nothing.
        assert_eq!(tests_folder_parent("services/tests/__init__.py"), None);
        assert_eq!(tests_folder_parent("services/tests/run.sh"), None);
        assert_eq!(tests_folder_parent("src/tests/latest.js"), None);
        assert_eq!(tests_folder_parent("src/tests/contest/respect.py"), None);
        assert_eq!(tests_folder_parent("src/tests/api.spec.ts"), Some("src"));
    }

    #[test]
    fn failing_components_are_named_and_not_applicable_ones_do_not_count() {
        let (pass, fail, na) = (
            in_component(Status::Pass),
            in_component(Status::Fail),
            in_component(Status::NotApplicable),
        );
        let components = [
            ("src/ad", &pass),
            ("src/cart", &fail),
            ("docs", &na),
            ("src/email", &fail),
        ];
        let in_ad = Finding {
            evidence: vec![directory("src/ad/tests/ad_test.py")],
            ..finding(Status::Pass)
        };
        let judged = judge(in_ad, &components, &every(true), &[]);
        assert_eq!(judged.status, Status::Fail);
        // Tests exist elsewhere in the repository: a gap, not an absence.
        assert_eq!(judged.severity, Severity::Warning);
        let absent = judge(finding(Status::Fail), &[("a", &fail)], &every(false), &[]);
        assert_eq!(absent.severity, Severity::Error);
        assert_eq!(
            judged.message,
            "Missing in 2 of 3 components: src/cart, src/email."
        );
        let all_pass = judge(
            finding(Status::Fail),
            &[("a", &pass), ("b", &pass)],
            &every(false),
            &[],
        );
        assert_eq!(all_pass.status, Status::Pass);
        let none_apply = judge(finding(Status::Fail), &[("a", &na)], &every(false), &[]);
        assert_eq!(none_apply.status, Status::Fail);
    }

    #[test]
    fn a_test_project_beside_a_component_serves_it() {
        let (pass, fail) = (in_component(Status::Pass), in_component(Status::Fail));
        let components = [
            ("Src/Newtonsoft.Json", &fail),
            ("Src/Newtonsoft.Json.TestConsole", &fail),
            ("Src/Newtonsoft.Json.Tests", &pass),
            ("Src/Newtonsoft.Json.Schema", &fail),
        ];
        let judged = judge(finding(Status::Pass), &components, &every(true), &[]);
        // The harness needs no tests and the library has its own; the schema project does not.
        // The harness is judged with the library, not counted as a component of its own (red
        // team: the count disagreed with the components' findings).
        assert_eq!(
            judged.message,
            "Missing in 1 of 3 components: Src/Newtonsoft.Json.Schema."
        );
        // Only for the rules that let evidence serve other components.
        let unserved = judge(finding(Status::Pass), &components, &every(false), &[]);
        assert!(
            unserved.message.starts_with("Missing in 3 of 4"),
            "{}",
            unserved.message
        );
        // A project merely named like another (`api` and `api-gateway`) is not its tests,
        // nor is a longer name's (red team: `api-gateway-tests` served `api`), and a library
        // named like a test project is not excused when nothing beside it is tested by it.
        let named_alike = [
            ("api", &fail),
            ("api-gateway", &pass),
            ("api-gateway-tests", &pass),
            ("Clock.Testing", &fail),
        ];
        let judged = judge(finding(Status::Pass), &named_alike, &every(true), &[]);
        assert_eq!(
            judged.message,
            "Missing in 2 of 4 components: api, Clock.Testing."
        );
    }

    #[test]
    fn evidence_outside_every_component_serves_them_all() {
        let (pass, fail) = (in_component(Status::Pass), in_component(Status::Fail));
        let shared = Finding {
            evidence: vec![directory("tests/UnitTests/BasketTests.cs")],
            ..finding(Status::Pass)
        };
        let components = [("src/Web", &pass), ("src/Core", &fail)];
        let judged = judge(shared.clone(), &components, &every(true), &[]);
        assert_eq!(judged.status, Status::Pass);
        assert_eq!(
            judge(shared, &components, &every(false), &[]).status,
            Status::Fail
        );
        // A service's own tests beside its source are not the whole repository's.
        let beside = Finding {
            evidence: vec![directory("src/cart/tests/CartTests.cs")],
            ..finding(Status::Pass)
        };
        let services = [("tools", &pass), ("src/cart/src", &pass), ("src/ad", &fail)];
        assert_eq!(
            judge(beside, &services, &every(true), &[]).status,
            Status::Fail
        );
        assert_eq!(
            judged.message,
            "Found in tests/UnitTests/BasketTests.cs, outside the components, serving all 2 of them."
        );
    }

    #[test]
    fn a_rule_needing_the_practice_in_any_component_passes_naming_those_without() {
        let (pass, fail, na) = (
            in_component(Status::Pass),
            in_component(Status::Fail),
            in_component(Status::NotApplicable),
        );
        let any = Rule {
            components_needed: ComponentsNeeded::Any,
            ..every(true)
        };
        let components = [
            ("apps/web", &pass),
            ("apps/feature-api", &fail),
            ("docs", &na),
            ("apps/settings-api", &fail),
        ];
        // The repository's evidence is the one component's own.
        let in_app = Finding {
            evidence: vec![directory("apps/web/Dockerfile")],
            ..finding(Status::Pass)
        };
        let judged = judge(in_app, &components, &any, &[]);
        assert_eq!(judged.status, Status::Pass);
        assert_eq!(
            judged.message,
            "Found in 1 of 3 components; none in apps/feature-api, apps/settings-api."
        );
        // Red team: a component that could not be judged does not hide one that has it; a
        // component served by the test project beside it counts as tested; names are quoted.
        let unknown = in_component(Status::Unknown);
        let components = [
            ("src/App", &fail),
            ("src/App.Tests", &pass),
            ("src/Big", &unknown),
            ("src/Lib\nforged", &fail),
        ];
        let in_tests = Finding {
            evidence: vec![directory("src/App.Tests/Dockerfile")],
            ..finding(Status::Pass)
        };
        let judged = judge(in_tests, &components, &any, &[]);
        assert_eq!(judged.status, Status::Pass);
        assert_eq!(
            judged.message,
            "Found in 2 of 4 components; none in \"src/Lib\\nforged\"; not judged in src/Big."
        );
        // The root Dockerfile that builds a .NET solution's projects is the repository's
        // image; for a rule needing the practice in every component it serves none of them.
        let root = Finding {
            evidence: vec![directory("Dockerfile")],
            ..finding(Status::Pass)
        };
        let projects = [("Api.WebApi", &fail), ("Api.Seed", &fail)];
        let judged = judge(root.clone(), &projects, &any, &[]);
        assert_eq!(judged.status, Status::Pass);
        assert_eq!(
            judged.message,
            "Found in Dockerfile, outside the components."
        );
        assert_eq!(
            judge(root, &projects, &every(true), &[]).status,
            Status::Fail
        );
        // Without a component that has it, the repository still fails at the rule's severity.
        let none = judge(
            finding(Status::Fail),
            &[("feature-api", &fail), ("docs", &na)],
            &any,
            &[],
        );
        assert_eq!(
            (none.status, none.severity),
            (Status::Fail, Severity::Error)
        );
    }

    fn most() -> Rule {
        Rule {
            components_needed: ComponentsNeeded::Most,
            ..every(true)
        }
    }

    #[test]
    fn most_components_having_the_practice_pass_the_repository() {
        let (pass, fail) = (in_component(Status::Pass), in_component(Status::Fail));
        let half = [
            ("svc/a", &pass),
            ("svc/b", &pass),
            ("svc/c", &fail),
            ("svc/d", &fail),
        ];
        let judged = judge(finding(Status::Pass), &half, &most(), &[]);
        assert_eq!(judged.status, Status::Pass);
        assert_eq!(
            judged.message,
            "Found in 2 of 4 components; none in svc/c, svc/d."
        );
        let fewer = [("svc/a", &pass), ("svc/b", &fail), ("svc/c", &fail)];
        let judged = judge(finding(Status::Pass), &fewer, &most(), &[]);
        assert_eq!(
            (judged.status, judged.severity),
            (Status::Fail, Severity::Warning)
        );
    }

    #[test]
    fn a_test_project_without_tests_gives_its_component_none() {
        // A load-test harness beside an untested API is no tested component (a red team's).
        let fail = in_component(Status::Fail);
        let harness = [("src/Api", &fail), ("src/Api.LoadTests", &fail)];
        let judged = judge(finding(Status::Fail), &harness, &most(), &[]);
        assert_eq!(judged.status, Status::Fail);
        assert_eq!(
            judged.message,
            "Missing in src/Api, the only component it applies to."
        );
        // A unit-test project with tests serves its component and counts as tested itself.
        let pass = in_component(Status::Pass);
        let tested = [
            ("src/Api", &fail),
            ("src/Api.UnitTests", &pass),
            ("src/Domain", &fail),
            ("src/Data", &fail),
        ];
        let judged = judge(finding(Status::Pass), &tested, &most(), &[]);
        assert_eq!(judged.status, Status::Pass);
        assert_eq!(
            judged.message,
            "Found in 2 of 4 components; none in src/Domain, src/Data."
        );
    }

    #[test]
    fn a_top_level_component_serves_no_other_with_its_own_folder() {
        // A tested `version/` module beside untested `payments/`, `orders/` and `shipping/`
        // (a red team's): its tests are its own, not a shared suite.
        let (pass, fail) = (in_component(Status::Pass), in_component(Status::Fail));
        let in_version = Finding {
            evidence: vec![directory("version/main_test.go")],
            ..finding(Status::Pass)
        };
        let components = [
            ("payments", &fail),
            ("orders", &fail),
            ("shipping", &fail),
            ("version", &pass),
        ];
        let judged = judge(in_version, &components, &most(), &[]);
        assert_eq!(judged.status, Status::Fail);
        assert_eq!(
            judged.message,
            "Missing in 3 of 4 components: payments, orders, shipping."
        );
    }
}

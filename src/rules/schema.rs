//! The rule schema as written in `rules/*.toml` and in `[[rule]]` tables of `.opslint.toml`.
//!
//! Strict: unknown keys are errors. Values that need validation (ids, globs, regexes) keep
//! their spans so a mistake can be pointed at.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

use crate::maturity::Effort;
use crate::rules::ComponentsNeeded;
use crate::severity::Severity;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RuleSpec {
    /// `<area>.<kebab-name>`, unique across all rules.
    pub id: Spanned<String>,
    pub area: Spanned<String>,
    pub title: String,
    pub severity: Severity,
    #[serde(default = "default_weight")]
    pub weight: Spanned<u32>,
    /// Why the practice matters, in a coach's voice.
    pub rationale: String,
    /// The next concrete step when the rule fails.
    pub remediation: String,
    /// When present, the rule only applies if one of these files exists.
    pub applies_if: Option<PreconditionSpec>,
    /// In a monorepo, also evaluated in each component as if it were the repository.
    #[serde(default)]
    pub per_component: bool,
    /// Per-component rules: in a component, the rule applies if this holds instead of
    /// `applies-if` (a library crate beside the service that uses it is no service).
    pub component_applies_if: Option<PreconditionSpec>,
    /// Per-component rules: evidence outside the folder that holds the components (a
    /// top-level `tests/` beside `src/*`, one root Dockerfile) serves every component.
    #[serde(default)]
    pub served_from_outside: bool,
    /// Per-component rules: whether the repository passes when `any` component has the
    /// practice, when `most` (at least half) do, or only when `every` one does (the default).
    #[serde(default)]
    pub components_needed: ComponentsNeeded,
    /// The maturity level the practice marks within its area: 1 foundation, 2 practised,
    /// 3 optimised (default 2 for a config's own rules).
    pub level: Option<Spanned<u8>>,
    /// What making the rule pass usually takes (default `hours`).
    #[serde(default)]
    pub effort: Effort,
    /// Rules that should hold first: running the tests in CI needs tests.
    #[serde(default)]
    pub requires: Vec<Spanned<String>>,
    /// Evidence: the rule passes when any check passes.
    #[serde(rename = "check")]
    pub checks: Spanned<Vec<CheckSpec>>,
}

fn default_weight() -> Spanned<u32> {
    Spanned::new(0..0, 1)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct PreconditionSpec {
    #[serde(default)]
    pub files: Vec<Spanned<String>>,
    #[serde(default)]
    pub exclude: Vec<Spanned<String>>,
    /// When present, one of the files must also contain a match.
    pub pattern: Option<Spanned<String>>,
    /// The files among `files` that `pattern` is required of; the others count by name.
    #[serde(default)]
    pub pattern_in: Vec<Spanned<String>>,
    /// Files among `files` that must contain a pattern of their own (a SAM template its
    /// transform, where a Dockerfile must serve): `[[rule.applies-if.content]]`.
    #[serde(default)]
    pub content: Vec<ContentSpec>,
    /// Or: one of the `manifests` declares a dependency whose name matches.
    pub dependency: Option<Spanned<String>>,
    #[serde(default)]
    pub manifests: Vec<Spanned<String>>,
    /// And, whichever of the above holds: one of these files exists too.
    #[serde(default)]
    pub requires: Vec<Spanned<String>>,
    /// What the files are, for "not applicable: no <description>".
    pub description: Option<String>,
}

/// Files of a precondition that count only when they contain `pattern`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ContentSpec {
    pub pattern: Spanned<String>,
    #[serde(rename = "in")]
    pub files: Vec<Spanned<String>>,
}

/// One piece of evidence. Which keys are allowed depends on `kind`; compile checks that,
/// so a mistake is reported at its key instead of as "no variant matched".
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct CheckSpec {
    pub kind: Spanned<String>,
    /// Every kind but `history` selects files.
    pub files: Option<Spanned<Vec<Spanned<String>>>>,
    #[serde(default)]
    pub exclude: Vec<Spanned<String>>,
    pub pattern: Option<Spanned<String>>,
    /// `pipeline-command` and `pipeline-uses` checks: a command or action matching
    /// `pattern` does not count when it also matches this (`mvn -DskipTests package`,
    /// `echo npm test`, `pytest || true`, `actions/stale@v9`).
    pub unless: Option<Spanned<String>>,
    /// `content-matches` checks of YAML files: a match does not count where a mapping
    /// enclosing it below the top level (a workflow's job, a step) has an entry this matches
    /// from its key (`if: github.event.pull_request.head.repo.full_name == github.repository`).
    pub unless_guarded_by: Option<Spanned<String>>,
    /// `pipeline-command` checks: a command matching this may do what the check looks for
    /// out of opslint's sight — a task chosen at run time (`./gradlew ${{ inputs.tasks }}`),
    /// a job started on another CI service. When nothing is found, such a command makes the
    /// check `unknown`, naming it, instead of failing.
    pub opaque: Option<Spanned<String>>,
    /// `pipeline-command` checks: a task so named (`test`, `smoke-tests`) whose commands are
    /// in a file opslint does not follow (a Concourse task file) or are not recognised (a
    /// `make test` that runs the project's own test binary) may do what the check looks for.
    /// When nothing is found, such a task makes the check `unknown`, naming it, instead of
    /// failing.
    pub task_named: Option<Spanned<String>>,
    /// `pipeline-command` checks: also read the code pipelines give actions to evaluate
    /// (`actions/github-script`'s `script:`), where an expanded expression is as much
    /// injected code as in a shell step.
    pub action_scripts: Option<Spanned<bool>>,
    /// `pipeline-uses` checks: every action a pipeline uses may do what the check looks for
    /// out of sight, except those matching this (checkout, setup, cache, upload, lint…).
    /// When nothing is found, another action makes the check `unknown`, naming it, instead
    /// of failing.
    pub opaque_except: Option<Spanned<String>>,
    /// `pipeline-uses` checks: only actions and reusable workflows of others count, not
    /// those of the repository's own owner (`acme/ci/.github/workflows/build.yml@v2` called
    /// from `acme/payments`), when its remote names it.
    pub third_party: Option<Spanned<bool>>,
    /// `pipeline-command`, `pipeline-uses` and `pipeline-environment` checks: a pipeline
    /// that only events matching this start does not count (`^pull_request$`: a deploy that
    /// only pull requests run is to a throwaway test environment, not a release), unless some
    /// of its jobs or steps run only for some events or refs.
    pub unless_triggered_by: Option<Spanned<String>>,
    /// The same checks: a pipeline that also runs a command or uses an action matching this
    /// does not count (a deploy to the throwaway cluster `helm/kind-action` creates).
    pub unless_pipeline_runs: Option<Spanned<String>>,
    pub min_count: Option<Spanned<u32>>,
    #[serde(default)]
    pub fallback: bool,
    /// What the check looks for, in a few words with an article ("a command that runs
    /// tests"), for the message when nothing is found.
    pub looks_for: Option<String>,
    /// `pipeline-command` checks: why a command the pattern matches and `unless` excludes
    /// does not count, said next to the first such command when nothing counted.
    pub discounted: Option<String>,
    /// Inverted: the check passes when nothing matches, and each match is evidence against.
    #[serde(default)]
    pub absent: bool,
    /// What the check finds is a sign of the work done out of sight (a CI service configured
    /// outside the repository): it never passes, and a rule that found nothing else is
    /// `unknown`, naming it.
    #[serde(default)]
    pub out_of_sight: bool,
    /// What the check finds shows the rule applies, whatever its `applies-if` says (a
    /// pipeline that deploys has something it deploys).
    #[serde(default)]
    pub shows_it_applies: bool,
    /// A check for what only some repositories have (an Apple app's delivery): when it finds
    /// nothing, the failure's message does not name it.
    #[serde(default)]
    pub quiet: bool,
    /// `update-coverage` checks: each ecosystem's name and the files that show it is used.
    #[serde(default)]
    pub ecosystems: BTreeMap<String, Vec<Spanned<String>>>,
    /// `history` checks: a figure of the history section, `at-most` or `at-least`, and the
    /// threshold it is compared with.
    pub figure: Option<Spanned<String>>,
    pub comparison: Option<Spanned<String>>,
    pub threshold: Option<Spanned<f64>>,
    /// `history` checks: fewer commits in the window than this are too few to judge.
    pub min_commits: Option<Spanned<u32>>,
}

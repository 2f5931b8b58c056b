//! From `RuleSpec` (as written) to `Rule` (validated): every problem is collected with its span.

use std::cell::Cell;
use std::ops::Range;

use toml::Spanned;
use toml::de::DeValue;

use super::schema::{CheckSpec, PreconditionSpec, RuleSpec};
use super::{
    Check, CheckKind, Comparison, ComponentsNeeded, DEFAULT_MIN_COMMITS, Ecosystem,
    MAX_CONFIG_REGEX_TOTAL, PathSet, Pattern, Precondition, REGEX_SIZE_LIMIT, Rule,
};
use crate::area::Area;
use crate::config::diagnostic::{ConfigError, Problem};
use crate::config::tomldoc::{self, Document};
use crate::maturity::{DEFAULT_LEVEL, MAX_LEVEL};

use super::figure_ids::FIGURE_IDS;
use super::glob::check_glob;
use super::sets::{self, Definitions};

/// The heaviest a rule may weigh: the built-in rules weigh 1 to 3, and one rule of weight
/// 4,294,967,295 made its area 100 whatever the other rules found.
pub const MAX_WEIGHT: u32 = 10;

/// A rule together with the span of its id, for duplicate-id diagnostics.
pub struct Parsed {
    pub rule: Rule,
    pub id_span: Range<usize>,
    /// Each of `rule.requires` with its span: the ids are checked once every rule is known.
    pub requires_spans: Vec<Range<usize>>,
}

/// Parses a built-in rule file (`rules/*.toml`): `[[rule]]` tables, and the definition
/// tables (read by `builtin::builtin_definitions`, which `definitions` must already hold). Patterns are checked for syntax now and compiled on first use.
pub fn parse_rule_document(
    name: &str,
    text: &str,
    definitions: &Definitions,
) -> Result<Vec<Parsed>, ConfigError> {
    let mut problems = Vec::new();
    let document = Document::parse(text, &mut problems);
    let mut rules = Vec::new();
    if document.malformed {
        return Err(ConfigError::new(name, text, problems));
    }
    for (key, key_span, value) in document.entries() {
        if key == "rule" {
            let scope = Scope {
                definitions,
                deferred: true,
                regex_budget: None,
            };
            rules.extend(parse_tables(value, scope, &mut problems));
        } else if !sets::DEFINITION_TABLES.contains(&key) {
            problems.push(
                Problem::new(
                    format!("unknown key `{key}` in a rule file"),
                    Some(key_span),
                )
                .help(
                    "a rule file holds only `[[rule]]` tables, a `[sets]`, a `[patterns]`, a `[steps]` and a `[values]` table",
                ),
            );
        }
    }
    if problems.is_empty() {
        Ok(rules)
    } else {
        Err(ConfigError::new(name, text, problems))
    }
}

/// Parses and validates the `[[rule]]` array found in `value` (user-written rules: every
/// pattern is compiled now, so a mistake is reported at its span).
pub fn parse_rule_tables(
    value: &Spanned<DeValue<'_>>,
    definitions: &Definitions,
    problems: &mut Vec<Problem>,
) -> Vec<Parsed> {
    let budget = Cell::new(Some(MAX_CONFIG_REGEX_TOTAL));
    let scope = Scope {
        definitions,
        deferred: false,
        regex_budget: Some(&budget),
    };
    parse_tables(value, scope, problems)
}

/// What rules are compiled against: the named definitions, and whether patterns may be
/// compiled on first use (the built-in rules', which a test compiles one by one).
#[derive(Clone, Copy)]
struct Scope<'a> {
    definitions: &'a Definitions,
    deferred: bool,
    /// What is left of the config's `MAX_CONFIG_REGEX_TOTAL` (user-written rules only);
    /// `None` inside once a pattern went over it.
    regex_budget: Option<&'a Cell<Option<usize>>>,
}

fn parse_tables(
    value: &Spanned<DeValue<'_>>,
    scope: Scope<'_>,
    problems: &mut Vec<Problem>,
) -> Vec<Parsed> {
    tomldoc::decode_each::<RuleSpec>(value, "rule", problems)
        .into_iter()
        .filter_map(|spec| compile_rule(spec.into_inner(), scope, problems))
        .collect()
}

fn compile_rule(spec: RuleSpec, scope: Scope<'_>, problems: &mut Vec<Problem>) -> Option<Parsed> {
    let before = problems.len();
    let id_span = spec.id.span();
    let area = Area::from_id(spec.area.get_ref());
    if area.is_none() {
        let known: Vec<_> = Area::ALL.iter().map(|area| area.id()).collect();
        problems.push(
            Problem::new(
                format!("unknown area `{}`", spec.area.get_ref()),
                Some(spec.area.span()),
            )
            .help(format!("areas are: {}", known.join(", "))),
        );
    }
    check_rule_id(&spec.id, spec.area.get_ref(), problems);
    if *spec.weight.get_ref() == 0 {
        problems.push(
            Problem::new(
                "a rule's weight must be at least 1",
                Some(spec.weight.span()),
            )
            .help("to turn a rule off, disable it in `.opslint.toml` instead"),
        );
    } else if *spec.weight.get_ref() > MAX_WEIGHT {
        problems.push(
            Problem::new(
                format!("a rule's weight is at most {MAX_WEIGHT}"),
                Some(spec.weight.span()),
            )
            .help(
                "a weight is the rule's share of its area's score: the built-in rules weigh 1 to 3",
            ),
        );
    }
    let level = match &spec.level {
        Some(level) if !(1..=MAX_LEVEL).contains(level.get_ref()) => {
            problems.push(
                Problem::new(format!("a rule's level is 1, 2 or 3, not {}", level.get_ref()), Some(level.span()))
                    .help("1 foundation, 2 practised, 3 optimised: the level within the rule's area it marks"),
            );
            DEFAULT_LEVEL
        }
        Some(level) => *level.get_ref(),
        None => DEFAULT_LEVEL,
    };
    for required in &spec.requires {
        if required.get_ref() == spec.id.get_ref() {
            problems.push(Problem::new(
                "a rule cannot require itself",
                Some(required.span()),
            ));
        }
    }
    let applies_if = spec.applies_if.map(|precondition| {
        compile_precondition("applies-if", precondition, id_span.clone(), scope, problems)
    });
    let component_applies_if = match spec.component_applies_if {
        Some(_) if !spec.per_component => {
            problems.push(Problem::new(
                "`component-applies-if` is for `per-component` rules: it says when a component is judged",
                Some(id_span.clone()),
            ));
            None
        }
        precondition => precondition.map(|precondition| {
            let key = "component-applies-if";
            compile_precondition(key, precondition, id_span.clone(), scope, problems)
        }),
    };
    if spec.components_needed != ComponentsNeeded::default() && !spec.per_component {
        problems.push(Problem::new(
            "`components-needed` is for `per-component` rules: it says how their components' findings make the repository's",
            Some(id_span.clone()),
        ));
    }
    if spec.checks.get_ref().is_empty() {
        problems.push(
            Problem::new(
                "a rule needs at least one `[[rule.check]]`",
                Some(spec.checks.span()),
            )
            .help("add a `[[rule.check]]` table with `kind` and `files`"),
        );
    }
    let checks_span = spec.checks.span();
    let checks: Vec<Check> = spec
        .checks
        .into_inner()
        .into_iter()
        .filter_map(|check| compile_check(check, checks_span.clone(), scope, problems))
        .collect();
    let history = checks
        .iter()
        .filter(|check| matches!(check.kind, CheckKind::History { .. }))
        .count();
    if history > 0 {
        let mixed = history < checks.len();
        let reason = if mixed {
            Some("a rule's `history` checks cannot be mixed with checks of the tree")
        } else if applies_if.is_some() {
            Some("a rule with `history` checks takes no `applies-if`: it applies to every history")
        } else if spec.per_component {
            Some(
                "a rule with `history` checks cannot be `per-component`: history is the repository's",
            )
        } else {
            None
        };
        if let Some(reason) = reason {
            problems.push(Problem::new(reason, Some(checks_span.clone())));
        }
    }
    if !checks.is_empty() && checks.iter().all(|check| check.out_of_sight) {
        problems.push(
            Problem::new(
                "a rule of only `out-of-sight` checks can never pass",
                Some(checks_span.clone()),
            )
            .help("add a check of the evidence itself; `out-of-sight` checks only say what may hide it"),
        );
    }
    if applies_if.is_none() && checks.iter().any(|check| check.shows_it_applies) {
        problems.push(
            Problem::new(
                "`shows-it-applies` makes a rule apply beyond its `applies-if`, and it has none",
                Some(checks_span.clone()),
            )
            .help("remove `shows-it-applies`: a rule without `applies-if` always applies"),
        );
    }
    if problems.len() > before {
        return None;
    }
    Some(Parsed {
        rule: Rule {
            id: spec.id.into_inner(),
            area: area.expect("validated above"),
            title: spec.title.into(),
            severity: spec.severity,
            weight: spec.weight.into_inner(),
            rationale: spec.rationale,
            remediation: spec.remediation.into(),
            applies_if,
            per_component: spec.per_component,
            component_applies_if,
            served_from_outside: spec.served_from_outside,
            components_needed: spec.components_needed,
            level,
            effort: spec.effort,
            requires: spec
                .requires
                .iter()
                .map(|id| id.get_ref().clone())
                .collect(),
            checks,
        },
        id_span,
        requires_spans: spec.requires.iter().map(Spanned::span).collect(),
    })
}

fn check_rule_id(id: &Spanned<String>, area: &str, problems: &mut Vec<Problem>) {
    let text = id.get_ref();
    let well_formed = text.split_once('.').is_some_and(|(prefix, name)| {
        prefix == area
            && !name.is_empty()
            && !name.starts_with('-')
            && !name.ends_with('-')
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    });
    if !well_formed {
        problems.push(
            Problem::new(format!("rule id `{text}` is not `<area>.<kebab-name>`"), Some(id.span()))
                .label("rule id")
                .help(format!("use an id such as `{area}.my-practice`: the rule's area, a dot, then lowercase words joined by `-`")),
        );
    }
}

/// `key` names the table in messages: `applies-if` or `component-applies-if`.
fn compile_precondition(
    key: &str,
    spec: PreconditionSpec,
    id_span: Range<usize>,
    scope: Scope<'_>,
    problems: &mut Vec<Problem>,
) -> Precondition {
    if spec.files.is_empty() && spec.dependency.is_none() {
        problems.push(
            Problem::new(
                format!("`{key}` needs `files` or `dependency`"),
                Some(id_span),
            )
            .help(
                "list the files whose presence makes the rule apply, e.g. `files = [\"**/*.tf\"]`",
            ),
        );
    }
    if let Some(pattern) = &spec.pattern
        && spec.files.is_empty()
    {
        problems.push(Problem::new(
            format!("`pattern` in `{key}` searches `files`, and there are none"),
            Some(pattern.span()),
        ));
    }
    if let (None, Some(first)) = (&spec.pattern, spec.pattern_in.first()) {
        problems.push(
            Problem::new(
                format!("`pattern-in` in `{key}` names the files `pattern` is required of, and there is no `pattern`"),
                Some(first.span()),
            )
            .help("add the `pattern` those files must contain, or remove `pattern-in`"),
        );
    }
    if let Some(dependency) = &spec.dependency
        && spec.manifests.is_empty()
    {
        problems.push(
            Problem::new(
                format!("`dependency` in `{key}` needs `manifests` to look in"),
                Some(dependency.span()),
            )
            .help("add `manifests = [\"@manifests\"]`"),
        );
    }
    let files = sets::expand(spec.files, &scope.definitions.sets, problems);
    let manifests = sets::expand(spec.manifests, &scope.definitions.sets, problems);
    let requires = sets::expand(spec.requires, &scope.definitions.sets, problems);
    let exclude = sets::expand(spec.exclude, &scope.definitions.sets, problems);
    let pattern_in = sets::expand(spec.pattern_in, &scope.definitions.sets, problems);
    let content: Vec<(PathSet, Pattern)> = spec
        .content
        .into_iter()
        .filter_map(|content| {
            if content.files.is_empty() {
                problems.push(
                    Problem::new(
                        format!("a `content` entry in `{key}` names no files (`in`) its pattern is required of"),
                        Some(content.pattern.span()),
                    )
                    .help("list the files that count only when they contain the pattern, e.g. `in = [\"**/template.yaml\"]`"),
                );
                return None;
            }
            let files = sets::expand(content.files, &scope.definitions.sets, problems);
            for glob in &files {
                check_glob(glob, problems);
            }
            let pattern = compile_pattern(&content.pattern, scope, problems)?;
            Some((
                PathSet::new(files.into_iter().map(Spanned::into_inner).collect()),
                pattern,
            ))
        })
        .collect();
    for glob in files
        .iter()
        .chain(&pattern_in)
        .chain(&manifests)
        .chain(&requires)
        .chain(&exclude)
    {
        check_glob(glob, problems);
    }
    let globs = |list: Vec<Spanned<String>>| list.into_iter().map(Spanned::into_inner).collect();
    Precondition {
        files: globs(files),
        exclude: globs(exclude),
        pattern: spec
            .pattern
            .and_then(|pattern| compile_pattern(&pattern, scope, problems)),
        pattern_in: (!pattern_in.is_empty()).then(|| PathSet::new(globs(pattern_in))),
        content,
        dependency: spec
            .dependency
            .and_then(|dependency| compile_pattern(&dependency, scope, problems)),
        manifests: globs(manifests),
        requires: globs(requires),
        description: spec.description,
    }
}

fn compile_check(
    spec: CheckSpec,
    rule_span: Range<usize>,
    scope: Scope<'_>,
    problems: &mut Vec<Problem>,
) -> Option<Check> {
    let before = problems.len();
    if spec.kind.get_ref() == "history" {
        return compile_history_check(spec, problems);
    }
    for key in [&spec.figure, &spec.comparison]
        .into_iter()
        .flatten()
        .map(Spanned::span)
        .chain(spec.threshold.as_ref().map(Spanned::span))
    {
        problems.push(
            Problem::new(
                "only `history` checks take a figure, comparison and threshold",
                Some(key),
            )
            .help("use `kind = \"history\"` to judge a figure of the history section"),
        );
    }
    let (files_span, files) = match spec.files {
        Some(files) => (files.span(), files.into_inner()),
        None => (0..0, Vec::new()),
    };
    let files = sets::expand(files, &scope.definitions.sets, problems);
    let exclude = sets::expand(spec.exclude, &scope.definitions.sets, problems);
    let kind_name = spec.kind.get_ref().as_str();
    let mut unless = optional_pattern(
        spec.unless.as_ref(),
        matches!(kind_name, "pipeline-command" | "pipeline-uses"),
        "only `pipeline-command` and `pipeline-uses` checks take `unless`",
        scope,
        problems,
    );
    let mut guard = optional_pattern(
        spec.unless_guarded_by.as_ref(),
        kind_name == "content-matches",
        "only `content-matches` checks take `unless-guarded-by`",
        scope,
        problems,
    );
    let mut opaque = optional_pattern(
        spec.opaque.as_ref(),
        kind_name == "pipeline-command",
        "only `pipeline-command` checks take `opaque`",
        scope,
        problems,
    );
    let mut task_named = optional_pattern(
        spec.task_named.as_ref(),
        kind_name == "pipeline-command",
        "only `pipeline-command` checks take `task-named`",
        scope,
        problems,
    );
    let action_scripts = flag(
        spec.action_scripts.as_ref(),
        kind_name == "pipeline-command",
        "only `pipeline-command` checks take `action-scripts`",
        problems,
    );
    let third_party = flag(
        spec.third_party.as_ref(),
        kind_name == "pipeline-uses",
        "only `pipeline-uses` checks take `third-party`",
        problems,
    );
    let mut opaque_except = optional_pattern(
        spec.opaque_except.as_ref(),
        kind_name == "pipeline-uses",
        "only `pipeline-uses` checks take `opaque-except`",
        scope,
        problems,
    );
    let unless_triggered_by = pipeline_exception(
        "unless-triggered-by",
        spec.unless_triggered_by.as_ref(),
        "'^pull_request$'",
        kind_name,
        scope,
        problems,
    );
    let unless_pipeline_runs = pipeline_exception(
        "unless-pipeline-runs",
        spec.unless_pipeline_runs.as_ref(),
        "'helm/kind-action@'",
        kind_name,
        scope,
        problems,
    );
    let kind = match spec.kind.get_ref().as_str() {
        "files-present" => {
            if let Some(pattern) = &spec.pattern {
                problems.push(
                    Problem::new(
                        "`pattern` only applies to `content-matches` checks",
                        Some(pattern.span()),
                    )
                    .help("use `kind = \"content-matches\"` to search file contents"),
                );
            }
            Some(CheckKind::FilesPresent)
        }
        "update-coverage" => compile_ecosystems(&spec.ecosystems, scope, problems)
            .map(|ecosystems| CheckKind::UpdateCoverage { ecosystems }),
        "pipeline-parses" => {
            if let Some(pattern) = &spec.pattern {
                problems.push(Problem::new(
                    "a `pipeline-parses` check takes no `pattern`",
                    Some(pattern.span()),
                ));
            }
            Some(CheckKind::PipelineParses)
        }
        kind @ ("content-matches"
        | "pipeline-trigger"
        | "pipeline-command"
        | "pipeline-uses"
        | "pipeline-environment"
        | "pipeline-service"
        | "pipeline-permissions"
        | "dependency"
        | "base-image"
        | "workload-containers") => match &spec.pattern {
            None => {
                problems.push(
                    Problem::new(
                        format!("a `{kind}` check needs a `pattern`"),
                        Some(spec.kind.span()),
                    )
                    .help("add `pattern = '<regex>'`"),
                );
                None
            }
            Some(pattern) => compile_pattern(pattern, scope, problems).map(|pattern| match kind {
                "pipeline-trigger" => CheckKind::PipelineTrigger { pattern },
                "pipeline-command" => CheckKind::PipelineCommand {
                    pattern,
                    unless: unless.take(),
                    opaque: opaque.take(),
                    task_named: task_named.take(),
                    action_scripts,
                },
                "pipeline-uses" => CheckKind::PipelineUses {
                    pattern,
                    unless: unless.take(),
                    opaque_except: opaque_except.take(),
                    third_party,
                },
                "pipeline-environment" => CheckKind::PipelineEnvironment { pattern },
                "pipeline-service" => CheckKind::PipelineService { pattern },
                "dependency" => CheckKind::Dependency { pattern },
                "base-image" => CheckKind::BaseImage { pattern },
                "workload-containers" => CheckKind::WorkloadContainers { pattern },
                "pipeline-permissions" => CheckKind::PipelinePermissions { pattern },
                _ => CheckKind::ContentMatches {
                    pattern,
                    guard: guard.take(),
                },
            }),
        },
        other => {
            problems.push(
                Problem::new(
                    format!("unknown check kind `{other}`"),
                    Some(spec.kind.span()),
                )
                .help(
                    "check kinds are: files-present, content-matches, pipeline-trigger, \
                     pipeline-command, pipeline-uses, pipeline-environment, pipeline-service, \
                     pipeline-permissions, pipeline-parses, dependency, base-image, workload-containers, update-coverage, history",
                ),
            );
            None
        }
    };
    if files.is_empty() {
        let span = Some(files_span)
            .filter(|span| !span.is_empty())
            .unwrap_or(rule_span);
        problems.push(Problem::new(
            "`files` must list at least one glob",
            Some(span),
        ));
    }
    for glob in files.iter().chain(&exclude) {
        check_glob(glob, problems);
    }
    if let Some(min_count) = &spec.min_count
        && *min_count.get_ref() == 0
    {
        problems.push(Problem::new(
            "`min-count` must be at least 1",
            Some(min_count.span()),
        ));
    }
    if spec.out_of_sight
        && (spec.absent
            || spec.looks_for.is_none()
            || !matches!(
                kind,
                Some(CheckKind::FilesPresent | CheckKind::ContentMatches { .. })
            ))
    {
        problems.push(
            Problem::new(
                "`out-of-sight` is for a `files-present` or `content-matches` check that is not \
                 `absent` and says what it `looks-for`",
                Some(spec.kind.span()),
            )
            .help("the message names what it found as \"what <looks-for> runs\""),
        );
    }
    if spec.shows_it_applies && (spec.absent || spec.out_of_sight) {
        problems.push(Problem::new(
            "`shows-it-applies` is for a check whose match is evidence of the practice, not one \
             that is `absent` or `out-of-sight`",
            Some(spec.kind.span()),
        ));
    }
    if problems.len() > before {
        return None;
    }
    Some(Check {
        kind: kind?,
        files: files.into_iter().map(Spanned::into_inner).collect(),
        exclude: exclude.into_iter().map(Spanned::into_inner).collect(),
        excluded: Default::default(),
        min_count: spec.min_count.map_or(1, Spanned::into_inner),
        fallback: spec.fallback,
        looks_for: spec.looks_for,
        discounted: spec.discounted,
        absent: spec.absent,
        out_of_sight: spec.out_of_sight,
        shows_it_applies: spec.shows_it_applies,
        quiet: spec.quiet,
        unless_triggered_by,
        unless_pipeline_runs,
    })
}

/// A `history` check: a known figure, `at-most` or `at-least`, and a finite threshold; no
/// files or patterns.
fn compile_history_check(spec: CheckSpec, problems: &mut Vec<Problem>) -> Option<Check> {
    let before = problems.len();
    let kind_span = spec.kind.span();
    let tree_keys = [
        spec.files.as_ref().map(|files| ("files", files.span())),
        spec.pattern
            .as_ref()
            .map(|pattern| ("pattern", pattern.span())),
        spec.min_count
            .as_ref()
            .map(|count| ("min-count", count.span())),
        spec.unless_triggered_by
            .as_ref()
            .map(|pattern| ("unless-triggered-by", pattern.span())),
        spec.unless_pipeline_runs
            .as_ref()
            .map(|pattern| ("unless-pipeline-runs", pattern.span())),
        spec.unless_guarded_by
            .as_ref()
            .map(|pattern| ("unless-guarded-by", pattern.span())),
    ];
    for (key, span) in tree_keys.into_iter().flatten() {
        problems.push(
            Problem::new(format!("a `history` check takes no `{key}`"), Some(span))
                .help("a history check judges a figure: `figure`, `comparison` and `threshold`"),
        );
    }
    let figure = match &spec.figure {
        None => {
            problems.push(
                Problem::new(
                    "a `history` check needs a `figure`",
                    Some(kind_span.clone()),
                )
                .help("add `figure = \"flow.median_lines_per_commit\"` (or another figure id)"),
            );
            None
        }
        Some(figure) => match FIGURE_IDS.iter().find(|id| **id == figure.get_ref()) {
            Some(id) => Some(*id),
            None => {
                problems.push(
                    Problem::new(
                        format!("unknown figure `{}`", figure.get_ref()),
                        Some(figure.span()),
                    )
                    .help(format!("figures are: {}", FIGURE_IDS.join(", "))),
                );
                None
            }
        },
    };
    let comparison = match spec
        .comparison
        .as_ref()
        .map(|c| (c.get_ref().as_str(), c.span()))
    {
        Some(("at-most", _)) => Some(Comparison::AtMost),
        Some(("at-least", _)) => Some(Comparison::AtLeast),
        other => {
            let span = other.map_or(kind_span.clone(), |(_, span)| span);
            problems.push(
                Problem::new(
                    "a `history` check needs `comparison = \"at-most\"` or `\"at-least\"`",
                    Some(span),
                )
                .help("say whether the figure must stay at most or at least the threshold"),
            );
            None
        }
    };
    let threshold = match &spec.threshold {
        Some(threshold) if threshold.get_ref().is_finite() => Some(*threshold.get_ref()),
        other => {
            let span = other
                .as_ref()
                .map_or(kind_span, |threshold| threshold.span());
            problems.push(Problem::new(
                "a `history` check needs a finite `threshold`",
                Some(span),
            ));
            None
        }
    };
    if spec.shows_it_applies {
        problems.push(
            Problem::new(
                "a `history` check takes no `shows-it-applies`",
                Some(spec.kind.span()),
            )
            .help("a history check judges a figure: `figure`, `comparison` and `threshold`"),
        );
    }
    if problems.len() > before {
        return None;
    }
    Some(Check {
        kind: CheckKind::History {
            figure: figure?,
            comparison: comparison?,
            threshold: threshold?,
            min_commits: spec
                .min_commits
                .map_or(DEFAULT_MIN_COMMITS, |count| count.into_inner() as usize),
        },
        files: Vec::new(),
        exclude: Vec::new(),
        excluded: Default::default(),
        min_count: 1,
        fallback: false,
        looks_for: spec.looks_for,
        discounted: None,
        absent: false,
        out_of_sight: false,
        shows_it_applies: false,
        quiet: false,
        unless_triggered_by: None,
        unless_pipeline_runs: None,
    })
}

fn compile_ecosystems(
    ecosystems: &std::collections::BTreeMap<String, Vec<Spanned<String>>>,
    scope: Scope<'_>,
    problems: &mut Vec<Problem>,
) -> Option<Vec<Ecosystem>> {
    let mut compiled = Vec::new();
    for (name, globs) in ecosystems {
        let globs = sets::expand(globs.clone(), &scope.definitions.sets, problems);
        for glob in &globs {
            check_glob(glob, problems);
        }
        let covered_by: Vec<String> = name.split('|').map(str::to_owned).collect();
        compiled.push(Ecosystem {
            name: covered_by[0].clone(),
            covered_by,
            files: globs.into_iter().map(Spanned::into_inner).collect(),
        });
    }
    if compiled.is_empty() {
        problems.push(Problem::new(
            "an `update-coverage` check needs an `[rule.check.ecosystems]` table",
            None,
        ));
        return None;
    }
    Some(compiled)
}

/// `unless-triggered-by` or `unless-pipeline-runs` (`key`): for pipeline checks only, and never
/// a pattern that matches the empty text (`.*`, `x|`, `^`), which every trigger and every
/// pipeline matches, so nothing would count.
fn pipeline_exception(
    key: &str,
    pattern: Option<&Spanned<String>>,
    example: &str,
    kind_name: &str,
    scope: Scope,
    problems: &mut Vec<Problem>,
) -> Option<Pattern> {
    let compiled = optional_pattern(
        pattern,
        matches!(
            kind_name,
            "pipeline-command" | "pipeline-uses" | "pipeline-environment"
        ),
        &format!(
            "only `pipeline-command`, `pipeline-uses` and `pipeline-environment` checks take `{key}`"
        ),
        scope,
        problems,
    )?;
    if compiled.is_match(b"") {
        problems.push(
            Problem::new(
                format!("`{key}` matches the empty text, so it matches every pipeline and none would count"),
                pattern.map(Spanned::span),
            )
            .help(format!("name what keeps a pipeline from counting: `{key} = {example}`")),
        );
    }
    Some(compiled)
}

/// A check's switch (`action-scripts`, `third-party`): set where its kind takes it, a
/// problem at its span where not.
fn flag(
    flag: Option<&Spanned<bool>>,
    allowed: bool,
    refused: &str,
    problems: &mut Vec<Problem>,
) -> bool {
    match flag {
        Some(flag) if !allowed => {
            problems.push(Problem::new(refused.to_owned(), Some(flag.span())));
            false
        }
        flag => flag.is_some_and(|flag| *flag.get_ref()),
    }
}

/// A check's optional pattern (`unless`, `opaque`): compiled where its kind takes it, a
/// problem at its span where not.
fn optional_pattern(
    pattern: Option<&Spanned<String>>,
    allowed: bool,
    refusal: &str,
    scope: Scope,
    problems: &mut Vec<Problem>,
) -> Option<Pattern> {
    let pattern = pattern?;
    if !allowed {
        problems.push(Problem::new(refusal, Some(pattern.span())));
        return None;
    }
    compile_pattern(pattern, scope, problems)
}

fn compile_pattern(
    pattern: &Spanned<String>,
    scope: Scope<'_>,
    problems: &mut Vec<Problem>,
) -> Option<Pattern> {
    let joined;
    let text = match pattern.get_ref().strip_prefix('@') {
        None => pattern.get_ref(),
        // Named patterns, one or several that each count (`@work-elsewhere|@image-command`).
        Some(names) => {
            let mut defined = Vec::new();
            for name in names.split("|@") {
                match scope.definitions.patterns.get(name) {
                    Some(text) => defined.push(text.as_str()),
                    None => {
                        let known: Vec<String> = scope
                            .definitions
                            .patterns
                            .keys()
                            .map(|name| format!("@{name}"))
                            .collect();
                        problems.push(
                            Problem::new(
                                format!("unknown pattern `@{name}`"),
                                Some(pattern.span()),
                            )
                            .help(format!("known patterns: {}", known.join(", "))),
                        );
                        return None;
                    }
                }
            }
            match defined[..] {
                [one] => one,
                _ => {
                    joined = either(&defined);
                    &joined
                }
            }
        }
    };
    if scope.deferred {
        return Some(Pattern::builtin(text));
    }
    let budget = match scope.regex_budget.map(Cell::get) {
        None => REGEX_SIZE_LIMIT,
        Some(Some(left)) => left,
        // Spent, and said so once: the config is already in error.
        Some(None) => return None,
    };
    match Pattern::compile_within(text, budget) {
        Ok((pattern, size)) => {
            if let Some(left) = scope.regex_budget {
                left.set(Some(budget.saturating_sub(size)));
            }
            Some(pattern)
        }
        Err(regex::Error::CompiledTooBig(_)) if budget < REGEX_SIZE_LIMIT => {
            if let Some(left) = scope.regex_budget {
                left.set(None);
            }
            problems.push(
                Problem::new(
                    format!(
                        "the config's patterns together compile to more than {} MiB",
                        MAX_CONFIG_REGEX_TOTAL >> 20
                    ),
                    Some(pattern.span()),
                )
                .label("over the budget here")
                .help("a rule's pattern is a marker to find, not a program: write fewer or smaller patterns"),
            );
            None
        }
        Err(error) => {
            problems.push(invalid_regex(&error, pattern.span()).help(
                "patterns use Rust `regex` syntax; write them in single quotes to avoid TOML escapes",
            ));
            None
        }
    }
}

/// A pattern matching what any of `patterns` matches. Verbose ones (`(?x)`, as the built-in
/// ones are written) stay one verbose pattern, one alternative a line, as `explain` shows
/// them; otherwise each is a group of its own.
fn either(patterns: &[&str]) -> String {
    let verbose: Option<Vec<&str>> = patterns
        .iter()
        .map(|text| text.strip_prefix("(?x)"))
        .collect();
    match verbose {
        Some(bodies) => format!("(?x){}\n", bodies.join("\n|")),
        None => patterns
            .iter()
            .map(|text| format!("(?:{text}{})", ends_comments(text)))
            .collect::<Vec<String>>()
            .join("|"),
    }
}

/// What ends a pattern so that another may follow it: in verbose mode (`(?x)` at its start),
/// a newline, which ends a comment on its last line; elsewhere a newline would be matched.
fn ends_comments(pattern: &str) -> &'static str {
    let flags = pattern
        .strip_prefix("(?")
        .and_then(|rest| rest.split_once(')'))
        .map_or("", |(flags, _)| flags);
    match flags.chars().all(char::is_alphabetic) && flags.contains('x') {
        true => "\n",
        false => "",
    }
}

/// A regex that does not compile, said in one line at its span.
pub fn invalid_regex(error: &regex::Error, span: Range<usize>) -> Problem {
    let detail = match error {
        regex::Error::CompiledTooBig(_) => "the pattern is too large once compiled".to_owned(),
        other => other
            .to_string()
            .lines()
            .last()
            .unwrap_or_default()
            .trim()
            .to_owned(),
    };
    Problem::new(format!("invalid regex: {detail}"), Some(span)).label("this pattern")
}

#[cfg(test)]
mod tests {
    use super::{either, ends_comments};

    #[test]
    fn patterns_named_together_match_what_either_matches() {
        let joined = either(&["(?x)\n  ^a\n  # b is not\n  | c  # nor d\n", "(?x) ^e$"]);
        let regex = regex::RegexBuilder::new(&joined)
            .multi_line(true)
            .build()
            .unwrap();
        for (text, expected) in [
            ("a", true),
            ("c", true),
            ("e", true),
            ("b", false),
            ("d", false),
        ] {
            assert_eq!(regex.is_match(text), expected, "{text} in {joined}");
        }
        let mixed = either(&["(?x) a  # comment", "b c"]);
        let regex = regex::Regex::new(&mixed).unwrap();
        assert!(regex.is_match("a") && regex.is_match("b c") && !regex.is_match("bc"));
    }

    #[test]
    fn a_verbose_pattern_ends_its_last_comment_before_the_next() {
        assert_eq!(ends_comments("(?x) a | b  # a comment"), "\n");
        assert_eq!(ends_comments("(?ix)a"), "\n");
        assert_eq!(ends_comments("^docker\\s+run"), "");
        assert_eq!(ends_comments("(?i)x"), "");
        assert_eq!(ends_comments("(?:x)"), "");
    }
}

//! The engine: compiled rules × collected facts → findings. Pure apart from the content
//! reader it is handed, so it is tested without a repository.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::OnceLock;

use globset::GlobSet;
use rayon::prelude::*;

use crate::components::{self, ComponentFinding, ComponentFindings};
use crate::config::settings::Settings;
use crate::facts::content::Content;
use crate::facts::manifest::{self, Dependency};
use crate::facts::pipeline::{self, Pipeline};
use crate::facts::tasks::{TaskRunners, task_files};
use crate::facts::tree::Tree;
use crate::facts::yaml::ParseError;
use crate::facts::{self, Located};
use crate::facts::{dependabot, dockerfile, includes, kubernetes};
use crate::finding::{Evidence, Finding, Status, Verdict};
use crate::matcher::{Matcher, MatcherError, Matches, Row, RuleRows};
use crate::repo::Deadline;
use crate::rules::{
    Check, CheckKind, Pattern, Precondition, Rule, builtin_definitions, glob_set, known,
};
use crate::text::{line_of, plural};

/// At most this many evidence locations are kept per finding; the message gives the total.
pub const MAX_EVIDENCE: usize = 10;
/// A component's finding keeps fewer: the repository's finding names the components, and a
/// monorepo can have thousands.
const COMPONENT_EVIDENCE: usize = 3;
/// How many of the files a check looked into a message names when nothing matched.
const NAMED_CANDIDATES: usize = 3;

/// Applies `settings` to the available rules: drops disabled ones, applies severity and
/// threshold overrides. The result is sorted by area, then id.
pub fn enabled_rules(builtin: &[Rule], settings: &Settings) -> Vec<Rule> {
    let mut rules: Vec<Rule> = builtin
        .iter()
        .chain(&settings.custom_rules)
        .filter(|rule| !settings.is_disabled(rule))
        .cloned()
        .collect();
    for rule in &mut rules {
        if let Some(rule_override) = settings.overrides.get(&rule.id) {
            if let Some(severity) = rule_override.severity.and_then(|level| level.severity()) {
                rule.severity = severity;
            }
            if let Some(min_count) = rule_override.min_count {
                for check in &mut rule.checks {
                    check.min_count = min_count;
                }
            }
            if let Some(new_threshold) = rule_override.threshold {
                for check in &mut rule.checks {
                    if let CheckKind::History { threshold, .. } = &mut check.kind {
                        *threshold = new_threshold;
                    }
                }
            }
        }
    }
    rules.sort_by(|a, b| (a.area, &a.id).cmp(&(b.area, &b.id)));
    rules
}

/// The findings for the repository, and in a monorepo those of each component.
#[derive(Debug, Default)]
pub struct Evaluation {
    pub findings: Vec<Finding>,
    pub components: Vec<ComponentFindings>,
}

/// The enabled rules made ready to match a tree. Building the matcher does not need the
/// tree, so a scan builds the plan for the default settings while the tree is listed.
pub struct Plan {
    rules: Vec<Rule>,
    /// The rules judged on history figures rather than on the tree.
    history_rules: Vec<Rule>,
    /// How many per-component rules have a relative copy in the matcher, after `rules`;
    /// when there are any, the rule selecting component markers comes last.
    relative: usize,
    matcher: Matcher,
}

impl Plan {
    /// One matcher for the rules, the files that mark components, and the per-component
    /// rules with their globs made relative to a component (`tests/**` is `**/tests/**`),
    /// whose matches each component then takes the slice of.
    pub fn new(rules: Vec<Rule>, exclude: &[String]) -> Result<Plan, MatcherError> {
        let (history_rules, rules): (Vec<Rule>, Vec<Rule>) =
            rules.into_iter().partition(Rule::reads_history);
        let relative: Vec<Rule> = rules
            .iter()
            .filter(|rule| rule.per_component)
            .map(components::relative)
            .collect();
        let marker = components::marker_rule().filter(|_| !relative.is_empty());
        let matched: Vec<&Rule> = rules.iter().chain(&relative).chain(&marker).collect();
        let matcher = Matcher::new(&matched, exclude)?;
        Ok(Plan {
            relative: relative.len(),
            rules,
            history_rules,
            matcher,
        })
    }

    /// The rules judged on the tree.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// The rules judged on the history figures.
    pub fn history_rules(&self) -> &[Rule] {
        &self.history_rules
    }
}

/// Evaluates every rule against the tree, and the `per-component` rules in each component
/// of a monorepo too, as if it were the repository. `read` returns the contents of the
/// given entry indices, in order; it is only asked for entries some undecided content check
/// needs, and never twice for one entry.
/// Past `deadline`, files are no longer examined: the evaluation is then incomplete, and the
/// caller's own deadline check reports the scan as timed out.
pub fn evaluate(
    plan: &Plan,
    settings: &Settings,
    tree: &Tree,
    deadline: Deadline,
    read: impl FnMut(&[usize]) -> Vec<Content>,
) -> Evaluation {
    let rules = plan.rules();
    let per_component: Vec<&Rule> = rules.iter().filter(|rule| rule.per_component).collect();
    let selection = plan.matcher.match_tree(tree);
    let mut matches = selection.matches();
    let markers = match plan.relative {
        0 => Vec::new(),
        _ => matches.pop_rule().unwrap_or_default().checks,
    };
    let paths: Vec<String> = markers
        .iter()
        .copied()
        .flatten()
        .map(|&entry| tree.entries[entry].display_path())
        .collect();
    let component_dirs = facts::components::detect(paths.iter().map(String::as_str));
    let mut all: Vec<&Rule> = rules.iter().collect();
    let relative_rows = rules.len()..rules.len() + plan.relative;
    let ranges: Vec<_> = component_dirs
        .par_iter()
        .map(|dir| tree.range_under(&format!("{dir}/")))
        .collect();
    matches.push_rules_within(relative_rows.clone(), &ranges);
    for _ in &component_dirs {
        all.extend(per_component.iter().copied());
    }
    // The relative rules' own rows sit between the rules' and the components'.
    matches.remove_rules(relative_rows);
    let mut verdicts =
        judge(&all, rules.len(), settings, tree, &matches, deadline, read).into_iter();
    let mut findings: Vec<Finding> = rules
        .iter()
        .zip(verdicts.by_ref())
        .map(|(rule, verdict)| Finding::judged(rule, verdict))
        .collect();
    let per_directory = all[rules.len()..]
        .iter()
        .zip(verdicts)
        .map(|(rule, verdict)| ComponentFinding::new(rule, verdict))
        .collect();
    let components = components::attach(&mut findings, rules, per_directory, component_dirs);
    Evaluation {
        findings,
        components,
    }
}

/// Judges each rule, given what the matcher selected for it.
/// `rules[components..]` are the per-component rules judged in components.
fn judge(
    rules: &[&Rule],
    components: usize,
    settings: &Settings,
    tree: &Tree,
    matches: &Matches,
    deadline: Deadline,
    read: impl FnMut(&[usize]) -> Vec<Content>,
) -> Vec<Verdict> {
    let mut applicable: Vec<bool> = rules
        .iter()
        .enumerate()
        .map(|(index, rule)| match &rule.applies_if {
            None => true,
            // Files that are evidence of the practice show it applies (a Dockerfile in a
            // project with no server framework); content conditions are settled once read.
            Some(precondition) if !requirement_met(precondition, &matches.rules[index]) => false,
            Some(precondition) => {
                (precondition.pattern.is_none() && !matches.rules[index].precondition.is_empty())
                    || rule
                        .checks
                        .iter()
                        .zip(&matches.rules[index].checks)
                        .any(|(check, entries)| passes_on_presence(check, entries))
            }
        })
        .collect();

    let mut content_outcomes = examine_contents(
        rules,
        settings,
        tree,
        matches,
        &mut applicable,
        deadline,
        read,
    );

    // Independent per rule, and a monorepo has thousands (each rule once per component).
    rules
        .par_iter()
        .zip(content_outcomes.par_iter_mut())
        .enumerate()
        .map(|(index, (rule, outcomes))| {
            if let Some(exemption) = settings.exemption(&rule.id) {
                return Verdict::new(
                    Status::Exempted,
                    format!("Exempted: {}", exemption.reason),
                    Vec::new(),
                );
            }
            if !applicable[index] {
                let what = rule
                    .applies_if
                    .as_ref()
                    .and_then(|precondition| precondition.description.clone())
                    .unwrap_or_else(|| "files this rule applies to".to_owned());
                return Verdict::new(
                    Status::NotApplicable,
                    format!("Not applicable: no {what}."),
                    Vec::new(),
                );
            }
            let kept = if index < components {
                MAX_EVIDENCE
            } else {
                COMPONENT_EVIDENCE
            };
            evaluate_rule(rule, &matches.rules[index].checks, outcomes, tree, kept)
        })
        .collect()
}

/// Reads contents and runs the content checks in stages. A rule's checks are in stage 0
/// until its first `fallback` check, which starts the next stage, and so on. A stage is
/// examined only for rules that no check of an earlier stage passed, so the files only a
/// fallback selects are read only when the cheaper evidence before it is missing.
/// Returns, per rule and check, the outcome of each content check that ran.
fn examine_contents(
    rules: &[&Rule],
    settings: &Settings,
    tree: &Tree,
    matches: &Matches,
    applicable: &mut [bool],
    deadline: Deadline,
    mut read: impl FnMut(&[usize]) -> Vec<Content>,
) -> Vec<Vec<Option<Outcome>>> {
    let stages: Vec<Vec<usize>> = rules.iter().map(|rule| check_stages(rule)).collect();
    let mut contents: Vec<Option<Content>> = vec![None; tree.entries.len()];
    let mut manifests = Manifests::new();
    settle_preconditions(
        rules,
        tree,
        matches,
        applicable,
        (&mut contents, &mut manifests),
        deadline,
        &mut read,
    );
    let mut pipelines = Pipelines::new();
    let mut includes = Includes::new();
    let mut followed = Followed::default();
    // Built once, when a stage first needs them (their files are read in that stage).
    let mut tasks: Option<TaskRunners> = None;
    let no_tasks = TaskRunners::default();
    // Per rule, per check: the outcome of a content check run here, so it is not run again.
    let mut outcomes: Vec<Vec<Option<Outcome>>> = rules
        .iter()
        .map(|rule| rule.checks.iter().map(|_| None).collect())
        .collect();
    // Per rule: the earliest stage in which some check passed.
    let mut passed_in: Vec<Option<usize>> = rules
        .iter()
        .enumerate()
        .map(|(index, rule)| {
            rule.checks
                .iter()
                .zip(&matches.rules[index].checks)
                .zip(&stages[index])
                .filter(|((check, entries), _)| passes_on_presence(check, entries))
                .map(|(_, &stage)| stage)
                .min()
        })
        .collect();
    let examined =
        |index: usize| applicable[index] && settings.exemption(&rules[index].id).is_none();
    let last_stage = stages.iter().flatten().copied().max().unwrap_or(0);
    for stage in 0..=last_stage {
        let due: Vec<(usize, usize)> = (0..rules.len())
            .filter(|&index| {
                examined(index) && passed_in[index].is_none_or(|passed| passed >= stage)
            })
            .flat_map(|index| {
                let (rule, stages) = (&rules[index], &stages[index]);
                (0..rule.checks.len())
                    .filter(move |&check| {
                        stages[check] == stage && rule.checks[check].kind.reads_content()
                    })
                    .map(move |check| (index, check))
            })
            .collect();
        let resolves_tasks = due.iter().any(|&(index, check)| {
            matches!(
                rules[index].checks[check].kind,
                CheckKind::PipelineCommand { .. }
            )
        });
        let task_files = task_files()
            .filter(|_| resolves_tasks)
            .filter_map(|name| tree.position(name));
        let needed = due
            .iter()
            .flat_map(|&(index, check)| matches.rules[index].checks[check].iter().copied())
            .chain(task_files);
        read_missing(needed, &mut contents, &mut read);
        let mut parsed = Vec::new();
        for &(index, check) in &due {
            if rules[index].checks[check].kind.reads_pipelines() {
                for &entry in matches.rules[index].checks[check] {
                    pipelines.entry(entry).or_insert_with(|| {
                        parsed.push(entry);
                        read_pipeline(tree, &contents, entry)
                    });
                }
            }
        }
        follow_includes(
            tree,
            parsed,
            &mut contents,
            &mut pipelines,
            &mut includes,
            &mut followed,
            deadline,
            &mut read,
        );
        let manifest_entries: Vec<usize> = due
            .iter()
            .filter(|&&(index, check)| rules[index].checks[check].kind.reads_manifests())
            .flat_map(|&(index, check)| matches.rules[index].checks[check].iter().copied())
            .collect();
        parse_manifests(tree, &contents, manifest_entries, &mut manifests);
        if resolves_tasks && tasks.is_none() {
            let runners = task_runners(tree, &contents);
            read_task_scripts(
                tree,
                &runners,
                &mut contents,
                &mut pipelines,
                &mut includes,
                &mut followed,
                deadline,
                &mut read,
            );
            tasks = Some(runners);
        }
        let facts = Facts {
            tree,
            contents: &contents,
            pipelines: &pipelines,
            manifests: &manifests,
            tasks: tasks.as_ref().unwrap_or(&no_tasks),
            includes: &includes,
            max_file_size: settings.max_file_size,
            deadline,
        };
        // A check with nothing to look at has found nothing (a monorepo's components make
        // thousands of these): settled here rather than sent to the pool.
        let (due, empty): (Vec<CheckAt>, Vec<CheckAt>) = due
            .into_iter()
            .partition(|&(index, check)| !matches.rules[index].checks[check].is_empty());
        for (index, check) in empty {
            outcomes[index][check] = Some(Outcome::default());
        }
        // Checks are independent, and a regex over thousands of files adds up: run them in parallel.
        let ran: Vec<(usize, usize, Outcome)> = due
            .into_par_iter()
            .map(|(index, check)| {
                let (spec, selected) = (
                    &rules[index].checks[check],
                    &matches.rules[index].checks[check],
                );
                let in_use = &matches.rules[index].ecosystems[check];
                let outcome = if matches!(spec.kind, CheckKind::PipelineParses) {
                    // Included pipeline files must parse too; the scripts a pipeline runs
                    // are no pipeline definitions.
                    let mut files = with_includes(selected, &includes);
                    files.retain(|&entry| {
                        selected.contains(&entry) || is_yaml(&tree.entries[entry].display_path())
                    });
                    run_check(spec, &files, in_use, &facts)
                } else if spec.kind.reads_pipelines() {
                    run_check(spec, &with_includes(selected, &includes), in_use, &facts)
                } else {
                    run_check(spec, selected, in_use, &facts)
                };
                (index, check, outcome)
            })
            .collect();
        for (index, check, outcome) in ran {
            if check_passed(&rules[index].checks[check], &outcome) {
                passed_in[index] = Some(passed_in[index].map_or(stage, |passed| passed.min(stage)));
            }
            outcomes[index][check] = Some(outcome);
        }
    }
    outcomes
}

/// Settles the preconditions their file names alone do not decide: one with a `pattern`
/// holds when one of its files contains a match, one with a `dependency` when one of its
/// manifests declares a matching dependency. What is read for this lands in the shared
/// `contents` and `manifests`, so checks reuse it.
fn settle_preconditions(
    rules: &[&Rule],
    tree: &Tree,
    matches: &Matches,
    applicable: &mut [bool],
    (contents, manifests): (&mut [Option<Content>], &mut Manifests),
    deadline: Deadline,
    read: &mut impl FnMut(&[usize]) -> Vec<Content>,
) {
    let pending: Vec<(usize, &Precondition)> = rules
        .iter()
        .enumerate()
        .filter(|&(index, _)| !applicable[index])
        .filter_map(|(index, rule)| Some((index, rule.applies_if.as_ref()?)))
        .filter(|(_, precondition)| {
            precondition.pattern.is_some() || precondition.dependency.is_some()
        })
        .collect();
    let searched = |&(index, precondition): &(usize, &Precondition)| {
        let files = precondition
            .pattern
            .is_some()
            .then(|| matches.rules[index].precondition.iter().copied());
        let manifests = precondition
            .dependency
            .is_some()
            .then(|| matches.rules[index].manifests.iter().copied());
        files
            .into_iter()
            .flatten()
            .chain(manifests.into_iter().flatten())
    };
    read_missing(pending.iter().flat_map(searched), contents, read);
    let manifest_entries: Vec<usize> = pending
        .iter()
        .filter(|(_, precondition)| precondition.dependency.is_some())
        .flat_map(|&(index, _)| matches.rules[index].manifests.iter().copied())
        .collect();
    parse_manifests(tree, contents, manifest_entries, manifests);
    for (index, precondition) in pending {
        if !requirement_met(precondition, &matches.rules[index]) {
            continue;
        }
        let contains = |pattern: &Pattern| {
            matches.rules[index].precondition.iter().any(|&entry| {
                !deadline.passed()
                    && matches!(&contents[entry], Some(Content::Text(bytes)) if pattern.is_match(bytes))
            })
        };
        let declares = |dependency: &Pattern| {
            matches.rules[index].manifests.iter().any(|entry| {
                // What a project needs only to be developed or tested says nothing of
                // what it is: a library's test server does not make it a service.
                matches!(manifests.get(entry), Some(Some(Ok(declared)))
                    if declared.iter().any(|declared| !declared.development
                        && dependency.is_match(declared.name.as_bytes())))
            })
        };
        let by_files = match &precondition.pattern {
            Some(pattern) => contains(pattern),
            None => !matches.rules[index].precondition.is_empty(),
        };
        applicable[index] = by_files || precondition.dependency.as_ref().is_some_and(declares);
    }
}

/// Whether a file the precondition `requires` exists (when it requires any).
fn requirement_met(precondition: &Precondition, rows: &RuleRows) -> bool {
    precondition.requires.is_empty() || !rows.required.is_empty()
}

/// Parses the manifests among `entries` not parsed yet, in parallel.
fn parse_manifests(
    tree: &Tree,
    contents: &[Option<Content>],
    mut entries: Vec<usize>,
    manifests: &mut Manifests,
) {
    entries.retain(|entry| !manifests.contains_key(entry));
    entries.sort_unstable();
    entries.dedup();
    let parsed: Vec<(usize, Option<Manifest>)> = entries
        .into_par_iter()
        .map(|entry| {
            let path = tree.entries[entry].display_path();
            let declared = parse_text(contents, entry, |text| manifest::read(&path, text));
            (entry, declared)
        })
        .collect();
    manifests.extend(parsed);
}

/// Reads the entries not read yet into `contents`, each once, in one call to `read`.
fn read_missing(
    entries: impl IntoIterator<Item = usize>,
    contents: &mut [Option<Content>],
    read: &mut impl FnMut(&[usize]) -> Vec<Content>,
) {
    let mut missing: Vec<usize> = entries
        .into_iter()
        .filter(|&entry| contents[entry].is_none())
        .collect();
    if missing.is_empty() {
        return;
    }
    missing.sort_unstable();
    missing.dedup();
    for (entry, content) in missing.iter().zip(read(&missing)) {
        contents[*entry] = Some(content);
    }
}

/// A check, by its rule's index and its own.
type CheckAt = (usize, usize);

/// Parsed pipelines by entry; `None` for files that were not text.
type Pipelines = HashMap<usize, Option<Result<Pipeline, ParseError>>>;

/// A manifest's declared dependencies, or why it could not be read.
type Manifest = Result<Vec<Dependency>, ParseError>;

/// Parsed manifests by entry; `None` for files that were not text.
type Manifests = HashMap<usize, Option<Manifest>>;

/// The entries each pipeline includes, by the including pipeline's entry.
type Includes = HashMap<usize, Vec<usize>>;

/// How much of what pipelines include and run a scan follows: real pipelines include tens of
/// files; a repository naming thousands, or globs matching the whole tree, gets this much and
/// the rules that needed the rest are `unknown`, naming where it stopped.
const MAX_INCLUDES_PER_FILE: usize = 256;
const MAX_FOLLOWED_FILES: usize = 500;
const MAX_FOLLOWED_BYTES: usize = 2 << 20;

/// What [`follow_includes`] has followed so far in this scan.
#[derive(Default)]
struct Followed {
    files: usize,
    bytes: usize,
}

/// Reads and parses, transitively, the local files the pipelines at `parsed` include (and
/// the scripts they run), so checks see an included job as part of the pipeline that
/// includes it. Bounded by the `MAX_*` limits above and by the deadline.
#[allow(clippy::too_many_arguments)]
fn follow_includes(
    tree: &Tree,
    mut parsed: Vec<usize>,
    contents: &mut [Option<Content>],
    pipelines: &mut Pipelines,
    includes: &mut Includes,
    followed: &mut Followed,
    deadline: Deadline,
    read: &mut impl FnMut(&[usize]) -> Vec<Content>,
) {
    let mut resolved: HashMap<String, Vec<usize>> = HashMap::new();
    while let Some(&first_includer) = parsed.first() {
        if deadline.passed() {
            return;
        }
        let mut discovered = Vec::new();
        for entry in parsed {
            let Some(Some(Ok(pipeline))) = pipelines.get(&entry) else {
                continue;
            };
            let includer = tree.entries[entry].display_path();
            let folder = includer.rsplit_once('/').map(|(folder, _)| folder);
            // Repository-relative first; Azure's templates are relative to the includer.
            let mut targets: Vec<usize> = Vec::new();
            let mut complete = pipeline.includes.len() <= MAX_INCLUDES_PER_FILE;
            for include in pipeline.includes.iter().take(MAX_INCLUDES_PER_FILE) {
                let mut resolve = |path: String| {
                    resolved
                        .entry(path)
                        .or_insert_with_key(|path| includes::resolve(tree, path))
                        .clone()
                };
                let mut found = resolve(include.text.clone());
                if found.is_empty()
                    && let Some(folder) = folder
                {
                    found = resolve(format!("{folder}/{}", include.text));
                }
                targets.extend(found.into_iter().filter(|&target| target != entry));
                targets.sort_unstable();
                targets.dedup();
                if targets.len() > MAX_INCLUDES_PER_FILE {
                    targets.truncate(MAX_INCLUDES_PER_FILE);
                    complete = false;
                    break;
                }
            }
            if !complete {
                unseen_past_limit(
                    pipelines,
                    entry,
                    &format!(
                        "the files {includer} includes or runs past the first {MAX_INCLUDES_PER_FILE}"
                    ),
                );
            }
            // An included pipeline is read as its includer is (a GitLab include need not
            // be named like a pipeline); a script as a script.
            let format = pipeline_format(&includer);
            discovered.extend(targets.iter().map(|&target| {
                let path = tree.entries[target].display_path();
                (target, included_format(&path, format))
            }));
            includes.insert(entry, targets);
        }
        discovered.retain(|(target, _)| !pipelines.contains_key(target));
        discovered.sort_unstable_by_key(|&(target, _)| target);
        discovered.dedup_by_key(|(target, _)| *target);
        let room = MAX_FOLLOWED_FILES.saturating_sub(followed.files);
        if discovered.len() > room {
            discovered.truncate(room);
            unseen_past_limit(
                pipelines,
                first_includer,
                &format!("the included files and scripts past the first {MAX_FOLLOWED_FILES}"),
            );
        }
        read_missing(discovered.iter().map(|&(target, _)| target), contents, read);
        let mut next = Vec::new();
        for &(target, format) in &discovered {
            let size = match &contents[target] {
                Some(Content::Text(bytes)) => bytes.len(),
                _ => 0,
            };
            if followed.bytes + size > MAX_FOLLOWED_BYTES {
                pipelines.insert(target, None);
                unseen_past_limit(
                    pipelines,
                    first_includer,
                    &format!(
                        "the included files and scripts past the first {} MiB",
                        MAX_FOLLOWED_BYTES >> 20
                    ),
                );
                continue;
            }
            followed.files += 1;
            followed.bytes += size;
            pipelines.insert(
                target,
                parse_text(contents, target, |text| {
                    pipeline::read(format, text, &builtin_definitions().steps)
                }),
            );
            next.push(target);
        }
        parsed = next;
    }
}

/// Records on the pipeline at `entry` that what it includes was followed only so far.
fn unseen_past_limit(pipelines: &mut Pipelines, entry: usize, what: &str) {
    if let Some(Some(Ok(pipeline))) = pipelines.get_mut(&entry) {
        pipeline.indirect.push(Located::new(what, 0));
    }
}

/// Reads and parses, as pipelines of their own, the scripts of the repository the root task
/// runners run (`test: ; ./script/test`), and what those include, so a pipeline step
/// `make test` is judged by the script its target runs.
#[allow(clippy::too_many_arguments)]
fn read_task_scripts(
    tree: &Tree,
    tasks: &TaskRunners,
    contents: &mut [Option<Content>],
    pipelines: &mut Pipelines,
    includes: &mut Includes,
    followed: &mut Followed,
    deadline: Deadline,
    read: &mut impl FnMut(&[usize]) -> Vec<Content>,
) {
    let mut scripts: Vec<usize> = tasks
        .commands()
        .flat_map(pipeline::script_references)
        .filter_map(|path| tree.position(&path))
        .filter(|entry| !pipelines.contains_key(entry))
        .collect();
    scripts.sort_unstable();
    scripts.dedup();
    scripts.truncate(MAX_INCLUDES_PER_FILE);
    followed.files += scripts.len();
    read_missing(scripts.iter().copied(), contents, read);
    for &entry in &scripts {
        pipelines.insert(
            entry,
            parse_text(contents, entry, |text| {
                pipeline::read(pipeline::Format::Script, text, &builtin_definitions().steps)
            }),
        );
    }
    follow_includes(
        tree, scripts, contents, pipelines, includes, followed, deadline, read,
    );
}

/// The selected pipelines and everything they include, transitively.
fn with_includes(selected: &[usize], includes: &Includes) -> Vec<usize> {
    let mut all = selected.to_vec();
    let mut seen: std::collections::HashSet<usize> = all.iter().copied().collect();
    let mut next = 0;
    while next < all.len() {
        for &target in includes.get(&all[next]).into_iter().flatten() {
            if seen.insert(target) {
                all.push(target);
            }
        }
        next += 1;
    }
    all
}

fn read_pipeline(
    tree: &Tree,
    contents: &[Option<Content>],
    entry: usize,
) -> Option<Result<Pipeline, ParseError>> {
    let format = pipeline_format(&tree.entries[entry].display_path());
    parse_text(contents, entry, |text| {
        pipeline::read(format, text, &builtin_definitions().steps)
    })
}

/// How to read the pipeline at `path`: by the built-in file sets that name each format
/// (`rules/ci.toml`); other YAML formats are read by their key names.
fn pipeline_format(path: &str) -> pipeline::Format {
    use pipeline::Format;
    static FORMATS: OnceLock<Vec<(Format, GlobSet)>> = OnceLock::new();
    let formats = FORMATS.get_or_init(|| {
        pipeline::FORMAT_SETS
            .iter()
            .map(|&(format, set)| (format, glob_set(set(&known().pipeline_formats))))
            .collect()
    });
    formats
        .iter()
        .find(|(_, globs)| globs.is_match(path))
        .map_or(Format::Other, |(format, _)| *format)
}

/// Whether `path` names a YAML (or JSON) document.
fn is_yaml(path: &str) -> bool {
    [".yml", ".yaml", ".json"]
        .iter()
        .any(|extension| path.ends_with(extension))
}

/// How a file a pipeline of `includer` format includes is read: YAML as its includer
/// (GitLab includes, Azure templates, GitHub workflows and actions), anything else as a
/// script the pipeline runs.
fn included_format(path: &str, includer: pipeline::Format) -> pipeline::Format {
    let yaml = is_yaml(path);
    match includer {
        pipeline::Format::Script | pipeline::Format::Jenkins if yaml => pipeline::Format::Other,
        _ if yaml => includer,
        _ => pipeline::Format::Script,
    }
}

fn parse_text<T>(
    contents: &[Option<Content>],
    entry: usize,
    parse: impl FnOnce(&str) -> Result<T, ParseError>,
) -> Option<Result<T, ParseError>> {
    let Some(Content::Text(bytes)) = &contents[entry] else {
        return None;
    };
    Some(match std::str::from_utf8(bytes) {
        Ok(text) => parse(text),
        Err(_) => Err(ParseError {
            message: "not valid UTF-8".to_owned(),
            line: None,
            beyond_limits: false,
        }),
    })
}

/// The root task runners, from whichever task files have been read.
fn task_runners(tree: &Tree, contents: &[Option<Content>]) -> TaskRunners {
    TaskRunners::new(|name| match &contents[tree.position(name)?] {
        Some(Content::Text(bytes)) => std::str::from_utf8(bytes).ok(),
        _ => None,
    })
}

/// The stage of each of a rule's checks: every `fallback` check starts a new one.
fn check_stages(rule: &Rule) -> Vec<usize> {
    let mut stage = 0;
    rule.checks
        .iter()
        .map(|check| {
            stage += usize::from(check.fallback);
            stage
        })
        .collect()
}

fn passes_on_presence(check: &Check, entries: &[usize]) -> bool {
    !check.kind.reads_content() && entries.len() >= check.min_count as usize
}

struct Facts<'a> {
    tree: &'a Tree,
    contents: &'a [Option<Content>],
    pipelines: &'a Pipelines,
    manifests: &'a Manifests,
    tasks: &'a TaskRunners,
    /// What each pipeline and script includes, for the scripts task runners run.
    includes: &'a Includes,
    max_file_size: u64,
    /// Past it, no more files are examined.
    deadline: Deadline,
}

/// What one check found.
#[derive(Default)]
struct Outcome {
    evidence: Vec<Evidence>,
    /// Files that matched (for content checks: files whose content matched).
    matched: usize,
    /// For an `absent` content check, the path of each match, in order: all of them, where
    /// `evidence` stops at `MAX_EVIDENCE` (`Verdict::located`). Other checks' matches are
    /// never a failure's evidence, so they are not listed.
    located: Vec<String>,
    /// Candidate files whose content could not be examined, with why.
    unreadable: Vec<String>,
    /// Pipelines that do not parse: where, and the parser's message.
    broken: Vec<(Evidence, String)>,
    candidates: usize,
    /// The first few candidates looked into, to name them when nothing matched.
    examined: Vec<String>,
    /// Calls of reusable workflows in other repositories, in pipelines where nothing
    /// matched: what they run was not seen.
    indirect: Vec<Evidence>,
    /// For an `absent` check: where it found something to judge and nothing against the
    /// practice (a container with probes, a pinned base image) — what its pass rests on,
    /// rather than the first files it happened to look into.
    sound: Vec<Evidence>,
}

/// `kept`: how many evidence locations the finding keeps.
fn evaluate_rule(
    rule: &Rule,
    selected: &[Row],
    examined: &mut [Option<Outcome>],
    tree: &Tree,
    kept: usize,
) -> Verdict {
    let outcomes: Vec<(&Check, Outcome)> = rule
        .checks
        .iter()
        .zip(selected)
        .zip(examined)
        .map(|((check, entries), done)| {
            let outcome = match done.take() {
                Some(outcome) => outcome,
                None if !check.kind.reads_content() => {
                    let mut outcome = presence_outcome(entries, tree, kept);
                    // Every file an inverted presence check finds is a failure's instance.
                    if check.absent {
                        outcome.located = entries
                            .iter()
                            .map(|&index| tree.entries[index].display_path())
                            .collect();
                    }
                    outcome
                }
                // A content check left unexamined is a fallback of a rule that had already
                // passed: its files were deliberately not read.
                None => Outcome {
                    candidates: entries.len(),
                    ..Outcome::default()
                },
            };
            (check, outcome)
        })
        .collect();

    let passing: Vec<&Outcome> = outcomes
        .iter()
        .filter(|(check, outcome)| check_passed(check, outcome))
        .map(|(_, outcome)| outcome)
        .collect();
    if !passing.is_empty() {
        if passing.iter().all(|outcome| outcome.matched == 0) {
            // Only `absent` checks passed: nothing against the practice was found.
            let (check, outcome) = outcomes
                .iter()
                .find(|(check, outcome)| check.absent && check_passed(check, outcome))
                .expect("`passing` is not empty and all of it is `absent` checks");
            let message = format!(
                "No {} in {}.",
                strip_article(check.looks_for()),
                match outcome.candidates {
                    // An inverted presence check: no file is named like what it looks for.
                    0 => "the tree".to_owned(),
                    1 => outcome.examined.join(""),
                    count => format!("the {count} files examined"),
                }
            );
            let evidence = if outcome.sound.is_empty() {
                outcome
                    .examined
                    .iter()
                    .map(|path| Evidence {
                        path: path.clone(),
                        line: None,
                        detail: None,
                    })
                    .collect()
            } else {
                outcome.sound.clone()
            };
            return Verdict::new(Status::Pass, message, evidence);
        }
        // A file two checks both found (a manifest's dependency and its configuration) is
        // one file.
        let mut seen_by_checks: BTreeMap<&str, usize> = BTreeMap::new();
        for outcome in &passing {
            let paths: BTreeSet<&str> = outcome.evidence.iter().map(|e| e.path.as_str()).collect();
            for path in paths {
                *seen_by_checks.entry(path).or_default() += 1;
            }
        }
        let found_twice: usize = seen_by_checks.values().map(|checks| checks - 1).sum();
        let total = passing.iter().map(|outcome| outcome.matched).sum::<usize>() - found_twice;
        let mut evidence: Vec<Evidence> = passing
            .iter()
            .flat_map(|outcome| outcome.evidence.iter().cloned())
            .collect();
        evidence.sort();
        // One line found by two checks is cited once, with what one of them named there.
        evidence.dedup_by(|later, kept| {
            let same = later.path == kept.path && later.line == kept.line;
            if same && kept.detail.is_none() {
                kept.detail = later.detail.take();
            }
            same
        });
        let message = match evidence.first() {
            Some(_) if total > 1 => format!("Found in {total} files."),
            Some(first) => format!("Found in {first}."),
            None => "Found.".to_owned(),
        };
        evidence.truncate(kept);
        return Verdict::new(Status::Pass, message, evidence);
    }

    let broken: Vec<&(Evidence, String)> = outcomes
        .iter()
        .flat_map(|(_, outcome)| &outcome.broken)
        .collect();
    if let Some((first, why)) = broken.first() {
        let others = match broken.len() {
            1 => String::new(),
            count => format!(" ({} more)", count - 1),
        };
        let message = format!("{first} does not parse: {why}{others}.");
        let evidence = broken
            .iter()
            .take(MAX_EVIDENCE)
            .map(|(at, _)| at.clone())
            .collect();
        let located = distinct(broken.iter().map(|(at, _)| at.path.as_str()));
        return Verdict::new(Status::Fail, message, evidence).located(located);
    }

    // An `absent` check that found something: what it found is the evidence against.
    if let Some((check, outcome)) = outcomes
        .iter()
        .find(|(check, outcome)| check.absent && outcome.matched > 0)
    {
        let first = outcome
            .evidence
            .first()
            .map(Evidence::to_string)
            .unwrap_or_default();
        let more = match outcome.matched {
            1 => String::new(),
            count => format!(" and {}", plural(count - 1, "more file")),
        };
        let message = format!("Found {} in {first}{more}.", check.looks_for());
        let located = distinct(outcome.located.iter().map(String::as_str));
        return Verdict::new(Status::Fail, message, outcome.evidence.clone()).located(located);
    }

    let unreadable: Vec<&String> = outcomes
        .iter()
        .flat_map(|(_, outcome)| &outcome.unreadable)
        .collect();
    if let Some(first) = unreadable.first() {
        let count = unreadable.len();
        let message = format!(
            "No evidence found, but {} could not be examined ({first}){}.",
            plural(count, "candidate file"),
            if count > 1 { ", among others" } else { "" },
        );
        return Verdict::new(Status::Unknown, message, Vec::new());
    }

    // A pipeline calls something opslint cannot see into (a reusable workflow of another
    // repository, a library step, an orb job): what it looked for may be there. Only
    // complete evidence fails a rule.
    let unseen = outcomes
        .iter()
        .any(|(_, outcome)| !outcome.indirect.is_empty());
    // Only checks that found candidates say something specific; the rest are summed up.
    // Checks that read the same kind of document (pipelines, manifests) share one sentence.
    let misses: Vec<(&Check, &Outcome)> = outcomes
        .iter()
        .filter(|(_, outcome)| outcome.candidates > 0)
        .map(|(check, outcome)| (*check, outcome))
        .collect();
    let of_kind = |wanted: fn(&CheckKind) -> bool| -> Vec<(&Check, &Outcome)> {
        misses
            .iter()
            .copied()
            .filter(|(check, _)| wanted(&check.kind))
            .collect()
    };
    let near_misses: Vec<String> = describe_document_misses(&of_kind(CheckKind::reads_pipelines))
        .into_iter()
        .chain(describe_document_misses(&of_kind(
            CheckKind::reads_manifests,
        )))
        .chain(
            misses
                .iter()
                .filter(|(check, _)| !check.kind.reads_pipelines() && !check.kind.reads_manifests())
                .map(|(check, outcome)| describe_miss(check, outcome)),
        )
        .collect();
    let message = if near_misses.is_empty() {
        let patterns: usize = rule.checks.iter().map(|check| check.files.len()).sum();
        if patterns == 1 {
            format!(
                "No file matches {}.",
                summarize_globs(&rule.checks[0].files)
            )
        } else {
            format!("No file matches any of the {patterns} patterns this rule looks for.")
        }
    } else {
        near_misses.join(" ")
    };
    let status = if unseen {
        Status::Unknown
    } else {
        Status::Fail
    };
    Verdict::new(status, message, Vec::new())
}

/// `paths`, each once, in their first order.
fn distinct<'a>(paths: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    paths
        .filter(|path| seen.insert(*path))
        .map(str::to_owned)
        .collect()
}

fn check_passed(check: &Check, outcome: &Outcome) -> bool {
    // An inverted presence check (`binary artifacts`) holds when no file matches at all.
    if check.absent && !check.kind.reads_content() {
        return outcome.matched == 0;
    }
    if check.absent {
        return outcome.matched == 0 && outcome.unreadable.is_empty() && outcome.candidates > 0;
    }
    outcome.matched >= check.min_count as usize && outcome.broken.is_empty()
}

/// A `files-present` check: every selected file is evidence.
fn presence_outcome(entries: &[usize], tree: &Tree, kept: usize) -> Outcome {
    Outcome {
        candidates: entries.len(),
        matched: entries.len(),
        // Paths are only rendered for the evidence kept; a glob like `tests/**` can select thousands.
        evidence: entries
            .iter()
            .take(kept)
            .map(|&index| Evidence {
                path: tree.entries[index].display_path(),
                line: None,
                detail: None,
            })
            .collect(),
        ..Outcome::default()
    }
}

/// A check that looks inside the selected files, once their contents have been read.
/// `in_use`: for an `update-coverage` check, the first file showing each ecosystem in use.
fn run_check(check: &Check, entries: &[usize], in_use: &[Option<usize>], facts: &Facts) -> Outcome {
    let mut outcome = Outcome {
        candidates: entries.len(),
        ..Outcome::default()
    };
    for &index in entries {
        // One file's check is bounded (a linear-time regex over a capped read); checking
        // between files keeps a slow pattern over many files within the scan's budget.
        if facts.deadline.passed() {
            break;
        }
        let keep = outcome.evidence.len() < MAX_EVIDENCE;
        let path = || facts.tree.entries[index].display_path();
        if outcome.examined.len() < NAMED_CANDIDATES {
            outcome.examined.push(path());
        }
        let bytes = match &facts.contents[index] {
            Some(Content::Text(bytes)) => bytes,
            // Nothing against the practice found in a file that was not looked into is not
            // its absence: an `absent` check cannot pass on it. Other checks skip it.
            Some(Content::Binary) => {
                if check.absent {
                    outcome.unreadable.push(format!(
                        "{} looks binary (a NUL byte in its first 8,000 bytes)",
                        path()
                    ));
                }
                continue;
            }
            Some(Content::TooLarge(size)) => {
                outcome.unreadable.push(format!(
                    "{} is {} bytes, over the {}-byte read cap",
                    path(),
                    size,
                    facts.max_file_size
                ));
                continue;
            }
            Some(Content::Unreadable(why)) => {
                outcome.unreadable.push(format!("{}: {why}", path()));
                continue;
            }
            None => {
                outcome.unreadable.push(format!("{} was not read", path()));
                continue;
            }
        };
        // Where the check found what it looks for, and what it was (a dependency's name,
        // an action reference…) when that is not the whole line.
        let found: Option<(u32, Option<String>)> = match &check.kind {
            CheckKind::ContentMatches { pattern } => pattern
                .find(bytes)
                .map(|found| (line_of(bytes, found.start()), None)),
            CheckKind::UpdateCoverage { ecosystems } => {
                let Some(configured) = std::str::from_utf8(bytes)
                    .ok()
                    .and_then(|text| dependabot::ecosystems(text).ok())
                else {
                    outcome
                        .unreadable
                        .push(format!("{} does not parse", path()));
                    continue;
                };
                for (ecosystem, first) in ecosystems.iter().zip(in_use) {
                    let Some(first) = first else {
                        continue;
                    };
                    let updated = configured
                        .iter()
                        .any(|entry| ecosystem.covered_by.contains(&entry.text));
                    if !updated {
                        let path = facts.tree.entries[*first].display_path();
                        outcome.matched += 1;
                        if check.absent {
                            outcome.located.push(path.clone());
                        }
                        outcome.evidence.push(Evidence {
                            path,
                            line: None,
                            detail: Some(ecosystem.name.clone()),
                        });
                    }
                }
                continue;
            }
            CheckKind::BaseImage { pattern } => std::str::from_utf8(bytes)
                .ok()
                .map(dockerfile::base_images)
                .and_then(|images| first_match_or_sound(&images, pattern, &mut outcome, path)),
            CheckKind::WorkloadContainers { pattern } => std::str::from_utf8(bytes)
                .ok()
                .map(kubernetes::workload_containers)
                .and_then(|containers| {
                    first_match_or_sound(&containers, pattern, &mut outcome, path)
                }),
            CheckKind::Dependency { pattern } => match facts.manifests.get(&index) {
                Some(Some(Ok(declared))) => declared
                    .iter()
                    .find(|dependency| pattern.is_match(dependency.name.as_bytes()))
                    .map(|dependency| (dependency.line, Some(dependency.name.clone()))),
                Some(Some(Err(error))) => {
                    let at = error
                        .line
                        .map(|line| format!(":{line}"))
                        .unwrap_or_default();
                    outcome.unreadable.push(format!(
                        "{}{at} does not parse: {}",
                        path(),
                        error.message
                    ));
                    None
                }
                Some(None) | None => None,
            },
            kind => match facts.pipelines.get(&index) {
                Some(Some(Ok(pipeline))) => {
                    let found = pipeline_match(kind, pipeline, facts);
                    // What a called workflow runs may be what the check looks for; for an
                    // `absent` check, what it hides cannot count against the practice.
                    let hidden = !check.absent
                        && (pipeline.unread
                            || matches!(
                                kind,
                                CheckKind::PipelineCommand { .. } | CheckKind::PipelineUses { .. }
                            ));
                    if hidden && found.is_none() {
                        if pipeline.unread {
                            let path = path();
                            outcome.indirect.push(Evidence {
                                detail: Some(format!(
                                    "{path}, a definition opslint does not read,"
                                )),
                                path,
                                line: None,
                            });
                        }
                        outcome
                            .indirect
                            .extend(pipeline.indirect.iter().map(|call| Evidence {
                                path: path(),
                                line: Some(call.line),
                                detail: Some(call.text.clone()),
                            }));
                        if let CheckKind::PipelineCommand {
                            opaque: Some(opaque),
                            unless,
                            ..
                        } = kind
                        {
                            outcome.indirect.extend(
                                opaque_commands(pipeline, opaque, unless.as_ref()).map(|command| {
                                    Evidence {
                                        path: path(),
                                        line: Some(command.line),
                                        detail: Some(command.text),
                                    }
                                }),
                            );
                        }
                    }
                    found
                }
                Some(Some(Err(error))) => {
                    if error.beyond_limits {
                        // Too large for opslint to read is no evidence that it is broken.
                        outcome.unreadable.push(format!(
                            "{} is beyond what opslint reads ({})",
                            path(),
                            error.message
                        ));
                    } else if matches!(kind, CheckKind::PipelineParses) {
                        let at = Evidence {
                            path: path(),
                            line: error.line,
                            detail: None,
                        };
                        outcome.broken.push((at, error.message.clone()));
                    } else {
                        // What a pipeline that does not parse runs is unknown, not absent.
                        outcome
                            .unreadable
                            .push(format!("{} does not parse", path()));
                    }
                    None
                }
                Some(None) | None => None,
            },
        };
        if let Some((line, detail)) = found {
            outcome.matched += 1;
            if keep {
                outcome.evidence.push(Evidence {
                    path: path(),
                    line: (line > 0).then_some(line),
                    detail,
                });
            }
            if check.absent {
                outcome.located.push(path());
            }
        }
    }
    outcome
}

/// The first fact the pattern accepts: its line and text.
fn first_match(facts: &[Located], pattern: &Pattern) -> Option<(u32, Option<String>)> {
    facts
        .iter()
        .find(|fact| pattern.is_match(fact.text.as_bytes()))
        .map(|fact| (fact.line, Some(fact.text.clone())))
}

/// The first of `facts` the pattern matches; when none does, the first fact is kept as what
/// a pass rests on (`Outcome::sound`).
fn first_match_or_sound(
    facts: &[Located],
    pattern: &Pattern,
    outcome: &mut Outcome,
    path: impl FnOnce() -> String,
) -> Option<(u32, Option<String>)> {
    let found = first_match(facts, pattern);
    if found.is_none()
        && let Some(first) = facts.first()
        && outcome.sound.len() < MAX_EVIDENCE
    {
        outcome.sound.push(Evidence {
            path: path(),
            line: (first.line > 0).then_some(first.line),
            detail: Some(first.text.clone()),
        });
    }
    found
}

/// The first command of `pipeline` whose work happens out of sight (a check's `opaque`
/// pattern; one names the file well enough), described for "Not seen: what … runs": as
/// written, shortened to a line's worth.
fn opaque_commands<'a>(
    pipeline: &'a Pipeline,
    opaque: &'a Pattern,
    unless: Option<&'a Pattern>,
) -> impl Iterator<Item = Located> + 'a {
    pipeline
        .commands
        .iter()
        .filter(move |command| {
            pipeline::segments(&command.text).any(|segment| {
                opaque.is_match(segment.as_bytes())
                    && unless.is_none_or(|unless| !unless.is_match(segment.as_bytes()))
            })
        })
        .take(1)
        .map(|command| {
            let shown = crate::text::shorten(command.text.trim(), SHOWN_COMMAND);
            Located::new(format!("`{shown}`"), command.line)
        })
}

/// How much of a command a finding shows: a line's worth, not a joined script.
const SHOWN_COMMAND: usize = 120;

/// The first pipeline fact the check accepts: its line (0 when a parsed pipeline passes as
/// a whole) and text.
fn pipeline_match(
    kind: &CheckKind,
    pipeline: &Pipeline,
    facts: &Facts,
) -> Option<(u32, Option<String>)> {
    match kind {
        CheckKind::PipelineTrigger { pattern } => first_match(&pipeline.triggers, pattern),
        CheckKind::PipelineUses { pattern, unless } => pipeline
            .uses
            .iter()
            .filter(|action| {
                unless
                    .as_ref()
                    .is_none_or(|unless| !unless.is_match(action.text.as_bytes()))
            })
            .find(|action| pattern.is_match(action.text.as_bytes()))
            .map(|action| (action.line, Some(action.text.clone()))),
        CheckKind::PipelineEnvironment { pattern } => first_match(&pipeline.environments, pattern),
        CheckKind::PipelinePermissions { pattern } => first_match(&pipeline.permissions, pattern),
        CheckKind::PipelineCommand {
            pattern, unless, ..
        } => {
            let excluded = |text: &str| {
                unless
                    .as_ref()
                    .is_some_and(|unless| unless.is_match(text.as_bytes()))
            };
            let counts = |text: &str| {
                pipeline::segments(text)
                    .any(|segment| pattern.is_match(segment.as_bytes()) && !excluded(segment))
            };
            // A task's line that runs a script of the repository runs that script's lines.
            let script_runs = |line: &str| {
                pipeline::script_references(line)
                    .iter()
                    .filter_map(|path| facts.tree.position(path))
                    .flat_map(|script| with_includes(&[script], facts.includes))
                    .filter_map(|entry| match facts.pipelines.get(&entry) {
                        Some(Some(Ok(script))) => Some(script),
                        _ => None,
                    })
                    .flat_map(|script| &script.commands)
                    .any(|command| counts(&command.text))
            };
            let runs = |command: &&Located| {
                pipeline::segments(&command.text).any(|segment| {
                    !excluded(segment)
                        && !pipeline::is_install(segment)
                        && (pattern.is_match(segment.as_bytes())
                            || facts
                                .tasks
                                .expand(segment)
                                .iter()
                                .any(|run| counts(run) || (!excluded(run) && script_runs(run))))
                })
            };
            let (index, command) = pipeline
                .commands
                .iter()
                .enumerate()
                .find(|(_, command)| runs(command))?;
            let shown = crate::text::shorten(&command.text, SHOWN_COMMAND);
            let detail = match pipeline.job_note(index) {
                Some(note) => format!("{shown} ({note})"),
                None => shown.into_owned(),
            };
            Some((command.line, Some(detail)))
        }
        CheckKind::PipelineParses => Some((0, None)),
        CheckKind::FilesPresent
        | CheckKind::ContentMatches { .. }
        | CheckKind::Dependency { .. }
        | CheckKind::BaseImage { .. }
        | CheckKind::WorkloadContainers { .. }
        | CheckKind::UpdateCoverage { .. }
        | CheckKind::History { .. } => None,
    }
}

/// "Looked for a command that runs tests or a test action in the 2 pipelines
/// (.github/workflows/ci.yml, .gitlab-ci.yml): none found." Misses of checks that read
/// the same kind of document, pipelines or manifests.
fn describe_document_misses(misses: &[(&Check, &Outcome)]) -> Option<String> {
    let mut wanted: Vec<&str> = Vec::new();
    for (check, _) in misses {
        if !wanted.contains(&check.looks_for()) {
            wanted.push(check.looks_for());
        }
    }
    let widest = misses
        .iter()
        .map(|(_, outcome)| *outcome)
        .max_by_key(|outcome| outcome.candidates)?;
    let wanted = match wanted.split_last() {
        Some((last, [])) => (*last).to_owned(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => return None,
    };
    let mut named = widest.examined.join(", ");
    if widest.candidates > widest.examined.len() {
        named.push_str(&format!(
            " and {} more",
            widest.candidates - widest.examined.len()
        ));
    }
    let noun = if misses.iter().all(|(check, _)| check.kind.reads_manifests()) {
        "manifest"
    } else {
        "pipeline"
    };
    let documents = match widest.candidates {
        1 => format!("the {noun} {named}"),
        count => format!("the {count} {noun}s ({named})"),
    };
    let mut unseen: Vec<&Evidence> = misses
        .iter()
        .flat_map(|(_, outcome)| &outcome.indirect)
        .collect();
    unseen.sort();
    unseen.dedup();
    // Where a call is made; an unread definition is the whole file, so it has no line.
    let at = |call: &Evidence| match call.line {
        Some(line) => format!(" at {}:{line}", call.path),
        None => String::new(),
    };
    let unseen = match unseen.as_slice() {
        [] => String::new(),
        [call] => format!(
            " Not seen: what {} runs{}.",
            call.detail.as_deref().unwrap_or_default(),
            at(call).replacen(" at", ", called at", 1)
        ),
        [first, rest @ ..] => format!(
            " Not seen: what {} calls opslint cannot read run ({}{}, …).",
            rest.len() + 1,
            first.detail.as_deref().unwrap_or_default(),
            at(first)
        ),
    };
    Some(format!(
        "Looked for {wanted} in {documents}: none found.{unseen}"
    ))
}

fn describe_miss(check: &Check, outcome: &Outcome) -> String {
    let patterns = summarize_globs(&check.files);
    let marker = check.looks_for();
    match (&check.kind, outcome.candidates) {
        (kind, _) if kind.reads_pipelines() || kind.reads_manifests() => {
            describe_document_misses(&[(check, outcome)]).unwrap_or_default()
        }
        (CheckKind::UpdateCoverage { .. }, _) => {
            format!(
                "{} matching {patterns} examined.",
                plural(outcome.candidates, "file")
            )
        }
        (CheckKind::BaseImage { .. }, candidates) => format!(
            "None of the {} matching {patterns} starts from {marker}.",
            plural(candidates, "file")
        ),
        (CheckKind::WorkloadContainers { .. }, candidates) => format!(
            "None of the {} matching {patterns} declares {marker}.",
            plural(candidates, "file")
        ),
        (CheckKind::FilesPresent, found) => format!(
            "Found {} matching {patterns}; at least {} needed.",
            plural(found, "file"),
            check.min_count
        ),
        (CheckKind::ContentMatches { .. }, 1) if outcome.matched == 0 => {
            format!("The only file matching {patterns} does not contain {marker}.")
        }
        (CheckKind::ContentMatches { .. }, candidates) if outcome.matched == 0 => format!(
            "None of the {} matching {patterns} contains {marker}.",
            plural(candidates, "file")
        ),
        (CheckKind::ContentMatches { .. }, _) => format!(
            "{} contain {marker}; at least {} needed.",
            plural(outcome.matched, "file"),
            check.min_count
        ),
        // The pipeline and manifest kinds, taken by the first arm.
        _ => String::new(),
    }
}

fn summarize_globs(globs: &[String]) -> String {
    match globs {
        [one] => format!("`{one}`"),
        [first, second] => format!("`{first}` or `{second}`"),
        [first, second, rest @ ..] => {
            format!("`{first}`, `{second}` or {} other patterns", rest.len())
        }
        [] => "no pattern".to_owned(),
    }
}

/// "an unpinned base image" → "unpinned base image", for "No unpinned base image in …".
fn strip_article(words: &str) -> &str {
    ["a ", "an ", "the "]
        .iter()
        .find_map(|article| words.strip_prefix(article))
        .unwrap_or(words)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pipeline_formats_come_from_the_built_in_sets() {
        use pipeline::Format;
        for (path, format) in [
            (".github/workflows/ci.yml", Format::GitHubActions),
            (".forgejo/workflows/ci.yaml", Format::GitHubActions),
            (".gitlab-ci.yml", Format::GitLabCi),
            (".gitlab/ci/deploy.yml", Format::GitLabCi),
            ("Jenkinsfile", Format::Jenkins),
            ("ci/release.jenkinsfile", Format::Jenkins),
            (".drone.yml", Format::Other),
            ("azure-pipelines.yml", Format::AzurePipelines),
            (".circleci/config.yml", Format::CircleCi),
        ] {
            assert_eq!(pipeline_format(path), format, "{path}");
        }
    }

    #[test]
    fn glob_summaries_stay_short() {
        let globs: Vec<String> = ["a", "b", "c", "d"]
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        assert_eq!(summarize_globs(&globs[..1]), "`a`");
        assert_eq!(summarize_globs(&globs[..2]), "`a` or `b`");
        assert_eq!(summarize_globs(&globs), "`a`, `b` or 2 other patterns");
    }

    mod staged_reading {
        use super::*;
        use crate::facts::tree::{ContentSource, Entry, EntryKind};
        use crate::rules::{Definitions, parse_rule_document};

        const RULE: &str = r#"
[[rule]]
id = "testing.staged"
area = "testing"
title = "t"
severity = "warning"
rationale = "r"
remediation = "m"

[[rule.check]]
kind = "content-matches"
files = ["a.txt"]
pattern = "marker"

[[rule.check]]
kind = "content-matches"
files = ["b.txt"]
pattern = "marker"

[[rule.check]]
kind = "content-matches"
fallback = true
files = ["c.txt"]
pattern = "marker"
"#;

        /// Evaluates `RULE` over a.txt, b.txt and c.txt with the given contents; returns the
        /// finding and the paths read.
        fn evaluate_with(texts: [&str; 3]) -> (Finding, Vec<String>) {
            let rules: Vec<Rule> = parse_rule_document("test.toml", RULE, &Definitions::default())
                .unwrap()
                .into_iter()
                .map(|parsed| parsed.rule)
                .collect();
            let entries = ["a.txt", "b.txt", "c.txt"]
                .map(|path| Entry {
                    path: path.into(),
                    kind: EntryKind::File,
                    blob: None,
                })
                .to_vec();
            let tree = Tree {
                entries,
                submodules: Vec::new(),
                source: ContentSource::Objects,
            };
            let mut read_paths = Vec::new();
            let plan = Plan::new(rules, &[]).unwrap();
            let findings = evaluate(
                &plan,
                &Settings::default(),
                &tree,
                Deadline::default(),
                |indices| {
                    indices
                        .iter()
                        .map(|&index| {
                            read_paths.push(tree.entries[index].display_path());
                            Content::Text(texts[index].as_bytes().to_vec())
                        })
                        .collect()
                },
            );
            (findings.findings.into_iter().next().unwrap(), read_paths)
        }

        #[test]
        fn checks_before_a_fallback_are_all_examined_and_the_fallback_is_not_read() {
            let (finding, read) = evaluate_with(["marker", "marker", "marker"]);
            assert_eq!(finding.status, Status::Pass);
            assert_eq!(read, ["a.txt", "b.txt"]);
            let evidence: Vec<&str> = finding.evidence.iter().map(|e| e.path.as_str()).collect();
            assert_eq!(evidence, ["a.txt", "b.txt"]);
        }

        #[test]
        fn a_fallback_is_read_when_the_checks_before_it_find_nothing() {
            let (finding, read) = evaluate_with(["none", "none", "marker"]);
            assert_eq!(finding.status, Status::Pass);
            assert_eq!(read, ["a.txt", "b.txt", "c.txt"]);
            assert_eq!(finding.evidence[0].path, "c.txt");
        }
    }

    mod located {
        use super::*;
        use crate::facts::tree::{ContentSource, Entry, EntryKind};
        use crate::rules::builtin_rules;

        /// The built-in rule `id` judged over `files` (path and content).
        fn judge_files(id: &str, files: &[(String, Vec<u8>)]) -> Finding {
            let rule = builtin_rules()
                .iter()
                .find(|rule| rule.id == id)
                .unwrap()
                .clone();
            let tree = Tree {
                entries: files
                    .iter()
                    .map(|(path, _)| Entry {
                        path: path.as_str().into(),
                        kind: EntryKind::File,
                        blob: None,
                    })
                    .collect(),
                submodules: Vec::new(),
                source: ContentSource::Objects,
            };
            let plan = Plan::new(vec![rule], &[]).unwrap();
            let evaluation = evaluate(
                &plan,
                &Settings::default(),
                &tree,
                Deadline::default(),
                |indices| {
                    indices
                        .iter()
                        .map(|&index| match &files[index].1 {
                            bytes if bytes.contains(&0) => Content::Binary,
                            bytes => Content::Text(bytes.clone()),
                        })
                        .collect()
                },
            );
            evaluation.findings.into_iter().next().unwrap()
        }

        fn dockerfiles(count: usize, text: &str) -> Vec<(String, Vec<u8>)> {
            (0..count)
                .map(|index| (format!("d{index:02}.Dockerfile"), text.into()))
                .collect()
        }

        #[test]
        fn an_absent_check_locates_every_match_past_the_evidence_cap() {
            let finding = judge_files(
                "security.base-images-pinned",
                &dockerfiles(12, "FROM node\n"),
            );
            assert_eq!(finding.status, Status::Fail);
            assert_eq!(finding.evidence.len(), MAX_EVIDENCE);
            assert_eq!(finding.located.len(), 12);
            assert_eq!(finding.located[11], "d11.Dockerfile");
            assert!(
                finding.message.contains("and 11 more files"),
                "{}",
                finding.message
            );
        }

        #[test]
        fn nothing_is_located_when_the_evidence_names_every_file() {
            let mut files = dockerfiles(10, "FROM node\n");
            files.push(("z.Dockerfile".to_owned(), b"FROM node:22@sha256:3f9ac4f6d3c1a7d5e1b1f4c2d7e8a9b0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6\n".to_vec()));
            let finding = judge_files("security.base-images-pinned", &files);
            assert_eq!(finding.status, Status::Fail);
            assert_eq!(finding.evidence.len(), MAX_EVIDENCE);
            assert!(finding.located.is_empty(), "{:?}", finding.located);
        }

        #[test]
        fn pipelines_that_do_not_parse_are_all_located() {
            let files: Vec<(String, Vec<u8>)> = (0..11)
                .map(|index| {
                    (
                        format!(".github/workflows/w{index:02}.yml"),
                        b"on: [push\njobs: {\n".to_vec(),
                    )
                })
                .collect();
            let finding = judge_files("ci.pipeline-parses", &files);
            assert_eq!(finding.status, Status::Fail, "{}", finding.message);
            assert_eq!(finding.evidence.len(), MAX_EVIDENCE);
            assert_eq!(finding.located.len(), 11);
            assert_eq!(finding.located[10], ".github/workflows/w10.yml");
        }
    }
}

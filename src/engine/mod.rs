//! The engine: the rules' plan, judged against the facts of one tree — which rules apply,
//! the stages in which their content checks read the files they need (`stages`), and each
//! rule's verdict from what its checks found (`verdict`); in a monorepo, the per-component
//! rules again in each component.

mod applies;
mod stages;
mod verdict;

use std::collections::HashMap;

use rayon::prelude::*;

use crate::checks;
use crate::checks::history::Measured;
use crate::components::{self, ComponentFinding, ComponentFindings};
use crate::config::settings::Settings;
use crate::facts;
use crate::facts::collect::Source;
use crate::facts::content::Content;
use crate::facts::tree::{Origin, Tree};
use crate::finding::{Finding, MAX_EVIDENCE, Status, Verdict};
use crate::matcher::{ByGlob, Hits, Matcher, MatcherError, Matches};
use crate::repo::Deadline;
use crate::rules::Rule;

/// A component's finding keeps fewer: the repository's finding names the components, and a
/// monorepo can have thousands.
const COMPONENT_EVIDENCE: usize = 3;

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
    /// The per-component rules as judged in a component; each has a relative copy in the
    /// matcher, after `rules`. When there are any, the rule selecting component markers
    /// comes last.
    in_component: Vec<Rule>,
    /// The index in `rules` of each of `in_component`.
    per_component: Vec<usize>,
    matcher: Matcher,
}

impl Plan {
    /// One matcher for the rules, the files that mark components, and the per-component
    /// rules with their globs made relative to a component (`tests/**` is `**/tests/**`),
    /// whose matches each component then takes the slice of.
    pub fn new(rules: Vec<Rule>, exclude: &[String]) -> Result<Plan, MatcherError> {
        let (history_rules, rules): (Vec<Rule>, Vec<Rule>) =
            rules.into_iter().partition(Rule::reads_history);
        let in_component: Vec<Rule> = rules
            .iter()
            .filter(|rule| rule.per_component)
            .map(components::in_component)
            .collect();
        let relative: Vec<Rule> = in_component.iter().map(components::relative).collect();
        let marker = (!relative.is_empty()).then(components::marker_rule);
        let matched: Vec<&Rule> = rules.iter().chain(&relative).chain(&marker).collect();
        let matcher = Matcher::new(&matched, exclude)?;
        let per_component = (0..rules.len())
            .filter(|&index| rules[index].per_component)
            .collect();
        Ok(Plan {
            in_component,
            per_component,
            rules,
            history_rules,
            matcher,
        })
    }

    /// The rules judged on the tree.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// Whether some rule's glob (or a component marker) matches `path`.
    pub fn selects(&self, path: &[u8]) -> bool {
        self.matcher.selects(path)
    }

    /// The rules (by index in `rules()`) whose findings a change at `path` can alter
    /// through what their globs select: every per-component rule when it marks components.
    pub fn rules_selecting(&self, path: &[u8]) -> Vec<usize> {
        let (count, width) = (self.rules.len(), self.in_component.len());
        let mut rules: Vec<usize> = self
            .matcher
            .rules_selecting(path)
            .into_iter()
            .flat_map(|rule| match rule.checked_sub(count) {
                None => vec![rule],
                Some(relative) if relative < width => vec![self.per_component[relative]],
                Some(_) => self.per_component.clone(),
            })
            .collect();
        rules.sort_unstable();
        rules.dedup();
        rules
    }

    /// The globs each entry of `tree` matches, to be patched as the tree changes.
    pub fn hits(&self, tree: &Tree) -> Hits {
        self.matcher.hits_of(tree)
    }

    /// `old`'s hits for a listing patched from the one they were of.
    pub fn patch_hits(&self, old: &Hits, tree: &Tree, origins: &[Origin]) -> Hits {
        self.matcher.patch_hits(old, tree, origins)
    }

    /// The rules judged on the history figures.
    pub fn history_rules(&self) -> &[Rule] {
        &self.history_rules
    }

    /// The findings of the history rules whose figures `measured` holds (a window of the
    /// history, or a pull request's change).
    pub fn judge_history(&self, measured: &Measured, settings: &Settings) -> Vec<Finding> {
        checks::history::judge(&self.history_rules, measured, settings)
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
    // The hits are let go once the globs' entries are gathered: a large tree's peak memory.
    let by_glob = plan.matcher.by_glob(tree, &plan.matcher.hits_of(tree));
    evaluate_globs(
        plan,
        settings,
        tree,
        by_glob,
        None,
        deadline,
        Source::of(read),
    )
}

/// What an evaluation of an earlier tree found, and what may have changed since: a rule
/// no change can have touched keeps its finding, a component nothing below changed keeps
/// its findings (a monorepo's thousands of components, of which a commit touches a few).
pub struct Reuse<'a> {
    /// The earlier tree's findings, in the plan's order.
    pub findings: &'a [Finding],
    /// The earlier tree's components, taken rather than copied.
    pub components: Vec<ComponentFindings>,
    /// Per rule of the plan: whether a change selected by its globs may alter its finding
    /// (`Plan::rules_selecting`).
    pub dirty: &'a [bool],
    /// Whether anything below this component directory may have changed.
    pub changed: &'a dyn Fn(&str) -> bool,
}

/// As [`evaluate`], given the globs each entry matches (`Plan::hits`), judging only what
/// `reuse` cannot vouch for.
pub fn evaluate_hits(
    plan: &Plan,
    settings: &Settings,
    tree: &Tree,
    hits: &Hits,
    reuse: Option<Reuse>,
    deadline: Deadline,
    source: Source<impl FnMut(&[usize]) -> Vec<Content>>,
) -> Evaluation {
    let by_glob = plan.matcher.by_glob(tree, hits);
    evaluate_globs(plan, settings, tree, by_glob, reuse, deadline, source)
}

/// As [`evaluate_hits`], given the entries each glob matched.
fn evaluate_globs(
    plan: &Plan,
    settings: &Settings,
    tree: &Tree,
    by_glob: ByGlob,
    reuse: Option<Reuse>,
    deadline: Deadline,
    source: Source<impl FnMut(&[usize]) -> Vec<Content>>,
) -> Evaluation {
    let (rules, in_component) = (plan.rules(), &plan.in_component);
    let (count, width) = (rules.len(), in_component.len());
    let (component_dirs, component_markers) = component_dirs(plan, tree, &by_glob);
    let same_dirs = reuse.as_ref().is_some_and(|reuse| {
        let before = reuse.components.iter().map(|component| &component.path);
        before.eq(component_dirs.iter())
    });
    let (reuse, mut previous) = match reuse {
        Some(Reuse {
            findings,
            components,
            dirty,
            changed,
        }) => {
            let previous: HashMap<String, Vec<ComponentFinding>> = components
                .into_iter()
                .map(|component| (component.path, component.findings))
                .collect();
            (Some((findings, dirty, changed)), previous)
        }
        None => (None, HashMap::new()),
    };
    // Components that came or went change every per-component rule's finding.
    let dirty: Vec<bool> = match reuse {
        None => vec![true; count],
        Some((_, dirty, _)) => (0..count)
            .map(|rule| dirty[rule] || (rules[rule].per_component && !same_dirs))
            .collect(),
    };
    // Per component, per per-component rule: judged here, or its earlier finding kept.
    let judged_in: Vec<Vec<bool>> = component_dirs
        .iter()
        .map(|dir| match (reuse, previous.contains_key(dir.as_str())) {
            (Some((_, _, changed)), true) if changed(dir) => (0..width)
                .map(|rule| dirty[plan.per_component[rule]])
                .collect(),
            (Some(_), true) => vec![false; width],
            _ => vec![true; width],
        })
        .collect();
    let judged_dirs: Vec<usize> = (0..component_dirs.len())
        .filter(|&dir| judged_in[dir].contains(&true))
        .collect();
    let relative_wanted: Vec<bool> = (0..width)
        .map(|rule| judged_dirs.iter().any(|&dir| judged_in[dir][rule]))
        .collect();
    let wanted = |rule: usize| match rule.checked_sub(count) {
        None => dirty[rule],
        Some(relative) => relative_wanted.get(relative).copied().unwrap_or(false),
    };
    let selection = plan.matcher.select_for(tree, &by_glob, &wanted);
    drop(by_glob);
    let mut matches = selection.matches();
    if width > 0 {
        matches.pop_rule();
    }
    let ranges: Vec<_> = judged_dirs
        .par_iter()
        .map(|&dir| tree.range_under(&format!("{}/", component_dirs[dir])))
        .collect();
    let relative_rows = count..count + width;
    matches.push_rules_within(relative_rows.clone(), &ranges);
    // The relative rules' own rows sit between the rules' and the components'.
    matches.remove_rules(relative_rows);
    let keep: Vec<bool> = dirty
        .iter()
        .chain(judged_dirs.iter().flat_map(|&dir| &judged_in[dir]))
        .copied()
        .collect();
    let all: Vec<&Rule> = rules
        .iter()
        .chain(judged_dirs.iter().flat_map(|_| in_component))
        .zip(&keep)
        .filter_map(|(rule, &kept)| kept.then_some(rule))
        .collect();
    let mut kept = keep.iter();
    matches
        .rules
        .retain(|_| kept.next().copied().unwrap_or(false));
    let judged_rules = dirty.iter().filter(|&&dirty| dirty).count();
    let mut verdicts = judge(
        &all,
        judged_rules,
        settings,
        tree,
        &matches,
        deadline,
        source,
    )
    .into_iter();
    let mut findings: Vec<Finding> = Vec::with_capacity(count);
    for (index, rule) in rules.iter().enumerate() {
        match (reuse, dirty[index]) {
            (Some((before, _, _)), false) => findings.push(before[index].clone()),
            _ => findings.extend(
                verdicts
                    .next()
                    .map(|verdict| Finding::judged(rule, verdict)),
            ),
        }
    }
    let mut per_directory = Vec::with_capacity(component_dirs.len() * width);
    for (dir, judged) in component_dirs.iter().zip(&judged_in) {
        let mut before = previous.remove(dir).map(Vec::into_iter);
        for (rule, &judged) in judged.iter().enumerate() {
            let kept = before.as_mut().and_then(Iterator::next);
            match kept {
                Some(kept) if !judged => per_directory.push(kept.into_own()),
                _ => per_directory.extend(
                    verdicts
                        .next()
                        .map(|verdict| ComponentFinding::new(&in_component[rule], verdict)),
                ),
            }
        }
    }
    // (Read from the tree only where there are components to serve.)
    let test_projects = match component_dirs.is_empty() {
        true => Vec::new(),
        false => components::test_projects(tree),
    };
    let components = components::attach(
        &mut findings,
        rules,
        per_directory,
        (component_dirs, component_markers),
        &test_projects,
        &dirty,
    );
    Evaluation {
        findings,
        components,
    }
}

/// The directories of the tree's components, from the files that mark them, and each one's
/// marking file.
fn component_dirs(
    plan: &Plan,
    tree: &Tree,
    by_glob: &ByGlob,
) -> (Vec<String>, Vec<Option<String>>) {
    let marker = plan.rules().len() + plan.in_component.len();
    if plan.in_component.is_empty() {
        return (Vec::new(), Vec::new());
    }
    let selection = plan
        .matcher
        .select_for(tree, by_glob, &|rule| rule == marker);
    let mut matches = selection.matches();
    let markers = matches.pop_rule().unwrap_or_default().checks;
    let paths: Vec<String> = markers
        .iter()
        .copied()
        .flatten()
        .map(|&entry| tree.entries[entry].display_path())
        .collect();
    let dirs = facts::components::detect(paths.iter().map(String::as_str));
    let marked = facts::components::markers_of(&dirs, &paths);
    (dirs, marked)
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
    source: Source<impl FnMut(&[usize]) -> Vec<Content>>,
) -> Vec<Verdict> {
    let mut applicable = applies::by_names(rules, tree, matches);

    let mut content_outcomes = stages::examine_contents(
        rules,
        settings,
        tree,
        matches,
        &mut applicable,
        deadline,
        source,
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
            // Evidence of the practice shows there is something to practise it on.
            if !applicable[index].applies() && !applies::shown_by_checks(rule, outcomes) {
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
            verdict::verdict(rule, &matches.rules[index].checks, outcomes, tree, kept)
                .applying(applicable[index].reason())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

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
                lookups: Default::default(),
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
                            Content::Text(texts[index].as_bytes().into())
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
                lookups: Default::default(),
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
                            bytes => Content::Text(bytes.as_slice().into()),
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

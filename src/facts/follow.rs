//! Following what pipelines include and run: the local files a pipeline includes (GitLab
//! includes, Azure templates, called workflows and actions) and the scripts of the
//! repository its steps and root task runners run, read and parsed as pipelines of their
//! own, transitively and within fixed limits, so a check sees an included job as part of
//! the pipeline that includes it.

use std::collections::HashMap;
use std::sync::OnceLock;

use globset::GlobSet;

use crate::facts::Located;
use crate::facts::content::Content;
use crate::facts::includes;
use crate::facts::parsed::{Includes, Pipelines, parse_text, read_missing};
use crate::facts::pipeline::{
    self, CallInput, Format, JobNote, Pipeline, System, action_files, in_this_repository,
};
use crate::facts::tasks::TaskRunners;
use crate::facts::tree::Tree;
use crate::facts::yaml::ParseError;
use crate::repo::Deadline;
use crate::rules::{builtin_definitions, glob_set};

/// How much of what pipelines include and run a scan follows: real pipelines include tens of
/// files; a repository naming thousands, or globs matching the whole tree, gets this much and
/// the rules that needed the rest are `unknown`, naming where it stopped.
const MAX_INCLUDES_PER_FILE: usize = 256;

const MAX_FOLLOWED_FILES: usize = 500;

const MAX_FOLLOWED_BYTES: usize = 2 << 20;

/// What [`follow_includes`] has followed so far in this scan.
#[derive(Default)]
pub(crate) struct Followed {
    files: usize,
    bytes: usize,
}

/// What following reads and records: the scan's tree, the file contents read so far, the
/// parsed pipelines and what each includes, and how much has been followed.
pub(crate) struct Reach<'s> {
    pub tree: &'s Tree,
    pub contents: &'s mut [Option<Content>],
    pub pipelines: &'s mut Pipelines,
    pub includes: &'s mut Includes,
    pub followed: &'s mut Followed,
    pub deadline: Deadline,
    /// The repository's own path on GitHub, when its remote names it.
    pub own_repository: Option<&'s str>,
}

/// Reads and parses, transitively, the local files the pipelines at `parsed` include (and
/// the scripts they run), so checks see an included job as part of the pipeline that
/// includes it. Bounded by the `MAX_*` limits above and by the deadline.
pub(crate) fn follow_includes(
    reach: Reach<'_>,
    mut parsed: Vec<usize>,
    read: &mut impl FnMut(&[usize]) -> Vec<Content>,
) {
    let Reach {
        tree,
        contents,
        pipelines,
        includes,
        followed,
        deadline,
        own_repository,
    } = reach;
    let mut resolved: HashMap<String, Vec<usize>> = HashMap::new();
    // How each followed file was read: an action a workflow uses is read as the workflow is,
    // and so are the actions it uses in turn, whatever their paths say.
    let mut formats: HashMap<usize, Format> = HashMap::new();
    let mut includers = Vec::new();
    while let Some(&first_includer) = parsed.first() {
        if deadline.passed() {
            break;
        }
        includers.extend_from_slice(&parsed);
        let mut discovered = Vec::new();
        for entry in parsed {
            let Some(Some(Ok(pipeline))) = pipelines.get(&entry) else {
                continue;
            };
            let out_of_tree = missing_full_name_calls(tree, pipeline, own_repository);
            let includer = tree.entries[entry].display_path();
            let folder = includer.rsplit_once('/').map(|(folder, _)| folder);
            let format = formats
                .get(&entry)
                .copied()
                .unwrap_or_else(|| pipeline_format(&includer));
            let system_beside = matches!(format, Format::System(system) if system.includes_beside);
            let mut targets: Vec<usize> = Vec::new();
            let mut complete = pipeline.includes.len() <= MAX_INCLUDES_PER_FILE;
            for include in pipeline.includes.iter().take(MAX_INCLUDES_PER_FILE) {
                // A YAML file named by a relative path (`./jobs/x.yml`), or by a system that
                // looks beside the includer (Azure), is its includer's neighbour first; any
                // other, a script among them (run from the checkout's root), is the
                // repository's path first. Each is tried the other way when not found.
                let beside = folder.and_then(|folder| joined(folder, &include.text));
                let relative = include.text.starts_with("./") || include.text.starts_with("../");
                let beside_first = (relative || system_beside) && !is_script(&include.text);
                let as_written = Some(include.text.clone());
                let candidates = if beside_first {
                    [beside, as_written]
                } else {
                    [as_written, beside]
                };
                let found = candidates
                    .into_iter()
                    .flatten()
                    .map(|path| {
                        resolved
                            .entry(path)
                            .or_insert_with_key(|path| includes::resolve(tree, path))
                            .clone()
                    })
                    .find(|found| !found.is_empty())
                    .unwrap_or_default();
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
            discovered.extend(targets.iter().map(|&target| {
                let path = tree.entries[target].display_path();
                (target, included_format(&path, format))
            }));
            includes.insert(entry, targets);
            if !out_of_tree.is_empty()
                && let Some(Some(Ok(pipeline))) = pipelines.get_mut(&entry)
            {
                pipeline.indirect.extend(out_of_tree);
            }
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
            formats.insert(target, format);
            pipelines.insert(
                target,
                parse_text(contents, target, |text| {
                    pipeline::read(format, text, &reading(own_repository))
                }),
            );
            next.push(target);
        }
        parsed = next;
    }
    for entry in callees_first(&includers, includes) {
        pass_inputs(tree, pipelines, includes, entry);
    }
}

/// `includers` ordered so that each comes after the files it includes (depth first, each
/// once; a cycle is cut where it closes), so that a value passed down through two templates
/// reaches the command that runs it.
fn callees_first(includers: &[usize], includes: &Includes) -> Vec<usize> {
    let wanted: std::collections::HashSet<usize> = includers.iter().copied().collect();
    let mut seen = std::collections::HashSet::new();
    let mut order = Vec::with_capacity(includers.len());
    for &root in includers {
        if !seen.insert(root) {
            continue;
        }
        // (entry, whether its includes have been pushed)
        let mut stack = vec![(root, false)];
        while let Some((entry, expanded)) = stack.pop() {
            if expanded {
                order.push(entry);
                continue;
            }
            stack.push((entry, true));
            for &target in includes.get(&entry).into_iter().flatten() {
                if wanted.contains(&target) && seen.insert(target) {
                    stack.push((target, false));
                }
            }
        }
    }
    order
}

/// Adds to the pipeline at `entry` the commands of the workflows and actions it includes
/// that run the inputs it passes them, with its values in place.
fn pass_inputs(tree: &Tree, pipelines: &mut Pipelines, includes: &Includes, entry: usize) {
    let Some(Some(Ok(caller))) = pipelines.get(&entry) else {
        return;
    };
    if caller.call_inputs.is_empty() {
        return;
    }
    // Each called file's commands, said to be run by it: the line is the value's, in the
    // caller, but the command around it is the called file's.
    let mut run = Vec::new();
    let mut left_out = Vec::new();
    let mut total = 0;
    for &target in includes.get(&entry).into_iter().flatten() {
        let path = tree.entries[target].display_path();
        let inputs: Vec<_> = caller
            .call_inputs
            .iter()
            .filter(|input| input.target == path)
            .collect();
        let Some(Some(Ok(called))) = pipelines.get(&target).filter(|_| !inputs.is_empty()) else {
            continue;
        };
        // One caller gets at most as much as one call may give, whatever it calls.
        if total >= pipeline::MOST_COMMANDS {
            left_out.push(path);
            continue;
        }
        // Each call with its own inputs (`script: lint`, then `script: test`), as many calls
        // as one call may give commands: past that, the rest is left out.
        let mut calls: Vec<Vec<&CallInput>> = Vec::new();
        for input in inputs {
            match calls.last_mut() {
                Some(call) if call[0].call == input.call => call.push(input),
                _ => calls.push(vec![input]),
            }
        }
        let mut whole = calls.len() <= pipeline::MOST_COMMANDS;
        calls.truncate(pipeline::MOST_COMMANDS);
        let (commands, whole_commands) =
            pipeline::run_with(&called.commands, &calls, &called.env_inputs, true);
        let (scripts, whole_scripts) =
            pipeline::run_with(&called.action_scripts, &calls, &[], false);
        whole &= whole_commands && whole_scripts;
        total += commands.len() + scripts.len();
        if !whole {
            left_out.push(path.clone());
        }
        run.push((path, commands, scripts));
    }
    let Some(Some(Ok(caller))) = pipelines.get_mut(&entry) else {
        return;
    };
    for (path, commands, scripts) in run {
        caller.action_scripts.extend(scripts);
        let first = caller.commands.len();
        caller.commands.extend(commands);
        caller.job_notes.push(JobNote {
            text: format!("passed to and run by {path}"),
            commands: first..caller.commands.len(),
        });
    }
    for path in left_out {
        caller.indirect.push(Located::new(
            format!(
                "what {path} runs with the inputs given, past the first {} commands or {} KiB",
                pipeline::MOST_COMMANDS,
                pipeline::MOST_BYTES >> 10
            ),
            0,
        ));
    }
}

/// The repository's own workflows and actions `pipeline` calls by full name that this
/// commit's tree does not hold (`acme/payments/.github/workflows/old.yml@v1`, removed since
/// `v1`), described for "Not seen": what their version runs is out of sight, not nothing.
fn missing_full_name_calls(
    tree: &Tree,
    pipeline: &Pipeline,
    own_repository: Option<&str>,
) -> Vec<Located> {
    let held = |path: &str| tree.position(path).is_some();
    pipeline
        .full_name_calls
        .iter()
        .filter_map(|call| {
            let local = in_this_repository(&call.text, own_repository)?;
            let workflow = local.ends_with(".yml") || local.ends_with(".yaml");
            let found = match workflow {
                true => held(local),
                false => action_files(local).iter().any(|file| held(file)),
            };
            let what = if workflow {
                "reusable workflow"
            } else {
                "action"
            };
            (!found).then(|| {
                Located::new(
                    format!(
                        "the {what} {}, which this commit's tree does not hold,",
                        call.text
                    ),
                    call.line,
                )
            })
        })
        .collect()
}

/// Records on the pipeline at `entry` that what it includes was followed only so far.
fn unseen_past_limit(pipelines: &mut Pipelines, entry: usize, what: &str) {
    if let Some(Some(Ok(pipeline))) = pipelines.get_mut(&entry) {
        pipeline.indirect.push(Located::new(what, 0));
    }
}

/// Whether an include names a script (run from the checkout's root), not a YAML template.
fn is_script(path: &str) -> bool {
    !(path.ends_with(".yml") || path.ends_with(".yaml"))
}

/// `relative` (`./jobs/build.yml`, `../templates/test.yml`) from `folder`, as a path of the
/// repository; none when it climbs out of it.
fn joined(folder: &str, relative: &str) -> Option<String> {
    // `/templates/x.yml` is the repository's path, as written.
    if relative.starts_with('/') {
        return None;
    }
    let mut parts: Vec<&str> = folder.split('/').collect();
    for part in relative.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            part => parts.push(part),
        }
    }
    Some(parts.join("/"))
}

/// Reads and parses, as pipelines of their own, the scripts of the repository the root task
/// runners run (`test: ; ./script/test`), and what those include, so a pipeline step
/// `make test` is judged by the script its target runs.
pub(crate) fn read_task_scripts(
    reach: Reach<'_>,
    tasks: &TaskRunners,
    read: &mut impl FnMut(&[usize]) -> Vec<Content>,
) {
    let mut scripts: Vec<usize> = tasks
        .commands()
        .flat_map(|command| pipeline::script_references(&command))
        .filter_map(|path| reach.tree.position(&path))
        .filter(|entry| !reach.pipelines.contains_key(entry))
        .collect();
    scripts.sort_unstable();
    scripts.dedup();
    scripts.truncate(MAX_INCLUDES_PER_FILE);
    reach.followed.files += scripts.len();
    read_missing(scripts.iter().copied(), &mut *reach.contents, read);
    for &entry in &scripts {
        reach.pipelines.insert(
            entry,
            parse_text(reach.contents, entry, |text| {
                pipeline::read(
                    pipeline::Format::Script,
                    text,
                    &reading(reach.own_repository),
                )
            }),
        );
    }
    follow_includes(reach, scripts, read);
}

/// The selected pipelines and everything they include, transitively.
pub(crate) fn with_includes(selected: &[usize], includes: &Includes) -> Vec<usize> {
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

pub(crate) fn read_pipeline(
    tree: &Tree,
    contents: &[Option<Content>],
    entry: usize,
    own_repository: Option<&str>,
) -> Option<Result<Pipeline, ParseError>> {
    let format = pipeline_format(&tree.entries[entry].display_path());
    parse_text(contents, entry, |text| {
        pipeline::read(format, text, &reading(own_repository))
    })
}

/// How the pipelines of a repository are read: with the built-in shared steps.
pub(crate) fn reading(own_repository: Option<&str>) -> pipeline::Reading<'_> {
    pipeline::Reading {
        steps: &builtin_definitions().steps,
        own_repository,
    }
}

/// How to read the pipeline at `path`: by the built-in file set that names each CI
/// system's files (`rules/ci.toml`); other YAML pipelines are read by their key names.
pub(crate) fn pipeline_format(path: &str) -> Format {
    static SYSTEMS: OnceLock<Vec<(&'static System, GlobSet)>> = OnceLock::new();
    let systems = SYSTEMS.get_or_init(|| {
        let sets = &builtin_definitions().sets;
        pipeline::SYSTEMS
            .iter()
            .map(|&system| {
                // Every system's set exists (a test reads them all): the rule files are
                // built in.
                let globs = sets.get(system.files).map_or(&[][..], Vec::as_slice);
                (system, glob_set(globs))
            })
            .collect()
    });
    systems
        .iter()
        .find(|(_, globs)| globs.is_match(path))
        .map_or(Format::Other, |(system, _)| Format::System(system))
}

/// Whether `path` names a YAML (or JSON) document.
pub(crate) fn is_yaml(path: &str) -> bool {
    [".yml", ".yaml", ".json"]
        .iter()
        .any(|extension| path.ends_with(extension))
}

/// How a file a pipeline of `includer` format includes is read: YAML as its includer when
/// that system's definitions are YAML (GitLab includes, Azure templates, GitHub workflows
/// and actions), else by key names; anything else as a script the pipeline runs.
fn included_format(path: &str, includer: Format) -> Format {
    match includer {
        _ if !is_yaml(path) => Format::Script,
        Format::System(system) if system.yaml => includer,
        _ => Format::Other,
    }
}

#[cfg(test)]
mod tests {
    /// Fresh labels (microsoft/fhir-server): `template: ./jobs/build.yml` in
    /// `build/pr-pipeline.yml` is `build/jobs/build.yml`.
    #[test]
    fn relative_includes_join_their_includers_folder() {
        assert_eq!(
            joined("build", "./jobs/build.yml").as_deref(),
            Some("build/jobs/build.yml")
        );
        assert_eq!(
            joined("ci/jobs", "../steps/test.yml").as_deref(),
            Some("ci/steps/test.yml")
        );
        assert_eq!(joined("ci", "../../x.yml"), None);
        // Red team: a leading `/` is the repository's root, not the includer's folder.
        assert_eq!(joined(".azure-pipelines", "/templates/test.yml"), None);
    }

    use super::*;

    #[test]
    fn pipeline_formats_come_from_the_built_in_sets() {
        let name = |format: Format| match format {
            Format::System(system) => system.name,
            Format::Script => "script",
            Format::Other => "other",
        };
        for (path, format) in [
            (".github/workflows/ci.yml", "GitHub Actions"),
            (".forgejo/workflows/ci.yaml", "GitHub Actions"),
            (".depot/workflows/pr.yaml", "GitHub Actions"),
            (".gitlab-ci.yml", "GitLab CI"),
            (".gitlab/ci/deploy.yml", "GitLab CI"),
            ("Jenkinsfile", "Jenkins"),
            ("ci/release.jenkinsfile", "Jenkins"),
            (".drone.yml", "other"),
            ("azure-pipelines.yml", "Azure Pipelines"),
            (".circleci/config.yml", "CircleCI"),
            (".cirrus.yml", "Cirrus CI"),
        ] {
            assert_eq!(name(pipeline_format(path)), format, "{path}");
        }
    }

    #[test]
    fn every_ci_system_names_a_built_in_file_set() {
        for system in pipeline::SYSTEMS {
            let set = builtin_definitions().sets.get(system.files);
            assert!(
                set.is_some_and(|globs| !globs.is_empty()),
                "{} names the set `{}`, which no built-in rule file defines",
                system.name,
                system.files
            );
        }
    }
}

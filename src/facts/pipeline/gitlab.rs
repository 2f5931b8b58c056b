//! GitLab CI pipelines: jobs and their scripts, includes, stages, merge request and tag rules.

use super::steps::unseen;
use super::{
    Job, JobNote, Located, Pipeline, System, push_environment, push_scalar, push_script, visit,
};
use crate::facts::yaml::{self, Node, Value};

/// Top-level keys of `.gitlab-ci.yml` that are not jobs.
const GITLAB_GLOBAL_KEYS: &[&str] = &[
    "default",
    "include",
    "stages",
    "variables",
    "workflow",
    "image",
    "services",
    "cache",
    "spec",
];

/// GitLab CI: its files are the `gitlab-pipelines` set of `rules/ci.toml`.
pub(super) const SYSTEM: System = System {
    name: "GitLab CI",
    files: "gitlab-pipelines",
    yaml: true,
    includes_beside: false,
    read: |text, _| {
        let mut pipeline = Pipeline::default();
        read(&yaml::parse_gitlab(text)?, &mut pipeline);
        Ok(pipeline)
    },
};

pub(super) fn read(root: &Node, pipeline: &mut Pipeline) {
    super::services::read(root, &mut pipeline.services);
    if let Some(include) = root.get("include") {
        read_gitlab_includes(include, pipeline);
    }
    for stage in root.get("stages").map(Node::items).unwrap_or_default() {
        push_scalar(&mut pipeline.stages, stage);
    }
    let mut has_jobs = false;
    // The templates the file's jobs extend: what they run is read in those jobs, with their
    // settings; a template no job here extends may serve a file that includes this one.
    let extended_here: std::collections::HashSet<&str> = root
        .entries()
        .flat_map(|(_, job)| extended(job))
        .filter(|name| root.get(name).is_some())
        .collect();
    for (name, job) in root.entries() {
        if name
            .as_str()
            .is_some_and(|name| GITLAB_GLOBAL_KEYS.contains(&name))
        {
            continue;
        }
        // A global `before_script` (the pre-`default:` spelling).
        if name.as_str() == Some("before_script") {
            push_script(&mut pipeline.commands, job);
            continue;
        }
        if name.as_str() == Some("after_script") {
            push_script(&mut pipeline.commands, job);
            continue;
        }
        has_jobs |= matches!(job.value, Value::Map(_));
        let first_command = pipeline.commands.len();
        let first_use = pipeline.uses.len();
        let template = name.as_str().is_some_and(|name| name.starts_with('.'));
        let read_in_its_jobs = template
            && name
                .as_str()
                .is_some_and(|name| extended_here.contains(name));
        for key in ["before_script", "script", "after_script"] {
            if let Some(script) =
                inherited(root, job, key, TEMPLATE_DEPTH).filter(|_| !read_in_its_jobs)
            {
                push_script(&mut pipeline.commands, script);
            }
        }
        // A job allowed to fail runs its commands as `… || true` would. A template's
        // settings are its jobs'.
        let allow_failure = inherited(root, job, "allow_failure", TEMPLATE_DEPTH);
        let allowed = !template && allow_failure.is_some_and(is_true);
        // A manual job runs only when someone starts it, and is allowed to fail unless it
        // says otherwise: its tests cannot fail the pipeline. Only when that is certain: an
        // `allow_failure` of any other value, or a template out of sight that may set it,
        // leaves the job counted.
        let manual = !template
            && inherited(root, job, "when", TEMPLATE_DEPTH).and_then(Node::as_str)
                == Some("manual")
            && allow_failure.is_none_or(is_true)
            && template_levels(root, job).is_some();
        if allowed || manual {
            let setting = if allowed {
                "allow_failure"
            } else {
                "when: manual"
            };
            for command in &mut pipeline.commands[first_command..] {
                super::allowed_to_fail(command, setting);
            }
        }
        // A job without `stage:` runs in GitLab's `test` stage.
        let stage = job.get("stage").and_then(Node::as_str).unwrap_or("test");
        pipeline.job_notes.push(JobNote {
            text: format!("stage {stage}"),
            commands: first_command..pipeline.commands.len(),
        });
        pipeline.jobs.push(Job {
            commands: first_command..pipeline.commands.len(),
            uses: first_use..pipeline.uses.len(),
        });
        push_environment(&mut pipeline.environments, job);
        if let Some(only) = job.get("only") {
            let refs = only.get("refs").unwrap_or(only);
            if let Some(tags) = refs
                .items()
                .into_iter()
                .find(|item| item.as_str() == Some("tags"))
            {
                pipeline.triggers.push(Located::new("tag", tags.line));
            }
        }
    }
    if let Some(default) = root.get("default") {
        for key in ["before_script", "after_script"] {
            if let Some(script) = default.get(key) {
                push_script(&mut pipeline.commands, script);
            }
        }
    }
    if has_jobs {
        // Branch pipelines run on every push unless rules say otherwise.
        pipeline
            .triggers
            .push(Located::new("push", root.line.max(1)));
        // Without `workflow:` rules, a job without rules of its own (or of the templates
        // it extends) runs for every branch pushed: a merge request's too, whose page shows
        // it before the merge.
        let every_push = root.get("workflow").is_none()
            && root.entries().any(|(name, job)| {
                let hidden = name
                    .as_str()
                    .is_none_or(|name| name.starts_with('.') || GITLAB_GLOBAL_KEYS.contains(&name));
                !hidden && matches!(job.value, Value::Map(_)) && !has_rules(root, job)
            });
        if every_push {
            pipeline
                .triggers
                .push(Located::new("merge_request", root.line.max(1)));
        } else if root.get("workflow").is_none() && !pipeline.uses.is_empty() {
            // A job extending a template its file does not hold, with templates included
            // from another project, a component or a URL: whether it runs for merge requests
            // is that template's to say. (A local include's template is judged as written.)
            for (name, job) in root.entries() {
                let Some(name) = name.as_str() else { continue };
                if name.starts_with('.')
                    || GITLAB_GLOBAL_KEYS.contains(&name)
                    || !matches!(job.value, Value::Map(_))
                    || limits_branches(job)
                {
                    continue;
                }
                // Only the templates this file does not define are out of sight, whichever
                // template of the job's extends them.
                let missing = templates(root, job).missing;
                if missing.is_empty() {
                    continue;
                }
                let templates = missing.join("`, `");
                pipeline.hidden_triggers.push(Located::new(
                    format!(
                        "the template `{templates}` (from an include) that the job `{name}` extends"
                    ),
                    job.line,
                ));
            }
        }
    }
    // Merge request pipelines: `rules: - if: $CI_PIPELINE_SOURCE == "merge_request_event"`
    // or a rule asking for a merge request's id (`if: $CI_MERGE_REQUEST_IID`), in a job or
    // under `workflow:`, or `only: [merge_requests]`; not a rule that leaves them out
    // (`when: never`).
    // Tag pipelines: `rules: - if: $CI_COMMIT_TAG` (not `$CI_COMMIT_TAG == null`).
    let mut leaves_out = Vec::new();
    visit(root, &mut |node| {
        if let Some(condition) = left_out(node) {
            leaves_out.push(condition.line);
        }
        if let Some(condition) = node.get("if")
            && condition.as_str().is_some_and(asks_for_a_merge_request)
            && !leaves_out.contains(&condition.line)
        {
            pipeline
                .triggers
                .push(Located::new("merge_request", condition.line));
        }
        let Some(text) = node.as_str() else {
            return;
        };
        if (text.contains("merge_request_event") && !leaves_out.contains(&node.line))
            || text == "merge_requests"
        {
            pipeline
                .triggers
                .push(Located::new("merge_request", node.line));
        }
        if text.contains("$CI_COMMIT_TAG") && !text.contains("null") {
            pipeline.triggers.push(Located::new("tag", node.line));
        }
    });
}

/// `key` of `job`, or else of the templates it extends, the last one first as GitLab merges
/// them, `depth` levels down at most.
fn inherited<'a>(root: &'a Node, job: &'a Node, key: &str, depth: usize) -> Option<&'a Node> {
    if let Some(value) = job.get(key) {
        return Some(value);
    }
    if depth == 0 {
        return None;
    }
    extended(job)
        .into_iter()
        .rev()
        .filter_map(|name| root.get(name))
        .find_map(|template| inherited(root, template, key, depth - 1))
}

/// How many levels of `extends` templates are followed.
const TEMPLATE_DEPTH: usize = 4;

/// Whether a rule's `if:` holds only in a merge request pipeline because it asks for the merge
/// request's id (`$CI_MERGE_REQUEST_IID`, `$CI_MERGE_REQUEST_ID != null`), not its absence.
fn asks_for_a_merge_request(condition: &str) -> bool {
    let compact: String = condition.split_whitespace().collect();
    ["$CI_MERGE_REQUEST_IID", "$CI_MERGE_REQUEST_ID"]
        .iter()
        .any(|variable| {
            compact.match_indices(variable).any(|(at, _)| {
                let rest = &compact[at + variable.len()..];
                // `$CI_MERGE_REQUEST_ID` is not the start of `$CI_MERGE_REQUEST_IID`'s name.
                !rest.starts_with(|next: char| next.is_ascii_alphanumeric() || next == '_')
                    && !rest.starts_with("==null")
                    && !rest.starts_with("==\"\"")
                    && !rest.starts_with("==''")
            })
        })
}

/// The `if:` of a `rules:` entry that leaves out the pipelines it names (`when: never`).
fn left_out(rule: &Node) -> Option<&Node> {
    (rule.get("when").and_then(Node::as_str) == Some("never"))
        .then(|| rule.get("if"))
        .flatten()
}

/// Whether a setting is true as GitLab reads YAML 1.1 (`yes` and `on` are true too).
fn is_true(value: &Node) -> bool {
    value
        .as_str()
        .is_some_and(|value| matches!(value, "true" | "yes" | "on"))
}

/// `job` and the templates it extends, a level at a time, when every one of them is in this
/// file within [`TEMPLATE_DEPTH`] levels; none when one is out of sight (an include's) or
/// deeper.
fn template_levels<'a>(root: &'a Node, job: &'a Node) -> Option<Vec<&'a Node>> {
    let templates = templates(root, job);
    (templates.missing.is_empty() && !templates.deeper).then_some(templates.defined)
}

/// What `job` extends, [`TEMPLATE_DEPTH`] levels down.
struct Templates<'a> {
    /// `job` and the templates of this file it extends, a level at a time.
    defined: Vec<&'a Node>,
    /// The names of those this file does not define (an include's), each once.
    missing: Vec<&'a str>,
    /// Whether the chain reaches [`TEMPLATE_DEPTH`] levels, where it is no longer followed.
    deeper: bool,
}

fn templates<'a>(root: &'a Node, job: &'a Node) -> Templates<'a> {
    let mut found = Templates {
        defined: vec![job],
        missing: Vec::new(),
        deeper: false,
    };
    let mut level = vec![job];
    for _ in 0..TEMPLATE_DEPTH {
        let mut next = Vec::new();
        for name in level.iter().flat_map(|job| extended(job)) {
            match root.get(name) {
                Some(template) => next.push(template),
                None if !found.missing.contains(&name) => found.missing.push(name),
                None => {}
            }
        }
        found.defined.extend(&next);
        level = next;
    }
    found.deeper = !level.is_empty();
    found
}

/// The templates `job` extends, in its order (`extends: .base` or a list).
fn extended(job: &Node) -> Vec<&str> {
    let Some(extends) = job.get("extends") else {
        return Vec::new();
    };
    match extends.as_str() {
        Some(name) => vec![name],
        None => extends
            .items()
            .into_iter()
            .filter_map(Node::as_str)
            .collect(),
    }
}

/// Whether `job`, or a template it extends (a few levels down), says when it runs
/// (`rules`, `only`, `except`), or may: a template defined elsewhere (an include), or deeper
/// than followed, is out of sight.
fn has_rules(root: &Node, job: &Node) -> bool {
    template_levels(root, job).is_none_or(|jobs| jobs.into_iter().any(limits_branches))
}

/// Whether `job` says it runs on fewer than every branch pushed: `rules:`, unless each rule
/// only asks for files changed or present (no `if:`, not `when: never` or `manual`), which
/// a merge request's branch meets as any other; `only:` unless it names every branch
/// (`branches`, `pushes`) or merge requests and nothing else; `except:` unless it leaves out
/// named refs only. `except: [main, tags]` leaves the other branches, a merge request's among
/// them; a regular expression, `variables:` or `changes:` may leave out anything.
fn limits_branches(job: &Node) -> bool {
    if let Some(rules) = job.get("rules") {
        let on_every_branch = |rule: &Node| {
            matches!(rule.value, Value::Map(_))
                && rule.get("if").is_none()
                && !rule
                    .get("when")
                    .and_then(Node::as_str)
                    .is_some_and(|when| matches!(when, "never" | "manual" | "delayed"))
        };
        // `if: $CI_PIPELINE_SOURCE == "merge_request_event"` with `when: never` keeps the job
        // out of merge request pipelines only, to run it once, in the branch's pipeline.
        let leaves_out_merge_request_pipelines = |rule: &Node| {
            left_out(rule)
                .and_then(Node::as_str)
                .is_some_and(|condition| {
                    condition.contains("merge_request_event") && !condition.contains("||")
                })
        };
        let rest: Vec<&Node> = rules
            .items()
            .into_iter()
            .filter(|rule| !leaves_out_merge_request_pipelines(rule))
            .collect();
        return !matches!(rules.value, Value::Seq(_))
            || rest.is_empty()
            || !rest.into_iter().all(on_every_branch);
    }
    // The refs of an `only:`/`except:`, when they are all it says.
    let refs_alone = |key: &str| -> Option<Option<Vec<&str>>> {
        let node = job.get(key)?;
        let refs = match &node.value {
            Value::Map(_) => {
                let other = node
                    .entries()
                    .any(|(name, _)| name.as_str() != Some("refs"));
                if other {
                    return Some(None);
                }
                node.get("refs")?
            }
            _ => node,
        };
        Some(Some(
            refs.items().into_iter().filter_map(Node::as_str).collect(),
        ))
    };
    let every = |name: &&str| {
        matches!(
            *name,
            "branches" | "pushes" | "merge_requests" | "external_pull_requests"
        )
    };
    let only_limits = match refs_alone("only") {
        None => false,
        Some(None) => true,
        Some(Some(refs)) => !refs.iter().any(every),
    };
    let except_limits = match refs_alone("except") {
        None => false,
        Some(None) => true,
        Some(Some(refs)) => refs.iter().any(|name| every(name) || name.starts_with('/')),
    };
    only_limits || except_limits
}

/// `include:` in each of its forms: a path or URL, or a list of those and of maps with
/// `local`, `template`, `remote`, `component` or `project` (with `file`).
fn read_gitlab_includes(include: &Node, pipeline: &mut Pipeline) {
    for item in include.items() {
        if let Some(text) = item.as_str() {
            if text.contains("://") {
                pipeline.uses.push(Located::new(text, item.line));
                unseen(pipeline, format!("the remote include {text}"), item.line);
            } else {
                pipeline.includes.push(Located::new(text, item.line));
            }
            continue;
        }
        if let Some(local) = item.get("local") {
            push_scalar(&mut pipeline.includes, local);
        }
        for (key, what) in [
            ("template", "the GitLab template"),
            ("remote", "the remote include"),
            ("component", "the CI/CD component"),
        ] {
            if let Some(reference) = item.get(key) {
                push_scalar(&mut pipeline.uses, reference);
                if let Some(text) = reference.as_str() {
                    unseen(pipeline, format!("{what} {text}"), reference.line);
                }
            }
        }
        if let Some(project) = item.get("project").and_then(Node::as_str) {
            for file in item.get("file").map(Node::items).unwrap_or_default() {
                if let Some(path) = file.as_str() {
                    let reference = format!("{project}/{}", path.trim_start_matches('/'));
                    unseen(
                        pipeline,
                        format!("{reference} of another project"),
                        file.line,
                    );
                    pipeline.uses.push(Located::new(reference, file.line));
                }
            }
        }
    }
}

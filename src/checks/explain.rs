//! `opslint explain`: a rule's own documentation, and what each of its checks looks for,
//! in words, with the patterns as written.

use crate::checks::{content, dependency, documents, history, pipeline, presence, update_coverage};
use crate::config::settings::CONFIG_FILE_NAME;
use crate::rules::{CheckKind, Pattern, Precondition, Rule};

/// `lead` and the pattern: inline when it is one line; a verbose pattern (`(?x)`, one
/// alternative a line, with comments) as its own indented block, its lines kept.
fn describe_pattern(lead: &str, pattern: &Pattern) -> String {
    let source = pattern.as_str();
    let wrapped =
        |line: &str| textwrap::fill(line, textwrap::Options::new(80).subsequent_indent("  "));
    match source.strip_prefix("(?x)") {
        Some(verbose) => {
            let mut block = wrapped(&format!("{lead} (one alternative a line):")) + "\n";
            for line in verbose.lines().filter(|line| !line.trim().is_empty()) {
                block.push_str(&format!("    {}\n", line.trim()));
            }
            block
        }
        // A pattern is never broken across lines: it would not copy back.
        None => wrapped(&format!("{lead}:")) + &format!("\n    /{source}/\n"),
    }
}

/// When `precondition` holds: the files that must match, or the dependency.
fn describe_precondition(out: &mut String, precondition: &Precondition) {
    if !precondition.files.is_empty() {
        out.push_str(&format!(
            "Applies only when a file matches: {}\n",
            precondition.files.join(", ")
        ));
        match (&precondition.pattern, &precondition.pattern_in) {
            (Some(pattern), None) => {
                out.push_str(&format!("  and contains /{}/\n", pattern.as_str()));
            }
            (Some(pattern), Some(pattern_in)) => out.push_str(&format!(
                "  (one matching {} only if it contains /{}/)\n",
                pattern_in.globs.join(", "),
                pattern.as_str()
            )),
            (None, _) => {}
        }
        for (files, pattern) in &precondition.content {
            out.push_str(&format!(
                "  (one matching {} only if it contains /{}/)\n",
                files.globs.join(", "),
                pattern.as_str()
            ));
        }
    }
    if let Some(dependency) = &precondition.dependency {
        let or = if precondition.files.is_empty() {
            "Applies only when"
        } else {
            "or when"
        };
        out.push_str(&textwrap::fill(
            &format!(
                "{or} a manifest declares a dependency named like /{}/",
                dependency.as_str()
            ),
            textwrap::Options::new(80).subsequent_indent("  "),
        ));
        out.push('\n');
    }
    if !precondition.exclude.is_empty() {
        out.push_str(&format!(
            "  (ignoring {})\n",
            precondition.exclude.join(", ")
        ));
    }
}

/// The text of `opslint explain`: the rule's own documentation and its evidence spec.
pub fn explanation(rule: &Rule) -> String {
    let wrap = |text: &str| textwrap::fill(text.trim(), 80);
    let mut out = format!(
        "{} — {}\narea: {} ({}) · default severity: {} · weight: {}\nmaturity: level {} of {} · effort: {}{}\n\nWhy it matters\n{}\n\nWhat it checks\n",
        rule.id,
        rule.title,
        rule.area.id(),
        rule.area.title(),
        rule.severity.as_str(),
        rule.weight,
        rule.level,
        crate::maturity::MAX_LEVEL,
        rule.effort.as_str(),
        match rule.requires.as_slice() {
            [] => String::new(),
            required => format!(" · after: {}", required.join(", ")),
        },
        wrap(&rule.rationale),
    );
    if let Some(precondition) = &rule.applies_if {
        describe_precondition(&mut out, precondition);
    }
    if rule.per_component {
        out.push_str("In a monorepo, also judged in each component; those lacking it are named.\n");
        if let Some(precondition) = &rule.component_applies_if {
            out.push_str(
                "A component is judged only when this holds in it instead (paths at any depth \
                 below the component):\n",
            );
            describe_precondition(&mut out, precondition);
        }
        if rule.served_from_outside {
            out.push_str(
                "Evidence outside the folder holding the components (a top-level tests/ beside \
                 src/*) serves them all.\n",
            );
        }
    }
    out.push_str(if rule.checks.len() > 1 {
        "Passes when any of these holds:\n"
    } else {
        "Passes when:\n"
    });
    for check in &rule.checks {
        let files = check.files.join(", ");
        let at_least = if check.min_count > 1 {
            format!("at least {} files", check.min_count)
        } else {
            "a file".to_owned()
        };
        // What holds of the selected files, then the check's pattern, if it has one.
        let holds = match &check.kind {
            CheckKind::FilesPresent => presence::explains(&at_least, &files),
            CheckKind::ContentMatches { .. } => content::explains(&at_least, &files),
            CheckKind::UpdateCoverage { ecosystems } => {
                update_coverage::explains(ecosystems, &files)
            }
            CheckKind::BaseImage { .. } => documents::explains_base_image(&files),
            CheckKind::WorkloadContainers { .. } => documents::explains_workloads(&files),
            CheckKind::Dependency { .. } => dependency::explains(&files),
            CheckKind::History {
                figure,
                comparison,
                threshold,
                min_commits,
            } => history::explains(figure, *comparison, *threshold, *min_commits),
            pipeline_kind => pipeline::explains(pipeline_kind, &files),
        };
        match check.kind.pattern() {
            Some(pattern) => out.push_str(&describe_pattern(&format!("- {holds}"), pattern)),
            None => out.push_str(
                &(textwrap::fill(
                    &format!("- {holds}"),
                    textwrap::Options::new(80).subsequent_indent("  "),
                ) + "\n"),
            ),
        }
        if let CheckKind::PipelineCommand {
            unless: Some(unless),
            ..
        }
        | CheckKind::PipelineUses {
            unless: Some(unless),
            ..
        } = &check.kind
        {
            out.push_str(&describe_pattern("  but not one matching", unless));
        }
        if let CheckKind::PipelineUses {
            third_party: true, ..
        } = &check.kind
        {
            out.push_str(
                "  and not of the repository's own organisation (the owner its remote names)\n",
            );
        }
        if let CheckKind::PipelineUses {
            opaque_except: Some(known),
            ..
        } = &check.kind
        {
            out.push_str(&describe_pattern(
                "  unknown, not failed, when the pipeline uses any other action than one matching",
                known,
            ));
        }
        if let CheckKind::PipelineCommand {
            opaque, task_named, ..
        } = &check.kind
        {
            let unknown_when = [
                ("a command does its work out of sight, matching", opaque),
                (
                    "a task it cannot see into or does not recognise is named",
                    task_named,
                ),
            ];
            for (when, pattern) in unknown_when {
                if let Some(pattern) = pattern {
                    out.push_str(&describe_pattern(
                        &format!("  unknown, not failed, when {when}"),
                        pattern,
                    ));
                }
            }
        }
        if let Some(events) = &check.unless_triggered_by {
            out.push_str(&describe_pattern(
                "  not counted in a pipeline that only events matching this start",
                events,
            ));
        }
        if let Some(marker) = &check.unless_pipeline_runs {
            out.push_str(&describe_pattern(
                "  not counted in a pipeline that also runs a command or action matching",
                marker,
            ));
        }
        if check.shows_it_applies {
            out.push_str("  (when it passes, the rule applies whatever its precondition says)\n");
        }
        if !check.exclude.is_empty() {
            out.push_str(&format!("  (ignoring {})\n", check.exclude.join(", ")));
        }
        if check.fallback {
            out.push_str("  (a fallback: only read when nothing above passed)\n");
        }
        if check.absent {
            out.push_str("  (inverted: holds when nothing matches; each match is a failure)\n");
        }
        if check.out_of_sight {
            out.push_str("  (a sign of the work done out of sight: never a pass; unknown, not failed, when found)\n");
        }
    }
    out.push_str(&format!("\nHow to fix it\n{}\n", wrap(&rule.remediation)));
    out.push_str(&format!(
        "\nConfigure it in {CONFIG_FILE_NAME}:\n  [rules.\"{id}\"]\n  severity = \"warning\"   # error | warning | note | off\n",
        id = rule.id
    ));
    let threshold = rule.checks.iter().find_map(|check| match check.kind {
        CheckKind::History { threshold, .. } => Some(threshold),
        _ => None,
    });
    if let Some(threshold) = threshold {
        out.push_str(&format!(
            "  threshold = {threshold}        # the figure's limit\n"
        ));
    }
    once_each_ignore_list(&out)
}

/// `text` with each list of ignored files printed once: a later check that ignores the same
/// files says so in a line (a rule's ten checks each ignoring the same forty vendored and
/// example folders made `explain` a wall of globs).
fn once_each_ignore_list(text: &str) -> String {
    let mut seen = std::collections::HashSet::new();
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        if line.starts_with("  (ignoring ") && !seen.insert(line) {
            out.push_str("  (ignoring the same files as above)\n");
        } else {
            out.push_str(line);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_of_ignored_files_is_printed_once() {
        let text = "Passes when any of these holds:\n- a file matching a\n  (ignoring **/vendor/**, **/docs/**)\n- a file matching b\n  (ignoring **/vendor/**, **/docs/**)\n- a file matching c\n  (ignoring **/vendor/**)\n";
        assert_eq!(
            once_each_ignore_list(text),
            "Passes when any of these holds:\n- a file matching a\n  (ignoring **/vendor/**, **/docs/**)\n- a file matching b\n  (ignoring the same files as above)\n- a file matching c\n  (ignoring **/vendor/**)\n"
        );
    }
}

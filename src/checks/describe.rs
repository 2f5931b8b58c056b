//! What a rule that found nothing says it looked at: "Looked for a command that runs tests
//! in the 2 pipelines (…): none found.", "None of the 3 files matching `Dockerfile` starts
//! from a pinned base image."

use crate::checks::{Outcome, content, documents, presence, update_coverage};
use crate::finding::Evidence;
use crate::rules::{Check, CheckKind};

/// "Looked for a command that runs tests or a test action in the 2 pipelines
/// (.github/workflows/ci.yml, .gitlab-ci.yml): none found." Misses of checks that read
/// the same kind of document, pipelines or manifests.
pub fn document_misses(misses: &[(&Check, &Outcome)]) -> Option<String> {
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
    // The scripts the pipelines run are named apart: they are no pipelines of their own.
    let documents_read = widest.candidates - widest.scripts;
    let mut named = widest.examined.join(", ");
    if documents_read > widest.examined.len() {
        named.push_str(&format!(
            " and {} more",
            documents_read - widest.examined.len()
        ));
    }
    let noun = if misses.iter().all(|(check, _)| check.kind.reads_manifests()) {
        "manifest"
    } else {
        "pipeline"
    };
    let mut documents = match documents_read {
        1 => format!("the {noun} {named}"),
        count => format!("the {count} {noun}s ({named})"),
    };
    match (widest.scripts, documents_read) {
        (0, _) => {}
        (1, 1) => documents.push_str(" and the script it runs"),
        (1, _) => documents.push_str(" and the script they run"),
        (count, 1) => documents.push_str(&format!(" and the {count} scripts it runs")),
        (count, _) => documents.push_str(&format!(" and the {count} scripts they run")),
    }
    let mut unseen: Vec<&Evidence> = misses
        .iter()
        .flat_map(|(_, outcome)| &outcome.indirect)
        .collect();
    unseen.sort();
    unseen.dedup();
    // Where a call is made; an unread definition is the whole file, so it has no line.
    let at = |call: &Evidence| match call.line {
        Some(_) => format!(" at {}", call.location()),
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
            " Not seen: what runs in {} calls opslint cannot read ({}{}, …).",
            rest.len() + 1,
            // "X, a definition opslint does not read," reads on into "runs", not into ")".
            match first.line {
                Some(_) => first.detail.as_deref().unwrap_or_default(),
                None => first
                    .detail
                    .as_deref()
                    .unwrap_or_default()
                    .trim_end_matches(','),
            },
            at(first)
        ),
    };
    // A command that does the work in a form the check does not count: the reader sees why
    // it is not enough (a test step allowed to fail, `mvn -DskipTests verify`).
    let discounted = misses
        .iter()
        .find_map(|(check, outcome)| {
            Some((check.discounted.as_deref()?, outcome.discounted.first()?))
        })
        .map(|(why, command)| {
            format!(
                " Not counted: `{}`{}: {why}.",
                command.detail.as_deref().unwrap_or_default(),
                at(command)
            )
        })
        .unwrap_or_default();
    let not_counted = misses
        .iter()
        .find_map(|(_, outcome)| outcome.not_counted.as_ref())
        .map(|(command, why)| {
            format!(
                " Not counted: `{}`{}: {why}.",
                command.detail.as_deref().unwrap_or_default(),
                at(command)
            )
        })
        .unwrap_or_default();
    Some(format!(
        "Looked for {wanted} in {documents}: none found.{discounted}{not_counted}{unseen}"
    ))
}

pub fn miss(check: &Check, outcome: &Outcome) -> String {
    let patterns = summarize_globs(&check.files);
    let marker = check.looks_for();
    match &check.kind {
        kind if kind.reads_pipelines() || kind.reads_manifests() => {
            document_misses(&[(check, outcome)]).unwrap_or_default()
        }
        CheckKind::UpdateCoverage { .. } => update_coverage::describe_miss(outcome, &patterns),
        CheckKind::BaseImage { .. } => {
            documents::describe_miss("starts from", outcome, &patterns, marker)
        }
        CheckKind::WorkloadContainers { .. } => {
            documents::describe_miss("declares", outcome, &patterns, marker)
        }
        CheckKind::FilesPresent => presence::describe_miss(check, outcome, &patterns),
        CheckKind::ContentMatches { .. } => {
            content::describe_miss(check, outcome, &patterns, marker)
        }
        // The pipeline and manifest kinds, taken by the first arm.
        _ => String::new(),
    }
}

pub fn summarize_globs(globs: &[String]) -> String {
    match globs {
        [one] => format!("`{one}`"),
        [first, second] => format!("`{first}` or `{second}`"),
        [first, second, rest @ ..] => {
            format!(
                "`{first}`, `{second}` or {}",
                crate::text::plural(rest.len(), "other pattern")
            )
        }
        [] => "no pattern".to_owned(),
    }
}

/// "an unpinned base image" → "unpinned base image", for "No unpinned base image in …".
pub fn strip_article(words: &str) -> &str {
    ["a ", "an ", "the "]
        .iter()
        .find_map(|article| words.strip_prefix(article))
        .unwrap_or(words)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glob_summaries_stay_short() {
        let globs: Vec<String> = ["a", "b", "c", "d"]
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        assert_eq!(summarize_globs(&globs[..1]), "`a`");
        assert_eq!(summarize_globs(&globs[..2]), "`a` or `b`");
        assert_eq!(summarize_globs(&globs), "`a`, `b` or 2 other patterns");
        assert_eq!(summarize_globs(&globs[..3]), "`a`, `b` or 1 other pattern");
    }
}

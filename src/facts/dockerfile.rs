//! Dockerfiles read into the base images their stages start from, each with its line.

use std::collections::HashMap;
use std::sync::OnceLock;

use regex::Regex;

use super::Located;

/// The external images `FROM` instructions name: not `scratch`, and not an earlier stage of
/// the same file (`FROM build`). Build arguments are read as the file sets them (`ARG
/// RUBY_VERSION=3.4` before the first `FROM`, the only ones a `FROM` can use), so `FROM
/// ruby:$RUBY_VERSION-slim` is `ruby:3.4-slim`. A reference whose end is an argument without
/// a default (`FROM $BASE`, `FROM node:${TAG}`) is left out: its value, digest included, is
/// decided at build time. One whose end is written out (`busybox-${ARCH}:latest`) names no
/// digest whatever the arguments are.
pub fn base_images(text: &str) -> Vec<Located> {
    static FROM: OnceLock<Regex> = OnceLock::new();
    let from = FROM.get_or_init(|| {
        Regex::new(r"(?i)^\s*FROM\s+(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?").expect("valid regex")
    });
    let mut arguments: HashMap<String, String> = HashMap::new();
    let mut stages: Vec<String> = Vec::new();
    let mut images = Vec::new();
    let mut seen_from = false;
    for (line, instruction) in instructions(text) {
        if !seen_from && let Some(declared) = argument_declarations(&instruction) {
            for (name, default) in declared {
                // Defaults may use earlier ones; one that grows past any image reference's
                // length (a chain doubling at each step) is left unread.
                match default.and_then(|value| substitute(&value, &arguments)) {
                    Some(value) => arguments.insert(name, value),
                    None => arguments.remove(&name),
                };
            }
            continue;
        }
        let Some(captures) = from.captures(&instruction) else {
            continue;
        };
        seen_from = true;
        // A reference that would grow past any image's length is judged as written.
        let written = &captures[1];
        let image = substitute(written, &arguments).unwrap_or_else(|| written.to_owned());
        let lowered = image.to_ascii_lowercase();
        if lowered != "scratch" && !stages.contains(&lowered) && decided_without_digest(&image) {
            images.push(Located::new(&image, line));
        }
        if let Some(stage) = captures.get(2) {
            stages.push(stage.as_str().to_ascii_lowercase());
        }
    }
    images
}

/// Longer build-argument values are not substituted: an image reference is far shorter.
const MAX_ARGUMENT_LENGTH: usize = 1024;

/// Whether the reference, arguments substituted, says all it names: no argument left, or
/// none at its end and no digest in it (which an argument might otherwise complete).
fn decided_without_digest(image: &str) -> bool {
    static ENDS_IN_ARGUMENT: OnceLock<Regex> = OnceLock::new();
    let ends = ENDS_IN_ARGUMENT
        .get_or_init(|| Regex::new(r"\$(\{[^}]*\}|[A-Za-z_][A-Za-z0-9_]*)$").expect("valid regex"));
    !image.contains('$') || (!image.contains('@') && !ends.is_match(image))
}

/// `ARG NAME=value OTHER` → the names with their defaults, quotes removed.
fn argument_declarations(instruction: &str) -> Option<Vec<(String, Option<String>)>> {
    let (keyword, rest) = instruction.split_once(char::is_whitespace)?;
    if !keyword.eq_ignore_ascii_case("ARG") {
        return None;
    }
    let unquote = |value: &str| value.trim_matches(|c| c == '"' || c == '\'').to_owned();
    Some(
        rest.split_whitespace()
            .map(|declaration| match declaration.split_once('=') {
                Some((name, value)) => (name.to_owned(), Some(unquote(value))),
                None => (declaration.to_owned(), None),
            })
            .collect(),
    )
}

/// `$NAME`, `${NAME}` and `${NAME:-fallback}` replaced by the argument's value (or the
/// fallback); an argument without one is left as written. `None` once the result would pass
/// `MAX_ARGUMENT_LENGTH`: a line repeating a long argument thousands of times is no image
/// reference, and is never written out.
fn substitute(text: &str, arguments: &HashMap<String, String>) -> Option<String> {
    static REFERENCE: OnceLock<Regex> = OnceLock::new();
    let reference = REFERENCE.get_or_init(|| {
        Regex::new(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)")
            .expect("valid regex")
    });
    let mut substituted = String::new();
    let mut end = 0;
    for captures in reference.captures_iter(text) {
        let whole = captures.get(0)?;
        let name = captures
            .get(1)
            .or(captures.get(3))
            .map_or("", |m| m.as_str());
        let value = arguments
            .get(name)
            .map(String::as_str)
            .or_else(|| captures.get(2).map(|fallback| fallback.as_str()))
            .unwrap_or(whole.as_str());
        substituted.push_str(&text[end..whole.start()]);
        substituted.push_str(value);
        end = whole.end();
        if substituted.len() > MAX_ARGUMENT_LENGTH {
            return None;
        }
    }
    substituted.push_str(&text[end..]);
    (substituted.len() <= MAX_ARGUMENT_LENGTH).then_some(substituted)
}

/// Logical lines with the line they start on: continuations (`\` at the end) joined,
/// comments dropped.
fn instructions(text: &str) -> Vec<(u32, String)> {
    let mut joined = Vec::new();
    let mut current: Option<(u32, String)> = None;
    for (number, line) in (1u32..).zip(text.lines()) {
        let trimmed = line.trim();
        if trimmed.starts_with('#') && current.is_none() {
            continue;
        }
        let (start, mut text) = current.take().unwrap_or((number, String::new()));
        match trimmed.strip_suffix('\\') {
            Some(continued) => {
                text.push_str(continued);
                text.push(' ');
                current = Some((start, text));
            }
            None => {
                text.push_str(trimmed);
                joined.push((start, text));
            }
        }
    }
    joined.extend(current);
    joined
}

#[cfg(test)]
mod tests {
    use super::*;

    fn images(text: &str) -> Vec<(String, u32)> {
        base_images(text)
            .into_iter()
            .map(|image| (image.text, image.line))
            .collect()
    }

    #[test]
    fn stages_and_scratch_are_not_base_images() {
        let text = "# syntax=docker/dockerfile:1\nARG BASE=debian:12\nFROM --platform=$BUILDPLATFORM golang:1.23 AS build\nRUN go build\nFROM build AS test\nFROM $BASE\nFROM scratch\nFROM \\\n  gcr.io/distroless/static@sha256:abc\nfrom node as web\n";
        assert_eq!(
            images(text),
            [
                ("golang:1.23".to_owned(), 3),
                // `FROM $BASE` is the `ARG` default the file sets.
                ("debian:12".to_owned(), 6),
                ("gcr.io/distroless/static@sha256:abc".to_owned(), 8),
                ("node".to_owned(), 10),
            ]
        );
    }

    #[test]
    fn build_arguments_set_before_the_first_stage_are_read() {
        let text = "ARG RUBY_VERSION=3.4.4\nARG RUST=\"1.95\"\nARG BUILDER=cargo-chef:latest-rust-${RUST}\nARG OS\nFROM ruby:$RUBY_VERSION-slim AS base\nFROM ${BUILDER} AS build\nFROM busybox-${OS}:latest\nFROM node:${TAG}\nFROM ${IMAGE:-debian:12}\nFROM base\nARG LATE=alpine:3\nFROM $LATE\n";
        assert_eq!(
            images(text),
            [
                ("ruby:3.4.4-slim".to_owned(), 5),
                ("cargo-chef:latest-rust-1.95".to_owned(), 6),
                ("busybox-${OS}:latest".to_owned(), 7),
                ("debian:12".to_owned(), 9),
            ]
        );
    }

    /// Hostile input: each default doubles the one before; written out, the last would be
    /// 2^64 bytes. Values past an image reference's length are not substituted.
    #[test]
    fn build_arguments_that_grow_at_each_step_stay_bounded() {
        let mut text = String::from("ARG A0=ab\n");
        for step in 1..64 {
            let before = step - 1;
            text.push_str(&format!("ARG A{step}=${{A{before}}}${{A{before}}}\n"));
        }
        text.push_str("FROM image:${A63}\nFROM image:${A5}-slim\n");
        let found = images(&text);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0.len(), "image:".len() + 64 + "-slim".len());
    }

    /// Hostile input: one argument of 1,000 bytes used 10,000 times in a `FROM` would write
    /// out 10 MB per line (red team: 790 MB of memory and 300 MB of JSON for a 600 KB file).
    #[test]
    fn a_reference_that_would_grow_past_an_image_length_is_judged_as_written() {
        let text = format!(
            "ARG A={}\nFROM x:{}:1\n",
            "a".repeat(1000),
            "$A".repeat(10_000)
        );
        let found = images(&text);
        assert_eq!(found.len(), 1, "{}", found.len());
        assert_eq!(found[0].0.len(), "x:".len() + 2 * 10_000 + ":1".len());
    }
}

//! Dockerfiles read into the base images their stages start from, each with its line.

use std::sync::OnceLock;

use regex::Regex;

use super::Located;

/// The external images `FROM` instructions name: not `scratch`, not an earlier stage of the
/// same file (`FROM build`), and not a reference built from build arguments (`FROM
/// $BASE`), whose value the file does not decide.
pub fn base_images(text: &str) -> Vec<Located> {
    static FROM: OnceLock<Regex> = OnceLock::new();
    let from = FROM.get_or_init(|| {
        Regex::new(r"(?i)^\s*FROM\s+(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?").expect("valid regex")
    });
    let mut stages: Vec<String> = Vec::new();
    let mut images = Vec::new();
    for (line, instruction) in instructions(text) {
        let Some(captures) = from.captures(&instruction) else {
            continue;
        };
        let image = &captures[1];
        let lowered = image.to_ascii_lowercase();
        if lowered != "scratch" && !image.contains('$') && !stages.contains(&lowered) {
            images.push(Located::new(image, line));
        }
        if let Some(stage) = captures.get(2) {
            stages.push(stage.as_str().to_ascii_lowercase());
        }
    }
    images
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
    fn stages_scratch_and_arguments_are_not_base_images() {
        let text = "# syntax=docker/dockerfile:1\nARG BASE=debian:12\nFROM --platform=$BUILDPLATFORM golang:1.23 AS build\nRUN go build\nFROM build AS test\nFROM $BASE\nFROM scratch\nFROM \\\n  gcr.io/distroless/static@sha256:abc\nfrom node as web\n";
        assert_eq!(
            images(text),
            [
                ("golang:1.23".to_owned(), 3),
                ("gcr.io/distroless/static@sha256:abc".to_owned(), 8),
                ("node".to_owned(), 10),
            ]
        );
    }
}

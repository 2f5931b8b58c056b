//! What one scan has read and parsed, by tree entry — the shapes the collector fills and
//! the checks read — and the two steps every kind of fact starts with: reading the entries
//! not read yet, and parsing a text once it is known to be UTF-8.

use std::collections::HashMap;

use crate::facts::content::Content;
use crate::facts::manifest;
use crate::facts::pipeline::Pipeline;
use crate::facts::yaml::ParseError;

/// Parsed pipelines by entry; `None` for files that were not text.
pub type Pipelines = HashMap<usize, Option<Result<Pipeline, ParseError>>>;

/// A manifest's package and declared dependencies, or why it could not be read.
pub type Manifest = Result<manifest::Manifest, ParseError>;

/// Parsed manifests by entry; `None` for files that were not text.
pub type Manifests = HashMap<usize, Option<Manifest>>;

/// Manifests by the package each declares (package.json's `name`, Cargo's `[package]`),
/// under their file name: a Cargo.toml's dependency is on a crate, never on an npm package.
pub type Packages = HashMap<String, HashMap<String, usize>>;

/// The entries each pipeline includes, by the including pipeline's entry.
pub type Includes = HashMap<usize, Vec<usize>>;

/// Reads the entries not read yet into `contents`, each once, in one call to `read`.
pub(crate) fn read_missing(
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

pub(crate) fn parse_text<T>(
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

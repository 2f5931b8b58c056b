//! A YAML document as a plain tree of nodes that know their line, parsed with serde-saphyr
//! (pure Rust, with resource budgets against alias bombs). Pipeline formats differ too
//! much for one typed schema; their readers walk this tree instead.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    /// Strings, numbers and booleans, as written.
    Scalar(String),
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub value: Value,
    /// 1-based line where the node is used (for an alias: where the alias is).
    pub line: u32,
}

/// Why a document could not be read, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub message: String,
    pub line: Option<u32>,
    /// The document went past what opslint reads (the parser's budget of events, nodes,
    /// documents, nesting), which says nothing of whether it is valid.
    pub beyond_limits: bool,
}

pub fn parse(text: &str) -> Result<Node, ParseError> {
    with_lenient_merges(options(), |options| {
        serde_saphyr::from_str_with_options::<Node>(text, options)
    })
}

/// A GitLab CI file as GitLab reads it: a key given twice in a mapping keeps its last value
/// (Ruby's Psych accepts repeated keys, so a pipeline that runs there is not broken here),
/// and a `spec:` header document before `---` declares inputs, the jobs following it.
pub fn parse_gitlab(text: &str) -> Result<Node, ParseError> {
    let mut last = documents(text, repeated_keys_let_through())?
        .pop()
        .unwrap_or(Node {
            value: Value::Null,
            line: 1,
        });
    keep_last_of_repeated_keys(&mut last);
    Ok(last)
}

/// The parser hands repeated keys to the map as they come: the last one wins, in the place
/// of the first. Only GitLab's reading lets them through, so only it pays for this pass.
fn keep_last_of_repeated_keys(node: &mut Node) {
    match &mut node.value {
        Value::Seq(items) => items.iter_mut().for_each(keep_last_of_repeated_keys),
        Value::Map(entries) => {
            let mut kept: Vec<(Node, Node)> = Vec::with_capacity(entries.len());
            let mut positions: std::collections::HashMap<String, usize> =
                std::collections::HashMap::new();
            for (key, mut value) in entries.drain(..) {
                keep_last_of_repeated_keys(&mut value);
                match key.as_str().map(str::to_owned) {
                    Some(text) => match positions.get(&text) {
                        Some(&at) => kept[at] = (key, value),
                        None => {
                            positions.insert(text, kept.len());
                            kept.push((key, value));
                        }
                    },
                    None => kept.push((key, value)),
                }
            }
            *entries = kept;
        }
        Value::Null | Value::Scalar(_) => {}
    }
}

/// A file whose format repeats keys on purpose (Cirrus CI's `task:`): every entry is kept, in
/// order, as the parser hands it over.
pub fn parse_keeping_repeated_keys(text: &str) -> Result<Node, ParseError> {
    stream(text, repeated_keys_let_through())
}

/// Every document of a stream separated by `---` (several Drone pipelines in one file, a
/// signature document after them, Tekton's Task and PipelineRun), as one sequence node.
pub fn parse_documents(text: &str) -> Result<Node, ParseError> {
    stream(text, options())
}

fn stream(text: &str, options: serde_saphyr::Options) -> Result<Node, ParseError> {
    Ok(Node {
        value: Value::Seq(documents(text, options)?),
        line: 1,
    })
}

fn documents(text: &str, options: serde_saphyr::Options) -> Result<Vec<Node>, ParseError> {
    with_lenient_merges(options, |options| {
        serde_saphyr::from_multiple_with_options::<Node>(text, options)
    })
}

/// Parses with `options`; if the parser refused a merge key (`<<: *anchor`) whose value is
/// not a mapping, parses again with `<<` as an ordinary key. YAML 1.1 refuses such a merge,
/// but CI systems' own parsers accept more (Woodpecker merges a list into a list): such a
/// file is read, not called broken.
fn with_lenient_merges<T>(
    options: serde_saphyr::Options,
    parse: impl Fn(serde_saphyr::Options) -> Result<T, serde_saphyr::Error>,
) -> Result<T, ParseError> {
    parse(options.clone())
        .or_else(|error| {
            match cause(&error) {
                serde_saphyr::Error::MergeValueNotMapOrSeqOfMaps { .. } => {}
                _ => return Err(error),
            }
            let mut ordinary = options;
            ordinary.merge_keys = serde_saphyr::options::MergeKeyPolicy::AsOrdinary;
            parse(ordinary)
        })
        .map_err(parse_error)
}

/// The parser's options with repeated keys handed to the map as they come, each entry kept
/// (the reader decides which one counts).
fn repeated_keys_let_through() -> serde_saphyr::Options {
    let mut options = options();
    options.duplicate_keys = serde_saphyr::options::DuplicateKeyPolicy::LastWins;
    options
}

fn options() -> serde_saphyr::Options {
    // Alias bombs are stopped by the budget's counts of events and nodes, which bound
    // memory. Its other guard, refusing ten times more aliases than anchors, refuses real
    // pipelines too: GitLab's own aliases ~190 anchors thousands of times.
    let mut budget = serde_saphyr::Budget::default();
    budget.enforce_alias_anchor_ratio = false;
    serde_saphyr::options! {
        // YAML 1.2 booleans only: GitHub's `on:` key is a string, not `true`.
        strict_booleans: true,
        with_snippet: false,
        budget: Some(budget),
    }
}

/// Whether the parser stopped at its budget.
fn is_budget(error: &serde_saphyr::Error) -> bool {
    matches!(cause(error), serde_saphyr::Error::Budget { .. })
}

/// The error under the wrappers that say where an alias was used or show a snippet.
fn cause(mut error: &serde_saphyr::Error) -> &serde_saphyr::Error {
    while let serde_saphyr::Error::AliasError { error: inner, .. }
    | serde_saphyr::Error::WithSnippet { error: inner, .. } = error
    {
        error = inner;
    }
    error
}

fn parse_error(error: serde_saphyr::Error) -> ParseError {
    let mut message = first_line(&error.to_string());
    // The parser's advice on its own options means nothing to the file's author.
    if let Some(advice) = message.find(", set DuplicateKeyPolicy") {
        let location = message[advice..]
            .find(" at line")
            .map_or("", |at| &message[advice + at..]);
        message = format!("{}{location}", &message[..advice]);
    }
    ParseError {
        // The scanner's own nesting ceiling comes back as a scan error, not a budget error:
        // known only by its words.
        beyond_limits: is_budget(&error) || message.contains("recursion limit exceeded"),
        line: error
            .location()
            .and_then(|location| u32::try_from(location.line()).ok())
            .filter(|&line| line > 0),
        message,
    }
}

/// serde-saphyr renders errors with a source snippet; reports want the one-line cause.
fn first_line(message: &str) -> String {
    message.lines().next().unwrap_or_default().trim().to_owned()
}

impl Node {
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar(text) => Some(text),
            _ => None,
        }
    }

    /// The value under `key`, when this node is a map that has it.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entries()
            .find(|(name, _)| name.as_str() == Some(key))
            .map(|(_, value)| value)
    }

    /// The key node of `key` (for the line a section starts on), when this is a map with it.
    pub fn key(&self, key: &str) -> Option<&Node> {
        self.entries()
            .find(|(name, _)| name.as_str() == Some(key))
            .map(|(name, _)| name)
    }

    /// A map's entries; nothing for other nodes.
    pub fn entries(&self) -> impl Iterator<Item = (&Node, &Node)> {
        let entries = match &self.value {
            Value::Map(entries) => entries.as_slice(),
            _ => &[],
        };
        entries.iter().map(|(key, value)| (key, value))
    }

    /// A sequence's items, or the node itself when it is a single value (the many places
    /// where CI formats accept `x` for `[x]`).
    pub fn items(&self) -> Vec<&Node> {
        match &self.value {
            Value::Seq(items) => items.iter().collect(),
            Value::Null => Vec::new(),
            _ => vec![self],
        }
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Node, D::Error> {
        let spanned = Spanned::<Value>::deserialize(deserializer)?;
        Ok(Node {
            line: u32::try_from(spanned.referenced.line()).unwrap_or(0),
            value: spanned.value,
        })
    }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(ValueVisitor)
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("any YAML value")
    }

    fn visit_bool<E: de::Error>(self, value: bool) -> Result<Value, E> {
        Ok(Value::Scalar(value.to_string()))
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<Value, E> {
        Ok(Value::Scalar(value.to_string()))
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Value, E> {
        Ok(Value::Scalar(value.to_string()))
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<Value, E> {
        Ok(Value::Scalar(value.to_string()))
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Value, E> {
        Ok(Value::Scalar(value.to_owned()))
    }

    fn visit_string<E: de::Error>(self, value: String) -> Result<Value, E> {
        Ok(Value::Scalar(value))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        Value::deserialize(deserializer)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Node>()? {
            items.push(item);
        }
        Ok(Value::Seq(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut entries = Vec::new();
        while let Some((key, value)) = map.next_entry::<Node, Node>()? {
            entries.push((key, value));
        }
        Ok(Value::Map(entries))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_repeated_key_is_reported_without_the_parsers_advice() {
        let error = parse("steps:\n  environment: a\n  environment: b\n").unwrap_err();
        assert!(
            error
                .message
                .starts_with("duplicate mapping key: environment"),
            "{}",
            error.message
        );
        assert!(
            !error.message.contains("DuplicateKeyPolicy"),
            "{}",
            error.message
        );
        assert_eq!(error.line, Some(3));
    }

    /// The parser's budget refuses alias bombs, but must not refuse a large real pipeline:
    /// GitLab's own keeps ~150 conditions and ~40 path lists as anchors and aliases them
    /// from ~300 rule blocks (about 130,000 nodes once expanded). Anchors record expanded
    /// events, so a budget of 20,000 recorded events, tried once, refused this; so did the
    /// default ratio of aliases to anchors.
    #[test]
    fn a_gitlab_sized_pipeline_of_anchors_parses() {
        let mut yaml = String::new();
        for index in 0..150 {
            yaml += &format!(".if-{index}: &if-{index}\n  if: '$X == \"{index}\"'\n");
        }
        for index in 0..40 {
            yaml += &format!(".paths-{index}: &paths-{index}\n");
            for path in 0..40 {
                yaml += &format!("  - \"dir{index}/{path}/**/*\"\n");
            }
        }
        for block in 0..300 {
            yaml += &format!(".rules-{block}:\n  rules:\n");
            for rule in 0..10 {
                let (condition, paths) = ((block + rule) % 150, (block + rule) % 40);
                yaml += &format!("    - <<: *if-{condition}\n      changes: *paths-{paths}\n");
            }
        }
        let root = parse(&yaml).unwrap();
        let rules = root.get(".rules-299").and_then(|block| block.get("rules"));
        assert_eq!(rules.map(|rules| rules.items().len()), Some(10));
    }

    #[test]
    fn nodes_know_their_lines() {
        let root =
            parse("on:\n  pull_request:\njobs:\n  test:\n    steps:\n      - run: cargo test\n")
                .unwrap();
        let on = root.get("on").unwrap();
        let (trigger, _) = on.entries().next().unwrap();
        assert_eq!((trigger.as_str(), trigger.line), (Some("pull_request"), 2));
        let step = root
            .get("jobs")
            .unwrap()
            .get("test")
            .unwrap()
            .get("steps")
            .unwrap()
            .items()[0];
        let run = step.get("run").unwrap();
        assert_eq!((run.as_str(), run.line), (Some("cargo test"), 6));
    }

    #[test]
    fn the_on_key_stays_a_string() {
        let root = parse("on: push\n").unwrap();
        assert_eq!(root.get("on").and_then(Node::as_str), Some("push"));
    }

    #[test]
    fn a_merge_of_a_list_is_read_not_refused() {
        // Woodpecker's parser merges a list; YAML 1.1 refuses it. The file is read, with
        // `<<` an ordinary key, rather than called broken.
        let text = "variables:\n  - path: &when_path\n      - src/**\nsteps:\n  test:\n    image: golang\n    commands: [go test ./...]\n    when:\n      - <<: *when_path\n";
        let root = parse(text).expect("read");
        assert!(
            root.get("steps")
                .and_then(|steps| steps.get("test"))
                .is_some()
        );
        let documents = parse_documents(text).expect("read as a stream too");
        assert_eq!(documents.items().len(), 1);
    }

    #[test]
    fn syntax_errors_carry_a_line() {
        let error = parse("jobs:\n  test:\n    steps: [\n").unwrap_err();
        assert!(error.line.is_some(), "{error:?}");
        assert!(!error.message.is_empty());
    }
}

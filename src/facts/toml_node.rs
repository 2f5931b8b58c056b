//! A TOML document as the same tree of nodes YAML documents become, so manifest readers
//! walk TOML and YAML/JSON alike, with lines.

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::yaml::{Node, ParseError, Value};
use crate::text::LineIndex;

pub fn parse(text: &str) -> Result<Node, ParseError> {
    let lines = LineIndex::new(text.as_bytes());
    let root = DeTable::parse(text).map_err(|error| ParseError {
        message: error.message().trim().to_owned(),
        line: error.span().map(|span| lines.line(span.start)),
        beyond_limits: false,
    })?;
    let line = |offset: usize| lines.line(offset);
    Ok(Node {
        value: table(root.get_ref(), &line),
        line: 1,
    })
}

fn table(entries: &DeTable<'_>, line: &impl Fn(usize) -> u32) -> Value {
    Value::Map(
        entries
            .iter()
            .map(|(key, value)| {
                let key = Node {
                    value: Value::Scalar(key.get_ref().to_string()),
                    line: line(key.span().start),
                };
                (key, node(value, line))
            })
            .collect(),
    )
}

fn node(value: &Spanned<DeValue<'_>>, line: &impl Fn(usize) -> u32) -> Node {
    let scalar = |text: &str| Value::Scalar(text.to_owned());
    let converted = match value.get_ref() {
        DeValue::String(text) => scalar(text),
        DeValue::Integer(number) => scalar(number.as_str()),
        DeValue::Float(number) => scalar(number.as_str()),
        DeValue::Boolean(flag) => scalar(if *flag { "true" } else { "false" }),
        DeValue::Datetime(datetime) => scalar(&datetime.to_string()),
        DeValue::Array(items) => Value::Seq(items.iter().map(|item| node(item, line)).collect()),
        DeValue::Table(entries) => table(entries, line),
    };
    Node {
        value: converted,
        line: line(value.span().start),
    }
}

//! Reading TOML documents part by part, so one mistake does not hide the next one.

use serde::de::DeserializeOwned;
use toml::Spanned;
use toml::de::{DeTable, DeValue, ValueDeserializer};

use crate::config::diagnostic::Problem;

/// A parsed document: its top-level keys with their spans.
pub struct Document<'i> {
    pub root: DeTable<'i>,
    /// Whether the text had syntax errors; its values are then not worth validating, since
    /// recovery produces values the author never wrote.
    pub malformed: bool,
}

impl<'i> Document<'i> {
    /// Parses `text`; syntax errors are pushed to `problems` and parsing recovers where it can.
    pub fn parse(text: &'i str, problems: &mut Vec<Problem>) -> Document<'i> {
        let (root, errors) = DeTable::parse_recoverable(text);
        problems.extend(errors.iter().map(problem_from_toml));
        Document {
            root: root.into_inner(),
            malformed: !errors.is_empty(),
        }
    }

    /// Top-level entries as (key, key span, value).
    pub fn entries(
        &self,
    ) -> impl Iterator<Item = (&str, std::ops::Range<usize>, &Spanned<DeValue<'i>>)> {
        self.root
            .iter()
            .map(|(key, value)| (key.get_ref().as_ref(), key.span(), value))
    }
}

/// Deserializes one value; a failure becomes a problem at the value's span.
pub fn decode<T: DeserializeOwned>(
    value: &Spanned<DeValue<'_>>,
    problems: &mut Vec<Problem>,
) -> Option<T> {
    match T::deserialize(ValueDeserializer::from(value.clone())) {
        Ok(decoded) => Some(decoded),
        Err(error) => {
            let mut problem = problem_from_toml(&error);
            if error.span().is_none() {
                problem = Problem::new(error.message().trim(), Some(value.span()));
            }
            problems.push(problem);
            None
        }
    }
}

/// Deserializes a value that is an array of tables (`[[rule]]`), each element on its own.
pub fn decode_each<T: DeserializeOwned>(
    value: &Spanned<DeValue<'_>>,
    what: &str,
    problems: &mut Vec<Problem>,
) -> Vec<Spanned<T>> {
    let Some(array) = value.get_ref().as_array() else {
        problems.push(
            Problem::new(
                format!("`{what}` must be an array of tables"),
                Some(value.span()),
            )
            .help(format!("write each entry as a `[[{what}]]` table")),
        );
        return Vec::new();
    };
    array
        .iter()
        .filter_map(|element| {
            decode(element, problems).map(|decoded| Spanned::new(element.span(), decoded))
        })
        .collect()
}

fn problem_from_toml(error: &toml::de::Error) -> Problem {
    Problem::new(error.message().trim(), error.span())
}

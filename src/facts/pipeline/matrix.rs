//! A GitHub Actions job's `strategy.matrix`, read for the values a command's
//! `${{ matrix.task }}` takes: `poe ${{ matrix.task }}` with `task: [lint, test]` runs
//! `poe lint` and `poe test`, which rules can judge, where the expression alone is work
//! chosen at run time.

use super::Located;
use crate::facts::yaml::{Node, Value};

/// At most this many commands come from one: a larger product is left as written.
const MOST_EXPANSIONS: usize = 16;

/// Each dimension's values, when the matrix lists them: a dimension computed by an
/// expression (`${{ fromJSON(…) }}`) or holding maps has none, and a command naming it
/// is left as written.
#[derive(Debug, Default)]
pub(super) struct Matrix {
    dimensions: Vec<(String, Option<Vec<String>>)>,
}

impl Matrix {
    /// The dimensions of `strategy.matrix`, with the values `include` entries add.
    pub(super) fn read(matrix: &Node) -> Matrix {
        let mut read = Matrix::default();
        for (name, values) in matrix.entries() {
            match name.as_str() {
                Some("include") => {
                    for entry in values.items() {
                        for (name, value) in entry.entries() {
                            if let Some(name) = name.as_str() {
                                read.add(name, Some(value));
                            }
                        }
                    }
                }
                Some("exclude") | None => {}
                Some(name) => {
                    let listed = matches!(values.value, Value::Seq(_));
                    for value in values.items() {
                        read.add(name, listed.then_some(value));
                    }
                    if !listed {
                        read.add(name, None);
                    }
                }
            }
        }
        read
    }

    /// Adds `value` to the dimension `name`; `None`, or a value that is not a scalar,
    /// makes the dimension's values unknown.
    fn add(&mut self, name: &str, value: Option<&Node>) {
        let index = match self.dimensions.iter().position(|(known, _)| known == name) {
            Some(index) => index,
            None => {
                self.dimensions.push((name.to_owned(), Some(Vec::new())));
                self.dimensions.len() - 1
            }
        };
        let values = &mut self.dimensions[index].1;
        match value.and_then(Node::as_str) {
            // A value on more than one line, or holding an expression, is not one word of a
            // command.
            Some(text) if !text.contains("${{") && !text.contains(char::is_control) => {
                if let Some(values) = values
                    && !values.iter().any(|known| known == text)
                {
                    values.push(text.to_owned());
                }
            }
            _ => *values = None,
        }
    }

    fn values(&self, name: &str) -> Option<&[String]> {
        self.dimensions
            .iter()
            .find(|(known, _)| known == name)
            .and_then(|(_, values)| values.as_deref())
    }

    /// The commands `command` is, one per combination of the matrix values it names; the
    /// command itself when it names none, names one without listed values, or would make
    /// more than [`MOST_EXPANSIONS`].
    pub(super) fn expand(&self, command: Located) -> Vec<Located> {
        let mut expanded = vec![String::new()];
        let mut rest = command.text.as_str();
        let mut named = false;
        while let Some((start, end, name)) = next_reference(rest) {
            let Some(values) = self.values(name).filter(|values| !values.is_empty()) else {
                return vec![command];
            };
            if expanded.len() * values.len() > MOST_EXPANSIONS {
                return vec![command];
            }
            let before = &rest[..start];
            expanded = expanded
                .iter()
                .flat_map(|text| {
                    values
                        .iter()
                        .map(move |value| format!("{text}{before}{value}"))
                })
                .collect();
            rest = &rest[end..];
            named = true;
        }
        if !named {
            return vec![command];
        }
        expanded
            .into_iter()
            .map(|text| Located::new(text + rest, command.line))
            .collect()
    }
}

/// The first `${{ matrix.name }}` in `text`: its byte range and the dimension it names.
fn next_reference(text: &str) -> Option<(usize, usize, &str)> {
    let mut from = 0;
    while let Some(found) = text[from..].find("${{") {
        let start = from + found;
        let close = text[start..].find("}}")? + start;
        let inner = text[start + 3..close].trim();
        if let Some(name) = inner.strip_prefix("matrix.")
            && !name.is_empty()
            && name
                .bytes()
                .all(|byte| byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_')
        {
            return Some((start, close + 2, name));
        }
        from = close + 2;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::yaml;

    fn expand(matrix: &str, command: &str) -> Vec<String> {
        let root = yaml::parse(matrix).unwrap();
        Matrix::read(&root)
            .expand(Located::new(command, 7))
            .into_iter()
            .map(|located| {
                assert_eq!(located.line, 7);
                located.text
            })
            .collect()
    }

    #[test]
    fn a_listed_dimension_gives_one_command_per_value() {
        assert_eq!(
            expand("task: [lint, test]", "poe ${{ matrix.task }}"),
            ["poe lint", "poe test"]
        );
        assert_eq!(
            expand(
                "task: [lint]\ninclude:\n  - task: docs\n  - os: mac",
                "poe ${{matrix.task}} -v"
            ),
            ["poe lint -v", "poe docs -v"]
        );
    }

    #[test]
    fn two_dimensions_give_their_product() {
        assert_eq!(
            expand(
                "a: [x, y]\nb: ['1', '2']",
                "run ${{ matrix.a }} ${{ matrix.b }}"
            ),
            ["run x 1", "run x 2", "run y 1", "run y 2"]
        );
        // Values of different lengths move what follows them.
        assert_eq!(
            expand(
                "a: [x, longer]\nb: [é, '2']",
                "${{ matrix.a }} -v ${{ matrix.b }}!"
            ),
            ["x -v é!", "x -v 2!", "longer -v é!", "longer -v 2!"]
        );
    }

    #[test]
    fn values_out_of_sight_leave_the_command_as_written() {
        let same = |matrix: &str, command: &str| {
            assert_eq!(expand(matrix, command), [command], "{matrix}");
        };
        same("task: [lint]", "poe ${{ matrix.other }}");
        same(
            "task: ${{ fromJSON(needs.a.outputs.b) }}",
            "poe ${{ matrix.task }}",
        );
        same("task: [lint, '${{ inputs.x }}']", "poe ${{ matrix.task }}");
        same("task: [{name: a}]", "poe ${{ matrix.task }}");
        same(
            "task: [lint]\ninclude:\n  - task: {a: b}",
            "poe ${{ matrix.task }}",
        );
        same("task: [lint]", "poe ${{ matrix.task.name }}");
        same("task: [lint]", "poe ${{ inputs.task }}");
        // A value on two lines would print as two lines of the report.
        same("task: [\"lint\\n::error::x\"]", "poe ${{ matrix.task }}");
        same(
            "a: [1, 2, 3, 4, 5]\nb: [1, 2, 3, 4]",
            "x ${{ matrix.a }}${{ matrix.b }}",
        );
    }
}

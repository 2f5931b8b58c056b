//! A GitHub Actions job's `strategy.matrix`, read for the values a command's
//! `${{ matrix.task }}` takes: `poe ${{ matrix.task }}` with `task: [lint, test]` runs
//! `poe lint` and `poe test`, which rules can judge, where the expression alone is work
//! chosen at run time.

use std::collections::HashMap;

use super::Located;
use crate::facts::yaml::{Node, Value};

/// At most this many commands come from one: a larger product is left as written.
const MOST_EXPANSIONS: usize = 16;

/// Each dimension's values, when the matrix lists them: a dimension computed by an
/// expression (`${{ fromJSON(…) }}`), holding maps, holding more values than a command may
/// expand to, or named by an `exclude` entry has none, and a command naming it is left as
/// written.
#[derive(Debug, Default)]
pub(super) struct Matrix {
    dimensions: HashMap<String, Option<Vec<String>>>,
    /// Dimensions `include` entries gave values to: which of them run together is each
    /// entry's, not the product's.
    included: std::collections::HashSet<String>,
    /// The fields of a dimension of maps (`configuration.target`), by that dimension: they
    /// run together as each map gives them, not in every pairing.
    fields: HashMap<String, String>,
}

impl Matrix {
    /// The dimensions of `strategy.matrix`, with the values `include` entries add.
    pub(super) fn read(matrix: &Node) -> Matrix {
        let mut read = Matrix::default();
        let mut excluded = Vec::new();
        let mut base = Vec::new();
        // How many `include` entries there are, and how many give each key.
        let mut entries = 0;
        let mut given: HashMap<&str, usize> = HashMap::new();
        for (name, values) in matrix.entries() {
            match name.as_str() {
                Some("include") => {
                    for entry in values.items() {
                        entries += 1;
                        for (name, value) in entry.entries() {
                            if let Some(name) = name.as_str() {
                                *given.entry(name).or_default() += 1;
                                read.included.insert(name.to_owned());
                                read.add(name, Some(value));
                            }
                        }
                    }
                }
                // An excluded combination may take a value out of every job (`task: test`
                // excluded on the only `os`): which values run is not read, so a dimension
                // an exclusion names is not expanded.
                Some("exclude") => excluded.extend(
                    values
                        .items()
                        .into_iter()
                        .flat_map(Node::entries)
                        .filter_map(|(name, _)| name.as_str()),
                ),
                None => {}
                Some(name) => {
                    base.push(name);
                    let listed = matches!(values.value, Value::Seq(_));
                    for value in values.items() {
                        read.add(name, listed.then_some(value));
                    }
                    if !listed {
                        read.add(name, None);
                    }
                    if listed {
                        read.add_fields(name, values);
                    }
                }
            }
        }
        // A key only `include` entries give is empty in the jobs they do not reach (the
        // matrix's own combinations, or entries without it): `-DskipTests` for Windows alone
        // is not every job's.
        let partial = given
            .iter()
            .filter(|&(name, &count)| !base.contains(name) && (!base.is_empty() || count < entries))
            .map(|(name, _)| *name);
        let excluded_or_included: Vec<&str> = excluded
            .iter()
            .copied()
            .chain(given.keys().copied())
            .collect();
        for name in excluded.iter().copied().chain(partial) {
            read.add(name, None);
        }
        // An `include` entry or an exclusion naming a dimension of maps is not read field by
        // field: the fields' values are unknown.
        for (name, values) in &mut read.dimensions {
            if let Some((dimension, _field)) = name.split_once('.')
                && (excluded_or_included.contains(&dimension))
            {
                *values = None;
            }
        }
        read
    }

    /// The fields of a dimension whose values are maps (`configuration: [{target: …}, …]`),
    /// each a dimension of its own (`configuration.target`). A field runs with its map's
    /// other fields, not in every pairing, as `include` entries' keys do; one some maps lack
    /// is empty in their jobs, so its values are unknown.
    fn add_fields(&mut self, name: &str, values: &Node) {
        let maps = values.items();
        if !maps.iter().all(|map| matches!(map.value, Value::Map(_))) {
            return;
        }
        let mut fields: Vec<&str> = Vec::new();
        for map in &maps {
            for (field, _) in map.entries() {
                if let Some(field) = field.as_str()
                    && !fields.contains(&field)
                {
                    fields.push(field);
                }
            }
        }
        for field in fields {
            let dimension = format!("{name}.{field}");
            self.fields.insert(dimension.clone(), name.to_owned());
            for map in &maps {
                self.add(&dimension, map.get(field));
            }
        }
    }

    /// Adds `value` to the dimension `name`; `None`, a value that is not a scalar, or more
    /// values than a command may expand to make the dimension's values unknown.
    fn add(&mut self, name: &str, value: Option<&Node>) {
        if !self.dimensions.contains_key(name) {
            self.dimensions.insert(name.to_owned(), Some(Vec::new()));
        }
        let Some(values) = self.dimensions.get_mut(name) else {
            return;
        };
        let Some(known) = values else {
            return;
        };
        match value.and_then(Node::as_str) {
            // A value on more than one line, or holding an expression, is not one word of a
            // command.
            Some(text) if !text.contains("${{") && !text.contains(char::is_control) => {
                if !known.iter().any(|known| known == text) {
                    known.push(text.to_owned());
                }
                if known.len() > MOST_EXPANSIONS {
                    *values = None;
                }
            }
            _ => *values = None,
        }
    }

    /// Whether the matrix lists values of the dimension `name`, which a command naming it
    /// may be expanded to.
    pub(super) fn lists(&self, name: &str) -> bool {
        self.values(name).is_some_and(|values| !values.is_empty())
    }

    /// Whether the matrix lists values of the dimension `name` that a shell expanding a
    /// variable set to them keeps as words: expansion runs no `&&`, `;`, `|` or redirection
    /// inside a value (`true && rake test` is `true` given three arguments).
    pub(super) fn lists_words(&self, name: &str) -> bool {
        self.lists(name)
            && self.values(name).is_some_and(|values| {
                values
                    .iter()
                    .all(|value| !value.contains(['&', ';', '|', '<', '>', '`', '(', ')']))
            })
    }

    fn values(&self, name: &str) -> Option<&[String]> {
        self.dimensions.get(name)?.as_deref()
    }

    /// The commands `command` is, one per combination of the matrix values it names (a
    /// dimension named twice takes the same value in both places); the command itself when
    /// it names none, names one without listed values, or would make more than
    /// [`MOST_EXPANSIONS`].
    pub(super) fn expand(&self, command: Located) -> Vec<Located> {
        match self.combinations(&command.text) {
            Some(texts) => texts
                .into_iter()
                .map(|text| Located::new(text, command.line))
                .collect(),
            None => vec![command],
        }
    }

    /// `text` with each combination of the values it names, or `None` to leave it as written.
    fn combinations(&self, text: &str) -> Option<Vec<String>> {
        let references = references(text);
        if references.is_empty() || references.len() > MOST_REFERENCES {
            return None;
        }
        // The dimensions named, each once, and for each reference the one it names.
        let mut dimensions: Vec<(&str, &[String])> = Vec::new();
        let mut slots = Vec::with_capacity(references.len());
        for &(_, _, name) in &references {
            let slot = match dimensions.iter().position(|(known, _)| *known == name) {
                Some(slot) => slot,
                None => {
                    let values = self.values(name).filter(|values| !values.is_empty())?;
                    dimensions.push((name, values));
                    dimensions.len() - 1
                }
            };
            slots.push(slot);
        }
        // Two dimensions of which `include` entries gave values run in the entries' pairs, not
        // in every pairing: the command is left as written.
        if dimensions.len() > 1
            && dimensions
                .iter()
                .any(|(name, _)| self.included.contains(*name))
        {
            return None;
        }
        // So do two fields of the same maps.
        let mut maps: Vec<&str> = dimensions
            .iter()
            .filter_map(|(name, _)| self.fields.get(*name).map(String::as_str))
            .collect();
        let fields = maps.len();
        maps.sort_unstable();
        maps.dedup();
        if maps.len() < fields {
            return None;
        }
        let combinations = dimensions.iter().try_fold(1usize, |product, (_, values)| {
            product
                .checked_mul(values.len())
                .filter(|&product| product <= MOST_EXPANSIONS)
        })?;
        let texts = (0..combinations)
            .map(|combination| {
                // The combination's value of each dimension, the last changing fastest.
                let mut chosen = vec![""; dimensions.len()];
                let mut rest = combination;
                for (slot, (_, values)) in dimensions.iter().enumerate().rev() {
                    chosen[slot] = values[rest % values.len()].as_str();
                    rest /= values.len();
                }
                let mut expanded = String::with_capacity(text.len());
                let mut from = 0;
                for (&(start, end, _), &slot) in references.iter().zip(&slots) {
                    expanded.push_str(&text[from..start]);
                    expanded.push_str(chosen[slot]);
                    from = end;
                }
                expanded.push_str(&text[from..]);
                expanded
            })
            .collect();
        Some(texts)
    }
}

/// A command naming the matrix more often than this is left as written.
const MOST_REFERENCES: usize = 64;

/// Each `${{ matrix.name }}` in `text`: its byte range and the dimension it names, up to
/// one past [`MOST_REFERENCES`].
fn references(text: &str) -> Vec<(usize, usize, &str)> {
    let mut found = Vec::new();
    let mut from = 0;
    while found.len() <= MOST_REFERENCES
        && let Some((start, end, name)) = next_reference(&text[from..])
    {
        found.push((from + start, from + end, name));
        from += end;
    }
    found
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
            && name.bytes().all(|byte| {
                byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_' || byte == b'.'
            })
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
    fn a_field_of_listed_maps_gives_one_command_per_map() {
        let matrix = "configuration:\n  - {api: 26, target: ':wear:check'}\n  - {api: 34, target: ':app:test'}";
        assert_eq!(
            expand(matrix, "./gradlew ${{ matrix.configuration.target }}"),
            ["./gradlew :wear:check", "./gradlew :app:test"]
        );
        // Fields run with their map's other fields, not in every pairing.
        assert_eq!(
            expand(
                matrix,
                "run ${{ matrix.configuration.api }} ${{ matrix.configuration.target }}"
            ),
            ["run ${{ matrix.configuration.api }} ${{ matrix.configuration.target }}"]
        );
        // Fields of two dimensions of maps run in every pairing.
        assert_eq!(
            expand(
                "core: [{version: '6.5'}, {version: latest}]\nphp: [{version: '8.2'}]",
                "set-version ${{ matrix.core.version }} ${{ matrix.php.version }}"
            ),
            ["set-version 6.5 8.2", "set-version latest 8.2"]
        );
        // An `include` entry's or an exclusion's map is not read field by field.
        for extra in [
            "include:\n  - configuration: {target: test}",
            "exclude:\n  - configuration: {target: test}",
        ] {
            assert_eq!(
                expand(
                    &format!(
                        "configuration:\n  - {{target: build}}\n  - {{target: test}}\n{extra}"
                    ),
                    "make ${{ matrix.configuration.target }}"
                ),
                ["make ${{ matrix.configuration.target }}"]
            );
        }
        // A field some maps lack is empty in their jobs.
        assert_eq!(
            expand(
                "configuration:\n  - {target: test}\n  - {api: 34}",
                "make ${{ matrix.configuration.target }}"
            ),
            ["make ${{ matrix.configuration.target }}"]
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

    /// Red team: `-DskipTests` that one `include` entry gives Windows was read as every
    /// job's, and values of separate entries were paired as no job pairs them.
    #[test]
    fn include_entries_give_their_own_jobs_values() {
        let same = |matrix: &str, command: &str| {
            assert_eq!(expand(matrix, command), [command], "{matrix}");
        };
        same(
            "os: [ubuntu, windows]\ninclude:\n  - os: windows\n    flags: -DskipTests",
            "mvn verify ${{ matrix.flags }}",
        );
        same(
            "include:\n  - {flags: -DskipTests}\n  - {os: mac}",
            "mvn verify ${{ matrix.flags }}",
        );
        same(
            "include:\n  - {goal: package, flags: -DskipTests}\n  - {goal: verify, flags: -B}",
            "mvn ${{ matrix.goal }} ${{ matrix.flags }}",
        );
        // Every job is an entry, and every entry gives the key.
        assert_eq!(
            expand(
                "include:\n  - {goal: package, os: a}\n  - {goal: verify, os: b}",
                "mvn ${{ matrix.goal }}"
            ),
            ["mvn package", "mvn verify"]
        );
    }

    #[test]
    fn a_dimension_named_twice_takes_one_value_in_both_places() {
        assert_eq!(
            expand(
                "task: [lint, test]\nos: [linux]",
                "cd ${{ matrix.task }} && poe ${{ matrix.task }} --on ${{ matrix.os }}"
            ),
            [
                "cd lint && poe lint --on linux",
                "cd test && poe test --on linux"
            ]
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
        // An exclusion may take `test` out of every job.
        same(
            "task: [lint, test]\nos: [linux]\nexclude:\n  - {task: test, os: linux}",
            "poe ${{ matrix.task }}",
        );
        // More values than a command may expand to, however many are listed.
        let many: Vec<String> = (0..5_000).map(|value| value.to_string()).collect();
        same(
            &format!("task: [{}]", many.join(", ")),
            "poe ${{ matrix.task }}",
        );
        let named_often = "${{ matrix.task }}".repeat(MOST_REFERENCES + 1);
        same("task: [lint]", &named_often);
    }
}

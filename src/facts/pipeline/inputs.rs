//! The inputs a GitHub Actions job or step passes to a workflow or composite action of the
//! same repository (`with: {gradle-command: ./gradlew check}`), put into the called file's
//! commands that run them (`${{ inputs.gradle-command }}`): the command a template runs is
//! written in its caller, where a reader looks for it.

use super::{CallInput, Located, push_lines};

/// At most this many commands, and this much text, come from one caller's inputs: a
/// template run with hundreds of inputs, or hundreds of commands naming a large value,
/// yields this much and no more.
pub const MOST_COMMANDS: usize = 256;
pub const MOST_BYTES: usize = 64 << 10;

/// The commands among `called` (shell commands, or with `shell` false code an action
/// evaluates) that run one of `inputs`, with the caller's values in place of
/// the expressions, each at the line of the first value it took (in the caller's file), and
/// whether that was all of them (none left out past [`MOST_COMMANDS`] or [`MOST_BYTES`]).
pub fn run_with(called: &[Located], inputs: &[&CallInput], shell: bool) -> (Vec<Located>, bool) {
    let mut commands = Vec::new();
    let mut bytes = 0;
    for command in called {
        match substituted(&command.text, inputs, MOST_BYTES - bytes) {
            Substitution::NoInput => {}
            Substitution::TooLong => return (commands, false),
            Substitution::Done(text, line) => {
                bytes += text.len();
                if shell {
                    push_lines(&mut commands, &text, line);
                } else {
                    // Code an action evaluates (JavaScript), a line each, as it is.
                    commands.extend(
                        text.lines()
                            .filter(|text| !text.trim().is_empty())
                            .map(|text| Located::new(text.trim(), line)),
                    );
                }
                if commands.len() > MOST_COMMANDS {
                    commands.truncate(MOST_COMMANDS);
                    return (commands, false);
                }
            }
        }
    }
    (commands, true)
}

enum Substitution {
    /// The command names none of the inputs passed.
    NoInput,
    /// With the values in place it would be longer than the room left.
    TooLong,
    /// The command with the values in place, at the line of the first.
    Done(String, u32),
}

/// The `${{ … }}` expressions of `text`: where each starts and ends, and what it says.
fn expressions(text: &str) -> impl Iterator<Item = (usize, usize, &str)> {
    let mut from = 0;
    std::iter::from_fn(move || {
        let open = from + text[from..].find("${{")?;
        let close = open + text[open..].find("}}")? + 2;
        from = close;
        Some((open, close, text[open + 3..close - 2].trim()))
    })
}

/// `text` with each `${{ inputs.NAME }}` (or `${{ inputs['NAME'] }}`) the caller passes
/// replaced by its value, unless the result would be longer than `room` (its length is
/// counted before anything is copied). GitHub reads input names in any letter case.
fn substituted(text: &str, inputs: &[&CallInput], room: usize) -> Substitution {
    let passed = |expression: &str| {
        let name = input_named(expression)?;
        inputs
            .iter()
            .find(|input| input.name.eq_ignore_ascii_case(name))
    };
    let mut length = text.len();
    let mut first_line = None;
    for (open, close, expression) in expressions(text) {
        if let Some(input) = passed(expression) {
            length = length - (close - open) + input.value.text.len();
            first_line.get_or_insert(input.value.line);
        }
    }
    let Some(line) = first_line else {
        return Substitution::NoInput;
    };
    if length > room {
        return Substitution::TooLong;
    }
    let mut out = String::with_capacity(length);
    let mut copied = 0;
    for (open, close, expression) in expressions(text) {
        if let Some(input) = passed(expression) {
            out.push_str(&text[copied..open]);
            out.push_str(&input.value.text);
            copied = close;
        }
    }
    out.push_str(&text[copied..]);
    Substitution::Done(out, line)
}

/// The input an expression is, when it is one alone: `inputs.cmd`, `inputs['cmd']`,
/// `inputs["cmd"]`.
fn input_named(expression: &str) -> Option<&str> {
    let rest = expression.strip_prefix("inputs")?;
    if let Some(name) = rest.strip_prefix('.') {
        return name
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_')
            .then_some(name);
    }
    let quoted = rest.strip_prefix('[')?.strip_suffix(']')?.trim();
    ["'", "\""].iter().find_map(|quote| {
        quoted
            .strip_prefix(quote)?
            .strip_suffix(quote)
            .filter(|name| !name.contains(['\'', '"']))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(name: &str, value: &str, line: u32) -> CallInput {
        CallInput {
            target: ".github/workflows/verify.yml".to_owned(),
            name: name.to_owned(),
            value: Located::new(value, line),
        }
    }

    /// A called file's shell commands, from line 10.
    fn called(commands: &[&str]) -> Vec<Located> {
        commands
            .iter()
            .zip(10..)
            .map(|(text, line)| Located::new(*text, line))
            .collect()
    }

    /// The shell commands `template` runs with `inputs`.
    fn run(template: &[Located], inputs: &[&CallInput]) -> Vec<Located> {
        run_with(template, inputs, true).0
    }

    fn texts(commands: &[Located]) -> Vec<(&str, u32)> {
        commands
            .iter()
            .map(|command| (command.text.as_str(), command.line))
            .collect()
    }

    #[test]
    fn the_callers_value_runs_where_the_template_names_it() {
        let gradle = input(
            "gradle-command",
            "BUILD_NUMBER=1 ./gradlew assemble check",
            57,
        );
        let java = input("java-version", "25", 58);
        let template = called(&[
            "echo setting up",
            "${{ inputs.gradle-command }}",
            "java -version # ${{inputs.Java-Version}}",
        ]);
        assert_eq!(
            texts(&run(&template, &[&gradle, &java])),
            [
                ("BUILD_NUMBER=1 ./gradlew assemble check", 57),
                ("java -version # 25", 58),
            ]
        );
    }

    #[test]
    fn a_value_of_several_lines_is_several_commands_and_other_expressions_stay() {
        let script = input("script", "make lint\n# a comment\nmake test\n", 20);
        let template = called(&["cd ${{ inputs.folder }} && ${{ inputs.script }}"]);
        assert_eq!(
            texts(&run(&template, &[&script])),
            [
                ("cd ${{ inputs.folder }} && make lint", 20),
                ("make test", 22)
            ]
        );
    }

    #[test]
    fn a_template_naming_no_passed_input_adds_nothing() {
        let other = input("other", "pytest", 5);
        let template = called(&["${{ inputs.command }}", "${{ matrix.task", "npm test"]);
        assert!(run(&template, &[&other]).is_empty());
    }

    #[test]
    fn a_flood_of_commands_is_capped() {
        let many: Vec<String> = (0..1000).map(|_| "${{ inputs.x }}".to_owned()).collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        let x = input("x", "a\nb", 1);
        let (commands, whole) = run_with(&called(&many), &[&x], true);
        assert_eq!((commands.len(), whole), (MOST_COMMANDS, false));
    }

    #[test]
    fn an_input_named_by_index_is_the_same_input() {
        let cmd = input("cmd", "pytest -q", 7);
        let template = called(&[
            "${{ inputs['cmd'] }}",
            "${{ inputs[\"CMD\"] }} -x",
            "${{ inputs.cmd || 'x' }}",
        ]);
        assert_eq!(
            texts(&run(&template, &[&cmd])),
            [("pytest -q", 7), ("pytest -q -x", 7)]
        );
    }

    #[test]
    fn a_value_too_large_for_the_room_left_is_left_out_and_said_to_be() {
        let big = "x".repeat(MOST_BYTES);
        let large = input("large", &big, 3);
        let small = input("small", "make test", 4);
        let template = called(&["${{ inputs.small }}", "${{ inputs.large }} --flag"]);
        let (commands, whole) = run_with(&template, &[&large, &small], true);
        assert_eq!((texts(&commands), whole), (vec![("make test", 4)], false));
    }
}

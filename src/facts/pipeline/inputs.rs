//! The inputs a GitHub Actions job or step passes to a workflow or composite action of the
//! same repository (`with: {gradle-command: ./gradlew check}`), put into the called file's
//! commands that run them (`${{ inputs.gradle-command }}`): the command a template runs is
//! written in its caller, where a reader looks for it.

use super::{CallInput, Located, Pipeline, push_lines};

/// At most this many commands come from one caller's inputs: a template run with hundreds
/// of inputs, or hundreds of commands naming them, yields this many and no more.
const MOST_COMMANDS: usize = 256;

/// The commands of `called` that run one of `inputs`, with the caller's values in place of
/// the expressions, each at the line of the first value it took (in the caller's file).
pub fn run_with(called: &Pipeline, inputs: &[&CallInput]) -> Vec<Located> {
    let mut commands = Vec::new();
    for command in &called.commands {
        if commands.len() >= MOST_COMMANDS {
            break;
        }
        if let Some((text, line)) = substituted(&command.text, inputs) {
            push_lines(&mut commands, &text, line);
        }
    }
    commands.truncate(MOST_COMMANDS);
    commands
}

/// `text` with each `${{ inputs.NAME }}` the caller passes replaced by its value, and the
/// line of the first; `None` when it names none of them. GitHub reads input names in any
/// letter case.
fn substituted(text: &str, inputs: &[&CallInput]) -> Option<(String, u32)> {
    let mut out = String::new();
    let mut first_line = None;
    let mut rest = text;
    while let Some(open) = rest.find("${{") {
        let Some(close) = rest[open..].find("}}") else {
            break;
        };
        let expression = rest[open + 3..open + close].trim();
        let input = expression.strip_prefix("inputs.").and_then(|name| {
            inputs
                .iter()
                .find(|input| input.name.eq_ignore_ascii_case(name))
        });
        out.push_str(&rest[..open]);
        match input {
            Some(input) => {
                out.push_str(&input.value.text);
                first_line.get_or_insert(input.value.line);
            }
            None => out.push_str(&rest[open..open + close + 2]),
        }
        rest = &rest[open + close + 2..];
    }
    out.push_str(rest);
    first_line.map(|line| (out, line))
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

    fn called(commands: &[&str]) -> Pipeline {
        Pipeline {
            commands: commands
                .iter()
                .zip(10..)
                .map(|(text, line)| Located::new(*text, line))
                .collect(),
            ..Pipeline::default()
        }
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
            texts(&run_with(&template, &[&gradle, &java])),
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
            texts(&run_with(&template, &[&script])),
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
        assert!(run_with(&template, &[&other]).is_empty());
    }

    #[test]
    fn a_flood_of_commands_is_capped() {
        let many: Vec<String> = (0..1000).map(|_| "${{ inputs.x }}".to_owned()).collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        let x = input("x", "a\nb", 1);
        assert_eq!(run_with(&called(&many), &[&x]).len(), MOST_COMMANDS);
    }
}

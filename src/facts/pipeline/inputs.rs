//! The inputs a GitHub Actions job or step passes to a workflow or composite action of the
//! same repository (`with: {gradle-command: ./gradlew check}`), put into the called file's
//! commands that run them (`${{ inputs.gradle-command }}`): the command a template runs is
//! written in its caller, where a reader looks for it.

use super::{CallInput, EnvInput, Located, push_lines};

/// At most this many commands, and this much text, come from one caller's inputs: a
/// template run with hundreds of inputs, or hundreds of commands naming a large value,
/// yields this much and no more.
pub const MOST_COMMANDS: usize = 256;
pub const MOST_BYTES: usize = 64 << 10;

/// The commands among `called` (shell commands, or with `shell` false code an action
/// evaluates) that run the inputs of one of `calls` (each call's inputs together, in turn),
/// with the caller's values in place of the expressions — and, in shell commands, of the
/// variables `env_inputs` sets to them (`npm run "$SCRIPT"`) — each at the line of the first
/// value it took (in the caller's file), and whether that was all of them (none left out past
/// [`MOST_COMMANDS`] or [`MOST_BYTES`], which hold for all the calls together).
pub fn run_with(
    called: &[Located],
    calls: &[Vec<&CallInput>],
    env_inputs: &[EnvInput],
    shell: bool,
) -> (Vec<Located>, bool) {
    // Once, whatever the calls: each command that may name an input, with the variables its
    // own step sets.
    // (Variables are the shell's: code an action evaluates has none.)
    let env_inputs = if shell { env_inputs } else { &[] };
    let candidates: Vec<(&Located, Vec<&EnvInput>)> = called
        .iter()
        .map(|command| {
            let variables: Vec<&EnvInput> = env_inputs
                .iter()
                .filter(|variable| variable.lines.contains(&command.line))
                .collect();
            (command, variables)
        })
        .filter(|(command, variables)| command.text.contains("${{") || !variables.is_empty())
        .collect();
    let mut commands = Vec::new();
    let mut bytes = 0;
    for inputs in calls {
        for (command, variables) in &candidates {
            match substituted(&command.text, inputs, variables, MOST_BYTES - bytes) {
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

/// The shell variables `text` expands whole, `$NAME` or `${NAME}` (not `${NAME:-x}`, which
/// may be something else): where each starts and ends, and its name.
fn variables(text: &str) -> impl Iterator<Item = (usize, usize, &str)> {
    let is_name = |byte: u8| byte.is_ascii_alphanumeric() || byte == b'_';
    let bytes = text.as_bytes();
    let mut from = 0;
    std::iter::from_fn(move || {
        loop {
            let dollar = from + text[from..].find('$')?;
            let braced = bytes.get(dollar + 1) == Some(&b'{');
            let start = dollar + 1 + usize::from(braced);
            let mut end = start;
            while end < bytes.len() && is_name(bytes[end]) {
                end += 1;
            }
            from = dollar + 1;
            if end == start || bytes[start].is_ascii_digit() {
                continue;
            }
            match braced {
                true if bytes.get(end) == Some(&b'}') => {
                    from = end + 1;
                    return Some((dollar, end + 1, &text[start..end]));
                }
                true => continue,
                false => {
                    from = end;
                    return Some((dollar, end, &text[start..end]));
                }
            }
        }
    })
}

/// `text` with each `${{ inputs.NAME }}` (or `${{ inputs['NAME'] }}`) the caller passes
/// replaced by its value, and each variable `env_inputs` sets to such an input too (but not
/// by a value holding an expression: the variable keeps an outsider's text out of the
/// script, which pasting it in would not), unless the result would be longer than `room`
/// (its length is counted before anything is copied). GitHub reads input names in any letter
/// case.
fn substituted(
    text: &str,
    inputs: &[&CallInput],
    env_inputs: &[&EnvInput],
    room: usize,
) -> Substitution {
    let passed = |name: &str| {
        inputs
            .iter()
            .find(|input| input.name.eq_ignore_ascii_case(name))
    };
    let through_variable = |variable: &str| {
        let set = env_inputs.iter().find(|set| set.variable == variable)?;
        passed(&set.input).filter(|input| !input.value.text.contains("${{"))
    };
    let expressions: Vec<(usize, usize, &str)> = expressions(text).collect();
    let mut replacements: Vec<(usize, usize, &CallInput)> = expressions
        .iter()
        .filter_map(|&(open, close, expression)| {
            Some((open, close, *passed(input_named(expression)?)?))
        })
        .collect();
    if !env_inputs.is_empty() {
        // Not inside an expression (`${{ env.X }}` holds no shell variable); both lists are
        // in the order of the text, so one pass over each.
        let mut inside = expressions.iter().peekable();
        for (open, close, name) in variables(text) {
            while inside.next_if(|&&(_, to, _)| to <= open).is_some() {}
            if inside.peek().is_some_and(|&&(from, _, _)| from <= open) {
                continue;
            }
            if let Some(input) = through_variable(name) {
                replacements.push((open, close, *input));
            }
        }
        replacements.sort_by_key(|(open, _, _)| *open);
    }
    let Some(line) = replacements
        .iter()
        .map(|(_, _, input)| input.value.line)
        .next()
    else {
        return Substitution::NoInput;
    };
    let length = replacements
        .iter()
        .fold(text.len(), |length, (open, close, input)| {
            length - (close - open) + input.value.text.len()
        });
    if length > room {
        return Substitution::TooLong;
    }
    let mut out = String::with_capacity(length);
    let mut copied = 0;
    for (open, close, input) in replacements {
        out.push_str(&text[copied..open]);
        out.push_str(&input.value.text);
        copied = close;
    }
    out.push_str(&text[copied..]);
    Substitution::Done(out, line)
}

/// Whether `script` sets `variable` itself (`SUITE=build`, `export SUITE=…`, `read SUITE`,
/// `for SUITE in …`, `unset SUITE`, `printf -v SUITE …`), after which it no longer holds what
/// the step's `env:` gave it.
pub fn sets(script: &str, variable: &str) -> bool {
    if variable.is_empty() {
        return false;
    }
    // Line by line, each match judged by what touches it: linear in the script, however
    // many times a long line names the variable.
    script.lines().any(|line| {
        let reads = line
            .split_whitespace()
            .any(|word| matches!(word, "read" | "unset" | "-v"));
        line.match_indices(variable).any(|(at, _)| {
            let before = line[..at].trim_end();
            let after = &line[at + variable.len()..];
            let starts_word = line[..at]
                .chars()
                .next_back()
                .is_none_or(|before| before.is_whitespace() || ";&|(".contains(before));
            let whole_word =
                !after.starts_with(|next: char| next.is_ascii_alphanumeric() || next == '_');
            let after_for =
                before == "for" || before.ends_with(" for") || before.ends_with("\tfor");
            starts_word
                && (after.starts_with('=')
                    || after.starts_with("+=")
                    || whole_word && (after_for || reads))
        })
    })
}

/// The input `value` is when it is one expression naming one alone (`${{ inputs.script }}`),
/// as an `env:` entry sets a variable to it.
pub fn only_input(value: &str) -> Option<&str> {
    let value = value.trim();
    match expressions(value).next()? {
        (0, close, expression) if close == value.len() => input_named(expression),
        _ => None,
    }
}

/// `text` with each `${{ env.NAME }}` whose value `value_of` knows written out: GitHub
/// replaces the expression before the shell starts (`${{ env.MVN_CMD }} verify` runs
/// `./mvnw -B verify`). `None` when there is none to replace, or when the command would grow
/// past [`LONGEST_SUBSTITUTED`] or take more than [`MOST_ENV_EXPRESSIONS`] values: it is then
/// left as written.
pub fn substitute_env_expressions<'v>(
    text: &str,
    value_of: impl Fn(&str) -> Option<&'v str>,
) -> Option<String> {
    let replacements: Vec<(std::ops::Range<usize>, &str)> = expressions(text)
        .filter_map(|(open, close, expression)| {
            let name = expression
                .strip_prefix("env.")
                .filter(|name| is_name(name))?;
            Some((open..close, value_of(name)?))
        })
        .take(MOST_ENV_EXPRESSIONS + 1)
        .collect();
    let added: usize = replacements.iter().map(|(_, value)| value.len()).sum();
    let removed: usize = replacements.iter().map(|(span, _)| span.len()).sum();
    let fits = (1..=MOST_ENV_EXPRESSIONS).contains(&replacements.len())
        && text.len() + added - removed <= LONGEST_SUBSTITUTED;
    fits.then(|| splice(text, replacements))
}

/// `text` with each span replaced by its text; the spans in order and apart.
fn splice<'r>(
    text: &str,
    replacements: impl IntoIterator<Item = (std::ops::Range<usize>, &'r str)>,
) -> String {
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    for (span, value) in replacements {
        out.push_str(&text[copied..span.start]);
        out.push_str(value);
        copied = span.end;
    }
    out.push_str(&text[copied..]);
    out
}

/// Whether `name` is a name an expression can give a variable, an input or a matrix
/// dimension (`MVN_CMD`, `node-version`).
fn is_name(name: &str) -> bool {
    name.bytes()
        .all(|byte| byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_')
}

/// At most this many `${{ env.NAME }}` of one command are written out.
const MOST_ENV_EXPRESSIONS: usize = 16;

/// A command longer than this once its `${{ env.NAME }}` are written out is left as written.
const LONGEST_SUBSTITUTED: usize = 4096;

/// `value` and the matrix dimension it names, when it is one expression naming a matrix
/// value alone (`${{ matrix.lane }}`, `lane`), as an `env:` entry sets a variable to it: the
/// matrix gives the variable each of its values.
pub fn only_matrix_value(value: &str) -> Option<(&str, &str)> {
    let value = value.trim();
    match expressions(value).next()? {
        (0, close, expression) if close == value.len() => {
            // A dimension, or a field of a dimension of maps (`matrix.tests.command`).
            let name = expression.strip_prefix("matrix.")?;
            name.split('.')
                .all(|part| !part.is_empty() && is_name(part))
                .then_some((value, name))
        }
        _ => None,
    }
}

/// The shell variables `text` expands (`$LANE`, `${LANE}`), as a POSIX shell reads them:
/// not inside single quotes, not escaped (`\$LANE`), not `$$`.
pub fn expanded_variables(text: &str) -> impl Iterator<Item = (std::ops::Range<usize>, &str)> {
    let bytes = text.as_bytes();
    let (mut at, mut single, mut double) = (0, false, false);
    std::iter::from_fn(move || {
        while at < bytes.len() {
            let byte = bytes[at];
            at += 1;
            match byte {
                b'\\' if !single => at += 1,
                b'\'' if !double => single = !single,
                b'"' if !single => double = !double,
                b'$' if !single => {
                    let start = at - 1;
                    let braced = bytes.get(at) == Some(&b'{');
                    let from = at + usize::from(braced);
                    let mut end = from;
                    while end < bytes.len()
                        && (bytes[end].is_ascii_alphanumeric() || bytes[end] == b'_')
                    {
                        end += 1;
                    }
                    let named = end > from && !bytes[from].is_ascii_digit();
                    if !named || braced && bytes.get(end) != Some(&b'}') {
                        // `$$`, `$1`, `${LANE:-x}`: not a plain variable.
                        at = end.max(at + 1).min(bytes.len());
                        continue;
                    }
                    at = end + usize::from(braced);
                    return Some((start..at, &text[from..end]));
                }
                _ => {}
            }
        }
        None
    })
}

/// `text` with each variable it expands that `values` names replaced by its value, in one
/// pass.
pub fn substitute_variables(text: &str, values: &std::collections::HashMap<&str, &str>) -> String {
    splice(
        text,
        expanded_variables(text).filter_map(|(span, name)| Some((span, *values.get(name)?))),
    )
}

/// The input an expression is, when it is one alone: `inputs.cmd`, `inputs['cmd']`,
/// `inputs["cmd"]`.
fn input_named(expression: &str) -> Option<&str> {
    let rest = expression.strip_prefix("inputs")?;
    if let Some(name) = rest.strip_prefix('.') {
        return is_name(name).then_some(name);
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
            call: 1,
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
        run_with(template, &[inputs.to_vec()], &[], true).0
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
        let (commands, whole) = run_with(&called(&many), &[vec![&x]], &[], true);
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
        let (commands, whole) = run_with(&template, &[vec![&large, &small]], &[], true);
        assert_eq!((texts(&commands), whole), (vec![("make test", 4)], false));
    }

    /// Variables set to inputs by the step whose script is at lines 10 to 19.
    fn env(pairs: &[(&str, &str)]) -> Vec<EnvInput> {
        pairs
            .iter()
            .map(|(variable, input)| EnvInput {
                variable: (*variable).to_owned(),
                input: (*input).to_owned(),
                lines: 10..=19,
            })
            .collect()
    }

    #[test]
    fn a_variable_set_to_an_input_runs_the_callers_value() {
        let script = input("script", "test", 47);
        let template = called(&[
            "npm ci",
            r#"npm run "${SCRIPT}""#,
            "npm run $SCRIPT -- --ci",
            "echo $SCRIPTS ${SCRIPT:-lint}",
        ]);
        let variables = env(&[("SCRIPT", "Script")]);
        let (commands, whole) = run_with(&template, &[vec![&script]], &variables, true);
        assert!(whole);
        assert_eq!(
            texts(&commands),
            [(r#"npm run "test""#, 47), ("npm run test -- --ci", 47)]
        );
    }

    #[test]
    fn a_variable_keeps_an_expression_passed_to_it_out_of_the_script() {
        // The variable is how a workflow keeps an outsider's text from running as shell.
        let branch = input("branch", "${{ github.head_ref }}", 9);
        let template = called(&[r#"git checkout "$BRANCH""#]);
        let variables = env(&[("BRANCH", "branch")]);
        assert!(
            run_with(&template, &[vec![&branch]], &variables, true)
                .0
                .is_empty()
        );
    }

    #[test]
    fn a_variable_stands_for_its_input_only_in_its_own_step() {
        let suite = input("suite", "test", 3);
        let mut variables = env(&[("SUITE", "suite")]);
        variables[0].lines = 10..=10;
        let template = called(&["npm run $SUITE", "npm run $SUITE"]);
        assert_eq!(
            texts(&run_with(&template, &[vec![&suite]], &variables, true).0),
            [("npm run test", 3)]
        );
    }

    #[test]
    fn a_script_that_sets_the_variable_again_is_seen_to() {
        assert!(sets("SUITE=build\nnpm run $SUITE", "SUITE"));
        assert!(sets("export SUITE=build; npm run $SUITE", "SUITE"));
        assert!(sets("read -r SUITE < suite.txt", "SUITE"));
        assert!(sets("for SUITE in a b; do npm run $SUITE; done", "SUITE"));
        assert!(!sets("npm run \"$SUITE\"", "SUITE"));
        assert!(!sets("MY_SUITE=x npm run $SUITE", "SUITE"));
        assert!(!sets("echo $SUITES_READ", "SUITE"));
    }

    #[test]
    fn variables_between_expressions_are_each_replaced_once() {
        let suite = input("suite", "x", 3);
        let line = "$SUITE ${{ env.A }} ".repeat(2_000);
        let template = called(&[line.as_str()]);
        let (commands, _) = run_with(
            &template,
            &[vec![&suite]],
            &env(&[("SUITE", "suite")]),
            true,
        );
        assert_eq!(commands[0].text.matches("x ${{ env.A }}").count(), 2_000);
    }

    #[test]
    fn an_env_entry_names_its_input_only_when_it_is_that_alone() {
        assert_eq!(only_input("${{ inputs.script }}"), Some("script"));
        assert_eq!(
            only_input(" ${{inputs['gradle-command']}} "),
            Some("gradle-command")
        );
        assert_eq!(only_input("npm run ${{ inputs.script }}"), None);
        assert_eq!(only_input("${{ inputs.a }}${{ inputs.b }}"), None);
        assert_eq!(only_input("${{ github.head_ref }}"), None);
    }

    #[test]
    fn a_variable_set_to_a_matrix_value_is_replaced_where_the_shell_expands_it() {
        assert_eq!(
            only_matrix_value(" ${{ matrix.lane }} "),
            Some(("${{ matrix.lane }}", "lane"))
        );
        assert_eq!(only_matrix_value("${{ matrix.lane }}-ci"), None);
        // rubygems.org: `bin/rails $TEST_COMMAND` with `TEST_COMMAND: ${{ matrix.tests.command }}`.
        assert_eq!(
            only_matrix_value("${{ matrix.tests.command }}"),
            Some(("${{ matrix.tests.command }}", "tests.command"))
        );
        assert_eq!(only_matrix_value("${{ matrix.tests. }}"), None);
        assert_eq!(only_matrix_value("${{ inputs.lane }}"), None);
        let lane = "${{ matrix.lane }}";
        let values = std::collections::HashMap::from([("LANE", lane)]);
        assert_eq!(
            substitute_variables(
                r#"fastlane "$LANE" && echo ${LANE} $LANES $LANE_X '$LANE' \$LANE $$LANE ${LANE:-x}"#,
                &values
            ),
            format!(
                r#"fastlane "{lane}" && echo {lane} $LANES $LANE_X '$LANE' \$LANE $$LANE ${{LANE:-x}}"#
            )
        );
    }
}

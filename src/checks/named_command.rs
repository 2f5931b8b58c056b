//! Whether a command names the work a check looks for where opslint does not recognise
//! the command: `./mill -i -k __.test`, `$CABAL v2-test`, `./build/ci/build.sh -a test`,
//! `dotnet-cake --target=Test`, `$PYTHON scripts/test_klippy.py`. Such a command may well
//! do the work, so a check that found nothing else is `unknown`, naming it, not failed.

/// Words that start a command without being its program: the program follows.
const PREFIXES: [&str; 13] = [
    "sudo", "env", "time", "exec", "nohup", "command", "!", "if", "elif", "while", "until", "then",
    "do",
];

/// Words after which the next word is the tool run: `npx eslint`, `poetry run flake8`,
/// `bundle exec rubocop`, `python -m black`.
const LAUNCHES: [&str; 6] = ["npx", "bunx", "pnpx", "run", "exec", "-m"];

/// Extensions of the scripts a command may run by path (`python tests/run.py`): a path
/// with another extension, or none, is a place a tool looks (`shellcheck test/*.sh`).
const SCRIPT_EXTENSIONS: [&str; 10] = [
    "sh", "bash", "ps1", "bat", "cmd", "py", "rb", "pl", "js", "lua",
];

/// What a command is judged with: which names are the work's (a task name, `test`,
/// `unit-tests`, `RunTests`), which words are paths of the repository, and which programs
/// never run anything (`mkdir`, `test -f`; rule data).
pub struct Judge<'a> {
    pub named: &'a dyn Fn(&str) -> bool,
    pub in_tree: &'a dyn Fn(&str) -> bool,
    pub not_runners: &'a [String],
}

impl Judge<'_> {
    /// Whether `segment`, one command of a shell list, names the work: its program's path,
    /// a word it passes (`__.test`, `--target=Test`, `-a test`) or a script of the
    /// repository it runs (`scripts/run_tests.py`), split at punctuation, has a piece that names
    /// it. Other files of the repository it is given (`-f docker-compose.test.yml`) are
    /// what it reads; a word holding an expression (`${{ matrix.test }}`) is not known
    /// text; a bare flag (`cargo build --tests`) asks for no work; a program that never
    /// runs the work (`mkdir`, `flake8 tests`, `npx eslint test`, `python -m black
    /// tests`) names none, whatever it is given.
    pub fn names_work(&self, segment: &str) -> bool {
        let segment = without_expressions(segment);
        let words = words(&segment);
        let Some((program, arguments)) = words.split_first() else {
            return false;
        };
        if never_runs(&words, self.not_runners) {
            return false;
        }
        // What a well-known tool's words mean is its own (`docker build -t app:test`, `helm
        // --namespace test`): only the project's own program — a path, a variable, or a
        // script of the repository an interpreter runs — is asked for the work by any word;
        // another program only by its subcommand, the word right after it (`zig test`).
        let (program, arguments) = match arguments.split_first() {
            Some((script, rest))
                if self.is_script(script) && (self.in_tree)(script.trim_start_matches("./")) =>
            {
                (*script, rest)
            }
            _ => (*program, arguments),
        };
        if !is_own(program) {
            return arguments.first().is_some_and(|first| {
                !first.starts_with('-')
                    && !has_expression(first)
                    && !(self.in_tree)(first)
                    && self.has_named_part(first)
            });
        }
        // A script at a path chosen at run time is still named by its file
        // (`$SCRIPT_BASE/build_and_test.sh`); a name chosen at run time names nothing.
        let name = file_name(program);
        (!has_expression(name) && self.has_named_part(name))
            || arguments.iter().any(|word| self.argument_names_work(word))
    }

    fn argument_names_work(&self, word: &str) -> bool {
        if has_expression(word) {
            return false;
        }
        let value = match word.strip_prefix('-') {
            Some(flag) => match flag.split_once('=') {
                Some((_, value)) => value,
                None => return false,
            },
            None => word,
        };
        let value = value.trim_start_matches("./");
        if value.contains(['/', '\\']) || (self.in_tree)(value) {
            return self.is_script(value)
                && (self.in_tree)(value)
                && self.has_named_part(file_name(value));
        }
        self.has_named_part(value)
    }

    fn is_script(&self, path: &str) -> bool {
        path.rsplit_once('.')
            .is_some_and(|(_, extension)| SCRIPT_EXTENSIONS.contains(&extension))
    }

    /// Whether a piece of `text` between punctuation other than `-` and `_` is a name of
    /// the work: `__.test`, `test:vm`, `Test` in `--target=Test`, `run_tests.py`; not
    /// `deploy-test` nor `test-results`, judged whole as task names are.
    fn has_named_part(&self, text: &str) -> bool {
        text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
            .any(|part| !part.is_empty() && (self.named)(part))
    }
}

/// Whether the command `segment` runs a program that never does a project's work
/// (`mkdir`, `npx eslint`): rule data, `not-runners`.
pub fn runs_no_work(segment: &str, not_runners: &[String]) -> bool {
    never_runs(&words(segment), not_runners)
}

/// The words of a command from its program on: without quotes and brackets, past the
/// environment assignments and keywords before it (`CI=1 sudo`, `if`).
fn words(segment: &str) -> Vec<&str> {
    segment
        .split_whitespace()
        .map(|word| word.trim_matches(['"', '\'', '(', ')', '`', ',', '{', '}']))
        .filter(|word| !word.is_empty())
        .skip_while(|word| is_assignment(word) || PREFIXES.contains(word))
        .collect()
}

/// Whether the program of `words`, or the tool a launcher runs (`npx eslint`, `poetry run
/// flake8`, `bundle exec rubocop`, `python -m black`), is one of `not_runners`.
fn never_runs(words: &[&str], not_runners: &[String]) -> bool {
    let launched = words
        .windows(2)
        .take(3)
        .filter(|pair| LAUNCHES.contains(&pair[0]))
        .map(|pair| pair[1]);
    words
        .first()
        .into_iter()
        .copied()
        .chain(launched)
        .any(|word| {
            // A program built in the folder (`./test`, as a Makefile rule runs `./$@`) is
            // the project's own, whatever shell utility shares its name.
            if word
                .strip_prefix("./")
                .is_some_and(|rest| !rest.contains('/'))
            {
                return false;
            }
            let name = word.rsplit(['/', '\\']).next().unwrap_or(word);
            not_runners.iter().any(|runner| runner == name)
        })
}

/// Whether `program` is the project's own rather than a tool on the path: run by path
/// (`./runtest`, `build/ci/build.sh`) or through a variable (`$CABAL`).
fn is_own(program: &str) -> bool {
    program.contains(['/', '\\']) || program.starts_with('$')
}

/// Whether the script at `path` is a shell script (`scripts/build.sh`, `script/test`):
/// opslint reads its lines as commands, so its arguments say nothing more.
pub fn is_shell_script(path: &str) -> bool {
    let name = file_name(path);
    !name.contains('.') || name.ends_with(".sh") || name.ends_with(".bash")
}

/// The last part of a path: a script named for the work says so in its name, not in its
/// folder's (`tests/scripts/generate-credentials.sh` is no test run).
pub fn file_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

/// `NAME=value`, an environment assignment before the program.
fn is_assignment(word: &str) -> bool {
    word.split_once('=').is_some_and(|(name, _)| {
        !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    })
}

/// `segment` with the expressions that span words (`${{ matrix.test }}`, `$(cat
/// tests.txt)`, `${TEST_ARGS:-all}`) left out: their text is not what runs.
fn without_expressions(segment: &str) -> String {
    let mut kept = String::with_capacity(segment.len());
    let mut rest = segment;
    while let Some(start) = rest.find('$') {
        kept.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        let close = if after.starts_with("{{") {
            "}}"
        } else if after.starts_with('(') {
            ")"
        } else if after.starts_with('{') {
            "}"
        } else {
            kept.push('$');
            rest = after;
            continue;
        };
        // One placeholder in the word it was part of: `${BASE}/run_tests.sh` is still a path.
        kept.push('$');
        rest = after
            .find(close)
            .map_or("", |end| &after[end + close.len()..]);
    }
    kept.push_str(rest);
    kept
}

/// Text the shell or the CI system replaces before the command runs.
fn has_expression(word: &str) -> bool {
    word.contains('$') || word.contains('%') || word.contains('*')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn judge(segment: &str) -> bool {
        let named = |part: &str| {
            matches!(
                part.to_lowercase().as_str(),
                "test" | "tests" | "runtest" | "test_ci" | "unit-test" | "run_tests"
            )
        };
        let in_tree = |path: &str| {
            [
                "scripts/run_tests.py",
                "tsconfig.test.json",
                "tests/run.py",
                "tools/harness.py",
            ]
            .contains(&path)
        };
        let not_runners =
            ["mkdir", "test", "[", "flake8", "eslint", "black", "tsc"].map(String::from);
        Judge {
            named: &named,
            in_tree: &in_tree,
            not_runners: &not_runners,
        }
        .names_work(segment)
    }

    #[test]
    fn a_program_target_or_mode_named_for_the_work_names_it() {
        assert!(judge("./mill -i -k __.test"));
        assert!(judge("./build/ci/build.sh -a test"));
        // A program a Makefile rule built and runs (`./$@` of the `test` target).
        assert!(judge("./test"));
        assert!(judge("./runtest --verbose"));
        assert!(judge("$PYTHON scripts/run_tests.py -d $DICTDIR"));
        assert!(judge("python tools/harness.py test"));
        assert!(judge("CI=1 sudo ./runtest"));
        assert!(judge("zig test clap.zig -O${{ matrix.optimize }}"));
        assert!(judge("${{ env.RUNNER }} unit-test"));
        assert!(judge("${CIRRUS_WORKING_DIR}/${SCRIPT_BASE}/run_tests.sh"));
    }

    #[test]
    fn paths_flags_expressions_and_utilities_name_nothing() {
        assert!(!judge("flake8 tests"));
        assert!(!judge("python tests/run.py"));
        assert!(!judge("./tests/scripts/generate-credentials.sh"));
        assert!(!judge("npx eslint test"));
        assert!(!judge("python -m black tests"));
        assert!(!judge("docker compose -f tsconfig.test.json up"));
        assert!(!judge("tsc -p tsconfig.test.json"));
        assert!(!judge("shellcheck test/*.sh"));
        assert!(!judge("cargo build --tests"));
        assert!(!judge("cargo build ${{ matrix.test }}"));
        assert!(!judge(
            "python -m build ${{ matrix.test-flags }} $(cat tests.txt) ${T:-test}"
        ));
        assert!(!judge("mkdir -p test-results"));
        assert!(!judge("test -f Cargo.toml"));
        assert!(!judge("if [ -d test ]"));
        assert!(!judge("python scripts/not_in_tree_test.py"));
        assert!(!judge("./scripts/deploy-test.sh"));
        assert!(!judge("upload test-results"));
        assert!(!judge("go build ./..."));
        assert!(!judge("docker build -t app:test ."));
        assert!(!judge("helm upgrade app chart --namespace test"));
        assert!(!judge("dart analyze test"));
        assert!(!judge("go build -tags test ./..."));
        assert!(!judge("$SCRIPTS/${SUITE}.sh"));
    }
}

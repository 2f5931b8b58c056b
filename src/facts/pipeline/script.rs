//! Scripts of the repository a pipeline runs (`./ci/test.sh`, `bash scripts/ci`,
//! `pwsh -File build.ps1`): found in its commands and read as pipelines of their own, a
//! line a command, so a test run delegated to a script is seen where it happens.

use std::sync::OnceLock;

use regex::Regex;

use super::{Pipeline, Place, Walk, push_lines};
use crate::quotes::unquoted;
use crate::rules::known;

/// A script: each non-blank, non-comment line is a command, but for the lines of a
/// Python docstring, which are prose (`"""…you'll want to make sure…"""` is no `make` run).
pub(super) fn read(text: &str) -> Pipeline {
    let mut pipeline = Pipeline::default();
    push_lines(&mut pipeline.commands, &without_docstrings(text), 1);
    pipeline
}

/// The quotes that open a Python docstring.
const DOCSTRING_QUOTES: [&str; 2] = ["\"\"\"", "'''"];

/// `text` with each docstring blank, line numbers kept: a string that is a statement of its
/// own, from a line that starts with a triple quote (after its indentation, and a prefix such
/// as `r`) to the line that closes it. A triple-quoted string of the code (`USAGE = """`,
/// `sh("""pytest""")`) is walked through, its closing line no opener, and kept; a "docstring"
/// that never closes is no Python (a shell heredoc's quote), and kept too.
fn without_docstrings(text: &str) -> std::borrow::Cow<'_, str> {
    if !DOCSTRING_QUOTES.iter().any(|quote| text.contains(quote)) {
        return std::borrow::Cow::Borrowed(text);
    }
    /// A triple-quoted string being walked: its quote, whether it is a docstring, and where
    /// it started in `kept` and in `text`.
    struct Open {
        quote: &'static str,
        docstring: bool,
        kept_at: usize,
        text_at: usize,
    }
    let mut kept = String::with_capacity(text.len());
    let mut open: Option<Open> = None;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let body = line.trim_end_matches(['\n', '\r']);
        let blank = match &open {
            Some(string) => {
                let docstring = string.docstring;
                if body.contains(string.quote) {
                    open = None;
                }
                docstring
            }
            None => {
                let content = body
                    .trim_start()
                    .trim_start_matches(['r', 'R', 'u', 'U', 'b', 'B', 'f', 'F']);
                let statement = DOCSTRING_QUOTES
                    .into_iter()
                    .find(|quote| content.starts_with(quote));
                let code_string = DOCSTRING_QUOTES
                    .into_iter()
                    .find(|quote| body.matches(quote).count() % 2 == 1);
                let (quote, docstring) = match (statement, code_string) {
                    // Closed on its own line (`"""One line."""`) or open until a later one.
                    (Some(quote), _) => (
                        (content[quote.len()..].matches(quote).count() % 2 == 0).then_some(quote),
                        true,
                    ),
                    (None, quote) => (quote, false),
                };
                if let Some(quote) = quote {
                    open = Some(Open {
                        quote,
                        docstring,
                        kept_at: kept.len(),
                        text_at: offset,
                    });
                }
                docstring
            }
        };
        match blank {
            true => kept.push_str(&line[body.len()..]),
            false => kept.push_str(line),
        }
        offset += line.len();
    }
    if let Some(string) = open.filter(|string| string.docstring) {
        kept.truncate(string.kept_at);
        kept.push_str(&text[string.text_at..]);
    }
    std::borrow::Cow::Owned(kept)
}

/// Interpreters whose first argument that is not an option is the script they run.
const INTERPRETERS: &[&str] = &[
    "bash",
    "sh",
    "zsh",
    "dash",
    "ksh",
    "pwsh",
    "powershell",
    "python",
    "python3",
    "ruby",
    "perl",
    "node",
    "source",
    ".",
];

/// Words that run the command after them (`sudo ./test.sh`, `time ./test.sh`).
const WRAPPERS: &[&str] = &["sudo", "time", "exec", "env", "nohup", "xvfb-run", "call"];

/// Variables that name the checkout, which the script paths of a pipeline start from.
pub(super) const CHECKOUT_PREFIXES: &[&str] = &[
    "${{ github.workspace }}/",
    "${{github.workspace}}/",
    "$GITHUB_WORKSPACE/",
    "${GITHUB_WORKSPACE}/",
    "$CI_PROJECT_DIR/",
    "${CI_PROJECT_DIR}/",
    "$(Build.SourcesDirectory)/",
    "$(System.DefaultWorkingDirectory)/",
    "$WORKSPACE/",
    "${WORKSPACE}/",
    "$BUILDKITE_BUILD_CHECKOUT_PATH/",
    "$TRAVIS_BUILD_DIR/",
    "${TRAVIS_BUILD_DIR}/",
    "$CIRCLE_WORKING_DIRECTORY/",
    // CircleCI's default working directory, where it checks the code out.
    "~/project/",
];

/// The repository paths of the scripts `command` runs, as written (without `./` or a
/// checkout variable): `./ci/test.sh`, `bash scripts/test`, `pwsh -File .\build.ps1`, and
/// any other word naming a script by its extension (`Invoke-psake ($path + '\build.ps1')`),
/// which may be relative to the script that says it. Paths with other variables, globs,
/// `..` or outside the checkout are left alone.
pub fn script_references(command: &str) -> Vec<String> {
    // A line naming thousands of scripts names none worth following.
    const MAX_REFERENCES: usize = 16;
    static NAMED: OnceLock<Regex> = OnceLock::new();
    let named = NAMED.get_or_init(|| {
        Regex::new(r#"(?:^|[\s'"(=,+])([A-Za-z0-9_./\\-]+\.(?:sh|bash|ps1|bat|cmd|py))\b"#)
            .expect("valid regex")
    });
    // GitHub's expression for the checkout, as usually written, is three words: the shell's
    // variable for it is one.
    let command = command.replace("${{ github.workspace }}", "$GITHUB_WORKSPACE");
    let command = command.as_str();
    // After `cd ci &&`, `./test.sh` is `ci/test.sh`; after `cd "$BUILD"`, nothing of the
    // repository is named.
    let mut walk = Walk::from(Place::root());
    let mut found: Vec<String> = Vec::new();
    for part in outside_quotes(command, |byte| matches!(byte, b'&' | b';' | b'|')) {
        if walk.step(&part.split_whitespace().collect::<Vec<_>>()) {
            continue;
        }
        let Some(folder) = walk.place.folder() else {
            continue;
        };
        let run = run_directly(part);
        // Then any other word naming a script: `'\\build.ps1'` after a variable holding
        // the script's folder. `/usr/bin/x.sh` and `$HOME/x.sh` are outside the repository.
        let named = named
            .captures_iter(part)
            .filter_map(|found| found.get(1))
            .map(|word| word.as_str())
            .filter(|word| !word.starts_with('/'))
            .map(|word| word.trim_start_matches('\\'));
        for path in run.into_iter().chain(named) {
            if found.len() >= MAX_REFERENCES {
                return found;
            }
            if let Some(path) = in_folder(folder, path)
                && !found.contains(&path)
            {
                found.push(path);
            }
        }
    }
    found
}

/// The script one command of a shell list runs directly: `./ci/test.sh`, `bash
/// scripts/test`, `sudo ./test.sh`, `pwsh -File build.ps1`.
fn run_directly(part: &str) -> Option<&str> {
    let mut words = words_outside_quotes(part)
        .into_iter()
        .skip_while(|word| is_assignment(word) || WRAPPERS.contains(word))
        .peekable();
    let first = *words.peek()?;
    if INTERPRETERS.contains(&first.trim_end_matches(".exe")) {
        words.next();
        let mut arguments = words
            .skip_while(|word| word.starts_with('-') && !matches!(*word, "-c" | "-Command" | "-m"));
        match arguments.next()? {
            "-c" | "-Command" | "-m" => None,
            path => Some(path),
        }
    } else if first.contains('/') || has_script_extension(first) {
        Some(first)
    } else {
        None
    }
}

/// `part` split at whitespace outside quotes: `RUBYOPT='-W:no-deprecated -W:x' bin/rspec` is
/// an assignment and a command, not three words.
fn words_outside_quotes(part: &str) -> Vec<&str> {
    outside_quotes(part, |byte| byte.is_ascii_whitespace())
}

/// `text` cut at each byte `cut` takes outside quotes, empty pieces left out: the commands of
/// a shell list (`TESTOPTS='--name=/a|b/' bin/ci; make` is two), the words of one.
fn outside_quotes(text: &str, cut: impl Fn(u8) -> bool) -> Vec<&str> {
    let cuts = unquoted(text.as_bytes())
        .filter(|&(_, byte)| cut(byte))
        .map(|(at, _)| at);
    let mut pieces = Vec::new();
    let mut from = 0;
    for at in cuts.chain([text.len()]) {
        if at > from {
            pieces.push(&text[from..at]);
        }
        from = at + 1;
    }
    pieces
}

/// The repository path of the script `path` names, run in `folder`: a path from the
/// checkout's variable (`$GITHUB_WORKSPACE/ci/test.sh`) is the root's wherever it runs.
fn in_folder(folder: &str, path: &str) -> Option<String> {
    let from_checkout = CHECKOUT_PREFIXES
        .iter()
        .any(|prefix| path.trim_matches(['"', '\'']).starts_with(prefix));
    let path = repository_path(path)?;
    Some(match folder {
        "" => path,
        _ if from_checkout => path,
        folder => format!("{folder}/{path}"),
    })
}

fn is_assignment(word: &str) -> bool {
    word.split_once('=').is_some_and(|(name, _)| {
        !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    })
}

fn has_script_extension(word: &str) -> bool {
    [".sh", ".bash", ".ps1", ".bat", ".cmd", ".py"]
        .iter()
        .any(|extension| word.ends_with(extension))
}

/// Whether a file name is a build tool's wrapper or generated, not the project's script:
/// rule data (`not-scripts`, rules/ci.toml).
fn is_not_a_script(name: &str) -> bool {
    known().not_scripts.iter().any(|known| known == name)
}

/// `path` as a repository path, or `None` when it is not one this scan can follow.
fn repository_path(path: &str) -> Option<String> {
    let path = path.trim_matches(['"', '\'']).replace('\\', "/");
    let path = path.as_str();
    let path = CHECKOUT_PREFIXES
        .iter()
        .find_map(|prefix| path.strip_prefix(prefix))
        .unwrap_or(path);
    let path = path.trim_start_matches("./");
    let name = path.rsplit('/').next().unwrap_or(path);
    let followable = !path.is_empty()
        && !path.starts_with(['/', '~', '-'])
        && !path.contains(['$', '*', '?', '%', '`', '{'])
        && !path.split('/').any(|part| part == "..")
        && !is_not_a_script(name);
    followable.then(|| path.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_quoted_assignment_before_a_script_is_one_word() {
        assert_eq!(
            run_directly("RUBYOPT='-W:no-deprecated -W:no-experimental' bin/knapsack_pro_rspec"),
            Some("bin/knapsack_pro_rspec")
        );
        assert_eq!(
            words_outside_quotes(" a \"b c\"  d"),
            vec!["a", "\"b c\"", "d"]
        );
    }

    /// Fresh set 12 (karpathy/llm.c): a docstring of the training script the pipeline runs
    /// read as `make sure …`.
    #[test]
    fn a_python_docstring_is_no_command() {
        let text = "import os\n\"\"\"\nYou'll want to make sure\nof this.\n\"\"\"\nos.system('pytest -q')\n    '''make it'''\nsh(\"\"\"pytest -x\"\"\")\ngrep \"'''\" notes\nmake test\n";
        let commands: Vec<(String, u32)> = read(text)
            .commands
            .into_iter()
            .map(|command| (command.text, command.line))
            .collect();
        assert_eq!(
            commands,
            [
                ("import os".to_owned(), 1),
                ("os.system('pytest -q')".to_owned(), 6),
                ("sh(\"\"\"pytest -x\"\"\")".to_owned(), 8),
                ("grep \"'''\" notes".to_owned(), 9),
                ("make test".to_owned(), 10),
            ]
        );
    }

    /// Red team: the closing line of a string of the code opens nothing, a prefixed
    /// docstring is one, and a "docstring" that never closes (a shell heredoc) hides nothing.
    #[test]
    fn strings_of_the_code_and_unclosed_quotes_hide_no_commands() {
        let commands = |text: &str| -> Vec<String> {
            read(text)
                .commands
                .into_iter()
                .map(|command| command.text)
                .collect()
        };
        let usage = "USAGE = \"\"\"\nUsage: run.py\n\"\"\"\nsubprocess.check_call([\"pytest\"])\n";
        assert!(commands(usage).contains(&"subprocess.check_call([\"pytest\"])".to_owned()));
        let prefixed = "r\"\"\"Run the tests.\nmake it so\n\"\"\"\nos.system(\"pytest\")\n";
        assert_eq!(commands(prefixed), ["os.system(\"pytest\")"]);
        let heredoc = "python3 - <<'PY'\n'''\nprint('hi')\nPY\npytest tests\n";
        assert!(commands(heredoc).contains(&"pytest tests".to_owned()));
    }

    #[test]
    fn scripts_run_after_cd_are_in_that_folder() {
        for (command, expected) in [
            ("cd ci && ./test.sh", vec!["ci/test.sh"]),
            (
                "cd web && bash scripts/test.sh",
                vec!["web/scripts/test.sh"],
            ),
            ("cd web && $GITHUB_WORKSPACE/ci/test.sh", vec!["ci/test.sh"]),
            // Red team: the expression as GitHub's own examples space it.
            (
                "bash ${{ github.workspace }}/ci/test.sh",
                vec!["ci/test.sh"],
            ),
            (
                "\"${{ github.workspace }}/ci/test.sh\" --all",
                vec!["ci/test.sh"],
            ),
            ("cd ci/unit && cd .. && ./all.sh", vec!["ci/all.sh"]),
        ] {
            assert_eq!(script_references(command), expected, "{command}");
        }
        // Somewhere opslint cannot name: nothing of the repository is run from there.
        assert!(script_references("cd \"$BUILD\" && ./run-tests.sh").is_empty());
    }

    #[test]
    fn scripts_run_directly_through_an_interpreter_or_after_a_wrapper() {
        for (command, expected) in [
            ("./ci/run-tests.sh", vec!["ci/run-tests.sh"]),
            ("bash -ex scripts/test", vec!["scripts/test"]),
            ("CI=1 sudo ./test.sh --fast", vec!["test.sh"]),
            ("pwsh -File ./build.ps1 -Target Test", vec!["build.ps1"]),
            ("python tools/run_tests.py", vec!["tools/run_tests.py"]),
            (
                "$GITHUB_WORKSPACE/.buildkite/commands/run-unit-tests.sh",
                vec![".buildkite/commands/run-unit-tests.sh"],
            ),
            ("cd web && ./scripts/test.sh", vec!["web/scripts/test.sh"]),
            ("test.sh", vec!["test.sh"]),
            (
                r".\Build\runbuild.ps1 -properties @{}",
                vec!["Build/runbuild.ps1"],
            ),
            (
                r"Invoke-psake ($path + '\build.ps1') -properties $p",
                vec!["build.ps1"],
            ),
        ] {
            assert_eq!(script_references(command), expected, "{command}");
        }
    }

    #[test]
    fn commands_that_run_no_script_of_the_repository() {
        for command in [
            "cargo test",
            "bash -c 'make test'",
            "python -m pytest",
            "./gradlew build",
            "./mvnw verify",
            "/usr/bin/run.sh",
            "../other/test.sh",
            "$HOME/bin/test.sh",
            "scripts/*.sh",
            "echo done",
        ] {
            assert!(script_references(command).is_empty(), "{command}");
        }
    }

    #[test]
    fn a_script_is_its_lines() {
        let pipeline = read("#!/bin/sh\nset -e\n\n# run them\ngo test ./...\n");
        assert_eq!(
            pipeline.commands,
            [
                super::super::Located::new("set -e", 2),
                super::super::Located::new("go test ./...", 5)
            ]
        );
    }
}

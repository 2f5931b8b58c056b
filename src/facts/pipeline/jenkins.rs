//! Jenkinsfiles, declarative or scripted, read by pattern: Groovy is not parsed.

use std::collections::HashMap;
use std::sync::OnceLock;

use regex::Regex;

use super::steps::{self, Steps};
use super::{Located, Pipeline, System, push_lines};
use crate::text::line_of;

/// Jenkins' own steps and the declarative syntax's sections: a call of anything else is a
/// step of a shared library (`buildPlugin()`), whose body is not in the repository.
const BUILT_IN: &[&str] = &[
    "pipeline",
    "agent",
    "stages",
    "stage",
    "steps",
    "script",
    "node",
    "parallel",
    "when",
    "post",
    "always",
    "success",
    "failure",
    "unstable",
    "changed",
    "fixed",
    "regression",
    "aborted",
    "cleanup",
    "environment",
    "options",
    "parameters",
    "triggers",
    "tools",
    "matrix",
    "axes",
    "axis",
    "excludes",
    "input",
    "timeout",
    "retry",
    "dir",
    "withEnv",
    "withCredentials",
    "withMaven",
    "withDockerContainer",
    "withDockerRegistry",
    "docker",
    "dockerfile",
    "kubernetes",
    "label",
    "checkout",
    "git",
    "echo",
    "sh",
    "bat",
    "powershell",
    "pwsh",
    "archiveArtifacts",
    "junit",
    "publishHTML",
    "stash",
    "unstash",
    "properties",
    "catchError",
    "error",
    "try",
    "catch",
    "finally",
    "if",
    "else",
    "for",
    "while",
    "switch",
    "case",
    "return",
    "def",
    "cleanWs",
    "deleteDir",
    "container",
    "podTemplate",
    "sleep",
    "warnError",
    "lock",
    "milestone",
    "build",
    "emailext",
    "mail",
    "slackSend",
    "recordIssues",
    "recordCoverage",
    "withSonarQubeEnv",
    "waitForQualityGate",
    "readFile",
    "writeFile",
    "fileExists",
    "readJSON",
    "readYaml",
    "writeJSON",
    "writeYaml",
    "tool",
    "buildDiscarder",
    "logRotator",
    "disableConcurrentBuilds",
    "pipelineTriggers",
    "cron",
    "pollSCM",
    "upstream",
    "string",
    "booleanParam",
    "choice",
    "text",
    "password",
    "ansiColor",
    "timestamps",
    "skipDefaultCheckout",
    "library",
    "println",
    "print",
    "currentBuild",
    "env",
    "params",
    "scm",
    "sshagent",
    "withAWS",
    "withKubeConfig",
    "configFileProvider",
    "allOf",
    "anyOf",
    "not",
    "branch",
    "expression",
    "tag",
    "changeRequest",
    "buildingTag",
    "changeset",
    "beforeAgent",
    "credentials",
    "usernamePassword",
    "file",
    "sshUserPrivateKey",
    "githubNotify",
    "setBuildStatus",
    "step",
    "waitUntil",
    "notifyBuild",
    "jacoco",
    "publishChecks",
    // Plugins' steps that move artifacts, notify or read files: they run no project work.
    "nexusArtifactUploader",
    "nexusPublisher",
    "s3Upload",
    "s3Download",
    "rtUpload",
    "rtDownload",
    "sshPublisher",
    "copyArtifacts",
    "fingerprint",
    "httpRequest",
    "office365ConnectorSend",
    "discordSend",
    "gitlabCommitStatus",
    "updateGitlabCommitStatus",
    "readProperties",
    "readMavenPom",
    "findFiles",
    "zip",
    "unzip",
    "discoverGitReferenceBuild",
    "map",
    "each",
    "collect",
    "findAll",
    "find",
    "sort",
    "join",
    "split",
    "trim",
    "contains",
    "equals",
    "format",
    "toString",
    "size",
    "add",
    "put",
    "get",
    "Integer",
    "String",
    "List",
    "Map",
    "isUnix",
    "unix",
    "quietPeriod",
    "checkoutToSubdirectory",
    "newContainerPerStage",
    "preserveStashes",
    "durabilityHint",
    "overrideIndexTriggers",
    "rateLimitBuilds",
    "copyArtifacts",
    "fingerprint",
    "nodejs",
    "jdk",
    "maven",
    "gradle",
    "go",
    "withGradle",
    "withGoEnv",
    "withPythonEnv",
    "virtualenv",
    "parallelsAlwaysFailFast",
];

/// Jenkins: its files are the `jenkinsfiles` set of `rules/ci.toml`.
pub(super) const SYSTEM: System = System {
    name: "Jenkins",
    files: "jenkinsfiles",
    yaml: false,
    includes_beside: false,
    read: |text, reading| Ok(read(text, reading.steps)),
};

/// A declarative or scripted Jenkinsfile: shell steps (`sh 'make test'`, `sh """…"""`,
/// `bat`, `powershell`), shared-library steps (what a well-known one runs, from `steps`;
/// others are unseen), `@Library` imports and `changeRequest()` conditions (or `env.CHANGE_ID`),
/// found by pattern.
pub(super) fn read(text: &str, steps: &Steps) -> Pipeline {
    // A step commented out (`// sh 'make test'`, `/* make 'unit-test' */`) is not run.
    let text = &without_comments(text);
    static STEP: OnceLock<Regex> = OnceLock::new();
    static CHANGE_REQUEST: OnceLock<Regex> = OnceLock::new();
    static TAG: OnceLock<Regex> = OnceLock::new();
    let step = STEP.get_or_init(|| {
        let quoted = r#"(?:'''(.*?)'''|"""(.*?)"""|'([^'\n]*)'|"([^"\n]*)")"#;
        let pattern =
            format!(r"(?s)\b(?:sh|bat|powershell|pwsh)\s*\(?\s*(?:script\s*:\s*)?{quoted}");
        Regex::new(&pattern).expect("valid regex")
    });
    // `when { changeRequest() }`, or the pull request's number a multibranch job sets
    // (`env.CHANGE_ID`) read by the pipeline.
    let change_request = CHANGE_REQUEST.get_or_init(|| {
        Regex::new(r"\bchangeRequest\s*\(|\benv\.CHANGE_ID\b|\$\{?CHANGE_ID\b")
            .expect("valid regex")
    });
    // `when { buildingTag() }` or `when { tag "v*" }`.
    let tag = TAG.get_or_init(|| {
        Regex::new(r#"\bbuildingTag\s*\(|\btag\s+(?:pattern\s*:|['"])"#).expect("valid regex")
    });
    let line_at = |offset: usize| line_of(text.as_bytes(), offset);
    let mut pipeline = Pipeline {
        triggers: vec![Located::new("push", 1)],
        ..Pipeline::default()
    };
    let functions = functions(text);
    let calls: Vec<Calls> = functions
        .iter()
        .map(|function| calls(text, function.name))
        .collect();
    for captures in step.captures_iter(text) {
        if let Some(body) = (1..=4).find_map(|group| captures.get(group)) {
            let within = functions
                .iter()
                .zip(&calls)
                .find(|(function, _)| function.body.contains(&body.start()));
            let Some((function, calls)) = within else {
                push_lines(&mut pipeline.commands, body.as_str(), line_at(body.start()));
                continue;
            };
            // A step of a function of the file runs as each call fills its parameters in; a
            // call whose arguments are not strings (or one past those read) runs it unseen,
            // and a function never called runs nothing.
            for (arguments, at) in &calls.read {
                let command = with_arguments(body.as_str(), &function.parameters, arguments);
                push_lines(&mut pipeline.commands, &command, line_at(*at));
            }
            if let Some(&at) = calls.unread.first() {
                push_lines(&mut pipeline.commands, body.as_str(), line_at(body.start()));
                steps::unseen(
                    &mut pipeline,
                    format!(
                        "a call of {}() with arguments opslint does not read",
                        function.name
                    ),
                    line_at(at),
                );
            }
        }
    }
    for found in change_request.find_iter(text) {
        let line = line_at(found.start());
        pipeline.triggers.push(Located::new("pull_request", line));
    }
    for found in tag.find_iter(text) {
        let line = line_at(found.start());
        pipeline.triggers.push(Located::new("tag", line));
    }
    let defined: Vec<&str> = functions.iter().map(|function| function.name).collect();
    read_library_steps(text, steps, &defined, &mut pipeline);
    pipeline
}

/// A function the Jenkinsfile defines (`def mavenBuild(jdk, cmdline) { … }`): its steps are
/// in the file, read where they are and as each call fills its parameters in.
struct Function<'a> {
    name: &'a str,
    parameters: Vec<&'a str>,
    /// Where its body is, between its braces.
    body: std::ops::Range<usize>,
}

/// The functions `text` defines, by a `def` (or a return type) at the start of a line; a
/// body runs to the brace that closes it, braces in strings counted as Groovy's `${…}` pairs
/// them.
fn functions(text: &str) -> Vec<Function<'_>> {
    static DEFINITION: OnceLock<Regex> = OnceLock::new();
    let definition = DEFINITION.get_or_init(|| {
        Regex::new(
            r"(?m)^[ \t]*(?:def|void|String|boolean|Object)[ \t]+([A-Za-z_][A-Za-z0-9_]*)[ \t]*\(([^()]*)\)[ \t]*\{",
        )
        .expect("valid regex")
    });
    definition
        .captures_iter(text)
        .filter_map(|found| {
            let name = found.get(1)?.as_str();
            if BUILT_IN.contains(&name) {
                return None;
            }
            // `String jdk`, `cmdline = ''`: the name is the last word before any default.
            let parameters = found
                .get(2)?
                .as_str()
                .split(',')
                .filter_map(|parameter| {
                    let parameter = parameter.split('=').next()?.trim();
                    parameter.split_whitespace().last()
                })
                .collect();
            let start = found.get(0)?.end();
            let mut depth = 1usize;
            let end = text[start..].char_indices().find_map(|(offset, c)| {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    _ => {}
                }
                (depth == 0).then_some(start + offset)
            })?;
            Some(Function {
                name,
                parameters,
                body: start..end,
            })
        })
        .collect()
}

/// How many calls of one function are read with their arguments: a build calls its helper
/// once per platform or JDK, not hundreds of times.
const MAX_CALLS: usize = 16;

/// The calls of a function of the file.
struct Calls<'a> {
    /// Those whose arguments are all string literals (`mavenBuild("jdk21", "clean install")`):
    /// the strings, and where the call is; the first [`MAX_CALLS`].
    read: Vec<(Vec<&'a str>, usize)>,
    /// Where the others are: arguments that are not strings, or calls past those read.
    unread: Vec<usize>,
}

/// The calls of `name` in `text`.
fn calls<'a>(text: &'a str, name: &str) -> Calls<'a> {
    static STRING: OnceLock<Regex> = OnceLock::new();
    let string = STRING
        .get_or_init(|| Regex::new(r#"^\s*(?:'([^'\n]*)'|"([^"\n$]*)")\s*"#).expect("valid regex"));
    let mut calls = Calls {
        read: Vec::new(),
        unread: Vec::new(),
    };
    let mut from = 0;
    // (Once one is unread and as many as are read were found, the rest changes nothing.)
    while (calls.unread.is_empty() || calls.read.len() < MAX_CALLS)
        && let Some(offset) = text[from..].find(name)
    {
        let at = from + offset;
        from = at + name.len();
        let before = text[..at].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.') {
            continue;
        }
        let Some(mut rest) = text[from..]
            .trim_start_matches([' ', '\t'])
            .strip_prefix('(')
        else {
            continue;
        };
        // The definition itself (`def name(jdk, cmdline) {`) is no call.
        let line_start = text[..at].rfind('\n').map_or(0, |newline| newline + 1);
        if text[line_start..at]
            .split_whitespace()
            .next()
            .is_some_and(|word| matches!(word, "def" | "void" | "String" | "boolean" | "Object"))
        {
            continue;
        }
        let mut arguments = Vec::new();
        while let Some(found) = string.captures(rest) {
            let Some(value) = found.get(1).or_else(|| found.get(2)) else {
                break;
            };
            arguments.push(value.as_str());
            rest = &rest[found.get(0).map_or(0, |whole| whole.end())..];
            match rest.strip_prefix(',') {
                Some(after) => rest = after,
                None => break,
            }
        }
        let literal = !arguments.is_empty() && rest.trim_start().starts_with(')');
        if literal && calls.read.len() < MAX_CALLS {
            calls.read.push((arguments, at));
        } else {
            calls.unread.push(at);
        }
    }
    calls
}

/// `command` with each `$parameter` and `${parameter}` replaced by the call's argument in
/// its place; a parameter the call leaves out stays as written.
fn with_arguments(command: &str, parameters: &[&str], arguments: &[&str]) -> String {
    let values: HashMap<&str, &str> = parameters
        .iter()
        .copied()
        .zip(arguments.iter().copied())
        .collect();
    super::references_read_replaced(command, "$", groovy_reference, &values)
}

/// The name a GString reference after its `$` reads (`${name}`, `$name`) and its length.
fn groovy_reference(after: &str) -> Option<(&str, usize)> {
    if let Some(inside) = after.strip_prefix('{') {
        let (name, _) = inside.split_once('}')?;
        return Some((name.trim(), name.len() + 2));
    }
    let length = after
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(after.len());
    (length > 0).then(|| (&after[..length], length))
}

/// Groovy's comments that start a line (`// sh 'make test'`, a `/* … */` block) blanked out,
/// every line kept where it was. Only those: a `//` or `/*` further along may be inside a
/// string, a slashy regex (`/\/*$/`) or a GString's `${…}`, and a step after code on its line
/// is found whatever follows it.
fn without_comments(text: &str) -> String {
    let blank = |part: &str| -> String {
        part.chars()
            .map(|c| if matches!(c, '\n' | '\r') { c } else { ' ' })
            .collect()
    };
    let mut out = String::with_capacity(text.len());
    let mut in_block = false;
    for line in text.split_inclusive(['\n', '\r']) {
        let start = line.len() - line.trim_start().len();
        let opened = !in_block && line[start..].starts_with("/*");
        if !in_block && !opened {
            match line[start..].starts_with("//") {
                true => out.push_str(&blank(line)),
                false => out.push_str(line),
            }
            continue;
        }
        let from = if opened { start + 2 } else { 0 };
        match line[from..].find("*/") {
            Some(end) => {
                in_block = false;
                out.push_str(&blank(&line[..from + end + 2]));
                out.push_str(&line[from + end + 2..]);
            }
            None => {
                in_block = true;
                out.push_str(&blank(line));
            }
        }
    }
    out
}

/// The Groovy variables a file sets to a string once (`def type = "java"`), by name; one set
/// twice (declared, or assigned again: `type = "nodejs"`) has no single value.
fn string_variables(text: &str) -> HashMap<&str, &str> {
    static ASSIGNMENT: OnceLock<Regex> = OnceLock::new();
    let assignment = ASSIGNMENT.get_or_init(|| {
        Regex::new(
            r#"(?m)^[ \t]*(?:(?:def|String|final[ \t]+(?:def|String))[ \t]+)?([A-Za-z_][A-Za-z0-9_]*)[ \t]*=[ \t]*(?:'([^'\n$]*)'|"([^"\n$]*)")[ \t]*;?[ \t]*(?://.*)?$"#,
        )
        .expect("valid regex")
    });
    let mut values: HashMap<&str, Option<&str>> = HashMap::new();
    for found in assignment.captures_iter(text) {
        let (Some(name), Some(value)) = (found.get(1), found.get(2).or_else(|| found.get(3)))
        else {
            continue;
        };
        values
            .entry(name.as_str())
            .and_modify(|known| *known = None)
            .or_insert(Some(value.as_str()));
    }
    values
        .into_iter()
        .filter_map(|(name, value)| Some((name, value?)))
        .collect()
}

/// Calls of steps Jenkins does not define (`buildPlugin(configurations: …)`): what a
/// well-known one runs is a command; the others, and the libraries a file imports, are
/// unseen. A well-known step called with one string in Groovy's command syntax (`make
/// 'unit-test'`) runs with it as its input `0`. A step whose work depends on its first
/// argument (HMCTS's `withPipeline(type, …)`, with `def type = "java"` above it) is known
/// by that too: `withPipeline('java')`.
fn read_library_steps(text: &str, steps: &Steps, defined: &[&str], pipeline: &mut Pipeline) {
    static CALL: OnceLock<Regex> = OnceLock::new();
    static COMMAND_CALL: OnceLock<Regex> = OnceLock::new();
    static LIBRARY: OnceLock<Regex> = OnceLock::new();
    let call = CALL.get_or_init(|| {
        Regex::new(
            r#"(?m)^[ \t]*([A-Za-z_][A-Za-z0-9_]*)[ \t]*\([ \t]*(?:'([^'\n]*)'|"([^"\n]*)"|([A-Za-z_][A-Za-z0-9_]*)[ \t]*[,)])?"#,
        )
        .expect("valid regex")
    });
    let strings = string_variables(text);
    let command_call = COMMAND_CALL.get_or_init(|| {
        Regex::new(r#"(?m)^[ \t]*([A-Za-z_][A-Za-z0-9_]*)[ \t]+(?:'([^'\n]*)'|"([^"\n]*)")[ \t]*;?[ \t]*(?://.*)?$"#)
            .expect("valid regex")
    });
    let library = LIBRARY.get_or_init(|| {
        Regex::new(r#"@Library\s*\(\s*\[?\s*['"]([^'"]+)['"]"#).expect("valid regex")
    });
    let line_at = |offset: usize| line_of(text.as_bytes(), offset);
    for found in library.captures_iter(text) {
        let name = &found[1];
        steps::unseen(
            pipeline,
            format!("the Jenkins shared library {name}"),
            line_at(found.get(0).map_or(0, |whole| whole.start())),
        );
    }
    for found in call.captures_iter(text) {
        let name = &found[1];
        // A function of the file's own is read in it, not a library's step.
        if BUILT_IN.contains(&name) || defined.contains(&name) {
            continue;
        }
        let line = line_at(found.get(1).map_or(0, |name| name.start()));
        // Its first argument, when a string (`make('unit-test')`) or a variable holding one,
        // is its input `0`.
        let argument = found
            .get(2)
            .or_else(|| found.get(3))
            .map(|m| m.as_str())
            .or_else(|| strings.get(found.get(4)?.as_str()).copied());
        let input = |key: &str| (key == "0").then(|| argument.map(str::to_owned)).flatten();
        let with_argument = argument.map(|argument| format!("jenkins:{name}('{argument}')"));
        let known = with_argument
            .filter(|key| steps.contains_key(key))
            .unwrap_or_else(|| format!("jenkins:{name}"));
        if !steps::call(pipeline, steps, &known, input, line) {
            steps::unseen(pipeline, format!("the Jenkins library step {name}()"), line);
        }
    }
    for found in command_call.captures_iter(text) {
        let argument = found.get(2).or_else(|| found.get(3)).map(|m| m.as_str());
        let input = |name: &str| (name == "0").then(|| argument.unwrap_or_default().to_owned());
        let line = line_at(found.get(1).map_or(0, |name| name.start()));
        steps::call(
            pipeline,
            steps,
            &format!("jenkins:{}", &found[1]),
            input,
            line,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_string_set_once_is_known_by_its_name() {
        let text = "def type = \"java\"\nString product = 'letters' // the product\ndef version = \"${base}-1\"\ndef twice = 'a'\ntwice = 'b'\ndef reassigned = 'java'\n  reassigned = 'nodejs'\n";
        let strings = string_variables(text);
        assert_eq!(strings.get("type"), Some(&"java"));
        assert_eq!(strings.get("product"), Some(&"letters"));
        // An interpolated string has no value of its own; one set twice has none either.
        assert_eq!(strings.get("version"), None);
        assert_eq!(strings.get("twice"), None);
        assert_eq!(strings.get("reassigned"), None);
    }

    #[test]
    fn a_function_of_the_file_is_read_with_each_call_s_arguments() {
        let text = "pipeline {\n  stages {\n    stage('jdk17') { steps { mavenBuild(\"jdk17\", \"clean install\") } }\n    stage('jdk21') { steps { mavenBuild('jdk21', 'verify -Pci') } }\n    stage('other') { steps { mavenBuild(env.JDK, goals) } }\n  }\n}\n\ndef mavenBuild(String jdk, cmdline) {\n  withEnv([\"JAVA_HOME=${ tool \"$jdk\" }\"]) {\n    sh \"mvn -B -e ${cmdline}\"\n  }\n}\n";
        let functions = functions(text);
        assert_eq!(functions.len(), 1);
        assert_eq!(functions[0].name, "mavenBuild");
        assert_eq!(functions[0].parameters, ["jdk", "cmdline"]);
        assert!(text[functions[0].body.clone()].contains("sh \"mvn"));
        // Only calls given strings are read; `env.JDK` is no literal.
        let calls = calls(text, "mavenBuild");
        assert_eq!(
            calls
                .read
                .iter()
                .map(|(arguments, _)| arguments.clone())
                .collect::<Vec<_>>(),
            [vec!["jdk17", "clean install"], vec!["jdk21", "verify -Pci"]]
        );
        assert_eq!(
            with_arguments(
                "mvn -B ${cmdline} $cmdlineX $jdk",
                &["jdk", "cmdline"],
                &["17", "install"]
            ),
            "mvn -B install $cmdlineX 17"
        );
        // The function is no library step, and each call's command is read; the call given
        // `env.JDK` runs it unseen.
        let pipeline = read(text, &Steps::default());
        let unseen: Vec<&str> = pipeline.indirect.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(
            unseen,
            ["a call of mavenBuild() with arguments opslint does not read"]
        );
        let commands: Vec<&str> = pipeline.commands.iter().map(|c| c.text.as_str()).collect();
        assert!(
            commands.contains(&"mvn -B -e clean install"),
            "{commands:?}"
        );
        assert!(commands.contains(&"mvn -B -e verify -Pci"), "{commands:?}");
    }
}

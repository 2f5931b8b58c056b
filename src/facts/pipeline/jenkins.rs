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
    for captures in step.captures_iter(text) {
        if let Some(body) = (1..=4).find_map(|group| captures.get(group)) {
            push_lines(&mut pipeline.commands, body.as_str(), line_at(body.start()));
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
    read_library_steps(text, steps, &mut pipeline);
    pipeline
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
fn read_library_steps(text: &str, steps: &Steps, pipeline: &mut Pipeline) {
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
        if BUILT_IN.contains(&name) {
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
}

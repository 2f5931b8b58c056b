//! The named sets, patterns and values of the built-in rule files that opslint's own code
//! reads, not through a rule: one field each, resolved once when the built-in rules load.
//! A name renamed or removed in `rules/*.toml` then fails there, naming what is missing,
//! instead of at the first scan that looks it up.

use super::Pattern;
use super::sets::{Definitions, Value};

/// What the code needs of the built-in definitions, by field.
#[derive(Debug)]
pub struct Known {
    /// Files no rule takes as evidence unless `[scan] exclude` says otherwise (`@default-exclude`).
    pub default_exclude: Vec<String>,
    /// Files tools write (lockfiles, minified bundles): when one is over the read cap, no
    /// content check misses evidence in it (`@machine-written`).
    pub machine_written: Vec<String>,
    /// Where code hosts read CODEOWNERS, in their order of precedence.
    pub codeowners_locations: Vec<String>,
    /// The files that make a directory a component of a monorepo (`@component-markers`).
    pub component_markers: Vec<String>,
    /// Where a component never is: outside the product, test folders, and the places
    /// `@not-components` names.
    pub not_components: Vec<String>,
    /// Test projects beside the project they test (`src/Foo.Tests`), by directory.
    pub test_projects: Vec<String>,
    /// The root files task runners read, each list in the tool's order of preference.
    pub task_files: TaskFiles,
    /// Installing a tool (`pip install yamllint`), which is not running it.
    pub install_command: String,
    /// File names a command runs that are build tools' wrappers or generated, not the
    /// project's scripts to follow.
    pub not_scripts: Vec<String>,
    /// Actions that evaluate an input as code, `owner/name:input`.
    pub code_inputs: Vec<String>,
    /// Inputs an unknown action conventionally runs as shell commands (`command-inputs`).
    pub command_inputs: Vec<String>,
    /// What such an input holds that is no shell command (`command-input-unless`).
    pub command_input_unless: Pattern,
    /// Programs that never run a project's work (`mkdir`, `test -f`), whatever words they
    /// are given.
    pub not_runners: Vec<String>,
    /// What the history pass sorts commits and tags by.
    pub history: HistoryClasses,
    /// Kubernetes workload kinds expected to run indefinitely, so health probes apply.
    pub long_running_workloads: Vec<String>,
    /// GitHub events that start only workflows tending the repository (`issues`, `label`).
    pub tending_events: Pattern,
}

/// Root files of task runners (`rules/devenv.toml`), by name, not glob.
#[derive(Debug)]
pub struct TaskFiles {
    pub makefiles: Vec<String>,
    /// Makefiles a root Makefile commonly `include`s; read in its place.
    pub included_makefiles: Vec<String>,
    pub package_json: Vec<String>,
    pub deno_json: Vec<String>,
    pub composer_json: Vec<String>,
    pub justfiles: Vec<String>,
    pub taskfiles: Vec<String>,
    pub earthfiles: Vec<String>,
    /// Project files holding Poe the Poet's tasks (`[tool.poe.tasks]`).
    pub poe_files: Vec<String>,
}

/// The classes and thresholds of `rules/history.toml`.
#[derive(Debug)]
pub struct HistoryClasses {
    pub source_code: Vec<String>,
    pub change_tests: Vec<String>,
    pub change_ci: Vec<String>,
    pub change_iac: Vec<String>,
    pub change_observability: Vec<String>,
    pub change_docs: Vec<String>,
    pub inline_test_files: Vec<String>,
    pub inline_test: Pattern,
    pub bot_name: Pattern,
    pub bot_email: Pattern,
    pub improvement_subject: Pattern,
    pub revert_subject: Pattern,
    pub build_repair_subject: Pattern,
    pub release_tag: Pattern,
    /// A commit over this many changed lines is a large batch.
    pub large_commit_lines: u32,
    /// A release fixed by a patch release within this many days needed a hotfix.
    pub hotfix_days: f64,
    /// From this share (%) of patch releases on, a patch release is the cadence, not a fix.
    pub patch_cadence_share: f64,
    /// … and from this many patch releases on.
    pub patch_cadence_count: u32,
    /// A commit crediting more co-authors than this credits its author only.
    pub co_authors_credited: u32,
}

impl Known {
    /// Looks every name up in `definitions`; the error names each one missing or of the
    /// wrong kind.
    pub fn resolve(definitions: &Definitions) -> Result<Known, String> {
        let mut names = Resolver {
            definitions,
            missing: Vec::new(),
        };
        let known = Known {
            default_exclude: names.set("default-exclude"),
            machine_written: names.set("machine-written"),
            codeowners_locations: names.set("codeowners-locations"),
            component_markers: names.set("component-markers"),
            not_components: ["not-product", "test-directories", "not-components"]
                .into_iter()
                .flat_map(|name| names.set(name))
                .collect(),
            test_projects: names.set("test-projects"),
            task_files: TaskFiles {
                makefiles: names.set("makefiles"),
                included_makefiles: names.set("included-makefiles"),
                package_json: names.set("package-json"),
                deno_json: names.set("deno-json"),
                composer_json: names.set("composer-json"),
                justfiles: names.set("justfiles"),
                taskfiles: names.set("taskfiles"),
                earthfiles: names.set("earthfiles"),
                poe_files: names.set("poe-files"),
            },
            install_command: names.pattern_source("install-command"),
            not_scripts: names.words("not-scripts"),
            code_inputs: names.words("code-inputs"),
            command_inputs: names.words("command-inputs"),
            command_input_unless: names.pattern("command-input-unless"),
            not_runners: names.words("not-runners"),
            history: HistoryClasses {
                source_code: names.set("source-code"),
                change_tests: names.set("change-tests"),
                change_ci: names.set("change-ci"),
                change_iac: names.set("change-iac"),
                change_observability: names.set("change-observability"),
                change_docs: names.set("change-docs"),
                inline_test_files: names.set("inline-test-files"),
                inline_test: names.pattern("inline-test"),
                bot_name: names.pattern("bot-name"),
                bot_email: names.pattern("bot-email"),
                improvement_subject: names.pattern("improvement-subject"),
                revert_subject: names.pattern("revert-subject"),
                build_repair_subject: names.pattern("build-repair-subject"),
                release_tag: names.pattern("release-tag"),
                large_commit_lines: names.count("large-commit-lines"),
                hotfix_days: names.number("hotfix-days"),
                patch_cadence_share: names.number("patch-cadence-share"),
                patch_cadence_count: names.count("patch-cadence-count"),
                co_authors_credited: names.count("co-authors-credited"),
            },
            long_running_workloads: names.words("long-running-workloads"),
            tending_events: names.pattern("tending-events"),
        };
        if names.missing.is_empty() {
            Ok(known)
        } else {
            Err(format!(
                "the built-in rule files lack what opslint reads by name: {}",
                names.missing.join(", ")
            ))
        }
    }
}

/// Looks names up, noting each one that is not there.
struct Resolver<'a> {
    definitions: &'a Definitions,
    missing: Vec<String>,
}

impl Resolver<'_> {
    fn set(&mut self, name: &str) -> Vec<String> {
        match self.definitions.sets.get(name) {
            Some(globs) => globs.clone(),
            None => self.lack(format!("file set `@{name}` in a `[sets]` table")),
        }
    }

    fn pattern_source(&mut self, name: &str) -> String {
        match self.definitions.patterns.get(name) {
            Some(source) => source.clone(),
            None => self.lack(format!("pattern `@{name}` in a `[patterns]` table")),
        }
    }

    fn pattern(&mut self, name: &str) -> Pattern {
        Pattern::builtin(&self.pattern_source(name))
    }

    fn number(&mut self, name: &str) -> f64 {
        match self.definitions.values.get(name) {
            Some(Value::Number(number)) if number.is_finite() => *number,
            _ => self.lack(format!("number `{name}` in a `[values]` table")),
        }
    }

    fn count(&mut self, name: &str) -> u32 {
        match self.definitions.values.get(name) {
            Some(&Value::Number(number))
                if number >= 0.0 && number <= f64::from(u32::MAX) && number.fract() == 0.0 =>
            {
                number as u32
            }
            _ => self.lack(format!("whole number `{name}` in a `[values]` table")),
        }
    }

    fn words(&mut self, name: &str) -> Vec<String> {
        match self.definitions.values.get(name) {
            Some(Value::Words(words)) => words.clone(),
            _ => self.lack(format!("word list `{name}` in a `[values]` table")),
        }
    }

    /// Notes `what` as missing; a placeholder stands in until the error is returned.
    fn lack<T: Default>(&mut self, what: String) -> T {
        self.missing.push(what);
        T::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_rule_files_define_every_name() {
        let known = super::super::known();
        assert!(!known.default_exclude.is_empty());
        assert_eq!(known.history.large_commit_lines, 400);
    }

    #[test]
    fn a_missing_name_fails_at_load_naming_it() {
        let mut definitions = Definitions::default();
        for (_, text) in super::super::BUILTIN_RULE_FILES {
            definitions.add_document(text, &mut Vec::new());
        }
        assert!(Known::resolve(&definitions).is_ok());
        definitions.sets.remove("change-tests");
        definitions.patterns.remove("release-tag");
        definitions.values.remove("hotfix-days");
        let error = Known::resolve(&definitions).expect_err("names are missing");
        assert_eq!(
            error,
            "the built-in rule files lack what opslint reads by name: file set `@change-tests` \
             in a `[sets]` table, pattern `@release-tag` in a `[patterns]` table, number \
             `hotfix-days` in a `[values]` table"
        );
    }
}

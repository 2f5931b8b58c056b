//! Poe the Poet's tasks (`[tool.poe.tasks]` of a `pyproject.toml`, or `[tasks]` of a
//! `poe_tasks.toml`), read for the commands each runs, so that `poe check` is judged by what
//! it runs as `make check` is.

use std::collections::HashMap;

/// What a Poe file says.
#[derive(Debug, Default)]
pub struct PoeTasks {
    /// Each task with its commands: a string task's command, a table's `cmd` or `shell`
    /// lines; the tasks a sequence, `parallel`, `ref` or `deps` runs, as `poe other`.
    pub tasks: HashMap<String, Vec<String>>,
    /// The tasks that run Python code (`script = "pkg.tasks:check"`, `expr = …`), with
    /// that code: what they run is out of sight.
    pub code: Vec<(String, String)>,
    /// Why none of the file's tasks can be followed: a Poe section that does not parse, or
    /// tasks included from another file.
    pub unread: Option<String>,
}

/// The file's Poe tasks; `None` when it has no Poe section at all.
pub fn read(text: &str) -> Option<PoeTasks> {
    let Ok(root) = text.parse::<toml::Table>() else {
        return text.contains("[tool.poe").then(|| PoeTasks {
            unread: Some("has a Poe section opslint could not parse".to_owned()),
            ..PoeTasks::default()
        });
    };
    // `[tool.poe]` in a pyproject.toml; a poe_tasks.toml is that section alone.
    let section = match root.get("tool").and_then(|tool| tool.get("poe")) {
        Some(poe) => poe.as_table()?,
        None => root.contains_key("tasks").then_some(&root)?,
    };
    let mut read = PoeTasks::default();
    if section.contains_key("include") {
        read.unread = Some("includes Poe's tasks from files opslint does not read".to_owned());
    }
    // Tasks may be grouped (`[tool.poe.groups.lint.tasks]`).
    let groups = section
        .get("groups")
        .and_then(toml::Value::as_table)
        .into_iter()
        .flat_map(|groups| groups.values())
        .filter_map(|group| group.get("tasks"));
    let tables = section
        .get("tasks")
        .into_iter()
        .chain(groups)
        .filter_map(toml::Value::as_table);
    for (name, task) in tables.flatten() {
        let mut commands = Vec::new();
        let mut code = None;
        task_commands(task, &mut commands, &mut code);
        if let Some(code) = code {
            read.code
                .push((name.clone(), crate::text::shorten(&code, 60).into_owned()));
        }
        read.tasks.insert(name.clone(), commands);
    }
    Some(read)
}

/// The commands of one task or step, and the first Python code it runs.
fn task_commands(task: &toml::Value, commands: &mut Vec<String>, code: &mut Option<String>) {
    let other = |name: &str| format!("poe {name}");
    match task {
        toml::Value::String(command) => commands.push(command.clone()),
        // A list is a sequence of other tasks, or of inline task tables.
        toml::Value::Array(steps) => {
            for step in steps {
                match step.as_str() {
                    Some(name) => commands.push(other(name)),
                    None => task_commands(step, commands, code),
                }
            }
        }
        toml::Value::Table(options) => {
            let list = |key: &str| {
                options
                    .get(key)
                    .and_then(toml::Value::as_array)
                    .into_iter()
                    .flatten()
            };
            commands.extend(list("deps").filter_map(toml::Value::as_str).map(other));
            match options.get("cmd") {
                Some(toml::Value::String(command)) => commands.push(command.clone()),
                // `cmd = ["pytest", "-q"]`: the words of one command.
                Some(toml::Value::Array(words)) => commands.push(
                    words
                        .iter()
                        .filter_map(toml::Value::as_str)
                        .collect::<Vec<_>>()
                        .join(" "),
                ),
                _ => {}
            }
            if let Some(script) = options.get("shell").and_then(toml::Value::as_str) {
                commands.extend(
                    script
                        .lines()
                        .map(str::trim)
                        .filter(|line| !line.is_empty())
                        .map(str::to_owned),
                );
            }
            commands.extend(options.get("ref").and_then(toml::Value::as_str).map(other));
            for key in ["sequence", "parallel"] {
                if let Some(steps) = options.get(key) {
                    task_commands(steps, commands, code);
                }
            }
            // A switch runs one of its cases, chosen at run time: each may.
            for case in list("switch") {
                task_commands(case, commands, code);
            }
            if code.is_none() {
                *code = ["script", "expr"]
                    .iter()
                    .find_map(|key| options.get(*key).and_then(toml::Value::as_str))
                    .map(str::to_owned);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn commands(text: &str, task: &str) -> Vec<String> {
        read(text).expect("a Poe file").tasks[task].clone()
    }

    #[test]
    fn tables_lists_switches_and_groups() {
        let text = r#"
[tool.poe.tasks.check]
parallel = ["lint", { cmd = ["pytest", "-q"] }]
[[tool.poe.tasks.smoke.switch]]
case = "win32"
cmd = "pytest -k win"
[[tool.poe.tasks.smoke.switch]]
cmd = "pytest -k smoke"
[tool.poe.groups.quality.tasks]
lint = "ruff check ."
"#;
        assert_eq!(commands(text, "check"), ["poe lint", "pytest -q"]);
        assert_eq!(
            commands(text, "smoke"),
            ["pytest -k win", "pytest -k smoke"]
        );
        assert_eq!(commands(text, "lint"), ["ruff check ."]);
    }

    #[test]
    fn python_code_and_included_files_are_out_of_sight() {
        let text = "[tool.poe.tasks]\ncheck = [\"lint\", { script = \"pytest:main\" }]\n";
        let poe = read(text).expect("a Poe file");
        assert_eq!(poe.code, [("check".to_owned(), "pytest:main".to_owned())]);
        let included = read("[tool.poe]\ninclude = \"tasks.toml\"\n").expect("a Poe file");
        assert!(included.unread.is_some());
        let broken = read("[tool.poe.tasks]\ncheck =\n").expect("a Poe section");
        assert!(broken.unread.is_some());
        assert!(read("[project]\nname = \"x\"\n").is_none());
        assert!(read("not toml at all [").is_none());
    }

    #[test]
    fn a_poe_tasks_file_is_the_section_alone() {
        assert_eq!(commands("[tasks]\ntest = \"pytest\"\n", "test"), ["pytest"]);
    }
}

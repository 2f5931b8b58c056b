//! Dependency manifests read into the names they declare, each with its line, so rules
//! match dependencies rather than free text (a README that mentions `sentry` is not a
//! Sentry integration).
//!
//! Names are as the ecosystem writes them: `group:artifact` for Maven and Gradle, module
//! paths for Go, and normalized names for Python (PEP 503: lowercase, runs of `-_.` as `-`).

use std::sync::OnceLock;

use regex::{Captures, Regex};

use super::yaml::{self, Node, ParseError};
use super::{toml_node, workspaces};
use crate::rules::Pattern;
use crate::text::LineIndex;

/// A declared dependency and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dependency {
    pub name: String,
    pub line: u32,
    /// Declared for development or tests only (`devDependencies`, `[dev-dependencies]`,
    /// Maven's test scope…): a test server is no sign that the project is one.
    pub development: bool,
    /// Declared on a package of the same tree rather than a registry's version: npm's
    /// `workspace:`, Cargo's `path`.
    pub local: bool,
    /// Declared by a path npm installs from (`file:../logger`, `link:`, `portal:`, `./x`): the
    /// code there, which is not the registry's package of that name (a Phoenix app's
    /// `"phoenix": "file:../deps/phoenix"` is the framework's browser client). Followed as a
    /// package of the tree; never matched by its name.
    pub by_path: bool,
}

impl Dependency {
    /// Whether the dependency is on a package named like `pattern`: one declared by a path
    /// is the code there, whatever its name says.
    pub fn named_like(&self, pattern: &Pattern) -> bool {
        !self.by_path && pattern.is_match(self.name.as_bytes())
    }
}

/// A manifest read: the package it declares, where its ecosystem names packages in the
/// manifest (package.json's `name`, Cargo's `[package] name`), and its dependencies.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Manifest {
    pub package: Option<String>,
    /// Never published to its registry (package.json's `"private": true`): a dependency
    /// naming it, from a workspace it is a member of, can only be on the tree's package,
    /// whatever version it asks for (a Yarn workspace's `"backend-lib": "0.0.3"`).
    pub private: bool,
    /// The workspace members the root package.json declares, as globs (`"workspaces":
    /// ["packages/*"]`).
    pub workspace_members: Vec<String>,
    pub dependencies: Vec<Dependency>,
}

/// What a reader has found so far; readers switch `development` around dev sections.
#[derive(Default)]
struct Declared {
    list: Vec<Dependency>,
    development: bool,
}

impl Declared {
    fn push(&mut self, name: impl Into<String>, line: u32) {
        self.push_at(name, line, false, false);
    }

    fn push_at(&mut self, name: impl Into<String>, line: u32, local: bool, by_path: bool) {
        self.list.push(Dependency {
            name: name.into(),
            line,
            development: self.development,
            local,
            by_path,
        });
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Cargo,
    PackageJson,
    Composer,
    Pyproject,
    Pipfile,
    Requirements,
    SetupCfg,
    GoMod,
    Maven,
    Gradle,
    GradleCatalog,
    NuGet,
    /// `Directory.Build.props`/`.targets`: NuGet references shared by the projects below.
    NuGetShared,
    Gemfile,
    Gemspec,
    Mix,
    /// C and C++: `find_package` and `FetchContent_Declare` in CMake, vcpkg, Conan.
    CMake,
    Vcpkg,
    Conan,
}

/// A path of each format `read` knows (which files a rule reads is rule data: `@manifests`,
/// rules/security.toml). The fuzz target picks among them by index: append, never reorder.
pub const EXAMPLE_PATHS: &[&str] = &[
    "Cargo.toml",
    "package.json",
    "composer.json",
    "pyproject.toml",
    "Pipfile",
    "setup.cfg",
    "go.mod",
    "pom.xml",
    "build.gradle",
    "gradle/libs.versions.toml",
    "packages.config",
    "app.csproj",
    "Gemfile",
    "x.gemspec",
    "mix.exs",
    "CMakeLists.txt",
    "vcpkg.json",
    "conanfile.txt",
    "requirements.txt",
];

/// Whether the manifest at `path` names the package it declares, so that another manifest of
/// the tree may depend on it (package.json's `name`, Cargo's `[package] name`).
pub fn names_its_package(path: &str) -> bool {
    matches!(format_of(path), Some(Format::Cargo | Format::PackageJson))
}

/// Which format a file is, by its name: the names each ecosystem gives its manifests.
fn format_of(path: &str) -> Option<Format> {
    let name = path.rsplit('/').next().unwrap_or(path);
    let format = match name {
        "Cargo.toml" => Format::Cargo,
        "package.json" => Format::PackageJson,
        "composer.json" => Format::Composer,
        "pyproject.toml" => Format::Pyproject,
        "Pipfile" => Format::Pipfile,
        "setup.cfg" => Format::SetupCfg,
        "go.mod" => Format::GoMod,
        "pom.xml" => Format::Maven,
        "build.gradle" | "build.gradle.kts" => Format::Gradle,
        "libs.versions.toml" => Format::GradleCatalog,
        "Directory.Packages.props" | "packages.config" => Format::NuGet,
        // `Directory.Build.props` and `.targets` give their references to every project
        // below them.
        "Directory.Build.props" | "Directory.Build.targets" => Format::NuGetShared,
        "Gemfile" | "gems.rb" => Format::Gemfile,
        "mix.exs" => Format::Mix,
        "CMakeLists.txt" => Format::CMake,
        "vcpkg.json" => Format::Vcpkg,
        "conanfile.txt" => Format::Conan,
        // `requirements.txt`, `dev-requirements.in` (pip-tools), `requirements/test.txt`.
        _ if (name.ends_with(".txt") || name.ends_with(".in"))
            && (name.contains("requirements") || path.contains("requirements/")) =>
        {
            Format::Requirements
        }
        _ if name.ends_with(".csproj")
            || name.ends_with(".fsproj")
            || name.ends_with(".vbproj") =>
        {
            Format::NuGet
        }
        _ if name.ends_with(".gemspec") => Format::Gemspec,
        _ => return None,
    };
    Some(format)
}

/// The package and the dependencies the manifest at `path` declares (repository-relative;
/// its file name decides the format). Files of no known format declare nothing.
pub fn read(path: &str, text: &str) -> Result<Manifest, ParseError> {
    let Some(format) = format_of(path) else {
        return Ok(Manifest::default());
    };
    let mut found = Declared::default();
    let mut package = None;
    let mut private = false;
    let mut workspace_members = Vec::new();
    match format {
        Format::Cargo => {
            let root = toml_node::parse(text)?;
            package = own_name(root.get("package"));
            read_cargo(&root, &mut found);
        }
        Format::PackageJson => {
            let root = yaml::parse(text)?;
            package = own_name(Some(&root));
            // Read as JSON too, where the YAML reading cannot tell: JSON's `true`, not the
            // string "true"; the root's workspace. Once, and only for those.
            let root_manifest = path == "package.json";
            let maybe_private = root.get("private").and_then(Node::as_str) == Some("true");
            if let Some(json) = (root_manifest || maybe_private)
                .then(|| workspaces::parse_package_json(text))
                .flatten()
            {
                private = json.get("private") == Some(&serde_json::Value::Bool(true));
                if root_manifest {
                    workspace_members = workspaces::npm_member_globs(&json);
                }
            }
            for section in ["dependencies", "optionalDependencies"] {
                push_npm(&mut found, root.get(section));
            }
            // What the code that uses the package must bring (`peerDependencies`: a React
            // component library's `next`) is no more the package's own than its dev tools.
            found.development = true;
            for section in ["peerDependencies", "devDependencies"] {
                push_npm(&mut found, root.get(section));
            }
        }
        Format::Composer => {
            let root = yaml::parse(text)?;
            push_keys(&mut found, root.get("require"));
            found.development = true;
            push_keys(&mut found, root.get("require-dev"));
        }
        Format::Pyproject => read_pyproject(&toml_node::parse(text)?, &mut found),
        Format::Pipfile => {
            let root = toml_node::parse(text)?;
            push_python_keys(&mut found, root.get("packages"));
            found.development = true;
            push_python_keys(&mut found, root.get("dev-packages"));
        }
        Format::Requirements => {
            found.development = ["dev", "test", "lint", "doc", "ci"]
                .iter()
                .any(|word| path.rsplit('/').next().unwrap_or(path).contains(word))
                || sets_up_development(text);
            read_requirements(text, &mut found);
        }
        Format::SetupCfg => read_setup_cfg(text, &mut found),
        Format::GoMod => read_go_mod(text, &mut found),
        Format::Maven => read_maven(text, &mut found),
        Format::Gradle => read_gradle(text, &mut found),
        Format::GradleCatalog => read_gradle_catalog(&toml_node::parse(text)?, &mut found),
        Format::NuGet => push_captures(text, nuget(), &mut found),
        Format::NuGetShared => {
            let conditional = conditional_groups(text);
            push_captures_for(text, nuget(), &mut found, |at| {
                conditional.iter().any(|group| group.contains(&at))
            });
        }
        Format::Gemfile => push_captures(text, gemfile(), &mut found),
        Format::Gemspec => read_gemspec(text, &mut found),
        Format::Mix => read_mix(text, &mut found),
        Format::CMake => push_captures(text, cmake(), &mut found),
        Format::Vcpkg => {
            let root = yaml::parse(text)?;
            for dependency in root
                .get("dependencies")
                .map(Node::items)
                .unwrap_or_default()
            {
                let name = dependency.get("name").unwrap_or(dependency);
                if let Some(text) = name.as_str() {
                    found.push(text, name.line);
                }
            }
        }
        Format::Conan => read_conan(text, &mut found),
    }
    // TOML tables come back ordered by key; evidence reads best in file order.
    let mut dependencies = found.list;
    dependencies.sort_by_key(|dependency| dependency.line);
    Ok(Manifest {
        package,
        private,
        workspace_members,
        dependencies,
    })
}

/// A table's `name`, the package a package.json or a Cargo.toml's `[package]` declares.
fn own_name(table: Option<&Node>) -> Option<String> {
    let name = table?.get("name")?.as_str()?;
    (!name.is_empty()).then(|| name.to_owned())
}

fn read_cargo(root: &Node, found: &mut Declared) {
    // A build script's dependencies run when it compiles, not in what it ships.
    let sections = [
        ("dependencies", false),
        ("build-dependencies", true),
        ("dev-dependencies", true),
    ];
    let mut tables: Vec<(&Node, bool)> = sections
        .iter()
        .filter_map(|&(key, development)| Some((root.get(key)?, development)))
        .collect();
    if let Some(workspace) = root.get("workspace") {
        tables.extend(workspace.get("dependencies").map(|table| (table, false)));
    }
    for (_, target) in root.get("target").into_iter().flat_map(Node::entries) {
        tables.extend(
            sections
                .iter()
                .filter_map(|&(key, development)| Some((target.get(key)?, development))),
        );
    }
    for (table, development) in tables {
        found.development = development;
        for (key, spec) in table.entries() {
            // `alias = { package = "real-name" }` depends on `real-name`.
            let name = spec.get("package").unwrap_or(key);
            if let Some(text) = name.as_str() {
                found.push_at(text, key.line, spec.get("path").is_some(), false);
            }
        }
    }
}

fn read_pyproject(root: &Node, found: &mut Declared) {
    if let Some(project) = root.get("project") {
        push_requirements(found, project.get("dependencies"));
        // Extras are what a package's users may add (`pip install x[async]`) or its developers
        // install (`[test]`): a server framework among them does not make the project a
        // service (a client library's `async = ["aiohttp"]`, a framework's test `fastapi`).
        found.development = true;
        for (_, extra) in project
            .get("optional-dependencies")
            .into_iter()
            .flat_map(Node::entries)
        {
            push_requirements(found, Some(extra));
        }
        found.development = false;
    }
    let tool = root.get("tool");
    let poetry = tool.and_then(|tool| tool.get("poetry"));
    if let Some(poetry) = poetry {
        push_python_keys(found, poetry.get("dependencies"));
    }
    // Everything below is for development: groups, dev dependencies.
    found.development = true;
    for (_, group) in root
        .get("dependency-groups")
        .into_iter()
        .flat_map(Node::entries)
    {
        push_requirements(found, Some(group));
    }
    let Some(tool) = tool else {
        return;
    };
    if let Some(poetry) = poetry {
        push_python_keys(found, poetry.get("dev-dependencies"));
        for (name, group) in poetry.get("group").into_iter().flat_map(Node::entries) {
            // Poetry's `main` group is the runtime one.
            found.development = name.as_str() != Some("main");
            push_python_keys(found, group.get("dependencies"));
        }
        found.development = true;
    }
    for (_, group) in tool
        .get("pdm")
        .and_then(|pdm| pdm.get("dev-dependencies"))
        .into_iter()
        .flat_map(Node::entries)
    {
        push_requirements(found, Some(group));
    }
    push_requirements(
        found,
        tool.get("uv").and_then(|uv| uv.get("dev-dependencies")),
    );
}

/// package.json's dependencies: each key, local where its version is the workspace's
/// (`"workspace:*"`), which resolves by name to a package of the tree, or a path (see
/// [`Dependency::by_path`]).
fn push_npm(found: &mut Declared, table: Option<&Node>) {
    for (key, spec) in table.into_iter().flat_map(Node::entries) {
        let version = spec.as_str().unwrap_or_default();
        let by_path = ["file:", "link:", "portal:", "./", "../", "/"]
            .iter()
            .any(|prefix| version.starts_with(prefix));
        if let Some(name) = key.as_str() {
            let local = by_path || version.starts_with("workspace:");
            found.push_at(name, key.line, local, by_path);
        }
    }
}

fn push_keys(found: &mut Declared, table: Option<&Node>) {
    for (key, _) in table.into_iter().flat_map(Node::entries) {
        if let Some(name) = key.as_str() {
            found.push(name, key.line);
        }
    }
}

/// Each key of a Python table (Poetry, Pipfile), normalized; `python` is the interpreter.
/// A Poetry dependency marked `optional = true` is an extra, which the project's users may
/// add (`pip install x[server]`): development, like `[project.optional-dependencies]`.
fn push_python_keys(found: &mut Declared, table: Option<&Node>) {
    let development = found.development;
    for (key, spec) in table.into_iter().flat_map(Node::entries) {
        if let Some(name) = key.as_str().and_then(requirement_name)
            && name != "python"
        {
            found.development =
                development || spec.get("optional").and_then(Node::as_str) == Some("true");
            found.push(name, key.line);
        }
    }
    found.development = development;
}

/// Each PEP 508 requirement string of a list (`"requests[socks]>=2.31; python_version<'4'"`).
fn push_requirements(found: &mut Declared, list: Option<&Node>) {
    for item in list.map(Node::items).unwrap_or_default() {
        if let Some(name) = item.as_str().and_then(requirement_name) {
            found.push(name, item.line);
        }
    }
}

/// The normalized project name a PEP 508 requirement starts with.
fn requirement_name(requirement: &str) -> Option<String> {
    let requirement = requirement.trim();
    let end = requirement
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        .unwrap_or(requirement.len());
    let name = &requirement[..end];
    if name.is_empty() || !name.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        return None;
    }
    let mut normalized = String::with_capacity(name.len());
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            if !normalized.ends_with('-') {
                normalized.push('-');
            }
        } else {
            normalized.push(c.to_ascii_lowercase());
        }
    }
    Some(normalized)
}

/// Whether a requirements file sets up the development environment of the project it sits
/// in: it installs the project itself (`-e .[dev]`, `.`) beside test or lint tools. Then the
/// project's own manifest declares its runtime dependencies and the rest is tooling (httpx's
/// test server); a file that pins an application's runtime and installs it too is not.
fn sets_up_development(text: &str) -> bool {
    let mut installs_the_project = false;
    let mut tooling = false;
    for line in text.lines() {
        let line = line.split(" #").next().unwrap_or_default().trim();
        let target = ["-e", "--editable"]
            .iter()
            .find_map(|option| line.strip_prefix(option))
            .filter(|rest| rest.starts_with([' ', '\t', '=']))
            .map_or(line, |rest| rest[1..].trim());
        let target = target.strip_prefix("file:").unwrap_or(target);
        // Extras, an egg name or a marker may follow the path.
        let target = target.split(['[', '#', ';']).next().unwrap_or_default();
        installs_the_project |= target.trim_end().trim_end_matches('/') == ".";
        tooling |= requirement_name(line).is_some_and(|name| {
            DEVELOPMENT_TOOLS.contains(&name.as_str()) || name.starts_with("pytest-")
        });
    }
    installs_the_project && tooling
}

/// Test runners and linters: what a requirements file for developing a project lists.
const DEVELOPMENT_TOOLS: &[&str] = &[
    "pytest",
    "coverage",
    "ruff",
    "mypy",
    "flake8",
    "black",
    "pylint",
    "isort",
    "tox",
    "nox",
    "pre-commit",
    "hypothesis",
];

/// `requirements.txt` and pip-tools `.in` files: a requirement a line; options (`-r`,
/// `-e`, `--hash`), URLs and comments are not names. In a file pip-compile (or `uv pip
/// compile`) wrote, a requirement whose `# via` names only other packages is one of theirs,
/// not the project's (Airflow's `opentelemetry-api`), and is left out, as Go's `// indirect`.
fn read_requirements(text: &str, found: &mut Declared) {
    // The requirement being read, and whether a `# via` seen after it names a packages only.
    let mut pending: Option<(String, u32)> = None;
    let mut via: Option<bool> = None;
    let mut flush = |pending: &mut Option<(String, u32)>, via: &mut Option<bool>| {
        if let Some((name, number)) = pending.take()
            && *via != Some(false)
        {
            found.push(name, number);
        }
        *via = None;
    };
    for (number, line) in numbered_lines(text) {
        let trimmed = line.trim();
        if let Some(comment) = trimmed.strip_prefix('#') {
            let comment = comment.trim();
            let named = match comment.strip_prefix("via") {
                Some(rest) if rest.is_empty() || rest.starts_with(' ') => Some(rest.trim()),
                _ if via.is_some() => Some(comment),
                _ => None,
            };
            if let (Some(named), Some(_)) = (named, &pending) {
                // `-r requirements.in`, or the project's own manifest: `myapp (setup.py)`.
                let direct = named.starts_with("-r ")
                    || named.starts_with("-c ")
                    || [" (setup.py)", " (setup.cfg)", " (pyproject.toml)"]
                        .iter()
                        .any(|manifest| named.ends_with(manifest));
                via = Some(via.unwrap_or(false) || direct);
            }
            continue;
        }
        let line = line.split(" #").next().unwrap_or_default().trim();
        if line.starts_with('-') || line.is_empty() {
            continue;
        }
        // A direct reference names its package (`notifications-utils @ git+https://…`), a
        // bare URL by its egg (`git+https://…#egg=name`) or not at all.
        let line = match line.split_once("://") {
            None => line,
            Some((before, after)) => match (before.split_once('@'), after.rsplit_once("#egg=")) {
                (Some((name, _)), _) => name,
                (None, Some((_, egg))) => egg,
                (None, None) => continue,
            },
        };
        flush(&mut pending, &mut via);
        pending = requirement_name(line).map(|name| (name, number));
    }
    flush(&mut pending, &mut via);
}

/// setuptools' `setup.cfg`: `install_requires`, `tests_require`, `setup_requires` in
/// `[options]` and every key of `[options.extras_require]`, one requirement per
/// continuation line (or after `=` on the key's own line).
fn read_setup_cfg(text: &str, found: &mut Declared) {
    const KEYS: [&str; 3] = ["install_requires", "tests_require", "setup_requires"];
    let mut section = String::new();
    let mut in_list = false;
    for (number, line) in numbered_lines(text) {
        let trimmed = line.trim();
        if trimmed.starts_with('[') {
            section = trimmed.trim_matches(['[', ']']).trim().to_owned();
            in_list = false;
            continue;
        }
        if trimmed.is_empty() || trimmed.starts_with(['#', ';']) {
            continue;
        }
        let value = if line.starts_with([' ', '\t']) {
            in_list.then_some(trimmed)
        } else {
            let (key, value) = trimmed.split_once(['=', ':']).unwrap_or((trimmed, ""));
            in_list = match section.as_str() {
                "options" => KEYS.contains(&key.trim()),
                "options.extras_require" => true,
                _ => false,
            };
            found.development = section == "options" && key.trim() != "install_requires";
            in_list.then_some(value.trim())
        };
        if let Some(name) = value.and_then(requirement_name) {
            found.push(name, number);
        }
    }
}

/// `go.mod`: `require path version` lines and `require ( … )` blocks. A requirement marked
/// `// indirect` is a dependency's dependency, which the module's own code does not import:
/// no evidence of what the project does (an OpenTelemetry exporter pulled in by a cloud SDK
/// is not tracing).
fn read_go_mod(text: &str, found: &mut Declared) {
    let mut in_block = false;
    for (number, line) in numbered_lines(text) {
        let (line, comment) = line.split_once("//").unwrap_or((line, ""));
        let line = line.trim();
        let indirect = comment.trim() == "indirect";
        let module = if in_block {
            if line.starts_with(')') {
                in_block = false;
                continue;
            }
            line
        } else if let Some(rest) = line.strip_prefix("require") {
            let rest = rest.trim();
            if rest.starts_with('(') {
                in_block = true;
                continue;
            }
            rest
        } else {
            continue;
        };
        if indirect {
            continue;
        }
        if let Some(path) = module.split_whitespace().next() {
            found.push(path.trim_matches('"'), number);
        }
    }
}

/// `pom.xml`: each `<dependency>` and `<plugin>` as `groupId:artifactId` (a plugin without
/// a group is one of Maven's own, `org.apache.maven.plugins`).
fn read_maven(text: &str, found: &mut Declared) {
    static BLOCK: OnceLock<Regex> = OnceLock::new();
    static GROUP: OnceLock<Regex> = OnceLock::new();
    static ARTIFACT: OnceLock<Regex> = OnceLock::new();
    let block = BLOCK.get_or_init(|| {
        Regex::new(r"(?s)<(dependency|plugin)>(.*?)</(?:dependency|plugin)>").expect("valid regex")
    });
    let group = GROUP
        .get_or_init(|| Regex::new(r"<groupId>\s*([^<\s]+)\s*</groupId>").expect("valid regex"));
    let artifact = ARTIFACT.get_or_init(|| {
        Regex::new(r"<artifactId>\s*([^<\s]+)\s*</artifactId>").expect("valid regex")
    });
    let lines = LineIndex::new(text.as_bytes());
    for captures in block.captures_iter(text) {
        let body = &captures[2];
        let Some(artifact) = artifact.captures(body).and_then(|found| found.get(1)) else {
            continue;
        };
        let group = match group.captures(body) {
            Some(found) => found[1].to_owned(),
            None if &captures[1] == "plugin" => "org.apache.maven.plugins".to_owned(),
            None => continue,
        };
        let at = captures.get(2).map_or(0, |body| body.start()) + artifact.start();
        found.development = &captures[1] == "plugin"
            || body.contains("<scope>test</scope>")
            || body.contains("<scope>provided</scope>");
        found.push(format!("{group}:{}", artifact.as_str()), lines.line(at));
    }
}

/// `build.gradle(.kts)`: `"group:artifact:version"` coordinates in dependency
/// configurations, or Groovy's map notation (`implementation group: 'com.launchdarkly',
/// name: 'sdk', version: '7'`), and plugin ids (`id("org.springframework.boot")`, `id 'jacoco'`).
fn read_gradle(text: &str, found: &mut Declared) {
    static COORDINATE: OnceLock<Regex> = OnceLock::new();
    static PLUGIN: OnceLock<Regex> = OnceLock::new();
    let coordinate = COORDINATE.get_or_init(|| {
        Regex::new(concat!(
            r#"\b([A-Za-z]+)\s*\(?\s*(?:"#,
            r#"(?:platform\s*\(\s*)?["'](?<name>[\w.\-]+:[\w.\-]+)(?::[^"']*)?["']"#,
            r#"|group\s*:\s*["'](?<group>[\w.\-]+)["']\s*,\s*name\s*:\s*["'](?<artifact>[\w.\-]+)["'])"#,
        ))
        .expect("valid regex")
    });
    let plugin = PLUGIN
        .get_or_init(|| Regex::new(r#"\bid\s*\(?\s*["']([\w.\-]+)["']"#).expect("valid regex"));
    let lines = LineIndex::new(text.as_bytes());
    for captures in coordinate.captures_iter(text) {
        let configuration = &captures[1];
        found.development =
            configuration.starts_with("test") || configuration.starts_with("androidTest");
        let (name, at) = match (captures.name("name"), captures.name("group")) {
            (Some(name), _) => (name.as_str().to_owned(), name.start()),
            (None, Some(group)) => (
                format!("{}:{}", group.as_str(), &captures["artifact"]),
                group.start(),
            ),
            (None, None) => continue,
        };
        found.push(name, lines.line(at));
    }
    // Build plugins shape the build, not what the program runs with.
    found.development = true;
    push_captures(text, plugin, found);
}

/// `gradle/libs.versions.toml`: `[libraries]` as `group:artifact`, `[plugins]` by id.
fn read_gradle_catalog(root: &Node, found: &mut Declared) {
    for (key, library) in root.get("libraries").into_iter().flat_map(Node::entries) {
        let module = match library.as_str() {
            Some(coordinates) => coordinates
                .splitn(3, ':')
                .take(2)
                .collect::<Vec<_>>()
                .join(":"),
            None => match (
                library.get("module"),
                library.get("group"),
                library.get("name"),
            ) {
                (Some(module), _, _) => module.as_str().unwrap_or_default().to_owned(),
                (None, Some(group), Some(name)) => format!(
                    "{}:{}",
                    group.as_str().unwrap_or_default(),
                    name.as_str().unwrap_or_default()
                ),
                _ => continue,
            },
        };
        found.push(module, key.line);
    }
    for (key, plugin) in root.get("plugins").into_iter().flat_map(Node::entries) {
        let id = plugin
            .as_str()
            .or_else(|| plugin.get("id").and_then(Node::as_str));
        if let Some(id) = id {
            let id = id.split(':').next().unwrap_or(id);
            found.push(id, key.line);
        }
    }
}

fn nuget() -> &'static Regex {
    static NUGET: OnceLock<Regex> = OnceLock::new();
    NUGET.get_or_init(|| {
        // The project SDK counts too: `Microsoft.NET.Sdk.Web` is an ASP.NET Core service.
        // Not a central `PackageVersion`: it only sets the version a project's reference
        // takes, and lists packages no project may use (a test's ASP.NET Core host in a
        // client library's Directory.Packages.props).
        Regex::new(r#"(?i)<(?:PackageReference|GlobalPackageReference)\s+[^>]*?Include\s*=\s*"([^"]+)"|<package\s+[^>]*?id\s*=\s*"([^"]+)"|<Project\s+[^>]*?Sdk\s*=\s*"([^"/]+)"#)
            .expect("valid regex")
    })
}

/// Where `text`'s conditional item groups are (`<ItemGroup Condition="'$(IsTestProject)' ==
/// 'true'">`): a shared file's references for some projects only (the test projects' test
/// framework and ASP.NET Core test host), taken as development dependencies, not as every
/// project's.
fn conditional_groups(text: &str) -> Vec<std::ops::Range<usize>> {
    static GROUP: OnceLock<Regex> = OnceLock::new();
    let group = GROUP.get_or_init(|| {
        Regex::new(r"(?is)<ItemGroup\b[^>]*\bCondition\s*=[^>]*>.*?</ItemGroup\s*>")
            .expect("valid regex")
    });
    group.find_iter(text).map(|found| found.range()).collect()
}

fn gemfile() -> &'static Regex {
    static GEMFILE: OnceLock<Regex> = OnceLock::new();
    GEMFILE
        .get_or_init(|| Regex::new(r#"(?m)^\s*gem\s*\(?\s*["']([^"']+)["']"#).expect("valid regex"))
}

/// `*.gemspec`: `add_dependency`, `add_runtime_dependency`, `add_development_dependency`.
fn read_gemspec(text: &str, found: &mut Declared) {
    static GEMSPEC: OnceLock<Regex> = OnceLock::new();
    let gemspec = GEMSPEC.get_or_init(|| {
        Regex::new(r#"\badd_(development_|runtime_)?dependency\s*\(?\s*["'](?<name>[^"']+)["']"#)
            .expect("valid regex")
    });
    push_declared(text, gemspec, found, |captures| {
        captures
            .get(1)
            .is_some_and(|kind| kind.as_str() == "development_")
    });
}

/// Elixir's `mix.exs`: `{:name, "~> 1.0"}` tuples; `only: [:dev, :test]` ones are for
/// development, and so is every tuple of a `defp deps(:test)` or `deps(:dev)` clause (a
/// project that picks its dependencies by Mix environment).
fn read_mix(text: &str, found: &mut Declared) {
    static DEPENDENCY: OnceLock<Regex> = OnceLock::new();
    static CLAUSE: OnceLock<Regex> = OnceLock::new();
    let dependency = DEPENDENCY.get_or_init(|| {
        Regex::new(r"\{\s*:(?<name>[a-z_][a-z0-9_]*)\s*,(?<options>[^}\n]*)").expect("valid regex")
    });
    let clause = CLAUSE.get_or_init(|| {
        Regex::new(r"(?m)^\s*defp?\s+(?<name>[a-z_][a-z0-9_?!]*)(?<args>\([^)\n]*\))?")
            .expect("valid regex")
    });
    // Where each function clause starts, and whether it is a development `deps` clause.
    let clauses: Vec<(usize, bool)> = clause
        .captures_iter(text)
        .map(|captures| {
            let args = captures.name("args").map_or("", |args| args.as_str());
            let development = &captures["name"] == "deps"
                && matches!(args.trim_matches(['(', ')', ' ']), ":test" | ":dev");
            (captures.get(0).map_or(0, |all| all.start()), development)
        })
        .collect();
    let in_development_clause = |offset: usize| {
        clauses
            .iter()
            .take_while(|&&(start, _)| start <= offset)
            .last()
            .is_some_and(|&(_, development)| development)
    };
    push_declared(text, dependency, found, |captures| {
        let options = &captures["options"];
        (options.contains("only:") && !options.contains(":prod"))
            || captures
                .get(0)
                .is_some_and(|tuple| in_development_clause(tuple.start()))
    });
}

fn cmake() -> &'static Regex {
    static CMAKE: OnceLock<Regex> = OnceLock::new();
    CMAKE.get_or_init(|| {
        Regex::new(r"(?i)\b(?:find_package|FetchContent_Declare)\s*\(\s*([A-Za-z0-9_.+-]+)")
            .expect("valid regex")
    })
}

/// `conanfile.txt`: `name/version` lines under `[requires]` (and `[tool_requires]`, for
/// development).
fn read_conan(text: &str, found: &mut Declared) {
    let mut section = "";
    for (number, line) in numbered_lines(text) {
        let line = line.trim();
        if line.starts_with('[') {
            section = line;
            found.development = section != "[requires]";
            continue;
        }
        if matches!(
            section,
            "[requires]" | "[tool_requires]" | "[build_requires]"
        ) && let Some((name, _)) = line.split_once('/')
        {
            found.push(name, number);
        }
    }
}

/// The first participating group of each match of `pattern`, at its line.
fn push_captures(text: &str, pattern: &Regex, found: &mut Declared) {
    let development = found.development;
    push_captures_for(text, pattern, found, |_| development);
}

/// [`push_captures`], each a development dependency when `development` says so of where its
/// name starts.
fn push_captures_for(
    text: &str,
    pattern: &Regex,
    found: &mut Declared,
    development: impl Fn(usize) -> bool,
) {
    let lines = LineIndex::new(text.as_bytes());
    for captures in pattern.captures_iter(text) {
        if let Some(name) = captures.iter().skip(1).flatten().next() {
            found.development = development(name.start());
            found.push(name.as_str(), lines.line(name.start()));
        }
    }
}

/// Each match of `pattern`: its `name` group, at its line, a development dependency when
/// `development` says so of the match.
fn push_declared(
    text: &str,
    pattern: &Regex,
    found: &mut Declared,
    development: impl Fn(&Captures) -> bool,
) {
    let lines = LineIndex::new(text.as_bytes());
    for captures in pattern.captures_iter(text) {
        found.development = development(&captures);
        let name = captures
            .name("name")
            .expect("the pattern has a `name` group");
        found.push(name.as_str(), lines.line(name.start()));
    }
}

fn numbered_lines(text: &str) -> impl Iterator<Item = (u32, &str)> {
    (1u32..).zip(text.lines())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each format the reader knows is one the built-in `@manifests` set selects.
    #[test]
    fn every_format_read_is_a_builtin_manifest() {
        let manifests = &crate::rules::builtin_definitions().sets["manifests"];
        let selected = crate::rules::glob_set(manifests);
        for path in EXAMPLE_PATHS {
            assert!(format_of(path).is_some(), "{path} is read");
            assert!(selected.is_match(path), "{path} is in @manifests");
        }
    }

    #[test]
    fn a_manifest_names_the_package_it_declares() {
        let package = |path: &str, text: &str| read(path, text).unwrap().package;
        assert_eq!(
            package(
                "package.json",
                r#"{"name": "@acme/logger", "dependencies": {"pino": "9"}}"#
            ),
            Some("@acme/logger".to_owned())
        );
        assert_eq!(
            package("crates/log/Cargo.toml", "[package]\nname = \"acme-log\"\n"),
            Some("acme-log".to_owned())
        );
        // A virtual workspace, a package.json without a name, a name that is not one.
        assert_eq!(
            package("Cargo.toml", "[workspace]\nmembers = [\"a\"]\n"),
            None
        );
        assert_eq!(package("package.json", r#"{"private": true}"#), None);
        assert_eq!(package("package.json", r#"{"name": ""}"#), None);
        assert_eq!(package("pom.xml", "<project/>"), None);
        // Only a package.json that says so in JSON's own `true` is kept from its registry.
        let private = |text: &str| read("package.json", text).unwrap().private;
        assert!(private(r#"{"name": "backend-lib", "private": true}"#));
        assert!(!private(r#"{"name": "backend-lib", "private": "no"}"#));
        assert!(!private(r#"{"name": "backend-lib", "private": "true"}"#));
        assert!(!private(r#"{"name": "backend-lib"}"#));
    }

    fn names(path: &str, text: &str) -> Vec<(String, u32)> {
        read(path, text)
            .unwrap()
            .dependencies
            .into_iter()
            .map(|found| (found.name, found.line))
            .collect()
    }

    fn development(path: &str, text: &str) -> Vec<String> {
        read(path, text)
            .unwrap()
            .dependencies
            .into_iter()
            .filter(|found| found.development)
            .map(|found| found.name)
            .collect()
    }

    #[test]
    fn development_dependencies_are_told_apart() {
        let cargo = "[dependencies]\naxum = \"0.8\"\n[dev-dependencies]\ntokio-test = \"0.4\"\n";
        assert_eq!(development("Cargo.toml", cargo), ["tokio-test"]);
        let package =
            "{\"dependencies\": {\"ky\": \"1\"}, \"devDependencies\": {\"express\": \"4\"}}";
        assert_eq!(development("package.json", package), ["express"]);
        let pyproject = "[tool.poetry.dependencies]\nflask = \"*\"\n[tool.poetry.group.test.dependencies]\npytest = \"*\"\n[tool.poetry.group.main.dependencies]\ngunicorn = \"*\"\n";
        assert_eq!(development("pyproject.toml", pyproject), ["pytest"]);
        // A package's extras, its users' options or its test tools, are not what it runs on;
        // a Poetry project's own dependencies after them still are.
        let extras = "[project]\nname = \"client\"\ndependencies = [\"anyio\"]\n[project.optional-dependencies]\nasync = [\"aiohttp>=3\"]\ntest = [\"fastapi\"]\n[tool.poetry.dependencies]\nuvicorn = \"*\"\nstarlette = { version = \"*\", optional = true }\n";
        assert_eq!(
            development("pyproject.toml", extras),
            ["aiohttp", "fastapi", "starlette"]
        );
        assert_eq!(development("requirements-dev.txt", "flask\n"), ["flask"]);
        assert!(development("requirements.txt", "flask\n").is_empty());
        for itself in [
            "-e .[http2,cli]",
            "--editable=.",
            ".",
            "-e ./",
            "-e file:.#egg=x",
            "-e\t.",
        ] {
            let text = format!("# the project\n{itself}\n# tests\npytest==8.4\nuvicorn==0.35\n");
            assert_eq!(
                development("requirements.txt", &text),
                ["pytest", "uvicorn"],
                "{itself}"
            );
        }
        let other = "-e ./vendored/lib\n-e git+https://x/y.git#egg=y\nflask\npytest\n";
        assert!(development("requirements.txt", other).is_empty());
        // An application's pinned runtime that installs the application too is its runtime.
        let pinned = "flask==2.3.3\ngunicorn==21.2.0\n-e .\n";
        assert!(development("requirements.txt", pinned).is_empty());
        let pom = "<dependency><groupId>org.springframework.boot</groupId><artifactId>spring-boot-starter-web</artifactId></dependency>\n<dependency><groupId>org.junit.jupiter</groupId><artifactId>junit-jupiter</artifactId><scope>test</scope></dependency>\n";
        assert_eq!(
            development("pom.xml", pom),
            ["org.junit.jupiter:junit-jupiter"]
        );
        let gradle = "dependencies {\n  implementation 'io.ktor:ktor-server-core:2'\n  testImplementation 'io.kotest:kotest-runner-junit5:5'\n}\n";
        assert_eq!(
            development("build.gradle", gradle),
            ["io.kotest:kotest-runner-junit5"]
        );
        let gemspec = "s.add_dependency 'rack'\ns.add_development_dependency 'rspec'\n";
        assert_eq!(development("x.gemspec", gemspec), ["rspec"]);
        let csproj = "<Project Sdk=\"Microsoft.NET.Sdk.Web\">\n</Project>\n";
        assert_eq!(
            names("Api.csproj", csproj),
            [("Microsoft.NET.Sdk.Web".to_owned(), 1)]
        );
    }

    fn expect(path: &str, text: &str, expected: &[(&str, u32)]) {
        let expected: Vec<(String, u32)> = expected
            .iter()
            .map(|(name, line)| ((*name).to_owned(), *line))
            .collect();
        assert_eq!(names(path, text), expected, "{path}");
    }

    #[test]
    fn cargo_sections_targets_workspaces_and_renames() {
        let text = "[package]\nname = \"x\"\n[dependencies]\ntracing = \"0.1\"\notel = { package = \"opentelemetry\", version = \"0.30\" }\n[dev-dependencies.proptest]\nversion = \"1\"\n[target.'cfg(unix)'.dependencies]\nnix = \"0.29\"\n[workspace.dependencies]\nserde = \"1\"\n";
        expect(
            "crates/x/Cargo.toml",
            text,
            &[
                ("tracing", 4),
                ("opentelemetry", 5),
                ("proptest", 6),
                ("nix", 9),
                ("serde", 11),
            ],
        );
    }

    #[test]
    fn package_json_and_composer_sections() {
        let package = "{\n  \"name\": \"x\",\n  \"dependencies\": {\"pino\": \"^9\"},\n  \"devDependencies\": {\n    \"vitest\": \"^2\"\n  }\n}\n";
        expect("package.json", package, &[("pino", 3), ("vitest", 5)]);
        // A component library's framework is its users' to bring, as its test runner is its own.
        let library =
            r#"{"peerDependencies": {"next": "^15"}, "devDependencies": {"vitest": "^2"}}"#;
        assert_eq!(development("package.json", library), ["next", "vitest"]);
        // A dependency on a path is that path's code, not the registry's package of its name.
        let phoenix_assets = "{\"dependencies\": {\"phoenix\": \"file:../deps/phoenix\", \"topbar\": \"^3\",\n\"shared\": \"link:../shared\", \"html\": \"../deps/phoenix_html\"}}";
        let by_path: Vec<(String, bool)> = read("package.json", phoenix_assets)
            .unwrap()
            .dependencies
            .into_iter()
            .map(|found| (found.name, found.by_path))
            .collect();
        assert_eq!(
            by_path,
            [
                ("phoenix".to_owned(), true),
                ("topbar".to_owned(), false),
                ("shared".to_owned(), true),
                ("html".to_owned(), true)
            ]
        );
        let composer = "{\"require\": {\"php\": \">=8.2\", \"monolog/monolog\": \"^3\"},\n\"require-dev\": {\"phpunit/phpunit\": \"^11\"}}\n";
        expect(
            "composer.json",
            composer,
            &[("php", 1), ("monolog/monolog", 1), ("phpunit/phpunit", 2)],
        );
    }

    #[test]
    fn python_manifests_normalize_names() {
        let pyproject = "[project]\ndependencies = [\n  \"Sentry_SDK[flask]>=2\",\n  \"structlog\",\n]\n[project.optional-dependencies]\ntest = [\"pytest>=8\"]\n[dependency-groups]\ndev = [\"ruff\", {include-group = \"test\"}]\n[tool.poetry.dependencies]\npython = \"^3.12\"\nOpenTelemetry-API = \"*\"\n[tool.poetry.group.test.dependencies]\nhypothesis = \"*\"\n";
        expect(
            "pyproject.toml",
            pyproject,
            &[
                ("sentry-sdk", 3),
                ("structlog", 4),
                ("pytest", 7),
                ("ruff", 9),
                ("opentelemetry-api", 12),
                ("hypothesis", 14),
            ],
        );
        let requirements = "# pinned\n-r base.txt\nprometheus_client==0.20 # metrics\n-e git+https://x/y.git#egg=y\nloguru ; python_version >= '3.8'\n--hash=sha256:abc\n";
        expect(
            "requirements/dev.txt",
            requirements,
            &[("prometheus-client", 3), ("loguru", 5)],
        );
        let setup_cfg = "[metadata]\nname = x\n[options]\ninstall_requires =\n    requests>=2\n    structlog\npython_requires = >=3.9\n[options.extras_require]\ntest = pytest\n    pytest-cov\n";
        expect(
            "setup.cfg",
            setup_cfg,
            &[
                ("requests", 5),
                ("structlog", 6),
                ("pytest", 9),
                ("pytest-cov", 10),
            ],
        );
        let pipfile = "[packages]\nflask = \"*\"\n[dev-packages]\npytest = \"*\"\n";
        expect("Pipfile", pipfile, &[("flask", 2), ("pytest", 4)]);
    }

    /// Fresh labels (mozilla/telemetry-airflow): what pip-compile lists for another package
    /// is not the project's dependency.
    #[test]
    fn a_requirement_by_url_is_named_by_its_reference_or_egg() {
        let text = "notifications-utils @ git+https://github.com/alphagov/notifications-utils.git@90.0.0\ngit+https://example.org/lib.git#egg=shared_lib\nhttps://example.org/wheel.whl\n-e git+https://example.org/dev.git#egg=dev\n";
        expect(
            "requirements.txt",
            text,
            &[("notifications-utils", 1), ("shared-lib", 2)],
        );
    }

    #[test]
    fn pip_compiled_requirements_of_other_packages_are_left_out() {
        let text = "# autogenerated by pip-compile\napache-airflow==2.10.5\n    # via -r requirements.in\nopentelemetry-api==1.27.0\n    # via\n    #   apache-airflow\n    #   opentelemetry-sdk\nstatsd==4.0.1\n    # via\n    #   -r requirements.in\n    #   apache-airflow\nflask==3.0 \\\n    --hash=sha256:abc\n    # via apache-airflow\nrequests==2.32\nsentry-sdk==2.0.0\n    # via myapp (setup.py)\n";
        expect(
            "requirements.txt",
            text,
            &[
                ("apache-airflow", 2),
                ("statsd", 8),
                ("requests", 15),
                ("sentry-sdk", 16),
            ],
        );
    }

    #[test]
    fn go_mod_requires() {
        let text = "module example.com/x\n\ngo 1.23\n\nrequire github.com/rs/zerolog v1.33.0\nrequire (\n\tgo.opentelemetry.io/otel v1.30.0\n\tgithub.com/stretchr/testify v1.9.0 // indirect\n\tgithub.com/lib/pq v1.10.9 // pinned: see #12\n)\nrequire go.uber.org/zap v1.27.0 // indirect\n";
        // Indirect requirements (a dependency's dependencies) are left out.
        expect(
            "go.mod",
            text,
            &[
                ("github.com/rs/zerolog", 5),
                ("go.opentelemetry.io/otel", 7),
                ("github.com/lib/pq", 9),
            ],
        );
    }

    #[test]
    fn jvm_manifests() {
        let pom = "<project>\n  <dependencies>\n    <dependency>\n      <groupId>io.micrometer</groupId>\n      <artifactId>micrometer-registry-prometheus</artifactId>\n    </dependency>\n  </dependencies>\n  <build><plugins><plugin>\n    <artifactId>maven-surefire-plugin</artifactId>\n  </plugin></plugins></build>\n</project>\n";
        expect(
            "pom.xml",
            pom,
            &[
                ("io.micrometer:micrometer-registry-prometheus", 5),
                ("org.apache.maven.plugins:maven-surefire-plugin", 9),
            ],
        );
        let map = "dependencies {\n  implementation group: 'com.launchdarkly', name: 'launchdarkly-java-server-sdk', version: '7.14.0'\n  testImplementation(group: \"org.junit.jupiter\", name: \"junit-jupiter\")\n}\n";
        expect(
            "build.gradle",
            map,
            &[
                ("com.launchdarkly:launchdarkly-java-server-sdk", 2),
                ("org.junit.jupiter:junit-jupiter", 3),
            ],
        );
        let gradle = "plugins {\n    id(\"org.springframework.boot\") version \"3.3.0\"\n    id 'jacoco'\n}\ndependencies {\n    implementation(\"io.opentelemetry:opentelemetry-api:1.40.0\")\n    testImplementation 'org.junit.jupiter:junit-jupiter'\n    implementation(platform(\"io.micrometer:micrometer-bom:1.13.0\"))\n}\n";
        expect(
            "app/build.gradle.kts",
            gradle,
            &[
                ("org.springframework.boot", 2),
                ("jacoco", 3),
                ("io.opentelemetry:opentelemetry-api", 6),
                ("org.junit.jupiter:junit-jupiter", 7),
                ("io.micrometer:micrometer-bom", 8),
            ],
        );
        let catalog = "[versions]\notel = \"1.40.0\"\n[libraries]\notel-api = { module = \"io.opentelemetry:opentelemetry-api\", version.ref = \"otel\" }\nsentry = \"io.sentry:sentry:7.0.0\"\njunit = { group = \"org.junit.jupiter\", name = \"junit-jupiter\" }\n[plugins]\nkover = { id = \"org.jetbrains.kotlinx.kover\", version = \"0.8\" }\n";
        expect(
            "gradle/libs.versions.toml",
            catalog,
            &[
                ("io.opentelemetry:opentelemetry-api", 4),
                ("io.sentry:sentry", 5),
                ("org.junit.jupiter:junit-jupiter", 6),
                ("org.jetbrains.kotlinx.kover", 8),
            ],
        );
    }

    #[test]
    fn dotnet_and_ruby_manifests() {
        let csproj = "<Project Sdk=\"Microsoft.NET.Sdk\">\n  <ItemGroup>\n    <PackageReference Include=\"Serilog.AspNetCore\" Version=\"8.0.0\" />\n    <PackageReference Version=\"2\" Include=\"xunit\" />\n  </ItemGroup>\n</Project>\n";
        expect(
            "src/Api/Api.csproj",
            csproj,
            &[
                ("Microsoft.NET.Sdk", 1),
                ("Serilog.AspNetCore", 3),
                ("xunit", 4),
            ],
        );
        // A central version is no reference; a global reference, or one a
        // `Directory.Build.props` gives every project below it, is.
        let central = "<Project>\n  <ItemGroup>\n    <PackageVersion Include=\"Microsoft.AspNetCore.TestHost\" Version=\"8.0.0\" />\n    <GlobalPackageReference Include=\"Nerdbank.GitVersioning\" Version=\"3.6.0\" />\n  </ItemGroup>\n</Project>\n";
        expect(
            "Directory.Packages.props",
            central,
            &[("Nerdbank.GitVersioning", 4)],
        );
        let build = "<Project>\n  <ItemGroup>\n    <PackageReference Include=\"xunit\" />\n  </ItemGroup>\n</Project>\n";
        expect("tests/Directory.Build.props", build, &[("xunit", 3)]);
        // Red team: what a condition gives some projects (the test projects) is theirs, for
        // development, not every project's.
        let conditional = "<Project>\n  <ItemGroup Condition=\"'$(IsTestProject)' == 'true'\">\n    <PackageReference Include=\"Microsoft.AspNetCore.Mvc.Testing\" />\n  </ItemGroup>\n  <ItemGroup>\n    <PackageReference Include=\"Serilog\" />\n  </ItemGroup>\n</Project>\n";
        expect(
            "Directory.Build.targets",
            conditional,
            &[("Microsoft.AspNetCore.Mvc.Testing", 3), ("Serilog", 6)],
        );
        assert_eq!(
            development("Directory.Build.targets", conditional),
            ["Microsoft.AspNetCore.Mvc.Testing"]
        );
        let gemfile = "source 'https://rubygems.org'\ngem 'rails', '~> 7.1'\ngroup :test do\n  gem \"rspec-rails\"\nend\n";
        expect("Gemfile", gemfile, &[("rails", 2), ("rspec-rails", 4)]);
    }

    #[test]
    fn mix_dependencies() {
        let text = "defp deps do\n  [\n    {:phoenix, \"~> 1.7\"},\n    {:opentelemetry_api, \"~> 1.3\"},\n    {:credo, \"~> 1.7\", only: [:dev, :test]}\n  ]\nend\n";
        expect(
            "mix.exs",
            text,
            &[("phoenix", 3), ("opentelemetry_api", 4), ("credo", 5)],
        );
        assert_eq!(development("mix.exs", text), ["credo"]);
    }

    #[test]
    fn mix_dependencies_chosen_by_environment() {
        let text = "defp deps(:test) do\n  [\n    {:plug_cowboy, \"~> 2.7\"}\n  ]\nend\n\ndefp deps(_) do\n  [{:jason, \"~> 1.4\"}]\nend\n\ndefp aliases do\n  [test: [{:x, 1}]]\nend\n";
        assert_eq!(development("mix.exs", text), ["plug_cowboy"]);
    }

    #[test]
    fn c_and_cpp_manifests() {
        let cmake = "project(currency)\nfind_package(gRPC CONFIG REQUIRED)\nfind_package( opentelemetry-cpp CONFIG REQUIRED)\nFetchContent_Declare(googletest URL x)\n";
        expect(
            "src/currency/CMakeLists.txt",
            cmake,
            &[("gRPC", 2), ("opentelemetry-cpp", 3), ("googletest", 4)],
        );
        let vcpkg = "{\n  \"dependencies\": [\"fmt\", {\"name\": \"opentelemetry-cpp\"}]\n}\n";
        expect("vcpkg.json", vcpkg, &[("fmt", 2), ("opentelemetry-cpp", 2)]);
        let conan = "[requires]\nzlib/1.3\n[tool_requires]\ncmake/3.30\n";
        expect("conanfile.txt", conan, &[("zlib", 2), ("cmake", 4)]);
    }

    #[test]
    fn malformed_manifests_are_errors_with_lines_and_unknown_files_declare_nothing() {
        let error = read("Cargo.toml", "[dependencies\nx = 1\n").unwrap_err();
        assert_eq!(error.line, Some(1));
        assert!(read("package.json", "{\"dependencies\": {\n").is_err());
        assert!(
            read("README.md", "gem 'rails'")
                .unwrap()
                .dependencies
                .is_empty()
        );
    }
}

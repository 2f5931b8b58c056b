//! Dependency manifests read into the names they declare, each with its line, so rules
//! match dependencies rather than free text (a README that mentions `sentry` is not a
//! Sentry integration).
//!
//! Names are as the ecosystem writes them: `group:artifact` for Maven and Gradle, module
//! paths for Go, and normalized names for Python (PEP 503: lowercase, runs of `-_.` as `-`).

use std::sync::OnceLock;

use regex::Regex;

use super::Located;
use super::toml_node;
use super::yaml::{self, Node, ParseError};
use crate::text::LineIndex;

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
    Gemfile,
    Gemspec,
}

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
        "Gemfile" | "gems.rb" => Format::Gemfile,
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

/// The dependencies the manifest at `path` declares (repository-relative; its file name
/// decides the format). Files of no known format declare nothing.
pub fn read(path: &str, text: &str) -> Result<Vec<Located>, ParseError> {
    let Some(format) = format_of(path) else {
        return Ok(Vec::new());
    };
    let mut found = Vec::new();
    match format {
        Format::Cargo => read_cargo(&toml_node::parse(text)?, &mut found),
        Format::PackageJson => {
            let root = yaml::parse(text)?;
            for section in [
                "dependencies",
                "devDependencies",
                "peerDependencies",
                "optionalDependencies",
            ] {
                push_keys(&mut found, root.get(section));
            }
        }
        Format::Composer => {
            let root = yaml::parse(text)?;
            push_keys(&mut found, root.get("require"));
            push_keys(&mut found, root.get("require-dev"));
        }
        Format::Pyproject => read_pyproject(&toml_node::parse(text)?, &mut found),
        Format::Pipfile => {
            let root = toml_node::parse(text)?;
            for section in ["packages", "dev-packages"] {
                push_python_keys(&mut found, root.get(section));
            }
        }
        Format::Requirements => read_requirements(text, &mut found),
        Format::SetupCfg => read_setup_cfg(text, &mut found),
        Format::GoMod => read_go_mod(text, &mut found),
        Format::Maven => read_maven(text, &mut found),
        Format::Gradle => read_gradle(text, &mut found),
        Format::GradleCatalog => read_gradle_catalog(&toml_node::parse(text)?, &mut found),
        Format::NuGet => push_captures(text, nuget(), &mut found),
        Format::Gemfile => push_captures(text, gemfile(), &mut found),
        Format::Gemspec => push_captures(text, gemspec(), &mut found),
    }
    // TOML tables come back ordered by key; evidence reads best in file order.
    found.sort_by_key(|dependency| dependency.line);
    Ok(found)
}

fn read_cargo(root: &Node, found: &mut Vec<Located>) {
    let sections = ["dependencies", "dev-dependencies", "build-dependencies"];
    let mut tables: Vec<&Node> = sections.iter().filter_map(|key| root.get(key)).collect();
    if let Some(workspace) = root.get("workspace") {
        tables.extend(workspace.get("dependencies"));
    }
    for (_, target) in root.get("target").into_iter().flat_map(Node::entries) {
        tables.extend(sections.iter().filter_map(|key| target.get(key)));
    }
    for table in tables {
        for (key, spec) in table.entries() {
            // `alias = { package = "real-name" }` depends on `real-name`.
            let name = spec.get("package").unwrap_or(key);
            if let Some(text) = name.as_str() {
                found.push(Located::new(text, key.line));
            }
        }
    }
}

fn read_pyproject(root: &Node, found: &mut Vec<Located>) {
    if let Some(project) = root.get("project") {
        push_requirements(found, project.get("dependencies"));
        for (_, extra) in project
            .get("optional-dependencies")
            .into_iter()
            .flat_map(Node::entries)
        {
            push_requirements(found, Some(extra));
        }
    }
    for (_, group) in root
        .get("dependency-groups")
        .into_iter()
        .flat_map(Node::entries)
    {
        push_requirements(found, Some(group));
    }
    let Some(tool) = root.get("tool") else {
        return;
    };
    if let Some(poetry) = tool.get("poetry") {
        push_python_keys(found, poetry.get("dependencies"));
        push_python_keys(found, poetry.get("dev-dependencies"));
        for (_, group) in poetry.get("group").into_iter().flat_map(Node::entries) {
            push_python_keys(found, group.get("dependencies"));
        }
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

/// Each key of a table (`"react": "^18"`).
fn push_keys(found: &mut Vec<Located>, table: Option<&Node>) {
    for (key, _) in table.into_iter().flat_map(Node::entries) {
        if let Some(name) = key.as_str() {
            found.push(Located::new(name, key.line));
        }
    }
}

/// Each key of a Python table (Poetry, Pipfile), normalized; `python` is the interpreter.
fn push_python_keys(found: &mut Vec<Located>, table: Option<&Node>) {
    for (key, _) in table.into_iter().flat_map(Node::entries) {
        if let Some(name) = key.as_str().and_then(requirement_name)
            && name != "python"
        {
            found.push(Located::new(name, key.line));
        }
    }
}

/// Each PEP 508 requirement string of a list (`"requests[socks]>=2.31; python_version<'4'"`).
fn push_requirements(found: &mut Vec<Located>, list: Option<&Node>) {
    for item in list.map(Node::items).unwrap_or_default() {
        if let Some(name) = item.as_str().and_then(requirement_name) {
            found.push(Located::new(name, item.line));
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

/// `requirements.txt` and pip-tools `.in` files: a requirement a line; options (`-r`,
/// `-e`, `--hash`), URLs and comments are not names.
fn read_requirements(text: &str, found: &mut Vec<Located>) {
    for (number, line) in numbered_lines(text) {
        let line = line.split(" #").next().unwrap_or_default().trim();
        if line.starts_with(['-', '#']) || line.contains("://") {
            continue;
        }
        if let Some(name) = requirement_name(line) {
            found.push(Located::new(name, number));
        }
    }
}

/// setuptools' `setup.cfg`: `install_requires`, `tests_require`, `setup_requires` in
/// `[options]` and every key of `[options.extras_require]`, one requirement per
/// continuation line (or after `=` on the key's own line).
fn read_setup_cfg(text: &str, found: &mut Vec<Located>) {
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
            in_list.then_some(value.trim())
        };
        if let Some(name) = value.and_then(requirement_name) {
            found.push(Located::new(name, number));
        }
    }
}

/// `go.mod`: `require path version` lines and `require ( … )` blocks.
fn read_go_mod(text: &str, found: &mut Vec<Located>) {
    let mut in_block = false;
    for (number, line) in numbered_lines(text) {
        let line = line.split("//").next().unwrap_or_default().trim();
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
        if let Some(path) = module.split_whitespace().next() {
            found.push(Located::new(path.trim_matches('"'), number));
        }
    }
}

/// `pom.xml`: each `<dependency>` and `<plugin>` as `groupId:artifactId` (a plugin without
/// a group is one of Maven's own, `org.apache.maven.plugins`).
fn read_maven(text: &str, found: &mut Vec<Located>) {
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
        found.push(Located::new(
            format!("{group}:{}", artifact.as_str()),
            lines.line(at),
        ));
    }
}

/// `build.gradle(.kts)`: `"group:artifact:version"` coordinates in dependency
/// configurations, and plugin ids (`id("org.springframework.boot")`, `id 'jacoco'`).
fn read_gradle(text: &str, found: &mut Vec<Located>) {
    static COORDINATE: OnceLock<Regex> = OnceLock::new();
    static PLUGIN: OnceLock<Regex> = OnceLock::new();
    let coordinate = COORDINATE.get_or_init(|| {
        Regex::new(
            r#"\b[A-Za-z]+\s*\(?\s*(?:platform\s*\(\s*)?["']([\w.\-]+:[\w.\-]+)(?::[^"']*)?["']"#,
        )
        .expect("valid regex")
    });
    let plugin = PLUGIN
        .get_or_init(|| Regex::new(r#"\bid\s*\(?\s*["']([\w.\-]+)["']"#).expect("valid regex"));
    push_captures(text, coordinate, found);
    push_captures(text, plugin, found);
}

/// `gradle/libs.versions.toml`: `[libraries]` as `group:artifact`, `[plugins]` by id.
fn read_gradle_catalog(root: &Node, found: &mut Vec<Located>) {
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
        found.push(Located::new(module, key.line));
    }
    for (key, plugin) in root.get("plugins").into_iter().flat_map(Node::entries) {
        let id = plugin
            .as_str()
            .or_else(|| plugin.get("id").and_then(Node::as_str));
        if let Some(id) = id {
            let id = id.split(':').next().unwrap_or(id);
            found.push(Located::new(id, key.line));
        }
    }
}

fn nuget() -> &'static Regex {
    static NUGET: OnceLock<Regex> = OnceLock::new();
    NUGET.get_or_init(|| {
        Regex::new(r#"(?i)<(?:PackageReference|PackageVersion|GlobalPackageReference)\s+[^>]*?Include\s*=\s*"([^"]+)"|<package\s+[^>]*?id\s*=\s*"([^"]+)""#)
            .expect("valid regex")
    })
}

fn gemfile() -> &'static Regex {
    static GEMFILE: OnceLock<Regex> = OnceLock::new();
    GEMFILE
        .get_or_init(|| Regex::new(r#"(?m)^\s*gem\s*\(?\s*["']([^"']+)["']"#).expect("valid regex"))
}

fn gemspec() -> &'static Regex {
    static GEMSPEC: OnceLock<Regex> = OnceLock::new();
    GEMSPEC.get_or_init(|| {
        Regex::new(r#"\badd_(?:development_|runtime_)?dependency\s*\(?\s*["']([^"']+)["']"#)
            .expect("valid regex")
    })
}

/// The first participating group of each match of `pattern`, at its line.
fn push_captures(text: &str, pattern: &Regex, found: &mut Vec<Located>) {
    let lines = LineIndex::new(text.as_bytes());
    for captures in pattern.captures_iter(text) {
        if let Some(name) = captures.iter().skip(1).flatten().next() {
            found.push(Located::new(name.as_str(), lines.line(name.start())));
        }
    }
}

fn numbered_lines(text: &str) -> impl Iterator<Item = (u32, &str)> {
    (1u32..).zip(text.lines())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(path: &str, text: &str) -> Vec<(String, u32)> {
        read(path, text)
            .unwrap()
            .into_iter()
            .map(|found| (found.text, found.line))
            .collect()
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

    #[test]
    fn go_mod_requires() {
        let text = "module example.com/x\n\ngo 1.23\n\nrequire github.com/rs/zerolog v1.33.0\nrequire (\n\tgo.opentelemetry.io/otel v1.30.0\n\tgithub.com/stretchr/testify v1.9.0 // indirect\n)\n";
        expect(
            "go.mod",
            text,
            &[
                ("github.com/rs/zerolog", 5),
                ("go.opentelemetry.io/otel", 7),
                ("github.com/stretchr/testify", 8),
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
            &[("Serilog.AspNetCore", 3), ("xunit", 4)],
        );
        let gemfile = "source 'https://rubygems.org'\ngem 'rails', '~> 7.1'\ngroup :test do\n  gem \"rspec-rails\"\nend\n";
        expect("Gemfile", gemfile, &[("rails", 2), ("rspec-rails", 4)]);
    }

    #[test]
    fn malformed_manifests_are_errors_with_lines_and_unknown_files_declare_nothing() {
        let error = read("Cargo.toml", "[dependencies\nx = 1\n").unwrap_err();
        assert_eq!(error.line, Some(1));
        assert!(read("package.json", "{\"dependencies\": {\n").is_err());
        assert!(read("README.md", "gem 'rails'").unwrap().is_empty());
    }
}

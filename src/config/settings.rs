//! `.opslint.toml`: which rules run, at which severity, with which thresholds and exemptions,
//! plus custom rules. Every problem in the file is reported at once, each at its span.

use std::collections::{BTreeMap, HashSet};
use std::ops::Range;

use serde::Deserialize;
use toml::Spanned;

use crate::area::Area;
use crate::config::diagnostic::{self, ConfigError, Problem};
use crate::config::tomldoc::{self, Document};
use crate::rules::{self, Rule};
use crate::severity::Severity;

/// The file name looked for at the root of the scanned tree.
pub const CONFIG_FILE_NAME: &str = ".opslint.toml";

/// Custom rules one scan may carry, the organisation's and the repository's together.
pub const MAX_CUSTOM_RULES: usize = 200;

/// The largest file a content rule reads: generated manifests a rule must look past (an
/// operator's CustomResourceDefinitions, an OpenAPI document) run to a few MiB, and a file
/// over the cap leaves the rules that looked for it `unknown`.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 4 * 1024 * 1024;
/// All files one scan reads, together: far above what evidence takes in real repositories
/// (the largest monorepos measured read tens of MiB), and what keeps a scan within 512 MiB
/// whatever a repository holds.
pub const DEFAULT_MAX_TOTAL_READ: u64 = 256 * 1024 * 1024;

#[derive(Debug, Clone)]
pub struct Settings {
    /// Rule ids and area ids that are turned off.
    pub disable: Vec<String>,
    /// When not empty, only these rule ids and area ids are on (`check --select`).
    pub select: Vec<String>,
    pub overrides: BTreeMap<String, RuleOverride>,
    pub exemptions: Vec<Exemption>,
    pub custom_rules: Vec<Rule>,
    pub exclude: Vec<String>,
    pub max_file_size: u64,
    /// `[scan] max-total-read`: bytes one scan reads, all files together.
    pub max_total_read: u64,
    /// Tags whose names match are releases (`[history] release-tag`); else the built-in
    /// `release-tag` pattern.
    pub release_tag: Option<rules::Pattern>,
    /// `[scan] baseline`: a file of the scanned tree listing accepted failures.
    pub baseline: Option<String>,
    /// `[lock]`: rules and areas a repository's own config may not turn off, exempt or
    /// lower (an organisation's config sets it).
    pub lock: Lock,
    /// What the repository's own config changed of the settings under it, refused changes
    /// included (`parse_repository`).
    pub changed_by_repository: Vec<crate::config::overridden::Override>,
    /// The scanned repository's own path on GitHub (`acme/payments`), from its remote:
    /// what it calls of its own organisation is not a third party's.
    pub own_repository: Option<String>,
}

/// `[lock]`: rule ids and area ids.
#[derive(Debug, Clone, Default)]
pub struct Lock {
    pub rules: Vec<String>,
    pub areas: Vec<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            disable: Vec::new(),
            select: Vec::new(),
            overrides: BTreeMap::new(),
            exemptions: Vec::new(),
            custom_rules: Vec::new(),
            // Vendored code and test fixtures: rule data (`@default-exclude`).
            exclude: rules::known().default_exclude.clone(),
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            max_total_read: DEFAULT_MAX_TOTAL_READ,
            release_tag: None,
            baseline: None,
            lock: Lock::default(),
            changed_by_repository: Vec::new(),
            own_repository: None,
        }
    }
}

/// A severity as configured: one of the finding levels, or `off`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Error,
    Warning,
    Note,
    Off,
}

impl Level {
    pub fn severity(self) -> Option<Severity> {
        match self {
            Level::Error => Some(Severity::Error),
            Level::Warning => Some(Severity::Warning),
            Level::Note => Some(Severity::Note),
            Level::Off => None,
        }
    }

    /// The level a rule of this default severity has when the configuration says nothing.
    pub fn of(severity: Severity) -> Level {
        match severity {
            Severity::Error => Level::Error,
            Severity::Warning => Level::Warning,
            Severity::Note => Level::Note,
        }
    }

    /// Higher is stricter: `off` < `note` < `warning` < `error`.
    pub fn rank(self) -> u8 {
        match self {
            Level::Off => 0,
            Level::Note => 1,
            Level::Warning => 2,
            Level::Error => 3,
        }
    }

    /// As written in a configuration.
    pub fn name(self) -> &'static str {
        match self {
            Level::Off => "off",
            Level::Note => "note",
            Level::Warning => "warning",
            Level::Error => "error",
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RuleOverride {
    pub severity: Option<Level>,
    /// Threshold for `files-present` and `content-matches` checks: how many files must match.
    pub min_count: Option<u32>,
    /// Threshold for `history` checks: the figure's limit.
    pub threshold: Option<f64>,
}

#[derive(Debug, Clone)]
pub struct Exemption {
    pub rule: String,
    pub reason: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct ExemptionSpec {
    rule: Spanned<String>,
    reason: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct ScanSpec {
    exclude: Option<Vec<Spanned<String>>>,
    extend_exclude: Option<Vec<Spanned<String>>>,
    max_file_size: Option<Spanned<ByteSize>>,
    max_total_read: Option<Spanned<ByteSize>>,
    baseline: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct LockSpec {
    #[serde(default)]
    rules: Vec<Spanned<String>>,
    #[serde(default)]
    areas: Vec<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct HistorySpec {
    release_tag: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum ByteSize {
    Bytes(u64),
    Text(String),
}

impl Settings {
    /// Parses a config file. `builtin` rules are needed to check that referenced ids exist.
    pub fn parse(name: &str, text: &str, builtin: &[Rule]) -> Result<Settings, ConfigError> {
        Settings::parse_onto(Settings::default(), name, text, builtin)
    }

    /// Parses a config file on top of `base` (an organisation's config under a
    /// repository's): lists (`disable`, `exempt`, custom rules, `extend-exclude`) add to the
    /// base's, settings it names replace the base's.
    pub fn parse_onto(
        base: Settings,
        name: &str,
        text: &str,
        builtin: &[Rule],
    ) -> Result<Settings, ConfigError> {
        Settings::parse_with(base, name, text, builtin, false)
    }

    /// As `parse_onto`, but the file may only lower `base`'s resource budgets: a
    /// repository's own file (`overrides::parse_repository`).
    pub(crate) fn parse_bounded(
        base: Settings,
        name: &str,
        text: &str,
        builtin: &[Rule],
    ) -> Result<Settings, ConfigError> {
        Settings::parse_with(base, name, text, builtin, true)
    }

    fn parse_with(
        base: Settings,
        name: &str,
        text: &str,
        builtin: &[Rule],
        bounded: bool,
    ) -> Result<Settings, ConfigError> {
        let mut problems = Vec::new();
        let mut settings = base;
        let document = Document::parse(text, &mut problems);
        let mut references: Vec<(String, Range<usize>)> = Vec::new();
        // Rules given a `threshold`, which only history rules have.
        let mut thresholds: Vec<(String, Range<usize>)> = Vec::new();
        let mut custom = Vec::new();
        // `[lock]` rule ids, checked once the config's custom rules are known.
        let mut locked_rules: Vec<(String, Range<usize>)> = Vec::new();

        if document.malformed {
            return Err(ConfigError::new(name, text, problems));
        }
        for (key, key_span, value) in document.entries() {
            match key {
                "disable" => {
                    if let Some(ids) = tomldoc::decode::<Vec<Spanned<String>>>(value, &mut problems)
                    {
                        for id in ids {
                            references.push((id.get_ref().clone(), id.span()));
                            settings.disable.push(id.into_inner());
                        }
                    }
                }
                "lock" if bounded => problems.push(
                    Problem::new("a repository's config cannot lock rules", Some(key_span))
                        .help("`[lock]` belongs in the organisation's config (`opslint sweep --config`)"),
                ),
                "lock" => {
                    if let Some(lock) = tomldoc::decode::<LockSpec>(value, &mut problems) {
                        for area in lock.areas {
                            if Area::from_id(area.get_ref()).is_some() {
                                settings.lock.areas.push(area.into_inner());
                            } else {
                                let areas = Area::ALL.into_iter().map(|area| area.id());
                                let help = diagnostic::did_you_mean(area.get_ref(), areas)
                                    .unwrap_or_else(|| "area ids are the part of a rule id before the dot".to_owned());
                                problems.push(
                                    Problem::new(format!("unknown area `{}`", area.get_ref()), Some(area.span()))
                                        .help(help),
                                );
                            }
                        }
                        for rule in lock.rules {
                            locked_rules.push((rule.get_ref().clone(), rule.span()));
                        }
                    }
                }
                "scan" => {
                    if let Some(scan) = tomldoc::decode::<ScanSpec>(value, &mut problems) {
                        settings.apply_scan(scan, bounded, &mut problems);
                    }
                }
                "history" => {
                    let spec = tomldoc::decode::<HistorySpec>(value, &mut problems);
                    if let Some(pattern) = spec.and_then(|spec| spec.release_tag) {
                        match rules::Pattern::compile(pattern.get_ref()) {
                            Ok(compiled) => settings.release_tag = Some(compiled),
                            Err(error) => problems.push(
                                rules::invalid_regex(&error, pattern.span())
                                    .help("`release-tag` is a Rust regex matched against tag names, e.g. '^v\\d+\\.\\d+\\.\\d+$'"),
                            ),
                        }
                    }
                }
                "rules" => {
                    if let Some(table) = value.get_ref().as_table() {
                        for (id, override_value) in table.iter() {
                            references.push((id.get_ref().to_string(), id.span()));
                            if let Some(rule_override) =
                                tomldoc::decode::<RuleOverride>(override_value, &mut problems)
                            {
                                if rule_override.min_count == Some(0) {
                                    problems.push(Problem::new(
                                        "`min-count` must be at least 1",
                                        Some(override_value.span()),
                                    ));
                                }
                                if rule_override.threshold.is_some() {
                                    thresholds
                                        .push((id.get_ref().to_string(), override_value.span()));
                                }
                                if rule_override
                                    .threshold
                                    .is_some_and(|value| !value.is_finite())
                                {
                                    problems.push(Problem::new(
                                        "`threshold` must be a finite number",
                                        Some(override_value.span()),
                                    ));
                                }
                                settings
                                    .overrides
                                    .insert(id.get_ref().to_string(), rule_override);
                            }
                        }
                    } else {
                        problems.push(
                            Problem::new("`rules` must be a table of rule ids", Some(value.span()))
                                .help("write overrides as `[rules.\"ci.runs-tests\"]` with `severity = \"warning\"`"),
                        );
                    }
                }
                "exempt" => {
                    for exemption in
                        tomldoc::decode_each::<ExemptionSpec>(value, "exempt", &mut problems)
                    {
                        let span = exemption.span();
                        let exemption = exemption.into_inner();
                        references.push((exemption.rule.get_ref().clone(), exemption.rule.span()));
                        match exemption.reason.filter(|reason| !reason.trim().is_empty()) {
                            Some(reason) => settings.exemptions.push(Exemption {
                                rule: exemption.rule.into_inner(),
                                reason,
                            }),
                            None => problems.push(
                                Problem::new("an exemption needs a `reason`", Some(span))
                                    .help("say why the practice does not apply, e.g. `reason = \"infrastructure lives in the platform repo\"`"),
                            ),
                        }
                    }
                }
                "rule" => {
                    // Counted before anything is compiled: 5,000 rules were 5 GB of regexes.
                    let count = value.get_ref().as_array().map_or(0, |rules| rules.len());
                    if settings.custom_rules.len() + count > MAX_CUSTOM_RULES {
                        problems.push(
                            Problem::new(
                                format!(
                                    "{count} custom rules; at most {MAX_CUSTOM_RULES} are allowed{}",
                                    if settings.custom_rules.is_empty() {
                                        String::new()
                                    } else {
                                        format!(
                                            " (with the {} of the config under this one)",
                                            settings.custom_rules.len()
                                        )
                                    }
                                ),
                                Some(key_span),
                            )
                            .help("a custom rule checks one practice: keep the ones that matter"),
                        );
                    } else {
                        custom.extend(rules::parse_rule_tables(
                            value,
                            rules::builtin_definitions(),
                            &mut problems,
                        ));
                    }
                }
                other => problems.push(
                    Problem::new(format!("unknown key `{other}`"), Some(key_span)).help(
                        "known keys are: disable, scan, history, rules, exempt, rule, lock (see `opslint init`)",
                    ),
                ),
            }
        }

        let mut known: HashSet<&str> = builtin
            .iter()
            .chain(&settings.custom_rules)
            .map(|rule| rule.id.as_str())
            .collect();
        for parsed in &custom {
            if !known.insert(parsed.rule.id.as_str()) {
                problems.push(
                    Problem::new(format!("rule id `{}` is already defined", parsed.rule.id), Some(parsed.id_span.clone()))
                        .label("duplicate id")
                        .help("give the custom rule an id of its own, or override the built-in one under `[rules.\"<id>\"]`"),
                );
            }
        }
        for parsed in &custom {
            for (required, span) in parsed.rule.requires.iter().zip(&parsed.requires_spans) {
                if !known.contains(required.as_str()) {
                    let help = diagnostic::did_you_mean(required, known.iter().copied())
                        .unwrap_or_else(|| "`opslint rules` lists every rule id".to_owned());
                    problems.push(
                        Problem::new(
                            format!("`requires` names an unknown rule `{required}`"),
                            Some(span.clone()),
                        )
                        .help(help),
                    );
                }
            }
        }
        let custom_rules = custom.iter().map(|parsed| &parsed.rule);
        if let Some(cycle) = crate::maturity::requirement_cycle(custom_rules) {
            let span = custom
                .iter()
                .find(|parsed| parsed.rule.id == cycle[0])
                .map(|parsed| parsed.id_span.clone());
            problems.push(
                Problem::new(
                    format!(
                        "rules require each other in a circle: {}",
                        cycle.join(" → ")
                    ),
                    span,
                )
                .help(
                    "`requires` names what should hold first: one of these must not need the other",
                ),
            );
        }
        for (id, span) in &references {
            if !known.contains(id.as_str()) && Area::from_id(id).is_none() {
                // A closure, so that the ids are borrowed as long as the rules' are.
                let areas = Area::ALL.into_iter().map(|area| area.id());
                let help = diagnostic::did_you_mean(id, known.iter().copied().chain(areas))
                    .unwrap_or_else(|| {
                        "`opslint rules` lists every rule id; area ids are the part before the dot"
                            .to_owned()
                    });
                problems.push(
                    Problem::new(format!("unknown rule or area `{id}`"), Some(span.clone()))
                        .help(help),
                );
            }
        }
        settings
            .custom_rules
            .extend(custom.into_iter().map(|parsed| parsed.rule));
        for (id, span) in locked_rules {
            let known = builtin
                .iter()
                .chain(&settings.custom_rules)
                .any(|rule| rule.id == id);
            if known {
                settings.lock.rules.push(id);
            } else {
                let ids = builtin
                    .iter()
                    .chain(&settings.custom_rules)
                    .map(|rule| rule.id.as_str());
                let help = diagnostic::did_you_mean(&id, ids).unwrap_or_else(|| {
                    "`opslint rules` lists every rule id; lock a whole area under `areas`"
                        .to_owned()
                });
                problems.push(Problem::new(format!("unknown rule `{id}`"), Some(span)).help(help));
            }
        }
        for (id, span) in thresholds {
            let rule = builtin
                .iter()
                .chain(&settings.custom_rules)
                .find(|rule| rule.id == id);
            if rule.is_some_and(|rule| !rule.reads_history()) {
                problems.push(
                    Problem::new(format!("`{id}` has no threshold to set"), Some(span)).help(
                        "`threshold` sets a history rule's limit; a rule of the tree takes `min-count`",
                    ),
                );
            }
        }

        if problems.is_empty() {
            Ok(settings)
        } else {
            Err(ConfigError::new(name, text, problems))
        }
    }

    fn apply_scan(&mut self, scan: ScanSpec, bounded: bool, problems: &mut Vec<Problem>) {
        let mut globs = Vec::new();
        if let Some(exclude) = scan.exclude {
            self.exclude.clear();
            globs.extend(exclude);
        }
        globs.extend(scan.extend_exclude.unwrap_or_default());
        for glob in globs {
            match rules::compile_glob(glob.get_ref()) {
                Ok(_) => self.exclude.push(glob.into_inner()),
                Err(error) => problems.push(Problem::new(
                    format!("invalid glob: {error}"),
                    Some(glob.span()),
                )),
            }
        }
        if let Some(baseline) = scan.baseline {
            self.baseline = Some(baseline.into_inner());
        }
        let sizes = [
            ("max-file-size", scan.max_file_size, &mut self.max_file_size),
            (
                "max-total-read",
                scan.max_total_read,
                &mut self.max_total_read,
            ),
        ];
        for (key, size, setting) in sizes {
            let Some(size) = size else { continue };
            let parsed = match size.get_ref() {
                ByteSize::Bytes(bytes) => Some(*bytes),
                ByteSize::Text(text) => parse_byte_size(text),
            };
            match parsed {
                Some(bytes) if bounded && bytes > *setting => problems.push(
                    Problem::new(
                        format!(
                            "a repository's config may lower `{key}`, not raise it: at most {} bytes here",
                            *setting
                        ),
                        Some(size.span()),
                    )
                    .label("above the budget")
                    .help(format!(
                        "the budget is the default's, the organisation config's or the command line's: raise it there (`--{key}`)"
                    )),
                ),
                Some(bytes) => *setting = bytes,
                None => problems
                    .push(Problem::new("not a size", Some(size.span())).help(
                        "write a number of bytes or a size such as \"512 KiB\" or \"2 MiB\"",
                    )),
            }
        }
    }

    /// Whether a rule is turned off by `disable` (by id or by area), by `severity = "off"`, or
    /// by a `select` that leaves it out.
    pub fn is_disabled(&self, rule: &Rule) -> bool {
        let names = |id: &String| *id == rule.id || id == rule.area.id();
        self.disable.iter().any(names)
            || (!self.select.is_empty() && !self.select.iter().any(names))
            || self
                .overrides
                .get(&rule.id)
                .is_some_and(|rule_override| rule_override.severity == Some(Level::Off))
    }

    pub fn exemption(&self, rule_id: &str) -> Option<&Exemption> {
        self.exemptions
            .iter()
            .find(|exemption| exemption.rule == rule_id)
    }
}

/// Parses "1048576", "512 KiB", "2MiB", "1 MB" (SI and binary suffixes, case-insensitive).
pub fn parse_byte_size(text: &str) -> Option<u64> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: u64 = number.parse().ok()?;
    let multiplier: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" => 1_000,
        "kib" => 1 << 10,
        "m" | "mb" => 1_000_000,
        "mib" => 1 << 20,
        "g" | "gb" => 1_000_000_000,
        "gib" => 1 << 30,
        _ => return None,
    };
    number.checked_mul(multiplier)
}

#[cfg(test)]
mod tests {
    use super::parse_byte_size;

    #[test]
    fn byte_sizes() {
        assert_eq!(parse_byte_size("1048576"), Some(1_048_576));
        assert_eq!(parse_byte_size("512 KiB"), Some(524_288));
        assert_eq!(parse_byte_size("2MiB"), Some(2_097_152));
        assert_eq!(parse_byte_size("1 MB"), Some(1_000_000));
        assert_eq!(parse_byte_size("lots"), None);
        assert_eq!(parse_byte_size("99999999999999999999 GiB"), None);
    }
}

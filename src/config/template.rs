//! The commented `.opslint.toml` that `opslint init` writes.

pub const CONFIG_TEMPLATE: &str = r#"# opslint configuration. Every key is optional; delete what you do not need.
# Reference: the "Configuration" section of opslint's README. List rule ids with `opslint rules`.

# Turn off rules, or whole areas (ci, cd, iac, observability, testing, devenv, security,
# collaboration, flow, dora, learning).
disable = []

[scan]
# Files bigger than this are not read by content rules (a number of bytes or "512 KiB").
# A repository's config may lower the budget, not raise it (`--max-file-size` can).
# max-file-size = "4 MiB"
# All files one scan reads, together; past it, rules that needed more files are unknown.
# Lower only, as above (`--max-total-read`).
# max-total-read = "256 MiB"
# Paths that are evidence for no rule, in addition to the defaults
# (node_modules, vendor, third_party and its spellings, deps, fixtures, testdata). Use
# `exclude` to replace the defaults.
extend-exclude = []
# Failures accepted when adopting opslint (`opslint check --write-baseline FILE` records
# them): a file of the repository; only failures not in it fail a run.
# baseline = ".opslint-baseline.json"

# Per-rule overrides: severity (error | warning | note | off) and thresholds.
# [rules."ci.runs-tests"]
# severity = "warning"
#
# [rules."testing.tests-exist"]
# min-count = 5          # how many matching files the evidence needs
#
# [rules."flow.small-batches"]
# threshold = 150        # a history rule's limit: here, median lines changed per commit

# Which tags are releases, for the delivery figures (default: version-like tags, v1.2.3).
# [history]
# release-tag = '^v\d+\.\d+\.\d+$'

# A rule that does not fit this repository: it is reported as exempted, with the reason.
# [[exempt]]
# rule = "cd.deployment-definition"
# reason = "a library: nothing to deploy"

# Custom rules use the same schema as the built-in ones (see `opslint explain <id>`).
# [[rule]]
# id = "collaboration.architecture-doc"
# area = "collaboration"
# title = "The architecture is written down"
# severity = "note"
# weight = 1
# rationale = "A short architecture document lets newcomers find their way without a guide."
# remediation = "Add docs/ARCHITECTURE.md with a map of the main components."
# [[rule.check]]
# kind = "files-present"
# files = ["ARCHITECTURE.md", "docs/ARCHITECTURE.md"]
"#;

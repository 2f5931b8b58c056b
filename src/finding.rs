//! The finding model: what a rule concluded about a repository, and why.

use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::area::Area;
use crate::rules::Rule;
use crate::severity::Severity;

/// The one status a rule evaluates to for a repository (`MODEL.md`, "Findings").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Pass,
    Fail,
    NotApplicable,
    Unknown,
    Exempted,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::NotApplicable => "not_applicable",
            Status::Unknown => "unknown",
            Status::Exempted => "exempted",
        }
    }
}

/// How a finding moved from the merge base to the head.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    /// Passed at the base, fails at the head: the change broke a practice.
    Regressed,
    /// Failed at the base, passes at the head.
    Improved,
    Unchanged,
    /// Fails at the head and was not judged a pass or a failure at the base: a rule that
    /// the change made applicable (a new Dockerfile, a new pipeline) or that judges the
    /// change itself.
    New,
    /// Passes at the base and at the head, but the change leaves a new component without
    /// the practice: a rule that passes while any component has it (tests, in a monorepo)
    /// and a new service without tests. Shown, not gated: the rule still passes.
    Weakened,
}

impl Change {
    /// Whether the change introduced this failure: what pull-request mode gates on.
    pub fn introduced(self) -> bool {
        matches!(self, Change::Regressed | Change::New)
    }
}

/// At most this many evidence locations are kept per finding; the message gives the total.
pub const MAX_EVIDENCE: usize = 10;

/// A place in the scanned tree that supports a finding.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Evidence {
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// What was found there, when it is not the whole file or line: a dependency's name,
    /// an action reference, a base image.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl Evidence {
    /// `path:line`, or the path alone for a whole file.
    pub fn location(&self) -> String {
        match self.line {
            Some(line) => format!("{}:{line}", self.path),
            None => self.path.clone(),
        }
    }
}

/// `path:line (detail)`, as messages and reports show a location.
impl fmt::Display for Evidence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.path)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if let Some(detail) = &self.detail {
            write!(f, " ({detail})")?;
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub rule: String,
    pub area: Area,
    pub status: Status,
    pub severity: Severity,
    pub weight: u32,
    /// The rule's maturity level within its area (1 foundation, 2 practised, 3 optimised).
    pub level: u8,
    /// Shared with the rule: a monorepo judges each rule once per component.
    pub title: Arc<str>,
    pub message: String,
    pub evidence: Vec<Evidence>,
    pub remediation: Arc<str>,
    /// Worth telling even though the status stands: a history figure that worsened
    /// markedly against the previous window while still within its threshold.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// In pull-request mode (`check --base`), how it moved since the merge base.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub change: Option<Change>,
    /// A failure the baseline accepts: reported, but it fails nothing.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub baselined: bool,
    /// The instances (files or components, `instance::of`) where it fails and the
    /// baseline or the base did not: what gates, and what code scanning shows as new.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub new_instances: Vec<String>,
    /// For a rule with a precondition (`applies-if`), the file that met it: why a rule about
    /// services judged this repository one (a Dockerfile that exposes a port, a manifest
    /// declaring a server framework). None where the rule always applies, or where its own
    /// evidence showed it does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub applies_because: Option<Evidence>,
    /// Every file a failure is about, where `evidence` keeps only the first
    /// `finding::MAX_EVIDENCE`: its instances (`instance::of`). Empty when the evidence
    /// names them all.
    #[serde(skip)]
    pub located: Vec<String>,
    /// Where a failure of the repository as a whole is shown, though it is no instance of
    /// its own: a practice a pull request lost, in the files where the base had it. Its
    /// instance, fingerprint and baseline entry stay the repository's.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub shown_in: Vec<String>,
}

/// What judging a rule found, before it becomes the repository's finding (with the rule's
/// title and remediation) or a component's.
#[derive(Debug, Clone)]
pub struct Verdict {
    pub status: Status,
    pub message: String,
    pub evidence: Vec<Evidence>,
    /// Every file a failure is about when `evidence`, capped, leaves some out
    /// (`Finding::located`); empty otherwise.
    pub located: Vec<String>,
    /// What met the rule's precondition (`Finding::applies_because`).
    pub applies_because: Option<Evidence>,
}

impl Verdict {
    pub fn new(status: Status, message: String, evidence: Vec<Evidence>) -> Verdict {
        Verdict {
            status,
            message,
            evidence,
            located: Vec::new(),
            applies_because: None,
        }
    }

    /// The same verdict, saying what showed that its rule applies.
    pub fn applying(mut self, because: Option<Evidence>) -> Verdict {
        self.applies_because = because;
        self
    }

    /// The same verdict, about `located` beyond the files its evidence names: kept only
    /// when it names a file the evidence does not, so the evidence's paths stay the
    /// instances whenever they are all of them.
    pub fn located(mut self, located: Vec<String>) -> Verdict {
        let beyond = located
            .iter()
            .any(|path| !self.evidence.iter().any(|evidence| evidence.path == *path));
        if beyond {
            self.located = located;
        }
        self
    }
}

impl Finding {
    /// The repository's finding for `rule`, as judged.
    pub fn judged(rule: &Rule, verdict: Verdict) -> Finding {
        Finding {
            rule: rule.id.clone(),
            area: rule.area,
            status: verdict.status,
            severity: rule.severity,
            weight: rule.weight,
            level: rule.level,
            title: rule.title.clone(),
            message: verdict.message,
            evidence: verdict.evidence,
            remediation: rule.remediation.clone(),
            note: None,
            change: None,
            baselined: false,
            new_instances: Vec::new(),
            located: verdict.located,
            shown_in: Vec::new(),
            // A pass names its own evidence.
            applies_because: verdict
                .applies_because
                .filter(|_| verdict.status != Status::Pass),
        }
    }

    /// A finding as a sweep line records it, without its evidence or remediation: enough to
    /// score, level and plan a repository of an organisation's report.
    pub fn summary(rule: &Rule, status: Status, weight: u32) -> Finding {
        Finding::judged(rule, Verdict::new(status, String::new(), Vec::new())).with_weight(weight)
    }

    fn with_weight(mut self, weight: u32) -> Finding {
        self.weight = weight;
        self
    }

    /// A failing finding at or above `threshold` makes the run fail.
    pub fn fails_at(&self, threshold: Severity) -> bool {
        self.status == Status::Fail && self.severity >= threshold
    }
}

#[cfg(test)]
impl Finding {
    /// A failing finding of `rule` for unit tests: a note of weight 1, with no evidence;
    /// struct update syntax sets the rest.
    pub fn example(rule: &str, area: Area) -> Finding {
        Finding {
            rule: rule.to_owned(),
            area,
            status: Status::Fail,
            severity: Severity::Note,
            weight: 1,
            level: 1,
            title: "A title".into(),
            message: "A message.".to_owned(),
            evidence: Vec::new(),
            remediation: "A fix.".into(),
            note: None,
            change: None,
            baselined: false,
            new_instances: Vec::new(),
            located: Vec::new(),
            shown_in: Vec::new(),
            applies_because: None,
        }
    }
}

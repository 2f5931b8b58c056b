//! The report: findings plus scores and what was scanned (`render` writes it out).

use rayon::prelude::*;
use serde::{Serialize, Serializer};
use serde_json::value::RawValue;

use crate::area::Area;
use crate::components::ComponentFindings;
use crate::finding::{Finding, Status};
use crate::history::History;
use crate::history::pull_request::PullRequest;
use crate::repo::Scanned;

/// Bumped whenever the JSON shape changes incompatibly.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub schema_version: u32,
    pub tool: Tool,
    pub repository: RepositoryInfo,
    /// Mean of the area scores, over areas with applicable rules; null when there are none.
    pub score: Option<u32>,
    pub areas: Vec<AreaSummary>,
    pub findings: Vec<Finding>,
    /// In a monorepo, each component's findings for the per-component rules.
    #[serde(skip_serializing_if = "Vec::is_empty", serialize_with = "one_per_line")]
    pub components: Vec<ComponentFindings>,
    /// Figures from the commits in the history window; absent with `--no-history` or
    /// without commits.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub history: Option<History>,
    /// Pull-request mode (`check --base`): the change's own figures; every finding then
    /// says how it moved since the merge base.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pull_request: Option<PullRequest>,
    /// The instances the baseline accepts (`instance::fingerprint`s): code scanning and
    /// GitLab's widget list the failures' other instances.
    #[serde(skip)]
    pub accepted: std::collections::HashSet<String>,
    /// The config's own rules, judged beside the built-in ones (`plan` reads their
    /// prerequisites and effort).
    #[serde(skip)]
    pub custom_rules: Vec<crate::rules::Rule>,
}

/// Components as compact objects, one per line of the array: a monorepo has thousands,
/// which read (and grep) better that way than spread over a dozen lines each, and they
/// are rendered in parallel.
fn one_per_line<S: Serializer>(
    components: &[ComponentFindings],
    serializer: S,
) -> Result<S::Ok, S::Error> {
    let rendered: Vec<Box<RawValue>> = components
        .par_iter()
        .map(serde_json::value::to_raw_value)
        .collect::<Result<_, _>>()
        .map_err(serde::ser::Error::custom)?;
    rendered.serialize(serializer)
}

#[derive(Debug, Clone, Serialize)]
pub struct Tool {
    pub name: &'static str,
    pub version: &'static str,
}

impl Default for Tool {
    fn default() -> Self {
        Tool {
            name: "opslint",
            version: env!("CARGO_PKG_VERSION"),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct RepositoryInfo {
    /// In a sweep, the repository's name: its path under the folder it was found in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub path: String,
    /// Its path on GitHub (`acme/payments`), from its remote: what its own actions and
    /// workflows are called by, and whose shared ones are not a third party's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub github: Option<String>,
    /// The commit scanned, or the commit HEAD points at when the working tree was scanned.
    pub head: Option<String>,
    pub scanned: Scanned,
    pub rev: Option<String>,
    /// The config file applied, if any.
    pub config: Option<String>,
    pub files: usize,
    pub submodules: Vec<String>,
    /// Who owns the repository as a whole: the owners of CODEOWNERS' catch-all rule.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub owners: Vec<String>,
    /// What the repository's own `.opslint.toml` changed of the config under it (the
    /// organisation's, or the defaults): absent when nothing.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub overrides: Vec<crate::config::overridden::Override>,
    /// Why HEAD leads to no commit, when it is not merely unborn (`Target::head_problem`).
    #[serde(skip)]
    pub head_problem: Option<String>,
}

impl RepositoryInfo {
    /// A repository scanned at a revision, with nothing known of it: for reports made only
    /// for their scores (a timeline's snapshots) and for unit tests.
    pub fn unnamed() -> RepositoryInfo {
        RepositoryInfo {
            name: None,
            path: "/r".to_owned(),
            github: None,
            head: None,
            scanned: Scanned::Rev,
            rev: None,
            config: None,
            files: 0,
            submodules: Vec::new(),
            owners: Vec::new(),
            overrides: Vec::new(),
            head_problem: None,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct AreaSummary {
    pub id: Area,
    pub title: &'static str,
    pub score: Option<u32>,
    pub passed: usize,
    pub failed: usize,
    pub not_applicable: usize,
    pub unknown: usize,
    pub exempted: usize,
    /// How much of the area was judged: the weight of its passing and failing rules over
    /// the weight of every rule that applies (those plus the unknown), 0–100; null when no
    /// rule applies. The score speaks only for this share.
    pub judged_share: Option<u32>,
    /// The maturity level reached (`maturity::reached`): 0 to 3, null when no rule applies.
    pub level: Option<u8>,
}

impl AreaSummary {
    /// Whether more than half of the applicable weight is unknown: the score, read from what
    /// little was judged, says too little to show as the area's.
    pub fn not_enough_evidence(&self) -> bool {
        self.judged_share
            .is_some_and(|share| too_little_judged(f64::from(share)))
    }

    /// Rules judged (passing or failing).
    pub fn judged(&self) -> usize {
        self.passed + self.failed
    }

    /// "3 of 4 rules judged (75 % of weight)", as the human and Markdown reports say it.
    pub fn judged_phrase(&self) -> String {
        format!(
            "{} of {} rules judged ({} % of weight)",
            self.judged(),
            self.judged() + self.unknown,
            self.judged_share.unwrap_or(0)
        )
    }
}

impl Report {
    pub fn new(repository: RepositoryInfo, mut findings: Vec<Finding>) -> Report {
        findings.sort_by(|a, b| (a.area, &a.rule).cmp(&(b.area, &b.rule)));
        let areas = summarize_areas(&findings);
        let score = score_of(&areas);
        Report {
            schema_version: SCHEMA_VERSION,
            tool: Tool::default(),
            repository,
            score,
            areas,
            findings,
            components: Vec::new(),
            history: None,
            pull_request: None,
            accepted: Default::default(),
            custom_rules: Vec::new(),
        }
    }

    pub fn with_components(mut self, components: Vec<ComponentFindings>) -> Report {
        self.components = components;
        self
    }

    pub fn with_history(mut self, history: Option<History>) -> Report {
        self.history = history;
        self
    }

    /// Every rule the report's findings may come from: the built-in ones and the config's.
    pub fn rules(&self) -> Vec<&crate::rules::Rule> {
        crate::rules::builtin_rules()
            .iter()
            .chain(&self.custom_rules)
            .collect()
    }

    pub fn with_pull_request(mut self, pull_request: Option<PullRequest>) -> Report {
        self.pull_request = pull_request;
        self
    }

    /// The score as shown, `34/100`, and in pull-request mode the base's beside it,
    /// `34/100 (base 40/100)`, since a change is read by how it moved the score; none
    /// without applicable rules.
    pub fn score_shown(&self) -> Option<String> {
        let score = self.score?;
        let base = self
            .pull_request
            .as_ref()
            .and_then(|change| change.base_score);
        Some(match base {
            Some(base) => format!("{score}/100 (base {base}/100)"),
            None => format!("{score}/100"),
        })
    }

    /// The file an instance of a finding is shown at: a component's marking file (its
    /// manifest or Dockerfile) for a component, since code scanning and annotations point at
    /// files, not folders; the instance itself otherwise.
    pub fn shown_at<'a>(&'a self, instance: &'a str) -> &'a str {
        // Components are sorted by path (`facts::components::detect`): a monorepo's
        // thousands are searched, not scanned, once per instance.
        self.components
            .binary_search_by(|component| component.path.as_str().cmp(instance))
            .ok()
            .and_then(|found| self.components[found].marker.as_deref())
            .unwrap_or(instance)
    }

    /// The file an instance of a failing finding is shown in: `shown_at` for a file or
    /// component; for the repository as a whole, the first file it is shown in
    /// (`Finding::shown_in`), if any.
    pub fn shown_file<'a>(&'a self, finding: &'a Finding, instance: &'a str) -> Option<&'a str> {
        match instance {
            crate::instance::REPOSITORY => finding.shown_in.first().map(String::as_str),
            _ => Some(self.shown_at(instance)),
        }
    }

    /// Where a finding with no file of its own is shown (SARIF) and fingerprinted
    /// (baselines): the config file when there is one, else the README, which nearly every
    /// repository has.
    pub fn anchor(&self) -> String {
        self.repository
            .config
            .clone()
            .filter(|config| !config.starts_with('/'))
            .unwrap_or_else(|| "README.md".to_owned())
    }

    /// The instances of every failure the baseline does not accept, whether or not the
    /// change introduced them: SARIF and the GitLab report list these, and code scanning and
    /// GitLab's widget compare them with the target branch's to tell what is new. (Listing
    /// only what a pull request introduces would make it look as if it fixed the rest.)
    pub fn listed(&self) -> impl Iterator<Item = (&Finding, &str)> {
        self.findings
            .iter()
            .filter(|finding| finding.status == Status::Fail)
            .flat_map(move |finding| {
                crate::instance::of(finding, &self.components)
                    .into_iter()
                    .filter(move |instance| {
                        !self
                            .accepted
                            .contains(&crate::instance::fingerprint(&finding.rule, instance))
                    })
                    .map(move |instance| (finding, instance))
            })
    }

    /// How many failures the baseline accepts.
    pub fn baselined(&self) -> usize {
        self.findings
            .iter()
            .filter(|finding| finding.baselined)
            .count()
    }

    /// The findings that moved so from the base (pull-request mode), in the report's order.
    pub fn with_change(
        &self,
        change: crate::finding::Change,
    ) -> impl Iterator<Item = &Finding> + '_ {
        self.findings
            .iter()
            .filter(move |finding| finding.change == Some(change))
    }

    /// Whether the findings were compared with a base (`--base`, `--staged`).
    pub fn compared(&self) -> bool {
        self.findings.iter().any(|finding| finding.change.is_some())
    }

    /// The failing findings that can fail the run: not in the baseline, and in
    /// pull-request mode only those the change introduced (regressed or new).
    pub fn gating(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|finding| {
            finding.status == Status::Fail
                && !finding.baselined
                && finding
                    .change
                    .is_none_or(crate::finding::Change::introduced)
        })
    }

    /// The failing findings that can fail the run (`gating`), most severe first, and in
    /// pull-request mode regressions before new failures; in the report's order (area,
    /// rule) within a severity.
    pub fn failing_most_severe_first(&self) -> Vec<&Finding> {
        let mut failing: Vec<&Finding> = self.gating().collect();
        failing.sort_by_key(|finding| {
            let regressed = finding.change == Some(crate::finding::Change::Regressed);
            (
                std::cmp::Reverse(regressed),
                std::cmp::Reverse(finding.severity),
            )
        });
        failing
    }

    pub fn count(&self, status: Status) -> usize {
        self.findings
            .iter()
            .filter(|finding| finding.status == status)
            .count()
    }
}

/// The areas the findings cover, each summarized.
fn summarize_areas(findings: &[Finding]) -> Vec<AreaSummary> {
    Area::ALL
        .into_iter()
        .filter_map(|area| summarize(area, findings))
        .collect()
}

/// The repository's score from its areas'. An area shown as `not enough evidence` has no
/// score to show, so none to count.
fn score_of(areas: &[AreaSummary]) -> Option<u32> {
    overall_score(
        areas
            .iter()
            .filter(|area| !area.not_enough_evidence())
            .filter_map(|area| area.score),
    )
}

/// The score the findings make, as a report of them would show it: the base's score in
/// pull-request mode.
pub fn score(findings: &[Finding]) -> Option<u32> {
    score_of(&summarize_areas(findings))
}

/// Area score = passed weight / applicable weight (passed + failed), 0–100, as MODEL.md
/// defines it; beside it, the share of the weight that was judged at all.
fn summarize(area: Area, findings: &[Finding]) -> Option<AreaSummary> {
    let in_area: Vec<&Finding> = findings
        .iter()
        .filter(|finding| finding.area == area)
        .collect();
    if in_area.is_empty() {
        return None;
    }
    let count = |status| {
        in_area
            .iter()
            .filter(|finding| finding.status == status)
            .count()
    };
    let weight = |status| -> u64 {
        in_area
            .iter()
            .filter(|finding| finding.status == status)
            .map(|finding| u64::from(finding.weight))
            .sum()
    };
    let judged = weight(Status::Pass) + weight(Status::Fail);
    let applicable = judged + weight(Status::Unknown);
    Some(AreaSummary {
        id: area,
        title: area.title(),
        score: area_score(weight(Status::Pass), judged),
        passed: count(Status::Pass),
        failed: count(Status::Fail),
        not_applicable: count(Status::NotApplicable),
        unknown: count(Status::Unknown),
        exempted: count(Status::Exempted),
        judged_share: (applicable > 0).then(|| judged_share(judged, applicable)),
        level: crate::maturity::reached(
            in_area
                .iter()
                .map(|finding| (finding.level, finding.status)),
        ),
    })
}

/// An area's score from the weight of its passing rules and of those judged (passing or
/// failing); none when nothing was judged.
pub fn area_score(passed_weight: u64, judged_weight: u64) -> Option<u32> {
    (judged_weight > 0).then(|| rounded_ratio(100 * passed_weight, judged_weight))
}

/// A repository's score: the mean of its area scores; none without one.
pub fn overall_score(area_scores: impl Iterator<Item = u32>) -> Option<u32> {
    let (sum, count) = area_scores.fold((0u64, 0u64), |(sum, count), score| {
        (sum + u64::from(score), count + 1)
    });
    (count > 0).then(|| rounded_ratio(sum, count))
}

/// Whether an area judged on `share` per cent of its applicable weight has too little
/// judged for its score to be shown as the area's: less than half.
pub fn too_little_judged(share: f64) -> bool {
    share < 50.0
}

/// `judged` of `applicable` in per cent, rounded down: an area judged on 49.6 % of its
/// weight has not been judged on half of it.
pub fn judged_share(judged: u64, applicable: u64) -> u32 {
    u32::try_from(100 * judged / applicable).unwrap_or(100)
}

fn rounded_ratio(numerator: u64, denominator: u64) -> u32 {
    u32::try_from((numerator + denominator / 2) / denominator).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(rule: &str, area: Area, status: Status, weight: u32) -> Finding {
        Finding {
            status,
            weight,
            ..Finding::example(rule, area)
        }
    }

    fn report(findings: Vec<Finding>) -> Report {
        let repository = RepositoryInfo::unnamed();
        Report::new(repository, findings)
    }

    /// One passing rule among unknown ones is a score of 100 on a quarter of the area: too
    /// little to read as the area's (issue 16).
    #[test]
    fn an_area_mostly_unknown_has_not_enough_evidence() {
        let report = report(vec![
            finding("dora.a", Area::Dora, Status::Pass, 1),
            finding("dora.b", Area::Dora, Status::Unknown, 1),
            finding("dora.c", Area::Dora, Status::Unknown, 1),
            finding("dora.d", Area::Dora, Status::Unknown, 1),
            finding("dora.e", Area::Dora, Status::NotApplicable, 5),
        ]);
        let area = &report.areas[0];
        assert_eq!(area.score, Some(100), "the formula is MODEL.md's");
        assert_eq!(area.judged_share, Some(25));
        assert!(area.not_enough_evidence());
    }

    #[test]
    fn half_judged_is_enough_and_weight_counts_not_rules() {
        let report = report(vec![
            finding("flow.a", Area::Flow, Status::Fail, 2),
            finding("flow.b", Area::Flow, Status::Unknown, 1),
            finding("flow.c", Area::Flow, Status::Unknown, 1),
        ]);
        let area = &report.areas[0];
        assert_eq!((area.score, area.judged_share), (Some(0), Some(50)));
        assert!(!area.not_enough_evidence());
    }

    #[test]
    fn an_area_where_nothing_applies_has_no_share() {
        let report = report(vec![finding("iac.a", Area::Iac, Status::NotApplicable, 1)]);
        let area = &report.areas[0];
        assert_eq!((area.score, area.judged_share), (None, None));
        assert!(!area.not_enough_evidence());
    }
}

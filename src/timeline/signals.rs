//! The coaching signals over a timeline's periods: what a coach looks for moving — teams
//! maintaining their own pipelines, delivery getting more frequent, observability
//! improving, less time lost to the environment — each with what it measures and what git
//! cannot see.

use serde::Serialize;

use super::Snapshot;
use crate::area::Area;

#[derive(Debug, Clone, Serialize)]
pub struct Signal {
    pub id: &'static str,
    pub title: &'static str,
    pub unit: &'static str,
    pub measures: &'static str,
    pub cannot_see: &'static str,
    /// One value per snapshot, in order; null where it could not be measured.
    pub values: Vec<Option<f64>>,
}

pub fn signals(snapshots: &[Snapshot]) -> Vec<Signal> {
    let figure = |id: &str| -> Vec<Option<f64>> {
        snapshots
            .iter()
            .map(|snapshot| {
                snapshot
                    .figures
                    .as_ref()?
                    .figures
                    .iter()
                    .find(|figure| figure.id == id)?
                    .value
            })
            .collect()
    };
    let repairs = snapshots
        .iter()
        .map(|snapshot| {
            let figures = snapshot.figures.as_ref()?;
            (figures.commits > 0)
                .then(|| 100.0 * figures.build_repairs as f64 / figures.commits as f64)
        })
        .collect();
    let observability = snapshots
        .iter()
        .map(|snapshot| {
            snapshot
                .areas
                .iter()
                .find(|area| area.id == Area::Observability)
                .and_then(|area| area.level)
                .map(f64::from)
        })
        .collect();
    vec![
        Signal {
            id: "pipeline_maintainers",
            title: "Pipeline maintainers",
            unit: "people",
            measures: "people (bots left out) who changed the CI configuration in the period: a team that maintains its own pipeline has several",
            cannot_see: "pipeline changes made outside the repository (a shared template, a platform team's settings)",
            values: figure("collaboration.pipeline_maintainers"),
        },
        Signal {
            id: "release_cadence",
            title: "Releases per month",
            unit: "per month",
            measures: "release tags made in the period, per month: the deployment-frequency proxy",
            cannot_see: "deployments that are not tagged (continuous deployment from the main line)",
            values: figure("dora.releases_per_month"),
        },
        Signal {
            id: "lead_time",
            title: "Lead time",
            unit: "hours",
            measures: "median hours from a commit to the first release tag that contains it",
            cannot_see: "when a release reached production",
            values: figure("dora.median_lead_time_hours"),
        },
        Signal {
            id: "observability_level",
            title: "Observability level",
            unit: "level",
            measures: "the maturity level (0-3) the observability area reached at the end of the period",
            cannot_see: "telemetry configured outside the repository (an agent on the hosts, a platform's defaults)",
            values: observability,
        },
        Signal {
            id: "environment_friction",
            title: "Build repairs",
            unit: "per 100 commits",
            measures: "commits whose subject says they repair the build, the pipeline, the linter, a flaky test or the development environment, per 100 commits: time the team lost to its environment rather than spent on the product",
            cannot_see: "repairs made inside other commits or never committed (a developer's afternoon lost to setup)",
            values: repairs,
        },
    ]
}

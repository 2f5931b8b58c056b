//! The ids of the history figures a `history` check may judge. Rules name them and the
//! history pass measures them: the ids live here, below both, so compiling a rule needs
//! nothing of the history pass (`history::figures` measures each, in this order).

/// The figure counting how a pull request's configuration lowers the base's bar.
pub const WEAKENINGS: &str = "pr.weakenings";

/// Every figure id, in the order reports list them.
pub const FIGURE_IDS: &[&str] = &[
    "flow.median_lines_per_commit",
    "flow.p90_lines_per_commit",
    "flow.median_files_per_commit",
    "flow.large_commit_share",
    "flow.median_branch_lifetime_hours",
    "flow.integrations_per_week",
    "dora.releases_per_month",
    "dora.median_lead_time_hours",
    "dora.hotfix_release_share",
    "dora.reverts_per_100_commits",
    "dora.median_restore_hours",
    "testing.tests_with_code_share",
    "collaboration.active_authors",
    "collaboration.pipeline_maintainers",
    "collaboration.half_of_changes_authors",
    "learning.improvement_share",
    "pr.commits",
    "pr.lines_changed",
    "pr.files_changed",
    "pr.largest_commit_lines",
    WEAKENINGS,
    "pr.tests_with_code",
];

//! Releases — tags whose names look like versions — and the first release containing each
//! commit, for the delivery figures (release cadence, lead time).

use std::collections::{HashMap, HashSet};

use gix::ObjectId;

use super::ancestry::Ancestry;
use crate::rules::Pattern;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Release {
    pub name: String,
    pub commit: ObjectId,
    /// When it was released: an annotated tag's time, else its commit's committer time.
    pub time: i64,
}

/// Every tag whose name `pattern` accepts, oldest release first. Tags that cannot be read
/// or do not lead to a commit are no releases.
pub fn releases(repo: &gix::Repository, pattern: &Pattern) -> Vec<Release> {
    let Ok(references) = repo.references() else {
        return Vec::new();
    };
    let Ok(tags) = references.tags() else {
        return Vec::new();
    };
    let mut releases: Vec<Release> = tags
        .filter_map(Result::ok)
        .filter_map(|tag| {
            let name = tag.name().shorten().to_string();
            if !pattern.is_match(name.as_bytes()) {
                return None;
            }
            let target = tag.target().try_id().map(ToOwned::to_owned);
            // A tag, or the commit it leads to, too big to read is no release.
            let (Some(id), _) = crate::repo::peel(repo, target?).ok()? else {
                return None;
            };
            let commit = repo.find_commit(id).ok()?;
            let tagged = target
                .and_then(|id| repo.find_object(id).ok())
                .and_then(|object| object.try_into_tag().ok())
                .and_then(|tag| tag.tagger().ok().flatten().map(|tagger| tagger.seconds()));
            let time = match tagged {
                Some(time) => time,
                None => commit.time().ok()?.seconds,
            };
            Some(Release {
                name,
                commit: commit.id,
                time,
            })
        })
        .collect();
    releases.sort_by(|a, b| (a.time, &a.name).cmp(&(b.time, &b.name)));
    releases
}

/// For each walked commit that some release contains, the index of the first such release
/// (by time). Releases are visited oldest first, each claiming the ancestors no earlier
/// release claimed: no reachability query per pair of commit and release.
pub fn first_releases(ancestry: &Ancestry, releases: &[Release]) -> HashMap<ObjectId, usize> {
    let mut first: HashMap<ObjectId, usize> = HashMap::new();
    let mut claimed: HashSet<ObjectId> = HashSet::new();
    for (index, release) in releases.iter().enumerate() {
        ancestry.claim([release.commit], &mut claimed, |commit| {
            first.insert(commit.id, index);
        });
    }
    first
}

/// For each release, the seconds until its fix: the first later patch release of the same
/// major and minor version (`v1.4.1` fixes `v1.4.0`). Pre-releases (`v2.0.0-rc.1`) neither
/// have nor are fixes.
pub fn fix_delays(releases: &[Release]) -> Vec<Option<i64>> {
    let versions: Vec<Option<[u64; 3]>> = releases
        .iter()
        .map(|release| version(&release.name))
        .collect();
    // A line is a component's (`datadog-3.1`, not the operator's `operator-3.1`).
    let mut by_line: HashMap<(&str, [u64; 2]), Vec<usize>> = HashMap::new();
    for (index, version) in versions.iter().enumerate() {
        if let Some([major, minor, _]) = version {
            let (component, _) = split(&releases[index].name);
            by_line
                .entry((component, [*major, *minor]))
                .or_default()
                .push(index);
        }
    }
    let mut delays = vec![None; releases.len()];
    // Each line's releases are in time order, as `releases` is.
    for line in by_line.values() {
        for (position, &index) in line.iter().enumerate() {
            let patch = versions[index].map(|[_, _, patch]| patch);
            delays[index] = line[position + 1..]
                .iter()
                .find(|&&later| versions[later].map(|[_, _, patch]| patch) > patch)
                .map(|&fix| releases[fix].time.saturating_sub(releases[index].time));
        }
    }
    delays
}

/// Whether the release is a final one, not a pre-release or build.
pub fn is_final(release: &Release) -> bool {
    version(&release.name).is_some()
}

/// Whether the release is a final patch release (`v1.4.1`, not `v1.4.0`).
pub fn is_patch(release: &Release) -> bool {
    version(&release.name).is_some_and(|[_, _, patch]| patch > 0)
}

/// A release tag's component and version text: `datadog-3.240.0` is `datadog-` and
/// `3.240.0`, `api/v1.2.0` is `api/` and `v1.2.0`, `v1.2.3` is `` and `v1.2.3`. The version
/// starts at the first place that starts a word and a number (`k8s-1.2` is `k8s-`'s 1.2).
fn split(name: &str) -> (&str, &str) {
    let starts = std::iter::once(0).chain(
        name.match_indices(['-', '/', '_'])
            .map(|(index, separator)| index + separator.len()),
    );
    for start in starts {
        let rest = &name[start..];
        let number = rest.strip_prefix('v').unwrap_or(rest);
        if number.starts_with(|c: char| c.is_ascii_digit()) {
            return name.split_at(start);
        }
    }
    (name, "")
}

/// A final release's version: `v1.2.3` is 1.2.3, `release-2024.05` is 2024.5.0,
/// `datadog-3.240.0` is 3.240.0. `None` for a pre-release or build (anything after the
/// numbers).
fn version(name: &str) -> Option<[u64; 3]> {
    let (_, text) = split(name);
    let start = text.find(|c: char| c.is_ascii_digit())?;
    let mut numbers = [0u64; 3];
    // (Underscores separate the numbers of an older C project's tag: `gnutls_3_6_10`.)
    let separator = match text[start..].contains('.') {
        true => '.',
        false => '_',
    };
    for (position, part) in text[start..].split(separator).enumerate() {
        let number = part.parse().ok()?;
        if let Some(slot) = numbers.get_mut(position) {
            *slot = number;
        }
    }
    Some(numbers)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn release(name: &str, day: i64) -> Release {
        Release {
            name: name.to_owned(),
            commit: ObjectId::null(gix::hash::Kind::Sha1),
            time: day * 86_400,
        }
    }

    #[test]
    fn versions_of_final_releases() {
        assert_eq!(version("v1.2.3"), Some([1, 2, 3]));
        assert_eq!(version("release-2024.05"), Some([2024, 5, 0]));
        assert_eq!(version("1.2.3.4"), Some([1, 2, 3]));
        assert_eq!(version("v2.0.0-rc.1"), None);
        assert_eq!(version("latest"), None);
        // A component's release, whose name may hold digits of its own.
        assert_eq!(version("datadog-3.240.0"), Some([3, 240, 0]));
        assert_eq!(version("charts/api/v1.2.0"), Some([1, 2, 0]));
        assert_eq!(version("k8s-agent-1.2.1"), Some([1, 2, 1]));
        assert_eq!(version("k8s-agent-1.2.1-beta.1"), None);
        // Older C projects' tags (the new-user trial's gnutls).
        assert_eq!(version("gnutls_3_6_10"), Some([3, 6, 10]));
        assert_eq!(version("OpenSSL_1_1_1"), Some([1, 1, 1]));
        assert_eq!(version("curl-7_88_0"), Some([7, 88, 0]));
        assert_eq!(version("my_app-1.2.3"), Some([1, 2, 3]));
        let tag = &crate::rules::known().history.release_tag;
        for name in [
            "gnutls_3_6_10",
            "OpenSSL_1_1_1",
            "curl-7_88_0",
            "v1.2.3",
            "api/v1.2.0",
        ] {
            assert!(tag.is_match(name.as_bytes()), "{name}");
        }
        for name in ["latest", "nightly", "v1_0", "build_7"] {
            assert!(!tag.is_match(name.as_bytes()), "{name}");
        }
    }

    #[test]
    fn each_component_has_lines_of_its_own() {
        let releases = [
            release("datadog-3.1.0", 0),
            release("operator-3.1.1", 5),
            release("datadog-3.1.1", 9),
        ];
        let days = |delay: Option<i64>| delay.map(|seconds| seconds / 86_400);
        let delays: Vec<_> = fix_delays(&releases).into_iter().map(days).collect();
        // The operator's patch fixes none of the chart's releases.
        assert_eq!(delays, [Some(9), None, None]);
    }

    #[test]
    fn a_release_is_fixed_by_the_next_patch_of_its_line() {
        let releases = [
            release("v1.0.0", 0),
            release("v1.1.0", 10),
            release("v1.0.1", 12),
            release("v1.1.1", 13),
            release("v2.0.0-rc.1", 20),
            release("v1.1.2", 40),
        ];
        let days = |delay: Option<i64>| delay.map(|seconds| seconds / 86_400);
        let delays: Vec<_> = fix_delays(&releases).into_iter().map(days).collect();
        assert_eq!(
            delays,
            [Some(12), Some(3), None, Some(27), None, None],
            "v1.0.1 is fixed by nothing later in its line"
        );
    }
}

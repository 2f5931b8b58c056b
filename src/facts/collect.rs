//! The collector: reads each file a due check needs, once, and parses it once — pipelines
//! with what they include and run, manifests, the root task runners — into the facts every
//! check reads. The engine asks for what a stage
//! of checks needs; nothing is read that no check needs.

use rayon::prelude::*;

use crate::config::settings::Settings;
use crate::facts::content::{BlobCache, Content};
use crate::facts::follow::{self, Followed};
use crate::facts::manifest;
use crate::facts::parsed::{
    Includes, Manifest, Manifests, Packages, Pipelines, parse_text, read_missing,
};
use crate::facts::tasks::{
    Invocation, MAX_FOLDERS, TaskRunners, UnreadTaskFile, folder_makefile, in_folder, invocations,
    make_includes, task_files,
};
use crate::facts::tree::{ContentSource, Tree};
use crate::facts::workspaces;
use crate::repo::Deadline;
use gix::bstr::ByteSlice;

/// Everything collected so far in one scan, as the checks read it.
pub struct Facts<'a> {
    pub tree: &'a Tree,
    pub contents: &'a [Option<Content>],
    pub pipelines: &'a Pipelines,
    pub manifests: &'a Manifests,
    /// The manifests parsed so far by the package each declares (`@acme/logger`): a
    /// dependency on one is on code in the tree, whose own dependencies it brings.
    pub packages: &'a Packages,
    pub tasks: &'a TaskRunners,
    /// What each pipeline and script includes, for the scripts task runners run.
    pub includes: &'a Includes,
    pub max_file_size: u64,
    /// Past it, no more files are examined.
    pub deadline: Deadline,
    /// The repository's own path on GitHub, when its remote names it (`acme/payments`).
    pub own_repository: Option<&'a str>,
}

/// What one scan has read and parsed so far; each file is read and parsed at most once.
pub struct Collector<'a> {
    tree: &'a Tree,
    deadline: Deadline,
    max_file_size: u64,
    own_repository: Option<&'a str>,
    contents: Vec<Option<Content>>,
    pipelines: Pipelines,
    manifests: Manifests,
    packages: Packages,
    includes: Includes,
    followed: Followed,
    /// Built once, when a stage first needs them (their files are read in that stage).
    tasks: Option<TaskRunners>,
    no_tasks: TaskRunners,
    /// What earlier judgements of other trees parsed, by blob (`timeline`).
    blobs: Option<&'a BlobCache>,
}

/// Where a judgement's file contents come from: `read` returns the contents of the given
/// entries, in order; `blobs`, when judging tree after tree, holds what the judgement
/// before parsed, by blob.
pub struct Source<'a, F> {
    pub read: F,
    pub blobs: Option<&'a BlobCache>,
}

impl<F: FnMut(&[usize]) -> Vec<Content>> Source<'_, F> {
    /// Contents from `read` alone.
    pub fn of(read: F) -> Self {
        Source { read, blobs: None }
    }
}

impl<'a> Collector<'a> {
    pub fn new(
        tree: &'a Tree,
        settings: &'a Settings,
        deadline: Deadline,
        blobs: Option<&'a BlobCache>,
    ) -> Collector<'a> {
        Collector {
            tree,
            deadline,
            max_file_size: settings.max_file_size,
            own_repository: settings.own_repository.as_deref(),
            contents: vec![None; tree.entries.len()],
            pipelines: Pipelines::new(),
            manifests: Manifests::new(),
            packages: Packages::new(),
            includes: Includes::new(),
            followed: Followed::default(),
            tasks: None,
            no_tasks: TaskRunners::default(),
            blobs,
        }
    }

    /// The contents read so far, by entry.
    pub fn contents(&self) -> &[Option<Content>] {
        &self.contents
    }

    /// The manifests parsed so far, by entry.
    pub fn manifests(&self) -> &Manifests {
        &self.manifests
    }

    /// What each pipeline includes, by entry.
    pub fn includes(&self) -> &Includes {
        &self.includes
    }

    /// Reads the entries not read yet.
    pub fn read(
        &mut self,
        entries: impl IntoIterator<Item = usize>,
        read: &mut impl FnMut(&[usize]) -> Vec<Content>,
    ) {
        read_missing(entries, &mut self.contents, read);
    }

    /// The entries of the root task runners' files, which resolving tasks reads.
    pub fn task_files(&self) -> impl Iterator<Item = usize> + '_ {
        task_files().filter_map(|name| self.tree.position(name))
    }

    /// Parses the pipelines among `entries` not parsed yet, in order, then follows what
    /// they include.
    pub fn parse_pipelines(
        &mut self,
        entries: impl IntoIterator<Item = usize>,
        read: &mut impl FnMut(&[usize]) -> Vec<Content>,
    ) {
        let mut parsed = Vec::new();
        for entry in entries {
            let (tree, contents, own) = (self.tree, &self.contents, self.own_repository);
            self.pipelines.entry(entry).or_insert_with(|| {
                parsed.push(entry);
                follow::read_pipeline(tree, contents, entry, own)
            });
        }
        follow::follow_includes(self.reach(), parsed, read);
    }

    /// The manifests that name a package others in the tree may depend on
    /// (`manifest::names_its_package`), outside installed dependencies (`node_modules/`).
    pub fn package_manifests(&self) -> impl Iterator<Item = usize> + '_ {
        self.tree
            .entries
            .iter()
            .enumerate()
            .filter(|(_, entry)| {
                let path = entry.path.as_slice();
                std::str::from_utf8(entry.file_name()).is_ok_and(manifest::names_its_package)
                    && !path.starts_with(b"node_modules/")
                    && path.find(b"/node_modules/").is_none()
            })
            .map(|(index, _)| index)
    }

    /// Parses the manifests among `entries` not parsed yet, in parallel.
    pub fn parse_manifests(&mut self, entries: Vec<usize>) {
        let (tree, blobs) = (self.tree, self.blobs);
        let parsed = parse_manifests(tree, &self.contents, entries, blobs, &mut self.manifests);
        for entry in parsed {
            let Some(Some(Ok(manifest))) = self.manifests.get(&entry) else {
                continue;
            };
            if let Some(package) = &manifest.package {
                let file = self.tree.entries[entry].file_name().to_str_lossy();
                let named = self.packages.entry(file.into_owned()).or_default();
                // Two manifests naming the same package (a fixture's copy): the first by path.
                let first = named.entry(package.clone()).or_insert(entry);
                *first = (*first).min(entry);
            }
        }
    }

    /// Resolves the root task runners, once, and reads the scripts of the repository
    /// their tasks run, as pipelines of their own.
    pub fn resolve_tasks(&mut self, read: &mut impl FnMut(&[usize]) -> Vec<Content>) {
        if self.tasks.is_some() {
            return;
        }
        self.read_make_includes(&[String::new()], read);
        let mut runners = task_runners(self.tree, &self.contents);
        runners.set_deadline(self.deadline);
        self.add_task_folders(&mut runners, read);
        follow::read_task_scripts(self.reach(), &runners, read);
        self.tasks = Some(runners);
    }

    /// Reads the task runners of the folders the pipelines parsed so far, and the task
    /// runners read so far, call them in (`cd web && npm test`), twice over: `make -C
    /// tests` in a root Makefile, then what the tests' Makefile runs elsewhere.
    fn add_task_folders(
        &mut self,
        runners: &mut TaskRunners,
        read: &mut impl FnMut(&[usize]) -> Vec<Content>,
    ) {
        // Only commands that may call a runner elsewhere: most do not change folder.
        let elsewhere = |command: &str| {
            command.contains("cd ")
                || command.contains(" -")
                || command.contains("pushd")
                || command.contains("workspace")
        };
        let mut commands: Vec<String> = self
            .pipelines
            .values()
            .flatten()
            .flatten()
            .flat_map(|pipeline| &pipeline.commands)
            .filter(|command| elsewhere(&command.text))
            .map(|command| command.text.clone())
            .chain(runners.commands().filter(|command| elsewhere(command)))
            .collect();
        // A Concourse task's input holding this repository, which the tree does not hold as
        // a folder, is its root (`cd dp-api && make test` in the task's script).
        let checkouts = self
            .pipelines
            .values()
            .flatten()
            .flatten()
            .flat_map(|pipeline| &pipeline.checkouts);
        for folder in checkouts {
            if self.tree.range_under(&format!("{folder}/")).is_empty() {
                runners.add_checkout(folder);
            }
        }
        let mut added = 0;
        for _ in 0..2 {
            let calls: Vec<_> = commands
                .iter()
                .flat_map(|command| invocations(command))
                .collect();
            // A script run in every workspace member runs in those the workspace declares;
            // one run in a member chosen by name runs in one of them.
            let in_members = |call: &Invocation| call.members || call.workspace.is_some();
            let roots: Vec<usize> = calls
                .iter()
                .filter(|call| in_members(call))
                .filter_map(|call| call.folder.as_deref())
                .filter_map(|folder| {
                    self.tree
                        .position(&in_folder(folder, "pnpm-workspace.yaml"))
                })
                .collect();
            read_missing(roots, &mut self.contents, read);
            // Each workspace's members are listed once, however many calls choose among them.
            let (member_calls, own): (Vec<_>, Vec<_>) = calls.into_iter().partition(in_members);
            let mut workspaces: Vec<Option<String>> =
                member_calls.into_iter().map(|call| call.folder).collect();
            workspaces.sort_unstable();
            workspaces.dedup();
            let mut folders: Vec<String> = workspaces
                .into_iter()
                .flat_map(|from| workspace_members(self.tree, &self.contents, from.as_deref()))
                .chain(own.into_iter().filter_map(|call| call.folder))
                .filter(|folder| !runners.has_folder(folder))
                .filter(|folder| folder_task_files(self.tree, folder).next().is_some())
                .collect();
            folders.sort_unstable();
            folders.dedup();
            folders.truncate(MAX_FOLDERS - added);
            if folders.is_empty() {
                return;
            }
            added += folders.len();
            let files: Vec<usize> = folders
                .iter()
                .flat_map(|folder| folder_task_files(self.tree, folder).collect::<Vec<_>>())
                .collect();
            read_missing(files, &mut self.contents, read);
            self.read_make_includes(&folders, read);
            for folder in &folders {
                add_folder(runners, folder, self.tree, &self.contents);
            }
            commands = folders
                .iter()
                .flat_map(|folder| runners.commands_in(folder))
                .filter(|command| elsewhere(command))
                .collect();
        }
    }

    /// Reads the files the Makefiles of `folders` (`""` is the root) include by a plain path
    /// (`include build/make/test-unit.mk`), so that their targets are read where they are
    /// included.
    fn read_make_includes(
        &mut self,
        folders: &[String],
        read: &mut impl FnMut(&[usize]) -> Vec<Content>,
    ) {
        let mut included: Vec<usize> = Vec::new();
        for folder in folders {
            let text = folder_text(self.tree, &self.contents, folder);
            included.extend(
                folder_makefile(text)
                    .map(make_includes)
                    .unwrap_or_default()
                    .into_iter()
                    .filter_map(|name| self.tree.position(&in_folder(folder, name))),
            );
        }
        read_missing(included, &mut self.contents, read);
    }

    /// The state following includes and task scripts reads and records.
    fn reach(&mut self) -> follow::Reach<'_> {
        follow::Reach {
            tree: self.tree,
            contents: &mut self.contents,
            pipelines: &mut self.pipelines,
            includes: &mut self.includes,
            followed: &mut self.followed,
            deadline: self.deadline,
            own_repository: self.own_repository,
        }
    }

    /// What has been collected, for the checks to read.
    pub fn facts(&self) -> Facts<'_> {
        Facts {
            tree: self.tree,
            contents: &self.contents,
            pipelines: &self.pipelines,
            manifests: &self.manifests,
            packages: &self.packages,
            tasks: self.tasks.as_ref().unwrap_or(&self.no_tasks),
            includes: &self.includes,
            max_file_size: self.max_file_size,
            deadline: self.deadline,
            own_repository: self.own_repository,
        }
    }
}

/// Parses the manifests among `entries` not parsed yet, in parallel; returns those.
fn parse_manifests(
    tree: &Tree,
    contents: &[Option<Content>],
    mut entries: Vec<usize>,
    blobs: Option<&BlobCache>,
    manifests: &mut Manifests,
) -> Vec<usize> {
    entries.retain(|entry| !manifests.contains_key(entry));
    entries.sort_unstable();
    entries.dedup();
    // A blob's contents are its own only in the object database; a worktree file may differ.
    let blobs = blobs.filter(|_| matches!(tree.source, ContentSource::Objects));
    let parsed: Vec<(usize, Option<Manifest>)> = entries
        .into_par_iter()
        .map(|entry| {
            let path = tree.entries[entry].display_path();
            let parse = || parse_text(contents, entry, |text| manifest::read(&path, text));
            let declared = match (blobs, tree.entries[entry].blob) {
                (Some(blobs), Some(id)) => blobs.manifest(id, &path, parse),
                _ => parse(),
            };
            (entry, declared)
        })
        .collect();
    let entries = parsed.iter().map(|(entry, _)| *entry).collect();
    manifests.extend(parsed);
    entries
}

/// The root task runners, from whichever task files have been read, and the task files that
/// exist but could not be.
fn task_runners(tree: &Tree, contents: &[Option<Content>]) -> TaskRunners {
    let mut runners = TaskRunners::default();
    add_folder(&mut runners, "", tree, contents);
    runners
}

/// The members of the workspace rooted at `from` (`""` is the root; `None`, a folder
/// opslint cannot name) that hold a package.json, as its package.json or
/// pnpm-workspace.yaml declares them: not an installed dependency's, nor one in a folder
/// whose name has a space (a command names it unquoted).
fn workspace_members(tree: &Tree, contents: &[Option<Content>], from: Option<&str>) -> Vec<String> {
    let Some(from) = from else {
        return Vec::new();
    };
    let text = folder_text(tree, contents, from);
    let globs = workspaces::member_globs(text("package.json"), text("pnpm-workspace.yaml"));
    if globs.is_empty() {
        return Vec::new();
    }
    let prefix = match from {
        "" => String::new(),
        from => format!("{from}/"),
    };
    let folders = tree.entries[tree.range_under(&prefix)]
        .iter()
        .filter_map(|entry| entry.path.to_str().ok()?.strip_suffix("/package.json"))
        .filter(|folder| {
            !folder.split('/').any(|part| part == "node_modules")
                && !folder.contains(char::is_whitespace)
        })
        .filter_map(|folder| folder.strip_prefix(&prefix));
    workspaces::members(&globs, folders)
        .into_iter()
        .map(|member| in_folder(from, member))
        .collect()
}

/// The files of the task runners of `folder` (`""` is the root) in the tree.
fn folder_task_files<'t>(tree: &'t Tree, folder: &'t str) -> impl Iterator<Item = usize> + 't {
    task_files().filter_map(move |name| tree.position(&in_folder(folder, name)))
}

/// Adds the task runners of `folder` from whichever of its task files have been read, and
/// records those that exist but could not be.
fn add_folder(runners: &mut TaskRunners, folder: &str, tree: &Tree, contents: &[Option<Content>]) {
    let text = folder_text(tree, contents, folder);
    runners.add_folder(folder, &text);
    // What the Makefile includes is read in its place: one that could not be read leaves
    // its targets out of sight, as a task file that could not be does.
    let included = folder_makefile(&text)
        .map(make_includes)
        .unwrap_or_default();
    let files = task_files()
        .map(|name| (name, false))
        .chain(included.into_iter().map(|name| (name, true)));
    for (name, included) in files {
        let Some(entry) = tree.position(&in_folder(folder, name)) else {
            continue;
        };
        let Some(why) = unreadable(contents[entry].as_ref()) else {
            continue;
        };
        runners.unread.extend(match included {
            true => Some(UnreadTaskFile::included(folder, name, why)),
            false => UnreadTaskFile::new(folder, name, why),
        });
    }
}

/// The text of a file of `folder` (`""` is the root) that has been read, as UTF-8.
fn folder_text<'c>(
    tree: &'c Tree,
    contents: &'c [Option<Content>],
    folder: &'c str,
) -> impl Fn(&str) -> Option<&'c str> {
    move |name: &str| match &contents[tree.position(&in_folder(folder, name))?] {
        Some(Content::Text(bytes)) => std::str::from_utf8(bytes).ok(),
        _ => None,
    }
}

/// Why a file that was to be read as text could not be; `None` when it was, or was not
/// read at all.
fn unreadable(content: Option<&Content>) -> Option<String> {
    match content? {
        Content::Text(bytes) if std::str::from_utf8(bytes).is_ok() => None,
        Content::Text(_) => Some("is not valid UTF-8".to_owned()),
        Content::Binary => Some("looks binary".to_owned()),
        Content::TooLarge(size) => Some(format!("is {size} bytes, over the read cap")),
        Content::Unreadable(why) => Some(format!("could not be read ({why})")),
    }
}

//! The collector: reads each file a due check needs, once, and parses it once — pipelines
//! with what they include and run, manifests, Dockerfiles, workloads, update configs, the
//! root task runners — into the facts every check reads. The engine asks for what a stage
//! of checks needs; nothing is read that no check needs.

use std::collections::HashMap;

use rayon::prelude::*;

use crate::facts::Located;
use crate::facts::content::Content;
use crate::facts::follow::{self, Followed};
use crate::facts::manifest;
use crate::facts::parsed::{Includes, Manifest, Manifests, Pipelines, parse_text, read_missing};
use crate::facts::tasks::{TaskRunners, task_files};
use crate::facts::tree::Tree;
use crate::facts::{dependabot, dockerfile, kubernetes};
use crate::repo::Deadline;

/// Documents parsed into located facts by entry; `None` for a file that is not text or
/// (for update configs) does not parse.
pub type Documents = HashMap<usize, Option<Vec<Located>>>;

/// The documents a kind of check reads, besides pipelines and manifests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DocumentKind {
    /// A Dockerfile's base images.
    BaseImages,
    /// The containers of Kubernetes workloads.
    Workloads,
    /// The ecosystems a Dependabot config updates.
    UpdateConfig,
}

/// Everything collected so far in one scan, as the checks read it.
pub struct Facts<'a> {
    pub tree: &'a Tree,
    pub contents: &'a [Option<Content>],
    pub pipelines: &'a Pipelines,
    pub manifests: &'a Manifests,
    pub base_images: &'a Documents,
    pub workloads: &'a Documents,
    pub update_configs: &'a Documents,
    pub tasks: &'a TaskRunners,
    /// What each pipeline and script includes, for the scripts task runners run.
    pub includes: &'a Includes,
    pub max_file_size: u64,
    /// Past it, no more files are examined.
    pub deadline: Deadline,
}

/// What one scan has read and parsed so far; each file is read and parsed at most once.
pub struct Collector<'a> {
    tree: &'a Tree,
    deadline: Deadline,
    max_file_size: u64,
    contents: Vec<Option<Content>>,
    pipelines: Pipelines,
    manifests: Manifests,
    base_images: Documents,
    workloads: Documents,
    update_configs: Documents,
    includes: Includes,
    followed: Followed,
    /// Built once, when a stage first needs them (their files are read in that stage).
    tasks: Option<TaskRunners>,
    no_tasks: TaskRunners,
}

impl<'a> Collector<'a> {
    pub fn new(tree: &'a Tree, deadline: Deadline, max_file_size: u64) -> Collector<'a> {
        Collector {
            tree,
            deadline,
            max_file_size,
            contents: vec![None; tree.entries.len()],
            pipelines: Pipelines::new(),
            manifests: Manifests::new(),
            base_images: Documents::new(),
            workloads: Documents::new(),
            update_configs: Documents::new(),
            includes: Includes::new(),
            followed: Followed::default(),
            tasks: None,
            no_tasks: TaskRunners::default(),
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
            let (tree, contents) = (self.tree, &self.contents);
            self.pipelines.entry(entry).or_insert_with(|| {
                parsed.push(entry);
                follow::read_pipeline(tree, contents, entry)
            });
        }
        follow::follow_includes(
            self.tree,
            parsed,
            &mut self.contents,
            &mut self.pipelines,
            &mut self.includes,
            &mut self.followed,
            self.deadline,
            read,
        );
    }

    /// Parses the manifests among `entries` not parsed yet, in parallel.
    pub fn parse_manifests(&mut self, entries: Vec<usize>) {
        parse_manifests(self.tree, &self.contents, entries, &mut self.manifests);
    }

    /// Parses the documents of `kind` among `entries` not parsed yet, in parallel.
    pub fn parse_documents(&mut self, kind: DocumentKind, mut entries: Vec<usize>) {
        let documents = match kind {
            DocumentKind::BaseImages => &mut self.base_images,
            DocumentKind::Workloads => &mut self.workloads,
            DocumentKind::UpdateConfig => &mut self.update_configs,
        };
        entries.retain(|entry| !documents.contains_key(entry));
        entries.sort_unstable();
        entries.dedup();
        let contents = &self.contents;
        let parsed: Vec<(usize, Option<Vec<Located>>)> = entries
            .into_par_iter()
            .filter_map(|entry| match &contents[entry] {
                Some(Content::Text(bytes)) => {
                    let text = std::str::from_utf8(bytes).ok();
                    let facts = text.and_then(|text| match kind {
                        DocumentKind::BaseImages => Some(dockerfile::base_images(text)),
                        DocumentKind::Workloads => Some(kubernetes::workload_containers(text)),
                        DocumentKind::UpdateConfig => dependabot::ecosystems(text).ok(),
                    });
                    Some((entry, facts))
                }
                _ => None,
            })
            .collect();
        documents.extend(parsed);
    }

    /// Resolves the root task runners, once, and reads the scripts of the repository
    /// their tasks run, as pipelines of their own.
    pub fn resolve_tasks(&mut self, read: &mut impl FnMut(&[usize]) -> Vec<Content>) {
        if self.tasks.is_some() {
            return;
        }
        let runners = task_runners(self.tree, &self.contents);
        follow::read_task_scripts(
            self.tree,
            &runners,
            &mut self.contents,
            &mut self.pipelines,
            &mut self.includes,
            &mut self.followed,
            self.deadline,
            read,
        );
        self.tasks = Some(runners);
    }

    /// What has been collected, for the checks to read.
    pub fn facts(&self) -> Facts<'_> {
        Facts {
            tree: self.tree,
            contents: &self.contents,
            pipelines: &self.pipelines,
            manifests: &self.manifests,
            base_images: &self.base_images,
            workloads: &self.workloads,
            update_configs: &self.update_configs,
            tasks: self.tasks.as_ref().unwrap_or(&self.no_tasks),
            includes: &self.includes,
            max_file_size: self.max_file_size,
            deadline: self.deadline,
        }
    }
}

/// Parses the manifests among `entries` not parsed yet, in parallel.
fn parse_manifests(
    tree: &Tree,
    contents: &[Option<Content>],
    mut entries: Vec<usize>,
    manifests: &mut Manifests,
) {
    entries.retain(|entry| !manifests.contains_key(entry));
    entries.sort_unstable();
    entries.dedup();
    let parsed: Vec<(usize, Option<Manifest>)> = entries
        .into_par_iter()
        .map(|entry| {
            let path = tree.entries[entry].display_path();
            let declared = parse_text(contents, entry, |text| manifest::read(&path, text));
            (entry, declared)
        })
        .collect();
    manifests.extend(parsed);
}

/// The root task runners, from whichever task files have been read.
fn task_runners(tree: &Tree, contents: &[Option<Content>]) -> TaskRunners {
    TaskRunners::new(|name| match &contents[tree.position(name)?] {
        Some(Content::Text(bytes)) => std::str::from_utf8(bytes).ok(),
        _ => None,
    })
}

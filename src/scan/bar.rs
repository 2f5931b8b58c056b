//! The bar a scan is judged against: the settings (`--config`, `.opslint.toml`) and the
//! baseline. A change compared with its base (`--base`, `--staged`) is judged with the base's,
//! read from the base's tree — a config or baseline named on the command line too, when it
//! lies inside the repository, since the change owns its working copy — so it cannot lower
//! its own bar; how its own would lower it is reported instead (`weakening`).

use std::path::{Path, PathBuf};

use super::ScanError;
use crate::config::baseline::Baseline;
use crate::config::settings::{CONFIG_FILE_NAME, DEFAULT_MAX_FILE_SIZE, Settings};
use crate::config::weakening::{self, Weakening};
use crate::facts::content::{self, Content};
use crate::facts::tree::{Entry, Tree};
use crate::finding::Evidence;
use crate::repo::Target;
use crate::rules::Rule;

use super::ScanOptions;

/// One side of a comparison: a tree to read the repository's files from. A file named on the
/// command line is read from disk on the scanned side, and from the tree on the base's when
/// it lies inside the repository.
#[derive(Clone, Copy)]
pub struct Side<'a> {
    pub target: &'a Target,
    pub tree: &'a Tree,
    pub base: bool,
}

/// The settings to judge with, the name of the config they came from, and — for a change
/// compared with its base — each way the change's own settings would lower the bar.
pub struct Bar {
    pub settings: Settings,
    pub config: Option<String>,
    pub weakenings: Vec<Evidence>,
}

/// The bar for the scanned side alone, or for a change against `base`.
pub fn choose(
    options: &ScanOptions,
    head: Side,
    base: Option<Side>,
    builtin: &[Rule],
) -> Result<Bar, ScanError> {
    let (settings, config) = load_settings(options, head, builtin)?;
    let Some(base) = base else {
        return Ok(Bar {
            settings,
            config,
            weakenings: Vec::new(),
        });
    };
    let head_settings = settings;
    match load_settings(options, base, builtin) {
        Ok((settings, config)) => {
            let weakenings = weakenings(options, head, base, &settings, &head_settings)?;
            Ok(Bar {
                settings,
                config,
                weakenings,
            })
        }
        // A base whose configuration no longer loads (an id this opslint does not know)
        // would lock every change out, the one fixing it included: the change's own is used,
        // and that is reported like any other lowering of the bar.
        Err(error @ (ScanError::Config(_) | ScanError::ConfigUnreadable { .. })) => {
            let defaults = Settings::default();
            let mut found = weakenings(options, head, base, &defaults, &head_settings)?;
            let why = error.to_string();
            found.insert(
                0,
                Evidence {
                    path: CONFIG_FILE_NAME.to_owned(),
                    line: None,
                    detail: Some(format!(
                        "is judged with the change's own configuration: the base's does not load ({})",
                        why.lines().next().unwrap_or_default()
                    )),
                },
            );
            Ok(Bar {
                settings: head_settings,
                config,
                weakenings: found,
            })
        }
        Err(other) => Err(other),
    }
}

/// How the head's settings (and the baseline they name) lower the bar the base's set, each
/// at its line of the head's `.opslint.toml`.
fn weakenings(
    options: &ScanOptions,
    head: Side,
    base: Side,
    base_settings: &Settings,
    head_settings: &Settings,
) -> Result<Vec<Evidence>, ScanError> {
    let mut found = weakening::between(base_settings, head_settings, crate::rules::builtin_rules());
    // Failures the head's baseline accepts and the base's did not.
    if let Some(accepting) = load_baseline(options, head_settings, head)? {
        let before = load_baseline(options, base_settings, base)?.unwrap_or_default();
        let more = accepting.beyond(&before);
        if !more.is_empty() {
            let named: Vec<&str> = more.iter().map(String::as_str).collect();
            found.push(Weakening {
                what: format!(
                    "accepts {} in the baseline: {}",
                    crate::text::plural(more.len(), "more failure"),
                    crate::components::name_some(&named)
                ),
                near: "baseline".to_owned(),
            });
        }
    }
    let text = repository_config(head)?.unwrap_or_default();
    Ok(found
        .into_iter()
        .map(|weakening| Evidence {
            path: CONFIG_FILE_NAME.to_owned(),
            line: weakening::line_of(&text, &weakening.near),
            detail: Some(weakening.what),
        })
        .collect())
}

/// A file named on the command line, as `side` has it: its text, or `None` when the base's
/// tree does not have it.
fn read_given(
    path: &Path,
    side: Side,
    limit: u64,
    unreadable: impl Fn(String) -> ScanError,
) -> Result<Option<String>, ScanError> {
    if side.base
        && let Some(relative) = inside(path, &side.target.root)
    {
        let Some(entry) = side.tree.find(&relative) else {
            return Ok(None);
        };
        return read_entry(side, entry, limit, unreadable).map(Some);
    }
    std::fs::read_to_string(path)
        .map(Some)
        .map_err(|error| unreadable(error.to_string()))
}

/// `path` relative to the repository's root, when it lies inside it.
fn inside(path: &Path, root: &Path) -> Option<String> {
    let absolute = std::fs::canonicalize(path).ok().or_else(|| {
        let parent = std::fs::canonicalize(path.parent()?).ok()?;
        Some(parent.join(path.file_name()?))
    })?;
    let relative = absolute.strip_prefix(root).ok()?;
    Some(relative.to_str()?.replace(std::path::MAIN_SEPARATOR, "/"))
}

fn read_entry(
    side: Side,
    entry: &Entry,
    limit: u64,
    unreadable: impl Fn(String) -> ScanError,
) -> Result<String, ScanError> {
    let repo = side.target.repo.to_thread_local();
    match content::read_one(&repo, side.tree, entry, limit) {
        Content::Text(bytes) => {
            String::from_utf8(bytes.to_vec()).map_err(|_| unreadable("not valid UTF-8".to_owned()))
        }
        Content::Binary => Err(unreadable("it is a binary file".to_owned())),
        Content::TooLarge(size) => Err(unreadable(format!(
            "it is {size} bytes, over the {limit}-byte limit"
        ))),
        Content::Unreadable(why) => Err(unreadable(why)),
    }
}

/// The baseline named by `--baseline` or by the config (a file of the side's tree, so
/// `--rev` and bare mirrors use the commit's own).
pub fn load_baseline(
    options: &ScanOptions,
    settings: &Settings,
    side: Side,
) -> Result<Option<Baseline>, ScanError> {
    let unreadable = |name: &str| {
        let name = name.to_owned();
        move |message| ScanError::BaselineUnreadable {
            name: name.clone(),
            message,
        }
    };
    let (name, text) = if let Some(path) = &options.baseline {
        let name = path.display().to_string();
        match read_given(path, side, MAX_BASELINE_SIZE, unreadable(&name))? {
            Some(text) => (name, text),
            None => return Ok(None),
        }
    } else if let Some(name) = &settings.baseline {
        let entry = side
            .tree
            .find(name)
            .ok_or_else(|| unreadable(name)("the scanned tree has no such file".to_owned()))?;
        (
            name.clone(),
            read_entry(side, entry, MAX_BASELINE_SIZE, unreadable(name))?,
        )
    } else {
        return Ok(None);
    };
    Ok(Some(Baseline::parse(&name, &text)?))
}

/// A baseline lists at most a few hundred findings; a larger file is not one.
const MAX_BASELINE_SIZE: u64 = 16 * 1024 * 1024;

/// Settings from `--config`, else from `.opslint.toml` at the root of the side's tree (so
/// `--rev` uses that commit's config), else defaults.
fn load_settings(
    options: &ScanOptions,
    side: Side,
    builtin: &[Rule],
) -> Result<(Settings, Option<String>), ScanError> {
    let mut given = match &options.config {
        Some(path) => {
            let unreadable = |message| ScanError::ConfigUnreadable {
                path: path.clone(),
                message,
            };
            match read_given(path, side, DEFAULT_MAX_FILE_SIZE, unreadable)? {
                Some(text) => {
                    let name = path.display().to_string();
                    Some((
                        Settings::parse(&name, &text, builtin).map_err(Box::new)?,
                        name,
                    ))
                }
                None => None,
            }
        }
        None => None,
    };
    // The command line's budgets replace the given config's, and bound the repository's.
    if let Some((settings, _)) = &mut given {
        apply_budgets(options, settings);
    }
    let own = match given {
        _ if options.ignore_repo_config => None,
        Some(_) if !options.layer_repo_config => None,
        _ => repository_config(side)?,
    };
    let (mut settings, name) = match (given, own) {
        (Some((settings, name)), None) => (settings, Some(name)),
        (given, Some(text)) => {
            let (base, names) = match given {
                Some((settings, name)) => (settings, format!("{name} + {CONFIG_FILE_NAME}")),
                None => (defaults(options), CONFIG_FILE_NAME.to_owned()),
            };
            let settings =
                crate::config::overrides::parse_repository(base, CONFIG_FILE_NAME, &text, builtin)
                    .map_err(Box::new)?;
            (settings, Some(names))
        }
        (None, None) => (defaults(options), None),
    };
    settings.own_repository = crate::repo::own_name(&side.target.repo.to_thread_local());
    Ok((settings, name))
}

/// The default settings with the command line's budgets.
fn defaults(options: &ScanOptions) -> Settings {
    let mut settings = Settings::default();
    apply_budgets(options, &mut settings);
    settings
}

/// `--max-file-size` and `--max-total-read`.
fn apply_budgets(options: &ScanOptions, settings: &mut Settings) {
    if let Some(max_file_size) = options.max_file_size {
        settings.max_file_size = max_file_size;
    }
    if let Some(max_total_read) = options.max_total_read {
        settings.max_total_read = max_total_read;
    }
}

/// The text of `.opslint.toml` at the root of the side's tree, if there is one.
fn repository_config(side: Side) -> Result<Option<String>, ScanError> {
    let Some(entry) = side.tree.find(CONFIG_FILE_NAME) else {
        return Ok(None);
    };
    let unreadable = |message| ScanError::ConfigUnreadable {
        path: PathBuf::from(CONFIG_FILE_NAME),
        message,
    };
    read_entry(side, entry, DEFAULT_MAX_FILE_SIZE, unreadable).map(Some)
}

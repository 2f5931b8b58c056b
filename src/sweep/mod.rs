//! `opslint sweep`: every repository under some folders through the same engine as
//! `check`, in parallel, one JSON line per repository written as each finishes, so an
//! interrupted sweep loses nothing and `--resume` carries on.

pub mod discover;
pub mod fleet;

use std::collections::HashSet;
use std::io::{BufRead, BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use miette::Diagnostic;
use serde::{Deserialize, Serialize};

use crate::history::Window;
use crate::scan::{self, ScanOptions};
use crate::severity::Severity;
use discover::{Candidate, Symlink};

/// What to sweep and how.
#[derive(Debug, Clone)]
pub struct SweepOptions {
    pub candidates: Vec<Candidate>,
    /// Symbolic links to folders that discovery did not follow: each is named on stderr
    /// and counted in the summary.
    pub symlinks: Vec<Symlink>,
    /// Where lines go; `None` for standard output.
    pub output: Option<PathBuf>,
    pub resume: bool,
    /// The organisation's config, under each repository's own unless `ignore_repo_config`.
    pub config: Option<PathBuf>,
    pub ignore_repo_config: bool,
    pub history: Option<Window>,
    pub timeout: Option<Duration>,
    /// Repositories scanned at once.
    pub jobs: usize,
    pub fail_on: Option<Severity>,
    /// Read the object stores a repository's `objects/info/alternates` names.
    pub allow_alternates: bool,
    /// Add each repository's timeline (`opslint timeline`) to its line.
    pub timeline: Option<(crate::timeline::Since, crate::timeline::Every)>,
}

/// How a sweep ended.
#[derive(Debug, Default)]
pub struct Summary {
    pub scanned: usize,
    pub failed: usize,
    pub skipped: usize,
    /// Repositories with a failing finding at or above `fail_on`.
    pub failing: usize,
    /// Symbolic links to folders, not followed.
    pub symlinks: usize,
}

/// The line a sweep ends with on stderr: `swept 7 repositories (2 failed to scan), 3
/// already done, 1 symbolic link not followed`.
impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let swept = self.scanned + self.failed;
        write!(
            f,
            "swept {} ({} failed to scan)",
            count(swept, "repository", "repositories"),
            self.failed
        )?;
        if self.skipped > 0 {
            write!(f, ", {} already done", self.skipped)?;
        }
        if self.symlinks > 0 {
            write!(
                f,
                ", {} not followed",
                count(self.symlinks, "symbolic link", "symbolic links")
            )?;
        }
        Ok(())
    }
}

fn count(count: usize, one: &str, many: &str) -> String {
    format!("{count} {}", if count == 1 { one } else { many })
}

/// A repository that could not be scanned, as its line says.
#[derive(Serialize)]
struct ErrorLine<'a> {
    repository: ErrorRepository<'a>,
    error: ErrorInfo,
}

#[derive(Serialize)]
struct ErrorRepository<'a> {
    path: String,
    name: &'a str,
}

/// Read back by the organisation report (`fleet`).
#[derive(Serialize, Deserialize)]
struct ErrorInfo {
    code: String,
    message: String,
}

/// The repositories an earlier, interrupted sweep already wrote to `output`. A last line
/// cut short by the interruption is removed, so that appending starts on a line of its own.
pub fn done_in(output: &Path) -> std::io::Result<HashSet<String>> {
    let text = match std::fs::read(output) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(HashSet::new()),
        Err(error) => return Err(error),
    };
    let mut complete = text
        .iter()
        .rposition(|&byte| byte == b'\n')
        .map_or(0, |at| at + 1);
    if complete < text.len() {
        // A last line that is a whole report, only missing its line feed (written by hand,
        // or by an editor), is kept and ended; one cut short is removed.
        let whole = serde_json::from_slice::<SweptLine>(&text[complete..]).is_ok();
        if whole {
            std::fs::OpenOptions::new()
                .append(true)
                .open(output)?
                .write_all(b"\n")?;
            complete = text.len();
        } else {
            std::fs::OpenOptions::new()
                .write(true)
                .open(output)?
                .set_len(complete as u64)?;
        }
    }
    let mut done = HashSet::new();
    for line in text[..complete].lines() {
        // A line that is not a report is not done: it is scanned again.
        if let Ok(swept) = serde_json::from_str::<SweptLine>(&line?) {
            done.insert(swept.repository.path);
        }
    }
    Ok(done)
}

/// What `--resume` reads of a line: the repository it is about (a report's and an error
/// line's alike).
#[derive(Deserialize)]
struct SweptLine {
    repository: SweptRepository,
}

#[derive(Deserialize)]
struct SweptRepository {
    path: String,
}

pub fn run(options: SweepOptions) -> Result<Summary, miette::Report> {
    // The sweep's bar counts repositories; a repository's own history progress drawn on
    // the same line would mix the two.
    crate::history::progress::hide();
    if options.jobs > 1 {
        crate::history::diff_on_one_thread();
    }
    // Named before the sweep starts, and counted in its summary: nothing is passed over
    // without a word.
    for symlink in &options.symlinks {
        eprintln!("sweep: {}", crate::text::for_terminal(&symlink.to_string()));
    }
    let done = match (&options.output, options.resume) {
        (Some(output), true) => done_in(output)
            .map_err(|error| miette::miette!("cannot read {}: {error}", output.display()))?,
        _ => HashSet::new(),
    };
    let todo: Vec<&Candidate> = options
        .candidates
        .iter()
        .filter(|candidate| !done.contains(&candidate.path.display().to_string()))
        .collect();
    let skipped = options.candidates.len() - todo.len();
    let sink: Box<dyn Write + Send> = match &options.output {
        Some(path) => {
            let file = std::fs::OpenOptions::new()
                .create(true)
                .append(options.resume)
                .write(true)
                .truncate(!options.resume)
                .open(path)
                .map_err(|error| miette::miette!("cannot write {}: {error}", path.display()))?;
            Box::new(file)
        }
        None => Box::new(std::io::stdout()),
    };
    let sink = Mutex::new(BufWriter::new(sink));
    let progress = Progress::new(todo.len());
    let next = AtomicUsize::new(0);
    let counts = Mutex::new(Summary {
        skipped,
        symlinks: options.symlinks.len(),
        ..Summary::default()
    });
    let write_error: Mutex<Option<std::io::Error>> = Mutex::new(None);
    std::thread::scope(|scope| {
        for _ in 0..options.jobs.max(1) {
            let worker = std::thread::Builder::new().stack_size(crate::THREAD_STACK_BYTES);
            let spawned = worker.spawn_scoped(scope, || {
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    let Some(candidate) = todo.get(index) else {
                        break;
                    };
                    let (line, outcome) = sweep_one(candidate, &options);
                    let mut sink = sink.lock().unwrap_or_else(PoisonError::into_inner);
                    let written = sink
                        .write_all(line.as_bytes())
                        .and_then(|()| sink.write_all(b"\n"))
                        .and_then(|()| sink.flush());
                    drop(sink);
                    if let Err(error) = written {
                        *write_error.lock().unwrap_or_else(PoisonError::into_inner) = Some(error);
                        break;
                    }
                    let mut counts = counts.lock().unwrap_or_else(PoisonError::into_inner);
                    match outcome {
                        Outcome::Scanned { failing } => {
                            counts.scanned += 1;
                            counts.failing += usize::from(failing);
                        }
                        Outcome::Failed => counts.failed += 1,
                    }
                    progress.advance(counts.failed);
                }
            });
            if let Err(error) = spawned {
                *write_error.lock().unwrap_or_else(PoisonError::into_inner) = Some(error);
            }
        }
    });
    progress.finish();
    if let Some(error) = write_error
        .into_inner()
        .unwrap_or_else(PoisonError::into_inner)
    {
        return Err(miette::miette!("the sweep could not go on: {error}"));
    }
    Ok(counts.into_inner().unwrap_or_else(PoisonError::into_inner))
}

enum Outcome {
    Scanned { failing: bool },
    Failed,
}

/// One repository's line: its report, or why there is none. A panic is caught and becomes
/// the repository's error; the sweep goes on.
fn sweep_one(candidate: &Candidate, options: &SweepOptions) -> (String, Outcome) {
    let scan_options = ScanOptions {
        path: candidate.path.clone(),
        config: options.config.clone(),
        layer_repo_config: !options.ignore_repo_config,
        ignore_repo_config: options.ignore_repo_config,
        history: options.history,
        deadline: options.timeout.map(|budget| Instant::now() + budget),
        // The candidate itself, not a repository above it, and nothing outside it.
        access: crate::repo::Access {
            exact: true,
            allow_alternates: options.allow_alternates,
        },
        ..ScanOptions::default()
    };
    let scanned =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| scan::check(&scan_options)));
    let error = match scanned {
        Ok(Ok(mut report)) => {
            report.repository.name = Some(candidate.name.clone());
            let failing = options.fail_on.is_some_and(|threshold| {
                report.gating().any(|finding| finding.fails_at(threshold))
            });
            let line = match options.timeline {
                Some((since, every)) => with_timeline(&report, &scan_options, since, every),
                None => serde_json::to_string(&report),
            };
            match line {
                Ok(line) => return (line, Outcome::Scanned { failing }),
                Err(error) => ErrorInfo {
                    code: "opslint::report".to_owned(),
                    message: format!("the report could not be written: {error}"),
                },
            }
        }
        Ok(Err(error)) => ErrorInfo {
            code: error
                .code()
                .map_or_else(|| "opslint::error".to_owned(), |code| code.to_string()),
            message: error.to_string(),
        },
        Err(panic) => ErrorInfo {
            code: "opslint::panic".to_owned(),
            message: format!(
                "opslint failed on this repository (a bug; please report it): {}",
                panic_message(&panic)
            ),
        },
    };
    let line = ErrorLine {
        repository: ErrorRepository {
            path: candidate.path.display().to_string(),
            name: &candidate.name,
        },
        error,
    };
    let line = serde_json::to_string(&line).unwrap_or_else(|_| "{}".to_owned());
    (line, Outcome::Failed)
}

/// The report's line with the repository's timeline under `timeline` (or, when it could not
/// be made, `timeline_error`: the report stands without it).
fn with_timeline(
    report: &crate::report::Report,
    scan_options: &ScanOptions,
    since: crate::timeline::Since,
    every: crate::timeline::Every,
) -> serde_json::Result<String> {
    let mut line = serde_json::to_value(report)?;
    let options = crate::timeline::TimelineOptions {
        scan: scan_options.clone(),
        since,
        every,
        no_history: scan_options.history.is_none(),
    };
    let (key, value) = match crate::timeline::timeline(&options) {
        Ok(timeline) => ("timeline", serde_json::to_value(&timeline)?),
        Err(error) => (
            "timeline_error",
            serde_json::Value::String(error.to_string()),
        ),
    };
    if let Some(object) = line.as_object_mut() {
        object.insert(key.to_owned(), value);
    }
    serde_json::to_string(&line)
}

fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|text| (*text).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic".to_owned())
}

/// Repositories done / total, rate, time left and failures, on a terminal only.
struct Progress {
    bar: Option<indicatif::ProgressBar>,
}

impl Progress {
    fn new(total: usize) -> Progress {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = indicatif::ProgressBar::new(total as u64);
            let style = indicatif::ProgressStyle::with_template(
                "sweep {bar:20} {pos}/{len} · {per_sec} · ETA {eta} · {msg}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
            bar.set_style(style);
            bar.set_message("0 failed");
            bar
        });
        Progress { bar }
    }

    fn advance(&self, failed: usize) {
        if let Some(bar) = &self.bar {
            bar.set_message(format!("{failed} failed"));
            bar.inc(1);
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 16: one repository's "history: done / total commits" was drawn inside the
    /// sweep's bar. A sweep hides it before it scans anything.
    #[test]
    fn a_sweep_hides_each_repository_history_progress() {
        let folder = tempfile::tempdir().unwrap();
        let summary = run(SweepOptions {
            candidates: Vec::new(),
            symlinks: Vec::new(),
            output: Some(folder.path().join("sweep.jsonl")),
            resume: false,
            config: None,
            ignore_repo_config: false,
            history: None,
            timeout: None,
            jobs: 1,
            fail_on: None,
            allow_alternates: false,
            timeline: None,
        })
        .unwrap();
        assert_eq!(summary.scanned, 0);
        assert!(!crate::history::progress::allowed());
    }

    #[test]
    fn the_summary_counts_what_was_not_swept() {
        let summary = Summary {
            scanned: 6,
            failed: 1,
            skipped: 3,
            failing: 0,
            symlinks: 2,
        };
        assert_eq!(
            summary.to_string(),
            "swept 7 repositories (1 failed to scan), 3 already done, 2 symbolic links not followed"
        );
        let one = Summary {
            scanned: 1,
            ..Summary::default()
        };
        assert_eq!(one.to_string(), "swept 1 repository (0 failed to scan)");
    }
}

//! Progress of the history pass on a terminal: after a second, "commits done / total" on
//! standard error, redrawn in place and cleared at the end; nothing when stderr is not a
//! terminal (piped, in CI logs, in a hook's captured output), nor in a sweep (`hide`).

use std::io::{IsTerminal, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

/// Nothing is shown for a pass quicker than this.
const QUIET_FOR: Duration = Duration::from_secs(1);
const REDRAW_EVERY: Duration = Duration::from_millis(200);

/// Whether a history pass may draw at all. A sweep turns it off: its own bar counts
/// repositories, and one repository's commits drawn over it mixed the two
/// ("history: 969 / 0 commits" inside the sweep's bar).
static ALLOWED: AtomicBool = AtomicBool::new(true);

/// No history progress from now on, in this process (for sweeps).
pub fn hide() {
    ALLOWED.store(false, Ordering::Relaxed);
}

/// Whether a history pass started now would draw (on a terminal).
pub fn allowed() -> bool {
    ALLOWED.load(Ordering::Relaxed)
}

pub struct Progress {
    /// Commits walked so far: the total, once the walk is over.
    found: Arc<AtomicUsize>,
    done: Arc<AtomicUsize>,
    finished: Arc<AtomicBool>,
    drawer: Option<JoinHandle<()>>,
}

impl Progress {
    /// Draws only when stderr is a terminal and progress is not hidden.
    pub fn start() -> Progress {
        let found = Arc::new(AtomicUsize::new(0));
        let done = Arc::new(AtomicUsize::new(0));
        let finished = Arc::new(AtomicBool::new(false));
        let drawer = (allowed() && std::io::stderr().is_terminal()).then(|| {
            let (found, done, finished) =
                (Arc::clone(&found), Arc::clone(&done), Arc::clone(&finished));
            std::thread::spawn(move || draw(&found, &done, &finished))
        });
        Progress {
            found,
            done,
            finished,
            drawer,
        }
    }

    /// A commit walked: one more to diff.
    pub fn found(&self) {
        self.found.fetch_add(1, Ordering::Relaxed);
    }

    /// A commit diffed.
    pub fn advance(&self) {
        self.done.fetch_add(1, Ordering::Relaxed);
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finished.store(true, Ordering::Relaxed);
        if let Some(drawer) = self.drawer.take() {
            drawer.thread().unpark();
            let _ = drawer.join();
        }
    }
}

fn draw(found: &AtomicUsize, done: &AtomicUsize, finished: &AtomicBool) {
    std::thread::park_timeout(QUIET_FOR);
    let mut drawn = false;
    while !finished.load(Ordering::Relaxed) {
        let line = format!(
            "\rhistory: {} / {} commits",
            done.load(Ordering::Relaxed),
            found.load(Ordering::Relaxed)
        );
        let _ = std::io::stderr().write_all(line.as_bytes());
        drawn = true;
        std::thread::park_timeout(REDRAW_EVERY);
    }
    if drawn {
        // Erase the line so the report starts on a clean one.
        let _ = std::io::stderr().write_all(b"\r\x1b[2K");
    }
}

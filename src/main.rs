use std::process::ExitCode;

use clap::Parser;
use opslint::cli::{self, Cli};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let purge_delay_ms = match cli.command {
        cli::Command::Sweep(_) => 100,
        _ => -1,
    };
    keep_freed_memory(purge_delay_ms);
    // The default global pool, with deeper stacks (see THREAD_STACK_BYTES); building it can
    // only fail if a pool already exists, and none does yet.
    let _ = rayon::ThreadPoolBuilder::new()
        .stack_size(opslint::THREAD_STACK_BYTES)
        .build_global();
    let color = cli.color;
    miette::set_hook(Box::new(move |_| {
        let plain = !color.enabled(std::io::IsTerminal::is_terminal(&std::io::stderr()));
        let theme = if plain {
            miette::GraphicalTheme::unicode_nocolor()
        } else {
            miette::GraphicalTheme::unicode()
        };
        Box::new(miette::GraphicalReportHandler::new_themed(theme).with_width(100))
    }))
    .expect("the error hook is set once, first thing");
    match cli::run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(report) => {
            // Config errors quote the repository's text: nothing in it may drive the
            // terminal or a CI log (a carriage return would start a workflow command).
            eprintln!(
                "{}",
                opslint::text::for_terminal_keeping_colours(&format!("{report:?}"))
            );
            ExitCode::from(2)
        }
    }
}

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_purge_delay` in mimalloc 3's `mimalloc.h` (the sys crate names only older options).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// A check runs for a fraction of a second: memory handed back to the OS would only be
/// faulted in and zeroed again (it was a tenth of a large monorepo's scan time), so it
/// never purges (-1). A sweep runs for hours over repositories of every size: kept for
/// ever, freed memory grew its peak with the number of repositories (68 → 96 MiB from 100
/// to 1,000 repositories); purged after 100 ms it stayed flat (54 → 60 MiB) for a few
/// per cent of time. Nor are transparent huge pages used: each first touch zeroes 2 MiB,
/// which was a tenth of the history pass's cycles on git/git (without them it ran 4 %
/// faster and peaked 10 % lower).
fn keep_freed_memory(purge_delay_ms: std::os::raw::c_long) {
    // SAFETY: sets a process-wide allocator option before any thread is started; the
    // option id and values are ones mimalloc documents (-1: never purge; else milliseconds).
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, purge_delay_ms) };
    // mimalloc's own THP option is read when it starts, before `main`: the kernel is told.
    // SAFETY: PR_SET_THP_DISABLE takes plain integers and only affects this process; its
    // failure (an old kernel) changes nothing but speed.
    #[cfg(target_os = "linux")]
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

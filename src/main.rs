use std::process::ExitCode;

use clap::Parser;
use opslint::cli::{self, Cli};

fn main() -> ExitCode {
    let cli = Cli::parse();
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
            eprintln!("{report:?}");
            ExitCode::from(2)
        }
    }
}

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

//! The `earmark` binary: parses arguments and runs a headless command.

use std::io::{BufWriter, Write};
use std::process::ExitCode;

use clap::Parser;
use earmark::cli::{self, Args};

fn main() -> ExitCode {
    let args = Args::parse();
    let Some(command) = args.command else {
        eprintln!(
            "earmark: the player window is not built yet; try `earmark inspect FILE` or `earmark --help`"
        );
        return ExitCode::from(2);
    };
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let result = cli::run(command, &mut out).and_then(|()| Ok(out.flush()?));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("earmark: {err:#}");
            ExitCode::FAILURE
        }
    }
}

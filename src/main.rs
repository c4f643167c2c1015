//! The `earmark` binary: opens the player window, or runs a headless command.

use std::io::{BufWriter, Write};
use std::process::ExitCode;

use clap::Parser;
use earmark::cli::{self, Args};

fn main() -> ExitCode {
    let args = Args::parse();
    let Some(command) = args.command else {
        return player(args);
    };
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let result = cli::run(command, &mut out).and_then(|()| Ok(out.flush()?));
    exit_code(result)
}

#[cfg(feature = "app")]
fn player(args: Args) -> ExitCode {
    let launch = earmark::ui::Launch {
        restore: args.files.is_empty(),
        files: args.files,
        start_ms: args.start.map(|t| (t.secs * 1000.0).round() as u64),
        cache_dir: None,
        data_dir: earmark::ui::settings_dir(),
    };
    exit_code(earmark::ui::run(launch))
}

#[cfg(not(feature = "app"))]
fn player(_args: Args) -> ExitCode {
    eprintln!("earmark: built without the player window; try `earmark --help`");
    ExitCode::from(2)
}

fn exit_code(result: anyhow::Result<()>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("earmark: {}", error_line(&err));
            ExitCode::FAILURE
        }
    }
}

/// The error and its causes on one line, each cause said once: a message
/// that already quotes its cause (`cannot read x.mp3: No such file`) is not
/// followed by the cause again.
fn error_line(err: &anyhow::Error) -> String {
    let mut line = String::new();
    for cause in err.chain() {
        let text = cause.to_string();
        if line.contains(&text) {
            continue;
        }
        if !line.is_empty() {
            line.push_str(": ");
        }
        line.push_str(&text);
    }
    line
}

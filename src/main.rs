//! The `earmark` binary: opens the player window, or runs a headless command.

// The shipped Windows build opens no console window behind the player; the
// headless commands still print to the terminal that started them
// (`windows_process::attach_parent_console`).
#![cfg_attr(all(windows, not(debug_assertions)), windows_subsystem = "windows")]

use std::io::{BufWriter, Write};
use std::process::ExitCode;

use clap::Parser;
use earmark::cli::{self, Args};
#[cfg(feature = "app")]
use earmark::instance::{Handoff, InstanceError, Rendezvous, Request};

#[cfg(windows)]
mod windows_process;

fn main() -> ExitCode {
    // --help, --version and a mistyped command print and exit in here.
    let args = Args::try_parse().unwrap_or_else(|err| {
        to_the_terminal();
        err.exit()
    });
    if args.command.is_some() {
        to_the_terminal();
    }
    start_logs_and_crash_reports(args.command.is_none());
    let Some(command) = args.command else {
        return player(args);
    };
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let result = cli::run(command, &mut out).and_then(|()| Ok(out.flush()?));
    exit_code(result)
}

/// Makes what is printed reach the terminal that started a headless command.
/// Only Windows needs it: there the release build has no console of its own.
fn to_the_terminal() {
    #[cfg(windows)]
    windows_process::attach_parent_console();
}

/// The log (and its file in the data folder when the window is to open:
/// a headless command has its terminal) and the panic hook that writes
/// crash reports there.
fn start_logs_and_crash_reports(window: bool) {
    let data_dir = data_dir();
    let log_dir = data_dir
        .as_deref()
        .filter(|_| window)
        .map(earmark::logging::logs_dir);
    if let Err(err) = earmark::logging::init(log_dir.as_deref(), !window) {
        eprintln!("earmark: no log: {err}");
    }
    earmark::crash::install_panic_hook(data_dir.as_deref().map(earmark::crash::crash_dir));
    log::info!(
        "earmark {} started on {} {}",
        env!("CARGO_PKG_VERSION"),
        std::env::consts::OS,
        std::env::consts::ARCH
    );
    earmark::crash::panic_if_asked();
}

/// Where settings, journals, logs and crash reports are kept.
#[cfg(feature = "app")]
fn data_dir() -> Option<std::path::PathBuf> {
    earmark::ui::settings_dir()
}

#[cfg(not(feature = "app"))]
fn data_dir() -> Option<std::path::PathBuf> {
    None
}

#[cfg(feature = "app")]
fn player(args: Args) -> ExitCode {
    #[cfg(windows)]
    windows_process::set_app_user_model_id(earmark::app_id::APP_ID);
    let start_ms = args.start.map(|t| (t.secs * 1000.0).round() as u64);
    let listener = if args.new_window {
        None
    } else {
        match hand_over(&args.files, start_ms) {
            Some(Handoff::Delivered) => return ExitCode::SUCCESS,
            Some(Handoff::Listening(listener)) => Some(listener),
            None => None,
        }
    };
    let launch = earmark::ui::Launch {
        restore: args.files.is_empty(),
        files: args.files,
        start_ms,
        cache_dir: None,
        data_dir: earmark::ui::settings_dir(),
    };
    exit_code(earmark::ui::run(launch, listener))
}

/// Hands `files` (none: just come to the front) to the Earmark window
/// already open for this user and display, or becomes that window's
/// listener; `None` when neither could be done (Windows, or a problem
/// logged): the window then opens without handing anything over.
#[cfg(feature = "app")]
fn hand_over(files: &[std::path::PathBuf], start_ms: Option<u64>) -> Option<Handoff> {
    let rendezvous = Rendezvous::from_env(data_dir().as_deref())?;
    let cwd = match std::env::current_dir() {
        Ok(cwd) => cwd,
        Err(err) => {
            log::warn!("opening a window of its own: no working folder ({err})");
            return None;
        }
    };
    let request = Request::new(files, start_ms, &cwd);
    match earmark::instance::hand_over_or_listen(&rendezvous, &request) {
        Ok(Handoff::Delivered) => {
            log::info!("handed {} file(s) to the open window", files.len());
            Some(Handoff::Delivered)
        }
        Ok(listening) => Some(listening),
        // Windows: each start has its own window, as always.
        Err(InstanceError::Unsupported) => None,
        Err(err) => {
            log::warn!("opening a window of its own: {err}");
            None
        }
    }
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

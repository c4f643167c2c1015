//! `earmark --version` and `earmark --help` as users expect: the version
//! line, and a help that says what Earmark is, how to open an episode, each
//! command, where its files and log are, and what `RUST_LOG` does.

use std::process::{Command, Output};

use clap::CommandFactory;
use earmark::cli::Args;

fn earmark(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_earmark"))
        .args(args)
        .env("COLUMNS", "80")
        .output()
        .expect("the earmark binary runs")
}

fn stdout_of(args: &[&str]) -> String {
    let out = earmark(args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

#[test]
fn version_prints_the_name_and_the_cargo_version() {
    let expected = format!("earmark {}\n", env!("CARGO_PKG_VERSION"));
    assert_eq!(stdout_of(&["--version"]), expected);
    assert_eq!(stdout_of(&["-V"]), expected);
}

#[test]
fn help_says_what_it_is_how_to_open_an_episode_and_where_the_files_are() {
    let help = stdout_of(&["--help"]);
    for part in [
        "Play a recording next to its transcript, in sync",
        "Usage: earmark [OPTIONS] [FILE]...",
        "With no command, Earmark opens its window",
        "--start <T>",
        "Examples:",
        "earmark episode.mp3",
        "logs/earmark.log",
        "crashes/",
        "RUST_LOG",
        "EARMARK_STATE_DIR",
    ] {
        assert!(help.contains(part), "no {part:?} in:\n{help}");
    }
    for line in help.lines() {
        assert!(
            line.chars().count() <= 80,
            "wider than the terminal: {line:?}"
        );
    }
    let short = stdout_of(&["-h"]);
    assert!(short.len() < help.len() / 2, "-h is the summary:\n{short}");
}

#[test]
fn every_command_and_argument_says_what_it_is_for() {
    let mut command = Args::command();
    command.build();
    command.clone().debug_assert();
    let help = stdout_of(&["--help"]);
    for sub in command.get_subcommands().filter(|s| s.get_name() != "help") {
        let name = sub.get_name();
        let about = sub.get_about().map(ToString::to_string).unwrap_or_default();
        assert!(!about.is_empty(), "{name} has no description");
        assert!(
            help.contains(&format!("  {name} ")),
            "{name} is not listed:\n{help}"
        );
        for arg in sub.get_arguments() {
            let id = arg.get_id().as_str();
            if id == "help" || id == "version" {
                continue;
            }
            assert!(arg.get_help().is_some(), "{name}'s {id} has no help");
        }
        let sub_help = stdout_of(&[name, "--help"]);
        let words = |text: &str| text.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            words(&sub_help).contains(&words(&about)),
            "{name} --help:\n{sub_help}"
        );
        assert!(
            sub_help.contains(&format!("Usage: earmark {name}")),
            "{sub_help}"
        );
    }
}

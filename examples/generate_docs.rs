//! The manual pages and shell completions, made from the command-line
//! definition the binary parses (clap_mangen, clap_complete), so they can
//! never disagree with it. The packages run it at build time
//! (`packaging/linux/deb.sh`):
//!
//! ```sh
//! cargo run --example generate_docs -- OUT_DIR
//! ```
//!
//! writes `OUT_DIR/man/earmark.1`, a page for each command
//! (`earmark-inspect.1`, …), and `OUT_DIR/completions/` for bash, zsh, fish,
//! elvish and PowerShell. An example rather than a command of the binary:
//! clap_complete completes hidden commands too, and the shipped binary
//! needs neither generator.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::CommandFactory;
use clap_complete::Shell;
use clap_mangen::Man;
use earmark::cli::Args;
use roff::{Roff, bold, roman};

/// The shells completions are written for, each to the file name its
/// completion system looks for.
const SHELLS: [Shell; 5] = [
    Shell::Bash,
    Shell::Zsh,
    Shell::Fish,
    Shell::Elvish,
    Shell::PowerShell,
];

fn main() -> anyhow::Result<()> {
    let out_dir: PathBuf = std::env::args_os()
        .nth(1)
        .context("usage: generate_docs OUT_DIR")?
        .into();
    let man_dir = out_dir.join("man");
    let completions_dir = out_dir.join("completions");
    for dir in [&man_dir, &completions_dir] {
        fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    write_manual(&man_dir)?;
    for shell in SHELLS {
        let file =
            clap_complete::generate_to(shell, &mut Args::command(), "earmark", &completions_dir)
                .with_context(|| format!("cannot write the {shell} completions"))?;
        println!("{}", file.display());
    }
    Ok(())
}

/// `earmark.1` with the help's examples, files and environment as sections
/// of their own, and a page for each command.
fn write_manual(dir: &Path) -> anyhow::Result<()> {
    let command = Args::command().disable_help_subcommand(true);
    let mut built = command.clone();
    built.build();
    for sub in built.get_subcommands().filter(|s| !s.is_hide_set()) {
        let file = Man::new(sub.clone())
            .generate_to(dir)
            .with_context(|| format!("cannot write the page of {}", sub.get_name()))?;
        println!("{}", file.display());
    }
    let extra = command
        .get_after_long_help()
        .map(ToString::to_string)
        .unwrap_or_default();
    let man = Man::new(command);
    let mut page = Vec::new();
    man.render_title(&mut page)?;
    man.render_name_section(&mut page)?;
    man.render_synopsis_section(&mut page)?;
    man.render_description_section(&mut page)?;
    man.render_options_section(&mut page)?;
    man.render_subcommands_section(&mut page)?;
    page.extend_from_slice(help_sections(&extra).render().as_bytes());
    man.render_version_section(&mut page)?;
    let path = dir.join(man.get_filename());
    fs::write(&path, page).with_context(|| format!("cannot write {}", path.display()))?;
    println!("{}", path.display());
    Ok(())
}

/// The help's closing text as manual sections. It is laid out as headings
/// (`Examples:` at the margin), terms indented by two spaces with their
/// explanation indented by six, and paragraphs indented by two.
fn help_sections(text: &str) -> Roff {
    let mut roff = Roff::new();
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        let trimmed = line.trim();
        if trimmed.is_empty() {
            continue;
        }
        if !line.starts_with(' ') {
            let heading = trimmed.trim_end_matches(':').to_uppercase();
            roff.control("SH", [heading.as_str()]);
        } else if lines.peek().is_some_and(|next| next.starts_with("      ")) {
            roff.control("TP", []).text([bold(trimmed)]);
            while let Some(explanation) = lines.next_if(|next| next.starts_with("      ")) {
                roff.text([roman(explanation.trim())]);
            }
        } else {
            roff.control("PP", []).text([roman(trimmed)]);
        }
    }
    roff
}

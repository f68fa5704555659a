//! `kpic completions bash|zsh|fish|elvish|powershell`: a shell completion
//! script, generated from kpic's own argument definitions.

use clap::CommandFactory;

use crate::cli::{Cli, EXIT_OK};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The shell to complete in
    shell: clap_complete::Shell,
}

pub fn run(args: Args) -> u8 {
    let mut command = Cli::command();
    clap_complete::generate(args.shell, &mut command, "kpic", &mut std::io::stdout());
    EXIT_OK
}

//! `kpic lsp`: the language server, over stdio (docs/editors.md).

use crate::cli::{fail, EXIT_OK};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Accepted for editors that pass it; stdio is the only transport
    #[arg(long)]
    stdio: bool,
}

pub fn run(_args: Args) -> u8 {
    match crate::lsp::serve() {
        Ok(()) => EXIT_OK,
        Err(error) => fail(format!("the language server stopped: {error}")),
    }
}

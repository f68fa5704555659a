//! `kpic graph [DIR]`: the dependency graph as dot, Mermaid or JSON.

use crate::cli::{checked_without_errors, fail, ProjectArg, EXIT_OK};
use crate::graph::{self, GraphFormat};

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    project: ProjectArg,
    /// Output format
    #[arg(long, value_enum, default_value_t = GraphFormat::Dot)]
    format: GraphFormat,
}

pub fn run(args: Args) -> u8 {
    let root = match args.project.root() {
        Ok(root) => root,
        Err(error) => return fail(error),
    };
    let checked = match checked_without_errors(&root) {
        Ok(checked) => checked,
        Err(code) => return code,
    };
    print!("{}", graph::render(&checked.model, &checked.graph, args.format));
    EXIT_OK
}

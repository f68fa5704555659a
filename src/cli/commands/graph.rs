//! `kpic graph [DIR]`: the dependency graph as dot, Mermaid or JSON.

use crate::cli::{without_errors, ProjectArg, EXIT_OK};
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
    let checked = match args.project.check().and_then(|(_, checked)| without_errors(checked)) {
        Ok(checked) => checked,
        Err(code) => return code,
    };
    print!("{}", graph::render(&checked.model, &checked.graph, args.format));
    EXIT_OK
}

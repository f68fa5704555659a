//! `kpic graph [DIR]`: the dependency graph as dot, Mermaid or JSON.

use crate::cli::{fail, ProjectArg, EXIT_ERRORS, EXIT_OK};
use crate::diagnostics::render;
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
    let checked = match crate::check_dir(&args.project.dir) {
        Ok(checked) => checked,
        Err(error) => return fail(error),
    };
    if checked.has_errors() {
        eprint!(
            "{}",
            render::human(&checked.diagnostics, &checked.sources, false)
        );
        return EXIT_ERRORS;
    }
    print!(
        "{}",
        graph::render(&checked.model, &checked.graph, args.format)
    );
    EXIT_OK
}

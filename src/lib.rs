#![doc = include_str!("../docs/architecture.md")]

pub mod cli;
pub mod diagnostics;
pub mod emit;
pub mod graph;
pub mod model;
#[cfg(feature = "engine")]
pub mod preview;
pub mod project;
pub mod resolve;
pub mod source;
pub mod syntax;
pub mod validate;

use diagnostics::Diagnostic;
use graph::Graph;
use model::Model;
use source::SourceMap;

/// A project after every checking stage: the model, its graph, and every finding.
pub struct Checked {
    pub sources: SourceMap,
    pub model: Model,
    pub graph: Graph,
    pub diagnostics: Vec<Diagnostic>,
}

/// A project that has no errors. Only [`Checked::valid`] makes one, so
/// emitters never run on a broken model.
pub struct Valid<'a> {
    pub model: &'a Model,
    pub graph: &'a Graph,
}

impl Checked {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    pub fn valid(&self) -> Option<Valid<'_>> {
        (!self.has_errors()).then_some(Valid { model: &self.model, graph: &self.graph })
    }
}

/// Runs parse → resolve → graph → validate over files already read.
pub fn check(sources: SourceMap) -> Checked {
    let mut diagnostics = Vec::new();
    let asts: Vec<_> = sources.files().map(|(id, file)| syntax::parse_file(id, &file.text, &mut diagnostics)).collect();
    let model = resolve::resolve(&sources, &asts, &mut diagnostics);
    let graph = Graph::build(&model);
    validate::validate(&model, &graph, &mut diagnostics);
    diagnostics::sort(&mut diagnostics);
    Checked { sources, model, graph, diagnostics }
}

/// Reads the project under `root` and checks it.
pub fn check_dir(root: &std::path::Path) -> Result<Checked, project::LoadError> {
    Ok(check(project::load(root)?))
}

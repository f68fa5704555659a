//! Stage 2: ASTs of all files → one typed [`Model`]. Binds names across
//! files, types expressions, checks raw SQL, and fills in what derived KPIs
//! inherit. Reports every problem it finds and still returns a model.

mod derived;
mod expr;
mod kpi;
mod names;
mod naming;
mod settings;
mod source;
pub mod sql;

pub use expr::{aggregate_function, AGGREGATE_NAMES};

use crate::diagnostics::Diagnostic;
use crate::model::Model;
use crate::source::SourceMap;
use crate::syntax::ast;
use std::sync::Arc;

/// Resolves the declarations of every file into one model.
pub fn resolve(files: &SourceMap, asts: &[Arc<ast::File>], diagnostics: &mut Vec<Diagnostic>) -> Model {
    let declarations = names::Declarations::collect(asts, diagnostics);
    let settings = settings::resolve(&declarations.projects, diagnostics);
    let teams = declarations.teams.iter().map(|t| settings::team(t)).collect();
    let sources = source::resolve_all(&declarations, files, &settings.dialects, diagnostics);
    let kpis = kpi::resolve_all(&declarations, &sources, files, &settings, diagnostics);
    let mut model = Model { settings, teams, sources, kpis };
    derived::infer(&mut model, &declarations, diagnostics);
    model
}

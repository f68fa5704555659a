//! `unused-source`: a source no KPI reads, directly or through a join.

use crate::diagnostics::{Code, Diagnostic};
use crate::graph::{Graph, Node};
use crate::model::Model;

pub fn check(model: &Model, graph: &Graph, diagnostics: &mut Vec<Diagnostic>) {
    for id in model.source_ids() {
        let read = graph.impact(Node::Source(id)).iter().any(|n| matches!(n, Node::Kpi(_)));
        if !read {
            let source = model.source(id);
            diagnostics.push(
                Diagnostic::new(Code::UnusedSource, source.name.span, format!("no KPI reads source `{}`", source.name))
                    .label("unused")
                    .help("delete it, or define a KPI over it"),
            );
        }
    }
}

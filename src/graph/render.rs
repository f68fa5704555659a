//! `kpic graph` output: Graphviz dot, Mermaid, or JSON.

use super::{Graph, Node};
use crate::model::Model;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum GraphFormat {
    Dot,
    Mermaid,
    Json,
}

/// The node's stable, type-prefixed id, e.g. `kpi.signup_rate`.
pub fn node_id(model: &Model, node: Node) -> String {
    match node {
        Node::Source(id) => format!("source.{}", model.source(id).name),
        Node::Kpi(id) => format!("kpi.{}", model.kpi(id).name),
    }
}

pub fn render(model: &Model, graph: &Graph, format: GraphFormat) -> String {
    match format {
        GraphFormat::Dot => dot(model, graph),
        GraphFormat::Mermaid => mermaid(model, graph),
        GraphFormat::Json => json(model, graph),
    }
}

fn dot(model: &Model, graph: &Graph) -> String {
    let mut out = String::from("digraph kpis {\n  rankdir=LR;\n");
    for node in graph.nodes() {
        let shape = if matches!(node, Node::Source(_)) { "cylinder" } else { "box" };
        out.push_str(&format!("  \"{}\" [shape={shape}];\n", node_id(model, node)));
    }
    for (from, to) in graph.edges() {
        out.push_str(&format!("  \"{}\" -> \"{}\";\n", node_id(model, from), node_id(model, to)));
    }
    out.push_str("}\n");
    out
}

fn mermaid(model: &Model, graph: &Graph) -> String {
    let mermaid_id = |node: Node| node_id(model, node).replace('.', "__");
    let mut out = String::from("flowchart LR\n");
    for node in graph.nodes() {
        let label = node_id(model, node);
        let (open, close) = if matches!(node, Node::Source(_)) { ("[(", ")]") } else { ("[", "]") };
        out.push_str(&format!("  {}{open}\"{label}\"{close}\n", mermaid_id(node)));
    }
    for (from, to) in graph.edges() {
        out.push_str(&format!("  {} --> {}\n", mermaid_id(from), mermaid_id(to)));
    }
    out
}

fn json(model: &Model, graph: &Graph) -> String {
    let nodes: Vec<serde_json::Value> = graph
        .nodes()
        .map(|node| {
            let kind = if matches!(node, Node::Source(_)) { "source" } else { "kpi" };
            let ids = |nodes: Vec<Node>| nodes.into_iter().map(|n| node_id(model, n)).collect::<Vec<_>>();
            serde_json::json!({
                "id": node_id(model, node),
                "kind": kind,
                "upstream": ids(graph.upstream(node)),
                "downstream": ids(graph.downstream(node)),
            })
        })
        .collect();
    let edges: Vec<serde_json::Value> = graph
        .edges()
        .into_iter()
        .map(|(from, to)| serde_json::json!({ "from": node_id(model, from), "to": node_id(model, to) }))
        .collect();
    let mut text = serde_json::to_string_pretty(&serde_json::json!({ "nodes": nodes, "edges": edges }))
        .expect("JSON values serialize");
    text.push('\n');
    text
}

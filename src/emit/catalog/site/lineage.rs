//! A KPI's lineage as SVG: what it reads (sources and KPIs, transitively) on
//! the left, the KPIs and dashboards that depend on it on the right, laid out
//! in layers by rust-sugiyama (Sugiyama's method: layering, crossing
//! reduction, Brandes–Köpf coordinates).

use std::collections::BTreeMap;
use std::fmt::Write;

use petgraph::stable_graph::{NodeIndex, StableDiGraph};
use pulldown_cmark_escape::escape_html;

use crate::graph::{Graph, Node};
use crate::model::{KpiId, Model};

/// The most upstream and downstream nodes drawn; the rest are listed as a count.
pub const MAX_NODES: usize = 40;

const NODE_HEIGHT: f64 = 30.0;
const CHAR_WIDTH: f64 = 7.2;
const PADDING: f64 = 14.0;
const GAP: f64 = 28.0;
const MARGIN: f64 = 8.0;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Source,
    Kpi,
    Current,
    Dashboard,
}

#[derive(Debug, Clone)]
struct Vertex {
    kind: Kind,
    label: String,
    /// Where the node links to, relative to a KPI page.
    href: Option<String>,
}

impl Vertex {
    fn width(&self) -> f64 {
        self.label.chars().count() as f64 * CHAR_WIDTH + 2.0 * PADDING
    }
}

/// The SVG, and how many nodes were left out.
pub struct Drawing {
    pub svg: String,
    pub omitted: usize,
}

/// The lineage of `id`, with `dashboards` (Looker dashboards showing it) downstream.
pub fn draw(model: &Model, graph: &Graph, id: KpiId, dashboards: &[String]) -> Drawing {
    let current = Node::Kpi(id);
    let upstream = graph.lineage(current);
    let downstream = graph.impact(current);
    let omitted = upstream.len().saturating_sub(MAX_NODES) + downstream.len().saturating_sub(MAX_NODES);
    let mut nodes: Vec<Node> = vec![current];
    nodes.extend(upstream.iter().take(MAX_NODES));
    nodes.extend(downstream.iter().take(MAX_NODES));

    let mut g: StableDiGraph<Vertex, ()> = StableDiGraph::new();
    let mut index: BTreeMap<Node, NodeIndex> = BTreeMap::new();
    for &node in &nodes {
        let vertex = match node {
            Node::Source(s) => Vertex {
                kind: Kind::Source,
                label: model.source(s).name.text.clone(),
                href: Some(format!("../sources/{}.html", model.source(s).name)),
            },
            Node::Kpi(k) => Vertex {
                kind: if k == id { Kind::Current } else { Kind::Kpi },
                label: model.kpi(k).name.text.clone(),
                href: (k != id).then(|| format!("{}.html", model.kpi(k).name)),
            },
        };
        index.insert(node, g.add_node(vertex));
    }
    for &node in &nodes {
        for up in graph.upstream(node) {
            if let (Some(&a), Some(&b)) = (index.get(&up), index.get(&node)) {
                g.add_edge(a, b, ());
            }
        }
    }
    let current_index = index[&current];
    for dashboard in dashboards {
        let d = g.add_node(Vertex { kind: Kind::Dashboard, label: format!("{dashboard} (Looker)"), href: None });
        g.add_edge(current_index, d, ());
    }
    Drawing { svg: svg(&g, &layout(&g)), omitted }
}

/// Centre of each node, left to right by layer.
fn layout(g: &StableDiGraph<Vertex, ()>) -> BTreeMap<NodeIndex, (f64, f64)> {
    let config = rust_sugiyama::configure::Config { vertex_spacing: GAP, ..Default::default() };
    // The crate lays layers top to bottom; swapping the axes turns them left to right.
    let layouts = rust_sugiyama::from_graph(g, &|_, v: &Vertex| (NODE_HEIGHT, v.width() + GAP), &config);
    let mut centres = BTreeMap::new();
    let mut offset = 0.0;
    for (positions, width, _) in layouts {
        for (node, (x, y)) in positions {
            centres.insert(node, (y, x + offset));
        }
        offset += width + GAP + NODE_HEIGHT;
    }
    centres
}

fn svg(g: &StableDiGraph<Vertex, ()>, centres: &BTreeMap<NodeIndex, (f64, f64)>) -> String {
    let half = |n: NodeIndex| g[n].width() / 2.0;
    let min_x = centres.iter().map(|(&n, &(x, _))| x - half(n)).fold(f64::INFINITY, f64::min);
    let min_y = centres.values().map(|&(_, y)| y - NODE_HEIGHT / 2.0).fold(f64::INFINITY, f64::min);
    let at = |n: NodeIndex| {
        let (x, y) = centres[&n];
        (x - min_x + MARGIN, y - min_y + MARGIN)
    };
    let width = centres.keys().map(|&n| at(n).0 + half(n)).fold(0.0, f64::max) + MARGIN;
    let height = centres.keys().map(|&n| at(n).1 + NODE_HEIGHT / 2.0).fold(0.0, f64::max) + MARGIN;
    let mut out = String::new();
    let _ = write!(
        out,
        "<svg class=\"lineage-graph\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{width:.0}\" height=\"{height:.0}\" \
         viewBox=\"0 0 {width:.0} {height:.0}\" role=\"group\" aria-labelledby=\"lineage-title\">\
         <title id=\"lineage-title\">Lineage: what this KPI reads, and what reads it</title>\
         <defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" \
         orient=\"auto-start-reverse\"><path class=\"arrow-head\" d=\"M0,0 L10,5 L0,10 z\"/></marker></defs>"
    );
    let mut edges: Vec<(NodeIndex, NodeIndex)> = g.edge_indices().filter_map(|e| g.edge_endpoints(e)).collect();
    edges.sort();
    for (a, b) in edges {
        let ((ax, ay), (bx, by)) = (at(a), at(b));
        let (x1, x2) = (ax + half(a), bx - half(b));
        let bend = ((x2 - x1) / 2.0).max(GAP);
        let _ = write!(
            out,
            "<path class=\"edge\" marker-end=\"url(#arrow)\" d=\"M{},{} C{},{} {},{} {},{}\"/>",
            Tenths(x1),
            Tenths(ay),
            Tenths(x1 + bend),
            Tenths(ay),
            Tenths(x2 - bend),
            Tenths(by),
            Tenths(x2),
            Tenths(by)
        );
    }
    for &n in centres.keys() {
        let v = &g[n];
        let (x, y) = at(n);
        let class = match v.kind {
            Kind::Source => "node node-source",
            Kind::Kpi => "node node-kpi",
            Kind::Current => "node node-current",
            Kind::Dashboard => "node node-dashboard",
        };
        if let Some(href) = &v.href {
            out.push_str("<a href=\"");
            let _ = escape_html(&mut out, href);
            out.push_str("\">");
        }
        let _ = write!(
            out,
            "<g class=\"{class}\"><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{NODE_HEIGHT}\" rx=\"6\"/>\
             <text x=\"{}\" y=\"{}\" text-anchor=\"middle\">",
            Tenths(x - half(n)),
            Tenths(y - NODE_HEIGHT / 2.0),
            Tenths(v.width()),
            Tenths(x),
            Tenths(y + 4.5)
        );
        let _ = escape_html(&mut out, &v.label);
        out.push_str("</text></g>");
        if v.href.is_some() {
            out.push_str("</a>");
        }
    }
    out.push_str("</svg>");
    out
}

/// A coordinate with one decimal, rounded in integers: `{:.1}` formats a
/// float exactly, with big-number arithmetic (a third of drawing a lineage).
struct Tenths(f64);

impl std::fmt::Display for Tenths {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let tenths = (self.0 * 10.0).round() as i64;
        let sign = if tenths < 0 { "-" } else { "" };
        let tenths = tenths.unsigned_abs();
        write!(f, "{sign}{}.{}", tenths / 10, tenths % 10)
    }
}

#[cfg(test)]
mod tests {
    use super::Tenths;

    #[test]
    fn coordinates_have_one_decimal() {
        let written = [0.0, 30.0, 12.34, 12.36, 99.96, -3.26, -0.04].map(|v| Tenths(v).to_string());
        assert_eq!(written, ["0.0", "30.0", "12.3", "12.4", "100.0", "-3.3", "0.0"]);
    }
}

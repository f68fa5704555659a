//! Stage 3: the dependency graph of sources and KPIs. Edges point from what
//! is read to what reads it (upstream → downstream).

mod render;

pub use render::{render, GraphFormat};

use petgraph::algo::{tarjan_scc, toposort};
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::{Dfs, EdgeRef, Reversed};
use petgraph::Direction;

use crate::model::{FormulaKind, KpiId, Model, SourceId};

/// A node of the dependency graph.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Node {
    Source(SourceId),
    Kpi(KpiId),
}

/// The dependency graph, with a node for every source and KPI.
#[derive(Debug, Clone)]
pub struct Graph {
    graph: DiGraph<Node, ()>,
    sources: Vec<NodeIndex>,
    kpis: Vec<NodeIndex>,
}

impl Graph {
    pub fn build(model: &Model) -> Graph {
        let mut graph = DiGraph::with_capacity(model.sources.len() + model.kpis.len(), model.kpis.len() * 2);
        let sources: Vec<NodeIndex> = model.source_ids().map(|id| graph.add_node(Node::Source(id))).collect();
        let kpis: Vec<NodeIndex> = model.kpi_ids().map(|id| graph.add_node(Node::Kpi(id))).collect();
        for id in model.source_ids() {
            for join in &model.source(id).joins {
                graph.update_edge(sources[join.target.index()], sources[id.index()], ());
            }
        }
        for id in model.kpi_ids() {
            let kpi = model.kpi(id);
            let upstream: Vec<NodeIndex> = match kpi.kind {
                FormulaKind::Measure => kpi.sources().iter().map(|s| sources[s.index()]).collect(),
                FormulaKind::Derived => kpi.upstream_kpis().iter().map(|k| kpis[k.index()]).collect(),
            };
            for node in upstream {
                graph.update_edge(node, kpis[id.index()], ());
            }
        }
        Graph { graph, sources, kpis }
    }

    fn index(&self, node: Node) -> NodeIndex {
        match node {
            Node::Source(id) => self.sources[id.index()],
            Node::Kpi(id) => self.kpis[id.index()],
        }
    }

    /// Every node, in declaration order (sources first).
    pub fn nodes(&self) -> impl Iterator<Item = Node> + '_ {
        self.graph.node_weights().copied()
    }

    /// Every edge `(upstream, downstream)`, sorted.
    pub fn edges(&self) -> Vec<(Node, Node)> {
        let mut edges: Vec<(Node, Node)> =
            self.graph.edge_references().map(|e| (self.graph[e.source()], self.graph[e.target()])).collect();
        edges.sort();
        edges
    }

    /// First-order upstream nodes, sorted.
    pub fn upstream(&self, node: Node) -> Vec<Node> {
        self.neighbors(node, Direction::Incoming)
    }

    /// First-order downstream nodes, sorted.
    pub fn downstream(&self, node: Node) -> Vec<Node> {
        self.neighbors(node, Direction::Outgoing)
    }

    fn neighbors(&self, node: Node, direction: Direction) -> Vec<Node> {
        let mut out: Vec<Node> =
            self.graph.neighbors_directed(self.index(node), direction).map(|n| self.graph[n]).collect();
        out.sort();
        out
    }

    /// Everything that depends on `node`, directly or not, sorted.
    pub fn impact(&self, node: Node) -> Vec<Node> {
        self.closure(node, false)
    }

    /// Everything `node` depends on, directly or not, sorted.
    pub fn lineage(&self, node: Node) -> Vec<Node> {
        self.closure(node, true)
    }

    fn closure(&self, node: Node, upstream: bool) -> Vec<Node> {
        let start = self.index(node);
        let mut out = Vec::new();
        if upstream {
            let reversed = Reversed(&self.graph);
            let mut dfs = Dfs::new(reversed, start);
            while let Some(n) = dfs.next(reversed) {
                out.push(self.graph[n]);
            }
        } else {
            let mut dfs = Dfs::new(&self.graph, start);
            while let Some(n) = dfs.next(&self.graph) {
                out.push(self.graph[n]);
            }
        }
        out.retain(|n| *n != node);
        out.sort();
        out
    }

    /// KPIs with upstream KPIs first; `None` when there is a cycle.
    pub fn kpis_in_dependency_order(&self) -> Option<Vec<KpiId>> {
        let order = toposort(&self.graph, None).ok()?;
        Some(
            order
                .into_iter()
                .filter_map(|n| match self.graph[n] {
                    Node::Kpi(id) => Some(id),
                    Node::Source(_) => None,
                })
                .collect(),
        )
    }

    /// Each dependency cycle as its path of KPIs, starting at its smallest id;
    /// the last KPI depends on the first.
    pub fn cycles(&self) -> Vec<Vec<KpiId>> {
        let mut cycles: Vec<Vec<KpiId>> = tarjan_scc(&self.graph)
            .into_iter()
            .filter(|component| component.len() > 1 || self.graph.contains_edge(component[0], component[0]))
            .map(|component| self.cycle_path(&component))
            .collect();
        cycles.sort();
        cycles
    }

    /// A loop through a strongly connected component, rebuilt by walking
    /// edges inside it from its smallest node until a node repeats.
    fn cycle_path(&self, component: &[NodeIndex]) -> Vec<KpiId> {
        let start = *component.iter().min_by_key(|n| self.graph[**n]).expect("non-empty component");
        let mut path = vec![start];
        loop {
            let current = *path.last().expect("non-empty path");
            let next = self
                .graph
                .neighbors_directed(current, Direction::Outgoing)
                .filter(|n| component.contains(n))
                .min_by_key(|n| self.graph[*n])
                .expect("a node of a cycle has a successor in it");
            if let Some(position) = path.iter().position(|n| *n == next) {
                path.drain(..position);
                break;
            }
            path.push(next);
        }
        let smallest = path.iter().enumerate().min_by_key(|(_, n)| self.graph[**n]).map_or(0, |(i, _)| i);
        path.rotate_left(smallest);
        path.into_iter()
            .filter_map(|n| match self.graph[n] {
                Node::Kpi(id) => Some(id),
                Node::Source(_) => None,
            })
            .collect()
    }
}

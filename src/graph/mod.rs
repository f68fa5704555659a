//! Stage 3: the dependency graph of sources and KPIs. Edges point from what
//! is read to what reads it (upstream → downstream).

mod render;

pub use render::{render, GraphFormat};

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, HashSet};

use petgraph::algo::tarjan_scc;
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
    /// Each node's place among all nodes sorted by name (sources first):
    /// orders that must not depend on file paths break ties with it.
    rank: Vec<u32>,
}

impl Graph {
    pub fn build(model: &Model) -> Graph {
        let mut graph = DiGraph::with_capacity(model.sources.len() + model.kpis.len(), model.kpis.len() * 2);
        let sources: Vec<NodeIndex> = model.source_ids().map(|id| graph.add_node(Node::Source(id))).collect();
        let kpis: Vec<NodeIndex> = model.kpi_ids().map(|id| graph.add_node(Node::Kpi(id))).collect();
        // Each node's upstream list is deduplicated, so plain `add_edge` keeps
        // one edge per pair (`update_edge` scans edges: quadratic on a busy source).
        for id in model.source_ids() {
            let mut targets: Vec<NodeIndex> =
                model.source(id).joins.iter().map(|j| sources[j.target.index()]).collect();
            add_edges(&mut graph, &mut targets, sources[id.index()]);
        }
        for id in model.kpi_ids() {
            let kpi = model.kpi(id);
            let mut upstream: Vec<NodeIndex> = match kpi.kind {
                FormulaKind::Measure => kpi.sources().iter().map(|s| sources[s.index()]).collect(),
                FormulaKind::Derived => kpi.upstream_kpis().iter().map(|k| kpis[k.index()]).collect(),
            };
            add_edges(&mut graph, &mut upstream, kpis[id.index()]);
        }
        let rank = rank_by_name(model, &graph);
        Graph { graph, sources, kpis, rank }
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

    /// KPIs with upstream KPIs first, ties by name (not by file, so that
    /// renaming a folder keeps the order); `None` when there is a cycle.
    pub fn kpis_in_dependency_order(&self) -> Option<Vec<KpiId>> {
        let mut waiting: Vec<usize> =
            self.graph.node_indices().map(|n| self.graph.neighbors_directed(n, Direction::Incoming).count()).collect();
        let mut ready: BinaryHeap<Reverse<(u32, NodeIndex)>> = self
            .graph
            .node_indices()
            .filter(|n| waiting[n.index()] == 0)
            .map(|n| Reverse((self.rank[n.index()], n)))
            .collect();
        let mut order = Vec::with_capacity(self.kpis.len());
        let mut visited = 0;
        while let Some(Reverse((_, node))) = ready.pop() {
            visited += 1;
            if let Node::Kpi(id) = self.graph[node] {
                order.push(id);
            }
            for next in self.graph.neighbors_directed(node, Direction::Outgoing) {
                waiting[next.index()] -= 1;
                if waiting[next.index()] == 0 {
                    ready.push(Reverse((self.rank[next.index()], next)));
                }
            }
        }
        (visited == self.graph.node_count()).then_some(order)
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
        let members: HashSet<NodeIndex> = component.iter().copied().collect();
        let start = *component.iter().min_by_key(|n| self.graph[**n]).expect("non-empty component");
        let mut path = vec![start];
        let mut position: HashMap<NodeIndex, usize> = HashMap::from([(start, 0)]);
        loop {
            let current = *path.last().expect("non-empty path");
            let next = self
                .graph
                .neighbors_directed(current, Direction::Outgoing)
                .filter(|n| members.contains(n))
                .min_by_key(|n| self.graph[*n])
                .expect("a node of a cycle has a successor in it");
            if let Some(&at) = position.get(&next) {
                path.drain(..at);
                break;
            }
            position.insert(next, path.len());
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

fn add_edges(graph: &mut DiGraph<Node, ()>, upstream: &mut Vec<NodeIndex>, node: NodeIndex) {
    upstream.sort_unstable();
    upstream.dedup();
    for &from in upstream.iter() {
        graph.add_edge(from, node, ());
    }
}

/// Every node's place in the order (sources before KPIs, then by name).
fn rank_by_name(model: &Model, graph: &DiGraph<Node, ()>) -> Vec<u32> {
    let name = |node: Node| match node {
        Node::Source(id) => (0, model.source(id).name.text.as_str()),
        Node::Kpi(id) => (1, model.kpi(id).name.text.as_str()),
    };
    // The keys are gathered first, so that comparing two does not look names up
    // (unique by the node index, so an unstable sort gives the one order).
    let mut sorted: Vec<((u8, &str), NodeIndex)> = graph.node_indices().map(|n| (name(graph[n]), n)).collect();
    sorted.sort_unstable();
    let mut rank = vec![0; sorted.len()];
    for (place, (_, node)) in sorted.into_iter().enumerate() {
        rank[node.index()] = place as u32;
    }
    rank
}

pub mod check;
pub mod graph;

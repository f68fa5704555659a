pub mod check;
pub mod diff;
pub mod emit;
pub mod explain;
pub mod fmt;
pub mod graph;
pub mod lock;
pub mod preview;

//! Renderers: one small module per output format, all reading the same
//! [`Diagnostic`](super::Diagnostic)s.

mod concise;
mod github;
mod human;
mod json;
mod sarif;

pub use concise::concise;
pub use github::github;
pub use human::human;
pub use json::json;
pub use sarif::sarif;

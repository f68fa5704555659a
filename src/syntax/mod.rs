//! Stage 1: text → AST. The grammar lives in `grammar/kpi.pest`.

pub mod ast;
mod format;
mod grammar;
mod lower;
mod parse;

pub use format::format;
pub use parse::parse_file;

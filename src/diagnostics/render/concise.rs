//! One line per finding, `file:line:col: severity[code] message`, for grep,
//! editors' error lists and quick reading in a terminal.

use crate::diagnostics::{location, Diagnostic, Severity};
use crate::source::SourceMap;

pub fn concise(diagnostics: &[Diagnostic], sources: &SourceMap) -> String {
    let mut out = String::new();
    for d in diagnostics {
        let (file, line, column) = location(sources, d.span());
        let severity = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let message = d.message.split_whitespace().collect::<Vec<_>>().join(" ");
        out.push_str(&format!("{file}:{line}:{column}: {severity}[{}] {message}\n", d.code.name()));
    }
    out
}

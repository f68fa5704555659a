//! Machine output: a JSON document with every diagnostic and its location.

use crate::diagnostics::{counts, location, Diagnostic};
use crate::source::SourceMap;

pub fn json(diagnostics: &[Diagnostic], sources: &SourceMap) -> String {
    let items: Vec<serde_json::Value> = diagnostics
        .iter()
        .map(|d| {
            let labels: Vec<serde_json::Value> = d
                .labels
                .iter()
                .map(|l| {
                    let (file, line, column) = location(sources, l.span);
                    let (end_line, end_column) = sources.get(l.span.file).line_col(l.span.end);
                    serde_json::json!({
                        "file": file, "line": line, "column": column,
                        "end_line": end_line, "end_column": end_column,
                        "message": l.message, "primary": l.primary,
                    })
                })
                .collect();
            let (file, line, column) = location(sources, d.span());
            serde_json::json!({
                "code": d.code.name(),
                "severity": d.severity,
                "message": d.message,
                "file": file,
                "line": line,
                "column": column,
                "labels": labels,
                "help": d.help,
                "help_uri": d.code.help_uri(),
            })
        })
        .collect();
    let (errors, warnings) = counts(diagnostics);
    let document = serde_json::json!({
        "version": 1,
        "summary": { "errors": errors, "warnings": warnings },
        "diagnostics": items,
    });
    let mut text = serde_json::to_string_pretty(&document).expect("JSON values serialize");
    text.push('\n');
    text
}

//! SARIF 2.1.0, for code-scanning tools that show findings on pull requests.
//! https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html

use crate::diagnostics::{Code, Diagnostic, Label, Severity};
use crate::source::SourceMap;

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

fn location(sources: &SourceMap, label: &Label) -> serde_json::Value {
    let file = sources.get(label.span.file);
    let (start_line, start_column) = file.line_col(label.span.start);
    let (end_line, end_column) = file.line_col(label.span.end);
    let mut location = serde_json::json!({
        "physicalLocation": {
            "artifactLocation": { "uri": file.display_path() },
            "region": { "startLine": start_line, "startColumn": start_column, "endLine": end_line, "endColumn": end_column },
        }
    });
    if !label.message.is_empty() {
        location["message"] = serde_json::json!({ "text": label.message });
    }
    location
}

pub fn sarif(diagnostics: &[Diagnostic], sources: &SourceMap) -> String {
    let rules: Vec<serde_json::Value> = Code::ALL
        .iter()
        .map(|code| {
            serde_json::json!({
                "id": code.name(),
                "shortDescription": { "text": code.summary() },
                "helpUri": code.help_uri(),
                "defaultConfiguration": { "level": level(code.severity()) },
            })
        })
        .collect();
    let results: Vec<serde_json::Value> = diagnostics
        .iter()
        .map(|d| {
            let mut text = d.message.clone();
            if let Some(help) = &d.help {
                text.push_str(&format!("\nhelp: {help}"));
            }
            let primary: Vec<serde_json::Value> =
                d.labels.iter().filter(|l| l.primary).map(|l| location(sources, l)).collect();
            let related: Vec<serde_json::Value> =
                d.labels.iter().filter(|l| !l.primary).map(|l| location(sources, l)).collect();
            let mut result = serde_json::json!({
                "ruleId": d.code.name(),
                "ruleIndex": Code::ALL.iter().position(|c| *c == d.code).unwrap_or(0),
                "level": level(d.severity),
                "message": { "text": text },
                "locations": primary,
            });
            if !related.is_empty() {
                result["relatedLocations"] = serde_json::Value::Array(related);
            }
            result
        })
        .collect();
    let document = serde_json::json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": { "name": "kpic", "version": env!("CARGO_PKG_VERSION"), "rules": rules } },
            "results": results,
        }],
    });
    let mut text = serde_json::to_string_pretty(&document).expect("JSON values serialize");
    text.push('\n');
    text
}

//! GitHub Actions workflow commands: one `::error`/`::warning` annotation per
//! diagnostic, shown on the pull request's lines.

use crate::diagnostics::{location, Diagnostic, Severity};
use crate::source::SourceMap;

pub fn github(diagnostics: &[Diagnostic], sources: &SourceMap) -> String {
    let mut out = String::new();
    for d in diagnostics {
        let (file, line, column) = location(sources, d.span());
        let (end_line, end_column) = sources.get(d.span().file).line_col(d.span().end);
        let level = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let mut message = d.message.clone();
        if let Some(help) = &d.help {
            message.push_str("\nhelp: ");
            message.push_str(help);
        }
        out.push_str(&format!(
            "::{level} file={},line={line},col={column},endLine={end_line},endColumn={end_column},title={}::{}\n",
            property(&file),
            property(&format!("kpic({})", d.code.name())),
            data(&message),
        ));
    }
    out
}

/// Escapes a message as GitHub's workflow-command parser expects.
fn data(text: &str) -> String {
    text.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escapes a property value (also `:` and `,`).
fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes_workflow_command_data() {
        assert_eq!(super::data("50%\nnext"), "50%25%0Anext");
        assert_eq!(super::property("a:b,c"), "a%3Ab%2Cc");
    }
}

//! The one diagnostic model every stage produces and every renderer reads.

mod codes;
mod explanations;
pub mod render;

pub use codes::Code;
pub use explanations::{explanation, Explanation};

use crate::source::{SourceMap, Span};

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// A span with a short message; the primary label is where the problem is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    pub span: Span,
    pub message: String,
    pub primary: bool,
}

/// One finding: a code, a terse message, labelled spans, and a concrete fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    pub message: String,
    pub labels: Vec<Label>,
    pub help: Option<String>,
    /// Diagnostics with the same code and group are one mistake seen in
    /// several places (a team that is not declared, owning six KPIs): they
    /// are reported once, with the other places as labels.
    pub group: Option<String>,
}

impl Diagnostic {
    /// A diagnostic with the code's default severity and a primary label.
    pub fn new(code: Code, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            code,
            severity: code.severity(),
            message: message.into(),
            labels: vec![Label { span, message: String::new(), primary: true }],
            help: None,
            group: None,
        }
    }

    /// Sets the primary label's text.
    pub fn label(mut self, message: impl Into<String>) -> Diagnostic {
        self.labels[0].message = message.into();
        self
    }

    /// Adds a secondary label, e.g. "first declared here".
    pub fn secondary(mut self, span: Span, message: impl Into<String>) -> Diagnostic {
        self.labels.push(Label { span, message: message.into(), primary: false });
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    /// Marks this diagnostic as one place of a mistake named `key` (see [`Diagnostic::group`]).
    pub fn grouped(mut self, key: impl Into<String>) -> Diagnostic {
        self.group = Some(key.into());
        self
    }

    /// The span of the primary label.
    pub fn span(&self) -> Span {
        self.labels.iter().find(|l| l.primary).map_or(self.labels[0].span, |l| l.span)
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Sorts diagnostics by file, offset and code, and drops exact repeats.
pub fn sort(diagnostics: &mut Vec<Diagnostic>) {
    diagnostics.sort_by(|a, b| (a.span(), a.code, &a.message).cmp(&(b.span(), b.code, &b.message)));
    diagnostics.dedup();
}

/// At most this many places of one grouped mistake are labelled.
const GROUP_LABELS: usize = 3;

/// Reports each group of diagnostics once, in the first one's place (after
/// [`sort`]): the other places become its labels, and the message says how
/// many there are.
pub fn merge_groups(diagnostics: &mut Vec<Diagnostic>) {
    let mut first: std::collections::HashMap<(Code, String), usize> = std::collections::HashMap::new();
    let mut places: Vec<usize> = vec![1; diagnostics.len()];
    let mut keep = vec![true; diagnostics.len()];
    for index in 0..diagnostics.len() {
        let Some(key) = diagnostics[index].group.clone() else { continue };
        let Some(&head) = first.get(&(diagnostics[index].code, key.clone())) else {
            first.insert((diagnostics[index].code, key), index);
            continue;
        };
        keep[index] = false;
        let other = diagnostics[index].clone();
        let same_place = other.span() == diagnostics[head].span();
        if !same_place {
            places[head] += 1;
        }
        let head = &mut diagnostics[head];
        let new: Vec<Label> = if same_place {
            other.labels.into_iter().filter(|l| !l.primary).collect()
        } else {
            let message = other.labels.iter().find(|l| l.primary).map_or(String::new(), |l| l.message.clone());
            vec![Label { span: other.span(), message, primary: false }]
        };
        for label in new {
            if head.labels.len() <= GROUP_LABELS && !head.labels.iter().any(|l| l.span == label.span) {
                head.labels.push(label);
            }
        }
    }
    for (index, diagnostic) in diagnostics.iter_mut().enumerate() {
        if places[index] > 1 && keep[index] {
            diagnostic.message = format!("{} ({} places)", diagnostic.message, places[index]);
        }
    }
    let mut index = 0;
    diagnostics.retain(|_| {
        index += 1;
        keep[index - 1]
    });
}

/// Counts of errors and warnings, for summaries.
pub fn counts(diagnostics: &[Diagnostic]) -> (usize, usize) {
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    (errors, diagnostics.len() - errors)
}

/// A diagnostic's location as 1-based line and column.
pub fn location(sources: &SourceMap, span: Span) -> (String, usize, usize) {
    let file = sources.get(span.file);
    let (line, column) = file.line_col(span.start);
    (file.display_path(), line, column)
}

/// "did you mean `x`?" when one candidate is close to `name` (Levenshtein, with a threshold).
pub fn did_you_mean<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let limit = (name.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .map(|c| (levenshtein(name, c), c))
        .filter(|(distance, c)| *distance <= limit && *c != name)
        .min()
        .map(|(_, c)| format!("did you mean `{c}`?"))
}

/// Edit distance counting a swap of two neighbouring letters as one edit
/// (`titel` is one edit from `title`): optimal string alignment.
fn levenshtein(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let width = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * width];
    for i in 0..=a.len() {
        d[i * width] = i;
    }
    for (j, cell) in d.iter_mut().enumerate().take(width) {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best =
                (d[(i - 1) * width + j] + 1).min(d[i * width + j - 1] + 1).min(d[(i - 1) * width + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[(i - 2) * width + j - 2] + 1);
            }
            d[i * width + j] = best;
        }
    }
    d[a.len() * width + b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_only_close_names() {
        assert_eq!(did_you_mean("ownr", ["owner", "title"]), Some("did you mean `owner`?".into()));
        assert_eq!(did_you_mean("zzz", ["owner", "title"]), None);
        assert_eq!(levenshtein("kitten", "sitting"), 3);
        assert_eq!(did_you_mean("titel", ["title", "owner"]), Some("did you mean `title`?".into()));
        assert_eq!(levenshtein("ab", "ba"), 1);
    }
}

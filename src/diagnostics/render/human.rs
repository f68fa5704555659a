//! Human output: miette's graphical report, coloured on a terminal.

use std::collections::HashMap;
use std::sync::Arc;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceSpan};

use crate::diagnostics::{Diagnostic, Label, Severity};
use crate::source::{FileId, SourceMap};

/// Renders every diagnostic and a one-line summary.
pub fn human(diagnostics: &[Diagnostic], sources: &SourceMap, color: bool) -> String {
    let theme = if color { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(100).with_links(false);
    let mut out = String::new();
    let mut texts = Texts { sources, visible: HashMap::new() };
    for diagnostic in diagnostics {
        let report = Report::new(diagnostic, &mut texts);
        // Writing into a String cannot fail.
        let _ = handler.render_report(&mut out, &report);
        out.push('\n');
    }
    out
}

/// One diagnostic as miette sees it: labels near the primary one stay on
/// it; labels in other files, or far from it in the same file, become
/// related reports with their own excerpt (one excerpt would show every line
/// in between).
#[derive(Debug)]
struct Report {
    code: String,
    message: String,
    severity: Severity,
    help: Option<String>,
    source: NamedSource<Shown>,
    labels: Vec<LabeledSpan>,
    related: Vec<Report>,
}

/// Labels at most this many lines apart share one excerpt.
const NEAR_LINES: usize = 6;

impl Report {
    fn new(diagnostic: &Diagnostic, texts: &mut Texts) -> Report {
        let primary = diagnostic.span();
        let line = |span: crate::source::Span| texts.sources.get(span.file).line_col(span.start).0;
        let primary_line = line(primary);
        let (here, elsewhere): (Vec<&Label>, Vec<&Label>) = diagnostic
            .labels
            .iter()
            .partition(|l| l.span.file == primary.file && line(l.span).abs_diff(primary_line) <= NEAR_LINES);
        let related = elsewhere
            .into_iter()
            .map(|label| Report {
                code: String::new(),
                message: label.message.clone(),
                severity: Severity::Warning,
                help: None,
                source: texts.named(label.span.file),
                labels: vec![labeled(label)],
                related: Vec::new(),
            })
            .collect();
        Report {
            code: format!("kpic::{}", diagnostic.code.name()),
            message: diagnostic.message.clone(),
            severity: diagnostic.severity,
            help: diagnostic.help.clone(),
            source: texts.named(primary.file),
            labels: here.into_iter().map(labeled).collect(),
            related,
        }
    }
}

/// Each file's text as shown, made once however many diagnostics it has.
struct Texts<'a> {
    sources: &'a SourceMap,
    visible: HashMap<FileId, Arc<str>>,
}

impl Texts<'_> {
    fn named(&mut self, id: FileId) -> NamedSource<Shown> {
        let file = self.sources.get(id);
        let text = self.visible.entry(id).or_insert_with(|| visible(&file.text).into());
        NamedSource::new(file.display_path(), Shown(Arc::clone(text)))
    }
}

/// How many bytes of a long line an excerpt shows around its span.
const EXCERPT: usize = 160;

/// A file's text as shown: an excerpt of a long line (a machine-made filter
/// of a megabyte) is cut around its span, so that its report stays short.
#[derive(Debug)]
struct Shown(Arc<str>);

impl miette::SourceCode for Shown {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
        let text: &str = &self.0;
        let contents = text.read_span(span, before, after)?;
        if contents.data().len() <= 4 * EXCERPT {
            return Ok(contents);
        }
        let start = span.offset().min(text.len());
        let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
        let from = boundary(text, start.saturating_sub(EXCERPT / 2).max(line_start), false);
        let to = boundary(text, (start + span.len().min(EXCERPT) + EXCERPT / 2).min(line_end), true);
        let line = text[..from].matches('\n').count();
        // The header names where the span starts, as for any other excerpt.
        let column = text[line_start..start].chars().count();
        let excerpt = &text.as_bytes()[from..to];
        Ok(Box::new(miette::MietteSpanContents::new(excerpt, SourceSpan::new(from.into(), to - from), line, column, 1)))
    }
}

/// The nearest character boundary at or before (`up`: at or after) `at`.
fn boundary(text: &str, mut at: usize, up: bool) -> usize {
    while !text.is_char_boundary(at) {
        at = if up { at + 1 } else { at - 1 };
    }
    at
}

/// The text with control characters shown as `?` (or `¿`, as long in UTF-8),
/// so that a carriage return or NUL in a file cannot garble the terminal;
/// byte offsets, and so every span, stay as they are.
fn visible(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (index, c) in text.char_indices() {
        let line_end = c == '\r' && text[index + 1..].starts_with('\n');
        out.push(match c {
            c if !crate::source::is_forbidden_char(c) || line_end => c,
            c if c.len_utf8() == 1 => '?',
            _ => '¿',
        });
    }
    out
}

fn labeled(label: &Label) -> LabeledSpan {
    let text = (!label.message.is_empty()).then(|| label.message.clone());
    let span = SourceSpan::new((label.span.start as usize).into(), label.span.len());
    if label.primary {
        LabeledSpan::new_primary_with_span(text, span)
    } else {
        LabeledSpan::new_with_span(text, span)
    }
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Report {}

impl miette::Diagnostic for Report {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        (!self.code.is_empty()).then(|| Box::new(&self.code) as Box<dyn std::fmt::Display>)
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning if self.code.is_empty() => miette::Severity::Advice,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.help.as_ref().map(|h| Box::new(h) as Box<dyn std::fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(self.labels.iter().cloned()))
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn miette::Diagnostic> + 'a>> {
        if self.related.is_empty() {
            return None;
        }
        Some(Box::new(self.related.iter().map(|r| r as &dyn miette::Diagnostic)))
    }
}

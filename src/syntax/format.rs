//! `kpic fmt`: one canonical layout for `.kpi` text, printed from the parse
//! tree. Blocks are indented by two spaces, the values of a block's
//! properties start in one column, expressions and lists are spaced one way,
//! declarations are one blank line apart; comments stay where they were
//! (before a line, or at its end) and a blank line inside a block is kept.
//! A property with a comment inside it is kept as written. Strings are kept
//! as written; a file with CRLF line ends keeps them.

use pest::iterators::Pair;
use pest::Parser as _;

use super::grammar::{KpiParser, Rule};

/// The canonical text of a file, or `None` when it does not parse (or nests
/// too deeply to parse, as `kpic check` says).
pub fn format(text: &str) -> Option<String> {
    // A byte-order mark is kept, as kpic reads files with one.
    let (bom, text) = match text.strip_prefix('\u{feff}') {
        Some(rest) => ("\u{feff}", rest),
        None => ("", text),
    };
    let crlf = text.contains("\r\n");
    let text = text.replace("\r\n", "\n");
    if super::parse::too_deep(&text).is_some() {
        return None;
    }
    let file = KpiParser::parse(Rule::file, &text).ok()?.next()?;
    let mut printer = Printer { text: &text, out: String::new(), consumed: 0 };
    printer.file(file);
    let mut out = printer.out;
    if crlf {
        out = out.replace('\n', "\r\n");
    }
    Some(format!("{bom}{out}"))
}

/// A comment found between two printed items.
struct Comment<'a> {
    text: &'a str,
    /// A blank line lies between it and what comes before it.
    blank_before: bool,
}

struct Printer<'a> {
    text: &'a str,
    out: String,
    /// The offset up to which the input has been printed (comments included).
    consumed: usize,
}

impl<'a> Printer<'a> {
    fn file(&mut self, file: Pair<'a, Rule>) {
        let mut first = true;
        for declaration in file.into_inner().filter(|p| p.as_rule() != Rule::EOI) {
            let comments = self.comments_before(declaration.as_span().start());
            if !first {
                self.out.push('\n');
            }
            for comment in comments {
                self.line(0, comment.text);
            }
            first = false;
            self.block(declaration, 0);
        }
        let rest = self.comments_before(self.text.len());
        if !first && !rest.is_empty() {
            self.out.push('\n');
        }
        for comment in rest {
            self.line(0, comment.text);
        }
    }

    /// A block (`kpi x { … }`, `columns { … }`): its head, its items
    /// aligned, and its closing brace, each with the comments before it.
    fn block(&mut self, block: Pair<'a, Rule>, depth: usize) {
        let children: Vec<Pair<Rule>> = block.into_inner().collect();
        let open = children.iter().position(|p| p.as_rule() == Rule::lbrace).expect("a block has `{`");
        let head: Vec<String> = children[..open].iter().map(|p| words(p.clone())).collect();
        // Comments between the head and its `{`, then one after the `{`: the
        // first ends the head's line, the others get lines of their own.
        let head_end = children[..open].last().map_or(children[open].as_span().start(), content_end);
        let mut comments: Vec<&str> = self.text[head_end..children[open].as_span().start()]
            .lines()
            .map(str::trim)
            .filter(|l| l.starts_with('#'))
            .collect();
        self.consumed = children[open].as_span().end();
        comments.extend(self.line_comment());
        self.out.push_str(&indent(depth));
        self.out.push_str(&format!("{} {{", head.join(" ")));
        self.end_line(comments.first().copied());
        for comment in comments.iter().skip(1) {
            self.line(depth + 1, comment);
        }
        let items: Vec<Pair<Rule>> =
            children[open + 1..].iter().filter(|p| p.as_rule() != Rule::rbrace).cloned().collect();
        let width = items.iter().filter_map(|item| key_width(item)).max().unwrap_or(0);
        for (index, item) in items.into_iter().enumerate() {
            let gap = &self.text[self.consumed..item.as_span().start()];
            let blank = has_blank_line(gap);
            // After the last comment: a blank line between it and the item.
            let blank_after_comments = gap.rfind('#').is_some_and(|at| {
                let line_end = gap[at..].find('\n').map_or(gap.len(), |i| at + i);
                has_blank_line(&gap[line_end..])
            });
            let comments = self.comments_before(item.as_span().start());
            for (n, comment) in comments.iter().enumerate() {
                if comment.blank_before && (index > 0 || n > 0) {
                    self.out.push('\n');
                }
                self.line(depth + 1, comment.text);
            }
            if (comments.is_empty() && index > 0 && blank) || (!comments.is_empty() && blank_after_comments) {
                self.out.push('\n');
            }
            self.item(item, depth + 1, width);
        }
        let close = children.last().expect("a block has `}`");
        for comment in self.comments_before(close.as_span().start()) {
            self.line(depth + 1, comment.text);
        }
        self.consumed = close.as_span().end();
        self.out.push_str(&indent(depth));
        self.out.push('}');
        self.trailing_comment();
    }

    /// One line of a block: a property, a column, or a nested block.
    fn item(&mut self, item: Pair<'a, Rule>, depth: usize, width: usize) {
        let is_block = item.clone().into_inner().any(|p| p.as_rule() == Rule::lbrace);
        if is_block {
            self.block(item, depth);
            return;
        }
        let (start, end) = (item.as_span().start(), content_end(&item));
        let line = if self.has_comment_inside(&item) {
            // Kept as written: its comments have no other place.
            self.text[start..end].to_string()
        } else {
            let mut parts = item.into_inner();
            let key = parts.next().map(words).unwrap_or_default();
            let value: Vec<String> = parts.map(words).collect();
            let value = value.join(" ");
            if value.is_empty() {
                key
            } else {
                format!("{key:width$} {value}")
            }
        };
        self.consumed = end;
        self.out.push_str(&indent(depth));
        self.out.push_str(&line);
        self.trailing_comment();
    }

    /// Ends the current line, with the comment that follows on it, if any.
    fn trailing_comment(&mut self) {
        let comment = self.line_comment();
        self.end_line(comment);
    }

    /// The comment on the rest of the current input line, taken as printed.
    fn line_comment(&mut self) -> Option<&'a str> {
        let rest = &self.text[self.consumed..];
        let line_end = rest.find('\n').unwrap_or(rest.len());
        let comment = rest[..line_end].trim();
        comment.starts_with('#').then(|| {
            self.consumed += line_end;
            comment
        })
    }

    /// Ends the output line, with `comment` at its end.
    fn end_line(&mut self, comment: Option<&str>) {
        if let Some(comment) = comment {
            self.out.push_str("  ");
            self.out.push_str(comment);
        }
        self.out.push('\n');
    }

    /// The comments between what was printed and `until`.
    fn comments_before(&mut self, until: usize) -> Vec<Comment<'a>> {
        let gap = &self.text[self.consumed..until];
        let mut out = Vec::new();
        let mut blank = false;
        // A comment at the end of the line before was printed with that line.
        for (index, line) in gap.split('\n').enumerate() {
            let trimmed = line.trim();
            if trimmed.starts_with('#') {
                out.push(Comment { text: trimmed, blank_before: blank });
                blank = false;
            } else if trimmed.is_empty() && index > 0 {
                blank = true;
            }
        }
        self.consumed = until;
        out
    }

    /// Whether a comment lies between the tokens of `pair`.
    fn has_comment_inside(&self, pair: &Pair<'a, Rule>) -> bool {
        let mut end = pair.as_span().start();
        let mut found = false;
        // Between leaves only: a `#` in a string is not a comment.
        for token in pair.clone().into_inner().flatten().filter(|t| t.clone().into_inner().next().is_none()) {
            let span = token.as_span();
            found |= self.text.get(end..span.start()).is_some_and(|gap| gap.contains('#'));
            end = end.max(span.end());
        }
        found
    }

    fn line(&mut self, depth: usize, text: &str) {
        self.out.push_str(&indent(depth));
        self.out.push_str(text);
        self.out.push('\n');
    }
}

/// Where the last token of `pair` ends: pest counts the white space before
/// an optional part that is absent (`periods from D` + `until`?) into a span.
fn content_end(pair: &Pair<Rule>) -> usize {
    // Leaves only: an inner rule's span, too, takes in white space and comments after it.
    pair.clone()
        .into_inner()
        .flatten()
        .filter(|t| t.clone().into_inner().next().is_none())
        .map(|t| t.as_span().end())
        .max()
        .unwrap_or(pair.as_span().end())
}

/// Whether text between two items holds an empty line.
fn has_blank_line(gap: &str) -> bool {
    gap.split('\n')
        .skip(1)
        .collect::<Vec<_>>()
        .split_last()
        .is_some_and(|(_, middle)| middle.iter().any(|l| l.trim().is_empty()))
}

fn indent(depth: usize) -> String {
    "  ".repeat(depth)
}

/// The width of a property's keyword, for aligning values; nested blocks
/// and columns do not count.
fn key_width(item: &Pair<Rule>) -> Option<usize> {
    let mut parts = item.clone().into_inner();
    let key = parts.next()?;
    if parts.clone().next().is_none() || item.clone().into_inner().any(|p| p.as_rule() == Rule::lbrace) {
        return None;
    }
    Some(words(key).chars().count())
}

/// A pair printed on one line in canonical spacing.
fn words(pair: Pair<Rule>) -> String {
    match pair.as_rule() {
        Rule::expr => expression(pair),
        Rule::ident_list | Rule::tag_list => {
            let items: Vec<String> = pair
                .into_inner()
                .filter(|p| !matches!(p.as_rule(), Rule::lbracket | Rule::rbracket | Rule::comma))
                .map(words)
                .collect();
            format!("[{}]", items.join(", "))
        }
        Rule::signed_number => pair.into_inner().map(words).collect(),
        Rule::string => pair.as_str().to_string(),
        _ if pair.clone().into_inner().next().is_none() => pair.as_str().to_string(),
        _ => pair.into_inner().map(words).collect::<Vec<_>>().join(" "),
    }
}

/// An expression on one line: operators spaced, calls and lists as `f(a, b)`.
fn expression(expr: Pair<Rule>) -> String {
    let mut out = String::new();
    for part in expr.into_inner() {
        match part.as_rule() {
            Rule::op_not => out.push_str("not "),
            Rule::op_neg => out.push('-'),
            Rule::op_ne => out.push_str(" != "),
            rule if is_infix(rule) => {
                out.push(' ');
                out.push_str(part.as_str());
                out.push(' ');
            }
            Rule::is_null => out.push_str(" is null"),
            Rule::is_not_null => out.push_str(" is not null"),
            Rule::in_list | Rule::not_in_list => {
                let negated = part.as_rule() == Rule::not_in_list;
                let items: Vec<String> =
                    part.into_inner().filter(|p| p.as_rule() == Rule::expr).map(expression).collect();
                out.push_str(if negated { " not in (" } else { " in (" });
                out.push_str(&items.join(", "));
                out.push(')');
            }
            _ => out.push_str(&primary(part)),
        }
    }
    out
}

fn is_infix(rule: Rule) -> bool {
    use Rule::*;
    matches!(rule, op_or | op_and | op_eq | op_lt | op_le | op_gt | op_ge | op_add | op_sub | op_mul | op_div)
}

fn primary(pair: Pair<Rule>) -> String {
    match pair.as_rule() {
        Rule::paren => {
            let inner = pair.into_inner().find(|p| p.as_rule() == Rule::expr).map(expression).unwrap_or_default();
            format!("({inner})")
        }
        Rule::case_expr => {
            let mut out = String::from("case");
            let mut parts = pair.into_inner().peekable();
            while let Some(part) = parts.next() {
                match part.as_rule() {
                    Rule::when_clause => {
                        let exprs: Vec<String> =
                            part.into_inner().filter(|p| p.as_rule() == Rule::expr).map(expression).collect();
                        out.push_str(&format!(" when {} then {}", exprs[0], exprs[1]));
                    }
                    Rule::kw_else => {
                        let otherwise = parts.next().map(expression).unwrap_or_default();
                        out.push_str(&format!(" else {otherwise}"));
                    }
                    _ => {}
                }
            }
            out.push_str(" end");
            out
        }
        Rule::raw_sql => {
            let string = pair.into_inner().find(|p| p.as_rule() == Rule::string).map(|s| s.as_str().to_string());
            format!("sql({})", string.unwrap_or_default())
        }
        Rule::call => call(pair),
        Rule::duration => pair.into_inner().map(|p| p.as_str().to_string()).collect::<Vec<_>>().join(" "),
        _ => pair.as_str().to_string(),
    }
}

/// `name(args at column where condition, more)`.
fn call(pair: Pair<Rule>) -> String {
    let mut out = String::new();
    let mut args_seen = false;
    for part in pair.into_inner() {
        match part.as_rule() {
            Rule::ident => out.push_str(part.as_str()),
            Rule::lparen => out.push('('),
            Rule::rparen => out.push(')'),
            Rule::star => out.push('*'),
            Rule::comma => out.push_str(", "),
            Rule::call_args => {
                let args: Vec<String> =
                    part.into_inner().filter(|p| p.as_rule() == Rule::expr).map(expression).collect();
                out.push_str(&args.join(", "));
                args_seen = true;
            }
            Rule::at_clause => {
                let column = part.into_inner().find(|p| p.as_rule() == Rule::ident).map(|p| p.as_str().to_string());
                out.push_str(&format!("{}at {}", if args_seen { " " } else { "" }, column.unwrap_or_default()));
            }
            Rule::where_clause => {
                let condition = part.into_inner().find(|p| p.as_rule() == Rule::expr).map(expression);
                out.push_str(&format!(" where {}", condition.unwrap_or_default()));
            }
            _ => out.push_str(part.as_str()),
        }
    }
    out
}

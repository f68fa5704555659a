//! Text → AST. Binds the pest grammar, turns pest errors into diagnostics
//! with readable token names, and recovers at declaration boundaries so that
//! one run reports the syntax errors of every declaration.

use pest::error::{ErrorVariant, InputLocation};
use pest::Parser as _;

use super::ast::File;
use super::grammar::{KpiParser, Rule};
use super::lower::Lowerer;
use crate::diagnostics::{did_you_mean, Code, Diagnostic};
use crate::source::{FileId, Span};

/// Parses one file. Syntax errors and lowering errors are appended to `diagnostics`;
/// the returned AST holds every declaration that parsed.
pub fn parse_file(file: FileId, text: &str, diagnostics: &mut Vec<Diagnostic>) -> File {
    let mut ast = File::default();
    match parse_within_depth(text) {
        Ok(pairs) => Lowerer::new(file, 0, diagnostics).file(pairs, &mut ast),
        Err(error) => {
            let before = diagnostics.len();
            for (offset, chunk) in declaration_chunks(text) {
                if let Some(position) = too_deep(chunk) {
                    diagnostics.push(too_deep_error(file, offset, chunk, position));
                    ast.unparsed.extend(declared_id(chunk));
                    continue;
                }
                match KpiParser::parse(Rule::file, chunk) {
                    Ok(pairs) => Lowerer::new(file, offset, diagnostics).file(pairs, &mut ast),
                    Err(error) => {
                        diagnostics.push(syntax_error(file, offset, chunk, &error));
                        ast.unparsed.extend(declared_id(chunk));
                    }
                }
            }
            // Splitting can hide a syntax error that spans declarations: fall back
            // to the whole-file one. Nesting that no declaration exceeds is no error.
            let reported = diagnostics[before..].iter().any(|d| matches!(d.code, Code::Syntax | Code::TooComplex));
            match error {
                Unparsed::Syntax(error) if !reported => diagnostics.push(syntax_error(file, 0, text, &error)),
                Unparsed::Syntax(_) | Unparsed::TooDeep => {}
            }
        }
    }
    ast
}

/// How deeply parentheses and `case` may nest in the text for the parser to
/// try it. The grammar recurses once per level, and pest has no stack guard
/// (its 2.9 guard probed the stack on every rule, 40 % of parsing time): this
/// bound keeps parsing far inside the CLI's stack. Lowering allows much less
/// nesting of the expression itself (`MAX_NESTING`); only redundant
/// parentheses, `((x))`, get this far.
const MAX_PARSE_DEPTH: usize = 10_000;

/// Why a text gave no parse tree.
enum Unparsed {
    Syntax(Box<pest::error::Error<Rule>>),
    /// Nested beyond [`MAX_PARSE_DEPTH`] (each declaration is then checked on its own).
    TooDeep,
}

fn parse_within_depth(text: &str) -> Result<pest::iterators::Pairs<'_, Rule>, Unparsed> {
    if too_deep(text).is_some() {
        return Err(Unparsed::TooDeep);
    }
    KpiParser::parse(Rule::file, text).map_err(|error| Unparsed::Syntax(Box::new(error)))
}

/// Where parentheses and `case … end` first nest deeper than
/// [`MAX_PARSE_DEPTH`], outside strings, comments and lists (whose tags may
/// be `case-study`). Strings are read as the grammar reads them: `"""` with
/// no closing `"""` is an empty string followed by a `"`.
pub(super) fn too_deep(text: &str) -> Option<usize> {
    // Only `(` and `case` nest: a text with few of them is no deeper (most texts).
    if text.bytes().filter(|&b| b == b'(').count() + text.matches("case").count() <= MAX_PARSE_DEPTH {
        return None;
    }
    let bytes = text.as_bytes();
    let is_word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut depth = 0usize;
    let mut in_list = false;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'#' => i += bytes[i..].iter().position(|&b| b == b'\n').unwrap_or(bytes.len() - i),
            b'"' if bytes[i..].starts_with(b"\"\"\"") => match text[i + 3..].find("\"\"\"") {
                Some(end) => i += 3 + end + 2,
                None => i += 1,
            },
            b'[' => in_list = true,
            b']' => in_list = false,
            b'"' => {
                i += 1;
                while i < bytes.len() && !matches!(bytes[i], b'"' | b'\n') {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'(' => depth += 1,
            b')' => depth = depth.saturating_sub(1),
            b if is_word(b) => {
                let end = bytes[i..].iter().position(|&b| !is_word(b)).map_or(bytes.len(), |n| i + n);
                match &text[i..end] {
                    "case" if !in_list => depth += 1,
                    "end" if !in_list => depth = depth.saturating_sub(1),
                    _ => {}
                }
                if depth > MAX_PARSE_DEPTH {
                    return Some(i);
                }
                i = end;
                continue;
            }
            _ => {}
        }
        if depth > MAX_PARSE_DEPTH {
            return Some(i);
        }
        i += 1;
    }
    None
}

fn too_deep_error(file: FileId, offset: usize, text: &str, position: usize) -> Diagnostic {
    let found = token_at(text, position);
    Diagnostic::new(
        Code::TooComplex,
        Span::new(file, offset + position, offset + position + found.len()),
        "nested too deeply to parse",
    )
    .label("nested too deeply")
    .help("split the expression into dimensions or KPIs of their own")
}

/// Splits a file before each line that starts a top-level declaration.
fn declaration_chunks(text: &str) -> Vec<(usize, &str)> {
    let mut starts = vec![0];
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        // `KPI x {` too: its own chunk, so that its error is reported with the others'.
        let head = line.get(..8).unwrap_or(line).to_ascii_lowercase();
        let starts_declaration =
            ["project ", "team ", "source ", "kpi "].iter().any(|keyword| head.starts_with(keyword));
        if starts_declaration && offset > 0 {
            starts.push(offset);
        }
        offset += line.len();
    }
    starts.push(text.len());
    starts.windows(2).map(|w| (w[0], &text[w[0]..w[1]])).collect()
}

/// The id a declaration chunk starts with: `kpi signups {` → `signups`.
fn declared_id(chunk: &str) -> Option<String> {
    let mut words = chunk.split(|c: char| c.is_whitespace() || c == '{');
    words.next()?;
    let id = words.find(|w| !w.is_empty())?;
    id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_').then(|| id.to_string())
}

fn syntax_error(file: FileId, offset: usize, text: &str, error: &pest::error::Error<Rule>) -> Diagnostic {
    let position = match error.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((start, _)) => start,
    };
    let found = token_at(text, position);
    let span = Span::new(file, offset + position, offset + position + found.len());
    let ErrorVariant::ParsingError { positives, .. } = &error.variant else {
        return Diagnostic::new(Code::Syntax, span, error.variant.message().to_string());
    };
    let mut expected: Vec<&str> = positives.iter().map(|r| describe(*r)).collect();
    expected.sort_unstable();
    expected.dedup();
    if let Some(slip) = named_mistake(text, position, found, &expected) {
        let (start, end) = slip.at.unwrap_or((position, position + found.len()));
        return Diagnostic::new(Code::Syntax, Span::new(file, offset + start, offset + end), slip.message)
            .label(slip.label)
            .help(slip.help);
    }
    let found_text = if found.is_empty() { "end of file".to_string() } else { format!("`{found}`") };
    let message = format!("expected {}, found {found_text}", one_of(&in_words(&expected)));
    let keywords = expected.iter().filter_map(|e| e.strip_prefix('`')?.strip_suffix('`'));
    let mut diagnostic = Diagnostic::new(Code::Syntax, span, message).label("unexpected here");
    let is_word = found.chars().all(|c| c.is_alphanumeric() || c == '_');
    if let Some(help) = did_you_mean(found, keywords).filter(|_| is_word && !found.is_empty()) {
        diagnostic = diagnostic.help(help);
    }
    diagnostic
}

/// What a syntax error is, in the user's terms: its message, label and fix,
/// and the span to label when it is not the token where parsing stopped.
struct Slip {
    message: String,
    label: String,
    help: String,
    at: Option<(usize, usize)>,
}

impl Slip {
    fn new(message: impl Into<String>, label: impl Into<String>, help: impl Into<String>) -> Option<Slip> {
        Some(Slip { message: message.into(), label: label.into(), help: help.into(), at: None })
    }

    /// Labels `start..end` instead of the token where parsing stopped.
    fn at(mut self, start: usize, end: usize) -> Slip {
        self.at = Some((start, end));
        self
    }
}

/// A slip recognised where parsing stopped — from another language (`==`,
/// `'…'`, `name:`), in a name (`-`, `é`), or a string or block left open —
/// before any list of expected tokens.
fn named_mistake(text: &str, position: usize, found: &str, expected: &[&str]) -> Option<Slip> {
    let rest = text.get(position..).unwrap_or("");
    let before = text.get(..position).unwrap_or("").trim_end();
    let after_word = before.ends_with(|c: char| c.is_alphanumeric() || c == '_');
    let unexpected = "unexpected here";
    if let Some(&open) = unclosed(text, '{', '}').first().filter(|_| found.is_empty()) {
        return Slip::new(
            "this block is not closed",
            "opened here, never closed",
            "add its `}` after the block's last line",
        )
        .map(|slip| slip.at(open, open + 1));
    }
    if rest.starts_with('"') && !rest.starts_with("\"\"\"") {
        let line = rest[1..].split('\n').next().unwrap_or("");
        if !line.contains('"') {
            return Slip::new(
                "this string is not closed",
                "the string starts here",
                "end it with `\"` on the same line; text over several lines goes in `\"\"\"…\"\"\"`",
            )
            .map(|slip| slip.at(position, position + 1));
        }
    }
    let same_line = !text[before.len()..position].contains('\n');
    if same_line && before.ends_with('"') && !before.ends_with("\"\"\"") && after_word_start(found) && found != "\"" {
        return Slip::new(
            "the string ended before this word",
            unexpected,
            "a `\"` inside a string is written `\\\"`; or use single words outside quotes",
        );
    }
    if rest.starts_with('\'') {
        return Slip::new("strings are written in double quotes", unexpected, "write \"…\" instead of '…'");
    }
    if rest.starts_with("==") || before.ends_with('=') && rest.starts_with('=') {
        return Slip::new("`==` is not an operator here", unexpected, "compare with a single `=`");
    }
    if rest.starts_with("&&") {
        return Slip::new("`&&` is not an operator here", unexpected, "write `and`");
    }
    if rest.starts_with("||") {
        return Slip::new("`||` is not an operator here", unexpected, "write `or`");
    }
    if rest.starts_with(':') && after_word {
        return Slip::new(
            "a property is not followed by a colon",
            unexpected,
            "write the value after the property's name, e.g. `owner growth`",
        );
    }
    for (written, keyword) in [("at least", "at_least"), ("at most", "at_most")] {
        if rest.starts_with(written) {
            return Slip::new(format!("`{written}` is one word"), unexpected, format!("write `{keyword}`"));
        }
    }
    let lower = found.to_lowercase();
    if found != lower && ["project", "team", "source", "kpi"].contains(&lower.as_str()) {
        return Slip::new(
            format!("`{found}` is not a keyword"),
            unexpected,
            format!("keywords are lower case: write `{lower}`"),
        );
    }
    let word_before = before.rsplit(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).next().unwrap_or("");
    if found == "-"
        && after_word
        && rest[1..].starts_with(|c: char| c.is_ascii_alphabetic())
        && expected.contains(&"`{`")
    {
        let name_end = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-')).unwrap_or(rest.len());
        let suggestion = format!("{word_before}{}", rest[..name_end].replace('-', "_"));
        return Slip::new(
            "a name cannot contain `-`",
            unexpected,
            format!("names are ASCII letters, digits and `_`: write `{suggestion}`"),
        );
    }
    if let Some(c) = found.chars().next().filter(|c| !c.is_ascii() && c.is_alphanumeric()) {
        return Slip::new(
            format!("`{c}` cannot be part of a name"),
            unexpected,
            "names are ASCII letters, digits and `_`; titles and descriptions may hold any text",
        );
    }
    // An expression that ran past the end of its line: a `(` was left open.
    let open_paren = unclosed(&text[..position], '(', ')').last().copied();
    if let Some(open) = open_paren.filter(|&o| expected.contains(&"`)`") && text[o..position].contains('\n')) {
        return Slip::new(
            "this `(` is not closed",
            "opened here, never closed",
            "add its `)` where the expression ends",
        )
        .map(|slip| slip.at(open, open + 1));
    }
    if expected == ["a list `[…]`"] || expected == ["`[`"] {
        return Slip::new("a list is written in brackets", unexpected, format!("write `[{}]`", line_rest(rest)));
    }
    if expected == ["a string"] && !found.is_empty() {
        return Slip::new(
            "expected a string here",
            unexpected,
            format!("write it in double quotes: `\"{}\"`", line_rest(rest)),
        );
    }
    if let Some(slip) = unfinished_expression(text, before, expected) {
        return Some(slip);
    }
    if found == "where" && before.ends_with(')') {
        let call = call_before(before);
        let inside = call.strip_suffix(')').unwrap_or(call);
        return Slip::new(
            "`where` belongs inside the aggregate",
            unexpected,
            format!("move the condition inside its parentheses: `{inside} where …)`"),
        );
    }
    let properties: Vec<&str> = expected.iter().copied().filter(|e| e.starts_with('`') && *e != "`}`").collect();
    if properties.len() > 6 && !expected.contains(&"an operator") && after_word_start(found) {
        let help = did_you_mean(found, properties.iter().map(|p| p.trim_matches('`')))
            .unwrap_or_else(|| format!("the properties here are {}", one_of(&properties)));
        return Slip::new(format!("`{found}` is not a property here"), "unknown property", help);
    }
    if expected.contains(&"`,`") && expected.contains(&"`]`") && after_word_start(found) {
        return Slip::new(
            "the items of a list are separated by commas",
            "a `,` is missing before this item",
            format!("write `{word_before}, {found}`"),
        );
    }
    None
}

/// `value count(s) +` and the next line's property read as its operand:
/// the error comes one word later, so it is told where the expression stopped.
fn unfinished_expression(text: &str, before: &str, expected: &[&str]) -> Option<Slip> {
    if !expected.contains(&"an operator") {
        return None;
    }
    let word_start = crate::source::run_start(before, |c| c.is_ascii_alphanumeric() || c == '_');
    let word = &before[word_start..];
    let line_start = before[..word_start].rfind('\n').map_or(0, |i| i + 1);
    let starts_line = before[line_start..word_start].trim().is_empty() && line_start > 0;
    if !starts_line || !expected.contains(&format!("`{word}`").as_str()) {
        return None;
    }
    let previous_line = text[..line_start - 1].trim_end();
    let operator = previous_line.chars().last()?;
    if !"+-*/=<>(,".contains(operator) {
        return None;
    }
    let at = previous_line.len() - operator.len_utf8();
    Slip::new(
        format!("the expression ends with `{operator}`"),
        "nothing follows this",
        format!("finish the expression after `{operator}` on this line, or remove the `{operator}`"),
    )
    .map(|slip| slip.at(at, at + operator.len_utf8()))
}

/// The call that `before` ends with: `… count(deployments)` → `count(deployments)`.
fn call_before(before: &str) -> &str {
    let mut depth = 0;
    for (index, c) in before.char_indices().rev() {
        match c {
            ')' => depth += 1,
            '(' => {
                depth -= 1;
                if depth == 0 {
                    let name_start =
                        crate::source::run_start(&before[..index], |c| c.is_ascii_alphanumeric() || c == '_');
                    return &before[name_start..];
                }
            }
            _ => {}
        }
    }
    before
}

/// The rest of the line from the error, without a trailing comment.
fn line_rest(rest: &str) -> &str {
    let line = rest.split('\n').next().unwrap_or("");
    line.split(" #").next().unwrap_or(line).trim()
}

/// Whether a found token starts like a name or a value.
fn after_word_start(found: &str) -> bool {
    found.starts_with(|c: char| c.is_alphanumeric() || c == '_' || c == '"')
}

/// The offsets of the `open` brackets that `text` leaves unclosed, outermost
/// first; strings and comments are skipped.
fn unclosed(text: &str, open_with: char, close_with: char) -> Vec<usize> {
    let mut open = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((index, c)) = chars.next() {
        match c {
            '#' => while chars.next_if(|(_, c)| *c != '\n').is_some() {},
            '"' if text[index..].starts_with("\"\"\"") => {
                let end = text[index + 3..].find("\"\"\"").map_or(text.len(), |e| index + 3 + e + 3);
                while chars.next_if(|(i, _)| *i < end).is_some() {}
            }
            '"' => {
                while let Some((_, c)) = chars.next() {
                    match c {
                        '\\' => {
                            chars.next();
                        }
                        '"' | '\n' => break,
                        _ => {}
                    }
                }
            }
            c if c == open_with => open.push(index),
            c if c == close_with => {
                open.pop();
            }
            _ => {}
        }
    }
    open
}

/// Expected tokens as a reader groups them: the many ways an expression can
/// start read "an expression", operator words "an operator", and a long list
/// of property names "the next property".
fn in_words<'a>(expected: &[&'a str]) -> Vec<&'a str> {
    let starts_expression = ["a name", "a number", "`(`"].iter().all(|e| expected.contains(e));
    let keywords = expected.iter().filter(|e| e.starts_with('`') && e.len() > 3).count();
    let mut out: Vec<&str> = Vec::new();
    for &item in expected {
        let word = item.starts_with('`') && item.len() > 3;
        let grouped = if starts_expression && (EXPRESSION_STARTS.contains(&item) || word) {
            "an expression"
        } else if OPERATOR_WORDS.contains(&item) {
            "an operator"
        } else if word && keywords > 6 {
            "the next property"
        } else {
            item
        };
        if !out.contains(&grouped) {
            out.push(grouped);
        }
    }
    out
}

/// What can begin an expression, as [`describe`] names it.
const EXPRESSION_STARTS: [&str; 9] =
    ["a name", "a number", "a string", "a percent", "a date (YYYY-MM-DD)", "a value", "an expression", "`(`", "`-`"];

/// Operators written as words.
const OPERATOR_WORDS: [&str; 5] = ["`and`", "`or`", "`in`", "`is`", "`not`"];

/// The word or symbol at a byte offset, for "found `…`".
fn token_at(text: &str, position: usize) -> &str {
    let rest = text.get(position..).unwrap_or("");
    let word = rest.find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(rest.len());
    if word > 0 {
        return &rest[..word];
    }
    rest.chars().next().map_or("", |c| &rest[..c.len_utf8()])
}

fn one_of(items: &[&str]) -> String {
    match items {
        [] => "something else".to_string(),
        [one] => one.to_string(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// The name a user reads for a grammar rule.
fn describe(rule: Rule) -> &'static str {
    use Rule::*;
    match rule {
        EOI => "end of file",
        ident | path => "a name",
        string | plain_string | triple_string => "a string",
        integer => "a whole number",
        number | signed_number => "a number",
        percent => "a percent",
        date => "a date (YYYY-MM-DD)",
        expr => "an expression",
        ident_list | tag_list => "a list `[…]`",
        tag => "a tag",
        lbrace => "`{`",
        rbrace => "`}`",
        lparen => "`(`",
        rparen => "`)`",
        lbracket => "`[`",
        rbracket => "`]`",
        comma => "`,`",
        assign => "`=`",
        minus => "`-`",
        column_decl => "a column `name type`",
        target_goal | target_at_least | target_at_most | target_between => "`at_least`, `at_most` or `between`",
        operator | op_or | op_and | op_eq | op_ne | op_lt | op_le | op_gt | op_ge | op_add | op_sub | op_mul
        | op_div => "an operator",
        kw_project => "`project`",
        kw_team => "`team`",
        kw_source => "`source`",
        kw_kpi => "`kpi`",
        kw_schema => "`schema`",
        kw_dialects => "`dialects`",
        kw_week_start => "`week_start`",
        kw_time_zone => "`time_zone`",
        kw_keep_versions => "`keep_versions`",
        kw_looker => "`looker`",
        kw_connection => "`connection`",
        kw_model => "`model`",
        kw_dialect => "`dialect`",
        kw_name => "`name`",
        kw_email => "`email`",
        kw_chat => "`chat`",
        kw_table => "`table`",
        kw_sql => "`sql`",
        kw_time => "`time`",
        kw_key => "`key`",
        kw_columns => "`columns`",
        kw_dimension => "`dimension`",
        kw_dimensions => "`dimensions`",
        kw_filter => "`filter`",
        kw_join => "`join`",
        kw_on => "`on`",
        kw_validity => "`validity`",
        kw_to => "`to`",
        kw_title => "`title`",
        kw_description => "`description`",
        kw_owner => "`owner`",
        kw_tags => "`tags`",
        kw_link => "`link`",
        kw_status => "`status`",
        kw_replaced_by => "`replaced_by`",
        kw_from => "`from`",
        kw_value => "`value`",
        kw_grain => "`grain`",
        kw_window => "`window`",
        kw_rolling => "`rolling`",
        kw_days => "`days`",
        kw_target => "`target`",
        kw_at_least => "`at_least`",
        kw_at_most => "`at_most`",
        kw_between => "`between`",
        kw_critical => "`critical`",
        kw_until => "`until`",
        kw_unit => "`unit`",
        kw_format => "`format`",
        kw_version => "`version`",
        kw_and => "`and`",
        kw_or => "`or`",
        kw_not => "`not`",
        kw_in => "`in`",
        kw_is => "`is`",
        kw_null => "`null`",
        kw_case => "`case`",
        kw_when => "`when`",
        kw_then => "`then`",
        kw_else => "`else`",
        kw_end => "`end`",
        kw_where => "`where`",
        kw_at | at_clause => "`at`",
        kw_weeks => "`weeks`",
        kw_periods => "`periods`",
        kw_current => "`current`",
        _ => "a value",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_split_before_declarations_only() {
        let text = "kpi a {\n}\n# note\nsource b {\n  kpi\n}\n";
        let chunks: Vec<_> = declaration_chunks(text).into_iter().map(|(o, _)| o).collect();
        assert_eq!(chunks, vec![0, 17]);
    }

    #[test]
    fn unparsed_declarations_keep_their_id() {
        assert_eq!(declared_id("kpi signups {\n  owner: x\n"), Some("signups".to_string()));
        assert_eq!(declared_id("source a{"), Some("a".to_string()));
        assert_eq!(declared_id("kpi {"), None);
    }

    #[test]
    fn nesting_is_counted_outside_strings_and_comments() {
        let deep = |n: usize| format!("value sum({}x{})", "(".repeat(n), ")".repeat(n));
        assert_eq!(too_deep(&deep(MAX_PARSE_DEPTH - 1)), None);
        assert_eq!(too_deep(&deep(MAX_PARSE_DEPTH)), Some(10 + MAX_PARSE_DEPTH - 1));
        let cases = "case when x then ".repeat(MAX_PARSE_DEPTH + 1);
        assert_eq!(too_deep(&cases), Some(MAX_PARSE_DEPTH * 17));
        let inert = "(".repeat(MAX_PARSE_DEPTH + 1);
        for text in [
            format!("\"{inert}\""),
            format!("\"\"\"\n{inert}\n\"\"\""),
            format!("# {inert}\n"),
            format!("\"\\\"{inert}\""),
        ] {
            assert_eq!(too_deep(&text), None, "{text:.20}");
        }
        assert_eq!(too_deep(&format!("\"a\n{inert}")), Some(3 + MAX_PARSE_DEPTH));
        assert_eq!(too_deep(&"case_x end_y ".repeat(MAX_PARSE_DEPTH + 1)), None);
        // Tags are not `case`s; an unclosed `"""` is `""` then a `"` (as in the grammar).
        assert_eq!(too_deep(&format!("tags [{}]", "case-study, ".repeat(MAX_PARSE_DEPTH + 1))), None);
        let hidden = format!("link \"\"\"https://x\" \"y\" value sum({inert}");
        assert_eq!(too_deep(&hidden), Some(hidden.find('(').unwrap() + MAX_PARSE_DEPTH));
    }

    #[test]
    fn token_at_reads_words_and_symbols() {
        assert_eq!(token_at("ownr growth", 0), "ownr");
        assert_eq!(token_at("{ x", 0), "{");
        assert_eq!(token_at("", 0), "");
    }
}

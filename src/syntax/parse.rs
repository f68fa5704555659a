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
    match KpiParser::parse(Rule::file, text) {
        Ok(pairs) => Lowerer::new(file, 0, diagnostics).file(pairs, &mut ast),
        Err(error) => {
            let before = diagnostics.len();
            for (offset, chunk) in declaration_chunks(text) {
                match KpiParser::parse(Rule::file, chunk) {
                    Ok(pairs) => Lowerer::new(file, offset, diagnostics).file(pairs, &mut ast),
                    Err(error) => {
                        diagnostics.push(syntax_error(file, offset, chunk, &error));
                        ast.unparsed.extend(declared_id(chunk));
                    }
                }
            }
            // Splitting can hide an error that spans declarations: fall back to the whole-file one.
            if !diagnostics[before..].iter().any(|d| d.code == Code::Syntax) {
                diagnostics.push(syntax_error(file, 0, text, &error));
            }
        }
    }
    ast
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
        // pest's guard against running out of stack: input nested beyond reason.
        if error.variant.message().ends_with("limit reached") {
            return Diagnostic::new(Code::TooComplex, span, "nested too deeply to parse")
                .label("nested too deeply")
                .help("split the expression into dimensions or KPIs of their own");
        }
        return Diagnostic::new(Code::Syntax, span, error.variant.message().to_string());
    };
    let mut expected: Vec<&str> = positives.iter().map(|r| describe(*r)).collect();
    expected.sort_unstable();
    expected.dedup();
    if let Some((message, help)) = named_mistake(text, position, found) {
        return Diagnostic::new(Code::Syntax, span, message).label("unexpected here").help(help);
    }
    let found_text = if found.is_empty() { "end of file".to_string() } else { format!("`{found}`") };
    let message = format!("expected {}, found {found_text}", one_of(&expected));
    let keywords = expected.iter().filter_map(|e| e.strip_prefix('`')?.strip_suffix('`'));
    let mut diagnostic = Diagnostic::new(Code::Syntax, span, message).label("unexpected here");
    if found.is_empty() && expected.contains(&"`}`") {
        diagnostic = diagnostic.help("a block is not closed: add its `}`");
    }
    let is_word = found.chars().all(|c| c.is_alphanumeric() || c == '_');
    if let Some(help) = did_you_mean(found, keywords).filter(|_| is_word && !found.is_empty()) {
        diagnostic = diagnostic.help(help);
    }
    diagnostic
}

/// A slip from another language, recognised where parsing stopped: its
/// message and the fix, before any list of expected tokens.
fn named_mistake(text: &str, position: usize, found: &str) -> Option<(String, String)> {
    let rest = text.get(position..).unwrap_or("");
    let before = text.get(..position).unwrap_or("").trim_end();
    let after_word = before.ends_with(|c: char| c.is_alphanumeric() || c == '_');
    let mistake = |message: &str, help: &str| Some((message.to_string(), help.to_string()));
    if rest.starts_with('\'') {
        return mistake("strings are written in double quotes", "write \"…\" instead of '…'");
    }
    if rest.starts_with("==") || before.ends_with('=') && rest.starts_with('=') {
        return mistake("`==` is not an operator here", "compare with a single `=`");
    }
    if rest.starts_with("&&") {
        return mistake("`&&` is not an operator here", "write `and`");
    }
    if rest.starts_with("||") {
        return mistake("`||` is not an operator here", "write `or`");
    }
    if rest.starts_with(':') && after_word {
        return mistake(
            "a property is not followed by a colon",
            "write the value after the property's name, e.g. `owner growth`",
        );
    }
    for (written, keyword) in [("at least", "at_least"), ("at most", "at_most")] {
        if rest.starts_with(written) {
            return Some((format!("`{written}` is one word"), format!("write `{keyword}`")));
        }
    }
    let lower = found.to_lowercase();
    if found != lower && ["project", "team", "source", "kpi"].contains(&lower.as_str()) {
        return Some((format!("`{found}` is not a keyword"), format!("keywords are lower case: write `{lower}`")));
    }
    None
}

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
        op_or | op_and | op_eq | op_ne | op_lt | op_le | op_gt | op_ge | op_add | op_sub | op_mul | op_div => {
            "an operator"
        }
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
    fn token_at_reads_words_and_symbols() {
        assert_eq!(token_at("ownr growth", 0), "ownr");
        assert_eq!(token_at("{ x", 0), "{");
        assert_eq!(token_at("", 0), "");
    }
}

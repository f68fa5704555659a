//! pest pairs → AST. Reports repeated properties and bad string escapes; every
//! other check waits for `resolve`, where names are known.

use std::sync::LazyLock;

use pest::iterators::{Pair, Pairs};
use pest::pratt_parser::{Assoc, Op, PrattParser};

use super::ast::*;
use super::grammar::Rule;
use crate::diagnostics::{Code, Diagnostic};
use crate::source::{is_forbidden_char, FileId, Span};

static PRATT: LazyLock<PrattParser<Rule>> = LazyLock::new(|| {
    PrattParser::new()
        .op(Op::infix(Rule::op_or, Assoc::Left))
        .op(Op::infix(Rule::op_and, Assoc::Left))
        .op(Op::prefix(Rule::op_not))
        .op(Op::infix(Rule::op_eq, Assoc::Left)
            | Op::infix(Rule::op_ne, Assoc::Left)
            | Op::infix(Rule::op_lt, Assoc::Left)
            | Op::infix(Rule::op_le, Assoc::Left)
            | Op::infix(Rule::op_gt, Assoc::Left)
            | Op::infix(Rule::op_ge, Assoc::Left)
            | Op::postfix(Rule::is_null)
            | Op::postfix(Rule::is_not_null)
            | Op::postfix(Rule::in_list)
            | Op::postfix(Rule::not_in_list))
        .op(Op::infix(Rule::op_add, Assoc::Left) | Op::infix(Rule::op_sub, Assoc::Left))
        .op(Op::infix(Rule::op_mul, Assoc::Left) | Op::infix(Rule::op_div, Assoc::Left))
        .op(Op::prefix(Rule::op_neg))
});

/// Lowers the pairs of one parsed text (a whole file, or one chunk of it at `offset`).
pub struct Lowerer<'d> {
    file: FileId,
    offset: usize,
    diagnostics: &'d mut Vec<Diagnostic>,
    /// How many `not` and `-` enclose the expression being lowered: each
    /// costs the Pratt parser a frame of the stack.
    prefix_depth: usize,
}

/// How deeply expressions may nest (parentheses, calls, `case`, `not`, `-`;
/// a chain of one operator, `a or b or …`, is one level): far beyond what
/// people write, well within what warehouses parse.
const MAX_NESTING: usize = 100;

/// Numbers stay below this: every warehouse's numeric types hold them.
const MAX_NUMBER: f64 = 1e38;

/// How many operators one expression may have: machine-made lists of
/// thousands of terms work, and every stage stays within the CLI's stack.
const MAX_OPERATORS: usize = 20_000;

/// Remembers where each single-valued property of a block was first given
/// (a block has a few: a list is quicker to look through than to hash).
#[derive(Default)]
struct Seen(Vec<(Rule, Span)>);

impl Seen {
    fn get(&self, property: Rule) -> Option<Span> {
        self.0.iter().find(|(rule, _)| *rule == property).map(|&(_, span)| span)
    }
}

impl<'d> Lowerer<'d> {
    pub fn new(file: FileId, offset: usize, diagnostics: &'d mut Vec<Diagnostic>) -> Self {
        Lowerer { file, offset, diagnostics, prefix_depth: 0 }
    }

    pub fn file(&mut self, mut pairs: Pairs<Rule>, ast: &mut File) {
        let Some(file) = pairs.next() else { return };
        // Sized once: a file holds many KPIs, and each is large.
        let kpis = file.clone().into_inner().filter(|d| d.as_rule() == Rule::kpi_decl).count();
        ast.kpis.reserve_exact(kpis);
        for declaration in file.into_inner() {
            match declaration.as_rule() {
                Rule::project_decl => ast.projects.push(self.project(declaration)),
                Rule::team_decl => ast.teams.push(self.team(declaration)),
                Rule::source_decl => ast.sources.push(self.source(declaration)),
                Rule::kpi_decl => ast.kpis.push(self.kpi(declaration)),
                _ => {}
            }
        }
    }

    fn span(&self, pair: &Pair<Rule>) -> Span {
        let s = pair.as_span();
        Span::new(self.file, self.offset + s.start(), self.offset + s.end())
    }

    fn ident(&self, pair: Pair<Rule>) -> Ident {
        Ident { name: pair.as_str().to_string(), span: self.span(&pair) }
    }

    /// Reports a property given twice; returns whether this is its first occurrence.
    fn first(&mut self, seen: &mut Seen, property: &Pair<Rule>) -> bool {
        let span = self.span(property);
        let Some(first) = seen.get(property.as_rule()) else {
            seen.0.push((property.as_rule(), span));
            return true;
        };
        let keyword = property.as_str().split_whitespace().next().unwrap_or("");
        let keyword_span = Span::new(span.file, span.start as usize, span.start as usize + keyword.len());
        self.diagnostics.push(
            Diagnostic::new(Code::DuplicateProperty, keyword_span, format!("`{keyword}` is given twice"))
                .label("given again here")
                .secondary(first, "first given here")
                .help(format!("keep one `{keyword}`")),
        );
        false
    }

    /// Block children after the keyword and id, with the id.
    fn header<'a>(&self, pair: Pair<'a, Rule>) -> (Ident, impl Iterator<Item = Pair<'a, Rule>>) {
        let mut inner = pair.into_inner().filter(|p| !matches!(p.as_rule(), Rule::lbrace | Rule::rbrace));
        inner.next(); // the keyword
        let id = self.ident(inner.next().expect("grammar: declaration id"));
        (id, inner)
    }

    fn project(&mut self, pair: Pair<Rule>) -> ProjectDecl {
        let (name, properties) = self.header(pair);
        let mut decl = ProjectDecl {
            name,
            schema: None,
            dialects: None,
            week_start: None,
            time_zone: None,
            keep_versions: None,
            periods: None,
            looker: None,
        };
        let mut seen = Seen::default();
        for property in properties {
            if !self.first(&mut seen, &property) {
                continue;
            }
            let rule = property.as_rule();
            if rule == Rule::p_looker {
                decl.looker = Some(self.looker(property));
                continue;
            }
            if rule == Rule::p_periods {
                decl.periods = Some(self.periods(property));
                continue;
            }
            let value = last(property);
            match rule {
                Rule::p_schema => decl.schema = Some(self.name_value(value)),
                Rule::p_dialects => decl.dialects = Some(self.ident_list(value)),
                Rule::p_week_start => decl.week_start = Some(self.ident(value)),
                Rule::p_time_zone => decl.time_zone = Some(self.string(value)),
                Rule::p_keep_versions => decl.keep_versions = Some(self.integer(value)),
                _ => unreachable!("grammar: project property {rule:?}"),
            }
        }
        decl
    }

    fn looker(&mut self, pair: Pair<Rule>) -> LookerDecl {
        let mut properties = pair.into_inner().filter(|p| !matches!(p.as_rule(), Rule::lbrace | Rule::rbrace));
        let span = self.span(&properties.next().expect("grammar: `looker` keyword"));
        let mut decl = LookerDecl { span, connection: None, model: None, dialect: None };
        let mut seen = Seen::default();
        for property in properties {
            if !self.first(&mut seen, &property) {
                continue;
            }
            let rule = property.as_rule();
            let value = last(property);
            match rule {
                Rule::p_connection => decl.connection = Some(self.string(value)),
                Rule::p_model => decl.model = Some(self.name_value(value)),
                Rule::p_dialect => decl.dialect = Some(self.ident(value)),
                _ => unreachable!("grammar: looker property {rule:?}"),
            }
        }
        decl
    }

    fn team(&mut self, pair: Pair<Rule>) -> TeamDecl {
        let (id, properties) = self.header(pair);
        let mut decl = TeamDecl { id, name: None, email: None, chat: None, description: None };
        let mut seen = Seen::default();
        for property in properties {
            if !self.first(&mut seen, &property) {
                continue;
            }
            let rule = property.as_rule();
            let value = self.string(last(property));
            match rule {
                Rule::p_name => decl.name = Some(value),
                Rule::p_email => decl.email = Some(value),
                Rule::p_chat => decl.chat = Some(value),
                Rule::p_description => decl.description = Some(value),
                _ => unreachable!("grammar: team property {rule:?}"),
            }
        }
        decl
    }

    fn source(&mut self, pair: Pair<Rule>) -> SourceDecl {
        let span = self.span(&pair);
        let (id, properties) = self.header(pair);
        let mut decl = SourceDecl {
            span,
            id,
            relation: None,
            time: None,
            key: None,
            columns: Vec::new(),
            dimensions: Vec::new(),
            filters: Vec::new(),
            joins: Vec::new(),
            validity: None,
            description: None,
        };
        let mut seen = Seen::default();
        for property in properties {
            let rule = property.as_rule();
            let repeatable = matches!(rule, Rule::p_dimension | Rule::p_filter | Rule::p_join);
            if !repeatable && !self.first_relation_aware(&mut seen, &property) {
                continue;
            }
            let mut inner = property.into_inner().skip(1);
            match rule {
                Rule::p_table => decl.relation = Some(Relation::Table(self.string(inner.next().unwrap()))),
                Rule::p_sql => decl.relation = Some(Relation::Query(self.raw_string(inner.next().unwrap()))),
                Rule::p_time => decl.time = Some(self.ident(inner.next().unwrap())),
                Rule::p_key => decl.key = Some(self.ident(inner.next().unwrap())),
                Rule::p_description => decl.description = Some(self.string(inner.next().unwrap())),
                Rule::p_columns => {
                    for column in inner.filter(|p| p.as_rule() == Rule::column_decl) {
                        let mut parts = column.into_inner();
                        let name = self.ident(parts.next().unwrap());
                        let ty = self.ident(parts.next().unwrap());
                        decl.columns.push(ColumnDecl { name, ty });
                    }
                }
                Rule::p_dimension => {
                    let name = self.ident(inner.next().unwrap());
                    let expr = inner.find(|p| p.as_rule() == Rule::expr).map(|e| self.expr(e));
                    decl.dimensions.push(DimensionDecl { name, expr });
                }
                Rule::p_filter => decl.filters.push(self.expr(inner.next().unwrap())),
                Rule::p_join => {
                    let target = self.ident(inner.next().unwrap());
                    let on = self.expr(inner.nth(1).unwrap());
                    decl.joins.push(JoinDecl { target, on });
                }
                Rule::p_validity => {
                    let start = self.ident(inner.next().unwrap());
                    let end = self.ident(inner.nth(1).unwrap());
                    decl.validity = Some(Validity { start, end });
                }
                _ => unreachable!("grammar: source property {rule:?}"),
            }
        }
        decl
    }

    /// Like [`Self::first`], treating `table` and `sql` as one property.
    fn first_relation_aware(&mut self, seen: &mut Seen, property: &Pair<Rule>) -> bool {
        let rule = property.as_rule();
        if rule == Rule::p_sql || rule == Rule::p_table {
            let other = if rule == Rule::p_sql { Rule::p_table } else { Rule::p_sql };
            if let Some(first) = seen.get(other) {
                let span = self.span(property);
                self.diagnostics.push(
                    Diagnostic::new(Code::DuplicateProperty, span, "a source reads either a `table` or a `sql` query")
                        .label("second relation here")
                        .secondary(first, "first relation here")
                        .help("keep one of `table` and `sql`"),
                );
                return false;
            }
        }
        self.first(seen, property)
    }

    fn kpi(&mut self, pair: Pair<Rule>) -> KpiDecl {
        let span = self.span(&pair);
        let (id, properties) = self.header(pair);
        let mut decl = KpiDecl {
            span,
            id,
            title: None,
            description: None,
            owner: None,
            tags: Vec::new(),
            links: Vec::new(),
            status: None,
            from: None,
            value: None,
            filters: Vec::new(),
            grain: None,
            window: None,
            dimensions: None,
            target: None,
            unit: None,
            format: None,
            version: None,
            periods: None,
        };
        let mut seen = Seen::default();
        for property in properties {
            let rule = property.as_rule();
            let repeatable = matches!(rule, Rule::p_filter | Rule::p_link);
            if !repeatable && !self.first(&mut seen, &property) {
                continue;
            }
            let span = self.span(&property);
            if rule == Rule::p_periods {
                decl.periods = Some(Box::new(self.periods(property)));
                continue;
            }
            let mut inner = property.into_inner().skip(1);
            let mut next = || inner.next().expect("grammar: property value");
            match rule {
                Rule::p_title => decl.title = Some(self.string(next())),
                Rule::p_description => decl.description = Some(self.string(next())),
                Rule::p_owner => decl.owner = Some(self.ident(next())),
                Rule::p_tags => decl.tags = self.ident_list(next()).node,
                Rule::p_link => {
                    let label = self.string(next());
                    let url = self.string(next());
                    decl.links.push(Link { label, url });
                }
                Rule::p_status => {
                    let status = self.ident(next());
                    let replaced_by = inner.nth(1).map(|p| self.ident(p));
                    decl.status = Some(Box::new(StatusDecl { status, replaced_by }));
                }
                Rule::p_from => decl.from = Some(self.ident(next())),
                Rule::p_value => decl.value = Some(self.expr(next())),
                Rule::p_filter => decl.filters.push(self.expr(next())),
                Rule::p_grain => decl.grain = Some(self.ident(next())),
                Rule::p_window => decl.window = Some(self.window(next())),
                Rule::p_dimensions => decl.dimensions = Some(self.ident_list(next())),
                Rule::p_target => decl.target = Some(Box::new(self.target(inner, span))),
                Rule::p_unit => {
                    let unit = self.ident(next());
                    let qualifier = inner.next().map(|p| self.string(p));
                    decl.unit = Some(Box::new(UnitDecl { unit, qualifier }));
                }
                Rule::p_format => decl.format = Some(self.string(next())),
                Rule::p_version => decl.version = Some(self.integer(next())),
                _ => unreachable!("grammar: kpi property {rule:?}"),
            }
        }
        decl
    }

    fn window(&mut self, pair: Pair<Rule>) -> WindowDecl {
        match pair.as_rule() {
            Rule::window_rolling => {
                let mut inner = pair.into_inner().skip(1);
                let length = self.integer(inner.next().expect("grammar: rolling length"));
                let weeks = inner.next().is_some_and(|unit| unit.as_rule() == Rule::kw_weeks);
                WindowDecl::Rolling { length, weeks }
            }
            _ => WindowDecl::Named(self.ident(pair)),
        }
    }

    /// `periods from <date> until <date | current>`.
    fn periods(&mut self, pair: Pair<Rule>) -> PeriodsDecl {
        let span = self.span(&pair);
        let mut decl = PeriodsDecl { span, from: None, until: None };
        for part in pair.into_inner() {
            let Some(value) = part.clone().into_inner().nth(1) else { continue };
            let value_span = self.span(&value);
            match part.as_rule() {
                Rule::periods_from => decl.from = Some(self.date(value)),
                Rule::periods_until => {
                    let until = match value.as_rule() {
                        Rule::kw_current => UntilDecl::Current,
                        _ => UntilDecl::Date(value.as_str().to_string()),
                    };
                    decl.until = Some(Spanned { node: until, span: value_span });
                }
                _ => {}
            }
        }
        decl
    }

    fn target<'a>(&mut self, parts: impl Iterator<Item = Pair<'a, Rule>>, span: Span) -> TargetDecl {
        let mut goal = None;
        let mut critical = Vec::new();
        let (mut from, mut until) = (None, None);
        for part in parts {
            match part.as_rule() {
                Rule::target_goal => {
                    let inner = part.into_inner().next().unwrap();
                    let rule = inner.as_rule();
                    let mut numbers = inner.into_inner().filter(|p| p.as_rule() == Rule::signed_number);
                    let mut quantity = || self.quantity(numbers.next().unwrap());
                    goal = Some(match rule {
                        Rule::target_at_least => Goal::AtLeast(quantity()),
                        Rule::target_at_most => Goal::AtMost(quantity()),
                        _ => {
                            let low = quantity();
                            Goal::Between(low, quantity())
                        }
                    });
                }
                Rule::target_critical => {
                    let numbers = part.into_inner().filter(|p| p.as_rule() == Rule::signed_number);
                    critical = numbers.map(|n| self.quantity(n)).collect();
                }
                Rule::target_from => from = Some(self.date(part.into_inner().nth(1).unwrap())),
                Rule::target_until => until = Some(self.date(part.into_inner().nth(1).unwrap())),
                _ => {}
            }
        }
        TargetDecl { goal: goal.expect("grammar: target goal"), critical, from, until, span }
    }

    fn quantity(&mut self, pair: Pair<Rule>) -> Quantity {
        let span = self.span(&pair);
        let mut inner = pair.into_inner();
        let mut first = inner.next().unwrap();
        let negative = first.as_rule() == Rule::minus;
        if negative {
            first = inner.next().unwrap();
        }
        let is_percent = first.as_rule() == Rule::percent;
        let number = self.number(&first);
        let number = if negative { number.negate() } else { number };
        Quantity { number, is_percent, span }
    }

    /// A number or percent literal, refused beyond what every warehouse's
    /// numbers hold (Snowflake and Redshift: 38 digits).
    fn number(&mut self, pair: &Pair<Rule>) -> Number {
        let number = match pair.as_rule() {
            Rule::percent => Number::percent(pair.as_str().trim_end_matches('%')),
            _ => Number::parse(pair.as_str()),
        };
        if !number.value.is_finite() || number.value.abs() >= MAX_NUMBER {
            self.diagnostics.push(
                Diagnostic::new(Code::InvalidValue, self.span(pair), "this number is too large")
                    .label("more than 38 digits")
                    .help("numbers stay below 10^38"),
            );
        }
        number
    }

    fn date(&self, pair: Pair<Rule>) -> Spanned<String> {
        Spanned { node: pair.as_str().to_string(), span: self.span(&pair) }
    }

    fn integer(&mut self, pair: Pair<Rule>) -> Spanned<u32> {
        let span = self.span(&pair);
        let node = pair.as_str().parse().unwrap_or_else(|_| {
            self.diagnostics.push(
                Diagnostic::new(Code::InvalidValue, span, "this number is too large")
                    .help("use a number below 4294967296"),
            );
            0
        });
        Spanned { node, span }
    }

    fn ident_list(&mut self, pair: Pair<Rule>) -> Spanned<Vec<Ident>> {
        let span = self.span(&pair);
        let items = pair
            .into_inner()
            .filter(|p| matches!(p.as_rule(), Rule::ident | Rule::tag | Rule::string))
            .map(|p| match p.as_rule() {
                Rule::string => {
                    let s = self.string(p);
                    Ident { name: s.node, span: s.span }
                }
                _ => self.ident(p),
            })
            .collect();
        Spanned { node: items, span }
    }

    fn name_value(&mut self, pair: Pair<Rule>) -> Spanned<String> {
        match pair.as_rule() {
            Rule::string => self.string(pair),
            _ => {
                let ident = self.ident(pair);
                Spanned { node: ident.name, span: ident.span }
            }
        }
    }

    /// A string's value: escapes resolved, `"""` blocks dedented.
    fn string(&mut self, pair: Pair<Rule>) -> Spanned<String> {
        let span = self.span(&pair);
        self.refuse_control_characters(&pair);
        let inner = pair.into_inner().next().unwrap();
        let text = inner.as_str();
        let node = match inner.as_rule() {
            Rule::triple_string => dedent(&text[3..text.len() - 3]),
            _ => self.unescape(&text[1..text.len() - 1], span),
        };
        Spanned { node, span }
    }

    /// A string kept as written between its quotes, so that offsets reported by
    /// a SQL parser map back onto the file; the span covers that text.
    fn raw_string(&mut self, pair: Pair<Rule>) -> Spanned<String> {
        self.refuse_control_characters(&pair);
        let inner = pair.into_inner().next().unwrap();
        let quote = if inner.as_rule() == Rule::triple_string { 3 } else { 1 };
        let span = self.span(&inner);
        let text = inner.as_str();
        let content_span = Span::new(span.file, span.start as usize + quote, span.end as usize - quote);
        let content = &text[quote..text.len() - quote];
        let node = if quote == 1 { self.unescape(content, content_span) } else { content.to_string() };
        Spanned { node, span: content_span }
    }

    /// Reports the first control character of a string (a line break written
    /// as CR LF is fine): a carriage return ends a SQL comment in some
    /// engines, a NUL cuts a line in psql.
    fn refuse_control_characters(&mut self, pair: &Pair<Rule>) {
        let text = pair.as_str();
        let found =
            text.char_indices().find(|&(i, c)| is_forbidden_char(c) && !(c == '\r' && text[i + 1..].starts_with('\n')));
        let Some((index, c)) = found else { return };
        let start = self.offset + pair.as_span().start() + index;
        self.diagnostics.push(
            Diagnostic::new(
                Code::InvalidString,
                Span::new(self.file, start, start + c.len_utf8()),
                format!("a string holds the control character U+{:04X}", u32::from(c)),
            )
            .label("control character")
            .help("remove it; write a line break as \\n and a tab as \\t"),
        );
    }

    fn unescape(&mut self, text: &str, span: Span) -> String {
        let mut out = String::with_capacity(text.len());
        let mut chars = text.chars();
        while let Some(c) = chars.next() {
            if c != '\\' {
                out.push(c);
                continue;
            }
            match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some(other @ ('"' | '\\')) => out.push(other),
                _ => self.diagnostics.push(
                    Diagnostic::new(Code::InvalidString, span, "unknown escape in string")
                        .help("use \\\" \\\\ \\n or \\t"),
                ),
            }
        }
        out
    }

    /// A whole expression (a property's value): lowered, then refused when it
    /// nests too deeply, with one diagnostic however many parts are too long.
    pub fn expr(&mut self, pair: Pair<Rule>) -> Expr {
        let before = self.diagnostics.len();
        let expr = self.nested_expr(pair);
        let too_complex = self.diagnostics[before..].iter().filter(|d| d.code == Code::TooComplex).count();
        if too_complex > 1 {
            let mut kept = false;
            let mut index = 0;
            self.diagnostics.retain(|d| {
                index += 1;
                index <= before || d.code != Code::TooComplex || !std::mem::replace(&mut kept, true)
            });
        }
        if too_complex > 0 || nesting(&expr) <= MAX_NESTING {
            return expr;
        }
        self.diagnostics.push(
            Diagnostic::new(
                Code::TooComplex,
                expr.span,
                format!("expression nested more than {MAX_NESTING} levels deep"),
            )
            .label("nested too deeply")
            .help("split it into dimensions or KPIs of their own"),
        );
        Expr { kind: ExprKind::Invalid, span: expr.span }
    }

    fn nested_expr(&mut self, pair: Pair<Rule>) -> Expr {
        let span = self.span(&pair);
        let pairs = pair.into_inner();
        let shape = Shape::of(pairs.clone());
        if shape.operators > MAX_OPERATORS {
            self.diagnostics.push(
                Diagnostic::new(Code::TooComplex, span, format!("expression with more than {MAX_OPERATORS} operators"))
                    .label("too long")
                    .help("shorten the list, e.g. with a column that marks the rows"),
            );
            return Expr { kind: ExprKind::Invalid, span };
        }
        // `- - - x` nests as deeply as it has operators: refused before it is parsed.
        let prefix_depth = self.prefix_depth + shape.longest_prefix_run;
        if prefix_depth > MAX_NESTING {
            self.diagnostics.push(
                Diagnostic::new(
                    Code::TooComplex,
                    span,
                    format!("expression nested more than {MAX_NESTING} levels deep"),
                )
                .label("nested too deeply")
                .help("split it into dimensions or KPIs of their own"),
            );
            return Expr { kind: ExprKind::Invalid, span };
        }
        // One operand and no operator (most expressions: a call's argument, a
        // condition's side): nothing for the Pratt parser to order.
        if shape.operators == 0 {
            if let Some(operand) = pairs.clone().next() {
                return self.primary(operand);
            }
        }
        // The Pratt closures share one lowerer, so diagnostics are collected locally first.
        let (file, offset) = (self.file, self.offset);
        let mut local = Vec::new();
        let expr = {
            let lowerer = std::cell::RefCell::new(Lowerer { file, offset, diagnostics: &mut local, prefix_depth });
            let parsed = PRATT
                .map_primary(|p| lowerer.borrow_mut().primary(p))
                .map_prefix(|op, rhs| {
                    let span = lowerer.borrow().span(&op).to(rhs.span);
                    let op = if op.as_rule() == Rule::op_not { UnaryOp::Not } else { UnaryOp::Neg };
                    Expr { kind: ExprKind::Unary(op, Box::new(rhs)), span }
                })
                .map_postfix(|lhs, op| lowerer.borrow_mut().postfix(lhs, op))
                .map_infix(|lhs, op, rhs| {
                    let span = lhs.span.to(rhs.span);
                    Expr { kind: ExprKind::Binary(binary_op(op.as_rule()), Box::new(lhs), Box::new(rhs)), span }
                })
                .parse(pairs);
            parsed
        };
        self.diagnostics.extend(local);
        expr
    }

    fn postfix(&mut self, lhs: Expr, op: Pair<Rule>) -> Expr {
        let span = lhs.span.to(self.span(&op));
        let rule = op.as_rule();
        let expr = Box::new(lhs);
        let kind = match rule {
            Rule::is_null | Rule::is_not_null => ExprKind::IsNull { expr, negated: rule == Rule::is_not_null },
            _ => {
                let list = op.into_inner().filter(|p| p.as_rule() == Rule::expr).map(|p| self.nested_expr(p)).collect();
                ExprKind::InList { expr, list, negated: rule == Rule::not_in_list }
            }
        };
        Expr { kind, span }
    }

    fn primary(&mut self, pair: Pair<Rule>) -> Expr {
        let span = self.span(&pair);
        let kind = match pair.as_rule() {
            Rule::paren => {
                let inner =
                    pair.into_inner().find(|p| p.as_rule() == Rule::expr).expect("grammar: parenthesized expression");
                return Expr { span, ..self.nested_expr(inner) };
            }
            Rule::path => ExprKind::Path(pair.into_inner().map(|p| self.ident(p)).collect()),
            Rule::number => ExprKind::Literal(Literal::Number(self.number(&pair))),
            Rule::percent => ExprKind::Literal(Literal::Percent(self.number(&pair))),
            Rule::string => ExprKind::Literal(Literal::String(self.string(pair).node)),
            Rule::boolean => ExprKind::Literal(Literal::Bool(pair.as_str().starts_with('t'))),
            Rule::null => ExprKind::Literal(Literal::Null),
            Rule::date => ExprKind::Literal(Literal::Date(pair.as_str().to_string())),
            Rule::duration => {
                let mut inner = pair.into_inner();
                let amount = self.integer(inner.next().unwrap()).node;
                let unit = match inner.next().unwrap().as_str().trim_end_matches('s') {
                    "millisecond" => DurationUnit::Millisecond,
                    "second" => DurationUnit::Second,
                    "minute" => DurationUnit::Minute,
                    "hour" => DurationUnit::Hour,
                    "week" => DurationUnit::Week,
                    _ => DurationUnit::Day,
                };
                if u64::from(amount) * unit.milliseconds() > MAX_DURATION_SECONDS * 1_000 {
                    self.diagnostics.push(
                        Diagnostic::new(Code::InvalidValue, span, "this duration is longer than 100 years")
                            .help("durations go up to 36500 days"),
                    );
                }
                ExprKind::Literal(Literal::Duration(amount, unit))
            }
            Rule::raw_sql => {
                ExprKind::RawSql(self.raw_string(pair.into_inner().find(|p| p.as_rule() == Rule::string).unwrap()))
            }
            Rule::case_expr => self.case(pair),
            Rule::call => self.call(pair),
            rule => unreachable!("grammar: primary {rule:?}"),
        };
        Expr { kind, span }
    }

    fn case(&mut self, pair: Pair<Rule>) -> ExprKind {
        let mut whens = Vec::new();
        let mut otherwise = None;
        for part in pair.into_inner() {
            match part.as_rule() {
                Rule::when_clause => {
                    let mut exprs = part.into_inner().filter(|p| p.as_rule() == Rule::expr);
                    let condition = self.nested_expr(exprs.next().unwrap());
                    let result = self.nested_expr(exprs.next().unwrap());
                    whens.push((condition, result));
                }
                Rule::expr => otherwise = Some(Box::new(self.nested_expr(part))),
                _ => {}
            }
        }
        ExprKind::Case { whens, otherwise }
    }

    fn call(&mut self, pair: Pair<Rule>) -> ExprKind {
        let mut inner = pair.into_inner();
        let name = self.ident(inner.next().unwrap());
        let (mut args, mut star, mut at, mut filter) = (Vec::new(), false, None, None);
        for part in inner {
            match part.as_rule() {
                Rule::star => star = true,
                Rule::call_args => {
                    let more: Vec<Expr> =
                        part.into_inner().filter(|p| p.as_rule() == Rule::expr).map(|p| self.nested_expr(p)).collect();
                    args.extend(more);
                }
                Rule::at_clause => at = part.into_inner().find(|p| p.as_rule() == Rule::ident).map(|p| self.ident(p)),
                Rule::where_clause => {
                    filter =
                        part.into_inner().find(|p| p.as_rule() == Rule::expr).map(|p| Box::new(self.nested_expr(p)))
                }
                _ => {}
            }
        }
        ExprKind::Call(Box::new(Call { name, args, star, at, filter }))
    }
}

/// What an expression's parts are made of, counted in one pass.
struct Shape {
    /// Its operators, prefix and postfix ones too.
    operators: usize,
    /// The most prefix operators (`not`, `-`) in a row.
    longest_prefix_run: usize,
}

impl Shape {
    fn of(pairs: pest::iterators::Pairs<Rule>) -> Shape {
        let mut shape = Shape { operators: 0, longest_prefix_run: 0 };
        let mut run = 0;
        for pair in pairs {
            let rule = pair.as_rule();
            run = if matches!(rule, Rule::op_not | Rule::op_neg) { run + 1 } else { 0 };
            shape.longest_prefix_run = shape.longest_prefix_run.max(run);
            shape.operators += usize::from(is_operator(rule));
        }
        shape
    }
}

fn is_operator(rule: Rule) -> bool {
    use Rule::*;
    matches!(
        rule,
        op_or
            | op_and
            | op_not
            | op_neg
            | op_eq
            | op_ne
            | op_lt
            | op_le
            | op_gt
            | op_ge
            | op_add
            | op_sub
            | op_mul
            | op_div
            | is_null
            | is_not_null
            | in_list
            | not_in_list
    )
}

/// How deeply `e` nests, counted without recursion: the left operand of a
/// chain of one operator (`a or b or c`, `a + b - c`) stays on its level.
fn nesting(e: &Expr) -> usize {
    let chains = |parent: BinaryOp, child: BinaryOp| match parent {
        BinaryOp::Or | BinaryOp::And | BinaryOp::Mul => child == parent,
        BinaryOp::Add | BinaryOp::Sub => matches!(child, BinaryOp::Add | BinaryOp::Sub),
        _ => false,
    };
    let mut deepest = 0;
    let mut pending = vec![(e, 1)];
    while let Some((e, depth)) = pending.pop() {
        deepest = deepest.max(depth);
        if let ExprKind::Binary(op, left, right) = &e.kind {
            let same = matches!(&left.kind, ExprKind::Binary(inner, ..) if chains(*op, *inner));
            pending.push((left, if same { depth } else { depth + 1 }));
            pending.push((right, depth + 1));
            continue;
        }
        pending.extend(e.children().into_iter().map(|child| (child, depth + 1)));
    }
    deepest
}

fn last(pair: Pair<Rule>) -> Pair<Rule> {
    pair.into_inner().last().expect("grammar: property value")
}

fn binary_op(rule: Rule) -> BinaryOp {
    match rule {
        Rule::op_or => BinaryOp::Or,
        Rule::op_and => BinaryOp::And,
        Rule::op_eq => BinaryOp::Eq,
        Rule::op_ne => BinaryOp::Ne,
        Rule::op_lt => BinaryOp::Lt,
        Rule::op_le => BinaryOp::Le,
        Rule::op_gt => BinaryOp::Gt,
        Rule::op_ge => BinaryOp::Ge,
        Rule::op_add => BinaryOp::Add,
        Rule::op_sub => BinaryOp::Sub,
        Rule::op_mul => BinaryOp::Mul,
        _ => BinaryOp::Div,
    }
}

/// The longest duration literal: 100 years of 365 days, far below any engine's interval limits.
const MAX_DURATION_SECONDS: u64 = 36_500 * 86_400;

/// Removes the first line break, the common indentation and trailing blank space.
fn dedent(text: &str) -> String {
    let text = text.strip_prefix('\n').or_else(|| text.strip_prefix("\r\n")).unwrap_or(text);
    let indent =
        text.lines().filter(|l| !l.trim().is_empty()).map(|l| l.len() - l.trim_start().len()).min().unwrap_or(0);
    let lines: Vec<&str> = text.lines().map(|l| l.get(indent..).unwrap_or(l.trim_start())).collect();
    lines.join("\n").trim_end().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dedent_removes_common_indentation() {
        assert_eq!(dedent("\n    a\n      b\n    "), "a\n  b");
    }

    #[test]
    fn percent_shifts_exactly() {
        assert_eq!(Number::percent("25").text, "0.25");
        assert_eq!(Number::percent("99.95").text, "0.9995");
        assert_eq!(Number::percent("150").text, "1.5");
        assert_eq!(Number::percent("0.5").text, "0.005");
        assert_eq!(Number::percent("100").text, "1");
    }
}

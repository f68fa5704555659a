//! A compact, readable text of a resolved model, for snapshots.

use kpic::graph::Graph;
use kpic::model::{Expr, ExprKind, Goal, Literal, Model, Relation, Source, Target};

pub fn model(model: &Model, graph: &Graph) -> String {
    let s = &model.settings;
    let dialects: Vec<&str> = s.dialects.iter().map(|d| d.name()).collect();
    let mut out = format!(
        "project {} schema={} week_start={} time_zone={} dialects=[{}]\n",
        s.name,
        s.schema,
        s.week_start.name(),
        s.time_zone,
        dialects.join(", ")
    );
    for team in &model.teams {
        out.push_str(&format!("team {} \"{}\"\n", team.name, team.display_name));
    }
    for source in &model.sources {
        out.push_str(&source_text(model, source));
    }
    for kpi in &model.kpis {
        let owner = kpi.owner.map_or("?".to_string(), |t| model.team(t).name.text.clone());
        let dims: Vec<&str> = kpi.dimensions.iter().map(|d| d.text.as_str()).collect();
        out.push_str(&format!(
            "kpi {} v{} {:?} owner={owner} grain={} window={:?} dims=[{}] unit={:?}\n  value = {}\n",
            kpi.name,
            kpi.version,
            kpi.kind,
            kpi.grain.name(),
            kpi.window,
            dims.join(", "),
            kpi.unit,
            expr(model, None, &kpi.value)
        ));
        if let Some(target) = &kpi.target {
            out.push_str(&format!("  target {}\n", target_text(target)));
        }
    }
    for (from, to) in graph.edges() {
        out.push_str(&format!("edge {} -> {}\n", node(model, from), node(model, to)));
    }
    out
}

fn node(model: &Model, node: kpic::graph::Node) -> String {
    match node {
        kpic::graph::Node::Source(id) => format!("source.{}", model.source(id).name),
        kpic::graph::Node::Kpi(id) => format!("kpi.{}", model.kpi(id).name),
    }
}

fn source_text(model: &Model, source: &Source) -> String {
    let relation = match &source.relation {
        Relation::Table(t) => format!("table {t}"),
        Relation::Query { tables, .. } => format!("sql reading [{}]", tables.join(", ")),
    };
    let columns: Vec<String> = source.columns.iter().map(|c| format!("{}:{}", c.name, c.ty.name())).collect();
    let mut out =
        format!("source {} {relation} time={:?} columns=[{}]\n", source.name, source.time, columns.join(", "));
    for join in &source.joins {
        out.push_str(&format!(
            "  join {} on {}\n",
            model.source(join.target).name,
            expr(model, Some(source), &join.on)
        ));
    }
    for dimension in &source.dimensions {
        out.push_str(&format!("  dimension {} = {}\n", dimension.name, expr(model, Some(source), &dimension.expr)));
    }
    for filter in &source.filters {
        out.push_str(&format!("  filter {}\n", expr(model, Some(source), filter)));
    }
    if let Some(v) = &source.validity {
        out.push_str(&format!("  validity {} to {}\n", v.start, v.end));
    }
    out
}

fn target_text(target: &Target) -> String {
    let goal = match &target.goal {
        Goal::AtLeast(t) => format!("at_least {}", t.number.text),
        Goal::AtMost(t) => format!("at_most {}", t.number.text),
        Goal::Between(l, h) => format!("between {} and {}", l.number.text, h.number.text),
    };
    let critical: Vec<&str> = target.critical.iter().map(|c| c.number.text.as_str()).collect();
    format!("{goal} critical [{}] from {:?} until {:?}", critical.join(", "), target.from, target.until)
}

/// An expression with names resolved: `base.column`, `base.join.column`, `agg(source: …)`.
pub fn expr(model: &Model, base: Option<&Source>, e: &Expr) -> String {
    let r = |e: &Expr| expr(model, base, e);
    match &e.kind {
        ExprKind::Literal(Literal::Number(n)) => n.text.clone(),
        ExprKind::Literal(Literal::String(s)) => format!("{s:?}"),
        ExprKind::Literal(l) => format!("{l:?}"),
        ExprKind::Column(c) => {
            let base = base.map_or("?".to_string(), |b| b.name.text.clone());
            match (c.join, base) {
                (None, base) => format!("{base}.{}", c.column),
                (Some(j), base) => {
                    let join = model
                        .sources
                        .iter()
                        .find(|s| s.name.text == base)
                        .map_or("?".to_string(), |b| model.source(b.joins[j].target).name.text.clone());
                    format!("{base}.{join}.{}", c.column)
                }
            }
        }
        ExprKind::PeriodStart => "period_start".into(),
        ExprKind::PeriodEnd => "period_end".into(),
        ExprKind::Unary(op, inner) => format!("({op:?} {})", r(inner)),
        ExprKind::Binary(op, a, b) => format!("({} {} {})", r(a), op.symbol(), r(b)),
        ExprKind::InList { expr: x, list, negated } => {
            let items: Vec<String> = list.iter().map(r).collect();
            format!("({} {}in [{}])", r(x), if *negated { "not " } else { "" }, items.join(", "))
        }
        ExprKind::IsNull { expr: x, negated } => format!("({} is {}null)", r(x), if *negated { "not " } else { "" }),
        ExprKind::Case { whens, otherwise } => {
            let arms: Vec<String> = whens.iter().map(|(c, v)| format!("when {} then {}", r(c), r(v))).collect();
            format!("case {} else {} end", arms.join(" "), otherwise.as_ref().map_or("null".to_string(), |o| r(o)))
        }
        ExprKind::Function(f, args) => format!("{}({})", f.name(), args.iter().map(r).collect::<Vec<_>>().join(", ")),
        ExprKind::Aggregate(a) => {
            let source = model.source(a.source);
            let inner = |e: &Expr| expr(model, Some(source), e);
            let mut text = format!("{}({}", a.func.name(), source.name);
            if let Some(arg) = &a.arg {
                text.push_str(&format!(": {}", inner(arg)));
            }
            for f in &a.kpi_filters {
                text.push_str(&format!(" filter {}", inner(f)));
            }
            if let Some(c) = &a.condition {
                text.push_str(&format!(" where {}", inner(c)));
            }
            text.push(')');
            text
        }
        ExprKind::Kpi(id) => model.kpi(*id).name.text.clone(),
        ExprKind::Previous(id) => format!("previous({})", model.kpi(*id).name),
        ExprKind::Raw(sql) => format!("sql({sql:?})"),
    }
}

//! A compact, readable text of a resolved model, for snapshots.

use kpic::graph::Graph;
use kpic::model::{expr_text, Expr, Goal, Model, Relation, Source, Target};

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

/// An expression with names resolved, relative to `base`.
fn expr(model: &Model, base: Option<&Source>, e: &Expr) -> String {
    let base = base.and_then(|b| model.source_ids().find(|&id| model.source(id).name == b.name));
    expr_text(model, base, e)
}

//! Stage 4: rules over the resolved model and its graph. One rule per file
//! in `rules/`, each reporting under its own code.

mod rules;

use crate::diagnostics::Diagnostic;
use crate::graph::Graph;
use crate::model::Model;

/// A rule: reads the model and graph, reports what it finds.
type Rule = fn(&Model, &Graph, &mut Vec<Diagnostic>);

const RULES: &[Rule] = &[
    rules::dependency_cycle::check,
    rules::deprecated_dependency::check,
    rules::dimension_not_on_source::check,
    rules::lookml_names::check,
    rules::reserved_name::check,
    rules::threshold_side::check,
    rules::warehouse_names::check,
];

/// Rules that read what was found before them: run after [`RULES`], on one core.
const RULES_AFTER_FINDINGS: &[Rule] = &[rules::unit_mismatch::check];

/// Rules that only make sense once everything resolved: a KPI whose formula
/// failed to resolve reads nothing, so its sources would look unused.
const RULES_WITHOUT_ERRORS: &[Rule] = &[rules::unused_source::check, rules::unused_team::check];

/// Runs every rule, the rules on every core, their findings in rule order.
pub fn validate(model: &Model, graph: &Graph, diagnostics: &mut Vec<Diagnostic>) {
    let run = |rules: &[Rule], diagnostics: &mut Vec<Diagnostic>| {
        let found = crate::parallel::map_each_on_every_core(rules, |rule| {
            let mut found = Vec::new();
            rule(model, graph, &mut found);
            found
        });
        diagnostics.extend(found.into_iter().flatten());
    };
    run(RULES, diagnostics);
    for rule in RULES_AFTER_FINDINGS {
        rule(model, graph, diagnostics);
    }
    if !diagnostics.iter().any(Diagnostic::is_error) {
        run(RULES_WITHOUT_ERRORS, diagnostics);
    }
}

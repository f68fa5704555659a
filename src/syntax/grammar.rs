//! The pest parser generated from `grammar/kpi.pest`.

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/kpi.pest"]
pub struct KpiParser;

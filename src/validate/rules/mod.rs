pub mod dependency_cycle;
pub mod deprecated_dependency;
pub mod dimension_not_on_source;
pub mod reserved_name;
pub mod threshold_side;
pub mod unit_mismatch;
pub mod unused_source;
pub mod unused_team;

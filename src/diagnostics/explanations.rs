//! The long explanation of each code, for `kpic explain CODE` and
//! docs/diagnostics.md: why the rule exists, a `.kpi` example that breaks it
//! (checked against docs/prelude.kpi by tests/diagnostics_doc.rs), and the fix.

use super::Code;

/// Why a rule matters, an example that triggers it, and how to fix a finding.
pub struct Explanation {
    pub why: &'static str,
    /// `.kpi` text that gives this code, read with docs/prelude.kpi.
    pub example: Option<&'static str>,
    pub fix: &'static str,
}

const fn explained(why: &'static str, example: Option<&'static str>, fix: &'static str) -> Explanation {
    Explanation { why, example, fix }
}

pub fn explanation(code: Code) -> Explanation {
    use Code::*;
    match code {
        Syntax => explained(
            "kpic reads a file only when all of it follows the grammar; a declaration that does not parse is left out, and what reads it is not checked.",
            Some("kpi signups_total {\n  owner growth\n  value count(signups where method == \"google\")\n  grain week\n  version 1\n}\n"),
            "Write what the message names: `=` instead of `==`, `and`/`or` instead of `&&`/`||`, double quotes, `at_least`, a closing `}` or `)`.",
        ),
        InvalidEncoding => explained(
            "Names and strings end up in SQL, LookML and HTML; bytes that are not UTF-8 would change meaning on the way.",
            None,
            "Save the file as UTF-8 (most editors: \"Save with encoding\").",
        ),
        InvalidString => explained(
            "A string's text is copied into SQL and LookML; an escape kpic does not know could mean something else there.",
            Some("kpi signups_total {\n  title \"Sign-ups \\q\"\n  owner growth\n  value count(signups)\n  grain week\n  version 1\n}\n"),
            "Use only `\\\"`, `\\\\`, `\\n` and `\\t` in strings.",
        ),
        TooComplex => explained(
            "Expressions nested without end exhaust the parser and the warehouse alike.",
            None,
            "Split the expression: a dimension on the source, or a KPI of its own.",
        ),
        DuplicateProject => explained(
            "Settings such as the schema and dialects apply to the whole project; two blocks would disagree.",
            Some("project first {\n}\n\nproject second {\n}\n"),
            "Merge the settings into one `project` block.",
        ),
        DuplicateName => explained(
            "Ids name views in the warehouse and links in the catalog; two declarations with one id cannot both have them.",
            Some("kpi signups_total {\n  owner growth\n  value count(signups)\n  grain week\n  version 1\n}\n\nkpi signups_total {\n  owner growth\n  value count(signups)\n  grain day\n  version 1\n}\n"),
            "Rename one of them; ids are unique per kind across all files.",
        ),
        DuplicateProperty => explained(
            "A property that takes one value given twice leaves it unclear which one holds.",
            Some("kpi signups_total {\n  owner growth\n  value count(signups)\n  grain week\n  grain day\n  version 1\n}\n"),
            "Keep one of them.",
        ),
        MissingProperty => explained(
            "A KPI without an owner has nobody to answer for it, without a version its changes cannot be tracked; a source needs rows, an event source a time.",
            Some("kpi signups_total {\n  value count(signups)\n  grain week\n  version 1\n}\n"),
            "Add the property the message names, e.g. `owner growth`, `version 1`, `time created_at`.",
        ),
        InvalidValue => explained(
            "Grains, units, dialects and similar properties take one of a fixed set of words.",
            Some("kpi signups_total {\n  owner growth\n  value count(signups)\n  grain weak\n  version 1\n}\n"),
            "Use one of the values the help lists.",
        ),
        UnknownTeam => explained(
            "Every KPI has an owning team that the catalog and dashboards name.",
            Some("kpi signups_total {\n  owner grwth\n  value count(signups)\n  grain week\n  version 1\n}\n"),
            "Fix the name, or declare the team: `team growth { name \"Growth\" }`.",
        ),
        UnknownSource => explained(
            "A KPI can read only sources the project declares, so that lineage and SQL are complete.",
            Some("kpi signups_total {\n  owner growth\n  value count(signup)\n  grain week\n  version 1\n}\n"),
            "Fix the name (the help suggests the closest source), or declare the source.",
        ),
        UnknownColumn => explained(
            "Sources declare their columns so that a typo fails in review, not in the warehouse.",
            Some("kpi signups_total {\n  owner growth\n  value count_distinct(signups.user)\n  grain week\n  version 1\n}\n"),
            "Fix the name, qualify a joined column (`users.country`), or add the column to the source's `columns`.",
        ),
        UnknownDimension => explained(
            "A KPI is sliced only by dimensions its sources define, so every slice means the same everywhere.",
            Some("kpi signups_total {\n  owner growth\n  value count(signups)\n  grain week\n  dimensions [region]\n  version 1\n}\n"),
            "Fix the name, or declare the dimension on the source.",
        ),
        UnknownKpi => explained(
            "A KPI over KPIs reads their views; a name that is not a KPI has none.",
            Some("kpi signups_change {\n  owner growth\n  value signup - previous(signup)\n  version 1\n}\n"),
            "Fix the name, or declare the KPI.",
        ),
        UnknownFunction => explained(
            "kpic compiles each function to every dialect; it knows a fixed list (docs/language.md).",
            Some("kpi order_value {\n  owner finance\n  value mean(orders.amount)\n  grain week\n  version 1\n}\n"),
            "Use a listed function: `avg`, `p50`, `hours_between`, …",
        ),
        WrongArguments => explained(
            "Each function and aggregate takes a fixed number and kind of arguments.",
            Some("kpi visitors {\n  owner growth\n  value count_distinct(visits)\n  grain week\n  version 1\n}\n"),
            "Pass what the message asks for: a column to `count_distinct`, a KPI to `previous`, a fraction to `percentile`.",
        ),
        TypeMismatch => explained(
            "Comparing a number with a string, or a value that is not a number, means nothing a warehouse computes the same way everywhere.",
            Some("kpi orders_total {\n  owner finance\n  value count(orders where amount = \"large\")\n  grain week\n  version 1\n}\n"),
            "Compare values of one type; a KPI's value is a number.",
        ),
        AggregateType => explained(
            "`sum` and `avg` of text, or a percentile of a timestamp, have no meaning.",
            Some("kpi order_status_sum {\n  owner finance\n  value sum(orders.status)\n  grain week\n  version 1\n}\n"),
            "Aggregate a numeric column, or count text with `count_distinct`.",
        ),
        AmbiguousSource => explained(
            "One aggregate reads the rows of one source (and its joins); columns of two unrelated sources in it have no row in common.",
            Some("kpi mixed {\n  owner finance\n  value sum(orders.amount where visits.country = \"FR\")\n  grain week\n  version 1\n}\n"),
            "Aggregate each source on its own and combine the results: `count(a) / count(b)`.",
        ),
        MissingSource => explained(
            "Without a qualified column or `from`, kpic cannot tell which rows an aggregate counts.",
            Some("kpi orders_amount {\n  owner finance\n  value sum(amount)\n  grain week\n  version 1\n}\n"),
            "Qualify the column (`sum(orders.amount)`) or add `from orders`.",
        ),
        MisplacedAggregate => explained(
            "Aggregates compute the KPI's value per period; inside a filter or another aggregate they have no rows to aggregate.",
            Some("kpi orders_nested {\n  owner finance\n  value sum(orders.amount where count(orders) > 1)\n  grain week\n  version 1\n}\n"),
            "Keep aggregates in the `value`, outside other aggregates.",
        ),
        ColumnOutsideAggregate => explained(
            "A KPI's value is one number per period; a column has a value per row.",
            Some("kpi order_amount {\n  owner finance\n  value orders.amount\n  grain week\n  version 1\n}\n"),
            "Wrap it in an aggregate: `sum(orders.amount)`, `count(orders where …)`.",
        ),
        MixedFormula => explained(
            "A value either aggregates source rows or combines other KPIs; a mix has no single grain to compute at.",
            Some("kpi orders_total {\n  owner finance\n  value count(orders)\n  grain week\n  version 1\n}\n\nkpi orders_plus {\n  owner finance\n  value count(orders) + orders_total\n  grain week\n  version 1\n}\n"),
            "Move the aggregate into a KPI of its own and combine the KPIs.",
        ),
        DimensionNotOnSource => explained(
            "A ratio sliced by a dimension needs that dimension on both sides, or the slices would not add up.",
            Some("kpi conversion {\n  owner growth\n  value count(signups) / count_distinct(visits.visitor_id)\n  grain week\n  dimensions [method]\n  version 1\n}\n"),
            "Declare the dimension on every source the KPI reads, or drop it.",
        ),
        ReservedName => explained(
            "Every KPI view has columns such as `period_start`, `value` and `status`; a dimension of that name would collide.",
            None,
            "Rename the dimension.",
        ),
        NameCollision => explained(
            "Two views, or a view and a table, with one name in the warehouse would replace each other on deploy.",
            None,
            "Rename a KPI (names are compared ignoring case).",
        ),
        LookmlName => explained(
            "LookML names are lower-case letters, digits and `_`, and some field names are taken by every view kpic writes.",
            None,
            "Rename the KPI, team or dimension as the message says.",
        ),
        NameTooLong => explained(
            "Warehouses cut or refuse long identifiers (PostgreSQL keeps 63 bytes); a cut view name could meet another.",
            None,
            "Shorten the KPI's id.",
        ),
        IncompatibleGrain => explained(
            "Combining a weekly KPI with a monthly one, or KPIs with other dimensions, aligns periods that do not match.",
            Some("kpi weekly_signups {\n  owner growth\n  value count(signups)\n  grain week\n  version 1\n}\n\nkpi daily_visits {\n  owner growth\n  value count(visits)\n  grain day\n  version 1\n}\n\nkpi signups_per_visit {\n  owner growth\n  value weekly_signups / daily_visits\n  version 1\n}\n"),
            "Combine KPIs of one grain, window and dimensions.",
        ),
        InvalidWindow => explained(
            "A rolling or to-date window is reported per day (weeks of weeks per week); a snapshot and a KPI over KPIs have none of their own.",
            Some("kpi signups_28d {\n  owner growth\n  value count(signups)\n  grain month\n  window rolling 28 days\n  version 1\n}\n"),
            "Use `grain day` with the window, or drop the window.",
        ),
        SnapshotWithoutValidity => explained(
            "`active_at` and `in_period` ask which rows were valid when; the source must say when a row starts and stops being valid.",
            Some("kpi active_visitors {\n  owner growth\n  value count(visits where active_at(period_end))\n  grain month\n  version 1\n}\n"),
            "Declare `validity <start> to <end>` on the source.",
        ),
        UnitMismatch => explained(
            "`25%` on a count, or `25` on a percent KPI (2500%), sets a target nobody meant.",
            Some("kpi signups_total {\n  owner growth\n  value count(signups)\n  grain week\n  target at_least 25%\n  unit count\n  version 1\n}\n"),
            "Write the target in the KPI's unit, or change the unit.",
        ),
        ThresholdSide => explained(
            "The critical threshold marks worse than missing the target; on the wrong side it would never be reached first.",
            Some("kpi signups_total {\n  owner growth\n  value count(signups)\n  grain week\n  target at_least 500 critical 600\n  version 1\n}\n"),
            "Put the critical threshold below an `at_least` target, above an `at_most` one.",
        ),
        InvalidTarget => explained(
            "A range whose low end is above its high end, or dates out of order, hold no value.",
            Some("kpi signups_total {\n  owner growth\n  value count(signups)\n  grain week\n  target between 10 and 5\n  version 1\n}\n"),
            "Write the range low to high, `from` before `until`.",
        ),
        DependencyCycle => explained(
            "A KPI that reads itself, directly or through others, has no value to start from.",
            Some("kpi loop_a {\n  owner growth\n  value loop_b + 1\n  version 1\n}\n\nkpi loop_b {\n  owner growth\n  value loop_a + 1\n  version 1\n}\n"),
            "Break one of the references the message lists.",
        ),
        DeprecatedDependency => explained(
            "A deprecated KPI is on its way out; what reads it will break when it goes.",
            None,
            "Read its replacement (`replaced_by`) instead.",
        ),
        InvalidSql => explained(
            "SQL sources and `sql(\"…\")` fragments are pasted into every dialect's views; SQL one warehouse rejects breaks its deploy.",
            Some("kpi raw_orders {\n  owner finance\n  value sum(orders.amount where sql(\"amount >>> 1\"))\n  grain week\n  version 1\n}\n"),
            "Write SQL every dialect of the project accepts, or drop the dialect.",
        ),
        ComputationChanged => explained(
            "Dashboards and reports pinned to a version must keep their meaning: a new computation gets a new version, and a new view.",
            None,
            "Bump the KPI's `version` (and those of the KPIs the help lists), then `kpic lock`; `kpic lock --bump` does both.",
        ),
        VersionDecreased => explained(
            "Versions name views in the warehouse; going back would reuse an older version's name for a new meaning.",
            None,
            "Restore the locked version, or one above it if the computation changed.",
        ),
        VersionSkipped => explained(
            "Versions go up one at a time, so the lock's history has every step.",
            None,
            "Bump by one.",
        ),
        UnneededVersionBump => explained(
            "A bump creates a new view for the same numbers; dashboards would move for nothing.",
            None,
            "Keep the locked version: cosmetic edits need none.",
        ),
        LockOutdated => explained(
            "The lock records what each version computes; until it is updated, the next change cannot be told apart.",
            None,
            "Run `kpic lock` and commit kpic.lock.",
        ),
        LockMissing => explained(
            "Without kpic.lock a changed computation cannot be caught in review.",
            None,
            "Run `kpic lock` and commit kpic.lock.",
        ),
        InvalidLock => explained(
            "kpic.lock holds the version history; kpic does not guess around a broken one.",
            None,
            "Restore it from version control (the message points at where it breaks), or start anew with `kpic lock --force`.",
        ),
        RemovedKpi => explained(
            "A removed or renamed KPI's views disappear from the warehouse, and what reads it breaks.",
            None,
            "Keep the id, or deprecate it with `status deprecated replaced_by …` for a while; update what reads it.",
        ),
        DuplicateComputation => explained(
            "Two names for one number drift apart the day one of them changes.",
            Some("kpi signups_a {\n  owner growth\n  value count(signups)\n  grain week\n  version 1\n}\n\nkpi signups_b {\n  owner growth\n  value count(signups)\n  grain week\n  version 1\n}\n"),
            "Keep one; read it instead, or deprecate the other with `replaced_by`.",
        ),
        UnusedSource => explained(
            "A source no KPI reads is dead weight in the catalog and in review.",
            None,
            "Delete it, or use it.",
        ),
        UnusedTeam => explained(
            "A team that owns no KPI shows up empty in the catalog and on dashboards.",
            None,
            "Delete it, or give it KPIs.",
        ),
    }
}

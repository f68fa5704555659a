//! The table of diagnostic codes: name, default severity and explanation.
//! docs/diagnostics.md is generated from it.

use super::Severity;

/// docs/diagnostics.md in kpic's repository.
const DOCS: &str = concat!(env!("CARGO_PKG_REPOSITORY"), "/blob/main/docs/diagnostics.md");

macro_rules! codes {
    ($( $variant:ident = $name:literal, $severity:ident, $summary:literal; )*) => {
        /// A stable diagnostic code. The kebab-case name is what users see.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code { $( $variant, )* }

        impl Code {
            /// Every code, in table order.
            pub const ALL: &'static [Code] = &[ $( Code::$variant, )* ];

            /// The stable kebab-case name, e.g. `unknown-column`.
            pub fn name(self) -> &'static str {
                match self { $( Code::$variant => $name, )* }
            }

            /// The severity a diagnostic with this code has.
            pub fn severity(self) -> Severity {
                match self { $( Code::$variant => Severity::$severity, )* }
            }

            /// One sentence on what the rule checks and how to fix a finding.
            pub fn summary(self) -> &'static str {
                match self { $( Code::$variant => $summary, )* }
            }

            /// Where the code is explained: its row of docs/diagnostics.md.
            pub fn help_uri(self) -> String {
                format!("{DOCS}#{}", self.name())
            }

            pub fn from_name(name: &str) -> Option<Code> {
                Code::ALL.iter().copied().find(|c| c.name() == name)
            }
        }
    };
}

codes! {
    Syntax = "syntax", Error,
        "The file does not follow the kpic grammar; the message lists what was expected at that point.";
    InvalidEncoding = "invalid-encoding", Error,
        "A .kpi file holds bytes that are not UTF-8 (often a file saved as Latin-1); save it as UTF-8.";
    InvalidString = "invalid-string", Error,
        "A string literal contains an escape kpic does not know (use \\\" \\\\ \\n or \\t) or a control character other than tab and line break.";
    TooComplex = "too-complex", Error,
        "An expression nests more than 100 levels deep or chains more than 100,000 operators; split it.";
    DuplicateProject = "duplicate-project", Error,
        "A project has one `project` block; merge the settings into one.";
    DuplicateName = "duplicate-name", Error,
        "Two teams, sources or KPIs share an id; ids are unique per kind across all files.";
    DuplicateProperty = "duplicate-property", Error,
        "A property that takes one value is given twice in a block; keep one.";
    MissingProperty = "missing-property", Error,
        "A required property is missing: every KPI needs `owner`, `value` and `version`, every source `table` or `sql`.";
    InvalidValue = "invalid-value", Error,
        "A property has a value outside its allowed set (e.g. an unknown grain or dialect).";
    UnknownTeam = "unknown-team", Error,
        "A KPI's `owner` names a team that is not declared; declare it with `team <id> { … }` or fix the name.";
    UnknownSource = "unknown-source", Error,
        "A reference names a source that is not declared.";
    UnknownColumn = "unknown-column", Error,
        "An expression names a column the source does not declare in `columns`.";
    UnknownDimension = "unknown-dimension", Error,
        "A KPI slices by a dimension that none of its sources declares.";
    UnknownKpi = "unknown-kpi", Error,
        "A formula or `replaced_by` names a KPI that is not declared.";
    UnknownFunction = "unknown-function", Error,
        "A call names a function kpic does not know; see the function list in docs/language.md.";
    WrongArguments = "wrong-arguments", Error,
        "A function or aggregate is called with the wrong number or kind of arguments.";
    TypeMismatch = "type-mismatch", Error,
        "An operator or function is applied to values of the wrong type.";
    AggregateType = "aggregate-type", Error,
        "An aggregate is applied to a column of a type it cannot aggregate (e.g. `sum` of a string).";
    AmbiguousSource = "ambiguous-source", Error,
        "An aggregate reads columns of two unrelated sources; aggregate each source separately.";
    MissingSource = "missing-source", Error,
        "An aggregate does not say which source it reads; name it (`count(orders)`, `sum(orders.amount)`) or add `from`.";
    MisplacedAggregate = "misplaced-aggregate", Error,
        "Aggregates belong in a KPI's `value`, not inside another aggregate, a filter or a dimension.";
    ColumnOutsideAggregate = "column-outside-aggregate", Error,
        "A KPI's value names a column outside any aggregate; wrap it, e.g. `sum(amount)`.";
    MixedFormula = "mixed-formula", Error,
        "A KPI's value either aggregates sources or combines other KPIs, not both; split it into two KPIs.";
    DimensionNotOnSource = "dimension-not-on-source", Error,
        "A KPI dimension must exist on every source the KPI reads; declare it on the source that lacks it.";
    ReservedName = "reserved-name", Error,
        "A dimension is named like a column every KPI view has (`period_start`, `value`, `status`, …, in any case); rename it.";
    NameCollision = "name-collision", Error,
        "Two views kpic creates, or a view and a table the project reads, would have the same name in the warehouse (compared ignoring case); rename a KPI.";
    LookmlName = "lookml-name", Error,
        "With a `looker` block, KPI ids, team ids and KPI dimensions become LookML names: lower-case letters, digits and `_`, and no dimension named like a field every LookML view has (`period_date`, `target_value`, …).";
    NameTooLong = "name-too-long", Error,
        "A view name is longer than one of the project's warehouses keeps (PostgreSQL 63 bytes, Redshift 127); shorten the KPI id.";
    IncompatibleGrain = "incompatible-grain", Error,
        "A KPI formula combines KPIs with different grains, windows or dimensions.";
    InvalidWindow = "invalid-window", Error,
        "A rolling or to-date window needs a daily grain (a rolling window of whole weeks may be weekly), a KPI over KPIs has no window of its own, and a snapshot has none.";
    SnapshotWithoutValidity = "snapshot-without-validity", Error,
        "`active_at` and `in_period` need the source to declare `validity <start> to <end>`.";
    UnitMismatch = "unit-mismatch", Error,
        "A target or threshold is written in a unit the KPI does not have (e.g. a percent target on a count).";
    ThresholdSide = "threshold-side", Error,
        "A critical threshold lies on the wrong side of the target: below it for `at_least`, above it for `at_most`.";
    InvalidTarget = "invalid-target", Error,
        "A target's range or dates are out of order.";
    DependencyCycle = "dependency-cycle", Error,
        "KPIs depend on each other in a loop; the message shows the whole path. Break one of the edges.";
    DeprecatedDependency = "deprecated-dependency", Warning,
        "An active KPI depends on a deprecated KPI; move it to the replacement.";
    InvalidSql = "invalid-sql", Error,
        "A SQL source or raw `sql(\"…\")` fragment does not parse as SQL for one of the project's dialects, or uses a literal kpic cannot print back safely (byte, raw, hex strings; placeholders).";
    ComputationChanged = "computation-changed", Error,
        "A KPI's computation changed but its version did not; bump `version` and run `kpic lock`.";
    VersionDecreased = "version-decreased", Error,
        "A KPI's version is lower than the one in kpic.lock; versions only go up.";
    VersionSkipped = "version-skipped", Error,
        "A KPI's version jumped by more than one over kpic.lock; bump it by one.";
    UnneededVersionBump = "unneeded-version-bump", Warning,
        "A KPI's version was bumped but its computation did not change; cosmetic edits need no bump.";
    LockOutdated = "lock-outdated", Warning,
        "A KPI's version and computation changed together, but kpic.lock was not updated; run `kpic lock`.";
    LockMissing = "lock-missing", Warning,
        "kpic.lock is missing, or has no entry for a KPI; run `kpic lock` and commit the file.";
    InvalidLock = "invalid-lock", Error,
        "kpic.lock cannot be read; restore it from version control or regenerate it with `kpic lock`.";
    RemovedKpi = "removed-kpi", Warning,
        "A KPI recorded in kpic.lock no longer exists (removed or renamed): its views disappear. An error when other KPIs read it.";
    DuplicateComputation = "duplicate-computation", Warning,
        "Two KPIs compute exactly the same thing under two names; keep one, or deprecate one with `replaced_by`.";
    UnusedSource = "unused-source", Warning,
        "No KPI reads this source; delete it or use it.";
    UnusedTeam = "unused-team", Warning,
        "No KPI is owned by this team; delete it or assign KPIs to it.";
}

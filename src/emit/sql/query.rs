//! A query as a list of named CTEs and a final SELECT, printed readably.

/// `WITH [RECURSIVE] a AS (…), b AS (…) SELECT …`.
pub struct Query {
    pub recursive: bool,
    /// `(name, materialization keyword, body)`.
    ctes: Vec<(String, &'static str, String)>,
}

impl Query {
    pub fn new() -> Query {
        Query { recursive: false, ctes: Vec::new() }
    }

    /// Adds a CTE; `name` is already quoted.
    pub fn cte(&mut self, name: String, body: String) {
        self.cte_with(name, "", body);
    }

    /// Adds a CTE with a materialization keyword (`MATERIALIZED ` or empty).
    pub fn cte_with(&mut self, name: String, materialized: &'static str, body: String) {
        self.ctes.push((name, materialized, body));
    }

    pub fn finish(self, select: &str) -> String {
        let mut out = String::from(if self.recursive { "WITH RECURSIVE\n" } else { "WITH\n" });
        let ctes: Vec<String> = self
            .ctes
            .iter()
            // Bodies are not re-indented: a line break may lie inside a string literal.
            .map(|(name, materialized, body)| format!("{name} AS {materialized}(\n{body}\n)"))
            .collect();
        out.push_str(&ctes.join(",\n"));
        out.push('\n');
        out.push_str(select);
        out
    }
}

/// `SELECT a, b\nFROM …` with one column per line when there are several.
pub fn select(columns: &[String], rest: &str) -> String {
    let columns =
        if columns.len() > 2 { format!("\n  {}", columns.join(",\n  ")) } else { format!(" {}", columns.join(", ")) };
    format!("SELECT{columns}\n{rest}")
}

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

    /// The query, written into one string (a view's CTEs are most of its text).
    pub fn finish(self, select: &str) -> String {
        let head = if self.recursive { "WITH RECURSIVE\n" } else { "WITH\n" };
        let parts: usize =
            self.ctes.iter().map(|(name, materialized, body)| name.len() + materialized.len() + body.len() + 12).sum();
        let mut out = String::with_capacity(head.len() + parts + select.len() + 1);
        out.push_str(head);
        for (at, (name, materialized, body)) in self.ctes.iter().enumerate() {
            if at > 0 {
                out.push_str(",\n");
            }
            // Bodies are not re-indented: a line break may lie inside a string literal.
            crate::emit::push_all(&mut out, &[name, " AS ", materialized, "(\n", body, "\n)"]);
        }
        out.push('\n');
        out.push_str(select);
        out
    }
}

/// `SELECT a, b\nFROM …` with one column per line when there are several.
pub fn select(columns: &[String], rest: &str) -> String {
    let (head, separator) = if columns.len() > 2 { ("SELECT\n  ", ",\n  ") } else { ("SELECT ", ", ") };
    // Concatenated, not formatted: `rest` (the FROM and a nested query) is copied once.
    [head, &columns.join(separator), "\n", rest].concat()
}

//! The KPI catalog: `catalog/catalog.json`, the manifest integrations read
//! (docs/catalog.md, schema in docs/catalog.schema.json), and a static
//! website rendered from it, `catalog/site/`.

pub mod document;
pub(crate) mod reading;
pub mod site;

use super::OutputFile;
use crate::model::Dialect;
use crate::Valid;

/// The folder of the output that holds the catalog.
pub const DIR: &str = "catalog";

/// `catalog.json` and the site, with the SQL of `dialects`.
pub fn files(valid: &Valid, dialects: &[Dialect]) -> Vec<OutputFile> {
    let catalog = document::build(valid, dialects);
    let mut json = serde_json::to_string_pretty(&catalog).expect("the catalog serializes");
    json.push('\n');
    let mut files = vec![OutputFile::new(format!("{DIR}/catalog.json"), json)];
    files.extend(
        site::files(valid, &catalog)
            .into_iter()
            .map(|f| OutputFile { path: std::path::Path::new(DIR).join(f.path), ..f }),
    );
    files
}

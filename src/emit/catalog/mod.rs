//! The KPI catalog: `catalog/catalog.json`, the manifest integrations read
//! (docs/catalog.md, schema in docs/catalog.schema.json), and a static
//! website rendered from it, `catalog/site/`.

pub mod document;
pub(crate) mod reading;
pub mod site;

use super::{OutputFile, Sink};
use crate::emit::sql::DialectViews;
use crate::model::Dialect;
use crate::Valid;

/// The folder of the output that holds the catalog.
pub const DIR: &str = "catalog";

/// `catalog.json` and the site, with the SQL of `dialects`.
pub fn files(valid: &Valid, dialects: &[Dialect]) -> Vec<OutputFile> {
    let views: Vec<DialectViews> = dialects.iter().map(|&d| DialectViews::build(valid, d)).collect();
    let mut files = Vec::new();
    generate(valid, views, &mut files).expect("collecting files never fails");
    files
}

/// [`files`] from the SQL views already built, into `sink`: the site, then
/// `catalog.json`.
pub fn generate(valid: &Valid, views: Vec<DialectViews>, sink: &mut dyn Sink) -> std::io::Result<()> {
    let catalog = document::build(valid, views);
    // catalog.json is serialized while the site's pages render: both only read the document.
    std::thread::scope(|scope| {
        let json = crate::parallel::beside(scope, || {
            let mut json = serde_json::to_string_pretty(&catalog).expect("the catalog serializes");
            json.push('\n');
            json
        });
        site::generate(valid, &catalog, &mut InCatalog(sink))?;
        sink.take(vec![OutputFile::new(format!("{DIR}/catalog.json"), json.join())])
    })
}

/// Hands files on to a sink with their paths in the catalog folder.
struct InCatalog<'a>(&'a mut dyn Sink);

impl Sink for InCatalog<'_> {
    fn take(&mut self, files: Vec<OutputFile>) -> std::io::Result<()> {
        self.0
            .take(files.into_iter().map(|f| OutputFile { path: std::path::Path::new(DIR).join(f.path), ..f }).collect())
    }
}

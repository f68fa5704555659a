// Parses a Looker project with lookml-parser (npm) and assembles its models
// from their includes, refinements applied; prints the result as JSON.
// Usage: node assemble.js PROJECT_DIR   (NODE_PATH names lookml-parser's folder)
const lookmlParser = require("lookml-parser");

async function main() {
  const root = process.argv[2];
  process.chdir(root);
  const project = await lookmlParser.parseFiles({
    source: "**/*.{view.lkml,model.lkml,dashboard.lookml}",
    fileOutput: "by-name",
    transformations: { applyExtensionsRefinements: true },
    console: { log() {}, warn: console.error, error: console.error },
  });
  const errors = (project.errors || []).map((e) => `${e.$file_path}: ${e.error}`);
  process.stdout.write(JSON.stringify({ errors, model: project.model, files: Object.keys(project.file || {}) }));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

// Tokenizes .kpi files with the kpi grammar, as VS Code does, and fails on
// any text the grammar leaves without a scope of its own (only white space
// may be plain `source.kpi`): every keyword, name, number, string, operator
// and comment of the files is recognised.
//
//   NODE_PATH=<node_modules with vscode-textmate, vscode-oniguruma> node library.js FILE…
const fs = require("fs");
const path = require("path");
const textmate = require("vscode-textmate");
const oniguruma = require("vscode-oniguruma");

const grammars = {
  "source.kpi": path.join(__dirname, "..", "syntaxes", "kpi.tmLanguage.json"),
  "source.sql": path.join(__dirname, "sql.tmLanguage.json"),
};

async function main(files) {
  const wasm = fs.readFileSync(require.resolve("vscode-oniguruma/release/onig.wasm")).buffer;
  await oniguruma.loadWASM(wasm);
  const registry = new textmate.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
      createOnigString: (text) => new oniguruma.OnigString(text),
    }),
    loadGrammar: async (scope) => {
      const file = grammars[scope];
      return file ? textmate.parseRawGrammar(fs.readFileSync(file, "utf8"), file) : null;
    },
  });
  const grammar = await registry.loadGrammar("source.kpi");
  const problems = [];
  let tokens = 0;
  for (const file of files) {
    let state = textmate.INITIAL;
    fs.readFileSync(file, "utf8").split("\n").forEach((line, index) => {
      const result = grammar.tokenizeLine(line, state);
      for (const token of result.tokens) {
        const text = line.slice(token.startIndex, token.endIndex);
        tokens += 1;
        if (text.trim() !== "" && token.scopes.length < 2) {
          problems.push(`${file}:${index + 1}:${token.startIndex + 1}: \`${text}\` has no scope`);
        }
      }
      state = result.ruleStack;
    });
  }
  if (problems.length > 0) {
    console.error(problems.join("\n"));
    process.exit(1);
  }
  console.log(`${files.length} files, ${tokens} tokens, every one scoped`);
}

main(process.argv.slice(2)).catch((error) => {
  console.error(error);
  process.exit(1);
});

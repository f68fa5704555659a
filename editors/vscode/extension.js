// Starts `kpic lsp` for .kpi files: everything else is the server's.
const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const command = vscode.workspace.getConfiguration("kpic").get("path", "kpic");
  const server = { command, args: ["lsp"] };
  client = new LanguageClient("kpic", "kpic", { run: server, debug: server }, {
    documentSelector: [{ scheme: "file", language: "kpi" }],
  });
  context.subscriptions.push(client);
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };

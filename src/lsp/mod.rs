//! `kpic lsp`: a Language Server Protocol server over stdio. Diagnostics on
//! open and change (the codes and spans of `kpic check`, across files),
//! hover, go to definition, find references, completion, document and
//! workspace symbols, formatting (`kpic fmt`) and rename.

mod convert;
mod hover;
mod symbols;
mod workspace;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use lsp_server::{Connection, ExtractError, Message, Notification, Request, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidCloseTextDocument, DidOpenTextDocument, DidSaveTextDocument, Notification as _,
    PublishDiagnostics, ShowMessage,
};
use lsp_types::request::{
    Completion, DocumentSymbolRequest, Formatting, GotoDefinition, HoverRequest, References, Rename,
    WorkspaceSymbolRequest,
};
use lsp_types::{
    CompletionItem, CompletionItemKind, CompletionResponse, Diagnostic as LspDiagnostic, DiagnosticRelatedInformation,
    DiagnosticSeverity, DocumentSymbol, DocumentSymbolResponse, GotoDefinitionResponse, Hover, HoverContents,
    HoverProviderCapability, InitializeParams, Location, MarkupContent, MarkupKind, MessageType, NumberOrString, OneOf,
    PublishDiagnosticsParams, ServerCapabilities, ShowMessageParams, SymbolInformation, SymbolKind,
    TextDocumentSyncCapability, TextDocumentSyncKind, TextEdit, Uri, WorkspaceEdit, WorkspaceSymbolResponse,
};

use crate::diagnostics::Severity;
use crate::source::{SourceMap, Span};
use symbols::{CandidateKind, Symbol};
use workspace::Workspace;

/// Serves one client on stdin/stdout until it asks to exit.
pub fn serve() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let (connection, io_threads) = Connection::stdio();
    let capabilities = ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Kind(TextDocumentSyncKind::FULL)),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        completion_provider: Some(lsp_types::CompletionOptions {
            trigger_characters: Some(vec![".".to_string(), "(".to_string(), " ".to_string()]),
            ..Default::default()
        }),
        document_symbol_provider: Some(OneOf::Left(true)),
        workspace_symbol_provider: Some(OneOf::Left(true)),
        document_formatting_provider: Some(OneOf::Left(true)),
        rename_provider: Some(OneOf::Left(true)),
        ..Default::default()
    };
    let initialize = connection.initialize(serde_json::to_value(capabilities)?)?;
    let params: InitializeParams = serde_json::from_value(initialize)?;
    let mut server = Server {
        connection: &connection,
        workspace: None,
        published: BTreeMap::new(),
        unreadable: None,
        editor_uris: BTreeMap::new(),
    };
    server.start(&params);
    server.run()?;
    drop(connection);
    io_threads.join()?;
    Ok(())
}

struct Server<'a> {
    connection: &'a Connection,
    workspace: Option<Workspace>,
    /// What was last published for each file that has diagnostics: a file
    /// is published again only when its diagnostics change.
    published: BTreeMap<PathBuf, Vec<LspDiagnostic>>,
    /// Why the project could not be read at the last check, once told.
    unreadable: Option<String>,
    /// The URI the editor opened a document by, where it differs from the
    /// document's resolved path: diagnostics go to the document the editor shows.
    editor_uris: BTreeMap<PathBuf, Uri>,
}

type Failure = Box<dyn std::error::Error + Send + Sync>;

impl Server<'_> {
    fn start(&mut self, params: &InitializeParams) {
        let folder = params.workspace_folders.as_ref().and_then(|f| f.first()).map(|f| f.uri.clone());
        #[allow(deprecated)]
        let root = folder.or_else(|| params.root_uri.clone()).and_then(|uri| convert::path(&uri));
        if let Some(root) = root {
            self.use_project_of(&root);
        }
    }

    /// Takes the project that `path` lies in, unless one is open already.
    fn use_project_of(&mut self, path: &Path) {
        if self.workspace.is_some() {
            return;
        }
        if let Ok(root) = crate::project::find(&[path.to_path_buf()])
            .and_then(|r| std::fs::canonicalize(&r).map_err(|e| crate::project::LoadError::Io(r.clone(), e)))
        {
            self.workspace = Some(Workspace::new(root));
        }
    }

    fn run(&mut self) -> Result<(), Failure> {
        for message in &self.connection.receiver {
            match message {
                Message::Request(request) => {
                    if self.connection.handle_shutdown(&request)? {
                        return Ok(());
                    }
                    let response = self.request(request);
                    self.connection.sender.send(Message::Response(response))?;
                }
                Message::Notification(notification) => self.notification(notification)?,
                Message::Response(_) => {}
            }
        }
        Ok(())
    }

    fn notification(&mut self, notification: Notification) -> Result<(), Failure> {
        match notification.method.as_str() {
            DidOpenTextDocument::METHOD => {
                let params: lsp_types::DidOpenTextDocumentParams = serde_json::from_value(notification.params)?;
                let Some(path) = convert::document_path(&params.text_document.uri) else { return Ok(()) };
                if convert::path(&params.text_document.uri).as_ref() != Some(&path) {
                    self.editor_uris.insert(path.clone(), params.text_document.uri.clone());
                }
                self.use_project_of(&path);
                self.changed(path, params.text_document.text)?;
            }
            DidChangeTextDocument::METHOD => {
                let params: lsp_types::DidChangeTextDocumentParams = serde_json::from_value(notification.params)?;
                let Some(path) = convert::document_path(&params.text_document.uri) else { return Ok(()) };
                // Full sync: the last change holds the whole text.
                if let Some(change) = params.content_changes.into_iter().last() {
                    self.changed(path, change.text)?;
                }
            }
            DidCloseTextDocument::METHOD => {
                let params: lsp_types::DidCloseTextDocumentParams = serde_json::from_value(notification.params)?;
                if let (Some(path), Some(workspace)) =
                    (convert::document_path(&params.text_document.uri), &mut self.workspace)
                {
                    workspace.close(&path);
                    self.recheck(Some(&path))?;
                }
            }
            DidSaveTextDocument::METHOD => self.recheck(None)?,
            _ => {}
        }
        Ok(())
    }

    fn changed(&mut self, path: PathBuf, text: String) -> Result<(), Failure> {
        let Some(workspace) = &mut self.workspace else { return Ok(()) };
        workspace.open(path.clone(), text);
        self.recheck(Some(&path))
    }

    /// Checks the project again and publishes what changed (see [`Server::publish`]).
    /// A project that cannot be read keeps what was published, and the editor
    /// is told why once, until it reads again.
    fn recheck(&mut self, touched: Option<&Path>) -> Result<(), Failure> {
        let Some(workspace) = &mut self.workspace else { return Ok(()) };
        match workspace.check() {
            Ok(()) => {
                self.unreadable = None;
                self.publish(touched)
            }
            Err(why) if self.unreadable.as_ref() != Some(&why) => {
                let message = format!("kpic cannot read the project: {why}");
                let params = ShowMessageParams { typ: MessageType::ERROR, message };
                let notification = Notification::new(ShowMessage::METHOD.to_string(), params);
                self.connection.sender.send(Message::Notification(notification))?;
                self.unreadable = Some(why);
                Ok(())
            }
            Err(_) => Ok(()),
        }
    }

    /// Publishes the diagnostics of every file whose diagnostics changed
    /// since they were last published (cleared ones included), and always
    /// those of `touched`, the document just opened, changed or closed.
    fn publish(&mut self, touched: Option<&Path>) -> Result<(), Failure> {
        let Some(checked) = self.workspace.as_ref().and_then(|w| w.checked.as_ref()) else { return Ok(()) };
        let mut by_file: BTreeMap<PathBuf, Vec<LspDiagnostic>> = BTreeMap::new();
        for diagnostic in &checked.diagnostics {
            let file = checked.sources.get(diagnostic.span().file);
            by_file.entry(file.path.clone()).or_default().push(to_lsp(diagnostic, &checked.sources));
        }
        let mut paths: std::collections::BTreeSet<PathBuf> =
            self.published.keys().chain(by_file.keys()).cloned().collect();
        paths.extend(touched.map(Path::to_path_buf));
        for path in paths {
            let diagnostics = by_file.get(&path).map_or(&[][..], Vec::as_slice);
            let before = self.published.get(&path).map_or(&[][..], Vec::as_slice);
            if diagnostics == before && touched != Some(path.as_path()) {
                continue;
            }
            let params =
                PublishDiagnosticsParams { uri: self.uri_of(&path), diagnostics: diagnostics.to_vec(), version: None };
            let notification = Notification::new(PublishDiagnostics::METHOD.to_string(), params);
            self.connection.sender.send(Message::Notification(notification))?;
        }
        self.published = by_file;
        Ok(())
    }

    fn request(&mut self, request: Request) -> Response {
        let id = request.id.clone();
        let result = self.answer(request);
        match result {
            Ok(value) => Response::new_ok(id, value),
            Err((code, message)) => Response::new_err(id, code as i32, message),
        }
    }

    fn answer(&mut self, request: Request) -> Answer {
        let request = match cast::<HoverRequest>(request) {
            Ok(params) => {
                let params = params?;
                let position = params.text_document_position_params;
                return json(self.symbol_at(&position.text_document.uri, position.position).map(|(symbol, range)| {
                    let model = &self.checked().expect("a symbol comes from a check").model;
                    Hover {
                        contents: HoverContents::Markup(MarkupContent {
                            kind: MarkupKind::Markdown,
                            value: hover::describe(model, &symbol),
                        }),
                        range: Some(range),
                    }
                }));
            }
            Err(request) => request,
        };
        let request = match cast::<GotoDefinition>(request) {
            Ok(params) => {
                let params = params?;
                let position = params.text_document_position_params;
                let found = self.symbol_at(&position.text_document.uri, position.position).and_then(|(symbol, _)| {
                    let checked = self.checked()?;
                    let span = symbols::declaration(&checked.model, &symbol)?;
                    Some(GotoDefinitionResponse::Scalar(location(&checked.sources, span)))
                });
                return json(found);
            }
            Err(request) => request,
        };
        let request = match cast::<References>(request) {
            Ok(params) => {
                let params = params?;
                let position = params.text_document_position;
                let found = self.symbol_at(&position.text_document.uri, position.position).map(|(symbol, _)| {
                    let checked = self.checked().expect("a symbol comes from a check");
                    let mut spans = symbols::references(&checked.model, &checked.sources, &symbol);
                    if !params.context.include_declaration {
                        let declared = symbols::declaration(&checked.model, &symbol);
                        spans.retain(|s| Some(*s) != declared);
                    }
                    spans.into_iter().map(|s| location(&checked.sources, s)).collect::<Vec<_>>()
                });
                return json(found);
            }
            Err(request) => request,
        };
        let request = match cast::<Completion>(request) {
            Ok(params) => {
                let params = params?;
                let position = params.text_document_position;
                return json(self.completions(&position.text_document.uri, position.position));
            }
            Err(request) => request,
        };
        let request = match cast::<DocumentSymbolRequest>(request) {
            Ok(params) => return json(self.document_symbols(&params?.text_document.uri)),
            Err(request) => request,
        };
        let request = match cast::<WorkspaceSymbolRequest>(request) {
            Ok(params) => return json(self.workspace_symbols(&params?.query)),
            Err(request) => request,
        };
        let request = match cast::<Formatting>(request) {
            Ok(params) => {
                let params = params?;
                let path = convert::document_path(&params.text_document.uri);
                let text = path.and_then(|p| self.workspace.as_ref()?.text(&p));
                let edits = text.and_then(|text| {
                    let formatted = crate::syntax::format(&text)?;
                    Some(vec![TextEdit::new(convert::range(&text, 0, text.len()), formatted)])
                });
                return json(edits);
            }
            Err(request) => request,
        };
        let request = match cast::<Rename>(request) {
            Ok(params) => {
                let params = params?;
                let position = params.text_document_position;
                let Some((symbol, _)) = self.symbol_at(&position.text_document.uri, position.position) else {
                    return json(None::<WorkspaceEdit>);
                };
                let checked = self.checked().expect("a symbol comes from a check");
                if let Err(why) = renamable(checked, &symbol, &params.new_name) {
                    return Err((lsp_server::ErrorCode::InvalidParams, why));
                }
                return json(rename(checked, &symbol, &params.new_name));
            }
            Err(request) => request,
        };
        Err((lsp_server::ErrorCode::MethodNotFound, format!("kpic lsp does not answer `{}`", request.method)))
    }

    fn checked(&self) -> Option<&crate::Checked> {
        self.workspace.as_ref()?.checked.as_ref()
    }

    /// The URI of `path` as the editor knows it.
    fn uri_of(&self, path: &Path) -> Uri {
        self.editor_uris.get(path).cloned().unwrap_or_else(|| convert::uri(path))
    }

    /// The symbol at a position of a document, and its range there.
    fn symbol_at(&self, uri: &Uri, position: lsp_types::Position) -> Option<(Symbol, lsp_types::Range)> {
        let path = convert::document_path(uri)?;
        let (checked, id) = self.workspace.as_ref()?.file(&path)?;
        let text = &checked.sources.get(id).text;
        let (symbol, range) = symbols::at(&checked.model, text, convert::offset(text, position))?;
        Some((symbol, convert::range(text, range.start, range.end)))
    }

    fn completions(&self, uri: &Uri, position: lsp_types::Position) -> Option<CompletionResponse> {
        let path = convert::document_path(uri)?;
        let (checked, id) = self.workspace.as_ref()?.file(&path)?;
        let text = &checked.sources.get(id).text;
        let items = symbols::completions(&checked.model, text, convert::offset(text, position))
            .into_iter()
            .map(|c| CompletionItem {
                label: c.label,
                detail: Some(c.detail),
                kind: Some(match c.kind {
                    CandidateKind::Team => CompletionItemKind::MODULE,
                    CandidateKind::Source => CompletionItemKind::STRUCT,
                    CandidateKind::Column => CompletionItemKind::FIELD,
                    CandidateKind::Kpi => CompletionItemKind::VARIABLE,
                    CandidateKind::Function => CompletionItemKind::FUNCTION,
                }),
                ..Default::default()
            })
            .collect();
        Some(CompletionResponse::Array(items))
    }

    /// The declarations of a document, with their whole blocks.
    fn document_symbols(&self, uri: &Uri) -> Option<DocumentSymbolResponse> {
        let path = convert::document_path(uri)?;
        let (checked, id) = self.workspace.as_ref()?.file(&path)?;
        let text = &checked.sources.get(id).text;
        let symbols = declarations(checked)
            .filter(|(_, _, name, _)| name.file == id)
            .map(|(label, kind, name, block)| {
                #[allow(deprecated)]
                DocumentSymbol {
                    name: label,
                    detail: None,
                    kind,
                    tags: None,
                    deprecated: None,
                    range: convert::range(text, block.start as usize, block.end as usize),
                    selection_range: convert::range(text, name.start as usize, name.end as usize),
                    children: None,
                }
            })
            .collect();
        Some(DocumentSymbolResponse::Nested(symbols))
    }

    fn workspace_symbols(&self, query: &str) -> Option<WorkspaceSymbolResponse> {
        let checked = self.checked()?;
        let query = query.to_lowercase();
        let symbols = declarations(checked)
            .filter(|(label, ..)| label.to_lowercase().contains(&query))
            .map(|(label, kind, name, _)| {
                #[allow(deprecated)]
                SymbolInformation {
                    name: label,
                    kind,
                    tags: None,
                    deprecated: None,
                    location: location(&checked.sources, name),
                    container_name: None,
                }
            })
            .collect();
        Some(WorkspaceSymbolResponse::Flat(symbols))
    }
}

/// Every team, source and KPI: its name, symbol kind, name span and block span.
fn declarations(checked: &crate::Checked) -> impl Iterator<Item = (String, SymbolKind, Span, Span)> + '_ {
    let model = &checked.model;
    let teams = model.teams.iter().map(|t| (t.name.text.clone(), SymbolKind::MODULE, t.name.span, t.name.span));
    let sources = model.sources.iter().map(|s| (s.name.text.clone(), SymbolKind::STRUCT, s.name.span, s.written.span));
    let kpis = model.kpis.iter().map(|k| (k.name.text.clone(), SymbolKind::VARIABLE, k.name.span, k.written.span));
    teams.chain(sources).chain(kpis)
}

/// Whether `symbol` may be renamed to `new_name`: an id, not taken by another of its kind.
fn renamable(checked: &crate::Checked, symbol: &Symbol, new_name: &str) -> Result<(), String> {
    let is_id = new_name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && new_name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !is_id {
        return Err(format!("`{new_name}` is not a name: use ASCII letters, digits and `_`"));
    }
    let taken = symbols::declaration(
        &checked.model,
        &match symbol {
            Symbol::Team(_) => Symbol::Team(new_name.to_string()),
            Symbol::Source(_) => Symbol::Source(new_name.to_string()),
            Symbol::Kpi(_) => Symbol::Kpi(new_name.to_string()),
            Symbol::Dimension(_) => Symbol::Dimension(new_name.to_string()),
            Symbol::Column { source, .. } => Symbol::Column { source: source.clone(), column: new_name.to_string() },
        },
    );
    match taken {
        Some(_) if new_name != symbol.name() => Err(format!("`{new_name}` is taken: pick a name nothing else has")),
        _ => Ok(()),
    }
}

/// Every place that names `symbol`, renamed.
fn rename(checked: &crate::Checked, symbol: &Symbol, new_name: &str) -> WorkspaceEdit {
    // lsp-types keys a workspace edit by `Uri`, which clippy cannot see is immutable.
    #[allow(clippy::mutable_key_type)]
    let mut changes: std::collections::HashMap<Uri, Vec<TextEdit>> = std::collections::HashMap::new();
    for span in symbols::references(&checked.model, &checked.sources, symbol) {
        let file = checked.sources.get(span.file);
        let range = convert::range(&file.text, span.start as usize, span.end as usize);
        changes.entry(convert::uri(&file.path)).or_default().push(TextEdit::new(range, new_name.to_string()));
    }
    WorkspaceEdit { changes: Some(changes), ..Default::default() }
}

fn location(sources: &SourceMap, span: Span) -> Location {
    let file = sources.get(span.file);
    Location::new(convert::uri(&file.path), convert::range(&file.text, span.start as usize, span.end as usize))
}

fn to_lsp(diagnostic: &crate::diagnostics::Diagnostic, sources: &SourceMap) -> LspDiagnostic {
    let file = sources.get(diagnostic.span().file);
    let span = diagnostic.span();
    let mut message = diagnostic.message.clone();
    if let Some(help) = &diagnostic.help {
        message.push_str(&format!("\nhelp: {help}"));
    }
    let related = diagnostic
        .labels
        .iter()
        .filter(|l| !l.primary)
        .map(|l| DiagnosticRelatedInformation { location: location(sources, l.span), message: l.message.clone() })
        .collect::<Vec<_>>();
    LspDiagnostic {
        range: convert::range(&file.text, span.start as usize, span.end as usize),
        severity: Some(match diagnostic.severity {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
        }),
        code: Some(NumberOrString::String(diagnostic.code.name().to_string())),
        code_description: diagnostic.code.help_uri().parse().ok().map(|href| lsp_types::CodeDescription { href }),
        source: Some("kpic".to_string()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        ..Default::default()
    }
}

/// A request's result, or the error code and message to answer with.
type Answer = Result<serde_json::Value, (lsp_server::ErrorCode, String)>;

/// The parameters of a request of type `R` (or why they do not fit), or the
/// request back when it is of another type.
#[allow(clippy::type_complexity)]
fn cast<R: lsp_types::request::Request>(
    request: Request,
) -> Result<Result<R::Params, (lsp_server::ErrorCode, String)>, Request> {
    match request.extract::<R::Params>(R::METHOD) {
        Ok((_, params)) => Ok(Ok(params)),
        Err(ExtractError::MethodMismatch(request)) => Err(request),
        Err(ExtractError::JsonError { method, error }) => {
            Ok(Err((lsp_server::ErrorCode::InvalidParams, format!("bad parameters for `{method}`: {error}"))))
        }
    }
}

fn json<T: serde::Serialize>(value: T) -> Answer {
    serde_json::to_value(value).map_err(|e| (lsp_server::ErrorCode::InternalError, e.to_string()))
}

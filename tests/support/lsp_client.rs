//! A minimal Language Server Protocol client for `kpic lsp`, shared by the
//! integration test and the latency benchmark.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::Duration;

use serde_json::{json, Value};

/// A client of `kpic lsp`: JSON-RPC with `Content-Length` framing over the child's stdio.
pub struct Client {
    pub child: Child,
    stdin: ChildStdin,
    /// Messages from the server, read on their own thread.
    messages: Receiver<Value>,
    next_id: i64,
    /// Notifications received while waiting for something else.
    notifications: Vec<Value>,
}

impl Client {
    pub fn start(kpic: &str) -> Client {
        let mut child = Command::new(kpic).arg("lsp").stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().unwrap();
        let stdin = child.stdin.take().unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let (sender, messages) = channel();
        std::thread::spawn(move || {
            while let Some(message) = read_message(&mut stdout) {
                if sender.send(message).is_err() {
                    break;
                }
            }
        });
        Client { child, stdin, messages, next_id: 1, notifications: Vec::new() }
    }

    pub fn send(&mut self, message: Value) {
        let body = message.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        self.stdin.flush().unwrap();
    }

    /// The next message from the server; a server silent for a minute fails the test.
    pub fn receive(&mut self) -> Value {
        self.messages.recv_timeout(Duration::from_secs(60)).expect("kpic lsp sends what was asked for within a minute")
    }

    pub fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        loop {
            let message = self.receive();
            if message["id"] == id {
                assert!(message["error"].is_null(), "{method}: {message}");
                return message["result"].clone();
            }
            self.notifications.push(message);
        }
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// The next diagnostics published for `uri`.
    pub fn diagnostics_for(&mut self, uri: &str) -> Vec<Value> {
        let notification = self.next(|n| n["method"] == "textDocument/publishDiagnostics" && n["params"]["uri"] == uri);
        notification["params"]["diagnostics"].as_array().unwrap().clone()
    }

    /// The next notification of `method`.
    #[allow(dead_code, reason = "tests/lsp.rs waits for messages; benches/lsp.rs, which shares this client, does not")]
    pub fn notification(&mut self, method: &str) -> Value {
        self.next(|n| n["method"] == method)
    }

    /// The next message that `wanted` accepts; the others are kept for later.
    fn next(&mut self, wanted: impl Fn(&Value) -> bool) -> Value {
        loop {
            if let Some(index) = self.notifications.iter().position(&wanted) {
                return self.notifications.remove(index);
            }
            let message = self.receive();
            self.notifications.push(message);
        }
    }
}

/// One `Content-Length`-framed message; `None` once the server's output ends.
fn read_message(stdout: &mut BufReader<ChildStdout>) -> Option<Value> {
    let mut length = 0;
    loop {
        let mut line = String::new();
        if stdout.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim();
        if line.is_empty() {
            break;
        }
        if let Some(value) = line.strip_prefix("Content-Length: ") {
            length = value.parse().ok()?;
        }
    }
    let mut body = vec![0; length];
    stdout.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

//! `routes mcp`: the real binary driven over stdio by a scripted MCP client.

use std::io::{BufRead as _, BufReader, Write as _};
use std::process::Stdio;

use serde_json::{Value, json};

use crate::util::{has_status, root, routes};

/// Sends each message, one per line, and reads the answer of each request.
fn exchange(messages: &[Value]) -> (Vec<Value>, std::process::ExitStatus) {
    let cache = tempfile::tempdir().expect("temp dir");
    let mut child = routes(&root())
        .arg("mcp")
        .env("ROUTES_CACHE_DIR", cache.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the server starts");
    let mut stdin = child.stdin.take().expect("stdin");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let mut answers = Vec::new();
    for m in messages {
        writeln!(stdin, "{m}").expect("write");
        stdin.flush().expect("flush");
        if m.get("id").is_some() {
            let mut line = String::new();
            stdout.read_line(&mut line).expect("an answer");
            answers.push(serde_json::from_str(&line).expect("a JSON-RPC answer"));
        }
    }
    drop(stdin);
    let status = child.wait().expect("the server ends when stdin closes");
    (answers, status)
}

#[allow(clippy::needless_pass_by_value, reason = "the `json!` arguments are built in place")]
fn call(id: u64, name: &str, arguments: Value) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "method": "tools/call", "params": {"name": name, "arguments": arguments}})
}

#[test]
fn an_assistant_can_search_read_and_judge_with_sources() {
    let (answers, status) = exchange(&[
        json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "test", "version": "1"}}}),
        json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
        json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"}),
        call(3, "search", json!({"query": "police clearance", "country": "KZ"})),
        call(4, "get_route", json!({"id": "kz/temporary-residence-permit"})),
        call(
            5,
            "eligible",
            json!({"profile": {"nationality": ["RU"], "job_offer": true, "health_insurance": false},
                                   "on": "2026-12-01", "country": "KZ"}),
        ),
        call(6, "list_routes", json!({"country": "ee"})),
        call(7, "get_route", json!({"id": "kz/nope"})),
        call(8, "eligible", json!({"profile": {"income": "4000 EURO/month"}})),
        call(9, "search", json!({})),
        call(10, "launch", json!({})),
    ]);
    assert!(status.success(), "{status}");
    assert_eq!(answers[0]["result"]["serverInfo"]["name"], "routes");
    let names: Vec<&str> = answers[1]["result"]["tools"]
        .as_array()
        .expect("tools")
        .iter()
        .filter_map(|t| t["name"].as_str())
        .collect();
    assert_eq!(names, ["search", "get_route", "list_routes", "eligible"]);
    let structured = |i: usize| &answers[i]["result"]["structuredContent"];
    let hits = structured(2)["hits"].as_array().expect("hits");
    assert!(!hits.is_empty());
    assert!(hits.iter().all(|h| h["country"] == "KZ"));
    assert!(
        hits[0]["matches"][0]["source"]
            .as_str()
            .is_some_and(|s| s.starts_with("http")),
        "{}",
        hits[0]
    );
    assert_eq!(structured(3)["id"], "kz/temporary-residence-permit");
    let trp = structured(4)["assessments"]
        .as_array()
        .expect("assessments")
        .iter()
        .find(|a| a["route_id"] == "kz/temporary-residence-permit")
        .expect("the permit");
    assert!(has_status(trp, "waived"), "{trp}");
    let estonian = structured(5)["routes"].as_array().expect("routes");
    assert!(!estonian.is_empty() && estonian.iter().all(|r| r["country"] == "EE"));
    // Bad arguments are tool errors with a hint; the server carries on.
    for (i, needle) in [(6, "no route"), (7, "EUR"), (8, "`query` is missing"), (9, "no tool")] {
        assert_eq!(answers[i]["result"]["isError"], true, "{}", answers[i]);
        let text = answers[i]["result"]["content"][0]["text"].as_str().expect("a message");
        assert!(text.contains(needle) && text.contains("hint:"), "{text}");
    }
}

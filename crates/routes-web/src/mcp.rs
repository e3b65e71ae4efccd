//! `routes mcp`: the site's search, routes and eligibility as tools of a
//! Model Context Protocol server over stdio (the official Rust SDK, rmcp),
//! so an assistant can answer from the dataset with its sources.
//!
//! The tools answer in the same JSON as the HTTP API (`/api/search`,
//! `/api/routes/{cc}/{slug}`, `/api/eligible`), as structured content.
//! A bad argument is a tool error with a message and a hint, never a crash.

use std::sync::Arc;

use rmcp::ServiceExt as _;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, Implementation, ListToolsResult,
    PaginatedRequestParams, ServerCapabilities, ServerConfig, Tool,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler};
use serde_json::{Value, json};

use crate::Site;

/// The MCP server of a site.
#[derive(Clone)]
struct Mcp {
    site: Arc<Site>,
}

fn schema(value: Value) -> Arc<serde_json::Map<String, Value>> {
    match value {
        Value::Object(map) => Arc::new(map),
        _ => Arc::new(serde_json::Map::new()),
    }
}

fn tools() -> Vec<Tool> {
    vec![
        Tool::new(
            "search",
            "Search the routes' requirements, documents and sources across countries, in the words people use \
             (synonyms, every language of the records, typos). Answers hits grouped by route, each item with a \
             snippet and the URL of its source.",
            schema(json!({
                "type": "object",
                "properties": {
                    "query": {"type": "string", "description": "The words, such as `health insurance` or `police clearance country:KZ`"},
                    "country": {"type": "string", "description": "Only routes of this country (ISO code or English name)"},
                    "category": {"type": "string", "description": "Only routes of this category, such as `digital_nomad`"},
                    "limit": {"type": "integer", "minimum": 1, "maximum": 100}
                },
                "required": ["query"]
            })),
        ),
        Tool::new(
            "get_route",
            "One route record, with every figure's evidence: the source and the verbatim quote behind it.",
            schema(json!({
                "type": "object",
                "properties": {"id": {"type": "string", "description": "The route id, `cc/slug`, such as `kz/temporary-residence-permit`"}},
                "required": ["id"]
            })),
        ),
        Tool::new(
            "list_routes",
            "The routes, by id, with their country, name, category and status.",
            schema(json!({
                "type": "object",
                "properties": {
                    "country": {"type": "string", "description": "Only routes of this ISO country code"},
                    "category": {"type": "string"}
                }
            })),
        ),
        Tool::new(
            "eligible",
            "Judge every route for a person: eligible, not_eligible or unknown, criterion by criterion, with the \
             reason, source and quote behind each. A field left out is unknown, never no; missing data never makes \
             a person eligible.",
            schema(json!({
                "type": "object",
                "properties": {
                    "profile": {
                        "type": "object",
                        "description": "The person's answers, the fields of a profile: nationality (ISO codes), age, income (`4000 EUR/month`), savings, investment, job_offer, employer_sponsor, remote_work, work_experience_years, health_insurance, criminal_record_clean, language (`en:C1`), family_of (`citizen:KZ`)"
                    },
                    "on": {"type": "string", "description": "The day whose rules apply (YYYY-MM-DD); today by default"},
                    "country": {"type": "string", "description": "Only routes of this ISO country code"}
                },
                "required": ["profile"]
            })),
        ),
    ]
}

/// A tool's failure for the client: the message and a hint, as text.
fn failure(message: &str, hint: &str) -> CallToolResult {
    CallToolResult::error(vec![ContentBlock::text(format!("{message} (hint: {hint})"))])
}

fn text<'a>(args: &'a serde_json::Map<String, Value>, name: &str) -> Option<&'a str> {
    args.get(name).and_then(Value::as_str).filter(|s| !s.trim().is_empty())
}

impl Mcp {
    fn call(&self, name: &str, args: &serde_json::Map<String, Value>) -> CallToolResult {
        let site = &self.site;
        match name {
            "search" => {
                let Some(query) = text(args, "query") else {
                    return failure(
                        "`query` is missing",
                        "give the words to look for, such as `health insurance`",
                    );
                };
                let params = crate::SearchParams {
                    q: query.to_owned(),
                    country: text(args, "country").map(str::to_owned),
                    category: text(args, "category").map(str::to_owned),
                    limit: args
                        .get("limit")
                        .and_then(Value::as_u64)
                        .and_then(|n| usize::try_from(n).ok()),
                };
                match crate::run_search(site, &params) {
                    Ok(r) => CallToolResult::structured(json!({
                        "total_routes": r.total_routes,
                        "fuzzy": r.fuzzy,
                        "partial": r.partial,
                        "suggestion": r.suggestion,
                        "hits": r.hits,
                    })),
                    Err((_, message)) => failure(&message, "all words must match; `\"phrases\"`, `OR`, `-word` work"),
                }
            }
            "get_route" => {
                let Some(id) = text(args, "id") else {
                    return failure(
                        "`id` is missing",
                        "give a route id such as `kz/temporary-residence-permit`",
                    );
                };
                match site
                    .entry(id)
                    .and_then(|e| serde_json::from_str::<Value>(e.json()).ok())
                {
                    Some(record) => CallToolResult::structured(record),
                    None => failure(&format!("no route `{id}`"), "`list_routes` lists every route id"),
                }
            }
            "list_routes" => {
                let country = text(args, "country").map(str::to_uppercase);
                let category = text(args, "category");
                let list: Vec<Value> = site
                    .routes()
                    .iter()
                    .filter(|e| country.as_deref().is_none_or(|c| e.country == c))
                    .filter(|e| category.is_none_or(|c| e.category == c))
                    .map(|e| json!({ "route_id": e.id, "country": e.country, "name": e.name, "category": e.category, "status": e.status }))
                    .collect();
                CallToolResult::structured(json!({ "routes": list }))
            }
            "eligible" => {
                let Some(profile) = args.get("profile") else {
                    return failure(
                        "`profile` is missing",
                        "give an object of profile fields, such as {\"nationality\": [\"AM\"]}",
                    );
                };
                let profile = match crate::profile_of(profile) {
                    Ok(p) => p,
                    Err(message) => return failure(&message, "the fields are those of a profile TOML file"),
                };
                let on = match crate::day(text(args, "on")) {
                    Ok(d) => d,
                    Err(message) => return failure(&message, "write it as YYYY-MM-DD"),
                };
                let assessments = site.judge(&profile, on, text(args, "country"));
                CallToolResult::structured(json!({ "assessments": assessments }))
            }
            other => failure(
                &format!("no tool `{other}`"),
                "the tools are search, get_route, list_routes and eligible",
            ),
        }
    }
}

impl ServerHandler for Mcp {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new("routes", env!("CARGO_PKG_VERSION")))
            .with_instructions(
                "Immigration routes (visas, residence permits, citizenship) of a dataset release, each figure with \
                 its source and quote. Use `search` to find routes and items, `get_route` for a record's evidence, \
                 `eligible` for source-backed verdicts. Cite the source URL of every figure you use; what no source \
                 says is unknown, never a default.",
            )
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        Ok(ListToolsResult::with_all_items(tools()))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let args = request.arguments.unwrap_or_default();
        Ok(self.call(&request.name, &args).into())
    }
}

/// Serves `site`'s tools over stdio until the client closes it, on a
/// runtime of its own.
pub fn serve_mcp(site: Site) -> std::io::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async move {
        let server = Mcp { site: Arc::new(site) }
            .serve(rmcp::transport::stdio())
            .await
            .map_err(std::io::Error::other)?;
        server.waiting().await.map_err(std::io::Error::other)?;
        Ok(())
    })
}

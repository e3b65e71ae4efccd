//! The web face of a dataset or release: a page per route with the evidence
//! behind every figure, a search, country pages, and a JSON API, served by
//! axum on tokio.
//!
//! Every page is HTML from maud templates, which escape every spliced value,
//! and works without JavaScript. Every response carries a strict
//! Content-Security-Policy (`default-src 'none'`, the site's own stylesheet
//! only), `nosniff` and `no-referrer`. Unknown paths are 404; a request body
//! over [`MAX_BODY_BYTES`] is refused, a query over [`MAX_QUERY_CHARS`]
//! characters is a 400, a request that takes longer than
//! [`REQUEST_TIMEOUT`] ends with a 408, a client that takes longer than
//! [`HEADER_TIMEOUT`] to send its request head is dropped, and a panic
//! reaches the client as a bare 500. [`serve`] binds where it is told, and the binary defaults to
//! loopback.
//!
//! ```no_run
//! # fn site() -> routes_web::Site { unimplemented!() }
//! let addr = "127.0.0.1:8080".parse()?;
//! routes_web::serve(site(), addr, |bound| eprintln!("listening on http://{bound}"))?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![warn(missing_docs)]

mod mcp;
mod pages;
mod site;
mod static_site;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Json;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::json;

pub use mcp::serve_mcp;
pub use site::{Change, Entry, Release, Site};
pub use static_site::{SITE_FORMAT_VERSION, SITE_MARKER, SiteError, Written, is_site_folder, write_site};

/// Largest request body read, in bytes (a profile is a few hundred).
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// Longest search query, in characters.
pub const MAX_QUERY_CHARS: usize = 500;
/// Longest a client may take to send a request's head (line and headers).
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(5);
/// Longest a request may take.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// The Content-Security-Policy of every response.
pub const CSP: &str =
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

type Shared = State<Arc<Site>>;

/// The application: every page and API call of the site.
pub fn router(site: Arc<Site>) -> Router {
    use tower_http::set_header::SetResponseHeaderLayer;
    Router::new()
        .route("/", get(home))
        .route("/index.json", get(home_json))
        .route("/llms.txt", get(llms))
        .route("/static/style.css", get(style))
        .route("/static/search.js", get(search_js))
        .route("/countries/{cc}", get(country))
        .route("/routes/{cc}/{slug}", get(route_page))
        .route("/search", get(search_page))
        .route("/search.json", get(api_search))
        .route("/changes", get(changes_page))
        .route("/changes.atom", get(changes_feed))
        .route("/changes.json", get(changes_json))
        .route("/eligible.json", get(eligible_json))
        .route("/compare", get(compare_page))
        .route("/compare.json", get(compare_json))
        .route("/eligible", get(eligible_page))
        .route("/api/routes", get(api_routes))
        .route("/api/routes/{cc}/{slug}", get(api_route))
        .route("/api/search", get(api_search))
        .route("/api/facets", get(api_facets))
        .route("/api/eligible", post(api_eligible))
        .route("/api/openapi.json", get(openapi))
        .route(routes_core::ROUTE_SCHEMA_PATH, get(route_schema))
        .fallback(not_found)
        .layer(axum::middleware::from_fn_with_state(site.clone(), cached))
        .with_state(site)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(|_| {
            (StatusCode::INTERNAL_SERVER_ERROR, "internal error\n").into_response()
        }))
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
}

/// Serves `site` on `addr` until the process ends, on a runtime of its own;
/// `ready` is told the address bound (port 0 picks a free one).
pub fn serve(site: Site, addr: SocketAddr, ready: impl FnOnce(SocketAddr)) -> std::io::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        ready(listener.local_addr()?);
        let app = router(Arc::new(site));
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let service = hyper_util::service::TowerToHyperService::new(app.clone());
            tokio::spawn(async move {
                // A client that sends its request head too slowly is dropped:
                // it cannot hold a connection open by trickling bytes.
                let mut http = hyper::server::conn::http1::Builder::new();
                http.timer(hyper_util::rt::TokioTimer::new())
                    .header_read_timeout(HEADER_TIMEOUT);
                let _ = http
                    .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                    .await;
            });
        }
    })
}

/// Pages and API answers change only with the release: each carries an
/// `ETag` of the release and may be cached for five minutes; a request that
/// names the current `ETag` gets a bare 304.
async fn cached(State(site): Shared, request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let etag = site.etag();
    let matches = request
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag));
    let cacheable = request.method() == axum::http::Method::GET;
    if cacheable && matches {
        let mut response = StatusCode::NOT_MODIFIED.into_response();
        if let Ok(v) = HeaderValue::from_str(&etag) {
            response.headers_mut().insert(header::ETAG, v);
        }
        return response;
    }
    let mut response = next.run(request).await;
    if cacheable && response.status().is_success() {
        let headers = response.headers_mut();
        if let Ok(v) = HeaderValue::from_str(&etag) {
            headers.insert(header::ETAG, v);
        }
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=300"));
    }
    response
}

async fn home_json(State(site): Shared) -> Response {
    Json(json!({
        "release": { "version": site.release.version, "date": site.release.date },
        "countries": site.countries(),
        "routes": site.routes().len(),
    }))
    .into_response()
}

/// `/llms.txt`: what the site holds and how a program reads it.
async fn llms(State(site): Shared) -> Response {
    use std::fmt::Write as _;
    let mut out = format!(
        "# routes\n\n> An open dataset of immigration routes (visas, residence permits, citizenship), one record per programme of a country, every figure with its source and quote. Release {} of {}.\n\n",
        site.release.version, site.release.date
    );
    out.push_str("Each route page has a JSON twin at the same address with `.json`.");
    if site.static_files {
        out.push_str(
            " This is a static copy: the API and the eligibility check run with `routes serve`.\n\n## Routes\n\n",
        );
    } else {
        out.push_str(" The API answers in JSON:\n\n- [All routes](/api/routes)\n- [Search](/api/search?q=health+insurance): the words people use, in every language of the records\n- [Facets](/api/facets)\n- Eligibility: POST a JSON object of profile fields to /api/eligible\n\n## Routes\n\n");
    }
    for e in site.routes() {
        let _ = writeln!(
            out,
            "- [{}](/routes/{}.json): {}, {}",
            e.name,
            e.id,
            e.country,
            e.category.replace('_', " ")
        );
    }
    ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], out).into_response()
}

#[derive(Debug, Deserialize)]
struct CompareParams {
    #[serde(default)]
    ids: String,
}

/// The routes of `?ids=a,b`, two to four of them.
fn compared(site: &Site, params: &CompareParams) -> Result<Vec<routes_core::Route>, String> {
    let ids: Vec<&str> = params.ids.split(',').map(str::trim).filter(|s| !s.is_empty()).collect();
    if !(2..=4).contains(&ids.len()) {
        return Err(
            "give two to four route ids, such as `?ids=ee/digital-nomad-visa,pt/remote-work-visa-d8`".to_owned(),
        );
    }
    ids.iter()
        .map(|id| {
            site.entry(id)
                .and_then(Entry::route)
                .ok_or_else(|| format!("no route `{id}`"))
        })
        .collect()
}

async fn compare_page(State(site): Shared, Query(params): Query<CompareParams>) -> Response {
    if params.ids.trim().is_empty() {
        return html(pages::compare(&site, &[], None));
    }
    match compared(&site, &params) {
        Ok(routes) => html(pages::compare(&site, &routes, None)),
        Err(message) => (
            StatusCode::BAD_REQUEST,
            html(pages::compare(&site, &[], Some(&message))),
        )
            .into_response(),
    }
}

async fn compare_json(State(site): Shared, Query(params): Query<CompareParams>) -> Response {
    match compared(&site, &params) {
        Ok(routes) => Json(routes).into_response(),
        Err(message) => api_error(StatusCode::BAD_REQUEST, &message, "`/api/routes` lists every route id"),
    }
}

/// `/eligible`: the form, and with answers, the verdicts with their reasons.
async fn eligible_page(State(site): Shared, Query(answers): Query<Vec<(String, String)>>) -> Response {
    let given: Vec<(String, String)> = answers.into_iter().filter(|(_, v)| !v.trim().is_empty()).collect();
    if given.is_empty() {
        return html(pages::eligible(&site, &[], None, None));
    }
    let (profile, on) = match answered(&given) {
        Ok(answers) => answers,
        Err(message) => {
            return (
                StatusCode::BAD_REQUEST,
                html(pages::eligible(&site, &given, None, Some(&message))),
            )
                .into_response();
        }
    };
    let mut assessments = site.judge(&profile, on, None);
    assessments.sort_by(|a, b| a.verdict.cmp(&b.verdict).then_with(|| a.route_id.cmp(&b.route_id)));
    html(pages::eligible(&site, &given, Some(&assessments), None))
}

fn html(markup: maud::Markup) -> Response {
    Html(markup.into_string()).into_response()
}

async fn home(State(site): Shared) -> Response {
    html(pages::home(&site))
}

/// The `OpenAPI` 3.1 document of the API.
pub const OPENAPI: &str = include_str!("openapi.json");

async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI).into_response()
}

/// The JSON Schema of a record, at the path of its `$id`.
async fn route_schema() -> Response {
    (
        [(header::CONTENT_TYPE, "application/schema+json")],
        routes_core::ROUTE_SCHEMA,
    )
        .into_response()
}

async fn changes_page(State(site): Shared) -> Response {
    html(pages::changes(&site))
}

async fn changes_json(State(site): Shared) -> Response {
    let list: Vec<_> = site
        .changes
        .iter()
        .map(|c| {
            json!({ "route_id": c.route_id, "table_name": c.table, "item": c.item, "field": c.field,
                         "kind": c.kind, "old_value": c.old_value, "new_value": c.new_value })
        })
        .collect();
    Json(json!({ "release": site.release.version, "changes": list })).into_response()
}

/// `/eligible.json?field=value…`: the twin of the form's answer.
async fn eligible_json(State(site): Shared, Query(answers): Query<Vec<(String, String)>>) -> Response {
    let given: Vec<(String, String)> = answers.into_iter().filter(|(_, v)| !v.trim().is_empty()).collect();
    let (profile, on) = match answered(&given) {
        Ok(answers) => answers,
        Err(message) => {
            return api_error(
                StatusCode::BAD_REQUEST,
                &message,
                "the fields are those of a profile TOML file",
            );
        }
    };
    let judged = blocking(move || Json(site.judge(&profile, on, None)).into_response()).await;
    judged.unwrap_or_else(|| api_error(StatusCode::INTERNAL_SERVER_ERROR, "the judgement failed", "try again"))
}

async fn changes_feed(State(site): Shared) -> Response {
    (
        [(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8")],
        pages::changes_atom(&site).into_string(),
    )
        .into_response()
}

async fn search_js() -> Response {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        pages::SEARCH_JS,
    )
        .into_response()
}

async fn style() -> Response {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], pages::STYLE).into_response()
}

async fn not_found(State(site): Shared, uri: Uri) -> Response {
    if uri.path().starts_with("/api/") {
        return api_error(StatusCode::NOT_FOUND, "no such API call", "see the calls of the README");
    }
    (StatusCode::NOT_FOUND, html(pages::not_found(&site))).into_response()
}

async fn country(State(site): Shared, Path(cc): Path<String>) -> Response {
    let (cc, twin) = cc.strip_suffix(".json").map_or((cc.as_str(), false), |c| (c, true));
    let code = cc.to_uppercase();
    let entries: Vec<&Entry> = site.routes().iter().filter(|e| e.country == code).collect();
    if entries.is_empty() {
        if twin {
            return api_error(
                StatusCode::NOT_FOUND,
                "no route of this country",
                "`/api/facets` lists the countries",
            );
        }
        return (StatusCode::NOT_FOUND, html(pages::not_found(&site))).into_response();
    }
    if twin {
        let list: Vec<_> = entries
            .iter()
            .map(|e| json!({ "route_id": e.id, "country": e.country, "name": e.name, "category": e.category, "status": e.status }))
            .collect();
        return Json(list).into_response();
    }
    html(pages::country(&site, &code, &entries))
}

async fn route_page(State(site): Shared, Path((cc, slug)): Path<(String, String)>) -> Response {
    if let Some(slug) = slug.strip_suffix(".json") {
        return api_route(State(site), Path((cc, slug.to_owned()))).await;
    }
    match site.entry(&format!("{cc}/{slug}")).and_then(Entry::route) {
        Some(route) => html(pages::route(&site, &route)),
        None => (StatusCode::NOT_FOUND, html(pages::not_found(&site))).into_response(),
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct SearchParams {
    #[serde(default)]
    pub(crate) q: String,
    pub(crate) country: Option<String>,
    pub(crate) category: Option<String>,
    pub(crate) limit: Option<usize>,
}

/// The index's answer to `params`, or a message for people.
pub(crate) fn run_search(
    site: &Site,
    params: &SearchParams,
) -> Result<routes_index::SearchResults, (StatusCode, String)> {
    run_search_faceted(site, params, false)
}

/// [`run_search`], with the counts per country and category when `facets`.
fn run_search_faceted(
    site: &Site,
    params: &SearchParams,
    facets: bool,
) -> Result<routes_index::SearchResults, (StatusCode, String)> {
    if params.q.chars().count() > MAX_QUERY_CHARS {
        return Err((
            StatusCode::BAD_REQUEST,
            format!("the query is longer than {MAX_QUERY_CHARS} characters"),
        ));
    }
    let mut query = routes_index::Query::new(params.q.clone());
    query.country.clone_from(&params.country);
    query.category.clone_from(&params.category);
    query.limit = params.limit.unwrap_or(20).clamp(1, 100);
    query.facets = facets;
    site.index.search(&query).map_err(|e| match e {
        routes_index::Error::Query(q) => (StatusCode::BAD_REQUEST, format!("{q} ({})", q.hint)),
        routes_index::Error::Filter(f) => (
            StatusCode::BAD_REQUEST,
            format!("{}: {} ({})", f.field, f.message, f.hint),
        ),
        _ => (StatusCode::INTERNAL_SERVER_ERROR, "the search failed".to_owned()),
    })
}

async fn search_page(State(site): Shared, Query(params): Query<SearchParams>) -> Response {
    if params.q.trim().is_empty() {
        return html(pages::search(&site, "", None, None));
    }
    match run_search_faceted(&site, &params, true) {
        Ok(results) => html(pages::search(&site, &params.q, Some(&results), None)),
        Err((status, message)) => (status, html(pages::search(&site, &params.q, None, Some(&message)))).into_response(),
    }
}

fn api_error(status: StatusCode, message: &str, hint: &str) -> Response {
    (status, Json(json!({ "error": message, "hint": hint }))).into_response()
}

async fn api_routes(State(site): Shared) -> Response {
    let list: Vec<_> = site
        .routes()
        .iter()
        .map(|e| json!({ "route_id": e.id, "country": e.country, "name": e.name, "category": e.category, "status": e.status }))
        .collect();
    Json(list).into_response()
}

async fn api_route(State(site): Shared, Path((cc, slug)): Path<(String, String)>) -> Response {
    match site.entry(&format!("{cc}/{slug}")) {
        Some(e) => ([(header::CONTENT_TYPE, "application/json")], e.json().to_owned()).into_response(),
        None => api_error(
            StatusCode::NOT_FOUND,
            "no such route",
            "`/api/routes` lists every route id",
        ),
    }
}

/// Runs CPU-bound work (a search, a judgement) off the threads that serve
/// connections, so that cheap requests are not held behind it.
async fn blocking<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Option<T> {
    tokio::task::spawn_blocking(work).await.ok()
}

async fn api_search(State(site): Shared, Query(params): Query<SearchParams>) -> Response {
    if params.q.trim().is_empty() {
        return api_error(
            StatusCode::BAD_REQUEST,
            "no query",
            "give `q`, such as `/api/search?q=health+insurance`",
        );
    }
    let Some(answer) = blocking(move || run_search(&site, &params)).await else {
        return api_error(StatusCode::INTERNAL_SERVER_ERROR, "the search failed", "try again");
    };
    match answer {
        Ok(r) => Json(json!({
            "total_routes": r.total_routes,
            "fuzzy": r.fuzzy,
            "partial": r.partial,
            "suggestion": r.suggestion,
            "hits": r.hits,
        }))
        .into_response(),
        Err((status, message)) => api_error(
            status,
            &message,
            "all words must match; `\"phrases\"`, `OR`, `-word` work",
        ),
    }
}

async fn api_facets(State(site): Shared) -> Response {
    let mut categories = std::collections::BTreeMap::<&str, usize>::new();
    for e in site.routes() {
        *categories.entry(e.category.as_str()).or_insert(0) += 1;
    }
    Json(json!({ "countries": site.countries(), "categories": categories })).into_response()
}

#[derive(Debug, Deserialize)]
struct EligibleParams {
    on: Option<String>,
    country: Option<String>,
}

/// A profile from a JSON object of the profile's fields (strings, numbers,
/// booleans, or lists of strings), read as the flags are.
pub(crate) fn profile_of(body: &serde_json::Value) -> Result<routes_eligibility::Profile, String> {
    let Some(fields) = body.as_object() else {
        return Err("the body is not a JSON object of profile fields".to_owned());
    };
    let mut profile = routes_eligibility::Profile::default();
    for (field, value) in fields {
        let text = match value {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Number(n) => n.to_string(),
            serde_json::Value::Bool(b) => if *b { "yes" } else { "no" }.to_owned(),
            serde_json::Value::Array(items) => items
                .iter()
                .map(|v| {
                    v.as_str()
                        .map(str::to_owned)
                        .ok_or_else(|| format!("`{field}` lists a value that is not a string"))
                })
                .collect::<Result<Vec<_>, _>>()?
                .join(","),
            serde_json::Value::Null => continue,
            serde_json::Value::Object(_) => return Err(format!("`{field}` is an object")),
        };
        profile
            .set(field, &text)
            .map_err(|e| format!("{}: {} ({})", field, e.message, e.hint))?;
    }
    Ok(profile)
}

async fn api_eligible(
    State(site): Shared,
    Query(params): Query<EligibleParams>,
    body: Result<Json<serde_json::Value>, axum::extract::rejection::JsonRejection>,
) -> Response {
    let body = match body {
        Ok(Json(body)) => body,
        Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            return api_error(
                StatusCode::PAYLOAD_TOO_LARGE,
                &format!("the body is larger than {MAX_BODY_BYTES} bytes"),
                "a profile is a small JSON object of its fields",
            );
        }
        Err(_) => {
            return api_error(
                StatusCode::BAD_REQUEST,
                "the body is not JSON",
                "POST a JSON object of profile fields with `Content-Type: application/json`, such as {\"nationality\": [\"AM\"]}",
            );
        }
    };
    let profile = match profile_of(&body) {
        Ok(p) => p,
        Err(message) => {
            return api_error(
                StatusCode::BAD_REQUEST,
                &message,
                "the fields are those of a profile TOML file",
            );
        }
    };
    let on = match day(params.on.as_deref()) {
        Ok(d) => d,
        Err(message) => return api_error(StatusCode::BAD_REQUEST, &message, "write it as YYYY-MM-DD"),
    };
    let judged = blocking(move || Json(site.judge(&profile, on, params.country.as_deref())).into_response()).await;
    judged.unwrap_or_else(|| api_error(StatusCode::INTERNAL_SERVER_ERROR, "the judgement failed", "try again"))
}

/// The day `on` names (`YYYY-MM-DD`), or today when it names none.
pub(crate) fn day(on: Option<&str>) -> Result<routes_core::Date, String> {
    on.map_or_else(
        || Ok(today()),
        |d| d.parse().map_err(|_| format!("`{d}` is not a day (YYYY-MM-DD)")),
    )
}

/// A profile and a day from the answers of the form (`field=value`, and
/// `on=` for the day); the first mistake in words.
fn answered(given: &[(String, String)]) -> Result<(routes_eligibility::Profile, routes_core::Date), String> {
    let mut profile = routes_eligibility::Profile::default();
    let mut on = None;
    for (field, value) in given {
        if field == "on" {
            on = Some(value.as_str());
        } else {
            profile
                .set(field, value)
                .map_err(|e| format!("{field}: {} ({})", e.message, e.hint))?;
        }
    }
    Ok((profile, day(on)?))
}

/// Today (UTC), the default day of an eligibility call.
pub(crate) fn today() -> routes_core::Date {
    routes_core::Date::from(jiff::Timestamp::now().to_zoned_datetime(jiff::tz::TimeZone::UTC).date())
}

//! The HTML pages, from maud templates: every value spliced into a page is
//! escaped, so record text never becomes markup. Pages work without
//! JavaScript and load one stylesheet from the site itself.

use maud::{DOCTYPE, Markup, html};
use routes_core::{Evidence, Money, Period, Range, Route, Tristate};

use crate::site::{Entry, Site};

/// The stylesheet, served at `/static/style.css`.
pub(crate) const STYLE: &str = "\
body{font:16px/1.5 system-ui,sans-serif;margin:0 auto;max-width:64rem;padding:0 1rem;color:#1a1a1a}\
header,footer{padding:.75rem 0;border-bottom:1px solid #ddd}footer{border:0;border-top:1px solid #ddd;color:#555}\
nav a{margin-right:1rem}table{border-collapse:collapse;width:100%}th,td{border:1px solid #ddd;padding:.3rem .5rem;\
vertical-align:top;text-align:left}blockquote{margin:.25rem 0;padding:.1rem .6rem;border-left:3px solid #999;\
color:#333;font-style:italic}.unknown{color:#8a5300}.conflict{background:#fff3d6}.meta{color:#555;font-size:.9rem}\
mark{background:#ffe27a}form.search input[type=search]{width:60%;padding:.3rem}";

/// Not found in the sources.
const NOT_FOUND: &str = "not found in the sources";

fn layout(site: &Site, title: &str, body: &Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · routes" }
                link rel="stylesheet" href="/static/style.css";
                link rel="alternate" type="application/atom+xml" title="Changes" href="/changes.atom";
            }
            body {
                header {
                    nav {
                        a href="/" { "routes" }
                        a href="/search" { "Search" }
                        a href="/compare" { "Compare" }
                        a href="/eligible" { "Eligibility" }
                        a href="/changes" { "Changes" }
                    }
                }
                main { (body) }
                footer {
                    "Release " (site.release.version) " of " (site.release.date)
                    ". Every figure links to its source; what no source says reads “" (NOT_FOUND) "”."
                }
            }
        }
    }
}

fn search_form(query: &str) -> Markup {
    html! {
        form.search action="/search" method="get" role="search" {
            input type="search" name="q" value=(query) placeholder="health insurance, processing time…" aria-label="Search";
            " "
            button type="submit" { "Search" }
        }
    }
}

/// `/`: the search box, countries with their route counts, the release.
pub(crate) fn home(site: &Site) -> Markup {
    let body = html! {
        h1 { "Immigration routes, with their sources" }
        (search_form(""))
        h2 { "Countries" }
        ul {
            @for (country, count) in site.countries() {
                li { a href={ "/countries/" (country.to_lowercase()) } { (country_name(&country)) } " · " (count) " routes" }
            }
        }
        p.meta { (site.routes().len()) " routes in release " (site.release.version) " of " (site.release.date) "." }
    };
    layout(site, "Immigration routes", &body)
}

/// The English name of a country code, or the code.
pub(crate) fn country_name(code: &str) -> String {
    routes_core::country_name(code).unwrap_or_else(|| code.to_owned())
}

/// `/countries/{cc}`: the routes of a country.
pub(crate) fn country(site: &Site, code: &str, entries: &[&Entry]) -> Markup {
    let name = country_name(code);
    let body = html! {
        h1 { (name) }
        table {
            thead { tr { th { "Route" } th { "Category" } th { "Status" } } }
            tbody {
                @for e in entries {
                    tr {
                        td { a href={ "/routes/" (e.id) } { (e.name) } }
                        td { (e.category.replace('_', " ")) }
                        td { (e.status) }
                    }
                }
            }
        }
    };
    layout(site, &name, &body)
}

fn period_words(p: Period) -> &'static str {
    match p {
        Period::OneOff => "",
        Period::Hour => " an hour",
        Period::Month => " a month",
        Period::Year => " a year",
    }
}

/// The amount of `m` with, where the reference data has them, its value
/// per month and in euros (at a sourced rate within a year of `on`).
fn money_figures(site: &Site, m: &Money, on: routes_core::Date) -> String {
    use std::fmt::Write as _;
    let mut out = money(m);
    let (amount, currency, period) = match m {
        Money::Fixed(f) => (f.amount, f.currency.as_str().to_owned(), f.period),
        Money::Indexed(i) => {
            let year = i.year.unwrap_or_else(|| u16::try_from(on.civil().year()).unwrap_or(0));
            let Some(v) = site.reference.index_value(i.index.as_str(), year, on) else {
                let _ = write!(out, " (the value of {} for {year}: {NOT_FOUND})", i.index.as_str());
                return out;
            };
            let amount = i.multiplier * v.value;
            let _ = write!(out, " = {} {}", round(amount), v.currency);
            (amount, v.currency.clone(), i.period)
        }
    };
    let monthly = match period {
        Period::Year => Some(amount / 12.0),
        Period::Month => Some(amount),
        _ => None,
    };
    if let (Period::Year, Some(m)) = (period, monthly) {
        let _ = write!(out, "; {} {currency} a month", round(m));
    }
    if currency != "EUR"
        && let Some(c) = site.reference.rate(&currency, "EUR", on)
        && (c.rate.date.days_since_epoch() - on.days_since_epoch()).unsigned_abs() <= 366
    {
        let per = if monthly.is_some() { " a month" } else { "" };
        let _ = write!(
            out,
            "; ≈ {} EUR{per} (rate of {})",
            round(monthly.unwrap_or(amount) * c.factor),
            c.rate.date
        );
    }
    out
}

fn round(x: f64) -> String {
    let r = (x * 100.0).round() / 100.0;
    if (r - r.trunc()).abs() < 1e-9 {
        format!("{}", r.trunc())
    } else {
        format!("{r:.2}")
    }
}

fn money(m: &Money) -> String {
    match m {
        Money::Fixed(f) => {
            let basis = f.basis.map_or(String::new(), |b| format!(" {}", b.as_str()));
            let converted = f.converted.as_ref().map_or(String::new(), |c| {
                format!(" (≈ {} {} at {} on {})", c.amount, c.currency.as_str(), c.rate, c.date)
            });
            format!(
                "{} {}{basis}{}{converted}",
                f.amount,
                f.currency.as_str(),
                period_words(f.period)
            )
        }
        Money::Indexed(i) => {
            let year = i.year.map_or(String::new(), |y| format!(" of {y}"));
            let basis = i.basis.map_or(String::new(), |b| format!(" {}", b.as_str()));
            format!(
                "{} × {}{year}{basis}{}",
                i.multiplier,
                i.index.as_str(),
                period_words(i.period)
            )
        }
    }
}

fn range(r: &Range) -> String {
    let unit = r.unit.as_str().replace('_', " ");
    match (r.min, r.max) {
        (Some(a), Some(b)) if (a - b).abs() < f64::EPSILON => format!("{a} {unit}"),
        (Some(a), Some(b)) => format!("{a} to {b} {unit}"),
        (Some(a), None) => format!("at least {a} {unit}"),
        (None, Some(b)) => format!("at most {b} {unit}"),
        (None, None) => NOT_FOUND.to_owned(),
    }
}

fn tristate(t: Tristate) -> Markup {
    html! {
        @match t {
            Tristate::Yes => "yes",
            Tristate::No => "no",
            Tristate::Unknown => span.unknown { (NOT_FOUND) },
        }
    }
}

/// The evidence of a value: each excerpt quoted, each source linked.
fn evidence(route: &Route, items: &[Evidence]) -> Markup {
    html! {
        @if items.is_empty() {
            span.unknown { "no source cited" }
        }
        @for e in items {
            div.evidence {
                @if let Some(x) = &e.excerpt { blockquote { (x) } }
                @let source = route.sources.iter().find(|s| s.id == e.source);
                @match source {
                    Some(s) => {
                        a href=(s.url) { (s.title) }
                        " · " a href={ "#source-" (s.id.as_str()) } { (s.tier.as_str().replace('_', " ")) }
                    }
                    None => { (e.source.as_str()) }
                }
                @if let Some(l) = &e.locator { span.meta { " · " (l) } }
            }
        }
    }
}

fn dates(from: Option<routes_core::Date>, until: Option<routes_core::Date>) -> Markup {
    html! {
        @match (from, until) {
            (Some(f), Some(u)) => { span.meta { "from " (f) " to " (u) } }
            (Some(f), None) => { span.meta { "from " (f) } }
            (None, Some(u)) => { span.meta { "until " (u) } }
            (None, None) => {}
        }
    }
}

/// `/routes/{cc}/{slug}`: the route with the evidence behind every figure.
#[allow(clippy::too_many_lines, reason = "one page, section by section")]
pub(crate) fn route(site: &Site, r: &Route) -> Markup {
    let n = &r.eligibility.nationality;
    let body = html! {
        h1 { (r.name) }
        p.meta {
            a href={ "/countries/" (r.country.as_str().to_lowercase()) } { (country_name(r.country.as_str())) }
            " · " (r.category.as_str().replace('_', " ")) " · " (r.status.as_str())
            @if !r.codes.is_empty() { " · " (r.codes.join(", ")) }
        }
        @if let Some(o) = &r.official_name {
            p { "Official name: " span lang=(o.language) { (o.text) } }
        }
        @if let Some(s) = &r.summary { p { (s) } }
        p.meta { "Last verified " (r.last_verified) " · review: " (r.review_status.as_str().replace('_', " ")) }

        h2 { "Who may apply" }
        p {
            @match n.scope {
                routes_core::NationalityScope::All => "Open to every nationality.",
                routes_core::NationalityScope::Only => "Only nationals of: ",
                routes_core::NationalityScope::AllExcept => "Every nationality except: ",
                routes_core::NationalityScope::Unknown => span.unknown { "Which nationalities may apply: " (NOT_FOUND) "." },
            }
            (n.countries.iter().map(routes_core::CountryCode::as_str).chain(n.groups.iter().map(String::as_str)).collect::<Vec<_>>().join(", "))
        }
        @if let Some(d) = &n.description { p { (d) } }
        (evidence(r, &n.evidence))
        @if !r.eligibility.exemptions.is_empty() {
            h3 { "Exemptions" }
            @for e in &r.eligibility.exemptions {
                div {
                    p { strong { (e.who.countries.iter().map(routes_core::CountryCode::as_str).chain(e.who.groups.iter().map(String::as_str)).collect::<Vec<_>>().join(", ")) } ": " (e.description) }
                    (evidence(r, &e.evidence))
                }
            }
        }

        h2 { "Requirements" }
        @if r.requirements.is_empty() { p.unknown { "No requirement recorded: " (NOT_FOUND) "." } }
        table {
            @if !r.requirements.is_empty() {
                thead { tr { th { "Requirement" } th { "Figures" } th { "Evidence" } } }
            }
            tbody {
                @for q in &r.requirements {
                    tr class=[q.conflict.as_ref().map(|_| "conflict")] id={ "requirement-" (q.id.as_str()) } {
                        td {
                            strong { (q.kind.as_str().replace('_', " ")) } br;
                            (q.description)
                            @if q.required != Tristate::Yes { br; "required: " (tristate(q.required)) }
                            @if !q.applies_to.is_empty() { br; span.meta { "for: " (q.applies_to.iter().map(routes_core::Slug::as_str).collect::<Vec<_>>().join(", ")) } }
                            @if let Some(c) = &q.conflict { br; span.meta { "sources disagree (" (c.as_str()) "): every value is shown" } }
                            br; (dates(q.effective_from, q.effective_until))
                        }
                        td {
                            @if let Some(m) = &q.money { (money_figures(site, m, q.effective_from.unwrap_or(r.last_verified))) br; }
                            @if let Some(g) = &q.range { (range(g)) br; }
                            @if let Some(l) = &q.language { (l.code) @if let Some(level) = l.level { " " (level.as_str()) } br; }
                            @if q.kind.is_money() && q.money.is_none() { span.unknown { "amount " (NOT_FOUND) } }
                        }
                        td { (evidence(r, &q.evidence)) }
                    }
                }
            }
        }

        h2 { "Documents" }
        @if r.documents.is_empty() { p.unknown { "No document list recorded: " (NOT_FOUND) "." } }
        ul {
            @for d in &r.documents {
                li class=[d.conflict.as_ref().map(|_| "conflict")] {
                    strong { (d.name) }
                    @if d.required != Tristate::Yes { " (required: " (tristate(d.required)) ")" }
                    (evidence(r, &d.evidence))
                }
            }
        }

        h2 { "Duration and path onward" }
        ul {
            @for t in &r.duration.initial_stay { li { "Initial stay: " (range(&t.range)) " " (dates(t.effective_from, t.effective_until)) (evidence(r, &t.evidence)) } }
            @for t in &r.duration.validity { li { "Validity: " (range(&t.range)) " " (dates(t.effective_from, t.effective_until)) (evidence(r, &t.evidence)) } }
            @for t in &r.duration.renewal { li { "Renewable: " (tristate(t.renewable)) @if let Some(term) = &t.term { ", for " (range(term)) } (evidence(r, &t.evidence)) } }
            li { "Leads to permanent residence: " (tristate(r.duration.leads_to_permanent_residence.value)) (evidence(r, &r.duration.leads_to_permanent_residence.evidence)) }
            li { "Leads to citizenship: " (tristate(r.duration.leads_to_citizenship.value)) (evidence(r, &r.duration.leads_to_citizenship.evidence)) }
        }

        h2 { "Fees" }
        @if r.application.fees.is_empty() { p.unknown { "No fee recorded: " (NOT_FOUND) " (which does not mean free)." } }
        ul {
            @for f in &r.application.fees {
                li class=[f.conflict.as_ref().map(|_| "conflict")] {
                    (f.description) ": "
                    @match (&f.money, f.free) {
                        (Some(m), _) => { (money_figures(site, m, f.effective_from.unwrap_or(r.last_verified))) }
                        (None, Some(true)) => "free",
                        _ => span.unknown { "amount " (NOT_FOUND) },
                    }
                    " " (dates(f.effective_from, f.effective_until))
                    (evidence(r, &f.evidence))
                }
            }
        }

        h2 { "Processing time" }
        @if r.application.processing_times.is_empty() { p.unknown { (NOT_FOUND) } }
        ul {
            @for p in &r.application.processing_times {
                li class=[p.conflict.as_ref().map(|_| "conflict")] { (range(&p.range)) " " (dates(p.effective_from, p.effective_until)) (evidence(r, &p.evidence)) }
            }
        }

        h2 { "How to apply" }
        @if r.application.channels.is_empty() { p.unknown { (NOT_FOUND) } }
        ul {
            @for c in &r.application.channels {
                li {
                    @match &c.url { Some(u) => { a href=(u) { (c.name) } }, None => { (c.name) } }
                    " (" (c.kind.as_str().replace('_', " ")) ")"
                    (evidence(r, &c.evidence))
                }
            }
        }

        h2 { "Legal basis" }
        @if r.legal_basis.is_empty() { p.unknown { (NOT_FOUND) } }
        ul {
            @for a in &r.legal_basis {
                li {
                    @match &a.url { Some(u) => { a href=(u) { (a.title) } }, None => { (a.title) } }
                    @if let Some(n) = &a.number { " (" (n) ")" }
                    (evidence(r, &a.evidence))
                }
            }
        }

        h2 { "Sources" }
        table {
            thead { tr { th { "Source" } th { "Tier" } th { "Language" } th { "Published" } th { "Read" } } }
            tbody {
                @for s in &r.sources {
                    tr id={ "source-" (s.id.as_str()) } {
                        td { a href=(s.url) { (s.title) } }
                        td { (s.tier.as_str().replace('_', " ")) }
                        td { (s.language) }
                        td { @match s.published { Some(p) => { (p) }, None => span.unknown { "not printed" } } }
                        td { (s.seen) }
                    }
                }
            }
        }

        @if !r.related.is_empty() {
            h2 { "Related routes" }
            ul {
                @for rel in &r.related {
                    li { a href={ "/routes/" (rel.id.as_str()) } { (rel.id.as_str()) } " (" (rel.relation.as_str().replace('_', " ")) ")" }
                }
            }
        }
        p.meta { a href={ "/routes/" (r.id.as_str()) ".json" } { "This route as JSON" } }
    };
    layout(site, &r.name, &body)
}

/// `/search?q=`: hits grouped by route, the matched words marked.
pub(crate) fn search(
    site: &Site,
    query: &str,
    results: Option<&routes_index::SearchResults>,
    error: Option<&str>,
) -> Markup {
    let body = html! {
        h1 { "Search" }
        (search_form(query))
        @if site.static_files {
            div id="results" {}
            noscript { p.unknown { "This copy of the site searches in the browser, with JavaScript; `routes serve` and `routes search` search without it." } }
            script src="/static/search.js" {}
        }
        @if let Some(e) = error { p.unknown { (e) } }
        @if let Some(res) = results {
            p.meta { (res.hits.len()) " of " (res.total_routes) " matching routes" }
            @if let Some(f) = &res.facets {
                p.meta {
                    "By country: "
                    @for (cc, n) in &f.country { a href={ "/search?q=" (query_param(query)) "&country=" (cc) } { (country_name(&cc.to_uppercase())) } " " (n) " · " }
                }
                p.meta {
                    "By category: "
                    @for (c, n) in &f.category { a href={ "/search?q=" (query_param(query)) "&category=" (c) } { (c.replace('_', " ")) } " " (n) " · " }
                }
            }
            @for hit in &res.hits {
                section.hit {
                    h2 { a href={ "/routes/" (hit.route_id) } { (hit.name) } }
                    p.meta { (country_name(&hit.country)) " · " (hit.category.replace('_', " ")) }
                    ul {
                        @for m in &hit.matches {
                            li {
                                strong { (m.kind) } " " (marked(&m.label, &m.label_highlights))
                                @if !m.snippet.is_empty() && m.snippet != m.label { br; (marked(&m.snippet, &m.highlights)) }
                                @if let Some(s) = &m.source { br; a.meta href=(s) { "source" } }
                            }
                        }
                    }
                }
            }
        }
    };
    layout(site, "Search", &body)
}

/// `text` with the character ranges of `highlights` in `<mark>`, every
/// piece escaped.
fn marked(text: &str, highlights: &[(usize, usize)]) -> Markup {
    let chars: Vec<char> = text.chars().collect();
    let piece = |from: usize, to: usize| -> String {
        chars[from.min(chars.len())..to.min(chars.len()).max(from.min(chars.len()))]
            .iter()
            .collect()
    };
    let mut parts: Vec<(bool, String)> = Vec::new();
    let mut at = 0;
    for &(start, end) in highlights {
        let start = start.max(at);
        if start >= chars.len() {
            break;
        }
        parts.push((false, piece(at, start)));
        parts.push((true, piece(start, end)));
        at = end.max(start);
    }
    parts.push((false, piece(at, chars.len())));
    html! {
        @for (on, text) in parts {
            @if on { mark { (text) } } @else { (text) }
        }
    }
}

/// A page for an address the site does not have.
pub(crate) fn not_found(site: &Site) -> Markup {
    layout(
        site,
        "Not found",
        &html! { h1 { "Not found" } p { "No page here. " a href="/" { "All routes" } } },
    )
}

/// One cell of the compare table: the values of `kind` in a route.
fn requirement_cell(r: &Route, kind: routes_core::RequirementKind) -> Markup {
    let found: Vec<&routes_core::Requirement> = r.requirements.iter().filter(|q| q.kind == kind).collect();
    html! {
        @if found.is_empty() { span.unknown { (NOT_FOUND) } }
        @for q in found {
            div class=[q.conflict.as_ref().map(|_| "conflict")] {
                a href={ "/routes/" (r.id.as_str()) "#requirement-" (q.id.as_str()) } { (q.description) }
                @if let Some(m) = &q.money { br; (money(m)) }
                @if let Some(g) = &q.range { br; (range(g)) }
                " " (dates(q.effective_from, q.effective_until))
            }
        }
    }
}

/// `/compare?ids=a,b`: two to four routes side by side, a row per fact.
pub(crate) fn compare(site: &Site, routes: &[Route], error: Option<&str>) -> Markup {
    let mut kinds: Vec<routes_core::RequirementKind> = routes
        .iter()
        .flat_map(|r| r.requirements.iter().map(|q| q.kind))
        .collect();
    kinds.sort();
    kinds.dedup();
    let body = html! {
        h1 { "Compare routes" }
        @if site.static_files { p.unknown { "Comparing runs on the server: `routes serve`, then /compare?ids=a,b. The JSON of every route is at its address with `.json`." } }
        @if let Some(e) = error { p.unknown { (e) } }
        form action="/compare" method="get" {
            label { "Route ids, separated by commas: " input type="text" name="ids" size="60"; }
            " " button type="submit" { "Compare" }
        }
        @if !routes.is_empty() {
            table.compare {
                thead { tr { th { "" } @for r in routes { th { a href={ "/routes/" (r.id.as_str()) } { (r.name) } } } } }
                tbody {
                    tr { th { "Country" } @for r in routes { td { (country_name(r.country.as_str())) } } }
                    tr { th { "Category" } @for r in routes { td { (r.category.as_str().replace('_', " ")) } } }
                    tr { th { "Status" } @for r in routes { td { (r.status.as_str()) } } }
                    tr { th { "Who may apply" } @for r in routes { td {
                        @match r.eligibility.nationality.scope {
                            routes_core::NationalityScope::Unknown => span.unknown { (NOT_FOUND) },
                            scope => { (scope.as_str().replace('_', " ")) " " (r.eligibility.nationality.countries.iter().map(routes_core::CountryCode::as_str).chain(r.eligibility.nationality.groups.iter().map(String::as_str)).collect::<Vec<_>>().join(", ")) },
                        }
                    } } }
                    @for kind in &kinds {
                        tr { th { (kind.as_str().replace('_', " ")) } @for r in routes { td { (requirement_cell(r, *kind)) } } }
                    }
                    tr { th { "Fees" } @for r in routes { td {
                        @if r.application.fees.is_empty() { span.unknown { (NOT_FOUND) } }
                        @for f in &r.application.fees { div { (f.description) ": " @match &f.money { Some(m) => { (money(m)) }, None => span.unknown { (NOT_FOUND) } } } }
                    } } }
                    tr { th { "Processing time" } @for r in routes { td {
                        @if r.application.processing_times.is_empty() { span.unknown { (NOT_FOUND) } }
                        @for p in &r.application.processing_times { div { (range(&p.range)) } }
                    } } }
                    tr { th { "Initial stay" } @for r in routes { td {
                        @if r.duration.initial_stay.is_empty() { span.unknown { (NOT_FOUND) } }
                        @for t in &r.duration.initial_stay { div { (range(&t.range)) } }
                    } } }
                    tr { th { "Leads to permanent residence" } @for r in routes { td { (tristate(r.duration.leads_to_permanent_residence.value)) } } }
                    tr { th { "Leads to citizenship" } @for r in routes { td { (tristate(r.duration.leads_to_citizenship.value)) } } }
                    tr { th { "Sources" } @for r in routes { td { (r.sources.len()) } } }
                    tr { th { "Last verified" } @for r in routes { td { (r.last_verified) } } }
                }
            }
        }
    };
    layout(site, "Compare routes", &body)
}

/// The fields of the eligibility form: name, label, whether yes/no.
const FORM_FIELDS: &[(&str, &str, bool)] = &[
    (
        "nationality",
        "Nationalities (ISO codes or names, commas between)",
        false,
    ),
    ("age", "Age", false),
    ("income", "Income with its period (4000 EUR/month)", false),
    ("savings", "Savings (25000 EUR)", false),
    ("investment", "Investment (300000 USD)", false),
    ("job_offer", "A job offer in the country", true),
    ("employer_sponsor", "An employer or host sponsors you", true),
    ("remote_work", "You work remotely for employers or clients abroad", true),
    ("work_experience_years", "Years of work experience", false),
    ("health_insurance", "Health insurance for the stay", true),
    ("criminal_record_clean", "A clean criminal record", true),
    ("language", "Languages with CEFR levels (en:C1, de:B1)", false),
    ("family_of", "Family ties (citizen:KZ, resident:DE)", false),
    ("on", "The day asked about (YYYY-MM-DD; today when empty)", false),
];

/// `/eligible`: the form; with answers, the verdicts with their reasons.
pub(crate) fn eligible(
    site: &Site,
    given: &[(String, String)],
    assessments: Option<&[routes_eligibility::Assessment]>,
    error: Option<&str>,
) -> Markup {
    let value = |field: &str| given.iter().find(|(f, _)| f == field).map_or("", |(_, v)| v.as_str());
    let body = html! {
        h1 { "Which routes could I use?" }
        @if site.static_files { p.unknown { "The verdicts are worked out on the server: `routes serve`, or `routes eligible` in a terminal." } }
        p { "Every field is optional: a field left empty is unknown, never “no”, and a route is eligible only when every criterion is met or waived by an exemption." }
        @if let Some(e) = error { p.unknown { (e) } }
        form action="/eligible" method="get" {
            table {
                @for (field, label, yes_no) in FORM_FIELDS {
                    tr {
                        th { label for=(field) { (label) } }
                        td {
                            @if *yes_no {
                                select id=(field) name=(field) {
                                    option value="" selected[value(field).is_empty()] { "not answered" }
                                    option value="yes" selected[value(field) == "yes"] { "yes" }
                                    option value="no" selected[value(field) == "no"] { "no" }
                                }
                            } @else {
                                input type="text" id=(field) name=(field) value=(value(field));
                            }
                        }
                    }
                }
            }
            button type="submit" { "Judge every route" }
        }
        @if let Some(list) = assessments {
            @for verdict in [routes_eligibility::Verdict::Eligible, routes_eligibility::Verdict::Unknown, routes_eligibility::Verdict::NotEligible] {
                @let group: Vec<&routes_eligibility::Assessment> = list.iter().filter(|a| a.verdict == verdict).collect();
                @if !group.is_empty() {
                    h2 { (verdict.as_str().replace('_', " ")) " (" (group.len()) ")" }
                    @for a in group {
                        section.verdict {
                            h3 { a href={ "/routes/" (a.route_id) } { (a.name) } }
                            @if let Some(p) = &a.purpose { p.meta { "as " (p) } }
                            ul {
                                @for c in &a.criteria {
                                    li {
                                        strong { (c.status.as_str().replace('_', " ")) } " "
                                        (c.requirement.as_deref().unwrap_or(&c.kind)) ": " (c.reason)
                                        @if let Some(x) = &c.excerpt { blockquote { (x) } }
                                        @if let Some(s) = &c.source { a.meta href=(s) { "source" } }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    layout(site, "Eligibility", &body)
}

/// The browser-side search of a static copy: every word of the query must
/// be in a route's text (case and diacritics folded); results are built with
/// `textContent`, so no record text becomes markup.
pub(crate) const SEARCH_JS: &str = r"(function () {
  var form = document.querySelector('form.search');
  var box = form.querySelector('input[name=q]');
  var out = document.getElementById('results');
  var fold = function (s) { return s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase(); };
  var data = null;
  function show(q) {
    var words = fold(q).split(/\s+/).filter(Boolean);
    out.textContent = '';
    if (!words.length) { return; }
    var hits = data.filter(function (r) { return words.every(function (w) { return r.folded.indexOf(w) >= 0; }); });
    var p = document.createElement('p');
    p.className = 'meta';
    p.textContent = hits.length + ' matching routes';
    out.appendChild(p);
    var ul = document.createElement('ul');
    hits.slice(0, 50).forEach(function (r) {
      var li = document.createElement('li');
      var a = document.createElement('a');
      a.href = '/routes/' + r.id;
      a.textContent = r.name;
      li.appendChild(a);
      li.appendChild(document.createTextNode(' · ' + r.country + ' · ' + r.category));
      ul.appendChild(li);
    });
    out.appendChild(ul);
  }
  function run() {
    var q = box.value;
    if (data) { show(q); return; }
    fetch('/search-index.json').then(function (r) { return r.json(); }).then(function (d) {
      data = d.map(function (r) { r.folded = fold(r.text); return r; });
      show(q);
    });
  }
  form.addEventListener('submit', function (e) { e.preventDefault(); history.replaceState(null, '', '?q=' + encodeURIComponent(box.value)); run(); });
  var q = new URLSearchParams(location.search).get('q');
  if (q) { box.value = q; run(); }
})();
";

/// The changes grouped by route, in the order of the table.
fn changes_by_route(site: &Site) -> Vec<(&str, Vec<&crate::Change>)> {
    let mut out: Vec<(&str, Vec<&crate::Change>)> = Vec::new();
    for c in &site.changes {
        match out.last_mut() {
            Some((id, list)) if *id == c.route_id => list.push(c),
            _ => out.push((c.route_id.as_str(), vec![c])),
        }
    }
    out
}

/// `/changes`: what changed since the previous release, value by value.
pub(crate) fn changes(site: &Site) -> Markup {
    let grouped = changes_by_route(site);
    let body = html! {
        h1 { "Changes in release " (site.release.version) }
        p { a href="/changes.atom" { "Atom feed" } }
        @if grouped.is_empty() {
            p.unknown { "No change is recorded: this is a dataset's working copy or a first release (a release lists what changed since the one before it)." }
        }
        @for (route, list) in &grouped {
            section {
                h2 {
                    @if route.is_empty() { "Reference data" } @else { a href={ "/routes/" (route) } { (route) } }
                }
                table {
                    thead { tr { th { "Table" } th { "Item" } th { "Field" } th { "Change" } th { "Before" } th { "After" } } }
                    tbody {
                        @for c in list {
                            tr { td { (c.table) } td { (c.item) } td { (c.field) } td { (c.kind) } td { (c.old_value) } td { (c.new_value) } }
                        }
                    }
                }
            }
        }
    };
    layout(site, "Changes", &body)
}

/// `/changes.atom`: an entry per route that changed in this release.
pub(crate) fn changes_atom(site: &Site) -> Markup {
    let updated = format!("{}T00:00:00Z", site.release.date);
    html! {
        (maud::PreEscaped("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"))
        feed xmlns="http://www.w3.org/2005/Atom" {
            title { "routes: changes in release " (site.release.version) }
            id { "urn:routes:changes:" (site.release.version) }
            updated { (updated) }
            link href="/changes" {}
            author { name { "routes" } }
            @for (route, list) in changes_by_route(site) {
                entry {
                    title { @if route.is_empty() { "Reference data" } @else { (route) } ": " (list.len()) " values changed" }
                    id { "urn:routes:changes:" (site.release.version) ":" (route) }
                    updated { (updated) }
                    @if !route.is_empty() { link href={ "/routes/" (route) } {} }
                    summary {
                        @for c in &list { (c.table) " " (c.item) " " (c.field) " " (c.kind) ": " (c.old_value) " → " (c.new_value) "; " }
                    }
                }
            }
        }
    }
}

/// `text` for a URL's query string.
fn query_param(text: &str) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(char::from(b)),
            b' ' => out.push('+'),
            _ => {
                use std::fmt::Write as _;
                let _ = write!(out, "%{b:02X}");
            }
        }
    }
    out
}

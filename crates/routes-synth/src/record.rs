//! One synthetic route record, built from its own random stream.

use rand::Rng;
use rand::seq::IndexedRandom;
use rand_chacha::ChaCha8Rng;
use serde_json::{Map, Value, json};

use crate::vocab::{
    AUDIENCES, BASES, CHANNELS, COMMON_DOCUMENTS, COUNTRIES, Country, GROUPS, LAWS, QUALIFIERS, TOPICS, Topic,
};

/// Distinct names per country: every qualifier, base and audience combined.
pub(crate) const NAMES_PER_COUNTRY: usize = QUALIFIERS.len() * BASES.len() * AUDIENCES.len();

/// Step through the name combinations; coprime with [`NAMES_PER_COUNTRY`], so
/// that the `k`-th route of a country gets a name no other route of it has.
pub(crate) const NAME_STRIDE: usize = 7919;

/// The name parts of the `k`-th route of country `c`: (qualifier, base, audience).
pub(crate) fn name_parts(c: usize, k: usize) -> (usize, usize, usize) {
    let combo = (k * NAME_STRIDE + c * 1009) % NAMES_PER_COUNTRY;
    let q = combo % QUALIFIERS.len();
    let rest = combo / QUALIFIERS.len();
    (q, rest % BASES.len(), rest / BASES.len())
}

/// The name of the `k`-th route of country `c`.
pub(crate) fn route_name(c: usize, k: usize) -> String {
    let (qualifier, base, audience) = name_parts(c, k);
    format!(
        "{} {} for {}",
        QUALIFIERS[qualifier], BASES[base].0, AUDIENCES[audience]
    )
}

/// The kebab-case slug of a name.
pub(crate) fn slug(name: &str) -> String {
    name.split(|ch: char| !ch.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect::<Vec<_>>()
        .join("-")
}

/// The id of the `k`-th route of country `c`.
pub(crate) fn route_id(c: usize, k: usize) -> String {
    format!("{}/{}", COUNTRIES[c].code.to_ascii_lowercase(), slug(&route_name(c, k)))
}

/// A date `YYYY-MM-DD` with a day that every month has.
fn date(year: i32, month: u32, day: u32) -> String {
    format!("{year:04}-{month:02}-{:02}", day.clamp(1, 28))
}

/// A random date between two (year, month) pairs, inclusive.
fn date_between(rng: &mut ChaCha8Rng, from: (i32, u32), to: (i32, u32)) -> String {
    let start = from.0 * 12 + i32::try_from(from.1).unwrap_or(1) - 1;
    let end = to.0 * 12 + i32::try_from(to.1).unwrap_or(1) - 1;
    let m = rng.random_range(start..=end);
    let month = u32::try_from(m.rem_euclid(12)).unwrap_or(0) + 1;
    date(m.div_euclid(12), month, rng.random_range(1..=28))
}

/// Months since year 0 of a `YYYY-MM-DD` date.
fn months(d: &str) -> (i32, u32) {
    let year = d.get(0..4).and_then(|s| s.parse().ok()).unwrap_or(2026);
    let month = d.get(5..7).and_then(|s| s.parse().ok()).unwrap_or(1);
    (year, month)
}

/// `(year, month)` a number of months before `d`.
fn months_before(d: (i32, u32), n: i32) -> (i32, u32) {
    let m = d.0 * 12 + i32::try_from(d.1).unwrap_or(1) - 1 - n;
    (m.div_euclid(12), u32::try_from(m.rem_euclid(12)).unwrap_or(0) + 1)
}

/// Fills `{n}` with a small number.
fn fill(rng: &mut ChaCha8Rng, text: &str) -> String {
    if text.contains("{n}") {
        text.replace("{n}", &rng.random_range(2..=5).to_string())
    } else {
        text.to_owned()
    }
}

/// An amount in US dollars turned into the local currency, rounded to two
/// significant digits as official figures are.
fn local_amount(usd: f64, country: &Country) -> f64 {
    let raw = usd * country.per_usd;
    if raw < 10.0 {
        return raw.round().max(1.0);
    }
    let magnitude = 10f64.powf(raw.log10().floor() - 1.0);
    (raw / magnitude).round() * magnitude
}

/// A JSON number: an integer when the amount is whole, as sources write it.
fn number(x: f64) -> Value {
    #[allow(clippy::cast_possible_truncation, reason = "whole amounts far below 2^53")]
    if x.fract() == 0.0 && x.abs() < 9e15 {
        json!(x as i64)
    } else {
        json!(x)
    }
}

/// An index in `0..weights.len()`, drawn with the given weights.
fn pick_weighted(rng: &mut ChaCha8Rng, weights: &[u32]) -> usize {
    let total: u32 = weights.iter().sum();
    let mut roll = rng.random_range(0..total.max(1));
    for (i, w) in weights.iter().enumerate() {
        if roll < *w {
            return i;
        }
        roll -= w;
    }
    weights.len().saturating_sub(1)
}

/// Evidence pointing at a source, with a locator.
fn evidence(source: &str, locator: &str) -> Value {
    json!([{ "source": source, "locator": locator }])
}

struct Ctx<'a> {
    rng: ChaCha8Rng,
    country: &'a Country,
    /// Source ids of the record; the first is official.
    sources: Vec<String>,
    /// The last date the record was checked.
    last_verified: String,
}

impl Ctx<'_> {
    fn source(&mut self) -> String {
        self.sources.choose(&mut self.rng).cloned().unwrap_or_default()
    }

    fn evidence(&mut self, what: &str) -> Value {
        let source = self.source();
        let n = self.rng.random_range(1..=24);
        evidence(&source, &format!("{what} {n}"))
    }

    /// Money for a requirement of `kind` (local currency; index-linked for some
    /// Kazakh figures).
    fn money(&mut self, kind: &str) -> Value {
        let (usd, period) = match kind {
            "min_income" => (f64::from(self.rng.random_range(6..=40)) * 100.0, "month"),
            "savings" => (f64::from(self.rng.random_range(3..=30)) * 1000.0, "one_off"),
            _ => (f64::from(self.rng.random_range(5..=100)) * 10_000.0, "one_off"),
        };
        if self.country.code == "KZ" && kind != "investment" && self.rng.random_bool(0.5) {
            let multiplier = (usd * 500.0 / 4325.0).round().max(1.0);
            return json!({ "index": "KZ_MCI", "multiplier": number(multiplier), "year": 2026, "period": period });
        }
        let amount = local_amount(usd, self.country);
        let mut money = json!({ "amount": number(amount), "currency": self.country.currency, "period": period });
        if self.country.currency != "EUR" && self.rng.random_bool(0.25) {
            let rate = ((0.92 / self.country.per_usd) * 1e6).round() / 1e6;
            if rate > 0.0 {
                let converted = (amount * rate * 100.0).round() / 100.0;
                let lv = months(&self.last_verified);
                let when = date_between(&mut self.rng, months_before(lv, 6), months_before(lv, 1));
                let source = self.sources[0].clone();
                money["converted"] = json!({ "amount": number(converted), "currency": "EUR", "rate": rate, "date": when, "source": source });
            }
        }
        money
    }

    fn fee(&mut self) -> Value {
        if self.country.code == "KZ" && self.rng.random_bool(0.6) {
            let multiplier = f64::from(self.rng.random_range(1..=20));
            return json!({ "index": "KZ_MCI", "multiplier": number(multiplier), "year": 2026, "period": "one_off" });
        }
        let usd = f64::from(self.rng.random_range(2..=50)) * 10.0;
        json!({ "amount": number(local_amount(usd, self.country)), "currency": self.country.currency, "period": "one_off" })
    }
}

/// Builds the `k`-th route of country `c` from its random stream.
pub(crate) fn build(mut rng: ChaCha8Rng, c: usize, k: usize) -> Value {
    let country = &COUNTRIES[c];
    let cc = country.code.to_ascii_lowercase();
    let (_, base, audience) = name_parts(c, k);
    let name = route_name(c, k);
    let slug = slug(&name);
    let category = BASES[base].1;

    let last_verified = date_between(&mut rng, (2026, 5), (2026, 10));
    let lv = months(&last_verified);

    // Sources: 1 to 4, the first official; URLs are the route's own pages.
    let n_sources = pick_weighted(&mut rng, &[55, 30, 10, 5]) + 1;
    let kinds = [
        ("gov", "official", "Migration service: "),
        ("decree", "official", "Decree on the "),
        ("consular", "official_adjacent", "Consular guide: "),
        ("guide", "third_party", "Relocation guide: "),
    ];
    let mut sources = Vec::new();
    let mut source_ids = Vec::new();
    for (i, (id, tier, title)) in kinds.iter().take(n_sources).enumerate() {
        let host = match *tier {
            "official" => format!("www.migration.gov.{cc}"),
            "official_adjacent" => format!("consular.{cc}.example.org"),
            _ => "www.relocate.example.com".to_owned(),
        };
        let seen = date_between(&mut rng, months_before(lv, 9), lv);
        let mut source = json!({
            "id": id,
            "url": format!("https://{host}/services/{k}-{}", i + 1),
            "title": format!("{title}{}", BASES[base].0),
            "tier": tier,
            "language": if rng.random_bool(0.8) { "en" } else { "fr" },
            "translation": if *tier == "third_party" { "unofficial_translation" } else { "original" },
            "seen": seen,
        });
        if rng.random_bool(0.6) {
            source["published"] = json!(date_between(&mut rng, (2025, 1), months_before(months(&seen), 1)));
        }
        sources.push(source);
        source_ids.push((*id).to_owned());
    }
    let mut ctx = Ctx {
        rng,
        country,
        sources: source_ids,
        last_verified: last_verified.clone(),
    };

    // Topics: 2 to 4, whose words fill the requirements, documents and notes.
    let n_topics = pick_weighted(&mut ctx.rng, &[70, 25, 5]) + 2;
    let topics: Vec<&Topic> = TOPICS.choose_multiple(&mut ctx.rng, n_topics).collect();

    let mut requirements = Vec::new();
    let mut money_kinds: Vec<&str> = Vec::new();
    let mut documents = Vec::new();
    let mut doc_ids: Vec<String> = Vec::new();
    let common = pick_weighted(&mut ctx.rng, &[70, 20, 7, 3]) + 1;
    for (id, doc_name) in COMMON_DOCUMENTS.iter().take(common) {
        let ev = ctx.evidence("item");
        documents.push(json!({ "id": id, "name": doc_name, "required": "yes", "evidence": ev }));
        doc_ids.push((*id).to_owned());
    }
    for topic in &topics {
        let description = topic.requirements.choose(&mut ctx.rng).copied().unwrap_or_default();
        let description = ctx.fill(description);
        let mut req = Map::new();
        req.insert("id".into(), json!(topic.key));
        req.insert("kind".into(), json!(topic.kind));
        req.insert("description".into(), json!(description));
        req.insert("required".into(), json!("yes"));
        let is_money = matches!(topic.kind, "min_income" | "savings" | "investment");
        if is_money && !money_kinds.contains(&topic.kind) {
            money_kinds.push(topic.kind);
            req.insert("money".into(), ctx.money(topic.kind));
            req.insert(
                "effective_from".into(),
                json!(date_between(&mut ctx.rng, (2016, 1), (2026, 6))),
            );
        }
        match topic.kind {
            "work_experience" | "residence_period" => {
                let min = ctx.rng.random_range(1..=10);
                req.insert("range".into(), json!({ "min": min, "max": null, "unit": "years" }));
            }
            _ => {}
        }
        let source = ctx.source();
        let page = ctx.rng.random_range(1..=30);
        let mut ev = json!({ "source": source, "locator": format!("p. {page}") });
        if ctx.rng.random_bool(0.1) && ctx.sources.first() == Some(&source) {
            ev["excerpt"] = json!(description);
        }
        req.insert("evidence".into(), json!([ev]));
        requirements.push(Value::Object(req));

        let n_docs = if ctx.rng.random_bool(0.25) { 2 } else { 1 }.min(topic.documents.len());
        for (j, doc_name) in topic.documents.choose_multiple(&mut ctx.rng, n_docs).enumerate() {
            let id = format!("{}-{}", topic.key, j + 1);
            let doc_name = ctx.fill(doc_name);
            let ev = ctx.evidence("item");
            let mut doc = json!({ "id": id, "name": doc_name, "required": "yes", "evidence": ev });
            if ctx.rng.random_bool(0.15) {
                doc["effective_from"] = json!(date_between(&mut ctx.rng, (2018, 1), (2026, 6)));
            }
            documents.push(doc);
            doc_ids.push(id);
        }
    }
    if ctx.rng.random_bool(0.35) {
        // Not 18 or 21: with locators only and no quote, those are the defaults
        // aggregators fill in (`quality/default-range`), and these records are valid.
        let min = *[16, 17, 19, 20].choose(&mut ctx.rng).unwrap_or(&16);
        let ev = ctx.evidence("p.");
        requirements.push(json!({
            "id": "minimum-age",
            "kind": "age",
            "description": format!("Applicants must be at least {min} years old"),
            "required": "yes",
            "range": { "min": min, "max": null, "unit": "years" },
            "evidence": ev,
        }));
    }
    documents.truncate(12);
    doc_ids.truncate(12);

    // Eligibility: a nationality scope with evidence, sometimes an exemption.
    let others: Vec<&str> = COUNTRIES
        .iter()
        .map(|x| x.code)
        .filter(|x| *x != country.code)
        .collect();
    let scope_roll = ctx.rng.random_range(0..10);
    let ev = ctx.evidence("p.");
    let nationality = if scope_roll < 5 {
        let count = ctx.rng.random_range(2..=6);
        let mut countries: Vec<&str> = others.choose_multiple(&mut ctx.rng, count).copied().collect();
        countries.sort_unstable();
        json!({
            "scope": "only",
            "countries": countries,
            "description": "Nationals of the listed countries",
            "evidence": ev,
        })
    } else if scope_roll < 8 {
        json!({ "scope": "all", "evidence": ev })
    } else {
        let count = ctx.rng.random_range(1..=4);
        let mut countries: Vec<&str> = others.choose_multiple(&mut ctx.rng, count).copied().collect();
        countries.sort_unstable();
        json!({
            "scope": "all_except",
            "countries": countries,
            "description": "All but the listed nationalities",
            "evidence": ev,
        })
    };
    let mut eligibility = json!({ "nationality": nationality });
    if ctx.rng.random_bool(0.2)
        && let Some(doc) = doc_ids
            .iter()
            .find(|d| !COMMON_DOCUMENTS.iter().any(|(id, _)| id == *d))
    {
        let group = GROUPS.choose(&mut ctx.rng).copied().unwrap_or("EAEU");
        let ev = ctx.evidence("p.");
        let doc_name = documents
            .iter()
            .find(|d| d["id"] == json!(doc))
            .and_then(|d| d["name"].as_str())
            .unwrap_or_default()
            .to_lowercase();
        eligibility["exemptions"] = json!([{
            "who": { "groups": [group] },
            "description": format!("Citizens of {group} states do not hand in the {doc_name}"),
            "documents": [doc],
            "evidence": ev,
        }]);
    }

    // Duration.
    let visa = BASES[base].0.contains("visa");
    let initial = if visa {
        let days = *[30, 60, 90, 180, 365].choose(&mut ctx.rng).unwrap_or(&90);
        let entries = if ctx.rng.random_bool(0.5) { "single" } else { "multiple" };
        let ev = ctx.evidence("p.");
        json!({ "range": { "max": days, "unit": "days" }, "entries": entries, "evidence": ev })
    } else {
        let years = ctx.rng.random_range(1..=5);
        let ev = ctx.evidence("p.");
        json!({ "range": { "max": years, "unit": "years" }, "evidence": ev })
    };
    let renewable = ["yes", "no", "unknown"][pick_weighted(&mut ctx.rng, &[40, 20, 40])];
    let mut renewal = json!({ "renewable": renewable });
    if renewable == "yes" {
        let term = ctx.rng.random_range(1..=5);
        renewal["times"] = json!(ctx.rng.random_range(1..=3));
        renewal["term"] = json!({ "min": term, "max": term, "unit": "years" });
    }
    if renewable != "unknown" {
        renewal["evidence"] = ctx.evidence("p.");
    }
    let duration = json!({
        "initial_stay": [initial],
        "renewal": [renewal],
        "leads_to_permanent_residence": ctx.claim(),
        "leads_to_citizenship": ctx.claim(),
    });

    // Application: channels, processing times, fees.
    let n_channels = if ctx.rng.random_bool(0.15) { 2 } else { 1 };
    let mut channels = Vec::new();
    for (kind, channel_name) in CHANNELS.choose_multiple(&mut ctx.rng, n_channels) {
        let ev = ctx.evidence("p.");
        let mut channel = json!({ "kind": kind, "name": channel_name, "evidence": ev });
        if *kind == "online_portal" {
            channel["url"] = json!(format!("https://evisa.gov.{cc}/apply"));
        }
        channels.push(channel);
    }
    let max = ctx.rng.random_range(5..=90);
    let unit = if max <= 30 { "working_days" } else { "days" };
    let ev = ctx.evidence("p.");
    let mut processing = vec![json!({ "range": { "max": max, "unit": unit }, "evidence": ev })];
    if ctx.rng.random_bool(0.15) {
        let ev = ctx.evidence("p.");
        processing[0]["conflict"] = json!("decision-time");
        processing.push(json!({
            "range": { "max": max + 10, "unit": unit },
            "evidence": ev,
            "conflict": "decision-time",
            "note": "an older figure from another source",
        }));
    }
    let mut fees = Vec::new();
    let money = ctx.fee();
    let ev = ctx.evidence("p.");
    fees.push(json!({ "description": "State fee", "money": money, "evidence": ev }));
    if ctx.rng.random_bool(0.2) {
        let ev = ctx.evidence("p.");
        fees.push(json!({
            "description": "Service of the public service centre",
            "money": null,
            "free": true,
            "evidence": ev,
            "note": "free of charge",
        }));
    }

    // Legal basis: issued long before the sources were published.
    let n_laws = if ctx.rng.random_bool(0.25) { 2 } else { 1 };
    let mut legal_basis = Vec::new();
    for title in LAWS.choose_multiple(&mut ctx.rng, n_laws) {
        let issued = date_between(&mut ctx.rng, (2005, 1), (2020, 12));
        let number = ctx.rng.random_range(10..=999).to_string();
        let ev = ctx.evidence("Art.");
        let mut act = json!({ "title": title, "number": number, "issued": issued, "evidence": ev });
        if ctx.rng.random_bool(0.3) {
            act["url"] = json!(format!("https://law.gov.{cc}/acts/{number}"));
        }
        if ctx.rng.random_bool(0.3) {
            let when = date_between(&mut ctx.rng, (2021, 1), (2024, 12));
            act["amendments"] = json!([{ "number": ctx.rng.random_range(10..=999).to_string(), "date": when }]);
        }
        legal_basis.push(act);
    }

    // Notes: the topics again, and once in a while a word of another topic.
    let mut notes = Vec::new();
    for topic in topics.iter().take(1) {
        let text = topic.notes.choose(&mut ctx.rng).copied().unwrap_or_default();
        let text = ctx.fill(text);
        let ev = ctx.evidence("p.");
        notes.push(json!({ "text": text, "evidence": ev }));
    }
    if ctx.rng.random_bool(0.05)
        && let Some(stray) = TOPICS.choose(&mut ctx.rng)
        && let Some(text) = stray.notes.first()
    {
        let text = ctx.fill(text);
        let ev = ctx.evidence("p.");
        notes.push(json!({ "text": text, "evidence": ev }));
    }

    let topic_words: Vec<String> = topics.iter().map(|t| t.key.replace('-', " ")).collect();
    let summary = format!(
        "For {} under a {}: {}.",
        AUDIENCES[audience],
        BASES[base].0,
        topic_words.join(", ")
    );

    let mut route = Map::new();
    route.insert("schema_version".into(), json!(1));
    route.insert("id".into(), json!(format!("{cc}/{slug}")));
    route.insert("country".into(), json!(country.code));
    route.insert("name".into(), json!(name));
    if ctx.rng.random_bool(0.7) {
        let letter = category.chars().next().unwrap_or('x').to_ascii_uppercase();
        route.insert(
            "codes".into(),
            json!([format!("{letter}{}-{}", k / 10 + 1, k % 10 + 1)]),
        );
    }
    route.insert("category".into(), json!(category));
    let status = if ctx.rng.random_bool(0.9) {
        "active"
    } else {
        "suspended"
    };
    route.insert("status".into(), json!(status));
    route.insert("summary".into(), json!(summary));
    route.insert("eligibility".into(), eligibility);
    route.insert("requirements".into(), Value::Array(requirements));
    route.insert("duration".into(), duration);
    route.insert("documents".into(), Value::Array(documents));
    route.insert(
        "application".into(),
        json!({ "channels": channels, "processing_times": processing, "fees": fees }),
    );
    route.insert("legal_basis".into(), Value::Array(legal_basis));
    route.insert("sources".into(), Value::Array(sources));
    route.insert("last_verified".into(), json!(last_verified));
    route.insert("review_status".into(), json!("under_review"));
    if k > 0 && ctx.rng.random_bool(0.3) {
        route.insert(
            "related".into(),
            json!([{ "id": route_id(c, k - 1), "relation": "alternative" }]),
        );
    }
    route.insert("notes".into(), Value::Array(notes));
    Value::Object(route)
}

impl Ctx<'_> {
    fn fill(&mut self, text: &str) -> String {
        fill(&mut self.rng, text)
    }

    /// A yes/no claim, with evidence unless it is unknown.
    fn claim(&mut self) -> Value {
        let value = ["yes", "no", "unknown", "unknown"][pick_weighted(&mut self.rng, &[30, 20, 50])];
        if value == "unknown" {
            json!({ "value": value })
        } else {
            let ev = self.evidence("section");
            json!({ "value": value, "evidence": ev })
        }
    }
}

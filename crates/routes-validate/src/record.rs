//! The `record` rule family: what a JSON Schema cannot express within one
//! record (ids matching paths, evidence naming a source of the record, ISO
//! codes, dates not in the future, ranges, URLs, conflict and combination
//! groups, control characters), the record that cannot be typed, and the two
//! rules across records (unique ids, `related` ids that exist).

use std::collections::{BTreeMap, HashSet};

use routes_core::{Money, Route, Slug};
use routes_diagnostics::Diagnostic;

use crate::facts::{Fact, Kind, Message, Pending};
use crate::place::Place;
use crate::rule::{E, Rule, rule};
use crate::view::{Ptr, conflicts, evidence_lists, money, ranges};

/// The `record` rules.
pub(crate) static RULES: &[Rule] = &[
    rule!(
        "record/bad-url",
        E,
        "A URL is not an absolute http(s) URL with a host",
        "Sources must be reachable by a reader.",
        "\"url\": \"gov.kz/services/4631\""
    ),
    rule!(
        "record/combination-mismatch",
        E,
        "The requirements of one combination group are met in different ways",
        "A group is either cumulative (`meet: all`) or a choice (`meet: any`); a group that says both cannot be checked, and an eligibility verdict would have to guess.",
        "`combination: {group: invest, meet: any}` on one requirement and `{group: invest, meet: all}` on another"
    ),
    rule!(
        "record/control-character",
        E,
        "A text holds a control character or a bidirectional override",
        "Control characters (C0 but a line feed in long text, DEL, C1) are invisible in most views, rewrite what a terminal shows (ESC clears the screen) and break the readers of the published CSV (NUL); bidirectional overrides and isolates (U+202A to U+202E, U+2066 to U+2069) make a reader see other text than programs read. Line feeds are allowed only in summaries, descriptions, notes and excerpts; tabs nowhere.",
        "\"name\": \"Work visa\\u001b[2J\"  (U+001B ESCAPE)"
    ),
    rule!(
        "record/dangling-evidence",
        E,
        "Evidence names a source the record does not list",
        "Every claim must lead to a source with its URL, tier and date.",
        "\"evidence\": [{\"source\": \"seed-page\"}] with no source `seed-page`"
    ),
    rule!(
        "record/dangling-exemption",
        E,
        "An exemption waives a requirement or document id that does not exist",
        "The waiver must point at what it waives.",
        "\"exemptions\": [{\"documents\": [\"insurance-copy\"], ...}] with no such document"
    ),
    rule!(
        "record/dangling-related",
        E,
        "A related route id does not exist in the records read",
        "Links between routes must resolve.",
        "\"related\": [{\"id\": \"kz/no-such-route\", \"relation\": \"leads_to\"}]"
    ),
    rule!(
        "record/dangling-superseded",
        E,
        "`superseded_by` names no other requirement or document of the record",
        "A value of an earlier time points at the value that replaced it; the pointer must lead somewhere else in the same list.",
        "{\"id\": \"min-salary-2023\", \"superseded_by\": \"min-salary-2042\", ...} with no such requirement"
    ),
    rule!(
        "record/duplicate-id",
        E,
        "Two records have the same route id",
        "Ids key every table of a release.",
        "two records with `\"id\": \"kz/c2-visa\"`"
    ),
    rule!(
        "record/duplicate-local-id",
        E,
        "Two sources, requirements or documents of one record share an id",
        "Evidence and exemptions refer to them by id.",
        "two sources with `\"id\": \"gov-kz\"`"
    ),
    rule!(
        "record/future-date",
        E,
        "A date something was seen, published, issued or checked lies in the future",
        "Usually a typo in the year or month.",
        "\"seen\": \"2027-01-15\""
    ),
    rule!(
        "record/id-country-mismatch",
        E,
        "The id's country part differs from `country`",
        "The id says which country runs the route.",
        "\"id\": \"kz/visa\", \"country\": \"RU\""
    ),
    rule!(
        "record/id-path-mismatch",
        E,
        "The id differs from the file path",
        "`kz/c2-visa` lives in `routes/kz/c2-visa.json`, so ids stay unique and findable.",
        "id `kz/other` in `kz/c2-visa.json`"
    ),
    rule!(
        "record/lonely-combination",
        E,
        "A combination group has one requirement",
        "A combination says how requirements add up (all of them apply, or one suffices); a group of one adds up with nothing, and is almost always a misspelt group name.",
        "one requirement with `combination: {group: invest, meet: any}`"
    ),
    rule!(
        "record/lonely-conflict",
        E,
        "A conflict group has one value",
        "A conflict needs at least two values.",
        "one processing time with `conflict: decision-time`"
    ),
    rule!(
        "record/range-inverted",
        E,
        "`min` is above `max`",
        "Swapped bounds.",
        "\"range\": {\"min\": 65, \"max\": 18, \"unit\": \"years\"}"
    ),
    rule!(
        "record/related-self",
        E,
        "A route lists itself as related",
        "A link to itself says nothing.",
        "\"id\": \"kz/a\", \"related\": [{\"id\": \"kz/a\", ...}]"
    ),
    rule!(
        "record/unknown-country",
        E,
        "A country code is not an assigned ISO 3166-1 alpha-2 code",
        "Codes are checked against the `celes` crate's ISO 3166-1 table.",
        "\"countries\": [\"XX\"]",
        "DQ17"
    ),
    rule!(
        "record/unknown-currency",
        E,
        "A currency code is not an active ISO 4217 code",
        "Codes are checked against the `iso_currency` crate's ISO 4217 table.",
        "\"currency\": \"XYZ\"",
        "DQ10"
    ),
    rule!(
        "record/untyped",
        E,
        "A record that does not satisfy the schema while `routes.toml` lowers or silences the findings that say why",
        "A record that cannot be typed cannot be published; it would drop out of a release silently (and links to it would dangle), so it is an error whatever the settings.",
        "[severity]\n\"schema/<keyword>\" = \"off\"   # and a record with \"category\": \"tourism\""
    ),
    rule!(
        "record/validity-inverted",
        E,
        "A value's `effective_until` is before its `effective_from`",
        "Both dates are inclusive days of the value's validity; an end before the start is a typing error that makes \"which rule applied on date D\" unanswerable.",
        "{\"effective_from\": \"2024-01-01\", \"effective_until\": \"2023-11-17\", ...}",
        "DQ8"
    ),
];

/// The rules that look at one record.
pub(crate) fn record_rules(route: &Route, place: &Place<'_>, today: jiff::civil::Date) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    identity(route, place, &mut out);
    codes(route, place, &mut out);
    dates(route, place, today, &mut out);
    for (pointer, range) in ranges(route) {
        if let (Some(min), Some(max)) = (range.min, range.max)
            && min > max
        {
            out.push(place.error(
                "record/range-inverted",
                &format!("{pointer}/min"),
                "min is above max",
                format!("`min` {min} is above `max` {max}"),
                "swap the bounds, or check the source again",
            ));
        }
    }
    urls(route, place, &mut out);
    references(route, place, &mut out);
    validity(route, place, &mut out);
    control_characters(route, place, &mut out);
    out
}

/// An item that carries a validity period.
struct Period<'r> {
    pointer: Ptr,
    from: Option<routes_core::Date>,
    until: Option<routes_core::Date>,
    /// The item's own id and list, and the id that replaced it, for
    /// requirements and documents.
    replaced: Option<(&'static str, &'r str, &'r routes_core::Slug)>,
}

fn validity_periods(route: &Route) -> Vec<Period<'_>> {
    let mut out = Vec::new();
    let mut push = |pointer: Ptr, from, until, replaced| {
        out.push(Period {
            pointer,
            from,
            until,
            replaced,
        });
    };
    for (i, r) in route.requirements.iter().enumerate() {
        let replaced = r.superseded_by.as_ref().map(|by| ("requirements", r.id.as_str(), by));
        push(
            Ptr::item("/requirements", i, ""),
            r.effective_from,
            r.effective_until,
            replaced,
        );
    }
    for (i, d) in route.documents.iter().enumerate() {
        let replaced = d.superseded_by.as_ref().map(|by| ("documents", d.id.as_str(), by));
        push(
            Ptr::item("/documents", i, ""),
            d.effective_from,
            d.effective_until,
            replaced,
        );
    }
    let d = &route.duration;
    for (head, terms) in [
        ("/duration/initial_stay", &d.initial_stay),
        ("/duration/validity", &d.validity),
    ] {
        for (i, t) in terms.iter().enumerate() {
            push(Ptr::item(head, i, ""), t.effective_from, t.effective_until, None);
        }
    }
    for (i, r) in d.renewal.iter().enumerate() {
        push(
            Ptr::item("/duration/renewal", i, ""),
            r.effective_from,
            r.effective_until,
            None,
        );
    }
    let a = &route.application;
    for (i, p) in a.processing_times.iter().enumerate() {
        push(
            Ptr::item("/application/processing_times", i, ""),
            p.effective_from,
            p.effective_until,
            None,
        );
    }
    for (i, f) in a.fees.iter().enumerate() {
        push(
            Ptr::item("/application/fees", i, ""),
            f.effective_from,
            f.effective_until,
            None,
        );
    }
    out
}

/// Validity periods run forwards, and `superseded_by` names another item of
/// the same list.
fn validity(route: &Route, place: &Place<'_>, out: &mut Vec<Diagnostic>) {
    for period in validity_periods(route) {
        if let (Some(from), Some(until)) = (period.from, period.until)
            && until < from
        {
            out.push(place.error(
                "record/validity-inverted",
                &format!("{}/effective_until", period.pointer),
                "ends before it starts",
                format!("`effective_until` {until} is before `effective_from` {from}"),
                "both dates are inclusive: the first day the value held and the last; check the sources again",
            ));
        }
        let Some((list, own, by)) = period.replaced else {
            continue;
        };
        let exists = if list == "requirements" {
            route.requirements.iter().any(|r| r.id == *by)
        } else {
            route.documents.iter().any(|d| d.id == *by)
        };
        let why = if by.as_str() == own {
            format!("`superseded_by` names the item itself (`{by}`)")
        } else if exists {
            continue;
        } else {
            format!("`superseded_by` names `{by}`, which is not an id in `{list}`")
        };
        out.push(place.error(
            "record/dangling-superseded",
            &format!("{}/superseded_by", period.pointer),
            "no such entry",
            why,
            format!("use the id of the entry of `{list}` that replaced this one"),
        ));
    }
}

fn identity(route: &Route, place: &Place<'_>, out: &mut Vec<Diagnostic>) {
    if place.rec.whole_file {
        let path = place.rec.path;
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
        let parent = path
            .parent()
            .and_then(|p| p.file_name())
            .and_then(|s| s.to_str())
            .unwrap_or_default();
        let expected = format!("{parent}/{stem}");
        if route.id.as_str() != expected {
            out.push(place.error(
                "record/id-path-mismatch",
                "/id",
                "does not match the file path",
                format!("id `{}` does not match the file path, which gives `{expected}`", route.id),
                format!("a record lives at `routes/<country>/<slug>.json` with id `<country>/<slug>`: rename the file to `{}.json` or set the id to `{expected}`", route.id.slug_part()),
            ));
        }
    }
    let country = route.country.as_str().to_ascii_lowercase();
    if route.id.country_part() != country {
        out.push(place.error(
            "record/id-country-mismatch",
            "/id",
            "country part differs",
            format!(
                "id `{}` starts with `{}` but `country` is `{}`",
                route.id,
                route.id.country_part(),
                route.country
            ),
            format!("start the id with `{country}/`"),
        ));
    }
    for (i, r) in route.related.iter().enumerate() {
        if r.id == route.id {
            out.push(place.error(
                "record/related-self",
                &format!("/related/{i}/id"),
                "this record",
                format!("route `{}` lists itself as related", r.id),
                "remove the entry",
            ));
        }
    }
}

fn codes(route: &Route, place: &Place<'_>, out: &mut Vec<Diagnostic>) {
    let mut countries = vec![(Ptr::at("/country"), &route.country)];
    let nat = &route.eligibility.nationality;
    countries.extend(
        nat.countries
            .iter()
            .enumerate()
            .map(|(i, c)| (Ptr::item("/eligibility/nationality/countries", i, ""), c)),
    );
    for (e, ex) in route.eligibility.exemptions.iter().enumerate() {
        countries.extend(
            ex.who
                .countries
                .iter()
                .enumerate()
                .map(|(i, c)| (Ptr::item2("/eligibility/exemptions", e, "/who/countries", i, ""), c)),
        );
    }
    for (pointer, code) in countries {
        if celes::Country::from_alpha2(code.as_str()).is_err() {
            out.push(place.error(
                "record/unknown-country",
                &pointer.to_string(),
                "not an ISO 3166-1 code",
                format!("`{code}` is not an assigned ISO 3166-1 alpha-2 country code"),
                "use the two-letter code of the country, such as `KZ` for Kazakhstan or `GB` for the United Kingdom",
            ));
        }
    }
    for (pointer, m) in money(route) {
        if let Money::Fixed(fixed) = m {
            let mut currencies = vec![(format!("{pointer}/currency"), &fixed.currency)];
            if let Some(conv) = &fixed.converted {
                currencies.push((format!("{pointer}/converted/currency"), &conv.currency));
            }
            for (pointer, code) in currencies {
                if iso_currency::Currency::from_code(code.as_str()).is_none()
                    && crate::currency::withdrawn(code.as_str()).is_none()
                {
                    out.push(place.error(
                        "record/unknown-currency",
                        &pointer,
                        "not an ISO 4217 code",
                        format!("`{code}` is not an active ISO 4217 currency code"),
                        "use the three-letter code, such as `KZT`, `USD` or `EUR`",
                    ));
                }
            }
        }
    }
}

fn dates(route: &Route, place: &Place<'_>, today: jiff::civil::Date, out: &mut Vec<Diagnostic>) {
    // Observation dates: when something was seen, published or checked. Effective
    // dates of laws may lie ahead and are not listed here.
    let mut observed = vec![(Ptr::at("/last_verified"), route.last_verified)];
    for (i, s) in route.sources.iter().enumerate() {
        observed.push((Ptr::item("/sources", i, "/seen"), s.seen));
        if let Some(p) = s.published {
            observed.push((Ptr::item("/sources", i, "/published"), p));
        }
        if let Some(r) = s.snapshot.as_ref().and_then(|snap| snap.retrieved) {
            observed.push((Ptr::item("/sources", i, "/snapshot/retrieved"), r));
        }
    }
    let mut converted = Vec::new();
    for (pointer, m) in money(route) {
        if let Money::Fixed(f) = m
            && let Some(c) = &f.converted
        {
            converted.push((pointer, c.date));
        }
    }
    for (i, act) in route.legal_basis.iter().enumerate() {
        if let Some(d) = act.issued {
            observed.push((Ptr::item("/legal_basis", i, "/issued"), d));
        }
        for (j, a) in act.amendments.iter().enumerate() {
            observed.push((Ptr::item2("/legal_basis", i, "/amendments", j, "/date"), a.date));
        }
    }
    // Pointers are written out only for the dates that are found ahead.
    let future = |pointer: String, date: &dyn std::fmt::Display| {
        place.error(
            "record/future-date",
            &pointer,
            "in the future",
            format!("date {date} is after today ({today})"),
            "a date that something was seen, published, issued or checked cannot lie ahead: check the year and month",
        )
    };
    for (pointer, date) in observed.into_iter().filter(|(_, date)| date.civil() > today) {
        out.push(future(pointer.to_string(), &date));
    }
    for (pointer, date) in converted.into_iter().filter(|(_, date)| date.civil() > today) {
        out.push(future(format!("{pointer}/converted/date"), &date));
    }
}

fn urls(route: &Route, place: &Place<'_>, out: &mut Vec<Diagnostic>) {
    let mut all = Vec::new();
    for (i, s) in route.sources.iter().enumerate() {
        all.push((Ptr::item("/sources", i, "/url"), s.url.as_str()));
        all.extend(
            s.aliases
                .iter()
                .enumerate()
                .map(|(j, a)| (Ptr::item2("/sources", i, "/aliases", j, ""), a.as_str())),
        );
    }
    for (i, c) in route.application.channels.iter().enumerate() {
        if let Some(u) = &c.url {
            all.push((Ptr::item("/application/channels", i, "/url"), u.as_str()));
        }
    }
    for (i, l) in route.legal_basis.iter().enumerate() {
        if let Some(u) = &l.url {
            all.push((Ptr::item("/legal_basis", i, "/url"), u.as_str()));
        }
    }
    for (pointer, raw) in all {
        // A plain URL with a dotted host parses, and is fine as it is.
        if crate::words::plain_url(raw).is_some_and(|(host, _)| host.contains('.')) {
            continue;
        }
        let problem = match url::Url::parse(raw) {
            Err(err) => Some(format!("`{raw}` is not a valid URL: {err}")),
            Ok(u) if !matches!(u.scheme(), "http" | "https") => Some(format!("`{raw}` is not an http(s) URL")),
            Ok(u) if u.host_str().is_none_or(|h| !h.contains('.')) => Some(format!("`{raw}` has no full host name")),
            Ok(_) if raw.chars().any(char::is_whitespace) => Some(format!("`{raw}` contains white space")),
            Ok(_) => None,
        };
        if let Some(message) = problem {
            out.push(place.error(
                "record/bad-url",
                &pointer.to_string(),
                "not an absolute http(s) URL",
                message,
                "give the full address as the browser shows it, starting with `https://` or `http://`",
            ));
        }
    }
}

fn references(route: &Route, place: &Place<'_>, out: &mut Vec<Diagnostic>) {
    // The ids of one list, in order; a repeat is a finding (pointers are
    // written only then: most records have none).
    let unique = |label: &str, list: &str, ids: &[&Slug], out: &mut Vec<Diagnostic>| {
        for (i, id) in ids.iter().enumerate() {
            if let Some(first) = ids[..i].iter().position(|earlier| earlier == id) {
                out.push(place.error(
                    "record/duplicate-local-id",
                    &format!("/{list}/{i}/id"),
                    "used before",
                    format!("{label} id `{id}` is used twice in this record (first at `/{list}/{first}/id`)"),
                    format!("give each {label} its own id"),
                ));
            }
        }
    };
    let source_ids: Vec<&Slug> = route.sources.iter().map(|s| &s.id).collect();
    let requirement_ids: Vec<&Slug> = route.requirements.iter().map(|r| &r.id).collect();
    let document_ids: Vec<&Slug> = route.documents.iter().map(|d| &d.id).collect();
    unique("source", "sources", &source_ids, out);
    unique("requirement", "requirements", &requirement_ids, out);
    unique("document", "documents", &document_ids, out);
    let requirements: HashSet<&str> = requirement_ids.iter().map(|id| id.as_str()).collect();
    let documents: HashSet<&str> = document_ids.iter().map(|id| id.as_str()).collect();

    let lists_source = |source: &Slug| source_ids.contains(&source);
    let dangling = |pointer: String, source: &Slug, out: &mut Vec<Diagnostic>| {
        // The sources the record lists, in its order, each once.
        let mut names: Vec<&str> = Vec::new();
        for id in &source_ids {
            if !names.contains(&id.as_str()) {
                names.push(id.as_str());
            }
        }
        let known = names.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(", ");
        out.push(place.error(
            "record/dangling-evidence",
            &pointer,
            "no such source",
            format!("evidence names source `{source}`, which this record does not list"),
            format!("add a source with id `{source}` to `sources`, or name one of {known}"),
        ));
    };
    for (pointer, list) in evidence_lists(route) {
        for (i, e) in list.iter().enumerate() {
            if !lists_source(&e.source) {
                dangling(format!("{pointer}/{i}/source"), &e.source, out);
            }
        }
    }
    for (pointer, m) in money(route) {
        if let Money::Fixed(f) = m
            && let Some(c) = &f.converted
            && !lists_source(&c.source)
        {
            dangling(format!("{pointer}/converted/source"), &c.source, out);
        }
    }
    for (e, ex) in route.eligibility.exemptions.iter().enumerate() {
        for (kind, ids, known) in [
            ("requirements", &ex.requirements, &requirements),
            ("documents", &ex.documents, &documents),
        ] {
            for (i, id) in ids.iter().enumerate() {
                if !known.contains(id.as_str()) {
                    out.push(place.error(
                        "record/dangling-exemption",
                        &format!("/eligibility/exemptions/{e}/{kind}/{i}"),
                        "no such entry",
                        format!("exemption waives `{id}`, which is not an id in `{kind}`"),
                        format!("use the id of an entry of `{kind}`"),
                    ));
                }
            }
        }
    }
    let mut groups: BTreeMap<&str, Vec<crate::view::Ptr>> = BTreeMap::new();
    for (pointer, group) in conflicts(route) {
        groups.entry(group.as_str()).or_default().push(pointer);
    }
    for (group, pointers) in groups {
        if let [only] = pointers.as_slice() {
            out.push(place.error(
                "record/lonely-conflict",
                &only.to_string(),
                "no other value in this group",
                format!("conflict group `{group}` has a single value"),
                "a conflict group marks values of one fact that sources disagree on: give every disagreeing value the same group, or remove the mark",
            ));
        }
    }
    combinations(route, place, out);
}

/// A combination group joins two or more requirements, all met the same way.
fn combinations(route: &Route, place: &Place<'_>, out: &mut Vec<Diagnostic>) {
    let mut groups: BTreeMap<&str, Vec<(usize, routes_core::Meet)>> = BTreeMap::new();
    for (i, r) in route.requirements.iter().enumerate() {
        if let Some(c) = &r.combination {
            groups.entry(c.group.as_str()).or_default().push((i, c.meet));
        }
    }
    for (group, members) in groups {
        let [(first, meet), rest @ ..] = members.as_slice() else {
            continue;
        };
        if rest.is_empty() {
            out.push(place.error(
                "record/lonely-combination",
                &format!("/requirements/{first}/combination/group"),
                "no other requirement in this group",
                format!("combination group `{group}` has a single requirement"),
                "a combination joins two or more requirements that add up: give each of them the same `group`, or remove `combination`",
            ));
        }
        for (i, other) in rest {
            if other != meet {
                out.push(place.error(
                    "record/combination-mismatch",
                    &format!("/requirements/{i}/combination/meet"),
                    "met another way",
                    format!(
                        "combination group `{group}` is `meet: {other}` here but `meet: {meet}` at `/requirements/{first}`"
                    ),
                    "a group is met one way: `all` when each requirement applies, `any` when one suffices; split the requirements into two groups if both hold",
                ));
            }
        }
    }
}

/// Every string of the route that holds a control character or a
/// bidirectional override or isolate (a line feed is allowed in long text:
/// `routes_core::text::LONG_TEXT_FIELDS`): one finding per string, naming the
/// first such character.
fn control_characters(route: &Route, place: &Place<'_>, out: &mut Vec<Diagnostic>) {
    // In JSON text a string holds such a character only as an escape (`\n`,
    // `\u001b`: raw ones are not JSON) or as UTF-8 starting with 0x7f, 0xc2
    // (U+0080–U+00BF) or 0xe2 (U+2000–U+2FFF, the bidirectional ones). A
    // text with none of these bytes has none to find: skip the walk.
    let text = place.rec.text.as_bytes();
    if memchr::memchr3(b'\\', 0xc2, 0xe2, text).is_none() && memchr::memchr(0x7f, text).is_none() {
        return;
    }
    let mut walker = strings::Walker::default();
    // The walk cannot fail: it only reads the strings the route serialises.
    if serde::Serialize::serialize(route, &mut walker).is_err() {
        return;
    }
    for found in walker.found {
        let name = routes_core::text::CharName(found.char);
        let field = found
            .pointer
            .rsplit('/')
            .find(|p| !p.chars().all(|c| c.is_ascii_digit()))
            .unwrap_or("text");
        let more = match found.count {
            1 => String::new(),
            2 => " and 1 more such character".to_owned(),
            n => format!(" and {} more such characters", n - 1),
        };
        let hint = match found.char {
            '\n' => "this text is one line (line breaks are allowed only in long text: summaries, descriptions, notes and excerpts): replace the line break with a space".to_owned(),
            '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => "bidirectional overrides and isolates reorder what a reader sees without changing what programs read (\"Trojan Source\"): remove them; right-to-left text shows correctly without them".to_owned(),
            '\t' => "a tab shows differently in every view and splits table cells: write a space".to_owned(),
            _ => "control characters are invisible in most views, can rewrite what a terminal shows (ESC starts a command) and break CSV readers (NUL): remove it, or write the character it stands for".to_owned(),
        };
        out.push(place.error(
            "record/control-character",
            &found.pointer,
            &format!("holds {name}"),
            format!("`{field}` holds {name} at character {}{more}", found.index + 1),
            hint,
        ));
    }
}

/// A serde `Serializer` that walks every string of a value with its JSON
/// pointer, without building the JSON.
mod strings {
    use std::fmt;

    use routes_core::text;
    use serde::Serialize;
    use serde::ser::{self, Impossible};

    /// A string that holds a character with no place in it.
    pub(super) struct Found {
        pub(super) pointer: String,
        /// Index in characters of the first such character.
        pub(super) index: usize,
        pub(super) char: char,
        /// How many such characters the string holds.
        pub(super) count: usize,
    }

    enum Segment {
        Key(&'static str),
        Owned(String),
        Index(usize),
    }

    /// The walk: the path to the value being serialised, and what it found.
    #[derive(Default)]
    pub(super) struct Walker {
        path: Vec<Segment>,
        pub(super) found: Vec<Found>,
    }

    impl Walker {
        fn pointer(&self) -> String {
            let mut out = String::new();
            for segment in &self.path {
                out.push('/');
                match segment {
                    Segment::Key(k) => out.push_str(k),
                    Segment::Owned(k) => out.push_str(&k.replace('~', "~0").replace('/', "~1")),
                    Segment::Index(i) => out.push_str(&i.to_string()),
                }
            }
            out
        }

        fn check(&mut self, value: &str) {
            // Fast path: every character in question starts with one of these bytes.
            if !value.bytes().any(|b| b < 0x20 || b == 0x7f || b == 0xc2 || b == 0xe2) {
                return;
            }
            let pointer = self.pointer();
            let long = text::is_long_text(&pointer);
            if let Some((index, char)) = text::first_unsafe(value, long) {
                let count = text::count_unsafe(value, long);
                self.found.push(Found {
                    pointer,
                    index,
                    char,
                    count,
                });
            }
        }

        fn nested<T: Serialize + ?Sized>(&mut self, segment: Segment, value: &T) -> Result<(), Error> {
            self.path.push(segment);
            let result = value.serialize(&mut *self);
            self.path.pop();
            result
        }
    }

    /// Never returned by the walk itself; serde requires the type.
    #[derive(Debug)]
    pub(super) struct Error(String);

    impl fmt::Display for Error {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(&self.0)
        }
    }

    impl std::error::Error for Error {}

    impl ser::Error for Error {
        fn custom<T: fmt::Display>(msg: T) -> Self {
            Self(msg.to_string())
        }
    }

    /// A list, tuple or map being walked, with the index of its next element.
    pub(super) struct Compound<'a> {
        walker: &'a mut Walker,
        next: usize,
        key: Option<String>,
    }

    impl<'a> Compound<'a> {
        fn new(walker: &'a mut Walker) -> Self {
            Self {
                walker,
                next: 0,
                key: None,
            }
        }

        fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
            let i = self.next;
            self.next += 1;
            self.walker.nested(Segment::Index(i), value)
        }
    }

    impl<'a> ser::Serializer for &'a mut Walker {
        type Ok = ();
        type Error = Error;
        type SerializeSeq = Compound<'a>;
        type SerializeTuple = Compound<'a>;
        type SerializeTupleStruct = Compound<'a>;
        type SerializeTupleVariant = Compound<'a>;
        type SerializeMap = Compound<'a>;
        type SerializeStruct = Compound<'a>;
        type SerializeStructVariant = Compound<'a>;

        fn serialize_bool(self, _: bool) -> Result<(), Error> {
            Ok(())
        }
        fn serialize_i8(self, _: i8) -> Result<(), Error> {
            Ok(())
        }
        fn serialize_i16(self, _: i16) -> Result<(), Error> {
            Ok(())
        }
        fn serialize_i32(self, _: i32) -> Result<(), Error> {
            Ok(())
        }
        fn serialize_i64(self, _: i64) -> Result<(), Error> {
            Ok(())
        }
        fn serialize_u8(self, _: u8) -> Result<(), Error> {
            Ok(())
        }
        fn serialize_u16(self, _: u16) -> Result<(), Error> {
            Ok(())
        }
        fn serialize_u32(self, _: u32) -> Result<(), Error> {
            Ok(())
        }
        fn serialize_u64(self, _: u64) -> Result<(), Error> {
            Ok(())
        }
        fn serialize_f32(self, _: f32) -> Result<(), Error> {
            Ok(())
        }
        fn serialize_f64(self, _: f64) -> Result<(), Error> {
            Ok(())
        }
        fn serialize_char(self, c: char) -> Result<(), Error> {
            self.check(c.encode_utf8(&mut [0; 4]));
            Ok(())
        }
        fn serialize_str(self, v: &str) -> Result<(), Error> {
            self.check(v);
            Ok(())
        }
        fn serialize_bytes(self, _: &[u8]) -> Result<(), Error> {
            Ok(())
        }
        fn serialize_none(self) -> Result<(), Error> {
            Ok(())
        }
        fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Error> {
            value.serialize(self)
        }
        fn serialize_unit(self) -> Result<(), Error> {
            Ok(())
        }
        fn serialize_unit_struct(self, _: &'static str) -> Result<(), Error> {
            Ok(())
        }
        fn serialize_unit_variant(self, _: &'static str, _: u32, _: &'static str) -> Result<(), Error> {
            Ok(())
        }
        fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _: &'static str, value: &T) -> Result<(), Error> {
            value.serialize(self)
        }
        fn serialize_newtype_variant<T: Serialize + ?Sized>(
            self,
            _: &'static str,
            _: u32,
            variant: &'static str,
            value: &T,
        ) -> Result<(), Error> {
            self.nested(Segment::Key(variant), value)
        }
        fn serialize_seq(self, _: Option<usize>) -> Result<Compound<'a>, Error> {
            Ok(Compound::new(self))
        }
        fn serialize_tuple(self, _: usize) -> Result<Compound<'a>, Error> {
            Ok(Compound::new(self))
        }
        fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Compound<'a>, Error> {
            Ok(Compound::new(self))
        }
        fn serialize_tuple_variant(
            self,
            _: &'static str,
            _: u32,
            variant: &'static str,
            _: usize,
        ) -> Result<Compound<'a>, Error> {
            self.path.push(Segment::Key(variant));
            Ok(Compound::new(self))
        }
        fn serialize_map(self, _: Option<usize>) -> Result<Compound<'a>, Error> {
            Ok(Compound::new(self))
        }
        fn serialize_struct(self, _: &'static str, _: usize) -> Result<Compound<'a>, Error> {
            Ok(Compound::new(self))
        }
        fn serialize_struct_variant(
            self,
            _: &'static str,
            _: u32,
            variant: &'static str,
            _: usize,
        ) -> Result<Compound<'a>, Error> {
            self.path.push(Segment::Key(variant));
            Ok(Compound::new(self))
        }
    }

    impl ser::SerializeSeq for Compound<'_> {
        type Ok = ();
        type Error = Error;
        fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
            self.element(value)
        }
        fn end(self) -> Result<(), Error> {
            Ok(())
        }
    }

    impl ser::SerializeTuple for Compound<'_> {
        type Ok = ();
        type Error = Error;
        fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
            self.element(value)
        }
        fn end(self) -> Result<(), Error> {
            Ok(())
        }
    }

    impl ser::SerializeTupleStruct for Compound<'_> {
        type Ok = ();
        type Error = Error;
        fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
            self.element(value)
        }
        fn end(self) -> Result<(), Error> {
            Ok(())
        }
    }

    impl ser::SerializeTupleVariant for Compound<'_> {
        type Ok = ();
        type Error = Error;
        fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
            self.element(value)
        }
        fn end(self) -> Result<(), Error> {
            self.walker.path.pop();
            Ok(())
        }
    }

    impl ser::SerializeMap for Compound<'_> {
        type Ok = ();
        type Error = Error;
        fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Error> {
            let key = key.serialize(KeyText)?;
            self.walker.check(&key);
            self.key = Some(key);
            Ok(())
        }
        fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
            let key = self.key.take().unwrap_or_default();
            self.walker.nested(Segment::Owned(key), value)
        }
        fn end(self) -> Result<(), Error> {
            Ok(())
        }
    }

    impl ser::SerializeStruct for Compound<'_> {
        type Ok = ();
        type Error = Error;
        fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<(), Error> {
            self.walker.nested(Segment::Key(key), value)
        }
        fn end(self) -> Result<(), Error> {
            Ok(())
        }
    }

    impl ser::SerializeStructVariant for Compound<'_> {
        type Ok = ();
        type Error = Error;
        fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<(), Error> {
            self.walker.nested(Segment::Key(key), value)
        }
        fn end(self) -> Result<(), Error> {
            self.walker.path.pop();
            Ok(())
        }
    }

    /// The text of a map key (string keys; others as JSON would write them).
    struct KeyText;

    impl ser::Serializer for KeyText {
        type Ok = String;
        type Error = Error;
        type SerializeSeq = Impossible<String, Error>;
        type SerializeTuple = Impossible<String, Error>;
        type SerializeTupleStruct = Impossible<String, Error>;
        type SerializeTupleVariant = Impossible<String, Error>;
        type SerializeMap = Impossible<String, Error>;
        type SerializeStruct = Impossible<String, Error>;
        type SerializeStructVariant = Impossible<String, Error>;

        fn serialize_bool(self, v: bool) -> Result<String, Error> {
            Ok(v.to_string())
        }
        fn serialize_i8(self, v: i8) -> Result<String, Error> {
            Ok(v.to_string())
        }
        fn serialize_i16(self, v: i16) -> Result<String, Error> {
            Ok(v.to_string())
        }
        fn serialize_i32(self, v: i32) -> Result<String, Error> {
            Ok(v.to_string())
        }
        fn serialize_i64(self, v: i64) -> Result<String, Error> {
            Ok(v.to_string())
        }
        fn serialize_u8(self, v: u8) -> Result<String, Error> {
            Ok(v.to_string())
        }
        fn serialize_u16(self, v: u16) -> Result<String, Error> {
            Ok(v.to_string())
        }
        fn serialize_u32(self, v: u32) -> Result<String, Error> {
            Ok(v.to_string())
        }
        fn serialize_u64(self, v: u64) -> Result<String, Error> {
            Ok(v.to_string())
        }
        fn serialize_f32(self, v: f32) -> Result<String, Error> {
            Ok(v.to_string())
        }
        fn serialize_f64(self, v: f64) -> Result<String, Error> {
            Ok(v.to_string())
        }
        fn serialize_char(self, v: char) -> Result<String, Error> {
            Ok(v.to_string())
        }
        fn serialize_str(self, v: &str) -> Result<String, Error> {
            Ok(v.to_owned())
        }
        fn serialize_bytes(self, _: &[u8]) -> Result<String, Error> {
            Err(ser::Error::custom("a map key of bytes"))
        }
        fn serialize_none(self) -> Result<String, Error> {
            Err(ser::Error::custom("a map key of none"))
        }
        fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<String, Error> {
            value.serialize(self)
        }
        fn serialize_unit(self) -> Result<String, Error> {
            Err(ser::Error::custom("a map key of unit"))
        }
        fn serialize_unit_struct(self, name: &'static str) -> Result<String, Error> {
            Ok(name.to_owned())
        }
        fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> Result<String, Error> {
            Ok(variant.to_owned())
        }
        fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _: &'static str, value: &T) -> Result<String, Error> {
            value.serialize(self)
        }
        fn serialize_newtype_variant<T: Serialize + ?Sized>(
            self,
            _: &'static str,
            _: u32,
            _: &'static str,
            _: &T,
        ) -> Result<String, Error> {
            Err(ser::Error::custom("a map key of a variant"))
        }
        fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, Error> {
            Err(ser::Error::custom("a map key of a list"))
        }
        fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, Error> {
            Err(ser::Error::custom("a map key of a tuple"))
        }
        fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeTupleStruct, Error> {
            Err(ser::Error::custom("a map key of a tuple"))
        }
        fn serialize_tuple_variant(
            self,
            _: &'static str,
            _: u32,
            _: &'static str,
            _: usize,
        ) -> Result<Self::SerializeTupleVariant, Error> {
            Err(ser::Error::custom("a map key of a tuple"))
        }
        fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, Error> {
            Err(ser::Error::custom("a map key of a map"))
        }
        fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeStruct, Error> {
            Err(ser::Error::custom("a map key of a struct"))
        }
        fn serialize_struct_variant(
            self,
            _: &'static str,
            _: u32,
            _: &'static str,
            _: usize,
        ) -> Result<Self::SerializeStructVariant, Error> {
            Err(ser::Error::custom("a map key of a struct"))
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[derive(Serialize)]
        struct Item {
            name: String,
            note: Option<String>,
        }

        #[derive(Serialize)]
        struct Doc {
            summary: String,
            items: Vec<Item>,
            map: std::collections::BTreeMap<String, String>,
        }

        #[test]
        fn finds_every_string_with_its_pointer() {
            let doc = Doc {
                summary: "two\nlines are fine here".into(),
                items: vec![
                    Item {
                        name: "ok".into(),
                        note: None,
                    },
                    Item {
                        name: "bad\u{1b}[2J\u{1b}".into(),
                        note: Some("new\nline, then \u{202e}".into()),
                    },
                ],
                map: [("a/b".to_owned(), "\u{0}".to_owned())].into_iter().collect(),
            };
            let mut walker = Walker::default();
            doc.serialize(&mut walker).expect("walks");
            let found: Vec<_> = walker
                .found
                .iter()
                .map(|f| (f.pointer.as_str(), f.index, f.char, f.count))
                .collect();
            assert_eq!(
                found,
                [
                    ("/items/1/name", 3, '\u{1b}', 2),
                    ("/items/1/note", 15, '\u{202e}', 1),
                    ("/map/a~1b", 0, '\u{0}', 1),
                ]
            );
        }
    }
}

/// The error of a record that parses but cannot be typed, whose own findings
/// `routes.toml` lowered or silenced.
pub(crate) fn untyped(place: &Place<'_>) -> Diagnostic {
    place.error(
        "record/untyped",
        "",
        "not a valid route",
        "the record does not satisfy the schema, so it cannot be read as a route and no release can hold it".to_owned(),
        "`routes.toml` lowers or silences the findings that say why (`schema/*`): fix them; severities change how they are reported, never whether the record is accepted",
    )
}

/// Across records: each id used once, each `related` id a record read
/// (`group`: the facts of one id, in reading order).
pub(crate) fn compare_ids(group: &[Fact<'_>], pending: &mut Vec<Pending>) {
    let first_of = |kind: Kind| group.iter().find(|f| f.kind == kind);
    let first = first_of(Kind::Id);
    for f in group {
        match (f.kind, first) {
            (Kind::Id, Some(first)) if f.ordinal != first.ordinal => pending.push(Pending {
                ordinal: f.ordinal,
                route: f.route.to_owned(),
                code: "record/duplicate-id",
                pointer: "/id".to_owned(),
                with_span: true,
                label: "used before",
                message: Message::DuplicateOf {
                    id: f.route.to_owned(),
                    first: first.ordinal,
                },
                hint: "every route has its own id; merge the two records or rename one",
            }),
            (Kind::Related, None) => pending.push(Pending {
                ordinal: f.ordinal,
                route: f.route.to_owned(),
                code: "record/dangling-related",
                pointer: format!("/related/{}/id", f.index),
                with_span: false,
                label: "no such route",
                message: Message::Text(format!("related route `{}` does not exist in the records read", f.text)),
                hint: "check the id, or validate the folder that holds that route too",
            }),
            _ => {}
        }
    }
}

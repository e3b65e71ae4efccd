//! Properties of every verdict, over generated profiles and the bundled
//! dataset: an unknown answer never makes a route eligible, and no status
//! depends on the order of records.

use std::fmt::Write as _;
use std::path::Path;

use proptest::prelude::*;
use routes_core::Route;
use routes_eligibility::{Cited, Group, IndexValue, Profile, Rate, Reference, Verdict, assess};

fn dataset() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../dataset"))
}

/// The bundled routes and their reference data, as `routes eligible` reads them.
fn bundled() -> &'static (Vec<Route>, Reference) {
    static DATA: std::sync::OnceLock<(Vec<Route>, Reference)> = std::sync::OnceLock::new();
    DATA.get_or_init(|| {
        let mut routes = Vec::new();
        let skipped = routes_validate::read_routes(&[dataset().to_path_buf()], &mut |r, _, _| routes.push(r))
            .expect("read the dataset");
        assert_eq!(skipped, 0);
        let data = routes_validate::load_reference(dataset()).expect("reference data");
        let cite = |sources: &[routes_validate::ReferenceSource], ids: &[routes_core::Slug]| {
            ids.first()
                .and_then(|id| sources.iter().find(|s| &s.id == id))
                .map(|s| Cited {
                    url: s.url.clone(),
                    excerpt: None,
                })
        };
        let mut groups = Vec::new();
        let mut values = Vec::new();
        if let Some(intl) = data.international() {
            for g in &intl.groups {
                groups.push(Group {
                    scope: None,
                    name: g.group.clone(),
                    members: g
                        .members
                        .as_ref()
                        .map(|m| m.iter().map(|c| c.as_str().to_owned()).collect()),
                    cited: cite(&intl.sources, &g.sources),
                });
            }
        }
        for c in data.all() {
            for g in &c.groups {
                groups.push(Group {
                    scope: Some(c.country.as_str().to_owned()),
                    name: g.group.clone(),
                    members: g
                        .members
                        .as_ref()
                        .map(|m| m.iter().map(|c| c.as_str().to_owned()).collect()),
                    cited: cite(&c.sources, &g.sources),
                });
            }
            for v in &c.indexes {
                values.push(IndexValue {
                    index: v.index.as_str().to_owned(),
                    year: v.year,
                    value: v.value,
                    currency: c
                        .index_definition(&v.index)
                        .map_or(c.currency.as_str(), |d| d.currency.as_str())
                        .to_owned(),
                    effective_from: v.effective_from,
                    cited: cite(&c.sources, &v.sources),
                });
            }
        }
        let rates = data
            .rates()
            .map(|r| Rate {
                from: r.from.as_str().to_owned(),
                to: r.to.as_str().to_owned(),
                rate: r.rate,
                date: r.date,
                cited: None,
            })
            .collect();
        assert!(!groups.is_empty() && !values.is_empty());
        (routes, Reference::new(groups, values, rates))
    })
}

fn amount(periods: &'static [&'static str]) -> impl Strategy<Value = String> {
    (
        0u32..=12_000_000,
        prop::sample::select(&["EUR", "USD", "KZT", "JPY", "NZD", "AMD"][..]),
        prop::sample::select(periods),
        prop::sample::select(&["", " gross", " net"][..]),
    )
        .prop_map(|(n, c, p, b)| format!("{n} {c}{p}{b}"))
}

/// Profiles with any subset of the fields answered, in TOML.
fn profiles() -> impl Strategy<Value = Profile> {
    let nationality = prop::sample::subsequence(
        &["AM", "RU", "KZ", "UZ", "DE", "FR", "US", "IN", "JP", "EE", "ES", "CN"][..],
        1..3,
    );
    let language = prop::sample::subsequence(
        &["en:C1", "de:B1", "et:A2", "ru:native", "kk", "es:A2", "pt:B2", "fi:B1"][..],
        0..4,
    );
    let family = prop::sample::subsequence(&["citizen:KZ", "resident:DE", "citizen:JP", "resident:EE"][..], 0..2);
    (
        (
            prop::option::of(nationality),
            prop::option::of(0u32..90),
            prop::option::of(amount(&["/month", "/year", "/hour"])),
            prop::option::of(amount(&[""])),
            prop::option::of(amount(&[""])),
        ),
        (
            prop::option::of(any::<bool>()),
            prop::option::of(any::<bool>()),
            prop::option::of(any::<bool>()),
            prop::option::of(0u32..40),
            prop::option::of(any::<bool>()),
            prop::option::of(any::<bool>()),
            prop::option::of(language),
            prop::option::of(family),
        ),
    )
        .prop_map(
            |((n, age, income, savings, invest), (job, sponsor, remote, years, insurance, record, lang, fam))| {
                let mut t = String::new();
                let list = |v: &[&str]| v.iter().map(|s| format!("\"{s}\"")).collect::<Vec<_>>().join(", ");
                if let Some(n) = n {
                    let _ = writeln!(t, "nationality = [{}]", list(&n));
                }
                if let Some(a) = age {
                    let _ = writeln!(t, "age = {a}");
                }
                if let Some(i) = income {
                    let _ = writeln!(t, "income = \"{i}\"");
                }
                if let Some(s) = savings {
                    let _ = writeln!(t, "savings = \"{s}\"");
                }
                if let Some(s) = invest {
                    let _ = writeln!(t, "investment = \"{s}\"");
                }
                for (field, v) in [
                    ("job_offer", job),
                    ("employer_sponsor", sponsor),
                    ("remote_work", remote),
                    ("health_insurance", insurance),
                    ("criminal_record_clean", record),
                ] {
                    if let Some(v) = v {
                        let _ = writeln!(t, "{field} = {v}");
                    }
                }
                if let Some(y) = years {
                    let _ = writeln!(t, "work_experience_years = {y}");
                }
                if let Some(l) = lang {
                    let _ = writeln!(t, "language = [{}]", list(&l));
                }
                if let Some(f) = fam {
                    let _ = writeln!(t, "family_of = [{}]", list(&f));
                }
                Profile::from_toml(&t).expect("a generated profile reads")
            },
        )
}

/// Synthetic routes whose requirements a profile can settle: money in
/// several currencies, periods and bases, ranges, yes/no answers,
/// languages, family ties, with purposes, alternatives, conflicts, dates and
/// an exemption; the scope open, limited to a group, or to countries.
fn routes() -> impl Strategy<Value = Route> {
    let requirement = (
        0usize..10,
        0u32..8000,
        prop::sample::select(&["EUR", "USD", "KZT"][..]),
        prop::sample::select(&["month", "year", "one_off", "hour"][..]),
        prop::sample::select(&["", "gross", "net"][..]),
        prop::sample::select(&["", "work", "family"][..]),
        prop::sample::select(&["", "any", "conflict"][..]),
        prop::sample::select(&["", "2025-01-01", "2026-06-01"][..]),
    );
    (
        prop::collection::vec(requirement, 1..6),
        prop::sample::select(&["all", "only-eaeu", "only-countries", "all-except-eu", "unknown"][..]),
        any::<bool>(),
    )
        .prop_map(|(reqs, scope, exemption)| {
            let mut requirements = Vec::new();
            for (i, (kind, n, currency, period, basis, purpose, group, from)) in reqs.into_iter().enumerate() {
                let mut r = match kind {
                    0 | 1 => {
                        let mut money = serde_json::json!({"amount": n, "currency": currency, "period": period});
                        if !basis.is_empty() {
                            money["basis"] = basis.into();
                        }
                        let kind = match period {
                            "one_off" if kind == 0 => "savings",
                            "one_off" => "investment",
                            _ => "min_income",
                        };
                        serde_json::json!({"kind": kind, "money": money})
                    }
                    2 => serde_json::json!({"kind": "age", "range": {"min": n % 40, "max": null, "unit": "years"}}),
                    3 => serde_json::json!({"kind": "work_experience", "range": {"min": n % 10, "unit": "years"}}),
                    4 => serde_json::json!({"kind": "job_offer"}),
                    5 => serde_json::json!({"kind": "remote_work"}),
                    6 => serde_json::json!({"kind": "health_insurance"}),
                    7 => serde_json::json!({"kind": "criminal_record"}),
                    8 => {
                        let k = n as usize % 3;
                        let (code, level) = (["de", "et", "en"][k], ["A2", "B1", "C1"][k]);
                        serde_json::json!({"kind": "language", "language": {"code": code, "level": level}})
                    }
                    _ => serde_json::json!({"kind": "family_tie"}),
                };
                r["id"] = format!("r{i}").into();
                r["description"] = format!("Requirement {i}.").into();
                r["required"] = "yes".into();
                r["evidence"] = serde_json::json!([{"source": "src", "excerpt": format!("Quote {i}.")}]);
                if !purpose.is_empty() {
                    r["applies_to"] = serde_json::json!([purpose]);
                }
                match group {
                    "any" => r["combination"] = serde_json::json!({"group": "either", "meet": "any"}),
                    "conflict" => r["conflict"] = "disputed".into(),
                    _ => {}
                }
                if !from.is_empty() {
                    r["effective_from"] = from.into();
                }
                requirements.push(r);
            }
            let nationality = match scope {
                "all" => serde_json::json!({"scope": "all"}),
                "only-eaeu" => serde_json::json!({"scope": "only", "groups": ["EAEU"]}),
                "only-countries" => serde_json::json!({"scope": "only", "countries": ["AM", "UZ", "IN"]}),
                "all-except-eu" => serde_json::json!({"scope": "all_except", "groups": ["EU"]}),
                _ => serde_json::json!({"scope": "unknown"}),
            };
            let exemptions = if exemption {
                serde_json::json!([{"who": {"groups": ["EAEU"]}, "description": "EAEU citizens are spared r0.", "requirements": ["r0"]}])
            } else {
                serde_json::json!([])
            };
            let record = serde_json::json!({
                "schema_version": 1, "id": "kz/synthetic", "country": "KZ", "name": "Synthetic", "category": "other",
                "status": "active", "eligibility": {"nationality": nationality, "exemptions": exemptions},
                "requirements": requirements,
                "duration": {"leads_to_permanent_residence": {"value": "unknown"}, "leads_to_citizenship": {"value": "unknown"}},
                "documents": [], "application": {}, "legal_basis": [],
                "sources": [{"id": "src", "url": "https://example.gov/", "title": "Example", "tier": "official",
                             "language": "en", "translation": "original", "seen": "2026-11-25"}],
                "last_verified": "2026-11-25", "review_status": "unverified"
            });
            serde_json::from_value(record).expect("a valid synthetic route")
        })
}

fn days() -> impl Strategy<Value = routes_core::Date> {
    prop::sample::select(&["2023-06-01", "2024-12-31", "2025-06-01", "2026-12-01", "2027-06-01"][..])
        .prop_map(|d| d.parse().expect("a date"))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("ROUTES_FUZZ_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(64)
    ))]

    /// Leaving any answered field out turns no verdict into `eligible`: the
    /// verdict stays, or becomes `unknown`.
    #[test]
    fn an_unknown_answer_never_makes_a_route_eligible(
        p in profiles(),
        on in days(),
        synthetic in prop::collection::vec(routes(), 8),
    ) {
        let (routes, reference) = bundled();
        for route in routes.iter().chain(&synthetic) {
            let full = assess(route, &p, reference, on).verdict;
            for field in p.answered() {
                let fewer = assess(route, &p.without(field), reference, on).verdict;
                prop_assert!(
                    fewer == full || fewer == Verdict::Unknown,
                    "{}: without `{field}` the verdict went from {full:?} to {fewer:?}", route.id.as_str()
                );
            }
        }
    }

    /// Shuffling a route's requirements, exemptions and sources changes no
    /// criterion (the reference data sorts what it is given).
    #[test]
    fn no_status_depends_on_the_order_of_records(
        p in profiles(),
        on in days(),
        seed in any::<u64>(),
        synthetic in prop::collection::vec(routes(), 8),
    ) {
        let (routes, reference) = bundled();
        let shuffle = |n: usize, salt: u64| {
            let mut order: Vec<usize> = (0..n).collect();
            order.sort_by_key(|&i| (i as u64 + 1).wrapping_mul(seed | 1).wrapping_add(salt).rotate_left(17));
            order
        };
        for route in routes.iter().chain(&synthetic) {
            let mut shuffled = route.clone();
            let o = shuffle(route.requirements.len(), 1);
            shuffled.requirements = o.iter().map(|&i| route.requirements[i].clone()).collect();
            let o = shuffle(route.eligibility.exemptions.len(), 2);
            shuffled.eligibility.exemptions = o.iter().map(|&i| route.eligibility.exemptions[i].clone()).collect();
            let o = shuffle(route.sources.len(), 3);
            shuffled.sources = o.iter().map(|&i| route.sources[i].clone()).collect();
            prop_assert_eq!(assess(route, &p, reference, on), assess(&shuffled, &p, reference, on));
        }
    }
}

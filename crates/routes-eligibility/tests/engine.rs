//! The engine on synthetic routes: each rule of a verdict, one at a time.
#![allow(clippy::needless_pass_by_value, reason = "the `json!` values are built in place")]

use routes_core::Route;
use routes_eligibility::{Assessment, Cited, Group, IndexValue, Profile, Rate, Reference, Status, Verdict, assess};
use serde_json::{Value, json};

fn date(s: &str) -> routes_core::Date {
    s.parse().expect("a date")
}

/// A valid route of `country` with `requirements`, open to every nationality.
fn route(country: &str, requirements: Value) -> Value {
    json!({
        "schema_version": 1,
        "id": format!("{}/example", country.to_lowercase()),
        "country": country,
        "name": "Example route",
        "category": "digital_nomad",
        "status": "active",
        "eligibility": {"nationality": {"scope": "all", "evidence": [{"source": "src", "excerpt": "Open to all."}]}},
        "requirements": requirements,
        "duration": {"leads_to_permanent_residence": {"value": "unknown"}, "leads_to_citizenship": {"value": "unknown"}},
        "documents": [],
        "application": {},
        "legal_basis": [],
        "sources": [{"id": "src", "url": "https://example.gov/page", "title": "Example", "tier": "official",
                     "language": "en", "translation": "original", "seen": "2026-11-25"}],
        "last_verified": "2026-11-25",
        "review_status": "unverified"
    })
}

fn typed(v: Value) -> Route {
    serde_json::from_value(v).expect("a valid route")
}

fn requirement(id: &str, kind: &str, extra: Value) -> Value {
    let mut r = json!({"id": id, "kind": kind, "description": format!("The {id} requirement."), "required": "yes",
                       "evidence": [{"source": "src", "excerpt": format!("Quote of {id}.")}]});
    if let (Some(r), Some(extra)) = (r.as_object_mut(), extra.as_object()) {
        r.extend(extra.clone());
    }
    r
}

fn income(amount: f64, currency: &str, period: &str) -> Value {
    requirement(
        "income",
        "min_income",
        json!({"money": {"amount": amount, "currency": currency, "period": period}}),
    )
}

fn profile(toml: &str) -> Profile {
    Profile::from_toml(toml).expect("a profile")
}

fn judge(route: &Value, p: &Profile, reference: &Reference, on: &str) -> Assessment {
    assess(&typed(route.clone()), p, reference, date(on))
}

fn criterion<'a>(a: &'a Assessment, id: &str) -> &'a routes_eligibility::Criterion {
    a.criteria
        .iter()
        .find(|c| c.requirement.as_deref() == Some(id) || c.kind == id)
        .unwrap_or_else(|| panic!("no criterion {id} in {a:#?}"))
}

#[test]
fn periods_are_normalised_both_ways() {
    let none = Reference::default();
    let monthly = route("KZ", json!([income(3000.0, "USD", "month")]));
    let a = judge(&monthly, &profile("income = \"40000 USD/year\""), &none, "2026-12-01");
    assert_eq!(a.verdict, Verdict::Eligible, "{a:#?}");
    assert!(
        criterion(&a, "income").reason.contains("3,333.33 USD a month"),
        "{a:#?}"
    );
    let a = judge(&monthly, &profile("income = \"35000 USD/year\""), &none, "2026-12-01");
    assert_eq!(criterion(&a, "income").status, Status::NotMet);
    assert_eq!(a.verdict, Verdict::NotEligible);
    let yearly = route("KZ", json!([income(36000.0, "USD", "year")]));
    let a = judge(&yearly, &profile("income = \"3000 USD/month\""), &none, "2026-12-01");
    assert_eq!(a.verdict, Verdict::Eligible);
    // An hourly threshold is not a monthly income.
    let hourly = route("NZ", json!([income(30.0, "NZD", "hour")]));
    let a = judge(&hourly, &profile("income = \"6000 NZD/month\""), &none, "2026-12-01");
    assert_eq!(criterion(&a, "income").status, Status::Unknown);
    let a = judge(&hourly, &profile("income = \"31 NZD/hour\""), &none, "2026-12-01");
    assert_eq!(a.verdict, Verdict::Eligible);
}

fn rates() -> Reference {
    Reference::new(
        Vec::new(),
        vec![IndexValue {
            index: "KZ_MCI".into(),
            year: 2026,
            value: 4325.0,
            currency: "KZT".into(),
            effective_from: None,
            cited: Some(Cited {
                url: "https://example.gov/mci".into(),
                excerpt: Some("MCI 4 325 tenge".into()),
            }),
        }],
        vec![Rate {
            from: "EUR".into(),
            to: "KZT".into(),
            rate: 500.0,
            date: date("2026-01-15"),
            cited: Some(Cited {
                url: "https://example.gov/rates".into(),
                excerpt: None,
            }),
        }],
    )
}

#[test]
fn currencies_convert_only_at_a_sourced_rate() {
    let r = route("KZ", json!([income(1_000_000.0, "KZT", "month")]));
    let a = judge(&r, &profile("income = \"2500 EUR/month\""), &rates(), "2026-12-01");
    let c = criterion(&a, "income");
    assert_eq!(c.status, Status::Met, "{c:#?}");
    assert!(
        c.reason.contains("1 EUR = 500 KZT") && c.reason.contains("2026-01-15"),
        "{}",
        c.reason
    );
    assert_eq!(c.reference_sources, ["https://example.gov/rates"]);
    let a = judge(&r, &profile("income = \"1900 EUR/month\""), &rates(), "2026-12-01");
    assert_eq!(a.verdict, Verdict::NotEligible);
    // A rate more than a year from the day asked about settles nothing.
    let a = judge(&r, &profile("income = \"2500 EUR/month\""), &rates(), "2027-06-01");
    let c = criterion(&a, "income");
    assert_eq!(c.status, Status::Unknown, "{c:#?}");
    assert!(c.reason.contains("more than a year"), "{}", c.reason);
    // No USD rate: unknown, saying which rate is missing.
    let a = judge(&r, &profile("income = \"100000 USD/month\""), &rates(), "2026-12-01");
    let c = criterion(&a, "income");
    assert_eq!(c.status, Status::Unknown);
    assert!(c.reason.contains("USD/KZT"), "{}", c.reason);
}

#[test]
fn index_linked_amounts_use_the_value_of_the_year_in_force() {
    let r = route(
        "KZ",
        json!([requirement(
            "savings",
            "savings",
            json!({"money": {"index": "KZ_MCI", "multiplier": 100, "period": "one_off"}})
        )]),
    );
    // 100 × 4,325 = 432,500 KZT.
    let a = judge(&r, &profile("savings = \"432500 KZT\""), &rates(), "2026-06-01");
    assert_eq!(a.verdict, Verdict::Eligible, "{a:#?}");
    assert!(criterion(&a, "savings").reason.contains("KZ_MCI of 2026"));
    assert_eq!(criterion(&a, "savings").reference_sources, ["https://example.gov/mci"]);
    let a = judge(&r, &profile("savings = \"432499 KZT\""), &rates(), "2026-06-01");
    assert_eq!(a.verdict, Verdict::NotEligible);
    // No value for 2027: not settled.
    let a = judge(&r, &profile("savings = \"10000000 KZT\""), &rates(), "2027-06-01");
    let c = criterion(&a, "savings");
    assert_eq!(c.status, Status::Unknown);
    assert!(c.reason.contains("KZ_MCI of 2027"), "{}", c.reason);
}

#[test]
fn gross_and_net_are_respected() {
    let gross = route(
        "EE",
        json!([requirement(
            "income",
            "min_income",
            json!({"money": {"amount": 4500, "currency": "EUR", "period": "month", "basis": "gross"}})
        )]),
    );
    let none = Reference::default();
    // Net above a gross threshold: the gross is higher still.
    let a = judge(&gross, &profile("income = \"4600 EUR/month net\""), &none, "2026-12-01");
    assert_eq!(criterion(&a, "income").status, Status::Met);
    // Net below it: the gross may or may not reach it.
    let a = judge(&gross, &profile("income = \"4000 EUR/month net\""), &none, "2026-12-01");
    assert_eq!(criterion(&a, "income").status, Status::Unknown);
    let a = judge(
        &gross,
        &profile("income = \"4000 EUR/month gross\""),
        &none,
        "2026-12-01",
    );
    assert_eq!(criterion(&a, "income").status, Status::NotMet);
    let net = route(
        "EE",
        json!([requirement(
            "income",
            "min_income",
            json!({"money": {"amount": 2000, "currency": "EUR", "period": "month", "basis": "net"}})
        )]),
    );
    let a = judge(&net, &profile("income = \"2500 EUR/month gross\""), &none, "2026-12-01");
    assert_eq!(criterion(&a, "income").status, Status::Unknown);
    let a = judge(&net, &profile("income = \"1900 EUR/month gross\""), &none, "2026-12-01");
    assert_eq!(criterion(&a, "income").status, Status::NotMet);
}

#[test]
fn the_rules_of_the_day_asked_about_apply() {
    let r = route(
        "FI",
        json!([
            requirement(
                "salary-2025",
                "min_salary",
                json!({"money": {"amount": 3827, "currency": "EUR", "period": "month"},
                "effective_from": "2025-01-01", "effective_until": "2025-12-31"})
            ),
            requirement(
                "salary-2026",
                "min_salary",
                json!({"money": {"amount": 3937, "currency": "EUR", "period": "month"},
                "effective_from": "2026-01-01"})
            ),
        ]),
    );
    let p = profile("income = \"3900 EUR/month\"");
    let none = Reference::default();
    assert_eq!(judge(&r, &p, &none, "2025-06-01").verdict, Verdict::Eligible);
    let a = judge(&r, &p, &none, "2026-06-01");
    assert_eq!(a.verdict, Verdict::NotEligible);
    assert!(
        a.criteria
            .iter()
            .all(|c| c.requirement.as_deref() != Some("salary-2025"))
    );
    // Before either: no requirement recorded for that day, so not settled.
    assert_eq!(judge(&r, &p, &none, "2024-06-01").verdict, Verdict::Unknown);
    // A value replaced by one in force is an earlier value.
    let replaced = route(
        "EE",
        json!([
            income(4500.0, "EUR", "month"),
            requirement(
                "earlier",
                "min_income",
                json!({"money": {"amount": 3504, "currency": "EUR", "period": "month"}, "superseded_by": "income"})
            ),
        ]),
    );
    let a = judge(&replaced, &profile("income = \"4000 EUR/month\""), &none, "2026-12-01");
    assert_eq!(a.verdict, Verdict::NotEligible);
    assert!(a.criteria.iter().all(|c| c.requirement.as_deref() != Some("earlier")));
}

fn groups() -> Reference {
    let group = |name: &str, members: Option<&[&str]>| Group {
        scope: None,
        name: name.into(),
        members: members.map(|m| m.iter().map(|s| (*s).to_owned()).collect()),
        cited: Some(Cited {
            url: format!("https://example.org/{name}"),
            excerpt: None,
        }),
    };
    Reference::new(
        vec![
            group("EAEU", Some(&["AM", "BY", "KG", "KZ", "RU"])),
            group("EU", Some(&["DE", "EE", "FR"])),
            group("UNLISTED", None),
        ],
        Vec::new(),
        Vec::new(),
    )
}

#[test]
fn nationality_scopes_and_exemptions() {
    let mut r = route(
        "KZ",
        json!([requirement("health-insurance", "health_insurance", json!({}))]),
    );
    r["eligibility"] = json!({
        "nationality": {"scope": "only", "groups": ["EAEU"], "countries": ["UZ"]},
        "exemptions": [{"who": {"groups": ["EAEU"]}, "description": "EAEU citizens need no health insurance.",
                        "requirements": ["health-insurance"], "evidence": [{"source": "src", "excerpt": "except EAEU"}]}]
    });
    let g = groups();
    let a = judge(&r, &profile("nationality = \"RU\""), &g, "2026-12-01");
    assert_eq!(a.verdict, Verdict::Eligible, "{a:#?}");
    assert_eq!(criterion(&a, "health-insurance").status, Status::Waived);
    assert_eq!(
        criterion(&a, "health-insurance").excerpt.as_deref(),
        Some("except EAEU")
    );
    let a = judge(
        &r,
        &profile("nationality = \"UZ\"\nhealth_insurance = false"),
        &g,
        "2026-12-01",
    );
    assert_eq!(criterion(&a, "nationality").status, Status::Met);
    assert_eq!(a.verdict, Verdict::NotEligible);
    let a = judge(
        &r,
        &profile("nationality = \"FR\"\nhealth_insurance = true"),
        &g,
        "2026-12-01",
    );
    assert_eq!(criterion(&a, "nationality").status, Status::NotMet);
    // Two nationalities: one that qualifies suffices.
    let a = judge(&r, &profile("nationality = [\"FR\", \"KZ\"]"), &g, "2026-12-01");
    assert_eq!(a.verdict, Verdict::Eligible);
    // A group whose members no source lists settles nothing.
    r["eligibility"]["nationality"]["groups"] = json!(["UNLISTED"]);
    let a = judge(
        &r,
        &profile("nationality = \"FR\"\nhealth_insurance = true"),
        &g,
        "2026-12-01",
    );
    assert_eq!(criterion(&a, "nationality").status, Status::Unknown);
    // Every nationality but the EU's.
    r["eligibility"]["nationality"] = json!({"scope": "all_except", "groups": ["EU"]});
    let a = judge(
        &r,
        &profile("nationality = \"DE\"\nhealth_insurance = true"),
        &g,
        "2026-12-01",
    );
    assert_eq!(criterion(&a, "nationality").status, Status::NotMet);
    let a = judge(
        &r,
        &profile("nationality = [\"DE\", \"US\"]\nhealth_insurance = true"),
        &g,
        "2026-12-01",
    );
    assert_eq!(criterion(&a, "nationality").status, Status::Met);
    r["eligibility"]["nationality"] = json!({"scope": "unknown"});
    let a = judge(&r, &profile("nationality = \"RU\""), &g, "2026-12-01");
    assert_eq!(a.verdict, Verdict::Unknown);
}

#[test]
fn conflicts_alternatives_and_purposes() {
    let none = Reference::default();
    // Two sources disagree: 975 and 1,091 EUR.
    let r = route(
        "DE",
        json!([
            requirement(
                "funds-a",
                "min_income",
                json!({"money": {"amount": 1091, "currency": "EUR", "period": "month"}, "conflict": "funds"})
            ),
            requirement(
                "funds-b",
                "min_income",
                json!({"money": {"amount": 975, "currency": "EUR", "period": "month"}, "conflict": "funds"})
            ),
        ]),
    );
    let a = judge(&r, &profile("income = \"1000 EUR/month\""), &none, "2026-12-01");
    assert_eq!(a.verdict, Verdict::Unknown);
    assert!(criterion(&a, "funds-a").reason.contains("disagree"));
    assert_eq!(
        judge(&r, &profile("income = \"1100 EUR/month\""), &none, "2026-12-01").verdict,
        Verdict::Eligible
    );
    assert_eq!(
        judge(&r, &profile("income = \"900 EUR/month\""), &none, "2026-12-01").verdict,
        Verdict::NotEligible
    );
    // Invest in A or in B: one suffices.
    let any = |id: &str, amount: f64| {
        requirement(
            id,
            "investment",
            json!({"money": {"amount": amount, "currency": "USD", "period": "one_off"},
            "combination": {"group": "invest", "meet": "any"}}),
        )
    };
    let r = route("KZ", json!([any("big", 300_000.0), any("small", 60000.0)]));
    let a = judge(&r, &profile("investment = \"100000 USD\""), &none, "2026-12-01");
    assert_eq!(a.verdict, Verdict::Eligible, "{a:#?}");
    assert_eq!(criterion(&a, "big").status, Status::NotMet);
    assert_eq!(
        judge(&r, &profile("investment = \"1000 USD\""), &none, "2026-12-01").verdict,
        Verdict::NotEligible
    );
    // Purposes: judged apart, the best verdict kept; none is skipped.
    let r = route(
        "KZ",
        json!([
            requirement("job", "job_offer", json!({"applies_to": ["work"]})),
            requirement("family", "family_tie", json!({"applies_to": ["family"]})),
        ]),
    );
    let a = judge(
        &r,
        &profile("job_offer = false\nfamily_of = [\"citizen:KZ\"]"),
        &none,
        "2026-12-01",
    );
    assert_eq!((a.verdict, a.purpose.as_deref()), (Verdict::Eligible, Some("family")));
    assert_eq!(a.purposes.len(), 2);
    let a = judge(&r, &profile("job_offer = false\nfamily_of = []"), &none, "2026-12-01");
    assert_eq!(a.verdict, Verdict::NotEligible);
    let a = judge(&r, &profile("job_offer = false"), &none, "2026-12-01");
    assert_eq!(a.verdict, Verdict::Unknown);
}

#[test]
fn words_only_no_answer_and_steps_are_never_met() {
    let none = Reference::default();
    let r = route(
        "EE",
        json!([
            requirement("language", "language", json!({})),
            requirement("fingerprints", "procedure", json!({})),
            requirement("optional", "exam", json!({"required": "no"})),
        ]),
    );
    let a = judge(&r, &profile("language = [\"et:C2\"]"), &none, "2026-12-01");
    assert_eq!(a.verdict, Verdict::Unknown);
    assert!(criterion(&a, "language").reason.contains("in words only"));
    assert_eq!(a.steps.len(), 1);
    assert!(a.criteria.iter().all(|c| c.requirement.as_deref() != Some("optional")));
    let r = route(
        "EE",
        json!([requirement(
            "language",
            "language",
            json!({"language": {"code": "et", "level": "B1"}})
        )]),
    );
    assert_eq!(
        judge(&r, &profile("language = [\"et:B2\"]"), &none, "2026-12-01").verdict,
        Verdict::Eligible
    );
    assert_eq!(
        judge(&r, &profile("language = [\"et:A2\"]"), &none, "2026-12-01").verdict,
        Verdict::NotEligible
    );
    assert_eq!(
        judge(&r, &profile("language = [\"ru:C2\"]"), &none, "2026-12-01").verdict,
        Verdict::NotEligible
    );
    assert_eq!(
        judge(&r, &profile("language = [\"et\"]"), &none, "2026-12-01").verdict,
        Verdict::Unknown
    );
    // No requirement recorded: not settled, however open the route.
    let empty = route("EE", json!([]));
    assert_eq!(
        judge(&empty, &profile("age = 30"), &none, "2026-12-01").verdict,
        Verdict::Unknown
    );
    // A closed route fails whatever the person.
    let mut closed = route("EE", json!([income(1.0, "EUR", "month")]));
    closed["status"] = json!("closed");
    let a = judge(&closed, &profile("income = \"5000 EUR/month\""), &none, "2026-12-01");
    assert_eq!(criterion(&a, "route_status").status, Status::NotMet);
}

#[test]
fn failing_and_unknown_criteria_come_first() {
    let r = route(
        "EE",
        json!([
            income(4500.0, "EUR", "month"),
            requirement("insurance", "health_insurance", json!({})),
            requirement("record", "criminal_record", json!({})),
        ]),
    );
    let a = judge(
        &r,
        &profile("income = \"4000 EUR/month\"\ncriminal_record_clean = true"),
        &Reference::default(),
        "2026-12-01",
    );
    let order: Vec<Status> = a.criteria.iter().map(|c| c.status).collect();
    let mut sorted = order.clone();
    sorted.sort();
    assert_eq!(order, sorted);
    assert_eq!(order.first(), Some(&Status::NotMet));
}

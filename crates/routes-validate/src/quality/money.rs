//! Money: conversions that agree with their rates, current currency codes,
//! index-linked amounts that follow their index, plausible thresholds,
//! effective dates, and (across records) figures that leak between routes or
//! are relabelled per year, compared after normalising period and currency.

use routes_core::{Money, Period, RequirementKind, Route};
use routes_diagnostics::Diagnostic;

use super::context::{Finding, Rendering};
use crate::currency::{HARD_CURRENCIES, country_currencies, withdrawn};
use crate::facts::{Fact, Kind, Message, Pending};
use crate::reference::{CountryReference, Reference};
use crate::rule::{E, Rule, W, rule};
use crate::words::fmt_amount;

/// The money rules.
pub(crate) static RULES: &[Rule] = &[
    rule!(
        "quality/annual-looks-monthly",
        W,
        "A yearly amount looks like a monthly one",
        "Amounts copied from a page that states them per month are often relabelled per year, which makes them twelve times too small (C2 \"annual salary €2,615\" is the B12-1 monthly USD 3,000). A yearly figure is compared with the monthly figures of the country's other routes as stated and, within 2%, after conversion at a sourced rate; and, where the reference data gives a minimum wage, with it.",
        "{\"money\": {\"amount\": 2615, \"currency\": \"EUR\", \"period\": \"year\"}}  (another route: 2615 EUR per month)",
        "DQ2"
    ),
    rule!(
        "quality/conversion-mismatch",
        E,
        "A converted amount disagrees with its own rate",
        "Two renderings of one amount that disagree mean a currency label, a period or a rate is wrong.",
        "{\"amount\": 820, \"currency\": \"USD\", \"period\": \"month\", \"converted\": {\"amount\": 9840, \"currency\": \"EUR\", \"rate\": 0.93, ...}}",
        "DQ3"
    ),
    rule!(
        "quality/euro-without-rate",
        W,
        "A euro figure for a country that does not use the euro, with no rate",
        "A euro amount for a non-euro country was converted by someone; without the original amount, rate and date it cannot be checked or updated.",
        "{\"id\": \"kz/...\", \"money\": {\"amount\": 89, \"currency\": \"EUR\", \"period\": \"year\"}}",
        "DQ3",
        "DQ9"
    ),
    rule!(
        "quality/frozen-index-amount",
        W,
        "A fixed amount is a whole multiple of an official index",
        "Kazakh fees and thresholds are set in MCI; frozen into tenge they go stale every January. Record them as index-linked.",
        "{\"amount\": 51900, \"currency\": \"KZT\", \"period\": \"month\"}  (= 12 × MCI 2026)",
        "DQ11"
    ),
    rule!(
        "quality/implausible-amount",
        E,
        "An amount is implausibly small for what it is",
        "Salary, income and savings thresholds far below the minimum wage are usually a fee or an index unit read as money (the seed's \"annual salary €89\"). Floors: 100 a month of income or salary, 100 of savings and 1,000 of investment in EUR, USD, GBP or CHF, and in any other currency at a sourced rate into euros (`reference/rates.json`), with or without a reference file for the country; below half the minimum wage where the country's reference data gives one.",
        "{\"kind\": \"min_salary\", \"money\": {\"amount\": 89, \"currency\": \"EUR\", \"period\": \"year\"}}",
        "DQ1"
    ),
    rule!(
        "quality/leaked-value",
        W,
        "A figure equals another route's figure from the same source page",
        "Pages that describe many routes leak values between them (C2 \"minimum investment €261,536\" = the A6 threshold of USD 300,000); a shared figure needs an excerpt naming this route. Figures are compared per month (a yearly amount ÷ 12) or once, in every currency they can be given in without guessing: as stated (equal amounts), and as the record converts them or at the sourced rates of `reference/rates.json` (within 2%).",
        "two routes citing `egov.kz/.../visa_classification` both with 300000 USD investment",
        "DQ4"
    ),
    rule!(
        "quality/money-without-currency",
        E,
        "An amount of money has no currency",
        "An amount without a currency cannot be compared, converted or checked.",
        "{\"money\": {\"amount\": 3000, \"period\": \"month\"}}",
        "DQ3"
    ),
    rule!(
        "quality/money-without-period",
        E,
        "An amount of money has no period (one-off, per month, per year)",
        "Monthly and yearly figures differ twelvefold; without the period the figure is ambiguous.",
        "{\"money\": {\"amount\": 18, \"currency\": \"EUR\"}}",
        "DQ2"
    ),
    rule!(
        "quality/stale-fx",
        W,
        "An exchange rate is more than a year older than the record's check",
        "Rates move; a conversion at an old rate misstates the amount (1 EUR = 180.25 KZT is a pre-2015 rate).",
        "\"converted\": {\"date\": \"2014-07-01\", ...} with `last_verified: 2026-11-25`",
        "DQ9"
    ),
    rule!(
        "quality/threshold-without-effective-date",
        W,
        "A money threshold has no effective date",
        "Thresholds change with laws and indexes; without `effective_from` no one can tell which year's rule it is.",
        "{\"kind\": \"min_income\", \"money\": {...}} without `effective_from`",
        "DQ15"
    ),
    rule!(
        "quality/undeclared-index",
        W,
        "An index-linked amount names an index no reference file declares",
        "An amount set as a multiple of an index can be turned into money only with the index's declaration (name, currency, unit) and its yearly values, each with sources, in `reference/<cc>.json`.",
        "{\"index\": \"DE_BBG_RV_ANNUAL\", \"multiplier\": 0.5, ...} with no `index_definitions` entry for it",
        "DQ11"
    ),
    rule!(
        "quality/unknown-index-value",
        W,
        "An index-linked amount names a year with no reference value",
        "Without the index value of that year (under `dataset/reference/`) the amount cannot be computed.",
        "{\"index\": \"KZ_MCI\", \"multiplier\": 7000, \"year\": 2019, ...}",
        "DQ11"
    ),
    rule!(
        "quality/withdrawn-currency",
        E,
        "A currency code that was withdrawn (VEF, BYR, …)",
        "Redenominated currencies differ by orders of magnitude (13,000 VES read as VEF or USD).",
        "{\"amount\": 13000, \"currency\": \"VEF\", ...}",
        "DQ10"
    ),
];

/// The money of requirements and fees: conversions, currencies, indexes, plausibility, effective dates.
pub(crate) fn amounts(
    route: &Route,
    (reference, all): (Option<&CountryReference>, &Reference),
    finding: &Finding<'_>,
    out: &mut Vec<Diagnostic>,
) {
    for (i, r) in route.requirements.iter().enumerate() {
        let at = format!("/requirements/{i}");
        if let Some(money) = &r.money {
            money_rules(
                route,
                (r.kind, r.effective_from),
                money,
                &format!("{at}/money"),
                (reference, all),
                finding,
                out,
            );
            if r.kind.is_money() && r.effective_from.is_none() {
                out.push(finding(
                    "quality/threshold-without-effective-date",
                    &format!("{at}/money"),
                    "since when?",
                    "this money threshold has no `effective_from`".into(),
                    "add the date from which the threshold applies (the law or index year that sets it)".into(),
                ));
            }
        }
    }
    for (i, f) in route.application.fees.iter().enumerate() {
        if let Some(money) = &f.money {
            money_rules(
                route,
                (RequirementKind::Other, f.effective_from),
                money,
                &format!("/application/fees/{i}/money"),
                (reference, all),
                finding,
                out,
            );
        }
    }
}

/// The amount per month; a one-off amount stays as it is. An hourly rate has no
/// monthly figure without the hours worked, which records do not state.
fn monthly(amount: f64, period: Period) -> Option<f64> {
    match period {
        Period::Year => Some(amount / 12.0),
        Period::Month | Period::OneOff => Some(amount),
        Period::Hour => None,
    }
}

/// A money amount in the route's own currency, when it can be computed.
/// A figure in another currency is converted, only at a sourced rate (the
/// record's own conversion, or one of the reference data's).
fn local_amount(
    money: &Money,
    reference: Option<&CountryReference>,
    all: &Reference,
    on: routes_core::Date,
) -> Option<(f64, Period)> {
    let reference = reference?;
    match money {
        Money::Fixed(m) if m.currency == reference.currency => Some((m.amount, m.period)),
        Money::Fixed(m) => match &m.converted {
            Some(c) if c.currency == reference.currency => Some((c.amount, m.period)),
            _ => all
                .convert(m.amount, m.currency.as_str(), reference.currency.as_str(), on)
                .map(|c| (c.amount, m.period)),
        },
        Money::Indexed(m) => {
            let value = m
                .year
                .and_then(|y| reference.index_value(&m.index, y))
                .or_else(|| reference.latest_index_value(&m.index).map(|(_, v)| v))?;
            Some((m.multiplier * value, m.period))
        }
    }
}

fn money_rules(
    route: &Route,
    (kind, effective_from): (RequirementKind, Option<routes_core::Date>),
    money: &Money,
    at: &str,
    (reference, all): (Option<&CountryReference>, &crate::reference::Reference),
    finding: &Finding<'_>,
    out: &mut Vec<Diagnostic>,
) {
    let year = route.last_verified.civil().year();
    // Rates and index values of the day the figure took effect, else of the day it was verified.
    let on = effective_from.unwrap_or(route.last_verified);
    match money {
        Money::Fixed(m) => {
            if let Some(c) = &m.converted {
                let expected = m.amount * c.rate;
                if c.amount > 0.0 && ((expected - c.amount).abs() / c.amount) > 0.02 {
                    out.push(finding(
                        "quality/conversion-mismatch",
                        &format!("{at}/converted/amount"),
                        "disagrees with the rate",
                        format!(
                            "{} {} at rate {} is {} {}, not {} {}",
                            fmt_amount(m.amount),
                            m.currency,
                            c.rate,
                            fmt_amount((expected * 100.0).round() / 100.0),
                            c.currency,
                            fmt_amount(c.amount),
                            c.currency
                        ),
                        "check the currency, the period and the rate: one of the two renderings is wrong".into(),
                    ));
                }
                if let Ok(span) = route.last_verified.civil().since(c.date.civil())
                    && span.get_days() > 365
                {
                    out.push(finding(
                        "quality/stale-fx",
                        &format!("{at}/converted/date"),
                        "old rate",
                        format!(
                            "the conversion uses a rate of {}, more than a year before the record was verified",
                            c.date
                        ),
                        "convert again at a current rate, with its date and source".into(),
                    ));
                }
            }
            if let Some((next, date)) = withdrawn(m.currency.as_str()) {
                out.push(finding(
                    "quality/withdrawn-currency",
                    &format!("{at}/currency"),
                    "withdrawn code",
                    format!("`{}` was replaced by `{next}` on {date}", m.currency),
                    format!("state the amount in `{next}` as the source gives it today"),
                ));
            }
            let local = country_currencies(route.country.as_str());
            if m.currency.as_str() == "EUR" && m.converted.is_none() && !local.is_empty() && !local.contains(&"EUR") {
                let local = local.join(" or ");
                out.push(finding(
                    "quality/euro-without-rate",
                    &format!("{at}/currency"),
                    "converted by whom?",
                    format!("a euro figure for a route of {}, which uses {local}, with no rate or date", route.country),
                    format!("record the amount in {local} (or the currency the source states) and put the euro figure in `converted` with its rate, date and source"),
                ));
            }
            if let Some(reference) = reference
                && m.currency == reference.currency
            {
                for v in &reference.indexes {
                    if m.amount >= v.value && (m.amount / v.value).fract() == 0.0 {
                        out.push(finding(
                            "quality/frozen-index-amount",
                            &format!("{at}/amount"),
                            "a multiple of an index",
                            format!("{} {} is {} × {} of {}", fmt_amount(m.amount), m.currency, fmt_amount(m.amount / v.value), v.index.as_str(), v.year),
                            format!("record it as `{{\"index\": \"{}\", \"multiplier\": {}, \"year\": {}, ...}}` so it follows the index", v.index.as_str(), fmt_amount(m.amount / v.value), v.year),
                        ));
                        break;
                    }
                }
            }
        }
        Money::Indexed(m) => {
            let declared = all
                .country(m.index.country_part())
                .is_some_and(|r| r.index_definition(&m.index).is_some());
            if !declared {
                out.push(finding(
                    "quality/undeclared-index",
                    &format!("{at}/index"),
                    "not declared",
                    format!(
                        "index `{}` is not declared in the reference data (`reference/{}.json`, `index_definitions`)",
                        m.index,
                        m.index.country_part().to_lowercase()
                    ),
                    "declare the index with its name, currency, unit and sources, and add its yearly values, so the amount can be computed for any year".into(),
                ));
            } else if let (Some(reference), Some(y)) = (reference, m.year)
                && reference.index_value(&m.index, y).is_none()
            {
                out.push(finding(
                    "quality/unknown-index-value",
                    &format!("{at}/year"),
                    "no reference value",
                    format!("no value of {} for {y} in the reference data", m.index.as_str()),
                    format!(
                        "add the {y} value with its source to `reference/{}.json`",
                        route.country.as_str().to_lowercase()
                    ),
                ));
            }
        }
    }
    if !matches!(
        kind,
        RequirementKind::MinIncome
            | RequirementKind::MinSalary
            | RequirementKind::Savings
            | RequirementKind::Investment
    ) {
        return;
    }
    let implausible = |why: String| {
        finding(
            "quality/implausible-amount",
            at,
            "implausible",
            why,
            "check whether the source states a fee, an index unit or a monthly figure; if no source states a threshold, remove it".into(),
        )
    };
    // A hard currency's floor holds as stated; any other currency's, at a
    // sourced rate into euros.
    let hard = match money {
        Money::Fixed(m) if HARD_CURRENCIES.contains(&m.currency.as_str()) => {
            Some((m.amount, m.currency.as_str().to_owned(), m.period, String::new()))
        }
        Money::Fixed(m) => all.convert(m.amount, m.currency.as_str(), "EUR", on).map(|c| {
            let how = format!(
                " ({} {} at the {} rate of {})",
                fmt_amount(m.amount),
                m.currency,
                c.rate.date,
                c.rate.sources.first().map_or("", |s| s.as_str())
            );
            (c.amount, "EUR".to_owned(), m.period, how)
        }),
        Money::Indexed(_) => None,
    };
    if let Some((amount, cur, period, how)) = hard {
        let amount = (amount * 100.0).round() / 100.0;
        let Some(per_month) = monthly(amount, period) else {
            return;
        };
        let floor = if kind == RequirementKind::Investment {
            1000.0
        } else {
            100.0
        };
        let value = if kind == RequirementKind::Savings || kind == RequirementKind::Investment {
            amount
        } else {
            per_month
        };
        if value < floor {
            let (what, shown) = (kind_words(kind), fmt_amount(amount));
            let floor = fmt_amount(floor);
            out.push(implausible(if value == per_month && period == Period::Year {
                format!(
                    "a {what} of {shown} {cur}{how} per year ({} a month) is below {floor} {cur} a month",
                    fmt_amount((per_month * 100.0).round() / 100.0),
                )
            } else if value == per_month && period == Period::Month {
                format!("a {what} of {shown} {cur}{how} per month is below {floor} {cur} a month")
            } else {
                format!("{what} of {shown} {cur}{how} is below {floor} {cur}, implausibly small")
            }));
            return;
        }
    }
    let Some((amount, period)) = local_amount(money, reference, all, on) else {
        return;
    };
    let Some(reference) = reference else { return };
    let Some(wage) = reference.monthly_minimum_wage(year) else {
        return;
    };
    let currency = reference.currency.as_str();
    match kind {
        RequirementKind::MinIncome | RequirementKind::MinSalary => {
            let Some(per_month) = monthly(amount, period) else {
                return;
            };
            if per_month < wage * 0.5 {
                if period == Period::Year && amount >= wage * 0.5 {
                    out.push(finding(
                        "quality/annual-looks-monthly",
                        at,
                        "monthly figure?",
                        format!(
                            "{} {currency} per year is about one month's minimum wage ({} {currency})",
                            fmt_amount(amount),
                            fmt_amount(wage)
                        ),
                        "check whether the source states this amount per month".into(),
                    ));
                } else {
                    out.push(implausible(format!(
                        "a {} of {} {currency} {} is below half the minimum wage ({} {currency} per month)",
                        kind_words(kind),
                        fmt_amount(amount),
                        period_words(period),
                        fmt_amount(wage)
                    )));
                }
            }
        }
        RequirementKind::Savings | RequirementKind::Investment if amount < wage * 0.5 => {
            out.push(implausible(format!(
                "{} of {} {currency} is below half a month's minimum wage ({} {currency})",
                kind_words(kind),
                fmt_amount(amount),
                fmt_amount(wage)
            )));
        }
        _ => {}
    }
}

fn kind_words(kind: RequirementKind) -> &'static str {
    match kind {
        RequirementKind::MinIncome => "minimum income",
        RequirementKind::MinSalary => "minimum salary",
        RequirementKind::Savings => "savings",
        RequirementKind::Investment => "investment",
        _ => "amount",
    }
}

fn period_words(period: Period) -> &'static str {
    match period {
        Period::OneOff => "once",
        Period::Hour => "per hour",
        Period::Month => "per month",
        Period::Year => "per year",
    }
}

/// A figure in every currency it can be given in without guessing: as
/// stated, as the record converts it, and at each sourced rate (of the day
/// nearest to `on`) from or into the stated currency.
pub(crate) fn renderings(m: &routes_core::FixedMoney, reference: &Reference, on: routes_core::Date) -> Vec<Rendering> {
    let mut out = vec![Rendering {
        amount: m.amount,
        currency: m.currency.as_str().to_owned(),
        native: true,
    }];
    if let Some(c) = &m.converted {
        out.push(Rendering {
            amount: c.amount,
            currency: c.currency.as_str().to_owned(),
            native: false,
        });
    }
    let mut targets: Vec<&str> = reference
        .rates()
        .flat_map(|r| [r.from.as_str(), r.to.as_str()])
        .filter(|c| *c != m.currency.as_str())
        .collect();
    targets.sort_unstable();
    targets.dedup();
    for to in targets {
        if let Some(c) = reference.convert(m.amount, m.currency.as_str(), to, on)
            && !out.iter().any(|r| r.currency == to)
        {
            out.push(Rendering {
                amount: c.amount,
                currency: to.to_owned(),
                native: false,
            });
        }
    }
    out
}

/// Money that lacks its period or currency gets the quality code that names it.
pub(crate) fn schema_code(v: &crate::schema::Violation) -> Option<&'static str> {
    if v.code != "schema/one-of" || !v.pointer.contains("/money") {
        return None;
    }
    if v.message.ends_with("missing required property `period`") {
        Some("quality/money-without-period")
    } else if v.message.ends_with("missing required property `currency`") {
        Some("quality/money-without-currency")
    } else {
        None
    }
}

/// Across records: figures of one page that other routes state too, and
/// yearly figures equal to another route's monthly one (`group`: the facts of
/// one key, in reading order).
pub(crate) fn compare_figures(group: &[Fact<'_>], pending: &mut Vec<Pending>) {
    match group[0].kind {
        Kind::Figure => {
            for (i, f) in group.iter().enumerate() {
                // The figure belongs to the first route that states it; a
                // route that states its own figure again leaks nothing.
                let Some(owner) = group[..i].iter().find(|o| same_figure(o, f)) else {
                    continue;
                };
                if owner.route == f.route {
                    continue;
                }
                let how = if owner.native && f.native {
                    String::new()
                } else {
                    format!(" (as {}, once converted at a sourced rate)", owner.text)
                };
                pending.push(Pending {
                    ordinal: f.ordinal,
                    route: f.route.to_owned(),
                    code: "quality/leaked-value",
                    pointer: format!("/requirements/{}/money", f.index),
                    with_span: true,
                    label: "same figure, same page",
                    message: Message::Text(format!(
                        "{} is also a figure of `{}`{how}, from the same page {}",
                        f.text, owner.route, f.extra
                    )),
                    hint: "pages that describe many routes leak values between them: quote the sentence that names this route's code, or remove the figure",
                });
            }
        }
        Kind::Monthly | Kind::Yearly => {
            for f in group.iter().filter(|f| f.kind == Kind::Yearly) {
                let Some(owner) = group
                    .iter()
                    .find(|o| o.kind == Kind::Monthly && o.route != f.route && same_figure(o, f))
                else {
                    continue;
                };
                let how = if owner.native && f.native {
                    String::new()
                } else {
                    " once converted at a sourced rate".to_owned()
                };
                pending.push(Pending {
                    ordinal: f.ordinal,
                    route: f.route.to_owned(),
                    code: "quality/annual-looks-monthly",
                    pointer: format!("/requirements/{}/money", f.index),
                    with_span: false,
                    label: "",
                    message: Message::Text(format!(
                        "{} per year equals the monthly figure {} of `{}`{how}",
                        f.text, owner.text, owner.route
                    )),
                    hint: "check whether the source states this amount per month",
                });
            }
        }
        _ => {}
    }
}

/// Width of a cell of amounts, on a log scale: two amounts within 2% of
/// each other share a cell of one of the two offset grids ([`cells`]).
pub(crate) const CELL: f64 = 0.048_790_164_169_432; // ln(1.05)

/// The cells an amount falls in, one per grid; the second grid is offset by
/// half a cell, so that amounts close to a cell's edge still meet.
pub(crate) fn cells(amount: f64) -> [String; 2] {
    if !(amount.is_finite() && amount > 0.0) {
        return [format!("a{amount}"), format!("b{amount}")];
    }
    let x = amount.ln() / CELL;
    [format!("a{}", x.floor()), format!("b{}", (x + 0.5).floor())]
}

/// Whether two figures are one: equal as stated, or within 2% where either
/// is a conversion (rates and their rounding differ a little).
pub(crate) fn same_figure(a: &Fact, b: &Fact) -> bool {
    if a.native && b.native {
        a.value == b.value
    } else {
        let (lo, hi) = if a.value < b.value {
            (a.value, b.value)
        } else {
            (b.value, a.value)
        };
        lo > 0.0 && hi / lo <= 1.02
    }
}

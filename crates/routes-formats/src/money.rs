//! What the tables need to normalise money: the values of official indexes
//! and the exchange rates of the reference data, each with its sources. No
//! value is ever made up: without a sourced index value or rate, the
//! normalised columns stay null.

use routes_core::{Date, Period};

/// The value of one unit of an index in one year.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexValue {
    /// The reference file, such as `reference/kz.json`.
    pub file: String,
    /// The day the value took effect, where it is not 1 January.
    pub effective_from: Option<Date>,
    /// The verbatim quote, checked against its snapshot.
    pub excerpt: Option<String>,
    /// Remark.
    pub note: Option<String>,
    /// The index, `CC_NAME`.
    pub index: String,
    /// The year.
    pub year: u16,
    /// The value of one unit.
    pub value: f64,
    /// The currency of the value.
    pub currency: String,
    /// Ids of the reference sources that state it.
    pub sources: Vec<String>,
}

/// One exchange rate: one unit of `from` is `rate` units of `to` on `date`.
#[derive(Debug, Clone, PartialEq)]
pub struct ExchangeRate {
    /// The verbatim quote, checked against its snapshot.
    pub excerpt: Option<String>,
    /// The currency converted.
    pub from: String,
    /// The currency converted into.
    pub to: String,
    /// Units of `to` per unit of `from`.
    pub rate: f64,
    /// The day of the rate.
    pub date: Date,
    /// Ids of the reference sources that state it.
    pub sources: Vec<String>,
}

/// The sourced index values and exchange rates the money columns use, and
/// the rest of the reference data the release ships as tables.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MoneyContext {
    /// Index values by index and year.
    pub index_values: Vec<IndexValue>,
    /// Exchange rates.
    pub rates: Vec<ExchangeRate>,
    /// Minimum wages and subsistence minimums.
    pub wages: Vec<Wage>,
    /// Named groups of nationalities.
    pub groups: Vec<Group>,
    /// The sources of all of the above.
    pub sources: Vec<ReferenceSource>,
}

/// A minimum wage or subsistence minimum of one year.
#[derive(Debug, Clone, PartialEq)]
pub struct Wage {
    /// The reference file, such as `reference/kz.json`.
    pub file: String,
    /// The country.
    pub country: String,
    /// `minimum_wage` or `subsistence_minimum`.
    pub kind: &'static str,
    /// The year.
    pub year: i64,
    /// The amount.
    pub amount: f64,
    /// Its currency.
    pub currency: String,
    /// Per month or per year.
    pub period: Period,
    /// The verbatim quote, checked against its snapshot.
    pub excerpt: Option<String>,
    /// Ids of the file's sources.
    pub sources: Vec<String>,
}

/// A named group of nationalities.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    /// The reference file.
    pub file: String,
    /// `international` for `groups.json`, else the country whose rules use it.
    pub scope: String,
    /// Its name as records write it.
    pub group: String,
    /// Its name in words.
    pub name: String,
    /// What it is.
    pub description: String,
    /// When the list was read as current.
    pub as_of: Option<Date>,
    /// Its members; `None` when no source lists them.
    pub members: Option<Vec<String>>,
    /// The verbatim quote of the list.
    pub excerpt: Option<String>,
    /// Ids of the file's sources.
    pub sources: Vec<String>,
}

/// A source of reference data.
#[derive(Debug, Clone, PartialEq)]
pub struct ReferenceSource {
    /// The reference file that lists it.
    pub file: String,
    /// Its id in that file.
    pub id: String,
    /// Where it was read.
    pub url: String,
    /// Its title.
    pub title: String,
    /// Its standing.
    pub tier: &'static str,
    /// Its printed date.
    pub published: Option<Date>,
    /// When it was read.
    pub seen: Date,
    /// Remark.
    pub note: Option<String>,
    /// The archived copy.
    pub snapshot_path: Option<String>,
    /// Its SHA-256.
    pub snapshot_sha256: Option<String>,
}

/// A rate into euros: the amount, the rate, its day and its sources.
pub(crate) struct InEuros<'m> {
    pub(crate) amount: f64,
    pub(crate) rate: f64,
    pub(crate) date: Option<Date>,
    pub(crate) sources: Vec<&'m str>,
}

impl MoneyContext {
    /// The value of `index` in `year`.
    pub(crate) fn index_value(&self, index: &str, year: u16) -> Option<&IndexValue> {
        self.index_values.iter().find(|v| v.index == index && v.year == year)
    }

    /// `amount` of `currency` in euros, at the sourced rate nearest to `on`
    /// (the latest on or before it, else the earliest after it), read either
    /// way, if that rate is of a day at most [`MAX_RATE_DAYS`] from `on`; a
    /// euro amount is itself, at rate 1. A rate further off would misstate
    /// the amount (the validator's `quality/stale-fx` draws the same line).
    pub(crate) fn in_euros(&self, amount: f64, currency: &str, on: Date) -> Option<InEuros<'_>> {
        if currency == "EUR" {
            return Some(InEuros {
                amount,
                rate: 1.0,
                date: None,
                sources: Vec::new(),
            });
        }
        let candidates = self.rates.iter().filter_map(|r| {
            if r.from == currency && r.to == "EUR" {
                Some((r, r.rate))
            } else if r.from == "EUR" && r.to == currency && r.rate > 0.0 {
                Some((r, 1.0 / r.rate))
            } else {
                None
            }
        });
        let mut before: Option<(&ExchangeRate, f64)> = None;
        let mut after: Option<(&ExchangeRate, f64)> = None;
        for (r, per_unit) in candidates {
            if r.date <= on {
                if before.is_none_or(|(b, _)| r.date > b.date) {
                    before = Some((r, per_unit));
                }
            } else if after.is_none_or(|(a, _)| r.date < a.date) {
                after = Some((r, per_unit));
            }
        }
        let near = |r: &ExchangeRate| {
            let (a, b) = if r.date <= on { (r.date, on) } else { (on, r.date) };
            b.civil()
                .since(a.civil())
                .is_ok_and(|span| span.get_days() <= MAX_RATE_DAYS)
        };
        before.or(after).filter(|(r, _)| near(r)).map(|(r, per_unit)| InEuros {
            amount: amount * per_unit,
            rate: per_unit,
            date: Some(r.date),
            sources: r.sources.iter().map(String::as_str).collect(),
        })
    }
}

/// How far, in days, the day of a rate may be from the day of the amount it
/// converts into euros.
pub const MAX_RATE_DAYS: i32 = 365;

/// An amount per month: a yearly amount divided by 12, a monthly one as it
/// is; `None` for a one-off or hourly amount.
pub(crate) fn per_month(amount: f64, period: Period) -> Option<f64> {
    match period {
        Period::Year => Some(amount / 12.0),
        Period::Month => Some(amount),
        Period::OneOff | Period::Hour => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> Date {
        serde_json::from_value(serde_json::json!(text)).expect("date")
    }

    #[test]
    fn euros_come_only_from_sourced_rates_nearest_the_day() {
        let ctx = MoneyContext {
            index_values: Vec::new(),
            wages: Vec::new(),
            groups: Vec::new(),
            sources: Vec::new(),
            rates: vec![
                ExchangeRate {
                    excerpt: None,
                    from: "USD".into(),
                    to: "EUR".into(),
                    rate: 0.9,
                    date: date("2025-01-01"),
                    sources: vec!["ecb-2025".into()],
                },
                ExchangeRate {
                    excerpt: None,
                    from: "EUR".into(),
                    to: "USD".into(),
                    rate: 1.25,
                    date: date("2026-01-01"),
                    sources: vec!["ecb-2026".into()],
                },
            ],
        };
        let early = ctx.in_euros(100.0, "USD", date("2025-06-01")).expect("a rate");
        assert!((early.amount - 90.0).abs() < 1e-9);
        assert_eq!(early.sources, ["ecb-2025"]);
        let late = ctx.in_euros(100.0, "USD", date("2026-06-01")).expect("a rate");
        assert!((late.amount - 80.0).abs() < 1e-9);
        assert_eq!(late.date, Some(date("2026-01-01")));
        // Before every rate, the earliest one after, if it is within a year.
        assert_eq!(
            ctx.in_euros(1.0, "USD", date("2024-03-01")).map(|e| e.sources),
            Some(vec!["ecb-2025"])
        );
        // A rate more than a year from the amount's day gives no euros.
        assert!(ctx.in_euros(1.0, "USD", date("2023-12-31")).is_none());
        assert!(ctx.in_euros(1.0, "USD", date("2027-01-02")).is_none());
        assert!(ctx.in_euros(1.0, "USD", date("2027-01-01")).is_some());
        assert!(
            ctx.in_euros(1.0, "KZT", date("2026-01-01")).is_none(),
            "no rate, no euros"
        );
        assert_eq!(
            ctx.in_euros(5.0, "EUR", date("2026-01-01")).map(|e| e.amount),
            Some(5.0)
        );
    }
}

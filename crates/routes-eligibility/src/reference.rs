//! The reference data an assessment reads: named groups of nationalities
//! with their members, the values of official indexes, and exchange rates,
//! each with the source that states it.
//!
//! The engine reads no file: the caller fills a [`Reference`] from a
//! dataset's `reference/` folder (as `routes validate` reads it) or from a
//! release's reference tables, so both give the same verdicts.

use routes_core::Date;
use serde::Serialize;

/// Where a reference value comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Cited {
    /// The source's URL.
    pub url: String,
    /// The verbatim quote of the value, when recorded.
    pub excerpt: Option<String>,
}

/// A named group of nationalities (`EU`, `EAEU`, `VISA_FREE_AGREEMENT`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Group {
    /// The country whose rules define it; `None` for an international group.
    pub scope: Option<String>,
    /// Its name, as records write it.
    pub name: String,
    /// Its members (ISO 3166-1 alpha-2); `None` when no source gathered lists them.
    pub members: Option<Vec<String>>,
    /// The source of the list.
    pub cited: Option<Cited>,
}

/// The value of one unit of an official index in one year.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndexValue {
    /// The index, `CC_NAME`.
    pub index: String,
    /// The year.
    pub year: u16,
    /// The value.
    pub value: f64,
    /// Its currency.
    pub currency: String,
    /// The day it took effect, when not 1 January.
    pub effective_from: Option<Date>,
    /// Its source.
    pub cited: Option<Cited>,
}

/// One unit of `from` is `rate` units of `to` on `date`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rate {
    /// The currency converted.
    pub from: String,
    /// The currency converted into.
    pub to: String,
    /// Units of `to` per unit of `from`.
    pub rate: f64,
    /// The day of the rate.
    pub date: Date,
    /// Its source.
    pub cited: Option<Cited>,
}

/// All the reference data of a dataset or release.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Reference {
    groups: Vec<Group>,
    index_values: Vec<IndexValue>,
    rates: Vec<Rate>,
}

/// An exchange rate chosen for a conversion, read in the direction asked.
#[derive(Debug, Clone, Copy)]
pub struct Conversion<'r> {
    /// Units of the target currency per unit of the source currency.
    pub factor: f64,
    /// The rate as the reference data gives it.
    pub rate: &'r Rate,
}

impl Reference {
    /// Reference data from its parts, in any order (lookups do not depend
    /// on it).
    #[must_use]
    pub fn new(mut groups: Vec<Group>, mut index_values: Vec<IndexValue>, mut rates: Vec<Rate>) -> Self {
        groups.sort_by(|a, b| (&a.scope, &a.name).cmp(&(&b.scope, &b.name)));
        index_values.sort_by(|a, b| (&a.index, a.year, a.effective_from).cmp(&(&b.index, b.year, b.effective_from)));
        rates.sort_by(|a, b| {
            (&a.from, &a.to, a.date)
                .cmp(&(&b.from, &b.to, b.date))
                .then(a.rate.total_cmp(&b.rate))
        });
        Self {
            groups,
            index_values,
            rates,
        }
    }

    /// The group `name` as a route of `country` uses it: the country's own
    /// definition first, then the international one.
    #[must_use]
    pub fn group(&self, country: &str, name: &str) -> Option<&Group> {
        self.groups
            .iter()
            .find(|g| g.name == name && g.scope.as_deref() == Some(country))
            .or_else(|| self.groups.iter().find(|g| g.name == name && g.scope.is_none()))
    }

    /// The value of `index` that holds on `on` for `year`: the value of that
    /// year, unless it took effect after `on` (then the year before's).
    #[must_use]
    pub fn index_value(&self, index: &str, year: u16, on: Date) -> Option<&IndexValue> {
        let of = |y: u16| {
            self.index_values
                .iter()
                .filter(|v| v.index == index && v.year == y)
                .filter(|v| v.effective_from.is_none_or(|from| from <= on))
                .max_by_key(|v| v.effective_from)
        };
        of(year).or_else(|| {
            // Only when the year's value exists but is not yet in effect.
            self.index_values
                .iter()
                .any(|v| v.index == index && v.year == year)
                .then(|| of(year.checked_sub(1)?))
                .flatten()
        })
    }

    /// The sourced rate from `from` to `to` nearest to `on` (the latest on
    /// or before it, else the earliest after it), read either way.
    #[must_use]
    pub fn rate(&self, from: &str, to: &str, on: Date) -> Option<Conversion<'_>> {
        let mut before: Option<Conversion<'_>> = None;
        let mut after: Option<Conversion<'_>> = None;
        for r in &self.rates {
            let factor = if r.from == from && r.to == to {
                r.rate
            } else if r.from == to && r.to == from && r.rate > 0.0 {
                1.0 / r.rate
            } else {
                continue;
            };
            let c = Conversion { factor, rate: r };
            if r.date <= on {
                if before.is_none_or(|b| r.date > b.rate.date) {
                    before = Some(c);
                }
            } else if after.is_none_or(|a| r.date < a.rate.date) {
                after = Some(c);
            }
        }
        before.or(after)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> Date {
        s.parse().expect("a date")
    }

    #[test]
    fn a_value_not_yet_in_effect_gives_the_year_before() {
        let value = |year, value, from: Option<&str>| IndexValue {
            index: "KZ_MCI".into(),
            year,
            value,
            currency: "KZT".into(),
            effective_from: from.map(date),
            cited: None,
        };
        let r = Reference::new(
            Vec::new(),
            vec![value(2026, 4325.0, Some("2026-04-01")), value(2025, 3932.0, None)],
            Vec::new(),
        );
        assert_eq!(
            r.index_value("KZ_MCI", 2026, date("2026-05-01")).map(|v| v.value),
            Some(4325.0)
        );
        assert_eq!(
            r.index_value("KZ_MCI", 2026, date("2026-02-01")).map(|v| v.value),
            Some(3932.0)
        );
        assert_eq!(r.index_value("KZ_MCI", 2027, date("2027-02-01")).map(|v| v.value), None);
    }

    #[test]
    fn rates_are_read_either_way_nearest_first() {
        let rate = |d: &str, rate| Rate {
            from: "EUR".into(),
            to: "KZT".into(),
            rate,
            date: date(d),
            cited: None,
        };
        let r = Reference::new(
            Vec::new(),
            Vec::new(),
            vec![rate("2024-04-24", 500.0), rate("2020-01-01", 400.0)],
        );
        let c = r.rate("KZT", "EUR", date("2026-01-01")).expect("a rate");
        assert!((c.factor - 1.0 / 500.0).abs() < 1e-12);
        assert_eq!(r.rate("EUR", "KZT", date("2019-01-01")).map(|c| c.factor), Some(400.0));
        assert!(r.rate("EUR", "USD", date("2026-01-01")).is_none());
    }
}

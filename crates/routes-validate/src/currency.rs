//! What the rules know of currencies: the hard currencies whose floors hold
//! as stated, withdrawn ISO 4217 codes and their successors, and each
//! country's currencies (from the maintained `iso_currency` table, so that a
//! country without a reference file is known too).

pub(crate) const HARD_CURRENCIES: &[&str] = &["EUR", "USD", "GBP", "CHF"];

/// Withdrawn ISO 4217 codes, their successors and when they were replaced
/// (ISO 4217 amendments, as published by the maintenance agency).
pub(crate) const WITHDRAWN: &[(&str, &str, &str)] = &[
    ("AZM", "AZN", "2006-01-01"),
    ("BYR", "BYN", "2016-07-01"),
    ("EEK", "EUR", "2011-01-01"),
    ("GHC", "GHS", "2007-07-01"),
    ("HRK", "EUR", "2023-01-01"),
    ("LTL", "EUR", "2015-01-01"),
    ("LVL", "EUR", "2014-01-01"),
    ("MRO", "MRU", "2018-01-01"),
    ("MZM", "MZN", "2006-07-01"),
    ("ROL", "RON", "2005-07-01"),
    ("SDD", "SDG", "2007-01-10"),
    ("SKK", "EUR", "2009-01-01"),
    ("SLL", "SLE", "2022-07-01"),
    ("STD", "STN", "2018-01-01"),
    ("TMM", "TMT", "2009-01-01"),
    ("TRL", "TRY", "2005-01-01"),
    ("VEB", "VEF", "2008-01-01"),
    ("VEF", "VES", "2018-08-20"),
    ("ZMK", "ZMW", "2013-01-01"),
    ("ZWL", "ZWG", "2024-04-05"),
];

/// The successor and date of a withdrawn currency code.
pub(crate) fn withdrawn(code: &str) -> Option<(&'static str, &'static str)> {
    WITHDRAWN
        .iter()
        .find(|(c, _, _)| *c == code)
        .map(|(_, next, date)| (*next, *date))
}

/// The currencies a country uses, from the maintained ISO 4217 table of the
/// `iso_currency` crate (funds and superseded codes left out); empty for a
/// code the table does not know.
pub(crate) fn country_currencies(country: &str) -> Vec<&'static str> {
    let Ok(country) = country.parse::<iso_currency::Country>() else {
        return Vec::new();
    };
    let mut out: Vec<&'static str> = iso_currency::Currency::from_country(country)
        .into_iter()
        .filter(|c| !c.is_fund() && c.is_superseded().is_none())
        .map(|c| c.code())
        .collect();
    out.sort_unstable();
    out
}

//! Ages: a well-known default age range, closed or open-ended, needs a quote
//! that states it.

use routes_core::{Range, RequirementKind, Route};
use routes_diagnostics::Diagnostic;

use super::context::Finding;
use crate::rule::{E, Rule, rule};
use crate::words::fmt_amount;

/// The age rules.
pub(crate) static RULES: &[Rule] = &[rule!(
    "quality/default-range",
    E,
    "A well-known default age (18–65, or open-ended: 18 and over, up to 65) without a quote that states it",
    "Aggregators fill unknown age limits with 18–65, 18–60 or \"18 and over\"; official pages rarely set them. A closed default range needs one excerpt stating both bounds; an open-ended one (18 or 21 and over; up to 55, 60, 64, 65 or 70) an excerpt stating its bound, as a whole number (the 18 of 2018 does not count), in English words, or, for 18, as \"adult\", \"majority\" or \"full age\".",
    "{\"kind\": \"age\", \"range\": {\"min\": 18, \"max\": 65, \"unit\": \"years\"}, \"evidence\": [{\"source\": \"egov\"}]}",
    "DQ6"
)];

/// Ages that are common defaults, stated by no quote.
pub(crate) fn default_ranges(route: &Route, finding: &Finding<'_>, out: &mut Vec<Diagnostic>) {
    for (i, r) in route.requirements.iter().enumerate() {
        let at = format!("/requirements/{i}");
        if r.kind == RequirementKind::Age
            && let Some(range) = &r.range
            && let Some(default) = default_age_bounds(range)
        {
            let quotes: Vec<&str> = r.evidence.iter().filter_map(|e| e.excerpt.as_deref()).collect();
            let stated = |bound: f64| quotes.iter().any(|x| states_age(x, bound));
            // Each bound a default would fill in must be stated by a quote (a
            // closed range by one quote stating both).
            let unstated = match (range.min, range.max) {
                (Some(min), Some(max)) => !quotes.iter().any(|x| states_age(x, min) && states_age(x, max)),
                (Some(bound), None) | (None, Some(bound)) => !stated(bound),
                (None, None) => false,
            };
            if unstated {
                out.push(finding(
                    "quality/default-range",
                    &format!("{at}/range"),
                    "a common default",
                    format!("{default} is a common default, and no excerpt states it"),
                    "quote the source sentence that sets the limit (for a range, one sentence with both limits), or record only the bounds a source states (null for the others)".into(),
                ));
            }
        }
    }
}

/// Age ranges that aggregators fill in when a source gives none.
const DEFAULT_RANGES: &[(f64, f64)] = &[
    (18.0, 65.0),
    (18.0, 60.0),
    (18.0, 64.0),
    (18.0, 55.0),
    (21.0, 65.0),
    (18.0, 70.0),
];

/// Lower age limits that aggregators fill in when a source gives none ("18 and over").
const DEFAULT_MIN_AGES: &[f64] = &[18.0, 21.0];

/// Upper age limits filled in the same way ("under 65").
const DEFAULT_MAX_AGES: &[f64] = &[55.0, 60.0, 64.0, 65.0, 70.0];

/// The words for an age range that is a common default, closed ("age 18–65")
/// or open-ended ("age 18 and over", "age up to 65"); `None` for any other.
fn default_age_bounds(range: &Range) -> Option<String> {
    match (range.min, range.max) {
        (Some(min), Some(max)) if DEFAULT_RANGES.contains(&(min, max)) => {
            Some(format!("age {}–{}", fmt_amount(min), fmt_amount(max)))
        }
        (Some(min), None) if DEFAULT_MIN_AGES.contains(&min) => Some(format!("age {} and over", fmt_amount(min))),
        (None, Some(max)) if DEFAULT_MAX_AGES.contains(&max) => Some(format!("age up to {}", fmt_amount(max))),
        _ => None,
    }
}

/// Whether a quote states the age `bound`: the number as a whole figure (18,
/// not the 18 of 2018), or in English words; 18 also as "adult", "majority"
/// or "full age", which mean it in law.
fn states_age(quote: &str, bound: f64) -> bool {
    let figure = fmt_amount(bound);
    // Full-width digits (Japanese text) count as digits.
    let digits: String = quote
        .chars()
        .map(|c| match c {
            '\u{ff10}'..='\u{ff19}' => char::from(b'0' + u8::try_from(u32::from(c) - 0xff10).unwrap_or(0)),
            c => c,
        })
        .collect();
    if digits.split(|c: char| !c.is_ascii_digit()).any(|n| n == figure) {
        return true;
    }
    let lower = quote.to_lowercase();
    let words: &[&str] = match figure.as_str() {
        // The age of majority, in the languages of the dataset's sources.
        "18" => &[
            "eighteen",
            "adult",
            "majority",
            "full age",
            "of age",
            "mayor de edad",
            "mayoría de edad",
            "volljährig",
            "maior de idade",
            "maioridade",
            "täisealine",
            "täisealis",
            "täysi-ikäi",
            "совершеннолет",
            "кәмелет",
            "成年",
            "չափահաս",
            "majeur",
        ],
        "21" => &["twenty-one", "twenty one"],
        "55" => &["fifty-five", "fifty five"],
        "60" => &["sixty"],
        "64" => &["sixty-four", "sixty four"],
        "65" => &["sixty-five", "sixty five"],
        "70" => &["seventy"],
        _ => &[],
    };
    words.iter().any(|w| lower.contains(w))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bound_is_stated_as_a_whole_number_or_in_words() {
        assert!(states_age("applicants aged 18 or over", 18.0));
        assert!(!states_age("since 2018 the rules apply", 18.0));
        assert!(states_age("１８歳以上であること", 18.0));
        assert!(states_age("ser mayor de edad", 18.0));
        assert!(states_age("Der Antragsteller muss volljährig sein.", 18.0));
        assert!(states_age("be aged 55 or under", 55.0));
        assert!(!states_age("be aged 55 or under", 65.0));
        assert!(states_age("under sixty-five", 65.0));
    }

    #[test]
    fn open_ended_defaults_are_named() {
        let range = |min, max| Range {
            min,
            max,
            unit: routes_core::Unit::Years,
        };
        assert_eq!(
            default_age_bounds(&range(Some(18.0), None)).as_deref(),
            Some("age 18 and over")
        );
        assert_eq!(
            default_age_bounds(&range(None, Some(65.0))).as_deref(),
            Some("age up to 65")
        );
        assert_eq!(
            default_age_bounds(&range(Some(18.0), Some(65.0))).as_deref(),
            Some("age 18–65")
        );
        assert_eq!(default_age_bounds(&range(Some(15.0), None)), None);
        assert_eq!(default_age_bounds(&range(Some(18.0), Some(40.0))), None);
    }
}

//! Near duplicates: two records that may be one programme, by a shared
//! official code, names alike, or the same official page of one category.

use std::collections::HashMap;

use crate::facts::{Fact, Kind, Message, NearDuplicate, Pending};
use crate::rule::{Rule, W, rule};

/// The near-duplicate rules.
pub(crate) static RULES: &[Rule] = &[rule!(
    "quality/near-duplicate-route",
    W,
    "Two routes look like one programme recorded twice",
    "The same programme under two names (B9-1 \"Digital Nomad Visa\" and \"Digital Nomad Residency\") splits its facts and double-counts it. Caught by a shared official code, names alike but for case, punctuation or plurals, names 90% alike, or (for names that share no word) the same country, category and official page, when that page is cited by exactly these two routes of the category and their official codes, if any, overlap: a page of three or more routes is a list of many.",
    "`kz/b9-1-visa` and `kz/digital-nomad-visa-b9-1` both with code `B9-1`",
    "DQ13"
)];

/// Most names compared with each new name in one block of near-duplicate candidates.
pub(crate) const MAX_BLOCK: usize = 16;

/// Across records: proposes, per record, the first reason it may duplicate
/// another (`group`: the facts of one key, in reading order).
pub(crate) fn compare(group: &[Fact<'_>], near: &mut HashMap<u64, NearDuplicate>) {
    let mut propose = |f: &Fact<'_>, rank: (u8, u32), other: &str, why: String| {
        let better = near.get(&f.ordinal).is_none_or(|(r, ..)| rank < *r);
        if better {
            near.insert(f.ordinal, (rank, f.route.to_owned(), other.to_owned(), why));
        }
    };
    match group[0].kind {
        Kind::Code => {
            let owner = &group[0];
            for f in group.iter().filter(|f| f.route != owner.route) {
                propose(
                    f,
                    (0, f.index),
                    owner.route,
                    format!("both carry the official code `{}`", f.text),
                );
            }
        }
        Kind::Name => {
            let owner = &group[0];
            for f in group.iter().filter(|f| f.route != owner.route) {
                propose(
                    f,
                    (1, 0),
                    owner.route,
                    "their names are the same but for case, punctuation or plurals".to_owned(),
                );
            }
        }
        Kind::Page => {
            // A page of exactly two routes of one category may be one
            // programme's, filed twice; a page of three or more describes
            // many routes (a list of visa types), and says nothing of duplicates.
            let mut routes: Vec<&str> = group.iter().map(|f| f.route).collect();
            routes.sort_unstable();
            routes.dedup();
            if routes.len() != 2 {
                return;
            }
            let owner = &group[0];
            let codes = |f: &Fact<'_>| {
                f.extra
                    .split('\u{1f}')
                    .filter(|c| !c.is_empty())
                    .map(str::to_owned)
                    .collect::<Vec<_>>()
            };
            let owner_codes = codes(owner);
            for f in group.iter().filter(|f| f.route != owner.route) {
                // Routes with official codes of their own, none shared, are two programmes.
                let theirs = codes(f);
                if !theirs.is_empty() && !owner_codes.is_empty() && !theirs.iter().any(|c| owner_codes.contains(c)) {
                    continue;
                }
                propose(
                    f,
                    (3, 0),
                    owner.route,
                    format!("both are routes of one category whose official page is {}", f.text),
                );
            }
        }
        Kind::Block => {
            // Each name is compared with the first few of its block read before it.
            for (i, f) in group.iter().enumerate() {
                let earlier = &group[..i.min(MAX_BLOCK)];
                let found = earlier.iter().find_map(|other| {
                    let similarity = name_similarity(f.text, other.text)?;
                    Some((other, format!("their names are {:.0}% alike", similarity * 100.0)))
                });
                if let Some((other, why)) = found {
                    propose(f, (2, 0), other.route, why);
                }
            }
        }
        _ => {}
    }
}

/// The findings of the reasons proposed: one per record, the best reason.
pub(crate) fn findings(near: HashMap<u64, NearDuplicate>) -> Vec<Pending> {
    near.into_iter()
        .map(|(ordinal, (_, route, other, why))| Pending {
            ordinal,
            message: Message::Text(format!(
                "`{route}` and `{other}` may be one programme recorded twice: {why}"
            )),
            route,
            code: "quality/near-duplicate-route",
            pointer: "/name".to_owned(),
            with_span: true,
            label: "named alike",
            hint: "merge the two records, or tell them apart in their names and codes",
        })
        .collect()
}

/// How alike two normalised names are, when they may be one programme's:
/// `None` for names too short, too different in length or digits, or equal
/// (equal names are the same-name rule's).
pub(crate) fn name_similarity(key: &str, other: &str) -> Option<f64> {
    // Cheap tests first: names that differ in their digits, or in length by
    // more than a tenth, cannot be 90% alike.
    let digits = |k: &str| k.chars().filter(char::is_ascii_digit).collect::<String>();
    let (a, b) = (key.chars().count(), other.chars().count());
    if key.len() < 8 || a.abs_diff(b) * 10 > a.max(b) || digits(key) != digits(other) || key == other {
        return None;
    }
    let similarity = strsim::normalized_levenshtein(key, other);
    (similarity >= 0.9).then_some(similarity)
}

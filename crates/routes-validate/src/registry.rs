//! Every finding code `routes validate` can report: what it checks, why, its
//! default severity and an example that trips it. `--list-rules` and
//! `--explain CODE` print from here, and `docs/rules.md` is generated from it.

use std::fmt::Write as _;

use routes_diagnostics::Severity;

/// What one rule checks.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct Rule {
    /// Stable code, such as `quality/implausible-amount`.
    pub code: &'static str,
    /// Severity unless `routes.toml` says otherwise.
    pub severity: Severity,
    /// One line: what is checked.
    pub summary: &'static str,
    /// Why it matters.
    pub why: &'static str,
    /// A record fragment that trips the rule.
    pub example: &'static str,
    /// The failure kinds of `data-quality` (DQ1 to DQ18) it catches.
    pub catches: &'static [&'static str],
}

const E: Severity = Severity::Error;
const W: Severity = Severity::Warning;

macro_rules! rule {
    ($code:literal, $sev:expr, $summary:literal, $why:literal, $example:literal $(, $dq:literal)*) => {
        Rule { code: $code, severity: $sev, summary: $summary, why: $why, example: $example, catches: &[$($dq),*] }
    };
}

/// All rules, sorted by code.
pub static RULES: &[Rule] = &[
    rule!(
        "config/unused-allow",
        W,
        "An `[[allow]]` entry of `routes.toml` silences nothing",
        "A silence that no longer matches hides nothing and misleads readers of the config; remove it so that the next real finding is seen.",
        "[[allow]]\nroute = \"kz/gone\"\nrule = \"quality/stale-source\"\npointer = \"/sources/0/seen\"\nreason = \"...\""
    ),
    rule!(
        "input/bom",
        E,
        "The file starts with a byte-order mark",
        "RFC 8259 forbids a BOM in JSON text; many readers reject it.",
        "EF BB BF { \"schema_version\": 1, ..."
    ),
    rule!(
        "input/empty",
        E,
        "The file holds no record",
        "An empty file is almost always a failed save or a half-done edit.",
        "(a file of 0 bytes)"
    ),
    rule!(
        "input/not-a-file",
        E,
        "A path names a FIFO, socket, device or folder where a file is expected",
        "Reading a FIFO blocks forever and a device like `/dev/zero` never ends; such an entry is reported and never opened (standard input is read with `-`).",
        "kz/route.json is a FIFO (mkfifo)"
    ),
    rule!(
        "input/outside-dataset",
        E,
        "A symbolic link or snapshot path leads out of the dataset folder",
        "`routes` reads only inside the dataset it was given: a path out of it (`../../etc/passwd`, a link to another folder) would check and quote files that are not part of the data.",
        "\"snapshot\": {\"path\": \"snapshots/../../../etc/passwd\", ...}"
    ),
    rule!(
        "input/not-utf8",
        E,
        "The bytes are not valid UTF-8",
        "Records are UTF-8; text in another encoding (such as Windows-1251) turns into garbage in every reader.",
        "{\"name\": \"\\xC2\\xE8\\xE4\"}  (Windows-1251 bytes)"
    ),
    rule!(
        "input/symlink-loop",
        E,
        "A symbolic link points back to one of its own folders",
        "Following it would never end; the loop is reported and not followed.",
        "kz/loop -> .."
    ),
    rule!(
        "input/too-large",
        E,
        "A `*.json` file or `*.jsonl` line is larger than 16 MiB",
        "One route record is a few kilobytes; something far larger is not a record.",
        "(a 17 MiB file)"
    ),
    rule!(
        "input/unreadable",
        E,
        "A file or folder cannot be read",
        "A record that cannot be read cannot be checked; the run goes on with the others.",
        "kz/broken.json -> missing.json"
    ),
    rule!(
        "json/duplicate-key",
        E,
        "An object names the same key twice (also when one is written with escapes)",
        "Readers disagree on which value wins (RFC 8259 §4): a record that says `\"status\": \"closed\"` then `\"active\"` means two things at once.",
        "{\"status\": \"closed\", \"status\": \"active\"}"
    ),
    rule!(
        "json/syntax",
        E,
        "The text is not valid JSON",
        "Nothing else can be checked until the record parses.",
        "{\"name\": \"Visa\" \"country\": \"KZ\"}"
    ),
    rule!(
        "quality/annual-looks-monthly",
        W,
        "A yearly amount looks like a monthly one",
        "Amounts copied from a page that states them per month are often relabelled per year, which makes them twelve times too small (C2 \"annual salary €2,615\" is the B12-1 monthly USD 3,000). A yearly figure is compared with the monthly figures of the country's other routes as stated and, within 2%, after conversion at a sourced rate; and, where the reference data gives a minimum wage, with it.",
        "{\"money\": {\"amount\": 2615, \"currency\": \"EUR\", \"period\": \"year\"}}  (another route: 2615 EUR per month)",
        "DQ2"
    ),
    rule!(
        "quality/conflict-in-verified",
        W,
        "A record with conflicting values is marked `verified`",
        "Sources that disagree lower the confidence in a record; it cannot be fully verified until the conflict is settled.",
        "\"review_status\": \"verified\" with two processing times in conflict group `decision-time`",
        "DQ12"
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
        "quality/default-range",
        E,
        "A well-known default age (18–65, or open-ended: 18 and over, up to 65) without a quote that states it",
        "Aggregators fill unknown age limits with 18–65, 18–60 or \"18 and over\"; official pages rarely set them. A closed default range needs one excerpt stating both bounds; an open-ended one (18 or 21 and over; up to 55, 60, 64, 65 or 70) an excerpt stating its bound, as a whole number (the 18 of 2018 does not count), in English words, or, for 18, as \"adult\", \"majority\" or \"full age\".",
        "{\"kind\": \"age\", \"range\": {\"min\": 18, \"max\": 65, \"unit\": \"years\"}, \"evidence\": [{\"source\": \"egov\"}]}",
        "DQ6"
    ),
    rule!(
        "quality/duplicate-source",
        W,
        "Two sources of one record are the same page",
        "URL variants (http/https, www, `?lang=`) of one page make one source look like two; list the variant in `aliases`.",
        "two sources `https://www.gov.kz/services/4631?lang=en` and `http://gov.kz/services/4631`",
        "DQ13"
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
        "quality/evidence-is-title",
        W,
        "The excerpt quoted as evidence is only the title of the page",
        "A page title names a service; it says nothing about the claim it is quoted for. Checked on claims and notes; a quote of an official name or a legal act may be its title.",
        "\"leads_to_permanent_residence\": {\"value\": \"no\", \"evidence\": [{\"source\": \"egov\", \"excerpt\": \"Issuance to foreigners ... of a temporary residence permit\"}]}",
        "DQ5"
    ),
    rule!(
        "quality/excerpt-from-unofficial-translation",
        W,
        "An excerpt is quoted from an unofficial translation",
        "Unofficial translations are not authoritative; quote the original (kk/ru) text where one exists. Checked on every quote: claims, the official name, the legal basis (where translated law is quoted most) and notes.",
        "{\"source\": \"adilet-en\", \"excerpt\": \"...\"} with source `translation: unofficial_translation`",
        "DQ16"
    ),
    rule!(
        "quality/excerpt-not-in-snapshot",
        E,
        "An excerpt does not occur in the archived snapshot of its source",
        "An \"official quote\" must be a verbatim substring of the page; a paraphrase or an editor's note is not evidence.",
        "{\"source\": \"egov\", \"excerpt\": \"fonte não declara via para PR\"}  (not in snapshots/egov.txt)",
        "DQ5"
    ),
    rule!(
        "quality/excerpt-without-snapshot",
        W,
        "A quoted source has no archived snapshot",
        "A quote can only be checked against what was read: without a snapshot a quote can drift from its page unnoticed, and `quality/excerpt-not-in-snapshot` cannot run.",
        "a source quoted by an `excerpt` with no `\"snapshot\": {\"path\": \"snapshots/...\", \"sha256\": \"...\"}`",
        "DQ5"
    ),
    rule!(
        "quality/excerpt-unrelated",
        W,
        "An excerpt shares no words with the claim it supports",
        "A quote about something else does not support the claim it is attached to. Checked on every quote: claims, the official name, the legal basis and notes. Words of three letters or more (and numbers) are compared after dropping a plural `s` and cutting to five letters; punctuation never makes a word. Compared only for sources in English, the language of the records' descriptions: across languages no word is shared.",
        "{\"kind\": \"min_salary\", \"description\": \"Minimum annual salary\", \"evidence\": [{\"excerpt\": \"Certificate of fingerprinting\"}]}",
        "DQ5"
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
        "quality/home-page-source",
        W,
        "A source is only a site's home page",
        "A home page states no specific claim: whoever checks the record cannot find the sentence behind the figure. Cite the page itself.",
        "{\"id\": \"islam-kz\", \"url\": \"https://islam.kz/\", ...} cited as evidence",
        "DQ5",
        "DQ14"
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
        "quality/missing-exemption",
        W,
        "A route lacks an exemption that the official page it cites states",
        "Nationality-specific exemptions (EAEU citizens: no health-insurance copy) are the first thing aggregators drop.",
        "a route citing gov.kz/services/4631 with no exemption for `EAEU`",
        "DQ7"
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
        "quality/near-duplicate-route",
        W,
        "Two routes look like one programme recorded twice",
        "The same programme under two names (B9-1 \"Digital Nomad Visa\" and \"Digital Nomad Residency\") splits its facts and double-counts it. Caught by a shared official code, names alike but for case, punctuation or plurals, names 90% alike, or (for names that share no word) the same country, category and official page, when that page is cited by exactly these two routes of the category and their official codes, if any, overlap: a page of three or more routes is a list of many.",
        "`kz/b9-1-visa` and `kz/digital-nomad-visa-b9-1` both with code `B9-1`",
        "DQ13"
    ),
    rule!(
        "quality/no-nationality-scope",
        W,
        "The route does not say which nationalities may apply",
        "Many routes are open to some nationalities only; a record that says nothing reads as \"open to all\".",
        "\"eligibility\": {\"nationality\": {\"scope\": \"unknown\"}}",
        "DQ7"
    ),
    rule!(
        "quality/empty-nationality-list",
        E,
        "A restricted nationality scope lists no one",
        "`only` or `all_except` with an empty list says nothing about who may apply.",
        "\"nationality\": {\"scope\": \"only\"}",
        "DQ7"
    ),
    rule!(
        "quality/open-to-all-unevidenced",
        W,
        "\"Open to all nationalities\" without evidence",
        "\"Open to all\" is a claim like any other and a common default of aggregators.",
        "\"nationality\": {\"scope\": \"all\"}",
        "DQ7"
    ),
    rule!(
        "quality/snapshot-mismatch",
        E,
        "An archived snapshot is missing or its SHA-256 differs",
        "Excerpts are checked against the snapshot; a changed or lost snapshot breaks that check.",
        "\"snapshot\": {\"path\": \"snapshots/egov.txt\", \"sha256\": \"00…\"}",
        "DQ5"
    ),
    rule!(
        "quality/source-predates-law",
        W,
        "A source was published before the law it describes last changed",
        "A page older than the latest amendment or effective date may describe superseded rules (an article last updated 2022 against a 2024 exam requirement).",
        "source `published: 2022-12-12`, legal act `effective_from: 2024-01-01`",
        "DQ8"
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
        "quality/stale-source",
        W,
        "A source was last seen more than two years ago",
        "Immigration rules change yearly; a source not looked at for two years may no longer hold.",
        "\"seen\": \"2023-05-01\"",
        "DQ8"
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
        "quality/unevidenced-claim",
        E,
        "A figure or yes/no claim has no evidence",
        "Every figure and claim names its source; what no source states stays `unknown`.",
        "{\"kind\": \"work_experience\", \"required\": \"yes\", \"range\": {\"min\": 1, \"unit\": \"years\"}}",
        "DQ5",
        "DQ6"
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
        "quality/undefined-group",
        W,
        "A named group of nationalities is defined in no reference file",
        "`EAEU` or `VISA_FREE_AGREEMENT` means nothing to a reader, or to an eligibility check, unless its members and their source are recorded: international groupings in `reference/groups.json`, a country's own in `reference/<cc>.json`.",
        "\"groups\": [\"EAEU\"] with no `groups` entry named `EAEU`",
        "DQ7"
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
        "quality/unmarked-conflict",
        W,
        "Two values of one fact differ without a conflict mark",
        "Disagreeing sources are kept, each with its value, and marked as one conflict group; unmarked, a reader takes one of them for the answer. Only values of one fact are compared: not values for other applicants (`applies_to`), of other times (`effective_from`/`effective_until`, `superseded_by`), or requirements that add up (`combination` with `meet: all` or `meet: any`).",
        "two `processing_times` for all applicants: 3 working days and 30 working days, no `conflict`",
        "DQ12"
    ),
    rule!(
        "quality/verified-third-party",
        E,
        "A `verified` record rests on third-party sources only",
        "Verification means checked against official sources.",
        "\"review_status\": \"verified\" with every source `tier: third_party`"
    ),
    rule!(
        "quality/verified-without-excerpts",
        E,
        "A `verified` record has figures that rest on no official quote",
        "A record is verified only when every figure and claim is quoted from an official source; a claim with no excerpt, or quoted only from official-adjacent or third-party pages, must not be marked verified.",
        "\"review_status\": \"verified\" and a figure whose evidence has no `excerpt`",
        "DQ5"
    ),
    rule!(
        "quality/withdrawn-currency",
        E,
        "A currency code that was withdrawn (VEF, BYR, …)",
        "Redenominated currencies differ by orders of magnitude (13,000 VES read as VEF or USD).",
        "{\"amount\": 13000, \"currency\": \"VEF\", ...}",
        "DQ10"
    ),
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
        "record/dangling-superseded",
        E,
        "`superseded_by` names no other requirement or document of the record",
        "A value of an earlier time points at the value that replaced it; the pointer must lead somewhere else in the same list.",
        "{\"id\": \"min-salary-2023\", \"superseded_by\": \"min-salary-2042\", ...} with no such requirement"
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
    rule!(
        "reference/invalid",
        E,
        "A reference-data file under `dataset/reference/` is malformed",
        "Quality rules compare amounts with reference values; a broken file would silently turn them off.",
        "{\"minimum_wage\": \"85000\"}"
    ),
    rule!(
        "schema/model-mismatch",
        E,
        "The record passes the schema but not the record model (a bug in `routes`)",
        "The schema and the Rust model must accept the same records.",
        "(none: report it)"
    ),
    rule!(
        "schema/<keyword>",
        E,
        "A JSON Schema violation: `required`, `type`, `enum`, `pattern`, `format`, `const`, `additional-properties`, `one-of`, …",
        "`schema/route.schema.json` (draft 2020-12) defines every field; the finding names the keyword that failed.",
        "\"category\": \"tourism\"",
        "DQ17"
    ),
];

/// Codes that `routes.toml` can neither change nor silence: each means a
/// record (or a file that should hold one) could not be read or typed, or
/// says two things at once, so that no release can hold it as written.
pub static FIXED: &[&str] = &[
    "input/empty",
    "input/not-a-file",
    "input/not-utf8",
    "input/outside-dataset",
    "input/too-large",
    "input/unreadable",
    "json/duplicate-key",
    "json/syntax",
    "record/untyped",
    "schema/model-mismatch",
];

/// Whether no setting may change or silence the code (see [`FIXED`]).
#[must_use]
pub fn is_fixed(code: &str) -> bool {
    FIXED.contains(&code)
}

/// The rule with this code. `schema/...` codes share one entry.
#[must_use]
pub fn rule(code: &str) -> Option<&'static Rule> {
    let key = if code.starts_with("schema/") && code != "schema/model-mismatch" {
        "schema/<keyword>"
    } else {
        code
    };
    RULES.iter().find(|r| r.code == key)
}

/// The default severity of a code.
#[must_use]
pub fn default_severity(code: &str) -> Severity {
    rule(code).map_or(Severity::Error, |r| r.severity)
}

/// Failure kinds of the data-quality catalogue that no rule checks, and why.
pub static UNCHECKED: &[(&str, &str)] = &[
    (
        "DQ14",
        "Dead or moved links: checking needs the network at validation time, which `routes validate` never uses (it must give the same answer offline and on every run). A separate link checker can record `http_status`/`final_url` per source.",
    ),
    (
        "DQ18",
        "Self-reported statistics: records hold no statistics; every count in a release's dataset card is computed from the data by `routes publish`.",
    ),
];

/// `docs/rules.md`, generated from the rule table (a test keeps it current).
#[must_use]
pub fn rules_markdown() -> String {
    let mut out = String::from(
        "# Rules of `routes validate`\n\nGenerated from `crates/routes-validate/src/registry.rs`; `routes validate --explain CODE` prints one rule.\n\n| code | default | what it checks | catches |\n|---|---|---|---|\n",
    );
    for r in RULES {
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} |",
            r.code,
            r.severity.as_str(),
            r.summary,
            r.catches.join(", ")
        );
    }
    out.push_str("\n## Failure kinds without a rule\n\n");
    for (dq, why) in UNCHECKED {
        let _ = writeln!(out, "- **{dq}**: {why}");
    }
    out
}

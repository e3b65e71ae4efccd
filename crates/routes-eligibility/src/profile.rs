//! A person's answers: the profile, read from TOML or built field by field
//! from the command line's flags.
//!
//! Every field is optional, and a field left out is unknown, never "no":
//! an assessment never reads a missing answer as one that fails or meets a
//! criterion. Each value is checked when it is read (a nationality is an
//! ISO 3166-1 country, an amount names an ISO 4217 currency, a language
//! level is a CEFR level), and every mistake is a [`ProfileError`] that
//! names the field, the place in the file and the value, with a hint.

use std::fmt;
use std::ops::Range;
use std::str::FromStr;

use routes_core::{Basis, Cefr, CountryCode, CurrencyCode, Period};
use serde::{Deserialize, Serialize};

/// The fields of a profile, as the TOML file and the flags name them.
pub const FIELDS: &[&str] = &[
    "nationality",
    "age",
    "income",
    "savings",
    "investment",
    "job_offer",
    "employer_sponsor",
    "remote_work",
    "work_experience_years",
    "health_insurance",
    "criminal_record_clean",
    "language",
    "family_of",
];

/// A person's answers. `None` is "not answered".
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Profile {
    /// Every nationality the person holds (at least one when given).
    pub nationality: Option<Vec<CountryCode>>,
    /// Age in years.
    pub age: Option<u32>,
    /// Income from work or other sources, per month, year or hour.
    pub income: Option<Amount>,
    /// Savings or funds held.
    pub savings: Option<Amount>,
    /// Money the person would invest.
    pub investment: Option<Amount>,
    /// Whether the person has a job offer in the country.
    pub job_offer: Option<bool>,
    /// Whether an employer or host would sponsor the application.
    pub employer_sponsor: Option<bool>,
    /// Whether the person works remotely for employers or clients abroad.
    pub remote_work: Option<bool>,
    /// Years of work experience.
    pub work_experience_years: Option<f64>,
    /// Whether the person holds (or will hold) health insurance for the stay.
    pub health_insurance: Option<bool>,
    /// Whether the person's criminal record is clean.
    pub criminal_record_clean: Option<bool>,
    /// The languages the person speaks, each with a level when known. When
    /// given, a language not listed is one the person does not speak.
    pub language: Option<Vec<LanguageSkill>>,
    /// The person's family ties: a citizen or a resident of a country. When
    /// given, a country not listed is one where the person has no such tie.
    pub family_of: Option<Vec<FamilyTie>>,
}

/// An amount of money a person states: `4000 EUR/month`, `60000 EUR/year
/// gross`, `25000 EUR`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Amount {
    /// The amount.
    pub amount: f64,
    /// Its currency (ISO 4217).
    pub currency: CurrencyCode,
    /// Per hour, month or year; `None` for an amount held once (savings).
    pub period: Option<Period>,
    /// Before or after tax, when said.
    pub basis: Option<Basis>,
}

/// A language a person speaks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LanguageSkill {
    /// The language, a BCP 47 primary tag in lower case (`de`, `et`).
    pub code: String,
    /// The CEFR level; `None` when not said (`native` reads as `C2`).
    pub level: Option<Cefr>,
}

/// A family tie: the person is family of a citizen or a resident of a country.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FamilyTie {
    /// Citizen or resident.
    pub relation: Relation,
    /// The country.
    pub country: CountryCode,
}

/// What the family member is in the country.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Relation {
    /// A citizen of the country.
    Citizen,
    /// A resident (with a residence permit) of the country.
    Resident,
}

impl Relation {
    /// `citizen` or `resident`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Citizen => "citizen",
            Self::Resident => "resident",
        }
    }
}

/// A mistake in a profile.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ProfileError {
    /// What is wrong.
    pub message: String,
    /// How to put it right.
    pub hint: String,
    /// The field, when the mistake is in one.
    pub field: Option<String>,
    /// Byte range in the TOML text, when the profile came from one.
    pub span: Option<Range<usize>>,
}

impl ProfileError {
    fn new(message: impl Into<String>, hint: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            hint: hint.into(),
            field: None,
            span: None,
        }
    }

    fn in_field(mut self, field: &str) -> Self {
        self.field = Some(field.to_owned());
        self
    }

    fn at(mut self, span: Range<usize>) -> Self {
        self.span = Some(span);
        self
    }

    /// The 1-based line and column of [`ProfileError::span`] in `text`.
    #[must_use]
    pub fn line_column(&self, text: &str) -> Option<(usize, usize)> {
        let start = self.span.as_ref()?.start.min(text.len());
        let before = text.get(..start)?;
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        Some((line, column))
    }
}

/// The nearest of `candidates` to `value`, when it is close.
fn nearest<'a>(value: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let value = value.to_lowercase();
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(&value, &c.to_lowercase()), c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 4))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

fn did_you_mean(value: &str, candidates: &[&str]) -> String {
    nearest(value, candidates.iter().copied()).map_or_else(String::new, |n| format!("did you mean `{n}`? "))
}

/// A nationality: an ISO 3166-1 alpha-2 or alpha-3 code or an English name,
/// in any case (`KZ`, `kaz`, `Kazakhstan`).
///
/// ```
/// use routes_eligibility::parse_country;
/// assert_eq!(parse_country("kaz").unwrap().as_str(), "KZ");
/// assert_eq!(parse_country("New Zealand").unwrap().as_str(), "NZ");
/// assert!(parse_country("XX").is_err());
/// ```
pub fn parse_country(value: &str) -> Result<CountryCode, ProfileError> {
    let trimmed = value.trim();
    let by_code = match trimmed.len() {
        2 if trimmed.bytes().all(|b| b.is_ascii_alphabetic()) => celes::Country::from_alpha2(trimmed).ok(),
        3 if trimmed.bytes().all(|b| b.is_ascii_alphabetic()) => celes::Country::from_alpha3(trimmed).ok(),
        _ => None,
    };
    // `celes`' name keys are lower case letters and digits; some names
    // carry their article (`thenetherlands`).
    let name: String = trimmed
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    let found = by_code.or_else(|| {
        (!name.is_empty())
            .then(|| {
                celes::Country::from_name(&name)
                    .or_else(|_| celes::Country::from_name(format!("the{name}")))
                    .or_else(|_| celes::Country::from_alias(&name))
                    .ok()
            })
            .flatten()
    });
    let Some(country) = found else {
        let names: Vec<&str> = celes::Country::get_countries().iter().map(|c| c.long_name).collect();
        return Err(ProfileError::new(
            format!("`{value}` is not a country"),
            format!(
                "{}give an ISO 3166-1 code (`KZ`, `KAZ`) or an English name (`Kazakhstan`)",
                did_you_mean(trimmed, &names)
            ),
        ));
    };
    CountryCode::new(country.alpha2.to_owned())
        .map_err(|e| ProfileError::new(e.to_string(), "give an ISO 3166-1 code such as `KZ`"))
}

impl FromStr for Amount {
    type Err = ProfileError;

    /// `4000 EUR/month`, `4,000 EUR per month`, `60000 EUR/year gross`,
    /// `35 NZD/hour`, `25000 EUR` (held once), `EUR 4000/month`.
    fn from_str(text: &str) -> Result<Self, ProfileError> {
        let hint = "write an amount, a currency and, for income, a period: `4000 EUR/month`, \
                    `60000 EUR/year gross`, `25000 EUR`";
        // A currency sign that names one currency stands for its code.
        let mut spelled = text.trim().to_owned();
        for (sign, code) in [
            ('€', "EUR"),
            ('£', "GBP"),
            ('₸', "KZT"),
            ('₽', "RUB"),
            ('֏', "AMD"),
            ('₹', "INR"),
        ] {
            spelled = spelled.replace(sign, &format!(" {code} "));
        }
        if let Some(sign) = spelled.chars().find(|c| matches!(c, '$' | '¥')) {
            return Err(ProfileError::new(
                format!("`{sign}` in `{text}` names more than one currency"),
                "write the ISO 4217 code instead, such as `USD`, `NZD`, `JPY` or `CNY`",
            ));
        }
        let mut words: Vec<String> = spelled
            .replace('/', " / ")
            .split_whitespace()
            .map(str::to_owned)
            .collect();
        let mut basis = None;
        if let Some(last) = words.last() {
            basis = match last.to_lowercase().as_str() {
                "gross" | "brutto" => Some(Basis::Gross),
                "net" | "netto" => Some(Basis::Net),
                _ => None,
            };
            if basis.is_some() {
                words.pop();
            }
        }
        let mut period = None;
        let period_of = |w: &str| match w {
            "month" | "monthly" | "mo" | "months" => Some(Period::Month),
            "year" | "yearly" | "annual" | "annually" | "yr" | "years" | "a" => Some(Period::Year),
            "hour" | "hourly" | "h" | "hr" | "hours" => Some(Period::Hour),
            _ => None,
        };
        if words.len() >= 2 {
            let n = words.len();
            let (last, before) = (words[n - 1].to_lowercase(), words[n - 2].to_lowercase());
            if let Some(p) = period_of(&last) {
                if matches!(before.as_str(), "/" | "per" | "a" | "an" | "each") {
                    period = Some(p);
                    words.truncate(n - 2);
                } else if matches!(last.as_str(), "monthly" | "yearly" | "annually" | "hourly") {
                    period = Some(p);
                    words.truncate(n - 1);
                }
            }
        }
        let (number, currency) = match words.as_slice() {
            [a, b] if a.starts_with(|c: char| c.is_ascii_digit()) => (a.as_str(), b.as_str()),
            [a, b] if b.starts_with(|c: char| c.is_ascii_digit()) => (b.as_str(), a.as_str()),
            _ => return Err(ProfileError::new(format!("`{text}` is not an amount of money"), hint)),
        };
        let amount = parse_number(number)
            .ok_or_else(|| ProfileError::new(format!("`{number}` in `{text}` is not a number"), hint))?;
        let code = currency.to_uppercase();
        if iso_currency::Currency::from_code(&code).is_none() {
            use iso_currency::IntoEnumIterator as _;
            let codes: Vec<&str> = iso_currency::Currency::iter().map(|c| c.code()).collect();
            return Err(ProfileError::new(
                format!("`{currency}` in `{text}` is not an ISO 4217 currency code"),
                format!(
                    "{}write the three letters, such as `EUR`, `USD` or `KZT`",
                    did_you_mean(&code, &codes)
                ),
            ));
        }
        let currency = CurrencyCode::new(code).map_err(|e| ProfileError::new(e.to_string(), hint))?;
        Ok(Self {
            amount,
            currency,
            period,
            basis,
        })
    }
}

/// A non-negative number, with `,` or `_` between groups of three digits.
fn parse_number(text: &str) -> Option<f64> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let groups: Vec<&str> = whole.split([',', '_']).collect();
    let grouped_ok = groups.len() == 1
        || (groups[0].len() <= 3 && !groups[0].is_empty() && groups[1..].iter().all(|g| g.len() == 3));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if !grouped_ok || !groups.iter().all(|g| digits(g)) || !digits(fraction) || whole.is_empty() {
        return None;
    }
    let n: f64 = format!(
        "{}.{}",
        groups.concat(),
        if fraction.is_empty() { "0" } else { fraction }
    )
    .parse()
    .ok()?;
    n.is_finite().then_some(n)
}

impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", number_text(self.amount), self.currency.as_str())?;
        match self.period {
            Some(Period::Month) => write!(f, " a month")?,
            Some(Period::Year) => write!(f, " a year")?,
            Some(Period::Hour) => write!(f, " an hour")?,
            Some(Period::OneOff) | None => {}
        }
        if let Some(b) = self.basis {
            write!(f, " {}", b.as_str())?;
        }
        Ok(())
    }
}

/// A number for people: `4,000`, `3,504.5`, `0.52`.
pub(crate) fn number_text(n: f64) -> String {
    let rounded = (n * 100.0).round() / 100.0;
    let whole = rounded.trunc();
    let fraction = rounded - whole;
    #[allow(clippy::cast_possible_truncation, reason = "amounts far below 2^63")]
    let digits = (whole as i64).to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) && c != '-' {
            out.push(',');
        }
        out.push(c);
    }
    if fraction.abs() >= 0.005 {
        let f = format!("{:.2}", fraction.abs());
        out.push_str(f.trim_start_matches('0').trim_end_matches('0'));
    }
    out
}

impl FromStr for LanguageSkill {
    type Err = ProfileError;

    /// `de`, `de:B2`, `et:native`.
    fn from_str(text: &str) -> Result<Self, ProfileError> {
        let hint = "write a language code and a CEFR level: `de:B2`, `et:A2`, `ru:native` (or `de` alone)";
        let (code, level) = text.trim().split_once(':').unwrap_or((text.trim(), ""));
        let code = code.trim().to_lowercase();
        if !(2..=3).contains(&code.len()) || !code.bytes().all(|b| b.is_ascii_lowercase()) {
            return Err(ProfileError::new(
                format!("`{text}` does not start with a language code"),
                hint,
            ));
        }
        let level = match level.trim().to_uppercase().as_str() {
            "" => None,
            "NATIVE" => Some(Cefr::C2),
            l => Some(Cefr::ALL.iter().copied().find(|c| c.as_str() == l).ok_or_else(|| {
                ProfileError::new(
                    format!("`{}` in `{text}` is not a CEFR level", level.trim()),
                    "a level is A1, A2, B1, B2, C1, C2 or `native`",
                )
            })?),
        };
        Ok(Self { code, level })
    }
}

impl FromStr for FamilyTie {
    type Err = ProfileError;

    /// `citizen:KZ`, `resident:Germany`.
    fn from_str(text: &str) -> Result<Self, ProfileError> {
        let hint = "write `citizen:CC` or `resident:CC`, such as `citizen:KZ` (family of a citizen of Kazakhstan)";
        let Some((relation, country)) = text.split_once(':') else {
            return Err(ProfileError::new(format!("`{text}` is not a family tie"), hint));
        };
        let relation = match relation.trim().to_lowercase().as_str() {
            "citizen" => Relation::Citizen,
            "resident" => Relation::Resident,
            other => {
                return Err(ProfileError::new(
                    format!("`{other}` in `{text}` is neither `citizen` nor `resident`"),
                    format!("{}{hint}", did_you_mean(other, &["citizen", "resident"])),
                ));
            }
        };
        Ok(Self {
            relation,
            country: parse_country(country)?,
        })
    }
}

/// A route category, in any case, with `-` for `_` (`digital-nomad`).
///
/// ```
/// use routes_eligibility::parse_category;
/// assert_eq!(parse_category("Digital-Nomad").unwrap().as_str(), "digital_nomad");
/// assert!(parse_category("digital-nomads").unwrap_err().hint.contains("`digital_nomad`"));
/// ```
pub fn parse_category(value: &str) -> Result<routes_core::Category, ProfileError> {
    let wanted = value.trim().to_lowercase().replace('-', "_");
    let all = routes_core::Category::ALL;
    all.iter().copied().find(|c| c.as_str() == wanted).ok_or_else(|| {
        let names: Vec<&str> = all.iter().map(|c| c.as_str()).collect();
        ProfileError::new(
            format!("`{value}` is not a category"),
            format!(
                "{}the categories are: {}",
                did_you_mean(&wanted, &names),
                names.join(", ")
            ),
        )
    })
}

/// A yes/no answer as a flag gives it: `yes`, `no`, `true`, `false`.
///
/// ```
/// assert_eq!(routes_eligibility::parse_yes_no("Yes"), Ok(true));
/// assert!(routes_eligibility::parse_yes_no("maybe").is_err());
/// ```
pub fn parse_yes_no(text: &str) -> Result<bool, ProfileError> {
    match text.trim().to_lowercase().as_str() {
        "yes" | "y" | "true" => Ok(true),
        "no" | "n" | "false" => Ok(false),
        _ => Err(ProfileError::new(
            format!("`{text}` is not yes or no"),
            "answer `yes` or `no` (leave the flag out when the answer is not known)",
        )),
    }
}

/// One value or a list of them (`nationality = "KZ"` or `["KZ", "RU"]`).
#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    fn into_vec(self) -> Vec<String> {
        match self {
            Self::One(s) => vec![s],
            Self::Many(v) => v,
        }
    }
}

type Spanned<T> = toml::Spanned<T>;

/// The TOML form: every field spanned, to point at a bad value.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    nationality: Option<Spanned<OneOrMany>>,
    age: Option<Spanned<i64>>,
    income: Option<Spanned<String>>,
    savings: Option<Spanned<String>>,
    investment: Option<Spanned<String>>,
    job_offer: Option<bool>,
    employer_sponsor: Option<bool>,
    remote_work: Option<bool>,
    work_experience_years: Option<Spanned<f64>>,
    health_insurance: Option<bool>,
    criminal_record_clean: Option<bool>,
    language: Option<Spanned<OneOrMany>>,
    family_of: Option<Spanned<OneOrMany>>,
}

impl Profile {
    /// Reads a profile from TOML text.
    ///
    /// ```
    /// use routes_eligibility::Profile;
    /// let p = Profile::from_toml("nationality = [\"AM\"]\nincome = \"4000 EUR/month\"\n")?;
    /// assert_eq!(p.nationality.unwrap()[0].as_str(), "AM");
    /// assert_eq!(p.income.unwrap().amount, 4000.0);
    ///
    /// let e = Profile::from_toml("incme = \"4000 EUR/month\"\n").unwrap_err();
    /// assert!(e.hint.contains("income"));
    /// # Ok::<(), routes_eligibility::ProfileError>(())
    /// ```
    pub fn from_toml(text: &str) -> Result<Self, ProfileError> {
        let raw: Raw = toml::from_str(text).map_err(|e| toml_error(&e))?;
        let mut p = Self::default();
        let at = |e: ProfileError, field: &str, span: Range<usize>| e.in_field(field).at(span);
        if let Some(n) = raw.nationality {
            let span = n.span();
            let list = n.into_inner().into_vec();
            p.set_nationality(&list).map_err(|e| at(e, "nationality", span))?;
        }
        if let Some(a) = raw.age {
            let span = a.span();
            let age = u32::try_from(*a.get_ref()).ok().filter(|a| *a <= 150).ok_or_else(|| {
                at(
                    ProfileError::new(
                        format!("age {} is not a person's age", a.get_ref()),
                        "give the age in whole years, such as `age = 34`",
                    ),
                    "age",
                    span,
                )
            })?;
            p.age = Some(age);
        }
        for (field, value, slot) in [
            ("income", raw.income, &mut p.income),
            ("savings", raw.savings, &mut p.savings),
            ("investment", raw.investment, &mut p.investment),
        ] {
            if let Some(v) = value {
                let span = v.span();
                let amount = parse_amount(field, v.get_ref()).map_err(|e| at(e, field, span))?;
                *slot = Some(amount);
            }
        }
        p.job_offer = raw.job_offer;
        p.employer_sponsor = raw.employer_sponsor;
        p.remote_work = raw.remote_work;
        p.health_insurance = raw.health_insurance;
        p.criminal_record_clean = raw.criminal_record_clean;
        if let Some(w) = raw.work_experience_years {
            let span = w.span();
            p.work_experience_years =
                Some(check_years(*w.get_ref()).map_err(|e| at(e, "work_experience_years", span))?);
        }
        if let Some(l) = raw.language {
            let span = l.span();
            let list = l.into_inner().into_vec();
            p.set_languages(&list).map_err(|e| at(e, "language", span))?;
        }
        if let Some(f) = raw.family_of {
            let span = f.span();
            let list = f.into_inner().into_vec();
            p.set_family(&list).map_err(|e| at(e, "family_of", span))?;
        }
        Ok(p)
    }

    /// Sets `nationality` from codes or names (at least one).
    pub fn set_nationality(&mut self, values: &[String]) -> Result<(), ProfileError> {
        if values.is_empty() {
            return Err(ProfileError::new(
                "`nationality` lists no country",
                "name every nationality the person holds, such as `nationality = [\"AM\"]`, or leave the field out",
            )
            .in_field("nationality"));
        }
        let mut out = Vec::new();
        for v in values {
            let c = parse_country(v).map_err(|e| e.in_field("nationality"))?;
            if !out.contains(&c) {
                out.push(c);
            }
        }
        self.nationality = Some(out);
        Ok(())
    }

    /// Sets `language` from `de:B2`-style values.
    pub fn set_languages(&mut self, values: &[String]) -> Result<(), ProfileError> {
        let mut out: Vec<LanguageSkill> = Vec::new();
        for v in values {
            let skill: LanguageSkill = v.parse().map_err(|e: ProfileError| e.in_field("language"))?;
            if let Some(same) = out.iter_mut().find(|s| s.code == skill.code) {
                same.level = same.level.max(skill.level);
            } else {
                out.push(skill);
            }
        }
        self.language = Some(out);
        Ok(())
    }

    /// Sets `family_of` from `citizen:CC`-style values (an empty list: no tie).
    pub fn set_family(&mut self, values: &[String]) -> Result<(), ProfileError> {
        let mut out = Vec::new();
        for v in values {
            let tie: FamilyTie = v.parse().map_err(|e: ProfileError| e.in_field("family_of"))?;
            if !out.contains(&tie) {
                out.push(tie);
            }
        }
        self.family_of = Some(out);
        Ok(())
    }

    /// Sets one field from a flag's text (`--income "4000 EUR/month"`).
    pub fn set(&mut self, field: &str, value: &str) -> Result<(), ProfileError> {
        let list = |v: &str| {
            v.split(',')
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
        };
        let yes_no = |v: &str| parse_yes_no(v).map_err(|e| e.in_field(field));
        match field {
            "nationality" => self.set_nationality(&list(value))?,
            "age" => {
                self.age = Some(value.trim().parse::<u32>().ok().filter(|a| *a <= 150).ok_or_else(|| {
                    ProfileError::new(
                        format!("`{value}` is not an age"),
                        "give the age in whole years, such as `34`",
                    )
                    .in_field(field)
                })?);
            }
            "income" => self.income = Some(parse_amount(field, value)?),
            "savings" => self.savings = Some(parse_amount(field, value)?),
            "investment" => self.investment = Some(parse_amount(field, value)?),
            "job_offer" => self.job_offer = Some(yes_no(value)?),
            "employer_sponsor" => self.employer_sponsor = Some(yes_no(value)?),
            "remote_work" => self.remote_work = Some(yes_no(value)?),
            "health_insurance" => self.health_insurance = Some(yes_no(value)?),
            "criminal_record_clean" => self.criminal_record_clean = Some(yes_no(value)?),
            "work_experience_years" => {
                let years = value.trim().parse::<f64>().map_err(|_| {
                    ProfileError::new(
                        format!("`{value}` is not a number of years"),
                        "give the years, such as `5` or `2.5`",
                    )
                })?;
                self.work_experience_years = Some(check_years(years).map_err(|e| e.in_field(field))?);
            }
            "language" => self.set_languages(&list(value))?,
            "family_of" => self.set_family(&list(value))?,
            other => {
                return Err(ProfileError::new(
                    format!("`{other}` is not a field of a profile"),
                    format!("{}the fields are: {}", did_you_mean(other, FIELDS), FIELDS.join(", ")),
                ));
            }
        }
        Ok(())
    }

    /// The fields answered, by name.
    #[must_use]
    pub fn answered(&self) -> Vec<&'static str> {
        FIELDS.iter().copied().filter(|f| self.without(f) != *self).collect()
    }

    /// The profile with `field` unanswered.
    #[must_use]
    pub fn without(&self, field: &str) -> Self {
        let mut p = self.clone();
        match field {
            "nationality" => p.nationality = None,
            "age" => p.age = None,
            "income" => p.income = None,
            "savings" => p.savings = None,
            "investment" => p.investment = None,
            "job_offer" => p.job_offer = None,
            "employer_sponsor" => p.employer_sponsor = None,
            "remote_work" => p.remote_work = None,
            "work_experience_years" => p.work_experience_years = None,
            "health_insurance" => p.health_insurance = None,
            "criminal_record_clean" => p.criminal_record_clean = None,
            "language" => p.language = None,
            "family_of" => p.family_of = None,
            _ => {}
        }
        p
    }
}

fn check_years(years: f64) -> Result<f64, ProfileError> {
    if years.is_finite() && (0.0..=100.0).contains(&years) {
        Ok(years)
    } else {
        Err(ProfileError::new(
            format!("{years} is not a number of years of work"),
            "give the years, such as `5` or `2.5`",
        ))
    }
}

/// An amount of `field`: income has a period; savings and investment have none.
fn parse_amount(field: &str, text: &str) -> Result<Amount, ProfileError> {
    let amount: Amount = text.parse().map_err(|e: ProfileError| e.in_field(field))?;
    match (field, amount.period) {
        ("income", None) => Err(ProfileError::new(
            format!("the income `{text}` has no period"),
            "say per what: `4000 EUR/month`, `48000 EUR/year` or `35 NZD/hour`",
        )
        .in_field(field)),
        ("savings" | "investment", Some(_)) => Err(ProfileError::new(
            format!("the {field} `{text}` has a period"),
            format!("{field} is an amount held once: write it without a period, such as `25000 EUR`"),
        )
        .in_field(field)),
        _ => Ok(amount),
    }
}

/// A TOML syntax or shape error as a [`ProfileError`] at its place.
fn toml_error(e: &toml::de::Error) -> ProfileError {
    let message = e.message().trim().to_owned();
    let hint = if let Some(field) = message
        .strip_prefix("unknown field `")
        .and_then(|rest| rest.split('`').next())
    {
        format!("{}the fields are: {}", did_you_mean(field, FIELDS), FIELDS.join(", "))
    } else {
        "see `routes eligible --help` for the fields and their form".to_owned()
    };
    let mut err = ProfileError::new(message, hint);
    err.span = e.span();
    err
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_read_as_people_write_them() {
        let a: Amount = "4,000 EUR per month".parse().expect("an amount");
        assert_eq!(
            (a.amount, a.currency.as_str(), a.period),
            (4000.0, "EUR", Some(Period::Month))
        );
        let a: Amount = "60000 eur/year gross".parse().expect("an amount");
        assert_eq!((a.period, a.basis), (Some(Period::Year), Some(Basis::Gross)));
        let a: Amount = "USD 3000 monthly".parse().expect("an amount");
        assert_eq!(
            (a.amount, a.currency.as_str(), a.period),
            (3000.0, "USD", Some(Period::Month))
        );
        let a: Amount = "25000 EUR".parse().expect("an amount");
        assert_eq!(a.period, None);
        let a: Amount = "€4,000/month".parse().expect("a sign for a currency");
        assert_eq!((a.amount, a.currency.as_str()), (4000.0, "EUR"));
        assert!(
            "$4000/month"
                .parse::<Amount>()
                .expect_err("ambiguous")
                .hint
                .contains("USD")
        );
        assert!("4,00 EUR/month".parse::<Amount>().is_err());
        let e = "4000 EURO/month".parse::<Amount>().expect_err("not a currency");
        assert!(e.hint.contains("`EUR`"), "{e:?}");
        assert!("much EUR".parse::<Amount>().is_err());
    }

    #[test]
    fn a_bad_value_points_at_its_place() {
        let text = "nationality = \"AM\"\nincome = \"4000 EUR\"\n";
        let e = Profile::from_toml(text).expect_err("no period");
        assert_eq!(e.field.as_deref(), Some("income"));
        assert_eq!(e.line_column(text), Some((2, 10)));
        let text = "nationality = [\"AM\", \"Atlantis\"]\n";
        let e = Profile::from_toml(text).expect_err("not a country");
        assert_eq!(e.line_column(text), Some((1, 15)));
        let e = Profile::from_toml("age = \"old\"\n").expect_err("not a number");
        assert_eq!(e.line_column("age = \"old\"\n"), Some((1, 7)));
        let e = Profile::from_toml("nationality = \"AM\"\nremote_wrok = true\n").expect_err("unknown field");
        assert!(e.hint.contains("`remote_work`"), "{e:?}");
        assert_eq!(
            e.line_column("nationality = \"AM\"\nremote_wrok = true\n").map(|l| l.0),
            Some(2)
        );
    }

    #[test]
    fn flags_set_the_same_fields() {
        let mut p = Profile::default();
        p.set("nationality", "kaz, Russia").expect("countries");
        p.set("language", "ru:native,kk:B1").expect("languages");
        p.set("family_of", "citizen:KZ").expect("a tie");
        p.set("remote_work", "yes").expect("yes");
        let n: Vec<&str> = p
            .nationality
            .as_ref()
            .expect("set")
            .iter()
            .map(CountryCode::as_str)
            .collect();
        assert_eq!(n, ["KZ", "RU"]);
        assert_eq!(p.language.as_ref().expect("set")[0].level, Some(Cefr::C2));
        assert_eq!(p.answered(), ["nationality", "remote_work", "language", "family_of"]);
        assert!(p.set("remote_work", "perhaps").is_err());
        assert!(
            p.set("incme", "1 EUR/month")
                .expect_err("no field")
                .hint
                .contains("`income`")
        );
        assert_eq!(p.without("language").language, None);
    }
}

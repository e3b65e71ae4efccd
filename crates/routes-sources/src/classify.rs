//! What a fetch says about a link: gone, moved, sent to the home page, or
//! just not answering this time.

use crate::codes;
use crate::fetch::{Failure, Fetched, Outcome};

/// A finding about the link itself (not yet placed in a record).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LinkFinding {
    pub(crate) code: &'static str,
    pub(crate) message: String,
    pub(crate) label: &'static str,
}

/// Whether `raw` is a site's home page: no path (or only `/`, a language
/// such as `/en/` or `/ru`, or an index file such as `/index.html`), no
/// query, no fragment.
#[must_use]
pub fn is_home_page(raw: &str) -> bool {
    let Ok(u) = url::Url::parse(raw) else { return false };
    if u.query().is_some_and(|q| !q.is_empty()) || u.fragment().is_some_and(|f| !f.is_empty()) {
        return false;
    }
    let segments: Vec<&str> = u.path().split('/').filter(|s| !s.is_empty()).collect();
    let is_index = |s: &str| {
        let s = s.to_ascii_lowercase();
        s.split_once('.').is_some_and(|(stem, ext)| {
            matches!(stem, "index" | "default" | "home" | "main")
                && matches!(ext, "html" | "htm" | "php" | "asp" | "aspx" | "jsp")
        })
    };
    let is_language = |s: &str| {
        let (lang, region) = s.split_once(['-', '_']).unwrap_or((s, ""));
        (2..=3).contains(&lang.len())
            && lang.bytes().all(|b| b.is_ascii_alphabetic())
            && (region.is_empty() || (region.len() == 2 && region.bytes().all(|b| b.is_ascii_alphabetic())))
    };
    match segments.as_slice() {
        [] => true,
        [one] => is_index(one) || is_language(one),
        [lang, file] => is_language(lang) && is_index(file),
        _ => false,
    }
}

/// The same page, for comparing addresses: scheme, host (lower case, no
/// `www.`), path without a trailing slash, query.
fn same_page(a: &str, b: &str) -> bool {
    let key = |raw: &str| {
        url::Url::parse(raw).ok().map(|u| {
            let host = u.host_str().unwrap_or_default().to_ascii_lowercase();
            let host = host.strip_prefix("www.").map(str::to_owned).unwrap_or(host);
            (
                host,
                u.path().trim_end_matches('/').to_owned(),
                u.query().map(str::to_owned),
            )
        })
    };
    key(a).is_some() && key(a) == key(b)
}

/// Where a chain of permanent redirects (301, 308) at its start leads: the
/// URL reached after the last of them, when it is another page.
#[must_use]
pub fn permanent_target(fetched: &Fetched) -> Option<&str> {
    let run = fetched
        .hops
        .iter()
        .take_while(|h| matches!(h.status, 301 | 308))
        .count();
    if run == 0 {
        return None;
    }
    // The hop after the last permanent redirect is where it led.
    let target = fetched.hops.get(run).map(|h| h.url.as_str())?;
    (target != fetched.url).then_some(target)
}

/// The findings about the link of a source fetched as `fetched`, and whether
/// the page's text is worth comparing (it is the page the source names, read
/// whole).
pub(crate) fn link_findings(fetched: &Fetched, timeout_secs: u64) -> (Vec<LinkFinding>, bool) {
    let mut out = Vec::new();
    let redirected = fetched.hops.len() > 1;
    let chain = || {
        fetched
            .hops
            .iter()
            .map(|h| format!("{} ({})", h.url, h.status))
            .collect::<Vec<_>>()
            .join(" → ")
    };
    let mut comparable = false;
    match &fetched.outcome {
        Outcome::Failed { failure, detail } => {
            let (code, label) = match failure {
                Failure::HostNotFound | Failure::Refused => (codes::DEAD_LINK, "gone"),
                Failure::Timeout | Failure::Other => (codes::UNREACHABLE, "no answer"),
            };
            let detail = if *failure == Failure::Timeout {
                format!("no whole answer within {timeout_secs} s")
            } else {
                detail.clone()
            };
            let via = if redirected {
                format!(", after {}", chain())
            } else {
                String::new()
            };
            out.push(LinkFinding {
                code,
                message: format!("{}: {detail}{via}", fetched.final_url()),
                label,
            });
        }
        Outcome::BadRedirect(why) => out.push(LinkFinding {
            code: codes::BAD_REDIRECT,
            message: if fetched.hops.len() > 1 {
                format!("{why}, after {}", chain())
            } else {
                why.clone()
            },
            label: "redirect not followed",
        }),
        Outcome::Status(status) => {
            let (code, label, what) = match status {
                404 => (codes::DEAD_LINK, "gone", "404 Not Found"),
                410 => (codes::DEAD_LINK, "gone", "410 Gone"),
                429 => (codes::UNREACHABLE, "not now", "429 Too Many Requests"),
                500..=599 => (codes::UNREACHABLE, "server error", "a server error"),
                _ => (codes::UNREACHABLE, "refused", "a refusal"),
            };
            let message = if redirected {
                format!(
                    "{} answers {status} ({what}), reached by {}",
                    fetched.final_url(),
                    chain()
                )
            } else if what.starts_with(&status.to_string()) {
                format!("{} answers {what}", fetched.url)
            } else {
                format!("{} answers {status} ({what})", fetched.url)
            };
            out.push(LinkFinding { code, message, label });
        }
        Outcome::TooLarge { .. } | Outcome::Page { .. } => {
            if redirected && is_home_page(fetched.final_url()) && !is_home_page(&fetched.url) {
                out.push(LinkFinding {
                    code: codes::REDIRECT_TO_HOME,
                    message: format!(
                        "{} redirects to the site's home page {}: the page is gone",
                        fetched.url,
                        fetched.final_url()
                    ),
                    label: "sent to the home page",
                });
                return (out, false);
            }
            if let Some(target) = permanent_target(fetched)
                && !same_page(target, &fetched.url)
            {
                out.push(LinkFinding {
                    code: codes::MOVED_PERMANENTLY,
                    message: format!("{} moved permanently to {target}", fetched.url),
                    label: "moved",
                });
            }
            if let Outcome::TooLarge { cap } = &fetched.outcome {
                out.push(LinkFinding {
                    code: codes::TOO_LARGE,
                    message: format!(
                        "{} answers with more than {}; it was not read further",
                        fetched.final_url(),
                        bytes(*cap)
                    ),
                    label: "too large",
                });
            } else {
                comparable = true;
            }
        }
    }
    (out, comparable)
}

/// A size for people: whole MiB or KiB when it is one, else bytes.
fn bytes(n: u64) -> String {
    const KIB: u64 = 1024;
    const MIB: u64 = 1024 * 1024;
    if n >= MIB && n.is_multiple_of(MIB) {
        format!("{} MiB", n / MIB)
    } else if n >= KIB && n.is_multiple_of(KIB) {
        format!("{} KiB", n / KIB)
    } else {
        format!("{n} bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fetch::Hop;

    fn fetched(hops: &[(&str, u16)], outcome: Outcome) -> Fetched {
        Fetched {
            url: hops[0].0.to_owned(),
            hops: hops
                .iter()
                .map(|(url, status)| Hop {
                    url: (*url).to_owned(),
                    status: *status,
                })
                .collect(),
            outcome,
        }
    }

    fn page() -> Outcome {
        Outcome::Page {
            content_type: Some("text/html".into()),
            body: b"<p>x</p>".to_vec(),
        }
    }

    fn codes_of(f: &Fetched) -> Vec<&'static str> {
        link_findings(f, 1).0.into_iter().map(|f| f.code).collect()
    }

    #[test]
    fn home_pages_are_told_apart_from_pages() {
        for home in [
            "https://www.gov.kz",
            "https://www.gov.kz/",
            "https://www.gov.kz/en",
            "https://www.gov.kz/ru/",
            "https://migri.fi/en-GB/",
            "https://example.org/index.html",
            "https://example.org/en/default.aspx",
        ] {
            assert!(is_home_page(home), "{home}");
        }
        for page in [
            "https://www.gov.kz/services/4631",
            "https://www.gov.kz/?lang=en",
            "https://www.gov.kz/en/services",
            "https://example.org/visa.html",
            "https://example.org/#apply",
            "not a url",
        ] {
            assert!(!is_home_page(page), "{page}");
        }
    }

    #[test]
    fn a_permanent_move_to_another_page_is_reported_with_its_target() {
        let f = fetched(&[("https://a.gov/old", 301), ("https://a.gov/new", 200)], page());
        assert_eq!(permanent_target(&f), Some("https://a.gov/new"));
        let (findings, comparable) = link_findings(&f, 1);
        assert_eq!(findings[0].code, codes::MOVED_PERMANENTLY);
        assert!(findings[0].message.contains("https://a.gov/new"));
        assert!(comparable);
        // 308 too, across hosts; a temporary redirect is followed quietly.
        let f = fetched(&[("https://a.gov/x", 308), ("https://b.gov/y", 200)], page());
        assert_eq!(codes_of(&f), vec![codes::MOVED_PERMANENTLY]);
        let f = fetched(&[("https://a.gov/x", 302), ("https://a.gov/y", 200)], page());
        assert!(codes_of(&f).is_empty());
        // Only a trailing slash or `www.` added: the same page.
        let f = fetched(&[("https://a.gov/x", 301), ("https://www.a.gov/x/", 200)], page());
        assert!(codes_of(&f).is_empty());
    }

    #[test]
    fn a_redirect_to_the_home_page_means_the_page_is_gone() {
        let f = fetched(&[("https://a.gov/visa", 302), ("https://a.gov/", 200)], page());
        let (findings, comparable) = link_findings(&f, 1);
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].code, codes::REDIRECT_TO_HOME);
        assert!(!comparable);
        // Permanent or not, and through a language folder.
        let f = fetched(&[("https://a.gov/visa", 301), ("https://a.gov/en/", 200)], page());
        assert_eq!(codes_of(&f), vec![codes::REDIRECT_TO_HOME]);
        // A home page that redirects to its language is no finding.
        let f = fetched(&[("https://a.gov/", 302), ("https://a.gov/en", 200)], page());
        assert!(codes_of(&f).is_empty());
    }

    #[test]
    fn statuses_and_failures_are_dead_or_transient() {
        let f = fetched(&[("https://a.gov/x", 404)], Outcome::Status(404));
        assert_eq!(codes_of(&f), vec![codes::DEAD_LINK]);
        let f = fetched(&[("https://a.gov/x", 410)], Outcome::Status(410));
        assert_eq!(codes_of(&f), vec![codes::DEAD_LINK]);
        for status in [500, 503, 429, 403] {
            let f = fetched(&[("https://a.gov/x", status)], Outcome::Status(status));
            assert_eq!(codes_of(&f), vec![codes::UNREACHABLE], "{status}");
        }
        let f = Fetched {
            url: "https://nowhere.invalid/".into(),
            hops: Vec::new(),
            outcome: Outcome::Failed {
                failure: Failure::HostNotFound,
                detail: "the host name does not resolve".into(),
            },
        };
        assert_eq!(codes_of(&f), vec![codes::DEAD_LINK]);
        let f = Fetched {
            outcome: Outcome::Failed {
                failure: Failure::Timeout,
                detail: String::new(),
            },
            ..f
        };
        let (findings, _) = link_findings(&f, 3);
        assert_eq!(findings[0].code, codes::UNREACHABLE);
        assert!(findings[0].message.contains("within 3 s"));
    }
}

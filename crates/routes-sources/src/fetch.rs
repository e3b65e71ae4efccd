//! The HTTP side: one agent, redirects followed by hand (each hop seen), a
//! time-out per request, a body cap, a per-host minimum interval and a fixed
//! number of worker threads.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Most redirects followed from one URL.
pub const MAX_REDIRECTS: usize = 10;

/// How `routes sources` fetches.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct FetchOptions {
    /// Longest a request may take, body included (each hop of a redirect
    /// chain has its own).
    pub timeout: Duration,
    /// Largest body read, in bytes; a larger one is [`Outcome::TooLarge`]
    /// and is not read further.
    pub max_body: u64,
    /// Shortest time between two requests to one host.
    pub per_host_delay: Duration,
    /// Requests under way at once.
    pub concurrency: usize,
    /// The `User-Agent` header.
    pub user_agent: String,
}

impl Default for FetchOptions {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(20),
            max_body: 10 * 1024 * 1024,
            per_host_delay: Duration::from_secs(1),
            concurrency: 4,
            user_agent: default_user_agent(),
        }
    }
}

/// `routes/<version> (+<repository>; source check)`: who is asking, and where
/// to find out why.
#[must_use]
pub fn default_user_agent() -> String {
    format!(
        "routes/{} (+{}; source check)",
        env!("CARGO_PKG_VERSION"),
        env!("CARGO_PKG_REPOSITORY")
    )
}

/// One answer of a redirect chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hop {
    /// The URL asked.
    pub url: String,
    /// The status it answered.
    pub status: u16,
}

/// Why a request got no answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// The host name does not resolve.
    HostNotFound,
    /// The host refused the connection.
    Refused,
    /// No answer (or no whole body) within the time-out.
    Timeout,
    /// Anything else: TLS, a broken connection, bad HTTP.
    Other,
}

/// What fetching one URL came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// A 2xx answer, its body read.
    Page {
        /// The `Content-Type` header, if any.
        content_type: Option<String>,
        /// The body (decompressed).
        body: Vec<u8>,
    },
    /// A final answer that is neither 2xx nor a redirect; its body is not read.
    Status(u16),
    /// No answer.
    Failed {
        /// Of which kind.
        failure: Failure,
        /// In words.
        detail: String,
    },
    /// A 2xx answer whose body is larger than the cap.
    TooLarge {
        /// The cap, in bytes.
        cap: u64,
    },
    /// A redirect that cannot be followed (in words).
    BadRedirect(String),
}

/// A URL fetched: every hop, and what it came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fetched {
    /// The URL asked first.
    pub url: String,
    /// Every answer, in order; the last is the final one (empty when the
    /// first request got no answer).
    pub hops: Vec<Hop>,
    /// What it came to.
    pub outcome: Outcome,
}

impl Fetched {
    /// The URL of the last answer (the first URL when there was none).
    #[must_use]
    pub fn final_url(&self) -> &str {
        self.hops.last().map_or(&self.url, |h| &h.url)
    }

    /// The status of the last answer.
    #[must_use]
    pub fn status(&self) -> Option<u16> {
        self.hops.last().map(|h| h.status)
    }
}

/// Fetches URLs; see [`FetchOptions`].
pub struct Fetcher {
    agent: ureq::Agent,
    options: FetchOptions,
    /// When each host may be asked next.
    next: Mutex<HashMap<String, Instant>>,
}

impl std::fmt::Debug for Fetcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fetcher")
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl Fetcher {
    /// A fetcher with these options.
    #[must_use]
    pub fn new(options: FetchOptions) -> Self {
        let config = ureq::Agent::config_builder()
            .max_redirects(0)
            .http_status_as_error(false)
            .timeout_global(Some(options.timeout))
            .user_agent(options.user_agent.as_str())
            .accept("text/html,application/xhtml+xml,text/plain;q=0.9,*/*;q=0.5")
            .build();
        Self {
            agent: config.into(),
            options,
            next: Mutex::new(HashMap::new()),
        }
    }

    /// The options.
    #[must_use]
    pub fn options(&self) -> &FetchOptions {
        &self.options
    }

    /// Fetches every URL, at most [`FetchOptions::concurrency`] at once,
    /// and hands each to `each` with its index in `urls`, on the thread
    /// that fetched it (so a body need live no longer than `each` keeps it).
    pub fn fetch_each(&self, urls: &[String], each: &(dyn Fn(usize, Fetched) + Sync)) {
        let next = AtomicUsize::new(0);
        let workers = self.options.concurrency.clamp(1, 64).min(urls.len().max(1));
        std::thread::scope(|scope| {
            for _ in 0..workers {
                scope.spawn(|| {
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(url) = urls.get(i) else { break };
                        each(i, self.fetch(url));
                    }
                });
            }
        });
    }

    /// Fetches every URL (see [`Fetcher::fetch_each`]); the results are in
    /// the order of `urls`.
    #[must_use]
    pub fn fetch_all(&self, urls: &[String]) -> Vec<Fetched> {
        let results: Mutex<Vec<Option<Fetched>>> = Mutex::new(vec![None; urls.len()]);
        self.fetch_each(urls, &|i, fetched| {
            if let Ok(mut results) = results.lock() {
                results[i] = Some(fetched);
            }
        });
        let results = results.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner);
        results
            .into_iter()
            .zip(urls)
            .map(|(r, url)| {
                r.unwrap_or_else(|| Fetched {
                    url: url.clone(),
                    hops: Vec::new(),
                    outcome: Outcome::Failed {
                        failure: Failure::Other,
                        detail: "the request was not made".into(),
                    },
                })
            })
            .collect()
    }

    /// Fetches one URL, following up to [`MAX_REDIRECTS`] redirects by hand.
    #[must_use]
    pub fn fetch(&self, url: &str) -> Fetched {
        let mut hops = Vec::new();
        let mut seen = HashSet::new();
        let mut current = url.to_owned();
        let outcome = loop {
            let parsed = match url::Url::parse(&current) {
                Ok(u) if matches!(u.scheme(), "http" | "https") && u.host_str().is_some() => u,
                Ok(u) if !hops.is_empty() => {
                    break Outcome::BadRedirect(format!("a redirect leads to `{u}`, which is not an http(s) URL"));
                }
                _ => {
                    break Outcome::Failed {
                        failure: Failure::Other,
                        detail: format!("`{current}` is not an absolute http(s) URL"),
                    };
                }
            };
            if !seen.insert(current.clone()) {
                break Outcome::BadRedirect(format!("the redirects loop back to {current}"));
            }
            self.wait_for(parsed.host_str().unwrap_or_default());
            let mut response = match self.agent.get(current.as_str()).call() {
                Ok(r) => r,
                Err(e) => break failed(&e),
            };
            let status = response.status().as_u16();
            hops.push(Hop {
                url: current.clone(),
                status,
            });
            if (300..400).contains(&status) && status != 304 {
                // Some servers send UTF-8 in `Location`; the URL parser escapes it.
                let location = response
                    .headers()
                    .get("location")
                    .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
                let Some(location) = location else {
                    break Outcome::BadRedirect(format!("{current} answers {status} without a `Location`"));
                };
                if hops.len() > MAX_REDIRECTS {
                    break Outcome::BadRedirect(format!("more than {MAX_REDIRECTS} redirects"));
                }
                match parsed.join(location.trim()) {
                    Ok(next) => current = next.to_string(),
                    Err(_) => {
                        break Outcome::BadRedirect(format!(
                            "{current} redirects to `{}`, which is not a URL",
                            location.chars().take(200).collect::<String>()
                        ));
                    }
                }
                continue;
            }
            if !(200..300).contains(&status) {
                break Outcome::Status(status);
            }
            let cap = self.options.max_body;
            if response.body().content_length().is_some_and(|n| n > cap) {
                break Outcome::TooLarge { cap };
            }
            let content_type = response
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            match response.body_mut().with_config().limit(cap).read_to_vec() {
                Ok(body) => break Outcome::Page { content_type, body },
                Err(ureq::Error::BodyExceedsLimit(_)) => break Outcome::TooLarge { cap },
                Err(e) => break failed(&e),
            }
        };
        Fetched {
            url: url.to_owned(),
            hops,
            outcome,
        }
    }

    /// Waits until `host` may be asked again, and books the next slot.
    fn wait_for(&self, host: &str) {
        let now = Instant::now();
        let at = self.book(host, now);
        if at > now {
            std::thread::sleep(at - now);
        }
    }

    /// The time (`now` or later) at which `host` may be asked, booked: the
    /// next request to it may be made [`FetchOptions::per_host_delay`]
    /// after that.
    fn book(&self, host: &str, now: Instant) -> Instant {
        let delay = self.options.per_host_delay;
        if delay.is_zero() {
            return now;
        }
        let Ok(mut next) = self.next.lock() else { return now };
        let at = next.get(host).copied().map_or(now, |t| t.max(now));
        next.insert(host.to_owned(), at + delay);
        at
    }
}

/// A request error as an [`Outcome`].
fn failed(e: &ureq::Error) -> Outcome {
    let failure = match e {
        ureq::Error::HostNotFound => Failure::HostNotFound,
        ureq::Error::Timeout(_) => Failure::Timeout,
        ureq::Error::Io(io) => match io.kind() {
            std::io::ErrorKind::ConnectionRefused => Failure::Refused,
            std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock => Failure::Timeout,
            _ => Failure::Other,
        },
        _ => Failure::Other,
    };
    let detail = match failure {
        Failure::HostNotFound => "the host name does not resolve".to_owned(),
        Failure::Refused => "the host refuses connections".to_owned(),
        Failure::Timeout => "no whole answer within the time-out".to_owned(),
        Failure::Other => e.to_string(),
    };
    Outcome::Failed { failure, detail }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_host_is_asked_at_most_once_per_interval() {
        let options = FetchOptions {
            per_host_delay: Duration::from_secs(2),
            ..FetchOptions::default()
        };
        let fetcher = Fetcher::new(options);
        let now = Instant::now();
        assert_eq!(fetcher.book("a.gov", now), now);
        assert_eq!(fetcher.book("a.gov", now), now + Duration::from_secs(2));
        assert_eq!(fetcher.book("a.gov", now), now + Duration::from_secs(4));
        // Another host has its own turn.
        assert_eq!(fetcher.book("b.gov", now), now);
        // Once the interval has passed, a host is asked at once.
        let later = now + Duration::from_mins(1);
        assert_eq!(fetcher.book("a.gov", later), later);
    }

    #[test]
    fn no_delay_books_nothing() {
        let options = FetchOptions {
            per_host_delay: Duration::ZERO,
            ..FetchOptions::default()
        };
        let fetcher = Fetcher::new(options);
        let now = Instant::now();
        assert_eq!(fetcher.book("a.gov", now), now);
        assert_eq!(fetcher.book("a.gov", now), now);
    }

    #[test]
    fn the_user_agent_names_the_tool_and_where_to_learn_about_it() {
        let ua = default_user_agent();
        assert!(ua.starts_with("routes/"), "{ua}");
        assert!(
            ua.contains(env!("CARGO_PKG_REPOSITORY")) && ua.ends_with("; source check)"),
            "{ua}"
        );
    }

    #[test]
    fn only_http_and_https_urls_are_fetched() {
        let fetcher = Fetcher::new(FetchOptions::default());
        for url in ["file:///etc/passwd", "ftp://example.org/a", "not a url"] {
            let answer = fetcher.fetch(url);
            assert!(answer.hops.is_empty(), "{url}");
            assert!(
                matches!(
                    answer.outcome,
                    Outcome::Failed {
                        failure: Failure::Other,
                        ..
                    }
                ),
                "{url}"
            );
        }
    }
}

//! The bundled dataset as data: what it covers, and that every quote in it is
//! held to the archived snapshot of its page.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::util::{copy_dir, root, routes, run};

fn dataset() -> PathBuf {
    root().join("dataset")
}

/// Every record of a dataset folder, by its path relative to the folder.
fn records(dir: &Path) -> BTreeMap<PathBuf, Value> {
    let mut out = BTreeMap::new();
    for entry in walkdir::WalkDir::new(dir.join("routes")) {
        let entry = entry.expect("walk");
        if entry.path().extension().is_some_and(|e| e == "json") {
            let text = fs_err::read_to_string(entry.path()).expect("read");
            let rel = entry.path().strip_prefix(dir).expect("inside").to_owned();
            out.insert(rel, serde_json::from_str(&text).expect("record"));
        }
    }
    out
}

/// Every evidence item with an excerpt: (JSON Pointer of the excerpt, source id, excerpt).
fn excerpts(value: &Value, pointer: &str, out: &mut Vec<(String, String, String)>) {
    match value {
        Value::Object(map) => {
            if let (Some(Value::String(source)), Some(Value::String(excerpt))) = (map.get("source"), map.get("excerpt"))
            {
                out.push((format!("{pointer}/excerpt"), source.clone(), excerpt.clone()));
            }
            for (k, v) in map {
                excerpts(v, &format!("{pointer}/{k}"), out);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                excerpts(v, &format!("{pointer}/{i}"), out);
            }
        }
        _ => {}
    }
}

fn sha256(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    Sha256::digest(bytes).iter().fold(String::new(), |mut hex, b| {
        let _ = write!(hex, "{b:02x}");
        hex
    })
}

fn findings(dir: &Path) -> Vec<Value> {
    let out = run(routes(dir).args(["validate", "--format", "json", "."]));
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("finding"))
        .collect()
}

#[test]
fn the_dataset_covers_nine_countries_with_evidenced_routes() {
    let records = records(&dataset());
    let countries: BTreeSet<&str> = records.values().filter_map(|r| r["country"].as_str()).collect();
    assert!(records.len() >= 35, "{} routes", records.len());
    assert!(countries.len() >= 9, "{countries:?}");
    // Every quoted source has a snapshot, and most evidence quotes its source.
    let (mut items, mut quoted) = (0, 0);
    for record in records.values() {
        let mut found = Vec::new();
        excerpts(record, "", &mut found);
        quoted += found.len();
        let text = record.to_string();
        items += text.matches("\"source\":").count();
        for (_, source, _) in found {
            let listed = record["sources"]
                .as_array()
                .expect("sources")
                .iter()
                .find(|s| s["id"] == source.as_str());
            assert!(
                listed.is_some_and(|s| s.get("snapshot").is_some()),
                "{}: quoted source `{source}` has no snapshot",
                record["id"]
            );
        }
    }
    assert!(
        quoted * 2 > items,
        "only {quoted} of {items} evidence items quote their source"
    );
}

#[test]
fn removing_a_word_from_any_snapshot_trips_the_quote_check() {
    let tmp = tempfile::tempdir().expect("tmp");
    copy_dir(&dataset(), tmp.path());
    let mut records = records(tmp.path());
    // Each snapshot file and the excerpts quoted from it.
    let mut quoted: BTreeMap<String, Vec<(PathBuf, String, String)>> = BTreeMap::new();
    for (path, record) in &records {
        let mut found = Vec::new();
        excerpts(record, "", &mut found);
        for (pointer, source, excerpt) in found {
            let snapshot = record["sources"]
                .as_array()
                .expect("sources")
                .iter()
                .find(|s| s["id"] == source.as_str())
                .and_then(|s| s["snapshot"]["path"].as_str())
                .expect("a quoted source has a snapshot")
                .to_owned();
            quoted
                .entry(snapshot)
                .or_default()
                .push((path.clone(), pointer, excerpt));
        }
    }
    assert!(quoted.len() >= 100, "only {} snapshots are quoted", quoted.len());
    // From each snapshot, remove one word of one of its quotes: every excerpt
    // that held the word must now be reported, at its own pointer.
    let mut expected: BTreeSet<(String, String)> = BTreeSet::new();
    let mut new_sha: BTreeMap<String, String> = BTreeMap::new();
    for (snapshot, quotes) in &quoted {
        let file = tmp.path().join(snapshot);
        let text = fs_err::read_to_string(&file).expect("snapshot");
        let body_at = text.find("\n\n").map_or(0, |i| i + 2);
        let (head, body) = text.split_at(body_at);
        let longest = quotes.iter().max_by_key(|(_, _, e)| e.len()).expect("a quote");
        let word = longest
            .2
            .split_whitespace()
            .filter(|w| body.contains(*w))
            .max_by_key(|w| w.chars().count())
            .expect("a word of the quote is in the snapshot")
            .to_owned();
        let mut cut = body.to_owned();
        while cut.contains(&word) {
            cut = cut.replace(&word, "");
        }
        let changed = format!("{head}{cut}");
        fs_err::write(&file, &changed).expect("write");
        new_sha.insert(snapshot.clone(), sha256(changed.as_bytes()));
        for (path, pointer, excerpt) in quotes {
            if excerpt.contains(&word) {
                let id = records[path]["id"].as_str().expect("id").to_owned();
                expected.insert((id, pointer.clone()));
            }
        }
    }
    // Record the new checksums, so the quote check (not the checksum) speaks.
    for (path, record) in &mut records {
        for source in record["sources"].as_array_mut().expect("sources") {
            if let Some(sha) = source["snapshot"]["path"].as_str().and_then(|p| new_sha.get(p)) {
                source["snapshot"]["sha256"] = Value::String(sha.clone());
            }
        }
        let text = serde_json::to_string_pretty(record).expect("json") + "\n";
        fs_err::write(tmp.path().join(path), text).expect("write");
    }
    let got: BTreeSet<(String, String)> = findings(tmp.path())
        .iter()
        .filter(|f| f["code"] == "quality/excerpt-not-in-snapshot")
        .map(|f| {
            (
                f["route"].as_str().unwrap_or_default().to_owned(),
                f["pointer"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    let missed: Vec<_> = expected.difference(&got).collect();
    assert!(
        missed.is_empty(),
        "{} of {} altered quotes passed unseen: {missed:#?}",
        missed.len(),
        expected.len()
    );
    assert!(
        expected.len() >= quoted.len(),
        "{} findings expected for {} snapshots",
        expected.len(),
        quoted.len()
    );
}

#[test]
fn an_altered_snapshot_with_its_old_checksum_is_a_mismatch() {
    let tmp = tempfile::tempdir().expect("tmp");
    copy_dir(&dataset(), tmp.path());
    let snapshots: Vec<PathBuf> = walkdir::WalkDir::new(tmp.path().join("snapshots"))
        .into_iter()
        .map(|e| e.expect("walk").into_path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    assert!(snapshots.len() >= 100, "{} snapshots", snapshots.len());
    for path in &snapshots {
        let mut text = fs_err::read_to_string(path).expect("read");
        text.push_str("\nan added line\n");
        fs_err::write(path, text).expect("write");
    }
    let reported: Vec<Value> = findings(tmp.path())
        .into_iter()
        .filter(|f| f["code"] == "quality/snapshot-mismatch" || f["code"] == "reference/invalid")
        .collect();
    // Each file that cites a snapshot reports it once (a reference file reads its snapshots once).
    let mut seen = BTreeSet::new();
    for f in &reported {
        let key = (
            f["file"].to_string(),
            f["pointer"].to_string(),
            f["message"].to_string(),
        );
        assert!(seen.insert(key), "reported twice: {f}");
    }
    let mismatched: BTreeSet<String> = reported
        .iter()
        .filter_map(|f| {
            f["message"]
                .as_str()
                .and_then(|m| m.split('`').nth(1))
                .map(str::to_owned)
        })
        .collect();
    for path in &snapshots {
        let rel = path
            .strip_prefix(tmp.path())
            .expect("inside")
            .to_string_lossy()
            .into_owned();
        assert!(mismatched.contains(&rel), "altered snapshot {rel} passed unseen");
    }
}

#[test]
fn the_card_says_what_the_dataset_covers_and_rests_on() {
    let tmp = tempfile::tempdir().expect("tmp");
    let out = run(routes(&root())
        .args(["publish", "--version", "1.0.0", "--out"])
        .arg(tmp.path()));
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let card = fs_err::read_to_string(tmp.path().join("routes-1.0.0/README.md")).expect("card");
    // The dataset's own account of how it was gathered.
    let about = fs_err::read_to_string(dataset().join("ABOUT.md")).expect("ABOUT.md");
    assert!(
        card.contains(&format!("## About this dataset\n\n{}", about.trim())),
        "{card}"
    );
    // Routes per country: the card's totals are the records' counts.
    let mut per_country: BTreeMap<String, usize> = BTreeMap::new();
    for record in records(&dataset()).values() {
        *per_country
            .entry(record["country"].as_str().expect("country").to_owned())
            .or_default() += 1;
    }
    let section = |title: &str| -> Vec<Vec<String>> {
        let start = card.find(title).unwrap_or_else(|| panic!("no section {title}"));
        card[start..]
            .lines()
            .skip(1)
            .skip_while(|l| !l.starts_with('|'))
            .take_while(|l| l.starts_with('|'))
            .skip(2)
            .map(|l| l.trim_matches('|').split('|').map(|c| c.trim().to_owned()).collect())
            .collect()
    };
    let rows = section("### Routes per country and category");
    let shown: BTreeMap<String, usize> = rows
        .iter()
        .map(|r| {
            (
                r[0].trim_matches('`').to_owned(),
                r.last().expect("total").parse().expect("number"),
            )
        })
        .collect();
    assert_eq!(shown, per_country);
    // The facts add up, every fact is accounted for, and most rest on an official quote.
    let facts = section("### What the data rests on");
    let count = |label: &str| -> usize {
        facts
            .iter()
            .find(|r| r[0].contains(label))
            .unwrap_or_else(|| panic!("no row {label}"))[1]
            .parse()
            .expect("number")
    };
    let parts = count("`official` source")
        + count("`official_adjacent`")
        + count("`third_party`")
        + count("without a source")
        + count("still `unknown`");
    assert_eq!(parts, count("all facts"));
    assert_eq!(count("without a source"), 0);
    assert!(
        count("`official` source") * 2 > count("all facts") - count("still `unknown`"),
        "{facts:?}"
    );
    // Source dates, per country.
    let dates = section("### How old the sources are");
    let countries: BTreeSet<String> = dates.iter().map(|r| r[0].trim_matches('`').to_owned()).collect();
    assert_eq!(countries, per_country.keys().cloned().collect());
}

#[test]
fn group_lists_are_held_to_their_snapshots() {
    let tmp = tempfile::tempdir().expect("tmp");
    copy_dir(&dataset(), tmp.path());
    let groups_path = tmp.path().join("reference/groups.json");
    let mut groups: Value = serde_json::from_str(&fs_err::read_to_string(&groups_path).expect("read")).expect("json");
    // Every international group the records use is defined, with members.
    for name in ["EU", "EEA", "SCHENGEN", "EAEU"] {
        let g = groups["groups"]
            .as_array()
            .expect("groups")
            .iter()
            .find(|g| g["group"] == name);
        assert!(
            g.is_some_and(|g| g["members"].as_array().is_some_and(|m| !m.is_empty())),
            "{name}"
        );
    }
    // Cut a word of each group's quote from its first source's snapshot, with the new checksum.
    let mut expected = BTreeSet::new();
    let defs = groups["groups"].as_array().expect("groups").clone();
    for g in &defs {
        let Some(excerpt) = g["excerpt"].as_str() else { continue };
        let first = g["sources"][0].as_str().expect("source");
        let source = groups["sources"]
            .as_array_mut()
            .expect("sources")
            .iter_mut()
            .find(|s| s["id"] == first)
            .expect("listed");
        let file = tmp.path().join(source["snapshot"]["path"].as_str().expect("snapshot"));
        let text = fs_err::read_to_string(&file).expect("read");
        let word = excerpt.split_whitespace().max_by_key(|w| w.len()).expect("word");
        let cut = text.replace(word, "");
        fs_err::write(&file, &cut).expect("write");
        source["snapshot"]["sha256"] = Value::String(sha256(cut.as_bytes()));
        expected.insert(format!(
            "the excerpt of group `{}` does not occur",
            g["group"].as_str().expect("name")
        ));
    }
    fs_err::write(&groups_path, serde_json::to_string_pretty(&groups).expect("json")).expect("write");
    let messages: Vec<String> = findings(tmp.path())
        .iter()
        .filter(|f| f["code"] == "reference/invalid")
        .filter_map(|f| f["message"].as_str().map(str::to_owned))
        .collect();
    assert!(expected.len() >= 4, "{expected:?}");
    for want in &expected {
        assert!(
            messages.iter().any(|m| m.starts_with(want.as_str())),
            "{want}: {messages:#?}"
        );
    }
}

//! Publishing that loses nothing: every accepted record is released or the
//! publish refuses, the previous release is checked, interrupted runs leave no
//! scratch behind, and the whole release folder is reproducible.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::json;

use crate::publish::{Dataset, names, record, three_routes};
use crate::util::{minimal_record, root, run};

/// Scratch folders (`.routes-…`) in `dir`.
fn scratch(dir: &Path) -> Vec<String> {
    names(dir).into_iter().filter(|n| n.starts_with(".routes-")).collect()
}

/// Writes the dataset's `routes.toml` with these severities.
fn configure(d: &Dataset, severities: &[(&str, &str)]) {
    let lines: Vec<String> = severities
        .iter()
        .map(|(code, level)| format!("\"{code}\" = \"{level}\""))
        .collect();
    let text = format!("config_version = 1\n\n[severity]\n{}\n", lines.join("\n"));
    fs_err::write(d.dataset().join("routes.toml"), text).expect("write routes.toml");
}

/// Lines, each ended by `\n`.
fn lines_of<'a>(lines: impl Iterator<Item = &'a str>) -> String {
    lines.flat_map(|l| [l, "\n"]).collect()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// `sha256sum --check --strict SHA256SUMS` in `release`.
fn sums_check(release: &Path) -> bool {
    Command::new("sha256sum")
        .args(["--check", "--strict", "--quiet", "SHA256SUMS"])
        .current_dir(release)
        .output()
        .expect("sha256sum runs")
        .status
        .success()
}

/// A record whose schema finding `routes.toml` lowers or silences still
/// cannot be typed as a route, and is never left out of a release: it is a
/// `record/untyped` error that no setting hides, so publish refuses, naming
/// its file and line. (Publish also counts the records validation read
/// against those it was handed, and refuses on a difference, as a guard.)
#[test]
fn a_record_that_cannot_be_typed_is_never_left_out() {
    for level in ["off", "warning"] {
        let d = three_routes();
        let mut bad = record("kz/beta-visa", "Beta visa");
        bad["category"] = json!("tourism");
        d.write(&bad);
        configure(&d, &[("schema/enum", level)]);
        let out = run(&mut d.publish("1.0.0", "dist"));
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{level}: {}", d.transcript(&out));
        assert!(err.contains("[dataset/routes/kz/beta-visa.json:"), "{level}: {err}");
        assert!(err.contains("record/untyped"), "{level}: {err}");
        assert!(err.contains("cannot be read as a route"), "{level}: {err}");
        assert!(!d.path().join("dist").exists(), "{level}: nothing is published");
        assert_eq!(scratch(&d.temp()), Vec::<String>::new(), "{level}: no scratch is left");
    }

    // A broken line of a JSON Lines file: `json/syntax` cannot be turned off
    // (the config is refused, exit 2), so the line is never dropped.
    let d = three_routes();
    let good = serde_json::to_string(&record("kz/delta-visa", "Delta visa")).expect("json");
    fs_err::write(
        d.dataset().join("routes/kz/more.jsonl"),
        format!("{good}\n{{\"id\": \"kz/epsilon\",\n"),
    )
    .expect("write jsonl");
    configure(&d, &[("json/syntax", "off")]);
    let out = run(&mut d.publish("1.0.0", "dist"));
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{}", d.transcript(&out));
    assert!(err.contains("json/syntax"), "{err}");
    assert!(!d.path().join("dist").exists());
    configure(&d, &[]);
    let out = run(&mut d.publish("1.0.0", "dist"));
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{}", d.transcript(&out));
    assert!(err.contains("[dataset/routes/kz/more.jsonl:2:"), "{err}");
    assert!(!d.path().join("dist").exists());
}

/// A release holds each route once, and every route its `related` links
/// name, whatever `routes.toml` turns off.
#[test]
fn related_links_and_ids_resolve_inside_the_release() {
    let d = three_routes();
    let mut alpha = record("kz/alpha-visa", "Alpha visa");
    alpha["related"] = json!([
        { "id": "kz/beta-visa", "relation": "alternative" },
        { "id": "kz/zeta-visa", "relation": "alternative" }
    ]);
    d.write(&alpha);
    let mut gamma = record("kz/gamma-visa", "Gamma visa");
    gamma["related"] = json!([{ "id": "kz/aaa-visa", "relation": "alternative" }]);
    d.write(&gamma);
    configure(&d, &[("record/dangling-related", "off")]);
    let out = run(&mut d.publish("1.0.0", "dist"));
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{}", d.transcript(&out));
    assert!(err.contains("dataset/routes/kz/alpha-visa.json:"), "{err}");
    assert!(err.contains("dataset/routes/kz/gamma-visa.json:"), "{err}");
    assert!(
        err.contains("2 `related` links name routes that are not in the release (the first: `kz/alpha-visa` names `kz/zeta-visa` in `related`)"),
        "{err}"
    );
    // Staged and then refused: nothing is left in the output folder.
    assert_eq!(names(&d.path().join("dist")), Vec::<String>::new());

    // The same id twice (a `*.jsonl` line repeating a record file).
    let d = three_routes();
    let copy = serde_json::to_string(&record("kz/beta-visa", "Beta visa again")).expect("json");
    fs_err::write(d.dataset().join("routes/kz/copies.jsonl"), format!("{copy}\n")).expect("write");
    configure(
        &d,
        &[("record/duplicate-id", "off"), ("quality/near-duplicate-route", "off")],
    );
    let out = run(&mut d.publish("1.0.0", "dist"));
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{}", d.transcript(&out));
    assert!(
        err.contains("route id `kz/beta-visa` is held by more than one record"),
        "{err}"
    );
    assert!(err.contains("dataset/routes/kz/copies.jsonl:1"), "{err}");
    assert_eq!(names(&d.path().join("dist")), Vec::<String>::new());
}

/// The previous release is checked against its own `SHA256SUMS` before the
/// changelog trusts it; a damaged one stops the publish (exit 2) with a hint.
#[test]
fn a_previous_release_that_does_not_check_is_refused() {
    let d = three_routes();
    assert_eq!(run(&mut d.publish("1.0.0", "dist")).status.code(), Some(0));
    let previous = d.path().join("dist/routes-1.0.0");
    let table = previous.join("data/routes.parquet");
    let sums = previous.join("SHA256SUMS");
    let original = fs_err::read(&table).expect("table");
    let original_sums = fs_err::read_to_string(&sums).expect("sums");

    let refused = |what: &str, reason: &str| {
        let out = run(&mut d.publish("1.1.0", "dist"));
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{what}: {}", d.transcript(&out));
        let first = err.lines().next().unwrap_or_default();
        assert!(
            first.starts_with("error: the previous release `dist/routes-1.0.0` is damaged: ") && first.contains(reason),
            "{what}: {err}"
        );
        assert!(
            err.contains(
                "hint: restore `dist/routes-1.0.0` from a copy of the published release, or move it out of `dist`"
            ),
            "{what}: {err}"
        );
        assert_eq!(names(&d.path().join("dist")), ["routes-1.0.0"], "{what}");
    };

    // A table of the previous release edited by hand.
    let mut edited = original.clone();
    edited.push(b'\n');
    fs_err::write(&table, &edited).expect("edit");
    refused(
        "a table edited",
        "`data/routes.parquet` does not match its SHA-256 in `SHA256SUMS` (it was changed since it was published)",
    );
    fs_err::write(&table, &original).expect("restore");

    fs_err::remove_file(&sums).expect("remove sums");
    refused("no SHA256SUMS", "cannot check it: `SHA256SUMS` does not exist");

    fs_err::write(
        &sums,
        original_sums.replace("  data/routes.parquet", " data/routes.parquet"),
    )
    .expect("garble");
    refused("a garbled line", " of `SHA256SUMS` is not `<sha256>  <path>`");

    let without = lines_of(original_sums.lines().filter(|l| !l.ends_with("  data/routes.parquet")));
    fs_err::write(&sums, without).expect("drop a line");
    refused(
        "routes.parquet unlisted",
        "`SHA256SUMS` does not list `data/routes.parquet`",
    );

    // Restored, it is compared with again.
    fs_err::write(&sums, &original_sums).expect("restore");
    let out = run(&mut d.publish("1.1.0", "dist"));
    assert_eq!(out.status.code(), Some(0), "{}", d.transcript(&out));
    let changelog = fs_err::read_to_string(d.path().join("dist/routes-1.1.0/CHANGELOG.md")).expect("changelog");
    assert!(
        changelog.contains("Compared with 1.0.0: 0 added, 0 removed, 0 changed, 3 unchanged; 0 values differ"),
        "{changelog}"
    );
}

/// A dead run's scratch folder (its lock file is there, nobody holds it).
fn dead_scratch(parent: &Path, name: &str) -> PathBuf {
    let dir = parent.join(name);
    fs_err::create_dir_all(dir.join("data")).expect("scratch");
    fs_err::write(dir.join(".routes-scratch.lock"), "").expect("lock file");
    fs_err::write(dir.join("data/run-000000.jsonl"), "{}\n").expect("run");
    dir
}

/// The scratch of runs killed outright is swept at the start of the next
/// publish, in the output folder and in the temporary folder, and said so;
/// look-alikes that are not scratch are left alone.
#[test]
fn scratch_of_killed_runs_is_swept_by_the_next_publish() {
    let d = three_routes();
    let dist = d.path().join("dist");
    let staging = dead_scratch(&dist, ".routes-1.0.0.staging-4000000-1");
    let sort = dead_scratch(&d.temp(), ".routes-sort-4000000-2");
    // Hidden folders without the lock file are not ours; those named like an
    // older publish's scratch are pointed out, and left too.
    fs_err::create_dir_all(dist.join(".routes-mine")).expect("mkdir");
    fs_err::create_dir_all(dist.join(".git")).expect("mkdir");
    fs_err::create_dir_all(dist.join(".routes-0.9.0.staging-123/data")).expect("mkdir");
    let out = run(&mut d.publish("1.0.0", "dist"));
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{}", d.transcript(&out));
    assert!(
        err.contains(
            "note: removed `dist/.routes-1.0.0.staging-4000000-1`, the scratch folder of a run that was interrupted"
        ),
        "{err}"
    );
    assert!(err.contains(&format!("note: removed `{}`", sort.display())), "{err}");
    assert!(
        err.contains("note: `dist/.routes-0.9.0.staging-123` looks like the scratch folder of an older `routes publish`, but holds no lock file, so it was left as it is"),
        "{err}"
    );
    assert!(!staging.exists() && !sort.exists());
    assert_eq!(
        names(&dist),
        [".git", ".routes-0.9.0.staging-123", ".routes-mine", "routes-1.0.0"]
    );
    fs_err::remove_dir_all(dist.join(".routes-0.9.0.staging-123")).expect("rm");
    assert_eq!(scratch(&d.temp()), Vec::<String>::new());

    // Sweeping comes first, even when the publish is then refused.
    dead_scratch(&dist, ".routes-sort-4000000-3");
    let out = run(&mut d.publish("1.0.0", "dist"));
    assert_eq!(out.status.code(), Some(2), "{}", d.transcript(&out));
    assert!(stderr(&out).contains("note: removed `dist/.routes-sort-4000000-3`"));
    assert_eq!(names(&dist), [".git", ".routes-mine", "routes-1.0.0"]);
}

/// A dataset of `n` synthetic routes in one JSON Lines file.
fn many_routes(n: usize) -> Dataset {
    let d = Dataset::new();
    let words = ["amber", "birch", "cedar", "delta", "ember", "fjord", "grove", "harbor"];
    let mut text = String::new();
    for i in 0..n {
        let mut r = minimal_record(&format!("kz/route-{i:05}"));
        r["name"] = json!(format!(
            "{} {} permit {i}",
            words[i % words.len()],
            words[(i / words.len()) % words.len()]
        ));
        text.push_str(&serde_json::to_string(&r).expect("json"));
        text.push('\n');
    }
    fs_err::create_dir_all(d.dataset().join("routes/kz")).expect("folder");
    fs_err::write(d.dataset().join("routes/kz/many.jsonl"), text).expect("write");
    d
}

/// When to kill a run: checked every millisecond while it runs.
type KillPoint = Box<dyn Fn() -> bool>;

/// Starts a publish whose output is collected.
fn spawn(d: &Dataset, version: &str) -> Child {
    d.publish(version, "dist")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("publish starts")
}

/// Waits until `ready` holds while the child runs (true), or the child ended
/// first (false). Bounded, so a stuck run fails the test instead of hanging it.
fn wait_until(child: &mut Child, ready: &dyn Fn() -> bool) -> bool {
    let deadline = Instant::now() + Duration::from_mins(2);
    while Instant::now() < deadline {
        if ready() {
            return true;
        }
        if child.try_wait().expect("try_wait").is_some() {
            return false;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    panic!("publish neither reached the point nor ended");
}

/// The folder in `dir` whose name starts with `prefix`, once it holds its
/// lock file (it is a scratch folder from then on).
fn scratch_folder(dir: &Path, prefix: &str) -> Option<PathBuf> {
    names(dir)
        .into_iter()
        .find(|n| n.starts_with(prefix))
        .map(|n| dir.join(n))
        .filter(|p| p.join(".routes-scratch.lock").is_file())
}

/// After any stop, the output folder holds complete releases (each passes
/// `sha256sum --check` and holds every route) and scratch folders, nothing else.
fn only_complete_releases(dist: &Path, routes: usize, when: &str) {
    for name in names(dist) {
        if name.starts_with(".routes-") {
            continue;
        }
        assert!(name.starts_with("routes-"), "{when}: unexpected `{name}`");
        let release = dist.join(&name);
        assert!(sums_check(&release), "{when}: `{name}` does not pass sha256sum --check");
        let jsonl = fs_err::read_to_string(release.join("data/routes.jsonl")).expect("jsonl");
        assert_eq!(jsonl.lines().count(), routes, "{when}: `{name}` is not whole");
    }
}

/// SIGKILL at several points of a publish of a few thousand routes: when the
/// sort's folder appears, when the staging folder appears, as the tables are
/// written, just before the rename, and after a delay. No
/// `routes-X.Y.Z` but a complete one ever appears; each run sweeps what the
/// one before left; the last run, not killed, leaves no scratch at all.
#[test]
fn sigkill_at_any_point_leaves_a_complete_release_or_none() {
    const ROUTES: usize = 2000;
    let d = many_routes(ROUTES);
    let dist = d.path().join("dist");
    let tmp = d.temp();
    let staging_has = |version: &'static str, rel: &'static str| {
        let dist = dist.clone();
        move || scratch_folder(&dist, &format!(".routes-{version}.staging-")).is_some_and(|s| s.join(rel).exists())
    };
    let sort_in_tmp = {
        let tmp = tmp.clone();
        move || scratch_folder(&tmp, ".routes-sort-").is_some()
    };
    let after = |ms: u64| {
        let start = std::cell::Cell::new(None::<Instant>);
        move || start.get().get_or_insert_with(Instant::now).elapsed() >= Duration::from_millis(ms)
    };
    let points: Vec<(&str, KillPoint)> = vec![
        ("1.0.0", Box::new(sort_in_tmp)),
        ("1.0.1", Box::new(staging_has("1.0.1", ".routes-scratch.lock"))),
        ("1.0.2", Box::new(staging_has("1.0.2", "data/routes.jsonl"))),
        ("1.0.3", Box::new(staging_has("1.0.3", "SHA256SUMS"))),
        ("1.0.4", Box::new(after(300))),
    ];
    // Scratch the last killed run left: the folder, and how the next run names it.
    let mut left_before: Vec<(PathBuf, String)> = Vec::new();
    let mut swept = 0;
    for (version, ready) in &points {
        let mut child = spawn(&d, version);
        if wait_until(&mut child, ready.as_ref()) {
            child.kill().expect("SIGKILL");
        }
        let out = child.wait_with_output().expect("wait");
        let err = stderr(&out);
        for (dir, shown) in &left_before {
            assert!(!dir.exists(), "{version}: `{shown}` was not swept\n{err}");
            assert!(
                err.contains(&format!("note: removed `{shown}`")),
                "{version}: {shown}\n{err}"
            );
            swept += 1;
        }
        only_complete_releases(&dist, ROUTES, version);
        left_before = scratch(&dist)
            .into_iter()
            .map(|n| (dist.join(&n), format!("dist/{n}")))
            .chain(
                scratch(&tmp)
                    .into_iter()
                    .map(|n| (tmp.join(&n), tmp.join(&n).display().to_string())),
            )
            .collect();
    }
    assert!(swept >= 2, "the kills left scratch that later runs swept ({swept})");

    // A run that is not killed publishes, and leaves no scratch anywhere.
    let out = run(&mut d.publish("2.0.0", "dist"));
    assert_eq!(out.status.code(), Some(0), "{}", d.transcript(&out));
    only_complete_releases(&dist, ROUTES, "2.0.0");
    assert_eq!(scratch(&dist), Vec::<String>::new());
    assert_eq!(scratch(&tmp), Vec::<String>::new());
    assert!(dist.join("routes-2.0.0").is_dir());
}

/// SIGTERM and SIGINT (Ctrl-C) in the middle of a publish: the process exits
/// with 130 and removes all of its scratch at once.
#[test]
fn sigterm_and_sigint_remove_every_scratch_folder() {
    let d = many_routes(1500);
    let dist = d.path().join("dist");
    for (i, signal) in ["TERM", "INT", "HUP"].into_iter().enumerate() {
        let version = format!("1.0.{i}");
        let mut child = spawn(&d, &version);
        let prefix = format!(".routes-{version}.staging-");
        let reached = wait_until(&mut child, &|| {
            scratch_folder(&dist, &prefix).is_some_and(|s| s.join("data/routes.jsonl").exists())
        });
        assert!(reached, "SIG{signal}: the publish ended before it was writing");
        let status = Command::new("kill")
            .args([format!("-{signal}"), child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success());
        let out = child.wait_with_output().expect("wait");
        assert_eq!(out.status.code(), Some(130), "SIG{signal}: {}", d.transcript(&out));
        assert_eq!(scratch(&dist), Vec::<String>::new(), "SIG{signal}");
        assert_eq!(scratch(&d.temp()), Vec::<String>::new(), "SIG{signal}");
        assert!(!dist.join(format!("routes-{version}")).exists(), "SIG{signal}");
    }
}

/// An output folder that is the dataset, or inside it (also through a
/// symbolic link), is refused: the next validation would read the release as
/// records.
#[test]
fn an_output_folder_inside_the_dataset_is_refused() {
    let d = three_routes();
    std::os::unix::fs::symlink(d.dataset().join("routes"), d.path().join("link")).expect("symlink");
    for out in [
        "dataset",
        "dataset/dist",
        "dataset/routes/kz",
        "./dataset/../dataset/x",
        "link/new/dist",
    ] {
        let result = run(&mut d.publish("1.0.0", out));
        let err = stderr(&result);
        assert_eq!(result.status.code(), Some(2), "{out}: {}", d.transcript(&result));
        assert!(
            err.starts_with(&format!(
                "error: the output folder `{out}` is inside the dataset `dataset`\n  hint: put releases outside the dataset"
            )),
            "{out}: {err}"
        );
    }
    assert_eq!(names(&d.dataset()), ["routes"]);
    assert_eq!(names(&d.dataset().join("routes")), ["kz"]);
    // Beside the dataset is fine.
    let result = run(&mut d.publish("1.0.0", "."));
    assert_eq!(result.status.code(), Some(0), "{}", d.transcript(&result));
    assert!(d.path().join("routes-1.0.0").is_dir());
}

/// A published release is never changed: an output folder inside one is
/// refused (exit 2), and the release still checks.
#[test]
fn an_output_folder_inside_a_release_is_refused() {
    let d = three_routes();
    assert_eq!(run(&mut d.publish("1.0.0", "dist")).status.code(), Some(0));
    let release = d.path().join("dist/routes-1.0.0");
    let before = crate::publish::files(&release);
    for out in ["dist/routes-1.0.0", "dist/routes-1.0.0/data", "dist/routes-1.0.0/next"] {
        let result = run(&mut d.publish("1.1.0", out));
        let err = stderr(&result);
        assert_eq!(result.status.code(), Some(2), "{out}: {}", d.transcript(&result));
        assert!(
            err.starts_with(&format!(
                "error: the output folder `{out}` is inside the published release `"
            )),
            "{out}: {err}"
        );
        assert!(
            err.contains("hint: a published release is never changed"),
            "{out}: {err}"
        );
    }
    assert_eq!(crate::publish::files(&release), before);
    assert_eq!(
        names(&release),
        [
            "CHANGELOG.md",
            "CITATION.cff",
            "LICENSE",
            "README.md",
            "SHA256SUMS",
            "data",
            "datapackage.json",
            "index",
            "metadata.json",
            "schema"
        ]
    );
    assert!(sums_check(&release));
}

/// A previous release that checks against its `SHA256SUMS` but was not
/// made by `routes publish` (a table out of `route_id` order, or a file that
/// is not Parquet) stops the publish with exit 2 and a hint, never a wrong
/// changelog or `changes` table.
#[test]
fn a_previous_release_out_of_order_or_not_parquet_is_refused() {
    let d = three_routes();
    assert_eq!(run(&mut d.publish("1.0.0", "dist")).status.code(), Some(0));
    let previous = d.path().join("dist/routes-1.0.0");
    let table = previous.join("data/requirements.parquet");
    let original = fs_err::read(&table).expect("table");
    let python = std::env::var_os("ROUTES_READERS_PYTHON")
        .map_or_else(|| root().join("target/readers-venv/bin/python"), PathBuf::from);
    let reverse = "import sys, pyarrow.parquet as pq\n\
                   t = pq.read_table(sys.argv[1])\n\
                   pq.write_table(t.take(list(range(t.num_rows - 1, -1, -1))), sys.argv[1], compression=\"zstd\")\n";
    for (what, expected) in [
        ("reversed", "is not sorted by `route_id`"),
        ("not Parquet", "cannot read the Parquet file"),
    ] {
        if what == "reversed" {
            let out = run(Command::new(&python).arg("-c").arg(reverse).arg(&table));
            assert_eq!(out.status.code(), Some(0), "{}", crate::util::transcript(&out));
        } else {
            fs_err::write(&table, "not a Parquet file\n").expect("edit");
        }
        // Its SHA256SUMS made to match, as a hand-made release would.
        let listed = fs_err::read_to_string(previous.join("SHA256SUMS")).expect("sums");
        let paths: Vec<&str> = listed.lines().filter_map(|l| l.split_once("  ").map(|p| p.1)).collect();
        let sums = Command::new("sha256sum")
            .args(&paths)
            .current_dir(&previous)
            .output()
            .expect("sha256sum");
        fs_err::write(previous.join("SHA256SUMS"), &sums.stdout).expect("sums");
        let out = run(&mut d.publish("1.1.0", "dist"));
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{what}: {}", d.transcript(&out));
        assert!(err.contains(expected), "{what}: {err}");
        assert!(err.contains("hint: "), "{what}: {err}");
        assert_eq!(names(&d.path().join("dist")), ["routes-1.0.0"], "{what}");
        fs_err::write(&table, &original).expect("restore");
    }
}

//! `routes validate FILE…` as a contributor runs it: one file checked against
//! its dataset, findings for CI (GitHub annotations, SARIF), the rule list for
//! programs, `--explain` without the family, and messages that say what is
//! expected.

use std::path::Path;

use crate::util::{copy_dir, root, routes, run, transcript};

/// A copy of the bundled dataset in a temporary folder, as `<tmp>/dataset`.
fn dataset_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    copy_dir(&root().join("dataset"), &dir.path().join("dataset"));
    dir
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = fs_err::read_to_string(path).expect("read");
    assert!(text.contains(from), "`{from}` not in {}", path.display());
    fs_err::write(path, text.replacen(from, to, 1)).expect("write");
}

/// The JSON findings of a run.
fn findings(out: &std::process::Output) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect()
}

#[test]
fn a_file_is_checked_against_its_dataset_with_no_spurious_findings() {
    let tmp = dataset_copy();
    // `related` links to other routes resolve, and no silence of another
    // route is reported unused.
    for file in [
        "dataset/routes/kz/citizenship.json",
        "dataset/routes/ee/temporary-residence-permit-for-employment.json",
    ] {
        let out = run(routes(tmp.path()).args(["validate", "--format", "json", file]));
        assert_eq!(out.status.code(), Some(0), "{file}: {}", transcript(&out));
        assert!(findings(&out).is_empty(), "{file}: {}", transcript(&out));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("checked 1 file against the 39 records of `dataset`"),
            "{stderr}"
        );
    }
    // From inside the dataset, and with an absolute path, the same.
    let file = tmp.path().join("dataset/routes/kz/citizenship.json");
    let out = run(routes(&tmp.path().join("dataset/routes")).args(["validate".as_ref(), file.as_os_str()]));
    assert_eq!(out.status.code(), Some(0), "{}", transcript(&out));
    // `--dataset` names the dataset when no `routes.toml` is above the file.
    let outside = tmp.path().join("new.json");
    fs_err::copy(&file, &outside).expect("copy");
    let out = run(routes(tmp.path()).args(["validate", "--format", "json", "--dataset", "dataset", "new.json"]));
    let codes: Vec<String> = findings(&out)
        .iter()
        .map(|f| f["code"].as_str().unwrap_or_default().to_owned())
        .collect();
    // The copy is checked against the dataset: its id is already taken, and
    // only findings about the file named are reported.
    assert!(
        codes.contains(&"record/duplicate-id".to_owned()),
        "{}",
        transcript(&out)
    );
    assert!(
        findings(&out).iter().all(|f| f["file"] == "new.json"),
        "{}",
        transcript(&out)
    );
}

#[test]
fn a_broken_file_makes_no_findings_about_others() {
    let tmp = dataset_copy();
    let routes_dir = tmp.path().join("dataset/routes");
    // A trailing comma in a route others link to, and a schema error in a
    // route `routes.toml` silences findings of.
    edit(
        &routes_dir.join("kz/kandas-status.json"),
        "\"schema_version\": 1,",
        "\"schema_version\": 1,\n  \"name\": \"x\",\n}",
    );
    edit(
        &routes_dir.join("ee/temporary-residence-permit-for-employment.json"),
        "\"category\": \"work\"",
        "\"category\": \"wrok\"",
    );
    let out = run(routes(tmp.path()).args(["validate", "--format", "json", "dataset"]));
    assert_eq!(out.status.code(), Some(1));
    let all = findings(&out);
    let codes: Vec<(&str, &str)> = all
        .iter()
        .map(|f| (f["file"].as_str().unwrap_or(""), f["code"].as_str().unwrap_or("")))
        .collect();
    assert_eq!(
        codes,
        [
            (
                "dataset/routes/ee/temporary-residence-permit-for-employment.json",
                "schema/enum"
            ),
            ("dataset/routes/kz/kandas-status.json", "json/syntax"),
        ],
        "{}",
        transcript(&out)
    );
    // The syntax error points at the comma, names its route, and is the only finding.
    let syntax = &all[1];
    assert_eq!(syntax["route"], "kz/kandas-status");
    assert_eq!(syntax["message"], "trailing comma");
    // The route that links to the broken one is clean.
    let out = run(routes(tmp.path()).args(["validate", "dataset/routes/kz/citizenship.json"]));
    assert_eq!(out.status.code(), Some(0), "{}", transcript(&out));
}

#[test]
fn silences_are_reported_unused_only_where_the_run_can_tell() {
    let tmp = dataset_copy();
    let config = tmp.path().join("dataset/routes.toml");
    let mut text = fs_err::read_to_string(&config).expect("config");
    text.push_str(
        "\n[[allow]]\nroute = \"kz/citizenship\"\nrule = \"quality/stale-source\"\npointer = \"/sources/0/seen\"\nreason = \"test\"\n\n[[allow]]\nroute = \"kz/no-such-route\"\nrule = \"quality/stale-source\"\npointer = \"/sources/0/seen\"\nreason = \"test\"\n",
    );
    fs_err::write(&config, text).expect("write");
    // The file's own unused silence is reported; the other is not its business.
    let out = run(routes(tmp.path()).args(["validate", "--format", "json", "dataset/routes/kz/citizenship.json"]));
    let all = findings(&out);
    assert_eq!(all.len(), 1, "{}", transcript(&out));
    assert_eq!(all[0]["code"], "config/unused-allow");
    assert_eq!(all[0]["route"], "kz/citizenship");
    // Another file: neither.
    let out = run(routes(tmp.path()).args(["validate", "--format", "json", "dataset/routes/kz/kandas-status.json"]));
    assert!(findings(&out).is_empty(), "{}", transcript(&out));
    // The whole dataset: both, the second saying no record has its route.
    let out = run(routes(tmp.path()).args(["validate", "--format", "json"]));
    let all = findings(&out);
    let unused: Vec<&serde_json::Value> = all.iter().filter(|f| f["code"] == "config/unused-allow").collect();
    assert_eq!(unused.len(), 2, "{}", transcript(&out));
    assert!(
        unused
            .iter()
            .any(|f| f["message"].as_str().is_some_and(|m| m.contains("which no record has"))),
        "{unused:?}"
    );
    // Only part of the dataset: the silence of a route not read is not judged.
    let out = run(routes(tmp.path()).args(["validate", "--format", "json", "dataset/routes/kz"]));
    let unused = findings(&out)
        .iter()
        .filter(|f| f["code"] == "config/unused-allow")
        .count();
    assert_eq!(unused, 1, "{}", transcript(&out));
}

/// A copy of the dataset with two mistakes a contributor makes, in one file.
fn with_mistakes() -> (tempfile::TempDir, &'static str) {
    let tmp = dataset_copy();
    let file = "dataset/routes/kz/investor-visa-a5-a6.json";
    let path = tmp.path().join(file);
    edit(&path, "\"currency\": \"USD\"", "\"currency\": \"usd\"");
    edit(&path, "\"category\": \"investment\"", "\"category\": \"Invest-ment\"");
    (tmp, file)
}

#[test]
fn messages_say_what_is_expected_and_the_nearest_value() {
    let (tmp, file) = with_mistakes();
    let out = run(routes(tmp.path()).args(["validate", "--format", "json", file]));
    assert_eq!(out.status.code(), Some(1));
    let all = findings(&out);
    let text: Vec<String> = all
        .iter()
        .map(|f| {
            format!(
                "{} | {}",
                f["message"].as_str().unwrap_or(""),
                f["hint"].as_str().unwrap_or("")
            )
        })
        .collect();
    assert!(
        text.iter()
            .any(|t| t.contains("is not a currency code: three capital letters") && t.contains("did you mean `USD`?")),
        "{text:#?}"
    );
    assert!(
        text.iter().any(|t| t.contains("did you mean `investment`?")),
        "{text:#?}"
    );
    // No message shows a regular expression.
    for t in &text {
        assert!(!t.contains("^[") && !t.contains("$\""), "{t}");
    }
    // The invalid fixtures too: every pattern failure is said in words.
    let out = run(routes(&crate::util::fixtures("invalid")).args(["validate", "--format", "json", "kz"]));
    for f in findings(&out) {
        let message = f["message"].as_str().unwrap_or_default();
        assert!(!message.contains("does not match \"^"), "{message}");
    }
}

#[test]
fn github_annotations() {
    let (tmp, file) = with_mistakes();
    let out = run(routes(tmp.path()).args(["validate", "--format", "github", file]));
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    for line in stdout.lines() {
        assert!(line.starts_with(&format!("::error file={file},line=")), "{line}");
        assert!(line.contains(",title=schema/"), "{line}");
    }
    assert_eq!(stdout.lines().count(), 2, "{stdout}");
    insta::assert_snapshot!(transcript(&out));
}

#[test]
fn sarif_is_valid_against_the_sarif_2_1_0_schema() {
    let (tmp, file) = with_mistakes();
    let json = run(routes(tmp.path()).args(["validate", "--format", "json", file]));
    let out = run(routes(tmp.path()).args(["validate", "--format", "sarif", file]));
    assert_eq!(out.status.code(), Some(1));
    let log: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
    sarif_errors(&out.stdout).expect("a valid SARIF log");
    let results = log["runs"][0]["results"].as_array().expect("results");
    assert_eq!(results.len(), findings(&json).len());
    for (result, finding) in results.iter().zip(findings(&json)) {
        assert_eq!(result["ruleId"], finding["code"]);
        assert_eq!(
            result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            file
        );
        assert_eq!(
            result["locations"][0]["physicalLocation"]["region"]["startLine"],
            finding["line"]
        );
        assert_eq!(
            result["locations"][0]["physicalLocation"]["region"]["startColumn"],
            finding["column"]
        );
    }
    // Every rule a result names is described in the tool's rules.
    let rules: Vec<&str> = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .filter_map(|r| r["id"].as_str())
        .collect();
    for result in results {
        assert!(rules.contains(&result["ruleId"].as_str().unwrap_or("")), "{result}");
    }
    // A clean run is a valid log with no results.
    let clean = run(routes(tmp.path()).args(["validate", "--format", "sarif", "dataset/routes/kz/citizenship.json"]));
    assert_eq!(clean.status.code(), Some(0));
    let log: serde_json::Value = serde_json::from_slice(&clean.stdout).expect("one JSON document");
    sarif_errors(&clean.stdout).expect("a valid SARIF log");
    // The check can fail: a log without its version is refused.
    let mut broken = log.clone();
    broken.as_object_mut().expect("object").remove("version");
    assert!(sarif_errors(broken.to_string().as_bytes()).is_err());
    assert_eq!(log["runs"][0]["results"], serde_json::json!([]));
    let mut pretty = log_without_rules(serde_json::from_slice(&out.stdout).expect("json"));
    pretty["runs"][0]["tool"]["driver"]["version"] = "<version>".into();
    insta::assert_snapshot!(serde_json::to_string_pretty(&pretty).expect("json"));
}

/// Validates a SARIF log against the SARIF 2.1.0 schema (`tests/fixtures/sarif/`,
/// from the npm package `@microsoft/jest-sarif` 1.0.0-beta.0) with the Python
/// `jsonschema` package (Draft 4, as the schema declares); the errors, if any.
fn sarif_errors(log: &[u8]) -> Result<(), String> {
    use std::io::Write as _;
    let script = "import json, sys, jsonschema\nschema = json.load(open(sys.argv[1]))\nlog = json.load(sys.stdin)\nerrors = [f'{e.message} at {list(e.absolute_path)}' for e in jsonschema.Draft4Validator(schema).iter_errors(log)]\nprint('\\n'.join(errors))\nsys.exit(1 if errors else 0)\n";
    let mut child = std::process::Command::new(crate::util::readers_python())
        .args(["-c", script])
        .arg(crate::util::fixtures("sarif/sarif-2.1.0-rtm.5.json"))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("the readers' Python runs (tests/readers/setup.sh)");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(log)
        .expect("write the log");
    let out = child.wait_with_output().expect("python");
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stdout).into_owned())
    }
}

/// A SARIF log with its long list of rules cut to the rules its results name.
fn log_without_rules(mut log: serde_json::Value) -> serde_json::Value {
    let named: Vec<serde_json::Value> = log["runs"][0]["results"]
        .as_array()
        .map(|r| r.iter().map(|r| r["ruleId"].clone()).collect())
        .unwrap_or_default();
    if let Some(rules) = log["runs"][0]["tool"]["driver"]["rules"].as_array_mut() {
        rules.retain(|r| named.contains(&r["id"]));
    }
    log
}

#[test]
fn list_rules_as_json_and_explain_without_the_family() {
    let human = run(routes(&root()).args(["validate", "--list-rules"]));
    let json = run(routes(&root()).args(["validate", "--list-rules", "--format", "json"]));
    assert_eq!(json.status.code(), Some(0));
    let rules = findings(&json);
    let validate_rules: Vec<&serde_json::Value> = rules.iter().filter(|r| r["command"] == "validate").collect();
    assert_eq!(
        validate_rules.len(),
        String::from_utf8_lossy(&human.stdout).lines().count()
    );
    for r in &rules {
        for field in ["code", "severity", "summary", "why"] {
            assert!(r[field].as_str().is_some_and(|v| !v.is_empty()), "{field} of {r}");
        }
    }
    let mut codes: Vec<&str> = rules.iter().filter_map(|r| r["code"].as_str()).collect();
    let count = codes.len();
    codes.sort_unstable();
    codes.dedup();
    assert_eq!(codes.len(), count, "codes are unique");
    // With or without the family, in any case, `_` for `-`.
    let full = run(routes(&root()).args(["validate", "--explain", "quality/implausible-amount"]));
    for short in ["implausible-amount", "Implausible_Amount"] {
        let out = run(routes(&root()).args(["validate", "--explain", short]));
        assert_eq!(out.status.code(), Some(0), "{}", transcript(&out));
        assert_eq!(out.stdout, full.stdout);
    }
    let dead = run(routes(&root()).args(["validate", "--explain", "dead-link"]));
    assert!(String::from_utf8_lossy(&dead.stdout).starts_with("sources/dead-link"));
    let typo = run(routes(&root()).args(["validate", "--explain", "implausable-amount"]));
    assert_eq!(typo.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&typo.stderr).contains("did you mean `quality/implausible-amount`"),
        "{}",
        transcript(&typo)
    );
    let wrong = run(routes(&root()).args(["validate", "--list-rules", "--format", "sarif"]));
    assert_eq!(wrong.status.code(), Some(2));
}

#[test]
fn a_record_may_name_its_schema_for_editors() {
    let tmp = dataset_copy();
    let file = "dataset/routes/kz/citizenship.json";
    edit(
        &tmp.path().join(file),
        "{\n",
        "{\n  \"$schema\": \"../../../schema/route.schema.json\",\n",
    );
    let out = run(routes(tmp.path()).args(["validate", "--format", "json", file]));
    assert_eq!(out.status.code(), Some(0), "{}", transcript(&out));
    // A release's records name no schema: the editor's path means nothing there.
    let out = run(routes(tmp.path()).args(["publish", "--version", "1.0.0", "--out", "dist"]));
    assert_eq!(out.status.code(), Some(0), "{}", transcript(&out));
    let jsonl = fs_err::read_to_string(tmp.path().join("dist/routes-1.0.0/data/routes.jsonl")).expect("jsonl");
    assert!(jsonl.lines().count() == 39 && !jsonl.contains("$schema"));
    // Another type is still an error.
    edit(
        &tmp.path().join(file),
        "\"$schema\": \"../../../schema/route.schema.json\"",
        "\"$schema\": 7",
    );
    let out = run(routes(tmp.path()).args(["validate", "--format", "json", file]));
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(findings(&out)[0]["pointer"], "/$schema");
}

#[test]
fn colour_is_chosen_by_flag() {
    let (tmp, file) = with_mistakes();
    let always = run(routes(tmp.path()).args(["validate", "--color", "always", file]));
    let never = run(routes(tmp.path())
        .env_remove("NO_COLOR")
        .args(["validate", "--color", "never", file]));
    let auto = run(routes(tmp.path()).env_remove("NO_COLOR").args(["validate", file]));
    assert!(always.stderr.contains(&0x1b), "always: colour even into a pipe");
    assert!(!never.stderr.contains(&0x1b));
    assert!(!auto.stderr.contains(&0x1b), "auto: no colour into a pipe");
    let bad = run(routes(tmp.path()).args(["validate", "--color", "sometimes"]));
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn every_subcommand_help_has_examples() {
    let top = run(routes(&root()).arg("--help"));
    let text = String::from_utf8_lossy(&top.stdout).into_owned();
    let commands: Vec<String> = text
        .split("Commands:\n")
        .nth(1)
        .expect("a command list")
        .lines()
        .take_while(|l| !l.trim().is_empty())
        // A command's line starts with two spaces; its wrapped summary, with more.
        .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next().map(str::to_owned))
        .filter(|c| c != "help")
        .collect();
    assert!(commands.len() >= 16, "{commands:?}");
    let mut checked = 0;
    for command in &commands {
        let mut names = vec![vec![command.clone()]];
        if command == "sources" {
            names.push(vec![command.clone(), "check".into()]);
            names.push(vec![command.clone(), "archive".into()]);
        }
        for name in names {
            let mut args = name.clone();
            args.push("--help".into());
            let out = run(routes(&root()).args(&args));
            let help = String::from_utf8_lossy(&out.stdout);
            assert!(
                help.contains("\nExamples:\n  routes "),
                "`routes {}` has no examples",
                name.join(" ")
            );
            checked += 1;
        }
    }
    assert_eq!(checked, commands.len() + 2);
    for command in ["validate", "show", "list", "new"] {
        let out = run(routes(&root()).args([command, "--help"]));
        insta::with_settings!({ snapshot_suffix => command }, {
            insta::assert_snapshot!(String::from_utf8_lossy(&out.stdout));
        });
    }
}

#[test]
fn pre_commit_hooks_run_routes_validate_on_the_files_they_match() {
    let manifest = root().join(".pre-commit-hooks.yaml");
    // The manifest is one the pre-commit framework accepts.
    let pre_commit = crate::util::readers_python().with_file_name("pre-commit");
    let out = run(std::process::Command::new(&pre_commit)
        .arg("validate-manifest")
        .arg(&manifest));
    assert!(out.status.success(), "{}", transcript(&out));
    // Each hook's `entry` with the files its `files` pattern picks from a
    // change, as pre-commit runs it: a broken record fails the commit.
    let script = "import json, re, sys, yaml\nhooks = yaml.safe_load(open(sys.argv[1]))\nfiles = sys.argv[2:]\nprint(json.dumps([{'id': h['id'], 'entry': h['entry'], 'pass': h['pass_filenames'], 'files': [f for f in files if re.search(h['files'], f)]} for h in hooks]))\n";
    let changed = [
        "dataset/routes/kz/investor-visa-a5-a6.json",
        "dataset/routes.toml",
        "README.md",
        "dataset/snapshots/kz/gov-kz-4631.txt",
    ];
    let out = run(std::process::Command::new(crate::util::readers_python())
        .args(["-c", script])
        .arg(&manifest)
        .args(changed));
    assert!(out.status.success(), "{}", transcript(&out));
    let hooks: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(hooks.len(), 2);
    assert_eq!(
        hooks[0]["files"],
        serde_json::json!(["dataset/routes/kz/investor-visa-a5-a6.json"])
    );
    assert_eq!(
        hooks[1]["files"],
        serde_json::json!(["dataset/routes.toml", "dataset/snapshots/kz/gov-kz-4631.txt"])
    );
    let (tmp, file) = with_mistakes();
    for hook in &hooks {
        let entry: Vec<&str> = hook["entry"].as_str().expect("entry").split_whitespace().collect();
        assert_eq!(entry[0], "routes");
        let mut args: Vec<String> = entry[1..].iter().map(|s| (*s).to_owned()).collect();
        if hook["pass"] == true {
            args.push(file.to_owned());
        }
        let out = run(routes(tmp.path()).args(&args));
        assert_eq!(out.status.code(), Some(1), "{}: {}", hook["id"], transcript(&out));
    }
}

#[test]
fn publish_counts_warnings_by_rule_instead_of_printing_each() {
    let dir = crate::util::temp_dataset();
    let dist = tempfile::tempdir().expect("temp dir");
    fs_err::write(dir.path().join("routes.toml"), "config_version = 1\n").expect("config");
    for n in 0..12 {
        let mut record = crate::util::minimal_record(&format!("kz/route-{n}"));
        record["name"] = format!("Route number {n}").into();
        record["eligibility"]["nationality"] = serde_json::json!({ "scope": "unknown" });
        crate::util::write_record(&dir.path().join(format!("kz/route-{n}.json")), &record);
    }
    let out = run(routes(dir.path())
        .args(["publish", "--version", "1.0.0", "--dataset", ".", "--out"])
        .arg(dist.path()));
    assert_eq!(out.status.code(), Some(0), "{}", transcript(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("12 warnings (12 quality/no-nationality-scope): `routes validate .` prints each"),
        "{stderr}"
    );
    assert!(!stderr.contains('⚠'), "no warning printed in full: {stderr}");
    // One error: its finding in full, and "1 error" in the summary.
    let mut bad = crate::util::minimal_record("kz/route-0");
    bad["category"] = "tourism".into();
    crate::util::write_record(&dir.path().join("kz/route-0.json"), &bad);
    let out = run(routes(dir.path())
        .args(["publish", "--version", "1.0.1", "--dataset", ".", "--out"])
        .arg(dist.path()));
    assert_eq!(out.status.code(), Some(1), "{}", transcript(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("`tourism` is not an allowed value"), "{stderr}");
    assert!(stderr.contains("the dataset has 1 error, 11 warnings;"), "{stderr}");
    assert!(!stderr.contains("1 errors"), "{stderr}");
}

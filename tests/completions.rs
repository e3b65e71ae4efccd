//! `routes completions` and `routes man`: generated from the same clap definitions as the CLI.

use crate::util::{root, routes, run};

const SUBCOMMANDS: [&str; 9] = [
    "validate", "publish", "diff", "search", "eligible", "serve", "site", "mcp", "sources",
];

#[test]
fn completions_name_every_subcommand_and_parse_in_their_shell() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = run(routes(&root()).args(["completions", shell]));
        assert!(out.status.success(), "{shell}");
        let script = String::from_utf8_lossy(&out.stdout);
        for sub in SUBCOMMANDS {
            assert!(script.contains(sub), "{shell} completes `{sub}`");
        }
    }
    // The bash script is valid bash.
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("routes.bash");
    fs_err::write(&path, run(routes(&root()).args(["completions", "bash"])).stdout).expect("write");
    let check = std::process::Command::new("bash")
        .arg("-n")
        .arg(&path)
        .output()
        .expect("bash runs");
    assert!(check.status.success(), "{}", String::from_utf8_lossy(&check.stderr));
    // A shell that is not one is an error that lists the shells.
    let out = run(routes(&root()).args(["completions", "tcsh"]));
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("bash"));
}

#[test]
fn the_man_page_lists_the_commands() {
    let out = run(routes(&root()).arg("man"));
    assert!(out.status.success());
    let page = String::from_utf8_lossy(&out.stdout);
    assert!(page.contains(".TH routes 1"), "a man page");
    for sub in SUBCOMMANDS {
        assert!(page.contains(&format!("routes\\-{sub}")), "the man page names `{sub}`");
    }
}

//! `routes`: validate, publish and search the open dataset of immigration routes.
//!
//! `main` parses the command line, runs the command and maps its outcome to an
//! exit status: 0 clean, 1 findings in the data, 2 failure of the tool.

mod args;
mod commands;
mod printer;
mod report;

use std::process::ExitCode;

use clap::Parser as _;

use crate::args::{Cli, Command};
use crate::printer::Printer;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The outcome of a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ExitStatus {
    /// Nothing to report.
    Success,
    /// The data has findings.
    Failure,
    /// The tool itself failed.
    Error,
}

impl From<ExitStatus> for ExitCode {
    fn from(status: ExitStatus) -> Self {
        match status {
            ExitStatus::Success => ExitCode::SUCCESS,
            ExitStatus::Failure => ExitCode::from(1),
            ExitStatus::Error => ExitCode::from(2),
        }
    }
}

fn main() -> ExitCode {
    routes_fs::remove_scratch_on_signal();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => return printer::clap_error(&err),
    };
    let printer = Printer::new(cli.quiet, cli.color);
    let status = match cli.command {
        Command::Validate(args) => commands::validate::run(&args, &printer),
        Command::Publish(args) => commands::publish::run(&args, &printer),
        Command::Diff(args) => commands::diff::run(&args, &printer),
        Command::Show(args) => commands::show::run(&args, &printer),
        Command::List(args) => commands::list::run(&args, &printer),
        Command::New(args) => commands::new::run(&args, &printer),
        Command::Search(args) => commands::search::run(&args, &printer),
        Command::Eligible(args) => commands::eligible::run(&args, &printer),
        Command::Serve(args) => commands::serve::run(&args, &printer),
        Command::Site(args) => commands::serve::run_site(&args, &printer),
        Command::Mcp(args) => commands::serve::run_mcp(&args, &printer),
        Command::Index(args) => commands::search::run_index(&args, &printer),
        Command::Sources(command) => commands::sources::run(&command, &printer),
        Command::Completions { shell } => {
            let mut out = Vec::new();
            clap_complete::generate(shell, &mut <Cli as clap::CommandFactory>::command(), "routes", &mut out);
            printer
                .data(&String::from_utf8_lossy(&out))
                .map(|()| ExitStatus::Success)
        }
        Command::Man => {
            let mut out = Vec::new();
            match clap_mangen::Man::new(<Cli as clap::CommandFactory>::command()).render(&mut out) {
                Ok(()) => printer
                    .data(&String::from_utf8_lossy(&out))
                    .map(|()| ExitStatus::Success),
                Err(e) => Err(printer::ToolError::from_error(e)),
            }
        }
        Command::Schema => printer
            .data(routes_validate::ROUTE_SCHEMA)
            .map(|()| ExitStatus::Success),
    };
    // A signal's handler is removing the scratch folders and exits with 130.
    routes_fs::wait_if_interrupted();
    let code = match status {
        Ok(status) => status.into(),
        Err(err) if printer::is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            printer.tool_error(&err);
            ExitStatus::Error.into()
        }
    };
    // A reader that closed its pipe (`routes search fees 2>&1 | head -1`)
    // ends the command quietly, on stdout or stderr alike.
    if printer.output_closed() {
        return ExitCode::SUCCESS;
    }
    code
}

//! `nap-oversight`: the server and its administration commands.

use std::process::ExitCode;

fn main() -> ExitCode {
    nap_oversight::cli::main()
}

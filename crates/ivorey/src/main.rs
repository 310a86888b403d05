//! `ivorey`: the server (`serve`), migrations, and the operator commands for locations and
//! Private Integrations. Every command takes the same database options.

mod cli;
mod commands;
mod config;

use clap::Parser;

/// Every request makes dozens of short-lived small allocations (headers, ids, JSON); mimalloc
/// serves those from per-thread pages, where glibc's malloc cost a third of a request's
/// instructions (docs/PERFORMANCE.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    let cli = cli::Cli::parse();
    config::init_logging(&cli.global);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(commands::run(cli)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            let refused = e.downcast_ref::<commands::Refused>();
            std::process::ExitCode::from(refused.map_or(1, |r| r.exit_code))
        }
    }
}

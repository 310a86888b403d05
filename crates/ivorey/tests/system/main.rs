//! The process test binary: each case runs the real `ivorey` executable
//! (`CARGO_BIN_EXE_ivorey`) as child processes, as an operator would: CLI commands, servers
//! stopped with SIGTERM or SIGKILL, several nodes on one database. One module per area;
//! `process` is the harness.

mod process;

mod cli;
mod durability;
mod imports;
mod migrations;
mod nodes;
mod shared_limits;
mod shutdown;

//! The command line: commands, flags and the `IVOREY_*` variables behind them.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "ivorey",
    version,
    about = "Ivorey: a CRM platform with Private Integrations and a HighLevel v2 compatible API"
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command accepts.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Folder for the embedded SQLite database (ignored with --database-url).
    #[arg(
        long,
        env = "IVOREY_DATA_DIR",
        default_value = "./ivorey-data",
        global = true
    )]
    pub data_dir: PathBuf,
    /// postgres://user@host/db to use PostgreSQL (several server processes may share it).
    #[arg(
        long,
        env = "IVOREY_DATABASE_URL",
        global = true,
        hide_env_values = true
    )]
    pub database_url: Option<String>,
    /// How long an old token keeps working after "rotate and expire later", e.g. 7d, 36h, 90s.
    #[arg(long, env = "IVOREY_ROTATION_GRACE", default_value = "7d", value_parser = parse_duration, global = true)]
    pub rotation_grace: Duration,
    /// Log filter, e.g. info, warn, ivorey_http=debug.
    #[arg(long, env = "IVOREY_LOG", default_value = "info", global = true)]
    pub log: String,
    /// Log format.
    #[arg(long, env = "IVOREY_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text, global = true)]
    pub log_format: LogFormat,
    /// Where users reach the server, e.g. https://crm.example.com: the base of the sign-in
    /// links given to added team members (default: the address the request came to; for
    /// `admin add-user`, http://127.0.0.1:8080).
    #[arg(long, env = "IVOREY_PUBLIC_URL", value_parser = parse_public_url, global = true)]
    pub public_url: Option<String>,
}

pub fn parse_public_url(s: &str) -> Result<String, String> {
    let s = s.trim().trim_end_matches('/');
    let rest = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"))
        .ok_or("must start with https:// or http://")?;
    if rest.is_empty() || rest.contains(|c: char| c.is_whitespace() || c == '?' || c == '#') {
        return Err("must be a URL such as https://crm.example.com".into());
    }
    Ok(s.to_owned())
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let d =
        humantime::parse_duration(s.trim()).map_err(|e| format!("{e} (examples: 7d, 36h, 90s)"))?;
    if d.is_zero() {
        Err("must be longer than zero".into())
    } else {
        Ok(d)
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the server.
    Serve(ServeArgs),
    /// Apply database migrations and exit.
    Migrate,
    /// Operator commands for locations and users.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Manage Private Integrations from the command line.
    #[command(subcommand)]
    Integrations(IntegrationsCommand),
    /// Fill a location with realistic data (contacts, opportunities, integrations) for
    /// benchmarks and demos; prints a JSON summary with a token that has every scope.
    Seed(SeedArgs),
}

#[derive(Debug, Args)]
pub struct SeedArgs {
    /// The location to fill; without it a new location is created.
    #[arg(long)]
    pub location: Option<String>,
    /// How many contacts to add.
    #[arg(long, default_value_t = 1_000)]
    pub contacts: u64,
    /// How many opportunities to add (one per contact at most, in the location's first pipeline).
    #[arg(long, default_value_t = 0)]
    pub opportunities: u64,
    /// How many appointments to add, in a new calendar open every day (16 a day, this week
    /// in the middle), each with a seeded contact.
    #[arg(long, default_value_t = 0)]
    pub appointments: u64,
    /// How many Private Integrations to add (the first has every scope; its token is printed).
    #[arg(long, default_value_t = 1)]
    pub integrations: u64,
    /// The same seed makes the same people.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Write every seeded integration's token to this file, one per line (for load tests that
    /// spread requests over many integrations). The file is created with owner-only access.
    #[arg(long)]
    pub tokens_file: Option<std::path::PathBuf>,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "IVOREY_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Mark the session cookie Secure (when users reach Ivorey over HTTPS).
    #[arg(long, env = "IVOREY_SECURE_COOKIES")]
    pub secure_cookies: bool,
    /// Longest time a request may take before it is answered 503, e.g. 30s.
    #[arg(long, env = "IVOREY_REQUEST_TIMEOUT", default_value = "30s", value_parser = parse_duration)]
    pub request_timeout: Duration,
    /// Most client connections open at once (default: the open-file limit less an eighth, at
    /// least 128, kept for the database and the process itself).
    #[arg(long, env = "IVOREY_MAX_CONNECTIONS", value_parser = clap::value_parser!(u64).range(1..))]
    pub max_connections: Option<u64>,
    /// Longest time a client may take to send a request's head (from connecting, or from the
    /// first byte of a later request); the connection is then closed, e.g. 10s.
    #[arg(long, env = "IVOREY_HEADER_READ_TIMEOUT", default_value = "10s", value_parser = parse_duration)]
    pub header_read_timeout: Duration,
    /// Longest time a kept-alive connection may wait idle for its next request, e.g. 30s.
    /// Behind a load balancer, set it above the balancer's own idle timeout.
    #[arg(long, env = "IVOREY_KEEP_ALIVE_TIMEOUT", default_value = "30s", value_parser = parse_duration)]
    pub keep_alive_timeout: Duration,
    /// Longest time from a request's head to the end of its body; a slower body is answered
    /// 408 and its connection closed, e.g. 10s.
    #[arg(long, env = "IVOREY_BODY_READ_TIMEOUT", default_value = "10s", value_parser = parse_duration)]
    pub body_read_timeout: Duration,
    /// Requests one integration may make per burst interval.
    #[arg(long, env = "IVOREY_RATE_LIMIT_BURST", default_value_t = 100, value_parser = clap::value_parser!(u64).range(1..))]
    pub rate_limit_burst: u64,
    /// The burst interval, e.g. 10s.
    #[arg(long, env = "IVOREY_RATE_LIMIT_INTERVAL", default_value = "10s", value_parser = parse_duration)]
    pub rate_limit_interval: Duration,
    /// Requests all integrations of one location may make per UTC day.
    #[arg(long, env = "IVOREY_RATE_LIMIT_DAILY", default_value_t = 200_000, value_parser = clap::value_parser!(u64).range(1..))]
    pub rate_limit_daily: u64,
    /// redis://host:port/db to count rate limits in Redis, shared by every node using it
    /// (default: PostgreSQL's table with --database-url postgres://..., else this process).
    #[arg(long, env = "IVOREY_REDIS_URL", hide_env_values = true)]
    pub redis_url: Option<String>,
    /// Prefix of every Redis key, so several deployments can share one Redis.
    #[arg(long, env = "IVOREY_REDIS_KEY_PREFIX", default_value = "ivorey:")]
    pub redis_key_prefix: String,
}

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create a location (business account) and its admin; prints the Location ID.
    CreateLocation(CreateLocationArgs),
    /// Set a location's own burst and daily rate limits (any value; admins in the web can only
    /// lower them). Applies to the next request on every node.
    SetRateLimits(SetRateLimitsArgs),
    /// Add a user to a location's team; prints their one-time sign-in link (valid 7 days),
    /// to hand over so they can set a password. An existing user just joins.
    AddUser(AddUserArgs),
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum RoleArg {
    Admin,
    User,
}

#[derive(Debug, Args)]
pub struct AddUserArgs {
    /// The Location ID.
    #[arg(long)]
    pub location: String,
    /// The user's email.
    #[arg(long)]
    pub email: String,
    /// The user's name.
    #[arg(long)]
    pub name: String,
    /// What they may do there: admins also manage the team, messaging and integrations.
    #[arg(long, value_enum)]
    pub role: RoleArg,
    /// Print one JSON object (`userId`, `signInUrl`, ...).
    #[arg(long)]
    pub json: bool,
}

/// A limit on the command line: a number, or `default` for the server's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LimitArg {
    Value(u64),
    Default,
}

fn parse_limit(s: &str) -> Result<LimitArg, String> {
    match s.trim() {
        "default" => Ok(LimitArg::Default),
        n => match n.parse::<u64>() {
            Ok(0) | Err(_) => Err("a whole number of at least 1, or `default`".into()),
            Ok(n) => Ok(LimitArg::Value(n)),
        },
    }
}

#[derive(Debug, Args)]
pub struct SetRateLimitsArgs {
    /// The Location ID.
    #[arg(long)]
    pub location: String,
    /// Requests each integration of the location may make per burst interval, or `default`.
    #[arg(long, value_parser = parse_limit)]
    pub burst: Option<LimitArg>,
    /// Requests the location's integrations may make per UTC day, or `default`.
    #[arg(long, value_parser = parse_limit)]
    pub daily: Option<LimitArg>,
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct CreateLocationArgs {
    /// The business name.
    #[arg(long)]
    pub name: String,
    /// Email of the admin; an existing user becomes admin of the new location too.
    #[arg(long)]
    pub admin_email: String,
    /// The admin's display name (defaults to the email).
    #[arg(long)]
    pub admin_name: Option<String>,
    /// Read the new admin's password from standard input (first line).
    #[arg(long)]
    pub password_stdin: bool,
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum IntegrationsCommand {
    /// Create an integration and print its token (shown once).
    Create(CreateIntegrationArgs),
    /// List a location's integrations.
    List {
        #[arg(long)]
        location: String,
        #[arg(long)]
        json: bool,
    },
    /// Show one integration.
    Show {
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// Change name, description or scopes; the token stays the same.
    Edit(EditIntegrationArgs),
    /// Issue a new token; the old one expires later (after the grace) or now.
    Rotate {
        id: String,
        #[arg(long, value_enum)]
        expire: Expire,
        #[arg(long)]
        json: bool,
    },
    /// End the grace of an old token now.
    ExpireOldToken { id: String },
    /// Delete an integration; its tokens stop working at once.
    Delete { id: String },
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum Expire {
    Later,
    Now,
}

#[derive(Debug, Args)]
pub struct CreateIntegrationArgs {
    #[arg(long)]
    pub location: String,
    #[arg(long)]
    pub name: String,
    #[arg(long)]
    pub description: Option<String>,
    /// Comma-separated scope names, e.g. contacts.readonly,contacts.write
    #[arg(long, value_delimiter = ',', required = true)]
    pub scopes: Vec<String>,
    /// Optional expiry date (RFC 3339 or YYYY-MM-DD).
    #[arg(long)]
    pub expires_at: Option<String>,
    /// Optional comma-separated CIDRs the token may be used from.
    #[arg(long, value_delimiter = ',')]
    pub ip_allowlist: Vec<String>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct EditIntegrationArgs {
    pub id: String,
    #[arg(long)]
    pub name: Option<String>,
    /// New description; an empty string removes it.
    #[arg(long)]
    pub description: Option<String>,
    #[arg(long, value_delimiter = ',')]
    pub scopes: Option<Vec<String>>,
    /// New expiry date; an empty string removes it.
    #[arg(long)]
    pub expires_at: Option<String>,
    /// New allowlist; an empty string removes it.
    #[arg(long, value_delimiter = ',')]
    pub ip_allowlist: Option<Vec<String>>,
    #[arg(long)]
    pub json: bool,
}

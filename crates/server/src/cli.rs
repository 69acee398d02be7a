//! Command line: serve (the default) and create-admin. Every option also
//! reads a `PORTCULLIS_*` environment variable; `--help` shows the values
//! of none that may hold a secret (`hide_env_values`).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use clap::{Parser, Subcommand, ValueEnum};
use portcullis_api::Role;

use crate::admin::AdminError;
use crate::app::AppState;
use crate::clock::{Clock, SystemClock};
use crate::config::{origin_of, Settings};
use crate::people::add::AddedBy;
use crate::secret::{Secret, SecretBox};
use crate::{auth, demo, http, jobs, store};

#[derive(Debug, Parser)]
#[command(
    name = "portcullis-server",
    version,
    about = "Portcullis MFA portal: API server and SPA host"
)]
pub struct Cli {
    /// Address to listen on.
    #[arg(
        long,
        env = "PORTCULLIS_LISTEN",
        default_value = "127.0.0.1:8080",
        global = true
    )]
    pub listen: SocketAddr,
    /// Directory for data (the default SQLite database lives here).
    #[arg(
        long,
        env = "PORTCULLIS_DATA_DIR",
        default_value = "data",
        global = true
    )]
    pub data_dir: PathBuf,
    /// Database URL: sqlite://FILE (default: sqlite://<data-dir>/portcullis.db)
    /// or postgres://USER:PASSWORD@HOST/DB, which several instances can share.
    #[arg(
        long,
        env = "PORTCULLIS_DATABASE_URL",
        hide_env_values = true,
        global = true
    )]
    pub database: Option<String>,
    /// Directory of the built SPA (Trunk's dist/).
    #[arg(
        long,
        env = "PORTCULLIS_SPA_DIR",
        default_value = "dist",
        global = true
    )]
    pub spa_dir: PathBuf,
    /// The URL users open. Its scheme decides cookie flags (https: Secure, __Host-).
    /// Default: http://localhost:<port> (WebAuthn refuses IP addresses).
    #[arg(long, env = "PORTCULLIS_PUBLIC_URL", global = true)]
    pub public_url: Option<String>,
    /// Extra origin allowed to send state-changing requests (repeatable),
    /// e.g. http://localhost:8081 for `trunk serve`.
    #[arg(
        long = "allowed-origin",
        env = "PORTCULLIS_ALLOWED_ORIGINS",
        value_delimiter = ',',
        global = true
    )]
    pub allowed_origins: Vec<String>,
    /// Address of a reverse proxy in front of the server (repeatable); its
    /// X-Forwarded-For header then names the client. Without it the header
    /// is ignored.
    #[arg(
        long = "trusted-proxy",
        env = "PORTCULLIS_TRUSTED_PROXIES",
        value_delimiter = ',',
        global = true
    )]
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// A parent domain the session cookie is sent to (e.g. example.com),
    /// so sites behind forward-auth on its subdomains see the portal's
    /// sessions. Only with an https --public-url on a host under it: the
    /// cookie is then `__Secure-` and every subdomain's server receives it,
    /// so every one of them must be trusted like the portal.
    #[arg(long, env = "PORTCULLIS_COOKIE_DOMAIN", global = true)]
    pub cookie_domain: Option<String>,
    /// Completed logins allowed per account in 5 minutes (more are
    /// answered 429): stolen credentials cannot mint sessions at will. A
    /// password alone, with a second factor pending, does not count.
    #[arg(
        long,
        env = "PORTCULLIS_LOGINS_PER_ACCOUNT",
        default_value_t = 20,
        value_parser = clap::value_parser!(i64).range(1..),
        global = true
    )]
    pub logins_per_account: i64,
    /// Browsers' push waits (long-polls) this process holds at once; more
    /// are refused with 429.
    #[arg(
        long,
        env = "PORTCULLIS_MAX_PUSH_WAITS",
        default_value_t = 1000,
        value_parser = clap::value_parser!(u32).range(1..),
        global = true
    )]
    pub max_push_waits: u32,
    /// Create a demo organisation if the database is empty, and print its
    /// logins. Its passwords are public, so it listens on a loopback
    /// address only, unless --demo-on-public-address.
    #[arg(long, env = "PORTCULLIS_DEMO", global = true)]
    pub demo: bool,
    /// Let --demo listen on an address other machines reach (its
    /// passwords are public: anyone there can sign in).
    #[arg(long, env = "PORTCULLIS_DEMO_ON_PUBLIC_ADDRESS", global = true)]
    pub demo_on_public_address: bool,
    /// Password of every demo user.
    #[arg(long, env = "PORTCULLIS_DEMO_PASSWORD", default_value = demo::DEFAULT_PASSWORD, hide_default_value = false, hide_env_values = true, global = true)]
    pub demo_password: String,
    /// SMTP server for the outbox, e.g. smtp://user:pass@mail.example.org:587?tls=required.
    /// Without it, emails stay in the outbox table.
    #[arg(
        long,
        env = "PORTCULLIS_SMTP_URL",
        hide_env_values = true,
        global = true
    )]
    pub smtp_url: Option<String>,
    /// Sender of the emails.
    #[arg(
        long,
        env = "PORTCULLIS_MAIL_FROM",
        default_value = "Portcullis <no-reply@localhost>",
        global = true
    )]
    pub mail_from: String,
    /// File holding the key that encrypts TOTP keys at rest (created on
    /// first start, readable by the owner only); default:
    /// <data-dir>/encryption.key. PORTCULLIS_ENCRYPTION_KEY (base64 of 32
    /// bytes) takes precedence. Back it up with the database.
    #[arg(
        long,
        env = "PORTCULLIS_ENCRYPTION_KEY_FILE",
        hide_env_values = true,
        global = true
    )]
    pub encryption_key_file: Option<PathBuf>,
    /// Log lines as text (for people) or json (one JSON object per line,
    /// for a log collector). Audit events are logged too (target `audit`).
    #[arg(
        long,
        env = "PORTCULLIS_LOG_FORMAT",
        value_enum,
        default_value_t = LogFormat::Text,
        global = true
    )]
    pub log_format: LogFormat,
    /// Serve Prometheus metrics at /metrics to requests bearing this token
    /// (`Authorization: Bearer …`). Prefer the environment variable: a
    /// command line is visible to other users of the machine.
    #[arg(
        long,
        env = "PORTCULLIS_METRICS_TOKEN",
        hide_env_values = true,
        global = true
    )]
    pub metrics_token: Option<String>,
    /// Also serve /metrics (without a token, unless --metrics-token) on this
    /// address, e.g. 127.0.0.1:9090, reachable only from where it listens.
    #[arg(long, env = "PORTCULLIS_METRICS_LISTEN", global = true)]
    pub metrics_listen: Option<SocketAddr>,
    /// Also answer RADIUS (UDP) on this address, e.g. 0.0.0.0:1812, for the
    /// VPN gateways and network gear registered as RADIUS clients. Off
    /// unless given.
    #[arg(long, env = "PORTCULLIS_RADIUS_LISTEN", global = true)]
    pub radius_listen: Option<SocketAddr>,
    /// Days audit events are kept.
    #[arg(
        long,
        env = "PORTCULLIS_AUDIT_RETENTION_DAYS",
        default_value_t = 400,
        value_parser = clap::value_parser!(i64).range(1..=36_500),
        global = true
    )]
    pub audit_retention_days: i64,
    /// Days sent (or given-up) emails are kept in the outbox.
    #[arg(
        long,
        env = "PORTCULLIS_OUTBOX_RETENTION_DAYS",
        default_value_t = 30,
        value_parser = clap::value_parser!(i64).range(1..=36_500),
        global = true
    )]
    pub outbox_retention_days: i64,
    /// Days an invitation or a setup link works (each works once).
    #[arg(
        long,
        env = "PORTCULLIS_LINK_DAYS",
        default_value_t = 7,
        value_parser = clap::value_parser!(i64).range(1..=30),
        global = true
    )]
    pub link_days: i64,
    /// TESTS ONLY: time stands still except when POST /api/test/clock moves it.
    #[cfg(feature = "test-clock")]
    #[arg(long, env = "PORTCULLIS_FAKE_CLOCK", global = true)]
    pub fake_clock: bool,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

/// Starts logging to standard output (`RUST_LOG` filters it).
pub fn init_logging(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| "info,sqlx=warn".into());
    let log = tracing_subscriber::fmt().with_env_filter(filter);
    match format {
        LogFormat::Text => log.init(),
        LogFormat::Json => log.json().init(),
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the portal (the default).
    Serve,
    /// Create an administrator (the first admin of a real deployment): it
    /// prints a one-time link (also emailed) with which they choose their
    /// password and set up multi-factor authentication.
    CreateAdmin {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// Make a billing admin (may merge/separate Protect).
        #[arg(long)]
        billing: bool,
    },
    /// Print a one-time setup link (also emailed) for the account with this
    /// email when it has no second factor: with it and their password they
    /// set up their first one, for when no administrator can make the link.
    SetupLink {
        #[arg(long)]
        email: String,
    },
    /// Lift a suspension: clear the failed attempts in a row of the account
    /// with this email (its password, authenticator app and recovery codes),
    /// for when no administrator can sign in to do it.
    Unlock {
        #[arg(long)]
        email: String,
    },
    /// Print a new bearer token for directory sync (SCIM at /scim/v2),
    /// named after the identity provider that will hold it. Shown once;
    /// administrators see and revoke tokens on the MFA settings page.
    ScimToken {
        #[arg(long)]
        name: String,
    },
    /// Retire the OpenID Connect signing keys (RS256 and ES256) and make new
    /// ones. Tokens signed by the old keys stay valid until they expire:
    /// the old public keys are published for seven days more.
    RotateSigningKeys,
}

impl Cli {
    fn database_url(&self) -> String {
        self.database
            .clone()
            .unwrap_or_else(|| store::default_url(&self.data_dir))
    }

    fn public_url(&self) -> String {
        self.public_url
            .clone()
            .unwrap_or_else(|| format!("http://localhost:{}", self.listen.port()))
    }

    fn settings(&self) -> anyhow::Result<Settings> {
        let url = self.public_url();
        let public_origin = origin_of(&url)
            .with_context(|| format!("--public-url {url:?} is not an http(s) URL"))?;
        let cookie_domain = match &self.cookie_domain {
            Some(d) => Some(crate::config::check_cookie_domain(&public_origin, d)?),
            None => None,
        };
        Ok(Settings {
            public_origin,
            cookie_domain,
            allowed_origins: self.allowed_origins.clone(),
            trusted_proxies: self.trusted_proxies.clone(),
            logins_per_window: self.logins_per_account,
            metrics_token: self.metrics_token.clone().map(Secret::new),
            audit_retention_days: self.audit_retention_days,
            outbox_retention_days: self.outbox_retention_days,
            max_push_waits: usize::try_from(self.max_push_waits).unwrap_or(1000),
            link_days: self.link_days,
            ..Settings::default()
        })
    }

    fn secrets(&self) -> anyhow::Result<SecretBox> {
        let file = self
            .encryption_key_file
            .clone()
            .unwrap_or_else(|| self.data_dir.join("encryption.key"));
        let env = std::env::var("PORTCULLIS_ENCRYPTION_KEY").ok();
        SecretBox::load_or_create(env.as_deref(), &file)
    }

    #[cfg(feature = "test-clock")]
    fn fake_clock(&self) -> Option<crate::clock::ManualClock> {
        self.fake_clock
            .then(|| crate::clock::ManualClock::new(SystemClock.now()))
    }

    #[cfg(not(feature = "test-clock"))]
    fn fake_clock(&self) -> Option<crate::clock::ManualClock> {
        None
    }
}

/// The demo's passwords are public: it must not be reachable from other
/// machines unless its operator says so.
fn check_demo_address(cli: &Cli) -> anyhow::Result<()> {
    let serving = matches!(cli.command, None | Some(Command::Serve));
    if serving && cli.demo && !cli.listen.ip().is_loopback() && !cli.demo_on_public_address {
        anyhow::bail!(
            "--demo refuses to listen on {}: the demo's passwords are public, so anyone who \
             reaches this address could sign in. Listen on a loopback address (127.0.0.1 or \
             [::1]), or add --demo-on-public-address if you really mean it.",
            cli.listen
        );
    }
    Ok(())
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    check_demo_address(&cli)?;
    if cli.metrics_token.as_deref() == Some("") {
        anyhow::bail!("--metrics-token must not be empty");
    }
    let settings = cli.settings()?;
    crate::files::private_dir(&cli.data_dir)?;
    let url = cli.database_url();
    let pool = store::connect(&url).await?;
    let wake = crate::wake::Notifier::start(&url, &pool).await?;
    let fake = cli.fake_clock();
    let clock: Arc<dyn Clock> = match &fake {
        Some(c) => Arc::new(c.clone()),
        None => Arc::new(SystemClock),
    };
    let state = AppState::new(pool, clock, settings, cli.secrets()?, wake)?;
    let sealed = crate::mfa::totp_factor::seal_plain_keys(&state).await?;
    if sealed > 0 {
        tracing::info!(
            keys = sealed,
            "encrypted authenticator keys stored before encryption at rest"
        );
    }
    match &cli.command {
        None | Some(Command::Serve) => serve(&cli, state, fake).await,
        Some(Command::CreateAdmin {
            email,
            name,
            billing,
        }) => {
            let role = if *billing {
                Role::BillingAdmin
            } else {
                Role::Admin
            };
            create_admin(&state, email, name, role).await
        }
        Some(Command::SetupLink { email }) => {
            let link = crate::people::add::setup_link_by_email(&state, email).await?;
            println!(
                "A setup link for {}, which works once, until {}:\n\n  {}\n",
                email.trim(),
                crate::notify::format_utc(link.expires_at),
                link.url.expose()
            );
            Ok(())
        }
        Some(Command::ScimToken { name }) => {
            let token = crate::scim::tokens::issue_from_command_line(&state, name).await?;
            println!(
                "A SCIM token for {}; the identity provider sends it as \
                 Authorization: Bearer <token> to {}:\n\n  {token}\n",
                name.trim(),
                crate::scim::base(&state.settings.public_origin)
            );
            Ok(())
        }
        Some(Command::RotateSigningKeys) => {
            let retired = crate::sso::keys::rotate(&state).await?;
            let fresh = crate::sso::keys::published(&state).await?.len() as u64;
            println!(
                "Retired {retired} signing key(s); {fresh} key(s) are published now (the new ones \
                 sign from now on)."
            );
            Ok(())
        }
        Some(Command::Unlock { email }) => {
            let done = auth::unlock::by_email(&state, email).await?;
            println!("{}", done.words());
            Ok(())
        }
    }
}

async fn serve(
    cli: &Cli,
    state: AppState,
    fake: Option<crate::clock::ManualClock>,
) -> anyhow::Result<()> {
    if cli.demo && demo::seed(&state, &cli.demo_password).await? {
        tracing::info!("created the demo organisation");
    }
    if !cli.spa_dir.join("index.html").exists() {
        tracing::warn!(dir = %cli.spa_dir.display(), "no built SPA here: only the API is served");
    }
    jobs::spawn_housekeeping(state.clone());
    match &cli.smtp_url {
        Some(url) => jobs::spawn_mail_delivery(
            state.clone(),
            crate::notify::mailer::Mailer::new(url, &cli.mail_from)?,
        ),
        None => tracing::info!("no --smtp-url: emails are kept in the outbox table, not sent"),
    }
    if let Some(addr) = cli.metrics_listen {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .with_context(|| format!("cannot listen on {addr} (--metrics-listen)"))?;
        let metrics = http::metrics_app(state.clone());
        tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, metrics).await {
                tracing::error!(error = %e, "the metrics listener failed");
            }
        });
        tracing::info!(%addr, "metrics at /metrics on the metrics address");
    }
    if let Some(addr) = cli.radius_listen {
        let socket = crate::radius::listener::bind(addr)
            .await
            .with_context(|| format!("cannot listen on {addr} (--radius-listen)"))?;
        tokio::spawn(crate::radius::listener::serve(state.clone(), socket));
        tracing::info!(%addr, "RADIUS on this address (UDP)");
    }
    let state_for_banner = state.clone();
    #[cfg(feature = "test-clock")]
    let wake = state.wake.clone();
    #[allow(unused_mut)]
    let mut router = http::app(state, Some(cli.spa_dir.clone()));
    #[cfg(feature = "test-clock")]
    if let Some(clock) = fake {
        tracing::warn!("--fake-clock: time is controlled through /api/test/clock; never use this outside tests");
        router = http::test_clock::router(clock, wake).merge(router);
    }
    #[cfg(not(feature = "test-clock"))]
    let _ = fake;
    let listener = tokio::net::TcpListener::bind(cli.listen)
        .await
        .with_context(|| format!("cannot listen on {}", cli.listen))?;
    let url = cli.public_url();
    if cli.demo {
        let is_default = cli.demo_password == demo::DEFAULT_PASSWORD;
        println!(
            "{}",
            demo::banner(&state_for_banner, &url, &cli.demo_password, is_default).await?
        );
    } else {
        println!("Portcullis is running at {url}");
    }
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await
    .context("server failed")
}

async fn create_admin(state: &AppState, email: &str, name: &str, role: Role) -> anyhow::Result<()> {
    let new = portcullis_api::NewUser {
        email: email.to_string(),
        display_name: name.to_string(),
        role,
    };
    let (user, link) = crate::people::add::invite(state, &new, AddedBy::CommandLine)
        .await
        .map_err(|e| match e {
            AdminError::Invalid(m) | AdminError::Conflict(m) => anyhow::anyhow!(m),
            other => anyhow::anyhow!("cannot create the administrator: {other:?}"),
        })?;
    println!(
        "Created {} ({}) as {}. They choose their password and set up multi-factor \
         authentication with this link, which works once, until {} (it was emailed to them too):\n\n  {}\n",
        user.email,
        user.display_name,
        role.as_str(),
        crate::notify::format_utc(link.expires_at),
        link.url.expose()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn audit_events_are_kept_400_days_and_sent_emails_30_by_default() {
        let command = Cli::command();
        for (id, days) in [
            ("audit_retention_days", "400"),
            ("outbox_retention_days", "30"),
        ] {
            let arg = command
                .get_arguments()
                .find(|a| a.get_id() == id)
                .expect("the option");
            let defaults: Vec<_> = arg.get_default_values().iter().collect();
            assert_eq!(defaults, [days], "{id}");
        }
        let settings = crate::config::Settings::default();
        assert_eq!(
            (
                settings.audit_retention_days,
                settings.outbox_retention_days
            ),
            (400, 30)
        );
    }

    #[test]
    fn radius_is_off_unless_an_address_is_given() {
        // No default value: without the flag (or its variable) the server
        // binds no RADIUS socket (`serve` binds one only for `Some`).
        let command = Cli::command();
        let arg = command
            .get_arguments()
            .find(|a| a.get_id() == "radius_listen")
            .expect("the --radius-listen option");
        assert!(arg.get_default_values().is_empty());
        assert_eq!(
            arg.get_env().and_then(|e| e.to_str()),
            Some("PORTCULLIS_RADIUS_LISTEN")
        );
        if std::env::var_os("PORTCULLIS_RADIUS_LISTEN").is_none() {
            for args in [&["portcullis-server"][..], &["portcullis-server", "serve"]] {
                let cli = Cli::try_parse_from(args).expect("parses");
                assert_eq!(cli.radius_listen, None, "{args:?}");
            }
        }
        let on = Cli::try_parse_from([
            "portcullis-server",
            "serve",
            "--radius-listen",
            "127.0.0.1:1812",
        ])
        .expect("parses");
        assert_eq!(
            on.radius_listen,
            Some("127.0.0.1:1812".parse().expect("address"))
        );
        assert!(
            Cli::try_parse_from(["portcullis-server", "--radius-listen", "not-an-address"])
                .is_err()
        );
    }
}

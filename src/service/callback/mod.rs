//! Callbacks: a POST of the same JSON as `GET /submissions/{id}` to a
//! submission's `callback_url` once it is finished. Finishing writes an
//! outbox row in the same transaction, and any replica's deliverer makes
//! the attempts, so a replica that dies does not lose a callback.
//!
//! A callback may not reach private addresses (this machine, the networks
//! behind it) unless the operator allows them or lists the host: checked
//! when the submission is made and again at each attempt, which connects
//! only to the addresses it checked, so DNS cannot point it elsewhere
//! in between.

mod address;
mod deliverer;

use std::net::SocketAddr;
use std::time::Duration;

use reqwest::Url;
use reqwest::redirect::Policy;

use super::JudgingService;

/// How long a name may take to resolve.
const RESOLVE_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a receiver may take to answer.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// Which callback targets are allowed besides public addresses.
#[derive(Debug, Clone, Default)]
pub struct CallbackPolicy {
    /// Any address, private ones too: every receiver is trusted.
    pub allow_private: bool,
    /// Host names trusted wherever they resolve, in lowercase.
    pub hosts: Vec<String>,
}

/// Why a callback URL may not be called.
#[derive(Debug)]
pub enum Unreachable {
    /// Its host is private: refused for good.
    Private,
    /// Its host does not resolve, perhaps only for now.
    Unresolved(String),
}

impl std::fmt::Display for Unreachable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Private => f.write_str(
                "names an address that is not global unicast (this host, a private, \
                 link-local, shared, documentation, benchmarking, multicast or reserved \
                 range)",
            ),
            Self::Unresolved(why) => write!(f, "names a host that does not resolve: {why}"),
        }
    }
}

/// Where a callback connects.
enum Target {
    /// As its URL says: an allowed host, or a checked IP literal.
    Direct,
    /// Its host name, only ever to these checked addresses.
    Pinned(String, Vec<SocketAddr>),
}

impl CallbackPolicy {
    async fn target(&self, url: &Url) -> Result<Target, Unreachable> {
        // http(s) URLs always have a host.
        let host = url.host_str().ok_or(Unreachable::Private)?;
        if self.allow_private || self.hosts.iter().any(|listed| listed == host) {
            return Ok(Target::Direct);
        }
        // IPv6 literals come bracketed.
        let literal = host.trim_start_matches('[').trim_end_matches(']');
        if let Ok(ip) = literal.parse::<std::net::IpAddr>() {
            return match address::is_not_global(ip) {
                true => Err(Unreachable::Private),
                false => Ok(Target::Direct),
            };
        }
        let port = url.port_or_known_default().unwrap_or(80);
        let resolved = tokio::time::timeout(RESOLVE_TIMEOUT, tokio::net::lookup_host((host, port)))
            .await
            .map_err(|_| Unreachable::Unresolved("timed out".into()))?
            .map_err(|error| Unreachable::Unresolved(error.to_string()))?;
        let public: Vec<SocketAddr> = resolved
            .filter(|address| !address::is_not_global(address.ip()))
            .collect();
        if public.is_empty() {
            return Err(Unreachable::Private);
        }
        Ok(Target::Pinned(host.to_string(), public))
    }
}

impl Target {
    /// A client for one attempt: to the checked addresses only, through
    /// no proxy, following no redirect (each would escape the check).
    fn client(self) -> reqwest::Result<reqwest::Client> {
        let builder = reqwest::Client::builder()
            .timeout(REQUEST_TIMEOUT)
            .redirect(Policy::none())
            .no_proxy();
        match self {
            Self::Direct => builder,
            Self::Pinned(name, addresses) => builder.resolve_to_addrs(&name, &addresses),
        }
        .build()
    }
}

impl JudgingService {
    /// Whether a submission may name `url` (an http(s) URL) as its callback.
    pub async fn check_callback_url(&self, url: &Url) -> Result<(), Unreachable> {
        self.config.callbacks.target(url).await.map(drop)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn target(policy: &CallbackPolicy, url: &str) -> Result<Target, Unreachable> {
        policy.target(&Url::parse(url).expect("a URL")).await
    }

    #[tokio::test]
    async fn private_literals_and_names_are_refused_by_default() {
        let policy = CallbackPolicy::default();
        for url in [
            "http://127.0.0.1:8000/hook",
            "http://[::1]/hook",
            "http://[::ffff:10.0.0.1]/hook",
            "https://localhost/hook",
        ] {
            let refused = target(&policy, url).await;
            assert!(matches!(refused, Err(Unreachable::Private)), "{url}");
        }
    }

    #[tokio::test]
    async fn public_literals_connect_directly() {
        let policy = CallbackPolicy::default();
        for url in ["http://8.8.8.8/hook", "https://[2606:4700::1111]:8443/hook"] {
            assert!(
                matches!(target(&policy, url).await, Ok(Target::Direct)),
                "{url}"
            );
        }
    }

    #[tokio::test]
    async fn listed_hosts_and_allowed_private_addresses_are_not_checked() {
        let listed = CallbackPolicy {
            allow_private: false,
            hosts: vec!["localhost".into()],
        };
        let localhost = target(&listed, "http://localhost:9/hook").await;
        assert!(matches!(localhost, Ok(Target::Direct)));
        let elsewhere = target(&listed, "http://127.0.0.1:9/hook").await;
        assert!(matches!(elsewhere, Err(Unreachable::Private)));
        let allowed = CallbackPolicy {
            allow_private: true,
            hosts: Vec::new(),
        };
        let loopback = target(&allowed, "http://127.0.0.1:9/hook").await;
        assert!(matches!(loopback, Ok(Target::Direct)));
    }

    #[tokio::test]
    async fn a_pinned_target_connects_only_to_its_checked_addresses() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let router = axum::Router::new().route("/hook", axum::routing::post(|| async { "ok" }));
        tokio::spawn(async move { axum::serve(listener, router).await });
        // The name resolves nowhere: only the pinned address can answer.
        let pinned = Target::Pinned("callback.invalid".into(), vec![address]);
        let url = format!("http://callback.invalid:{}/hook", address.port());
        let response = pinned.client().unwrap().post(url).send().await.unwrap();
        assert!(response.status().is_success());
    }
}

//! How the engine reaches servers: HTTPS by rustls, the certificate checked
//! against the platform's trust store and, when given, an academy's own
//! certificate authority. Plain HTTP carries a password and a device
//! credential in the clear, so it is refused to anything but this machine
//! unless allowed.

use std::net::IpAddr;
use std::time::Duration;

use reqwest::{Certificate, Client, Url};

use crate::error::EngineError;
use crate::remote::{Remote, RemoteError};

/// The longest a connection may take to open.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// How the engine may reach servers.
#[derive(Debug, Clone, Default)]
pub struct TransportOptions {
    /// PEM certificates of authorities to trust beside the platform's: an
    /// academy's own, for a server on its own network.
    pub extra_roots_pem: Option<Vec<u8>>,
    /// Send credentials over plain HTTP to other machines too (a test
    /// network); over the internet this is never wanted.
    pub allow_plain_http: bool,
}

/// One HTTP client for the engine's life (its connections stay open
/// between syncs), and the rule for plain HTTP.
#[derive(Debug, Clone)]
pub(crate) struct Transport {
    client: Client,
    allow_plain_http: bool,
}

impl Transport {
    pub(crate) fn new(options: &TransportOptions) -> Result<Self, EngineError> {
        // ring, as the server (`tls::use_ring`, which says why); reqwest
        // takes the process's provider. A second install changes nothing.
        #[allow(deprecated, reason = "ring's provider, as the server's")]
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut builder = Client::builder()
            .tls_backend_rustls()
            .connect_timeout(CONNECT_TIMEOUT);
        if let Some(pem) = &options.extra_roots_pem {
            let roots = Certificate::from_pem_bundle(pem)
                .map_err(|e| EngineError::Invalid(format!("the academy's certificate authority: {e}")))?;
            builder = builder.tls_certs_merge(roots);
        }
        let client = builder
            .build()
            .map_err(|e| EngineError::Invalid(format!("the HTTPS client: {e}")))?;
        Ok(Self {
            client,
            allow_plain_http: options.allow_plain_http,
        })
    }

    /// Academy `tenant` on the server at `base`, unless reaching it would
    /// send credentials in the clear.
    pub(crate) fn remote(&self, base: &str, tenant: &str) -> Result<Remote, RemoteError> {
        check(base, self.allow_plain_http)?;
        Ok(Remote::new(&self.client, base, tenant))
    }
}

/// `https://` anywhere; `http://` to this machine only, unless allowed.
fn check(base: &str, allow_plain_http: bool) -> Result<(), RemoteError> {
    let url = Url::parse(base).map_err(|e| RemoteError::BadAddress(format!("{base}: {e}")))?;
    let host = url.host_str().unwrap_or_default();
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let local =
        host.eq_ignore_ascii_case("localhost") || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback());
    match url.scheme() {
        "https" => Ok(()),
        "http" if local || allow_plain_http => Ok(()),
        "http" => Err(RemoteError::BadAddress(format!(
            "{base} is plain HTTP: a password and the device's credential would cross the network \
             in the clear; use https://"
        ))),
        other => Err(RemoteError::BadAddress(format!("{base}: `{other}` is not https"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_go_in_the_clear_to_this_machine_only() {
        for ok in [
            "https://tatami.example.com",
            "https://10.0.0.5:8443",
            "http://localhost:8080",
            "http://127.0.0.1:8080",
            "http://[::1]:8080",
        ] {
            assert!(check(ok, false).is_ok(), "{ok}");
        }
        for refused in [
            "http://tatami.example.com",
            "http://192.168.1.20:8080",
            "http://localhost.evil.example",
            "ftp://tatami.example.com",
            "tatami.example.com",
        ] {
            assert!(check(refused, false).is_err(), "{refused}");
        }
        assert!(
            check("http://192.168.1.20:8080", true).is_ok(),
            "allowed on a test network"
        );
    }
}

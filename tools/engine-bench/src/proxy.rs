//! Counting the bytes devices send and receive.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};

use super::Failure;

/// A TCP proxy in front of the server counting what devices send and
/// receive: the bytes on the wire, HTTP headers included.
pub(crate) struct Proxy {
    pub(crate) base: String,
    pub(crate) sent: Arc<AtomicU64>,
    pub(crate) received: Arc<AtomicU64>,
}

impl Proxy {
    pub(crate) async fn start(server: &str) -> Result<Self, Failure> {
        let target: SocketAddr = server.trim_start_matches("http://").parse()?;
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let proxy = Self {
            base: format!("http://{}", listener.local_addr()?),
            sent: Arc::default(),
            received: Arc::default(),
        };
        let (sent, received) = (Arc::clone(&proxy.sent), Arc::clone(&proxy.received));
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let (sent, received) = (Arc::clone(&sent), Arc::clone(&received));
                tokio::spawn(async move {
                    let Ok(server) = TcpStream::connect(target).await else {
                        return;
                    };
                    // As the engine's and the server's own sockets do.
                    let _ = client.set_nodelay(true);
                    let _ = server.set_nodelay(true);
                    let (from_client, to_client) = client.into_split();
                    let (from_server, to_server) = server.into_split();
                    tokio::join!(
                        pump(from_client, to_server, &sent),
                        pump(from_server, to_client, &received)
                    );
                });
            }
        });
        Ok(proxy)
    }

    /// Bytes sent and received so far.
    pub(crate) fn bytes(&self) -> (u64, u64) {
        (
            self.sent.load(Ordering::SeqCst),
            self.received.load(Ordering::SeqCst),
        )
    }

    /// Bytes sent and received while `work` ran.
    pub(crate) async fn count<T>(&self, work: impl Future<Output = T>) -> (T, Wire) {
        let (sent, received) = self.bytes();
        let started = Instant::now();
        let value = work.await;
        let elapsed = started.elapsed();
        let (sent_after, received_after) = self.bytes();
        let wire = Wire {
            elapsed,
            sent: sent_after - sent,
            received: received_after - received,
        };
        (value, wire)
    }
}

/// Copies one direction of a connection, counting before forwarding, so a
/// reply the engine has read is already counted.
pub(crate) async fn pump(mut from: OwnedReadHalf, mut to: OwnedWriteHalf, counter: &AtomicU64) {
    let mut buffer = vec![0u8; 64 * 1024];
    while let Ok(n @ 1..) = from.read(&mut buffer).await {
        counter.fetch_add(n as u64, Ordering::SeqCst);
        if to.write_all(&buffer[..n]).await.is_err() {
            break;
        }
    }
    let _ = to.shutdown().await;
}

/// One timed piece of work and its traffic.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Wire {
    pub(crate) elapsed: Duration,
    pub(crate) sent: u64,
    pub(crate) received: u64,
}

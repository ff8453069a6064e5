//! A second loopback listener that records whatever reaches it: the "other host" a redirect points
//! to, so a test can prove that nothing (no body, no header) was sent there.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use super::SimError;

/// How long one connection may take to send what it sends before it is recorded and answered.
const READ_WINDOW: Duration = Duration::from_millis(500);

/// A running recorder; stops when dropped.
pub struct Recorder {
    addr: SocketAddr,
    received: Arc<Mutex<Vec<Vec<u8>>>>,
    task: JoinHandle<()>,
}

impl Drop for Recorder {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Recorder {
    /// Listens on `addr` (loopback only), records every connection's bytes and answers
    /// `200 {}`.
    pub async fn start(addr: SocketAddr) -> Result<Recorder, SimError> {
        if !addr.ip().is_loopback() {
            return Err(SimError::NotLoopback(addr));
        }
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|source| SimError::Bind { addr, source })?;
        let local = listener
            .local_addr()
            .map_err(|source| SimError::Bind { addr, source })?;
        let received = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&received);
        let task = tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                let sink = Arc::clone(&sink);
                tokio::spawn(async move {
                    let mut bytes = Vec::new();
                    let mut buf = [0u8; 8192];
                    let read = async {
                        while let Ok(n) = stream.read(&mut buf).await {
                            if n == 0 {
                                break;
                            }
                            bytes.extend_from_slice(&buf[..n]);
                            if bytes.windows(4).any(|w| w == b"\r\n\r\n") {
                                break;
                            }
                        }
                    };
                    let _ = tokio::time::timeout(READ_WINDOW, read).await;
                    sink.lock().unwrap_or_else(|p| p.into_inner()).push(bytes);
                    let _ = stream
                        .write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}")
                        .await;
                });
            }
        });
        Ok(Recorder {
            addr: local,
            received,
            task,
        })
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Every connection it accepted, as the bytes the peer sent (possibly none).
    pub fn received(&self) -> Vec<Vec<u8>> {
        self.received
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }
}

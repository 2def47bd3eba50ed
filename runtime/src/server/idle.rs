//! Connections that send nothing: each accepted connection gets a read timeout, so a client that
//! opens a connection and sends no request (or stops halfway through its headers, or keeps an
//! idle keep-alive connection) is disconnected instead of holding a socket and a task forever.

use std::net::SocketAddr;
use std::pin::Pin;
use std::time::Duration;

use tokio::net::{TcpListener, TcpStream};
use tokio_io_timeout::TimeoutStream;

/// A TCP listener whose connections time out when the client sends nothing for `timeout`.
#[derive(Debug)]
pub struct IdleTimeoutListener {
    inner: TcpListener,
    timeout: Duration,
}

impl IdleTimeoutListener {
    /// Wraps `inner`; `timeout` must exceed the longest request (the read side waits while a
    /// request runs).
    pub fn new(inner: TcpListener, timeout: Duration) -> Self {
        IdleTimeoutListener { inner, timeout }
    }
}

impl axum::serve::Listener for IdleTimeoutListener {
    type Io = Pin<Box<TimeoutStream<TcpStream>>>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        // TcpListener's own accept logs and retries transient errors.
        let (stream, addr) = axum::serve::Listener::accept(&mut self.inner).await;
        let mut stream = TimeoutStream::new(stream);
        stream.set_read_timeout(Some(self.timeout));
        (Box::pin(stream), addr)
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        self.inner.local_addr()
    }
}

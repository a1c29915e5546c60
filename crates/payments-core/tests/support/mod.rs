//! Raw loopback TCP servers for the executor tests: they read the whole
//! request (so the test knows it reached the server) and then answer as
//! scripted.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What the server does once it has read a whole request.
#[derive(Debug, Clone, Copy)]
pub enum Script {
    /// Waits, then answers `200 OK` with body `late`.
    AnswerAfter(Duration),
    /// Writes these bytes, then closes the connection.
    WriteAndClose(&'static [u8]),
    /// Writes these bytes, then keeps the connection open without writing more.
    WriteAndStall(&'static [u8]),
}

/// A running server and the number of complete requests it has read.
pub struct RawServer {
    pub addr: SocketAddr,
    received: Arc<AtomicUsize>,
}

impl RawServer {
    pub async fn start(script: Script) -> RawServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let received = Arc::new(AtomicUsize::new(0));
        let counter = received.clone();
        tokio::spawn(async move {
            while let Ok((sock, _)) = listener.accept().await {
                let counter = counter.clone();
                tokio::spawn(handle(sock, script, counter));
            }
        });
        RawServer { addr, received }
    }

    pub fn url(&self) -> String {
        format!("http://{}/pay?order=1", self.addr)
    }

    /// Complete requests read so far.
    pub fn received(&self) -> usize {
        self.received.load(Ordering::SeqCst)
    }
}

async fn handle(mut sock: TcpStream, script: Script, counter: Arc<AtomicUsize>) {
    if !read_request(&mut sock).await {
        return;
    }
    counter.fetch_add(1, Ordering::SeqCst);
    match script {
        Script::AnswerAfter(delay) => {
            tokio::time::sleep(delay).await;
            let _ = sock
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nlate")
                .await;
        }
        Script::WriteAndClose(bytes) => {
            let _ = sock.write_all(bytes).await;
            let _ = sock.shutdown().await;
        }
        Script::WriteAndStall(bytes) => {
            let _ = sock.write_all(bytes).await;
            tokio::time::sleep(Duration::from_secs(30)).await;
        }
    }
}

/// Reads the head and a `Content-Length` body; true when complete.
async fn read_request(sock: &mut TcpStream) -> bool {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(pos) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break pos + 4;
        }
        match sock.read(&mut chunk).await {
            Ok(0) | Err(_) => return false,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_ascii_lowercase();
    let body_len = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .map_or(0, |v| v.trim().parse::<usize>().unwrap());
    while buf.len() < head_end + body_len {
        match sock.read(&mut chunk).await {
            Ok(0) | Err(_) => return false,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    true
}

/// A loopback address whose accept queue is full: a connect to it hangs
/// (the kernel drops further SYNs) until the client's connect timeout.
/// Keep the returned guard alive for the test.
pub async fn full_backlog() -> (SocketAddr, Backlog) {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let addr = socket.local_addr().unwrap();
    let listener = socket.listen(0).unwrap();
    let mut fillers = Vec::new();
    for _ in 0..8 {
        if let Ok(Ok(s)) = tokio::time::timeout(Duration::from_millis(100), TcpStream::connect(addr)).await {
            fillers.push(s);
        }
    }
    (addr, Backlog(listener, fillers))
}

/// Keeps the full listener and the connections that fill its queue open.
pub struct Backlog(TcpListener, Vec<TcpStream>);

/// An address nothing listens on.
pub fn refused_addr() -> SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    addr
}

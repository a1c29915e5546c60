//! A raw TCP HTTP server that answers every API request with one fault.
//!
//! wiremock cannot reset a connection mid-body, trickle a body, or refuse to
//! accept; this server can. Requests whose path ends in `/token` are answered
//! with a valid OAuth token, so OAuth providers reach the faulty API call.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// One way for the server to misbehave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Nothing listens on the port.
    ConnectRefused,
    /// The accept queue is full: SYNs are dropped and connects hang.
    ConnectTimeout,
    /// The request is read, no answer ever comes.
    ResponseTimeout,
    /// Headers and half the body, then the connection is dropped.
    ResetMidBody,
    /// A plain status with a body and content type.
    Status(u16, String, &'static str),
    /// `200` with a body that is not JSON.
    MalformedJson,
    /// `200` with JSON cut off in the middle.
    TruncatedJson,
    /// `200` with an HTML page.
    WrongContentType,
    /// `200` with an empty body.
    EmptyBody,
    /// `200` whose body trickles in slower than the client's timeout.
    SlowBody,
    /// `200` with a body of this many bytes.
    Oversized(usize),
}

/// A running fault server.
#[derive(Debug)]
pub struct FaultServer {
    /// Base URL, `http://127.0.0.1:PORT`.
    pub url: String,
    api_hits: Arc<AtomicUsize>,
    _keep: Keep,
}

/// Whatever must stay alive for the fault to persist (held only to be dropped last).
#[derive(Debug)]
#[allow(dead_code)]
enum Keep {
    Bound(tokio::net::TcpSocket),
    FullQueue(TcpListener, Vec<TcpStream>),
    Serving(Arc<TcpListener>),
}

impl FaultServer {
    /// Requests that reached the API (token requests excluded).
    pub fn api_hits(&self) -> usize {
        self.api_hits.load(Ordering::SeqCst)
    }
}

const TOKEN_BODY: &str =
    r#"{"access_token":"fault-token","expires_in":3600,"token_type":"Bearer","scope":"payment","refresh_token":""}"#;

/// Starts a server that answers API requests with `fault`.
pub async fn start(fault: Fault) -> std::io::Result<FaultServer> {
    let api_hits = Arc::new(AtomicUsize::new(0));
    let (addr, keep) = match fault {
        Fault::ConnectRefused => {
            // Bound but never listening: connects are refused, and the port
            // stays reserved so no other server of the test can take it.
            let socket = tokio::net::TcpSocket::new_v4()?;
            socket.bind(SocketAddr::from(([127, 0, 0, 1], 0)))?;
            (socket.local_addr()?, Keep::Bound(socket))
        }
        Fault::ConnectTimeout => {
            let socket = tokio::net::TcpSocket::new_v4()?;
            socket.bind(SocketAddr::from(([127, 0, 0, 1], 0)))?;
            let addr = socket.local_addr()?;
            let listener = socket.listen(0)?;
            let mut fillers = Vec::new();
            for _ in 0..8 {
                if let Ok(Ok(s)) = tokio::time::timeout(Duration::from_millis(100), TcpStream::connect(addr)).await {
                    fillers.push(s);
                }
            }
            (addr, Keep::FullQueue(listener, fillers))
        }
        fault => {
            let listener = Arc::new(TcpListener::bind("127.0.0.1:0").await?);
            let addr = listener.local_addr()?;
            let l = listener.clone();
            let hits = api_hits.clone();
            tokio::spawn(async move {
                while let Ok((sock, _)) = l.accept().await {
                    let fault = fault.clone();
                    let hits = hits.clone();
                    tokio::spawn(async move {
                        let _ = serve(sock, fault, hits).await;
                    });
                }
            });
            (addr, Keep::Serving(listener))
        }
    };
    Ok(FaultServer {
        url: format!("http://{addr}"),
        api_hits,
        _keep: keep,
    })
}

async fn read_request(sock: &mut TcpStream) -> std::io::Result<String> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let n = sock.read(&mut chunk).await?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(end) = find(&buf, b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_string();
            let len = head
                .lines()
                .find_map(|l| {
                    let (k, v) = l.split_once(':')?;
                    k.eq_ignore_ascii_case("content-length")
                        .then(|| v.trim().parse::<usize>().ok())?
                })
                .unwrap_or(0);
            while buf.len() < end + 4 + len {
                let n = sock.read(&mut chunk).await?;
                if n == 0 {
                    break;
                }
                buf.extend_from_slice(&chunk[..n]);
            }
            return Ok(head);
        }
    }
    Ok(String::new())
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn response(status: u16, content_type: &str, body: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 {status} X\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(body);
    out
}

async fn serve(mut sock: TcpStream, fault: Fault, hits: Arc<AtomicUsize>) -> std::io::Result<()> {
    let head = read_request(&mut sock).await?;
    let path = head.split_whitespace().nth(1).unwrap_or("/").to_owned();
    if path.ends_with("/token") {
        sock.write_all(&response(200, "application/json", TOKEN_BODY.as_bytes()))
            .await?;
        return Ok(());
    }
    hits.fetch_add(1, Ordering::SeqCst);
    match fault {
        Fault::ResponseTimeout => {
            tokio::time::sleep(Duration::from_secs(30)).await;
        }
        Fault::ResetMidBody => {
            sock.write_all(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n{\"status\":",
            )
            .await?;
            sock.flush().await?;
        }
        Fault::Status(code, body, ct) => sock.write_all(&response(code, ct, body.as_bytes())).await?,
        Fault::MalformedJson => {
            sock.write_all(&response(200, "application/json", b"{not json at all"))
                .await?
        }
        Fault::TruncatedJson => {
            sock.write_all(&response(
                200,
                "application/json",
                br#"{"status":"success","transaction":"te0"#,
            ))
            .await?
        }
        Fault::WrongContentType => {
            sock.write_all(&response(
                200,
                "text/html",
                b"<html><body>502 Bad Gateway</body></html>",
            ))
            .await?
        }
        Fault::EmptyBody => sock.write_all(&response(200, "application/json", b"")).await?,
        Fault::SlowBody => {
            sock.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 64\r\n\r\n{")
                .await?;
            for _ in 0..60 {
                tokio::time::sleep(Duration::from_millis(500)).await;
                if sock.write_all(b" ").await.is_err() {
                    break;
                }
            }
        }
        Fault::Oversized(n) => {
            let mut body = Vec::with_capacity(n);
            body.extend_from_slice(b"{\"pad\":\"");
            body.resize(n.saturating_sub(2), b'a');
            body.extend_from_slice(b"\"}");
            sock.write_all(&response(200, "application/json", &body)).await?;
        }
        Fault::ConnectRefused | Fault::ConnectTimeout => {}
    }
    Ok(())
}

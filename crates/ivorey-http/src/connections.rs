//! The accept loop and what bounds each connection: a cap on open connections (below the
//! process's file limit, so `/healthz` and the database keep their descriptors), the time a
//! client may take to send a request head, and how long a kept-alive connection may sit idle.
//! Each connection has a watchdog that knows whether a request is in flight and whether bytes
//! arrived since the last one ended; hyper's own `header_read_timeout` cannot tell an idle
//! kept-alive connection from a slow head (its timer also runs while waiting for the next
//! request), so it is turned off and the watchdog keeps both limits. The body's limit is a
//! middleware (`server::body_deadline`), which can answer 408.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use std::convert::Infallible;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::ConnectInfo;
use hyper::body::{Body as HttpBody, Frame, Incoming, SizeHint};
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, Semaphore, mpsc, watch};
use tokio::time::Instant;
use tower::ServiceExt;

use ivorey_app::metrics::Metrics;

/// Limits of the listener and of each connection.
#[derive(Debug, Clone, Copy)]
pub struct ConnectionLimits {
    /// Most connections open at once; further clients wait in the kernel's backlog.
    pub max_connections: usize,
    /// Longest time from a connection's opening (or the first byte of a later request) to the
    /// end of the request head.
    pub header_read_timeout: Duration,
    /// Longest time a kept-alive connection may wait, idle, for its next request.
    pub keep_alive_timeout: Duration,
    /// Longest time from the request head to the end of its body (408 past it).
    pub body_read_timeout: Duration,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        ConnectionLimits {
            max_connections: 4096,
            header_read_timeout: Duration::from_secs(10),
            keep_alive_timeout: Duration::from_secs(30),
            body_read_timeout: Duration::from_secs(10),
        }
    }
}

/// At the cap, connections idle this long are closed to make room for new clients.
const SHED_IDLE_AFTER: Duration = Duration::from_millis(500);

/// What the watchdog of one connection reads; written by its service and its socket.
#[derive(Debug)]
struct Activity {
    opened: Instant,
    in_flight: AtomicUsize,
    served: AtomicU64,
    /// Milliseconds after `opened` when the last request ended (0: none yet).
    idle_since_ms: AtomicU64,
    /// Whether bytes arrived since then, and when the first of them did.
    reading: AtomicBool,
    reading_since_ms: AtomicU64,
}

impl Activity {
    fn new() -> Self {
        Activity {
            opened: Instant::now(),
            in_flight: AtomicUsize::new(0),
            served: AtomicU64::new(0),
            idle_since_ms: AtomicU64::new(0),
            reading: AtomicBool::new(false),
            reading_since_ms: AtomicU64::new(0),
        }
    }

    fn now_ms(&self) -> u64 {
        self.opened.elapsed().as_millis() as u64
    }

    fn at(&self, ms: u64) -> Instant {
        self.opened + Duration::from_millis(ms)
    }

    fn read_some(&self) {
        if self.in_flight.load(Ordering::Acquire) == 0 && !self.reading.swap(true, Ordering::AcqRel)
        {
            self.reading_since_ms
                .store(self.now_ms(), Ordering::Release);
        }
    }

    fn request_started(self: &Arc<Self>) -> InFlight {
        self.in_flight.fetch_add(1, Ordering::AcqRel);
        self.served.fetch_add(1, Ordering::AcqRel);
        InFlight(self.clone())
    }

    /// When the connection must close unless something changes, and whether it is idle now
    /// (no request in flight, no bytes of a next one): `None` while a request is in flight.
    fn deadline(&self, limits: &ConnectionLimits) -> Option<(Instant, Instant)> {
        if self.in_flight.load(Ordering::Acquire) > 0 {
            return None;
        }
        let idle_since = self.at(self.idle_since_ms.load(Ordering::Acquire));
        if self.reading.load(Ordering::Acquire) {
            let since = self.at(self.reading_since_ms.load(Ordering::Acquire));
            return Some((since + limits.header_read_timeout, since));
        }
        let limit = match self.served.load(Ordering::Acquire) {
            0 => limits.header_read_timeout,
            _ => limits.keep_alive_timeout,
        };
        Some((idle_since + limit, idle_since))
    }
}

/// A request in flight on a connection; its end starts the idle time.
struct InFlight(Arc<Activity>);

impl Drop for InFlight {
    fn drop(&mut self) {
        let a = &self.0;
        a.idle_since_ms.store(a.now_ms(), Ordering::Release);
        a.reading.store(false, Ordering::Release);
        a.in_flight.fetch_sub(1, Ordering::AcqRel);
    }
}

/// A response body that keeps its request in flight until hyper has written it or dropped it.
struct Guarded {
    body: Body,
    #[expect(dead_code, reason = "held only for its Drop")]
    in_flight: InFlight,
}

impl HttpBody for Guarded {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        Pin::new(&mut self.body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

/// The socket, noting each read for the watchdog.
struct Watched {
    stream: TcpStream,
    activity: Arc<Activity>,
}

impl AsyncRead for Watched {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.stream).poll_read(cx, buf);
        if matches!(polled, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.activity.read_some();
        }
        polled
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }
}

/// Accepts connections until `shutdown`, then lets each finish its request in flight.
pub(crate) async fn accept_loop(
    listener: TcpListener,
    app: Router,
    limits: ConnectionLimits,
    metrics: Metrics,
    shutdown: impl Future<Output = ()> + Send + 'static,
) {
    let slots = limits.max_connections.clamp(1, u32::MAX as usize);
    let permits = Arc::new(Semaphore::new(slots));
    let crowded = Arc::new(Notify::new());
    let (stop_tx, stop_rx) = watch::channel(false);
    tokio::pin!(shutdown);
    loop {
        let permit = match permits.clone().try_acquire_owned() {
            Ok(permit) => permit,
            Err(_) => {
                metrics.connections().at_capacity();
                tracing::warn!(
                    max_connections = slots,
                    "connection cap reached: closing idle connections"
                );
                crowded.notify_waiters();
                tokio::select! {
                    permit = permits.clone().acquire_owned() => permit.expect("never closed"),
                    () = tokio::time::sleep(SHED_IDLE_AFTER) => continue,
                    () = &mut shutdown => break,
                }
            }
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    metrics.connections().accept_failed();
                    if is_per_connection(&e) {
                        tracing::debug!(error = %e, "a connection failed while being accepted");
                    } else {
                        // EMFILE / ENFILE / ENOBUFS: retrying at once would spin.
                        tracing::error!(error = %e, "accepting connections failed; retrying in 100 ms");
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let connection = serve_connection(
            stream,
            peer,
            app.clone(),
            limits,
            metrics.clone(),
            crowded.clone(),
            stop_rx.clone(),
        );
        tokio::spawn(async move {
            connection.await;
            drop(permit);
        });
    }
    drop(listener);
    let _ = stop_tx.send(true);
    // Every connection holds a permit until it ends.
    let _ = permits.acquire_many(slots as u32).await;
}

/// Errors that concern one connection only (it was reset before we took it).
fn is_per_connection(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
    )
}

async fn serve_connection(
    stream: TcpStream,
    peer: SocketAddr,
    app: Router,
    limits: ConnectionLimits,
    metrics: Metrics,
    crowded: Arc<Notify>,
    stop: watch::Receiver<bool>,
) {
    let counters = metrics.connections();
    counters.opened();
    let activity = Arc::new(Activity::new());
    let io = TokioIo::new(Watched {
        stream,
        activity: activity.clone(),
    });
    let requests = activity.clone();
    let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
        let in_flight = requests.request_started();
        request.extensions_mut().insert(ConnectInfo(peer));
        let app = app.clone();
        async move {
            // The request stays in flight until its body is written (or dropped): a streamed
            // answer (an export) can take longer than the idle limit.
            let response = app.oneshot(request).await?;
            Ok::<_, Infallible>(response.map(|body| Body::new(Guarded { body, in_flight })))
        }
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    // The watchdog below keeps the head's limit (see the module's comment).
    builder.header_read_timeout(None);
    let connection = builder.serve_connection(io, service);
    tokio::pin!(connection);
    // The watchdog is a task of its own, woken only by its timer, the cap and the shutdown:
    // polled beside the connection, its `Notify` futures would take their shared locks each
    // time any connection's socket woke it. The connection waits only on its control channel.
    let (control, mut orders) = mpsc::channel(2);
    tokio::spawn(watchdog(activity, limits, crowded, stop, control));
    let reason = loop {
        tokio::select! {
            result = connection.as_mut() => {
                if let Err(e) = result {
                    tracing::debug!(error = %e, %peer, "connection ended with an error");
                }
                break None;
            }
            Some(order) = orders.recv() => match order {
                Order::Close(reason) => break Some(reason),
                // Idle connections close now; one in flight finishes its request first.
                Order::FinishAndClose => connection.as_mut().graceful_shutdown(),
            },
        }
    };
    // Dropping the connection closes the socket; no request is in flight, so no answer is lost.
    if let Some(reason) = reason {
        tracing::debug!(%peer, reason, "closing a connection");
        counters.closed(reason);
    }
    counters.ended();
}

/// What a connection's watchdog tells it.
enum Order {
    /// Close now, for this reason (`header_timeout`, `idle` or `shed`).
    Close(&'static str),
    /// The server is stopping: finish the request in flight, then close.
    FinishAndClose,
}

/// Watches one connection's limits until the connection ends (its end drops the receiver of
/// `control`) or it has been told to close.
async fn watchdog(
    activity: Arc<Activity>,
    limits: ConnectionLimits,
    crowded: Arc<Notify>,
    mut stop: watch::Receiver<bool>,
    control: mpsc::Sender<Order>,
) {
    let mut stopping = false;
    loop {
        let deadline = activity.deadline(&limits);
        let wake = deadline.map_or_else(
            || Instant::now() + limits.header_read_timeout,
            |(close_at, _)| close_at,
        );
        let order = tokio::select! {
            () = control.closed() => return,
            () = tokio::time::sleep_until(wake) => match activity.deadline(&limits) {
                Some((close_at, _)) if Instant::now() >= close_at => {
                    let head = activity.reading.load(Ordering::Acquire)
                        || activity.served.load(Ordering::Acquire) == 0;
                    Order::Close(if head { "header_timeout" } else { "idle" })
                }
                _ => continue,
            },
            () = crowded.notified() => match activity.deadline(&limits) {
                Some((_, idle_since)) if idle_since.elapsed() >= SHED_IDLE_AFTER => {
                    Order::Close("shed")
                }
                _ => continue,
            },
            changed = stop.changed(), if !stopping => {
                stopping = true;
                match changed {
                    Ok(()) => Order::FinishAndClose,
                    Err(_) => continue,
                }
            }
        };
        let closing = matches!(order, Order::Close(_));
        if control.send(order).await.is_err() || closing {
            return;
        }
    }
}

#[cfg(test)]
#[path = "connections_tests.rs"]
mod tests;

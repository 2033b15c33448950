//! Two programs talking as they run (an interactive problem's interactor and
//! the submission): what one writes on stdout, the other reads on stdin.
//!
//! Each direction is a channel of the chunks one side wrote. The channel is
//! unbounded, but what goes in is not: a side's stdout is capped
//! (`RunLimits::stdout_bytes`) and a chunk past the cap is never sent. A
//! side's end is dropped when its run ends, so the other side reads end of
//! file; what it writes after that is thrown away, as a closed pipe's reader
//! would never see it.

use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex, OnceLock};
use std::task::{Context, Poll};
use std::time::Instant;

use bytes::Bytes;
use tokio::io::{AsyncRead, ReadBuf};
use tokio::sync::mpsc::error::TryRecvError;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};
use wasmtime_wasi::cli::{IsTerminal, StdinStream};
use wasmtime_wasi::p2::{InputStream, Pollable, StreamError};

/// One side's end of a link: its stdin, and where its stdout goes.
#[derive(Debug)]
pub struct LinkEnd {
    pub(super) incoming: Incoming,
    pub(super) outgoing: Outgoing,
    /// The judge's side (the interactor), which runs on a companion permit
    /// of its sandbox: it must never wait for a permit that a program
    /// waiting for it holds.
    pub(super) companion: bool,
}

impl LinkEnd {
    /// When this side's output ends (its run ends), to be read once it has.
    pub fn output_end(&self) -> OutputEnd {
        OutputEnd(self.outgoing.ended.clone())
    }
}

/// When one side's output ended: it is the other side's end of file, so
/// whatever that side did after, it did with its input cut off.
#[derive(Debug, Clone)]
pub struct OutputEnd(Arc<OnceLock<Instant>>);

impl OutputEnd {
    /// `None` while the side still runs.
    pub fn at(&self) -> Option<Instant> {
        self.0.get().copied()
    }
}

/// The judge's end and the program's end, each reading what the other
/// writes. Both sides run at the same time, so the caller starts at most
/// as many links at once as a sandbox has runs (companion permits are as
/// many): then every program's run gets a permit in the end.
pub fn link() -> (LinkEnd, LinkEnd) {
    let (to_program, from_judge) = unbounded_channel();
    let (to_judge, from_program) = unbounded_channel();
    let end = |incoming, outgoing, companion| LinkEnd {
        incoming: Incoming::new(incoming),
        outgoing: Outgoing {
            sender: outgoing,
            ended: Arc::new(OnceLock::new()),
        },
        companion,
    };
    (
        end(from_program, to_program, true),
        end(from_judge, to_judge, false),
    )
}

/// What the other side wrote, as a stream that ends when that side's run
/// ends: a WASI stdin (read by the guest directly, without a task between
/// the channel and the guest: each exchange of an interaction is a wake-up
/// fewer), and an `AsyncRead` for a native run's pipe.
#[derive(Debug, Clone)]
pub(super) struct Incoming(Arc<Mutex<Chunks>>);

#[derive(Debug)]
struct Chunks {
    receiver: UnboundedReceiver<Bytes>,
    /// The rest of a chunk a read did not take whole.
    partial: Bytes,
    /// The other side ended and everything it wrote was read.
    ended: bool,
}

impl Incoming {
    fn new(receiver: UnboundedReceiver<Bytes>) -> Self {
        Self(Arc::new(Mutex::new(Chunks {
            receiver,
            partial: Bytes::new(),
            ended: false,
        })))
    }

    /// Ready once there is something to read, or nothing ever will be.
    fn poll_ready(&self, cx: &mut Context<'_>) -> Poll<()> {
        let mut chunks = self.0.lock().unwrap();
        if !chunks.partial.is_empty() || chunks.ended {
            return Poll::Ready(());
        }
        match chunks.receiver.poll_recv(cx) {
            Poll::Ready(Some(chunk)) => chunks.partial = chunk,
            Poll::Ready(None) => chunks.ended = true,
            Poll::Pending => return Poll::Pending,
        }
        Poll::Ready(())
    }

    /// At most `size` bytes of what is there, without waiting: empty if
    /// nothing is, `Closed` at the end.
    fn take(&self, size: usize) -> Result<Bytes, StreamError> {
        let mut chunks = self.0.lock().unwrap();
        if chunks.partial.is_empty() && !chunks.ended {
            match chunks.receiver.try_recv() {
                Ok(chunk) => chunks.partial = chunk,
                Err(TryRecvError::Disconnected) => chunks.ended = true,
                Err(TryRecvError::Empty) => return Ok(Bytes::new()),
            }
        }
        if chunks.partial.is_empty() {
            return Err(StreamError::Closed);
        }
        let taken = chunks.partial.len().min(size);
        Ok(chunks.partial.split_to(taken))
    }
}

#[wasmtime_wasi::async_trait]
impl InputStream for Incoming {
    fn read(&mut self, size: usize) -> Result<Bytes, StreamError> {
        self.take(size)
    }
}

#[wasmtime_wasi::async_trait]
impl Pollable for Incoming {
    async fn ready(&mut self) {
        std::future::poll_fn(|cx| self.poll_ready(cx)).await
    }
}

impl IsTerminal for Incoming {
    fn is_terminal(&self) -> bool {
        false
    }
}

impl StdinStream for Incoming {
    fn p2_stream(&self) -> Box<dyn InputStream> {
        Box::new(self.clone())
    }

    fn async_stream(&self) -> Box<dyn AsyncRead + Send + Sync> {
        Box::new(self.clone())
    }
}

impl AsyncRead for Incoming {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if self.poll_ready(cx).is_pending() {
            return Poll::Pending;
        }
        // At the end, nothing put in `buf` says so.
        if let Ok(bytes) = self.take(buf.remaining()) {
            buf.put_slice(&bytes);
        }
        Poll::Ready(Ok(()))
    }
}

/// Where a side's stdout goes as it writes it; dropped when its run ends.
#[derive(Debug)]
pub(super) struct Outgoing {
    sender: UnboundedSender<Bytes>,
    ended: Arc<OnceLock<Instant>>,
}

impl Outgoing {
    pub fn send(&self, bytes: &[u8]) {
        if !bytes.is_empty() {
            // The other side ended: nobody reads it any more.
            let _ = self.sender.send(Bytes::copy_from_slice(bytes));
        }
    }
}

impl Drop for Outgoing {
    fn drop(&mut self) {
        let _ = self.ended.set(Instant::now());
    }
}

#[cfg(test)]
mod tests {
    use tokio::io::AsyncReadExt;

    use super::*;

    #[tokio::test]
    async fn each_end_reads_what_the_other_wrote_until_it_is_dropped() {
        let (first, second) = link();
        first.outgoing.send(b"12");
        first.outgoing.send(b"3\n");
        second.outgoing.send(b"higher\n");
        drop(first.outgoing);
        let mut read = String::new();
        let mut incoming = second.incoming;
        incoming.read_to_string(&mut read).await.unwrap();
        assert_eq!(read, "123\n");
        let mut small = [0u8; 4];
        let mut first_in = first.incoming;
        assert_eq!(
            AsyncReadExt::read(&mut first_in, &mut small).await.unwrap(),
            4
        );
        assert_eq!(&small, b"high");
    }
}

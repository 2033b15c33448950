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
use std::task::{Context, Poll};

use bytes::Bytes;
use tokio::io::{AsyncRead, ReadBuf};
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};

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

/// The judge's end and the program's end, each reading what the other
/// writes. Both sides run at the same time, so the caller starts at most
/// as many links at once as a sandbox has runs (companion permits are as
/// many): then every program's run gets a permit in the end.
pub fn link() -> (LinkEnd, LinkEnd) {
    let (to_program, from_judge) = unbounded_channel();
    let (to_judge, from_program) = unbounded_channel();
    let end = |incoming, outgoing, companion| LinkEnd {
        incoming: Incoming {
            chunks: incoming,
            partial: Bytes::new(),
        },
        outgoing: Outgoing(outgoing),
        companion,
    };
    (
        end(from_program, to_program, true),
        end(from_judge, to_judge, false),
    )
}

/// What the other side wrote, as a stream that ends when that side's run ends.
#[derive(Debug)]
pub(super) struct Incoming {
    chunks: UnboundedReceiver<Bytes>,
    /// The rest of a chunk a read did not take whole.
    partial: Bytes,
}

impl AsyncRead for Incoming {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        while self.partial.is_empty() {
            match self.chunks.poll_recv(cx) {
                Poll::Ready(Some(chunk)) => self.partial = chunk,
                // The other side ended: end of file.
                Poll::Ready(None) => return Poll::Ready(Ok(())),
                Poll::Pending => return Poll::Pending,
            }
        }
        let taken = self.partial.len().min(buf.remaining());
        buf.put_slice(&self.partial.split_to(taken));
        Poll::Ready(Ok(()))
    }
}

/// Where a side's stdout goes as it writes it.
#[derive(Debug, Clone)]
pub(super) struct Outgoing(UnboundedSender<Bytes>);

impl Outgoing {
    pub fn send(&self, bytes: &[u8]) {
        if !bytes.is_empty() {
            // The other side ended: nobody reads it any more.
            let _ = self.0.send(Bytes::copy_from_slice(bytes));
        }
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
        assert_eq!(first_in.read(&mut small).await.unwrap(), 4);
        assert_eq!(&small, b"high");
    }
}

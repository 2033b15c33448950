//! A WASI output stream that keeps at most `cap` bytes and stops the program
//! on the first byte beyond it, so the host never buffers more than the cap.
//! A linked run's stdout also goes to the other side as it is written.

use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use bytes::Bytes;
use tokio::io::AsyncWrite;
use wasmtime_wasi::cli::{IsTerminal, StdoutStream};
use wasmtime_wasi::p2::{OutputStream, Pollable, StreamError};

use super::link::Outgoing;

/// How many bytes a guest may hand over in one write; larger writes are split
/// by the guest. The cap itself is enforced in `append`, whatever the permit.
const WRITE_PERMIT: usize = 64 * 1024;

#[derive(Clone)]
pub struct CappedPipe {
    inner: Arc<Mutex<CappedBuffer>>,
}

struct CappedBuffer {
    bytes: Vec<u8>,
    cap: usize,
    overflowed: bool,
    /// Where what is kept also goes, until the run's output is taken.
    forward: Option<Outgoing>,
}

impl CappedPipe {
    pub fn new(cap: usize) -> Self {
        Self::forwarding(cap, None)
    }

    /// A pipe that also sends what it keeps to `forward`.
    pub fn forwarding(cap: usize, forward: Option<Outgoing>) -> Self {
        let inner = CappedBuffer {
            bytes: Vec::new(),
            cap,
            overflowed: false,
            forward,
        };
        Self {
            inner: Arc::new(Mutex::new(inner)),
        }
    }

    /// What was written (at most `cap` bytes), and whether more was
    /// attempted. Closes the forward: the other side reads end of file.
    pub fn take(&self) -> (Vec<u8>, bool) {
        let mut inner = self.inner.lock().unwrap();
        inner.forward = None;
        (std::mem::take(&mut inner.bytes), inner.overflowed)
    }

    /// Appends what fits; returns false if `data` did not fit whole.
    fn append(&self, data: &[u8]) -> bool {
        let mut inner = self.inner.lock().unwrap();
        let room = inner.cap - inner.bytes.len();
        let kept = &data[..data.len().min(room)];
        inner.bytes.extend_from_slice(kept);
        if let Some(forward) = &inner.forward {
            forward.send(kept);
        }
        if data.len() > room {
            inner.overflowed = true;
            return false;
        }
        true
    }
}

fn limit_exceeded() -> StreamError {
    StreamError::trap("output limit exceeded")
}

#[wasmtime_wasi::async_trait]
impl OutputStream for CappedPipe {
    fn write(&mut self, bytes: Bytes) -> Result<(), StreamError> {
        if self.append(&bytes) {
            Ok(())
        } else {
            // Trapping ends the program at once; a closed stream would let it
            // keep computing and retrying until the wall-clock limit.
            Err(limit_exceeded())
        }
    }

    fn flush(&mut self) -> Result<(), StreamError> {
        Ok(())
    }

    fn check_write(&mut self) -> Result<usize, StreamError> {
        if self.inner.lock().unwrap().overflowed {
            return Err(limit_exceeded());
        }
        Ok(WRITE_PERMIT)
    }
}

#[wasmtime_wasi::async_trait]
impl Pollable for CappedPipe {
    async fn ready(&mut self) {}
}

impl AsyncWrite for CappedPipe {
    fn poll_write(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if self.append(buf) {
            Poll::Ready(Ok(buf.len()))
        } else {
            Poll::Ready(Err(io::Error::other("output limit exceeded")))
        }
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

impl IsTerminal for CappedPipe {
    fn is_terminal(&self) -> bool {
        false
    }
}

impl StdoutStream for CappedPipe {
    fn p2_stream(&self) -> Box<dyn OutputStream> {
        Box::new(self.clone())
    }

    fn async_stream(&self) -> Box<dyn AsyncWrite + Send + Sync> {
        Box::new(self.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_at_most_the_cap_and_reports_the_overflow() {
        let mut pipe = CappedPipe::new(5);
        assert!(pipe.write(Bytes::from_static(b"abc")).is_ok());
        assert!(pipe.write(Bytes::from_static(b"defg")).is_err());
        assert!(pipe.check_write().is_err());
        assert_eq!(pipe.take(), (b"abcde".to_vec(), true));
    }

    #[test]
    fn output_of_exactly_the_cap_is_not_an_overflow() {
        let mut pipe = CappedPipe::new(3);
        assert!(pipe.write(Bytes::from_static(b"abc")).is_ok());
        assert_eq!(pipe.take(), (b"abc".to_vec(), false));
    }
}

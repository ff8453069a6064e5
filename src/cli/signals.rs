//! SIGINT and SIGTERM for a command that changes Azure DevOps: the first asks it to stop starting
//! work (what is in flight finishes), the second ends it at once.

use std::io;

/// Registers the handlers now (so a signal from here on never kills the process unannounced) and
/// runs `first` on the first signal, `second` on the next.
pub fn on_interrupt(
    first: impl FnOnce() + Send + 'static,
    second: impl FnOnce() + Send + 'static,
) -> io::Result<tokio::task::JoinHandle<()>> {
    let mut signals = Signals::register()?;
    Ok(tokio::spawn(async move {
        signals.next().await;
        first();
        signals.next().await;
        second();
    }))
}

struct Signals {
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
}

impl Signals {
    #[cfg(unix)]
    fn register() -> io::Result<Self> {
        use tokio::signal::unix::{SignalKind, signal};
        Ok(Self {
            interrupt: signal(SignalKind::interrupt())?,
            terminate: signal(SignalKind::terminate())?,
        })
    }

    #[cfg(not(unix))]
    fn register() -> io::Result<Self> {
        Ok(Self {})
    }

    #[cfg(unix)]
    async fn next(&mut self) {
        tokio::select! {
            _ = self.interrupt.recv() => {}
            _ = self.terminate.recv() => {}
        }
    }

    #[cfg(not(unix))]
    async fn next(&mut self) {
        // Ctrl+C (and Ctrl+Break) is what Windows delivers to a console program.
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}

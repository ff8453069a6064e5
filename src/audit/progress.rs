//! Progress of an audit, streamed so a progress bar can move while requests are in flight.

use tokio::sync::mpsc::UnboundedSender;

/// The audit's phases. After the identity check they overlap (they are independent requests), so a
/// consumer should track each phase's own `done/total` rather than assume they come in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuditPhase {
    Identity,
    Repositories,
    Projects,
    Permissions,
    Subscriptions,
    Policies,
}

impl AuditPhase {
    pub const ALL: [AuditPhase; 6] = [
        Self::Identity,
        Self::Repositories,
        Self::Projects,
        Self::Permissions,
        Self::Subscriptions,
        Self::Policies,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Self::Identity => "Token identity",
            Self::Repositories => "Repositories",
            Self::Projects => "Projects",
            Self::Permissions => "Service-hook and policy permissions",
            Self::Subscriptions => "Webhook subscriptions",
            Self::Policies => "Status policies",
        }
    }
}

/// `done` of `total` units of a phase are finished: requests for most phases, permission batches
/// for
/// [`AuditPhase::Permissions`] (whose total grows if a refused batch is split), projects for
/// [`AuditPhase::Policies`]. Every phase that runs reports `0/total` when it starts and
/// `total/total` when it ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuditEvent {
    Phase {
        phase: AuditPhase,
        done: usize,
        total: usize,
    },
}

/// The optional progress channel.
pub(super) struct Progress(Option<UnboundedSender<AuditEvent>>);

impl Progress {
    pub(super) fn new(tx: Option<UnboundedSender<AuditEvent>>) -> Self {
        Self(tx)
    }

    pub(super) fn phase(&self, phase: AuditPhase, done: usize, total: usize) {
        if let Some(tx) = &self.0 {
            // A closed receiver only means nobody is watching any more.
            let _ = tx.send(AuditEvent::Phase { phase, done, total });
        }
    }
}

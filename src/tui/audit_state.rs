//! The organization's audit, shared by the home screen and the permissions, coverage and apply
//! steps: the last finished report, and the run in flight with its progress per phase.

use std::collections::BTreeSet;

use jiff::Timestamp;

use crate::audit::{AuditEvent, AuditPhase, AuditReport};
use crate::domain;
use crate::store::StorageKind;
use crate::tui::app::App;
use crate::tui::effect::Effect;
use crate::tui::msg::{RequestId, TaskError};

/// `done` of `total` units of one phase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct PhaseProgress {
    pub(crate) done: usize,
    pub(crate) total: usize,
}

/// Where the audit run stands.
#[derive(Debug, Clone)]
pub(crate) enum AuditRun {
    Idle,
    Running {
        request: RequestId,
        /// Per phase, in [`AuditPhase::ALL`] order; `None` until the phase starts.
        phases: [Option<PhaseProgress>; AuditPhase::ALL.len()],
    },
    Failed(TaskError),
}

#[derive(Debug, Clone)]
pub struct AuditState {
    pub(crate) run: AuditRun,
    /// The last finished report; kept while a new run is in flight.
    pub(crate) report: Option<AuditReport>,
    pub(crate) taken_at: Option<Timestamp>,
    /// The report was made with the token in use now (a stored or rotated token makes it stale).
    pub(crate) fresh: bool,
}

impl Default for AuditState {
    fn default() -> Self {
        Self {
            run: AuditRun::Idle,
            report: None,
            taken_at: None,
            fresh: false,
        }
    }
}

impl AuditState {
    pub(crate) fn running(&self) -> bool {
        matches!(self.run, AuditRun::Running { .. })
    }

    /// The report, only if it was made with the current token.
    pub(crate) fn fresh_report(&self) -> Option<&AuditReport> {
        self.report.as_ref().filter(|_| self.fresh)
    }

    /// The token changed: the report no longer speaks for it.
    pub(crate) fn invalidate(&mut self) {
        self.fresh = false;
    }

    /// Forgets the run in flight (its task is being cancelled); a finished report stays.
    pub(crate) fn abandon(&mut self) {
        if self.running() {
            self.run = AuditRun::Idle;
        }
    }

    /// How far the run is, from 0 to 1: the mean over the phases of their done share (a phase not
    /// started yet counts as nothing done).
    pub(crate) fn fraction(&self) -> f64 {
        let AuditRun::Running { phases, .. } = &self.run else {
            return 0.0;
        };
        let sum: f64 = phases
            .iter()
            .map(|p| match p {
                Some(p) if p.total > 0 => p.done.min(p.total) as f64 / p.total as f64,
                Some(_) => 1.0,
                None => 0.0,
            })
            .sum();
        sum / phases.len() as f64
    }
}

/// What an audit (or an apply's verifying audit) of the current organization starts from: the
/// repositories the previous run saw, and where the organization's token is stored.
pub(crate) fn basis(app: &App) -> (Option<BTreeSet<String>>, Option<StorageKind>) {
    let previous = app
        .org()
        .and_then(|org| domain::previous_repository_ids(&app.state, org));
    (previous, app.token_storage())
}

/// Starts a fresh audit of the current organization with its profile.
pub(crate) fn start(app: &mut App) -> Vec<Effect> {
    let Some(org) = app.org().cloned() else {
        return Vec::new();
    };
    let (previous, storage) = basis(app);
    let request = app.new_request();
    app.audit.run = AuditRun::Running {
        request,
        phases: [None; AuditPhase::ALL.len()],
    };
    vec![Effect::RunAudit {
        request,
        org,
        profile: app.profile.clone(),
        previous,
        storage,
    }]
}

pub(crate) fn on_progress(app: &mut App, request: RequestId, event: AuditEvent) {
    let AuditRun::Running {
        request: current,
        phases,
    } = &mut app.audit.run
    else {
        return;
    };
    if *current != request {
        return;
    }
    let AuditEvent::Phase { phase, done, total } = event;
    if let Some(index) = AuditPhase::ALL.iter().position(|p| *p == phase) {
        phases[index] = Some(PhaseProgress { done, total });
    }
}

/// Records the finished run; returns whether the answer was the one awaited.
pub(crate) fn on_audited(
    app: &mut App,
    request: RequestId,
    result: Result<AuditReport, TaskError>,
    at: Timestamp,
) -> bool {
    if !matches!(app.audit.run, AuditRun::Running { request: current, .. } if current == request) {
        return false;
    }
    match result {
        Ok(report) => {
            app.audit.run = AuditRun::Idle;
            // Names are drawn in many places; escaping them once keeps terminal sequences out.
            app.audit.report = Some(crate::report::escape_report_names(report));
            app.audit.taken_at = Some(at);
            app.audit.fresh = true;
        }
        Err(error) => app.audit.run = AuditRun::Failed(error),
    }
    true
}

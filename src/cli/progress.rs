//! What a command is waiting for, on stderr: a bar or a spinner, drawn only when stderr is a
//! terminal and `--quiet` was not given. Pipes, files, cron and `--json`/`--csv` readers (whose
//! stderr is not a terminal) never see it, and stdout never does.

use std::collections::HashMap;
use std::io::IsTerminal;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use tokio::sync::mpsc::{UnboundedSender, unbounded_channel};

use crate::audit::{AuditEvent, AuditPhase};
use crate::checks::{CheckEvent, CheckId};
use crate::plan::{ApplyEvent, Plan};
use crate::report;

/// The message takes what the terminal's width leaves, so a line never wraps.
const BAR: &str = "{spinner} {wide_msg} [{bar:20}] {pos}/{len} {elapsed:>4}";
const SPINNER: &str = "{spinner} {wide_msg} {elapsed:>4}";

/// The progress of one command; clones share it.
#[derive(Clone)]
pub struct Progress {
    shown: bool,
    /// The bar or spinner on screen; `None` between stages.
    current: Arc<Mutex<Option<ProgressBar>>>,
}

impl Progress {
    /// Progress drawn on stderr when it is a terminal, unless `quiet`.
    pub fn new(quiet: bool) -> Self {
        Self {
            shown: !quiet && std::io::stderr().is_terminal(),
            current: Arc::default(),
        }
    }

    fn current(&self) -> std::sync::MutexGuard<'_, Option<ProgressBar>> {
        // A poisoned lock only means a panic elsewhere mid-update; the bar itself is intact.
        self.current.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Replaces whatever is on screen with a new bar (`total` known) or spinner.
    fn begin(&self, message: String, total: Option<usize>) -> ProgressBar {
        // Styled before it is drawn: indicatif's default style would flash first.
        let bar =
            ProgressBar::with_draw_target(total.map(|t| t as u64), ProgressDrawTarget::hidden());
        let template = match total {
            Some(_) => BAR,
            None => SPINNER,
        };
        // Invariant: both templates are valid (`progress_templates_parse` checks them).
        if let Ok(style) = ProgressStyle::with_template(template) {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_message(message);
        if self.shown {
            bar.set_draw_target(ProgressDrawTarget::stderr());
            bar.enable_steady_tick(Duration::from_millis(120));
        }
        if let Some(previous) = self.current().replace(bar.clone()) {
            previous.finish_and_clear();
        }
        bar
    }

    /// A spinner saying what the command waits for.
    pub fn waiting(&self, what: impl Into<String>) {
        self.begin(what.into(), None);
    }

    /// Removes the bar or spinner, before the report or a question.
    pub fn clear(&self) {
        if let Some(bar) = self.current().take() {
            bar.finish_and_clear();
        }
    }

    /// A line for the admin on stderr, above the bar so neither garbles the other; coloured
    /// where stderr may be.
    pub fn say(&self, line: impl std::fmt::Display) {
        let print = || anstream::eprintln!("{line}");
        match self.current().as_ref() {
            Some(bar) => bar.suspend(print),
            None => print(),
        }
    }

    /// A sender for an audit's progress (`None` when nothing is drawn): one bar over every
    /// phase's units, labelled with the first phase still running.
    pub fn audit(&self, what: &str) -> Option<UnboundedSender<AuditEvent>> {
        if !self.shown {
            return None;
        }
        let bar = self.begin(what.to_owned(), Some(0));
        let what = what.to_owned();
        let (tx, mut rx) = unbounded_channel();
        tokio::spawn(async move {
            let mut phases: HashMap<AuditPhase, (usize, usize)> = HashMap::new();
            while let Some(AuditEvent::Phase { phase, done, total }) = rx.recv().await {
                phases.insert(phase, (done, total));
                let (done, total) = phases
                    .values()
                    .fold((0, 0), |(d, t), (pd, pt)| (d + pd, t + pt));
                bar.set_length(total as u64);
                bar.set_position(done as u64);
                let running = AuditPhase::ALL
                    .into_iter()
                    .find(|p| phases.get(p).is_some_and(|(d, t)| d < t));
                if let Some(phase) = running {
                    bar.set_message(format!("{what}: {}", phase.label()));
                }
            }
        });
        Some(tx)
    }

    /// A sender for a token check's progress (`None` when nothing is drawn).
    pub fn checks(&self, what: &str) -> Option<UnboundedSender<CheckEvent>> {
        if !self.shown {
            return None;
        }
        let bar = self.begin(what.to_owned(), Some(CheckId::ALL.len()));
        let what = what.to_owned();
        let (tx, mut rx) = unbounded_channel();
        tokio::spawn(async move {
            while let Some(event) = rx.recv().await {
                match event {
                    CheckEvent::Started(id) => bar.set_message(format!("{what}: {}", id.label())),
                    CheckEvent::Finished(..) => bar.inc(1),
                }
            }
        });
        Some(tx)
    }

    /// Starts the bar of an apply: one unit per change.
    pub fn applying(&self, plan: &Plan) {
        self.begin("Applying".to_owned(), Some(plan.work_count()));
    }

    /// One apply event: the bar names the change started last; each finished change gets its own
    /// line (`+ create subscription … ok`), as terraform prints one per resource.
    pub fn applied(&self, plan: &Plan, event: &ApplyEvent) {
        let Some(bar) = self.current().clone().filter(|_| self.shown) else {
            return;
        };
        match event {
            ApplyEvent::Started { index } => {
                if let Some(action) = plan.actions.get(*index).filter(|a| a.kind.is_work()) {
                    bar.set_message(report::plan_view::title(action));
                }
            }
            ApplyEvent::Finished(result) => {
                let Some(action) = plan.actions.get(result.index).filter(|a| a.kind.is_work())
                else {
                    return;
                };
                bar.inc(1);
                if let Some(line) = report::configure_progress_line(action, result) {
                    self.say(line);
                }
                if bar.length().is_some_and(|len| bar.position() >= len) {
                    bar.set_message("Checking the result (re-audit)");
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_templates_parse() {
        for template in [BAR, SPINNER] {
            assert!(ProgressStyle::with_template(template).is_ok(), "{template}");
        }
    }
}

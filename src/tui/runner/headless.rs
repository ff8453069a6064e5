//! The wizard without a terminal: [`update`](crate::tui::update) and the real effect runner (credential stores, engines,
//! `state.toml`), driven by the messages a caller sends. Tests use it to run the wizard's own code
//! paths against a simulated organization; nothing here draws, opens a browser or reads keys.

use std::time::Duration;

use tokio::sync::mpsc::{UnboundedReceiver, unbounded_channel};

use super::{EffectRunner, dispatch};
use crate::tui::app::App;
use crate::tui::msg::Msg;
use crate::tui::theme::Theme;
use crate::tui::{WizardEnd, WizardOptions};

/// How often [`Headless::settle`] looks at the running tasks while no answer arrives.
const POLL: Duration = Duration::from_millis(20);

/// A running wizard with no screen.
pub struct Headless {
    app: App,
    runner: EffectRunner,
    answers: UnboundedReceiver<Msg>,
    end: Option<WizardEnd>,
}

impl Headless {
    /// Starts the wizard as the terminal would (`Msg::Started`). Needs a tokio runtime: effects run
    /// as tasks on it. Browser launches are dropped; the clipboard sequence goes nowhere.
    pub fn start(options: WizardOptions) -> Self {
        let (tx, answers) = unbounded_channel();
        let runner = EffectRunner::new(tx, |_| Ok(()), options.config_dir.clone());
        let mut headless = Self {
            app: App::new(options, Theme::plain()),
            runner,
            answers,
            end: None,
        };
        headless.send(Msg::Started);
        headless
    }

    /// The wizard's state, to render or inspect.
    pub fn app(&self) -> &App {
        &self.app
    }

    /// Runs `msg` through [`update`](crate::tui::update) and carries out the effects it returns.
    pub fn send(&mut self, msg: Msg) {
        if self.end.is_none() {
            self.end = dispatch(&mut self.app, &mut self.runner, msg, &mut std::io::sink());
        }
    }

    /// Feeds the runner's answers to [`update`](crate::tui::update) until no task is running and
    /// every answer is in (what a person would see as "the screen stopped changing"); `false` when
    /// `timeout` passes first.
    pub async fn settle(&mut self, timeout: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            while let Ok(msg) = self.answers.try_recv() {
                self.send(msg);
            }
            // A task sends its answer before it finishes, so once none runs, all answers are in.
            if !self.runner.tasks.any_running() {
                match self.answers.try_recv() {
                    Ok(msg) => {
                        self.send(msg);
                        continue;
                    }
                    Err(_) => return true,
                }
            }
            if tokio::time::Instant::now() >= deadline {
                return false;
            }
            // Polled, so a task that ends without answering is noticed too.
            if let Ok(Some(msg)) = tokio::time::timeout(POLL, self.answers.recv()).await {
                self.send(msg);
            }
        }
    }

    /// What the wizard prints when it ends, once it has.
    pub fn summary(&self) -> Option<&str> {
        self.end.as_ref().map(|end| end.summary.as_str())
    }
}

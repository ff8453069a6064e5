//! The one place side effects happen. A `tokio::select!` loop waits on terminal events, messages
//! from effect tasks, a ~100 ms tick and termination signals; each input goes through `update`,
//! the effects it returns are run here, and the screen is redrawn.
//!
//! Tasks are registered under the step they serve, so leaving a step (`Effect::CancelStep`) aborts
//! whatever it still had running.

mod clipboard;
mod credentials;
mod headless;
mod tasks;

use std::future::Future;
use std::io::{self, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use crossterm::event::{Event, EventStream, KeyEventKind};
use futures::StreamExt;
use secrecy::ExposeSecret;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};
use tokio::task::AbortHandle;

use crate::checks::reachability;
use crate::tui::app::App;
use crate::tui::effect::Effect;
use crate::tui::msg::Msg;
use crate::tui::steps::Step;
use crate::tui::terminal::WizardTerminal;
use crate::tui::{TuiError, WizardEnd, update, view};

use credentials::Credentials;
pub use headless::Headless;

const TICK: Duration = Duration::from_millis(100);

/// Running effect tasks, by the step that started them.
#[derive(Default)]
pub(crate) struct TaskRegistry {
    tasks: Vec<(Step, AbortHandle)>,
}

impl TaskRegistry {
    /// Spawns `task` on the current tokio runtime on behalf of `step`.
    pub(crate) fn spawn<F>(&mut self, step: Step, task: F)
    where
        F: Future<Output = ()> + Send + 'static,
    {
        self.tasks.retain(|(_, handle)| !handle.is_finished());
        let handle = tokio::spawn(task).abort_handle();
        self.tasks.push((step, handle));
    }

    /// Aborts every task of `step`.
    pub(crate) fn cancel_step(&mut self, step: Step) {
        self.tasks.retain(|(owner, handle)| {
            if *owner == step {
                handle.abort();
            }
            *owner != step
        });
    }

    /// Whether any task is still running.
    fn any_running(&self) -> bool {
        self.tasks.iter().any(|(_, handle)| !handle.is_finished())
    }

    /// Tasks of `step` still running.
    #[cfg(test)]
    fn running(&self, step: Step) -> usize {
        self.tasks
            .iter()
            .filter(|(owner, handle)| *owner == step && !handle.is_finished())
            .count()
    }
}

impl Drop for TaskRegistry {
    /// The wizard is ending: nothing still running has anyone to report to.
    fn drop(&mut self) {
        for (_, handle) in &self.tasks {
            handle.abort();
        }
    }
}

/// Opens a URL in the default browser.
pub(crate) type UrlOpener = fn(&str) -> io::Result<()>;

/// Whether the loop goes on after an effect.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Flow {
    Continue,
    Exit(WizardEnd),
}

/// Carries out effects; owns the capabilities (network, credential stores, files, browser,
/// clipboard) and the task registry.
pub(crate) struct EffectRunner {
    tx: UnboundedSender<Msg>,
    tasks: TaskRegistry,
    open_url: UrlOpener,
    config_dir: PathBuf,
    credentials: Arc<Credentials>,
}

impl EffectRunner {
    pub(crate) fn new(tx: UnboundedSender<Msg>, open_url: UrlOpener, config_dir: PathBuf) -> Self {
        Self {
            tx,
            tasks: TaskRegistry::default(),
            open_url,
            credentials: Arc::new(Credentials::new(config_dir.clone())),
            config_dir,
        }
    }

    /// Runs one effect. Tasks are registered under `step`, the step current when `update`
    /// returned; `out` is the terminal (the clipboard sequence goes through it).
    pub(crate) fn run(&mut self, effect: Effect, step: Step, out: &mut impl Write) -> Flow {
        match effect {
            Effect::ProbeOrganization { request, org } => {
                let tx = self.tx.clone();
                self.tasks.spawn(step, async move {
                    let result = reachability::probe(&org).await;
                    // A closed channel means the wizard is ending; the answer is moot.
                    let _ = tx.send(Msg::OrgProbed { request, result });
                });
            }
            Effect::OpenUrl(url) => {
                let tx = self.tx.clone();
                let open_url = self.open_url;
                self.tasks.spawn(step, async move {
                    let target = url.clone();
                    // Launching a browser may wait on a helper process: keep it off the UI thread.
                    let result = match tokio::task::spawn_blocking(move || open_url(&target)).await
                    {
                        Ok(opened) => opened.map_err(|e| e.to_string()),
                        Err(join) => Err(join.to_string()),
                    };
                    // The launcher's own words (`Launcher "gio" … ExitStatus(…)`) go to the log;
                    // the screen says what to do instead.
                    if let Err(reason) = &result {
                        tracing::warn!(%url, %reason, "could not open a browser");
                    }
                    let _ = tx.send(Msg::BrowserOpened { url, result });
                });
            }
            Effect::CopyToClipboard(text) => {
                let result = copy_osc52(out, &text).map_err(|e| e.to_string());
                let _ = self.tx.send(Msg::ClipboardWritten { result });
            }
            Effect::CopySecret(token) => {
                let result = copy_everywhere(out, token.secret().expose_secret());
                let _ = self.tx.send(Msg::ClipboardWritten { result });
            }
            Effect::ClearClipboard => {
                let result = copy_everywhere(out, "");
                let _ = self.tx.send(Msg::ClipboardWritten { result });
            }
            Effect::VerifyToken {
                request,
                org,
                token,
                expires_on,
                today,
            } => {
                let task = tasks::verify(
                    self.tx.clone(),
                    self.credentials.clone(),
                    request,
                    org,
                    token,
                    expires_on,
                    today,
                );
                self.tasks.spawn(step, task);
            }
            Effect::StoreToken {
                request,
                org,
                token,
                target,
                keep_old,
                webhook_password,
            } => {
                let task = tasks::store_token(
                    self.tx.clone(),
                    self.credentials.clone(),
                    request,
                    org,
                    token,
                    (target, keep_old),
                    webhook_password,
                );
                self.tasks.spawn(step, task);
            }
            Effect::RestoreOldToken {
                request,
                org,
                target,
            } => {
                let task = tasks::restore_old_token(
                    self.tx.clone(),
                    self.credentials.clone(),
                    request,
                    org,
                    target,
                );
                self.tasks.spawn(step, task);
            }
            Effect::ForgetOldToken => self.credentials.forget_old(),
            Effect::RunAudit {
                request,
                org,
                profile,
                previous,
                storage,
            } => {
                let target = tasks::Target {
                    org,
                    profile,
                    previous,
                    storage,
                };
                let task = tasks::audit(self.tx.clone(), self.credentials.clone(), request, target);
                self.tasks.spawn(step, task);
            }
            Effect::ApplyPlan {
                request,
                org,
                plan,
                profile,
                user_id,
                previous,
                storage,
                stop,
            } => {
                let target = tasks::Target {
                    org,
                    profile,
                    previous,
                    storage,
                };
                let task = tasks::apply(
                    self.tx.clone(),
                    self.credentials.clone(),
                    request,
                    target,
                    plan,
                    user_id,
                    stop,
                );
                self.tasks.spawn(step, task);
            }
            Effect::TestDelivery {
                request,
                org,
                subscription_id,
                storage,
            } => {
                let task = tasks::test_delivery(
                    self.tx.clone(),
                    self.credentials.clone(),
                    request,
                    org,
                    subscription_id,
                    storage,
                );
                self.tasks.spawn(step, task);
            }
            Effect::SaveState { request, state } => {
                let task =
                    tasks::save_state(self.tx.clone(), self.config_dir.clone(), request, state);
                self.tasks.spawn(step, task);
            }
            Effect::WriteCalendar {
                file_name,
                contents,
                in_current_dir,
            } => {
                let task = tasks::write_calendar(
                    self.tx.clone(),
                    self.config_dir.clone(),
                    in_current_dir,
                    file_name,
                    contents,
                );
                self.tasks.spawn(step, task);
            }
            Effect::CancelStep(step) => self.tasks.cancel_step(step),
            Effect::Exit {
                summary,
                interrupted,
            } => {
                return Flow::Exit(WizardEnd {
                    summary,
                    interrupted,
                });
            }
        }
        Flow::Continue
    }
}

/// OSC 52 "set clipboard", written through crossterm so it reaches the terminal the admin sees,
/// even over SSH.
struct SetClipboard {
    base64: String,
}

impl crossterm::Command for SetClipboard {
    fn write_ansi(&self, f: &mut impl std::fmt::Write) -> std::fmt::Result {
        write!(f, "\x1b]52;c;{}\x07", self.base64)
    }

    #[cfg(windows)]
    fn execute_winapi(&self) -> io::Result<()> {
        Err(io::Error::other(
            "this console does not understand the OSC 52 clipboard sequence",
        ))
    }
}

fn copy_osc52(out: &mut impl Write, text: &str) -> io::Result<()> {
    let base64 = base64::engine::general_purpose::STANDARD.encode(text);
    crossterm::execute!(out, SetClipboard { base64 })
}

/// OSC 52 (which reaches the admin's terminal even over SSH), then the system clipboard where
/// there is one; the answer is OSC 52's, since a missing system clipboard is normal (headless).
fn copy_everywhere(out: &mut impl Write, text: &str) -> Result<(), String> {
    let result = copy_osc52(out, text).map_err(|e| e.to_string());
    clipboard::copy_system(text);
    result
}

/// Turns a terminal event into a message: key presses, pastes and resizes (the wizard ignores keys
/// while the terminal is too small to show it).
fn message_for(event: Event) -> Option<Msg> {
    match event {
        Event::Key(key) if key.kind == KeyEventKind::Press => Some(Msg::Key(key)),
        Event::Paste(text) => Some(Msg::Paste(text)),
        Event::Resize(width, height) => Some(Msg::Resized { width, height }),
        _ => None,
    }
}

/// The event loop; returns the summary to print once the terminal is restored.
pub(crate) async fn run(
    terminal: &mut WizardTerminal,
    app: &mut App,
    config_dir: PathBuf,
) -> Result<WizardEnd, TuiError> {
    let (tx, mut rx): (UnboundedSender<Msg>, UnboundedReceiver<Msg>) = unbounded_channel();
    let mut runner = EffectRunner::new(tx, |url| open::that_detached(url), config_dir);
    let mut events = EventStream::new();
    let mut tick = tokio::time::interval(TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut shutdown = Shutdown::new()?;
    let size = terminal.size()?;
    let resized = Msg::Resized {
        width: size.width,
        height: size.height,
    };
    if let Some(end) = dispatch(app, &mut runner, resized, terminal.backend_mut()) {
        return Ok(end);
    }
    if let Some(end) = dispatch(app, &mut runner, Msg::Started, terminal.backend_mut()) {
        return Ok(end);
    }
    loop {
        terminal.draw(|frame| view::render(app, frame))?;
        let msg = tokio::select! {
            event = events.next() => match event {
                Some(Ok(event)) => match message_for(event) {
                    Some(msg) => msg,
                    None => continue,
                },
                Some(Err(error)) => return Err(error.into()),
                None => return Err(TuiError::InputClosed),
            },
            Some(msg) = rx.recv() => msg,
            _ = tick.tick() => Msg::Tick,
            () = shutdown.recv() => return Ok(WizardEnd {
                summary: app.quit_summary(),
                interrupted: true,
            }),
        };
        if let Some(end) = dispatch(app, &mut runner, msg, terminal.backend_mut()) {
            return Ok(end);
        }
    }
}

/// Runs `msg` through `update` and carries out the effects it returns; how the wizard ended when
/// one of them ends it.
fn dispatch(
    app: &mut App,
    runner: &mut EffectRunner,
    msg: Msg,
    out: &mut impl Write,
) -> Option<WizardEnd> {
    for effect in update(app, msg) {
        let step = app.step();
        if let Flow::Exit(end) = runner.run(effect, step, out) {
            return Some(end);
        }
    }
    None
}

/// Termination requests from outside (kill, a closed SSH session): leave cleanly so the terminal is
/// restored. Ctrl+C is a key in raw mode and goes through the keymap instead.
struct Shutdown {
    #[cfg(unix)]
    signals: [tokio::signal::unix::Signal; 3],
}

impl Shutdown {
    #[cfg(unix)]
    fn new() -> io::Result<Self> {
        use tokio::signal::unix::{SignalKind, signal};
        Ok(Self {
            signals: [
                signal(SignalKind::terminate())?,
                signal(SignalKind::hangup())?,
                signal(SignalKind::interrupt())?,
            ],
        })
    }

    #[cfg(not(unix))]
    fn new() -> io::Result<Self> {
        Ok(Self {})
    }

    #[cfg(unix)]
    async fn recv(&mut self) {
        let [term, hup, int] = &mut self.signals;
        tokio::select! {
            _ = term.recv() => {}
            _ = hup.recv() => {}
            _ = int.recv() => {}
        }
    }

    #[cfg(not(unix))]
    async fn recv(&mut self) {
        std::future::pending::<()>().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::org::OrgUrl;
    use crate::tui::msg::RequestId;
    use azdo_gate_sim::{self as sim, Scenario, SimHandle, SimOptions};
    use tokio::sync::oneshot;

    /// Sends on drop, so a test sees when an aborted task's future is dropped.
    struct DropSignal(Option<oneshot::Sender<()>>);

    impl Drop for DropSignal {
        fn drop(&mut self) {
            if let Some(tx) = self.0.take() {
                let _ = tx.send(());
            }
        }
    }

    async fn forever(guard: DropSignal) {
        let _guard = guard;
        std::future::pending::<()>().await;
    }

    #[tokio::test]
    async fn cancelling_a_step_aborts_its_tasks_and_only_its_tasks() {
        let mut registry = TaskRegistry::default();
        let (org_tx, org_rx) = oneshot::channel();
        let (recipe_tx, mut recipe_rx) = oneshot::channel();
        registry.spawn(Step::Organization, forever(DropSignal(Some(org_tx))));
        registry.spawn(Step::TokenRecipe, forever(DropSignal(Some(recipe_tx))));
        tokio::task::yield_now().await;
        assert_eq!(registry.running(Step::Organization), 1);

        registry.cancel_step(Step::Organization);
        tokio::time::timeout(Duration::from_secs(5), org_rx)
            .await
            .expect("the organization task was aborted")
            .expect("its future was dropped");
        assert_eq!(registry.running(Step::Organization), 0);
        assert_eq!(registry.running(Step::TokenRecipe), 1);
        assert!(
            recipe_rx.try_recv().is_err(),
            "the other step's task runs on"
        );

        drop(registry);
        tokio::time::timeout(Duration::from_secs(5), recipe_rx)
            .await
            .expect("dropping the registry aborts the rest")
            .expect("its future was dropped");
    }

    /// A simulated organization that holds every answer for a minute, longer than the client's own
    /// 30 s timeout: a request stays pending until the step is left, and only the abort can end it
    /// within the tests' waits.
    async fn unanswering_organization() -> (SimHandle, OrgUrl) {
        let options = SimOptions {
            latency: Duration::from_secs(60),
            ..SimOptions::default()
        };
        let sim = sim::start(Scenario::demo(), "127.0.0.1:0".parse().unwrap(), options)
            .await
            .unwrap();
        let org = OrgUrl::parse(&sim.org_url()).unwrap();
        (sim, org)
    }

    /// Waits (bounded) until the simulator has received `n` requests.
    async fn until_received(sim: &SimHandle, n: u64) {
        tokio::time::timeout(Duration::from_secs(10), async {
            while sim.requests_total() < n {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        })
        .await
        .expect("the request reached the simulator");
    }

    /// Leaving the step must close the in-flight request's connection: the server sees the client
    /// hang up, which happens within the wait only if the task was really aborted.
    async fn assert_hung_up(sim: &SimHandle, route: &str) {
        tokio::time::timeout(Duration::from_secs(10), sim.requests_abandoned(1))
            .await
            .expect("the simulator saw the client hang up on the pending request");
        assert_eq!(
            sim.abandoned_by_route(),
            [(route.to_owned(), 1)].into(),
            "only the pending request was abandoned"
        );
    }

    #[tokio::test]
    async fn cancel_effect_aborts_an_in_flight_probe() {
        let (sim, org) = unanswering_organization().await;
        let (tx, mut rx) = unbounded_channel();
        let mut runner = EffectRunner::new(tx, |_| Ok(()), std::env::temp_dir());
        let mut out = Vec::new();
        let probe = Effect::ProbeOrganization {
            request: RequestId(1),
            org,
        };
        assert_eq!(
            runner.run(probe, Step::Organization, &mut out),
            Flow::Continue
        );
        until_received(&sim, 1).await;
        runner.run(
            Effect::CancelStep(Step::Organization),
            Step::Organization,
            &mut out,
        );
        assert_hung_up(&sim, "GET connectionData").await;
        assert!(rx.try_recv().is_err(), "an aborted probe sends nothing");
        assert_eq!(sim.requests_total(), 1, "nor does it try again");
    }

    #[tokio::test]
    async fn probe_answers_with_the_request_it_was_asked_for() {
        // The simulator hosts one organization and answers 404 for any other.
        let sim = sim::start(
            Scenario::demo(),
            "127.0.0.1:0".parse().unwrap(),
            SimOptions::default(),
        )
        .await
        .unwrap();
        let (tx, mut rx) = unbounded_channel();
        let mut runner = EffectRunner::new(tx, |_| Ok(()), std::env::temp_dir());
        let org = OrgUrl::parse(&format!("{}/nowhere", sim.base_url())).unwrap();
        runner.run(
            Effect::ProbeOrganization {
                request: RequestId(7),
                org,
            },
            Step::Organization,
            &mut Vec::new(),
        );
        let msg = tokio::time::timeout(Duration::from_secs(10), rx.recv())
            .await
            .unwrap()
            .unwrap();
        let Msg::OrgProbed { request, result } = msg else {
            panic!("expected the probe's answer");
        };
        assert_eq!(request, RequestId(7));
        assert_eq!(result, Ok(reachability::OrgPresence::NotFound));
    }

    /// Runs effects until the runner answers with a message matching `wanted`.
    async fn answer(rx: &mut UnboundedReceiver<Msg>, wanted: fn(&Msg) -> bool) -> Msg {
        loop {
            let msg = tokio::time::timeout(Duration::from_secs(10), rx.recv())
                .await
                .expect("the runner answered")
                .expect("the channel is open");
            if wanted(&msg) {
                return msg;
            }
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn leaving_the_step_aborts_a_running_audit() {
        use crate::token::Pat;
        use crate::tui::effect::StoreTarget;

        let (sim, org) = unanswering_organization().await;
        let (tx, mut rx) = unbounded_channel();
        let dir = tempfile::tempdir().unwrap();
        let mut runner = EffectRunner::new(tx, |_| Ok(()), dir.path().to_path_buf());
        let mut out = Vec::new();
        runner.run(
            Effect::StoreToken {
                request: RequestId(1),
                org: org.clone(),
                token: Pat::parse("session-token").unwrap(),
                target: StoreTarget::SessionOnly,
                keep_old: None,
                webhook_password: None,
            },
            Step::Save,
            &mut out,
        );
        let stored = answer(&mut rx, |m| matches!(m, Msg::TokenStored { .. })).await;
        assert!(matches!(stored, Msg::TokenStored { result: Ok(_), .. }));
        runner.run(
            Effect::RunAudit {
                request: RequestId(2),
                org,
                profile: crate::profile::GateProfile::default_profile(),
                previous: None,
                storage: None,
            },
            Step::Permissions,
            &mut out,
        );
        until_received(&sim, 1).await;
        runner.run(
            Effect::CancelStep(Step::Permissions),
            Step::Permissions,
            &mut out,
        );
        assert_hung_up(&sim, "GET connectionData").await;
        assert_eq!(
            sim.requests_total(),
            1,
            "the aborted audit sent nothing more"
        );
        while let Ok(msg) = rx.try_recv() {
            assert!(
                !matches!(msg, Msg::Audited { .. }),
                "an aborted audit reports nothing"
            );
        }
    }

    #[tokio::test]
    async fn clipboard_goes_through_the_terminal_as_osc52() {
        let (tx, mut rx) = unbounded_channel();
        let mut runner = EffectRunner::new(tx, |_| Ok(()), std::env::temp_dir());
        let mut out = Vec::new();
        runner.run(
            Effect::CopyToClipboard("https://dev.azure.com/fabrikam/_usersSettings/tokens".into()),
            Step::TokenRecipe,
            &mut out,
        );
        let expected = format!(
            "\x1b]52;c;{}\x07",
            base64::engine::general_purpose::STANDARD
                .encode("https://dev.azure.com/fabrikam/_usersSettings/tokens")
        );
        assert_eq!(String::from_utf8(out).unwrap(), expected);
        assert!(matches!(
            rx.recv().await,
            Some(Msg::ClipboardWritten { result: Ok(()) })
        ));
    }

    #[tokio::test]
    async fn a_browser_failure_comes_back_as_a_message() {
        let (tx, mut rx) = unbounded_channel();
        let mut runner = EffectRunner::new(
            tx,
            |_| Err(io::Error::other("no display")),
            std::env::temp_dir(),
        );
        runner.run(
            Effect::OpenUrl("https://dev.azure.com/fabrikam/_usersSettings/tokens".into()),
            Step::TokenRecipe,
            &mut Vec::new(),
        );
        let msg = tokio::time::timeout(Duration::from_secs(5), rx.recv())
            .await
            .unwrap()
            .unwrap();
        let Msg::BrowserOpened { url, result } = msg else {
            panic!("expected the browser's answer");
        };
        assert!(url.ends_with("/_usersSettings/tokens"));
        assert_eq!(result, Err("no display".to_owned()));
    }

    #[test]
    fn key_presses_pastes_and_resizes_become_messages() {
        use crossterm::event::{KeyCode, KeyEvent, KeyEventState, KeyModifiers};
        let key = |kind| {
            Event::Key(KeyEvent::new_with_kind_and_state(
                KeyCode::Char('a'),
                KeyModifiers::NONE,
                kind,
                KeyEventState::NONE,
            ))
        };
        assert!(matches!(
            message_for(key(KeyEventKind::Press)),
            Some(Msg::Key(_))
        ));
        assert!(message_for(key(KeyEventKind::Release)).is_none());
        assert!(message_for(key(KeyEventKind::Repeat)).is_none());
        assert!(matches!(
            message_for(Event::Resize(100, 30)),
            Some(Msg::Resized {
                width: 100,
                height: 30
            })
        ));
        assert!(matches!(
            message_for(Event::Paste("x".into())),
            Some(Msg::Paste(_))
        ));
    }
}

//! The wizard's frame times, measured on a 100×30 test terminal in a release build:
//!
//! - the coverage step with 10 000 repositories (100 projects of 100): one frame per cursor move,
//!   target under 5 ms a frame;
//! - the plan review of every repository selected there, one frame per page moved, target under
//!   5 ms a frame;
//! - one filter keystroke on those 10 000 repositories (`update` only: the filter is computed there);
//! - start to first frame: `App::new` and the first render, target under 100 ms;
//! - the same seen from outside: the real binary started in a 100×30 tmux pane until its first
//!   screen is visible there (includes process start, runtime, state load and tmux's own latency;
//!   skipped with a printed reason when tmux is absent).
//!
//! Run with `cargo bench --bench tui`; prints mean, p95 and max per measurement. Plain timing, no
//! statistics framework: the figures asked for are a mean and a 95th percentile.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/tui_support/mod.rs"]
mod tui_support;

use std::hint::black_box;
use std::process::Command;
use std::time::{Duration, Instant};

use azdo_gate::audit::{Coverage, RepositoryAudit};
use azdo_gate::tui::{App, Msg, Step, Theme, render};
use crossterm::event::KeyCode;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use tui_support::{at_permissions, audit_report, key, options, repo, send, type_text};

const PROJECTS: u8 = 100;
const PER_PROJECT: u16 = 100;

/// 10 000 repositories with every coverage class, a tenth of them new.
fn repositories() -> Vec<RepositoryAudit> {
    let classes = [
        Coverage::Covered,
        Coverage::Missing,
        Coverage::Partial,
        Coverage::Unhealthy,
        Coverage::Covered,
        Coverage::NotApplicable,
    ];
    let mut repos = Vec::with_capacity(usize::from(PROJECTS) * usize::from(PER_PROJECT));
    for p in 0..PROJECTS {
        for r in 0..PER_PROJECT {
            let coverage = classes[usize::from(r) % classes.len()];
            let mut repo = repo(
                1,
                1,
                &format!("project-{p:03}"),
                &format!("repo-{p:03}-{r:03}"),
                coverage,
                r % 10 == 0,
            );
            repo.id = format!("{p:08}-0000-4000-8000-{r:012}");
            repo.project_id = format!("{p:08}-0000-4000-8000-000000000000");
            repos.push(repo);
        }
    }
    repos
}

/// The coverage step with the 10 000 repositories loaded.
fn coverage_app() -> App {
    let (mut app, request) = at_permissions();
    send(
        &mut app,
        Msg::Audited {
            request,
            result: Ok(audit_report(repositories())),
            at: tui_support::at(),
        },
    );
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.step(), Step::Coverage);
    app
}

struct Stats {
    mean: Duration,
    p95: Duration,
    max: Duration,
}

fn stats(mut samples: Vec<Duration>) -> Stats {
    samples.sort();
    let total: Duration = samples.iter().sum();
    let index = (samples.len() * 95).div_ceil(100).saturating_sub(1);
    Stats {
        mean: total / u32::try_from(samples.len()).unwrap(),
        p95: samples[index],
        max: samples[samples.len() - 1],
    }
}

fn report(name: &str, samples: Vec<Duration>, target: Option<Duration>) {
    let count = samples.len();
    let s = stats(samples);
    let verdict = match target {
        Some(t) if s.p95 <= t => format!("  (target {t:?}: met)"),
        Some(t) => format!("  (target {t:?}: MISSED)"),
        None => String::new(),
    };
    println!(
        "{name:<48} n={count:<5} mean {:>10.3?}  p95 {:>10.3?}  max {:>10.3?}{verdict}",
        s.mean, s.p95, s.max
    );
}

fn main() {
    // `cargo test --benches` runs this binary with `--bench` absent: keep that run short.
    let full = std::env::args().any(|a| a == "--bench");
    let frames = if full { 2_000 } else { 20 };
    let starts = if full { 200 } else { 5 };

    let mut app = coverage_app();
    let mut terminal = Terminal::new(TestBackend::new(100, 30)).unwrap();
    terminal.draw(|f| render(&app, f)).unwrap();
    let mut samples = Vec::with_capacity(frames);
    for i in 0..frames {
        // Walk down the list, jumping a page now and then, as an admin scrolling would.
        key(
            &mut app,
            if i % 50 == 49 {
                KeyCode::PageDown
            } else {
                KeyCode::Down
            },
        );
        let started = Instant::now();
        terminal.draw(|f| render(black_box(&app), f)).unwrap();
        samples.push(started.elapsed());
    }
    report(
        "coverage frame, 10 000 repositories",
        samples,
        Some(Duration::from_millis(5)),
    );

    // The plan review for every selected repository of the 10 000: one frame per page moved.
    let mut app = coverage_app();
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.step(), Step::Plan);
    terminal.draw(|f| render(&app, f)).unwrap();
    let mut samples = Vec::with_capacity(frames);
    for i in 0..frames {
        key(
            &mut app,
            if i % 100 == 99 {
                KeyCode::Home
            } else {
                KeyCode::PageDown
            },
        );
        let started = Instant::now();
        terminal.draw(|f| render(black_box(&app), f)).unwrap();
        samples.push(started.elapsed());
    }
    report(
        "plan review frame, 10 000 repositories selected",
        samples,
        Some(Duration::from_millis(5)),
    );

    let mut app = coverage_app();
    key(&mut app, KeyCode::Char('/'));
    let mut samples = Vec::with_capacity(frames);
    for i in 0..frames {
        let started = Instant::now();
        if i % 2 == 0 {
            type_text(&mut app, "7");
        } else {
            key(&mut app, KeyCode::Backspace);
        }
        samples.push(started.elapsed());
    }
    report(
        "filter keystroke (update), 10 000 repositories",
        samples,
        None,
    );

    let mut samples = Vec::with_capacity(starts);
    for _ in 0..starts {
        let started = Instant::now();
        let app = App::new(options(), Theme::from_env());
        let mut terminal = Terminal::new(TestBackend::new(100, 30)).unwrap();
        terminal.draw(|f| render(black_box(&app), f)).unwrap();
        samples.push(started.elapsed());
    }
    report(
        "start to first frame (App::new + render)",
        samples,
        Some(Duration::from_millis(100)),
    );

    match binary_first_frames(if full { 30 } else { 2 }) {
        Some(samples) => report(
            "process start to first frame (binary in tmux)",
            samples,
            Some(Duration::from_millis(100)),
        ),
        None => println!("process start to first frame: skipped, tmux is not installed"),
    }
}

/// Starts `azdo-gate` (first run: the welcome screen) in a detached tmux pane and polls the pane
/// until the welcome text shows; one sample per start. The first start, which also starts the tmux
/// server, is not counted.
fn binary_first_frames(runs: usize) -> Option<Vec<Duration>> {
    Command::new("tmux").arg("-V").output().ok()?;
    let config = tempfile::tempdir().unwrap();
    let command = format!(
        "AZDO_GATE_CONFIG_DIR='{}' exec '{}'",
        config.path().display(),
        env!("CARGO_BIN_EXE_azdo-gate")
    );
    let mut samples = Vec::with_capacity(runs);
    for run in 0..=runs {
        let session = format!("azdo-gate-bench-{}-{run}", std::process::id());
        let tmux = |args: &[&str]| Command::new("tmux").args(args).output().unwrap();
        let started = Instant::now();
        tmux(&[
            "new-session",
            "-d",
            "-s",
            &session,
            "-x",
            "100",
            "-y",
            "30",
            &command,
        ]);
        // The warm-up also starts the tmux server, which can take a while on a busy machine.
        let deadline = started + Duration::from_secs(if run == 0 { 30 } else { 10 });
        loop {
            let pane = tmux(&["capture-pane", "-p", "-t", &session]);
            if String::from_utf8_lossy(&pane.stdout).contains("Welcome") {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "no first frame in time; the pane shows:\n{}",
                String::from_utf8_lossy(&pane.stdout)
            );
        }
        let elapsed = started.elapsed();
        tmux(&["kill-session", "-t", &session]);
        if run > 0 {
            samples.push(elapsed);
        }
    }
    Some(samples)
}

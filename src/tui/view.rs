//! `render`: draws the state. A pure function of `App` (the clock is in the state, not read here).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Padding, Paragraph, Wrap};

use crate::columns;
use crate::tui::app::{App, Popup, Tone};
use crate::tui::keymap::{self, Move};
use crate::tui::steps::{self, Step, apply, home, plan_review};
use crate::tui::widgets::{centered, confirm_popup, footer, hanging, help_popup, step_header};

/// Below this size the layout cannot hold a step; the admin is asked to enlarge the terminal.
pub const MIN_WIDTH: u16 = 80;
pub const MIN_HEIGHT: u16 = 24;

const DEMO_BANNER: &str = "SIMULATION — nothing here touches a real organization";

/// Draws the whole screen for `app`.
pub fn render(app: &App, frame: &mut Frame) {
    let area = frame.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        render_too_small(frame, area);
        return;
    }
    let theme = app.theme;
    let banner_height = u16::from(app.demo);
    let status_lines = app.status.as_ref().map_or(Vec::new(), |status| {
        let style = match status.tone {
            Tone::Info => theme.value(),
            Tone::Success => theme.success(),
            Tone::Error => theme.error(),
        };
        hanging::wrap(" ", style, &status.text, style, area.width)
    });
    let status_height = u16::try_from(status_lines.len().clamp(1, 3)).unwrap_or(1);
    // The keys that act now: the footer shows them, popups their own.
    let bindings = keymap::active(app);
    let footer_lines = footer::lines(&bindings, area.width, theme);
    let footer_height = u16::try_from(footer_lines.len()).unwrap_or(1);
    let [header, banner, body, status, footer_area] = area.layout(&Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(banner_height),
        Constraint::Fill(1),
        Constraint::Length(status_height),
        Constraint::Length(footer_height),
    ]));
    let journey = if app.step == Step::Home {
        "home"
    } else {
        app.flow.label()
    };
    let title = match home::expiry_alert(app).filter(|_| app.step == Step::Home) {
        Some(alert) => format!("{alert} · {}", app.step.title()),
        None => app.step.title().to_owned(),
    };
    step_header::render(
        frame,
        header,
        journey,
        app.flow.position(app.step),
        &title,
        theme,
    );
    if app.demo {
        frame.render_widget(
            Line::from(Span::styled(DEMO_BANNER, theme.banner())).centered(),
            banner,
        );
    }
    let block = Block::bordered()
        .title(Line::from(Span::styled(
            format!(" {} ", app.step.title()),
            theme.title(),
        )))
        .border_style(theme.muted())
        .padding(Padding::horizontal(1));
    let inner = block.inner(body);
    frame.render_widget(block, body);
    steps::render(app, frame, inner);

    frame.render_widget(Paragraph::new(status_lines), status);

    frame.render_widget(Paragraph::new(footer_lines), footer_area);

    match app.popup {
        Some(Popup::Help) => {
            // Everything below the header and banner: the help is read, not glanced at.
            let room = Rect {
                y: body.y,
                height: footer_area.y - body.y,
                ..body
            };
            help_popup::render(
                frame,
                room,
                app.step.title(),
                (steps::about(app), &keymap::step_keys(app)),
                app.help_scroll,
                theme,
            );
        }
        Some(Popup::ConfirmQuit) => {
            let facts = app.saved_and_changed();
            let detail: Vec<&str> =
                std::iter::once("What you entered and did not save will be lost.")
                    .chain(facts.iter().map(String::as_str))
                    .collect();
            confirm_popup::render(
                frame,
                body,
                "Quit the setup?",
                &detail,
                &[],
                &bindings,
                theme,
            );
        }
        Some(Popup::StopApply) => {
            let (question, detail) = apply::stop_text(app);
            let detail: Vec<&str> = detail.iter().map(String::as_str).collect();
            confirm_popup::render(frame, body, &question, &detail, &[], &bindings, theme);
        }
        Some(Popup::ConfirmApply) => {
            let (question, detail) = plan_review::confirm_text(app);
            let detail: Vec<&str> = detail.iter().map(String::as_str).collect();
            confirm_popup::render(
                frame,
                body,
                &question,
                &detail,
                &plan_review::confirm_choices(app),
                &bindings,
                theme,
            );
        }
        None => {}
    }
}

/// The help's scroll offset after `movement`, stopping where its last line shows on the screen
/// as last resized (the help popup's footer is one line: only Esc carries a hint).
pub(crate) fn help_scrolled(app: &App, movement: Move) -> usize {
    let (width, height) = app.size.unwrap_or((MIN_WIDTH, MIN_HEIGHT));
    let lines = help_popup::lines(
        steps::about(app),
        &keymap::step_keys(app),
        width.min(help_popup::MAX_WIDTH) - help_popup::BORDER,
        app.theme,
    )
    .len();
    // The screen less the header, any banner, the footer and the popup's borders.
    let room = usize::from(height.saturating_sub(4 + u16::from(app.demo)));
    match movement {
        Move::Up | Move::PageUp | Move::Top => app.help_scroll.saturating_sub(1),
        Move::Down | Move::PageDown | Move::Bottom => {
            (app.help_scroll + 1).min(lines.saturating_sub(room))
        }
    }
}

fn render_too_small(frame: &mut Frame, area: Rect) {
    let text = format!(
        "Please enlarge the terminal to at least {MIN_WIDTH}×{MIN_HEIGHT} (now {}×{}).",
        area.width, area.height
    );
    let lines = u16::try_from(columns::width(&text))
        .unwrap_or(u16::MAX)
        .div_ceil(area.width.max(1));
    frame.render_widget(
        Paragraph::new(text).centered().wrap(Wrap { trim: true }),
        centered(area, area.width, lines),
    );
}

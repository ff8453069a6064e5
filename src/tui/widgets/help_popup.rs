//! The `?` popup: every binding of the current step with its sentence, drawn over the step.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Padding, Paragraph, Row, Table};

use super::centered;
use crate::columns;
use crate::tui::keymap::{Binding, keys_label};
use crate::tui::theme::Theme;

/// Draws the help for `bindings` centred in `area`.
pub fn render(frame: &mut Frame, area: Rect, title: &str, bindings: &[Binding], theme: Theme) {
    let rows: Vec<Row> = bindings
        .iter()
        .map(|b| {
            Row::new(vec![
                Line::from(Span::styled(keys_label(b), theme.value())),
                Line::from(b.help),
            ])
        })
        .collect();
    let key_width = bindings
        .iter()
        .map(|b| columns::width(&keys_label(b)))
        .max()
        .unwrap_or(0);
    let key_width = u16::try_from(key_width).unwrap_or(u16::MAX);
    // Rows, borders, the blank line and the closing hint.
    let height = u16::try_from(bindings.len())
        .unwrap_or(u16::MAX)
        .saturating_add(4);
    let popup = centered(area, 72, height);
    let block = Block::bordered()
        .title(Line::from(Span::styled(
            format!(" Help · {title} "),
            theme.title(),
        )))
        .border_style(theme.focused())
        .padding(Padding::horizontal(1));
    let inner = block.inner(popup);
    frame.render_widget(Clear, popup);
    frame.render_widget(block, popup);
    let [table_area, hint_area] = inner.layout(&ratatui::layout::Layout::vertical([
        Constraint::Fill(1),
        Constraint::Length(1),
    ]));
    let table =
        Table::new(rows, [Constraint::Length(key_width), Constraint::Fill(1)]).column_spacing(2);
    frame.render_widget(table, table_area);
    frame.render_widget(
        Paragraph::new(Line::from(Span::styled(
            "Esc closes this help",
            theme.muted(),
        ))),
        hint_area,
    );
}

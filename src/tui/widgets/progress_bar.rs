//! Progress with a known end: a bar of block characters and the percentage, in text so it reads the
//! same with or without colour.

use ratatui::text::{Line, Span};

use crate::tui::theme::Theme;

/// `████████░░░░░░░░  50%` filling `width` columns (the percentage included).
pub fn line(fraction: f64, width: u16, theme: Theme) -> Line<'static> {
    let fraction = fraction.clamp(0.0, 1.0);
    let bar_width = usize::from(width.saturating_sub(6));
    // Rounded down so the bar is full only when the work is.
    let filled = ((bar_width as f64) * fraction).floor() as usize;
    let percent = (fraction * 100.0).floor() as u32;
    Line::from(vec![
        Span::styled("█".repeat(filled), theme.title()),
        Span::styled("░".repeat(bar_width - filled.min(bar_width)), theme.muted()),
        Span::styled(format!(" {percent:>3}%"), theme.value()),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bar_fills_with_the_fraction_and_never_overflows() {
        let text = |f| line(f, 16, Theme::plain()).to_string();
        assert_eq!(text(0.0), "░░░░░░░░░░   0%");
        assert_eq!(text(0.5), "█████░░░░░  50%");
        assert_eq!(text(1.0), "██████████ 100%");
        assert_eq!(text(7.0), "██████████ 100%");
    }
}

//! Styles that stay readable on dark and light terminals alike.
//!
//! No fixed backgrounds: emphasis comes from bold, reverse video and a handful of named colours that
//! terminals map to their own palette. `NO_COLOR` (present and non-empty, per no-color.org) removes the
//! colours but keeps bold and reverse, so nothing that matters is conveyed by colour alone.

use ratatui::style::{Color, Modifier, Style};

/// The wizard's palette; render code asks for roles, never for colours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    color: bool,
}

impl Theme {
    /// With colours.
    pub const fn colored() -> Self {
        Self { color: true }
    }

    /// Without colours (bold and reverse only).
    pub const fn plain() -> Self {
        Self { color: false }
    }

    /// Honours the `NO_COLOR` convention for the current process.
    pub fn from_env() -> Self {
        Self::from_no_color(std::env::var_os("NO_COLOR").as_deref())
    }

    /// `NO_COLOR` present and non-empty disables colour; an empty value does not.
    pub fn from_no_color(value: Option<&std::ffi::OsStr>) -> Self {
        match value {
            Some(v) if !v.is_empty() => Self::plain(),
            _ => Self::colored(),
        }
    }

    fn fg(self, color: Color) -> Style {
        if self.color {
            Style::new().fg(color)
        } else {
            Style::new()
        }
    }

    /// Headings and the step indicator.
    pub fn title(self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    /// Key names in the footer and help popup.
    pub fn key(self) -> Style {
        Style::new().add_modifier(Modifier::BOLD | Modifier::REVERSED)
    }

    /// Values the admin must type or pick exactly as shown.
    pub fn value(self) -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }

    /// Secondary text: parsed previews, explanations.
    pub fn muted(self) -> Style {
        Style::new().add_modifier(Modifier::DIM)
    }

    /// Links the admin may want to open or copy.
    pub fn link(self) -> Style {
        self.fg(Color::Blue).add_modifier(Modifier::UNDERLINED)
    }

    pub fn error(self) -> Style {
        self.fg(Color::Red).add_modifier(Modifier::BOLD)
    }

    pub fn warning(self) -> Style {
        self.fg(Color::Yellow).add_modifier(Modifier::BOLD)
    }

    pub fn success(self) -> Style {
        self.fg(Color::Green).add_modifier(Modifier::BOLD)
    }

    /// The border of the focused input.
    pub fn focused(self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    /// The demo banner: impossible to miss on any background.
    pub fn banner(self) -> Style {
        self.fg(Color::Yellow)
            .add_modifier(Modifier::BOLD | Modifier::REVERSED)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::OsStr;

    #[test]
    fn no_color_needs_a_non_empty_value() {
        assert_eq!(Theme::from_no_color(None), Theme::colored());
        assert_eq!(Theme::from_no_color(Some(OsStr::new(""))), Theme::colored());
        assert_eq!(Theme::from_no_color(Some(OsStr::new("1"))), Theme::plain());
    }

    #[test]
    fn plain_theme_keeps_emphasis_but_drops_colours() {
        let plain = Theme::plain();
        for style in [
            plain.error(),
            plain.title(),
            plain.banner(),
            plain.success(),
        ] {
            assert_eq!(style.fg, None);
            assert_eq!(style.bg, None);
            assert!(style.add_modifier.contains(Modifier::BOLD));
        }
        assert!(plain.banner().add_modifier.contains(Modifier::REVERSED));
        assert_eq!(Theme::colored().error().fg, Some(Color::Red));
    }
}

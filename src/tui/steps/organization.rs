//! Step 2: which organization. The address is parsed as it is typed; Enter asks the server whether
//! the organization exists (no token is sent), and the wizard moves on only when it does.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::ado::AdoError;
use crate::checks::reachability::OrgPresence;
use crate::org::{Deployment, OrgError, OrgUrl};
use crate::tui::app::App;
use crate::tui::effect::Effect;
use crate::tui::keymap::{Action, Binding, EDITING, ENTER, ESC, GLOBAL, Keymap};
use crate::tui::msg::RequestId;
use crate::tui::steps::Step;
use crate::tui::widgets::{hanging, spinner, text_input, text_input::TextInput};

pub const KEYMAP: Keymap = &[
    &[
        Binding::new(
            &[ENTER],
            Action::Continue,
            "Check that the organization exists, then continue",
        )
        .hint("check & continue")
        .when(can_continue),
        Binding::new(&[ESC], Action::Back, "Back to the welcome screen").hint("back"),
    ],
    GLOBAL,
    EDITING,
];

/// Enter does something once the text is an address and no check is running.
fn can_continue(app: &App) -> bool {
    app.organization.parsed.is_ok() && !matches!(app.organization.check, OrgCheck::Checking { .. })
}

/// Where the existence check stands, always for the organization it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum OrgCheck {
    NotChecked,
    Checking {
        request: RequestId,
        org: OrgUrl,
    },
    Exists(OrgUrl),
    NotFound(OrgUrl),
    Failed {
        org: OrgUrl,
        error: AdoError,
    },
    /// The demo was given another organization than the simulated one (named here): not looked up.
    OutsideDemo(OrgUrl),
}

/// The field and what is known about its content.
#[derive(Debug)]
pub struct OrganizationState {
    pub(crate) input: TextInput,
    pub(crate) parsed: Result<OrgUrl, OrgError>,
    pub(crate) check: OrgCheck,
}

impl OrganizationState {
    pub(crate) fn new(initial: &str) -> Self {
        Self {
            input: TextInput::new(initial),
            parsed: OrgUrl::parse(initial),
            check: OrgCheck::NotChecked,
        }
    }

    /// An organization already known to exist (a remembered one, from the home screen).
    pub(crate) fn confirmed_as(org: OrgUrl) -> Self {
        Self {
            input: TextInput::new(org.base()),
            parsed: Ok(org.clone()),
            check: OrgCheck::Exists(org),
        }
    }

    /// The organization, once the server confirmed it exists.
    pub(crate) fn confirmed(&self) -> Option<&OrgUrl> {
        match &self.check {
            OrgCheck::Exists(org) => Some(org),
            _ => None,
        }
    }

    /// Forgets an in-flight check (its task is being cancelled); finished results stay.
    pub(crate) fn abandon_check(&mut self) {
        if matches!(self.check, OrgCheck::Checking { .. }) {
            self.check = OrgCheck::NotChecked;
        }
    }

    /// After an edit: re-parse, and drop any result, which was about the old text.
    fn edited(&mut self) -> Vec<Effect> {
        self.parsed = OrgUrl::parse(self.input.value());
        let was_checking = matches!(self.check, OrgCheck::Checking { .. });
        self.check = OrgCheck::NotChecked;
        if was_checking {
            vec![Effect::CancelStep(Step::Organization)]
        } else {
            Vec::new()
        }
    }
}

pub(crate) fn on_action(app: &mut App, action: Action) -> Vec<Effect> {
    match action {
        Action::Continue => continue_or_check(app),
        Action::Edit(edit) => {
            if app.organization.input.edit(edit) {
                app.touched = true;
                app.organization.edited()
            } else {
                Vec::new()
            }
        }
        _ => Vec::new(),
    }
}

/// Enter: move on if the organization is confirmed, otherwise (re)start the check.
fn continue_or_check(app: &mut App) -> Vec<Effect> {
    let Ok(org) = app.organization.parsed.clone() else {
        return Vec::new();
    };
    if let Some(demo) = app.demo_org.as_ref().filter(|demo| **demo != org) {
        app.organization.check = OrgCheck::OutsideDemo(demo.clone());
        return Vec::new();
    }
    match app.organization.check {
        OrgCheck::Checking { .. } => Vec::new(),
        OrgCheck::Exists(_) => app.advance(),
        OrgCheck::NotChecked
        | OrgCheck::NotFound(_)
        | OrgCheck::Failed { .. }
        | OrgCheck::OutsideDemo(_) => {
            let request = app.new_request();
            app.organization.check = OrgCheck::Checking {
                request,
                org: org.clone(),
            };
            vec![Effect::ProbeOrganization { request, org }]
        }
    }
}

pub(crate) fn on_text(app: &mut App, text: &str) -> Vec<Effect> {
    let before = app.organization.input.value().len();
    app.organization.input.insert(text);
    if app.organization.input.value().len() == before {
        return Vec::new();
    }
    app.touched = true;
    app.organization.edited()
}

/// The probe's answer. Only the answer to the request in flight counts: an older one is about text
/// the admin has since changed, or a step they have left.
pub(crate) fn on_probed(
    app: &mut App,
    request: RequestId,
    result: Result<OrgPresence, AdoError>,
) -> Vec<Effect> {
    let OrgCheck::Checking {
        request: current,
        org,
    } = &app.organization.check
    else {
        return Vec::new();
    };
    if *current != request {
        return Vec::new();
    }
    let org = org.clone();
    app.organization.check = match result {
        Ok(OrgPresence::Exists) => OrgCheck::Exists(org),
        Ok(OrgPresence::NotFound) => OrgCheck::NotFound(org),
        Err(error) => OrgCheck::Failed { org, error },
    };
    if app.step == Step::Organization && app.organization.confirmed().is_some() {
        app.advance()
    } else {
        Vec::new()
    }
}

/// Where the name went wrong, for the kind of server the admin typed.
fn not_found_advice(org: &OrgUrl) -> &'static str {
    match org.deployment() {
        Deployment::Cloud => {
            "Check the spelling: the name is the part after dev.azure.com/ in the address you open in the browser."
        }
        Deployment::Server | Deployment::Loopback => {
            "Check the collection name: it is the path segment after the server (and /tfs) in the address you open in the browser."
        }
    }
}

/// What to do about a failed check, in the admin's terms.
fn advice(error: &AdoError) -> &'static str {
    match error {
        AdoError::Network {
            timed_out: true, ..
        } => {
            "The server did not answer in time. Check your network, VPN or proxy (HTTPS_PROXY), then press Enter to try again."
        }
        AdoError::Network { .. } => {
            "Check the address, your network, VPN or proxy (HTTPS_PROXY), then press Enter to try again."
        }
        AdoError::Throttled { .. } | AdoError::Server { .. } => {
            "Azure DevOps is busy or having trouble. Wait a moment, then press Enter to try again."
        }
        AdoError::PermissionDenied { .. } => {
            "The server refused anonymous access outright. Check the address; if it is right, press Enter to try again."
        }
        _ => {
            "This address may not be an Azure DevOps organization. Check it, then press Enter to try again."
        }
    }
}

pub(crate) fn render(app: &App, frame: &mut Frame, area: Rect) {
    let theme = app.theme;
    let state = &app.organization;
    let mut intro_lines = vec![
        Line::from(Span::styled("Which organization?", theme.title())),
        Line::default(),
    ];
    if app.demo_org.is_some() {
        intro_lines.extend(hanging::wrap(
            "",
            Style::new(),
            "The demo knows one organization, the simulated one; its address is filled in. Press Enter to continue.",
            Style::new(),
            area.width,
        ));
    } else {
        intro_lines.extend(hanging::wrap_spans(
            "",
            Style::new(),
            &[
                Span::raw("Type its name ("),
                Span::styled("fabrikam", theme.value()),
                Span::raw(") or paste any address from it ("),
                Span::styled("https://dev.azure.com/fabrikam/…", theme.value()),
                Span::raw(")."),
            ],
            area.width,
        ));
        intro_lines.extend(hanging::wrap_spans(
            "",
            Style::new(),
            &[
                Span::raw("Azure DevOps Server: the collection address ("),
                Span::styled(
                    "https://tfs.example.com/tfs/DefaultCollection",
                    theme.value(),
                ),
                Span::raw(")."),
            ],
            area.width,
        ));
    }
    // The intro wraps on a narrow screen; one blank row keeps it off the field.
    let intro_height = u16::try_from(intro_lines.len() + 1).unwrap_or(u16::MAX);
    let [intro, field, below] = area.layout(&Layout::vertical([
        Constraint::Length(intro_height),
        Constraint::Length(3),
        Constraint::Fill(1),
    ]));
    frame.render_widget(Paragraph::new(intro_lines), intro);
    let field = field.intersection(Rect { width: 72, ..field });
    text_input::render(
        frame,
        field,
        &state.input,
        "Organization",
        app.popup.is_none(),
        theme,
    );

    let width = below.width;
    let mut lines = match &state.parsed {
        Ok(org) => hanging::wrap("  → ", theme.muted(), org.base(), theme.muted(), width),
        Err(OrgError::Empty) => hanging::wrap(
            "  ",
            theme.muted(),
            "Type the organization's name or address.",
            theme.muted(),
            width,
        ),
        Err(error) => hanging::wrap(
            "  ✗ ",
            theme.error(),
            &error.to_string(),
            theme.error(),
            width,
        ),
    };
    lines.push(Line::default());
    match &state.check {
        OrgCheck::NotChecked => {}
        OrgCheck::Checking { org, .. } => lines.extend(hanging::wrap(
            &format!("  {} ", spinner::frame(app.tick)),
            theme.title(),
            &format!("Checking that {} exists…", org.base()),
            Style::new(),
            width,
        )),
        OrgCheck::Exists(org) => lines.extend(hanging::wrap(
            "  ✓ ",
            theme.success(),
            &format!("{} exists. Press Enter to continue.", org.base()),
            Style::new(),
            width,
        )),
        OrgCheck::NotFound(org) => {
            lines.extend(hanging::wrap(
                "  ✗ ",
                theme.error(),
                &format!("There is no organization at {}.", org.base()),
                theme.error(),
                width,
            ));
            lines.extend(hanging::wrap(
                "    ",
                Style::new(),
                not_found_advice(org),
                Style::new(),
                width,
            ));
        }
        OrgCheck::OutsideDemo(demo) => lines.extend(hanging::wrap(
            "  ✗ ",
            theme.error(),
            &format!(
                "The demo only knows the simulated organization, {}: other organizations are not looked up. Type that address, or run azdo-gate (not azdo-gate demo) to set up a real organization.",
                demo.base()
            ),
            theme.error(),
            width,
        )),
        OrgCheck::Failed { org, error } => {
            lines.extend(hanging::wrap(
                "  ✗ ",
                theme.error(),
                &format!("Could not check {}: {error}", org.base()),
                theme.error(),
                width,
            ));
            lines.extend(hanging::wrap(
                "    ",
                Style::new(),
                advice(error),
                Style::new(),
                width,
            ));
        }
    }
    frame.render_widget(Paragraph::new(lines), below);
}

//! Every wizard screen of the first pass, driven by messages through `update` and rendered to a
//! fixed 100×30 test terminal on a fixed date. No terminal, no network.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is how a test fails

use azdo_gate::ado::AdoError;
use azdo_gate::checks::reachability::OrgPresence;
use azdo_gate::tui::steps::paste_token::format_lines;
use azdo_gate::tui::{App, Effect, Msg, Step, Theme};
use crossterm::event::KeyCode;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::Color;
use ratatui::widgets::Paragraph;

mod tui_support;

use tui_support::*;

#[test]
fn welcome() {
    insta::assert_snapshot!(screen(&app()));
}

#[test]
fn welcome_in_the_demo_shows_the_simulation_banner() {
    let shown = screen(&demo_app());
    assert!(shown.contains("SIMULATION — nothing here touches a real organization"));
    insta::assert_snapshot!(shown);
}

#[test]
fn help_popup_lists_the_step_keys() {
    let mut app = app();
    key(&mut app, KeyCode::Char('?'));
    insta::assert_snapshot!(screen(&app));
}

#[test]
fn organization_empty() {
    insta::assert_snapshot!(screen(&at_organization()));
}

#[test]
fn organization_typed_shows_the_parsed_address() {
    let mut app = at_organization();
    type_text(
        &mut app,
        "https://fabrikam.visualstudio.com/DefaultCollection",
    );
    insta::assert_snapshot!(screen(&app));
}

#[test]
fn organization_invalid_shows_the_error_as_typed() {
    let mut app = at_organization();
    type_text(&mut app, "fab_rikam");
    insta::assert_snapshot!(screen(&app));
}

#[test]
fn organization_checking_shows_a_spinner() {
    let mut app = at_organization();
    start_check(&mut app, "fabrikam");
    send(&mut app, Msg::Tick);
    insta::assert_snapshot!(screen(&app));
}

#[test]
fn organization_not_found() {
    let mut app = at_organization();
    let request = start_check(&mut app, "fabrikamm");
    send(
        &mut app,
        Msg::OrgProbed {
            request,
            result: Ok(OrgPresence::NotFound),
        },
    );
    assert_eq!(app.step(), Step::Organization);
    insta::assert_snapshot!(screen(&app));
}

#[test]
fn organization_network_error_says_what_to_do() {
    let mut app = at_organization();
    let request = start_check(&mut app, "https://tfs.example.com/tfs/DefaultCollection");
    send(
        &mut app,
        Msg::OrgProbed {
            request,
            result: Err(AdoError::Network {
                message: "dns error: failed to lookup address information".into(),
                timed_out: false,
            }),
        },
    );
    insta::assert_snapshot!(screen(&app));
}

#[test]
fn organization_confirmed_when_coming_back() {
    let mut app = at_recipe();
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.step(), Step::Organization);
    insta::assert_snapshot!(screen(&app));
}

#[test]
fn token_recipe() {
    insta::assert_snapshot!(screen(&at_recipe()));
}

#[test]
fn token_recipe_when_no_browser_opens() {
    let mut app = at_recipe();
    let effects = key(&mut app, KeyCode::Char('o'));
    let [Effect::OpenUrl(url)] = effects.as_slice() else {
        panic!("o opens the tokens page");
    };
    send(
        &mut app,
        Msg::BrowserOpened {
            url: url.clone(),
            result: Err(
                r#"Launcher "gio" "open" failed with ExitStatus(unix_wait_status(512))"#.into(),
            ),
        },
    );
    let shown = screen(&app);
    assert!(shown.contains("Could not open a browser here"), "{shown}");
    assert!(!shown.contains("ExitStatus"), "{shown}");
    insta::assert_snapshot!(shown);
}

#[test]
fn paste_token_empty() {
    insta::assert_snapshot!(screen(&at_paste()));
}

#[test]
fn paste_token_in_progress_never_shows_the_characters() {
    let mut app = at_paste();
    type_text(&mut app, &TOKEN[..20]);
    let shown = screen(&app);
    assert!(!shown.contains(&TOKEN[..20]));
    assert!(shown.contains("20 characters"));
    insta::assert_snapshot!(shown);
}

#[test]
fn paste_token_errors() {
    let mut app = at_paste();
    key(&mut app, KeyCode::Tab);
    ctrl(&mut app, 'u');
    type_text(&mut app, "2028-01-15");
    key(&mut app, KeyCode::Enter);
    insta::assert_snapshot!(screen(&app));
}

#[test]
fn paste_token_done() {
    let mut app = at_paste();
    send(&mut app, Msg::Paste(format!("{TOKEN}\r\n")));
    let shown = screen(&app);
    for window in TOKEN.as_bytes().windows(6) {
        let piece = std::str::from_utf8(window).unwrap();
        assert!(!shown.contains(piece), "the screen shows part of the token");
    }
    assert!(shown.contains("54 characters"));
    assert!(shown.contains("Format: unrecognised"));
    insta::assert_snapshot!(shown);
}

#[test]
fn paste_token_refuses_what_cannot_be_a_token() {
    let mut app = at_paste();
    send(
        &mut app,
        Msg::Paste("https://dev.azure.com/fabrikam/_usersSettings/tokens".into()),
    );
    assert!(key(&mut app, KeyCode::Enter).is_empty(), "nothing is sent");
    assert_eq!(app.step(), Step::PasteToken);
    let shown = screen(&app);
    assert!(shown.contains("this looks like a URL, not a token"));
    insta::assert_snapshot!(shown);
}

#[test]
fn demo_prefills_the_token_without_showing_it() {
    let mut app = demo_app();
    key(&mut app, KeyCode::Enter);
    let request = match key(&mut app, KeyCode::Enter).as_slice() {
        [Effect::ProbeOrganization { request, org }] => {
            assert_eq!(org.base(), "http://127.0.0.1:4321/contoso");
            *request
        }
        _ => panic!("the demo organization is pre-filled"),
    };
    send(
        &mut app,
        Msg::OrgProbed {
            request,
            result: Ok(OrgPresence::Exists),
        },
    );
    key(&mut app, KeyCode::Enter);
    let shown = screen(&app);
    assert!(!shown.contains(&TOKEN[..8]));
    insta::assert_snapshot!(shown);
}

/// The demo stays on loopback: the simulated organization is filled in, and another name (the
/// `fabrikam` other screens suggest) is explained instead of looked up on dev.azure.com.
#[test]
fn demo_explains_another_organization_instead_of_looking_it_up() {
    let mut app = demo_app();
    key(&mut app, KeyCode::Enter);
    assert!(screen(&app).contains("http://127.0.0.1:4321/contoso"));
    ctrl(&mut app, 'u');
    type_text(&mut app, "fabrikam");
    assert_eq!(key(&mut app, KeyCode::Enter), [], "nothing is looked up");
    assert_eq!(app.step(), Step::Organization);
    let shown = screen(&app);
    assert!(shown.contains("The demo only knows the simulated organization"));
    insta::assert_snapshot!(shown);
    // The simulated organization itself is checked (on loopback) as usual.
    ctrl(&mut app, 'u');
    type_text(&mut app, "http://127.0.0.1:4321/contoso");
    assert!(matches!(
        key(&mut app, KeyCode::Enter).as_slice(),
        [Effect::ProbeOrganization { org, .. }] if org.base() == "http://127.0.0.1:4321/contoso"
    ));
}

#[test]
fn quit_confirmation_after_typing() {
    let mut app = at_organization();
    type_text(&mut app, "fabrikam");
    assert!(ctrl(&mut app, 'c').is_empty(), "asks before quitting");
    insta::assert_snapshot!(screen(&app));
}

#[test]
fn too_small_a_terminal_asks_to_enlarge() {
    let terminal = screen_sized(&app(), 79, 23);
    let shown = terminal.backend().to_string();
    assert!(shown.contains("Please enlarge the terminal to at least 80×24 (now 79×23)"));
    insta::assert_snapshot!(shown);
}

#[test]
fn format_verdict_lines() {
    let mut terminal = Terminal::new(TestBackend::new(80, 2)).unwrap();
    terminal
        .draw(|frame| {
            let lines = format_lines(
                "legacy",
                Some("the checksum does not match: a character may be missing"),
                Theme::plain(),
                80,
            );
            frame.render_widget(Paragraph::new(lines), frame.area());
        })
        .unwrap();
    insta::assert_snapshot!(terminal.backend().to_string());
}

#[test]
fn no_color_keeps_emphasis_without_colours() {
    let cells_with_colour = |theme: Theme| {
        let mut app = App::new(options(), theme);
        key(&mut app, KeyCode::Enter);
        type_text(&mut app, "fab_rikam");
        let terminal = screen_sized(&app, 100, 30);
        let buffer = terminal.backend().buffer().clone();
        let coloured = buffer
            .content
            .iter()
            .filter(|c| c.fg != Color::Reset || c.bg != Color::Reset)
            .count();
        let emphasised = buffer
            .content
            .iter()
            .filter(|c| !c.modifier.is_empty())
            .count();
        (coloured, emphasised)
    };
    let (coloured, emphasised) = cells_with_colour(Theme::plain());
    assert_eq!(coloured, 0);
    assert!(emphasised > 0);
    let (coloured, _) = cells_with_colour(Theme::colored());
    assert!(coloured > 0);
}

//! Every message an admin reads is written for them: what happened and what to do, never a Rust
//! Debug string, a library's message for programmers (`relative URL without a base`, Rust range
//! syntax such as `1..=12`, `ExitStatus(unix_wait_status(512))`) or a bare setting key as the
//! subject of a sentence. The messages are produced the way an admin meets them: the refusals of
//! the address parsers, the store's timeout, the network's error, and the real binary's stderr.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is how a test fails

mod common;

use std::time::Duration;

use azdo_gate::ado::AdoError;
use azdo_gate::org::OrgUrl;
use azdo_gate::profile::{WebhookUrl, check_token_page_url};
use azdo_gate::store::StoreError;
use azdo_gate::token::Pat;
use common::{run, stderr};

/// What gives a message away as written for programmers.
const DEBUG_LOOKING: &[&str] = &[
    "Some(",
    "None",
    "Ok(",
    "Err(",
    "..=",
    "{ ",
    "\\\"",
    "ExitStatus",
    "unix_wait_status",
    "Launcher \"",
    "relative URL without a base",
    "empty host",
    "invalid domain character",
    "failed to parse",
    "parameter '",
];

/// The problems in `message`: Debug-looking fragments, and lowercase setting keys (`webhook_url`)
/// that are not in parentheses after the setting's name in words.
fn problems(message: &str) -> Vec<String> {
    let mut found: Vec<String> = DEBUG_LOOKING
        .iter()
        .filter(|p| message.contains(*p))
        .map(|p| format!("contains {p:?}"))
        .collect();
    // A Rust path (`ExitStatus::from`), not an IPv6 address (`::1`).
    if message
        .match_indices("::")
        .any(|(i, _)| message[..i].ends_with(|c: char| c.is_ascii_alphabetic()))
    {
        found.push("contains a Rust path".to_owned());
    }
    for (start, word) in snake_case_words(message) {
        let before = message[..start].chars().next_back();
        let after = message[start + word.len()..].chars().next();
        if before != Some('(') || after != Some(')') {
            found.push(format!("names the key {word} without words"));
        }
    }
    found
}

/// Lowercase words joined by underscores, with their byte offsets.
fn snake_case_words(text: &str) -> Vec<(usize, &str)> {
    let mut words = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices().chain([(text.len(), ' ')]) {
        let part = c.is_ascii_lowercase() || c == '_' || c.is_ascii_digit();
        match (start, part) {
            (None, true) => start = Some(i),
            (Some(s), false) => {
                let word = &text[s..i];
                let boundary = s == 0 || !text[..s].ends_with(|p: char| p.is_alphanumeric());
                if boundary && word.contains('_') && !word.starts_with('_') && !word.ends_with('_')
                {
                    words.push((s, word));
                }
                start = None;
            }
            _ => {}
        }
    }
    words
}

fn assert_human(messages: &[String]) {
    let bad: Vec<String> = messages
        .iter()
        .filter_map(|m| {
            let p = problems(m);
            (!p.is_empty()).then(|| format!("{m}\n    → {}", p.join("; ")))
        })
        .collect();
    assert!(
        bad.is_empty(),
        "not written for the admin:\n{}",
        bad.join("\n")
    );
}

#[test]
fn the_scan_catches_what_issue_14_found() {
    for leaked in [
        r#"Could not open a browser ( Launcher "gio" "open" ExitStatus(unix_wait_status(512)))"#,
        "webhook_url \"gate\" is not a valid URL: relative URL without a base",
        "failed to parse month: parameter 'month' is not in the required range of 1..=12",
        "webhook_url is empty: give the https address",
        "put the user in basic_auth_user",
        "did not answer within Some(5s)",
        "Io(Os { code: 2, kind: NotFound })",
        "error in ExitStatus::from_raw",
    ] {
        assert!(!problems(leaked).is_empty(), "missed: {leaked}");
    }
    assert!(problems("the webhook URL (webhook_url) is empty").is_empty());
}

#[test]
fn address_refusals_say_what_is_wrong_in_words() {
    let mut messages = Vec::new();
    for org in [
        "",
        "fab rikam",
        "https://",
        "https://exa mple.com/x",
        "https://host:99999/tfs/x",
        "http://tfs.example.com/tfs/x",
        "ftp://example.com/x",
        "https://dev.azure.com/",
        "https://[::1/x",
    ] {
        messages.push(OrgUrl::parse(org).unwrap_err().to_string());
    }
    for url in [
        "",
        "gate.example.com/events",
        "https://",
        "https://gate example.com/",
        "http://gate.example.com/events",
        "ftp://gate.example.com/",
        "https://user:secret@gate.example.com/events",
    ] {
        messages.push(WebhookUrl::parse(url).unwrap_err().to_string());
        messages.extend(check_token_page_url(url).err());
    }
    for token in ["", "abc def", "abc\u{7}def"] {
        messages.push(Pat::parse(token).unwrap_err().to_string());
    }
    messages.push(
        StoreError::Timeout {
            store: "the OS credential store".into(),
            after: Duration::from_millis(2500),
        }
        .to_string(),
    );
    messages.push(
        AdoError::Network {
            message: "dns error".into(),
            timed_out: false,
        }
        .to_string(),
    );
    assert_human(&messages);
    assert!(
        messages.iter().any(|m| m.contains("within 2.5 s")),
        "{messages:?}"
    );
}

/// The binary's stderr for mistakes typed on the command line (clap's own refusals included).
#[tokio::test(flavor = "multi_thread")]
async fn command_line_refusals_are_written_for_the_admin() {
    let dir = tempfile::tempdir().unwrap();
    let mut messages = Vec::new();
    for args in [
        &["check", "--org", "fabrikam", "--expires-on", "2027-13-01"][..],
        &["check", "--org", "fabrikam", "--expires-on", "2027-02-30"],
        &["check", "--org", "fabrikam", "--expires-on", "soon"],
        &["audit", "--org", "https://"],
        // No webhook URL anywhere (refused before anything is sent; port 9 is discard anyway).
        &["audit", "--org", "http://127.0.0.1:9/fabrikam"],
        &["audit", "--org", "https://exa mple.com/x"],
        &[
            "configure",
            "--org",
            "fabrikam",
            "--plan",
            "--webhook-url",
            "gate.example.com/events",
        ],
        &[
            "configure",
            "--org",
            "fabrikam",
            "--plan",
            "--webhook-url",
            "https://user:secret@gate.example.com/events",
        ],
    ] {
        let out = run(dir.path(), Some("token"), args).await;
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        // clap's trailer and the `error:` prefix are the shell's conventions, not messages.
        let text = stderr(&out).replace("For more information, try '--help'.", "");
        messages.push(text.trim().trim_start_matches("error: ").to_owned());
    }
    assert_human(&messages);
}

/// A network failure names the host and what happened there, not the HTTP library's layers.
#[tokio::test(flavor = "multi_thread")]
async fn a_refused_connection_names_the_host_in_words() {
    // A port that was just free: nothing listens there, so the connection is refused.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dir = tempfile::tempdir().unwrap();
    let org = format!("http://127.0.0.1:{port}/fabrikam");
    let out = run(dir.path(), Some("token"), &["check", "--org", &org]).await;
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let text = stderr(&out);
    assert!(
        text.contains(&format!("127.0.0.1:{port} refused the connection")),
        "{text}"
    );
    for layer in ["client error", "tcp connect error", "error sending request"] {
        assert!(!text.contains(layer), "{layer}: {text}");
    }
    assert_human(&[text]);
}

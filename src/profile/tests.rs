use std::io::Write;

use super::*;

fn parse(text: &str) -> Result<GateProfile, ProfileError> {
    GateProfile::from_toml_str(text, "profile.toml")
}

fn err(text: &str) -> ProfileError {
    match parse(text) {
        Ok(profile) => panic!("expected an error, got {profile:?}"),
        Err(e) => e,
    }
}

fn code_defaults() -> GateProfile {
    GateProfile {
        webhook_url: None,
        token_page_url: None,
        basic_auth_user: None,
        basic_auth_secret: None,
        http_headers: BTreeMap::new(),
        events: vec![
            "git.pullrequest.created".into(),
            "git.pullrequest.updated".into(),
        ],
        scope: SubscriptionScope::Repository,
        notify_repo_created: false,
        filters: BTreeMap::new(),
        status_check: StatusCheck {
            required: true,
            genre: "pr-gate".into(),
            name: "gate".into(),
            blocking: true,
            applicability: Applicability::Conditional,
            invalidate_on_update: true,
            display_name: Some("PR gate".into()),
        },
    }
}

const FULL: &str = r#"
webhook_url = "https://gate.example.com/ado/events"
basic_auth_user = "azure-devops"
basic_auth_secret = "gate-webhook-password"
events = ["git.pullrequest.created", "git.pullrequest.merged", "ms.vss-code.git-pullrequest-comment-event"]
scope = "project"
notify_repo_created = true

[http_headers]
"X-Gate-Tenant" = "contoso"
X-Trace = "on"

[status_check]
required = false
genre = "ci"
name = "policy-gate"
blocking = false
applicability = "default"
invalidate_on_update = false
display_name = "Gate verdict"
"#;

#[test]
fn default_asset_parses_to_the_documented_defaults() {
    let profile = GateProfile::from_toml_str(DEFAULT_PROFILE_TOML, "default-profile.toml").unwrap();
    assert_eq!(profile, code_defaults());
    assert_eq!(GateProfile::default_profile(), code_defaults());
}

#[test]
fn an_empty_file_gets_every_default() {
    assert_eq!(parse("").unwrap(), code_defaults());
}

#[test]
fn every_key_is_read() {
    let profile = parse(FULL).unwrap();
    assert_eq!(
        profile.require_webhook_url().unwrap(),
        "https://gate.example.com/ado/events"
    );
    assert_eq!(profile.basic_auth_user.as_deref(), Some("azure-devops"));
    assert_eq!(
        profile.basic_auth_secret.as_deref(),
        Some("gate-webhook-password")
    );
    assert_eq!(
        profile.http_headers,
        BTreeMap::from([
            ("X-Gate-Tenant".to_owned(), "contoso".to_owned()),
            ("X-Trace".to_owned(), "on".to_owned()),
        ])
    );
    assert_eq!(
        profile.events,
        [
            "git.pullrequest.created",
            "git.pullrequest.merged",
            "ms.vss-code.git-pullrequest-comment-event"
        ]
    );
    assert_eq!(profile.scope, SubscriptionScope::Project);
    assert!(profile.notify_repo_created);
    assert_eq!(
        profile.status_check,
        StatusCheck {
            required: false,
            genre: "ci".into(),
            name: "policy-gate".into(),
            blocking: false,
            applicability: Applicability::Default,
            invalidate_on_update: false,
            display_name: Some("Gate verdict".into()),
        }
    );
}

#[test]
fn empty_display_name_means_none() {
    let profile = parse("[status_check]\ndisplay_name = \"\"").unwrap();
    assert_eq!(profile.status_check.display_name, None);
}

#[test]
fn unknown_key_names_key_line_and_file() {
    let e =
        err("webhook_url = \"\"\n\nevents = [\"git.pullrequest.created\"]\nscpoe = \"project\"\n");
    assert_eq!(
        e.to_string(),
        "profile.toml line 4: unknown key \"scpoe\" (expected one of: webhook_url, token_page_url, basic_auth_user, basic_auth_secret, http_headers, events, scope, notify_repo_created, filters, status_check)"
    );
    assert_eq!(e.key(), Some("scpoe"));
    assert_eq!(e.line(), Some(4));
}

#[test]
fn unknown_key_in_status_check_lists_its_keys() {
    let e = err("[status_check]\nrequired = true\nrequried = false\n");
    assert_eq!(
        e.to_string(),
        "profile.toml line 3: unknown key \"status_check.requried\" (expected one of: required, genre, name, blocking, applicability, invalidate_on_update, display_name)"
    );
}

#[test]
fn bad_scope_names_key_and_line() {
    let e = err("events = [\"git.pullrequest.created\"]\nscope = \"org\"\n");
    assert_eq!(
        e.to_string(),
        "profile.toml line 2: scope \"org\" is not allowed (expected one of: repository, project)"
    );
    assert_eq!(e.key(), Some("scope"));
}

#[test]
fn bad_applicability_names_key_and_line() {
    let e = err("[status_check]\nname = \"gate\"\napplicability = \"sometimes\"\n");
    assert_eq!(
        e.to_string(),
        "profile.toml line 3: status_check.applicability \"sometimes\" is not allowed (expected one of: default, conditional)"
    );
}

#[test]
fn empty_events_are_refused() {
    let e = err("scope = \"project\"\nevents = []\n");
    assert_eq!(
        e.to_string(),
        "profile.toml line 2: events must list at least one event (allowed: git.pullrequest.created, git.pullrequest.updated, git.pullrequest.merged, ms.vss-code.git-pullrequest-comment-event)"
    );
}

#[test]
fn unknown_event_is_refused_on_its_own_line() {
    let e = err("events = [\n  \"git.pullrequest.created\",\n  \"git.pullrequest.create\",\n]\n");
    assert!(
        e.to_string().starts_with(
            "profile.toml line 3: events: \"git.pullrequest.create\" is not a supported event (allowed: "
        ),
        "{e}"
    );
    assert_eq!(e.key(), Some("events"));
}

#[test]
fn duplicate_event_is_refused() {
    let e = err("events = [\"git.pullrequest.updated\", \"git.pullrequest.updated\"]");
    assert_eq!(
        e.to_string(),
        "profile.toml line 1: events: \"git.pullrequest.updated\" is listed twice"
    );
}

#[test]
fn http_webhook_is_refused() {
    let e = err("# gate\nwebhook_url = \"http://gate.example.com\"\n");
    assert_eq!(
        e.to_string(),
        "profile.toml line 2: the webhook URL (webhook_url) \"http://gate.example.com\" must use https (plain http is accepted only for a loopback test server: 127.0.0.1, ::1 or localhost)"
    );
    assert_eq!(e.key(), Some("webhook_url"));
}

#[test]
fn loopback_http_webhook_is_accepted() {
    for url in [
        "http://127.0.0.1:8080/events",
        "http://[::1]:8080/events",
        "http://localhost/events",
    ] {
        let profile = parse(&format!("webhook_url = \"{url}\"")).unwrap();
        assert_eq!(profile.require_webhook_url().unwrap(), url);
    }
}

#[test]
fn wrong_type_names_the_key() {
    let e = err("[status_check]\n\nrequired = \"yes\"\n");
    assert_eq!(e.line(), Some(3));
    assert_eq!(e.key(), Some("status_check.required"));
    assert!(
        e.to_string()
            .starts_with("profile.toml line 3: status_check.required: "),
        "{e}"
    );
}

#[test]
fn wrong_type_in_inline_table_names_the_key() {
    let e = err("status_check = { blocking = 1 }\n");
    assert_eq!(e.key(), Some("status_check.blocking"));
    assert_eq!(e.line(), Some(1));
}

#[test]
fn syntax_error_has_a_line() {
    let e = err("scope = \"project\"\nevents = [\"git.pullrequest.created\"\n");
    assert!(e.line().is_some(), "{e}");
    assert!(e.to_string().starts_with("profile.toml line "), "{e}");
}

#[test]
fn empty_status_name_is_refused() {
    let e = err("[status_check]\nname = \" \"\n");
    assert_eq!(e.key(), Some("status_check.name"));
    assert_eq!(e.line(), Some(2));
}

#[test]
fn secret_without_user_is_refused() {
    let e = err("basic_auth_secret = \"gate-webhook-password\"\n");
    assert_eq!(
        e.to_string(),
        "profile.toml line 1: basic_auth_secret is set but basic_auth_user is not: basic authentication needs both"
    );
}

#[test]
fn a_pasted_password_is_refused_without_being_repeated() {
    let e = err("basic_auth_user = \"gate\"\nbasic_auth_secret = \"s3cr3t pass!\"\n");
    assert_eq!(e.line(), Some(2));
    assert!(e.to_string().contains("NAME of a credential-store entry"));
    assert!(!e.to_string().contains("s3cr3t"));
}

#[test]
fn user_with_colon_is_refused() {
    let e = err("basic_auth_user = \"a:b\"\n");
    assert_eq!(e.key(), Some("basic_auth_user"));
}

#[test]
fn bad_header_names_and_values_are_refused() {
    let e = err("[http_headers]\n\"X Gate\" = \"a\"\n");
    assert_eq!(e.line(), Some(2));
    assert_eq!(e.key(), Some("http_headers.X Gate"));

    let e = err("[http_headers]\nX-Key = \"\"\"\nabc\nX-Evil: 1\"\"\"\n");
    assert_eq!(e.line(), Some(2));
    assert!(!e.to_string().contains("X-Evil"), "{e}");

    let e = err("[http_headers]\nX-Key = \"a\"\nx-key = \"b\"\n");
    assert!(e.to_string().contains("given twice"), "{e}");

    let e = err("basic_auth_user = \"gate\"\n[http_headers]\nAuthorization = \"Bearer x\"\n");
    assert_eq!(e.line(), Some(3));
    assert!(
        e.to_string().contains("conflicts with basic_auth_user"),
        "{e}"
    );
}

#[test]
fn load_reads_a_file_and_names_it_in_errors() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("gate.toml");
    std::fs::File::create(&path)
        .unwrap()
        .write_all(b"scope = \"repository\"\n[status_check]\napplicability = \"sometimes\"\n")
        .unwrap();
    let e = GateProfile::load(&path).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "{} line 3: status_check.applicability \"sometimes\" is not allowed (expected one of: default, conditional)",
            path.display()
        )
    );

    std::fs::write(&path, FULL).unwrap();
    assert_eq!(GateProfile::load(&path).unwrap(), parse(FULL).unwrap());

    let missing = dir.path().join("missing.toml");
    let e = GateProfile::load(&missing).unwrap_err();
    assert!(matches!(e, ProfileError::Read { .. }));
    assert!(e.to_string().contains("missing.toml"), "{e}");
}

#[test]
fn table_round_trip_keeps_every_setting() {
    for profile in [
        parse(FULL).unwrap(),
        code_defaults(),
        parse("[status_check]\ndisplay_name = \"\"").unwrap(),
    ] {
        let table = profile.to_table();
        assert_eq!(GateProfile::from_table(&table).unwrap(), profile);
    }
}

#[test]
fn stored_table_errors_name_the_key_without_a_line() {
    let mut table = code_defaults().to_table();
    table.insert("scope".into(), "org".into());
    let e = GateProfile::from_table(&table).unwrap_err();
    assert_eq!(
        e.to_string(),
        "stored gate profile: scope \"org\" is not allowed (expected one of: repository, project)"
    );
    assert_eq!(e.line(), None);
}

#[test]
fn webhook_url_override_is_validated() {
    let profile = GateProfile::default_profile()
        .with_webhook_url(" https://gate.example.com/hook ")
        .unwrap();
    assert_eq!(
        profile.require_webhook_url().unwrap(),
        "https://gate.example.com/hook"
    );
    let e = GateProfile::default_profile()
        .with_webhook_url("http://gate.example.com/hook")
        .unwrap_err();
    assert!(
        e.to_string().starts_with(
            "the webhook URL (webhook_url) \"http://gate.example.com/hook\" must use https"
        ),
        "{e}"
    );
    assert_eq!(e.key(), Some("webhook_url"));
}

#[test]
fn missing_webhook_url_says_how_to_give_one() {
    let e = GateProfile::default_profile()
        .require_webhook_url()
        .unwrap_err();
    let message = e.to_string();
    for hint in ["--webhook-url", "webhook_url", "wizard"] {
        assert!(message.contains(hint), "{message}");
    }
}

#[test]
fn enums_round_trip_through_text() {
    for scope in [SubscriptionScope::Repository, SubscriptionScope::Project] {
        assert_eq!(
            scope.to_string().parse::<SubscriptionScope>().unwrap(),
            scope
        );
        assert_eq!(
            serde_json::to_value(scope).unwrap(),
            serde_json::Value::from(scope.as_str())
        );
    }
    for applicability in [Applicability::Default, Applicability::Conditional] {
        assert_eq!(
            applicability.to_string().parse::<Applicability>().unwrap(),
            applicability
        );
    }
    assert_eq!(Applicability::Conditional.policy_applicability(), Some(1));
    assert_eq!(Applicability::Default.policy_applicability(), None);
    assert_eq!(
        "org".parse::<SubscriptionScope>().unwrap_err().to_string(),
        "\"org\" is not allowed (expected one of: repository, project)"
    );
}

#[test]
fn duplicate_key_is_named() {
    let e = err("scope = \"project\"\nscope = \"repository\"\n");
    assert_eq!(
        e.to_string(),
        "profile.toml line 2: duplicate key \"scope\""
    );
    assert_eq!(e.key(), Some("scope"));
}

#[test]
fn filters_name_known_publisher_inputs_apply_per_event_and_survive_storing() {
    let profile =
        parse("[filters]\nbranch = \"refs/heads/main\"\nnotificationType = \"PushNotification\"\n")
            .unwrap();
    assert_eq!(
        profile.filters_for("git.pullrequest.updated").len(),
        2,
        "updated accepts both"
    );
    assert_eq!(
        profile
            .filters_for("git.pullrequest.created")
            .into_iter()
            .collect::<Vec<_>>(),
        [("branch".to_owned(), "refs/heads/main".to_owned())]
    );
    assert!(profile.filters_for("git.repo.created").is_empty());
    assert_eq!(
        GateProfile::from_table(&profile.to_table()).unwrap(),
        profile
    );

    let e = err("[filters]\nbranchName = \"main\"\n");
    assert_eq!(e.key(), Some("filters.branchName"));
    assert!(e.to_string().contains("allowed: branch,"), "{e}");
    let e = err("[filters]\nbranch = \"\"\n");
    assert_eq!(e.key(), Some("filters.branch"));
}

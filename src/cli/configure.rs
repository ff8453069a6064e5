//! `azdo-gate configure`: plan, or apply, the subscriptions and policies repositories need.

use std::io::{BufRead, IsTerminal, Write};

use secrecy::SecretString;

use super::args::{ConfigureArgs, ScopeArg};
use super::audit::{previous_snapshot, save_snapshot};
use super::context::Context;
use super::{CliError, Outcome, profile_source};
use crate::ado::Client;
use crate::audit::{self, AuditInput};
use crate::org::OrgUrl;
use crate::plan::{self, ActionKind, ApplyInput, Mode, Plan, Selection};
use crate::profile::{GateProfile, SubscriptionScope};
use crate::report;
use crate::store;

/// Lets scripts give the webhook's basic-auth password without a credential store.
pub const BASIC_AUTH_PASSWORD_ENV: &str = "AZDO_GATE_BASIC_AUTH_PASSWORD";

pub async fn run(args: ConfigureArgs, ctx: &Context) -> Result<Outcome, CliError> {
    let org = OrgUrl::parse(&args.org.org)?;
    let selection: Selection = args
        .repos
        .parse()
        .map_err(|e: plan::SelectionError| CliError::Usage(e.to_string()))?;
    let mut state = ctx.load_state()?;
    let mut profile = profile_source::resolve(&args.profile, state.org(&org.key()))?;
    if let Some(scope) = args.scope {
        profile.scope = match scope {
            ScopeArg::Repository => SubscriptionScope::Repository,
            ScopeArg::Project => SubscriptionScope::Project,
        };
    }
    let resolved = ctx.resolve_token(&args.token, &org).await?;
    let config = args.concurrency.apply(state.client_config(&org.key()));
    let client = Client::new(org.clone(), resolved.token, config)?;
    let audit_input = AuditInput {
        profile: profile.clone(),
        previous: previous_snapshot(&state, &org),
    };
    let report = audit::run(&client, &audit_input, None).await;
    if state.remember_api_version(&org, &client) {
        state.save(&ctx.config_dir)?;
    }
    let report = report?;
    let unknown = selection.unknown_ids(&report);
    if !unknown.is_empty() {
        return Err(CliError::Usage(format!(
            "no repository with id {} in {}",
            unknown.join(", "),
            org.name()
        )));
    }
    let plan = plan::plan(&report, &profile, &selection, &org);

    if !args.apply {
        print_report(&args, &org, Mode::Plan, &plan, None, None)?;
        return Ok(Outcome::from_problems(
            !plan.is_empty_of_work() || has_blocked_skips(&plan),
        ));
    }
    if !plan.is_empty_of_work() && !args.yes && !confirm(&plan, &org)? {
        return Err(CliError::Usage(
            "--apply needs --yes when not run interactively; nothing was changed".into(),
        ));
    }
    let password = basic_auth_password(ctx, &profile).await?;
    let input = ApplyInput {
        plan: &plan,
        profile: &profile,
        basic_auth_password: password,
        user_id: report.user_id.clone(),
    };
    let applied = plan::apply_and_verify(&client, input, &audit_input, None).await;
    save_snapshot(&mut state, &org, &report);
    state.save(&ctx.config_dir)?;
    if let Some(why) = &applied.verify_error {
        eprintln!("warning: could not re-audit after applying: {why}");
    }
    print_report(
        &args,
        &org,
        Mode::Apply,
        &plan,
        Some(&applied.results),
        applied.coverage_after.as_ref(),
    )?;
    let failed = applied
        .results
        .iter()
        .any(|r| r.outcome == plan::Outcome::Failed);
    let uncovered = applied
        .coverage_after
        .as_ref()
        .is_none_or(|c| !c.all_covered());
    Ok(Outcome::from_problems(
        failed || uncovered || has_blocked_skips(&plan),
    ))
}

fn print_report(
    args: &ConfigureArgs,
    org: &OrgUrl,
    mode: Mode,
    plan: &Plan,
    results: Option<&[plan::ActionResult]>,
    coverage: Option<&plan::CoverageCounts>,
) -> Result<(), CliError> {
    let text = if args.json {
        report::configure_json(org, mode, plan, results, coverage)?
    } else {
        report::configure_text(org, mode, plan, results, coverage)
    };
    println!("{}", text.trim_end());
    Ok(())
}

/// Skips that carry a fix are gaps the admin must close (missing permissions), not "already fine".
fn has_blocked_skips(plan: &Plan) -> bool {
    plan.actions
        .iter()
        .any(|a| a.kind == ActionKind::Skip && a.fix.is_some())
}

/// Asks on the terminal; without one, `--yes` is the only way to confirm.
fn confirm(plan: &Plan, org: &OrgUrl) -> Result<bool, CliError> {
    if !std::io::stdin().is_terminal() || !std::io::stderr().is_terminal() {
        return Ok(false);
    }
    eprint!(
        "Apply {} change(s) to {}? [y/N] ",
        plan.work_count(),
        org.name()
    );
    std::io::stderr().flush()?;
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    if matches!(answer.trim(), "y" | "Y" | "yes") {
        Ok(true)
    } else {
        Err(CliError::Usage("not confirmed; nothing was changed".into()))
    }
}

/// The webhook's basic-auth password: the environment variable, else the credential-store entry
/// the profile names. A profile that names one that cannot be found is an error, because applying
/// without it would create subscriptions the gate rejects.
async fn basic_auth_password(
    ctx: &Context,
    profile: &GateProfile,
) -> Result<Option<SecretString>, CliError> {
    let Some(entry) = &profile.basic_auth_secret else {
        return Ok(None);
    };
    if let Ok(value) = std::env::var(BASIC_AUTH_PASSWORD_ENV)
        && !value.is_empty()
    {
        return Ok(Some(SecretString::from(value)));
    }
    let credentials = ctx.credential_store().await?;
    store::get_async(&credentials, entry).await?.map(Some).ok_or_else(|| {
        CliError::Usage(format!(
            "the profile's basic_auth_secret \"{entry}\" is not in {}; store the password there or set {BASIC_AUTH_PASSWORD_ENV}",
            credentials.describe()
        ))
    })
}

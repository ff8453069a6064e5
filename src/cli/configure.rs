//! `azdo-gate configure`: plan, or apply, the subscriptions and policies repositories need.

use std::io::{BufRead, IsTerminal, Write};

use super::args::{ConfigureArgs, ScopeArg};
use super::context::{Context, recorded_storage};
use super::{CliError, Outcome, profile_source};
use crate::ado::{Client, ClientConfig};
use crate::audit::{self, AuditInput, CoverageCounts};
use crate::domain::{self, previous_repository_ids, record_snapshot};
use crate::org::OrgUrl;
use crate::plan::{self, ActionKind, ApplyInput, Mode, Plan, Selection};
use crate::profile::SubscriptionScope;
use crate::report;

pub async fn run(args: ConfigureArgs, ctx: &Context) -> Result<Outcome, CliError> {
    let selection: Selection = args
        .repos
        .parse()
        .map_err(|e: plan::SelectionError| CliError::Usage(e.to_string()))?;
    let mut state = ctx.load_state()?;
    let org = ctx.org(&args.org, &state)?;
    let mut profile = profile_source::resolve(&args.profile, state.org(&org.key()))?;
    if let Some(scope) = args.scope {
        profile.scope = match scope {
            ScopeArg::Repository => SubscriptionScope::Repository,
            ScopeArg::Project => SubscriptionScope::Project,
        };
    }
    let resolved = ctx.resolve_token(&args.token, &org, &state).await?;
    let client = Client::new(
        org.clone(),
        resolved.token.into_secret(),
        ClientConfig::default(),
    )?;
    let audit_input = AuditInput {
        profile: profile.clone(),
        previous: previous_repository_ids(&state, &org),
    };
    let report = audit::run(&client, &audit_input, None).await?;
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
    let password = domain::basic_auth_password(&profile, async {
        ctx.credential_store(recorded_storage(&state, &org))
            .await
            .map(Some)
    })
    .await?;
    let input = ApplyInput {
        plan: &plan,
        profile: &profile,
        basic_auth_password: password,
        user_id: report.user_id.clone(),
    };
    let applied = domain::apply_and_verify(&client, input, &audit_input, None).await;
    // The verifying audit is the latest word on which repositories exist.
    let latest = match &applied.after {
        Ok(after) => after,
        Err(why) => {
            eprintln!("warning: could not re-audit after applying: {why}");
            &report
        }
    };
    record_snapshot(&mut state, &org, latest, jiff::Timestamp::now());
    state.save(&ctx.config_dir)?;
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
    coverage: Option<&CoverageCounts>,
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

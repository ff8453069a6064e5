//! `azdo-gate configure`: plan, or apply, the subscriptions and policies repositories need.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::args::{ConfigureArgs, ScopeArg};
use super::context::Context;
use super::progress::Progress;
use super::{CliError, INTERRUPTED_EXIT, Outcome, output, profile_source, prompt, signals};
use crate::ado::Client;
use crate::audit::{self, AuditInput, CoverageCounts};
use crate::domain::{self, previous_repository_ids, record_snapshot};
use crate::org::OrgUrl;
use crate::plan::{self, ActionKind, ApplyEvent, ApplyInput, Mode, Plan, Selection, StopFlag};
use crate::profile::SubscriptionScope;
use crate::report;
use crate::store;

pub async fn run(args: ConfigureArgs, ctx: &Context) -> Result<Outcome, CliError> {
    let selection: Selection = args
        .repos
        .parse()
        .map_err(|e: plan::SelectionError| CliError::Usage(e.to_string()))?;
    let org = ctx.org(&args.org, &ctx.load_state()?)?;
    // One writer per organization: taken before the audit, so a second run plans against what the
    // first one made instead of planning the same creates; the state is read under it.
    let _writer = if args.apply {
        Some(lock_organization(ctx, &org, args.lock_timeout).await?)
    } else {
        None
    };
    let mut state = ctx.load_state()?;
    let mut profile = profile_source::resolve(&args.profile, state.org(&org.key()))?;
    if let Some(scope) = args.scope {
        profile.scope = match scope {
            ScopeArg::Repository => SubscriptionScope::Repository,
            ScopeArg::Project => SubscriptionScope::Project,
        };
    }
    let resolved = ctx.resolve_token(&args.token, &org, &state).await?;
    let progress = Progress::new(args.progress.quiet);
    let config = args
        .concurrency
        .apply(state.client_config(&org.key()), &progress);
    let client = Client::new(org.clone(), resolved.token.into_secret(), config)?;
    let audit_input = AuditInput {
        profile: profile.clone(),
        previous: previous_repository_ids(&state, &org),
    };
    let stop = StopFlag::default();
    let known = Arc::new(Mutex::new(Known::default()));
    let _signals = if args.apply {
        Some(watch_signals(&args, &org, &stop, &known, &progress)?)
    } else {
        None
    };
    let report = audit::run(
        &client,
        &audit_input,
        progress.audit(&format!("Auditing {}", org.name())),
    )
    .await;
    ctx.remember_api_version(&mut state, &org, &client);
    let mut report = report?;
    // The plan cites why failing hooks fail; without the history it still repairs them.
    progress.waiting("Reading the delivery history of failing hooks");
    if let Err(e) =
        audit::deliveries::explain_repairs(&client, &mut report, audit::deliveries::default_since())
            .await
    {
        tracing::warn!(error = %e, "could not read the delivery history of failing hooks");
    }
    let unknown = selection.unknown_ids(&report);
    if !unknown.is_empty() {
        return Err(CliError::Usage(format!(
            "no repository with id {} in {}",
            unknown.join(", "),
            org.name()
        )));
    }
    let plan = plan::plan(&report, &profile, &selection, &org);
    progress.clear();

    if !args.apply {
        print_report(args.json, &org, Mode::Plan, &plan, None, None)?;
        return Ok(Outcome::from_problems(
            !plan.is_empty_of_work() || has_blocked_skips(&plan),
        ));
    }
    if !plan.is_empty_of_work() && !args.yes {
        if !prompt::interactive() {
            return Err(CliError::Usage(
                "--apply needs --yes when not run interactively; nothing was changed".into(),
            ));
        }
        // The plan first, as terraform shows it, on stderr: stdout keeps the final report.
        anstream::eprintln!("{}", report::plan_text(&org, &plan).trim_end());
        let question = report::plan_view::apply_question(&plan, org.name());
        if !prompt::ask(&question)? {
            eprintln!("Nothing was applied.");
            return Ok(Outcome::Problems);
        }
    }
    let password = domain::basic_auth_password(&profile, async {
        ctx.credential_store(state.token_storage(&org.key()))
            .await
            .map(Some)
    })
    .await?;
    lock_known(&known).plan = Some(plan.clone());
    let (apply_events, mut events) = tokio::sync::mpsc::unbounded_channel();
    progress.applying(&plan);
    let recorder = {
        let (known, progress, plan) = (Arc::clone(&known), progress.clone(), plan.clone());
        tokio::spawn(async move {
            while let Some(event) = events.recv().await {
                progress.applied(&plan, &event);
                lock_known(&known).record(event);
            }
        })
    };
    let input = ApplyInput {
        plan: &plan,
        profile: &profile,
        basic_auth_password: password,
        user_id: report.user_id().map(str::to_owned),
        stop: Some(stop.clone()),
    };
    let applied = domain::apply_and_verify(&client, input, &audit_input, Some(apply_events)).await;
    // The sender went with the apply; the recorder ends once it has every event.
    let _ = recorder.await;
    progress.clear();
    // The verifying audit is the latest word on which repositories exist.
    let latest = match &applied.after {
        Some(Ok(after)) => after,
        Some(Err(why)) => {
            output::warning(format_args!("could not re-audit after applying: {why}"));
            &report
        }
        None => &report,
    };
    record_snapshot(&mut state, &org, latest, jiff::Timestamp::now());
    // The changes are made: the report comes out whether or not the state could be saved.
    if let Err(e) = state.save(&ctx.config_dir) {
        output::warning(format_args!(
            "the repository snapshot was not saved ({e}); the next --repos new cannot tell which repositories are new"
        ));
    }
    print_report(
        args.json,
        &org,
        Mode::Apply,
        &plan,
        Some(&applied.results),
        applied.coverage_after.as_ref(),
    )?;
    if stop.is_raised() {
        return Ok(Outcome::Interrupted);
    }
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

/// Waits for the organization's writer lock off the async threads.
async fn lock_organization(
    ctx: &Context,
    org: &OrgUrl,
    timeout_secs: u64,
) -> Result<store::lock::FileLock, CliError> {
    let (dir, key, name) = (ctx.config_dir.clone(), org.key(), org.name().to_owned());
    tokio::task::spawn_blocking(move || {
        store::lock::lock_organization(
            &dir,
            &key,
            &name,
            "configure --apply",
            Duration::from_secs(timeout_secs),
            |who| {
                eprintln!(
                    "waiting for {who}: it is changing {name} (up to {timeout_secs} s, --lock-timeout)"
                );
            },
        )
    })
    .await
    .map_err(|e| CliError::Usage(format!("waiting for the organization lock failed: {e}")))?
    .map_err(CliError::from)
}

/// What the apply has reported so far, for a report printed on a second signal.
#[derive(Default)]
struct Known {
    plan: Option<Plan>,
    started: BTreeSet<usize>,
    results: Vec<plan::ActionResult>,
}

impl Known {
    fn record(&mut self, event: ApplyEvent) {
        match event {
            ApplyEvent::Started { index } => {
                self.started.insert(index);
            }
            ApplyEvent::Finished(result) => self.results.push(result),
        }
    }

    /// One result per action: finished ones as they ended, the ones in flight as failed with an
    /// unknown outcome, the rest not started.
    fn results(&self, plan: &Plan) -> Vec<plan::ActionResult> {
        (0..plan.actions.len())
            .map(|index| {
                if let Some(result) = self.results.iter().find(|r| r.index == index) {
                    return result.clone();
                }
                let in_flight = self.started.contains(&index);
                plan::ActionResult {
                    index,
                    outcome: if in_flight {
                        plan::Outcome::Failed
                    } else {
                        plan::Outcome::NotStarted
                    },
                    error: in_flight.then(|| {
                        "interrupted while in flight: its outcome is unknown; run configure again to finish".to_owned()
                    }),
                }
            })
            .collect()
    }
}

fn lock_known(known: &Mutex<Known>) -> std::sync::MutexGuard<'_, Known> {
    // A poisoned lock only means a panic elsewhere mid-update; what is recorded stays usable.
    known.lock().unwrap_or_else(|p| p.into_inner())
}

/// First SIGINT/SIGTERM: stop starting actions. Second: print what is known and exit 130.
fn watch_signals(
    args: &ConfigureArgs,
    org: &OrgUrl,
    stop: &StopFlag,
    known: &Arc<Mutex<Known>>,
    progress: &Progress,
) -> Result<tokio::task::JoinHandle<()>, CliError> {
    let first = {
        let stop = stop.clone();
        let (json, org, known) = (args.json, org.clone(), Arc::clone(known));
        let progress = progress.clone();
        move || {
            stop.raise();
            let in_flight = {
                let known = lock_known(&known);
                if known.plan.is_none() {
                    // Still auditing or asking: nothing was changed, so there is nothing to wait for.
                    progress.clear();
                    let plan = Plan::default();
                    if let Err(e) = print_report(json, &org, Mode::Apply, &plan, Some(&[]), None) {
                        output::error(e);
                    }
                    eprintln!("interrupted before any change: nothing was changed");
                    std::process::exit(i32::from(INTERRUPTED_EXIT));
                }
                known.started.len().saturating_sub(known.results.len())
            };
            progress.say(format_args!(
                "Interrupt received, finishing what is in flight ({in_flight}); no new change starts (interrupt again to exit at once)"
            ));
        }
    };
    let second = {
        let (json, org, known) = (args.json, org.clone(), Arc::clone(known));
        let progress = progress.clone();
        move || {
            let known = lock_known(&known);
            let plan = known.plan.clone().unwrap_or_default();
            let results = known.results(&plan);
            progress.clear();
            if let Err(e) = print_report(json, &org, Mode::Apply, &plan, Some(&results), None) {
                output::error(e);
            }
            eprintln!("interrupted again: exiting now");
            std::process::exit(i32::from(INTERRUPTED_EXIT));
        }
    };
    signals::on_interrupt(first, second)
        .map_err(|e| CliError::Terminal(format!("could not watch for interruptions: {e}")))
}

fn print_report(
    json: bool,
    org: &OrgUrl,
    mode: Mode,
    plan: &Plan,
    results: Option<&[plan::ActionResult]>,
    coverage: Option<&CoverageCounts>,
) -> Result<(), CliError> {
    let text = if json {
        report::configure_json(org, mode, plan, results, coverage)?
    } else {
        report::configure_text(org, mode, plan, results, coverage)
    };
    output::report(text.trim_end())
}

/// Skips that carry a fix are gaps the admin must close (missing permissions), not "already fine".
fn has_blocked_skips(plan: &Plan) -> bool {
    plan.actions
        .iter()
        .any(|a| a.kind == ActionKind::Skip && a.fix.is_some())
}

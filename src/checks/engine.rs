//! Runs every token check and streams progress, one event per check started and finished.
//!
//! Probes never change anything: reads, an empty policy body the server must refuse, and a
//! `validateOnly` work-item patch of an id that cannot exist. Never DELETE.

use jiff::civil::Date;
use tokio::sync::mpsc::UnboundedSender;

use super::expiry::{ExpiryInput, assess_expiry};
use super::findings;
use super::format;
use super::report::{
    Finding, ScopeCheck, ScopeStatus, Severity, TokenInfo, TokenReport, TokenSource,
};
use crate::ado::models::Repository;
use crate::ado::{AdoError, Client, ClientConfig};
use crate::org::{Identity, OrgInfo, OrgUrl};
use crate::token::Pat;

/// The four scopes the gate needs, in the order reports list them.
pub const REQUIRED_SCOPES: [(&str, &str); 4] = [
    ("vso.work_write", "Work Items (Read & Write)"),
    ("vso.code_write", "Code (Read & Write)"),
    ("vso.code_status", "Code (Status)"),
    ("vso.build", "Build (Read)"),
];

/// A work item id no organization will reach (`i32::MAX`), so the validate-only patch cannot
/// touch anything even if `validateOnly` were ignored.
const IMPOSSIBLE_WORK_ITEM: i64 = 2_147_483_647;

/// The checks of the live checklist, in display order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CheckId {
    Format,
    Organization,
    Repositories,
    WorkWrite,
    CodeWrite,
    CodeStatus,
    BuildRead,
    Excess,
    Expiry,
}

impl CheckId {
    pub const ALL: [CheckId; 9] = [
        Self::Format,
        Self::Organization,
        Self::Repositories,
        Self::WorkWrite,
        Self::CodeWrite,
        Self::CodeStatus,
        Self::BuildRead,
        Self::Excess,
        Self::Expiry,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Self::Format => "Token format",
            Self::Organization => "Organization reachable, token accepted",
            Self::Repositories => "Code (Read): repositories visible",
            Self::WorkWrite => "Work Items (Read & Write)",
            Self::CodeWrite => "Code (Read & Write)",
            Self::CodeStatus => "Code (Status)",
            Self::BuildRead => "Build (Read)",
            Self::Excess => "No more access than needed",
            Self::Expiry => "Expiry",
        }
    }
}

/// How a finished check went, for the ✓ / ✗ / ! marks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    Pass,
    Fail,
    Warn,
    /// Not run because an earlier check failed.
    Skipped,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckEvent {
    Started(CheckId),
    Finished(CheckId, Mark),
}

/// What the engine needs. The token is moved in and dropped with the client.
pub struct CheckInput {
    pub org: OrgUrl,
    pub token: Pat,
    pub source: TokenSource,
    pub expiry: ExpiryInput,
    pub warn_days: u32,
    pub today: Date,
    pub client: ClientConfig,
}

/// The engine's failure to run at all (the report cannot be trusted): exit code 2.
pub type CheckError = AdoError;

struct Progress(Option<UnboundedSender<CheckEvent>>);

impl Progress {
    fn start(&self, id: CheckId) {
        if let Some(tx) = &self.0 {
            // A closed receiver only means nobody is watching any more.
            let _ = tx.send(CheckEvent::Started(id));
        }
    }

    fn finish(&self, id: CheckId, mark: Mark) {
        if let Some(tx) = &self.0 {
            let _ = tx.send(CheckEvent::Finished(id, mark));
        }
    }
}

/// Checks the token end to end. Network trouble that prevents any verdict is an `Err`; everything
/// about the token itself is a finding in the report.
pub async fn run(
    input: CheckInput,
    progress: Option<UnboundedSender<CheckEvent>>,
) -> Result<TokenReport, CheckError> {
    let progress = Progress(progress);
    let org = input.org.clone();
    let mut findings = Vec::new();

    progress.start(CheckId::Format);
    let format = {
        use secrecy::ExposeSecret;
        format::inspect(input.token.secret().expose_secret())
    };
    if let Some(warning) = &format.warning {
        findings.push(findings::token_format(warning, &org));
    }
    progress.finish(
        CheckId::Format,
        if format.warning.is_some() {
            Mark::Warn
        } else {
            Mark::Pass
        },
    );

    // Sent exactly as cleaned by `Pat::parse`: the value checked is the value stored and used.
    let client = Client::new(org.clone(), input.token.into_secret(), input.client)?;

    progress.start(CheckId::Organization);
    let identity = match client.connection_data().await {
        Ok(data) => {
            progress.finish(CheckId::Organization, Mark::Pass);
            Some(Identity::from_connection(data.authenticated_user))
        }
        Err(error) => match findings::connection_refusal(&error, &org) {
            Some(finding) => {
                progress.finish(CheckId::Organization, Mark::Fail);
                findings.push(finding);
                None
            }
            None => return Err(error),
        },
    };

    let scopes = match &identity {
        Some(_) => probe_scopes(&client, &org, &progress, &mut findings).await?,
        None => {
            for id in &CheckId::ALL[2..8] {
                progress.finish(*id, Mark::Skipped);
            }
            unknown_scopes()
        }
    };

    progress.start(CheckId::Expiry);
    let (expiry, expiry_findings) =
        assess_expiry(&input.expiry, input.today, input.warn_days, &org);
    let expiry_mark = worst_mark(&expiry_findings);
    findings.extend(expiry_findings);
    progress.finish(CheckId::Expiry, expiry_mark);

    findings.sort_by_key(|f| f.severity);
    let ok = !findings.iter().any(|f| f.severity == Severity::Error);
    Ok(TokenReport {
        organization: OrgInfo::from(&org),
        token: TokenInfo {
            source: input.source,
            format: format.format,
        },
        identity,
        scopes,
        expiry,
        findings,
        ok,
        api_version: client.negotiated_api_version(),
    })
}

fn worst_mark(findings: &[Finding]) -> Mark {
    match findings.iter().map(|f| f.severity).min() {
        Some(Severity::Error) => Mark::Fail,
        Some(Severity::Warning) => Mark::Warn,
        _ => Mark::Pass,
    }
}

fn unknown_scopes() -> Vec<ScopeCheck> {
    REQUIRED_SCOPES
        .iter()
        .map(|(scope, label)| ScopeCheck {
            scope,
            label,
            status: ScopeStatus::Unknown,
        })
        .collect()
}

/// A probe's verdict: the scope was accepted (whatever the request's fate), refused, or unclear.
fn verdict<T>(result: &Result<T, AdoError>, accepted: fn(&AdoError) -> bool) -> ProbeVerdict {
    match result {
        Ok(_) => ProbeVerdict::Granted,
        Err(AdoError::ScopeMissing { .. } | AdoError::TokenRejected { .. }) => {
            ProbeVerdict::Missing
        }
        Err(e) if accepted(e) => ProbeVerdict::Granted,
        Err(e) => ProbeVerdict::Unclear(e.to_string()),
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum ProbeVerdict {
    Granted,
    Missing,
    Unclear(String),
}

impl ProbeVerdict {
    fn status(&self) -> ScopeStatus {
        match self {
            Self::Granted => ScopeStatus::Granted,
            Self::Missing => ScopeStatus::Missing,
            Self::Unclear(_) => ScopeStatus::Unknown,
        }
    }

    fn mark(&self) -> Mark {
        match self {
            Self::Granted => Mark::Pass,
            Self::Missing => Mark::Fail,
            Self::Unclear(_) => Mark::Warn,
        }
    }
}

/// A refusal that still proves the scope: the server looked at the request, so the token passed
/// the scope check (400 validation, 403 permission, 404 no such item).
fn refused_after_scope_check(e: &AdoError) -> bool {
    matches!(
        e,
        AdoError::BadRequest { .. } | AdoError::PermissionDenied { .. } | AdoError::NotFound { .. }
    )
}

fn permission_only(e: &AdoError) -> bool {
    matches!(e, AdoError::PermissionDenied { .. })
}

async fn probe_scopes(
    client: &Client,
    org: &OrgUrl,
    progress: &Progress,
    findings: &mut Vec<Finding>,
) -> Result<Vec<ScopeCheck>, CheckError> {
    progress.start(CheckId::Repositories);
    progress.start(CheckId::WorkWrite);
    progress.start(CheckId::Excess);
    let no_ops: [serde_json::Value; 0] = [];
    let (repos, work, pools) = tokio::join!(
        client.list_repositories(),
        client.validate_work_item_patch(IMPOSSIBLE_WORK_ITEM, &no_ops),
        client.list_agent_pools(),
    );
    fail_on_transport(&repos)?;
    fail_on_transport(&work)?;
    fail_on_transport(&pools)?;

    let work = verdict(&work, refused_after_scope_check);
    progress.finish(CheckId::WorkWrite, work.mark());

    let excess = pools.is_ok();
    if excess {
        findings.push(findings::scope_excess(org));
    }
    progress.finish(
        CheckId::Excess,
        if excess { Mark::Warn } else { Mark::Pass },
    );

    let code_read = verdict(&repos, permission_only);
    let project = first_project(repos.as_deref().unwrap_or_default());
    let repos_mark = match (&code_read, &project) {
        (ProbeVerdict::Granted, None) => {
            findings.push(findings::no_repositories(org));
            Mark::Fail
        }
        (verdict, _) => verdict.mark(),
    };
    progress.finish(CheckId::Repositories, repos_mark);

    progress.start(CheckId::CodeWrite);
    progress.start(CheckId::BuildRead);
    let (code_write, build) = match (&code_read, &project) {
        // Read & Write includes Read: without Read there is no Write to find.
        (ProbeVerdict::Missing, _) => (ProbeVerdict::Missing, None),
        (_, Some(project)) => {
            let (write, build) = tokio::join!(
                client.probe_policy_write(project),
                client.list_build_definitions(project, 1),
            );
            fail_on_transport(&write)?;
            fail_on_transport(&build)?;
            (
                verdict(&write, refused_after_scope_check),
                Some(verdict(&build, permission_only)),
            )
        }
        (_, None) => (
            ProbeVerdict::Unclear("no repository visible to find a project in".into()),
            None,
        ),
    };
    let build = build.unwrap_or_else(|| {
        ProbeVerdict::Unclear("needs a project, found through a visible repository".into())
    });
    progress.finish(CheckId::CodeWrite, code_write.mark());
    progress.finish(CheckId::BuildRead, build.mark());

    progress.start(CheckId::CodeStatus);
    let code_status = if code_write == ProbeVerdict::Granted {
        ScopeStatus::Implied
    } else {
        ScopeStatus::Unknown
    };
    progress.finish(
        CheckId::CodeStatus,
        if code_status == ScopeStatus::Implied {
            Mark::Pass
        } else {
            Mark::Warn
        },
    );

    let statuses = [
        work.status(),
        code_write.status(),
        code_status,
        build.status(),
    ];
    let reasons = [
        unclear_reason(&work),
        unclear_reason(&code_write),
        Some(
            "Code (Status) cannot be tested on its own: every status operation also accepts the Code scopes"
                .to_owned(),
        ),
        unclear_reason(&build),
    ];
    let mut scopes = Vec::with_capacity(4);
    for (((scope, label), status), reason) in REQUIRED_SCOPES.iter().zip(statuses).zip(reasons) {
        match status {
            ScopeStatus::Missing => findings.push(findings::scope_missing(scope, label, org)),
            ScopeStatus::Unknown => findings.push(findings::scope_unknown(
                scope,
                label,
                reason
                    .as_deref()
                    .unwrap_or("the probe gave no clear answer"),
                org,
            )),
            ScopeStatus::Granted | ScopeStatus::Implied => {}
        }
        scopes.push(ScopeCheck {
            scope,
            label,
            status,
        });
    }
    Ok(scopes)
}

fn unclear_reason(verdict: &ProbeVerdict) -> Option<String> {
    match verdict {
        ProbeVerdict::Unclear(reason) => Some(reason.clone()),
        _ => None,
    }
}

/// The first project that holds an enabled repository: probes that need a project use it.
fn first_project(repos: &[Repository]) -> Option<String> {
    repos
        .iter()
        .find(|r| !r.is_disabled)
        .or_else(|| repos.first())
        .map(|r| r.project.id.clone())
}

/// Network failures and exhausted retries mean no verdict is possible: the check could not run.
fn fail_on_transport<T>(result: &Result<T, AdoError>) -> Result<(), CheckError> {
    match result {
        Err(
            e @ (AdoError::Network { .. } | AdoError::Server { .. } | AdoError::Throttled { .. }),
        ) => Err(e.clone()),
        _ => Ok(()),
    }
}

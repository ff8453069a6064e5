//! The token report: what `azdo-gate check --json` prints and the wizard's verify step shows.

use jiff::civil::Date;
use serde::Serialize;

use super::format::TokenFormat;
use crate::org::{Identity, OrgInfo};

/// Where the token under test came from. Reports say it; they never contain the token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenSource {
    Stdin,
    Env,
    Keyring,
    File,
    /// Typed or pasted into the wizard.
    Entered,
}

impl TokenSource {
    pub fn describe(self) -> &'static str {
        match self {
            Self::Stdin => "standard input",
            Self::Env => "the AZURE_DEVOPS_EXT_PAT environment variable",
            Self::Keyring => "the credential store",
            Self::File => "the insecure token file",
            Self::Entered => "entered in the wizard",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct TokenInfo {
    pub source: TokenSource,
    pub format: TokenFormat,
}

/// One scope the gate needs, as far as probing could tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ScopeStatus {
    Granted,
    Missing,
    /// Cannot be probed on its own, but a broader scope that includes it is granted.
    Implied,
    Unknown,
}

#[derive(Debug, Clone, Serialize)]
pub struct ScopeCheck {
    pub scope: &'static str,
    pub label: &'static str,
    pub status: ScopeStatus,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ExpirySource {
    /// `--expires-on` (or the date typed into the wizard).
    Flag,
    /// Recorded when the token was stored.
    Stored,
    Unknown,
}

#[derive(Debug, Clone, Serialize)]
pub struct ExpiryInfo {
    pub expires_on: Option<Date>,
    pub source: ExpirySource,
    pub days_left: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

/// Stable finding codes (part of the JSON contract).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingCode {
    TokenFormat,
    OrgNotFound,
    TokenRejected,
    TokenExpired,
    TokenAnonymous,
    ScopeMissing,
    ScopeUnknown,
    ScopeExcess,
    ExpirySoon,
    ExpiryShort,
    ExpiryUnknown,
    NoRepositories,
}

#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub severity: Severity,
    pub code: FindingCode,
    pub message: String,
    pub fix: Option<String>,
    /// The scope a `scope_missing`/`scope_unknown` finding is about, so human output can put the
    /// fix under that scope's line. Not part of the JSON contract.
    #[serde(skip)]
    pub scope: Option<&'static str>,
}

/// Everything known about one token for one organization.
#[derive(Debug, Clone, Serialize)]
pub struct TokenReport {
    pub organization: OrgInfo,
    pub token: TokenInfo,
    pub identity: Option<Identity>,
    pub scopes: Vec<ScopeCheck>,
    pub expiry: ExpiryInfo,
    pub findings: Vec<Finding>,
    pub ok: bool,
    /// The REST API version an Azure DevOps Server negotiated the check down to, so the caller
    /// can remember it for the organization; not part of the report.
    #[serde(skip)]
    pub api_version: Option<String>,
}

impl TokenReport {
    pub fn has_errors(&self) -> bool {
        self.findings.iter().any(|f| f.severity == Severity::Error)
    }

    pub fn scope(&self, scope: &str) -> Option<ScopeStatus> {
        self.scopes
            .iter()
            .find(|s| s.scope == scope)
            .map(|s| s.status)
    }
}

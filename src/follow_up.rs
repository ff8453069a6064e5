//! The commands the tool suggests running next, built in one place so every report and screen
//! prints them runnable exactly as shown: the organization named as the admin's command named it
//! (the full address for an Azure DevOps Server collection or a loopback simulator, where a bare
//! name would mean dev.azure.com) and the token given the same way as this time.

use crate::checks::TokenSource;
use crate::org::{Deployment, OrgUrl};

/// How this run reached the organization, which the suggested commands repeat.
#[derive(Debug, Clone, Copy)]
pub struct FollowUp<'a> {
    pub org: &'a OrgUrl,
    pub token: TokenSource,
}

impl<'a> FollowUp<'a> {
    pub fn new(org: &'a OrgUrl, token: TokenSource) -> Self {
        Self { org, token }
    }

    /// `azdo-gate {subcommand} --org ORG {args}`, plus `--pat-stdin` when the token came from
    /// standard input (it must be piped again). A token from `AZURE_DEVOPS_EXT_PAT` or a store
    /// needs no option: the same shell, or `state.toml`, provides it.
    pub fn command(&self, subcommand: &str, args: &str) -> String {
        let mut line = format!("azdo-gate {subcommand} --org {}", org_arg(self.org));
        for part in [args, self.token_option()] {
            if !part.is_empty() {
                line.push(' ');
                line.push_str(part);
            }
        }
        line
    }

    fn token_option(&self) -> &'static str {
        match self.token {
            TokenSource::Stdin => "--pat-stdin",
            TokenSource::Env | TokenSource::Keyring | TokenSource::File | TokenSource::Entered => {
                ""
            }
        }
    }
}

/// The organization as `--org` takes it: the name for Azure DevOps Services, the address for a
/// Server collection or a loopback simulator.
fn org_arg(org: &OrgUrl) -> &str {
    match org.deployment() {
        Deployment::Cloud => org.name(),
        Deployment::Server | Deployment::Loopback => org.base(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn org(text: &str) -> OrgUrl {
        OrgUrl::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    #[test]
    fn the_organization_and_token_are_named_as_this_run_named_them() {
        let cloud = org("https://dev.azure.com/fabrikam/Payments/_git/api");
        let server = org("https://tfs.example.com/tfs/DefaultCollection");
        let sim = org("http://127.0.0.1:4321/fabrikam");
        assert_eq!(
            FollowUp::new(&cloud, TokenSource::Keyring).command("configure", "--plan"),
            "azdo-gate configure --org fabrikam --plan"
        );
        assert_eq!(
            FollowUp::new(&server, TokenSource::Env).command("configure", "--plan"),
            "azdo-gate configure --org https://tfs.example.com/tfs/DefaultCollection --plan"
        );
        assert_eq!(
            FollowUp::new(&sim, TokenSource::Stdin).command("audit", ""),
            "azdo-gate audit --org http://127.0.0.1:4321/fabrikam --pat-stdin"
        );
    }
}

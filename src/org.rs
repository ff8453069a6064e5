//! Organization addresses: every form an admin may type or paste, parsed into one [`OrgUrl`].
//!
//! Accepted: a bare organization name (`fabrikam`), `https://dev.azure.com/fabrikam[/...]`,
//! `https://fabrikam.visualstudio.com[/...]`, an Azure DevOps Server collection URL
//! (`https://tfs.example.com/tfs/DefaultCollection[/...]`), and, for the simulator and tests only,
//! `http://127.0.0.1:PORT/fabrikam` or `http://127.0.0.1:PORT/tfs/DefaultCollection`. Plain `http` to any other host is refused here, before any token
//! can be sent. Both cloud host forms address the same organization, so the legacy
//! `*.visualstudio.com` form is normalised to `dev.azure.com`.

use std::fmt;
use std::net::IpAddr;

use serde::{Deserialize, Serialize};
use url::{Host, Url};

/// Where the organization lives; it decides which advice and links make sense.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Deployment {
    /// Azure DevOps Services (`dev.azure.com`).
    Cloud,
    /// Azure DevOps Server / TFS collection.
    Server,
    /// A simulator or test server on the loopback interface.
    Loopback,
}

/// An organization's name and base URL as reports print them and `state.toml` remembers them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgInfo {
    pub name: String,
    pub url: String,
}

impl From<&OrgUrl> for OrgInfo {
    fn from(org: &OrgUrl) -> Self {
        Self {
            name: org.name().to_owned(),
            url: org.base().to_owned(),
        }
    }
}

/// The user a token authenticates as (pull-request comments appear under this name), as the token
/// check reports it and `state.toml` remembers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    pub id: String,
    pub display_name: String,
    pub unique_name: String,
}

/// The display name recorded for an identity Azure DevOps gave none.
pub const NO_DISPLAY_NAME: &str = "(no display name)";

impl Identity {
    /// Who `connectionData` says the token belongs to.
    pub fn from_connection(user: crate::ado::models::Identity) -> Self {
        Self {
            display_name: user.display_name().unwrap_or(NO_DISPLAY_NAME).to_owned(),
            unique_name: user.unique_name().unwrap_or("").to_owned(),
            id: user.id,
        }
    }

    /// The sign-in name (`gate@fabrikam.com`), when Azure DevOps gave one: what commands such as
    /// `az devops security permission update --subject` take.
    pub fn sign_in_name(&self) -> Option<&str> {
        Some(self.unique_name.as_str()).filter(|n| !n.is_empty())
    }
}

/// What every screen and report calls the integration user: its display name once known, else
/// "the integration user", so no two places name it differently.
pub fn user_name(identity: Option<&Identity>) -> String {
    identity
        .map(|i| i.display_name.as_str())
        .filter(|n| !n.is_empty() && *n != NO_DISPLAY_NAME)
        .unwrap_or("the integration user")
        .to_owned()
}

/// A parsed organization (or collection) address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgUrl {
    /// Base URL without a trailing slash, e.g. `https://dev.azure.com/fabrikam`.
    base: String,
    name: String,
    deployment: Deployment,
}

/// Why an organization address was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OrgError {
    #[error(
        "the organization is empty: give its name (fabrikam) or URL (https://dev.azure.com/fabrikam)"
    )]
    Empty,
    #[error(
        "\"{0}\" is not a valid organization name: use letters, digits and hyphens, starting and ending with a letter or digit, at most 50 characters"
    )]
    InvalidName(String),
    #[error("\"{0}\" is not a URL this tool understands: {1}")]
    InvalidUrl(String, String),
    #[error(
        "refusing plain http to {0}: the token would travel unencrypted; use https (plain http is allowed only for loopback test servers)"
    )]
    InsecureScheme(String),
    #[error("unsupported URL scheme \"{0}\": use https")]
    UnsupportedScheme(String),
    #[error("{0} names no organization: expected https://dev.azure.com/ORGANIZATION")]
    MissingOrganization(String),
}

/// Why an address could not be read, in the admin's words (the `url` crate's own, such as
/// "relative URL without a base", are written for programmers).
pub fn url_problem(error: url::ParseError) -> &'static str {
    use url::ParseError as E;
    match error {
        E::RelativeUrlWithoutBase | E::RelativeUrlWithCannotBeABaseBase => {
            "it does not start with https://"
        }
        E::EmptyHost => NO_SERVER,
        E::IdnaError | E::InvalidDomainCharacter => {
            "the server name has a character no domain name can contain"
        }
        E::InvalidPort => "the port is not a number from 1 to 65535",
        E::InvalidIpv4Address | E::InvalidIpv6Address => "the IP address is not valid",
        _ => "it is not a web address",
    }
}

/// An address with a scheme but no server (`https://`).
pub const NO_SERVER: &str = "it names no server";

const CLOUD_HOST: &str = "dev.azure.com";
const LEGACY_SUFFIX: &str = ".visualstudio.com";

/// Checks the Azure DevOps organization name rules: letters, digits, hyphens; starts and ends with a
/// letter or digit; at most 50 characters.
fn is_valid_org_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    let (Some(first), Some(last)) = (bytes.first(), bytes.last()) else {
        return false;
    };
    bytes.len() <= 50
        && first.is_ascii_alphanumeric()
        && last.is_ascii_alphanumeric()
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'-')
}

/// Server collection names are freer than cloud organization names; refuse only what cannot be a
/// path segment we would send back unchanged.
fn is_valid_collection_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 256
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

fn is_loopback(host: &Host<&str>) -> bool {
    match host {
        Host::Domain(d) => d.eq_ignore_ascii_case("localhost"),
        Host::Ipv4(ip) => IpAddr::V4(*ip).is_loopback(),
        Host::Ipv6(ip) => IpAddr::V6(*ip).is_loopback(),
    }
}

impl OrgUrl {
    /// Parses any accepted form; see the module documentation.
    pub fn parse(input: &str) -> Result<Self, OrgError> {
        let input = input.trim();
        if input.is_empty() {
            return Err(OrgError::Empty);
        }
        if !input.contains("://") {
            return Self::cloud(input);
        }
        let url = Url::parse(input)
            .map_err(|e| OrgError::InvalidUrl(input.to_owned(), url_problem(e).to_owned()))?;
        let host = url
            .host()
            .ok_or_else(|| OrgError::InvalidUrl(input.to_owned(), NO_SERVER.to_owned()))?;
        let loopback = is_loopback(&host);
        match url.scheme() {
            "https" => {}
            "http" if loopback => {}
            "http" => return Err(OrgError::InsecureScheme(host.to_string())),
            other => return Err(OrgError::UnsupportedScheme(other.to_owned())),
        }
        let segments: Vec<&str> = url
            .path_segments()
            .map(|s| s.filter(|p| !p.is_empty()).collect())
            .unwrap_or_default();
        let host_str = host.to_string().to_ascii_lowercase();

        if host_str == CLOUD_HOST {
            let name = segments
                .first()
                .ok_or_else(|| OrgError::MissingOrganization(input.to_owned()))?;
            return Self::cloud(name);
        }
        if let Some(org) = host_str.strip_suffix(LEGACY_SUFFIX) {
            return Self::cloud(org);
        }
        let origin = url.origin().ascii_serialization();
        if loopback {
            // `/tfs/{collection}` is a simulated Azure DevOps Server's collection URL.
            let (prefix, name) = match segments.as_slice() {
                [first, second, ..] if first.eq_ignore_ascii_case("tfs") => {
                    (format!("/{first}"), *second)
                }
                [first, ..] => (String::new(), *first),
                [] => return Err(OrgError::MissingOrganization(input.to_owned())),
            };
            if !is_valid_org_name(name) {
                return Err(OrgError::InvalidName(name.to_owned()));
            }
            return Ok(Self {
                base: format!("{origin}{prefix}/{name}"),
                name: name.to_owned(),
                deployment: Deployment::Loopback,
            });
        }
        // Azure DevOps Server: `[/tfs]/{collection}`.
        let (prefix, collection) = match segments.as_slice() {
            [first, second, ..] if first.eq_ignore_ascii_case("tfs") => (Some(*first), *second),
            [first, ..] => (None, *first),
            [] => return Err(OrgError::MissingOrganization(input.to_owned())),
        };
        if !is_valid_collection_name(collection) {
            return Err(OrgError::InvalidName(collection.to_owned()));
        }
        let base = match prefix {
            Some(p) => format!("{origin}/{p}/{collection}"),
            None => format!("{origin}/{collection}"),
        };
        Ok(Self {
            base,
            name: collection.to_owned(),
            deployment: Deployment::Server,
        })
    }

    fn cloud(name: &str) -> Result<Self, OrgError> {
        if !is_valid_org_name(name) {
            return Err(OrgError::InvalidName(name.to_owned()));
        }
        Ok(Self {
            base: format!("https://{CLOUD_HOST}/{name}"),
            name: name.to_owned(),
            deployment: Deployment::Cloud,
        })
    }

    /// Organization (or collection) name, as Azure DevOps spells it in URLs.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Base URL without a trailing slash.
    pub fn base(&self) -> &str {
        &self.base
    }

    pub fn deployment(&self) -> Deployment {
        self.deployment
    }

    /// A stable key for per-organization storage (credential entries, snapshots).
    pub fn key(&self) -> String {
        self.base.to_ascii_lowercase()
    }

    /// `{base}/_apis/{path}` for organization-level resources.
    pub fn api(&self, path: &str) -> String {
        format!("{}/_apis/{}", self.base, path.trim_start_matches('/'))
    }

    /// `{base}/{project}/_apis/{path}` for project-level resources.
    pub fn project_api(&self, project: &str, path: &str) -> String {
        format!(
            "{}/{}/_apis/{}",
            self.base,
            encode_segment(project),
            path.trim_start_matches('/')
        )
    }

    /// The page where the signed-in user creates and revokes personal access tokens.
    pub fn tokens_page(&self) -> String {
        format!("{}/_usersSettings/tokens", self.base)
    }

    /// The project's permissions settings page (where Project Administrators is managed).
    pub fn project_permissions_page(&self, project: &str) -> String {
        format!(
            "{}/{}/_settings/permissions",
            self.base,
            encode_segment(project)
        )
    }
}

/// Percent-encodes one path segment (project names may contain spaces).
fn encode_segment(segment: &str) -> String {
    url::form_urlencoded::byte_serialize(segment.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}

impl fmt::Display for OrgUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.base)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn every_documented_form_parses() {
        let cases = [
            (
                "fabrikam",
                "https://dev.azure.com/fabrikam",
                "fabrikam",
                Deployment::Cloud,
            ),
            (
                "https://dev.azure.com/fabrikam/Project/_git/repo",
                "https://dev.azure.com/fabrikam",
                "fabrikam",
                Deployment::Cloud,
            ),
            (
                "https://Fabrikam.VisualStudio.com/DefaultCollection",
                "https://dev.azure.com/fabrikam",
                "fabrikam",
                Deployment::Cloud,
            ),
            (
                "https://tfs.example.com/tfs/DefaultCollection/Proj",
                "https://tfs.example.com/tfs/DefaultCollection",
                "DefaultCollection",
                Deployment::Server,
            ),
            (
                "https://ado.example.com:8443/Coll",
                "https://ado.example.com:8443/Coll",
                "Coll",
                Deployment::Server,
            ),
            (
                "http://127.0.0.1:4321/fabrikam/",
                "http://127.0.0.1:4321/fabrikam",
                "fabrikam",
                Deployment::Loopback,
            ),
            (
                "http://127.0.0.1:4321/tfs/DefaultCollection/_apis",
                "http://127.0.0.1:4321/tfs/DefaultCollection",
                "DefaultCollection",
                Deployment::Loopback,
            ),
            (
                "http://localhost:80/demo",
                "http://localhost/demo",
                "demo",
                Deployment::Loopback,
            ),
        ];
        for (input, base, name, deployment) in cases {
            let org = OrgUrl::parse(input).unwrap_or_else(|e| panic!("{input}: {e}"));
            assert_eq!(org.base(), base, "{input}");
            assert_eq!(org.name(), name, "{input}");
            assert_eq!(org.deployment(), deployment, "{input}");
        }
    }

    #[test]
    fn plain_http_is_refused_off_loopback() {
        for input in [
            "http://dev.azure.com/fabrikam",
            "http://tfs.example.com/tfs/DefaultCollection",
            "http://10.0.0.1:8080/coll",
        ] {
            assert!(
                matches!(OrgUrl::parse(input), Err(OrgError::InsecureScheme(_))),
                "{input}"
            );
        }
        assert!(matches!(
            OrgUrl::parse("ftp://dev.azure.com/x"),
            Err(OrgError::UnsupportedScheme(_))
        ));
    }

    #[test]
    fn bad_names_and_missing_orgs_are_refused() {
        for input in ["-abc", "abc-", "a b", "x".repeat(51).as_str(), "fab_rikam"] {
            assert!(
                matches!(OrgUrl::parse(input), Err(OrgError::InvalidName(_))),
                "{input}"
            );
        }
        assert_eq!(OrgUrl::parse("  "), Err(OrgError::Empty));
        assert!(matches!(
            OrgUrl::parse("https://dev.azure.com/"),
            Err(OrgError::MissingOrganization(_))
        ));
    }

    #[test]
    fn links_are_built_from_the_base() {
        let org = OrgUrl::parse("fabrikam").unwrap();
        assert_eq!(
            org.tokens_page(),
            "https://dev.azure.com/fabrikam/_usersSettings/tokens"
        );
        assert_eq!(
            org.project_api("My Project", "policy/configurations"),
            "https://dev.azure.com/fabrikam/My%20Project/_apis/policy/configurations"
        );
        assert_eq!(
            org.api("/git/repositories"),
            "https://dev.azure.com/fabrikam/_apis/git/repositories"
        );
    }

    fn org_name() -> impl Strategy<Value = String> {
        "[A-Za-z0-9]([A-Za-z0-9-]{0,48}[A-Za-z0-9])?"
    }

    proptest! {
        #[test]
        fn valid_names_round_trip_through_every_cloud_form(name in org_name(), tail in "(/[A-Za-z0-9_]{1,8}){0,3}") {
            let bare = OrgUrl::parse(&name).unwrap();
            let modern = OrgUrl::parse(&format!("https://dev.azure.com/{name}{tail}")).unwrap();
            prop_assert_eq!(&bare, &modern);
            prop_assert_eq!(OrgUrl::parse(bare.base()).unwrap(), bare.clone());
            prop_assert_eq!(bare.name(), name.as_str());
            let legacy = OrgUrl::parse(&format!("https://{name}.visualstudio.com{tail}")).unwrap();
            prop_assert_eq!(legacy.name(), name.to_ascii_lowercase());
        }

        #[test]
        fn names_with_forbidden_characters_are_rejected(
            prefix in org_name(),
            bad in "[^A-Za-z0-9-/:.]",
        ) {
            let name = format!("{prefix}{bad}x");
            prop_assert!(OrgUrl::parse(&name).is_err());
        }

        #[test]
        fn too_long_names_are_rejected(name in "[a-z0-9]{51,80}") {
            prop_assert!(matches!(OrgUrl::parse(&name), Err(OrgError::InvalidName(_))));
        }

        #[test]
        fn http_to_any_non_loopback_host_is_refused(host in "[a-z]{1,10}\\.(com|net|org)", name in org_name()) {
            let result = OrgUrl::parse(&format!("http://{host}/{name}"));
            prop_assert!(matches!(result, Err(OrgError::InsecureScheme(_))));
        }

        #[test]
        fn loopback_round_trips(port in 1u16.., name in org_name()) {
            let org = OrgUrl::parse(&format!("http://127.0.0.1:{port}/{name}")).unwrap();
            prop_assert_eq!(OrgUrl::parse(org.base()).unwrap(), org.clone());
            prop_assert_eq!(org.deployment(), Deployment::Loopback);
        }
    }
}

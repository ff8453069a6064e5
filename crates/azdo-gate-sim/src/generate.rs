//! Big deterministic organizations for benchmarks and scale tests.

use std::collections::BTreeMap;

use super::ids::{stable_guid, stable_u64};
use super::scenario::{
    AccessLevel, HookStatus, Project, Repository, Scenario, Subscription, Token, User, Visibility,
};

/// The scopes the gate's PAT is created with (DESIGN.md).
const GATE_SCOPES: [&str; 4] = [
    "vso.work_write",
    "vso.code_write",
    "vso.code_status",
    "vso.build",
];

impl Scenario {
    /// An organization with `repos` repositories spread round-robin over `projects` projects (at
    /// least one when there are repositories), and `subscriptions` PR subscriptions pointing at
    /// `webhook_url`: `created` then `updated` for the first repository, then the second, and so on
    /// (so `2 × repos` subscriptions cover every repository). One user, "Gate Bot", owns the primary
    /// token (the gate's four scopes) and may edit hooks and policies everywhere. The same arguments
    /// always give the same organization.
    pub fn generated(
        projects: usize,
        repos: usize,
        subscriptions: usize,
        webhook_url: &str,
    ) -> Scenario {
        let user_id = stable_guid("generated:user", 0);
        let project_count = if repos > 0 { projects.max(1) } else { projects };
        let mut all_projects: Vec<Project> = (0..project_count)
            .map(|i| Project {
                id: stable_guid("generated:project", i as u64),
                name: format!("project-{:04}", i + 1),
                description: None,
                visibility: Visibility::Private,
                repositories: Vec::with_capacity(repos / project_count.max(1) + 1),
                permissions: Vec::new(),
                permission_evaluation_refused: false,
                policies: Vec::new(),
            })
            .collect();
        // (repository id, project id) by repository number, for the subscriptions below.
        let mut placed = Vec::with_capacity(repos);
        for r in 0..repos {
            let project = &mut all_projects[r % project_count];
            let id = stable_guid("generated:repository", r as u64);
            placed.push((id.clone(), project.id.clone()));
            project.repositories.push(Repository {
                id,
                name: format!("repo-{:05}", r + 1),
                default_branch: Some("refs/heads/main".into()),
                disabled: false,
                fork: false,
                size: None,
            });
        }
        let events = ["git.pullrequest.created", "git.pullrequest.updated"];
        let all_subscriptions = if placed.is_empty() {
            Vec::new()
        } else {
            (0..subscriptions)
                .map(|s| {
                    let (repo, project) = &placed[(s / 2) % placed.len()];
                    Subscription {
                        id: stable_guid("generated:subscription", s as u64),
                        publisher_id: "tfs".into(),
                        event_type: events[s % 2].into(),
                        resource_version: Some("1.0".into()),
                        consumer_id: "webHooks".into(),
                        consumer_action_id: "httpRequest".into(),
                        status: HookStatus::Enabled,
                        probation_retries: None,
                        publisher_inputs: BTreeMap::from([
                            ("projectId".to_owned(), project.clone()),
                            ("repository".to_owned(), repo.clone()),
                            ("branch".to_owned(), String::new()),
                        ]),
                        consumer_inputs: BTreeMap::from([(
                            "url".to_owned(),
                            webhook_url.to_owned(),
                        )]),
                        created_by: user_id.clone(),
                        created_date: None,
                        modified_by: None,
                        modified_date: None,
                        raw: serde_json::Map::new(),
                    }
                })
                .collect()
        };
        Scenario {
            organization: "fabrikam-scale".into(),
            public_projects: false,
            latency_ms: 0,
            users: vec![User {
                id: user_id.clone(),
                display_name: "Gate Bot".into(),
                unique_name: "gate-bot@fabrikam-scale.example".into(),
                custom_display_name: None,
                access_level: AccessLevel::Basic,
            }],
            tokens: vec![Token {
                name: Some("gate".into()),
                token: pat_shaped("generated:gate"),
                user: user_id,
                scopes: GATE_SCOPES.iter().map(|s| (*s).to_owned()).collect(),
                full_access: false,
                expired: false,
                organization: None,
                primary: true,
            }],
            projects: all_projects,
            subscriptions: all_subscriptions,
            faults: Vec::new(),
        }
    }
}

/// A deterministic string in the shape of a new-format (84-character) Azure DevOps PAT:
/// 52 alphanumerics, `JQQJ99`, one character, one of `A`–`L`, 12 characters, `AAAAAZDO`, 4 characters.
pub(crate) fn pat_shaped(seed: &str) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut n = 0u64;
    let mut take = |choices: &[u8], count: usize| -> String {
        (0..count)
            .map(|_| {
                n += 1;
                // The remainder is below `choices.len()`, so it fits in usize.
                let i = usize::try_from(stable_u64(seed, n) % choices.len() as u64).unwrap_or(0);
                char::from(choices[i])
            })
            .collect()
    };
    let head = take(ALPHABET, 52);
    let one = take(ALPHABET, 1);
    let letter = take(b"ABCDEFGHIJKL", 1);
    let middle = take(ALPHABET, 12);
    let tail = take(ALPHABET, 4);
    format!("{head}JQQJ99{one}{letter}{middle}AAAAAZDO{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_organizations_are_deterministic_and_valid() {
        let a = Scenario::generated(3, 10, 15, "https://gate.example.com/ado/events");
        let b = Scenario::generated(3, 10, 15, "https://gate.example.com/ado/events");
        assert!(a.validate().is_ok());
        assert_eq!(serde_json::to_value(&a).ok(), serde_json::to_value(&b).ok());
        assert_eq!(
            a.projects
                .iter()
                .map(|p| p.repositories.len())
                .sum::<usize>(),
            10
        );
        assert_eq!(a.subscriptions.len(), 15);
        assert_eq!(a.primary_token(), a.token("gate"));
    }

    #[test]
    fn generated_token_has_the_new_pat_shape() {
        let pat = pat_shaped("x");
        assert_eq!(pat.len(), 84);
        assert!(pat[..52].bytes().all(|b| b.is_ascii_alphanumeric()));
        assert_eq!(&pat[52..58], "JQQJ99");
        assert!((b'A'..=b'L').contains(&pat.as_bytes()[59]));
        assert_eq!(&pat[72..80], "AAAAAZDO");
    }
}

//! The paths through the wizard. The same steps serve several journeys (first-time setup, token
//! rotation, configuring from the home screen); a flow is the ordered list of steps one journey
//! visits, which gives the header its "Step N of M" and Esc its destination.

use crate::tui::steps::Step;

/// One journey through the wizard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    /// First-time setup of an organization: from the welcome screen to the summary.
    Setup,
    /// Replace the stored token without an outage: the new token is verified, given to the gating
    /// service, stored, the organization audited with it, and only then is the old one revoked.
    Rotate,
    /// From the home screen: configure new and broken repositories.
    Configure,
    /// From the home screen: permissions, then coverage, then configuration.
    Audit,
}

const SETUP: &[Step] = &[
    Step::Welcome,
    Step::Organization,
    Step::TokenRecipe,
    Step::PasteToken,
    Step::Verify,
    Step::HandOver,
    Step::Gate,
    Step::Save,
    Step::Permissions,
    Step::Coverage,
    Step::Plan,
    Step::Apply,
    Step::Summary,
];

const ROTATE: &[Step] = &[
    Step::TokenRecipe,
    Step::PasteToken,
    Step::Verify,
    Step::HandOver,
    Step::Save,
    Step::Permissions,
    Step::Revoke,
    Step::Summary,
];

const CONFIGURE: &[Step] = &[Step::Coverage, Step::Plan, Step::Apply, Step::Summary];

const AUDIT: &[Step] = &[
    Step::Permissions,
    Step::Coverage,
    Step::Plan,
    Step::Apply,
    Step::Summary,
];

impl Flow {
    pub fn steps(self) -> &'static [Step] {
        match self {
            Self::Setup => SETUP,
            Self::Rotate => ROTATE,
            Self::Configure => CONFIGURE,
            Self::Audit => AUDIT,
        }
    }

    /// The header's left side.
    pub fn label(self) -> &'static str {
        match self {
            Self::Setup => "setup",
            Self::Rotate => "token rotation",
            Self::Configure => "configure repositories",
            Self::Audit => "audit",
        }
    }

    /// `(position from 1, steps in the flow)`, or `None` for a step outside the flow (home).
    pub fn position(self, step: Step) -> Option<(u8, u8)> {
        let steps = self.steps();
        let index = steps.iter().position(|s| *s == step)?;
        let number = u8::try_from(index + 1).ok()?;
        let total = u8::try_from(steps.len()).ok()?;
        Some((number, total))
    }

    /// The step before `step` in this flow; `None` at the start (or outside the flow).
    pub fn previous(self, step: Step) -> Option<Step> {
        let steps = self.steps();
        let index = steps.iter().position(|s| *s == step)?;
        index.checked_sub(1).map(|i| steps[i])
    }

    /// The step after `step` in this flow; `None` at the end (or outside the flow).
    pub fn next(self, step: Step) -> Option<Step> {
        let steps = self.steps();
        let index = steps.iter().position(|s| *s == step)?;
        steps.get(index + 1).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn setup_numbers_match_the_issue() {
        assert_eq!(Flow::Setup.position(Step::Welcome), Some((1, 13)));
        assert_eq!(Flow::Setup.position(Step::Verify), Some((5, 13)));
        assert_eq!(Flow::Setup.position(Step::HandOver), Some((6, 13)));
        assert_eq!(Flow::Setup.position(Step::Gate), Some((7, 13)));
        assert_eq!(Flow::Setup.position(Step::Summary), Some((13, 13)));
        assert_eq!(Flow::Setup.position(Step::Home), None);
        assert_eq!(Flow::Setup.position(Step::Revoke), None);
    }

    #[test]
    fn only_setup_asks_what_the_gate_needs() {
        assert_eq!(Flow::Setup.next(Step::HandOver), Some(Step::Gate));
        assert_eq!(Flow::Setup.next(Step::Gate), Some(Step::Save));
        for flow in [Flow::Rotate, Flow::Configure, Flow::Audit] {
            assert_eq!(flow.position(Step::Gate), None, "{flow:?}");
        }
    }

    #[test]
    fn rotation_revokes_only_after_the_audit() {
        let steps = Flow::Rotate.steps();
        let position = |step| steps.iter().position(|s| *s == step);
        assert!(position(Step::Verify) < position(Step::HandOver));
        assert!(position(Step::HandOver) < position(Step::Save));
        assert!(position(Step::Save) < position(Step::Permissions));
        assert!(position(Step::Permissions) < position(Step::Revoke));
        assert_eq!(Flow::Rotate.previous(Step::TokenRecipe), None);
        assert_eq!(Flow::Rotate.next(Step::Permissions), Some(Step::Revoke));
    }
}

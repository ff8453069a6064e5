//! What each step is for and what happens next, in two or three sentences for an Azure DevOps
//! administrator: the top of the help popup, above the keys. One text per step, and per state
//! where the step asks something different.

use crate::tui::app::App;
use crate::tui::flow::Flow;
use crate::tui::steps::Step;
use crate::tui::steps::save::Storing;

/// The explanation of the step the admin is on, in its current state.
pub(crate) fn about(app: &App) -> &'static str {
    match app.step {
        Step::Welcome => {
            "This wizard connects one Azure DevOps organization to the pull-request gate: a \
             personal access token for a dedicated user, then webhooks and a status policy on \
             the repositories you pick. Nothing changes in Azure DevOps until you confirm the \
             plan near the end."
        }
        Step::Organization => {
            "Name the organization (or Azure DevOps Server collection) the gate should watch. \
             Enter checks that it exists and is reachable from here; nothing is signed in or \
             changed yet. Next you create the token for it."
        }
        Step::TokenRecipe if app.flow == Flow::Rotate => {
            "Create a new token for the same gate user, with the values shown, before the old \
             one expires. The old token keeps working until the new one is verified, given to \
             the gating service and stored; you revoke it at the end."
        }
        Step::TokenRecipe => {
            "Create the personal access token the gate works with, signed in to Azure DevOps as \
             the dedicated integration user, with exactly the values shown. Azure DevOps shows \
             the token only once: copy it, then paste it in the next step."
        }
        Step::PasteToken => {
            "Paste the token you just created and the expiry date Azure DevOps showed for it. \
             The token is kept in memory only and never shown; the date is what azdo-gate \
             reminds you of before the token stops working. Next the token is checked."
        }
        Step::Verify => {
            "azdo-gate asks Azure DevOps what this token can do: its user, its scopes and its \
             expiry, reading only. Confirm that the user is the dedicated integration user \
             (its name appears on every gate comment), fix any error shown, then continue."
        }
        Step::HandOver => {
            "The gating service works with this same token: give it now, on the service's \
             token page, before azdo-gate stores it. The clipboard holds a secret once you copy \
             the token, so clear it once it is pasted."
        }
        Step::Gate => {
            "What the gating service needs from Azure DevOps: the webhook URL it receives \
             pull-request events on, the basic auth it expects on them (the password goes to \
             the credential store beside the token, never to a file), and whether pull requests \
             must wait for its status. Enter keeps these for every later audit and configure."
        }
        Step::Save if matches!(app.save.storing, Storing::Failed { .. }) => {
            "The OS credential store could not keep the token. Choose where it goes instead \
             with the arrows and Enter: a plain-text file readable only by you (less safe), \
             memory for this run only, or the credential store again. Nothing is chosen for you."
        }
        Step::Save => {
            "The token (and the webhook password, if any) is stored in your OS credential \
             store, never in a plain file unless you choose it. Enter records the organization \
             and the gate settings (never a secret) and moves on to the permissions check."
        }
        Step::Permissions => {
            "azdo-gate audits the organization, reading only: in every project it checks that \
             the gate user may manage service hooks and branch policies. Projects where it may \
             not are skipped by the plan until you fix them (o opens the page)."
        }
        Step::Coverage if app.coverage.filtering => {
            "Type part of a project or repository name to narrow the list; the selection is \
             kept. Enter keeps the filter and goes back to the list; Esc clears it."
        }
        Step::Coverage => {
            "Every repository and whether the gate already covers it: webhooks for pull-request \
             events and the status policy. Pick the repositories to configure (those not covered \
             are picked for you); Enter shows the plan, without changing anything."
        }
        Step::Plan => {
            "The exact changes azdo-gate would make in Azure DevOps, project by project, with \
             why, and what it must skip and how to fix it. Nothing has been written yet: Enter \
             asks you to confirm, then applies."
        }
        Step::Apply => {
            "azdo-gate is making the planned changes in Azure DevOps; each line shows \
             its outcome. If some fail, fix the cause shown and retry just those. Then the \
             summary says what changed and what still needs you."
        }
        Step::Summary => {
            "What changed, what the organization's coverage is now and what is left for you. \
             Add a reminder before the token expires: a calendar file, or the scheduled check \
             command shown. Run azdo-gate again any time to get back to the home screen."
        }
        Step::Home => {
            "Each organization you set up, audited again just now: the token's expiry, \
             coverage, new repositories and problems. From here rotate the token, configure new \
             or broken repositories, audit, or add another organization."
        }
        Step::Revoke => {
            "The new token is verified, handed over, stored and used: the old one is no longer \
             needed. Revoke it in Azure DevOps so it cannot be misused, then press d; l leaves \
             it as an open item on the home screen."
        }
    }
}

//! Roles and what they may do: the only place these rules live.
//!
//! Handlers ask for a capability and receive a value that the guarded
//! queries require as an argument, so a write without the check does not
//! compile (the pattern of lldap's admin handlers).

use crate::error::AppError;

/// A member's role in one tenant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// Sets up the plan, committees and accounts of the tenant.
    Secretariat,
    /// A committee member from a ministry.
    Ministry,
    /// A committee member from a workers' or employers' organisation.
    SocialPartner,
    /// Reads progress, never confidential records, changes nothing.
    Observer,
}

impl Role {
    pub const ALL: [Role; 4] = [
        Role::Secretariat,
        Role::Ministry,
        Role::SocialPartner,
        Role::Observer,
    ];

    /// The stable name used in the database, the CLI and forms.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Secretariat => "secretariat",
            Role::Ministry => "ministry",
            Role::SocialPartner => "social-partner",
            Role::Observer => "observer",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Translation key of the role's name.
    pub fn label_key(self) -> &'static str {
        match self {
            Role::Secretariat => "role.secretariat",
            Role::Ministry => "role.ministry",
            Role::SocialPartner => "role.social-partner",
            Role::Observer => "role.observer",
        }
    }
}

/// What a member may do in their tenant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Capability {
    /// Open the tenant's signed-in pages.
    ViewTenant,
    /// Add people, change their role, deactivate them.
    ManageMembers,
    /// Create, change and delete partners, NAPs, objectives, outcomes,
    /// activities and targets; import plans; publish NAPs.
    EditPlan,
    /// Post status updates: the secretariat on any activity, a focal point
    /// on the activities their organisation leads or supports.
    ReportProgress,
    /// Accept or return updates that wait for review.
    ReviewUpdates,
    /// Take part in the discussion of an activity (observers only read).
    Comment,
    /// Browse and export the audit log.
    ViewAudit,
    /// Be put in a group that keeps confidential records (observers never are).
    KeepConfidential,
    /// Set up the groups that keep confidential records, and who is in them.
    ManageConfidentialGroups,
}

/// Observers change nothing, ever, so they are never focal points: forms,
/// the CLI and a check constraint refuse the flag, and the matrix ignores it.
pub fn may_be_focal_point(role: Role) -> bool {
    role != Role::Observer
}

/// The matrix: whether `role` (with or without the focal-point flag) may do `cap`.
pub fn can(role: Role, focal_point: bool, cap: Capability) -> bool {
    match cap {
        Capability::ViewTenant => true,
        Capability::ManageMembers
        | Capability::EditPlan
        | Capability::ReviewUpdates
        | Capability::ViewAudit
        | Capability::ManageConfidentialGroups => role == Role::Secretariat,
        Capability::ReportProgress => {
            role == Role::Secretariat || (focal_point && may_be_focal_point(role))
        }
        Capability::Comment | Capability::KeepConfidential => role != Role::Observer,
    }
}

/// Proof that the holder may manage the members of `tenant_id`. Only this
/// module (and the operator's CLI, through [`operator`]) can make one; the
/// membership queries take it as an argument.
#[derive(Debug)]
pub struct MembersAdmin {
    tenant_id: i64,
}

impl MembersAdmin {
    pub fn tenant_id(&self) -> i64 {
        self.tenant_id
    }
}

/// Hands out [`MembersAdmin`] to a secretariat member, 403 to anyone else.
pub fn members_admin(
    tenant_id: i64,
    role: Role,
    focal_point: bool,
) -> Result<MembersAdmin, AppError> {
    if can(role, focal_point, Capability::ManageMembers) {
        Ok(MembersAdmin { tenant_id })
    } else {
        Err(AppError::Forbidden)
    }
}

/// Proof that the holder may change the plan of `tenant_id`.
#[derive(Debug)]
pub struct PlanEditor {
    tenant_id: i64,
}

impl PlanEditor {
    pub fn tenant_id(&self) -> i64 {
        self.tenant_id
    }
}

/// Hands out [`PlanEditor`] to a secretariat member, 403 to anyone else.
pub fn plan_editor(tenant_id: i64, role: Role, focal_point: bool) -> Result<PlanEditor, AppError> {
    if can(role, focal_point, Capability::EditPlan) {
        Ok(PlanEditor { tenant_id })
    } else {
        Err(AppError::Forbidden)
    }
}

/// The demo loader writes plans as the platform operator.
pub fn operator_plan_editor(tenant_id: i64) -> PlanEditor {
    PlanEditor { tenant_id }
}

/// Proof that the holder may post an update on one activity, for whom.
#[derive(Debug)]
pub struct ActivityReporter {
    tenant_id: i64,
    activity_id: i64,
    /// The organisation reported for; `None` for the secretariat.
    partner_id: Option<i64>,
    /// The secretariat's own updates never wait for review.
    is_secretariat: bool,
}

impl ActivityReporter {
    pub fn tenant_id(&self) -> i64 {
        self.tenant_id
    }

    pub fn activity_id(&self) -> i64 {
        self.activity_id
    }

    pub fn partner_id(&self) -> Option<i64> {
        self.partner_id
    }

    pub fn is_secretariat(&self) -> bool {
        self.is_secretariat
    }
}

/// Who the activity belongs to, as far as reporting is concerned.
pub struct ActivityOwners<'a> {
    pub activity_id: i64,
    pub lead: Option<i64>,
    pub supporting: &'a [i64],
}

/// Hands out [`ActivityReporter`] to the secretariat, or to a focal point
/// whose organisation leads or supports the activity; 403 to anyone else.
pub fn activity_reporter(
    tenant_id: i64,
    role: Role,
    focal_point: bool,
    member_partner: Option<i64>,
    owners: &ActivityOwners<'_>,
) -> Result<ActivityReporter, AppError> {
    if !can(role, focal_point, Capability::ReportProgress) {
        return Err(AppError::Forbidden);
    }
    let is_secretariat = role == Role::Secretariat;
    let own = member_partner.filter(|p| owners.lead == Some(*p) || owners.supporting.contains(p));
    if !is_secretariat && own.is_none() {
        return Err(AppError::Forbidden);
    }
    Ok(ActivityReporter {
        tenant_id,
        activity_id: owners.activity_id,
        partner_id: if is_secretariat { None } else { own },
        is_secretariat,
    })
}

/// Proof that the holder may accept or return updates of `tenant_id`.
#[derive(Debug)]
pub struct UpdateReviewer {
    tenant_id: i64,
}

impl UpdateReviewer {
    pub fn tenant_id(&self) -> i64 {
        self.tenant_id
    }
}

pub fn update_reviewer(
    tenant_id: i64,
    role: Role,
    focal_point: bool,
) -> Result<UpdateReviewer, AppError> {
    if can(role, focal_point, Capability::ReviewUpdates) {
        Ok(UpdateReviewer { tenant_id })
    } else {
        Err(AppError::Forbidden)
    }
}

/// Proof that the holder may enter measured values of one indicator: the
/// secretariat, or a focal point of the indicator's responsible partner.
#[derive(Debug)]
pub struct IndicatorReporter {
    tenant_id: i64,
    indicator_id: i64,
}

impl IndicatorReporter {
    pub fn tenant_id(&self) -> i64 {
        self.tenant_id
    }

    pub fn indicator_id(&self) -> i64 {
        self.indicator_id
    }
}

pub fn indicator_reporter(
    tenant_id: i64,
    role: Role,
    focal_point: bool,
    member_partner: Option<i64>,
    indicator_id: i64,
    responsible: Option<i64>,
) -> Result<IndicatorReporter, AppError> {
    let own = focal_point && member_partner.is_some() && member_partner == responsible;
    if role == Role::Secretariat || (can(role, focal_point, Capability::ReportProgress) && own) {
        Ok(IndicatorReporter {
            tenant_id,
            indicator_id,
        })
    } else {
        Err(AppError::Forbidden)
    }
}

/// Proof that the holder may read the audit log of `tenant_id`; the log's
/// queries take it, so a page cannot show the log without the check.
#[derive(Debug)]
pub struct AuditReader {
    tenant_id: i64,
}

impl AuditReader {
    pub fn tenant_id(&self) -> i64 {
        self.tenant_id
    }
}

pub fn audit_reader(
    tenant_id: i64,
    role: Role,
    focal_point: bool,
) -> Result<AuditReader, AppError> {
    if can(role, focal_point, Capability::ViewAudit) {
        Ok(AuditReader { tenant_id })
    } else {
        Err(AppError::Forbidden)
    }
}

/// Proof that the holder may comment in `tenant_id`.
#[derive(Debug)]
pub struct Commenter {
    tenant_id: i64,
}

impl Commenter {
    pub fn tenant_id(&self) -> i64 {
        self.tenant_id
    }
}

pub fn commenter(tenant_id: i64, role: Role, focal_point: bool) -> Result<Commenter, AppError> {
    if can(role, focal_point, Capability::Comment) {
        Ok(Commenter { tenant_id })
    } else {
        Err(AppError::Forbidden)
    }
}

/// Proof that the holder may set up the confidential groups of `tenant_id`.
/// It grants no reading: only group members read records.
#[derive(Debug)]
pub struct ConfidentialGroupsAdmin {
    tenant_id: i64,
}

impl ConfidentialGroupsAdmin {
    pub fn tenant_id(&self) -> i64 {
        self.tenant_id
    }
}

pub fn confidential_groups_admin(
    tenant_id: i64,
    role: Role,
    focal_point: bool,
) -> Result<ConfidentialGroupsAdmin, AppError> {
    if can(role, focal_point, Capability::ManageConfidentialGroups) {
        Ok(ConfidentialGroupsAdmin { tenant_id })
    } else {
        Err(AppError::Forbidden)
    }
}

/// Proof that the holder belongs to the groups listed and may read and add
/// their confidential records. Row-level security checks the same again.
#[derive(Debug)]
pub struct ConfidentialKeeper {
    tenant_id: i64,
    groups: Vec<i64>,
}

impl ConfidentialKeeper {
    pub fn tenant_id(&self) -> i64 {
        self.tenant_id
    }

    /// The groups whose records the holder may see.
    pub fn groups(&self) -> &[i64] {
        &self.groups
    }

    pub fn keeps(&self, group: i64) -> bool {
        self.groups.contains(&group)
    }
}

/// Hands out [`ConfidentialKeeper`] to a member of at least one group, 403
/// to anyone else; `groups` are the groups the person is in.
pub fn confidential_keeper(
    tenant_id: i64,
    role: Role,
    focal_point: bool,
    groups: Vec<i64>,
) -> Result<ConfidentialKeeper, AppError> {
    if can(role, focal_point, Capability::KeepConfidential) && !groups.is_empty() {
        Ok(ConfidentialKeeper { tenant_id, groups })
    } else {
        Err(AppError::Forbidden)
    }
}

/// The demo loader writes history as the platform operator.
pub fn operator_reporter(
    tenant_id: i64,
    activity_id: i64,
    partner_id: Option<i64>,
) -> ActivityReporter {
    ActivityReporter {
        tenant_id,
        activity_id,
        partner_id,
        is_secretariat: partner_id.is_none(),
    }
}

/// The platform operator at the command line may manage any tenant's members.
pub fn operator(tenant_id: i64) -> MembersAdmin {
    MembersAdmin { tenant_id }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_names_round_trip() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("admin"), None);
    }

    /// The whole matrix, written out, so a change to a rule shows up here.
    #[test]
    fn capability_matrix() {
        use Capability::*;
        use Role::*;
        let expected: &[(Role, bool, Capability, bool)] = &[
            (Secretariat, false, ViewTenant, true),
            (Ministry, false, ViewTenant, true),
            (SocialPartner, false, ViewTenant, true),
            (Observer, false, ViewTenant, true),
            (Ministry, true, ViewTenant, true),
            (Secretariat, false, ManageMembers, true),
            (Secretariat, true, ManageMembers, true),
            (Ministry, false, ManageMembers, false),
            (Ministry, true, ManageMembers, false),
            (SocialPartner, false, ManageMembers, false),
            (SocialPartner, true, ManageMembers, false),
            (Observer, false, ManageMembers, false),
            (Secretariat, false, EditPlan, true),
            (Ministry, false, EditPlan, false),
            (Ministry, true, EditPlan, false),
            (SocialPartner, false, EditPlan, false),
            (SocialPartner, true, EditPlan, false),
            (Observer, false, EditPlan, false),
            (Secretariat, false, ReportProgress, true),
            (Ministry, false, ReportProgress, false),
            (Ministry, true, ReportProgress, true),
            (SocialPartner, false, ReportProgress, false),
            (SocialPartner, true, ReportProgress, true),
            (Observer, false, ReportProgress, false),
            (Observer, true, ReportProgress, false),
            (Secretariat, false, ReviewUpdates, true),
            (Ministry, true, ReviewUpdates, false),
            (SocialPartner, true, ReviewUpdates, false),
            (Observer, false, ReviewUpdates, false),
            (Secretariat, false, Comment, true),
            (Ministry, false, Comment, true),
            (SocialPartner, false, Comment, true),
            (SocialPartner, true, Comment, true),
            (Observer, false, Comment, false),
            (Secretariat, false, ViewAudit, true),
            (Ministry, true, ViewAudit, false),
            (SocialPartner, false, ViewAudit, false),
            (Observer, false, ViewAudit, false),
            (Secretariat, false, KeepConfidential, true),
            (Ministry, false, KeepConfidential, true),
            (SocialPartner, true, KeepConfidential, true),
            (Observer, false, KeepConfidential, false),
            (Secretariat, false, ManageConfidentialGroups, true),
            (Ministry, true, ManageConfidentialGroups, false),
            (SocialPartner, false, ManageConfidentialGroups, false),
            (Observer, false, ManageConfidentialGroups, false),
        ];
        assert!(confidential_keeper(1, Observer, false, vec![4]).is_err());
        assert!(confidential_keeper(1, Ministry, false, vec![]).is_err());
        let keeper = confidential_keeper(1, Ministry, false, vec![4]).unwrap();
        assert!(keeper.keeps(4) && !keeper.keeps(5));
        for &(role, focal, cap, allowed) in expected {
            assert_eq!(
                can(role, focal, cap),
                allowed,
                "{role:?} focal={focal} {cap:?}"
            );
        }
        assert!(members_admin(1, Observer, false).is_err());
        assert!(plan_editor(1, Ministry, true).is_err());
        assert_eq!(plan_editor(3, Secretariat, false).unwrap().tenant_id(), 3);
    }

    #[test]
    fn reporting_depends_on_the_activitys_partners() {
        use Role::*;
        let owners = ActivityOwners {
            activity_id: 9,
            lead: Some(1),
            supporting: &[2, 3],
        };
        let ok = |role, focal, partner| activity_reporter(5, role, focal, partner, &owners).is_ok();
        assert!(ok(Secretariat, false, None));
        assert!(ok(Ministry, true, Some(1)), "focal point of the lead");
        assert!(
            ok(SocialPartner, true, Some(3)),
            "focal point of a supporting partner"
        );
        assert!(
            !ok(Ministry, true, Some(4)),
            "focal point of another partner"
        );
        assert!(
            !ok(Ministry, false, Some(1)),
            "member of the lead but not its focal point"
        );
        assert!(!ok(Observer, false, Some(1)));
        let r = activity_reporter(5, Ministry, true, Some(2), &owners).unwrap();
        assert_eq!(
            (
                r.tenant_id(),
                r.activity_id(),
                r.partner_id(),
                r.is_secretariat()
            ),
            (5, 9, Some(2), false)
        );
        let ind =
            |role, focal, partner| indicator_reporter(5, role, focal, partner, 7, Some(1)).is_ok();
        assert!(ind(Secretariat, false, None));
        assert!(ind(Ministry, true, Some(1)));
        assert!(!ind(Ministry, true, Some(2)));
        assert!(!ind(Ministry, false, Some(1)));
        assert!(!ind(Observer, false, Some(1)));
        assert_eq!(members_admin(7, Secretariat, false).unwrap().tenant_id(), 7);
    }
}

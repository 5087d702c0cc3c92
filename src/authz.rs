//! Roles and what they may do: the only place these rules live.
//!
//! Handlers ask for a capability and receive a value, a [`Cap`], that the
//! guarded writes require as an argument, so a write without the check does
//! not compile (the pattern of lldap's admin handlers). One generic type
//! carries every capability; what it proves is in its type parameter.

use std::marker::PhantomData;

pub use crate::choices::Role;
use crate::error::AppError;

/// What a member may do in their tenant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Capability {
    /// Open the tenant's signed-in pages.
    ViewTenant,
    /// Invite people, change their role, deactivate them.
    ManageMembers,
    /// Create, change and delete partners, NAPs, objectives, outcomes,
    /// activities, targets, risks and indicators; import plans; publish NAPs.
    EditPlan,
    /// Set up committees, their seats, meetings and terms of reference.
    RunCommittees,
    /// Change the tenant's settings and security (review mode, language,
    /// the second factor required of the secretariat).
    ManageSettings,
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
    /// Draft, issue and publish progress reports; record plan baselines;
    /// write the committee's annual review.
    IssueReports,
    /// Add documents to the library and new versions of them (observers
    /// only read). A document's details and its deletion are the
    /// secretariat's and its author's ([`document_editor`]).
    ShareDocuments,
    /// Compose and send the members' newsletter.
    SendNewsletters,
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
        | Capability::RunCommittees
        | Capability::ManageSettings
        | Capability::ReviewUpdates
        | Capability::ViewAudit
        | Capability::ManageConfidentialGroups
        | Capability::IssueReports
        | Capability::SendNewsletters => role == Role::Secretariat,
        Capability::ReportProgress => {
            role == Role::Secretariat || (focal_point && may_be_focal_point(role))
        }
        Capability::Comment | Capability::KeepConfidential | Capability::ShareDocuments => {
            role != Role::Observer
        }
    }
}

/// What a capability proves, beyond its tenant.
pub trait Kind {
    /// The capability of the matrix it stands for.
    const CAPABILITY: Capability;
    /// What else it carries (which activity, which groups…).
    type Data;
}

/// Proof that the holder may do `K` in one tenant. Only this module (and,
/// through [`operator`], the platform operator's tools) makes one; the
/// writes of each feature take it as an argument.
#[derive(Debug)]
pub struct Cap<K: Kind> {
    tenant_id: i64,
    data: K::Data,
    kind: PhantomData<K>,
}

impl<K: Kind> Cap<K> {
    pub fn tenant_id(&self) -> i64 {
        self.tenant_id
    }
}

macro_rules! kinds {
    ($($(#[$meta:meta])* $kind:ident = $alias:ident : $capability:ident, $data:ty;)+) => {
        $(
            $(#[$meta])*
            #[derive(Debug)]
            pub enum $kind {}

            impl Kind for $kind {
                const CAPABILITY: Capability = Capability::$capability;
                type Data = $data;
            }

            $(#[$meta])*
            pub type $alias = Cap<$kind>;
        )+
    };
}

kinds! {
    /// Be a member of the tenant: what every member may write of their own
    /// (marking a hand-over note to them as read).
    ViewTenant = TenantMember: ViewTenant, ();
    /// Manage the members of the tenant.
    ManageMembers = MembersAdmin: ManageMembers, ();
    /// Change the plan: partners, NAPs and their tree, risks, indicators.
    EditPlan = PlanEditor: EditPlan, ();
    /// Set up committees, seats, meetings and terms of reference.
    RunCommittees = CommitteeEditor: RunCommittees, ();
    /// Change the tenant's settings and security.
    ManageSettings = SettingsAdmin: ManageSettings, ();
    /// Accept or return updates.
    ReviewUpdates = UpdateReviewer: ReviewUpdates, ();
    /// Comment on activities.
    Comment = Commenter: Comment, ();
    /// Read the audit log (its queries take this, so no page shows it without).
    ViewAudit = AuditReader: ViewAudit, ();
    /// Set up the confidential groups; it grants no reading.
    ManageConfidentialGroups = ConfidentialGroupsAdmin: ManageConfidentialGroups, ();
    /// Write reports, baselines and annual reviews.
    IssueReports = ReportWriter: IssueReports, ();
    /// Post an update on one activity, for one organisation.
    ReportOn = ActivityReporter: ReportProgress, Reporting;
    /// Enter the values of one indicator.
    ReportIndicator = IndicatorReporter: ReportProgress, i64;
    /// Read and add the confidential records of the groups listed.
    KeepRecords = ConfidentialKeeper: KeepConfidential, Vec<i64>;
    /// Add documents and versions.
    ShareDocuments = DocumentSharer: ShareDocuments, ();
    /// Change or delete one document.
    EditDocument = DocumentEditor: ShareDocuments, i64;
    /// Compose and send newsletters.
    SendNewsletters = NewsletterEditor: SendNewsletters, ();
}

/// Capabilities that make an update count: its reporter's, when updates
/// need no review, and the reviewer's.
pub trait AcceptsUpdates: Kind {}
impl AcceptsUpdates for ReportOn {}
impl AcceptsUpdates for ReviewUpdates {}

/// Hands out a capability that depends on the role alone, or 403.
pub fn grant<K: Kind<Data = ()>>(
    tenant_id: i64,
    role: Role,
    focal_point: bool,
) -> Result<Cap<K>, AppError> {
    if can(role, focal_point, K::CAPABILITY) {
        Ok(operator(tenant_id))
    } else {
        Err(AppError::Forbidden)
    }
}

/// The platform operator (the CLI, the demo loader, benchmarks) may do
/// anything in any tenant.
pub fn operator<K: Kind<Data = ()>>(tenant_id: i64) -> Cap<K> {
    Cap {
        tenant_id,
        data: (),
        kind: PhantomData,
    }
}

/// What an [`ActivityReporter`] reports on, and for whom.
#[derive(Debug)]
pub struct Reporting {
    activity_id: i64,
    /// The organisation reported for; `None` for the secretariat.
    partner_id: Option<i64>,
    /// The secretariat's own updates never wait for review.
    is_secretariat: bool,
}

impl Cap<ReportOn> {
    pub fn activity_id(&self) -> i64 {
        self.data.activity_id
    }

    pub fn partner_id(&self) -> Option<i64> {
        self.data.partner_id
    }

    pub fn is_secretariat(&self) -> bool {
        self.data.is_secretariat
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
    Ok(Cap {
        tenant_id,
        data: Reporting {
            activity_id: owners.activity_id,
            partner_id: if is_secretariat { None } else { own },
            is_secretariat,
        },
        kind: PhantomData,
    })
}

/// The demo loader writes history as the platform operator.
pub fn operator_reporter(
    tenant_id: i64,
    activity_id: i64,
    partner_id: Option<i64>,
) -> ActivityReporter {
    Cap {
        tenant_id,
        data: Reporting {
            activity_id,
            partner_id,
            is_secretariat: partner_id.is_none(),
        },
        kind: PhantomData,
    }
}

impl Cap<ReportIndicator> {
    pub fn indicator_id(&self) -> i64 {
        self.data
    }
}

/// Hands out [`IndicatorReporter`] to the secretariat, or to a focal point
/// of the indicator's responsible partner.
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
        Ok(Cap {
            tenant_id,
            data: indicator_id,
            kind: PhantomData,
        })
    } else {
        Err(AppError::Forbidden)
    }
}

impl Cap<KeepRecords> {
    /// The groups whose records the holder may see.
    pub fn groups(&self) -> &[i64] {
        &self.data
    }

    pub fn keeps(&self, group: i64) -> bool {
        self.data.contains(&group)
    }
}

/// Hands out [`ConfidentialKeeper`] to a member of at least one group, 403
/// to anyone else; `groups` are the groups the person is in. Row-level
/// security checks the same again.
pub fn confidential_keeper(
    tenant_id: i64,
    role: Role,
    focal_point: bool,
    groups: Vec<i64>,
) -> Result<ConfidentialKeeper, AppError> {
    if can(role, focal_point, Capability::KeepConfidential) && !groups.is_empty() {
        Ok(Cap {
            tenant_id,
            data: groups,
            kind: PhantomData,
        })
    } else {
        Err(AppError::Forbidden)
    }
}

impl Cap<EditDocument> {
    pub fn document_id(&self) -> i64 {
        self.data
    }
}

/// Hands out [`DocumentEditor`] to the secretariat, or to the member who
/// added the document (unless they have since become an observer); 403 to
/// anyone else.
pub fn document_editor(
    tenant_id: i64,
    role: Role,
    me: i64,
    document_id: i64,
    added_by: Option<i64>,
) -> Result<DocumentEditor, AppError> {
    let author = can(role, false, Capability::ShareDocuments) && added_by == Some(me);
    if role == Role::Secretariat || author {
        Ok(Cap {
            tenant_id,
            data: document_id,
            kind: PhantomData,
        })
    } else {
        Err(AppError::Forbidden)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_names_round_trip() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(*role));
        }
        assert_eq!(Role::parse("admin"), None);
    }

    /// The whole matrix, written out, so a change to a rule shows up here.
    #[test]
    fn capability_matrix() {
        use Capability::*;
        use Role::*;
        let secretariat_only = [
            ManageMembers,
            EditPlan,
            RunCommittees,
            ManageSettings,
            ReviewUpdates,
            ViewAudit,
            ManageConfidentialGroups,
            IssueReports,
            SendNewsletters,
        ];
        for cap in secretariat_only {
            for focal in [false, true] {
                assert!(can(Secretariat, focal, cap), "{cap:?}");
                for role in [Ministry, SocialPartner, Observer] {
                    assert!(!can(role, focal, cap), "{role:?} focal={focal} {cap:?}");
                }
            }
        }
        let expected: &[(Role, bool, Capability, bool)] = &[
            (Secretariat, false, ViewTenant, true),
            (Ministry, false, ViewTenant, true),
            (SocialPartner, false, ViewTenant, true),
            (Observer, false, ViewTenant, true),
            (Ministry, true, ViewTenant, true),
            (Secretariat, false, ReportProgress, true),
            (Ministry, false, ReportProgress, false),
            (Ministry, true, ReportProgress, true),
            (SocialPartner, false, ReportProgress, false),
            (SocialPartner, true, ReportProgress, true),
            (Observer, false, ReportProgress, false),
            (Observer, true, ReportProgress, false),
            (Secretariat, false, Comment, true),
            (Ministry, false, Comment, true),
            (SocialPartner, false, Comment, true),
            (SocialPartner, true, Comment, true),
            (Observer, false, Comment, false),
            (Secretariat, false, KeepConfidential, true),
            (Ministry, false, KeepConfidential, true),
            (SocialPartner, true, KeepConfidential, true),
            (Observer, false, KeepConfidential, false),
            (Secretariat, false, ShareDocuments, true),
            (Ministry, false, ShareDocuments, true),
            (SocialPartner, false, ShareDocuments, true),
            (Observer, false, ShareDocuments, false),
        ];
        assert!(document_editor(1, Secretariat, 7, 3, Some(8)).is_ok());
        assert!(document_editor(1, Ministry, 7, 3, Some(7)).is_ok());
        assert!(document_editor(1, Ministry, 7, 3, Some(8)).is_err());
        assert!(document_editor(1, Observer, 7, 3, Some(7)).is_err());
        assert_eq!(
            document_editor(1, SocialPartner, 7, 3, Some(7))
                .unwrap()
                .document_id(),
            3
        );
        for &(role, focal, cap, allowed) in expected {
            assert_eq!(
                can(role, focal, cap),
                allowed,
                "{role:?} focal={focal} {cap:?}"
            );
        }
        assert!(confidential_keeper(1, Observer, false, vec![4]).is_err());
        assert!(confidential_keeper(1, Ministry, false, vec![]).is_err());
        let keeper = confidential_keeper(1, Ministry, false, vec![4]).unwrap();
        assert!(keeper.keeps(4) && !keeper.keeps(5));
        assert!(grant::<super::ManageMembers>(1, Observer, false).is_err());
        assert!(grant::<super::EditPlan>(1, Ministry, true).is_err());
        assert!(grant::<super::RunCommittees>(1, SocialPartner, true).is_err());
        assert!(grant::<super::ManageSettings>(1, Ministry, false).is_err());
        assert_eq!(
            grant::<super::EditPlan>(3, Secretariat, false)
                .unwrap()
                .tenant_id(),
            3
        );
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
        assert!(!ok(Observer, true, Some(1)), "observers never report");
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
        assert_eq!(
            indicator_reporter(5, Secretariat, false, None, 7, None)
                .unwrap()
                .indicator_id(),
            7
        );
    }
}

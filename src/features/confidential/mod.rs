//! Confidential records: notes and files about victims (a referral, say)
//! attached to an activity and kept by an assigned group of members.
//!
//! Three walls: the handlers ask `authz` for a [`ConfidentialKeeper`], the
//! queries name its groups, and a restrictive row-level policy refuses every
//! row of another group whatever the query says. Everyone else sees one
//! figure per activity, banded so that small numbers say nothing. Each read
//! of a record is written to the audit log; what a record says never is.
//!
//! `records` holds the records' own pages and the keeper's writes,
//! `groups` the secretariat's set-up of who keeps them; the form to add a
//! record sits on the activity page (`features::activity`).

pub mod groups;
pub mod records;

use crate::http::routes::Routes;
use crate::paths::at;

use crate::authz::{self, ConfidentialGroupsAdmin, ConfidentialKeeper};
use crate::error::{AppError, AppResult};
use crate::http::form::FieldErrors;
use crate::http::page::format_date;
use crate::i18n;
use crate::tenancy::TenantCtx;

/// The largest file a record may carry.
pub const MAX_FILE: usize = 5 * 1024 * 1024;
/// Below this many records, others learn only "fewer than 5".
const SMALLEST_SHOWN: i32 = 5;
pub const KINDS: [&str; 2] = ["referral", "note"];

pub fn router() -> Routes {
    Routes::new()
        .get(at::confidential, groups::groups)
        .post(at::confidential, groups::create_group)
        .post(at::confidential_group_members, groups::add_member)
        .post(at::confidential_group_member_remove, groups::remove_member)
        .get(at::confidential_record, records::show_record)
        .get(at::confidential_record_file, records::download)
        .get(at::confidential_record_delete, records::confirm_delete)
        .post(at::confidential_record_delete, records::delete_record)
}

/// The groups the signed-in person keeps records for, as a capability.
pub async fn keeper(ctx: &mut TenantCtx) -> AppResult<ConfidentialKeeper> {
    let groups = sqlx::query_scalar!(
        "select group_id from confidential_group_members where user_id = $1",
        ctx.user.id
    )
    .fetch_all(ctx.conn())
    .await?;
    authz::confidential_keeper(
        ctx.tenant.id,
        ctx.member.role,
        ctx.member.focal_point,
        groups,
    )
}

/// The same, for a record's own pages: to anyone outside its groups a
/// record does not exist, exactly as another tenant's would not.
pub async fn record_keeper(ctx: &mut TenantCtx) -> AppResult<ConfidentialKeeper> {
    keeper(ctx).await.map_err(|e| match e {
        AppError::Forbidden => AppError::NotFound,
        e => e,
    })
}

pub fn groups_admin(ctx: &TenantCtx) -> AppResult<ConfidentialGroupsAdmin> {
    ctx.grant::<authz::ManageConfidentialGroups>()
}

/// Records for `count` said without saying how few: none, fewer than 5, or the number.
pub fn banded(count: i32) -> String {
    match count {
        n if n <= 0 => i18n::t("confidential.count_none").into_owned(),
        n if n < SMALLEST_SHOWN => i18n::t("confidential.count_few").into_owned(),
        n => i18n::t_with("confidential.count", "value", &n.to_string()),
    }
}

pub fn kind_key(kind: &str) -> &'static str {
    match kind {
        "referral" => "confidential.kind.referral",
        _ => "confidential.kind.note",
    }
}

pub struct RecordLine {
    pub id: i64,
    pub kind: String,
    pub group_name: String,
    pub author: String,
    pub at: time::OffsetDateTime,
}

impl RecordLine {
    pub fn date(&self) -> String {
        format_date(self.at)
    }
}

pub struct GroupChoice {
    pub id: i64,
    pub name: String,
}

/// What the person typed into the new-record form.
#[derive(Default)]
pub struct RecordForm {
    pub kind: String,
    pub title: String,
    pub body: String,
    pub group: String,
}

/// The confidential part of an activity page.
pub struct Section {
    /// Every record on the activity, for the banded figure.
    pub total: i32,
    /// Those the viewer keeps; empty for everyone outside the groups.
    pub records: Vec<RecordLine>,
    /// The viewer's groups; empty means the viewer cannot add records.
    pub groups: Vec<GroupChoice>,
    pub form: RecordForm,
    pub errors: FieldErrors,
}

impl Section {
    pub fn banded(&self) -> String {
        banded(self.total)
    }

    pub fn kinds(&self) -> [&'static str; 2] {
        KINDS
    }
}

/// Loads the section for one activity: three queries, whatever the plan's size.
pub async fn section(ctx: &mut TenantCtx, activity: i64) -> AppResult<Section> {
    let total = sqlx::query_scalar!(
        "select records from confidential_counts where activity_id = $1",
        activity
    )
    .fetch_optional(ctx.conn())
    .await?
    .unwrap_or(0);
    let Ok(keeper) = keeper(ctx).await else {
        return Ok(Section {
            total,
            records: Vec::new(),
            groups: Vec::new(),
            form: RecordForm::default(),
            errors: FieldErrors::default(),
        });
    };
    let groups = sqlx::query_as!(
        GroupChoice,
        "select id, name from confidential_groups where id = any($1) order by name",
        keeper.groups()
    )
    .fetch_all(ctx.conn())
    .await?;
    let records = sqlx::query_as!(
        RecordLine,
        r#"select r.id, r.kind, g.name as group_name, u.name as author, r.created_at as at
           from confidential_records r
           join confidential_groups g on g.tenant_id = r.tenant_id and g.id = r.group_id
           join users u on u.id = r.created_by
           where r.activity_id = $1 and r.group_id = any($2)
           order by r.created_at desc, r.id desc"#,
        activity,
        keeper.groups()
    )
    .fetch_all(ctx.conn())
    .await?;
    Ok(Section {
        total,
        records,
        groups,
        form: RecordForm::default(),
        errors: FieldErrors::default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_counts_are_banded() {
        assert_eq!(banded(0), i18n::t("confidential.count_none"));
        assert_eq!(banded(1), i18n::t("confidential.count_few"));
        assert_eq!(banded(4), i18n::t("confidential.count_few"));
        assert!(banded(5).contains('5'));
        assert!(banded(12).contains("12"));
    }
}

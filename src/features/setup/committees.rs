//! The committees file: one row per seat, the committee's columns on each
//! row (or only on its first: blank ones are the first row's), and a row
//! without seat columns for a committee without members. Committees are
//! matched by name, seats within their committee by the holder's e-mail,
//! else by name (a vacant seat: by role and organisation). Each committee
//! is checked by the committee form's check and each seat by the member
//! form's; what the file does not carry (NAP, end date) stays. A parent is
//! named: a committee stored, or one on an earlier row of the file.

use std::collections::HashMap;

use sqlx::PgConnection;

use super::seats::{StoredSeat, check_seat, label, stored_seats};
use super::table::{Analysis, Change, Row, choice_code};
use crate::authz::CommitteeEditor;
use crate::choices::CommitteeKind;
use crate::error::AppResult;
use crate::features::committees::committee::{self, CommitteeForm, CommitteeInput};
use crate::features::committees::schedule::Frequency;
use crate::features::committees::seats::NewSeat;

pub const COLUMNS: &[&str] = &[
    "committee",
    "kind",
    "meets",
    "meeting_frequency",
    "nested_in",
    "parent",
    "holder",
    "member",
    "email",
    "organisation",
    "role",
    "gender",
    "term_start",
    "term_end",
    "language",
    "interpretation",
    "public_name",
];

/// The committee's own columns; the rest are the seat's.
pub(super) const COMMITTEE_COLUMNS: usize = 6;

/// A committee's columns as the export writes them.
fn committee_cells(
    name: &str,
    kind: &str,
    meets: &str,
    frequency: &str,
    nested_in: &str,
    parent: &str,
) -> Vec<String> {
    vec![
        name.to_owned(),
        CommitteeKind::parse(kind)
            .map(|k| label(k.label_key()))
            .unwrap_or_default(),
        Frequency::parse(meets)
            .map(|f| label(f.label_key()))
            .unwrap_or_default(),
        frequency.to_owned(),
        nested_in.to_owned(),
        parent.to_owned(),
    ]
}

fn input_cells(c: &CommitteeInput, parent: &str) -> Vec<String> {
    committee_cells(
        &c.name,
        c.kind.as_str(),
        c.meets.as_str(),
        &c.frequency,
        &c.nested_in,
        parent,
    )
}

/// A committee as stored: its id and its columns.
struct StoredCommittee {
    id: i64,
    cells: Vec<String>,
}

async fn stored_committees(conn: &mut PgConnection) -> AppResult<Vec<StoredCommittee>> {
    Ok(sqlx::query!(
        r#"select c.id, c.name, c.kind, c.meets, c.meeting_frequency, c.nested_in, p.name as "parent?"
           from committees c left join committees p on p.tenant_id = c.tenant_id and p.id = c.parent_id
           order by c.parent_id is not null, c.kind = 'oversight' desc, c.name"#
    )
    .fetch_all(conn)
    .await?
    .into_iter()
    .map(|r| StoredCommittee {
        id: r.id,
        cells: committee_cells(
            &r.name,
            &r.kind,
            &r.meets,
            &r.meeting_frequency,
            &r.nested_in,
            r.parent.as_deref().unwrap_or_default(),
        ),
    })
    .collect())
}

/// Every committee with its open seats, one row per seat.
pub async fn export(conn: &mut PgConnection) -> AppResult<Vec<Vec<String>>> {
    let committees = stored_committees(conn).await?;
    let seats = stored_seats(conn).await?;
    let mut rows = Vec::new();
    for c in committees {
        let mut own = seats.iter().filter(|s| s.committee == c.id).peekable();
        if own.peek().is_none() {
            let mut row = c.cells.clone();
            row.resize(COLUMNS.len(), String::new());
            rows.push(row);
        }
        for s in own {
            rows.push(c.cells.iter().chain(&s.cells).cloned().collect());
        }
    }
    Ok(rows)
}

/// What a checked file writes, committee by committee.
pub struct CommitteeWrite {
    /// The stored committee, or none for a new one.
    id: Option<i64>,
    /// The parent's name when it is new in the file: its id is known once
    /// it is written, before this one (it is on an earlier row).
    new_parent: Option<String>,
    /// The committee as checked, when it is new or changes.
    committee: Option<CommitteeInput>,
    /// Each new or changed seat: its id when it exists.
    seats: Vec<(Option<i64>, NewSeat)>,
}

/// What the check of a file has found so far.
struct Seen<'r> {
    stored: Vec<StoredCommittee>,
    seats: Vec<StoredSeat>,
    /// Committee name (lower case) → its first row and its place in `writes`.
    named: HashMap<String, (&'r Row, usize)>,
    /// Stored seats a row already matched.
    taken: Vec<i64>,
    /// (committee, the holder's e-mail or name, lower case) → its row.
    holders: HashMap<(usize, String), usize>,
    writes: Vec<CommitteeWrite>,
    /// Every partner's acronym, by id.
    acronyms: HashMap<i64, String>,
}

/// Checks every row, as the committee and member forms would.
pub async fn analyse(
    conn: &mut PgConnection,
    rows: &[Row],
) -> AppResult<(Analysis, Vec<CommitteeWrite>)> {
    let mut seen = Seen {
        stored: stored_committees(conn).await?,
        seats: stored_seats(conn).await?,
        named: HashMap::new(),
        taken: Vec::new(),
        holders: HashMap::new(),
        writes: Vec::new(),
        acronyms: sqlx::query!("select id, acronym from partners")
            .fetch_all(&mut *conn)
            .await?
            .into_iter()
            .map(|p| (p.id, p.acronym))
            .collect(),
    };
    let mut a = Analysis::default();
    for row in rows {
        let Some(at) = committee_row(conn, &mut a, &mut seen, row).await? else {
            continue;
        };
        let seat_given = COLUMNS[COMMITTEE_COLUMNS..]
            .iter()
            .any(|c| !row.get(COLUMNS, c).is_empty());
        if seat_given {
            seat_row(conn, &mut a, &mut seen, row, at).await?;
        }
    }
    Ok((a, seen.writes))
}

/// The committee a row belongs to (its place in `seen.writes`): checked at
/// its first row; a later row may leave its columns blank or repeat them.
async fn committee_row<'r>(
    conn: &mut PgConnection,
    a: &mut Analysis,
    seen: &mut Seen<'r>,
    row: &'r Row,
) -> AppResult<Option<usize>> {
    let name = row.get(COLUMNS, "committee");
    if name.is_empty() {
        a.problem(row.line, "committee", "field.required", "");
        return Ok(None);
    }
    if let Some((first, at)) = seen.named.get(&name.to_lowercase()) {
        let said = |r: &Row, c: &str| r.get(COLUMNS, c).to_lowercase();
        let differs = COLUMNS[1..COMMITTEE_COLUMNS]
            .iter()
            .find(|c| !said(row, c).is_empty() && said(row, c) != said(first, c));
        if let Some(column) = differs {
            let first = first.line.to_string();
            a.problem(row.line, column, "setup.committees.differs", &first);
            return Ok(None);
        }
        return Ok(Some(*at));
    }
    let found = seen
        .stored
        .iter()
        .find(|c| c.cells[0].to_lowercase() == name.to_lowercase());
    let Some(write) = check_committee(conn, a, row, found, &seen.named).await? else {
        return Ok(None);
    };
    seen.writes.push(write);
    let at = seen.writes.len() - 1;
    seen.named.insert(name.to_lowercase(), (row, at));
    Ok(Some(at))
}

/// The seat a row gives the committee at `at`, unless another row of the
/// file already gives that committee the same holder.
async fn seat_row(
    conn: &mut PgConnection,
    a: &mut Analysis,
    seen: &mut Seen<'_>,
    row: &Row,
    at: usize,
) -> AppResult<()> {
    let holder = match row.get(COLUMNS, "email") {
        "" => row.get(COLUMNS, "member").to_lowercase(),
        email => email.to_lowercase(),
    };
    if !holder.is_empty() {
        if let Some(first) = seen.holders.get(&(at, holder.clone())) {
            let first = first.to_string();
            a.problem(row.line, "member", "setup.committees.member_twice", &first);
            return Ok(());
        }
        seen.holders.insert((at, holder), row.line);
    }
    let committee = seen.writes[at].id;
    let open: Vec<&StoredSeat> = seen
        .seats
        .iter()
        .filter(|s| Some(s.committee) == committee && !seen.taken.contains(&s.id))
        .collect();
    let name = row.get(COLUMNS, "committee");
    if let Some((seat_id, seat)) = check_seat(conn, a, row, name, &open, &seen.acronyms).await? {
        seen.taken.extend(seat_id);
        if let Some(seat) = seat {
            seen.writes[at].seats.push((seat_id, seat));
        }
    }
    Ok(())
}

/// The committee of a row checked by the committee form's check, its
/// change in the analysis; `None` when it has problems.
async fn check_committee(
    conn: &mut PgConnection,
    a: &mut Analysis,
    row: &Row,
    found: Option<&StoredCommittee>,
    earlier: &HashMap<String, (&Row, usize)>,
) -> AppResult<Option<CommitteeWrite>> {
    let mut form = match found {
        Some(c) => committee::form_of(conn, c.id).await?,
        None => CommitteeForm::default(),
    };
    // The parent by name: stored, or new on an earlier row of the file.
    let parent = row.get(COLUMNS, "parent");
    let mut new_parent = None;
    form.parent = match parent {
        "" => String::new(),
        name => match committee::id_by_name(conn, name).await? {
            Some(id) => id.to_string(),
            None if earlier.contains_key(&name.to_lowercase()) => {
                new_parent = Some(name.to_lowercase());
                String::new()
            }
            None => {
                a.problem(row.line, "parent", "setup.committees.parent_unknown", name);
                return Ok(None);
            }
        },
    };
    form.name = row.get(COLUMNS, "committee").to_owned();
    form.kind = choice_code(
        row.get(COLUMNS, "kind"),
        CommitteeKind::ALL
            .iter()
            .map(|k| (k.as_str(), k.label_key())),
    );
    form.meets = choice_code(
        row.get(COLUMNS, "meets"),
        Frequency::ALL.iter().map(|f| (f.as_str(), f.label_key())),
    );
    form.meeting_frequency = row.get(COLUMNS, "meeting_frequency").to_owned();
    form.nested_in = row.get(COLUMNS, "nested_in").to_owned();
    let input = match committee::validate(conn, &form, found.map(|c| c.id)).await? {
        Ok(input) => input,
        Err(errors) => {
            a.form_errors(row, COLUMNS, &errors, |field| match field {
                "kind" => "kind",
                "meets" => "meets",
                "meeting_frequency" => "meeting_frequency",
                "nested_in" => "nested_in",
                "parent" => "parent",
                _ => "committee",
            });
            return Ok(None);
        }
    };
    let change = Change::of(
        "setup.what.committee",
        &input.name,
        &COLUMNS[..COMMITTEE_COLUMNS],
        found.map(|c| c.cells.as_slice()),
        &input_cells(&input, parent),
    );
    let changes = change.changes();
    a.changes.push(change);
    Ok(Some(CommitteeWrite {
        id: found.map(|c| c.id),
        new_parent,
        committee: changes.then_some(input),
        seats: Vec::new(),
    }))
}

/// Writes the checked committees and seats through the forms' own writes.
pub async fn write(
    editor: &CommitteeEditor,
    conn: &mut PgConnection,
    writes: Vec<CommitteeWrite>,
) -> AppResult<()> {
    // Committees new in the file, by name (lower case), once written.
    let mut made: HashMap<String, i64> = HashMap::new();
    for mut w in writes {
        if let (Some(c), Some(parent)) = (w.committee.as_mut(), &w.new_parent) {
            c.parent = made.get(parent).copied();
        }
        let id = match (w.id, &w.committee) {
            (Some(id), Some(c)) => {
                editor.update_committee(conn, id, c).await?;
                id
            }
            (Some(id), None) => id,
            (None, Some(c)) => {
                let id = editor.create_committee(conn, c).await?;
                made.insert(c.name.to_lowercase(), id);
                id
            }
            (None, None) => continue,
        };
        for (seat_id, seat) in &w.seats {
            editor.save_seat(conn, id, *seat_id, seat).await?;
        }
    }
    Ok(())
}

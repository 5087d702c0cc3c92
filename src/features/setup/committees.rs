//! The committees file: one row per seat, the committee's columns on each
//! row (or only on its first: blank ones are the first row's), and a row
//! without seat columns for a committee without members. Committees are
//! matched by name, seats within their committee by the holder's e-mail,
//! else by name (a vacant seat: by role and organisation). Each committee
//! is checked by the committee form's check and each seat by the member
//! form's; what the file does not carry (parent, NAP, end date) stays.

use std::collections::HashMap;

use sqlx::PgConnection;
use time::Date;

use super::table::{Analysis, Change, Row, choice_code, yes_no, yes_no_text};
use crate::authz::CommitteeEditor;
use crate::choices::{CommitteeKind, Gender, Holder, Seat};
use crate::error::AppResult;
use crate::features::committees::committee::{self, CommitteeForm, CommitteeInput};
use crate::features::committees::schedule::Frequency;
use crate::features::committees::seats::{MemberForm, NewSeat};
use crate::i18n;

pub const COLUMNS: &[&str] = &[
    "committee",
    "kind",
    "meets",
    "meeting_frequency",
    "nested_in",
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
const COMMITTEE_COLUMNS: usize = 5;

fn holder_key(h: Holder) -> &'static str {
    match h {
        Holder::Person => "setup.committees.holder.person",
        Holder::Post => "setup.committees.holder.post",
        Holder::Vacant => "setup.committees.holder.vacant",
    }
}

fn label(key: &str) -> String {
    i18n::t(key).into_owned()
}

/// A committee's columns as the export writes them.
fn committee_cells(
    name: &str,
    kind: &str,
    meets: &str,
    frequency: &str,
    nested_in: &str,
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
    ]
}

fn input_cells(c: &CommitteeInput) -> Vec<String> {
    committee_cells(
        &c.name,
        c.kind.as_str(),
        c.meets.as_str(),
        &c.frequency,
        &c.nested_in,
    )
}

/// An open seat as stored, with what its row shows.
struct StoredSeat {
    id: i64,
    committee: i64,
    email: String,
    cells: Vec<String>,
    term_start: Date,
}

impl StoredSeat {
    fn name(&self) -> &str {
        &self.cells[1]
    }
}

/// A seat's columns as the export writes them.
#[allow(clippy::too_many_arguments)]
fn seat_cells(
    holder: Holder,
    name: &str,
    email: &str,
    acronym: &str,
    seat: Seat,
    gender: Gender,
    (start, end): (Date, Option<Date>),
    language: &str,
    interpretation: &str,
    public_name: bool,
) -> Vec<String> {
    vec![
        label(holder_key(holder)),
        name.to_owned(),
        email.to_owned(),
        acronym.to_owned(),
        label(seat.label_key()),
        label(gender.label_key()),
        start.to_string(),
        end.map(|d| d.to_string()).unwrap_or_default(),
        language.to_owned(),
        interpretation.to_owned(),
        yes_no_text(public_name),
    ]
}

async fn stored_seats(conn: &mut PgConnection) -> AppResult<Vec<StoredSeat>> {
    Ok(sqlx::query!(
        r#"select m.id, m.committee_id, m.name, m.holder, p.acronym as "acronym?", m.seat, m.gender, m.term_start,
                  m.term_end, m.language, m.interpretation, m.public_name, u.email as "email?"
           from committee_members m
           left join partners p on p.tenant_id = m.tenant_id and p.id = m.partner_id
           left join users u on u.id = m.user_id
           where m.left_on is null
           order by m.committee_id,
                    array_position(array['chair','vice-chair','member','alternate','secretary','observer'], m.seat),
                    m.name, m.id"#
    )
    .fetch_all(conn)
    .await?
    .into_iter()
    .map(|r| {
        let email = r.email.unwrap_or_default();
        StoredSeat {
            id: r.id,
            committee: r.committee_id,
            cells: seat_cells(
                Holder::parse(&r.holder).unwrap_or(Holder::Person),
                &r.name,
                &email,
                &r.acronym.unwrap_or_default(),
                Seat::parse(&r.seat).unwrap_or(Seat::Member),
                Gender::parse(&r.gender).unwrap_or(Gender::NotStated),
                (r.term_start, r.term_end),
                &r.language,
                &r.interpretation,
                r.public_name,
            ),
            email,
            term_start: r.term_start,
        }
    })
    .collect())
}

/// A committee as stored: its id and its columns.
struct StoredCommittee {
    id: i64,
    cells: Vec<String>,
}

async fn stored_committees(conn: &mut PgConnection) -> AppResult<Vec<StoredCommittee>> {
    Ok(sqlx::query!(
        "select id, name, kind, meets, meeting_frequency, nested_in from committees
         order by kind = 'oversight' desc, name"
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
    /// The committee as checked, when it is new or changes.
    committee: Option<CommitteeInput>,
    /// Each new or changed seat: its id when it exists.
    seats: Vec<(Option<i64>, NewSeat)>,
}

/// Checks every row, as the committee and member forms would.
pub async fn analyse(
    conn: &mut PgConnection,
    rows: &[Row],
) -> AppResult<(Analysis, Vec<CommitteeWrite>)> {
    let stored = stored_committees(conn).await?;
    let seats = stored_seats(conn).await?;
    let mut a = Analysis::default();
    let mut writes: Vec<CommitteeWrite> = Vec::new();
    // Committee name (lower case) → its first row and its place in `writes`.
    let mut named: HashMap<String, (usize, usize)> = HashMap::new();
    let mut taken: Vec<i64> = Vec::new();
    // (committee, the holder's e-mail or name, lower case) → its row.
    let mut holders: HashMap<(usize, String), usize> = HashMap::new();
    for row in rows {
        let name = row.get(COLUMNS, "committee");
        if name.is_empty() {
            a.problem(row.line, "committee", "field.required", "");
            continue;
        }
        let at = match named.get(&name.to_lowercase()) {
            Some((first, at)) => {
                let differs = COLUMNS[1..COMMITTEE_COLUMNS].iter().find(|c| {
                    !row.get(COLUMNS, c).is_empty() && !same_cell(row, &rows_first(rows, *first), c)
                });
                if let Some(column) = differs {
                    a.problem(
                        row.line,
                        column,
                        "setup.committees.differs",
                        &first.to_string(),
                    );
                    continue;
                }
                Some(*at)
            }
            None => {
                let found = stored
                    .iter()
                    .find(|c| c.cells[0].to_lowercase() == name.to_lowercase());
                match check_committee(conn, &mut a, row, found).await? {
                    Some(write) => {
                        writes.push(write);
                        named.insert(name.to_lowercase(), (row.line, writes.len() - 1));
                        Some(writes.len() - 1)
                    }
                    None => None,
                }
            }
        };
        let member_given = COLUMNS[COMMITTEE_COLUMNS..]
            .iter()
            .any(|c| !row.get(COLUMNS, c).is_empty());
        if let (Some(at), true) = (at, member_given) {
            let holder = match row.get(COLUMNS, "email") {
                "" => row.get(COLUMNS, "member").to_lowercase(),
                email => email.to_lowercase(),
            };
            if !holder.is_empty() {
                if let Some(first) = holders.get(&(at, holder.clone())) {
                    a.problem(
                        row.line,
                        "member",
                        "setup.committees.member_twice",
                        &first.to_string(),
                    );
                    continue;
                }
                holders.insert((at, holder), row.line);
            }
            let committee = writes[at].id;
            let open: Vec<&StoredSeat> = seats
                .iter()
                .filter(|s| Some(s.committee) == committee && !taken.contains(&s.id))
                .collect();
            if let Some((seat_id, seat)) = check_seat(conn, &mut a, row, name, &open).await? {
                if let Some(id) = seat_id {
                    taken.push(id);
                }
                if let Some(seat) = seat {
                    writes[at].seats.push((seat_id, seat));
                }
            }
        }
    }
    Ok((a, writes))
}

fn rows_first(rows: &[Row], line: usize) -> Row {
    rows.iter()
        .find(|r| r.line == line)
        .cloned()
        .unwrap_or(Row {
            line,
            cells: Vec::new(),
        })
}

fn same_cell(row: &Row, first: &Row, column: &str) -> bool {
    row.get(COLUMNS, column).to_lowercase() == first.get(COLUMNS, column).to_lowercase()
}

/// The committee of a row checked by the committee form's check, its
/// change in the analysis; `None` when it has problems.
async fn check_committee(
    conn: &mut PgConnection,
    a: &mut Analysis,
    row: &Row,
    found: Option<&StoredCommittee>,
) -> AppResult<Option<CommitteeWrite>> {
    let mut form = match found {
        Some(c) => committee::form_of(conn, c.id).await?,
        None => CommitteeForm::default(),
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
        &input_cells(&input),
    );
    let changes = change.changes();
    a.changes.push(change);
    Ok(Some(CommitteeWrite {
        id: found.map(|c| c.id),
        committee: changes.then_some(input),
        seats: Vec::new(),
    }))
}

/// The seat a row names among the committee's `open` seats not yet
/// matched: by e-mail, else by name, a vacant one by role and organisation.
fn matching<'a>(open: &[&'a StoredSeat], cells: &[String]) -> Option<&'a StoredSeat> {
    let email = cells[2].to_lowercase();
    let vacant = cells[0] == label(holder_key(Holder::Vacant));
    open.iter().copied().find(|s| {
        if !email.is_empty() && !s.email.is_empty() {
            s.email.to_lowercase() == email
        } else if vacant {
            s.cells[0] == cells[0] && s.cells[3] == cells[3] && s.cells[4] == cells[4]
        } else {
            !s.name().is_empty() && s.name().to_lowercase() == cells[1].to_lowercase()
        }
    })
}

/// The seat of a row checked by the member form's check: the stored seat
/// it matches (if any) and the seat to write when it is new or changes;
/// `None` when it has problems.
#[allow(clippy::type_complexity)]
async fn check_seat(
    conn: &mut PgConnection,
    a: &mut Analysis,
    row: &Row,
    committee: &str,
    open: &[&StoredSeat],
) -> AppResult<Option<(Option<i64>, Option<NewSeat>)>> {
    let cell = |column| row.get(COLUMNS, column).to_owned();
    let Some(public_name) = yes_no(row.get(COLUMNS, "public_name")) else {
        a.problem(
            row.line,
            "public_name",
            "setup.not_a_choice",
            row.get(COLUMNS, "public_name"),
        );
        return Ok(None);
    };
    let form = MemberForm {
        holder: choice_code(
            row.get(COLUMNS, "holder"),
            Holder::ALL
                .iter()
                .flat_map(|h| [(h.as_str(), holder_key(*h)), (h.as_str(), h.label_key())]),
        ),
        name: cell("member"),
        email: cell("email"),
        partner: cell("organisation"),
        seat: choice_code(
            row.get(COLUMNS, "role"),
            Seat::ALL.iter().map(|s| (s.as_str(), s.label_key())),
        ),
        gender: choice_code(
            row.get(COLUMNS, "gender"),
            Gender::ALL.iter().map(|g| (g.as_str(), g.label_key())),
        ),
        term_start: date_cell(row.get(COLUMNS, "term_start")),
        term_end: date_cell(row.get(COLUMNS, "term_end")),
        language: cell("language"),
        interpretation: cell("interpretation"),
        public_name: public_name.then(|| "on".to_owned()),
    };
    let seat = match form.check(conn).await? {
        Ok(seat) => seat,
        Err(errors) => {
            a.form_errors(row, COLUMNS, &errors, |field| match field {
                "name" => "member",
                "partner" => "organisation",
                "seat" => "role",
                "holder" => "holder",
                "email" => "email",
                "gender" => "gender",
                "term_start" => "term_start",
                "term_end" => "term_end",
                "language" => "language",
                _ => "interpretation",
            });
            return Ok(None);
        }
    };
    let acronym = match seat.partner {
        Some(id) => {
            sqlx::query_scalar!("select acronym from partners where id = $1", id)
                .fetch_one(&mut *conn)
                .await?
        }
        None => String::new(),
    };
    let email = form.email.trim().to_lowercase();
    let mut cells = seat_cells(
        seat.holder,
        &seat.name,
        &email,
        &acronym,
        seat.seat,
        seat.gender,
        (seat.start, seat.end),
        &seat.language,
        &seat.interpretation,
        seat.public_name,
    );
    let found = matching(open, &cells);
    let mut seat = seat;
    // A seat's start left blank keeps the start it has (the form's is today).
    if let (Some(stored), "") = (found, form.term_start.trim()) {
        seat.start = stored.term_start;
        cells[6] = stored.term_start.to_string();
    }
    let who = if seat.holder == Holder::Vacant {
        label("holder.vacant_seat")
    } else {
        seat.name.clone()
    };
    let change = Change::of(
        "setup.what.member",
        &format!("{committee}: {who}"),
        &COLUMNS[COMMITTEE_COLUMNS..],
        found.map(|s| s.cells.as_slice()),
        &cells,
    );
    let changes = change.changes();
    a.changes.push(change);
    Ok(Some((found.map(|s| s.id), changes.then_some(seat))))
}

/// A date as the member form reads it (2026-01-31). A spreadsheet program
/// keeps a date typed into a cell as a number of days since 30 December
/// 1899, which is how an XLSX file gives it back: that is read as its date.
fn date_cell(raw: &str) -> String {
    let serial = raw
        .parse::<f64>()
        .ok()
        .filter(|n| n.fract() == 0.0 && (1.0..=2_958_465.0).contains(n));
    match serial {
        Some(days) => {
            let epoch = time::macros::date!(1899 - 12 - 30);
            epoch
                .checked_add(time::Duration::days(days as i64))
                .map_or_else(|| raw.to_owned(), |d| d.to_string())
        }
        None => raw.to_owned(),
    }
}

/// Writes the checked committees and seats through the forms' own writes.
pub async fn write(
    editor: &CommitteeEditor,
    conn: &mut PgConnection,
    writes: Vec<CommitteeWrite>,
) -> AppResult<()> {
    for w in writes {
        let id = match (w.id, &w.committee) {
            (Some(id), Some(c)) => {
                editor.update_committee(conn, id, c).await?;
                id
            }
            (Some(id), None) => id,
            (None, Some(c)) => editor.create_committee(conn, c).await?,
            (None, None) => continue,
        };
        for (seat_id, seat) in &w.seats {
            match seat_id {
                Some(member) => editor.update_seat(conn, id, *member, seat).await?,
                None => editor.add_seat(conn, id, seat).await?,
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_date_a_spreadsheet_program_kept_as_a_number_is_read_as_its_date() {
        assert_eq!(date_cell("46023"), "2026-01-01");
        assert_eq!(date_cell("2026-01-01"), "2026-01-01");
        assert_eq!(date_cell(""), "");
        assert_eq!(date_cell("1.5"), "1.5");
    }
}

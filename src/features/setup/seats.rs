//! The seats of the committees file: how a stored seat reads as cells, which
//! stored seat a row names, and a row checked by the member form's check.

use std::collections::HashMap;

use sqlx::PgConnection;
use time::Date;

use super::committees::{COLUMNS, COMMITTEE_COLUMNS};
use super::table::{Analysis, Change, Row, choice_code, yes_no, yes_no_text};
use crate::choices::{Gender, Holder, Seat};
use crate::error::AppResult;
use crate::features::committees::seats::{MemberForm, NewSeat};
use crate::i18n;

fn holder_key(h: Holder) -> &'static str {
    match h {
        Holder::Person => "setup.committees.holder.person",
        Holder::Post => "setup.committees.holder.post",
        Holder::Organisation => "setup.committees.holder.organisation",
        Holder::Vacant => "setup.committees.holder.vacant",
    }
}

pub(super) fn label(key: &str) -> String {
    i18n::t(key).into_owned()
}

/// An open seat as stored, with what its row shows.
pub(super) struct StoredSeat {
    pub(super) id: i64,
    pub(super) committee: i64,
    email: String,
    pub(super) cells: Vec<String>,
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

pub(super) async fn stored_seats(conn: &mut PgConnection) -> AppResult<Vec<StoredSeat>> {
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

/// The seat a row names among the committee's `open` seats not yet
/// matched: by e-mail, else by name, one without a name (vacant, or known
/// only by its organisation) by role and organisation.
fn matching<'a>(open: &[&'a StoredSeat], cells: &[String]) -> Option<&'a StoredSeat> {
    let email = cells[2].to_lowercase();
    let unnamed = [Holder::Vacant, Holder::Organisation]
        .into_iter()
        .any(|h| cells[0] == label(holder_key(h)));
    open.iter().copied().find(|s| {
        if !email.is_empty() && !s.email.is_empty() {
            s.email.to_lowercase() == email
        } else if unnamed {
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
pub(super) async fn check_seat(
    conn: &mut PgConnection,
    a: &mut Analysis,
    row: &Row,
    committee: &str,
    open: &[&StoredSeat],
    acronyms: &HashMap<i64, String>,
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
    // As the export writes it: the partner's acronym, whichever of its
    // names the row gave.
    let acronym = seat
        .partner
        .and_then(|id| acronyms.get(&id).cloned())
        .unwrap_or_default();
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
    let who = match seat.holder {
        Holder::Vacant => label("holder.vacant_seat"),
        Holder::Organisation => cells[3].clone(),
        _ => seat.name.clone(),
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

//! The composition check of a committee: does it bring together the
//! institutions and constituencies a NAP needs (an oversight committee),
//! with gender balance, terms in force and holders one can name (every
//! committee, sub-groups included)?
//!
//! What the secretariat does not know stays out of the figures: a gender
//! not stated is neither a woman nor a man, and a seat held by a post title
//! or vacant is said as such.

use time::Date;

use crate::choices::{Constituency, Gender, Holder, PartnerKind, Portfolio, Seat};
use crate::i18n;

/// A current member, with their organisation's kind.
pub struct Seated {
    pub seat: Seat,
    pub holder: Holder,
    pub gender: Gender,
    pub kind: Option<PartnerKind>,
    pub portfolio: Option<Portfolio>,
    pub constituency: Option<Constituency>,
    pub term_end: Option<Date>,
    pub name: String,
}

/// What a line of the checklist found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Met,
    Gap,
    /// What is known cannot say: the genders are not stated, or a holder
    /// is known only by their post or organisation.
    Unknown,
}

/// One line of the checklist: a translation key, what it found, and why.
pub struct Check {
    pub key: &'static str,
    pub verdict: Verdict,
    /// Names or figures that explain the result, in the reader's language.
    pub detail: String,
}

impl Check {
    pub fn ok(&self) -> bool {
        self.verdict == Verdict::Met
    }

    pub fn unknown(&self) -> bool {
        self.verdict == Verdict::Unknown
    }

    /// The class of its line: `ok`, `gap` or `unknown`.
    pub fn class(&self) -> &'static str {
        match self.verdict {
            Verdict::Met => "ok",
            Verdict::Gap => "gap",
            Verdict::Unknown => "unknown",
        }
    }

    /// The word after the line's text.
    pub fn verdict_key(&self) -> &'static str {
        match self.verdict {
            Verdict::Met => "composition.ok",
            Verdict::Gap => "composition.missing",
            Verdict::Unknown => "composition.cannot_judge",
        }
    }

    fn plain(key: &'static str, ok: bool) -> Self {
        Self {
            key,
            verdict: if ok { Verdict::Met } else { Verdict::Gap },
            detail: String::new(),
        }
    }
}

/// The institutions and constituencies an oversight committee needs.
fn institutions(members: &[Seated]) -> Vec<Check> {
    let has = |f: &dyn Fn(&Seated) -> bool| members.iter().any(f);
    let ministry = |p: Portfolio| {
        move |m: &Seated| m.kind == Some(PartnerKind::Ministry) && m.portfolio == Some(p)
    };
    [
        ("composition.labour", has(&ministry(Portfolio::Labour))),
        ("composition.justice", has(&ministry(Portfolio::Justice))),
        ("composition.interior", has(&ministry(Portfolio::Interior))),
        (
            "composition.workers",
            has(&|m| {
                m.constituency == Some(Constituency::Workers)
                    || m.kind == Some(PartnerKind::Workers)
            }),
        ),
        (
            "composition.employers",
            has(&|m| {
                m.constituency == Some(Constituency::Employers)
                    || m.kind == Some(PartnerKind::Employers)
            }),
        ),
        (
            "composition.law_enforcement",
            has(&|m| {
                matches!(
                    m.kind,
                    Some(
                        PartnerKind::LawEnforcement
                            | PartnerKind::LabourInspection
                            | PartnerKind::Immigration
                    )
                )
            }),
        ),
        (
            "composition.affected",
            has(&|m| m.kind == Some(PartnerKind::AffectedCommunities)),
        ),
        ("composition.observers", has(&|m| m.seat == Seat::Observer)),
    ]
    .into_iter()
    .map(|(key, ok)| Check::plain(key, ok))
    .collect()
}

fn count(n: usize) -> String {
    i18n::number(i64::try_from(n).unwrap_or(i64::MAX))
}

/// Women's share of the voting members whose gender is known; those not
/// stated are counted apart, and when none is known the balance cannot be
/// judged.
fn gender_balance(members: &[Seated]) -> Check {
    let voting: Vec<&Seated> = members
        .iter()
        .filter(|m| m.seat.votes() && m.holder != Holder::Vacant)
        .collect();
    let known: Vec<&&Seated> = voting
        .iter()
        .filter(|m| m.gender != Gender::NotStated)
        .collect();
    let unknown = voting.len() - known.len();
    let women = known.iter().filter(|m| m.gender == Gender::Woman).count();
    let (verdict, detail) = if voting.is_empty() {
        (Verdict::Unknown, String::new())
    } else if known.is_empty() {
        (
            Verdict::Unknown,
            i18n::t_with("composition.gender_none_known", "n", &count(unknown)),
        )
    } else {
        let share = women * 100 / known.len();
        let verdict = if (40..=60).contains(&share) {
            Verdict::Met
        } else {
            Verdict::Gap
        };
        let mut detail = i18n::t_args(
            "composition.gender_share",
            &[
                ("women", &count(women)),
                ("known", &count(known.len())),
                ("share", &count(share)),
            ],
        );
        if unknown > 0 {
            detail.push_str("; ");
            detail.push_str(&i18n::t_with(
                "composition.gender_not_stated",
                "n",
                &count(unknown),
            ));
        }
        (verdict, detail)
    };
    Check {
        key: "composition.gender",
        verdict,
        detail,
    }
}

/// Seats whose holder is known only by post or organisation, and vacant
/// seats: said, not counted as a gap. `None` when every holder is named.
fn holders(members: &[Seated]) -> Option<Check> {
    let parts: Vec<String> = [
        (Holder::Post, "composition.held_by_post"),
        (Holder::Organisation, "composition.held_by_organisation"),
        (Holder::Vacant, "composition.vacant"),
    ]
    .into_iter()
    .map(|(holder, key)| (members.iter().filter(|m| m.holder == holder).count(), key))
    .filter(|(n, _)| *n > 0)
    .map(|(n, key)| i18n::t_with(key, "n", &count(n)))
    .collect();
    if parts.is_empty() {
        return None;
    }
    Some(Check {
        key: "composition.holders",
        verdict: Verdict::Unknown,
        detail: parts.join("; "),
    })
}

/// Checks `members` (current ones only) on `today`; `oversight` adds the
/// institutions an oversight committee needs.
pub fn check(members: &[Seated], oversight: bool, today: Date) -> Vec<Check> {
    let mut checks = if oversight {
        institutions(members)
    } else {
        Vec::new()
    };
    checks.push(gender_balance(members));
    checks.extend(holders(members));
    let horizon = today + time::Duration::days(90);
    let expiring: Vec<&str> = members
        .iter()
        .filter(|m| m.term_end.is_some_and(|end| end >= today && end <= horizon))
        .map(|m| m.name.as_str())
        .collect();
    checks.push(Check {
        key: "composition.terms",
        verdict: if expiring.is_empty() {
            Verdict::Met
        } else {
            Verdict::Gap
        },
        detail: expiring.join(", "),
    });
    checks
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn seated(
        seat: Seat,
        gender: Gender,
        kind: PartnerKind,
        portfolio: Option<Portfolio>,
    ) -> Seated {
        let constituency = match kind {
            PartnerKind::Workers => Some(Constituency::Workers),
            PartnerKind::Employers => Some(Constituency::Employers),
            _ => Some(Constituency::Government),
        };
        Seated {
            seat,
            holder: Holder::Person,
            gender,
            kind: Some(kind),
            portfolio,
            constituency,
            term_end: None,
            name: "N".into(),
        }
    }

    fn result(checks: &[Check], key: &str) -> bool {
        checks.iter().find(|c| c.key == key).unwrap().ok()
    }

    #[test]
    fn a_full_balanced_committee_passes() {
        use Gender::*;
        let members = vec![
            seated(
                Seat::Chair,
                Woman,
                PartnerKind::Ministry,
                Some(Portfolio::Labour),
            ),
            seated(
                Seat::Member,
                Man,
                PartnerKind::Ministry,
                Some(Portfolio::Justice),
            ),
            seated(
                Seat::Member,
                Woman,
                PartnerKind::Ministry,
                Some(Portfolio::Interior),
            ),
            seated(Seat::Member, Man, PartnerKind::Workers, None),
            seated(Seat::Member, Woman, PartnerKind::Employers, None),
            seated(Seat::Member, Man, PartnerKind::LabourInspection, None),
            seated(Seat::Member, Man, PartnerKind::AffectedCommunities, None),
            seated(Seat::Observer, Man, PartnerKind::International, None),
            seated(
                Seat::Secretary,
                Man,
                PartnerKind::Ministry,
                Some(Portfolio::Labour),
            ),
        ];
        let checks = check(&members, true, date!(2026 - 11 - 30));
        assert!(
            checks.iter().all(|c| c.ok()),
            "{:?}",
            checks
                .iter()
                .map(|c| (c.key, c.verdict, &c.detail))
                .collect::<Vec<_>>()
        );
        // 3 women of 7 voting members: the observer and the secretary do not vote.
        assert_eq!(
            checks
                .iter()
                .find(|c| c.key == "composition.gender")
                .unwrap()
                .detail,
            "3 of 7 women (42%)"
        );
    }

    #[test]
    fn gaps_imbalance_and_expiring_terms_are_flagged() {
        use Gender::*;
        let mut members = vec![
            seated(
                Seat::Chair,
                Man,
                PartnerKind::Ministry,
                Some(Portfolio::Labour),
            ),
            seated(
                Seat::Member,
                Man,
                PartnerKind::Ministry,
                Some(Portfolio::Justice),
            ),
            seated(
                Seat::Member,
                Man,
                PartnerKind::Ministry,
                Some(Portfolio::Interior),
            ),
            seated(Seat::Member, Man, PartnerKind::Employers, None),
            seated(
                Seat::Member,
                Man,
                PartnerKind::Ministry,
                Some(Portfolio::Gender),
            ),
            seated(
                Seat::Member,
                Man,
                PartnerKind::Ministry,
                Some(Portfolio::Education),
            ),
            seated(
                Seat::Member,
                Man,
                PartnerKind::Ministry,
                Some(Portfolio::Economy),
            ),
            seated(Seat::Member, Woman, PartnerKind::Employers, None),
            seated(Seat::Member, Woman, PartnerKind::Employers, None),
            seated(Seat::Member, Woman, PartnerKind::Employers, None),
        ];
        members[0].term_end = Some(date!(2027 - 01 - 15));
        members[0].name = "Ana Chair".into();
        members[1].term_end = Some(date!(2028 - 01 - 01));
        let checks = check(&members, true, date!(2026 - 11 - 30));
        assert!(
            !result(&checks, "composition.workers"),
            "no workers' organisation"
        );
        assert!(!result(&checks, "composition.law_enforcement"));
        assert!(!result(&checks, "composition.affected"));
        assert!(result(&checks, "composition.employers"));
        // 3 women out of 10 voting: 30%.
        let gender = checks
            .iter()
            .find(|c| c.key == "composition.gender")
            .unwrap();
        assert!(!gender.ok());
        assert_eq!(gender.detail, "3 of 10 women (30%)");
        let terms = checks
            .iter()
            .find(|c| c.key == "composition.terms")
            .unwrap();
        assert!(!terms.ok());
        assert_eq!(terms.detail, "Ana Chair");
    }

    #[test]
    fn unknown_genders_are_counted_apart_and_none_known_cannot_be_judged() {
        use Gender::*;
        let mut members = vec![
            seated(Seat::Chair, Woman, PartnerKind::Ministry, None),
            seated(Seat::Member, Man, PartnerKind::Ministry, None),
            seated(Seat::Member, NotStated, PartnerKind::Ministry, None),
            seated(Seat::Member, NotStated, PartnerKind::Workers, None),
        ];
        members[3].holder = Holder::Post;
        let checks = check(&members, false, date!(2026 - 11 - 30));
        let gender = checks
            .iter()
            .find(|c| c.key == "composition.gender")
            .unwrap();
        assert_eq!(gender.verdict, Verdict::Met, "1 of 2 known is 50%");
        assert_eq!(gender.detail, "1 of 2 women (50%); 2 not stated");
        let holders = checks
            .iter()
            .find(|c| c.key == "composition.holders")
            .unwrap();
        assert_eq!(holders.verdict, Verdict::Unknown);
        assert!(checks.iter().all(|c| c.key != "composition.labour"));

        for m in &mut members {
            m.gender = NotStated;
        }
        let checks = check(&members, false, date!(2026 - 11 - 30));
        let gender = checks
            .iter()
            .find(|c| c.key == "composition.gender")
            .unwrap();
        assert_eq!(gender.verdict, Verdict::Unknown);
    }
}

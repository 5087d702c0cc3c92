//! The composition check of an oversight committee: does it bring together
//! the institutions and constituencies a NAP needs, with gender balance?

use time::Date;

use crate::choices::{Constituency, Gender, PartnerKind, Portfolio, Seat};

/// A current member, with their organisation's kind.
pub struct Seated {
    pub seat: Seat,
    pub gender: Gender,
    pub kind: Option<PartnerKind>,
    pub portfolio: Option<Portfolio>,
    pub constituency: Option<Constituency>,
    pub term_end: Option<Date>,
    pub name: String,
}

/// One line of the checklist: a translation key, whether it holds, and why.
pub struct Check {
    pub key: &'static str,
    pub ok: bool,
    /// Names or figures that explain the result.
    pub detail: String,
}

/// Checks `members` (current ones only) on `today`.
pub fn check(members: &[Seated], today: Date) -> Vec<Check> {
    let has = |f: &dyn Fn(&Seated) -> bool| members.iter().any(f);
    let ministry = |p: Portfolio| {
        move |m: &Seated| m.kind == Some(PartnerKind::Ministry) && m.portfolio == Some(p)
    };
    let mut checks = vec![
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
    .map(|(key, ok)| Check {
        key,
        ok,
        detail: String::new(),
    })
    .collect::<Vec<_>>();

    let voting: Vec<&Seated> = members.iter().filter(|m| m.seat.votes()).collect();
    let women = voting.iter().filter(|m| m.gender == Gender::Woman).count();
    let share = if voting.is_empty() {
        0
    } else {
        women * 100 / voting.len()
    };
    checks.push(Check {
        key: "composition.gender",
        ok: !voting.is_empty() && (40..=60).contains(&share),
        detail: format!("{women}/{} ({share}%)", voting.len()),
    });
    let horizon = today + time::Duration::days(90);
    let expiring: Vec<&str> = members
        .iter()
        .filter(|m| m.term_end.is_some_and(|end| end >= today && end <= horizon))
        .map(|m| m.name.as_str())
        .collect();
    checks.push(Check {
        key: "composition.terms",
        ok: expiring.is_empty(),
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
            gender,
            kind: Some(kind),
            portfolio,
            constituency,
            term_end: None,
            name: "N".into(),
        }
    }

    fn result(checks: &[Check], key: &str) -> bool {
        checks.iter().find(|c| c.key == key).unwrap().ok
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
        let checks = check(&members, date!(2026 - 11 - 30));
        assert!(
            checks.iter().all(|c| c.ok),
            "{:?}",
            checks
                .iter()
                .map(|c| (c.key, c.ok, &c.detail))
                .collect::<Vec<_>>()
        );
        // 3 women of 7 voting members: the observer and the secretary do not vote.
        assert_eq!(
            checks
                .iter()
                .find(|c| c.key == "composition.gender")
                .unwrap()
                .detail,
            "3/7 (42%)"
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
        let checks = check(&members, date!(2026 - 11 - 30));
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
        assert!(!gender.ok);
        assert_eq!(gender.detail, "3/10 (30%)");
        let terms = checks
            .iter()
            .find(|c| c.key == "composition.terms")
            .unwrap();
        assert!(!terms.ok);
        assert_eq!(terms.detail, "Ana Chair");
    }
}

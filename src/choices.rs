//! Closed lists of values (themes, statuses, kinds…): their stable names in
//! the database and forms, and the translation keys of their labels.

/// Declares an enum whose variants have a stable string name and a label key
/// `prefix.name`.
macro_rules! choices {
    ($(#[$meta:meta])* $name:ident, $prefix:literal, { $($variant:ident => $s:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $s),+ }
            }

            pub fn parse(s: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| v.as_str() == s.trim())
            }

            pub fn label_key(self) -> &'static str {
                match self { $($name::$variant => concat!($prefix, ".", $s)),+ }
            }
        }
    };
}

choices!(
    /// A member's role in one tenant (what each may do: `authz`).
    Role, "role", {
    Secretariat => "secretariat",
    Ministry => "ministry",
    SocialPartner => "social-partner",
    Observer => "observer",
});

choices!(
    /// What a NAP is about.
    Theme, "theme", {
    ForcedLabour => "forced-labour",
    ChildLabour => "child-labour",
    Trafficking => "trafficking",
    Other => "other",
});

choices!(
    /// What a page says after a form did its work (`?done=…`, see
    /// `http::notice`).
    Notice, "done", {
    Saved => "saved",
    Added => "added",
    Deleted => "deleted",
    RoleChanged => "role-changed",
    Deactivated => "deactivated",
    Activated => "activated",
    HandedOver => "handed-over",
    Withdrawn => "withdrawn",
    PasswordChanged => "password-changed",
    LanguageChanged => "language-changed",
    TwoFactorOn => "two-factor-on",
    TwoFactorOff => "two-factor-off",
    UpdateRecorded => "update-recorded",
    UpdatePending => "update-pending",
    UpdateAccepted => "update-accepted",
    UpdateReturned => "update-returned",
    Imported => "imported",
    SetUpImported => "set-up-imported",
    Published => "published",
    Unpublished => "unpublished",
    TorPublished => "tor-published",
    CommentAdded => "comment-added",
    RecordAdded => "record-added",
    SeatLeft => "seat-left",
    ActionDone => "action-done",
    Removed => "removed",
    MinutesPublished => "minutes-published",
    MinutesWithdrawn => "minutes-withdrawn",
    NewsletterSent => "newsletter-sent",
});

choices!(NapStatus, "nap_status", {
    Draft => "draft",
    Adopted => "adopted",
    Closed => "closed",
});

choices!(Level, "level", {
    National => "national",
    Regional => "regional",
    Local => "local",
});

choices!(ActivityStatus, "activity_status", {
    NotStarted => "not-started",
    OnTrack => "on-track",
    Delayed => "delayed",
    Completed => "completed",
    Cancelled => "cancelled",
});

choices!(PartnerKind, "partner_kind", {
    Ministry => "ministry",
    Workers => "workers",
    Employers => "employers",
    LawEnforcement => "law-enforcement",
    LabourInspection => "labour-inspection",
    Immigration => "immigration",
    HumanRightsInstitution => "human-rights-institution",
    NationalRapporteur => "national-rapporteur",
    CivilSociety => "civil-society",
    AffectedCommunities => "affected-communities",
    Research => "research",
    Media => "media",
    International => "international",
    Other => "other",
});

choices!(
    /// A ministry's portfolio.
    Portfolio, "portfolio", {
    Labour => "labour",
    Justice => "justice",
    Interior => "interior",
    Gender => "gender",
    Education => "education",
    Economy => "economy",
    Defence => "defence",
    ForeignAffairs => "foreign-affairs",
    HomeAffairs => "home-affairs",
    // Another portfolio, whose name the partner form takes.
    OtherNamed => "other-named",
    Other => "other",
});

choices!(
    /// What the activity list behind a dashboard figure keeps (`only=`).
    ListOnly, "list_only", {
    Overdue => "overdue",
    DueNext => "due-next",
    Stale => "stale",
    NoLead => "no-lead",
    Never => "never",
});

choices!(
    /// The side of tripartite dialogue a partner speaks for.
    Constituency, "constituency", {
    Government => "government",
    Workers => "workers",
    Employers => "employers",
    Other => "other",
});

choices!(CommitteeKind, "committee_kind", {
    Oversight => "oversight",
    CoordinationNational => "coordination-national",
    CoordinationLocal => "coordination-local",
    SubGroup => "sub-group",
});

choices!(
    /// A member's seat on a committee.
    Seat, "seat", {
    Chair => "chair",
    ViceChair => "vice-chair",
    Member => "member",
    Alternate => "alternate",
    Observer => "observer",
    Secretary => "secretary",
});

impl Seat {
    /// Chairs and members vote; alternates, observers and the secretary do not.
    pub fn votes(self) -> bool {
        matches!(self, Seat::Chair | Seat::ViceChair | Seat::Member)
    }
}

choices!(
    /// Who holds a seat: a named person, a post whose holder's name is not
    /// known, an organisation that named neither, or nobody yet.
    Holder, "holder", {
    Person => "person",
    Post => "post",
    Organisation => "organisation",
    Vacant => "vacant",
});

impl Holder {
    /// Whether the seat has a name of its own (a person's or a post's).
    pub fn is_named(self) -> bool {
        matches!(self, Self::Person | Self::Post)
    }
}

choices!(Gender, "gender", {
    Woman => "woman",
    Man => "man",
    Another => "another",
    NotStated => "not-stated",
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_labels_exist() {
        for kind in PartnerKind::ALL {
            assert_eq!(PartnerKind::parse(kind.as_str()), Some(*kind));
            assert_ne!(
                crate::i18n::translate("en", kind.label_key()),
                kind.label_key()
            );
        }
        for list in [
            Theme::ALL.iter().map(|v| v.label_key()).collect::<Vec<_>>(),
            NapStatus::ALL.iter().map(|v| v.label_key()).collect(),
            Level::ALL.iter().map(|v| v.label_key()).collect(),
            ActivityStatus::ALL.iter().map(|v| v.label_key()).collect(),
            ListOnly::ALL.iter().map(|v| v.label_key()).collect(),
            Portfolio::ALL.iter().map(|v| v.label_key()).collect(),
            Constituency::ALL.iter().map(|v| v.label_key()).collect(),
            CommitteeKind::ALL.iter().map(|v| v.label_key()).collect(),
            Seat::ALL.iter().map(|v| v.label_key()).collect(),
            Gender::ALL.iter().map(|v| v.label_key()).collect(),
            Holder::ALL.iter().map(|v| v.label_key()).collect(),
        ] {
            for key in list {
                assert_ne!(
                    crate::i18n::translate("en", key),
                    key,
                    "missing label {key}"
                );
            }
        }
        assert_eq!(Theme::parse("nonsense"), None);
    }
}

choices!(
    /// What a notification is about; each person chooses how each comes by e-mail.
    NoticeCategory, "notify.category", {
    Reminders => "reminders",
    Updates => "updates",
    Reviews => "reviews",
    Comments => "comments",
    Actions => "actions",
    Meetings => "meetings",
    Committees => "committees",
});

choices!(
    /// How a category of notifications comes by e-mail.
    MailFrequency, "notify.frequency", {
    Now => "now",
    Daily => "daily",
    Weekly => "weekly",
    Off => "off",
});

impl NoticeCategory {
    /// Without a choice: reminders at once, the rest in the weekly digest.
    pub fn default_frequency(self) -> MailFrequency {
        match self {
            Self::Reminders => MailFrequency::Now,
            _ => MailFrequency::Weekly,
        }
    }
}

//! The access rules, all of them, in one place (docs/contests.md has them
//! as a table). Callers ask; they never decide. Admin and service are
//! trusted alike except that only admin manages the server.

use chrono::{DateTime, SecondsFormat, Utc};

use super::{Owner, Participant, Principal};
use crate::contest::{Contest, ContestStatus, ScoreboardSetting};

/// Why a request may not do what it asks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Denied {
    /// 401: it needs a token.
    SignInRequired(String),
    /// 403: the principal is known and may not.
    Forbidden { reason: Forbidden, message: String },
}

/// Why a known principal may not: each its own error code in the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Forbidden {
    /// Not this principal's role or contest.
    NotPermitted,
    /// A participant naming another user.
    WrongUser,
    ContestNotRunning,
    ScoreboardHidden,
}

impl Denied {
    fn forbidden(reason: Forbidden, message: impl Into<String>) -> Self {
        Self::Forbidden {
            reason,
            message: message.into(),
        }
    }
}

/// The owners (`Owner::as_str`) whose submissions a question's own
/// scoreboard ranks: service and participants; anonymous runs and admins'
/// tries are never ranked.
pub const RANKED_OWNERS: [&str; 2] = ["service", "participant"];

/// Who a submission or execution is recorded as made by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Author {
    pub owner: Owner,
    pub user_id: Option<String>,
}

/// Which records a principal may list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadScope {
    All,
    /// A participant's own: made with a token of that contest and user.
    Own(Participant),
}

/// Which standings a principal sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standings {
    Live,
    /// As they were at that moment (the freeze).
    FrozenAt(DateTime<Utc>),
}

/// The rules, with the one setting they depend on.
#[derive(Debug, Clone, Copy)]
pub struct AccessPolicy {
    /// Anonymous playground runs and submissions to questions in no contest.
    pub open_execute: bool,
}

impl Principal {
    /// Admin or service: reads everything, sees live standings.
    fn is_trusted(&self) -> bool {
        matches!(self, Self::Admin | Self::Service)
    }

    fn participant_of(&self, contest: &Contest) -> bool {
        matches!(self, Self::Participant(p) if p.contest == contest.slug())
    }
}

impl AccessPolicy {
    /// The admin API (questions, contests, participants, keys).
    pub fn administer(&self, principal: &Principal) -> Result<(), Denied> {
        match principal {
            Principal::Admin => Ok(()),
            Principal::Anonymous => Err(Denied::SignInRequired(
                "the admin API needs Authorization: Bearer <admin token or admin API key>".into(),
            )),
            _ => Err(Denied::forbidden(
                Forbidden::NotPermitted,
                "only admins may use the admin API",
            )),
        }
    }

    /// Running code against the caller's own test cases (or once, as a
    /// playground): the author it is recorded under.
    pub fn run_own_tests(
        &self,
        principal: &Principal,
        user_id: Option<&str>,
    ) -> Result<Author, Denied> {
        if *principal == Principal::Anonymous && !self.open_execute {
            return Err(Denied::SignInRequired(
                "this server runs code only for signed-in users: send Authorization: Bearer <token>"
                    .into(),
            ));
        }
        author(principal, user_id)
    }

    /// Submitting to a stored question that is in `contests` (none: a
    /// public question): the author it is recorded under.
    pub fn submit(
        &self,
        principal: &Principal,
        user_id: Option<&str>,
        question: &str,
        contests: &[Contest],
        now: DateTime<Utc>,
    ) -> Result<Author, Denied> {
        match principal {
            Principal::Admin | Principal::Service => {}
            Principal::Participant(participant) => {
                let Some(contest) = contests.iter().find(|c| c.slug() == participant.contest)
                else {
                    return Err(Denied::forbidden(
                        Forbidden::NotPermitted,
                        format!(
                            "question {question:?} is not in your contest {:?}",
                            participant.contest
                        ),
                    ));
                };
                let window = contest.window(&participant.time);
                let practice = contest.practice_after_end();
                match window.status(now) {
                    ContestStatus::Running => {}
                    ContestStatus::Ended if practice => {}
                    _ => {
                        return Err(Denied::forbidden(
                            Forbidden::ContestNotRunning,
                            format!(
                                "contest {:?} runs for you from {} to {}",
                                contest.slug(),
                                window.starts_at.to_rfc3339_opts(SecondsFormat::Secs, true),
                                window.ends_at.to_rfc3339_opts(SecondsFormat::Secs, true)
                            ),
                        ));
                    }
                }
            }
            Principal::Anonymous if contests.is_empty() && self.open_execute => {}
            Principal::Anonymous => {
                return Err(Denied::SignInRequired(format!(
                    "submitting to question {question:?} needs a participant token: \
                     Authorization: Bearer <token>"
                )));
            }
        }
        author(principal, user_id)
    }

    /// Whether `principal` may read a record made by `owner` for `user_id`
    /// (code, outputs). Records with no owner predate identities.
    pub fn read(
        &self,
        principal: &Principal,
        owner: Option<&Owner>,
        user_id: Option<&str>,
    ) -> bool {
        match (principal, owner) {
            (Principal::Admin | Principal::Service, _) => true,
            (Principal::Participant(participant), Some(Owner::Participant { contest })) => {
                *contest == participant.contest && user_id == Some(participant.user_id.as_str())
            }
            (Principal::Anonymous, Some(Owner::Anonymous)) => true,
            _ => false,
        }
    }

    /// Whether `principal` sees what judging keeps from students: a hidden
    /// test's figures (time, memory, instructions), which a program can make
    /// spell out the test's input, and why a submission failed to be judged
    /// (the server's own error). Those who run the judge do.
    pub fn see_judging_details(&self, principal: &Principal) -> bool {
        matches!(principal, Principal::Admin | Principal::Service)
    }

    /// Which submissions `principal` may list.
    pub fn list(&self, principal: &Principal) -> Result<ReadScope, Denied> {
        match principal {
            Principal::Admin | Principal::Service => Ok(ReadScope::All),
            Principal::Participant(participant) => Ok(ReadScope::Own(participant.clone())),
            Principal::Anonymous => Err(Denied::SignInRequired(
                "listing submissions needs Authorization: Bearer <token>".into(),
            )),
        }
    }

    /// Whether `principal` may know `contest` exists.
    pub fn see_contest(&self, principal: &Principal, contest: &Contest) -> bool {
        principal.is_trusted() || contest.public() || principal.participant_of(contest)
    }

    /// Whether `principal` may see `contest`'s questions.
    pub fn see_contest_questions(
        &self,
        principal: &Principal,
        contest: &Contest,
        now: DateTime<Utc>,
    ) -> bool {
        principal.is_trusted() || (contest.has_started(now) && self.see_contest(principal, contest))
    }

    /// Whether `principal` may see a question that is in `contests` (none:
    /// a public question).
    pub fn see_question(
        &self,
        principal: &Principal,
        contests: &[Contest],
        now: DateTime<Utc>,
    ) -> bool {
        contests.is_empty()
            || contests
                .iter()
                .any(|contest| self.see_contest_questions(principal, contest, now))
    }

    /// The standings of `contest` `principal` may see, if any; the caller
    /// has checked `see_contest`.
    pub fn scoreboard(
        &self,
        principal: &Principal,
        contest: &Contest,
        now: DateTime<Utc>,
    ) -> Result<Standings, Denied> {
        if principal.is_trusted() {
            return Ok(Standings::Live);
        }
        // Before the start there is nothing to rank, and the board would
        // name the questions, which show only from the start.
        if !contest.has_started(now) {
            return Err(Denied::forbidden(
                Forbidden::ScoreboardHidden,
                format!(
                    "the scoreboard of contest {:?} opens when it starts",
                    contest.slug()
                ),
            ));
        }
        let allowed = match contest.scoreboard() {
            ScoreboardSetting::Public => true,
            ScoreboardSetting::Participants => principal.participant_of(contest),
            ScoreboardSetting::AfterEnd => contest.status(now) == ContestStatus::Ended,
            ScoreboardSetting::Hidden => false,
        };
        if !allowed {
            return Err(Denied::forbidden(
                Forbidden::ScoreboardHidden,
                format!(
                    "the scoreboard of contest {:?} is not shown to you now",
                    contest.slug()
                ),
            ));
        }
        Ok(match contest.frozen_at(now) {
            Some(at) => Standings::FrozenAt(at),
            None => Standings::Live,
        })
    }

    /// Asking a clarification in `contest`: its participants, while their
    /// window runs.
    pub fn ask(
        &self,
        principal: &Principal,
        contest: &Contest,
        now: DateTime<Utc>,
    ) -> Result<Participant, Denied> {
        let Principal::Participant(participant) = principal else {
            return Err(match principal {
                Principal::Anonymous => Denied::SignInRequired(
                    "asking needs a participant token: Authorization: Bearer <token>".into(),
                ),
                _ => Denied::forbidden(
                    Forbidden::NotPermitted,
                    "only participants ask; teachers answer and announce",
                ),
            });
        };
        if participant.contest != contest.slug() {
            return Err(Denied::forbidden(
                Forbidden::NotPermitted,
                format!("you are not in contest {:?}", contest.slug()),
            ));
        }
        if contest.window(&participant.time).status(now) != ContestStatus::Running {
            return Err(Denied::forbidden(
                Forbidden::ContestNotRunning,
                "questions are asked while the contest runs for you",
            ));
        }
        Ok(participant.clone())
    }

    /// Whether `principal`, who may see `contest`, reads a clarification
    /// asked there by `asked_by` (none: an announcement): the public ones,
    /// and a participant their own; admin and service all.
    pub fn read_clarification(
        &self,
        principal: &Principal,
        contest: &Contest,
        asked_by: Option<&str>,
        public: bool,
    ) -> bool {
        match principal {
            Principal::Admin | Principal::Service => true,
            Principal::Participant(p) => {
                public || (p.contest == contest.slug() && asked_by == Some(p.user_id.as_str()))
            }
            Principal::Anonymous => public,
        }
    }

    /// A question's own scoreboard: public for questions in no contest; a
    /// contest's question is ranked on the contest's scoreboard, with its
    /// rules (freeze, visibility), so only admin and service see this one.
    pub fn question_scoreboard(
        &self,
        principal: &Principal,
        question: &str,
        contests: &[Contest],
    ) -> Result<(), Denied> {
        match contests.first() {
            Some(contest) if !principal.is_trusted() => Err(Denied::forbidden(
                Forbidden::ScoreboardHidden,
                format!(
                    "question {question:?} is ranked on its contest's scoreboard: \
                     GET /contests/{}/scoreboard",
                    contest.slug()
                ),
            )),
            _ => Ok(()),
        }
    }

    /// What a rate limit counts a submission against: `None` for the
    /// trusted, who are not limited.
    pub fn rate_limit_key(&self, principal: &Principal) -> Option<RateLimitKey> {
        match principal {
            Principal::Admin | Principal::Service => None,
            Principal::Participant(p) => Some(RateLimitKey::Participant(format!(
                "{}/{}",
                p.contest, p.user_id
            ))),
            Principal::Anonymous => Some(RateLimitKey::ClientAddress),
        }
    }
}

/// What a submission is counted against for rate limits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RateLimitKey {
    /// Anonymous requests: the client's address.
    ClientAddress,
    /// A participant's token (contest and user), not their address: a
    /// classroom shares one.
    Participant(String),
}

/// The author of what `principal` submits, naming `user_id`: a participant
/// is always themselves.
fn author(principal: &Principal, user_id: Option<&str>) -> Result<Author, Denied> {
    let (owner, user_id) = match principal {
        Principal::Admin => (Owner::Admin, user_id.map(String::from)),
        Principal::Service => (Owner::Service, user_id.map(String::from)),
        Principal::Anonymous => (Owner::Anonymous, user_id.map(String::from)),
        Principal::Participant(participant) => {
            if user_id.is_some_and(|id| id != participant.user_id) {
                return Err(Denied::forbidden(
                    Forbidden::WrongUser,
                    format!(
                        "your token is for user {:?}; leave user_id out or name yourself",
                        participant.user_id
                    ),
                ));
            }
            let owner = Owner::Participant {
                contest: participant.contest.clone(),
            };
            (owner, Some(participant.user_id.clone()))
        }
    };
    Ok(Author { owner, user_id })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contest::{ContestSpec, OwnTime, Scoring};

    const OPEN: AccessPolicy = AccessPolicy { open_execute: true };

    fn now() -> DateTime<Utc> {
        "2026-01-01T11:00:00Z".parse().unwrap()
    }

    /// A contest over question `q`: `window` is "running", "upcoming" or "ended".
    fn contest(slug: &str, window: &str, scoreboard: ScoreboardSetting) -> Contest {
        Contest::new(slug.into(), spec(slug, window, scoreboard)).unwrap()
    }

    fn spec(slug: &str, window: &str, scoreboard: ScoreboardSetting) -> ContestSpec {
        let (starts, ends) = match window {
            "running" => ("2026-01-01T10:00:00Z", "2026-01-01T12:00:00Z"),
            "upcoming" => ("2026-01-01T11:30:00Z", "2026-01-01T13:30:00Z"),
            _ => ("2026-01-01T08:00:00Z", "2026-01-01T10:00:00Z"),
        };
        ContestSpec {
            title: slug.into(),
            starts_at: starts.parse().unwrap(),
            ends_at: ends.parse().unwrap(),
            questions: vec!["q".into()],
            scoring: Scoring::Ioi,
            scoreboard,
            freeze_minutes: Some(90),
            public: false,
            compile_errors_count: false,
            practice_after_end: false,
        }
    }

    fn participant(contest: &str, user: &str) -> Principal {
        Principal::Participant(Participant {
            contest: contest.into(),
            user_id: user.into(),
            time: OwnTime::default(),
        })
    }

    fn code(result: Result<impl std::fmt::Debug, Denied>) -> &'static str {
        match result {
            Ok(_) => "ok",
            Err(Denied::SignInRequired(_)) => "401",
            Err(Denied::Forbidden { reason, .. }) => match reason {
                Forbidden::NotPermitted => "forbidden",
                Forbidden::WrongUser => "wrong_user",
                Forbidden::ContestNotRunning => "contest_not_running",
                Forbidden::ScoreboardHidden => "scoreboard_hidden",
            },
        }
    }

    #[test]
    fn submitting_to_a_stored_question_by_role_and_window() {
        let running = [contest("final", "running", ScoreboardSetting::Public)];
        let upcoming = [contest("final", "upcoming", ScoreboardSetting::Public)];
        let ended = [contest("final", "ended", ScoreboardSetting::Public)];
        let ann = participant("final", "ann");
        let cases: [(&Principal, &[Contest], &str); 10] = [
            (&Principal::Admin, &running, "ok"),
            (&Principal::Service, &upcoming, "ok"),
            (&ann, &running, "ok"),
            (&ann, &upcoming, "contest_not_running"),
            (&ann, &ended, "contest_not_running"),
            (&ann, &[], "forbidden"),
            (&participant("other", "ann"), &running, "forbidden"),
            (&Principal::Anonymous, &running, "401"),
            (&Principal::Anonymous, &[], "ok"),
            (&Principal::Admin, &[], "ok"),
        ];
        for (principal, contests, expected) in cases {
            let result = OPEN.submit(principal, None, "q", contests, now());
            assert_eq!(code(result), expected, "{principal:?} on {contests:?}");
        }
        let closed = AccessPolicy {
            open_execute: false,
        };
        assert_eq!(
            code(closed.submit(&Principal::Anonymous, None, "q", &[], now())),
            "401"
        );
        assert_eq!(
            code(closed.run_own_tests(&Principal::Anonymous, None)),
            "401"
        );
        assert_eq!(code(OPEN.run_own_tests(&Principal::Anonymous, None)), "ok");
    }

    #[test]
    fn a_participant_is_always_themselves() {
        let ann = participant("final", "ann");
        let author = OPEN.run_own_tests(&ann, None).unwrap();
        assert_eq!(author.user_id.as_deref(), Some("ann"));
        assert_eq!(code(OPEN.run_own_tests(&ann, Some("bob"))), "wrong_user");
        let service = OPEN
            .run_own_tests(&Principal::Service, Some("bob"))
            .unwrap();
        assert_eq!(
            (service.owner, service.user_id.as_deref()),
            (Owner::Service, Some("bob"))
        );
    }

    #[test]
    fn records_are_read_by_their_owner_and_the_trusted_only() {
        let in_final = Owner::Participant {
            contest: "final".into(),
        };
        let cases: [(Principal, Option<Owner>, Option<&str>, bool); 9] = [
            (Principal::Admin, None, None, true),
            (
                Principal::Service,
                Some(in_final.clone()),
                Some("ann"),
                true,
            ),
            (
                participant("final", "ann"),
                Some(in_final.clone()),
                Some("ann"),
                true,
            ),
            (
                participant("final", "bob"),
                Some(in_final.clone()),
                Some("ann"),
                false,
            ),
            (
                participant("other", "ann"),
                Some(in_final.clone()),
                Some("ann"),
                false,
            ),
            (
                participant("final", "ann"),
                Some(Owner::Anonymous),
                Some("ann"),
                false,
            ),
            (Principal::Anonymous, Some(Owner::Anonymous), None, true),
            (Principal::Anonymous, Some(in_final), Some("ann"), false),
            (Principal::Anonymous, None, None, false),
        ];
        for (principal, owner, user, expected) in cases {
            let read = OPEN.read(&principal, owner.as_ref(), user);
            assert_eq!(read, expected, "{principal:?} reading {owner:?} {user:?}");
        }
        assert_eq!(code(OPEN.list(&Principal::Anonymous)), "401");
    }

    #[test]
    fn questions_show_from_the_contest_start_to_who_may_see_it() {
        let running = contest("final", "running", ScoreboardSetting::Public);
        let upcoming = contest("final", "upcoming", ScoreboardSetting::Public);
        let public = ContestSpec {
            public: true,
            ..spec("final", "running", ScoreboardSetting::Public)
        };
        let public = Contest::new("final".into(), public).unwrap();
        let ann = participant("final", "ann");
        let cases: [(&Principal, &[Contest], bool); 8] = [
            (&Principal::Anonymous, &[], true),
            (&Principal::Anonymous, std::slice::from_ref(&running), false),
            (&Principal::Anonymous, std::slice::from_ref(&public), true),
            (&ann, std::slice::from_ref(&running), true),
            (&ann, std::slice::from_ref(&upcoming), false),
            (
                &participant("other", "bob"),
                std::slice::from_ref(&running),
                false,
            ),
            (&Principal::Service, std::slice::from_ref(&upcoming), true),
            (&Principal::Admin, std::slice::from_ref(&upcoming), true),
        ];
        for (principal, contests, expected) in cases {
            let seen = OPEN.see_question(principal, contests, now());
            assert_eq!(seen, expected, "{principal:?} on {contests:?}");
        }
    }

    #[test]
    fn scoreboards_follow_the_setting_and_the_freeze() {
        let ann = participant("final", "ann");
        let frozen: DateTime<Utc> = "2026-01-01T10:30:00Z".parse().unwrap();
        let cases: [(&Principal, ScoreboardSetting, &str, &str); 11] = [
            (
                &Principal::Service,
                ScoreboardSetting::Hidden,
                "running",
                "live",
            ),
            (
                &ann,
                ScoreboardSetting::Hidden,
                "running",
                "scoreboard_hidden",
            ),
            (&ann, ScoreboardSetting::Participants, "running", "frozen"),
            (
                &Principal::Anonymous,
                ScoreboardSetting::Participants,
                "running",
                "scoreboard_hidden",
            ),
            (
                &Principal::Anonymous,
                ScoreboardSetting::Public,
                "running",
                "frozen",
            ),
            (
                &Principal::Admin,
                ScoreboardSetting::Public,
                "running",
                "live",
            ),
            (
                &ann,
                ScoreboardSetting::AfterEnd,
                "running",
                "scoreboard_hidden",
            ),
            (&ann, ScoreboardSetting::AfterEnd, "ended", "live"),
            // Before the start it would name the questions.
            (
                &Principal::Anonymous,
                ScoreboardSetting::Public,
                "upcoming",
                "scoreboard_hidden",
            ),
            (
                &ann,
                ScoreboardSetting::Public,
                "upcoming",
                "scoreboard_hidden",
            ),
            (
                &Principal::Admin,
                ScoreboardSetting::Public,
                "upcoming",
                "live",
            ),
        ];
        for (principal, setting, window, expected) in cases {
            let result = OPEN.scoreboard(principal, &contest("final", window, setting), now());
            let seen = match result {
                Ok(Standings::Live) => "live",
                Ok(Standings::FrozenAt(at)) if at == frozen => "frozen",
                other => code(other),
            };
            assert_eq!(seen, expected, "{principal:?} {setting:?} {window}");
        }
    }

    #[test]
    fn only_admins_administer_and_the_trusted_are_not_rate_limited() {
        assert_eq!(code(OPEN.administer(&Principal::Admin)), "ok");
        assert_eq!(code(OPEN.administer(&Principal::Service)), "forbidden");
        assert_eq!(
            code(OPEN.administer(&participant("final", "ann"))),
            "forbidden"
        );
        assert_eq!(code(OPEN.administer(&Principal::Anonymous)), "401");
        assert_eq!(OPEN.rate_limit_key(&Principal::Service), None);
        assert_eq!(
            OPEN.rate_limit_key(&Principal::Anonymous),
            Some(RateLimitKey::ClientAddress)
        );
    }
}

//! Why a use case would not do what it was asked: the one error type the
//! API and the pages both map onto their own answers, so that a request
//! refused by one is refused by the other with the same reason.

use crate::auth::Denied;

#[derive(Debug)]
pub enum Refusal {
    /// The principal may not (401 or 403).
    Denied(Denied),
    /// No such question, or none the principal may see (404).
    UnknownQuestion(String),
    /// No such contest, or none the principal may see (404).
    UnknownContest(String),
    /// No such thing of another kind (a test case, a participant): what (404).
    NotFound(String),
    /// A question a contest lists cannot go (409).
    QuestionInContest(String),
    /// A language this server does not run (422).
    UnsupportedLanguage {
        name: String,
        supported: Vec<&'static str>,
    },
    /// A well-formed request whose values are not acceptable (422).
    Invalid(String),
    /// What it would create exists already (409).
    Exists { what: Existing, message: String },
    /// Every judging slot or the queue is full (503); what is full.
    Busy(&'static str),
    /// A failure of ours; the details go to the log, not to the caller.
    Internal(anyhow::Error),
}

/// What a create found there already.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Existing {
    Question,
    Contest,
}

/// The reason in words, for those without HTTP (the command line).
impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Denied(denied) => write!(f, "{denied:?}"),
            Self::UnknownQuestion(slug) => write!(f, "no question {slug:?}"),
            Self::UnknownContest(slug) => write!(f, "no contest {slug:?}"),
            Self::QuestionInContest(slug) => write!(f, "question {slug:?} is in a contest"),
            Self::UnsupportedLanguage { name, supported } => write!(
                f,
                "this server does not run {name}; it runs {}",
                supported.join(", ")
            ),
            Self::NotFound(message) | Self::Invalid(message) => f.write_str(message),
            Self::Exists { message, .. } => f.write_str(message),
            Self::Busy(what) => f.write_str(what),
            Self::Internal(error) => write!(f, "{error:#}"),
        }
    }
}

impl From<Denied> for Refusal {
    fn from(denied: Denied) -> Self {
        Self::Denied(denied)
    }
}

impl From<anyhow::Error> for Refusal {
    fn from(error: anyhow::Error) -> Self {
        Self::Internal(error)
    }
}

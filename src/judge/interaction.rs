//! Interactive problems: for each test the submission talks to the
//! question's interactor as both run, each in its own sandbox, what one
//! writes piped to the other (`sandbox::link`). The interactor reads the
//! test's input and answer from files, as a checker does, and judges:
//!
//! - **Kattis**: `interactor input answer feedback/ [arguments]`, its exit
//!   and feedback files read as an output validator's.
//! - **testlib** (`registerInteraction`): `interactor input output answer`,
//!   its exit read as a checker's; it writes `output` for the question's
//!   checker, if there is one, which then judges as usual.
//!
//! The verdict follows the Kattis precedence: an interactor that rejected
//! (or failed) before the submission ended decides, since whatever the
//! submission did next it did with its input cut off; otherwise the
//! submission's own fate (time, memory, crash, output) comes first, so an
//! interactor satisfied too early never accepts a submission that then runs
//! out of time or crashes; and only then what the interactor said. Two
//! sides waiting for each other end at the submission's wall-clock limit,
//! as `time_limit_exceeded`.

use std::sync::Arc;

use tokio::sync::Semaphore;

use super::checker::{Checked, Checker, CheckerProtocol};
use super::verdict::verdict;
use super::{Limits, Status, TestCase};
use crate::languages::Program;
use crate::sandbox::{Invocation, Run, RunLimits, Stdio, link};

/// What an interactor may write to the submission: much more than a
/// checker's messages, since the whole interaction goes through it.
const INTERACTOR_OUTPUT_BYTES: usize = 16 << 20;

/// Where a testlib interactor writes the output it keeps for the checker.
const TESTLIB_OUTPUT: &str = "out/output";

/// A built interactor, with the permits its links share.
#[derive(Debug, Clone)]
pub struct Interactor {
    program: Checker,
    links: Arc<Semaphore>,
}

impl Interactor {
    /// `program` (built from a `CheckerSpec`) as an interactor; at most as
    /// many links run at once as `links` holds (`Languages::links`).
    pub fn new(program: Checker, links: Arc<Semaphore>) -> Self {
        Self { program, links }
    }

    /// Runs `submission` on `test` under `limits`, linked to the
    /// interactor: the submission's run and the verdict. `checker` judges
    /// what a testlib interactor kept. `Err` is a host failure to run the
    /// submission.
    pub async fn judge(
        &self,
        submission: &dyn Program,
        test: &TestCase,
        limits: &Limits,
        checker: Option<&Checker>,
    ) -> anyhow::Result<(Run, Checked)> {
        let _link = self.links.acquire().await.expect("never closed");
        let answer = test.expected_output.as_deref().unwrap_or("");
        let interactor = &self.program;
        let invocation = match interactor.protocol {
            CheckerProtocol::Kattis => interactor.kattis_invocation(&test.input, answer),
            CheckerProtocol::Testlib => Invocation {
                args: vec!["input".into(), TESTLIB_OUTPUT.into(), "answer".into()],
                files: vec![
                    ("input".into(), test.input.as_bytes().to_vec()),
                    ("answer".into(), answer.as_bytes().to_vec()),
                ],
                output_dirs: vec!["out".into()],
            },
        };
        let submission_limits = limits.run_limits();
        // It waits for the submission as long as the submission may run,
        // and that waiting is no CPU time of its own.
        let interactor_limits = RunLimits {
            wall_time: interactor.limits.wall_time + submission_limits.wall_time,
            stdout_bytes: INTERACTOR_OUTPUT_BYTES,
            ..interactor.limits.clone()
        };
        let (judge_end, submission_end) = link();
        let (interactor_end, submission_output_end) =
            (judge_end.output_end(), submission_end.output_end());
        let interactor_run =
            (interactor.program).run(Stdio::Linked(judge_end), &invocation, &interactor_limits);
        let no_invocation = Invocation::default();
        let submission_run = submission.run(
            Stdio::Linked(submission_end),
            &no_invocation,
            &submission_limits,
        );
        let (interactor_run, submission_run) = tokio::join!(interactor_run, submission_run);
        let submission_run = submission_run?;
        let kept = (interactor_run.as_ref().ok())
            .and_then(|run| run.written.iter().find(|(path, _)| path == TESTLIB_OUTPUT))
            .map(|(_, bytes)| bytes.clone())
            .unwrap_or_default();
        let said = as_interactor(interactor.verdict(interactor_run, test.points));
        // The submission reads end of file once the interactor's output
        // ends, so it can only end after that if the interactor ended first.
        let interactor_first = match (interactor_end.at(), submission_output_end.at()) {
            (Some(interactor), Some(submission)) => interactor < submission,
            (interactor, _) => interactor.is_some(),
        };
        let rejected_early =
            interactor_first && matches!(said.status, Status::WrongAnswer | Status::InternalError);
        let judged = if rejected_early {
            said
        } else if let Some((status, message)) = verdict(&submission_run, limits) {
            Checked {
                status,
                score: 0,
                message,
                judge_message: said.judge_message,
            }
        } else {
            match checker {
                Some(checker) if said.status == Status::Accepted => {
                    checker.check(&test.input, answer, &kept, test.points).await
                }
                _ => said,
            }
        };
        Ok((submission_run, judged))
    }
}

/// A checker's verdict as the interactor's: its failures named as its own.
fn as_interactor(checked: Checked) -> Checked {
    let rename = |text: String| text.replace("the checker", "the interactor");
    Checked {
        message: checked.message.map(rename),
        judge_message: checked.judge_message.map(rename),
        ..checked
    }
}

//! What the students' and the teachers' pages both show.

pub mod question;
pub mod scoreboard;

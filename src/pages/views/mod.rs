//! What the students' and the teachers' pages both show.

pub mod question;
pub mod scoreboard;

/// The verdicts a submission is listed with (teachers filter by them), and
/// how they are shown.
pub const VERDICTS: [(&str, &str); 12] = [
    ("accepted", "Accepted"),
    ("partially_accepted", "Partially accepted"),
    ("wrong_answer", "Wrong answer"),
    ("time_limit_exceeded", "Time limit exceeded"),
    ("memory_limit_exceeded", "Memory limit exceeded"),
    ("output_limit_exceeded", "Output limit exceeded"),
    ("runtime_error", "Runtime error"),
    ("compilation_error", "Compilation error"),
    ("internal_error", "Internal error"),
    ("not_judged", "Not judged"),
    ("queued", "Queued"),
    ("running", "Running"),
];

/// A verdict (or a state) as people read it.
pub fn verdict_label(verdict: &str) -> &str {
    (VERDICTS.iter())
        .find(|(name, _)| *name == verdict)
        .map_or(verdict, |(_, label)| label)
}

/// `text` as a URL query value.
pub fn encode(text: &str) -> String {
    let mut encoded = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                encoded.push(byte as char)
            }
            _ => encoded.push_str(&format!("%{byte:02X}")),
        }
    }
    encoded
}

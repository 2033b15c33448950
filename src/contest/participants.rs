//! A contest's participants as teachers list them: CSV (`user_id,name` per
//! line) or pairs, checked the same way whether they came through the API
//! or the pages.

use std::collections::HashSet;

pub const MAX_PARTICIPANTS_PER_REQUEST: usize = 5000;
const MAX_USER_ID_CHARS: usize = 200;
const MAX_NAME_CHARS: usize = 200;

/// `user_id,name` records; a first line `user_id,name` is a header. Blank
/// lines are skipped.
pub fn from_csv(body: &[u8]) -> Result<Vec<(String, String)>, String> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .trim(csv::Trim::All)
        .from_reader(body);
    let mut people = Vec::new();
    for (line, record) in (1..).zip(reader.records()) {
        let record = record.map_err(|error| format!("CSV line {line}: {error}"))?;
        if record.len() != 2 {
            return Err(format!(
                "CSV line {line}: expected user_id,name, got {} fields",
                record.len()
            ));
        }
        if line == 1 && &record[0] == "user_id" && &record[1] == "name" {
            continue;
        }
        people.push((record[0].to_string(), record[1].to_string()));
    }
    Ok(people)
}

/// The people, trimmed, if every id and name is acceptable and no id repeats.
pub fn checked(people: Vec<(String, String)>) -> Result<Vec<(String, String)>, String> {
    if people.is_empty() || people.len() > MAX_PARTICIPANTS_PER_REQUEST {
        return Err(format!(
            "give 1 to {MAX_PARTICIPANTS_PER_REQUEST} participants"
        ));
    }
    let mut seen = HashSet::new();
    let mut checked = Vec::with_capacity(people.len());
    for (user_id, name) in people {
        let (user_id, name) = (user_id.trim().to_string(), name.trim().to_string());
        let fits = |text: &str, max: usize| {
            !text.is_empty() && text.chars().count() <= max && !text.chars().any(char::is_control)
        };
        if !fits(&user_id, MAX_USER_ID_CHARS) || user_id.contains('/') {
            return Err(format!(
                "user_id {user_id:?} must be 1 to {MAX_USER_ID_CHARS} printable characters, no '/'"
            ));
        }
        if !fits(&name, MAX_NAME_CHARS) {
            return Err(format!(
                "the name of {user_id:?} must be 1 to {MAX_NAME_CHARS} printable characters"
            ));
        }
        if !seen.insert(user_id.clone()) {
            return Err(format!("user_id {user_id:?} is listed twice"));
        }
        checked.push((user_id, name));
    }
    Ok(checked)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_with_a_header_quotes_and_blank_lines() {
        let people = from_csv(b"user_id,name\n\nann, Ann Lee\n\"bo\",\"Bo, Jr.\"\n").unwrap();
        assert_eq!(
            people,
            [
                ("ann".into(), "Ann Lee".into()),
                ("bo".into(), "Bo, Jr.".into())
            ]
        );
        let error = from_csv(b"ann,Ann,extra\n").unwrap_err();
        assert!(
            error.contains("line 1") && error.contains("3 fields"),
            "{error}"
        );
    }

    #[test]
    fn ids_and_names_are_checked() {
        let pair = |id: &str, name: &str| (id.to_string(), name.to_string());
        assert!(checked(vec![]).is_err());
        assert!(
            checked(vec![pair("a/b", "A")])
                .unwrap_err()
                .contains("no '/'")
        );
        assert!(checked(vec![pair("a", " ")]).unwrap_err().contains("name"));
        let twice = checked(vec![pair("a", "A"), pair(" a", "B")]).unwrap_err();
        assert!(twice.contains("twice"), "{twice}");
        assert_eq!(checked(vec![pair(" a ", " A ")]).unwrap(), [pair("a", "A")]);
    }
}

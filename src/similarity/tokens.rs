//! Programs as token streams that do not see what a copier changes:
//! comments and layout are dropped, every name that is not a keyword is the
//! same token, and so is every number and every string. What is left is the
//! program's shape, which renaming and reformatting keep.

use std::ops::Range;

/// One token: what it stands for (a keyword or an operator as written;
/// `V`, `N`, `S` for any name, number, string) and where it is in the source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub text: String,
    pub span: Range<usize>,
}

/// The comment and keyword syntax of a language family.
struct Syntax {
    line_comment: &'static [&'static str],
    block_comment: Option<(&'static str, &'static str)>,
    keywords: &'static [&'static str],
}

const C_LIKE_KEYWORDS: &[&str] = &[
    "if",
    "else",
    "for",
    "while",
    "do",
    "switch",
    "case",
    "default",
    "break",
    "continue",
    "return",
    "goto",
    "struct",
    "class",
    "union",
    "enum",
    "typedef",
    "const",
    "static",
    "void",
    "int",
    "long",
    "short",
    "char",
    "float",
    "double",
    "bool",
    "boolean",
    "unsigned",
    "signed",
    "auto",
    "new",
    "delete",
    "this",
    "true",
    "false",
    "null",
    "nullptr",
    "public",
    "private",
    "protected",
    "try",
    "catch",
    "throw",
    "throws",
    "import",
    "package",
    "using",
    "namespace",
    "template",
    "typename",
    "final",
    "var",
    "let",
    "function",
    "of",
    "in",
    "instanceof",
    "typeof",
    "extends",
    "implements",
    "interface",
    "String",
    "vector",
    "string",
    "include",
    "define",
    "main",
    "std",
    "cin",
    "cout",
    "endl",
    "printf",
    "scanf",
    "System",
    "out",
    "println",
    "print",
    "console",
    "log",
    "undefined",
    "async",
    "await",
    "yield",
    "sizeof",
];

const PYTHON_KEYWORDS: &[&str] = &[
    "if",
    "elif",
    "else",
    "for",
    "while",
    "break",
    "continue",
    "return",
    "def",
    "class",
    "lambda",
    "and",
    "or",
    "not",
    "in",
    "is",
    "None",
    "True",
    "False",
    "import",
    "from",
    "as",
    "try",
    "except",
    "finally",
    "raise",
    "with",
    "yield",
    "pass",
    "global",
    "nonlocal",
    "del",
    "assert",
    "async",
    "await",
    "print",
    "input",
    "range",
    "len",
    "int",
    "str",
    "float",
    "list",
    "dict",
    "set",
    "tuple",
    "map",
    "sorted",
    "sum",
    "min",
    "max",
    "open",
    "enumerate",
    "zip",
    "self",
    "split",
    "append",
    "join",
    "strip",
];

fn syntax(language: &str) -> Syntax {
    match language {
        "python" => Syntax {
            line_comment: &["#"],
            block_comment: None,
            keywords: PYTHON_KEYWORDS,
        },
        _ => Syntax {
            line_comment: &["//"],
            block_comment: Some(("/*", "*/")),
            keywords: C_LIKE_KEYWORDS,
        },
    }
}

/// `source`'s tokens in `language` (`python`; any other reads as C, C++,
/// Java or JavaScript, which share their comments).
pub fn tokens(language: &str, source: &str) -> Vec<Token> {
    let syntax = syntax(language);
    let bytes = source.as_bytes();
    let mut tokens = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let rest = &source[at..];
        let c = rest.chars().next().expect("not at the end");
        if c.is_whitespace() {
            at += c.len_utf8();
        } else if let Some(marker) = syntax.line_comment.iter().find(|m| rest.starts_with(**m)) {
            at += rest[marker.len()..]
                .find('\n')
                .map_or(rest.len(), |n| n + marker.len());
        } else if let Some((open, close)) =
            syntax.block_comment.filter(|(o, _)| rest.starts_with(o))
        {
            at += rest[open.len()..]
                .find(close)
                .map_or(rest.len(), |n| open.len() + n + close.len());
        } else if c == '"' || c == '\'' || c == '`' {
            let end = string_end(rest, c);
            tokens.push(token("S", at..at + end));
            at += end;
        } else if c.is_ascii_digit() {
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '_'))
                .unwrap_or(rest.len());
            tokens.push(token("N", at..at + end));
            at += end;
        } else if c.is_alphabetic() || c == '_' {
            let end = rest
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            let word = &rest[..end];
            let text = if syntax.keywords.contains(&word) {
                word
            } else {
                "V"
            };
            tokens.push(token(text, at..at + end));
            at += end;
        } else {
            tokens.push(token(&rest[..c.len_utf8()], at..at + c.len_utf8()));
            at += c.len_utf8();
        }
    }
    tokens
}

fn token(text: &str, span: Range<usize>) -> Token {
    Token {
        text: text.to_string(),
        span,
    }
}

/// The length of the string literal `rest` starts with (quoted by `quote`,
/// tripled in Python's long strings), escapes included; to the end if it is
/// never closed.
fn string_end(rest: &str, quote: char) -> usize {
    let triple: String = std::iter::repeat_n(quote, 3).collect();
    let (open, close) = if rest.starts_with(&triple) {
        (3, triple.as_str())
    } else {
        (1, &rest[..1])
    };
    let mut index = open;
    while index < rest.len() {
        if rest[index..].starts_with('\\') {
            index += 1 + rest[index + 1..].chars().next().map_or(0, char::len_utf8);
        } else if rest[index..].starts_with(close) {
            return index + close.len();
        } else if close.len() == 1 && quote != '`' && rest[index..].starts_with('\n') {
            return index;
        } else {
            index += rest[index..].chars().next().map_or(1, char::len_utf8);
        }
    }
    rest.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(language: &str, source: &str) -> Vec<String> {
        tokens(language, source)
            .into_iter()
            .map(|t| t.text)
            .collect()
    }

    #[test]
    fn names_numbers_and_strings_are_one_token_each_and_comments_go() {
        let a = texts(
            "python",
            "total = 0  # running sum\nfor x in data:\n    total += x * 2\nprint(\"sum\", total)",
        );
        let b = texts(
            "python",
            "acc=0\nfor item in values:  # loop\n  acc += item*7\nprint('s', acc)",
        );
        assert_eq!(a, b);
        assert_eq!(
            texts("cpp", "/* header */ int main() { // entry\n return 0; }"),
            ["int", "main", "(", ")", "{", "return", "N", ";", "}"]
        );
        assert_eq!(
            texts("python", "s = \"\"\"a \"quoted\" text\"\"\" + 'x\\'y'"),
            ["V", "=", "S", "+", "S"]
        );
    }

    #[test]
    fn spans_point_into_the_source() {
        let source = "let x = 'é';";
        for token in tokens("javascript", source) {
            assert!(
                source.is_char_boundary(token.span.start)
                    && source.is_char_boundary(token.span.end)
            );
        }
    }
}

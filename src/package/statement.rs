//! A package's statement as judgebox keeps statements: Markdown. Markdown
//! statements are taken as they are; LaTeX ones (Kattis's `problem.tex`,
//! Polygon's sections) are turned into Markdown: sections, lists,
//! emphasis, verbatim blocks, figures. Math stays as written, in a code
//! span so that Markdown leaves it alone (the pages render it). The images
//! a statement shows are kept with the question, which serves them.

use super::PackageFiles;
use crate::judge::{StatementImage, image_type};

/// The statement of a Kattis package, in `language` (a code: `en`) if it
/// has it, else in the language it has.
pub fn kattis(
    files: &PackageFiles,
    language: &str,
    warnings: &mut Vec<String>,
) -> Result<String, String> {
    let mut candidates = Vec::new();
    for dir in ["statement", "problem_statement"] {
        for extension in ["md", "tex"] {
            candidates.push(format!("{dir}/problem.{language}.{extension}"));
            candidates.push(format!("{dir}/problem.{extension}"));
        }
    }
    let other = |dir: &str| {
        let prefix = format!("{dir}/problem.");
        (files.under(&format!("{dir}/")))
            .find(|path| {
                path.starts_with(&prefix) && (path.ends_with(".md") || path.ends_with(".tex"))
            })
            .map(String::from)
    };
    candidates.extend(other("statement"));
    candidates.extend(other("problem_statement"));
    for path in candidates {
        if let Some(text) = files.text(&path)? {
            if !path.contains(&format!(".{language}.")) && path.matches('.').count() > 1 {
                warnings.push(format!("no statement in {language:?}: {path} is used"));
            }
            return Ok(if path.ends_with(".tex") {
                markdown_of_latex(&text)
            } else {
                text
            });
        }
    }
    warnings.push("the package has no statement".into());
    Ok(String::new())
}

/// The statement of a Polygon package: its sections in `language` (a
/// code: `en` reads `english`), from `problem-properties.json` or the
/// sections' `.tex` files.
pub fn polygon(
    files: &PackageFiles,
    language: &str,
    warnings: &mut Vec<String>,
) -> Result<String, String> {
    let name = polygon_language(language);
    let dir = if files.has_dir(&format!("statements/{name}/")) {
        format!("statements/{name}")
    } else {
        let Some(other) = (files.under("statements/"))
            .filter_map(|path| path.split('/').nth(1))
            .find(|dir| !dir.starts_with('.'))
        else {
            warnings.push("the package has no statement".into());
            return Ok(String::new());
        };
        warnings.push(format!("no statement in {name}: the {other} one is used"));
        format!("statements/{other}")
    };
    let properties: serde_json::Value =
        match files.text(&format!("{dir}/problem-properties.json"))? {
            Some(text) => serde_json::from_str(&text).unwrap_or_default(),
            None => serde_json::Value::Null,
        };
    let mut markdown = String::new();
    for (key, heading) in [
        ("legend", None),
        ("input", Some("Input")),
        ("output", Some("Output")),
        ("interaction", Some("Interaction")),
        ("scoring", Some("Scoring")),
        ("notes", Some("Note")),
    ] {
        let section = match properties[key].as_str() {
            Some(text) => Some(text.to_string()),
            None => files.text(&format!("{dir}/{key}.tex"))?,
        };
        let Some(section) = section.filter(|text| !text.trim().is_empty()) else {
            continue;
        };
        if let Some(heading) = heading {
            markdown.push_str(&format!("## {heading}\n\n"));
        }
        markdown.push_str(markdown_of_latex(&section).trim());
        markdown.push_str("\n\n");
    }
    Ok(markdown.trim_end().to_string())
}

/// Polygon names statement folders by language name.
fn polygon_language(code: &str) -> &str {
    match code {
        "en" => "english",
        "ru" => "russian",
        "de" => "german",
        "fr" => "french",
        "es" => "spanish",
        "pt" => "portuguese",
        "uk" => "ukrainian",
        other => other,
    }
}

/// The LaTeX of a problem statement as Markdown, for what statements use.
pub fn markdown_of_latex(latex: &str) -> String {
    let mut out = String::new();
    let mut verbatim = false;
    for line in latex.lines() {
        let trimmed = line.trim();
        if verbatim {
            if trimmed.starts_with("\\end{verbatim}") {
                out.push_str("```\n");
                verbatim = false;
            } else {
                out.push_str(line);
                out.push('\n');
            }
            continue;
        }
        if trimmed.starts_with("\\begin{verbatim}") {
            out.push_str("```\n");
            verbatim = true;
            continue;
        }
        if trimmed.starts_with('%') {
            continue;
        }
        let skipped = [
            "\\problemname",
            "\\begin{itemize}",
            "\\end{itemize}",
            "\\begin{enumerate}",
            "\\end{enumerate}",
        ];
        if skipped.iter().any(|command| trimmed.starts_with(command)) {
            continue;
        }
        out.push_str(&inline(trimmed));
        out.push('\n');
    }
    out
}

/// One line's commands and math.
fn inline(line: &str) -> String {
    let mut line = line.to_string();
    for (command, prefix) in [
        ("\\section*", "## "),
        ("\\section", "## "),
        ("\\subsection*", "### "),
        ("\\subsection", "### "),
    ] {
        if let Some(rest) = line.strip_prefix(command)
            && let Some((title, after)) = braced(rest)
        {
            line = format!("{prefix}{title}{after}");
        }
    }
    if let Some(rest) = line.strip_prefix("\\item") {
        line = format!("- {}", rest.trim_start());
    }
    let mut out = String::new();
    let mut rest = line.as_str();
    while let Some(start) = rest.find(['$', '\\']) {
        out.push_str(&rest[..start]);
        rest = &rest[start..];
        if let Some(math) = math_at(rest) {
            out.push_str(&format!("`{}`", &rest[..math]));
            rest = &rest[math..];
            continue;
        }
        if let Some((figure, after)) = figure_at(rest) {
            out.push_str(&figure);
            rest = after;
            continue;
        }
        let mut replaced = false;
        for (command, before, after) in [
            ("\\textbf", "**", "**"),
            ("\\emph", "*", "*"),
            ("\\textit", "*", "*"),
            ("\\texttt", "`", "`"),
        ] {
            if let Some(tail) = rest.strip_prefix(command)
                && let Some((text, after_text)) = braced(tail)
            {
                out.push_str(&format!("{before}{text}{after}"));
                rest = after_text;
                replaced = true;
                break;
            }
        }
        if !replaced {
            if let Some(tail) = rest.strip_prefix("\\\\") {
                out.push_str("  \n");
                rest = tail;
            } else {
                out.push_str(&rest[..1]);
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out.replace('~', " ")
        .replace("``", "\u{201c}")
        .replace("''", "\u{201d}")
}

/// A figure at the start of `text` as a Markdown image, and what follows:
/// `\includegraphics[options]{file}`, or problemtools'
/// `\illustration{width}{file}{caption}`.
fn figure_at(text: &str) -> Option<(String, &str)> {
    if let Some(tail) = text.strip_prefix("\\includegraphics") {
        let tail = match tail.strip_prefix('[') {
            Some(options) => &options[options.find(']')? + 1..],
            None => tail,
        };
        let (file, after) = braced(tail)?;
        return Some((format!("![]({file})"), after));
    }
    let tail = text.strip_prefix("\\illustration")?;
    let (_width, tail) = braced(tail)?;
    let (file, tail) = braced(tail)?;
    let (caption, after) = braced(tail)?;
    Some((format!("![{caption}]({file})"), after))
}

/// The images in a package's statement folders (Kattis's `statement/` or
/// `problem_statement/`, Polygon's `statements/`), by file name; those that
/// cannot be kept are left out, saying why.
pub fn images(files: &PackageFiles, warnings: &mut Vec<String>) -> Vec<StatementImage> {
    let mut images: Vec<StatementImage> = Vec::new();
    for dir in ["statement/", "problem_statement/", "statements/"] {
        for path in files.under(dir) {
            let name = path.rsplit('/').next().unwrap_or(path);
            if image_type(name).is_none() || images.iter().any(|i| i.name() == name) {
                continue;
            }
            let bytes = files.get(path).unwrap_or_default().to_vec();
            match StatementImage::new(name, bytes) {
                Ok(image) => images.push(image),
                Err(why) => warnings.push(format!("{path} is left out: {why}")),
            }
        }
    }
    images
}

/// `markdown` with its images' links (`](figure.png)`, or `](figure)` as
/// LaTeX leaves out the extension) pointing where the question `slug`
/// serves them, and the images it shows: at most
/// `StatementImage::MAX_COUNT`, the others left out with a warning.
pub fn link_images(
    markdown: &str,
    slug: &str,
    images: Vec<StatementImage>,
    warnings: &mut Vec<String>,
) -> (String, Vec<StatementImage>) {
    let mut shown: Vec<StatementImage> = Vec::new();
    let mut out = String::new();
    let mut rest = markdown;
    while let Some(start) = rest.find("](") {
        out.push_str(&rest[..start + 2]);
        rest = &rest[start + 2..];
        let Some(end) = rest.find(')') else { break };
        let target = rest[..end].trim().trim_start_matches("./");
        let stem = |name: &str| name.rsplit_once('.').map(|(stem, _)| stem.to_string());
        let image = (images.iter())
            .find(|i| i.name() == target || stem(i.name()).as_deref() == Some(target));
        match image {
            Some(image) if shown.len() < StatementImage::MAX_COUNT || shown.contains(image) => {
                out.push_str(&StatementImage::served_under(slug));
                out.push_str(image.name());
                if !shown.contains(image) {
                    shown.push(image.clone());
                }
            }
            Some(image) => {
                warnings.push(format!(
                    "{} is left out: a statement shows at most {} images",
                    image.name(),
                    StatementImage::MAX_COUNT
                ));
                out.push_str(&rest[..end]);
            }
            None => out.push_str(&rest[..end]),
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    (out, shown)
}

/// The length of the math at the start of `text` (`$..$`, `$$..$$`,
/// `\(..\)`, `\[..\]`), if it starts with math.
fn math_at(text: &str) -> Option<usize> {
    for (open, close) in [("$$", "$$"), ("$", "$"), ("\\(", "\\)"), ("\\[", "\\]")] {
        if let Some(body) = text.strip_prefix(open) {
            return body.find(close).map(|end| open.len() + end + close.len());
        }
    }
    None
}

/// The text in the braces at the start of `text`, and what follows them.
fn braced(text: &str) -> Option<(&str, &str)> {
    let body = text.strip_prefix('{')?;
    let mut depth = 1;
    for (index, c) in body.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return Some((&body[..index], &body[index + 1..]));
                }
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latex_sections_lists_emphasis_and_math_become_markdown() {
        let latex = "\\problemname{Pairs}\n% a comment\nFind \\emph{two} numbers $a_i$ and $b_i$.\n\\section*{Input}\nOne integer $n$ ($2 \\le n \\le 10^9$).\n\\begin{itemize}\n\\item \\textbf{first}\n\\end{itemize}\n\\begin{verbatim}\n  a_b *c*\n\\end{verbatim}";
        assert_eq!(
            markdown_of_latex(latex),
            "Find *two* numbers `$a_i$` and `$b_i$`.\n## Input\nOne integer `$n$` (`$2 \\le n \\le 10^9$`).\n- **first**\n```\n  a_b *c*\n```\n"
        );
    }

    #[test]
    fn figures_become_images_served_with_the_question() {
        let latex = "\\includegraphics[width=0.5\\textwidth]{tree}\n\\illustration{.3}{grid.png}{The grid}\n";
        let markdown = markdown_of_latex(latex);
        assert_eq!(markdown, "![](tree)\n![The grid](grid.png)\n");
        let image = |name: &str| StatementImage::new(name, b"<svg/>".to_vec()).unwrap();
        let images = vec![image("tree.svg"), image("grid.png"), image("unused.png")];
        let mut warnings = Vec::new();
        let markdown = format!("{markdown}[a link](https://example.org)\n");
        let (linked, shown) = link_images(&markdown, "trees", images, &mut warnings);
        assert_eq!(
            linked,
            "![](/questions/trees/images/tree.svg)\n![The grid](/questions/trees/images/grid.png)\n\
             [a link](https://example.org)\n"
        );
        let names: Vec<&str> = shown.iter().map(StatementImage::name).collect();
        assert_eq!(
            names,
            ["tree.svg", "grid.png"],
            "the unused one is not kept"
        );
    }
}

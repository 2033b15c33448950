//! Question statements: Markdown (with tables and fenced code) rendered on
//! the server and sanitised, so a statement cannot carry script.

use pulldown_cmark::{Options, Parser, html};

pub fn to_html(markdown: &str) -> String {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    let mut unsafe_html = String::new();
    html::push_html(&mut unsafe_html, Parser::new_ext(markdown, options));
    ammonia::Builder::default()
        .add_tag_attributes("code", ["class"])
        .clean(&unsafe_html)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_renders_and_script_does_not_survive() {
        let html = to_html(
            "# Sum\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n```python\nprint(1)\n```\n\n\
             <script>alert(1)</script><img src=x onerror=alert(1)>",
        );
        assert!(html.contains("<h1>Sum</h1>"), "{html}");
        assert!(html.contains("<table>"), "{html}");
        assert!(html.contains(r#"<code class="language-python">"#), "{html}");
        assert!(
            !html.contains("<script") && !html.contains("onerror"),
            "{html}"
        );
    }
}

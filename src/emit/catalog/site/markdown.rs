//! KPI descriptions, Markdown rendered safely: raw HTML is shown as text,
//! links other than http(s), mailto and relative ones lose their target,
//! images become links (the site loads nothing from elsewhere), and headings
//! start below the page's own sections.

use pulldown_cmark::{Alignment, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

const OPTIONS: Options = Options::ENABLE_TABLES.union(Options::ENABLE_STRIKETHROUGH).union(Options::ENABLE_TASKLISTS);

/// `text` as HTML that holds no markup of its author's.
pub fn render(text: &str) -> String {
    // Images are rendered as links; a dropped link's closing tag is dropped with it.
    let mut dropped: Vec<bool> = Vec::new();
    let events = Parser::new_ext(text, OPTIONS).filter_map(|event| match event {
        Event::Html(html) | Event::InlineHtml(html) => Some(Event::Text(html)),
        // Column alignment would be a `style` attribute, which the site's CSP refuses.
        Event::Start(Tag::Table(columns)) => Some(Event::Start(Tag::Table(vec![Alignment::None; columns.len()]))),
        Event::Start(Tag::Heading { level, .. }) => {
            Some(Event::Start(Tag::Heading { level: lowered(level), id: None, classes: Vec::new(), attrs: Vec::new() }))
        }
        Event::End(TagEnd::Heading(level)) => Some(Event::End(TagEnd::Heading(lowered(level)))),
        Event::Start(Tag::Link { link_type, dest_url, title, id })
        | Event::Start(Tag::Image { link_type, dest_url, title, id }) => {
            let safe = is_safe_url(&dest_url);
            dropped.push(!safe);
            safe.then_some(Event::Start(Tag::Link { link_type, dest_url, title, id }))
        }
        Event::End(TagEnd::Link) | Event::End(TagEnd::Image) => {
            let was_dropped = dropped.pop().unwrap_or(true);
            (!was_dropped).then_some(Event::End(TagEnd::Link))
        }
        Event::InlineMath(math) | Event::DisplayMath(math) => Some(Event::Code(math)),
        other => Some(other),
    });
    let mut html = String::with_capacity(text.len() * 2);
    pulldown_cmark::html::push_html(&mut html, events);
    html
}

/// The words of `text` without its Markdown (search snippets).
pub fn plain_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for event in Parser::new_ext(text, OPTIONS) {
        match event {
            Event::Text(t) | Event::Code(t) | Event::Html(t) | Event::InlineHtml(t) => out.push_str(&t),
            Event::SoftBreak | Event::HardBreak | Event::End(_) if !out.ends_with(' ') => out.push(' '),
            _ => {}
        }
    }
    out.trim_end().to_string()
}

/// Page sections are `<h2>`: a description's `#` is an `<h3>`.
fn lowered(level: HeadingLevel) -> HeadingLevel {
    match level {
        HeadingLevel::H1 => HeadingLevel::H3,
        HeadingLevel::H2 => HeadingLevel::H4,
        HeadingLevel::H3 => HeadingLevel::H5,
        _ => HeadingLevel::H6,
    }
}

/// Whether a link may be followed: http, https and mailto, or a path or
/// fragment without a scheme. Browsers ignore tabs and line breaks inside a
/// URL and accept any case, so `java\tScript:` is caught as `javascript:`;
/// they read `\` as `/`, so `/\host` is another site, as `//host` is.
pub fn is_safe_url(url: &CowStr) -> bool {
    let cleaned: String = url
        .chars()
        .filter(|c| !c.is_ascii_whitespace() && !c.is_control())
        .map(|c| if c == '\\' { '/' } else { c })
        .collect();
    let scheme_end = cleaned.find([':', '/', '?', '#']);
    match scheme_end {
        Some(i) if cleaned[i..].starts_with(':') => {
            matches!(cleaned[..i].to_ascii_lowercase().as_str(), "http" | "https" | "mailto")
        }
        _ => !cleaned.is_empty() && !cleaned.starts_with("//"),
    }
}

#[cfg(test)]
mod tests {
    use super::{is_safe_url, plain_text, render};

    #[test]
    fn authors_markup_stays_text() {
        assert_eq!(render("<script>alert(1)</script>"), "&lt;script&gt;alert(1)&lt;/script&gt;");
        assert_eq!(render("a <b onclick=x>b</b>"), "<p>a &lt;b onclick=x&gt;b&lt;/b&gt;</p>\n");
        assert_eq!(render("[x](javascript:alert(1))"), "<p>x</p>\n");
        assert_eq!(render("[x](JaVaScRiPt:alert(1))"), "<p>x</p>\n");
        assert_eq!(render("![x](data:image/png;base64,AA)"), "<p>x</p>\n");
        assert_eq!(
            render("[x](https://e.example/?a=\"b\")"),
            "<p><a href=\"https://e.example/?a=%22b%22\">x</a></p>\n"
        );
        assert_eq!(render("# Title"), "<h3>Title</h3>\n");
        assert!(!render("| a |\n|:-:|\n| b |").contains("style"));
        assert_eq!(plain_text("A `code` and **bold**\nline <b>x</b>"), "A code and bold line <b>x</b>");
    }

    #[test]
    fn only_plain_schemes_are_links() {
        for ok in ["https://a.example", "http://a", "mailto:x@y", "runbooks/x.md", "#part", "../a?b:c"] {
            assert!(is_safe_url(&ok.into()), "{ok}");
        }
        for bad in
            ["javascript:x", " javascript:x", "vbscript:x", "data:text/html,x", "file:///etc", "//evil.example", ""]
        {
            assert!(!is_safe_url(&bad.into()), "{bad}");
        }
    }
}

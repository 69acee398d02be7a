//! The organisation's branding written into the served `index.html`, so
//! the first paint shows it and the app's first download carries nothing
//! for it: the accent as a small `<style>` (allowed by its hash), the name
//! and logo in the static header's brand, and, for the app's own header
//! (which replaces the static one), the same brand in a `<template>` with
//! a small script that puts it in when that header appears (before it is
//! painted: mutation observers run before the next paint). A page with no
//! branding is served exactly as built.

use portcullis_api::branding::darker;

use crate::rules::branding::OrgBranding;

/// Text for HTML, in element content or a quoted attribute.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The inside of the brand link: the logo (else the portal's mark) and the
/// name (else the product's).
fn brand_inner(b: &OrgBranding) -> String {
    let mark = match b.logo_url() {
        Some(url) => format!(r#"<img class="brand-logo" src="{}" alt="">"#, escape(&url)),
        None => r#"<span class="brand-mark"></span>"#.to_string(),
    };
    let name = b.org_name.as_deref().unwrap_or("Portcullis");
    format!(r#"{mark}<span class="brand-name">{}</span>"#, escape(name))
}

/// The style: primary buttons in the accent (white text, which the accent
/// was checked against in both schemes; links and focus keep the scheme's
/// own colours, whose contrast with each background is known), and a
/// brand that gives way (ellipsis) before the header could overflow.
fn style(b: &OrgBranding) -> String {
    let mut css = String::from(
        ".brand{flex:0 1 auto;min-width:0}.brand-name{overflow:hidden;text-overflow:ellipsis}\
         .brand-logo{height:28px;width:auto;max-width:7rem;flex:none;object-fit:contain}",
    );
    if let (Some(hex), Some(c)) = (b.accent_hex(), b.accent) {
        // Both values are built from three bytes: nothing else can reach
        // the stylesheet.
        css.push_str(&format!(
            ":root{{--org-accent:{hex};--org-accent-hover:{}}}\
             .button.primary{{background:var(--org-accent);color:#fff}}\
             .button.primary:hover:not(:disabled){{background:var(--org-accent-hover)}}",
            darker(c, 15)
        ));
    }
    css
}

/// Puts the app's header's brand in, once, when the app draws it.
const SCRIPT: &str = r##"(function(){var t=document.getElementById("org-brand");if(!t)return;new MutationObserver(function(m,o){var l=document.querySelectorAll(".topbar .brand:not([data-org])");for(var i=0;i<l.length;i++){if(l[i].closest("#boot"))continue;l[i].setAttribute("data-org","");l[i].replaceChildren(t.content.cloneNode(true));o.disconnect()}}).observe(document.body,{childList:true,subtree:true})})();"##;

/// `html` with the branding written in.
pub fn brand_page(html: &str, b: &OrgBranding) -> String {
    if b.org_name.is_none() && b.accent.is_none() && b.logo.is_none() {
        return html.to_string();
    }
    let inner = brand_inner(b);
    let mut page = replace_static_brand(html, &inner);
    let style = format!("<style>{}</style>", style(b));
    match page.find("</head>") {
        Some(at) => page.insert_str(at, &style),
        None => page.insert_str(0, &style),
    }
    let tail = format!(r#"<template id="org-brand">{inner}</template><script>{SCRIPT}</script>"#);
    match page.rfind("</body>") {
        Some(at) => page.insert_str(at, &tail),
        None => page.push_str(&tail),
    }
    page
}

/// The static header's mark and name replaced by `inner` (the page as it
/// was if it has none).
fn replace_static_brand(html: &str, inner: &str) -> String {
    let span_before = |at: usize| html[..at].rfind("<span");
    let found = html.find("brand-mark").and_then(|mark| {
        let start = span_before(mark)?;
        let name = mark + html[mark..].find("brand-name")?;
        let end = name + html[name..].find("</span>")? + "</span>".len();
        Some((start, end))
    });
    match found {
        Some((start, end)) => format!("{}{inner}{}", &html[..start], &html[end..]),
        None => html.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use portcullis_api::branding::Rgb;

    const BUILT: &str = "<html><head><link rel=stylesheet></head><body><div id=boot><header class=topbar><a class=brand href=/><span class=brand-mark></span><span class=brand-name>Portcullis</span></a></header></div></body></html>";

    #[test]
    fn no_branding_no_change() {
        assert_eq!(brand_page(BUILT, &OrgBranding::default()), BUILT);
        // help text alone is not in the page (the footer fetches it)
        let help = OrgBranding {
            help_text: Some("Call us".into()),
            ..OrgBranding::default()
        };
        assert_eq!(brand_page(BUILT, &help), BUILT);
    }

    #[test]
    fn the_name_is_escaped_everywhere() {
        let b = OrgBranding {
            org_name: Some(r#"<script>alert("x")</script> & Co's"#.into()),
            accent: Some(Rgb(0x0b, 0x5f, 0xff)),
            ..OrgBranding::default()
        };
        let page = brand_page(BUILT, &b);
        assert!(!page.contains("<script>alert"), "{page}");
        let escaped = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co&#39;s";
        assert_eq!(page.matches(escaped).count(), 2, "{page}");
        assert!(!page.contains(">Portcullis<"), "{page}");
        assert!(
            page.contains("--org-accent:#0b5fff;--org-accent-hover:#0950d8"),
            "{page}"
        );
        assert!(page.find("<style>") < page.find("</head>"));
    }

    #[test]
    fn a_logo_replaces_the_mark() {
        let b = OrgBranding {
            logo: Some(("image/png".into(), "0123abcd".into())),
            ..OrgBranding::default()
        };
        let page = brand_page(BUILT, &b);
        assert!(page.contains(r#"<img class="brand-logo" src="/branding/logo?v=0123abcd" alt=""><span class="brand-name">Portcullis</span>"#), "{page}");
        assert!(!page.contains("brand-mark"), "{page}");
    }
}

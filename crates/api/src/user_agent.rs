//! A User-Agent header in words, for the sessions list and for the emails
//! that say from which browser a change was made.

/// A browser and its system in words, from a User-Agent header: "Chrome on
/// Linux". Rough on purpose: it helps a person recognise a session, and
/// decides nothing.
pub fn browser_in_words(ua: &str) -> String {
    // Order matters: Edge and Opera also say "Chrome", Chrome also says
    // "Safari".
    let browser = [
        ("Edg/", "Edge"),
        ("OPR/", "Opera"),
        ("Firefox/", "Firefox"),
        ("HeadlessChrome/", "Chrome (headless)"),
        ("Chrome/", "Chrome"),
        ("Safari/", "Safari"),
        ("curl/", "curl"),
    ]
    .into_iter()
    .find(|(mark, _)| ua.contains(mark))
    .map(|(_, name)| name);
    let system = [
        ("Android", "Android"),
        ("iPhone", "iOS"),
        ("iPad", "iPadOS"),
        ("Windows", "Windows"),
        ("Mac OS X", "macOS"),
        ("CrOS", "ChromeOS"),
        ("Linux", "Linux"),
    ]
    .into_iter()
    .find(|(mark, _)| ua.contains(mark))
    .map(|(_, name)| name);
    match (browser, system) {
        (Some(b), Some(s)) => format!("{b} on {s}"),
        (Some(b), None) => b.to_string(),
        (None, Some(s)) => format!("A browser on {s}"),
        (None, None) if ua.trim().is_empty() => "Unknown browser".to_string(),
        (None, None) => "Another program".to_string(),
    }
}

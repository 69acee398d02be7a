//! Times as the screens show them: in the browser's own locale and
//! time zone (the server sends Unix seconds; `Intl` knows the visitor's
//! conventions).

/// A date and time, e.g. "30 Nov 2026, 14:05" (in the browser's words):
/// where the time matters (sessions, events, deadlines, links that expire).
pub fn local_date_time(unix: i64) -> String {
    in_words(unix, true)
}

/// A date, e.g. "30 Nov 2026": when the day is enough (a factor added, a
/// browser trusted). The one date format of every screen, with the time
/// or without.
pub fn local_date(unix: i64) -> String {
    in_words(unix, false)
}

fn in_words(unix: i64, with_time: bool) -> String {
    use js_sys::{Date, Object, Reflect};
    use wasm_bindgen::JsValue;
    let options = Object::new();
    let _ = Reflect::set(&options, &"dateStyle".into(), &"medium".into());
    if with_time {
        let _ = Reflect::set(&options, &"timeStyle".into(), &"short".into());
    }
    let date = Date::new(&JsValue::from_f64(unix as f64 * 1000.0));
    // "default" names no language, so `Intl` takes the browser's own
    // locale (as if none were given; js-sys takes a string here). One
    // browser call instead of building an `Intl.DateTimeFormat`: every
    // browser function the app calls adds to the first download's glue.
    date.to_locale_string("default", &options)
        .as_string()
        .unwrap_or_else(|| crate::text::date(unix))
}

/// A time that may never have happened: "never" then.
pub fn since_text(unix: Option<i64>) -> String {
    unix.map(local_date_time)
        .unwrap_or_else(|| "never".to_string())
}

/// The instant a local date and time (`2026-11-30T00:00`, as date inputs
/// give them) names in the browser's time zone, in Unix seconds.
pub fn local_instant(date_time: &str) -> Option<i64> {
    let ms = js_sys::Date::new(&wasm_bindgen::JsValue::from_str(date_time)).get_time();
    // NaN for a string the browser cannot read
    ms.is_finite().then(|| (ms / 1000.0).floor() as i64)
}

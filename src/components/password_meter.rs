//! A new password's meter: the server's own verdict on it (the rules the
//! change applies, so the meter never says "fine" to a password the server
//! refuses), asked a moment after the typing stops, shown as a level and
//! the reasons in words.

use leptos::prelude::*;
use portcullis_api::PasswordVerdict;

use crate::api::account;

/// Whose rules apply: the signed-in user's, or a link's new account's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rules {
    SignedIn,
    Link(String),
}

/// 0 (refused) to 3, with words.
fn level(verdict: &PasswordVerdict, chars: usize) -> (u8, &'static str) {
    if !verdict.problems.is_empty() {
        return (0, "Not accepted yet");
    }
    let extra = chars.saturating_sub(verdict.min_chars as usize);
    match extra {
        0..=3 => (1, "Accepted"),
        4..=9 => (2, "Good"),
        _ => (3, "Strong"),
    }
}

#[component]
pub fn PasswordMeter(
    /// The element id (unique on the screen); the field names it in
    /// `aria-describedby`.
    id: &'static str,
    password: RwSignal<String>,
    rules: Rules,
) -> impl IntoView {
    let verdict = RwSignal::new(None::<(PasswordVerdict, usize)>);
    let latest = StoredValue::new(0u32);
    let rules = StoredValue::new(rules);
    Effect::new(move |_| {
        let pw = password.get();
        let ticket = latest.get_value().wrapping_add(1);
        latest.set_value(ticket);
        if pw.is_empty() {
            verdict.set(None);
            return;
        }
        leptos::task::spawn_local(async move {
            // Ask once the typing pauses, not at every key.
            gloo_timers::future::TimeoutFuture::new(300).await;
            if latest.try_get_value() != Some(ticket) {
                return;
            }
            let chars = pw.chars().count();
            let answer = match rules.get_value() {
                Rules::SignedIn => account::check_password(&pw).await,
                Rules::Link(token) => account::welcome_check(&token, &pw).await,
            };
            if latest.try_get_value() == Some(ticket) {
                if let Ok(v) = answer {
                    let _ = verdict.try_set(Some((v, chars)));
                }
            }
        });
    });
    view! {
        <div id=id class="password-meter" aria-live="polite">
            {move || verdict.get().map(|(v, chars)| {
                let (value, words) = level(&v, chars);
                view! {
                    <meter min="0" max="3" low="1" high="2" optimum="3" value=value.to_string()
                        aria-label="Password strength"
                    ></meter>
                    <span class="meter-words">{words}</span>
                    <ul class="meter-problems">
                        {v.problems.into_iter().map(|p| view! { <li>{p}</li> }).collect_view()}
                    </ul>
                }
            })}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels() {
        let v = |problems: Vec<String>| PasswordVerdict {
            min_chars: 15,
            problems,
        };
        assert_eq!(level(&v(vec!["x".into()]), 40).0, 0);
        assert_eq!(level(&v(vec![]), 15).0, 1);
        assert_eq!(level(&v(vec![]), 20).0, 2);
        assert_eq!(level(&v(vec![]), 25).0, 3);
    }
}

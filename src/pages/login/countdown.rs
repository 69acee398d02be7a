//! A wait the server asked for ("Try again in 28 s"), counted down live:
//! the visible words tick every second, while screen readers hear the wait
//! once when it starts and once when it is over (a polite live region that
//! changes only then), not every second.

use leptos::prelude::*;

/// The words shown while `left` seconds remain.
pub fn wait_words(left: u64) -> String {
    format!("Too many attempts. Try again in {left} s.")
}

/// What screen readers hear when a wait of `secs` starts, and when it ends.
pub fn announcement(secs: u64, left: u64) -> String {
    if left == 0 {
        "You can try again now.".to_string()
    } else {
        let unit = if secs == 1 { "second" } else { "seconds" };
        format!("Too many attempts. You can try again in {secs} {unit}.")
    }
}

/// The server's own sentence about a wait of `secs` ("… send another in
/// 42 seconds."), with the seconds left instead; a sentence that does not
/// name the wait is left as it is.
pub fn tick_message(message: &str, secs: u64, left: u64) -> String {
    let unit = |n: u64| if n == 1 { "second" } else { "seconds" };
    let said = format!("in {secs} {}", unit(secs));
    if !message.contains(&said) {
        return message.to_string();
    }
    let now = if left == 0 {
        "now".to_string()
    } else {
        format!("in {left} {}", unit(left))
    };
    message.replacen(&said, &now, 1)
}

/// Seconds left of a wait; `Copy`, for the panels' closures.
#[derive(Debug, Clone, Copy)]
pub struct Countdown {
    left: RwSignal<u64>,
    /// The wait as it started.
    total: RwSignal<u64>,
    said: RwSignal<String>,
    /// Each start is a new generation: the ticks of an earlier one stop.
    generation: RwSignal<u32>,
}

impl Countdown {
    pub fn new() -> Self {
        Countdown {
            left: RwSignal::new(0),
            total: RwSignal::new(0),
            said: RwSignal::new(String::new()),
            generation: RwSignal::new(0),
        }
    }

    /// Starts (or restarts) a wait of `secs`, ticking once a second until
    /// 0 or until the screen is gone.
    pub fn start(self, secs: u64) {
        let mine = self.generation.get_untracked().wrapping_add(1);
        self.generation.set(mine);
        self.left.set(secs);
        self.total.set(secs);
        self.said.set(announcement(secs, secs));
        leptos::task::spawn_local(async move {
            let mut left = secs;
            while left > 0 {
                gloo_timers::future::TimeoutFuture::new(1_000).await;
                if self.generation.try_get_untracked() != Some(mine) {
                    return;
                }
                left -= 1;
                let _ = self.left.try_set(left);
            }
            let _ = self.said.try_set(announcement(secs, 0));
        });
    }

    /// Ends the wait at once (another factor was chosen, or all is well).
    pub fn stop(self) {
        self.generation.update(|g| *g = g.wrapping_add(1));
        self.left.set(0);
        self.said.set(String::new());
    }

    /// Seconds left (tracked).
    pub fn left(self) -> u64 {
        self.left.get()
    }

    /// The wait as it started (tracked).
    pub fn total(self) -> u64 {
        self.total.get()
    }

    /// Whether the user must still wait (tracked).
    pub fn waiting(self) -> bool {
        self.left.get() > 0
    }
}

impl Default for Countdown {
    fn default() -> Self {
        Self::new()
    }
}

/// The wait, as the user sees and hears it: the visible count (not a live
/// region) and the hidden announcement.
#[component]
pub fn WaitNotice(countdown: Countdown) -> impl IntoView {
    view! {
        <Show when=move || countdown.waiting()>
            <p class="form-error wait">{move || wait_words(countdown.left())}</p>
        </Show>
        <p class="visually-hidden" role="status" aria-live="polite">{move || countdown.said.get()}</p>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_is_said_at_its_start_and_end_only() {
        assert_eq!(wait_words(28), "Too many attempts. Try again in 28 s.");
        assert_eq!(
            announcement(28, 28),
            "Too many attempts. You can try again in 28 seconds."
        );
        assert_eq!(
            announcement(1, 1),
            "Too many attempts. You can try again in 1 second."
        );
        assert_eq!(announcement(28, 0), "You can try again now.");
        let push =
            "A push is still waiting for an answer: answer it, or send another in 42 seconds.";
        assert_eq!(
            tick_message(push, 42, 1),
            "A push is still waiting for an answer: answer it, or send another in 1 second."
        );
        assert_eq!(
            tick_message(push, 42, 0),
            "A push is still waiting for an answer: answer it, or send another now."
        );
        assert_eq!(tick_message("Busy.", 42, 3), "Busy.");
    }
}

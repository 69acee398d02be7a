//! `/admin/mfa`, the Branding section: the organisation's name (in the
//! header of every page), the accent colour of primary buttons (with a
//! preview, and the contrast problem in words as it is typed), the help
//! text of the footer, and the logo. Billing administrators change them;
//! other administrators read them, with a sentence saying why.

use leptos::prelude::*;
use portcullis_api::branding::{
    check_accent, ratio_words, AccentProblem, BrandingChange, BrandingSettings, LogoUpload,
    HELP_TEXT_MAX_CHARS, LOGO_MAX_BYTES, MIN_CONTRAST_WITH_WHITE, ORG_NAME_MAX_CHARS,
};
use portcullis_api::ErrorCode;
use wasm_bindgen::JsCast;

use crate::api;
use crate::components::help_footer::set_help_text;
use crate::components::{Alert, FreshProof, Tone};
use crate::state::use_toasts;

/// What the portal's own accent is, shown in the colour picker when none is set.
const PORTAL_ACCENT: &str = "#1d4ed8";

/// What waits for a fresh second factor.
#[derive(Debug, Clone, PartialEq)]
enum Change {
    Texts(BrandingChange),
    Logo(String),
    RemoveLogo,
}

/// The accent's problem in words ("" is the portal's own colour).
fn accent_problem(text: &str) -> Option<String> {
    if text.trim().is_empty() {
        return None;
    }
    match check_accent(text) {
        Ok(_) => None,
        Err(AccentProblem::NotHex) => {
            Some("Type # and six hexadecimal digits, such as #1d4ed8.".to_string())
        }
        Err(AccentProblem::LowContrast(r)) => Some(format!(
            "White text on this colour has a contrast of only {}; buttons need at least \
             {MIN_CONTRAST_WITH_WHITE}:1. Choose a darker colour.",
            ratio_words(r)
        )),
    }
}

fn count_problem(text: &str, max: usize, what: &str) -> Option<String> {
    let n = text.trim().chars().count();
    (n > max).then(|| format!("{what} can be at most {max} characters (this has {n})."))
}

/// A primary button drawn in `hex` (a checked `#rrggbb`, so nothing else
/// reaches the markup). Drawn, not styled: the page's CSP allows no style
/// attributes, and the app's first download carries no style-setting code.
fn preview_svg(hex: &str) -> String {
    format!(
        "<svg viewBox=\"0 0 96 40\" width=\"96\" height=\"40\" aria-hidden=\"true\">\
         <rect width=\"96\" height=\"40\" rx=\"8\" fill=\"{hex}\"/>\
         <text x=\"48\" y=\"25\" text-anchor=\"middle\" fill=\"#ffffff\" \
         font-family=\"system-ui, sans-serif\" font-size=\"16\" font-weight=\"600\">Log in</text></svg>"
    )
}

/// Standard base64 of `bytes` (the upload's encoding).
fn base64(bytes: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ABC[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The chosen SVG file's bytes in base64, or why not. Read as text: the
/// browser call that reads a file's raw bytes would add its glue to the
/// first download (every wasm import lives there), which has no room for
/// it; PNG logos go through the API (`PUT /api/v1/admin/branding/logo`).
async fn read_logo(input: &web_sys::HtmlInputElement) -> Result<String, String> {
    let file = input
        .files()
        .and_then(|f| f.get(0))
        .ok_or_else(|| "Choose an SVG file.".to_string())?;
    if file.size() > LOGO_MAX_BYTES as f64 {
        return Err(format!(
            "The file is larger than {} KB. Choose a smaller logo.",
            LOGO_MAX_BYTES / 1024
        ));
    }
    let unreadable = || "The file could not be read. Choose it again.".to_string();
    let text = wasm_bindgen_futures::JsFuture::from(file.text())
        .await
        .map_err(|_| unreadable())?
        .as_string()
        .ok_or_else(unreadable)?;
    Ok(base64(text.as_bytes()))
}

#[component]
pub fn BrandingSection() -> impl IntoView {
    let settings = RwSignal::new(None::<BrandingSettings>);
    let name = RwSignal::new(String::new());
    let accent = RwSignal::new(String::new());
    let help = RwSignal::new(String::new());
    let failure = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let need_code = RwSignal::new(false);
    let pending = RwSignal::new(None::<Change>);
    let toasts = use_toasts();
    let fill = move |s: &BrandingSettings| {
        name.set(s.branding.org_name.clone().unwrap_or_default());
        accent.set(s.branding.accent.clone().unwrap_or_default());
        help.set(s.branding.help_text.clone().unwrap_or_default());
    };
    leptos::task::spawn_local(async move {
        match api::branding::settings().await {
            Ok(s) => {
                fill(&s);
                let _ = settings.try_set(Some(s));
            }
            Err(e) => {
                let _ = failure.try_set(Some(e.user_message()));
            }
        }
    });
    let may_change = move || settings.with(|s| s.as_ref().is_some_and(|s| s.may_change));
    let locked = move || !may_change() || busy.get() || need_code.get();

    let name_problem = move || count_problem(&name.get(), ORG_NAME_MAX_CHARS, "The name");
    let help_problem = move || count_problem(&help.get(), HELP_TEXT_MAX_CHARS, "The help text");
    let accent_words = move || accent_problem(&accent.get());
    // the preview and the picker show a valid accent, else the portal's
    let shown_accent =
        move || check_accent(&accent.get()).unwrap_or_else(|_| PORTAL_ACCENT.to_string());

    let run = move |change: Change| {
        pending.set(Some(change.clone()));
        busy.set(true);
        failure.set(None);
        toasts.clear();
        leptos::task::spawn_local(async move {
            let answer = match &change {
                Change::Texts(c) => api::branding::change(c).await,
                Change::Logo(data) => {
                    api::branding::set_logo(&LogoUpload { data: data.clone() }).await
                }
                Change::RemoveLogo => api::branding::remove_logo().await,
            };
            let _ = busy.try_set(false);
            match answer {
                Ok(s) => {
                    fill(&s);
                    set_help_text(s.branding.help_text.clone());
                    let _ = settings.try_set(Some(s));
                    let _ = pending.try_set(None);
                    toasts.show(match change {
                        Change::Texts(_) => {
                            "Branding saved. It shows on every page from the next page load."
                        }
                        Change::Logo(_) => "Logo saved.",
                        Change::RemoveLogo => "Logo removed.",
                    });
                }
                Err(e) if e.code() == Some(ErrorCode::ReauthenticationRequired) => {
                    let _ = need_code.try_set(true);
                }
                Err(e) => {
                    let _ = failure.try_set(Some(e.user_message()));
                }
            }
        });
    };
    let on_save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if name_problem().is_some() || help_problem().is_some() || accent_words().is_some() {
            failure.set(Some("Correct the fields marked below first.".to_string()));
            return;
        }
        run(Change::Texts(BrandingChange {
            org_name: name.get_untracked().trim().to_string(),
            accent: accent.get_untracked().trim().to_lowercase(),
            help_text: help.get_untracked().trim().to_string(),
        }));
    };
    let on_file = move |ev: leptos::ev::Event| {
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        failure.set(None);
        leptos::task::spawn_local(async move {
            match read_logo(&input).await {
                Ok(data) => run(Change::Logo(data)),
                Err(words) => {
                    let _ = failure.try_set(Some(words));
                }
            }
        });
    };
    let again = Callback::new(move |()| {
        need_code.set(false);
        if let Some(change) = pending.get_untracked() {
            run(change);
        }
    });
    let cancel = Callback::new(move |()| {
        need_code.set(false);
        pending.set(None);
    });
    let logo_url = move || settings.with(|s| s.as_ref().and_then(|s| s.branding.logo_url.clone()));

    view! {
        <section class="branding" aria-labelledby="branding-title">
        <form novalidate on:submit=on_save aria-labelledby="branding-title">
            <h2 id="branding-title">"Branding"</h2>
            <p>
                "Your organisation's name and logo in the header of every page, the colour of "
                "primary buttons, and help or contact words at the foot of the signed-in pages "
                "and the second step of the login."
            </p>
            {move || (settings.with(Option::is_some) && !may_change()).then(|| view! {
                <p class="hint" id="branding-why">
                    "Only a billing administrator can change the branding."
                </p>
            })}
            <Alert tone=Tone::Error message=failure dismissible=true/>
            <fieldset disabled=locked
                aria-describedby=move || (!may_change()).then_some("branding-why")
            >
                <legend class="visually-hidden">"Branding"</legend>
                <div class="field">
                    <label for="brand-name">"Organisation name (up to 60 characters; empty for none)"</label>
                    <input id="brand-name" type="text" autocomplete="organization"
                        bind:value=name
                        aria-invalid=move || name_problem().is_some().to_string()
                        aria-describedby="brand-name-error"
                    />
                    <p id="brand-name-error" class="field-error">{name_problem}</p>
                </div>
                <div class="field">
                    <label for="brand-accent">"Accent colour (#rrggbb; empty for the portal's)"</label>
                    <div class="accent-row">
                        <input id="brand-accent" type="text" autocomplete="off" spellcheck="false"
                            placeholder=PORTAL_ACCENT
                            bind:value=accent
                            aria-invalid=move || accent_words().is_some().to_string()
                            aria-describedby="brand-accent-error"
                        />
                        <input id="brand-accent-picker" type="color" aria-label="Pick the accent colour"
                            prop:value=shown_accent
                            on:input=move |ev| accent.set(event_target_value(&ev))
                        />
                    </div>
                    <p id="brand-accent-error" class="field-error" aria-live="polite">{accent_words}</p>
                </div>
                <div class="brand-preview">
                    <span>"Preview:"</span>
                    <span class="preview-button" role="img"
                        aria-label="A primary button in this colour, with white text"
                        inner_html=move || preview_svg(&shown_accent())
                    ></span>
                </div>
                <div class="field">
                    <label for="brand-help">"Help text (plain text, up to 500 characters)"</label>
                    <textarea id="brand-help" rows="3"
                        prop:value=move || help.get()
                        on:input=move |ev| help.set(event_target_value(&ev))
                        aria-invalid=move || help_problem().is_some().to_string()
                        aria-describedby="brand-help-error"
                    ></textarea>
                    <p id="brand-help-error" class="field-error">{help_problem}</p>
                </div>
                <div class="field">
                    <label for="brand-logo">"Logo (an SVG file, up to 64 KB)"</label>
                    {move || logo_url().map(|url| view! {
                        <p class="brand-logo-now">
                            <img src=url alt="The current logo"/>
                            <button type="button" class="button secondary inline"
                                on:click=move |_| run(Change::RemoveLogo)
                            >
                                "Remove logo"
                            </button>
                        </p>
                    })}
                    <input id="brand-logo" type="file" accept="image/svg+xml,.svg"
                        on:change=on_file
                    />
                </div>
            </fieldset>
            <div class="save-bar">
                <button type="submit" id="branding-save" class="button primary inline"
                    disabled=locked aria-busy=move || busy.get().to_string()
                >
                    "Save branding"
                </button>
            </div>
        </form>
        // its own form: outside the section's
        <FreshProof id="branding-code" open=need_code verb="Verify and save" then=again
            cancel=cancel
        />
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_is_standard() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"\x89PNG"), "iVBORw==");
    }
}

//! The home page's "Your apps": a tile for each app the user may open
//! (assigned to everyone, to one of their groups, or to them), which
//! signs them in through the portal.

use leptos::prelude::*;

use crate::api;

/// The letter a tile shows for an app without an icon.
pub fn initial(name: &str) -> String {
    name.chars()
        .find(|c| c.is_alphanumeric())
        .map_or("?".to_string(), |c| c.to_uppercase().collect())
}

#[component]
pub fn MyApps() -> impl IntoView {
    let apps = api::load(api::sso::my_apps());
    move || {
        // No apps (or no answer): the section is left out.
        let list = apps.get().and_then(Result::ok).unwrap_or_default();
        (!list.is_empty()).then(|| view! {
            <section class="card" aria-labelledby="apps-title">
                <h2 id="apps-title">"Your apps"</h2>
                <ul class="app-tiles">
                    {list.into_iter().map(|a| view! {
                        <li>
                            <a class="app-tile" href=a.launch_url.clone()>
                                <span class="app-initial" aria-hidden="true">{initial(&a.name)}</span>
                                <span class="app-name">{a.name.clone()}</span>
                            </a>
                        </li>
                    }).collect_view()}
                </ul>
            </section>
        })
    }
}

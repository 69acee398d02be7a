use leptos::prelude::*;

use crate::session::use_session;
use crate::text::role_label;

/// The portal's home page.
#[component]
pub fn HomePage() -> impl IntoView {
    let session = use_session();
    move || {
        session.user().map(|me| {
            view! {
                <section class="card" aria-labelledby="home-title">
                    <h1 id="home-title">"Welcome, " {me.display_name.clone()}</h1>
                    <dl class="facts">
                        <dt>"Email"</dt>
                        <dd>{me.email.clone()}</dd>
                        <dt>"Role"</dt>
                        <dd>{role_label(me.role)}</dd>
                    </dl>
                </section>
            }
        })
    }
}

//! The one-time Protect enrollment link as a QR code, with the same link
//! for the `protect` command and what to do on a new phone (naming the
//! device it replaces, if any); shown on the Security page and in `/enroll`.

use leptos::prelude::*;
use portcullis_api::protect::ProtectEnrollment;

use super::{CopyField, QrCode};
use crate::when::local_date_time;

#[component]
pub fn ProtectLink(link: ProtectEnrollment) -> impl IntoView {
    view! {
        <p>
            "On your phone, open Protect and scan this code. The link works once, for 10 minutes."
        </p>
        <QrCode data=link.uri.clone() alt="QR code that sets up Protect push on your phone. The same link is written out below."/>
        <CopyField
            id="protect-command"
            label="No camera? Run this with the protect command instead:".to_string()
            value=format!("protect enroll '{}'", link.uri)
            what="Command"
        />
        {link.replaces.clone().map(|label| view! {
            <p class="warning" role="status">
                {format!(
                    "This replaces your Protect device “{label}”: once the new phone is enrolled, “{label}” stops getting pushes."
                )}
            </p>
        })}
        {link.totp_included.then(|| view! {
            <p>"The same code also sets Protect up as your authenticator app: it shows your codes too."</p>
        })}
        <p class="hint">{format!("Good until {}.", local_date_time(link.expires_at))}</p>
        <p class="hint">
            "A new phone? Set it up the same way: it replaces the old one, which stops getting pushes."
        </p>
    }
}

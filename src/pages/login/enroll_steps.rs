//! The enrollment wizard's steps, as data: which steps a method takes,
//! where each stands ("Step 2 of 3"), and the URL of each, so that the
//! browser's Back and Forward move between steps like the wizard's own
//! Back button. Pure: the page (`enroll.rs`) wires it to the router.

use portcullis_api::FactorKind;

use crate::paths::{encode_component, Page};

/// A way to sign in the wizard can set up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    App,
    Key,
    Passkey,
    Phone,
}

impl Method {
    /// The chooser's order.
    pub const ALL: [Method; 4] = [Method::App, Method::Key, Method::Passkey, Method::Phone];

    /// The kind of factor it makes.
    pub fn kind(self) -> FactorKind {
        match self {
            Method::App => FactorKind::Totp,
            Method::Key | Method::Passkey => FactorKind::Webauthn,
            Method::Phone => FactorKind::Push,
        }
    }

    /// Its name in the URL.
    pub fn wire(self) -> &'static str {
        match self {
            Method::App => "app",
            Method::Key => "key",
            Method::Passkey => "passkey",
            Method::Phone => "phone",
        }
    }

    pub fn parse(name: &str) -> Option<Method> {
        Method::ALL.into_iter().find(|m| m.wire() == name)
    }

    /// Its name on the chooser's card.
    pub fn label(self) -> &'static str {
        match self {
            Method::App => "Authenticator app",
            Method::Key => "Security key",
            Method::Passkey => "Passkey",
            Method::Phone => "Protect push",
        }
    }

    /// What the card says about it.
    pub fn pitch(self) -> &'static str {
        match self {
            Method::App => {
                "A 6-digit code from an app on your phone, such as Google \
                 Authenticator, Microsoft Authenticator or Authy."
            }
            Method::Key => "A USB or NFC key you touch after your password.",
            Method::Passkey => {
                "Your fingerprint, face or screen lock, on this device or your \
                 phone. It can also sign you in without a password."
            }
            Method::Phone => "Approve each login with a tap in the Protect app on your phone.",
        }
    }
}

/// Where the wizard stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// The method cards.
    Choose,
    /// The app: scan the QR code (or type the key).
    AppScan,
    /// The app: its first code.
    AppCode,
    /// Register a security key or passkey (the method says which).
    Key(Method),
    /// Protect: scan the enrollment link on the phone.
    Phone,
    /// The recovery codes, saved before going on.
    Codes,
    /// All done (recovery codes were made before).
    Done,
}

impl Step {
    /// Its name in the URL (`?step=`); the chooser has none.
    pub fn wire(self) -> Option<&'static str> {
        match self {
            Step::Choose => None,
            Step::AppScan => Some("app-scan"),
            Step::AppCode => Some("app-code"),
            Step::Key(Method::Passkey) => Some("passkey"),
            Step::Key(_) => Some("key"),
            Step::Phone => Some("phone"),
            Step::Codes => Some("codes"),
            Step::Done => Some("done"),
        }
    }

    /// The step a `?step=` value names; anything else is the chooser.
    pub fn parse(name: Option<&str>) -> Step {
        match name {
            Some("app-scan") => Step::AppScan,
            Some("app-code") => Step::AppCode,
            Some("key") => Step::Key(Method::Key),
            Some("passkey") => Step::Key(Method::Passkey),
            Some("phone") => Step::Phone,
            Some("codes") => Step::Codes,
            Some("done") => Step::Done,
            _ => Step::Choose,
        }
    }

    /// The method a step belongs to (the last two belong to any).
    pub fn method(self) -> Option<Method> {
        match self {
            Step::AppScan | Step::AppCode => Some(Method::App),
            Step::Key(m) => Some(m),
            Step::Phone => Some(Method::Phone),
            Step::Choose | Step::Codes | Step::Done => None,
        }
    }

    /// The step indicator's words for it.
    pub fn label(self) -> &'static str {
        match self {
            Step::Choose => "Choose a method",
            Step::AppScan => "Add Portcullis to the app",
            Step::AppCode => "Enter a code",
            Step::Key(Method::Passkey) => "Create the passkey",
            Step::Key(_) => "Register the key",
            Step::Phone => "Scan with your phone",
            Step::Codes => "Save recovery codes",
            Step::Done => "Done",
        }
    }
}

/// The numbered steps of setting up `method`; `codes`: the user has no
/// recovery codes yet, so saving them is the last step.
pub fn steps(method: Method, codes: bool) -> Vec<Step> {
    let mut steps = vec![first_step(method)];
    if method == Method::App {
        steps.push(Step::AppCode);
    }
    if codes {
        steps.push(Step::Codes);
    }
    steps
}

/// The step a method starts with.
pub fn first_step(method: Method) -> Step {
    match method {
        Method::App => Step::AppScan,
        Method::Key | Method::Passkey => Step::Key(method),
        Method::Phone => Step::Phone,
    }
}

/// "Step 2 of 3": the step's place among `steps`, counted from 1.
pub fn position(steps: &[Step], step: Step) -> Option<(usize, usize)> {
    let at = steps.iter().position(|s| *s == step)?;
    Some((at + 1, steps.len()))
}

/// Where the wizard's Back button leads from `step`: the step before it
/// among `steps`, or the chooser from the first (`None` where there is no
/// way back: the chooser itself, a replacement's first step, and once the
/// new method is set up).
pub fn back_from(steps: &[Step], step: Step, chooser: bool) -> Option<Step> {
    if matches!(step, Step::Choose | Step::Codes | Step::Done) {
        return None;
    }
    match steps.iter().position(|s| *s == step) {
        Some(0) | None => chooser.then_some(Step::Choose),
        Some(at) => Some(steps[at - 1]),
    }
}

/// What the wizard is for, from its URL.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Context {
    /// `?replace=app`: the Security page's Reset Authenticator App sent the
    /// user to set up the new app (no chooser, words about replacing).
    pub replace_app: bool,
    /// Where to go when done (`?next=`, already checked by `safe_next`).
    pub next: String,
    /// `?method=`: the method of the Codes and Done steps (for the step
    /// indicator), where the page was reloaded or entered there.
    pub method: Option<Method>,
}

/// The URL of `step` in the wizard of `context`.
pub fn url(step: Step, method: Option<Method>, context: &Context) -> String {
    let mut pairs = Vec::new();
    if let Some(s) = step.wire() {
        pairs.push(format!("step={s}"));
    }
    if let (Some(m), None) = (method, step.method()) {
        if step != Step::Choose {
            pairs.push(format!("method={}", m.wire()));
        }
    }
    if context.replace_app {
        pairs.push("replace=app".to_string());
    }
    if context.next != Page::Home.path() {
        pairs.push(format!("next={}", encode_component(&context.next)));
    }
    if pairs.is_empty() {
        Page::Enroll.path().to_string()
    } else {
        format!("{}?{}", Page::Enroll.path(), pairs.join("&"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(next: &str) -> Context {
        Context {
            next: next.to_string(),
            ..Context::default()
        }
    }

    #[test]
    fn every_step_reads_back_from_its_url() {
        for step in [
            Step::Choose,
            Step::AppScan,
            Step::AppCode,
            Step::Key(Method::Key),
            Step::Key(Method::Passkey),
            Step::Phone,
            Step::Codes,
            Step::Done,
        ] {
            assert_eq!(Step::parse(step.wire()), step);
        }
        assert_eq!(Step::parse(Some("nonsense")), Step::Choose);
        for m in Method::ALL {
            assert_eq!(Method::parse(m.wire()), Some(m));
        }
    }

    #[test]
    fn urls_carry_the_step_the_method_and_where_to_go_next() {
        assert_eq!(url(Step::Choose, None, &ctx("/")), "/enroll");
        assert_eq!(
            url(Step::AppScan, Some(Method::App), &ctx("/security")),
            "/enroll?step=app-scan&next=%2Fsecurity"
        );
        assert_eq!(
            url(Step::Codes, Some(Method::Phone), &ctx("/")),
            "/enroll?step=codes&method=phone"
        );
        let replacing = Context {
            replace_app: true,
            next: "/security".to_string(),
            method: None,
        };
        assert_eq!(
            url(Step::AppCode, Some(Method::App), &replacing),
            "/enroll?step=app-code&replace=app&next=%2Fsecurity"
        );
    }

    #[test]
    fn steps_count_and_go_back_in_order() {
        let app = steps(Method::App, true);
        assert_eq!(app, [Step::AppScan, Step::AppCode, Step::Codes]);
        assert_eq!(position(&app, Step::AppCode), Some((2, 3)));
        assert_eq!(position(&app, Step::Codes), Some((3, 3)));
        assert_eq!(
            position(&steps(Method::Key, false), Step::Key(Method::Key)),
            Some((1, 1))
        );
        assert_eq!(back_from(&app, Step::AppCode, true), Some(Step::AppScan));
        assert_eq!(back_from(&app, Step::AppScan, true), Some(Step::Choose));
        // A replacement starts at the scan: nothing before it.
        assert_eq!(back_from(&app, Step::AppScan, false), None);
        // Once the method is set up, there is no way back to setting it up.
        assert_eq!(back_from(&app, Step::Codes, true), None);
        assert_eq!(back_from(&app, Step::Choose, true), None);
        let phone = steps(Method::Phone, true);
        assert_eq!(back_from(&phone, Step::Phone, true), Some(Step::Choose));
    }
}

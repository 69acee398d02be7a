//! What a login is for. Every login names its resource: it is recorded on
//! the session it makes, named in its push requests (the phone shows "Sign
//! in to …") and audit events, and it is what the push limit counts per.
//! The portal's two halves and the organisation's apps; hosts and RADIUS
//! clients come next.

use portcullis_api::Role;

/// A resource a login reaches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resource {
    UserPortal,
    AdminPortal,
    /// An app signing its users in through the portal (single sign-on).
    App {
        id: String,
        name: String,
    },
    /// A Linux host whose PAM stack asks for the second factor.
    Host {
        id: String,
        name: String,
    },
    /// A RADIUS client (a VPN gateway, network gear).
    Radius {
        id: String,
        name: String,
    },
}

/// How an app's resource is stored: the prefix, its id, its name (as it
/// was when the login started: a rename does not rewrite history).
const APP_PREFIX: &str = "app:";
const HOST_PREFIX: &str = "host:";
const RADIUS_PREFIX: &str = "radius:";

impl Resource {
    /// The portal's half a user of `role` signs in to: administrators the
    /// Admin Portal (their sessions may administer), everyone else the
    /// User Portal.
    pub fn portal_for(role: Role) -> Resource {
        if role.is_admin() {
            Resource::AdminPortal
        } else {
            Resource::UserPortal
        }
    }

    /// Its name, shown on the phone and in events; the push limit counts
    /// per name.
    pub fn name(&self) -> &str {
        match self {
            Resource::UserPortal => "User Portal",
            Resource::AdminPortal => "Admin Portal",
            Resource::App { name, .. }
            | Resource::Host { name, .. }
            | Resource::Radius { name, .. } => name,
        }
    }

    /// As a session stores it.
    pub fn stored(&self) -> String {
        match self {
            Resource::App { id, name } => format!("{APP_PREFIX}{id}:{name}"),
            Resource::Host { id, name } => format!("{HOST_PREFIX}{id}:{name}"),
            Resource::Radius { id, name } => format!("{RADIUS_PREFIX}{id}:{name}"),
            portal => portal.name().to_string(),
        }
    }

    /// The resource of a stored value.
    pub fn parse(stored: &str) -> Option<Resource> {
        if let Some(rest) = stored.strip_prefix(APP_PREFIX) {
            let (id, name) = rest.split_once(':')?;
            return Some(Resource::App {
                id: id.to_string(),
                name: name.to_string(),
            });
        }
        if let Some(rest) = stored.strip_prefix(HOST_PREFIX) {
            let (id, name) = rest.split_once(':')?;
            return Some(Resource::Host {
                id: id.to_string(),
                name: name.to_string(),
            });
        }
        if let Some(rest) = stored.strip_prefix(RADIUS_PREFIX) {
            let (id, name) = rest.split_once(':')?;
            return Some(Resource::Radius {
                id: id.to_string(),
                name: name.to_string(),
            });
        }
        [Resource::UserPortal, Resource::AdminPortal]
            .into_iter()
            .find(|r| r.name() == stored)
    }

    /// The app a login is for, if it is for one.
    pub fn app_id(&self) -> Option<&str> {
        match self {
            Resource::App { id, .. } => Some(id),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_read_back() {
        let app = Resource::App {
            id: "0190-ab".into(),
            name: "Wiki: the team's".into(),
        };
        for r in [Resource::UserPortal, Resource::AdminPortal, app] {
            assert_eq!(Resource::parse(&r.stored()), Some(r.clone()));
        }
        assert_eq!(Resource::parse("app:no-name"), None);
        assert_eq!(Resource::parse("Elsewhere"), None);
    }

    #[test]
    fn administrators_sign_in_to_the_admin_portal() {
        assert_eq!(Resource::portal_for(Role::User), Resource::UserPortal);
        assert_eq!(Resource::portal_for(Role::Admin), Resource::AdminPortal);
        assert_eq!(
            Resource::portal_for(Role::BillingAdmin),
            Resource::AdminPortal
        );
    }
}

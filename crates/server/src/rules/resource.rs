//! What a login is for. Every login names its resource: it is recorded on
//! the session it makes, named in its push requests (the phone shows "Sign
//! in to …") and audit events, and it is what the push limit counts per.
//! Today the portal's two halves; apps, hosts and RADIUS clients come next.

use portcullis_api::Role;

/// A resource a login reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resource {
    UserPortal,
    AdminPortal,
}

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

    /// Its name as stored, shown on the phone and in events.
    pub fn name(self) -> &'static str {
        match self {
            Resource::UserPortal => "User Portal",
            Resource::AdminPortal => "Admin Portal",
        }
    }

    /// The resource of a stored name.
    pub fn parse(name: &str) -> Option<Resource> {
        [Resource::UserPortal, Resource::AdminPortal]
            .into_iter()
            .find(|r| r.name() == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_read_back() {
        for r in [Resource::UserPortal, Resource::AdminPortal] {
            assert_eq!(Resource::parse(r.name()), Some(r));
        }
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

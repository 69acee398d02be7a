//! What this SCIM server declares: the attributes of its two resource
//! types (a subset of RFC 7643's User and Group: those an identity
//! provider sends and Portcullis uses or keeps), and the discovery
//! documents built from them (`ServiceProviderConfig`, `ResourceTypes`,
//! `Schemas`). Whatever a client reads here, the server does.

use serde_json::{json, Value};

pub const USER_URN: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
pub const GROUP_URN: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
pub const LIST_URN: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
pub const PATCH_URN: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
pub const ERROR_URN: &str = "urn:ietf:params:scim:api:messages:2.0:Error";
pub const SEARCH_URN: &str = "urn:ietf:params:scim:api:messages:2.0:SearchRequest";

/// The most resources one page holds.
pub const MAX_RESULTS: i64 = 200;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResourceKind {
    User,
    Group,
}

impl ResourceKind {
    pub fn schema_urn(self) -> &'static str {
        match self {
            ResourceKind::User => USER_URN,
            ResourceKind::Group => GROUP_URN,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            ResourceKind::User => "User",
            ResourceKind::Group => "Group",
        }
    }

    pub fn endpoint(self) -> &'static str {
        match self {
            ResourceKind::User => "/Users",
            ResourceKind::Group => "/Groups",
        }
    }
}

/// One attribute a resource type declares.
#[derive(Debug, PartialEq)]
pub struct Attr {
    pub name: &'static str,
    /// `string`, `boolean`, `complex` or `reference`.
    pub kind: &'static str,
    pub multi: bool,
    pub required: bool,
    pub read_only: bool,
    /// Sub-attributes of a complex one: (name, type).
    pub subs: &'static [&'static str],
    pub sub_kinds: &'static [&'static str],
}

impl Attr {
    pub fn complex(&self) -> bool {
        self.kind == "complex"
    }
}

const fn simple(name: &'static str, kind: &'static str, required: bool) -> Attr {
    Attr {
        name,
        kind,
        multi: false,
        required,
        read_only: false,
        subs: &[],
        sub_kinds: &[],
    }
}

/// externalId, which every SCIM resource has.
const EXTERNAL_ID: Attr = simple("externalId", "string", false);

pub const USER_ATTRS: &[Attr] = &[
    simple("userName", "string", true),
    Attr {
        name: "name",
        kind: "complex",
        multi: false,
        required: false,
        read_only: false,
        subs: &["formatted", "familyName", "givenName"],
        sub_kinds: &["string", "string", "string"],
    },
    simple("displayName", "string", false),
    Attr {
        name: "emails",
        kind: "complex",
        multi: true,
        required: true,
        read_only: false,
        subs: &["value", "type", "primary"],
        sub_kinds: &["string", "string", "boolean"],
    },
    simple("active", "boolean", false),
    EXTERNAL_ID,
];

pub const GROUP_ATTRS: &[Attr] = &[
    simple("displayName", "string", true),
    Attr {
        name: "members",
        kind: "complex",
        multi: true,
        required: false,
        read_only: false,
        subs: &["value", "$ref", "type"],
        sub_kinds: &["string", "reference", "string"],
    },
    EXTERNAL_ID,
];

/// Read-only attributes every resource has (a path naming them is refused).
const READ_ONLY: &[Attr] = &[
    Attr {
        read_only: true,
        ..simple("id", "string", false)
    },
    Attr {
        read_only: true,
        ..simple("meta", "complex", false)
    },
];

pub fn attrs(kind: ResourceKind) -> &'static [Attr] {
    match kind {
        ResourceKind::User => USER_ATTRS,
        ResourceKind::Group => GROUP_ATTRS,
    }
}

/// The attribute `name` names, whatever its case.
pub fn attr(kind: ResourceKind, name: &str) -> Option<&'static Attr> {
    attrs(kind)
        .iter()
        .chain(READ_ONLY)
        .find(|a| a.name.eq_ignore_ascii_case(name.trim()))
}

fn sub_definition(name: &str, kind: &str, parent: &str) -> Value {
    let mut d = json!({
        "name": name,
        "type": kind,
        "multiValued": false,
        "description": format!("{parent}.{name}"),
        "required": name == "value" && parent == "emails",
        "caseExact": false,
        "mutability": if name == "value" && parent == "members" { "immutable" } else { "readWrite" },
        "returned": "default",
        "uniqueness": "none",
    });
    if name == "type" && parent == "emails" {
        d["canonicalValues"] = json!(["work", "home", "other"]);
    }
    if name == "type" && parent == "members" {
        d["canonicalValues"] = json!(["User"]);
    }
    if kind == "reference" {
        d["referenceTypes"] = json!(["User"]);
    }
    d
}

fn definition(a: &Attr) -> Value {
    let mut d = json!({
        "name": a.name,
        "type": a.kind,
        "multiValued": a.multi,
        "description": a.name,
        "required": a.required,
        "caseExact": false,
        "mutability": "readWrite",
        "returned": "default",
        "uniqueness": if a.name == "userName" || a.name == "displayName" && !a.multi && a.required { "server" } else { "none" },
    });
    if a.complex() {
        d["subAttributes"] = Value::Array(
            a.subs
                .iter()
                .zip(a.sub_kinds)
                .map(|(n, k)| sub_definition(n, k, a.name))
                .collect(),
        );
    }
    d
}

/// `/Schemas/{urn}`'s document for a resource type (externalId, a common
/// attribute, is left out as the core schemas do).
pub fn schema(kind: ResourceKind, base: &str) -> Value {
    let attributes: Vec<Value> = attrs(kind)
        .iter()
        .filter(|a| a.name != "externalId")
        .map(definition)
        .collect();
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Schema"],
        "id": kind.schema_urn(),
        "name": kind.name(),
        "description": format!("{} of Portcullis", kind.name()),
        "attributes": attributes,
        "meta": {
            "resourceType": "Schema",
            "location": format!("{base}/Schemas/{}", kind.schema_urn()),
        },
    })
}

pub fn resource_type(kind: ResourceKind, base: &str) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
        "id": kind.name(),
        "name": kind.name(),
        "endpoint": kind.endpoint(),
        "description": format!("{}s of Portcullis", kind.name()),
        "schema": kind.schema_urn(),
        "schemaExtensions": [],
        "meta": {
            "resourceType": "ResourceType",
            "location": format!("{base}/ResourceTypes/{}", kind.name()),
        },
    })
}

pub fn service_provider_config(base: &str) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
        "documentationUri": format!("{base}/ServiceProviderConfig"),
        "patch": { "supported": true },
        "bulk": { "supported": false, "maxOperations": 0, "maxPayloadSize": 0 },
        "filter": { "supported": true, "maxResults": MAX_RESULTS },
        "changePassword": { "supported": false },
        "sort": { "supported": false },
        "etag": { "supported": false },
        "authenticationSchemes": [{
            "type": "oauthbearertoken",
            "name": "Bearer token",
            "description": "A token an administrator makes on the MFA settings page, sent as \
                            Authorization: Bearer <token>.",
            "primary": true,
        }],
        "meta": {
            "resourceType": "ServiceProviderConfig",
            "location": format!("{base}/ServiceProviderConfig"),
        },
    })
}

/// A list of discovery documents as a ListResponse.
pub fn list(resources: Vec<Value>) -> Value {
    json!({
        "schemas": [LIST_URN],
        "totalResults": resources.len(),
        "startIndex": 1,
        "itemsPerPage": resources.len(),
        "Resources": resources,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_whatever_their_case() {
        assert_eq!(
            attr(ResourceKind::User, "USERNAME").map(|a| a.name),
            Some("userName")
        );
        assert!(attr(ResourceKind::Group, "members").is_some_and(|a| a.multi));
        assert!(attr(ResourceKind::User, "members").is_none());
        assert!(attr(ResourceKind::User, "id").is_some_and(|a| a.read_only));
    }

    #[test]
    fn the_user_schema_requires_user_name_and_an_email() {
        let s = schema(ResourceKind::User, "https://x/scim/v2");
        let required: Vec<&str> = s["attributes"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a["required"] == json!(true))
            .filter_map(|a| a["name"].as_str())
            .collect();
        assert_eq!(required, vec!["userName", "emails"]);
    }
}

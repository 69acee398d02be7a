//! Bulk actions of the admin users list: Require MFA or Reset MFA for the
//! selected users, or for every user a filter matches.

use serde::{Deserialize, Serialize};

use crate::{AccountFilter, FactorKind, PeriodChoice, StatusFilter};

/// What a bulk action does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum BulkAction {
    /// Require MFA, with the period from today.
    Require,
    /// Remove every factor, end the sessions, and require MFA again.
    Reset,
}

/// Longest search text of a bulk filter, in characters.
pub const SEARCH_MAX_CHARS: usize = 254;
/// Longest user id accepted (ours are 36-character UUIDs).
pub const ID_MAX_CHARS: usize = 64;

/// A user's id: a string on the wire.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct UserId(pub String);

// By hand: the derive cannot put a length limit on a newtype's string.
#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for UserId {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .max_length(Some(ID_MAX_CHARS))
            .description(Some("A user's id."))
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for UserId {}

/// The users of a list filter (the same meaning as the list's query).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UserFilter {
    /// Start of an email or a name, in any case.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 254))]
    pub search: Option<String>,
    #[serde(default)]
    pub status: Option<StatusFilter>,
    #[serde(default)]
    pub required: Option<bool>,
    #[serde(default)]
    pub factor: Option<FactorKind>,
    /// Members of the group with this id (an unknown id matches nobody).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 64))]
    pub group: Option<String>,
    /// Only invited or only suspended accounts.
    #[serde(default)]
    pub account: Option<AccountFilter>,
}

/// Whom a bulk action is for: exactly one of `ids` and `filter`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BulkTarget {
    /// These users (ids), at most 300.
    Ids(Vec<UserId>),
    /// Every user the filter matches when the action runs.
    Filter(UserFilter),
}

/// A bulk action: the same body previews it and applies it.
// The form a client writes (it always states the period, `None` as `null`);
// the server reads the same JSON as `BulkInput`, which also tells an absent
// `period_days` from `null`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BulkRequest {
    pub action: BulkAction,
    /// 1–365 days; `null` means no period (set up at the next login);
    /// absent means the organisation's default period
    /// (`MfaSettings::default_period_days`).
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 365))]
    pub period_days: Option<u32>,
    pub target: BulkTarget,
}

/// [`BulkRequest`] as the server reads it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct BulkInput {
    pub action: BulkAction,
    #[serde(default)]
    pub period_days: PeriodChoice,
    pub target: BulkTarget,
}

impl From<BulkRequest> for BulkInput {
    fn from(r: BulkRequest) -> Self {
        BulkInput {
            action: r.action,
            period_days: r.period_days.into(),
            target: r.target,
        }
    }
}

/// A user the action leaves alone, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BulkSkip {
    pub email: String,
    pub reason: String,
}

/// What a bulk action will do (preview) or did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BulkOutcome {
    /// Users the action changes (or changed).
    pub changed: u32,
    /// Of those, users who lose an authenticator app (Reset only).
    pub lose_authenticator_app: u32,
    /// Of those, users who had no MFA requirement before.
    pub newly_required: u32,
    /// Users left alone (yourself, or someone who outranks you).
    pub skipped: Vec<BulkSkip>,
    /// The names of the first users it changes (at most
    /// [`BULK_NAMES_MAX`], by email), for a confirmation that says whom
    /// it is for; `changed` counts them all.
    #[serde(default)]
    pub names: Vec<String>,
}

/// Most names a [`BulkOutcome`] carries.
pub const BULK_NAMES_MAX: usize = 10;

// By hand, like the reader below: each form is an object with its one
// key and nothing else.
#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for BulkTarget {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{
            AdditionalProperties, ArrayBuilder, ObjectBuilder, OneOfBuilder,
        };
        let only = |name: &str, value: utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>| {
            ObjectBuilder::new()
                .property(name, value)
                .required(name)
                .additional_properties(Some(AdditionalProperties::FreeForm(false)))
        };
        let ids = ArrayBuilder::new()
            .items(<UserId as utoipa::PartialSchema>::schema())
            .min_items(Some(1))
            .max_items(Some(300))
            .description(Some("These users (ids): at least one, at most 300."));
        OneOfBuilder::new()
            .item(only("ids", ids.into()))
            .item(only(
                "filter",
                <UserFilter as utoipa::PartialSchema>::schema(),
            ))
            .description(Some(
                "Whom a bulk action is for: exactly one of `ids` and `filter`.",
            ))
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for BulkTarget {
    // The filter's schema names these by reference: the document must hold them.
    fn schemas(
        schemas: &mut Vec<(
            String,
            utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
        )>,
    ) {
        use utoipa::{PartialSchema, ToSchema};
        schemas.push((StatusFilter::name().into(), StatusFilter::schema()));
        schemas.push((FactorKind::name().into(), FactorKind::schema()));
        <UserFilter as ToSchema>::schemas(schemas);
    }
}

// By hand rather than derived: the derived code also takes a JSON array in
// place of an object (serde's sequence form of structs and variants), which
// the API's document does not allow and a client never means.
impl<'de> Deserialize<'de> for BulkTarget {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Target;
        impl<'de> serde::de::Visitor<'de> for Target {
            type Value = BulkTarget;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an object with either `ids` or `filter`")
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<BulkTarget, A::Error> {
                use serde::de::Error;
                const NAMES: &[&str] = &["ids", "filter"];
                let Some(key) = map.next_key::<String>()? else {
                    return Err(A::Error::custom("expected `ids` or `filter`"));
                };
                let target = match key.as_str() {
                    "ids" => BulkTarget::Ids(map.next_value()?),
                    "filter" => BulkTarget::Filter(map.next_value::<ObjectOnly<UserFilter>>()?.0),
                    other => return Err(A::Error::unknown_variant(other, NAMES)),
                };
                if map.next_key::<String>()?.is_some() {
                    return Err(A::Error::custom("expected only one of `ids` and `filter`"));
                }
                Ok(target)
            }
        }
        d.deserialize_map(Target)
    }
}

/// A struct read from a JSON object only (not from an array of its fields).
struct ObjectOnly<T>(T);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for ObjectOnly<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Object<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> serde::de::Visitor<'de> for Object<T> {
            type Value = T;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an object")
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
                T::deserialize(serde::de::value::MapAccessDeserializer::new(map))
            }
        }
        d.deserialize_map(Object(std::marker::PhantomData))
            .map(ObjectOnly)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_target_is_one_object_never_an_array() {
        let ids: BulkTarget = serde_json::from_str(r#"{"ids":["a","b"]}"#).unwrap();
        assert_eq!(
            ids,
            BulkTarget::Ids(vec![UserId("a".into()), UserId("b".into())])
        );
        let f: BulkTarget = serde_json::from_str(r#"{"filter":{"status":"none"}}"#).unwrap();
        assert_eq!(
            f,
            BulkTarget::Filter(UserFilter {
                status: Some(StatusFilter::None),
                ..UserFilter::default()
            })
        );
        for bad in [
            r#"["ids", []]"#,
            r#"{"filter":[]}"#,
            r#"{"filter":null}"#,
            r#"{"":{}}"#,
            r#"{}"#,
            r#"{"ids":[],"filter":{}}"#,
            r#"{"filter":{"colour":"red"}}"#,
        ] {
            assert!(serde_json::from_str::<BulkTarget>(bad).is_err(), "{bad}");
        }
        let back = serde_json::to_string(&f).unwrap();
        assert_eq!(serde_json::from_str::<BulkTarget>(&back).unwrap(), f);
    }

    #[test]
    fn the_period_is_absent_null_or_days() {
        let read = |period: &str| {
            let json = format!(r#"{{"action":"require",{period}"target":{{"ids":["a"]}}}}"#);
            serde_json::from_str::<BulkInput>(&json)
                .ok()
                .map(|r| r.period_days)
        };
        assert_eq!(read(""), Some(PeriodChoice::OrgDefault));
        assert_eq!(read(r#""period_days":null,"#), Some(PeriodChoice::NoPeriod));
        assert_eq!(read(r#""period_days":7.0,"#), Some(PeriodChoice::Days(7)));
        assert_eq!(read(r#""period_days":7.5,"#), None);
        // What a client writes reads back as what it meant.
        for days in [None, Some(30)] {
            let sent = BulkRequest {
                action: BulkAction::Reset,
                period_days: days,
                target: BulkTarget::Ids(vec![UserId("a".into())]),
            };
            let json = serde_json::to_string(&sent).unwrap();
            let back: BulkInput = serde_json::from_str(&json).unwrap();
            assert_eq!(back, BulkInput::from(sent), "{json}");
        }
    }
}

//! Booleans read back from either database.
//!
//! PostgreSQL answers a BOOLEAN column or an `EXISTS (…)` with a boolean;
//! SQLite has no boolean storage and answers the integers 0 and 1, which
//! sqlx's `Any` driver refuses to decode as `bool`. Worse, it refuses a
//! column *declared* BOOLEAN in SQLite outright, so queries read such a
//! column as `CAST(col AS INTEGER)` (an integer on both databases). Row
//! fields that are booleans decode through this type
//! (`#[sqlx(try_from = "Flag")]`), which takes either form.

use sqlx::any::{Any, AnyTypeInfo, AnyValueRef};
use sqlx::error::BoxDynError;
use sqlx::{Decode, Type};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Flag(pub bool);

impl From<Flag> for bool {
    fn from(f: Flag) -> bool {
        f.0
    }
}

impl Type<Any> for Flag {
    fn type_info() -> AnyTypeInfo {
        <bool as Type<Any>>::type_info()
    }

    fn compatible(ty: &AnyTypeInfo) -> bool {
        <bool as Type<Any>>::compatible(ty) || <i64 as Type<Any>>::compatible(ty)
    }
}

impl<'r> Decode<'r, Any> for Flag {
    fn decode(value: AnyValueRef<'r>) -> Result<Self, BoxDynError> {
        match <bool as Decode<Any>>::decode(value.clone()) {
            Ok(b) => Ok(Flag(b)),
            Err(_) => Ok(Flag(<i64 as Decode<Any>>::decode(value)? != 0)),
        }
    }
}

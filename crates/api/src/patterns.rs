//! Pieces of the patterns the API document publishes for addresses and
//! domains. Macros, not constants: `concat!` joins only literals, and each
//! pattern is one literal the server compiles and the document shows.

/// White space as Rust's `char::is_whitespace` sees it: what the server
/// trims around a value.
macro_rules! ws {
    () => {
        r"[\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*"
    };
}

/// A host name in ASCII: labels of letters, digits and inner hyphens, the
/// last one starting with a letter (so an IPv4 address is not one).
macro_rules! host_name {
    () => {
        r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*[A-Za-z](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    };
}

/// One number of an IPv4 address, 0 to 255, without leading zeros.
macro_rules! octet {
    () => {
        r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
    };
}

/// `:` and a port, 1 to 65535.
macro_rules! port {
    () => {
        r"(?::(?:6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[1-9][0-9]{0,3}))"
    };
}

pub(crate) use {host_name, octet, port, ws};

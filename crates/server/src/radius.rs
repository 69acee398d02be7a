//! The RADIUS server (RFC 2865, with RFC 3579's Message-Authenticator
//! required) for VPNs and network gear: `codec.rs` (packets, pure),
//! `clients.rs` (registered by administrators), `access.rs` (an
//! Access-Request answered: password, then a code or a push through an
//! Access-Challenge) and `listener.rs` (the UDP socket).

pub mod access;
pub mod clients;
pub mod codec;
pub mod listener;

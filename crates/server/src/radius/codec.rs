//! RADIUS packets (RFC 2865) and the Message-Authenticator (RFC 3579),
//! by hand: a packet is a code, an identifier, a length, a 16-byte
//! authenticator and type-length-value attributes. Pure: bytes in, bytes
//! out; anything malformed is an error, never a panic (a fuzz-style test
//! below feeds it garbage). MD5 is the protocol's, not a choice.

use hmac::{Hmac, Mac};
use md5::{Digest, Md5};

pub const ACCESS_REQUEST: u8 = 1;
pub const ACCESS_ACCEPT: u8 = 2;
pub const ACCESS_REJECT: u8 = 3;
pub const ACCESS_CHALLENGE: u8 = 11;

pub const USER_NAME: u8 = 1;
pub const USER_PASSWORD: u8 = 2;
pub const REPLY_MESSAGE: u8 = 18;
pub const STATE: u8 = 24;
pub const CALLING_STATION_ID: u8 = 31;
pub const MESSAGE_AUTHENTICATOR: u8 = 80;

const HEADER: usize = 20;
/// RFC 2865's largest packet.
pub const MAX_PACKET: usize = 4096;

/// Why a packet is dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Malformed {
    /// Shorter than a header, longer than 4096, or its length field lies.
    Length,
    /// An attribute runs past the end or is shorter than its header.
    Attribute,
    /// Not an Access-Request (the only packet a server is sent).
    Code,
    /// No Message-Authenticator, or a wrong one (RFC 3579; BlastRADIUS).
    Authenticator,
    /// A User-Password that is not a multiple of 16 bytes, up to 128.
    Password,
}

/// A packet as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Packet {
    pub code: u8,
    pub id: u8,
    pub authenticator: [u8; 16],
    pub attributes: Vec<(u8, Vec<u8>)>,
}

impl Packet {
    /// The first attribute of a type.
    pub fn get(&self, kind: u8) -> Option<&[u8]> {
        self.attributes
            .iter()
            .find(|(k, _)| *k == kind)
            .map(|(_, v)| v.as_slice())
    }

    /// A text attribute, if valid UTF-8.
    pub fn text(&self, kind: u8) -> Option<&str> {
        self.get(kind).and_then(|v| std::str::from_utf8(v).ok())
    }
}

/// Reads a packet's structure (no secret needed yet: the sender's address
/// picks the secret).
pub fn parse(bytes: &[u8]) -> Result<Packet, Malformed> {
    if bytes.len() < HEADER || bytes.len() > MAX_PACKET {
        return Err(Malformed::Length);
    }
    let length = usize::from(u16::from_be_bytes([bytes[2], bytes[3]]));
    // Octets past the length field are padding (ignored, RFC 2865 section 3); a
    // length past what arrived is a lie.
    if !(HEADER..=bytes.len()).contains(&length) {
        return Err(Malformed::Length);
    }
    let mut authenticator = [0u8; 16];
    authenticator.copy_from_slice(&bytes[4..HEADER]);
    let mut attributes = Vec::new();
    let mut at = HEADER;
    while at < length {
        let (Some(&kind), Some(&len)) = (bytes.get(at), bytes.get(at + 1)) else {
            return Err(Malformed::Attribute);
        };
        let len = usize::from(len);
        if len < 2 || at + len > length {
            return Err(Malformed::Attribute);
        }
        attributes.push((kind, bytes[at + 2..at + len].to_vec()));
        at += len;
    }
    Ok(Packet {
        code: bytes[0],
        id: bytes[1],
        authenticator,
        attributes,
    })
}

fn hmac_md5(secret: &[u8], parts: &[&[u8]]) -> [u8; 16] {
    // HMAC takes a key of any length: `new_from_slice` cannot fail here.
    let mut mac = match Hmac::<Md5>::new_from_slice(secret) {
        Ok(m) => m,
        Err(_) => return [0; 16],
    };
    for p in parts {
        mac.update(p);
    }
    mac.finalize().into_bytes().into()
}

/// Checks an Access-Request's Message-Authenticator (required: a request
/// without one is dropped, which closes BlastRADIUS) against `secret`.
pub fn check_request(bytes: &[u8], packet: &Packet, secret: &[u8]) -> Result<(), Malformed> {
    if packet.code != ACCESS_REQUEST {
        return Err(Malformed::Code);
    }
    let length = usize::from(u16::from_be_bytes([bytes[2], bytes[3]]));
    let bytes = &bytes[..length];
    // Find the attribute in the raw bytes: the HMAC is over the packet
    // with its value zeroed.
    let mut at = HEADER;
    let mut found = None;
    while at + 2 <= bytes.len() {
        let len = usize::from(bytes[at + 1]);
        if bytes[at] == MESSAGE_AUTHENTICATOR {
            if len != 18 || found.is_some() {
                return Err(Malformed::Authenticator);
            }
            found = Some(at + 2);
        }
        at += len.max(2);
    }
    let Some(value_at) = found else {
        return Err(Malformed::Authenticator);
    };
    let mut zeroed = bytes.to_vec();
    zeroed[value_at..value_at + 16].fill(0);
    let want = hmac_md5(secret, &[&zeroed]);
    let got = &bytes[value_at..value_at + 16];
    if constant_time_eq(&want, got) {
        Ok(())
    } else {
        Err(Malformed::Authenticator)
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The User-Password, hidden with the secret and the request's
/// authenticator (RFC 2865 section 5.2), in clear; trailing NULs dropped.
pub fn reveal_password(
    hidden: &[u8],
    secret: &[u8],
    authenticator: &[u8; 16],
) -> Result<Vec<u8>, Malformed> {
    // Some clients send an empty answer to a challenge as an empty
    // attribute rather than 16 octets of padding: the same answer.
    if hidden.len() % 16 != 0 || hidden.len() > 128 {
        return Err(Malformed::Password);
    }
    let mut clear = Vec::with_capacity(hidden.len());
    let mut previous: &[u8] = authenticator;
    for chunk in hidden.chunks(16) {
        let b = Md5::new()
            .chain_update(secret)
            .chain_update(previous)
            .finalize();
        clear.extend(chunk.iter().zip(b.iter()).map(|(c, k)| c ^ k));
        previous = chunk;
    }
    while clear.last() == Some(&0) {
        clear.pop();
    }
    Ok(clear)
}

/// Hides a password as a client does (for the tests and the benchmark).
pub fn hide_password(clear: &[u8], secret: &[u8], authenticator: &[u8; 16]) -> Vec<u8> {
    let mut padded = clear.to_vec();
    let len = padded.len().div_ceil(16).max(1) * 16;
    padded.resize(len, 0);
    let mut out: Vec<u8> = Vec::with_capacity(len);
    for (i, chunk) in padded.chunks(16).enumerate() {
        let previous: &[u8] = if i == 0 {
            authenticator
        } else {
            &out[(i - 1) * 16..i * 16]
        };
        let b = Md5::new()
            .chain_update(secret)
            .chain_update(previous)
            .finalize();
        let c: Vec<u8> = chunk.iter().zip(b.iter()).map(|(p, k)| p ^ k).collect();
        out.extend(c);
    }
    out
}

/// An answer to `request`: Message-Authenticator first (RFC 3579; the
/// BlastRADIUS fix), then `attributes`, then the Response Authenticator
/// over it all.
pub fn answer(code: u8, request: &Packet, attributes: &[(u8, Vec<u8>)], secret: &[u8]) -> Vec<u8> {
    let mut body: Vec<u8> = vec![MESSAGE_AUTHENTICATOR, 18];
    body.extend([0u8; 16]);
    for (kind, value) in attributes {
        // A text longer than one attribute holds goes in several (253
        // octets each), as RFC 2865 allows for Reply-Message.
        for part in value.chunks(253) {
            body.push(*kind);
            body.push(u8::try_from(part.len() + 2).unwrap_or(255));
            body.extend(part);
        }
    }
    let length = u16::try_from(HEADER + body.len()).unwrap_or(u16::MAX);
    let mut packet = vec![code, request.id];
    packet.extend(length.to_be_bytes());
    packet.extend(request.authenticator);
    packet.extend(&body);
    packet.truncate(MAX_PACKET);
    let mac = hmac_md5(secret, &[&packet]);
    packet[HEADER + 2..HEADER + 18].copy_from_slice(&mac);
    let response = Md5::new()
        .chain_update(&packet)
        .chain_update(secret)
        .finalize();
    packet[4..HEADER].copy_from_slice(&response);
    packet
}

/// An Access-Request as a client builds it (tests and the benchmark).
pub fn request(
    id: u8,
    authenticator: [u8; 16],
    attributes: &[(u8, Vec<u8>)],
    secret: &[u8],
) -> Vec<u8> {
    let mut body: Vec<u8> = Vec::new();
    for (kind, value) in attributes {
        body.push(*kind);
        body.push(u8::try_from(value.len() + 2).unwrap_or(255));
        body.extend(value);
    }
    body.extend([MESSAGE_AUTHENTICATOR, 18]);
    let ma_at = HEADER + body.len();
    body.extend([0u8; 16]);
    let length = u16::try_from(HEADER + body.len()).unwrap_or(u16::MAX);
    let mut packet = vec![ACCESS_REQUEST, id];
    packet.extend(length.to_be_bytes());
    packet.extend(authenticator);
    packet.extend(body);
    let mac = hmac_md5(secret, &[&packet]);
    packet[ma_at..ma_at + 16].copy_from_slice(&mac);
    packet
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"testing123";
    const AUTH: [u8; 16] = [7; 16];

    #[test]
    fn a_request_round_trips_and_its_password_is_revealed() {
        let hidden = hide_password(b"correct horse battery staple", SECRET, &AUTH);
        assert_eq!(hidden.len(), 32);
        let bytes = request(
            9,
            AUTH,
            &[
                (USER_NAME, b"ivan".to_vec()),
                (USER_PASSWORD, hidden.clone()),
            ],
            SECRET,
        );
        let p = parse(&bytes).unwrap();
        assert_eq!((p.code, p.id), (ACCESS_REQUEST, 9));
        assert_eq!(p.text(USER_NAME), Some("ivan"));
        check_request(&bytes, &p, SECRET).unwrap();
        assert_eq!(
            check_request(&bytes, &p, b"another"),
            Err(Malformed::Authenticator)
        );
        let clear = reveal_password(p.get(USER_PASSWORD).unwrap(), SECRET, &p.authenticator);
        assert_eq!(clear.unwrap(), b"correct horse battery staple");
    }

    #[test]
    fn a_request_without_message_authenticator_is_refused() {
        let mut bytes = vec![ACCESS_REQUEST, 1, 0, 26];
        bytes.extend(AUTH);
        bytes.extend([USER_NAME, 6, b'i', b'v', b'a', b'n']);
        let p = parse(&bytes).unwrap();
        assert_eq!(
            check_request(&bytes, &p, SECRET),
            Err(Malformed::Authenticator)
        );
    }

    #[test]
    fn an_answer_carries_both_authenticators() {
        let req = parse(&request(3, AUTH, &[(USER_NAME, b"a".to_vec())], SECRET)).unwrap();
        let bytes = answer(
            ACCESS_ACCEPT,
            &req,
            &[(REPLY_MESSAGE, b"hi".to_vec())],
            SECRET,
        );
        let p = parse(&bytes).unwrap();
        assert_eq!((p.code, p.id), (ACCESS_ACCEPT, 3));
        // The response authenticator: MD5 over the packet with the
        // request's authenticator in its place, then the secret.
        let mut check = bytes.clone();
        check[4..20].copy_from_slice(&AUTH);
        let want = Md5::new()
            .chain_update(&check)
            .chain_update(SECRET)
            .finalize();
        assert_eq!(&bytes[4..20], want.as_slice());
        // The Message-Authenticator: HMAC over it with that field zeroed.
        check[22..38].fill(0);
        assert_eq!(&bytes[22..38], &hmac_md5(SECRET, &[&check]));
        assert_eq!(p.text(REPLY_MESSAGE), Some("hi"));
    }

    #[test]
    fn malformed_packets_are_errors() {
        assert_eq!(parse(&[1; 10]), Err(Malformed::Length));
        let mut lying = vec![ACCESS_REQUEST, 1, 0, 200];
        lying.extend(AUTH);
        assert_eq!(parse(&lying), Err(Malformed::Length));
        let mut bad_attr = vec![ACCESS_REQUEST, 1, 0, 23];
        bad_attr.extend(AUTH);
        bad_attr.extend([USER_NAME, 9, b'x']);
        assert_eq!(parse(&bad_attr), Err(Malformed::Attribute));
        assert_eq!(
            reveal_password(&[1; 15], SECRET, &AUTH),
            Err(Malformed::Password)
        );
        assert_eq!(parse(&vec![0; MAX_PACKET + 1]), Err(Malformed::Length));
    }

    /// Garbage and mutations of a valid packet never panic (a fuzz test
    /// run by `cargo test`: a seeded generator, so every run is the same).
    #[test]
    fn garbage_never_panics() {
        let valid = request(
            1,
            AUTH,
            &[(USER_NAME, b"ivan".to_vec()), (USER_PASSWORD, vec![1; 16])],
            SECRET,
        );
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for round in 0..200_000u32 {
            let mut bytes = if round % 2 == 0 {
                valid.clone()
            } else {
                let len = usize::try_from(next() % 80).unwrap();
                (0..len).map(|_| (next() & 0xff) as u8).collect()
            };
            for _ in 0..(next() % 4) {
                if bytes.is_empty() {
                    break;
                }
                let at = usize::try_from(next() % bytes.len() as u64).unwrap();
                bytes[at] = (next() & 0xff) as u8;
            }
            if let Ok(p) = parse(&bytes) {
                let _ = check_request(&bytes, &p, SECRET);
                if let Some(pw) = p.get(USER_PASSWORD) {
                    let _ = reveal_password(pw, SECRET, &p.authenticator);
                }
                let _ = answer(
                    ACCESS_REJECT,
                    &p,
                    &[(REPLY_MESSAGE, vec![b'x'; 600])],
                    SECRET,
                );
            }
        }
    }
}

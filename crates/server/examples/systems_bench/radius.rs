//! The RADIUS client's side: an Access-Request built with the server's
//! own codec (the password hidden, a Message-Authenticator), sent over
//! UDP, the answer read.

use std::net::UdpSocket;

use anyhow::Context;
use portcullis_server::radius::codec;
use rand_core::{OsRng, RngCore};

pub const ACCEPT: u8 = codec::ACCESS_ACCEPT;
pub const CHALLENGE: u8 = codec::ACCESS_CHALLENGE;

#[derive(Debug)]
pub struct Reply {
    pub code: u8,
    pub state: Option<Vec<u8>>,
    pub message: Option<String>,
}

/// One Access-Request for `user` with `password` (and the challenge's
/// `state`), from a user at `station` (Calling-Station-Id, as a VPN sends
/// the address its user connects from), and its answer.
pub fn ask(
    socket: &UdpSocket,
    target: &str,
    secret: &str,
    user: &str,
    password: &str,
    state: Option<&[u8]>,
    station: &str,
) -> anyhow::Result<Reply> {
    let mut authenticator = [0u8; 16];
    OsRng.fill_bytes(&mut authenticator);
    let hidden = codec::hide_password(password.as_bytes(), secret.as_bytes(), &authenticator);
    let mut attributes = vec![
        (codec::USER_NAME, user.as_bytes().to_vec()),
        (codec::USER_PASSWORD, hidden),
        (codec::CALLING_STATION_ID, station.as_bytes().to_vec()),
    ];
    if let Some(s) = state {
        attributes.push((codec::STATE, s.to_vec()));
    }
    let id = u8::try_from(OsRng.next_u32() & 0xff).unwrap_or(0);
    let packet = codec::request(id, authenticator, &attributes, secret.as_bytes());
    socket.send_to(&packet, target)?;
    let mut buf = [0u8; 4096];
    let (n, _) = socket.recv_from(&mut buf).context("no RADIUS answer")?;
    let answer = codec::parse(&buf[..n]).map_err(|e| anyhow::anyhow!("{e:?}"))?;
    Ok(Reply {
        code: answer.code,
        state: answer.get(codec::STATE).map(<[u8]>::to_vec),
        message: answer.text(codec::REPLY_MESSAGE).map(str::to_string),
    })
}

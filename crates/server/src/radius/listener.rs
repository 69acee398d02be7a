//! The RADIUS server's socket (`--radius-listen`, UDP): each datagram is
//! answered on its own task, at most `MAX_AT_ONCE` at a time (more are
//! dropped, as a busy server's are: the client sends again).

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::UdpSocket;
use tokio::sync::Semaphore;

use super::access;
use super::codec::MAX_PACKET;
use crate::app::AppState;

const MAX_AT_ONCE: usize = 256;

/// Binds `addr`; the loop answering it, to spawn.
pub async fn bind(addr: SocketAddr) -> std::io::Result<Arc<UdpSocket>> {
    Ok(Arc::new(UdpSocket::bind(addr).await?))
}

/// Answers datagrams until the process ends.
pub async fn serve(state: AppState, socket: Arc<UdpSocket>) {
    let permits = Arc::new(Semaphore::new(MAX_AT_ONCE));
    // One byte more than a packet may have: a longer datagram is seen as
    // such (and dropped), not cut to size.
    let mut buf = vec![0u8; MAX_PACKET + 1];
    loop {
        let (n, from) = match socket.recv_from(&mut buf).await {
            Ok(got) => got,
            Err(e) => {
                tracing::warn!(error = %e, "RADIUS: receive failed");
                continue;
            }
        };
        let Ok(permit) = permits.clone().try_acquire_owned() else {
            continue;
        };
        let bytes = buf[..n].to_vec();
        let (state, socket) = (state.clone(), socket.clone());
        tokio::spawn(async move {
            if let Some(reply) = access::answer(&state, &bytes, from).await {
                if let Err(e) = socket.send_to(&reply, from).await {
                    tracing::warn!(error = %e, "RADIUS: send failed");
                }
            }
            drop(permit);
        });
    }
}

//! What the end-to-end tests share with each other and with the tests of
//! the prebuilt checks: servers, in this process or another, a client, the
//! services' addresses and a proxy. The end-to-end tests themselves are in `tests/`.

pub use child::ChildServer;
pub use client::HttpClient;
pub use servers::{HELLO, Servers, serve_actix, serve_axum, serve_warp};
pub use services::{host_port, redirect, service};

mod child;
mod client;
mod servers;
mod services;

use std::{io, net::SocketAddr};

use tokio::{
    net::{TcpListener, TcpStream},
    sync::{mpsc, oneshot},
    task::{JoinHandle, JoinSet},
};

/// A TCP proxy owned by a test, standing between an application and a real
/// service, so that the test can cause an outage of the service without
/// touching it: [`cut`](Self::cut) closes every connection and refuses new
/// ones, [`restore`](Self::restore) forwards again, on the same address.
pub struct Proxy {
    address: SocketAddr,
    commands: mpsc::Sender<(Command, oneshot::Sender<()>)>,
    task: JoinHandle<()>,
}

#[derive(Clone, Copy)]
enum Command {
    Cut,
    Restore,
}

impl Proxy {
    /// Starts forwarding a port of 127.0.0.1 to `upstream` (`host:port`).
    pub async fn start(upstream: impl Into<String>) -> io::Result<Self> {
        let upstream = upstream.into();
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let address = listener.local_addr()?;
        let (commands, mut received) = mpsc::channel::<(Command, oneshot::Sender<()>)>(1);

        let task = tokio::spawn(async move {
            let mut connections = JoinSet::new();
            let mut forwarding = true;
            loop {
                tokio::select! {
                    command = received.recv() => {
                        let Some((command, done)) = command else { break };
                        match command {
                            Command::Cut => {
                                forwarding = false;
                                connections.shutdown().await;
                            }
                            Command::Restore => forwarding = true,
                        }
                        let _ = done.send(());
                    }
                    accepted = listener.accept() => {
                        // While cut, a connection is closed as soon as it
                        // is accepted, as by a service that went away.
                        let Ok((mut inbound, _)) = accepted else { continue };
                        if !forwarding {
                            continue;
                        }
                        let upstream = upstream.clone();
                        connections.spawn(async move {
                            if let Ok(mut outbound) = TcpStream::connect(upstream).await {
                                let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound)
                                    .await;
                            }
                        });
                    }
                    Some(_) = connections.join_next(), if !connections.is_empty() => {}
                }
            }
        });

        Ok(Self {
            address,
            commands,
            task,
        })
    }

    /// Where clients connect.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Closes every live connection and refuses new ones; when this
    /// returns, every connection is closed.
    pub async fn cut(&self) {
        self.send(Command::Cut).await;
    }

    /// Forwards new connections again.
    pub async fn restore(&self) {
        self.send(Command::Restore).await;
    }

    async fn send(&self, command: Command) {
        let (done, acknowledged) = oneshot::channel();
        self.commands
            .send((command, done))
            .await
            .expect("the proxy runs until dropped");
        acknowledged.await.expect("the proxy acknowledges");
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        // Aborting the task drops its listener and its connections.
        self.task.abort();
    }
}

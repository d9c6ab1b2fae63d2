//! A server in a process of its own.

use std::{
    io::{self, BufRead, BufReader},
    net::SocketAddr,
    process::{Child, Command, Stdio},
};

/// A server running in a child process, killed when this is dropped.
pub struct ChildServer {
    child: Child,
    address: SocketAddr,
}

impl ChildServer {
    /// Starts `command`, whose first line on standard output must be
    /// `listening on http://<address>`. The rest of its output is read and
    /// dropped, so that the server never blocks on a full pipe nor stops on
    /// a closed one.
    pub fn start(mut command: Command) -> Self {
        let program = format!("{:?}", command.get_program());
        let mut child = command
            .stdout(Stdio::piped())
            .spawn()
            .unwrap_or_else(|error| panic!("{program} starts: {error}"));

        let mut stdout = BufReader::new(child.stdout.take().expect("a piped stdout"));
        let mut line = String::new();
        stdout
            .read_line(&mut line)
            .expect("the server's first line");
        std::thread::spawn(move || io::copy(&mut stdout, &mut io::sink()));

        let address = line
            .trim()
            .strip_prefix("listening on http://")
            .and_then(|address| address.parse().ok());
        let Some(address) = address else {
            let _ = child.kill();
            panic!("{program} said {line:?}, not where it listens");
        };
        Self { child, address }
    }

    /// Where the server listens.
    pub fn address(&self) -> SocketAddr {
        self.address
    }
}

impl Drop for ChildServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

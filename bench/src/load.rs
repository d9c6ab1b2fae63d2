//! Driving servers: starting them as child processes, loading them with
//! `wrk`, and reading their memory.

use std::{
    fs,
    io::{BufRead, BufReader, Read, Write},
    net::TcpStream,
    process::{Child, Command, Stdio},
    time::Duration,
};

use crate::server::{Framework, Variant};

/// A server running in a child process; stopped when dropped.
pub(crate) struct Server {
    child: Child,
    port: u16,
}

impl Server {
    /// Starts `heartbeat-bench serve <framework> <variant>` and waits for
    /// the port it listens on.
    pub(crate) fn spawn(framework: Framework, variant: Variant) -> Result<Self, String> {
        let exe = std::env::current_exe().map_err(|e| format!("cannot find myself: {e}"))?;
        let mut child = Command::new(exe)
            .args(["serve", framework.name(), variant.name()])
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start the {framework} server: {e}"))?;

        let mut line = String::new();
        let stdout = child.stdout.take().expect("piped stdout");
        BufReader::new(stdout)
            .read_line(&mut line)
            .map_err(|e| format!("the {framework} server said nothing: {e}"))?;
        let port = line
            .trim()
            .strip_prefix("listening on ")
            .and_then(|port| port.parse().ok())
            .ok_or_else(|| format!("the {framework} server said {line:?}, not its port"))?;
        Ok(Self { child, port })
    }

    /// Starts an example service, built by [`build_examples`], on a free
    /// port, with its embedded database.
    pub(crate) fn example(framework: Framework) -> Result<Self, String> {
        let package = format!("example-{framework}");
        let exe = std::env::current_exe().map_err(|e| format!("cannot find myself: {e}"))?;
        let binary = exe.with_file_name(&package);

        let mut child = Command::new(&binary)
            .env("PORT", "0")
            .env("HOST", "127.0.0.1")
            .env("RUST_LOG", "warn")
            .env_remove("DATABASE_URL")
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", binary.display()))?;
        let mut stdout = BufReader::new(child.stdout.take().expect("piped stdout"));
        let mut line = String::new();
        stdout
            .read_line(&mut line)
            .map_err(|e| format!("{package} said nothing: {e}"))?;
        // The service prints more; a closed pipe would stop it.
        std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
        let port = line
            .trim()
            .rsplit_once(':')
            .and_then(|(_, port)| port.parse().ok())
            .ok_or_else(|| format!("{package} said {line:?}, not its address"))?;
        Ok(Self { child, port })
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// The body of a GET, over a plain HTTP/1.0 connection.
    pub(crate) fn get(&self, path: &str) -> Result<String, String> {
        let answer = self.raw_get(path)?;
        answer
            .split_once("\r\n\r\n")
            .map(|(_, body)| body.to_owned())
            .ok_or_else(|| format!("no body in the answer to {path}"))
    }

    fn raw_get(&self, path: &str) -> Result<String, String> {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port))
            .map_err(|e| format!("cannot connect to port {}: {e}", self.port))?;
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .map_err(|e| e.to_string())?;
        write!(stream, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
            .map_err(|e| e.to_string())?;
        let mut answer = String::new();
        stream
            .read_to_string(&mut answer)
            .map_err(|e| format!("reading the answer to {path}: {e}"))?;
        Ok(answer)
    }

    /// The server's resident memory, from `/proc`.
    pub(crate) fn resident_kib(&self) -> Result<u64, String> {
        let status = fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .map_err(|e| format!("cannot read the server's memory (Linux only): {e}"))?;
        status
            .lines()
            .find_map(|line| line.strip_prefix("VmRSS:"))
            .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
            .ok_or_else(|| "no VmRSS line in /proc/<pid>/status".to_owned())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Builds the example services in release mode, beside this binary.
pub(crate) fn build_examples() -> Result<(), String> {
    let mut build = Command::new(env!("CARGO"));
    build.args(["build", "--release", "--quiet"]);
    for framework in Framework::ALL {
        build.args(["--package", &format!("example-{framework}")]);
    }
    let built = build
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if built.success() {
        Ok(())
    } else {
        Err("cannot build the example services (see cargo's output above)".into())
    }
}

/// Checks that two servers answer a path with the same status line and
/// headers that matter, and bodies of about the same length (a check's
/// duration takes a digit more or less from one run to the next), so that
/// the comparison is fair.
pub(crate) fn same_answer(ours: &Server, theirs: &Server, path: &str) -> Result<(), String> {
    let shape = |server: &Server| -> Result<(String, usize, Vec<String>), String> {
        let answer = server.raw_get(path)?;
        let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
        let mut lines = head.lines();
        let status = lines.next().unwrap_or_default().to_owned();
        let mut headers: Vec<String> = lines
            .map(str::to_ascii_lowercase)
            .filter(|line| line.starts_with("content-type") || line.starts_with("cache-control"))
            .collect();
        headers.sort();
        Ok((status, body.len(), headers))
    };
    let (ours, theirs) = (shape(ours)?, shape(theirs)?);
    if ours.0 == theirs.0 && ours.2 == theirs.2 && ours.1.abs_diff(theirs.1) <= 8 {
        Ok(())
    } else {
        Err(format!(
            "the bare handler does not answer like the heartbeat: {ours:?} vs {theirs:?}"
        ))
    }
}

/// What `wrk` measured.
pub(crate) struct Load {
    pub(crate) requests: u64,
    pub(crate) per_second: f64,
}

pub(crate) fn wrk_version() -> Result<(), String> {
    match Command::new("wrk").arg("--version").output() {
        Ok(_) => Ok(()),
        Err(_) => {
            Err("wrk is not installed; install it (`apt-get install wrk`) and run again".into())
        }
    }
}

/// Runs `wrk` with one thread and `connections` connections.
pub(crate) fn wrk(url: &str, connections: u32, duration: Duration) -> Result<Load, String> {
    let output = Command::new("wrk")
        .args([
            "-t1",
            &format!("-c{connections}"),
            &format!("-d{}s", duration.as_secs().max(1)),
            url,
        ])
        .output()
        .map_err(|e| format!("cannot run wrk: {e}"))?;
    let text = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        return Err(format!("wrk failed: {text}"));
    }
    if let Some(line) = text.lines().find(|line| line.contains("Non-2xx or 3xx")) {
        return Err(format!(
            "the server answered errors under load: {}",
            line.trim()
        ));
    }

    let requests = text
        .lines()
        .find_map(|line| line.trim().split_once(" requests in "))
        .and_then(|(count, _)| count.parse().ok());
    let per_second = text
        .lines()
        .find_map(|line| line.strip_prefix("Requests/sec:"))
        .and_then(|value| value.trim().parse().ok());
    match (requests, per_second) {
        (Some(requests), Some(per_second)) => Ok(Load {
            requests,
            per_second,
        }),
        _ => Err(format!("cannot read wrk's figures in {text:?}")),
    }
}

/// The median of some measurements.
pub(crate) fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    let middle = values.len() / 2;
    if values.len() % 2 == 0 {
        (values[middle - 1] + values[middle]) / 2.0
    } else {
        values[middle]
    }
}

//! A private D-Bus session bus for end-to-end tests (`tests/e2e_mpris.rs`):
//! `dbus-daemon` in a folder of the test's, listening on a socket there,
//! with no service folders (so nothing is started on demand: the window's
//! accessibility layer finds no AT-SPI bus and leaves no launcher behind).
//! Dropping it stops the daemon. Nothing here touches the user's own bus:
//! clients get this bus's address in `DBUS_SESSION_BUS_ADDRESS`.
//!
//! It needs `dbus-daemon` (package dbus).

#![allow(dead_code)]

use std::ffi::OsString;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command as Process, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use crate::desktop::Guarded;

/// How long the daemon may take to say where it listens.
const START_TIMEOUT: Duration = Duration::from_secs(15);

/// A running private session bus.
pub struct SessionBus {
    daemon: Guarded,
    /// Its address, as `DBUS_SESSION_BUS_ADDRESS` takes it.
    pub address: String,
}

impl SessionBus {
    /// Starts `dbus-daemon` with its socket, configuration and log in `dir`.
    pub fn start(dir: &Path) -> SessionBus {
        let socket = dir.join("bus");
        let config = dir.join("session.conf");
        std::fs::write(
            &config,
            format!(
                r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path={}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"#,
                socket.display()
            ),
        )
        .unwrap_or_else(|e| panic!("cannot write {}: {e}", config.display()));
        let log = dir.join("dbus.log");
        let mut child = Process::new("dbus-daemon")
            .arg(format!("--config-file={}", config.display()))
            .args(["--nofork", "--print-address=1"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(File::create(&log).expect("a log file in the temp dir"))
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start dbus-daemon ({e}): install dbus"));
        let stdout = child.stdout.take().expect("dbus-daemon's stdout was piped");
        let mut daemon = Guarded::new("dbus-daemon", child, log);
        let (sender, receiver) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = sender.send(line);
        });
        let address = receiver
            .recv_timeout(START_TIMEOUT)
            .ok()
            .map(|line| line.trim().to_string())
            .filter(|line| !line.is_empty());
        let Some(address) = address else {
            daemon.assert_running();
            panic!(
                "dbus-daemon did not say where it listens within {START_TIMEOUT:?}; its log:\n{}",
                daemon.log_text()
            );
        };
        SessionBus { daemon, address }
    }

    /// The environment a client needs to use this bus.
    pub fn client_env(&self) -> Vec<(&'static str, OsString)> {
        vec![("DBUS_SESSION_BUS_ADDRESS", self.address.clone().into())]
    }

    /// Panics with its log if the daemon has exited.
    pub fn assert_running(&mut self) {
        self.daemon.assert_running();
    }
}

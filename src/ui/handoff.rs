//! The window's end of [`crate::instance`]: requests handed over by an
//! `earmark` started while this window runs arrive here from the listener's
//! thread, and the window is woken and asked to come to the front for each.
//! What to open is the window's business (`EarmarkApp::open_paths`, the
//! same as for dropped files); this module only carries and raises.

use std::sync::mpsc::{self, Receiver};

use eframe::egui;

use crate::instance::{Listener, Request, Serving};

/// Requests from other `earmark` processes, waiting for the next frame.
pub struct Incoming {
    requests: Receiver<Request>,
    /// Asked the system for the user's attention, to clear once focused.
    attention_asked: bool,
    /// Keeps the socket while the window lives.
    _serving: Serving,
}

impl Incoming {
    /// Starts answering on `listener`'s thread: each request is queued for
    /// the window and wakes it.
    pub fn serve(listener: Listener, ctx: egui::Context) -> std::io::Result<Incoming> {
        Incoming::serve_with(listener, move || ctx.request_repaint())
    }

    /// [`Incoming::serve`] with any way to wake the window (tests).
    pub fn serve_with(
        listener: Listener,
        wake: impl Fn() + Send + 'static,
    ) -> std::io::Result<Incoming> {
        let (tx, requests) = mpsc::channel();
        let serving = listener.serve(move |request| {
            tx.send(request)
                .map_err(|_| "the window is closing".to_owned())?;
            wake();
            Ok(())
        })?;
        Ok(Incoming {
            requests,
            attention_asked: false,
            _serving: serving,
        })
    }

    /// The requests that came since the last frame. For each, the window is
    /// brought back from the dock and asked to take the focus; a desktop
    /// that refuses to hand over the focus (focus stealing prevention)
    /// marks it as wanting attention instead, cleared once it has the focus.
    pub fn take(&mut self, ctx: &egui::Context) -> Vec<Request> {
        let requests: Vec<Request> = self.requests.try_iter().collect();
        if !requests.is_empty() {
            ctx.send_viewport_cmd(egui::ViewportCommand::Minimized(false));
            ctx.send_viewport_cmd(egui::ViewportCommand::Focus);
            ctx.send_viewport_cmd(egui::ViewportCommand::RequestUserAttention(
                egui::UserAttentionType::Informational,
            ));
            self.attention_asked = true;
        } else if self.attention_asked && ctx.input(|i| i.focused) {
            ctx.send_viewport_cmd(egui::ViewportCommand::RequestUserAttention(
                egui::UserAttentionType::Reset,
            ));
            self.attention_asked = false;
        }
        requests
    }
}

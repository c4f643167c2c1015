//! The window's end of [`crate::instance`]: requests handed over by an
//! `earmark` started while this window runs arrive here from the listener's
//! thread, and the window is woken and asked to come to the front for each.
//! Other sources in this process queue theirs the same way through
//! [`Incoming::sender`] (macOS: the documents Finder asks to open,
//! `super::macos_open`), even before the window exists.
//! What to open is the window's business (`EarmarkApp::open_paths`, the
//! same as for dropped files); this module only carries and raises.

use std::sync::mpsc::{self, Receiver, Sender};

use eframe::egui;

use crate::instance::{Listener, Request, Serving};

/// Requests from other `earmark` processes (and other sources in this
/// one), waiting for the next frame.
pub struct Incoming {
    requests: Receiver<Request>,
    /// The queue's own way in, cloned for each source.
    sender: Sender<Request>,
    /// Asked the system for the user's attention, to clear once focused.
    attention_asked: bool,
    /// Keeps the socket while the window lives, once answering on one.
    _serving: Option<Serving>,
}

impl Default for Incoming {
    fn default() -> Incoming {
        let (sender, requests) = mpsc::channel();
        Incoming {
            requests,
            sender,
            attention_asked: false,
            _serving: None,
        }
    }
}

impl Incoming {
    /// A queue nothing feeds yet: see [`Incoming::sender`] and
    /// [`Incoming::answer_on`].
    pub fn new() -> Incoming {
        Incoming::default()
    }

    /// A way in for requests from elsewhere in this process: each is
    /// opened as if another `earmark` had handed it over. The sender wakes
    /// the window itself; a request sent before the window exists waits
    /// for [`Incoming::take_waiting`] or the first frame.
    pub fn sender(&self) -> Sender<Request> {
        self.sender.clone()
    }

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
        let mut incoming = Incoming::new();
        incoming.answer_on(listener, wake)?;
        Ok(incoming)
    }

    /// Also answers on `listener`'s thread: each request is queued for the
    /// window, which `wake` wakes. On an error nothing changes (the
    /// listener, and with it the lock, is dropped).
    pub fn answer_on(
        &mut self,
        listener: Listener,
        wake: impl Fn() + Send + 'static,
    ) -> std::io::Result<()> {
        let tx = self.sender.clone();
        let serving = listener.serve(move |request| {
            tx.send(request)
                .map_err(|_| "the window is closing".to_owned())?;
            wake();
            Ok(())
        })?;
        self._serving = Some(serving);
        Ok(())
    }

    /// The oldest request waiting, if any, without raising the window: for
    /// a window about to open, which opens it instead of the last episode
    /// (macOS: the document Finder launched Earmark to open).
    pub fn take_waiting(&mut self) -> Option<Request> {
        self.requests.try_recv().ok()
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

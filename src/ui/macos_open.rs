//! macOS: documents opened from Finder (a double-click, Open With, a file
//! dropped on the Dock icon, `open FILE`) reach Earmark. macOS does not
//! pass them in `argv`: it sends the application an Apple Event, "open
//! documents" (`kCoreEventClass`/`kAEOpenDocuments`, `'aevt'`/`'odoc'`),
//! whose direct object lists the files. AppKit's own handler for it asks
//! the application delegate (`application:openURLs:`), and the delegate is
//! winit's, which has no such method (rust-windowing/winit#1751): the file
//! was never opened, and AppKit said it could not open files of its kind.
//!
//! This module installs a handler of its own for that event with
//! `NSAppleEventManager`, the documented way, at the documented moment:
//! `applicationWillFinishLaunching`, when AppKit has installed its default
//! handlers (so ours replaces its one) and before it dispatches the event a
//! launch by Finder brings (which comes before `applicationDidFinishLaunching`,
//! so before winit's first event and before the window exists). We do not
//! own the delegate, so we hear that moment as anyone may: as an observer
//! of `NSApplicationWillFinishLaunchingNotification`, registered by
//! [`install`] before the event loop runs. The same handler then takes the
//! events that come while Earmark runs.
//!
//! The alternative, adding `application:openURLs:` to winit's delegate
//! class at run time (`class_addMethod`), was not chosen: it depends on
//! winit's private class (its name, and that it is registered and set as
//! delegate before `finishLaunching`, which happens inside eframe's
//! `run_native`, where no hook runs between building the event loop and
//! running it), would silently stop working, or clash, when winit changes
//! or adds the method, and relies on AppKit asking the delegate afresh
//! rather than what it learnt when the delegate was set.
//!
//! The glue is kept thin: each event's file URLs are handed as strings to
//! the callback given to [`install`], on the main thread; what they mean
//! (`crate::file_url`) and what opens them is the caller's business. A
//! panic in what AppKit calls is caught and logged, never unwound into it.

use std::panic::{AssertUnwindSafe, catch_unwind};

use objc2::rc::Retained;
use objc2::{DefinedClass, MainThreadMarker, MainThreadOnly, define_class, msg_send, sel};
use objc2_app_kit::NSApplicationWillFinishLaunchingNotification;
use objc2_foundation::{
    NSAppleEventDescriptor, NSAppleEventManager, NSNotification, NSNotificationCenter, NSObject,
};

/// `kCoreEventClass`: the class of the events every application gets.
const CORE_EVENT_CLASS: u32 = u32::from_be_bytes(*b"aevt");
/// `kAEOpenDocuments`: open the documents in the direct object.
const OPEN_DOCUMENTS: u32 = u32::from_be_bytes(*b"odoc");
/// `keyDirectObject`: the parameter naming the documents.
const DIRECT_OBJECT: u32 = u32::from_be_bytes(*b"----");
/// `typeAEList`: a list descriptor (of file references, here).
const LIST: u32 = u32::from_be_bytes(*b"list");

/// What [`OpenDocuments`] holds: whom to tell.
struct Ivars {
    on_open: Box<dyn Fn(Vec<String>)>,
}

define_class!(
    // SAFETY: NSObject has no subclassing requirements, and
    // `OpenDocuments` does not implement `Drop`.
    #[unsafe(super(NSObject))]
    #[thread_kind = MainThreadOnly]
    #[name = "EarmarkOpenDocuments"]
    #[ivars = Ivars]
    /// The observer of the launch and the handler of "open documents"
    /// events; one, for the life of the process.
    struct OpenDocuments;

    impl OpenDocuments {
        // SAFETY: a notification observer's method takes the notification
        // and returns nothing.
        #[unsafe(method(applicationWillFinishLaunching:))]
        fn will_finish_launching(&self, _notification: &NSNotification) {
            never_unwinding("installing the handler of opened documents", || {
                self.handle_open_documents_events();
            });
        }

        // SAFETY: the signature of an Apple Event handler's method:
        // `- (void)handleAppleEvent:(NSAppleEventDescriptor *)event
        //   withReplyEvent:(NSAppleEventDescriptor *)reply`; both are taken
        // as possibly nil, which costs nothing.
        #[unsafe(method(handleOpenDocuments:withReplyEvent:))]
        fn open_documents(
            &self,
            event: Option<&NSAppleEventDescriptor>,
            _reply: Option<&NSAppleEventDescriptor>,
        ) {
            never_unwinding("opening the documents macOS handed over", || {
                let Some(event) = event else {
                    log::warn!("macOS sent an \"open documents\" event without the event");
                    return;
                };
                let urls = document_urls(event);
                log::info!("macOS asks to open {} document(s)", urls.len());
                (self.ivars().on_open)(urls);
            });
        }
    }
);

impl OpenDocuments {
    fn new(mtm: MainThreadMarker, on_open: Box<dyn Fn(Vec<String>)>) -> Retained<OpenDocuments> {
        let this = OpenDocuments::alloc(mtm).set_ivars(Ivars { on_open });
        // SAFETY: NSObject's `init`, which returns the initialised object.
        unsafe { msg_send![super(this), init] }
    }

    /// Makes this object the handler of "open documents" events, in place
    /// of AppKit's.
    fn handle_open_documents_events(&self) {
        let manager = NSAppleEventManager::sharedAppleEventManager();
        // SAFETY: `setEventHandler:andSelector:forEventClass:andEventID:`
        // takes an object, a selector, and two FourCharCodes (`UInt32`);
        // `self` answers the selector with the handler signature above and
        // lives as long as the process (`install` never releases it), as it
        // must: the manager does not retain its handlers.
        unsafe {
            let _: () = msg_send![
                &*manager,
                setEventHandler: self,
                andSelector: sel!(handleOpenDocuments:withReplyEvent:),
                forEventClass: CORE_EVENT_CLASS,
                andEventID: OPEN_DOCUMENTS,
            ];
        }
        log::debug!("documents opened from Finder come to this window");
    }
}

/// Runs `body`, which AppKit called into: a panic is caught and logged
/// (the panic hook has written its crash report), never unwound through
/// AppKit's frames, and the application carries on.
fn never_unwinding(what: &str, body: impl FnOnce()) {
    if catch_unwind(AssertUnwindSafe(body)).is_err() {
        log::error!("{what} panicked; carrying on");
    }
}

/// The URLs of the documents `event` names: its direct object is a list of
/// file references (aliases, bookmarks or file URLs, by the sender), or
/// one; each is coerced to a file URL. What cannot be is left out.
fn document_urls(event: &NSAppleEventDescriptor) -> Vec<String> {
    // SAFETY: `paramDescriptorForKeyword:` takes an AEKeyword (a
    // FourCharCode, `UInt32`) and returns a descriptor, or nil.
    let direct: Option<Retained<NSAppleEventDescriptor>> =
        unsafe { msg_send![event, paramDescriptorForKeyword: DIRECT_OBJECT] };
    let Some(direct) = direct else {
        return Vec::new();
    };
    // SAFETY: `descriptorType` takes nothing and returns a DescType (a
    // FourCharCode, `UInt32`).
    let kind: u32 = unsafe { msg_send![&*direct, descriptorType] };
    let items: Vec<Retained<NSAppleEventDescriptor>> = if kind == LIST {
        // The items of a list descriptor count from 1.
        (1..=direct.numberOfItems())
            .filter_map(|index| direct.descriptorAtIndex(index))
            .collect()
    } else {
        vec![direct]
    };
    items.iter().filter_map(|item| file_url(item)).collect()
}

/// `item` as a file URL's text (`file:///…`), or `None` when it is not a
/// file reference.
fn file_url(item: &NSAppleEventDescriptor) -> Option<String> {
    let url = item.fileURLValue()?;
    // A file reference URL (`file:///.file/id=…`) names the file by its
    // id; its path URL is the one that names it by path.
    let url = if url.isFileReferenceURL() {
        url.filePathURL()?
    } else {
        url
    };
    Some(url.absoluteString()?.to_string())
}

/// Has `on_open` called, on the main thread, with the URLs of the documents
/// of each "open documents" event macOS sends this process from the end of
/// its launch on: the documents Finder launched it to open, then those
/// opened while it runs. Call it once, on the main thread, before the event
/// loop runs (before `eframe::run_native`): the launch's documents come
/// during the loop's first moments. On any other thread it logs and does
/// nothing.
pub fn install(on_open: impl Fn(Vec<String>) + 'static) {
    let Some(mtm) = MainThreadMarker::new() else {
        log::warn!("documents opened from Finder will not open: not set up on the main thread");
        return;
    };
    let handler = OpenDocuments::new(mtm, Box::new(on_open));
    let center = NSNotificationCenter::defaultCenter();
    // SAFETY: `handler` answers the selector with an observer's signature
    // (above) and is never released (below); the name is AppKit's
    // constant, and no sender is singled out.
    unsafe {
        center.addObserver_selector_name_object(
            &handler,
            sel!(applicationWillFinishLaunching:),
            Some(NSApplicationWillFinishLaunchingNotification),
            None,
        );
    }
    // Neither the notification centre nor the Apple Event Manager keeps
    // its observer or handler alive: this one lives as long as the process.
    std::mem::forget(handler);
}

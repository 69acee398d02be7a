//! The C side: the two functions PAM calls in a module of the `auth`
//! stack, and the conversation through libpam. Only these few calls of
//! Linux-PAM's stable ABI (`<security/pam_modules.h>`) are used, declared
//! here by hand: pam_get_user, pam_get_item (the conversation, the remote
//! host). libpam is linked by its runtime name, so building needs no
//! development package.

use std::ffi::{c_char, c_int, c_void, CStr, CString};
use std::ptr;
use std::time::Instant;

use crate::args;
use crate::client::Portal;
use crate::config;
use crate::dialog::{self, Conversation, Outcome};

const PAM_SUCCESS: c_int = 0;
const PAM_SERVICE_ERR: c_int = 3;
const PAM_AUTH_ERR: c_int = 7;
const PAM_AUTHINFO_UNAVAIL: c_int = 9;
const PAM_USER_UNKNOWN: c_int = 10;

const PAM_RHOST: c_int = 4;
const PAM_CONV: c_int = 5;

const PAM_PROMPT_ECHO_OFF: c_int = 1;
const PAM_ERROR_MSG: c_int = 3;
const PAM_TEXT_INFO: c_int = 4;

#[repr(C)]
struct PamMessage {
    msg_style: c_int,
    msg: *const c_char,
}

#[repr(C)]
struct PamResponse {
    resp: *mut c_char,
    resp_retcode: c_int,
}

type ConvFn = extern "C" fn(
    num_msg: c_int,
    msg: *mut *const PamMessage,
    resp: *mut *mut PamResponse,
    appdata: *mut c_void,
) -> c_int;

#[repr(C)]
struct PamConv {
    conv: Option<ConvFn>,
    appdata_ptr: *mut c_void,
}

/// The handle PAM passes; never looked into.
#[repr(C)]
pub struct PamHandle {
    _private: [u8; 0],
}

#[link(name = "libpam.so.0", kind = "dylib", modifiers = "+verbatim")]
extern "C" {
    fn pam_get_user(pamh: *mut PamHandle, user: *mut *const c_char, prompt: *const c_char)
        -> c_int;
    fn pam_get_item(pamh: *const PamHandle, item_type: c_int, item: *mut *const c_void) -> c_int;
}

/// The application's conversation function.
struct PamConversation<'a> {
    conv: &'a PamConv,
}

impl PamConversation<'_> {
    /// One message; the answer if the style asks for one.
    fn send(&mut self, style: c_int, text: &str) -> Option<String> {
        let conv = self.conv.conv?;
        // A message with a NUL inside cannot be sent whole: send none.
        let text = CString::new(text.replace('\0', " ")).ok()?;
        let message = PamMessage {
            msg_style: style,
            msg: text.as_ptr(),
        };
        let mut list: *const PamMessage = &message;
        let mut resp: *mut PamResponse = ptr::null_mut();
        let rc = conv(1, &mut list, &mut resp, self.conv.appdata_ptr);
        if resp.is_null() {
            return None;
        }
        // SAFETY: the application gave one response (an array of one,
        // malloc'd, as is its string); both are ours to free.
        unsafe {
            let r = &*resp;
            let answer = (rc == PAM_SUCCESS && !r.resp.is_null())
                .then(|| CStr::from_ptr(r.resp).to_string_lossy().into_owned());
            if !r.resp.is_null() {
                // Wipe what was typed before the memory goes back.
                let len = libc::strlen(r.resp);
                ptr::write_bytes(r.resp, 0, len);
                libc::free(r.resp.cast());
            }
            libc::free(resp.cast());
            answer
        }
    }
}

impl Conversation for PamConversation<'_> {
    fn ask(&mut self, prompt: &str) -> Option<String> {
        self.send(PAM_PROMPT_ECHO_OFF, prompt)
    }

    fn info(&mut self, text: &str) {
        self.send(PAM_TEXT_INFO, text);
    }

    fn error(&mut self, text: &str) {
        self.send(PAM_ERROR_MSG, text);
    }
}

fn string_item(pamh: *mut PamHandle, item: c_int) -> Option<String> {
    let mut value: *const c_void = ptr::null();
    // SAFETY: PAM owns the item; it is read, not kept.
    let rc = unsafe { pam_get_item(pamh, item, &mut value) };
    if rc != PAM_SUCCESS || value.is_null() {
        return None;
    }
    // SAFETY: string items are NUL-terminated C strings.
    let s = unsafe { CStr::from_ptr(value.cast()) };
    Some(s.to_string_lossy().into_owned())
}

fn module_args<'a>(argc: c_int, argv: *const *const c_char) -> Vec<&'a str> {
    let n = usize::try_from(argc).unwrap_or(0);
    (0..n)
        .filter_map(|i| {
            // SAFETY: PAM passes argc NUL-terminated strings.
            let p = unsafe { *argv.add(i) };
            (!p.is_null())
                .then(|| unsafe { CStr::from_ptr(p) }.to_str().ok())
                .flatten()
        })
        .collect()
}

fn authenticate(pamh: *mut PamHandle, argc: c_int, argv: *const *const c_char) -> c_int {
    let started = Instant::now();
    let Ok(args) = args::parse(module_args(argc, argv)) else {
        return PAM_SERVICE_ERR;
    };
    let mut user: *const c_char = ptr::null();
    // SAFETY: PAM fills in its own string (the user given, or asked for).
    let rc = unsafe { pam_get_user(pamh, &mut user, ptr::null()) };
    if rc != PAM_SUCCESS || user.is_null() {
        return PAM_USER_UNKNOWN;
    }
    // SAFETY: as above.
    let user = unsafe { CStr::from_ptr(user) }
        .to_string_lossy()
        .into_owned();
    let mut conv_item: *const c_void = ptr::null();
    // SAFETY: the conversation is the application's, alive during the call.
    let rc = unsafe { pam_get_item(pamh, PAM_CONV, &mut conv_item) };
    if rc != PAM_SUCCESS || conv_item.is_null() {
        return PAM_SERVICE_ERR;
    }
    // SAFETY: PAM_CONV is a `struct pam_conv`.
    let conv = unsafe { &*conv_item.cast::<PamConv>() };
    let mut talk = PamConversation { conv };
    let from = string_item(pamh, PAM_RHOST);
    let (config, key) = match config::load(&args.config_dir) {
        Ok(loaded) => loaded,
        Err(_) => {
            talk.error(dialog::UNREACHABLE);
            return PAM_AUTHINFO_UNAVAIL;
        }
    };
    let Ok(portal) = Portal::new(config, key, started + args.timeout) else {
        return PAM_AUTHINFO_UNAVAIL;
    };
    match dialog::login(&portal, &mut talk, &args.config_dir, &user, from.as_deref()) {
        Outcome::Allow => PAM_SUCCESS,
        Outcome::Deny => PAM_AUTH_ERR,
        Outcome::Unavailable => PAM_AUTHINFO_UNAVAIL,
    }
}

/// PAM's `auth` entry point. A panic inside never crosses into C: the
/// release profile aborts on panic, and here one is caught and refused.
#[no_mangle]
pub extern "C" fn pam_sm_authenticate(
    pamh: *mut PamHandle,
    _flags: c_int,
    argc: c_int,
    argv: *const *const c_char,
) -> c_int {
    std::panic::catch_unwind(|| authenticate(pamh, argc, argv)).unwrap_or(PAM_AUTH_ERR)
}

/// Nothing to set: the module holds no credentials.
#[no_mangle]
pub extern "C" fn pam_sm_setcred(
    _pamh: *mut PamHandle,
    _flags: c_int,
    _argc: c_int,
    _argv: *const *const c_char,
) -> c_int {
    PAM_SUCCESS
}

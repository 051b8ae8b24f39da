//! The error every C entry point returns: a code the extension maps to a DuckDB error
//! type, and a message that already names the provider and the operation.

use std::ffi::{c_char, CString};

#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(dead_code)]
pub enum Code {
    Ok = 0,
    InvalidArgument = 1,
    NotFound = 2,
    AlreadyExists = 3,
    AccessDenied = 4,
    Throttled = 5,
    Unsupported = 6,
    Unavailable = 7,
    Internal = 8,
}

#[derive(Debug)]
pub struct CloudError {
    pub code: Code,
    pub message: String,
}

impl CloudError {
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        CloudError {
            code,
            message: message.into(),
        }
    }
}

/// What the C side owns: the code and the message as a C string.
pub struct FfiError {
    pub code: Code,
    pub message: CString,
}

pub fn into_ffi(e: CloudError) -> *mut FfiError {
    let message = CString::new(e.message.replace('\0', " ")).unwrap_or_default();
    Box::into_raw(Box::new(FfiError {
        code: e.code,
        message,
    }))
}

pub fn message_ptr(e: &FfiError) -> *const c_char {
    e.message.as_ptr()
}

//! Raw exports for the Chromium benchmark: the host writes an RGBA frame into
//! `frame_buffer`, then calls a scan function, which returns the number of codes.

use std::cell::RefCell;

thread_local! {
    static FRAME: RefCell<Vec<u8>> = RefCell::new(Vec::new());
}

/// Resizes the frame buffer to `len` bytes and returns where to write it.
#[no_mangle]
pub extern "C" fn frame_buffer(len: usize) -> *mut u8 {
    FRAME.with(|f| {
        let mut f = f.borrow_mut();
        f.resize(len, 0);
        f.as_mut_ptr()
    })
}

/// The cheap pass only (a zero budget).
#[no_mangle]
pub extern "C" fn scan_cheap(width: u32, height: u32) -> u32 {
    FRAME.with(|f| {
        let mut scanner = scanner::Scanner::new(0.0);
        scanner.scan_rgba(width, height, &f.borrow(), &|| 0.0).len() as u32
    })
}

/// What the register calls: `scanner::scan_rgba` (cheap pass plus its default work budget).
#[no_mangle]
pub extern "C" fn scan_default(width: u32, height: u32) -> u32 {
    FRAME.with(|f| scanner::scan_rgba(width, height, &f.borrow()).len() as u32)
}

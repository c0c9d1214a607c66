//! Scanning a register's pairing QR with the console's camera (the back camera
//! on a phone). Frames go to the register's own decoder worker
//! (`/register/decoder-worker.js`: the `scanner` crate's live path, built once
//! and served to both pages), one frame in flight at a time. The first text
//! that is a pairing code fills the pair form and closes the camera.

use domain::pairing::PairingCode;
use web_shared::camera_reader::{self, CameraProblem, ReaderEvent, ReaderSettings};
use web_shared::dom;

fn settings() -> ReaderSettings {
    ReaderSettings {
        device_id: None,
        video_id: "pair-camera",
        // The register page's decoder worker, relative to `/owner/`.
        worker_url: "../register/decoder-worker.js",
        // At most ~10 decodes a second: enough for a code held still.
        frame_interval_ms: 100.0,
        decode_timeout_ms: 1000,
    }
}
const LOOKING: &str = "Point the camera at the QR code on the register's screen.";

/// Opens the camera under the pair form and starts reading; problems are said
/// in the scanner's status line, and typing the code keeps working.
pub fn open() {
    if camera_reader::is_open() {
        return;
    }
    dom::set_hidden("pair-scanner", false);
    dom::set_hidden("pair-scan", true);
    camera_reader::start(settings(), on_reader);
}

/// Stops the camera and the worker; the Scan button comes back.
pub fn close() {
    camera_reader::close();
    dom::set_hidden("pair-scanner", true);
    dom::set_hidden("pair-scan", false);
    dom::set_attribute("pair-scan-status", "data-camera", "off");
}

fn on_reader(event: ReaderEvent<'_>) {
    match event {
        ReaderEvent::Starting => show_status("starting", "Starting the camera…"),
        ReaderEvent::Reading | ReaderEvent::DecoderRestarted { .. } => show_status("on", LOOKING),
        ReaderEvent::Frame { texts, .. } => {
            if let Some(code) = pairing_code_in(texts) {
                close();
                dom::set_input_value("pair-code", &code.grouped());
                show_status("off", "");
                crate::views::notice(&format!("Read the code {}: name the register and press Pair.", code.grouped()));
                if let Some(name) = dom::element("pair-name") {
                    let _ = name.focus();
                }
            }
        }
        ReaderEvent::CameraFailed(problem) => stopped_because(camera_advice(problem)),
        ReaderEvent::ReaderStopped { .. } => stopped_because("The code reader stopped: type the code instead."),
    }
}

/// The camera is no use: close it, but keep the status line in view.
fn stopped_because(message: &str) {
    close();
    dom::set_hidden("pair-scanner", false);
    show_status("error", message);
}

fn camera_advice(problem: CameraProblem) -> &'static str {
    match problem {
        CameraProblem::Unsupported => "This browser cannot read codes from the camera: type the code instead.",
        CameraProblem::Insecure => "The camera is off on this address: open the console over https, or type the code.",
        CameraProblem::Blocked => {
            "Camera blocked: allow it in the browser's address bar, then press Scan the code again, or type the code."
        }
        CameraProblem::NotFound => "No camera found on this device: type the code instead.",
        CameraProblem::Busy => "Camera busy: close the app using it and try again, or type the code.",
        CameraProblem::NoPicture | CameraProblem::Other => "The camera did not start: try again, or type the code.",
    }
}

/// The first decoded text that is a pairing code (the register's QR holds just
/// its 8 characters); a customer's code or anything else is passed over.
pub fn pairing_code_in(texts: &[String]) -> Option<PairingCode> {
    texts.iter().find_map(|text| PairingCode::parse(text).ok())
}

fn show_status(camera: &str, text: &str) {
    dom::set_attribute("pair-scan-status", "data-camera", camera);
    dom::set_text("pair-scan-status", text);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_pairing_code_is_taken_from_what_the_camera_reads() {
        let read = |texts: &[&str]| pairing_code_in(&texts.iter().map(|t| t.to_string()).collect::<Vec<_>>());
        assert_eq!(read(&["ABCD2345"]).map(|c| c.grouped()), Some("ABCD-2345".to_owned()));
        assert_eq!(read(&["1234567890123456789012345", "abcd-2345"]).map(|c| c.grouped()), Some("ABCD-2345".into()));
        assert_eq!(read(&["https://example.org/", "ABCD0000"]), None);
        assert_eq!(read(&[]), None);
    }
}

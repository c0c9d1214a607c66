//! Distinct sounds, made with WebAudio (no audio files): at the gate, ADMIT is a
//! short rising two-note chime, DENY a low double buzz; at the till, another code
//! coming into view while a customer is on screen is three quick mid beeps.
//! Browsers start audio only after a user gesture; until the cashier has
//! clicked anything on the page, the sounds are silently skipped.

use std::cell::RefCell;
use web_sys::{AudioContext, OscillatorType};

thread_local! {
    static CONTEXT: RefCell<Option<AudioContext>> = const { RefCell::new(None) };
}

/// Creates (or wakes) the audio context on a user gesture.
pub fn wire() {
    let Some(document) = crate::dom::document() else { return };
    crate::dom::on(&document, "click", |_| {
        CONTEXT.with(|context| {
            let mut context = context.borrow_mut();
            if context.is_none() {
                *context = AudioContext::new().ok();
            }
            if let Some(context) = context.as_ref() {
                let _ = context.resume();
            }
        });
    });
}

/// One tone: `frequency` Hz, starting `delay` s from now, lasting `length` s.
fn tone(context: &AudioContext, kind: OscillatorType, frequency: f32, delay: f64, length: f64) -> Option<()> {
    let oscillator = context.create_oscillator().ok()?;
    let gain = context.create_gain().ok()?;
    oscillator.set_type(kind);
    oscillator.frequency().set_value(frequency);
    let start = context.current_time() + delay;
    // A quick fade in and out: no clicks.
    gain.gain().set_value_at_time(0.0, start).ok()?;
    gain.gain().linear_ramp_to_value_at_time(0.25, start + 0.02).ok()?;
    gain.gain().linear_ramp_to_value_at_time(0.0, start + length).ok()?;
    oscillator.connect_with_audio_node(&gain).ok()?;
    gain.connect_with_audio_node(&context.destination()).ok()?;
    oscillator.start_with_when(start).ok()?;
    oscillator.stop_with_when(start + length).ok()?;
    Some(())
}

fn play(notes: &[(OscillatorType, f32, f64, f64)]) {
    CONTEXT.with(|context| {
        if let Some(context) = context.borrow().as_ref() {
            for &(kind, frequency, delay, length) in notes {
                let _ = tone(context, kind, frequency, delay, length);
            }
        }
    });
}

pub fn admit() {
    play(&[(OscillatorType::Sine, 880.0, 0.0, 0.15), (OscillatorType::Sine, 1318.5, 0.15, 0.3)]);
}

pub fn deny() {
    play(&[(OscillatorType::Square, 180.0, 0.0, 0.25), (OscillatorType::Square, 180.0, 0.35, 0.35)]);
}

pub fn attention() {
    play(&[
        (OscillatorType::Triangle, 660.0, 0.0, 0.09),
        (OscillatorType::Triangle, 660.0, 0.14, 0.09),
        (OscillatorType::Triangle, 660.0, 0.28, 0.09),
    ]);
}

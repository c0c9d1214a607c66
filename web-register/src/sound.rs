//! Distinct short sounds for every verdict, made with WebAudio (no audio files), so
//! the cashier hears what happened without looking:
//! - a customer (or a bill) found: one bright blip;
//! - done (sale, payment, debit): a rising three-note chime;
//! - already used: two falling notes ("uh-oh");
//! - refused (or cancelled, or a problem): one low buzz;
//! - the gate's ADMIT: a rising two-note chime; DENY: a low double buzz;
//! - another code in view while a customer is on screen: three quick mid beeps.
//!
//! Browsers let a page play sound only after a user gesture. The audio context is
//! made when the page starts (some browsers and kiosk set-ups let it play at once),
//! woken on the first click, tap or key of the session, and kept, so even the first
//! scan after that is heard. While it cannot play, `#sound-status` says so and how
//! to turn it on.

use crate::i18n::{t, Key};
use std::cell::RefCell;
use web_sys::{AudioContext, AudioContextState, OscillatorType};

thread_local! {
    static CONTEXT: RefCell<Option<AudioContext>> = const { RefCell::new(None) };
}

/// The sound a verdict makes as it appears, so the cashier hears it without looking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cue {
    /// A customer (or a bill) to serve.
    Customer,
    /// A sale, payment or debit went through.
    Done,
    /// The code was already used (or the bill already paid).
    AlreadyUsed,
    /// Anything else that did not go through: refused, cancelled, a problem.
    Refused,
    Admit,
    Deny,
}

/// Events that count as a user gesture for the browser's autoplay rules.
const GESTURES: [&str; 4] = ["pointerdown", "pointerup", "keydown", "touchend"];

/// Makes the audio context, wakes it on every gesture until it plays, and keeps
/// `#sound-status` true to its state.
pub fn wire() {
    let Some(document) = crate::dom::document() else { return };
    let context = AudioContext::new().ok();
    if let Some(context) = &context {
        let target: &web_sys::EventTarget = context.as_ref();
        crate::dom::on(target, "statechange", |_| show_status());
    }
    CONTEXT.with(|held| *held.borrow_mut() = context);
    for gesture in GESTURES {
        crate::dom::on(&document, gesture, |_| unlock());
    }
    unlock();
    show_status();
}

/// Asks a context that cannot play yet to start (the browser allows it within a gesture).
fn unlock() {
    CONTEXT.with(|held| {
        if let Some(context) = held.borrow().as_ref() {
            if context.state() != AudioContextState::Running {
                if let Ok(started) = context.resume() {
                    // A refusal (no gesture yet) is expected; the next gesture tries again.
                    wasm_bindgen_futures::spawn_local(async move {
                        let _ = wasm_bindgen_futures::JsFuture::from(started).await;
                        show_status();
                    });
                }
            }
        }
    });
}

/// What `#sound-status` says: nothing while sounds play (again after a language switch).
pub fn show_status() {
    let state = CONTEXT.with(|held| held.borrow().as_ref().map(|context| context.state()));
    let (data, text) = match state {
        Some(AudioContextState::Running) => ("on", ""),
        Some(_) => ("locked", t(Key::SoundLocked)),
        None => ("unavailable", t(Key::SoundUnavailable)),
    };
    crate::dom::set_attribute("sound-status", "data-sound", data);
    crate::dom::set_text("sound-status", text);
    crate::dom::set_hidden("sound-status", data == "on");
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

/// The sound of a verdict.
pub fn cue(cue: Cue) {
    use OscillatorType::{Sawtooth, Sine, Square, Triangle};
    match cue {
        Cue::Customer => play(&[(Sine, 1567.98, 0.0, 0.12)]),
        Cue::Done => play(&[(Sine, 523.25, 0.0, 0.1), (Sine, 659.25, 0.1, 0.1), (Sine, 783.99, 0.2, 0.25)]),
        Cue::AlreadyUsed => play(&[(Triangle, 587.33, 0.0, 0.18), (Triangle, 392.0, 0.2, 0.3)]),
        Cue::Refused => play(&[(Sawtooth, 233.08, 0.0, 0.4)]),
        Cue::Admit => play(&[(Sine, 880.0, 0.0, 0.15), (Sine, 1318.5, 0.15, 0.3)]),
        Cue::Deny => play(&[(Square, 180.0, 0.0, 0.25), (Square, 180.0, 0.35, 0.35)]),
    }
}

pub fn attention() {
    play(&[
        (OscillatorType::Triangle, 660.0, 0.0, 0.09),
        (OscillatorType::Triangle, 660.0, 0.14, 0.09),
        (OscillatorType::Triangle, 660.0, 0.28, 0.09),
    ]);
}

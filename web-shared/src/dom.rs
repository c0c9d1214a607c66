//! Small, panic-free DOM helpers. A missing element is a bug in `index.html`, not
//! a reason to crash the page: helpers log it and do nothing.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{Document, Element, Event, HtmlButtonElement, HtmlElement, HtmlInputElement};

pub fn document() -> Option<Document> {
    web_sys::window()?.document()
}

pub fn element(id: &str) -> Option<HtmlElement> {
    let found = document()?.get_element_by_id(id).and_then(|e| e.dyn_into::<HtmlElement>().ok());
    if found.is_none() {
        web_sys::console::warn_1(&format!("missing element #{id}").into());
    }
    found
}

pub fn input(id: &str) -> Option<HtmlInputElement> {
    element(id)?.dyn_into::<HtmlInputElement>().ok()
}

pub fn input_value(id: &str) -> String {
    input(id).map(|i| i.value()).unwrap_or_default()
}

pub fn set_input_value(id: &str, value: &str) {
    if let Some(i) = input(id) {
        i.set_value(value);
    }
}

pub fn set_text(id: &str, text: &str) {
    if let Some(e) = element(id) {
        e.set_text_content(Some(text));
    }
}

pub fn set_hidden(id: &str, hidden: bool) {
    if let Some(e) = element(id) {
        e.set_hidden(hidden);
    }
}

pub fn set_attribute(id: &str, name: &str, value: &str) {
    if let Some(e) = element(id) {
        let _ = e.set_attribute(name, value);
    }
}

/// Disables a button while its request runs, so a double tap sends one request.
pub fn set_busy(button_id: &str, busy: bool) {
    if let Some(b) = element(button_id).and_then(|e| e.dyn_into::<HtmlButtonElement>().ok()) {
        b.set_disabled(busy);
    }
}

pub fn create(tag: &str) -> Option<Element> {
    document()?.create_element(tag).ok()
}

/// Creates `<tag class=…>text</tag>`; text goes in as text, never as markup.
pub fn create_text(tag: &str, class: &str, text: &str) -> Option<Element> {
    let e = create(tag)?;
    if !class.is_empty() {
        e.set_class_name(class);
    }
    e.set_text_content(Some(text));
    Some(e)
}

/// Appends a plain text cell (`<td>`) to table row `row` for each of `cells`.
pub fn append_text_cells<T: AsRef<str>>(row: &Element, cells: &[T]) {
    for text in cells {
        if let Some(cell) = create_text("td", "", text.as_ref()) {
            append(row, &cell);
        }
    }
}

pub fn clear_children(id: &str) {
    if let Some(e) = element(id) {
        e.set_text_content(None);
    }
}

/// Attaches a handler for the page's lifetime.
pub fn on(target: &web_sys::EventTarget, event: &str, handler: impl FnMut(Event) + 'static) {
    let closure = Closure::<dyn FnMut(Event)>::new(handler);
    let _ = target.add_event_listener_with_callback(event, closure.as_ref().unchecked_ref());
    closure.forget();
}

/// Attaches a handler to the element with this id.
pub fn on_id(id: &str, event: &str, handler: impl FnMut(Event) + 'static) {
    if let Some(e) = element(id) {
        on(&e, event, handler);
    }
}

/// Appends `child` to `parent`; `None` if the DOM refused.
pub fn append(parent: &web_sys::Node, child: &Element) -> Option<()> {
    parent.append_child(child).ok().map(|_| ())
}

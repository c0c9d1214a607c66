//! Languages: which one the page speaks ([`Lang`]), chosen from a saved preference, else the
//! browser's languages, else English ([`choose`], a pure function); filling the static HTML
//! from a page's catalogue (`data-i18n="Key"`, `data-i18n-aria-label`, …, see [`fill_page`]);
//! placeholders (`{n}`) and plurals; and the words this crate itself draws (the receipt,
//! points, passkeys, network failures) in [`Shared`], one catalogue per language.
//!
//! A page that never calls [`set_current`] (the owner console) stays English.

mod en;
mod ja;
mod ko;

use std::cell::Cell;
use wasm_bindgen::JsCast;

/// A language the pages speak.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    En,
    Ja,
    Ko,
}

impl Lang {
    pub const ALL: [Lang; 3] = [Lang::En, Lang::Ja, Lang::Ko];

    /// The BCP 47 primary subtag: `<html lang>`, the saved preference, the switch's values.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ja => "ja",
            Lang::Ko => "ko",
        }
    }

    /// The language a tag names by its primary subtag (`ja-JP` → Ja, `EN` → En), if supported.
    pub fn of_tag(tag: &str) -> Option<Lang> {
        let primary = tag.trim().split(['-', '_']).next().unwrap_or_default();
        Lang::ALL.into_iter().find(|lang| primary.eq_ignore_ascii_case(lang.tag()))
    }

    /// The writing direction, for `<html dir>`: all three are left to right; a right-to-left
    /// language would answer `"rtl"` here (the pages' CSS uses logical properties).
    pub fn dir(self) -> &'static str {
        match self {
            Lang::En | Lang::Ja | Lang::Ko => "ltr",
        }
    }

    /// Its own name, as the switch shows it.
    pub fn own_name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Ja => "日本語",
            Lang::Ko => "한국어",
        }
    }
}

/// The language to speak: the saved preference if it names one, else the first of the
/// browser's languages (in its order of preference) that is supported, else English.
pub fn choose<S: AsRef<str>>(saved: Option<&str>, browser: &[S]) -> Lang {
    saved
        .and_then(Lang::of_tag)
        .or_else(|| browser.iter().find_map(|tag| Lang::of_tag(tag.as_ref())))
        .unwrap_or_default()
}

thread_local! {
    static CURRENT: Cell<Lang> = const { Cell::new(Lang::En) };
}

/// The language the page speaks now (English until a page sets one).
pub fn current() -> Lang {
    CURRENT.with(Cell::get)
}

/// Speaks `lang` from now on: `<html lang>` and `<html dir>`, and money and dates in that language's locale
/// (the browser's own locale when it is already that language, so its region stays).
pub fn set_current(lang: Lang) {
    CURRENT.with(|current| current.set(lang));
    let browser = browser_languages();
    let same_as_browser = browser.first().and_then(|tag| Lang::of_tag(tag)) == Some(lang);
    let locale = if same_as_browser {
        None
    } else {
        Some(browser.iter().find(|tag| Lang::of_tag(tag) == Some(lang)).cloned().unwrap_or_else(|| lang.tag().into()))
    };
    crate::locale::use_locale(locale);
    if let Some(root) = crate::dom::document().and_then(|d| d.document_element()) {
        let _ = root.set_attribute("lang", lang.tag());
        let _ = root.set_attribute("dir", lang.dir());
    }
}

/// `navigator.languages` (or `navigator.language`), in the browser's order of preference.
pub fn browser_languages() -> Vec<String> {
    let Some(navigator) = web_sys::window().map(|w| w.navigator()) else { return Vec::new() };
    let listed: Vec<String> = navigator.languages().iter().filter_map(|tag| tag.as_string()).collect();
    if listed.is_empty() {
        navigator.language().into_iter().collect()
    } else {
        listed
    }
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// The language saved under `key` in `localStorage` (the switch's last choice), if any.
pub fn saved(key: &str) -> Option<String> {
    storage()?.get_item(key).ok().flatten()
}

/// Remembers the switch's choice under `key`.
pub fn save(key: &str, lang: Lang) {
    if let Some(storage) = storage() {
        let _ = storage.set_item(key, lang.tag());
    }
}

/// The language to start with: [`choose`] from what is saved under `key` and the browser's list.
pub fn initial(key: &str) -> Lang {
    choose(saved(key).as_deref(), &browser_languages())
}

/// The attributes a page's HTML may ask to have translated, besides the text
/// (`data-i18n-aria-label="Key"` fills `aria-label`, …).
const ATTRIBUTES: [&str; 4] = ["aria-label", "placeholder", "title", "alt"];

/// Fills every element marked `data-i18n="Key"` (its text) and `data-i18n-<attribute>="Key"`
/// with `lookup(Key)`; a name `lookup` does not know is left as the HTML has it.
pub fn fill_page(lookup: impl Fn(&str) -> Option<&'static str>) {
    let Some(document) = crate::dom::document() else { return };
    let mut selectors = vec!["[data-i18n]".to_owned()];
    selectors.extend(ATTRIBUTES.iter().map(|attribute| format!("[data-i18n-{attribute}]")));
    let Ok(found) = document.query_selector_all(&selectors.join(",")) else { return };
    for index in 0..found.length() {
        let Some(element) = found.item(index).and_then(|node| node.dyn_into::<web_sys::Element>().ok()) else {
            continue;
        };
        if let Some(text) = element.get_attribute("data-i18n").and_then(|key| lookup(&key)) {
            element.set_text_content(Some(text));
        }
        for attribute in ATTRIBUTES {
            if let Some(text) = element.get_attribute(&format!("data-i18n-{attribute}")).and_then(|key| lookup(&key)) {
                let _ = element.set_attribute(attribute, text);
            }
        }
    }
}

/// The strings a page's HTML marks for translation, as `(key, English shown)`: the element's
/// text for `data-i18n="Key"` (up to its first child tag), the attribute's value for
/// `data-i18n-<attribute>="Key"`; `&amp;` and friends read as the browser reads them. The
/// pages' tests compare them with their English catalogue. `Err` names a marked attribute
/// the tag lacks.
pub fn marked_strings(html: &str) -> Result<Vec<(String, String)>, String> {
    fn unescape(html: &str) -> String {
        html.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&amp;", "&")
    }
    let mut found = Vec::new();
    for tag in html.split('<').skip(1) {
        let Some((inside, after)) = tag.split_once('>') else { continue };
        let attributes = tag_attributes(inside);
        for (name, key) in &attributes {
            let Some(target) = name.strip_prefix("data-i18n") else { continue };
            let shown = match target.strip_prefix('-') {
                None => unescape(after),
                Some(attribute) => attributes
                    .iter()
                    .find(|(name, _)| name == attribute)
                    .map(|(_, value)| unescape(value))
                    .ok_or_else(|| format!("{key}: no {attribute} on its tag"))?,
            };
            found.push((key.clone(), shown));
        }
    }
    Ok(found)
}

/// `name="value"` pairs of one tag's inside (`input id="x" data-i18n="Y"`).
fn tag_attributes(inside: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let mut rest = inside;
    while let Some((before, after)) = rest.split_once("=\"") {
        let name = before.rsplit(char::is_whitespace).next().unwrap_or_default().to_owned();
        let Some((value, tail)) = after.split_once('"') else { break };
        found.push((name, value.to_owned()));
        rest = tail;
    }
    found
}

/// `template` with each `{name}` replaced by its value (a name not given stays as written).
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut text = template.to_owned();
    for (name, value) in values {
        text = text.replace(&format!("{{{name}}}"), value);
    }
    text
}

/// The `{name}` placeholders of a template, sorted (the tests compare them across languages).
pub fn placeholders(template: &str) -> Vec<&str> {
    let mut names: Vec<&str> = template
        .split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
        .filter(|name| !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        .collect();
    names.sort_unstable();
    names.dedup();
    names
}

/// Whether `n` takes the singular form in `lang` (English "1 point"; Japanese and Korean
/// have one form, their `one` entries equal `other`).
pub fn is_one(lang: Lang, n: i64) -> bool {
    lang == Lang::En && (n == 1 || n == -1)
}

/// A page's catalogue (the phone's, the register's): `Key`, every string the page shows
/// (`Key::ALL`; `Key::named` for its `index.html`'s `data-i18n="Key"`), `Key::text_in` from the
/// page's `en`, `ja` and `ko` modules (each `fn text(Key) -> &'static str`, an exhaustive `match`,
/// so a missing translation does not compile), and in the page's current language `t(key)`,
/// `tf(key, values)` with its `{name}`s filled, `plural(n, one, other)` and `invalid(key, error)`
/// (a field the domain's parser refused: its own sentence in English, the key's elsewhere).
#[macro_export]
macro_rules! page_catalogue {
    ($($key:ident,)*) => {
        /// Every string the page shows; its `index.html` names them in `data-i18n="Key"`.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Key { $($key,)* }

        impl Key {
            pub const ALL: &'static [Key] = &[$(Key::$key,)*];

            /// The names `data-i18n` attributes use, in the order of [`Key::ALL`].
            const NAMES: &'static [&'static str] = &[$(stringify!($key),)*];

            /// The key a `data-i18n` attribute names.
            pub fn named(name: &str) -> Option<Key> {
                let index = Self::NAMES.iter().position(|known| *known == name)?;
                Self::ALL.get(index).copied()
            }

            pub fn text_in(self, lang: $crate::i18n::Lang) -> &'static str {
                match lang {
                    $crate::i18n::Lang::En => en::text(self),
                    $crate::i18n::Lang::Ja => ja::text(self),
                    $crate::i18n::Lang::Ko => ko::text(self),
                }
            }
        }

        /// `key` in the page's language.
        pub fn t(key: Key) -> &'static str {
            key.text_in($crate::i18n::current())
        }

        /// `key` in the page's language, its `{name}`s filled.
        pub fn tf(key: Key, values: &[(&str, &str)]) -> String {
            $crate::i18n::fill(t(key), values)
        }

        /// `one` or `other` by the count `n` (English "1 visit" / "2 visits"), with `{n}` filled.
        pub fn plural(n: i64, one: Key, other: Key) -> String {
            let key = if $crate::i18n::is_one($crate::i18n::current(), n) { one } else { other };
            tf(key, &[("n", &n.to_string())])
        }

        /// A field the domain's parser refused: in English the parser's own sentence,
        /// in another language the field's catalogue sentence.
        pub fn invalid(key: Key, error: impl std::fmt::Display) -> String {
            match $crate::i18n::current() {
                $crate::i18n::Lang::En => $crate::text::sentence(error),
                _ => t(key).to_owned(),
            }
        }
    };
}

/// The tests every page catalogue takes, written once: every key has words in every language
/// with the same `{placeholders}` as the English, and every `data-i18n…` of the page's
/// `index.html` (`html`, at least `at_least` of them) names a key whose English it shows.
/// Invoked inside the page's `#[cfg(test)] mod tests` with `Key` and `Lang` in scope.
#[macro_export]
macro_rules! catalogue_tests {
    (html: $html:expr, at_least: $at_least:expr) => {
        #[test]
        fn every_key_has_words_in_every_language_with_the_same_placeholders() {
            for key in Key::ALL {
                let english = key.text_in(Lang::En);
                for lang in Lang::ALL {
                    let text = key.text_in(lang);
                    assert!(!text.trim().is_empty(), "{key:?} is empty in {lang:?}");
                    assert_eq!(
                        $crate::i18n::placeholders(text),
                        $crate::i18n::placeholders(english),
                        "{key:?} in {lang:?}"
                    );
                }
            }
        }

        /// Every `data-i18n…` in the page names a key, and the page's English is the catalogue's.
        #[test]
        fn index_html_names_known_keys_and_its_english_is_the_catalogues() {
            let marked = $crate::i18n::marked_strings($html).unwrap_or_else(|why| panic!("index.html: {why}"));
            for (name, shown) in &marked {
                let key = Key::named(name).unwrap_or_else(|| panic!("index.html names no key {name:?}"));
                assert_eq!(shown, key.text_in(Lang::En), "index.html's {name} differs from en.rs");
            }
            assert!(marked.len() > $at_least, "only {} strings marked in index.html", marked.len());
        }
    };
}

/// The strings web-shared draws itself, one entry per language in `en.rs`, `ja.rs`, `ko.rs`
/// (an exhaustive `match` each: a missing entry does not compile).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shared {
    PointsOne,
    PointsOther,
    NetworkFailure,
    UnexpectedAnswer,
    ReceiptNumber,
    ReceiptMeta,
    ServedBy,
    ApprovedBy,
    Sale,
    Tip,
    PaidFromPrepaid,
    PrepaidBefore,
    PrepaidAfter,
    PaidByCard,
    PointsEarned,
    PointsBefore,
    PointsAfter,
    WelcomeBonus,
    PointsExpired,
    PrepaidTopUpCash,
    AmountOff,
    FreeItem,
    PointsRedeemed,
    RefundOfReceipt,
    Refunded,
    RefundedAtProcessor,
    ReturnedToPrepaid,
    PointsGivenBack,
    PointsTakenBack,
    PointsAlreadySpent,
    PartlyRefunded,
    RefundedBy,
    OpenRefundReceipt,
    Basket,
    CouponLine,
    CouponBonusPoints,
    ReceiptQrLabel,
    NoPasskeyYet,
    PasskeyNotUsedYet,
    PasskeyLastUsed,
    PasskeyLine,
    Remove,
    RemoveNamed,
    PasskeyNotAllowed,
    PasskeyAlreadyHeld,
    PasskeyWrongAddress,
    PasskeyNotSupported,
    PasskeyFailed,
    PasskeyNoneUsed,
}

impl Shared {
    pub const ALL: &'static [Shared] = &[
        Shared::PointsOne,
        Shared::PointsOther,
        Shared::NetworkFailure,
        Shared::UnexpectedAnswer,
        Shared::ReceiptNumber,
        Shared::ReceiptMeta,
        Shared::ServedBy,
        Shared::ApprovedBy,
        Shared::Sale,
        Shared::Tip,
        Shared::PaidFromPrepaid,
        Shared::PrepaidBefore,
        Shared::PrepaidAfter,
        Shared::PaidByCard,
        Shared::PointsEarned,
        Shared::PointsBefore,
        Shared::PointsAfter,
        Shared::WelcomeBonus,
        Shared::PointsExpired,
        Shared::PrepaidTopUpCash,
        Shared::AmountOff,
        Shared::FreeItem,
        Shared::PointsRedeemed,
        Shared::RefundOfReceipt,
        Shared::Refunded,
        Shared::RefundedAtProcessor,
        Shared::ReturnedToPrepaid,
        Shared::PointsGivenBack,
        Shared::PointsTakenBack,
        Shared::PointsAlreadySpent,
        Shared::PartlyRefunded,
        Shared::RefundedBy,
        Shared::OpenRefundReceipt,
        Shared::Basket,
        Shared::CouponLine,
        Shared::CouponBonusPoints,
        Shared::ReceiptQrLabel,
        Shared::NoPasskeyYet,
        Shared::PasskeyNotUsedYet,
        Shared::PasskeyLastUsed,
        Shared::PasskeyLine,
        Shared::Remove,
        Shared::RemoveNamed,
        Shared::PasskeyNotAllowed,
        Shared::PasskeyAlreadyHeld,
        Shared::PasskeyWrongAddress,
        Shared::PasskeyNotSupported,
        Shared::PasskeyFailed,
        Shared::PasskeyNoneUsed,
    ];

    /// Its text in `lang`.
    pub fn text_in(self, lang: Lang) -> &'static str {
        match lang {
            Lang::En => en::text(self),
            Lang::Ja => ja::text(self),
            Lang::Ko => ko::text(self),
        }
    }
}

/// A shared string in the current language.
pub fn shared(key: Shared) -> &'static str {
    key.text_in(current())
}

/// A shared string in the current language with its `{name}`s filled.
pub fn shared_with(key: Shared, values: &[(&str, &str)]) -> String {
    fill(shared(key), values)
}

/// "1 point", "12 points" (ポイント, 포인트) in the current language.
pub fn points(n: i64) -> String {
    let key = if is_one(current(), n) { Shared::PointsOne } else { Shared::PointsOther };
    shared_with(key, &[("n", &n.to_string())])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_saved_choice_wins_then_the_browser_then_english() {
        assert_eq!(choose(Some("ko"), &["ja-JP", "en"]), Lang::Ko);
        assert_eq!(choose(None, &["ja-JP", "en"]), Lang::Ja);
        assert_eq!(choose(None, &["fr-FR", "de", "ko-KR", "ja"]), Lang::Ko);
        assert_eq!(choose(None, &["fr-FR", "de"]), Lang::En);
        assert_eq!(choose::<&str>(None, &[]), Lang::En);
        assert_eq!(choose(Some("xx"), &["JA"]), Lang::Ja);
        assert_eq!(choose(Some(""), &["en-GB", "ja"]), Lang::En);
        assert_eq!(choose(None, &["ko_KR"]), Lang::Ko);
        // A primary subtag only: "jam" (Jamaican Creole) is not Japanese.
        assert_eq!(choose(None, &["jam", "kok"]), Lang::En);
    }

    #[test]
    fn every_language_has_a_direction() {
        assert!(Lang::ALL.iter().all(|lang| lang.dir() == "ltr"));
    }

    #[test]
    fn marked_strings_are_found() {
        let html = r#"<p data-i18n="A">Fish &amp; chips</p><input data-i18n-placeholder="B" placeholder="x"><b data-i18n="C">Go <kbd>F2</kbd></b>"#;
        let found = marked_strings(html).unwrap();
        let pairs: Vec<(&str, &str)> = found.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        assert_eq!(pairs, [("A", "Fish & chips"), ("B", "x"), ("C", "Go ")]);
        assert!(marked_strings(r#"<i data-i18n-title="D">"#).is_err());
    }

    #[test]
    fn placeholders_fill_and_are_found() {
        assert_eq!(fill("{n} of {total} left", &[("n", "2"), ("total", "5")]), "2 of 5 left");
        assert_eq!(placeholders("{shop} asks {amount} by card ending {last4}"), ["amount", "last4", "shop"]);
        assert!(placeholders("{ not one }").is_empty());
    }

    #[test]
    fn plurals() {
        assert!(is_one(Lang::En, 1) && is_one(Lang::En, -1) && !is_one(Lang::En, 2) && !is_one(Lang::En, 0));
        assert!(!is_one(Lang::Ja, 1) && !is_one(Lang::Ko, 1));
        assert_eq!(points(1), "1 point");
        assert_eq!(points(12), "12 points");
    }

    #[test]
    fn every_shared_string_is_in_every_language_with_the_same_placeholders() {
        for key in Shared::ALL {
            let english = key.text_in(Lang::En);
            for lang in Lang::ALL {
                let text = key.text_in(lang);
                assert!(!text.trim().is_empty(), "{key:?} is empty in {lang:?}");
                assert_eq!(placeholders(text), placeholders(english), "{key:?} in {lang:?}");
            }
        }
    }
}

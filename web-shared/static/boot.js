// The one sentence a page says before its Wasm (and with it the Rust catalogues) can speak:
// that it could not start, in the language the pages would choose (the saved choice, else the
// browser's first supported language, else English; as web-shared/src/i18n/mod.rs `choose`).
const COULD_NOT_START = {
  en: "This page could not start. Please reload.",
  ja: "このページを開始できませんでした。再読み込みしてください。",
  ko: "이 페이지를 시작할 수 없습니다. 새로 고침하세요.",
};

export function couldNotStart(error) {
  let saved = null;
  try {
    saved = window.localStorage.getItem("tessera-language");
  } catch {
    // No storage: the browser's languages decide.
  }
  const tags = [saved, ...(navigator.languages ?? [navigator.language])].filter(Boolean);
  const lang = tags.map((tag) => tag.split("-")[0].toLowerCase()).find((primary) => primary in COULD_NOT_START);
  return `${COULD_NOT_START[lang ?? "en"]} (${error})`;
}

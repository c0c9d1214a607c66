// The phone page speaks the browser's language: Japanese and Korean browsers get the sign-in
// screen and the wallet in their language (`html[lang]` too), the language switch brings
// English back and is remembered, and the Japanese page has no accessibility violations.
//
// Needs a running stack: TESSERA_BASE_URL and TESSERA_ADMIN_TOKEN (see loyalty-loop.test.mjs).

import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ADMIN_TOKEN, BASE_URL, axeViolations, launch, phonePage, shopWithRegister } from "./helpers.mjs";

const ARTIFACTS = path.join(path.dirname(fileURLToPath(import.meta.url)), "artifacts");

// A few key strings per language, as the catalogues (web-phone/src/i18n) word them.
const LANGUAGES = [
  {
    lang: "ja",
    locale: "ja-JP",
    shop: "喫茶さくら",
    title: "Tessera — カード・請求書・チケット",
    signIn: "サインイン",
    createCard: "カードを作成",
    signInTitle: "会員の方はサインイン",
    memberNumber: "あなたの会員番号",
    yourCards: "あなたのカード",
    showCode: "コードを表示",
    points: "0 ポイント",
    switchName: "言語",
  },
  {
    lang: "ko",
    locale: "ko-KR",
    shop: "봄날 카페",
    title: "Tessera — 카드, 청구서, 티켓",
    signIn: "로그인",
    createCard: "카드 만들기",
    signInTitle: "이미 회원이신가요? 로그인",
    memberNumber: "회원 번호",
    yourCards: "내 카드",
    showCode: "코드 보기",
    points: "0포인트",
    switchName: "언어",
  },
];

for (const words of LANGUAGES) {
  test(`the phone page in ${words.lang}: sign-in and wallet in that language, the switch back to English`, { timeout: 120_000 }, async (t) => {
    if (!BASE_URL || !ADMIN_TOKEN) {
      t.skip("set TESSERA_BASE_URL and TESSERA_ADMIN_TOKEN to run against a stack");
      return;
    }
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    const work = fs.mkdtempSync(path.join(os.tmpdir(), `tessera-lang-${words.lang}-`));
    const shot = (page, name) => page.screenshot({ path: path.join(ARTIFACTS, `languages-${words.lang}-${name}.png`) });
    const { shopId } = await shopWithRegister(`lang-${words.lang}`, words.shop);
    const browser = await launch(path.join(work, "profile"), [`--lang=${words.locale}`], { locale: words.locale });
    t.after(async () => {
      await browser.close();
      fs.rmSync(work, { recursive: true, force: true });
    });

    // The sign-in screen in the browser's language.
    const phone = await phonePage(browser);
    await phone.locator(`html[lang=${words.lang}]`).waitFor({ timeout: 10_000 });
    await phone.locator("#auth-view:not([hidden])").waitFor();
    assert.equal(await phone.title(), words.title);
    assert.equal(await phone.getByTestId("sign-in-submit").innerText(), words.signIn);
    assert.equal(await phone.getByTestId("sign-up-submit").innerText(), words.createCard);
    assert.equal(await phone.locator("#sign-in-form h2").innerText(), words.signInTitle);
    const language = phone.getByRole("combobox", { name: words.switchName });
    assert.equal(await language.inputValue(), words.lang);
    await shot(phone, "1-sign-in");

    // Sign up: the wallet in that language (catalogue words and points through the catalogue).
    await phone.getByTestId("sign-up-name").fill("Aiko");
    await phone.getByTestId("sign-up-password").fill("correct horse battery");
    await phone.getByTestId("sign-up-submit").click();
    await phone.getByTestId("new-member-number").waitFor();
    assert.equal(await phone.locator("#new-member-title").innerText(), words.memberNumber);
    await phone.locator(`[data-testid=joinable-shop][data-shop-id="${shopId}"]`).getByTestId("join-shop").click();
    const card = phone.locator(`[data-testid=membership][data-shop-id="${shopId}"]`);
    await card.waitFor();
    assert.equal(await card.getByTestId("membership-points").innerText(), words.points);
    assert.equal(await card.getByTestId("show-code").innerText(), words.showCode);
    assert.equal(await phone.locator("#wallet-view > h2").first().innerText(), words.yourCards);
    assert.equal(await phone.getByTestId("sign-out").innerText(), words.lang === "ja" ? "サインアウト" : "로그아웃");
    if (words.lang === "ja") {
      assert.deepEqual(await axeViolations(phone), [], "no accessibility violations in Japanese");
    }
    await phone.locator("#new-member-dismiss").click();
    await phone.evaluate(() => window.scrollTo(0, 0));
    await shot(phone, "2-wallet");

    // The switch on the account screen: English at once (static and drawn words, html[lang]),
    // remembered on reload.
    await phone.getByTestId("open-account").click();
    await phone.getByTestId("account-view").waitFor();
    const accountSwitch = phone.getByRole("combobox", { name: words.switchName });
    assert.equal(await accountSwitch.inputValue(), words.lang);
    await accountSwitch.selectOption("en");
    await phone.locator("html[lang=en]").waitFor();
    assert.equal(await phone.locator("#account-view > h2").first().innerText(), "Your account");
    assert.equal(await phone.getByTestId("sign-out").innerText(), "Sign out");
    await phone.getByTestId("close-account").click();
    assert.equal(await card.getByTestId("membership-points").innerText(), "0 points");
    assert.equal(await card.getByTestId("show-code").innerText(), "Show code");
    assert.equal(await phone.locator("#wallet-view > h2").first().innerText(), "Your cards");
    await phone.reload();
    await card.waitFor();
    assert.equal(await phone.locator("html").getAttribute("lang"), "en");
    assert.equal(await card.getByTestId("membership-points").innerText(), "0 points");
    await phone.getByTestId("open-account").click();
    assert.equal(await phone.getByRole("combobox", { name: "Language" }).inputValue(), "en");
  });
}

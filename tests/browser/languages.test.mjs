// The phone page speaks the browser's language: Japanese and Korean browsers get the sign-in
// screen and the wallet in their language (`html[lang]` too), the language switch brings
// English back and is remembered, and the Japanese page has no accessibility violations.
//
// So does the register: in a Japanese and a Korean browser its ready screen, a customer, a sale's
// result and a refused code are in that language (`html[lang]` and `html[dir]` too), with no
// accessibility violations; its switch brings English back at once and is remembered.
//
// Needs a running stack: TESSERA_BASE_URL and TESSERA_ADMIN_TOKEN (see loyalty-loop.test.mjs).

import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ADMIN_TOKEN, BASE_URL, axeViolations, launch, openPage, phonePage, shopWithRegister } from "./helpers.mjs";

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
    await phone.locator(`html[lang=${words.lang}][dir=ltr]`).waitFor({ timeout: 10_000 });
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

// The register's words per language, as web-register/src/i18n words them.
const REGISTER_LANGUAGES = [
  {
    lang: "ja",
    locale: "ja-JP",
    shop: "喫茶さくら",
    title: "Tessera レジ",
    switchName: "言語",
    ready: "準備完了",
    readyDetail: "お客様のコードを読み取るか、下に入力してください。",
    lookUp: "照会",
    recentScans: "最近の読み取り",
    customer: (n) => `お客様 ${n}`,
    addPoints: "ポイント付与",
    payWithPrepaid: "プリペイドで支払い",
    adds: "13 ポイント 付与",
    added: "+13 ポイント",
    balance: "残高 13 ポイント",
    nextCustomer: "次のお客様",
    alreadyUsed: "使用済み",
  },
  {
    lang: "ko",
    locale: "ko-KR",
    shop: "봄날 카페",
    title: "Tessera 계산대",
    switchName: "언어",
    ready: "준비 완료",
    readyDetail: "고객 코드를 스캔하거나 아래에 입력하세요.",
    lookUp: "조회",
    recentScans: "최근 스캔",
    customer: (n) => `고객 ${n}`,
    addPoints: "포인트 적립",
    payWithPrepaid: "선불로 결제",
    adds: "13포인트 적립",
    added: "+13포인트",
    balance: "잔액 13포인트",
    nextCustomer: "다음 고객",
    alreadyUsed: "이미 사용됨",
  },
];

/** A JSON POST with a member's cookie; the status, the JSON and the response. */
async function post(pathname, body, cookie) {
  const headers = { "Content-Type": "application/json" };
  if (cookie) headers.Cookie = cookie;
  const response = await fetch(BASE_URL + pathname, { method: "POST", headers, body: JSON.stringify(body) });
  return { status: response.status, json: JSON.parse(await response.text()), response };
}

for (const words of REGISTER_LANGUAGES) {
  test(`the register in ${words.lang}: ready, a customer, a sale and a used code in that language, the switch back to English`, { timeout: 120_000 }, async (t) => {
    if (!BASE_URL || !ADMIN_TOKEN) {
      t.skip("set TESSERA_BASE_URL and TESSERA_ADMIN_TOKEN to run against a stack");
      return;
    }
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    const work = fs.mkdtempSync(path.join(os.tmpdir(), `tessera-register-lang-${words.lang}-`));
    const shot = (page, name) => page.screenshot({ path: path.join(ARTIFACTS, `languages-${words.lang}-${name}.png`) });
    const { shopId, register } = await shopWithRegister(`reglang-${words.lang}`, words.shop, {
      products: [{ product_code: "MATCHA", name: "Matcha latte", unit_price: 450 }],
    });

    // A member of the shop with a code to show, through the API.
    const signedUp = await post("/api/members", { display_name: "Aiko", password: "correct horse battery" });
    assert.equal(signedUp.status, 201);
    const cookie = signedUp.response.headers.getSetCookie()[0].split(";")[0];
    assert.equal((await post("/api/me/memberships", { shop_id: shopId, share_name: true }, cookie)).status, 200);
    const digits = (await post("/api/me/codes", { shop_id: shopId }, cookie)).json.code;

    const browser = await launch(path.join(work, "profile"), [`--lang=${words.locale}`], { locale: words.locale });
    t.after(async () => {
      await browser.close();
      fs.rmSync(work, { recursive: true, force: true });
    });
    const till = await browser.newPage();
    await till.setViewportSize({ width: 1280, height: 800 });
    await openPage(till, BASE_URL + register.register_path);

    // Ready, in the browser's language.
    await till.locator(`html[lang=${words.lang}][dir=ltr]`).waitFor({ timeout: 10_000 });
    await till.locator("[data-testid=verdict][data-state=ready]").waitFor({ timeout: 10_000 });
    assert.equal(await till.title(), words.title);
    assert.equal(await till.getByTestId("verdict-title").innerText(), words.ready);
    assert.equal(await till.getByTestId("verdict-detail").innerText(), words.readyDetail);
    assert.equal(await till.getByTestId("manual-submit").innerText(), words.lookUp);
    assert.equal(await till.locator("#recent-title").innerText(), words.recentScans);
    const language = till.getByRole("combobox", { name: words.switchName });
    assert.equal(await language.inputValue(), words.lang);
    assert.deepEqual(await axeViolations(till), [], `no accessibility violations on the ready screen in ${words.lang}`);
    await shot(till, "3-register-ready");

    // The customer, then the sale's result.
    await till.getByTestId("manual-code").fill(digits);
    await till.getByTestId("manual-submit").click();
    await till.locator("[data-testid=verdict][data-state=customer]").waitFor({ timeout: 10_000 });
    assert.match(await till.getByTestId("verdict-title").innerText(), new RegExp(`^${words.customer("#\\d+")}$`));
    assert.equal(await till.getByTestId("add-points").innerText(), words.addPoints);
    assert.equal(await till.getByTestId("charge-prepaid").innerText(), words.payWithPrepaid);
    assert.match(await till.getByTestId("product").innerText(), /^Matcha latte · /, "a product's name stays as given");
    await till.getByTestId("amount").fill("13.00");
    await till.getByTestId("points-preview").filter({ hasText: words.adds }).waitFor();
    assert.deepEqual(await axeViolations(till), [], `no accessibility violations on a customer in ${words.lang}`);
    await shot(till, "4-register-customer");
    await till.getByTestId("add-points").click();
    await till.locator("[data-testid=verdict][data-state=sold]").waitFor({ timeout: 10_000 });
    assert.equal(await till.getByTestId("verdict-title").innerText(), words.added);
    assert.equal(await till.getByTestId("verdict-points").innerText(), words.balance);
    assert.equal(await till.getByTestId("next-customer").innerText(), words.nextCustomer);
    await shot(till, "5-register-sold");

    // The same code again: refused, in words of the language.
    await till.getByTestId("next-customer").click();
    await till.getByTestId("manual-code").fill(digits);
    await till.getByTestId("manual-submit").click();
    await till.locator("[data-testid=verdict][data-error=already_used]").waitFor({ timeout: 10_000 });
    assert.equal(await till.getByTestId("verdict-title").innerText(), words.alreadyUsed);

    // The switch: English at once (static and drawn words, html[lang]), remembered on reload.
    await language.selectOption("en");
    await till.locator("html[lang=en]").waitFor();
    assert.equal(await till.getByTestId("verdict-title").innerText(), "Already used");
    assert.equal(await till.getByTestId("manual-submit").innerText(), "Look up");
    assert.equal(await till.locator("#recent-title").innerText(), "Recent scans");
    await till.reload();
    await till.locator("[data-testid=verdict][data-state=ready]").waitFor({ timeout: 10_000 });
    assert.equal(await till.locator("html").getAttribute("lang"), "en");
    assert.equal(await till.getByTestId("verdict-title").innerText(), "Ready");
    assert.equal(await till.getByRole("combobox", { name: "Language" }).inputValue(), "en");
  });
}

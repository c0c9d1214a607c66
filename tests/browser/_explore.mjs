import lighthouse from "lighthouse";
import { launch, BASE_URL } from "./helpers.mjs";
const browser = await launch("/tmp/lh/profile-" + Date.now(), ["--remote-debugging-port=9555"]);
for (const url of [`${BASE_URL}/phone/`, `${BASE_URL}/owner/`]) {
  for (const formFactor of ["mobile", "desktop"]) {
    const flags = { port: 9555, output: "json", logLevel: "error", onlyCategories: ["accessibility", "best-practices"], formFactor,
      screenEmulation: formFactor === "mobile" ? { mobile: true, width: 360, height: 740, deviceScaleFactor: 2 } : { mobile: false, width: 1280, height: 800, deviceScaleFactor: 1 } };
    const r = await lighthouse(url, flags);
    const lhr = r.lhr;
    console.log(url, formFactor, Object.fromEntries(Object.entries(lhr.categories).map(([k, v]) => [k, v.score])));
    for (const cat of Object.values(lhr.categories)) for (const ref of cat.auditRefs) { const a = lhr.audits[ref.id]; if (a.score !== null && a.score < 1 && ref.weight > 0) console.log("  fail", cat.id, a.id, a.title, JSON.stringify(a.details?.items?.slice(0,3) ?? "").slice(0,400)); }
  }
}
await browser.close();

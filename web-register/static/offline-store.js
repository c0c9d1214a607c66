// The register's durable offline state, for the Rust page (web-register/src/offline_desk.rs):
// IndexedDB keeps the kit (this shop's public keys and revoked codes, fetched while online),
// the used-set (offline code ids accepted on this register) and the queue of offline sales,
// so they survive a reload, closing the tab and restarting the computer. An accepted sale
// writes its used-set entry and its queue entry in ONE transaction: both or neither.
// Signatures are checked with WebCrypto's Ed25519 (no crypto code in the page's Wasm).

const DB = "tessera-register-offline";
const USED_FOR_MS = 3 * 24 * 60 * 60 * 1000;
const KEEP_SETTLED = 200;
let opened = null;

function db() {
  if (!opened) {
    opened = new Promise((resolve, reject) => {
      const request = indexedDB.open(DB, 1);
      request.onupgradeneeded = () => {
        const d = request.result;
        d.createObjectStore("kit");
        d.createObjectStore("used");
        d.createObjectStore("queue", { keyPath: "seq", autoIncrement: true });
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }
  return opened;
}

function done(tx) {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error || new Error("aborted"));
  });
}

function result(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

function bytes(hex) {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.substr(i * 2, 2), 16);
  return out;
}

globalThis.tesseraOffline = {
  // The kit as JSON text, or null.
  async loadKit(register) {
    const tx = (await db()).transaction("kit", "readonly");
    return (await result(tx.objectStore("kit").get(register))) ?? null;
  },
  async saveKit(register, json) {
    const tx = (await db()).transaction("kit", "readwrite");
    tx.objectStore("kit").put(json, register);
    await done(tx);
  },
  // Ed25519 over `messageHex` with the raw public key `publicKeyHex`.
  async verify(publicKeyHex, signatureHex, messageHex) {
    try {
      const key = await crypto.subtle.importKey("raw", bytes(publicKeyHex), { name: "Ed25519" }, false, ["verify"]);
      return await crypto.subtle.verify({ name: "Ed25519" }, key, bytes(signatureHex), bytes(messageHex));
    } catch (error) {
      console.warn("offline code signature check failed", error);
      return false;
    }
  },
  async isUsed(codeId) {
    const tx = (await db()).transaction("used", "readonly");
    return (await result(tx.objectStore("used").get(codeId))) !== undefined;
  },
  // Marks the code used and queues the sale, atomically; false if it was used already.
  async accept(codeId, eventJson) {
    const tx = (await db()).transaction(["used", "queue"], "readwrite");
    const used = tx.objectStore("used");
    const seen = await result(used.get(codeId));
    if (seen !== undefined) {
      tx.abort();
      return false;
    }
    used.put(Date.now(), codeId);
    const queue = tx.objectStore("queue");
    queue.add({ event: eventJson, state: "waiting", result: null });
    // Forget what no longer matters: a code accepted more than 3 days ago has expired (codes
    // live 48 h), and of the sales the server has answered only the newest KEEP_SETTLED stay.
    const stale = IDBKeyRange.upperBound(Date.now() - USED_FOR_MS);
    used.openCursor().onsuccess = (event) => {
      const cursor = event.target.result;
      if (!cursor) return;
      if (stale.includes(cursor.value)) cursor.delete();
      cursor.continue();
    };
    queue.getAll().onsuccess = (event) => {
      const settled = event.target.result.filter((entry) => entry.state !== "waiting");
      for (const entry of settled.slice(0, Math.max(0, settled.length - KEEP_SETTLED))) queue.delete(entry.seq);
    };
    await done(tx);
    return true;
  },
  // A gate's offline admission of a ticket code: marks the code used and takes one of the
  // ticket's entries on this register (keys `ticket:<tag>:<n>`, n < entriesAllowed), and queues
  // the admission, atomically. "used": this code was used here; "full": every entry of this
  // ticket was admitted here already; "ok": admitted provisionally.
  async admit(codeId, ticketTag, entriesAllowed, eventJson) {
    const tx = (await db()).transaction(["used", "queue"], "readwrite");
    const used = tx.objectStore("used");
    if ((await result(used.get(codeId))) !== undefined) {
      tx.abort();
      return "used";
    }
    let slot = null;
    for (let n = 0; n < entriesAllowed; n++) {
      if ((await result(used.get(`ticket:${ticketTag}:${n}`))) === undefined) {
        slot = `ticket:${ticketTag}:${n}`;
        break;
      }
    }
    if (slot === null) {
      tx.abort();
      return "full";
    }
    used.put(Date.now(), codeId);
    used.put(Date.now(), slot);
    tx.objectStore("queue").add({ event: eventJson, state: "waiting", result: null });
    await done(tx);
    return "ok";
  },
  // A bill collected offline: marks the code used and the bill collected on this register (key
  // `bill:<tag>`), and queues the payment, atomically. "used": this code was used here; "paid":
  // this register collected the bill already (another of its codes); "ok": collected provisionally.
  async collect(codeId, billTag, eventJson) {
    const tx = (await db()).transaction(["used", "queue"], "readwrite");
    const used = tx.objectStore("used");
    if ((await result(used.get(codeId))) !== undefined) {
      tx.abort();
      return "used";
    }
    if ((await result(used.get(`bill:${billTag}`))) !== undefined) {
      tx.abort();
      return "paid";
    }
    used.put(Date.now(), codeId);
    used.put(Date.now(), `bill:${billTag}`);
    tx.objectStore("queue").add({ event: eventJson, state: "waiting", result: null });
    await done(tx);
    return "ok";
  },
  // Whether this register collected a bill (by its tag) offline.
  async billPaidHere(billTag) {
    const tx = (await db()).transaction("used", "readonly");
    return (await result(tx.objectStore("used").get(`bill:${billTag}`))) !== undefined;
  },
  // How many entries of a ticket (by its tag) this register admitted, up to `entriesAllowed`.
  async admittedHere(ticketTag, entriesAllowed) {
    const tx = (await db()).transaction("used", "readonly");
    const used = tx.objectStore("used");
    let count = 0;
    for (let n = 0; n < entriesAllowed; n++) {
      if ((await result(used.get(`ticket:${ticketTag}:${n}`))) !== undefined) count++;
    }
    return count;
  },
  // Every queued sale in the order it happened: [{seq, event, state, result}].
  async queue() {
    const tx = (await db()).transaction("queue", "readonly");
    return JSON.stringify(await result(tx.objectStore("queue").getAll()));
  },
  // Records the server's answer for one queued sale.
  async settle(seq, state, resultJson) {
    const tx = (await db()).transaction("queue", "readwrite");
    const store = tx.objectStore("queue");
    const entry = await result(store.get(seq));
    if (entry) {
      entry.state = state;
      entry.result = resultJson;
      store.put(entry);
    }
    await done(tx);
  },
};

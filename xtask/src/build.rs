//! Release builds: the worker through worker-build into worker/build/, and each
//! page through cargo + wasm-bindgen + wasm-opt into dist/<page>/, which wrangler
//! serves as static assets.

use crate::process::{command, run};
use crate::tools::Tools;
use crate::Result;
use std::path::Path;

/// A page crate, the URL path it is served under, the Wasm bundles in its `pkg/`, and whether
/// it takes the customer-facing pages' shared static files (`web-shared/static`: the service
/// worker, the start-failure words).
struct Page {
    krate: &'static str,
    served_at: &'static str,
    bundles: &'static [Bundle],
    shared_static: bool,
}

/// A crate built to `pkg/<crate>.js` + `pkg/<crate>_bg.wasm`, and how wasm-opt treats it.
struct Bundle {
    krate: &'static str,
    wasm_opt: &'static [&'static str],
}

/// Pages download their Wasm before they can do anything: smallest wins.
const FOR_SIZE: &[&str] = &["-Oz"];

/// The decoder worker's scanner runs on every camera frame: optimised for speed.
/// `--low-memory-unused` lets wasm-opt fold address arithmetic into load/store
/// offsets (rustc's wasm32 layout puts the stack first, growing down from 1 MiB,
/// so nothing lives in the lowest kilobyte), ≈ 0.4 KB gzip smaller and no slower;
/// the producers section (which compilers made it) is not needed to run it.
const FOR_SPEED: &[&str] = &["-O3", "--low-memory-unused", "--strip-producers"];

const PAGES: [Page; 3] = [
    Page {
        krate: "web-phone",
        served_at: "phone",
        bundles: &[Bundle { krate: "web-phone", wasm_opt: FOR_SIZE }],
        shared_static: true,
    },
    Page {
        krate: "web-register",
        served_at: "register",
        bundles: &[
            Bundle { krate: "web-register", wasm_opt: FOR_SIZE },
            // Speed counts more than a few kilobytes here: the decoder's worker loads
            // beside the page.
            Bundle { krate: "web-decoder", wasm_opt: FOR_SPEED },
        ],
        shared_static: true,
    },
    Page {
        krate: "web-owner",
        served_at: "owner",
        bundles: &[Bundle { krate: "web-owner", wasm_opt: FOR_SIZE }],
        shared_static: false,
    },
];

/// Features every browser we target has; wasm-opt must be told what rustc emitted.
const WASM_FEATURES: [&str; 6] = [
    "--enable-bulk-memory",
    "--enable-nontrapping-float-to-int",
    "--enable-sign-ext",
    "--enable-mutable-globals",
    "--enable-reference-types",
    "--enable-multivalue",
];

pub fn all(tools: &Tools) -> Result {
    worker(tools)?;
    pages(tools)?;
    report_sizes();
    Ok(())
}

/// Prints what each bundle weighs, raw and gzip-compressed (what a browser downloads).
fn report_sizes() {
    let root = crate::root();
    // Each page's Wasm sits under its content hash (see `fingerprint`).
    let pages = PAGES.iter().flat_map(|page| {
        let hashed = root.join("dist").join(page.served_at).join(crate::fingerprint::HASHED_DIR);
        let version = std::fs::read_dir(hashed)
            .ok()
            .and_then(|mut entries| entries.find_map(|entry| entry.ok()))
            .map(|entry| entry.path());
        page.bundles.iter().filter_map(move |bundle| {
            let wasm = format!("{}_bg.wasm", bundle.krate.replace('-', "_"));
            Some((format!("dist/{}/v/*/pkg/{wasm}", page.served_at), version.as_ref()?.join("pkg").join(wasm)))
        })
    });
    let worker = ("worker/build/index_bg.wasm".to_owned(), root.join("worker/build/index_bg.wasm"));
    for (bundle, path) in std::iter::once(worker).chain(pages) {
        let Ok(raw) = std::fs::metadata(&path).map(|m| m.len()) else { continue };
        let gzip = crate::process::output(
            std::process::Command::new("sh").arg("-c").arg(format!("gzip -9c '{}' | wc -c", path.display())),
        )
        .and_then(|n| n.trim().parse::<u64>().ok());
        match gzip {
            Some(gz) => println!("xtask: {bundle}: {} KB ({} KB gzip)", raw / 1000, gz / 1000),
            None => println!("xtask: {bundle}: {} KB", raw / 1000),
        }
    }
}

pub fn worker(tools: &Tools) -> Result {
    println!("xtask: building the worker (worker-build --release)");
    run(command(&tools.worker_build.to_string_lossy())
        .arg("--release")
        .current_dir(crate::root().join("worker"))
        .env("WASM_BINDGEN_BIN", &tools.wasm_bindgen)
        .env("WASM_OPT_BIN", &tools.wasm_opt)
        .env("ESBUILD_BIN", &tools.esbuild))
}

pub fn pages(tools: &Tools) -> Result {
    println!("xtask: building the pages (wasm32, release)");
    let mut cargo = command("cargo");
    cargo.args(["build", "--release", "--target", "wasm32-unknown-unknown"]);
    for bundle in PAGES.iter().flat_map(|page| page.bundles) {
        cargo.args(["-p", bundle.krate]);
    }
    run(&mut cargo)?;

    let root = crate::root();
    let target = target_dir().join("wasm32-unknown-unknown/release");
    // Each page is put together beside `dist/` and then moved in whole, so a
    // running `wrangler dev` (it watches `dist/`) never sees a half-built page.
    let staging = root.join("target/pages-staging");
    for page in &PAGES {
        let out = staging.join(page.served_at);
        let _ = std::fs::remove_dir_all(&out);
        if page.shared_static {
            copy_dir(&root.join("web-shared/static"), &out)?;
        }
        copy_dir(&root.join(page.krate).join("static"), &out)?;
        for bundle in page.bundles {
            let stem = bundle.krate.replace('-', "_");
            run(command(&tools.wasm_bindgen.to_string_lossy())
                .args(["--target", "web", "--no-typescript", "--out-dir"])
                .arg(out.join("pkg"))
                .arg(target.join(format!("{stem}.wasm"))))?;
            let wasm = out.join("pkg").join(format!("{stem}_bg.wasm"));
            run(command(&tools.wasm_opt.to_string_lossy())
                .args(bundle.wasm_opt)
                .args(WASM_FEATURES)
                .arg(&wasm)
                .arg("-o")
                .arg(&wasm))?;
        }
        crate::fingerprint::page(&out)?;
        let served = root.join("dist").join(page.served_at);
        let _ = std::fs::remove_dir_all(&served);
        std::fs::create_dir_all(root.join("dist")).map_err(|e| format!("cannot create dist/: {e}"))?;
        std::fs::rename(&out, &served).map_err(|e| format!("cannot move the page to {}: {e}", served.display()))?;
    }
    // The API's OpenAPI document, a static file beside the pages (the Worker does not carry it).
    let document = root.join("dist").join(crate::openapi::SERVED_AT.trim_start_matches('/'));
    if let Some(folder) = document.parent() {
        std::fs::create_dir_all(folder).map_err(|e| format!("cannot create {}: {e}", folder.display()))?;
    }
    std::fs::copy(root.join(crate::openapi::DOCUMENT), &document)
        .map_err(|e| format!("cannot copy {} to {}: {e}", crate::openapi::DOCUMENT, document.display()))?;
    // Security headers for every page and static file (CSP, no framing, …).
    let headers = root.join("dist").join("_headers");
    std::fs::copy(root.join("xtask/assets/_headers"), &headers)
        .map_err(|e| format!("cannot copy to {}: {e}", headers.display()))?;
    Ok(())
}

/// The local stack's build: the phone page may also load the card processor's script from
/// `origin` (localstripe's stand-in for Stripe.js, which calls its API there too). Deployed
/// builds (`cargo xtask build`) allow only Stripe's own origins.
pub fn allow_card_processor_origin(origin: &str) -> Result {
    let path = crate::root().join("dist").join("_headers");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let widened = text
        .replace(
            "script-src 'self' 'wasm-unsafe-eval' https://js.stripe.com;",
            &format!("script-src 'self' 'wasm-unsafe-eval' https://js.stripe.com {origin};"),
        )
        .replace(
            "connect-src 'self' https://api.stripe.com;",
            &format!("connect-src 'self' https://api.stripe.com {origin};"),
        );
    if widened == text && !text.contains(origin) {
        return Err(format!("{}: no card processor origins to widen", path.display()));
    }
    std::fs::write(&path, widened).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

fn target_dir() -> std::path::PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map(std::path::PathBuf::from).unwrap_or_else(|| crate::root().join("target"))
}

fn copy_dir(from: &Path, to: &Path) -> Result {
    std::fs::create_dir_all(to).map_err(|e| format!("cannot create {}: {e}", to.display()))?;
    let entries = std::fs::read_dir(from).map_err(|e| format!("cannot read {}: {e}", from.display()))?;
    for entry in entries {
        let entry = entry.map_err(|e| e.to_string())?;
        let dest = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &dest)?;
        } else {
            std::fs::copy(entry.path(), &dest).map_err(|e| format!("cannot copy to {}: {e}", dest.display()))?;
        }
    }
    Ok(())
}

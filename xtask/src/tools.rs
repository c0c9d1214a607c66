//! Installs what the build and tests need when it is missing, at pinned versions.
//! Everything comes from crates.io, npm or Debian's packages (nothing else is
//! reachable offline; see xtask/README.md).

use crate::process::{command, output, run, succeeds};
use crate::Result;
use std::path::PathBuf;
use std::process::Command;

/// Must equal the `wasm-bindgen` crate version pinned in Cargo.toml (schema check).
pub const WASM_BINDGEN_VERSION: &str = "0.2.130";
pub const WORKER_BUILD_VERSION: &str = "0.8.7";
const WASM_TARGET: &str = "wasm32-unknown-unknown";

/// Paths of the tools the build uses.
pub struct Tools {
    pub wasm_bindgen: PathBuf,
    pub worker_build: PathBuf,
    pub wasm_opt: PathBuf,
    pub esbuild: PathBuf,
    pub wrangler: PathBuf,
}

fn cargo_bin() -> PathBuf {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .unwrap_or_else(|| PathBuf::from(".cargo"));
    home.join("bin")
}

fn node_bin(name: &str) -> PathBuf {
    crate::root().join("node_modules/.bin").join(name)
}

pub fn ensure_build_tools() -> Result<Tools> {
    ensure_wasm_target()?;
    let wasm_bindgen = cargo_bin().join("wasm-bindgen");
    let version = output(Command::new(&wasm_bindgen).arg("--version")).unwrap_or_default();
    if version != format!("wasm-bindgen {WASM_BINDGEN_VERSION}") {
        println!("xtask: installing wasm-bindgen-cli {WASM_BINDGEN_VERSION} (about 3 minutes, once)");
        // Not --locked: its lock file pins a webpki-roots that no longer resolves.
        run(command("cargo").args(["install", "wasm-bindgen-cli", "--force", "--version", WASM_BINDGEN_VERSION]))?;
    }
    let worker_build = cargo_bin().join("worker-build");
    let version = output(Command::new(&worker_build).arg("--version")).unwrap_or_default();
    if !version.contains(WORKER_BUILD_VERSION) {
        println!("xtask: installing worker-build {WORKER_BUILD_VERSION} (about 5 minutes, once)");
        run(command("cargo").args([
            "install",
            "worker-build",
            "--force",
            "--locked",
            "--version",
            WORKER_BUILD_VERSION,
        ]))?;
    }
    ensure_npm_packages()?;
    Ok(Tools {
        wasm_bindgen,
        worker_build,
        wasm_opt: node_bin("wasm-opt"),
        esbuild: node_bin("esbuild"),
        wrangler: node_bin("wrangler"),
    })
}

/// rustfmt and clippy, which the test command runs (a minimal rustup profile lacks them).
pub fn ensure_lint_tools() -> Result {
    let installed = output(command("rustup").args(["component", "list", "--installed"])).unwrap_or_default();
    for component in ["rustfmt", "clippy"] {
        if !installed.lines().any(|line| line.trim().starts_with(component)) {
            println!("xtask: adding the rustup component {component}");
            run(command("rustup").args(["component", "add", component]))?;
        }
    }
    Ok(())
}

fn ensure_wasm_target() -> Result {
    let installed = output(command("rustup").args(["target", "list", "--installed"])).unwrap_or_default();
    if !installed.lines().any(|l| l.trim() == WASM_TARGET) {
        println!("xtask: adding the {WASM_TARGET} target");
        run(command("rustup").args(["target", "add", WASM_TARGET]))?;
    }
    Ok(())
}

/// `npm ci` when node_modules was not installed from this exact package-lock.json.
/// Compares contents, not timestamps: a fresh checkout (or a git worktree) has a
/// newer lock file with the same packages, and `npm ci` would wipe node_modules.
fn ensure_npm_packages() -> Result {
    if !succeeds(Command::new("node").arg("--version")) {
        return Err("Node.js 20 or newer is needed (it runs wrangler/workerd): apt-get install nodejs npm".into());
    }
    let root = crate::root();
    let lock =
        std::fs::read(root.join("package-lock.json")).map_err(|e| format!("cannot read package-lock.json: {e}"))?;
    let marker = root.join("node_modules/.installed-package-lock.json");
    let installed = std::fs::read(&marker).ok();
    if installed.as_deref() != Some(lock.as_slice()) || !node_bin("wrangler").exists() {
        println!("xtask: installing npm packages (wrangler, binaryen, playwright-core, axe-core, lighthouse)");
        run(command("npm").args(["ci", "--no-audit", "--no-fund"]))?;
        std::fs::write(&marker, &lock).map_err(|e| format!("cannot write {}: {e}", marker.display()))?;
    }
    Ok(())
}

/// A Japanese and a Korean font, so the phone page in those languages is drawn (and its
/// screenshots taken) as text rather than boxes.
const CJK_FONTS: [&str; 2] =
    ["/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf", "/usr/share/fonts/truetype/nanum/NanumGothic.ttf"];

/// Chromium, ffmpeg and the Japanese and Korean fonts from Debian, for the browser tests.
pub fn ensure_browser() -> Result {
    let have_chromium = succeeds(Command::new("/usr/bin/chromium").arg("--version"));
    let have_ffmpeg = succeeds(Command::new("ffmpeg").arg("-version"));
    let have_fonts = CJK_FONTS.iter().all(|font| std::path::Path::new(font).exists());
    if have_chromium && have_ffmpeg && have_fonts {
        return Ok(());
    }
    println!("xtask: installing chromium, ffmpeg and Japanese and Korean fonts from Debian (apt-get)");
    apt_install(&["chromium", "ffmpeg", "fonts-ipafont-gothic", "fonts-nanum"])
}

/// A PyPI tool at an exact version in its own venv under `target/<package>-venv`, installed
/// when missing or of another version; the path of its `bin_name` command.
pub fn pypi_tool(package: &str, version: &str, bin_name: &str) -> Result<PathBuf> {
    let venv = crate::root().join(format!("target/{package}-venv"));
    let bin = venv.join("bin").join(bin_name);
    let query = format!("import importlib.metadata as m; print(m.version('{package}'))");
    let installed = output(Command::new(venv.join("bin/python")).args(["-c", &query])).unwrap_or_default();
    if !bin.exists() || installed != version {
        println!("xtask: installing {package} {version} into {} (PyPI, once)", venv.display());
        if run(command("python3").args(["-m", "venv", "--clear"]).arg(&venv)).is_err() {
            // Debian's python3 makes venvs only with python3-venv installed.
            apt_install(&["python3-venv"])?;
            run(command("python3").args(["-m", "venv", "--clear"]).arg(&venv))?;
        }
        run(Command::new(venv.join("bin/pip")).args([
            "install",
            "--quiet",
            "--disable-pip-version-check",
            &format!("{package}=={version}"),
        ]))?;
    }
    Ok(bin)
}

/// `apt-get update` then `apt-get install` these Debian packages (through sudo when not root).
pub fn apt_install(packages: &[&str]) -> Result {
    let sudo = if output(Command::new("id").arg("-u")).as_deref() == Some("0") { None } else { Some("sudo") };
    let apt = |args: &[&str]| -> Result {
        let mut cmd = match sudo {
            Some(s) => {
                let mut c = command(s);
                c.arg("apt-get");
                c
            }
            None => command("apt-get"),
        };
        cmd.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        run(&mut cmd)
    };
    apt(&["update", "-q"])?;
    apt(&[&["install", "-y", "-q"][..], packages].concat())
}

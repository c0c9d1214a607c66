//! Content-hashed paths for the pages' static files, so browsers keep them
//! for a year (`immutable`) and never revalidate, while a new build is fetched
//! at once: in `dist/<page>/` everything but the entry points moves to
//! `v/<hash>/` (the hash of those files' paths and bytes), and the entry
//! points' references (`./main.js`, `./pkg/…`, `./icons/…`) are rewritten.
//!
//! Entry points keep their names, because something outside the page names
//! them: `index.html` (the address), `sw.js` (a service worker's URL is its
//! identity), `manifest.webmanifest`, and the register's `decoder-worker.js`
//! (the owner console starts it too). A service worker's `__VERSION__` and
//! `__SHELL__` (the files to keep for opening offline) are filled in here.

use crate::Result;
use std::collections::hash_map::DefaultHasher;
use std::hash::Hasher;
use std::path::{Path, PathBuf};

/// Files that keep their names (they are revalidated on every load, and small).
const ENTRY_POINTS: [&str; 4] = ["index.html", "sw.js", "manifest.webmanifest", "decoder-worker.js"];
/// Where the hashed files go, below the page's folder.
pub const HASHED_DIR: &str = "v";

/// Moves `page`'s static files under `v/<hash>/` and points the entry points at them.
pub fn page(page: &Path) -> Result {
    let mut hashed: Vec<PathBuf> = Vec::new();
    let mut top_level: Vec<String> = Vec::new();
    for entry in read_dir(page)? {
        let name = file_name(&entry);
        if ENTRY_POINTS.contains(&name.as_str()) || name == HASHED_DIR {
            continue;
        }
        top_level.push(if entry.is_dir() { format!("{name}/") } else { name });
        collect_files(&entry, &mut hashed)?;
    }
    hashed.sort();
    let hash = content_hash(page, &hashed)?;
    let version_dir = page.join(HASHED_DIR).join(&hash);
    let _ = std::fs::remove_dir_all(page.join(HASHED_DIR));
    std::fs::create_dir_all(&version_dir).map_err(|e| format!("cannot create {}: {e}", version_dir.display()))?;
    for name in &top_level {
        let name = name.trim_end_matches('/');
        std::fs::rename(page.join(name), version_dir.join(name))
            .map_err(|e| format!("cannot move {name} into {}: {e}", version_dir.display()))?;
    }
    let prefix = format!("./{HASHED_DIR}/{hash}/");
    let shell: Vec<String> = std::iter::once("./".to_owned())
        .chain(
            hashed
                .iter()
                .filter_map(|path| path.strip_prefix(page).ok())
                .map(|relative| format!("{prefix}{}", relative.to_string_lossy())),
        )
        .chain(
            ["manifest.webmanifest", "decoder-worker.js"]
                .into_iter()
                .filter(|name| page.join(name).exists())
                .map(|name| format!("./{name}")),
        )
        .collect();
    for entry_point in ENTRY_POINTS {
        let path = page.join(entry_point);
        let Ok(text) = std::fs::read_to_string(&path) else { continue };
        let mut rewritten = point_at(&text, &top_level, &prefix);
        if entry_point == "sw.js" {
            let list = serde_json::to_string(&shell).map_err(|e| e.to_string())?;
            rewritten = rewritten.replace("__VERSION__", &hash).replace("__SHELL__", &list);
        }
        std::fs::write(&path, rewritten).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    Ok(())
}

/// `text` with every `./<name>` of a moved file or folder pointing under `prefix`.
fn point_at(text: &str, moved: &[String], prefix: &str) -> String {
    moved.iter().fold(text.to_owned(), |text, name| text.replace(&format!("\"./{name}"), &format!("\"{prefix}{name}")))
}

fn content_hash(page: &Path, files: &[PathBuf]) -> Result<String> {
    let mut hasher = DefaultHasher::new();
    for file in files {
        let bytes = std::fs::read(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
        hasher.write(file.strip_prefix(page).unwrap_or(file).to_string_lossy().as_bytes());
        hasher.write_usize(bytes.len());
        hasher.write(&bytes);
    }
    Ok(format!("{:016x}", hasher.finish()))
}

fn read_dir(dir: &Path) -> Result<Vec<PathBuf>> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    entries.map(|entry| entry.map(|e| e.path()).map_err(|e| e.to_string())).collect()
}

fn file_name(path: &Path) -> String {
    path.file_name().map(|name| name.to_string_lossy().into_owned()).unwrap_or_default()
}

fn collect_files(path: &Path, into: &mut Vec<PathBuf>) -> Result {
    if path.is_dir() {
        for entry in read_dir(path)? {
            collect_files(&entry, into)?;
        }
    } else {
        into.push(path.to_owned());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_moves_under_its_hash_and_its_entry_points_follow() {
        let page = std::env::temp_dir().join(format!("xtask-fingerprint-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&page);
        std::fs::create_dir_all(page.join("pkg")).unwrap();
        std::fs::write(page.join("index.html"), r#"<link href="./style.css"><script src="./main.js"></script>"#)
            .unwrap();
        std::fs::write(page.join("main.js"), r#"import init from "./pkg/page.js";"#).unwrap();
        std::fs::write(page.join("style.css"), "body {}").unwrap();
        std::fs::write(page.join("pkg/page.js"), "export default 1;").unwrap();
        std::fs::write(page.join("sw.js"), "const V = \"__VERSION__\"; const S = __SHELL__;").unwrap();
        std::fs::write(page.join("decoder-worker.js"), "// a worker the page starts by its name").unwrap();

        super::page(&page).unwrap();
        let hash = read_dir(&page.join(HASHED_DIR)).unwrap().pop().map(|dir| file_name(&dir)).unwrap();
        assert_eq!(hash.len(), 16);
        let index = std::fs::read_to_string(page.join("index.html")).unwrap();
        assert_eq!(index, format!(r#"<link href="./v/{hash}/style.css"><script src="./v/{hash}/main.js"></script>"#));
        // Relative imports inside the moved files still hold.
        let main = std::fs::read_to_string(page.join("v").join(&hash).join("main.js")).unwrap();
        assert_eq!(main, r#"import init from "./pkg/page.js";"#);
        let sw = std::fs::read_to_string(page.join("sw.js")).unwrap();
        assert!(sw.contains(&format!("const V = \"{hash}\"")), "{sw}");
        for kept in ["\"./\"", "main.js\"", "style.css\"", "pkg/page.js\"", "\"./decoder-worker.js\""] {
            assert!(sw.contains(kept), "{kept} in {sw}");
        }
        assert!(!page.join("main.js").exists() && !page.join("pkg").exists());
        let _ = std::fs::remove_dir_all(&page);
    }

    #[test]
    fn another_build_gets_another_hash_and_the_same_build_the_same() {
        let dir = std::env::temp_dir().join(format!("xtask-hash-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("main.js");
        std::fs::write(&file, "one").unwrap();
        let first = content_hash(&dir, std::slice::from_ref(&file)).unwrap();
        assert_eq!(content_hash(&dir, std::slice::from_ref(&file)).unwrap(), first);
        std::fs::write(&file, "two").unwrap();
        assert_ne!(content_hash(&dir, std::slice::from_ref(&file)).unwrap(), first);
        let _ = std::fs::remove_dir_all(&dir);
    }
}

//! The browser journeys of `e2e/`: Node's test runner drives headless
//! Chromium through the compiled binary, each journey on its own fresh
//! database, and audits every page it loads. Screenshots, server logs and
//! the audit reports land in `target/e2e/`.

use std::path::Path;
use std::process::Command;

use crate::common::admin_options;

const CHROMIUM: &str = "/usr/bin/chromium";

/// The server the journeys make their databases on, as a URL for psql and
/// for the binary: `DATABASE_URL`, or else the tests' private cluster.
async fn admin_url() -> String {
    if let Ok(url) = std::env::var("DATABASE_URL") {
        return url;
    }
    let o = admin_options().await;
    match o.get_socket() {
        Some(dir) => format!(
            "postgres://{}@localhost:{}/postgres?host={}",
            o.get_username(),
            o.get_port(),
            dir.display()
        ),
        None => format!(
            "postgres://{}@{}:{}/postgres",
            o.get_username(),
            o.get_host(),
            o.get_port()
        ),
    }
}

#[tokio::test]
async fn journeys_in_headless_chromium() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let node = Command::new("node").arg("--version").output();
    assert!(
        Path::new(CHROMIUM).is_file()
            && root.join("e2e/node_modules").is_dir()
            && node.is_ok_and(|o| o.status.success()),
        "the browser journeys need Node, Chromium and their packages: install chromium (apt-get install chromium) and run npm ci --prefix e2e"
    );
    // Every test file by name: `node --test e2e/` only searches a folder up to Node 20.
    let mut files: Vec<String> = std::fs::read_dir(root.join("e2e"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".test.mjs"))
        .map(|name| format!("e2e/{name}"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no e2e/*.test.mjs");

    let url = admin_url().await;
    let output = tokio::task::spawn_blocking(move || {
        Command::new("node")
            .args(["--test", "--test-concurrency=1", "--test-reporter=spec"])
            .args(&files)
            .current_dir(root)
            .env("NAP_BIN", env!("CARGO_BIN_EXE_nap-oversight"))
            .env("DATABASE_URL", url)
            .env("E2E_OUT", "target/e2e")
            .env("NAP_DEMO_PASSWORD", nap_oversight::demo::PASSWORD)
            .env("CHROMIUM", CHROMIUM)
            .output()
            .expect("node")
    })
    .await
    .unwrap();
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        output.status.success(),
        "a browser journey failed (screenshots and server logs in target/e2e):\n{report}"
    );
    println!("{report}");
}

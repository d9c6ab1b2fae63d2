//! The environ page's own content, with and without recorded build info, and
//! how the builder's values and the contributions merge with it.

use crate::support::{body, builder, get, json};
use heartbeat_core::{BuildInfo, Heartbeat, Outcome, check_fn};
use serde_json::{Value, json};

/// What `heartbeat-build` writes; an application reads it with
/// `build_info!()`, which needs its build script.
const RECORDED: &str = r#"{
    "package": {"name": "shop", "version": "2.1.0"},
    "revision": {"commit": "0123456789abcdef0123456789abcdef01234567", "dirty": false},
    "libraries": {
        "axum": {"version": "0.8.9", "conflicts": null, "features": ["http1"]},
        "hashbrown": {"version": "0.15.2", "conflicts": ["0.14.5"], "features": []}
    }
}"#;

async fn page(heartbeat: &Heartbeat) -> (String, Value) {
    let response = get(heartbeat, "environ").await;
    assert_eq!(response.status(), 200);
    (body(&response).to_owned(), json(&response))
}

#[tokio::test]
async fn without_setup_the_compiler_target_and_profile_show_and_a_hint_says_the_rest() {
    let (text, page) = page(&builder().build().unwrap()).await;

    assert!(text.starts_with(r#"{"status":true,"#), "{text}");
    let rust = page["rust"].as_array().expect("[major, minor, patch]");
    assert_eq!(rust.len(), 3);
    assert!(rust.iter().all(Value::is_u64));
    assert!(page["rustc"].is_string());
    assert!(page["target"].as_str().is_some_and(|t| t.contains('-')));
    assert!(matches!(
        page["profile"].as_str(),
        Some("debug" | "release")
    ));

    assert_eq!(page["libraries"], json!({}));
    let hint = page["hint"].as_str().unwrap();
    assert!(hint.contains("heartbeat-build"), "{hint}");
    assert!(page.get("package").is_none());
    assert!(page.get("revision").is_none());
}

#[tokio::test]
async fn recorded_build_info_fills_the_page() {
    let heartbeat = builder()
        .build_info(BuildInfo::__from_recorded(RECORDED))
        .build()
        .unwrap();
    let (text, page) = page(&heartbeat).await;

    assert!(
        text.contains(r#""hashbrown":{"conflicts":["0.14.5"],"features":[],"version":"0.15.2"}"#),
        "{text}"
    );
    assert_eq!(page["libraries"]["axum"]["conflicts"], Value::Null);
    assert_eq!(page["package"], json!({"name": "shop", "version": "2.1.0"}));
    assert_eq!(page["revision"]["dirty"], false);
    assert!(page.get("hint").is_none());
    assert_eq!(page["rust"].as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn the_builder_s_values_replace_the_page_s_own() {
    let heartbeat = builder()
        .build_info(BuildInfo::__from_recorded(RECORDED))
        .environ_value("libraries", json!({}))
        .environ_value("region", "eu-west-1")
        .build()
        .unwrap();
    let (_, page) = page(&heartbeat).await;
    assert_eq!(page["libraries"], json!({}));
    assert_eq!(page["region"], "eu-west-1");
    assert_eq!(page["package"]["name"], "shop");
}

#[tokio::test]
async fn contributions_cannot_replace_status_or_the_page_s_own_keys() {
    let heartbeat = builder()
        .build_info(BuildInfo::__from_recorded(RECORDED))
        .environ(
            "intruder",
            check_fn(|| async {
                Outcome::pass()
                    .with("status", false)
                    .with("libraries", "none")
                    .with("rust", json!([0, 0, 0]))
                    .with("queue", "jobs")
            }),
        )
        .build()
        .unwrap();
    let (text, page) = page(&heartbeat).await;

    assert!(text.starts_with(r#"{"status":true,"#), "{text}");
    assert_eq!(text.matches(r#""status""#).count(), 1, "{text}");
    assert_eq!(page["libraries"]["axum"]["version"], "0.8.9");
    assert_ne!(page["rust"], json!([0, 0, 0]));
    assert_eq!(page["queue"], "jobs");
}

#[tokio::test]
async fn a_failing_contribution_fails_the_status_but_not_the_answer() {
    let heartbeat = builder()
        .environ("broken", check_fn(|| async { Outcome::fail("no data") }))
        .build()
        .unwrap();
    let (text, page) = page(&heartbeat).await;
    assert!(text.starts_with(r#"{"status":false,"#), "{text}");
    assert!(page["libraries"].is_object());
}

#[tokio::test]
async fn an_unreadable_record_leaves_the_libraries_empty() {
    let heartbeat = builder()
        .build_info(BuildInfo::__from_recorded("not json"))
        .build()
        .unwrap();
    let (_, page) = page(&heartbeat).await;
    assert_eq!(page["libraries"], json!({}));
    assert!(page["hint"].is_string());
}

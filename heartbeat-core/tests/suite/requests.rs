//! Whatever a client sends, the entry point answers with one of the
//! contract's statuses and a body in one of its formats, and never panics.

use heartbeat_core::{Heartbeat, Outcome, Request, check_fn};
use http::{HeaderMap, HeaderValue, header};
use proptest::prelude::*;

const PREFIX: &str = "/.well-known/heartbeat";

fn heartbeat() -> Heartbeat {
    Heartbeat::builder()
        .without_declared()
        .readiness("up", check_fn(|| async { Outcome::pass() }))
        .readiness("down", check_fn(|| async { Outcome::fail("down") }))
        .liveness("panics", check_fn(|| async { always_panics() }))
        .environ(
            "extra",
            check_fn(|| async { Outcome::pass().with("k", "v") }),
        )
        .build()
        .unwrap()
}

fn always_panics() -> Outcome {
    panic!("always")
}

fn method() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("GET".to_owned()),
        Just("HEAD".to_owned()),
        Just("POST".to_owned()),
        Just("DELETE".to_owned()),
        "[A-Za-z-]{1,12}",
    ]
}

fn path() -> impl Strategy<Value = String> {
    let segment = prop_oneof![
        Just("readiness".to_owned()),
        Just("liveliness".to_owned()),
        Just("liveness".to_owned()),
        Just("startup".to_owned()),
        Just("environ".to_owned()),
        Just("up".to_owned()),
        Just("down".to_owned()),
        Just(String::new()),
        Just("..".to_owned()),
        "%[0-9A-F]{2}",
        "\\PC{0,16}",
    ];
    (
        prop_oneof![Just(PREFIX.to_owned()), Just(String::new()), "/\\PC{0,8}"],
        prop::collection::vec(segment, 0..4),
        any::<bool>(),
    )
        .prop_map(|(start, segments, trailing)| {
            let mut path = start;
            for segment in segments {
                path.push('/');
                path.push_str(&segment);
            }
            if trailing {
                path.push('/');
            }
            path
        })
}

fn accept() -> impl Strategy<Value = Option<String>> {
    prop::option::of(prop_oneof![
        Just("*/*".to_owned()),
        Just("application/json".to_owned()),
        Just("text/plain;q=0.5, application/health+json".to_owned()),
        Just("text/plain".to_owned()),
        "[ -~]{0,64}",
    ])
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn every_request_gets_a_contract_answer(
        method in method(),
        path in path(),
        query in prop::option::of(prop_oneof![
            "[ -~]{0,256}",
            "(exclude=[a-z%+0-9]{0,8}&){0,3}(verbose)?",
        ]),
        accept in accept(),
    ) {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap();
        let heartbeat = heartbeat();
        let mut headers = HeaderMap::new();
        if let Some(value) = accept.and_then(|a| HeaderValue::from_str(&a).ok()) {
            headers.insert(header::ACCEPT, value);
        }
        let request = Request::new(&method, &path).query(query.as_deref()).headers(&headers);

        let response = runtime.block_on(heartbeat.handle(&request));

        prop_assert!(
            [200, 404, 405, 500].contains(&response.status().as_u16()),
            "{} {path:?} answered {}", method, response.status()
        );
        prop_assert_eq!(&response.headers()[header::CACHE_CONTROL], "no-store");
        let content_type = response.headers()[header::CONTENT_TYPE].to_str().unwrap();
        prop_assert!(
            ["application/json", "application/health+json", "text/plain; charset=utf-8"]
                .contains(&content_type),
            "{content_type}"
        );
        if method == "HEAD" {
            prop_assert!(response.body().is_empty());
        } else if content_type.starts_with("text/plain") {
            prop_assert!(std::str::from_utf8(response.body()).is_ok());
        } else {
            let body: serde_json::Value = serde_json::from_slice(response.body()).unwrap();
            prop_assert!(body.is_object());
        }
    }
}

//! `#[probe]` expands correctly where little is in scope: in a module
//! without the standard prelude, and when the application depends on the
//! core under another name (here `health`).

mod bare {
    #![no_implicit_prelude]

    pub(crate) struct Settings {
        pub(crate) ready: bool,
    }

    #[::health::probe(readiness, timeout = "1s")]
    async fn settings(settings: &Settings) -> ::health::Outcome {
        ::health::Outcome::from_status(settings.ready)
    }

    #[::health::probe(liveness, name = "bare-result")]
    async fn result() -> ::core::result::Result<(), ::std::string::String> {
        ::core::result::Result::Ok(())
    }
}

use health::{Heartbeat, Probe};

#[tokio::test]
async fn the_attribute_works_without_the_prelude_and_under_a_renamed_crate() {
    let heartbeat = Heartbeat::builder()
        .state(bare::Settings { ready: true })
        .build()
        .unwrap();

    let readiness = heartbeat.report(Probe::Readiness).await;
    assert!(readiness.check("settings").unwrap().status());
    let liveness = heartbeat.report(Probe::Liveness).await;
    assert!(liveness.check("bare-result").unwrap().status());
}

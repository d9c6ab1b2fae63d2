//! What one run of a check found.

use std::fmt::Display;

use serde_json::{Map, Value};

/// What one run of a check found: a status, and data to show beside it.
///
/// The data is a JSON object. The heartbeat merges it with the status into
/// the check's entry in the probe's body, so keys such as `message`,
/// `latency_ms` or `version` appear next to `status`.
///
/// ```
/// use heartbeat_core::Outcome;
///
/// let up = Outcome::pass().with("version", "15.4");
/// assert!(up.status());
///
/// let down = Outcome::fail("connection refused");
/// assert_eq!(down.message(), Some("connection refused"));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    status: bool,
    data: Map<String, Value>,
}

impl Outcome {
    /// A passing outcome with no data.
    pub fn pass() -> Self {
        Self::from_status(true)
    }

    /// A failing outcome whose `message` says why.
    pub fn fail(message: impl Into<String>) -> Self {
        Self::from_status(false).with("message", message.into())
    }

    /// An outcome with the given status and no data.
    pub fn from_status(status: bool) -> Self {
        Self {
            status,
            data: Map::new(),
        }
    }

    /// Adds `key` with `value` to the data, replacing an earlier value of
    /// that key.
    ///
    /// The keys `status` and `duration_ms` belong to the heartbeat: in the
    /// rendered body the check's status and measured duration win over them.
    #[must_use]
    pub fn with(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        self.data.insert(key.into(), value.into());
        self
    }

    /// Whether the check passed.
    pub fn status(&self) -> bool {
        self.status
    }

    /// The data shown beside the status.
    pub fn data(&self) -> &Map<String, Value> {
        &self.data
    }

    /// The `message` in the data, if it is a string.
    pub fn message(&self) -> Option<&str> {
        self.data.get("message").and_then(Value::as_str)
    }

    /// Splits the outcome into its status and data.
    pub fn into_parts(self) -> (bool, Map<String, Value>) {
        (self.status, self.data)
    }
}

/// What a check may return: anything that says whether it passed.
///
/// - [`Outcome`] itself;
/// - `bool`: the status, with no data;
/// - `()`: passing (so `Result<(), E>` reads naturally);
/// - `Result<T, E>` where `T` is one of these and `E: Display`: an error fails
///   the check with the error's text as its `message`.
///
/// An error's text is shown to whoever may read the probe: make sure it holds
/// no secret, such as a password inside a connection string.
#[diagnostic::on_unimplemented(
    message = "a heartbeat check cannot return `{Self}`",
    label = "return an `Outcome`, a `bool`, or a `Result` of one of them",
    note = "a check returns `Outcome`, `bool`, `()`, or `Result<T, E>` where `T` is one of these and `E: Display`"
)]
pub trait IntoOutcome {
    /// Converts the value into an [`Outcome`].
    fn into_outcome(self) -> Outcome;
}

impl IntoOutcome for Outcome {
    fn into_outcome(self) -> Outcome {
        self
    }
}

impl IntoOutcome for bool {
    fn into_outcome(self) -> Outcome {
        Outcome::from_status(self)
    }
}

impl IntoOutcome for () {
    fn into_outcome(self) -> Outcome {
        Outcome::pass()
    }
}

impl<T: IntoOutcome, E: Display> IntoOutcome for Result<T, E> {
    fn into_outcome(self) -> Outcome {
        match self {
            Ok(value) => value.into_outcome(),
            Err(error) => Outcome::fail(error.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_text_becomes_the_message() {
        let result: Result<(), &str> = Err("no route to host");
        let outcome = result.into_outcome();
        assert!(!outcome.status());
        assert_eq!(outcome.message(), Some("no route to host"));
    }

    #[test]
    fn ok_keeps_the_inner_outcome() {
        let result: Result<Outcome, String> = Ok(Outcome::pass().with("latency_ms", 1.5));
        let outcome = result.into_outcome();
        assert!(outcome.status());
        assert_eq!(outcome.data().get("latency_ms"), Some(&Value::from(1.5)));
    }

    #[test]
    fn booleans_carry_no_data() {
        assert_eq!(false.into_outcome(), Outcome::from_status(false));
        assert!(true.into_outcome().data().is_empty());
    }

    #[test]
    fn later_values_replace_earlier_ones() {
        let outcome = Outcome::fail("first").with("message", "second");
        assert_eq!(outcome.message(), Some("second"));
    }
}

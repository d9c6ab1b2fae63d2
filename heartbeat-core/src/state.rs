//! Values the application hands to the heartbeat, for declared checks to use.

use std::{
    any::{Any, TypeId, type_name},
    collections::HashMap,
    fmt,
    sync::Arc,
};

/// Values given to [`HeartbeatBuilder::state`](crate::HeartbeatBuilder::state),
/// one per type.
///
/// A check declared with `#[probe(...)]` names what it needs as parameters;
/// when the heartbeat is built, each parameter is looked up here by its type.
#[derive(Default, Clone)]
pub struct State {
    values: HashMap<TypeId, Arc<dyn Any + Send + Sync>>,
}

impl State {
    pub(crate) fn insert<T: Send + Sync + 'static>(&mut self, value: T) {
        self.values.insert(TypeId::of::<T>(), Arc::new(value));
    }

    /// The value of type `T`, or an error naming the type when none was given.
    pub fn resolve<T: Send + Sync + 'static>(&self) -> Result<Arc<T>, MissingState> {
        self.values
            .get(&TypeId::of::<T>())
            .cloned()
            .and_then(|value| value.downcast::<T>().ok())
            .ok_or(MissingState {
                type_name: type_name::<T>(),
            })
    }
}

impl fmt::Debug for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("State")
            .field("values", &self.values.len())
            .finish()
    }
}

/// A check asked for a value of a type that nobody gave to the builder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingState {
    type_name: &'static str,
}

impl MissingState {
    /// The full name of the missing type.
    pub fn type_name(&self) -> &'static str {
        self.type_name
    }
}

impl fmt::Display for MissingState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "no value of type `{}` was given; pass one with `HeartbeatBuilder::state(value)`",
            self.type_name
        )
    }
}

impl std::error::Error for MissingState {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_found_by_type() {
        let mut state = State::default();
        state.insert(7_u32);
        state.insert(String::from("pool"));

        assert_eq!(*state.resolve::<u32>().unwrap(), 7);
        assert_eq!(state.resolve::<String>().unwrap().as_str(), "pool");
    }

    #[test]
    fn a_missing_type_is_named() {
        let state = State::default();
        let error = state.resolve::<Vec<u8>>().unwrap_err();
        assert_eq!(error.type_name(), "alloc::vec::Vec<u8>");
        assert!(error.to_string().contains("HeartbeatBuilder::state"));
    }
}

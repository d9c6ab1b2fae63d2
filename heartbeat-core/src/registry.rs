//! Checks declared with `#[probe(...)]`, collected at link time.

use std::{fmt, sync::Arc, time::Duration};

use crate::{
    check::Check,
    policy::Policy,
    probe::Probe,
    state::{MissingState, State},
};

/// One `#[probe(...)]` attribute, as the macro writes it down.
///
/// Not for direct use: the attribute submits these through `inventory`, and
/// the builder collects them.
#[doc(hidden)]
pub struct Declaration {
    pub name: &'static str,
    pub probes: &'static [Probe],
    pub timeout: Option<Duration>,
    pub policy: Policy,
    pub site: Site,
    pub factory: fn(&State) -> Result<Arc<dyn Check>, MissingState>,
}

inventory::collect!(Declaration);

pub(crate) fn declarations() -> impl Iterator<Item = &'static Declaration> {
    inventory::iter::<Declaration>.into_iter()
}

/// Where a declared check stands in the source.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Site {
    pub function: &'static str,
    pub module: &'static str,
    pub file: &'static str,
    pub line: u32,
}

/// Where a check came from, for error messages that must point at it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Origin {
    /// Declared with `#[probe(...)]` on a function.
    Declared {
        /// The function's path, such as `my_app::health::database`.
        function: String,
        /// The source file.
        file: &'static str,
        /// The line of the function in that file.
        line: u32,
    },
    /// Registered at run time through the builder; `position` counts the
    /// builder's registrations from 1.
    Builder {
        /// The registration's position among the builder's, from 1.
        position: usize,
    },
}

impl Origin {
    pub(crate) fn declared(site: Site) -> Self {
        Origin::Declared {
            function: format!("{}::{}", site.module, site.function),
            file: site.file,
            line: site.line,
        }
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Declared {
                function,
                file,
                line,
            } => write!(f, "`#[probe]` on `{function}` at {file}:{line}"),
            Origin::Builder { position } => {
                write!(f, "check number {position} given to the builder")
            }
        }
    }
}

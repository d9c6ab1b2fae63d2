//! The arguments of `#[probe(...)]`.

use std::time::Duration;

use proc_macro2::{Literal, Span};
use syn::{
    Ident, LitBool, LitInt, LitStr, Path, Token,
    parse::{Parse, ParseStream},
    punctuated::Punctuated,
};

/// The probes a check can belong to, as the attribute spells them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Readiness,
    Liveness,
    Startup,
    Environ,
}

impl Kind {
    /// The variant of `heartbeat_core::Probe`.
    pub(crate) fn variant(self) -> &'static str {
        match self {
            Kind::Readiness => "Readiness",
            Kind::Liveness => "Liveness",
            Kind::Startup => "Startup",
            Kind::Environ => "Environ",
        }
    }
}

/// Everything the attribute said, checked.
pub(crate) struct Args {
    pub(crate) kinds: Vec<Kind>,
    pub(crate) name: Option<LitStr>,
    pub(crate) timeout: Option<Duration>,
    pub(crate) critical: Option<LitBool>,
    pub(crate) interval: Option<Duration>,
    pub(crate) max_age: Option<Duration>,
    pub(crate) failure_threshold: Option<Literal>,
    pub(crate) success_threshold: Option<Literal>,
    pub(crate) krate: Option<Path>,
}

/// One comma-separated item of the attribute.
enum Arg {
    Kind(Ident, Kind),
    Name(Ident, LitStr),
    Timeout(Ident, Duration),
    Critical(Ident, LitBool),
    Interval(Ident, Duration),
    MaxAge(Ident, Duration),
    FailureThreshold(Ident, Literal),
    SuccessThreshold(Ident, Literal),
    Crate(Token![crate], Path),
}

const KINDS: &str = "`readiness`, `liveness`, `startup` or `environ`";

const OPTIONS: &str = "`name = \"...\"`, `timeout = \"...\"`, `critical = false`, \
                       `interval = \"...\"`, `max_age = \"...\"`, `failure_threshold = 3` or \
                       `success_threshold = 2`";

impl Parse for Arg {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        if input.peek(Token![crate]) {
            let token: Token![crate] = input.parse()?;
            input.parse::<Token![=]>()?;
            return Ok(Arg::Crate(token, input.parse()?));
        }

        let ident: Ident = input.parse().map_err(|error| {
            syn::Error::new(
                error.span(),
                format!("expected a probe ({KINDS}) or an option ({OPTIONS})"),
            )
        })?;

        if !input.peek(Token![=]) {
            return match ident.to_string().as_str() {
                "readiness" => Ok(Arg::Kind(ident, Kind::Readiness)),
                "liveness" => Ok(Arg::Kind(ident, Kind::Liveness)),
                "startup" => Ok(Arg::Kind(ident, Kind::Startup)),
                "environ" => Ok(Arg::Kind(ident, Kind::Environ)),
                "liveliness" => Err(syn::Error::new(
                    ident.span(),
                    "write `liveness`: `liveliness` is only the name of an endpoint",
                )),
                other => Err(syn::Error::new(
                    ident.span(),
                    format!("unknown probe `{other}`; expected {KINDS}"),
                )),
            };
        }

        input.parse::<Token![=]>()?;
        match ident.to_string().as_str() {
            "name" => {
                let name = string_value(input, "name", "name = \"database\"")?;
                if name.value().is_empty() {
                    return Err(syn::Error::new(
                        name.span(),
                        "a check's name cannot be empty",
                    ));
                }
                Ok(Arg::Name(ident, name))
            }
            "timeout" => {
                let literal = string_value(input, "timeout", "timeout = \"250ms\"")?;
                let timeout = parse_duration(
                    &literal,
                    "a time limit of zero would fail the check before it starts; give a positive one",
                )?;
                Ok(Arg::Timeout(ident, timeout))
            }
            "critical" => {
                let span = input.span();
                let critical = input.parse::<LitBool>().map_err(|_| {
                    syn::Error::new(
                        span,
                        "`critical` takes `true` or `false`, such as `critical = false`",
                    )
                })?;
                Ok(Arg::Critical(ident, critical))
            }
            "interval" => {
                let literal = string_value(input, "interval", "interval = \"10s\"")?;
                let interval = parse_duration(
                    &literal,
                    "an interval of zero would run the check without pause; give a positive one",
                )?;
                Ok(Arg::Interval(ident, interval))
            }
            "max_age" => {
                let literal = string_value(input, "max_age", "max_age = \"30s\"")?;
                let max_age = parse_duration(
                    &literal,
                    "a max_age of zero would fail every result at once; give a positive one",
                )?;
                Ok(Arg::MaxAge(ident, max_age))
            }
            "failure_threshold" => {
                let runs = threshold(input, "failure_threshold = 3")?;
                Ok(Arg::FailureThreshold(ident, runs))
            }
            "success_threshold" => {
                let runs = threshold(input, "success_threshold = 2")?;
                Ok(Arg::SuccessThreshold(ident, runs))
            }
            other => Err(syn::Error::new(
                ident.span(),
                format!("unknown option `{other}`; expected {OPTIONS}"),
            )),
        }
    }
}

fn string_value(input: ParseStream<'_>, option: &str, example: &str) -> syn::Result<LitStr> {
    let span = input.span();
    input.parse::<LitStr>().map_err(|_| {
        syn::Error::new(
            span,
            format!("`{option}` takes a string, such as `{example}`"),
        )
    })
}

/// A number of runs in a row, at least 1.
fn threshold(input: ParseStream<'_>, example: &str) -> syn::Result<Literal> {
    let span = input.span();
    let not_a_count = || {
        syn::Error::new(
            span,
            format!("a threshold is a number of runs in a row, such as `{example}`"),
        )
    };
    let literal = input.parse::<LitInt>().map_err(|_| not_a_count())?;
    let runs = literal.base10_parse::<u32>().map_err(|_| not_a_count())?;
    if runs == 0 {
        return Err(syn::Error::new(
            literal.span(),
            "a threshold counts runs in a row; give 1 (the state follows every run) or more",
        ));
    }
    Ok(Literal::u32_unsuffixed(runs))
}

fn parse_duration(literal: &LitStr, zero: &str) -> syn::Result<Duration> {
    let text = literal.value();
    let duration = humantime::parse_duration(&text).map_err(|error| {
        syn::Error::new(
            literal.span(),
            format!("invalid duration \"{text}\" ({error}); write one such as \"250ms\" or \"2s\""),
        )
    })?;
    if duration.is_zero() {
        return Err(syn::Error::new(literal.span(), zero));
    }
    Ok(duration)
}

impl Parse for Args {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let items = Punctuated::<Arg, Token![,]>::parse_terminated(input)?;
        let mut args = Args {
            kinds: Vec::new(),
            name: None,
            timeout: None,
            critical: None,
            interval: None,
            max_age: None,
            failure_threshold: None,
            success_threshold: None,
            krate: None,
        };
        let mut environ: Option<Span> = None;
        let mut max_age: Option<Span> = None;

        for item in items {
            match item {
                Arg::Kind(ident, kind) => {
                    if args.kinds.contains(&kind) {
                        return Err(twice(&ident));
                    }
                    if kind == Kind::Environ {
                        environ = Some(ident.span());
                    }
                    args.kinds.push(kind);
                }
                Arg::Name(ident, name) => {
                    if args.name.replace(name).is_some() {
                        return Err(twice(&ident));
                    }
                }
                Arg::Timeout(ident, timeout) => {
                    if args.timeout.replace(timeout).is_some() {
                        return Err(twice(&ident));
                    }
                }
                Arg::Critical(ident, critical) => {
                    if args.critical.replace(critical).is_some() {
                        return Err(twice(&ident));
                    }
                }
                Arg::Interval(ident, interval) => {
                    if args.interval.replace(interval).is_some() {
                        return Err(twice(&ident));
                    }
                }
                Arg::MaxAge(ident, age) => {
                    max_age = Some(ident.span());
                    if args.max_age.replace(age).is_some() {
                        return Err(twice(&ident));
                    }
                }
                Arg::FailureThreshold(ident, runs) => {
                    if args.failure_threshold.replace(runs).is_some() {
                        return Err(twice(&ident));
                    }
                }
                Arg::SuccessThreshold(ident, runs) => {
                    if args.success_threshold.replace(runs).is_some() {
                        return Err(twice(&ident));
                    }
                }
                Arg::Crate(token, path) => {
                    if args.krate.replace(path).is_some() {
                        return Err(syn::Error::new(token.span, "`crate` is given twice"));
                    }
                }
            }
        }

        if args.kinds.is_empty() {
            return Err(syn::Error::new(
                input.span(),
                format!(
                    "name the probes this check belongs to: one or more of {KINDS}, as in `#[probe(readiness)]`"
                ),
            ));
        }
        if let (Some(span), None) = (max_age, args.interval) {
            return Err(syn::Error::new(
                span,
                "`max_age` limits the age of a background check's results; run the check in \
                 the background with `interval = \"...\"`, or remove `max_age`",
            ));
        }
        if let (Some(span), true) = (environ, args.kinds.len() > 1) {
            return Err(syn::Error::new(
                span,
                "`environ` contributes to the environ page and cannot be combined with \
                 other probes; declare a separate function for it",
            ));
        }
        Ok(args)
    }
}

fn twice(ident: &Ident) -> syn::Error {
    syn::Error::new(ident.span(), format!("`{ident}` is given twice"))
}

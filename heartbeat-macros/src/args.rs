//! The arguments of `#[probe(...)]`.

use std::time::Duration;

use proc_macro2::Span;
use syn::{
    Ident, LitStr, Path, Token,
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
    pub(crate) krate: Option<Path>,
}

/// One comma-separated item of the attribute.
enum Arg {
    Kind(Ident, Kind),
    Name(Ident, LitStr),
    Timeout(Ident, Duration),
    Crate(Token![crate], Path),
}

const KINDS: &str = "`readiness`, `liveness`, `startup` or `environ`";

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
                format!("expected a probe ({KINDS}) or an option (`name = \"...\"`, `timeout = \"...\"`)"),
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
                let timeout = parse_duration(&literal)?;
                Ok(Arg::Timeout(ident, timeout))
            }
            other => Err(syn::Error::new(
                ident.span(),
                format!(
                    "unknown option `{other}`; expected `name = \"...\"` or `timeout = \"...\"`"
                ),
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

fn parse_duration(literal: &LitStr) -> syn::Result<Duration> {
    let text = literal.value();
    let duration = humantime::parse_duration(&text).map_err(|error| {
        syn::Error::new(
            literal.span(),
            format!("invalid duration \"{text}\" ({error}); write one such as \"250ms\" or \"2s\""),
        )
    })?;
    if duration.is_zero() {
        return Err(syn::Error::new(
            literal.span(),
            "a time limit of zero would fail the check before it starts; give a positive one",
        ));
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
            krate: None,
        };
        let mut environ: Option<Span> = None;

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

//! Writes the registration of a declared check.

use std::time::Duration;

use proc_macro_crate::{FoundCrate, crate_name};
use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::{Ident, ItemFn, Path, ReturnType, spanned::Spanned};

use crate::{
    args::Args,
    signature::{self, Param},
};

pub(crate) fn probe(attr: TokenStream, item: TokenStream) -> syn::Result<TokenStream> {
    let args: Args = syn::parse2(attr)?;
    let function: ItemFn = syn::parse2(item)?;
    let params = signature::inspect(&function)?;
    let krate = match args.krate.clone() {
        Some(path) => quote!(#path),
        None => heartbeat_path()?,
    };
    let private = quote!(#krate::__private);

    let ident = &function.sig.ident;
    let function_name = ident.to_string();
    let name = match &args.name {
        Some(name) => name.value(),
        None => function_name.clone(),
    };
    let probes = args.kinds.iter().map(|kind| {
        let variant = Ident::new(kind.variant(), Span::call_site());
        quote!(#private::Probe::#variant)
    });
    let timeout = match args.timeout {
        Some(timeout) => {
            let timeout = duration(timeout)?;
            quote!(::core::option::Option::Some(#timeout))
        }
        None => quote!(::core::option::Option::None),
    };

    let policy = policy(&args, &private)?;

    let bindings: Vec<Ident> = (0..params.len())
        .map(|index| format_ident!("__heartbeat_state_{}", index))
        .collect();
    let resolves = params.iter().zip(&bindings).map(|(param, binding)| {
        let ty = param.state_type();
        quote_spanned!(ty.span()=> let #binding = __state.resolve::<#ty>()?;)
    });
    let arguments = params
        .iter()
        .zip(&bindings)
        .map(|(param, binding)| match param {
            Param::Borrowed(_) => quote!(&*#binding),
            Param::Owned(_) => quote!(::core::clone::Clone::clone(&*#binding)),
        });
    let output_span = match &function.sig.output {
        ReturnType::Type(_, ty) => ty.span(),
        ReturnType::Default => function.sig.span(),
    };
    let call = quote_spanned!(output_span=> #private::into_outcome(#ident(#(#arguments),*).await));
    let line = quote_spanned!(ident.span()=> ::core::line!());

    Ok(quote! {
        #function

        const _: () = {
            fn __heartbeat_factory(
                __state: &#private::State,
            ) -> ::core::result::Result<
                ::std::sync::Arc<dyn #private::Check>,
                #private::MissingState,
            > {
                #(#resolves)*
                ::core::result::Result::Ok(#private::declared(#private::check_fn(move || {
                    #(let #bindings = ::core::clone::Clone::clone(&#bindings);)*
                    async move { #call }
                })))
            }

            #private::inventory::submit! {
                #private::Declaration {
                    name: #name,
                    probes: &[#(#probes),*],
                    timeout: #timeout,
                    policy: #policy,
                    site: #private::Site {
                        function: #function_name,
                        module: ::core::module_path!(),
                        file: ::core::file!(),
                        line: #line,
                    },
                    factory: __heartbeat_factory,
                }
            }
        };
    })
}

/// The check's policies: those the attribute gives, the defaults for the
/// others. Every field is written out, so that the struct literal holds
/// nothing a lint in the user's crate could object to.
fn policy(args: &Args, private: &TokenStream) -> syn::Result<TokenStream> {
    let default = |field: &str| {
        let field = Ident::new(field, Span::call_site());
        quote!(#private::Policy::DEFAULT.#field)
    };
    let some = |duration: Option<Duration>, field: &str| -> syn::Result<TokenStream> {
        Ok(match duration {
            Some(duration) => {
                let duration = self::duration(duration)?;
                quote!(::core::option::Option::Some(#duration))
            }
            None => default(field),
        })
    };

    let critical = match &args.critical {
        Some(critical) => quote!(#critical),
        None => default("critical"),
    };
    let interval = some(args.interval, "interval")?;
    let max_age = some(args.max_age, "max_age")?;
    let failure_threshold = match &args.failure_threshold {
        Some(runs) => quote!(#runs),
        None => default("failure_threshold"),
    };
    let success_threshold = match &args.success_threshold {
        Some(runs) => quote!(#runs),
        None => default("success_threshold"),
    };
    Ok(quote!(#private::Policy {
        critical: #critical,
        interval: #interval,
        max_age: #max_age,
        failure_threshold: #failure_threshold,
        success_threshold: #success_threshold,
    }))
}

/// A `Duration` constant.
fn duration(duration: Duration) -> syn::Result<TokenStream> {
    let nanos = u64::try_from(duration.as_nanos())
        .map_err(|_| syn::Error::new(Span::call_site(), "the duration is too long"))?;
    Ok(quote!(::core::time::Duration::from_nanos(#nanos)))
}

/// The crates that re-export heartbeat's core, in the order they are looked
/// for in the user's `Cargo.toml`.
const PROVIDERS: [&str; 4] = [
    "heartbeat-core",
    "heartbeat-axum",
    "heartbeat-actix",
    "heartbeat-warp",
];

/// The path to heartbeat's core from the user's crate, under whatever name
/// the user gave the dependency.
fn heartbeat_path() -> syn::Result<TokenStream> {
    for provider in PROVIDERS {
        let name = match crate_name(provider) {
            Ok(FoundCrate::Itself) => provider.replace('-', "_"),
            Ok(FoundCrate::Name(name)) => name,
            Err(_) => continue,
        };
        let ident = Ident::new(&name, Span::call_site());
        let path: Path = syn::parse_quote!(::#ident);
        return Ok(quote!(#path));
    }
    Err(syn::Error::new(
        Span::call_site(),
        "cannot find heartbeat among this crate's dependencies; add `heartbeat-core` or an \
         adapter (`heartbeat-axum`, `heartbeat-actix`, `heartbeat-warp`) to Cargo.toml, or \
         say where it is with `#[probe(readiness, crate = path::to::heartbeat_core)]`",
    ))
}

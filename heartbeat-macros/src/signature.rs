//! What the attribute accepts of the function it is put on.

use syn::{FnArg, ItemFn, ReturnType, Type, spanned::Spanned};

/// How a check receives one of its parameters.
pub(crate) enum Param {
    /// `&T`: borrows the state value.
    Borrowed(Type),
    /// `T`: a clone of the state value for each run.
    Owned(Type),
}

impl Param {
    /// The type looked up in the state.
    pub(crate) fn state_type(&self) -> &Type {
        match self {
            Param::Borrowed(ty) | Param::Owned(ty) => ty,
        }
    }
}

const PARAMS: &str = "a check's parameters are values given to `HeartbeatBuilder::state`, \
                      taken as `&T` or as an owned `T` that is cloned for each run";

/// Checks the function's signature and reads its parameters.
pub(crate) fn inspect(function: &ItemFn) -> syn::Result<Vec<Param>> {
    let signature = &function.sig;

    if signature.asyncness.is_none() {
        return Err(syn::Error::new(
            signature.fn_token.span,
            "a check must be an `async fn`; add `async` before `fn`",
        ));
    }
    if !signature.generics.params.is_empty() {
        return Err(syn::Error::new(
            signature.generics.span(),
            "a check cannot be generic; take concrete types, given with `HeartbeatBuilder::state`",
        ));
    }
    if let Some(variadic) = &signature.variadic {
        return Err(syn::Error::new(variadic.span(), PARAMS));
    }
    if let ReturnType::Default = signature.output {
        return Err(syn::Error::new(
            signature.paren_token.span.close(),
            "a check must say what it found: return an `Outcome`, a `bool`, \
             or a `Result<(), E>` whose error becomes the message",
        ));
    }

    signature.inputs.iter().map(param).collect()
}

fn param(input: &FnArg) -> syn::Result<Param> {
    let typed = match input {
        FnArg::Receiver(receiver) => {
            return Err(syn::Error::new(
                receiver.span(),
                "a check cannot take `self`; put `#[probe]` on a free function",
            ));
        }
        FnArg::Typed(typed) => typed,
    };

    match &*typed.ty {
        Type::Reference(reference) if reference.mutability.is_some() => Err(syn::Error::new(
            reference.mutability.span(),
            format!("{PARAMS}; state is shared between runs, so it cannot be borrowed mutably"),
        )),
        Type::Reference(reference) => {
            plain(&reference.elem)?;
            Ok(Param::Borrowed((*reference.elem).clone()))
        }
        ty => {
            plain(ty)?;
            Ok(Param::Owned(ty.clone()))
        }
    }
}

/// Rejects the types that cannot name a value in the state.
fn plain(ty: &Type) -> syn::Result<()> {
    match ty {
        Type::ImplTrait(_) | Type::Infer(_) | Type::Never(_) | Type::TraitObject(_) => {
            Err(syn::Error::new(
                ty.span(),
                format!("{PARAMS}; this type names no single value"),
            ))
        }
        Type::Reference(_) => Err(syn::Error::new(
            ty.span(),
            format!("{PARAMS}; a reference to a reference cannot be resolved"),
        )),
        _ => Ok(()),
    }
}

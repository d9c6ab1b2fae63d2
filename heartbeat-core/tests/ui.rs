//! Each mistake `#[probe]` can catch is a compile error on the offending
//! token, with a message that says what is accepted.

#[test]
fn mistakes_are_compile_errors() {
    trybuild::TestCases::new().compile_fail("tests/ui/*.rs");
}

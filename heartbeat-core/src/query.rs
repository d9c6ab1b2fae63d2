//! What a probe's query string asks for: checks to leave out, and verbose
//! text.

/// The query parameters a probe reads; others are ignored.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct ProbeQuery {
    /// The names of `exclude=` parameters, in order, without repeats.
    pub(crate) exclude: Vec<String>,
    /// Whether `verbose` was given (and not as `verbose=0` or
    /// `verbose=false`).
    pub(crate) verbose: bool,
}

impl ProbeQuery {
    /// Reads a query string (without the `?`). Keys and values are
    /// percent-decoded with `+` read as a space, as forms send them; a `%`
    /// not followed by two hexadecimal digits stands for itself, and bytes
    /// that are not UTF-8 become U+FFFD. Nothing here can fail.
    pub(crate) fn parse(query: Option<&str>) -> Self {
        let mut parsed = Self::default();
        for pair in query.unwrap_or_default().split('&') {
            if pair.is_empty() {
                continue;
            }
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            match decode(key).as_str() {
                "exclude" => {
                    let name = decode(value);
                    if !name.is_empty() && !parsed.exclude.contains(&name) {
                        parsed.exclude.push(name);
                    }
                }
                "verbose" => {
                    let value = decode(value);
                    parsed.verbose = !(value == "0" || value.eq_ignore_ascii_case("false"));
                }
                _ => {}
            }
        }
        parsed
    }
}

/// Undoes a query's encoding: `+` for a space, and percent-encoding.
fn decode(text: &str) -> String {
    percent_decode(&text.replace('+', " "))
}

/// Undoes percent-encoding, as in a path: a `%` not followed by two
/// hexadecimal digits stands for itself, and bytes that are not UTF-8
/// become U+FFFD.
pub(crate) fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut at = 0;
    while at < bytes.len() {
        let byte = bytes[at];
        let escaped = (byte == b'%')
            .then(|| Some((hex(*bytes.get(at + 1)?)? << 4) | hex(*bytes.get(at + 2)?)?))
            .flatten();
        match escaped {
            Some(escaped) => {
                decoded.push(escaped);
                at += 3;
            }
            None => {
                decoded.push(byte);
                at += 1;
            }
        }
    }
    String::from_utf8_lossy(&decoded).into_owned()
}

fn hex(digit: u8) -> Option<u8> {
    char::from(digit).to_digit(16).map(|value| value as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(query: &str) -> ProbeQuery {
        ProbeQuery::parse(Some(query))
    }

    #[test]
    fn exclusions_repeat_and_decode() {
        let query = parse("exclude=database&exclude=a%2Fb&exclude=two+words&ex%63lude=cache");
        assert_eq!(query.exclude, ["database", "a/b", "two words", "cache"]);
        assert!(!query.verbose);
    }

    #[test]
    fn repeats_and_empty_names_are_dropped() {
        let query = parse("exclude=a&exclude=&exclude&exclude=a&&=&exclude=b");
        assert_eq!(query.exclude, ["a", "b"]);
    }

    #[test]
    fn verbose_is_a_flag() {
        assert!(parse("verbose").verbose);
        assert!(parse("verbose=").verbose);
        assert!(parse("verbose=1").verbose);
        assert!(parse("verbose=true&exclude=x").verbose);
        assert!(!parse("verbose=0").verbose);
        assert!(!parse("verbose=FALSE").verbose);
        assert!(!parse("verbosely").verbose);
        assert!(!ProbeQuery::parse(None).verbose);
    }

    #[test]
    fn malformed_escapes_stand_for_themselves() {
        assert_eq!(decode("100%"), "100%");
        assert_eq!(decode("%zz%4"), "%zz%4");
        assert_eq!(decode("%41%62"), "Ab");
        assert_eq!(decode("%C3%A9t%C3%A9"), "été");
        assert_eq!(decode("%FF"), "\u{FFFD}");
        assert_eq!(decode("%%41"), "%A");
        assert_eq!(decode("a+b%2B"), "a b+");
        assert_eq!(percent_decode("a+b%20c"), "a+b c");
    }
}

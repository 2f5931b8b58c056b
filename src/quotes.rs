//! Text read by its quotes: where a shell command's or a YAML line's own syntax is, as opposed
//! to what it quotes.

/// The bytes of `text` outside single and double quotes, with their offsets; the quote marks
/// themselves are left out. A quote left open runs to the end.
pub fn unquoted(text: &[u8]) -> impl Iterator<Item = (usize, u8)> + '_ {
    let mut quote = None;
    text.iter()
        .enumerate()
        .filter_map(move |(at, &byte)| match (byte, quote) {
            (b'\'' | b'"', None) => {
                quote = Some(byte);
                None
            }
            (_, Some(open)) => {
                if byte == open {
                    quote = None;
                }
                None
            }
            _ => Some((at, byte)),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_quotes_hold_is_left_out() {
        let kept: Vec<u8> = unquoted(br#"a 'b|c' "d'e" f"#).map(|(_, b)| b).collect();
        assert_eq!(kept, b"a   f");
        let open: Vec<usize> = unquoted(b"x 'y z").map(|(at, _)| at).collect();
        assert_eq!(open, [0, 1]);
    }
}

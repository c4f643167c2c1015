//! What the journal fuzz target checks, shared with the regression test:
//! reading any bytes as a journal never panics, keeps only whole records
//! (re-encoding them gives back exactly the bytes they were read from), and
//! stops at the first that is not.

use earmark::review::journal::{decode, encode};

/// Reads `data` as a journal and checks what came out.
pub fn check_journal(data: &[u8]) {
    let decoded = decode(data);
    assert!(decoded.good_len <= data.len());
    let again: Vec<u8> = decoded.records.iter().flat_map(encode).collect();
    assert_eq!(
        again,
        &data[..decoded.good_len],
        "the records read are exactly the bytes they came from"
    );
    assert_eq!(decoded.damaged, decoded.good_len < data.len());
}

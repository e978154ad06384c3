//! QUIC Initial packet protection (RFC 9001 §5): keys from the client's
//! Destination Connection ID and the version's salt (§5.2), header
//! protection with AES-ECB (§5.4.3), payload protection with AES-128-GCM
//! (§5.3). Only vetted RustCrypto primitives are used; nothing here is a
//! hand-written cipher.

use aes::Aes128;
use aes::cipher::{BlockEncrypt, KeyInit};
use aes_gcm::aead::AeadInPlace;
use aes_gcm::{Aes128Gcm, Nonce, Tag};
use hkdf::Hkdf;
use sha2::Sha256;

/// QUIC version 1's Initial salt (RFC 9001 §5.2).
const SALT_V1: [u8; 20] = [
    0x38, 0x76, 0x2c, 0xf7, 0xf5, 0x59, 0x34, 0xb3, 0x4d, 0x17, 0x9a, 0xe6, 0xa4, 0xc8, 0x0c, 0xad,
    0xcc, 0xbb, 0x7f, 0x0a,
];

/// The AEAD tag's length (AES-128-GCM).
pub const TAG_LEN: usize = 16;

/// One direction's Initial keys.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Keys {
    pub key: [u8; 16],
    pub iv: [u8; 12],
    pub hp: [u8; 16],
}

/// Why a packet could not be decrypted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failure {
    /// Not enough bytes after the packet number offset for the 16-byte
    /// header protection sample.
    NoSample,
    /// The packet number or tag does not fit in the packet's length.
    TooShort,
    /// The AEAD tag does not verify: wrong keys or damaged bytes.
    Authentication,
}

/// HKDF-Expand-Label (RFC 8446 §7.1) with an empty context, into `out`.
fn expand_label(prk: &Hkdf<Sha256>, label: &str, out: &mut [u8]) {
    let full = [b"tls13 ", label.as_bytes()].concat();
    let mut info = Vec::with_capacity(4 + full.len());
    info.extend_from_slice(&(out.len() as u16).to_be_bytes());
    info.push(full.len() as u8);
    info.extend_from_slice(&full);
    info.push(0);
    // Lengths here are at most 32 bytes, far below HKDF's 255 * 32 limit.
    let _ = prk.expand(&info, out);
}

/// The client's (`server == false`) or server's Initial secret for a
/// client Destination Connection ID (RFC 9001 §5.2).
pub fn initial_secret(dcid: &[u8], server: bool) -> [u8; 32] {
    let (_, prk) = Hkdf::<Sha256>::extract(Some(&SALT_V1), dcid);
    let mut secret = [0u8; 32];
    expand_label(
        &prk,
        if server { "server in" } else { "client in" },
        &mut secret,
    );
    secret
}

/// Key, IV and header protection key from a traffic secret (§5.1).
pub fn keys_from_secret(secret: &[u8; 32]) -> Keys {
    let mut keys = Keys {
        key: [0; 16],
        iv: [0; 12],
        hp: [0; 16],
    };
    // A 32-byte secret is always a valid SHA-256 PRK; were it refused, the
    // zero keys would fail authentication and the packet get a note.
    let Ok(prk) = Hkdf::<Sha256>::from_prk(secret) else {
        return keys;
    };
    expand_label(&prk, "quic key", &mut keys.key);
    expand_label(&prk, "quic iv", &mut keys.iv);
    expand_label(&prk, "quic hp", &mut keys.hp);
    keys
}

/// One direction's Initial keys for a client Destination Connection ID.
pub fn initial_keys(dcid: &[u8], server: bool) -> Keys {
    keys_from_secret(&initial_secret(dcid, server))
}

/// A long-header packet with its protection removed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Opened {
    /// The first byte unmasked (reserved bits and packet number length).
    pub first: u8,
    /// The packet number's length in bytes (1 to 4).
    pub pn_len: usize,
    /// The packet number as sent (truncated, RFC 9000 §17.1).
    pub pn: u64,
    /// The decrypted payload (frames), without the tag.
    pub plaintext: Vec<u8>,
}

/// Remove header and payload protection from the long-header packet
/// `packet`, whose packet number starts at `pn_at` and which ends at
/// `packet.len()` (the Length field's end).
pub fn open(packet: &[u8], pn_at: usize, keys: &Keys) -> Result<Opened, Failure> {
    let sample = packet.get(pn_at + 4..pn_at + 20).ok_or(Failure::NoSample)?;
    let mut mask = aes::Block::clone_from_slice(sample);
    Aes128::new((&keys.hp).into()).encrypt_block(&mut mask);
    let first = packet[0] ^ (mask[0] & 0x0f);
    let pn_len = usize::from(first & 3) + 1;
    let payload_at = pn_at + pn_len;
    if payload_at + TAG_LEN > packet.len() {
        return Err(Failure::TooShort);
    }
    let mut header = packet[..payload_at].to_vec();
    header[0] = first;
    let mut pn = 0u64;
    for i in 0..pn_len {
        header[pn_at + i] ^= mask[1 + i];
        pn = pn << 8 | u64::from(header[pn_at + i]);
    }
    let mut nonce = keys.iv;
    for (i, b) in pn.to_be_bytes().iter().enumerate() {
        nonce[4 + i] ^= b;
    }
    let tag_at = packet.len() - TAG_LEN;
    let mut plaintext = packet[payload_at..tag_at].to_vec();
    let tag = Tag::clone_from_slice(&packet[tag_at..]);
    Aes128Gcm::new((&keys.key).into())
        .decrypt_in_place_detached(Nonce::from_slice(&nonce), &header, &mut plaintext, &tag)
        .map_err(|_| Failure::Authentication)?;
    Ok(Opened {
        first,
        pn_len,
        pn,
        plaintext,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        let s: String = s.split_whitespace().collect();
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    /// RFC 9001 Appendix A.1: the client's Destination Connection ID.
    const DCID: &str = "8394c8f03e515708";

    #[test]
    fn initial_secrets_and_keys_match_rfc_9001_appendix_a1() {
        let dcid = hex(DCID);
        assert_eq!(
            initial_secret(&dcid, false).to_vec(),
            hex("c00cf151ca5be075ed0ebfb5c80323c42d6b7db67881289af4008f1f6c357aea")
        );
        assert_eq!(
            initial_secret(&dcid, true).to_vec(),
            hex("3c199828fd139efd216c155ad844cc81fb82fa8d7446fa7d78be803acdda951b")
        );
        let client = initial_keys(&dcid, false);
        assert_eq!(client.key.to_vec(), hex("1f369613dd76d5467730efcbe3b1a22d"));
        assert_eq!(client.iv.to_vec(), hex("fa044b2f42a3fd3b46fb255c"));
        assert_eq!(client.hp.to_vec(), hex("9f50449e04a0e810283a1e9933adedd2"));
        let server = initial_keys(&dcid, true);
        assert_eq!(server.key.to_vec(), hex("cf3a5331653c364c88f0f379b6067e37"));
        assert_eq!(server.iv.to_vec(), hex("0ac1493ca1905853b0bba03e"));
        assert_eq!(server.hp.to_vec(), hex("c206b8d9b9f0f37644430b490eeaa314"));
    }

    /// RFC 9001 Appendix A.3: the server's Initial, protected.
    const A3_PACKET: &str = "cf000000010008f067a5502a4262b5004075c0d95a482cd0991cd25b0aac406a
        5816b6394100f37a1c69797554780bb38cc5a99f5ede4cf73c3ec2493a1839b3
        dbcba3f6ea46c5b7684df3548e7ddeb9c3bf9c73cc3f3bded74b562bfb19fb84
        022f8ef4cdd93795d77d06edbb7aaf2f58891850abbdca3d20398c276456cbc4
        2158407dd074ee";

    #[test]
    fn server_initial_of_rfc_9001_appendix_a3_opens_to_its_published_plaintext() {
        let packet = hex(A3_PACKET);
        // 1 + 4 version + 1 + 0 dcid + 1 + 8 scid + 1 token length + 2 length
        let opened = open(&packet, 18, &initial_keys(&hex(DCID), true)).expect("opens");
        assert_eq!(opened.first, 0xc1);
        assert_eq!((opened.pn_len, opened.pn), (2, 1));
        assert_eq!(
            opened.plaintext,
            hex(
                "02000000000600405a020000560303eefce7f7b37ba1d1632e96677825ddf739
                 88cfc79825df566dc5430b9a045a1200130100002e00330024001d00209d3c94
                 0d89690b84d08a60993c144eca684d1081287c834d5311bcf32bb9da1a002b00
                 020304"
            )
        );
    }

    #[test]
    fn a_wrong_key_or_a_flipped_byte_fails_authentication_without_panicking() {
        let packet = hex(A3_PACKET);
        let wrong = initial_keys(&hex(DCID), false);
        assert_eq!(open(&packet, 18, &wrong), Err(Failure::Authentication));
        let mut damaged = packet.clone();
        let last = damaged.len() - 1;
        damaged[last] ^= 1;
        let keys = initial_keys(&hex(DCID), true);
        assert_eq!(open(&damaged, 18, &keys), Err(Failure::Authentication));
        // Cut anywhere: never a panic.
        for n in 0..packet.len() {
            let _ = open(&packet[..n.max(1)], 18.min(n), &keys);
        }
        assert_eq!(open(&packet[..30], 18, &keys), Err(Failure::NoSample));
    }
}

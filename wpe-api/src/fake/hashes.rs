//! Stable digests: FNV-1a for made-up but reproducible values, MD5 fingerprints of SSH keys.

/// FNV-1a over the parts, each followed by a separator.
pub(crate) fn fnv(parts: &[&[u8]]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for byte in *part {
            hash ^= u64::from(*byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        hash ^= 0xff;
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

/// `aa:bb:…`: the MD5 of the key blob in colon-separated hex, as `ssh-keygen -E md5 -l` shows it.
pub(crate) fn md5_fingerprint(blob: &[u8]) -> String {
    use md5::Digest as _;
    let digest = md5::Md5::digest(blob);
    digest
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(":")
}

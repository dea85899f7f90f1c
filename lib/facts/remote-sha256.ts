/**
 * A shell function for the sha256 of standard input on a host: `openssl dgst` where openssl is
 * installed (it uses the CPU's SHA instructions: about 3 times as fast as coreutils' sha256sum on
 * the lab's machines, 0.07 s against 0.2 s for 100 MB), else sha256sum. Both print the digest
 * first: callers keep `${h%% *}`. Read from a redirect, never a pipe, so an unreadable file fails
 * the command instead of hashing nothing.
 */
export const SHA256_FUNCTION = "if command -v openssl >/dev/null 2>&1; then ek_sha256() { openssl dgst -sha256 -r; }; else ek_sha256() { sha256sum; }; fi";

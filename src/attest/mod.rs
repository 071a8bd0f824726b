//! Signed attestations of what was verified: an in-toto Statement v1 with the SLSA Verification
//! Summary predicate, in a DSSE envelope.

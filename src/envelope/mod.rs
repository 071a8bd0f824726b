//! Notation signature envelopes: JWS (`application/jose+json`, JSON serialization) and
//! COSE_Sign1 (`application/cose`), and the signed payload.

pub mod sign;

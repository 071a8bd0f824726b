//! The verification of one image: signatures, trust policy, Notation's checks, the outcome.

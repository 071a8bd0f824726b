//! The trust policy document (Notary Project trust policy v1.0 for OCI artifacts).

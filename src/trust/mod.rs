//! Trust material with Flux's semantics: a Kubernetes Secret, a mounted Secret folder, or Flux
//! manifests (OCIRepository + Secret).

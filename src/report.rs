//! Rendering outcomes for people (text) and machines (JSON).

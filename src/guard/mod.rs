//! The guard: pip drop-in.

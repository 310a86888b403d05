//! The ivorey binary.
fn main() {}

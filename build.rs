//! Links the `routes` binary as a position-dependent executable.
//!
//! A position-independent `routes` spends most of a one-shot `routes search`
//! starting up: the dynamic loader applies about 53,000 relative relocations,
//! writing (and so copying) every page of the 0.9 MB relocated data. Linked
//! with `-no-pie` the addresses are fixed at link time: measured on the
//! benchmark machine, `routes --version` went from 3.7 ms to 1.7 ms and a warm
//! `routes search` on 100,000 routes from 5.5 ms to 3.8 ms (368 → 128 page
//! faults). The cost is that the binary's own code is not placed at a random
//! address (shared libraries, stack and heap still are).
fn main() {
    println!("cargo:rustc-link-arg-bin=routes=-no-pie");
}

//! A binary of four workloads written for the study of `auto` (issue 15), none of them a built-in: each stresses
//! one thing a pilot's rules can misjudge.
//!
//! `cargo run --release -p auto-study -- run -w spmv,lookup,hashchain,blobs --strategies all,auto,naive -j 1,2`

mod blobs;
mod hashchain;
mod lookup;
mod spmv;

ablate_harness::ablate_main!(spmv::Spmv, lookup::Lookup, hashchain::HashChain, blobs::Blobs);

#![no_main]
//! See `opslint::fuzzing::renderers`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| opslint::fuzzing::renderers(data));

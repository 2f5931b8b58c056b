#![no_main]
//! See `opslint::fuzzing::manifest`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| opslint::fuzzing::manifest(data));

#![no_main]
//! See `opslint::fuzzing::config`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| opslint::fuzzing::config(data));

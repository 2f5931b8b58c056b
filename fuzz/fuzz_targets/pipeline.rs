#![no_main]
//! See `opslint::fuzzing::pipeline`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| opslint::fuzzing::pipeline(data));

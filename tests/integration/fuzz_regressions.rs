//! What fuzzing found, replayed for ever: every input kept in
//! `tests/fuzz_regressions/<target>/` goes through the same entry point as its fuzz target
//! (`opslint::fuzzing`), which panics on a broken invariant.

/// A fuzz target's entry point.
type Entry = fn(&[u8]);

#[test]
fn inputs_that_fuzzing_found_stay_fixed() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_regressions");
    let targets: [(&str, Entry); 4] = [
        ("config", opslint::fuzzing::config),
        ("pipeline", opslint::fuzzing::pipeline),
        ("manifest", opslint::fuzzing::manifest),
        ("renderers", opslint::fuzzing::renderers),
    ];
    let mut replayed = 0;
    for (target, entry) in targets {
        let Ok(inputs) = std::fs::read_dir(root.join(target)) else {
            continue;
        };
        for input in inputs {
            let path = input.unwrap().path();
            let data = std::fs::read(&path).unwrap();
            // The stack opslint's threads have (and the fuzzers' main thread), not the test
            // harness's 2 MiB: a debug build's parser frames are several times larger.
            let outcome = std::thread::Builder::new()
                .stack_size(opslint::THREAD_STACK_BYTES)
                .spawn(move || entry(&data))
                .unwrap()
                .join();
            assert!(outcome.is_ok(), "{target}: {} fails again", path.display());
            replayed += 1;
        }
    }
    eprintln!("{replayed} fuzz inputs replayed");
}

#[path = "support/signals.rs"]
mod signals;
use earmark::audio::wav::WavWriter;
use earmark::audio::{Command, Engine};
#[test]
fn eng() {
    let (engine, mut out) = Engine::start_virtual(48000, 2, 0).unwrap();
    engine.send(Command::Load(signals::fixture("chirp-cbr.mp3")));
    engine.settle();
    std::thread::sleep(std::time::Duration::from_millis(300));
    engine.send(Command::Seek { pos_ms: 1500 });
    engine.settle();
    engine.send(Command::Play);
    engine.settle();
    let mut w = WavWriter::create(std::path::Path::new("/tmp/eng48.wav"), 48000, 2).unwrap();
    for _ in 0..150 {
        let frames = out.step(480);
        w.write(&frames).unwrap();
    }
    w.finish(std::path::Path::new("/tmp/eng48.wav")).unwrap();
}

import CairnTestSupport
import Foundation
import Testing

/// `cairn bench transfer` refuses bad settings as usage, and a small run prints its figures and leaves nothing behind.
@Suite struct BenchTransferUsageTests {
    @Test("a bad count, engine or limit is bad usage naming the option, and nothing is created")
    func badUsage() throws {
        let directory = TemporaryDirectory()
        for (arguments, message) in [
            (["--keys", "0"], "--keys is 0, must be 1…10000000"),
            (["--to", "disk"], "--to: unknown engine 'disk'"),
            (["--batch-keys", "0"], "batchKeysMax is 0"),
            (["--bytes-per-second=-1"], "--bytes-per-second is -1"),
        ] {
            let run = try CairnProcess.run(["bench", "transfer", "--data-dir", directory.child("new")] + arguments, in: directory.path)
            #expect(run.status == 64, "\(arguments)")
            #expect(run.standardError.contains(message), "\(run.standardError)")
        }
        #expect(!FileManager.default.fileExists(atPath: directory.child("new")), "nothing was created")
    }

    @Test("a small run prints keys/s and MB/s and removes its own directory only")
    func smallRun() throws {
        let directory = TemporaryDirectory()
        let run = try CairnProcess.run(
            ["bench", "transfer", "--keys", "200", "--from", "memory", "--to", "lmdb", "--bytes-per-second", "0",
             "--data-dir", directory.path], in: directory.path)
        #expect(run.status == 0, "\(run.standardError)")
        #expect(run.standardOutput.contains("moved 200 keys") && run.standardOutput.contains("keys/s"), "\(run.standardOutput)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasPrefix("cairn-bench-") }.isEmpty)
    }
}

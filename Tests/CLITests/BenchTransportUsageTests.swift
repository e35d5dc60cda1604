import CairnTestSupport
import Foundation
import Testing

/// `cairn bench transport` refuses bad settings as usage, and a small run prints one row per concurrency.
@Suite struct BenchTransportUsageTests {
    @Test("a bad count, concurrency or payload size is bad usage naming the problem")
    func badUsage() throws {
        let directory = TemporaryDirectory()
        for (arguments, message) in [
            (["--requests", "0"], "requests must be within 1…10000000, not 0"),
            (["--concurrency", "1,x"], "--concurrency: 'x' is not a number"),
            (["--concurrency", "0"], "concurrency must be within 1…1024, not 0"),
            (["--requests", "4", "--concurrency", "16"], "requests (4) must be at least the concurrency (16)"),
            (["--payload-bytes", "100000000"], "payload bytes must be within 0…8388594, not 100000000"),
        ] {
            let run = try CairnProcess.run(["bench", "transport"] + arguments, in: directory.path)
            #expect(run.status == 64, "\(arguments)")
            #expect(run.standardError.contains(message), "\(run.standardError)")
        }
    }

    @Test("a small run prints requests/s, frames/s and latency for each concurrency")
    func smallRun() throws {
        let directory = TemporaryDirectory()
        let run = try CairnProcess.run(
            ["bench", "transport", "--requests", "300", "--concurrency", "1,4", "--warmup", "20"], in: directory.path)
        #expect(run.status == 0, "\(run.standardError)")
        let rows = run.standardOutput.split(separator: "\n").filter { $0.split(separator: " ").count == 7 && Int($0.split(separator: " ")[0]) != nil }
        #expect(rows.map { Int($0.split(separator: " ")[0]) } == [1, 4], "\(run.standardOutput)")
        #expect(run.standardOutput.contains("frames/s") && run.standardOutput.contains("p99 µs"))
    }
}

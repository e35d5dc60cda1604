import Testing

/// `cairn bench detection`: a small run prints its table; options past their limits are bad usage naming them.
@Suite("CLI: bench detection")
struct BenchDetectionTests {
    @Test("a small run prints one row per cluster size")
    func smallRun() throws {
        let run = try CairnProcess.run(["bench", "detection", "--nodes", "3,4", "--seeds", "1", "--quiet-minutes", "1"])
        #expect(run.status == 0, "\(run.standardError)")
        #expect(run.standardOutput.contains("5% message loss"))
        #expect(run.standardOutput.contains("\n3 | ") && run.standardOutput.contains("\n4 | "), "\(run.standardOutput)")
    }

    @Test("bad options get one line naming the option, and exit 64", arguments: [
        (["--loss", "2"], "--loss must be within 0…1"),
        (["--nodes", "1"], "--nodes must each be within 2…2000"),
        (["--nodes", "5,x"], "--nodes must be comma-separated whole numbers"),
        (["--seeds", "0"], "--seeds must be within 1…10000"),
    ])
    func badOptions(arguments: [String], message: String) throws {
        let run = try CairnProcess.run(["bench", "detection"] + arguments)
        #expect(run.status == 64)
        #expect(run.standardError.contains(message), "\(run.standardError)")
    }
}

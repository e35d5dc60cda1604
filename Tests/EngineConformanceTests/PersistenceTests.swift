import CairnStorage
import CairnTestSupport
import Foundation
import Testing

/// Data outliving close, crashes and damage, on the persistent engines.
@Suite("Conformance: persistence")
struct PersistenceTests {
    @Test("reopen after close keeps the data", arguments: persistentEngines)
    func reopenKeepsData(engine: EngineKind) throws {
        let fixture = EngineFixture(engine)
        for durability in Durability.allCases {
            let store = try fixture.open(durability: durability)
            for index in 0..<300 { try store.put(bytes("\(durability)-\(index)"), bytes("value-\(index)")) }
            try store.delete(bytes("\(durability)-7"))
            try store.close()
        }
        let reopened = try fixture.open()
        defer { try? reopened.close() }
        #expect(try reopened.statistics().entryCount == 598)
        #expect(try reopened.get(bytes("sync-299")) == bytes("value-299"))
        #expect(try reopened.get(bytes("buffered-0")) == bytes("value-0"))
        #expect(try reopened.get(bytes("sync-7")) == nil)
    }

    /// Acknowledgements the crash test waits for before it kills the writer.
    static let acknowledgementsBeforeKill = 150

    @Test("every acknowledged sync write survives SIGKILL", arguments: persistentEngines)
    func crashDurability(engine: EngineKind) throws {
        let fixture = EngineFixture(engine)
        let writer = Process()
        writer.executableURL = URL(fileURLWithPath: try BuiltExecutable.path())
        writer.arguments = ["debug", "crash-writer", "--engine", engine.rawValue, "--directory", fixture.tablePath]
        let output = Pipe()
        writer.standardOutput = output
        try writer.run()

        // Read acknowledgements until enough have arrived (at most 60 s), then kill the writer mid-write.
        var received = Data()
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, acknowledged(in: received).count < Self.acknowledgementsBeforeKill {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            received.append(chunk)
        }
        kill(writer.processIdentifier, SIGKILL)
        writer.waitUntilExit()
        received.append(output.fileHandleForReading.readDataToEndOfFile())
        #expect(writer.terminationReason == .uncaughtSignal)

        let acknowledgedIndices = acknowledged(in: received)
        #expect(acknowledgedIndices.count >= Self.acknowledgementsBeforeKill, "the writer acknowledged writes")
        let store = try fixture.open()
        defer { try? store.close() }
        for index in acknowledgedIndices {
            #expect(try store.get(bytes("crash-\(index)")) == bytes("value-\(index)"), "acknowledged write \(index)")
        }
    }

    /// Indices of complete `ack N` lines.
    func acknowledged(in output: Data) -> [Int] {
        String(decoding: output, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: true)
            .compactMap { line in line.hasPrefix("ack ") ? Int(line.dropFirst(4)) : nil }
    }

    @Test("a damaged file is reported as corruption, not a crash", arguments: persistentEngines)
    func corruptedFiles(engine: EngineKind) throws {
        let fixture = EngineFixture(engine)
        let store = try fixture.open()
        for index in 0..<100 { try store.put(bytes("k\(index)"), bytes("v\(index)")) }
        try store.close()
        let victim: String
        switch engine {
        case .lmdb: victim = fixture.tablePath + "/data.mdb"
        case .leveldb, .rocksdb:
            let manifest = try FileManager.default.contentsOfDirectory(atPath: fixture.tablePath)
                .first { $0.hasPrefix("MANIFEST-") }
            victim = fixture.tablePath + "/" + (try #require(manifest))
        case .memory: preconditionFailure("the memory engine has no files")
        }
        try overwriteStart(of: victim, with: 0xEE, count: 8192)
        do {
            let reopened = try fixture.open()
            try? reopened.close()
            Issue.record("a damaged \(engine) file opened without error")
        } catch let error as StorageError {
            guard case .corrupted(let reported, let path, _) = error else {
                Issue.record("expected corruption, got \(error)")
                return
            }
            #expect(reported == engine)
            #expect(path == fixture.tablePath)
        }
    }

    @Test("a garbled CURRENT file is reported as corruption", arguments: [EngineKind.leveldb, .rocksdb])
    func garbledCurrentFile(engine: EngineKind) throws {
        let fixture = EngineFixture(engine)
        try fixture.open().close()
        try Data("MANIFEST-999999".utf8).write(to: URL(fileURLWithPath: fixture.tablePath + "/CURRENT"))
        #expect {
            try fixture.open()
        } throws: { error in
            guard case .corrupted(engine, _, let detail) = error as? StorageError else { return false }
            return detail.contains("CURRENT")
        }
    }

    func overwriteStart(of path: String, with byte: UInt8, count: Int) throws {
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        try handle.seek(toOffset: 0)
        try handle.write(contentsOf: Data(repeating: byte, count: count))
        try handle.synchronize()
    }
}

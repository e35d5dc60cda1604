import CairnTestSupport
import Foundation
import Testing

/// `cairn server` refuses bad settings with one `error:` line naming the problem, and stops cleanly on SIGTERM.
@Suite("cairn server")
struct ServerCommandTests {
    @Test("an empty --data-dir, a bad seed, a bad listen address and an unknown config key are one-line errors", arguments: [
        (["server", "--data-dir", ""], "--data-dir is empty"),
        (["server", "--data-dir", "DIR", "--seeds", "node-1"], "--seeds entry 'node-1' is not NAME@HOST:PORT"),
        (["server", "--data-dir", "DIR", "--client-listen", "127.0.0.1:99999"], "--client-listen '127.0.0.1:99999' is not HOST:PORT"),
        (["server", "--data-dir", "DIR", "--name", "a b"], "--name 'a b' is not a node name"),
        (["server", "--config", "CONFIG"], "unknown key 'data_directory'"),
        (["server"], "--data-dir is required"),
    ])
    func refusals(arguments: [String], message: String) throws {
        let directory = TemporaryDirectory("cairn-server-test")
        try Data(#"{"data_directory": "x"}"#.utf8).write(to: URL(fileURLWithPath: directory.child("config.json")))
        let resolved = arguments.map { $0 == "DIR" ? directory.child("data") : $0 == "CONFIG" ? directory.child("config.json") : $0 }
        let run = try CairnProcess.run(resolved)
        #expect(run.status == 1)
        #expect(run.standardError.hasPrefix("error: "))
        #expect(run.standardError.contains(message), "\(run.standardError)")
        #expect(run.standardError.split(separator: "\n").count == 1)
    }

    @Test("SIGTERM: the server stops cleanly and exits 0; it created its data directory and deletes nothing")
    func sigtermStopsCleanly() throws {
        let directory = TemporaryDirectory("cairn-server-test")
        let data = directory.child("data")
        let server = try CairnProcess([
            "server", "--name", "solo", "--data-dir", data, "--client-listen", "127.0.0.1:0", "--peer-listen", "127.0.0.1:0",
        ])
        #expect(CairnProcess.poll(secondsMax: 30) { server.standardOutput.contains("cairn server solo: http://127.0.0.1:") })
        kill(server.process.processIdentifier, SIGTERM)
        try server.waitForExit(secondsMax: 30)
        #expect(server.status == 0)
        #expect(server.standardOutput.contains("cairn server solo: stopped cleanly"))
        #expect(FileManager.default.fileExists(atPath: data + "/node"))
        #expect(FileManager.default.fileExists(atPath: data + "/tables"))
    }
}

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

    @Test("a config file in the wrong format, with a TOML syntax error, an unknown key or a value out of range is a one-line error", arguments: [
        ("config.yaml", "name: a", "the file name must end in .json or .toml"),
        ("config.toml", "name = \n", "is not TOML: line 1, column 8"),
        ("config.toml", "data_directory = \"x\"\n", "unknown key 'data_directory'"),
        ("config.toml", "data_dir = \"DIR\"\nconnections_max = 0\n", "connections_max 0 is not within 1…65536"),
        ("config.json", #"{"data_dir": "DIR", "idle_timeout_seconds": 7200}"#, "idle_timeout_seconds 7200 is not within 1…3600"),
        ("config.toml", "data_dir = \"DIR\"\npartition_count = \"many\"\n", "is not a TOML table of the documented keys"),
    ])
    func configRefusals(file: String, contents: String, message: String) throws {
        let directory = TemporaryDirectory("cairn-server-test")
        let path = directory.child(file)
        try Data(contents.replacingOccurrences(of: "DIR", with: directory.child("data")).utf8).write(to: URL(fileURLWithPath: path))
        let run = try CairnProcess.run(["server", "--config", path])
        #expect(run.status == 1)
        #expect(run.standardError.hasPrefix("error: "))
        #expect(run.standardError.contains(message), "\(run.standardError)")
        #expect(run.standardError.split(separator: "\n").count == 1)
    }

    @Test("a TOML config file sets the node's name, addresses and data directory; a flag overrides its key")
    func tomlConfig() throws {
        let directory = TemporaryDirectory("cairn-server-test")
        let config = directory.child("node.toml")
        try Data("""
            # a node from TOML
            name = "from-toml"
            client_listen = "127.0.0.1:0"
            peer_listen = "127.0.0.1:0"
            data_dir = "\(directory.child("data"))"
            seeds = []
            request_timeout_ms = 5000
            idle_timeout_seconds = 30
            connections_max = 100

            """.utf8).write(to: URL(fileURLWithPath: config))
        let server = try ServerProcess(configFile: config, name: "from-toml")
        #expect(server.port > 0)
        #expect(FileManager.default.fileExists(atPath: directory.child("data") + "/node"))
        server.stop()
        let renamed = try ServerProcess(configFile: config, name: "from-flag", arguments: ["--name", "from-flag"])
        #expect(renamed.port > 0)
        renamed.stop()
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

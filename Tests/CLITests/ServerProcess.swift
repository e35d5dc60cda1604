import CairnTestSupport
import Foundation

/// One `cairn server` process started by a test on 127.0.0.1 with ephemeral ports: its HTTP port is read from
/// the line it prints once it serves. `stop()` (also run by `deinit`) sends SIGTERM, then SIGKILL after
/// `stopSecondsMax`.
final class ServerProcess: @unchecked Sendable {
    /// Longest a server may take to print its address.
    static let startSecondsMax = 60.0
    /// Longest a server may take to stop after SIGTERM before it is killed.
    static let stopSecondsMax = 15.0

    let name: String
    let process: CairnProcess
    private(set) var port = 0

    /// Starts `cairn server --name name --data-dir dataDirectory` with `arguments` added (seeds, a config file).
    convenience init(name: String, dataDirectory: String, arguments: [String] = []) throws {
        try self.init(
            arguments: ["--name", name, "--client-listen", "127.0.0.1:0", "--peer-listen", "127.0.0.1:0", "--data-dir", dataDirectory]
                + arguments, name: name)
    }

    /// Starts `cairn server --config configFile` with `arguments` added; the node calls itself `name`.
    convenience init(configFile: String, name: String, arguments: [String] = []) throws {
        try self.init(arguments: ["--config", configFile] + arguments, name: name)
    }

    private init(arguments: [String], name: String) throws {
        self.name = name
        process = try CairnProcess(["server"] + arguments)
        let prefix = "cairn server \(name): http://127.0.0.1:"
        let serving = CairnProcess.poll(secondsMax: Self.startSecondsMax) {
            process.standardOutput.contains(prefix) || !process.process.isRunning
        }
        let output = process.standardOutput
        guard serving, let range = output.range(of: prefix), let port = Int(output[range.upperBound...].prefix { $0.isNumber }) else {
            stop()
            throw CairnProcess.TimedOut(
                what: "\(name) to serve; output: \(output) \(process.standardError)", seconds: Self.startSecondsMax)
        }
        self.port = port
    }

    var isRunning: Bool { process.process.isRunning }

    func stop() {
        guard process.process.isRunning else { return }
        kill(process.process.processIdentifier, SIGTERM)
        if !CairnProcess.poll(secondsMax: Self.stopSecondsMax, until: { !process.process.isRunning }) {
            kill(process.process.processIdentifier, SIGKILL)
        }
    }

    deinit { stop() }
}

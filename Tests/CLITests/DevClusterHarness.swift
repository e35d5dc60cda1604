import CairnTestSupport
import Foundation
import Testing

/// A `cairn dev-cluster` of three nodes run by a test: the nodes' HTTP ports, pids and command lines read from
/// its output. `stop()` (also run by `deinit`) sends SIGTERM to the dev cluster, which stops its nodes, then kills
/// whatever is left, including nodes the test restarted itself.
final class DevClusterHarness: @unchecked Sendable {
    /// Longest the cluster may take to come up.
    static let startSecondsMax = 120.0

    struct Node {
        var name: String
        var port: Int
        var pid: Int32
        var commandLine: [String]

        /// The port of `--peer-listen 127.0.0.1:PORT` in its command line.
        var peerPort: Int? {
            commandLine.firstIndex(of: "--peer-listen").flatMap { index in
                commandLine.indices.contains(index + 1) ? Int(commandLine[index + 1].split(separator: ":").last ?? "") : nil
            }
        }
    }

    let directory = TemporaryDirectory("cairn-cluster-test")
    let cluster: CairnProcess
    private(set) var nodes: [Node] = []
    private var restarted: [CairnProcess] = []

    init(nodes count: Int = 3) throws {
        cluster = try CairnProcess(["dev-cluster", "--nodes", "\(count)", "--dir", directory.child("cluster")])
        let up = CairnProcess.poll(secondsMax: Self.startSecondsMax) {
            cluster.standardOutput.contains("The cluster is up") || !cluster.process.isRunning
        }
        guard up, cluster.process.isRunning else {
            stop()
            throw CairnProcess.TimedOut(what: "dev-cluster up; output: \(cluster.standardOutput) \(cluster.standardError)", seconds: Self.startSecondsMax)
        }
        nodes = Self.parse(cluster.standardOutput)
        guard nodes.count == count else {
            stop()
            throw CairnProcess.TimedOut(what: "\(count) nodes listed in: \(cluster.standardOutput)", seconds: 0)
        }
    }

    /// Reads `node-N: pid P, log ...`, `restart it with: ...` and `node-N: http://127.0.0.1:PORT` lines.
    static func parse(_ output: String) -> [Node] {
        var pids: [String: Int32] = [:]
        var commands: [String: [String]] = [:]
        var ports: [String: Int] = [:]
        var last = ""
        for line in output.split(separator: "\n").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            if let colon = line.firstIndex(of: ":"), line.hasPrefix("node-") {
                let name = String(line[..<colon])
                let rest = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                if rest.hasPrefix("pid "), let pid = Int32(rest.dropFirst(4).prefix { $0.isNumber }) {
                    pids[name] = pid
                    last = name
                } else if rest.hasPrefix("http://127.0.0.1:"), let port = Int(rest.dropFirst("http://127.0.0.1:".count)) {
                    ports[name] = port
                }
            } else if line.hasPrefix("restart it with: ") {
                commands[last] = line.dropFirst("restart it with: ".count).split(separator: " ").map(String.init)
            }
        }
        return ports.keys.sorted().compactMap { name in
            guard let port = ports[name], let pid = pids[name], let command = commands[name] else { return nil }
            return Node(name: name, port: port, pid: pid, commandLine: command)
        }
    }

    /// Starts `node` again with its own command line (after it was killed).
    func restart(_ node: Node) throws {
        restarted.append(try CairnProcess(Array(node.commandLine.dropFirst())))
    }

    func stop() {
        if cluster.process.isRunning {
            kill(cluster.process.processIdentifier, SIGTERM)
            _ = CairnProcess.poll(secondsMax: 15) { !cluster.process.isRunning }
        }
        for process in restarted + [cluster] where process.process.isRunning {
            kill(process.process.processIdentifier, SIGTERM)
            if !CairnProcess.poll(secondsMax: 10, until: { !process.process.isRunning }) { kill(process.process.processIdentifier, SIGKILL) }
        }
        for node in nodes where kill(node.pid, 0) == 0 && CairnProcess.processes(mentioning: "--name \(node.name) ").contains(node.pid) {
            kill(node.pid, SIGKILL)
        }
    }

    deinit { stop() }
}

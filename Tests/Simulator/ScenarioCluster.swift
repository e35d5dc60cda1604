import CairnCore
import CairnReplication
import CairnStorage

/// Runs scenario scripts against a simulated cluster with a perfect network (1 ms per message, nothing lost),
/// in the style of etcd-io/raft's datadriven tests: each command prints what it observed, and the script
/// file holds the expected output under each command.
///
/// Commands:
/// - `cluster nodes=5 replicas=3 r=2 w=2`: a fresh cluster (must come first)
/// - `preference KEY`: the key's primaries and fallbacks
/// - `put NODE KEY VALUE [ctx=NAME]`, `delete NODE KEY ctx=NAME`: a write coordinated by NODE
/// - `get NODE KEY [as=NAME] [r=N]`: a read; `as` keeps its context under NAME
/// - `crash NODE`, `restart NODE`, `partition A,B | C,D`, `heal`, `wait MILLISECONDS`
/// - `hints`: the hints every node holds; `replicas KEY`: each primary's stored copy
public final class ScenarioCluster {
    private var simulation: Simulation?
    private var contexts: [String: [UInt8]] = [:]
    private var nextRequest: UInt64 = 1
    /// Virtual time a scripted request may take before the script reports it as unanswered.
    static let replyWaitMilliseconds: UInt64 = 3_000

    public init() {}

    /// Runs one command line and returns what it printed.
    public func run(_ line: String) throws -> String {
        let words = line.split(separator: " ").map(String.init)
        guard let command = words.first else { return "" }
        let arguments = Dictionary(
            words.dropFirst().compactMap { word -> (String, String)? in
                let parts = word.split(separator: "=", maxSplits: 1).map(String.init)
                return parts.count == 2 ? (parts[0], parts[1]) : nil
            }, uniquingKeysWith: { $1 })
        let positional = words.dropFirst().filter { !$0.contains("=") }
        if command == "cluster" { return try makeCluster(arguments) }
        guard let simulation else { throw ScenarioError("the script must start with `cluster`") }
        switch command {
        case "preference":
            let key = Array(try argument(positional, 0).utf8)
            let walk = simulation.ring.preferenceList(for: key, count: simulation.nodeIDs.count)
            let replicas = simulation.options.table.replicas
            return "primaries \(walk.prefix(replicas).map(\.name).joined(separator: " ")); fallbacks \(walk.dropFirst(replicas).map(\.name).joined(separator: " "))"
        case "put", "delete", "get":
            return try request(command, positional, arguments)
        case "crash":
            try simulation.crashNode(NodeID(try argument(positional, 0)))
            return "ok"
        case "restart":
            let id = NodeID(try argument(positional, 0))
            try simulation.startNode(id)
            return "ok"
        case "partition":
            let sides = line.dropFirst("partition".count).split(separator: "|")
            for (group, side) in sides.enumerated() {
                for name in side.split(separator: ",") {
                    simulation.groups[NodeID(name.trimmingCharacters(in: .whitespaces))] = group
                }
            }
            return "ok"
        case "heal":
            simulation.groups = [:]
            return "ok"
        case "wait":
            try simulation.runFor(UInt64(try argument(positional, 0)) ?? 0)
            return "ok"
        case "hints":
            let lines = simulation.nodeIDs.compactMap { id -> String? in
                guard let hints = simulation.nodes[id]?.core?.hints.values, !hints.isEmpty else { return nil }
                let held = hints.map { "\(simulation.text($0.key)) for \($0.owner)" }.sorted()
                return "\(id) holds \(held.joined(separator: ", "))"
            }
            return lines.isEmpty ? "no hints" : lines.joined(separator: "\n")
        case "replicas":
            let key = Array(try argument(positional, 0).utf8)
            let primaries = simulation.ring.preferenceList(for: key, count: simulation.options.table.replicas)
            return try primaries.map { id in
                guard let node = simulation.nodes[id], node.core != nil else { return "\(id): down" }
                guard let data = try node.store.load(table: Simulation.table, key: key) else { return "\(id): absent" }
                let copy = try SiblingSetCodec.decode(data)
                let shown = copy.siblings.map { $0.isTombstone ? "†" : simulation.text($0.value) }.sorted()
                return "\(id): \(shown.joined(separator: ", "))"
            }.joined(separator: "\n")
        default:
            throw ScenarioError("unknown command `\(command)`")
        }
    }

    private func makeCluster(_ arguments: [String: String]) throws -> String {
        var options = SimulationOptions(seed: 1)
        options.nodeCount = Int(arguments["nodes"] ?? "5") ?? 5
        options.table = TableSettings(
            replicas: Int(arguments["replicas"] ?? "3") ?? 3, readQuorum: Int(arguments["r"] ?? "2") ?? 2,
            writeQuorum: Int(arguments["w"] ?? "2") ?? 2)
        options.lossRate = 0
        options.duplicationRate = 0
        options.messageDelayMillisecondsMax = 1
        options.clientCount = 0
        let simulation = try Simulation(options)
        simulation.chaos = false
        for id in simulation.nodeIDs { try simulation.startNode(id) }
        self.simulation = simulation
        return "ok"
    }

    private func request(_ command: String, _ positional: [String], _ arguments: [String: String]) throws -> String {
        guard let simulation else { throw ScenarioError("no cluster") }
        let node = NodeID(try argument(positional, 0))
        let key = Array(try argument(positional, 1).utf8)
        let context = try arguments["ctx"].map { name -> [UInt8] in
            guard let context = contexts[name] else { throw ScenarioError("no context named \(name)") }
            return context
        }
        let operation: ClientRequest.Operation
        switch command {
        case "put": operation = .put(value: Array(try argument(positional, 2).utf8), context: context)
        case "delete": operation = .delete(context: context)
        default: operation = .get
        }
        let options = RequestOptions(readQuorum: arguments["r"].flatMap(Int.init), writeQuorum: arguments["w"].flatMap(Int.init))
        // Replies route to "client" index = the simulation's client count (none in scenarios): the verifier slot.
        let requestID = UInt64(simulation.clients.count) << 32 | nextRequest
        nextRequest += 1
        simulation.verificationReplies[requestID] = nil
        try simulation.submit(
            ClientRequest(id: requestID, table: Simulation.table, key: key, operation: operation, options: options), to: node)
        let deadline = simulation.now + Self.replyWaitMilliseconds
        try simulation.runUntil { simulation.verificationReplies[requestID] != nil || simulation.now > deadline }
        switch simulation.verificationReplies[requestID] {
        case .values(_, let values, let context, _)?:
            if let name = arguments["as"] { contexts[name] = context }
            let shown = values.map(simulation.text).sorted()
            return shown.isEmpty ? "not found" : shown.joined(separator: ", ")
        case .written?: return "written"
        case .failed(_, let error)?: return "failed: \(error)"
        case nil: return "no reply"
        }
    }

    private func argument(_ positional: [String], _ index: Int) throws -> String {
        guard index < positional.count else { throw ScenarioError("missing argument \(index + 1)") }
        return positional[index]
    }
}

/// A malformed scenario script.
public struct ScenarioError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

import ArgumentParser
import CairnProcessCleanup
import CairnStorage
import Foundation

/// `cairn dev-cluster --nodes N`: a local cluster of N `cairn server` processes on 127.0.0.1 (HTTP ports 8080,
/// 8081, … and peer ports 7070, 7071, … where free, else free ones), each
/// with its own data directory under a new directory this command creates. It joins them into one ring
/// (admin join, plan, commit), creates the table `default` (LMDB, N=3, R=2, W=2; fewer nodes, fewer replicas),
/// prints each node's HTTP address and curl commands, then runs until Ctrl-C or SIGTERM stops every node.
struct DevClusterCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dev-cluster", abstract: "Run a local cluster of `cairn server` processes on 127.0.0.1 until Ctrl-C.")

    /// Most nodes one dev cluster starts.
    static let nodesMax = 9
    /// How long the cluster may take to form (gossip, ring commit, table), in seconds.
    static let formingSecondsMax = 60.0

    @Option(help: "How many nodes to start (1…\(nodesMax)).")
    var nodes = 3
    @Option(help: "A new directory to create for the nodes' data and logs (default: ./cairn-dev-cluster-<time>); it must not exist.")
    var dir: String?

    func validate() throws {
        guard (1...Self.nodesMax).contains(nodes) else { throw ValidationError("--nodes \(nodes) is not within 1…\(Self.nodesMax)") }
    }

    func run() throws {
        SignalCleanup.shared.install()
        let directory = dir ?? "cairn-dev-cluster-\(Int(Date().timeIntervalSince1970))"
        try PathArguments.checkText(directory, option: "--dir")
        do {
            try DirectoryCheck.createFresh(directory)
        } catch {
            throw RuntimeError("--dir: \(error)")
        }
        let absolute = URL(fileURLWithPath: directory).standardizedFileURL.path
        printFlushed("cairn dev-cluster: \(nodes) nodes, data and logs in \(absolute)")
        let members = try (1...nodes).map { index throws(RuntimeError) in
            DevClusterMember(
                name: "node-\(index)", httpPort: try LoopbackPorts.freePort(preferring: 8079 + index),
                peerPort: try LoopbackPorts.freePort(preferring: 7069 + index))
        }
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.path
        var children: [Process] = []
        for member in members {
            let seeds = member.name == members[0].name ? [] : ["--seeds", "\(members[0].name)@127.0.0.1:\(members[0].peerPort)"]
            children.append(try start(member, executable: executable, directory: absolute, seeds: seeds))
        }
        do {
            try DevClusterFormation(members: members, deadline: Date().addingTimeInterval(Self.formingSecondsMax)).form()
        } catch {
            stop(children)
            throw error
        }
        printWelcome(members, directory: absolute)
        SignalCleanup.shared.setStoppingNotice(
            "cairn dev-cluster: stopping \(members.count) node(s) (SIGTERM, then SIGKILL after \(Int(SignalCleanup.childGraceSecondsMax)) s); the data stays in \(absolute)")
        watch(children, members)
    }

    private func start(_ member: DevClusterMember, executable: String, directory: String, seeds: [String]) throws -> Process {
        let child = Process()
        child.executableURL = URL(fileURLWithPath: executable)
        child.arguments = [
            "server", "--name", member.name, "--client-listen", "127.0.0.1:\(member.httpPort)",
            "--peer-listen", "127.0.0.1:\(member.peerPort)", "--data-dir", "\(directory)/\(member.name)",
        ] + seeds
        let logPath = "\(directory)/\(member.name).log"
        guard FileManager.default.createFile(atPath: logPath, contents: nil), let log = FileHandle(forWritingAtPath: logPath) else {
            throw RuntimeError("cannot create \(logPath)")
        }
        child.standardOutput = log
        child.standardError = log
        try SignalCleanup.shared.launch(child)
        printFlushed("  \(member.name): pid \(child.processIdentifier), log \(logPath)")
        printFlushed("    restart it with: \(executable) \(child.arguments!.joined(separator: " "))")
        return child
    }

    private func printWelcome(_ members: [DevClusterMember], directory: String) {
        let first = members[0].httpPort
        printFlushed("""

            The cluster is up: table 'default' (lmdb) on \(members.count) node(s).
            \(members.map { "  \($0.name): http://127.0.0.1:\($0.httpPort)" }.joined(separator: "\n"))

            Try:
              curl -i -X PUT --data 'hello' http://127.0.0.1:\(first)/tables/default/keys/greeting
              curl -i http://127.0.0.1:\(members.last!.httpPort)/tables/default/keys/greeting
              curl -s http://127.0.0.1:\(first)/status
              curl -s http://127.0.0.1:\(first)/admin/ring

            Kill a node (kill -9 <pid>) and watch the others cope; restart it with the command above.
            Ctrl-C stops every node; the data stays in \(directory).
            """)
    }

    /// Stops every node (SIGTERM, then SIGKILL after the grace time) when the cluster did not form.
    private func stop(_ children: [Process]) {
        for child in children where child.isRunning { child.terminate() }
        for child in children {
            let deadline = Date().addingTimeInterval(SignalCleanup.childGraceSecondsMax)
            while child.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
            if child.isRunning { kill(child.processIdentifier, SIGKILL) }
            SignalCleanup.shared.finished(child)
        }
    }

    /// Reports nodes that end, until a signal stops everything (`SignalCleanup` ends the process).
    private func watch(_ children: [Process], _ members: [DevClusterMember]) {
        var reported = Set<Int>()
        while true {
            for (index, child) in children.enumerated() where !child.isRunning && !reported.contains(index) {
                reported.insert(index)
                printFlushed("cairn dev-cluster: \(members[index].name) ended (status \(child.terminationStatus))")
            }
            Thread.sleep(forTimeInterval: 0.5)
        }
    }
}

/// One node of a dev cluster: its name and ports.
struct DevClusterMember: Sendable {
    var name: String
    var httpPort: Int
    var peerPort: Int
}

import ArgumentParser
import CairnClient

/// `cairn admin …`: a node's status, its ring, and changing the cluster (stage, plan, commit, watch transfers).
struct AdminCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "admin", abstract: "Cluster status and membership changes.",
        subcommands: [
            AdminStatusCommand.self, AdminRingCommand.self, AdminJoinCommand.self, AdminLeaveCommand.self,
            AdminPlanCommand.self, AdminCommitCommand.self, AdminTransfersCommand.self,
        ])
}

/// `cairn admin status`: `GET /status`, readably.
struct AdminStatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "The node, its ring epoch, the members and their health, hints and transfers.")

    @OptionGroup var node: ClientOptions

    func run() throws {
        let status = try node.call { client throws(CairnClientError) in try await client.status() }
        say("node: \(status.node)")
        say("ring: epoch \(status.ring.epoch), \(status.ring.owners.count) partitions")
        say("members:")
        let members = status.members.map { [$0.name, $0.zone ?? "-", $0.health] }
        TextColumns.render(["name", "zone", "health"], members, indent: "  ").forEach { say($0) }
        say("hints pending: \(status.hintsPending)")
        say("storage errors: \(status.storageErrors)")
        guard !status.transfers.isEmpty else { return say("transfers: none") }
        say("transfers:")
        let rows = status.transfers.map {
            [$0.table, "\($0.partition)", $0.from, $0.to, "\($0.keysSent)" + ($0.keysTotal.map { " of \($0)" } ?? "")]
        }
        TextColumns.render(["table", "partition", "from", "to", "keys sent"], rows, indent: "  ").forEach { say($0) }
    }
}

/// `cairn admin ring`: `GET /admin/ring`.
struct AdminRingCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ring", abstract: "The ring's epoch and members with their partitions (--partitions: each owner).")

    @Flag(help: "Also list every partition and its owner.") var partitions = false
    @OptionGroup var node: ClientOptions

    func run() throws {
        let ring = try node.call { client throws(CairnClientError) in try await client.ring() }
        say("epoch \(ring.epoch), \(ring.partitionCount) partitions")
        let members = ring.members.map { [$0.node, $0.status, $0.zone ?? "-", "\($0.partitions)"] }
        TextColumns.render(["node", "status", "zone", "partitions"], members).forEach { say($0) }
        guard partitions else { return }
        say("")
        TextColumns.render(["partition", "owner"], ring.partitions.map { ["\($0.partition)", $0.owner] }).forEach { say($0) }
    }
}

/// `cairn admin join NODE`: `POST /admin/join`.
struct AdminJoinCommand: StagingCommand {
    static let configuration = CommandConfiguration(
        commandName: "join", abstract: "Stage NODE to join; `admin plan` shows the moves, `admin commit` starts them.")

    @Argument(help: "The node's name.") var name: String
    @OptionGroup var node: ClientOptions

    static func stage(_ name: String, on client: CairnClient) async throws(CairnClientError) -> [String] {
        try await client.join(name)
    }
}

/// `cairn admin leave NODE`: `POST /admin/leave`.
struct AdminLeaveCommand: StagingCommand {
    static let configuration = CommandConfiguration(
        commandName: "leave", abstract: "Stage NODE to leave; `admin plan` shows the moves, `admin commit` starts them.")

    @Argument(help: "The node's name.") var name: String
    @OptionGroup var node: ClientOptions

    static func stage(_ name: String, on client: CairnClient) async throws(CairnClientError) -> [String] {
        try await client.leave(name)
    }
}

/// A command staging one membership change for a named node, then printing every staged change.
protocol StagingCommand: ParsableCommand {
    var name: String { get }
    var node: ClientOptions { get }
    static func stage(_ name: String, on client: CairnClient) async throws(CairnClientError) -> [String]
}

extension StagingCommand {
    func validate() throws {
        guard !name.isEmpty else { throw ValidationError("NODE is empty") }
    }

    func run() throws {
        let name = name
        printStaged(try node.call { client throws(CairnClientError) in try await Self.stage(name, on: client) })
    }
}

/// `cairn admin plan`: `GET /admin/plan`.
struct AdminPlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan", abstract: "The staged changes and the partition moves committing them would start.")

    @OptionGroup var node: ClientOptions

    func run() throws {
        let plan = try node.call { client throws(CairnClientError) in try await client.plan() }
        printStaged(plan.staged)
        guard !plan.moves.isEmpty else { return say("moves: none") }
        say("moves: \(plan.moves.count) (partitions that change owner; their other replicas follow, and `cairn admin transfers` lists every transfer)")
        let rows = plan.moves.map { [$0.table, "\($0.partition)", $0.from, $0.to] }
        TextColumns.render(["table", "partition", "from", "to"], rows, indent: "  ").forEach { say($0) }
    }
}

/// `cairn admin commit`: `POST /admin/commit`.
struct AdminCommitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "commit", abstract: "Commit the staged changes: a new ring epoch, and its partition transfers start.")

    @OptionGroup var node: ClientOptions

    func run() throws {
        let commit = try node.call { client throws(CairnClientError) in try await client.commit() }
        say("committed: epoch \(commit.epoch), \(commit.moves) partition moves (owners; `cairn admin transfers` shows every replica transfer)")
    }
}

/// `cairn admin transfers`: `GET /admin/transfers`.
struct AdminTransfersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "transfers", abstract: "Every partition transfer this node sends and receives, its state and progress.")

    @OptionGroup var node: ClientOptions

    func run() throws {
        let transfers = try node.call { client throws(CairnClientError) in try await client.transfers() }
        guard !transfers.outgoing.isEmpty || !transfers.incoming.isEmpty else { return say("no transfers") }
        if transfers.outgoing.isEmpty {
            say("outgoing: none")
        } else {
            say("outgoing:")
            let rows = transfers.outgoing.map {
                [$0.table, "\($0.partition)", $0.from, $0.to, $0.state, "\($0.keysSent)", "\($0.bytesSent)"]
            }
            TextColumns.render(["table", "partition", "from", "to", "state", "keys sent", "bytes sent"], rows, indent: "  ").forEach { say($0) }
        }
        guard !transfers.incoming.isEmpty else { return say("incoming: none") }
        say("incoming:")
        let rows = transfers.incoming.map {
            [$0.table, "\($0.partition)", $0.from, $0.to, $0.state, "\($0.keysReceived)", "\($0.bytesReceived)"]
        }
        TextColumns.render(["table", "partition", "from", "to", "state", "keys received", "bytes received"], rows, indent: "  ")
            .forEach { say($0) }
    }
}

/// The staged changes, one per line, or that none are.
private func printStaged(_ staged: [String]) {
    guard !staged.isEmpty else { return say("staged: none") }
    say("staged:")
    staged.forEach { say("  \($0)") }
}

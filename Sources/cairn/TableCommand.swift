import ArgumentParser
import CairnClient

/// `cairn table create|list`: a node's tables.
struct TableCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "table", abstract: "Create and list tables.", subcommands: [TableCreateCommand.self, TableListCommand.self])
}

/// `cairn table create NAME --engine E`: creates a table through the node (and its gossiped catalog).
struct TableCreateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Create a table; settings left out take the server's defaults (n 3, r 2, w 2, siblings, sync).")

    static let engines = ["memory", "lmdb", "leveldb", "rocksdb"]
    static let policies = ["siblings", "lww"]
    static let durabilities = ["sync", "buffered"]

    @Argument(help: "The table's name.") var name: String
    @Option(help: "Storage engine: \(TableCreateCommand.engines.joined(separator: ", ")).") var engine: String
    @Option(help: "Replicas of each key (1…7).") var n: Int?
    @Option(help: "Read quorum (1…n).") var r: Int?
    @Option(help: "Write quorum (1…n).") var w: Int?
    @Option(help: "Concurrent writes: siblings (kept) or lww (last write wins).") var policy: String?
    @Option(help: "sync (fsync per write) or buffered.") var durability: String?
    @OptionGroup var node: ClientOptions

    func validate() throws {
        guard !name.isEmpty else { throw ValidationError("NAME is empty") }
        try checkChoice(engine, "--engine", Self.engines)
        try policy.map { try checkChoice($0, "--policy", Self.policies) }
        try durability.map { try checkChoice($0, "--durability", Self.durabilities) }
        try checkCount(n, "--n", atLeast: 1)
        try checkCount(r, "--r", atLeast: 1)
        try checkCount(w, "--w", atLeast: 1)
    }

    func run() throws {
        let (name, settings) = (name, TableSettingsRequest(engine: engine, n: n, r: r, w: w, policy: policy, durability: durability))
        let table = try node.call { client throws(CairnClientError) in try await client.createTable(name, settings) }
        say("table \(table.name): engine \(table.engine), n \(table.n), r \(table.r), w \(table.w), policy \(table.policy), durability \(table.durability)")
    }

    private func checkChoice(_ value: String, _ option: String, _ choices: [String]) throws {
        guard choices.contains(value) else {
            throw ValidationError("\(option) must be one of \(choices.joined(separator: ", ")), not '\(value)'")
        }
    }
}

/// `cairn table list`: every table the node serves.
struct TableListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the tables, one per line.")

    @OptionGroup var node: ClientOptions

    func run() throws {
        let tables = try node.call { client throws(CairnClientError) in try await client.tables() }
        guard !tables.isEmpty else { return say("no tables") }
        let rows = tables.map { [$0.name, $0.engine, "\($0.n)", "\($0.r)", "\($0.w)", $0.policy, $0.durability] }
        TextColumns.render(["name", "engine", "n", "r", "w", "policy", "durability"], rows).forEach { say($0) }
    }
}

import ArgumentParser
import CairnClient
import Foundation

/// `cairn get TABLE KEY`: reads a key and prints its value (or siblings) and context.
struct GetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "get",
        abstract: "Read a key: its value, or each sibling, then `context: <base64>` for the next put or delete.",
        discussion: "Prints `not found` (and a tombstone's context, if any) when nothing is there; that still exits 0.")

    @Argument(help: "The table.") var table: String
    @Argument(help: "The key (its UTF-8 bytes).") var key: String
    @Option(help: "Read quorum for this request (1…N; default: the table's R).") var r: Int?
    @Option(help: "Replies that must come from primary replicas (default 0).") var pr: Int?
    @OptionGroup var format: ValueFormat
    @OptionGroup var node: ClientOptions

    func validate() throws {
        try checkKey(key)
        try checkCount(r, "--r", atLeast: 1)
        try checkCount(pr, "--pr", atLeast: 0)
    }

    func run() throws {
        let (table, key, options) = (table, Array(key.utf8), ReadOptions(r: r, pr: pr))
        let result = try node.call { client throws(CairnClientError) in try await client.get(table: table, key: key, options: options) }
        format.lines(result).forEach { say($0) }
    }
}

/// `cairn put TABLE KEY VALUE|--file F`: writes a value, superseding what `--context` saw.
struct PutCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "put",
        abstract: "Write a value (given, or read from --file); pass the context of an earlier get to supersede it.",
        discussion: "Prints `written`, or with --returnbody what the key now holds, as `get` prints it.")

    @Argument(help: "The table.") var table: String
    @Argument(help: "The key (its UTF-8 bytes).") var key: String
    @Argument(help: "The value (its UTF-8 bytes); leave out with --file.") var value: String?
    @Option(help: "Read the value's bytes from this file.") var file: String?
    @Option(help: "The context from an earlier get (base64), sent back unchanged.") var context: String?
    @Option(help: "Write quorum for this request (1…N; default: the table's W).") var w: Int?
    @Option(help: "Acknowledgements that must come from primary replicas (default 0).") var pw: Int?
    @Flag(help: "Print what the key holds after the write.") var returnbody = false
    @OptionGroup var format: ValueFormat
    @OptionGroup var node: ClientOptions

    func validate() throws {
        try checkKey(key)
        guard (value == nil) != (file == nil) else {
            throw ValidationError(value == nil ? "give the VALUE or --file FILE" : "give either the VALUE or --file FILE, not both")
        }
        try checkContext(context)
        try checkCount(w, "--w", atLeast: 1)
        try checkCount(pw, "--pw", atLeast: 0)
    }

    func run() throws {
        let bytes = try file.map(readValueFile) ?? Array((value ?? "").utf8)
        let (table, key, context) = (table, Array(key.utf8), context)
        let options = WriteOptions(w: w, pw: pw, returnBody: returnbody)
        let result = try node.call { client throws(CairnClientError) in
            try await client.put(table: table, key: key, value: bytes, context: context, options: options)
        }
        if let result { format.lines(result).forEach { say($0) } } else { say("written") }
    }

    /// The file's bytes, refused with its size when over the value limit.
    private func readValueFile(_ path: String) throws -> [UInt8] {
        let limit = ClientLimits().valueBytesMax
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
            attributes[.type] as? FileAttributeType != .typeDirectory, let data = FileManager.default.contents(atPath: path)
        else { throw RuntimeError("--file \(path): cannot read it (missing, a directory or unreadable)") }
        guard data.count <= limit else {
            throw RuntimeError("--file \(path): \(data.count) bytes exceed valueBytesMax (\(limit) bytes)")
        }
        return [UInt8](data)
    }
}

/// `cairn delete TABLE KEY`: writes a tombstone superseding what `--context` saw.
struct DeleteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete", abstract: "Delete a key; pass the context of an earlier get so the delete supersedes it.")

    @Argument(help: "The table.") var table: String
    @Argument(help: "The key (its UTF-8 bytes).") var key: String
    @Option(help: "The context from an earlier get (base64), sent back unchanged.") var context: String?
    @Option(help: "Write quorum for this request (1…N; default: the table's W).") var w: Int?
    @Option(help: "Acknowledgements that must come from primary replicas (default 0).") var pw: Int?
    @OptionGroup var node: ClientOptions

    func validate() throws {
        try checkKey(key)
        try checkContext(context)
        try checkCount(w, "--w", atLeast: 1)
        try checkCount(pw, "--pw", atLeast: 0)
    }

    func run() throws {
        let (table, key, context, options) = (table, Array(key.utf8), context, WriteOptions(w: w, pw: pw))
        try node.call { client throws(CairnClientError) in
            try await client.delete(table: table, key: key, context: context, options: options)
        }
        say("deleted")
    }
}

func checkKey(_ key: String) throws {
    guard !key.isEmpty else { throw ValidationError("KEY is empty") }
}

func checkContext(_ context: String?) throws {
    guard let context else { return }
    guard Data(base64Encoded: context) != nil else {
        throw ValidationError("--context is not base64: pass the `context:` line of a get unchanged")
    }
}

/// A quorum option is at least `atLeast` and at most 7, the largest N (the server checks it against N).
func checkCount(_ value: Int?, _ option: String, atLeast minimum: Int) throws {
    guard let value else { return }
    guard (minimum...7).contains(value) else { throw ValidationError("\(option) must be within \(minimum)…7, not \(value)") }
}

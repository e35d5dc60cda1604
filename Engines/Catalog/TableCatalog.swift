import CairnStorage
import Foundation

/// The list of a node's tables and their configurations, kept as `catalog.json` in the data dir.
///
/// Saved by writing a temporary file, fsyncing it and renaming it over the old one, so a crash leaves
/// either the old catalog or the new one, never half of one.
public struct TableCatalog: Codable, Sendable, Equatable {
    /// The catalog format this code writes and reads.
    public static let formatVersion = 1
    public static let fileName = "catalog.json"

    public var format: Int
    public var tables: [String: TableConfiguration]

    public init(tables: [String: TableConfiguration] = [:]) {
        self.format = Self.formatVersion
        self.tables = tables
    }

    /// Reads the catalog in `dataDirectory`, or an empty one when there is none yet.
    public static func load(from dataDirectory: String) throws(StorageError) -> TableCatalog {
        let path = dataDirectory + "/" + fileName
        guard FileManager.default.fileExists(atPath: path) else { return TableCatalog() }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw .io(operation: "read", path: path, reason: "\(error)")
        }
        let catalog: TableCatalog
        do {
            catalog = try JSONDecoder().decode(TableCatalog.self, from: data)
        } catch {
            throw .catalogCorrupted(path: path, detail: "not a catalog: \(error)")
        }
        guard catalog.format == formatVersion else {
            throw .catalogCorrupted(path: path, detail: "format \(catalog.format), this build reads \(formatVersion)")
        }
        for name in catalog.tables.keys { try TableName.check(name) }
        return catalog
    }

    /// Writes the catalog into `dataDirectory` atomically and durably.
    public func save(to dataDirectory: String) throws(StorageError) {
        let path = dataDirectory + "/" + Self.fileName
        let temporaryPath = path + ".tmp"
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data: Data
        do {
            data = try encoder.encode(self)
        } catch {
            preconditionFailure("a catalog always encodes: \(error)")
        }
        try Self.writeDurably(data, to: temporaryPath)
        guard rename(temporaryPath, path) == 0 else {
            throw .io(operation: "rename", path: path, reason: DirectoryCheck.errnoText(errno))
        }
        try Self.fsync(path: dataDirectory)
    }

    private static func writeDurably(_ data: Data, to path: String) throws(StorageError) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard descriptor >= 0 else { throw .io(operation: "open", path: path, reason: DirectoryCheck.errnoText(errno)) }
        defer { close(descriptor) }
        let written = data.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        guard written == data.count else {
            throw .io(operation: "write", path: path, reason: DirectoryCheck.errnoText(errno))
        }
        guard Foundation.fsync(descriptor) == 0 else {
            throw .io(operation: "fsync", path: path, reason: DirectoryCheck.errnoText(errno))
        }
    }

    private static func fsync(path: String) throws(StorageError) {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw .io(operation: "open", path: path, reason: DirectoryCheck.errnoText(errno)) }
        defer { close(descriptor) }
        guard Foundation.fsync(descriptor) == 0 else {
            throw .io(operation: "fsync", path: path, reason: DirectoryCheck.errnoText(errno))
        }
    }
}

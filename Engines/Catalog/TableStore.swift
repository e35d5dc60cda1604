import CairnStorage
import Foundation

/// A node's tables: each a named engine under `<data-dir>/<table>/`, listed in the catalog.
///
/// Opening a store reopens every cataloged table with its own engine and options, and refuses a table whose
/// directory holds another engine's files.
public final class TableStore: @unchecked Sendable {
    public let dataDirectory: String

    private let lock = NSLock()
    // Guarded by `lock`.
    private var catalog: TableCatalog
    private var engines: [String: any StorageEngine] = [:]

    /// Opens the store in `dataDirectory` (created when missing) and every table its catalog lists.
    public init(dataDirectory: String) throws {
        try DirectoryCheck.prepare(dataDirectory)
        self.dataDirectory = dataDirectory
        catalog = try TableCatalog.load(from: dataDirectory)
        do {
            for (name, configuration) in catalog.tables.sorted(by: { $0.key < $1.key }) {
                engines[name] = try configuration.openEngine(in: directory(of: name))
            }
        } catch {
            for engine in engines.values { try? engine.close() }
            throw error
        }
    }

    /// The names of every table, sorted.
    public var tableNames: [String] {
        lock.withLock { catalog.tables.keys.sorted() }
    }

    /// The configuration a table was created with.
    public func configuration(of name: String) throws -> TableConfiguration {
        try lock.withLock {
            guard let configuration = catalog.tables[name] else { throw StorageError.unknownTable(name: name) }
            return configuration
        }
    }

    /// Creates a table and records it in the catalog; the name must be new.
    @discardableResult
    public func createTable(_ name: String, _ configuration: TableConfiguration) throws -> any StorageEngine {
        try TableName.check(name)
        return try lock.withLock {
            guard catalog.tables[name] == nil else { throw StorageError.tableExists(name: name) }
            let engine = try configuration.openEngine(in: directory(of: name))
            var updated = catalog
            updated.tables[name] = configuration
            do {
                try updated.save(to: dataDirectory)
            } catch {
                try? engine.close()
                throw error
            }
            catalog = updated
            engines[name] = engine
            return engine
        }
    }

    /// The engine of an existing table.
    public func table(_ name: String) throws -> any StorageEngine {
        try lock.withLock {
            guard let engine = engines[name] else { throw StorageError.unknownTable(name: name) }
            return engine
        }
    }

    /// Closes a table, removes it from the catalog and deletes its files.
    public func dropTable(_ name: String) throws {
        try lock.withLock {
            guard let engine = engines[name] else { throw StorageError.unknownTable(name: name) }
            try engine.close()
            var updated = catalog
            updated.tables[name] = nil
            try updated.save(to: dataDirectory)
            catalog = updated
            engines[name] = nil
            let path = directory(of: name)
            do {
                try FileManager.default.removeItem(atPath: path)
            } catch {
                throw StorageError.io(operation: "remove", path: path, reason: "\(error)")
            }
        }
    }

    /// Closes every table, even when one fails to close (the first failure is rethrown). The store is unusable
    /// afterwards.
    public func close() throws {
        try lock.withLock {
            var firstFailure: (any Error)?
            for engine in engines.values {
                do { try engine.close() } catch { firstFailure = firstFailure ?? error }
            }
            engines = [:]
            if let firstFailure { throw firstFailure }
        }
    }

    /// Where a table's files live.
    public func directory(of name: String) -> String {
        dataDirectory + "/" + name
    }
}

import CairnCore
import CairnReplication

/// A node's storage in a `TestCluster`: copies and hints in memory, with a "synced" snapshot so a crash can
/// lose the writes since the last sync (a buffered table), a wipe that loses everything, and bytes to corrupt.
final class TestDisk: TestStorage {
    var copies: [[UInt8]: [UInt8]] = [:]
    var hints: [HintSlot: Hint] = [:]
    /// Copies moved aside by `.quarantine`, in order: (key, bytes).
    var quarantined: [(key: [UInt8], data: [UInt8])] = []
    private var syncedCopies: [[UInt8]: [UInt8]] = [:]
    private var syncedHints: [HintSlot: Hint] = [:]

    func load(table: String, key: [UInt8]) -> [UInt8]? { copies[key] }

    func apply(_ directive: Directive) {
        switch directive {
        case .persist(_, let key, let data): copies[key] = data
        case .remove(_, let key): copies[key] = nil
        case .persistHint(let hint): hints[hint.slot] = hint
        case .removeHint(let slot): hints[slot] = nil
        case .quarantine(_, let key, let data):
            quarantined.append((key, data))
            copies[key] = nil
        default: break
        }
    }

    /// Makes everything written so far survive `loseUnsynced`.
    func sync() {
        syncedCopies = copies
        syncedHints = hints
    }

    /// A crash of a buffered table: back to the last sync.
    func loseUnsynced() {
        copies = syncedCopies
        hints = syncedHints
    }

    /// A lost disk.
    func wipe() {
        copies = [:]
        hints = [:]
        sync()
    }
}

/// Storage a `TestCluster` node runs on: it performs the node's storage directives and lists its hints.
protocol TestStorage: ReplicaStorageView {
    func apply(_ directive: Directive) throws
    func heldHints() throws -> [Hint]
}

extension TestDisk {
    func heldHints() -> [Hint] { Array(hints.values) }
}

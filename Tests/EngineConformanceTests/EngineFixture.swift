import CairnEngines
import CairnStorage
import CairnTestSupport

/// One engine of a given kind over a fresh temporary directory, for one conformance test.
final class EngineFixture {
    let kind: EngineKind
    let directory = TemporaryDirectory("cairn-conformance")
    var tablePath: String { directory.child("table") }

    init(_ kind: EngineKind) {
        self.kind = kind
    }

    /// Opens (or reopens) the engine over the same directory.
    func open(durability: Durability = .sync) throws -> any StorageEngine {
        try TableConfiguration(engine: kind, durability: durability).openEngine(in: tablePath)
    }
}

/// Every engine; the conformance suite runs each test once per engine, named by its argument.
let allEngines = EngineKind.allCases
/// The engines that keep data across close and reopen.
let persistentEngines = EngineKind.allCases.filter(\.isPersistent)

/// Bytes of a string, for readable keys.
func bytes(_ text: String) -> Bytes { Bytes(text.utf8) }

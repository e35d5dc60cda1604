import CairnCore
import CairnReplication
import CairnStorage

/// A table as the API shows it: its name, engine, replication settings and durability (typed; the gossiped
/// catalog's `CairnMembership.TableDefinition` keeps the same fields as strings).
///
/// Its JSON is flat: `{"name", "engine", "n", "r", "w", "policy", "durability"}`.
public struct TableDescription: Codable, Hashable, Sendable {
    public var name: String
    public var engine: EngineKind
    public var settings: TableSettings
    public var durability: Durability

    public init(name: String, engine: EngineKind, settings: TableSettings, durability: Durability) {
        self.name = name
        self.engine = engine
        self.settings = settings
        self.durability = durability
    }

    enum CodingKeys: String, CodingKey {
        case name, engine, n, r, w, policy, durability
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        engine = try container.decode(EngineKind.self, forKey: .engine)
        settings = TableSettings(
            replicas: try container.decode(Int.self, forKey: .n), readQuorum: try container.decode(Int.self, forKey: .r),
            writeQuorum: try container.decode(Int.self, forKey: .w),
            policy: try container.decode(ConflictPolicy.self, forKey: .policy))
        durability = try container.decode(Durability.self, forKey: .durability)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(engine, forKey: .engine)
        try container.encode(settings.replicas, forKey: .n)
        try container.encode(settings.readQuorum, forKey: .r)
        try container.encode(settings.writeQuorum, forKey: .w)
        try container.encode(settings.policy, forKey: .policy)
        try container.encode(durability, forKey: .durability)
    }
}

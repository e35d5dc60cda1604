/// When a write counts as done, chosen per table.
public enum Durability: String, Codable, Sendable, CaseIterable {
    /// The write is on disk (fsync'd) before the call returns: it survives a crash of the process or machine.
    case sync
    /// The write is in the OS page cache (or the engine's log) when the call returns: it survives a crash of
    /// the process, and may be lost with the machine's power. Much faster; `sync()` flushes on demand.
    case buffered
}

import CairnCore
import CairnReplication

/// Starting and stopping a node over engines, with the durable epoch calls around it (see `EngineReplicaStore+Start`).
extension NodeShell {
    /// Prepares a start over `store`: `beginStart` picks and records the incarnation and start counter before the
    /// node serves, the hints stored before a restart are read back, and the core is built from `template` with
    /// those counters. Pass the result to `start(_:store:now:)`. Throws when the store fails; nothing is started then.
    public func prepareStart(
        over store: EngineReplicaStore, configuration template: NodeConfiguration, wallClockMilliseconds: UInt64,
        bufferedTables: Set<String>, freshCounter: UInt64 = .random(in: 1...EngineReplicaStore.freshCounterMax)
    ) throws -> (core: ReplicaNode, counters: NodeStart) {
        precondition(template.id == id, "a shell starts its own node")
        precondition(!isRunning, "stop the node before starting it again")
        let counters = try store.beginStart(
            wallClockMilliseconds: wallClockMilliseconds, bufferedTables: bufferedTables, freshCounter: freshCounter)
        let hints = try store.storedHints()
        var configuration = template
        configuration.incarnation = counters.incarnation
        configuration.start = counters.start
        return (ReplicaNode(configuration: configuration, storage: store, hints: hints), counters)
    }

    /// Stops the node, then records a clean stop on `store` (every engine synced first), so the next start may
    /// keep the incarnation.
    public func stopCleanly(store: EngineReplicaStore, wallClockMilliseconds: UInt64) throws {
        stop()
        try store.stopCleanly(wallClockMilliseconds: wallClockMilliseconds)
    }
}

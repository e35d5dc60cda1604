import CairnCore
import CairnNode
import CairnReplication

/// What a simulated node's `NodeShell` performs over: the simulated network, the event queue's timers, the
/// clients' reply queue, and the simulator's checkers and injected crashes as the shell's observer.
final class SimulatedNodePorts: NodeTransport, NodeTimerService, ClientReplySink, NodeShellObserver {
    unowned let simulation: Simulation
    let id: NodeID
    /// Set just before the shell is given an event: finds the dot the coming directive list issues (if any),
    /// so the checkers can record it once the directive that stores it was performed.
    var issuing: (([Directive]) -> IssuedDot?)?
    private var issued: IssuedDot?
    /// The index before which an injected crash stops the current list, if any.
    private var cut: Int?
    /// Whether the event being handled is a version-vector prune (a persist may then drop entries).
    var handlingPrune = false

    init(simulation: Simulation, id: NodeID) {
        self.simulation = simulation
        self.id = id
    }

    private var node: SimulatedNode { simulation.nodes[id]! }

    /// The simulator runs replication cores alone (no membership), so only replication messages and timers come.
    func send(to node: NodeID, _ envelope: NodeMessage) {
        guard case .replication(let message) = envelope else { return simulation.fail("shell: \(id) sent \(envelope), not replication") }
        checkUp(doing: "sent \(simulation.describe(message))")
        simulation.send(message, from: id, to: node)
    }

    func schedule(_ envelope: NodeTimer, afterMilliseconds: UInt64, generation: UInt64) {
        guard case .replication(let timer) = envelope else { return simulation.fail("shell: \(id) started \(envelope), not replication") }
        checkUp(doing: "started timer \(timer)")
        simulation.queue.push(.timer(node: id, generation: generation, timer), at: simulation.now + afterMilliseconds)
    }

    func deliver(_ reply: ClientReply) {
        checkUp(doing: "replied \(simulation.describe(reply))")
        simulation.queue.push(.reply(client: Int(reply.id >> 32), reply), at: simulation.now + 1)
    }

    /// A shell performs nothing for a node that is down (crashed, or stopped by a failed storage directive).
    private func checkUp(doing what: String) {
        if node.core == nil { simulation.fail("shell: \(id) \(what) while down") }
    }

    func willPerform(_ directives: [Directive]) throws {
        issued = issuing?(directives)
        issuing = nil
        cut = simulation.crashPoint(in: directives, at: node)
    }

    /// During chaos the node may crash part-way (`crashBetweenDirectives`); the checkers look at each directive first.
    func shouldPerform(_ directive: Directive, index: Int, of directives: [Directive]) throws -> Bool {
        if let issued, index == issued.directiveIndex + 1 { simulation.record(issued) }
        if index == cut {
            simulation.log("crash \(id) after \(index) of \(directives.count) directives")
            try simulation.crashNode(id)
            return false
        }
        switch directive {
        case .send(_, let message):
            if case .coordinator(.coordinated(_, let reply)) = message { simulation.checkAcknowledgedWrite(reply) }
            if case .hints(.ack(let table, let key, _)) = message {
                simulation.observed.handOverAcknowledgedAt[HintSlot(owner: id, table: table, key: key)] = simulation.now
            }
        case .reply(let reply):
            simulation.checkAcknowledgedWrite(reply)
        case .removeHint(let slot):
            simulation.checkHandoff(of: slot, by: node)
        case .persist(let table, let key, let data):
            simulation.checkStoredCopyGrows(table: table, key: key, to: data, at: node, pruning: handlingPrune)
        case .remove(let table, let key):
            simulation.noteReap(table: table, key: key, at: node)
        case .persistHint, .quarantine, .startTimer, .log:
            break
        }
        return true
    }

    func didPerform(_ directive: Directive, index: Int) throws {
        // The hint was the last copy of what its owner acknowledged and then lost with the power.
        if case .removeHint(let slot) = directive, simulation.ownerLostHandOver(slot) { simulation.noteWritesDestroyed() }
    }

    func didPerformAll(_ directives: [Directive]) throws {
        if let issued, directives.count == issued.directiveIndex + 1 { simulation.record(issued) }
        if node.core != nil { simulation.checkHintsMirrored(at: node) }
    }

    /// A storage directive the disk refuses crashes the node (the shell performs nothing after it).
    func storageFailed(_ directive: Directive, error: any Error) throws {
        simulation.log("\(id) storage error: \(error)")
        try simulation.crashNode(id)
    }

    func log(_ line: String) {
        simulation.log(line)
    }
}

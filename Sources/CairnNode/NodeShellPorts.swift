import CairnCore
import CairnReplication

/// Carries a node's messages, in their envelope, to other nodes (a socket in the server, the simulated network in
/// the simulator).
public protocol NodeTransport: AnyObject {
    func send(to node: NodeID, _ message: NodeMessage)
}

/// Starts a node's timers (in their envelope). A timer fires back through `NodeShell.onTimer(_:generation:now:)` with the
/// generation it was scheduled under; the shell ignores timers of an earlier generation (a previous start).
public protocol NodeTimerService: AnyObject {
    func schedule(_ timer: NodeTimer, afterMilliseconds: UInt64, generation: UInt64)
}

/// Where the answers to this node's own clients go.
public protocol ClientReplySink: AnyObject {
    func deliver(_ reply: ClientReply)
}

/// Performs a node's storage directives (persist, remove, persistHint, removeHint, quarantine) durably; throws when it cannot.
public protocol ReplicaDirectiveStore: AnyObject {
    func perform(_ directive: Directive) throws
}

extension EngineReplicaStore: ReplicaDirectiveStore {}

/// Watches a shell perform directives (the simulator's checkers and injected crashes; a server's log).
/// Every hook but `log` has a default that does nothing and lets the shell go on.
public protocol NodeShellObserver: AnyObject {
    /// A list the core returned, before any of it is performed.
    func willPerform(_ directives: [Directive]) throws
    /// Before directive `index` of `directives`; false stops the list there (the caller stopped the node).
    func shouldPerform(_ directive: Directive, index: Int, of directives: [Directive]) throws -> Bool
    /// After directive `index` was performed.
    func didPerform(_ directive: Directive, index: Int) throws
    /// After every directive of a list was performed.
    func didPerformAll(_ directives: [Directive]) throws
    /// A storage directive failed: the shell performs nothing after it and then stops the node.
    func storageFailed(_ directive: Directive, error: any Error) throws
    /// A `.log` directive's line.
    func log(_ line: String)
}

extension NodeShellObserver {
    public func willPerform(_ directives: [Directive]) throws {}
    public func shouldPerform(_ directive: Directive, index: Int, of directives: [Directive]) throws -> Bool { true }
    public func didPerform(_ directive: Directive, index: Int) throws {}
    public func didPerformAll(_ directives: [Directive]) throws {}
    public func storageFailed(_ directive: Directive, error: any Error) throws {}
}

import CairnCore

/// What a node asks its shell to do, in order. Persisting directives come before the sends and replies that
/// depend on them: the shell must perform them in the order given.
public enum Directive: Hashable, Sendable {
    case send(to: NodeID, Message)
    /// Store the encoded sibling set of a key durably (as the table's durability says) before going on.
    case persist(table: String, key: [UInt8], data: [UInt8])
    /// Remove a key (a reaped tombstone).
    case remove(table: String, key: [UInt8])
    /// Store a hint durably (replacing the one in its slot) before going on.
    case persistHint(Hint)
    case removeHint(HintSlot)
    /// Move a stored copy that does not decode aside, durably, before going on: keep `data` in the node's
    /// quarantine (never overwriting an earlier quarantined copy) and remove the key from the table.
    case quarantine(table: String, key: [UInt8], data: [UInt8])
    case reply(ClientReply)
    case startTimer(TimerID, afterMilliseconds: UInt64)
    /// Something the operator should know (an unreadable stored copy, a merge refused at a limit): one line.
    case log(String)
}

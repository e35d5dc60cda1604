import CairnCore

/// Every way the failure detector refuses its settings or an input, each a one-line message naming the limit.
public enum FailureDetectionError: Error, Hashable, Sendable, CustomStringConvertible {
    case settingInvalid(String)
    case membersFull(node: NodeID, limit: Int)
    case tooManyUpdates(from: NodeID, count: Int, limit: Int)
    case relaysFull(from: NodeID, limit: Int)
    case incarnationTooLarge(from: NodeID, incarnation: UInt64, limit: UInt64)
    case messageFromSelf
    case selfAsMember(NodeID)

    public var description: String {
        switch self {
        case .settingInvalid(let detail): "invalid failure-detector setting: \(detail)"
        case .membersFull(let node, let limit): "cannot track \(node): membersMax (\(limit)) members already tracked"
        case .tooManyUpdates(let from, let count, let limit):
            "message from \(from) carries \(count) updates, over piggybackUpdatesMax (\(limit)); ignored"
        case .relaysFull(let from, let limit):
            "ping-request from \(from) refused: relayedProbesMax (\(limit)) probes already being relayed"
        case .incarnationTooLarge(let from, let incarnation, let limit):
            "message from \(from) carries incarnation \(incarnation), over incarnationMax (\(limit)); ignored"
        case .messageFromSelf: "a message claims to come from this node itself; ignored"
        case .selfAsMember(let node): "\(node) is this node; it cannot be its own member"
        }
    }
}

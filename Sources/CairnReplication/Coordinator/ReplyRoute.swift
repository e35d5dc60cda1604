import CairnCore

/// Where a coordinator's answer goes: to its own client, or back to the node that forwarded the request.
enum ReplyRoute: Hashable, Sendable {
    case client
    case forwarded(origin: NodeID, id: RequestID)

    func answer(_ reply: ClientReply) -> Directive {
        switch self {
        case .client: .reply(reply)
        case .forwarded(let origin, let id): .send(to: origin, .coordinator(.coordinated(id: id, reply: reply)))
        }
    }
}

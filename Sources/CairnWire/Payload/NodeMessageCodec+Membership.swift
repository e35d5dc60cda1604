import CairnCore
import CairnMembership
import CairnReplication
import Foundation

/// Gossip, failure-detector and transfer messages.
extension NodeMessageCodec {
    // MARK: Gossip

    static func write(_ message: GossipMessage, _ out: inout PayloadWriter) throws {
        switch message {
        case .digest(let digest):
            out.byte(1)
            out.varint(digest)
        case .state(let state, let replyWanted):
            out.byte(2)
            out.byte(replyWanted ? 1 : 0)
            out.blob(Array(try JSONEncoder().encode(state)))
        }
    }

    static func readGossip(_ input: inout PayloadReader) throws(PayloadError) -> GossipMessage {
        switch try input.byte("gossip message") {
        case 1: return .digest(try input.varint("digest"))
        case 2:
            let replyWanted = try input.flag("reply wanted")
            let json = try input.blob("cluster state", bytesMax: ClusterStateLimits.stateBytesMax)
            let state: ClusterState
            do {
                state = try JSONDecoder().decode(ClusterState.self, from: Data(json))
            } catch {
                throw .malformed("cluster state does not decode: \(error)")
            }
            do {
                try state.check()
            } catch {
                throw .malformed("cluster state refused: \(error)")
            }
            return .state(state, replyWanted: replyWanted)
        case let tag: throw .unknownTag(field: "gossip message", tag: tag)
        }
    }

    // MARK: Failure detector

    static func write(_ message: FailureDetector.Message, _ out: inout PayloadWriter) {
        switch message.kind {
        case .ping(let sequence):
            out.byte(1)
            out.varint(sequence)
        case .ack(let sequence, let target, let incarnation):
            out.byte(2)
            out.varint(sequence)
            out.node(target)
            out.varint(incarnation)
        case .pingRequest(let sequence, let target):
            out.byte(3)
            out.varint(sequence)
            out.node(target)
        case .nack(let sequence, let target):
            out.byte(4)
            out.varint(sequence)
            out.node(target)
        case .gossip:
            out.byte(5)
        }
        out.int(message.updates.count)
        for update in message.updates {
            out.node(update.node)
            out.byte(UInt8(update.status.state.rawValue))
            out.varint(update.status.incarnation)
            out.node(update.origin)
        }
    }

    static func readDetector(_ input: inout PayloadReader) throws(PayloadError) -> FailureDetector.Message {
        let kind: FailureDetector.Message.Kind
        switch try input.byte("detector message") {
        case 1: kind = .ping(sequence: try input.varint("sequence"))
        case 2: kind = .ack(sequence: try input.varint("sequence"), target: try input.node("target"), incarnation: try input.varint("incarnation"))
        case 3: kind = .pingRequest(sequence: try input.varint("sequence"), target: try input.node("target"))
        case 4: kind = .nack(sequence: try input.varint("sequence"), target: try input.node("target"))
        case 5: kind = .gossip
        case let tag: throw .unknownTag(field: "detector message", tag: tag)
        }
        // An update is at least a 2-byte name, a state byte, a 1-byte incarnation and a 2-byte origin.
        let count = try input.count("member updates", max: detectorUpdatesMax, elementBytesMin: 6)
        var updates: [FailureDetector.MemberUpdate] = []
        for _ in 0..<count {
            let node = try input.node("update node")
            let rawState = try input.byte("update state")
            guard let state = FailureDetector.MemberStatus.State(rawValue: Int(rawState)) else {
                throw .unknownTag(field: "member state", tag: rawState)
            }
            let status = FailureDetector.MemberStatus(state, incarnation: try input.varint("update incarnation"))
            updates.append(FailureDetector.MemberUpdate(node: node, status: status, origin: try input.node("update origin")))
        }
        return FailureDetector.Message(kind, updates: updates)
    }

    // MARK: Transfers

    static func write(_ message: Transfer.Message, _ out: inout PayloadWriter) {
        switch message {
        case .open(let id, let resumeAfter):
            out.byte(1)
            write(id, &out)
            out.optionalBlob(resumeAfter)
        case .opened(let id, let mergedThrough):
            out.byte(2)
            write(id, &out)
            out.optionalBlob(mergedThrough)
        case .batch(let id, let sequence, let progress, let entries):
            out.byte(3)
            write(id, &out)
            out.varint(sequence)
            write(progress, &out)
            out.int(entries.count)
            for entry in entries {
                out.blob(entry.key)
                out.blob(entry.data)
            }
        case .ack(let id, let sequence, let progress):
            out.byte(4)
            write(id, &out)
            out.varint(sequence)
            write(progress, &out)
        case .finish(let id):
            out.byte(5)
            write(id, &out)
        case .finished(let id):
            out.byte(6)
            write(id, &out)
        }
    }

    static func readTransfer(_ input: inout PayloadReader) throws(PayloadError) -> Transfer.Message {
        let tag = try input.byte("transfer message")
        guard (1...6).contains(tag) else { throw .unknownTag(field: "transfer message", tag: tag) }
        let id = try readTransferID(&input)
        switch tag {
        case 1: return .open(id, resumeAfter: try input.optionalBlob("resume after", bytesMax: ReplicationLimits.keyBytesMax))
        case 2: return .opened(id, mergedThrough: try input.optionalBlob("merged through", bytesMax: ReplicationLimits.keyBytesMax))
        case 3:
            let sequence = try input.varint("batch sequence")
            let progress = try readProgress(&input)
            // An entry is at least a 1-byte key and an empty data blob, each with its length byte.
            let count = try input.count("batch entries", max: Int(Int32.max), elementBytesMin: 3)
            var entries: [Transfer.Entry] = []
            entries.reserveCapacity(count)
            for _ in 0..<count { entries.append(Transfer.Entry(key: try readKey(&input), data: try readData(&input))) }
            return .batch(id, sequence: sequence, progress: progress, entries: entries)
        case 4: return .ack(id, sequence: try input.varint("ack sequence"), progress: try readProgress(&input))
        case 5: return .finish(id)
        default: return .finished(id)
        }
    }

    static func write(_ id: Transfer.ID, _ out: inout PayloadWriter) {
        out.string(id.table)
        out.int(id.partition)
        out.node(id.from)
        out.node(id.to)
    }

    static func readTransferID(_ input: inout PayloadReader) throws(PayloadError) -> Transfer.ID {
        Transfer.ID(table: try readTable(&input), partition: try input.int("partition", max: Ring.partitionCountMax - 1),
                    from: try input.node("transfer from"), to: try input.node("transfer to"))
    }

    static func write(_ progress: Transfer.BatchProgress, _ out: inout PayloadWriter) {
        switch progress {
        case .scanned(let through):
            out.byte(1)
            out.blob(through)
        case .forwarded:
            out.byte(2)
        }
    }

    static func readProgress(_ input: inout PayloadReader) throws(PayloadError) -> Transfer.BatchProgress {
        switch try input.byte("batch progress") {
        case 1: return .scanned(through: try readKey(&input))
        case 2: return .forwarded
        case let tag: throw .unknownTag(field: "batch progress", tag: tag)
        }
    }
}

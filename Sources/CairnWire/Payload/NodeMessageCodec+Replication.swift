import CairnCore
import CairnReplication

/// The replication messages (coordinator, replica, hints) and the client requests and replies they carry.
extension NodeMessageCodec {
    static func write(_ message: Message, _ out: inout PayloadWriter) {
        switch message {
        case .coordinator(let message):
            out.byte(1)
            write(message, &out)
        case .replica(.put(let id, let table, let key, let data, let hintFor)):
            out.byte(2)
            write(id, &out)
            out.string(table)
            out.blob(key)
            out.blob(data)
            out.optionalNode(hintFor)
        case .replica(.get(let id, let table, let key)):
            out.byte(3)
            write(id, &out)
            out.string(table)
            out.blob(key)
        case .replica(.reap(let table, let key, let history)):
            out.byte(4)
            out.string(table)
            out.blob(key)
            out.blob(history)
        case .replica(.prune(let table, let key, let entries)):
            out.byte(7)
            out.string(table)
            out.blob(key)
            out.blob(entries)
        case .hints(.delivery(let table, let key, let data)):
            out.byte(5)
            out.string(table)
            out.blob(key)
            out.blob(data)
        case .hints(.ack(let table, let key, let data)):
            out.byte(6)
            out.string(table)
            out.blob(key)
            out.blob(data)
        }
    }

    static func readReplication(_ input: inout PayloadReader) throws(PayloadError) -> Message {
        switch try input.byte("replication message") {
        case 1: return .coordinator(try readCoordinator(&input))
        case 2:
            return .replica(.put(id: try readRequestID(&input), table: try readTable(&input), key: try readKey(&input),
                                 data: try readData(&input), hintFor: try input.optionalNode("hint owner")))
        case 3: return .replica(.get(id: try readRequestID(&input), table: try readTable(&input), key: try readKey(&input)))
        case 4: return .replica(.reap(table: try readTable(&input), key: try readKey(&input), history: try readData(&input, "history")))
        case 5: return .hints(.delivery(table: try readTable(&input), key: try readKey(&input), data: try readData(&input)))
        case 6: return .hints(.ack(table: try readTable(&input), key: try readKey(&input), data: try readData(&input)))
        case 7: return .replica(.prune(table: try readTable(&input), key: try readKey(&input), entries: try readData(&input, "entries")))
        case let tag: throw .unknownTag(field: "replication message", tag: tag)
        }
    }

    static func write(_ message: Coordinator.Message, _ out: inout PayloadWriter) {
        switch message {
        case .putAck(let id):
            out.byte(1)
            write(id, &out)
        case .getReply(let id, let data):
            out.byte(2)
            write(id, &out)
            out.optionalBlob(data)
        case .coordinate(let id, let request):
            out.byte(3)
            write(id, &out)
            write(request, &out)
        case .coordinateAccepted(let id):
            out.byte(4)
            write(id, &out)
        case .coordinated(let id, let reply):
            out.byte(5)
            write(id, &out)
            write(reply, &out)
        case .ping(let id):
            out.byte(6)
            write(id, &out)
        case .pong(let id):
            out.byte(7)
            write(id, &out)
        }
    }

    static func readCoordinator(_ input: inout PayloadReader) throws(PayloadError) -> Coordinator.Message {
        let tag = try input.byte("coordinator message")
        guard (1...7).contains(tag) else { throw .unknownTag(field: "coordinator message", tag: tag) }
        let id = try readRequestID(&input)
        switch tag {
        case 1: return .putAck(id: id)
        case 2: return .getReply(id: id, data: try input.optionalBlob("data", bytesMax: dataBytesMax))
        case 3: return .coordinate(id: id, request: try readClientRequest(&input))
        case 4: return .coordinateAccepted(id: id)
        case 5: return .coordinated(id: id, reply: try readClientReply(&input))
        case 6: return .ping(id: id)
        default: return .pong(id: id)
        }
    }

    static func write(_ request: ClientRequest, _ out: inout PayloadWriter) {
        out.varint(request.id)
        out.string(request.table)
        out.blob(request.key)
        switch request.operation {
        case .get: out.byte(1)
        case .put(let value, let context):
            out.byte(2)
            out.blob(value)
            out.optionalBlob(context)
        case .delete(let context):
            out.byte(3)
            out.optionalBlob(context)
        }
        let options = request.options
        out.optionalInt(options.readQuorum)
        out.optionalInt(options.writeQuorum)
        out.int(options.primaryReadQuorum)
        out.int(options.primaryWriteQuorum)
    }

    static func readClientRequest(_ input: inout PayloadReader) throws(PayloadError) -> ClientRequest {
        let id = try input.varint("client request id")
        let table = try readTable(&input)
        let key = try readKey(&input)
        let operation: ClientRequest.Operation
        switch try input.byte("operation") {
        case 1: operation = .get
        case 2:
            operation = .put(value: try input.blob("value", bytesMax: ReplicationLimits.valueBytesMax),
                             context: try input.optionalBlob("context", bytesMax: dataBytesMax))
        case 3: operation = .delete(context: try input.optionalBlob("context", bytesMax: dataBytesMax))
        case let tag: throw .unknownTag(field: "operation", tag: tag)
        }
        let quorumMax = ReplicationLimits.replicasMax
        let options = RequestOptions(
            readQuorum: try input.optionalInt("r", max: quorumMax), writeQuorum: try input.optionalInt("w", max: quorumMax),
            primaryReadQuorum: try input.int("pr", max: quorumMax), primaryWriteQuorum: try input.int("pw", max: quorumMax))
        return ClientRequest(id: id, table: table, key: key, operation: operation, options: options)
    }

    static func write(_ reply: ClientReply, _ out: inout PayloadWriter) {
        switch reply {
        case .values(let id, let values, let context, let modified):
            out.byte(1)
            out.varint(id)
            out.int(values.count)
            for value in values { out.blob(value) }
            out.blob(context)
            out.int(modified.count)
            for milliseconds in modified { out.varint(milliseconds) }
        case .written(let id):
            out.byte(2)
            out.varint(id)
        case .failed(let id, let error):
            out.byte(3)
            out.varint(id)
            write(error, &out)
        }
    }

    static func readClientReply(_ input: inout PayloadReader) throws(PayloadError) -> ClientReply {
        let tag = try input.byte("client reply")
        let id = try input.varint("client reply id")
        switch tag {
        case 1:
            let count = try input.count("values", max: ReplicationLimits.storedSiblingsMax)
            var values: [[UInt8]] = []
            for _ in 0..<count { values.append(try input.blob("value", bytesMax: ReplicationLimits.valueBytesMax)) }
            let context = try readData(&input, "context")
            let modifiedCount = try input.count("modified times", max: ReplicationLimits.storedSiblingsMax)
            guard modifiedCount == 0 || modifiedCount == count else {
                throw .malformed("modified times: \(modifiedCount) for \(count) values (0 or one per value expected)")
            }
            var modified: [UInt64] = []
            for _ in 0..<modifiedCount { modified.append(try input.varint("modified time")) }
            return .values(id: id, values: values, context: context, modifiedMilliseconds: modified)
        case 2: return .written(id: id)
        case 3: return .failed(id: id, error: try readReplicationError(&input))
        default: throw .unknownTag(field: "client reply", tag: tag)
        }
    }

    static func write(_ error: ReplicationError, _ out: inout PayloadWriter) {
        func pair(_ tag: UInt8, _ first: Int, _ second: Int) {
            out.byte(tag)
            out.int(max(0, first))
            out.int(max(0, second))
        }
        func text(_ tag: UInt8, _ value: String) {
            out.byte(tag)
            out.string(String(decoding: Array(value.utf8.prefix(errorTextBytesMax)), as: UTF8.self))
        }
        switch error {
        case .tooManySiblings(let count, let limit): pair(1, count, limit)
        case .versionVectorTooLong(let entries, let limit): pair(2, entries, limit)
        case .valueTooLarge(let bytes, let limit): pair(3, bytes, limit)
        case .keyInvalid(let bytes, let limit): pair(4, bytes, limit)
        case .unknownTable(let name): text(5, name)
        case .quorumInvalid(let detail): text(6, detail)
        case .overloaded(let pending, let limit): pair(7, pending, limit)
        case .corruptReplicaData(let detail): text(8, detail)
        case .storageFailure(let detail): text(9, detail)
        case .timeout(let needed, let got): pair(10, needed, got)
        }
    }

    static func readReplicationError(_ input: inout PayloadReader) throws(PayloadError) -> ReplicationError {
        let tag = try input.byte("replication error")
        switch tag {
        case 1, 2, 3, 4, 7, 10:
            let first = try input.int("error count", max: Int(Int32.max))
            let second = try input.int("error limit", max: Int(Int32.max))
            switch tag {
            case 1: return .tooManySiblings(count: first, limit: second)
            case 2: return .versionVectorTooLong(entries: first, limit: second)
            case 3: return .valueTooLarge(bytes: first, limit: second)
            case 4: return .keyInvalid(bytes: first, limit: second)
            case 7: return .overloaded(pending: first, limit: second)
            default: return .timeout(needed: first, got: second)
            }
        case 5, 6, 8, 9:
            let text = try input.string("error text", bytesMax: errorTextBytesMax)
            switch tag {
            case 5: return .unknownTable(text)
            case 6: return .quorumInvalid(text)
            case 8: return .corruptReplicaData(text)
            default: return .storageFailure(text)
            }
        default: throw .unknownTag(field: "replication error", tag: tag)
        }
    }
}

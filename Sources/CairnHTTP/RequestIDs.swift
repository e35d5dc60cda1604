import Foundation

/// Numbers each client request the API hands the node (`ClientRequest.id`), unique within this process.
final class RequestIDs: @unchecked Sendable {
    private let lock = NSLock()
    private var last: UInt64 = 0

    func next() -> UInt64 {
        lock.lock()
        defer { lock.unlock() }
        last &+= 1
        return last
    }
}
